// Rules that span sections, checked after each section parsed on its own.
import { BUILTIN_SCENARIOS } from './sections.ts';
import { normalizeRecordName } from '../model/routing.ts';
import { SITES, STAGES, type Site } from '../model/vocabulary.ts';
import type { baseSchema } from './schema.ts';
import * as z from 'zod';

/** Rules across sections: unique ids and names, every stage probed on both sites, declared secrets, … */
export const crossFieldRules = (config: z.output<typeof baseSchema>, ctx: z.RefinementCtx): void => {
  const ids = new Map<string, number>();
  config.probes.forEach((probe, index) => {
    if (ids.has(probe.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['probes', index, 'id'],
        message: `duplicate probe id "${probe.id}" (also probes[${ids.get(probe.id)}])`,
      });
    }
    ids.set(probe.id, index);
    const worstCaseMs = probe.steps.reduce((sum, step) => sum + step.timeoutMs, 0);
    if (worstCaseMs > config.schedule.intervalSeconds * 1000) {
      ctx.addIssue({
        code: 'custom',
        path: ['probes', index, 'steps'],
        message:
          `step timeouts add up to ${worstCaseMs} ms, longer than schedule.intervalSeconds ` +
          `(${config.schedule.intervalSeconds} s)`,
      });
    }
  });
  for (const site of SITES) {
    for (const stage of STAGES) {
      if (!config.probes.some((probe) => probe.stage === stage && probe.sites.includes(site))) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes'],
          message: `no probe checks ${stage} on ${site}: failover pre-flight needs every stage probed on both sites`,
        });
      }
    }
  }
  const names = new Map<string, number>();
  config.records.forEach((record, index) => {
    const key = `${record.name} ${record.type}`;
    if (names.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['records', index, 'name'],
        message: `duplicate record ${key} (also records[${names.get(key)}])`,
      });
    }
    names.set(key, index);
  });
  const citizensRecord = config.local.citizens.record;
  if (
    citizensRecord !== undefined &&
    !config.records.some((record) => record.name === normalizeRecordName(citizensRecord))
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['local', 'citizens', 'record'],
      message: `must be one of the managed records: ${config.records.map((record) => record.name).join(', ')}`,
    });
  }
  const scenarioNames = new Set<string>(BUILTIN_SCENARIOS);
  config.drills.scenarios.forEach((scenario, index) => {
    if (scenarioNames.has(scenario.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['drills', 'scenarios', index, 'name'],
        message: `scenario name "${scenario.name}" is already taken`,
      });
    }
    scenarioNames.add(scenario.name);
  });
  if (STAGES.every((stage) => sameUrl(config.sites.primary.stages[stage], config.sites.backup.stages[stage])))
    ctx.addIssue({
      code: 'custom',
      path: ['sites', 'backup', 'stages'],
      message: 'is the same as sites.primary.stages: a failover would send citizens to the site that failed',
    });
  const secretNames = new Set(Object.keys(config.secrets));
  for (const site of SITES) {
    for (const [name, target] of Object.entries(config.sites[site].secrets))
      if (!secretNames.has(target))
        ctx.addIssue({
          code: 'custom',
          path: ['sites', site, 'secrets', name],
          message: `names secret "${target}", which is not declared under secrets`,
        });
  }
  config.probes.forEach((probe, index) => {
    const text = JSON.stringify(probe);
    for (const name of referencedSecrets(JSON.stringify(probe.steps))) {
      const undeclared = probe.sites.filter((site) => !secretNames.has(siteSecretName(config, site, name)));
      if (undeclared.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes', index, 'steps'],
          message: `uses secret "${name}", which is not declared under secrets`,
        });
      }
    }
    for (const name of referencedSiteVars(text)) {
      const without = probe.sites.filter((site) => !Object.hasOwn(config.sites[site].vars, name));
      if (without.length)
        ctx.addIssue({
          code: 'custom',
          path: ['probes', index],
          message: `uses siteVars.${name}, which sites.${without.join(' and sites.')} do not define under vars`,
        });
    }
  });
};

/** The same URL, whatever the case of the host and a trailing slash. */
const sameUrl = (a: string, b: string): boolean => {
  const normal = (url: string) => {
    // A URL the stage rule refuses is reported there; here it is compared as written.
    if (!URL.canParse(url)) return url;
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
  };
  return normal(a) === normal(b);
};

/** The name in `secrets` that `secret.NAME` means on a site (its `secrets` alias, or NAME itself). */
export const siteSecretName = (
  config: { readonly sites: Record<Site, { readonly secrets: Record<string, string> }> },
  site: Site,
  name: string,
): string => (Object.hasOwn(config.sites[site].secrets, name) ? (config.sites[site].secrets[name] as string) : name);

const referencedSiteVars = (templateText: string): string[] => [
  ...new Set([...templateText.matchAll(/\bsiteVars\.([a-zA-Z_][a-zA-Z0-9_]*)/g)].map((match) => match[1] as string)),
];

/** Names of secrets a template text refers to as `secret.NAME`. */
export const referencedSecrets = (templateText: string): string[] => [
  ...new Set([...templateText.matchAll(/\bsecret\.([a-zA-Z][a-zA-Z0-9_]*)/g)].map((match) => match[1] as string)),
];
