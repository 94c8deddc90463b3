// Probe engine overhead: one round over N loopback endpoints with the real engine (templates,
// assertions, byte-capped reads, results), against a bare `fetch` loop making the same requests
// at the same concurrency. Target: ratio ≤ 1.2. It prints figures; it never fails on time.
//
//   npx tsx bench/probe-engine.ts 200 [concurrency]
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import configInput from '../hcguard.config.ts';
import { createMemorySequenceSource } from '../lambdas/adapters/local/memory-sequence-source.ts';
import { createProbeRunner, mapConcurrent } from '../lambdas/app/probe-runner.ts';
import { parseConfig } from '../lambdas/core/config.ts';
import { SITES, STAGES, type Site, type Stage } from '../lambdas/core/model/vocabulary.ts';
import type { ProbeDefinitionInput } from '../lambdas/core/probe/schema.ts';

export interface ProbeEngineBenchOptions {
  readonly endpoints: number;
  /** Requests in flight at once, for both loops. Default 16 (the config's default). */
  readonly concurrency?: number;
  /** Timed rounds of each loop, alternating; the fastest of each counts. Default 7. */
  readonly rounds?: number;
}

export interface ProbeEngineBenchResult {
  /** Best time of one engine round over all endpoints (the round least disturbed by other load). */
  readonly engineMs: number;
  /** Best time of one bare fetch loop over the same endpoints. */
  readonly fetchMs: number;
  readonly ratio: number;
  /**
   * CPU time (user + system, this process: client and loopback servers) of the same best rounds;
   * steadier than wall time on a busy machine.
   */
  readonly engineCpuMs: number;
  readonly fetchCpuMs: number;
  readonly cpuRatio: number;
  /** Peak resident memory of this process so far. */
  readonly peakRssMb: number;
}

const BODY = JSON.stringify({ ok: true, verdict: 'green', padding: 'x'.repeat(160) });

/** One server per (site, stage), each on its own loopback address, like separate platform hosts. */
const startEndpoints = async (): Promise<{
  baseUrls: Record<Site, Record<Stage, string>>;
  stop: () => Promise<void>;
}> => {
  const servers: Server[] = [];
  const baseUrls = {} as Record<Site, Record<Stage, string>>;
  let host = 1;
  for (const site of SITES) {
    baseUrls[site] = {} as Record<Stage, string>;
    for (const stage of STAGES) {
      const server = createServer((request, response) => {
        if (!request.url?.startsWith(`/${stage}/e/`)) return void response.writeHead(404).end();
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
        response.end(BODY);
      });
      const address = `127.0.0.${host++}`;
      await new Promise<void>((resolve) => server.listen(0, address, resolve));
      servers.push(server);
      baseUrls[site][stage] = `http://${address}:${(server.address() as AddressInfo).port}/${stage}`;
    }
  }
  const stop = async () => {
    await Promise.all(
      servers.map((server) => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      }),
    );
  };
  return { baseUrls, stop };
};

export const benchProbeEngine = async (options: ProbeEngineBenchOptions): Promise<ProbeEngineBenchResult> => {
  const concurrency = options.concurrency ?? 16;
  const rounds = options.rounds ?? 7;
  if (!Number.isInteger(options.endpoints) || options.endpoints < 3)
    throw new Error('endpoints must be an integer of at least 3 (one per stage)');
  const { baseUrls, stop } = await startEndpoints();
  try {
    // Endpoint i belongs to one site and stage, as a probe does; the engine and the loop hit the same URLs.
    const endpoints = Array.from({ length: options.endpoints }, (_, index) => {
      const stage = STAGES[index % STAGES.length] as Stage;
      const site = SITES[Math.floor(index / STAGES.length) % SITES.length] as Site;
      return { index, site, stage, url: `${baseUrls[site][stage]}/e/${index}` };
    });
    const probes: ProbeDefinitionInput[] = endpoints.map(({ index, site, stage }) => ({
      id: `endpoint-${index}`,
      stage,
      sites: [site],
      steps: [
        {
          name: 'get',
          path: `/e/${index}`,
          timeoutMs: 5_000,
          expect: { status: [200], json: [{ path: '$.ok', equals: true }] },
        },
      ],
    }));
    const config = parseConfig({
      ...configInput,
      sites: { primary: { stages: baseUrls.primary }, backup: { stages: baseUrls.backup } },
      probes,
      secrets: {},
      schedule: { intervalSeconds: 3_600, concurrency },
    });
    const runner = createProbeRunner({
      config,
      secrets: { get: async (name) => Promise.reject(new Error(`no secret ${name}`)) },
      sequences: createMemorySequenceSource(),
    });

    interface Timing {
      readonly wallMs: number;
      readonly cpuMs: number;
    }
    const timed = async (work: () => Promise<void>): Promise<Timing> => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await work();
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return { wallMs, cpuMs: (used.user + used.system) / 1000 };
    };
    const engineRound = () =>
      timed(async () => {
        const results = await runner.probeAll({});
        const bad = results.filter((result) => result.outcome !== 'ok');
        if (results.length !== endpoints.length || bad.length)
          throw new Error(
            `engine round not clean: ${bad.length} of ${results.length} not ok (${bad[0]?.message ?? ''})`,
          );
      });
    const fetchRound = () =>
      timed(async () => {
        const oks = await mapConcurrent(endpoints, concurrency, async ({ url }) => {
          const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
          const body = (await response.json()) as { ok?: boolean };
          return response.status === 200 && body.ok === true;
        });
        if (oks.some((ok) => !ok)) throw new Error('fetch round not clean');
      });

    // Warm both paths (JIT, connection pools), then alternate so drift hits both alike.
    await engineRound();
    await fetchRound();
    const engineTimes: Timing[] = [];
    const fetchTimes: Timing[] = [];
    for (let round = 0; round < rounds; round++) {
      engineTimes.push(await engineRound());
      fetchTimes.push(await fetchRound());
    }
    // Other processes only ever add time: the fastest round is the closest to each loop's own cost.
    const best = (timings: readonly Timing[], key: keyof Timing) => Math.min(...timings.map((timing) => timing[key]));
    const engineMs = best(engineTimes, 'wallMs');
    const fetchMs = best(fetchTimes, 'wallMs');
    const engineCpuMs = best(engineTimes, 'cpuMs');
    const fetchCpuMs = best(fetchTimes, 'cpuMs');
    return {
      engineMs,
      fetchMs,
      ratio: engineMs / fetchMs,
      engineCpuMs,
      fetchCpuMs,
      cpuRatio: engineCpuMs / fetchCpuMs,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await stop();
  }
};

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const endpoints = Number(process.argv[2] ?? 200);
  const concurrency = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const result = await benchProbeEngine({ endpoints, ...(concurrency === undefined ? {} : { concurrency }) });
  process.stdout.write(
    [
      `probe engine, one round over ${endpoints} loopback endpoints at concurrency ` +
        `${concurrency ?? 16} (best of 7 rounds each)`,
      `  engine      ${result.engineMs.toFixed(1)} ms`,
      `  bare fetch  ${result.fetchMs.toFixed(1)} ms`,
      `  ratio       ${result.ratio.toFixed(2)} (target ≤ 1.2)`,
      `  CPU time    engine ${result.engineCpuMs.toFixed(1)} ms, bare fetch ` +
        `${result.fetchCpuMs.toFixed(1)} ms, ratio ${result.cpuRatio.toFixed(2)} (client ` +
        `and servers, this process)`,
      `  peak RSS    ${result.peakRssMb.toFixed(0)} MB`,
      '',
    ].join('\n'),
  );
}
