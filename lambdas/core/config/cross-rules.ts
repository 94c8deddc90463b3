// Rules that span sections, checked after each section parsed on its own.
import { BUILTIN_SCENARIOS } from './sections.ts';
import { normalizeRecordName } from '../model/routing.ts';
import { SITES, STAGES } from '../model/vocabulary.ts';
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
  const secretNames = new Set(Object.keys(config.secrets));
  config.probes.forEach((probe, index) => {
    for (const name of referencedSecrets(JSON.stringify(probe.steps))) {
      if (!secretNames.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['probes', index, 'steps'],
          message: `uses secret "${name}", which is not declared under secrets`,
        });
      }
    }
  });
};

/** Names of secrets a template text refers to as `secret.NAME`. */
export const referencedSecrets = (templateText: string): string[] => [
  ...new Set([...templateText.matchAll(/\bsecret\.([a-zA-Z][a-zA-Z0-9_]*)/g)].map((match) => match[1] as string)),
];
