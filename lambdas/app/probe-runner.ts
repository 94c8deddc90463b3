// The ProbeRunner: one round = every configured probe against every requested site, at most
// `config.schedule.concurrency` at once, all under the caller's AbortSignal. Results come back
// in config order (probe, then site), whatever order they finished in.
import { errorText } from '../core/errors.ts';
import { referencedSecrets, siteSecretName } from '../core/config/cross-rules.ts';
import { stageBaseUrl } from '../core/config.ts';
import type { HcguardConfig } from '../core/config/schema.ts';
import { SITES, type Site } from '../core/model/vocabulary.ts';
import type { ProbeResult } from '../core/model/probing.ts';
import { proberFailure } from '../core/probe/engine.ts';
import type { HttpTransport } from '../core/probe/http.ts';
import { createRedactor } from '../core/probe/redact.ts';
import type { ProbeDefinition } from '../core/probe/schema.ts';
import type { TemplateRuntime } from '../core/probe/template.ts';
import { createHttpTransport } from '../adapters/http/http-transport.ts';
import { systemClock } from '../adapters/clock.ts';
import type { Clock, ProbeRunner, RoundRequest, SecretSource, SequenceSource } from '../ports.ts';
import { runProbe, systemTemplateRuntime, type ProbeEngineDeps } from './probe-engine.ts';

export interface ProbeRunnerDeps {
  readonly config: HcguardConfig;
  readonly secrets: SecretSource;
  readonly sequences: SequenceSource;
  readonly clock?: Clock;
  /** The fetch the HTTP transport uses; the global one by default. */
  readonly fetch?: typeof fetch;
  /** Sees each step as it is judged (`hcguard probe test`). */
  readonly observe?: ProbeEngineDeps['observe'];
  /** Replaces the HTTP transport altogether (tests, benchmarks). */
  readonly transport?: HttpTransport;
  /** uuid(), nonce() and now() for templates; real randomness and the clock by default. */
  readonly runtime?: TemplateRuntime;
}

const secretsByProbe = new WeakMap<ProbeDefinition, readonly string[]>();

/** Secret names a probe's steps use (`secret.NAME`); worked out once per definition. */
export const probeSecrets = (probe: ProbeDefinition): readonly string[] => {
  let names = secretsByProbe.get(probe);
  if (!names) {
    names = referencedSecrets(JSON.stringify(probe.steps));
    secretsByProbe.set(probe, names);
  }
  return names;
};

/** Runs `work` over `items` with at most `limit` in flight; results keep the items' order. */
export const mapConcurrent = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    for (const [index, item] of queue) results[index] = await work(item);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
};

type SecretLookup = { readonly value: string } | { readonly error: string };

interface PlannedTask {
  readonly probe: ProbeDefinition;
  readonly site: Site;
  readonly baseUrl: string;
  readonly siteVars: Readonly<Record<string, unknown>>;
  /** The names the probe uses, each with the name it has in `secrets` on this site. */
  readonly secretNames: readonly (readonly [used: string, stored: string])[];
}

interface RoundPlan {
  readonly tasks: readonly PlannedTask[];
  /** Every secret the tasks use, each once. */
  readonly secretNames: readonly string[];
}

export const createProbeRunner = (deps: ProbeRunnerDeps): ProbeRunner => {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const transport = deps.transport ?? createHttpTransport(deps.fetch ? { fetch: deps.fetch } : {});
  const engine: ProbeEngineDeps = {
    transport,
    sequences: deps.sequences,
    clock,
    runtime: deps.runtime ?? systemTemplateRuntime(clock),
    ...(deps.observe ? { observe: deps.observe } : {}),
  };

  const lookUpSecrets = async (names: readonly string[], signal?: AbortSignal): Promise<Map<string, SecretLookup>> => {
    const entries = await Promise.all(
      names.map(async (name): Promise<[string, SecretLookup]> => {
        try {
          return [name, { value: await deps.secrets.get(name, signal) }];
        } catch (error) {
          return [name, { error: errorText(error) }];
        }
      }),
    );
    return new Map(entries);
  };

  // Which probes run where, their base URLs and secret names depend only on the config and the
  // sites asked for, so each set of sites is planned once, not on every round.
  const plans = new Map<string, RoundPlan>();
  const planFor = (sites: readonly Site[]): RoundPlan => {
    const wanted = SITES.filter((site) => sites.includes(site));
    const key = wanted.join(',');
    let plan = plans.get(key);
    if (!plan) {
      const tasks = config.probes.flatMap((probe) =>
        wanted
          .filter((site) => probe.sites.includes(site))
          .map((site) => ({
            probe,
            site,
            baseUrl: stageBaseUrl(config, site, probe.stage),
            siteVars: config.sites[site].vars,
            secretNames: probeSecrets(probe).map((name) => [name, siteSecretName(config, site, name)] as const),
          })),
      );
      plan = {
        tasks,
        secretNames: [...new Set(tasks.flatMap((task) => task.secretNames.map(([, stored]) => stored)))],
      };
      plans.set(key, plan);
    }
    return plan;
  };

  const probeAll = async (request: RoundRequest): Promise<ProbeResult[]> => {
    const plan = planFor(request.sites ?? SITES);
    const secrets = await lookUpSecrets(plan.secretNames, request.signal);

    return mapConcurrent(
      plan.tasks,
      config.schedule.concurrency,
      async ({ probe, site, baseUrl, siteVars, secretNames }) => {
        const values: Record<string, string> = {};
        for (const [used, name] of secretNames) {
          const lookup = secrets.get(name);
          if (!lookup || 'error' in lookup) {
            const why = lookup && 'error' in lookup ? lookup.error : 'not looked up';
            return proberFailure({
              probe,
              site,
              startedAt: clock.now().toISOString(),
              durationMs: 0,
              message: `secret "${name}" is unavailable: ${why}`,
              ...(request.drillId ? { drillId: request.drillId } : {}),
            });
          }
          values[used] = lookup.value;
        }
        try {
          return await runProbe(
            {
              probe,
              site,
              baseUrl,
              siteVars,
              secrets: values,
              ...(request.signal ? { signal: request.signal } : {}),
              ...(request.drillId ? { drillId: request.drillId } : {}),
            },
            engine,
          );
        } catch (error) {
          // A bug in the prober must not cost the other probes their round; the result says what broke.
          return proberFailure({
            probe,
            site,
            startedAt: clock.now().toISOString(),
            durationMs: 0,
            message: createRedactor(Object.values(values)).text(`unexpected error: ${errorText(error)}`),
            ...(request.drillId ? { drillId: request.drillId } : {}),
          });
        }
      },
    );
  };

  return { probeAll };
};
