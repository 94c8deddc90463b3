// The whole guard on one machine (`npm start`): moto as the local AWS (or the emulator named by
// AWS_ENDPOINT_URL), the stack's resources provisioned from the config, the sandbox platform,
// the real probe Lambda handler invoked on a schedule, simulated citizens and the operator
// dashboard. stop() ends everything start() began, in reverse order, whatever failed.
import { errorText } from '../../lambdas/core/errors.ts';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClients } from '../../lambdas/app/aws-clients.ts';
import { composeServices } from '../../lambdas/app/compose.ts';
import { resolveManagedRecords } from '../../lambdas/app/records.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { SITES, type Site } from '../../lambdas/core/model/vocabulary.ts';
import { systemClock } from '../../lambdas/adapters/clock.ts';
import type { Clock, FaultInjector } from '../../lambdas/ports.ts';
import type { DeployedResources } from '../../lambdas/contract/resources.ts';
import { CitizenSimulator, citizensRecord } from '../citizens.ts';
import { startDashboardServer, type DashboardServer } from '../dashboard/server.ts';
import type { DashboardState } from '../dashboard/state.ts';
import { startMotoServer, type MotoServer } from '../moto.ts';
import { provisionLocalResources, type ProvisionReport } from '../provision.ts';
import { SANDBOX_DEV_TRANSMISSION_KEY, SandboxConfigError, startSandbox, type Sandbox } from '../sandbox/index.ts';
import { createHookFaultInjector } from '../../lambdas/adapters/http/fault-injectors.ts';
import { choosePlatform } from './platform.ts';
import { createRuntimeBackend } from './backend.ts';
import { createLocalDrills } from './drills.ts';
import { createStatusConsole, describeEndpoints } from './console.ts';
import { isAddressInUse, LocalSetupError, PortInUseError } from './errors.ts';
import { exportLambdaEnvironment } from './lambda-invoke.ts';
import { createProbeInvocations } from './probe-invocations.ts';
import { RoundScheduler } from './scheduler.ts';
import { restoreTableSnapshot, saveTableSnapshot } from '../snapshot.ts';

export const LOCAL_REGION = 'us-east-1';
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalRuntimeOptions {
  readonly config: HcguardConfig;
  /** An emulator that already runs (AWS_ENDPOINT_URL): used instead of starting moto. */
  readonly endpointUrl?: string;
  readonly region?: string;
  /** Overrides config.local.dashboardPort / motoPort (flags of `hcguard up`). */
  readonly dashboardPort?: number;
  readonly motoPort?: number;
  /** The runtime file's path, as printed; the probe Lambda's log goes next to it. */
  readonly runtimeFile: string;
  readonly write: (text: string) => void;
  /** A terminal gets the table redrawn in place, anything else one line per change. */
  readonly isTTY: boolean;
  readonly clock?: Clock;
  /** true: start the sandbox (--sandbox); false: guard the config's sites as they are; absent: decide. */
  readonly sandbox?: boolean;
  /** Start with an empty table instead of the one the last stop saved (--fresh). */
  readonly fresh?: boolean;
  /** Called once everything runs, before the first round: writes the runtime file. */
  readonly onReady?: (info: RuntimeInfo) => void;
}

export interface RuntimeInfo {
  readonly endpoint: string;
  readonly region: string;
  readonly resources: DeployedResources;
  readonly motoPid?: number;
  /** Absent when the runtime guards the config's own platform instead of a sandbox. */
  readonly sandboxUrl?: string;
  readonly sandboxSites?: Readonly<Record<Site, string>>;
  /** The sandbox signs with its development key, which commands in other terminals may then use. */
  readonly sandboxDevelopmentKey?: boolean;
  readonly dashboardUrl: string;
  readonly provision: ProvisionReport;
}

export interface RunningRuntime {
  readonly info: RuntimeInfo;
  /** The state the dashboard shows, as of now. */
  state(): Promise<DashboardState>;
  stop(): Promise<void>;
}

export const startLocalRuntime = async (options: LocalRuntimeOptions): Promise<RunningRuntime> => {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const region = options.region ?? LOCAL_REGION;
  const cleanups: (() => Promise<void> | void)[] = [];
  // The SDK's Node 22 notice says nothing about running locally; it would only clutter the console.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Keep stopping the rest: one stuck part must not leave the others running.
      }
    }
    cleanups.length = 0;
  };

  try {
    let moto: MotoServer | undefined;
    let endpoint = options.endpointUrl;
    if (!endpoint) {
      const motoPort = options.motoPort ?? config.local.motoPort;
      if (motoPort !== 0)
        await assertPortFree(
          'moto_server (the local AWS)',
          '127.0.0.1',
          motoPort,
          'Set local.motoPort in the config or pass --moto-port (0 picks a free port).',
        );
      moto = await startMotoServer(motoPort !== 0 ? { port: motoPort } : {});
      cleanups.push(() => moto?.stop());
      endpoint = moto.endpoint;
    }

    const clients = createAwsClients({ region, endpoint, credentials: EMULATOR_CREDENTIALS });
    const sqs = new SQSClient({ region, endpoint, credentials: EMULATOR_CREDENTIALS, maxAttempts: 3 });
    cleanups.push(() => {
      for (const client of [clients.dynamodb, clients.sns, clients.route53, sqs]) client.destroy();
    });
    const provision = await provisionLocalResources({
      config,
      clients: { ...clients, sqs },
      signal: AbortSignal.timeout(60_000),
    });
    const { resources } = provision;
    let sandbox: Sandbox | undefined;
    const platform = await choosePlatform(config, options.sandbox);
    if (platform.sandbox) {
      try {
        sandbox = await startSandbox({ sites: platform.addresses, clock });
      } catch (error) {
        if (error instanceof SandboxConfigError) {
          throw new LocalSetupError(
            `the sandbox platform cannot start: ${error.message}. The sites' URLs in the config choose its ` +
              'addresses; pass --no-sandbox to guard the platform already at those URLs.',
          );
        }
        throw error;
      }
      cleanups.push(() => sandbox?.stop());
    }
    const sandboxSites = sandbox
      ? (Object.fromEntries(SITES.map((site) => [site, sandbox.sites[site].url])) as Record<Site, string>)
      : undefined;
    const platformNote = platform.sandbox ? undefined : platform.reason;
    // moto keeps its data in memory: the table the last stop saved comes back, and this stop saves
    // it again (only when this runtime owns moto; an emulator that runs on its own keeps its data).
    const snapshotFile = join(dirname(options.runtimeFile), 'state-snapshot.json');
    const restored =
      moto && !options.fresh
        ? await restoreTableSnapshot(clients.dynamodb, resources.tableName, snapshotFile, {
            // A new sandbox streams its records from the start again: its old positions would read as a reset.
            skip: sandbox ? ['SEQ'] : [],
          })
        : undefined;
    if (moto) {
      // Every half minute, and once more on the way out: a terminal's Ctrl-C reaches moto too, so the
      // last save may find it gone, and then the one before stands.
      let saving: Promise<unknown> = Promise.resolve();
      const save = (): Promise<number> => {
        const next = saving
          .catch(() => undefined)
          .then(() => saveTableSnapshot(clients.dynamodb, resources.tableName, snapshotFile, clock.now()));
        saving = next;
        return next;
      };
      const saver = setInterval(() => void save().catch(() => undefined), 30_000);
      saver.unref();
      cleanups.push(async () => {
        clearInterval(saver);
        try {
          const saved = await save();
          options.write(
            `saved the local table (${String(saved)} items) to ${snapshotFile}; the next start restores it\n`,
          );
        } catch {
          options.write(`kept the local table saved last in ${snapshotFile} (the local AWS stopped first)\n`);
        }
      });
    }

    exportLambdaEnvironment({ config, resources, endpoint, region });
    // The probe's transmission HMAC key is the platform's: the sandbox's own unless one is set.
    if (sandbox) process.env.HCGUARD_TRANSMISSION_KEY ??= sandbox.transmissionKey;

    const records = resolveManagedRecords(config, resources);
    const citizenRecord = citizensRecord(config, records);
    // Simulated citizens speak the sandbox's verification API: another platform gets none.
    const citizens =
      sandbox && citizenRecord && config.local.citizens.requestsPerSecond > 0
        ? new CitizenSimulator({ config, record: citizenRecord, route53: clients.route53, clock })
        : undefined;

    const partialInfo = {
      endpoint,
      region,
      resources,
      ...(sandboxSites ? { sandboxUrl: sandboxSites.primary, sandboxSites } : {}),
      ...(sandbox?.transmissionKey === SANDBOX_DEV_TRANSMISSION_KEY ? { sandboxDevelopmentKey: true } : {}),
      provision,
      ...(moto ? { motoPid: moto.pid } : {}),
    };

    const console = createStatusConsole(options.write, options.isTTY, () => process.stdout.columns);
    // The probe Lambda, the dashboard and the CLI act through the same services.
    const services = composeServices({ config, resources, clients, clock });
    const stopping = new AbortController();
    const probeLog = join(dirname(options.runtimeFile), 'probe.log');
    const probes = createProbeInvocations({
      config,
      runRound: services.runRound,
      clock,
      stopping: stopping.signal,
      logFile: probeLog,
      onRound: () => void update(),
      onWarning: (message) => console.note(`probe Lambda: ${message}`),
    });
    const drills = createLocalDrills({
      services,
      sqs,
      ...(sandboxSites ? { sandboxUrl: sandboxSites.primary } : {}),
      ...(citizens ? { citizens } : {}),
      stopping: stopping.signal,
      note: (text) => console.note(text),
    });
    const scheduler = new RoundScheduler({
      intervalMs: probes.periodMs,
      roundBudgetMs: probes.timeoutMs,
      runRound: () => probes.invoke(),
      onRound: (report) => {
        if (report.error) console.note(`probe Lambda invocation failed: ${report.error.message}`);
      },
    });
    const backend = createRuntimeBackend({
      config,
      stateStore: services.store,
      routing: services.routing,
      faults: sandbox?.faults ?? platformFaults(config),
      sandboxOrigins: sandboxSites ?? siteOrigins(config),
      awsEndpoint: endpoint,
      clock,
      rounds: () => ({ ...probes.stats }),
      ...(citizens ? { citizens } : {}),
      drills,
    });
    const dashboard: DashboardServer = await startDashboardServer({
      backend,
      port: options.dashboardPort ?? config.local.dashboardPort,
    });
    cleanups.push(() => dashboard.close());

    const info: RuntimeInfo = { ...partialInfo, dashboardUrl: dashboard.url };
    options.write(
      describeEndpoints({
        dashboardUrl: dashboard.url,
        awsEndpoint: endpoint,
        awsOrigin: moto ? `moto_server pid ${moto.pid}, started by hcguard up` : 'from AWS_ENDPOINT_URL',
        platform: sandboxSites
          ? { sandbox: sandboxSites }
          : {
              sites: siteOrigins(config),
              reason: platformNote ?? '',
              faultHook: config.drills.faultHookUrl ? new URL(config.drills.faultHookUrl).origin : undefined,
            },
        runtimeFile: options.runtimeFile,
        probeLog,
        tableName: resources.tableName,
      }),
    );
    for (const line of provision.skipped) options.write(`  note: ${line}\n`);
    if (restored) {
      options.write(
        `  restored        ${restored.items} items saved ${restored.savedAt} (drills, incidents, history, audit; ` +
          `routing and target states start afresh); --fresh starts empty\n`,
      );
    }
    options.onReady?.(info);

    let updating: Promise<void> | undefined;
    // Once stopping, what could be read is the stop itself (Ctrl-C reaches moto too), not news.
    const update = (): Promise<void> | undefined =>
      stopping.signal.aborted
        ? undefined
        : (updating ??= (async () => {
            try {
              const state = await backend.state(AbortSignal.timeout(10_000));
              if (stopping.signal.aborted) return;
              console.show(state);
              dashboard.publish(state);
            } catch (error) {
              if (!stopping.signal.aborted) console.note(`status unavailable: ${errorText(error)}`);
            } finally {
              updating = undefined;
            }
          })());

    citizens?.start();
    cleanups.push(() => citizens?.stop());
    scheduler.start();
    cleanups.push(() => scheduler.stop());
    // A drill started from the dashboard pauses, recorded, before the sandbox and moto go.
    cleanups.push(() =>
      Promise.race([drills.idle(), new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]),
    );
    // Citizens and faults change between rounds; the table follows them at this pace.
    const ticker = setInterval(() => void update(), 2_000);
    cleanups.push(() => updating);
    cleanups.push(() => clearInterval(ticker));
    // Pushed last, so it runs first: ends the probe invocation's wait and round, the drills' waits
    // and the status reads at once, before anything waits on them.
    cleanups.push(() => stopping.abort());

    let stopped: Promise<void> | undefined;
    return { info, state: () => backend.state(), stop: () => (stopped ??= stopAll()) };
  } catch (error) {
    await stopAll();
    throw error;
  }
};

/** Each site's origin as the config gives it (the verification stage's), for the dashboard. */
const siteOrigins = (config: HcguardConfig): Record<Site, string> =>
  Object.fromEntries(SITES.map((site) => [site, new URL(config.sites[site].stages.verification).origin])) as Record<
    Site,
    string
  >;

/** Faults on a platform that is not the sandbox go through its fault hook, or nowhere, saying so. */
const platformFaults = (config: HcguardConfig): FaultInjector => {
  if (config.drills.faultHookUrl) return createHookFaultInjector(config.drills.faultHookUrl);
  const refuse = async (): Promise<never> => {
    throw new LocalSetupError(
      'this runtime guards the configured platform, not the sandbox, and the config names no fault hook: ' +
        "set drills.faultHookUrl to the platform's fault hook to inject faults (see docs/drills.md)",
    );
  };
  return { inject: refuse, clear: refuse, list: async () => [] };
};

/** moto reports a taken port only in its log; check first so the user is told which port. */
const assertPortFree = async (what: string, host: string, port: number, hint: string): Promise<void> => {
  const probe = createServer();
  probe.listen(port, host);
  try {
    await Promise.race([once(probe, 'listening'), once(probe, 'error').then(([error]) => Promise.reject(error))]);
  } catch (error) {
    if (isAddressInUse(error)) throw new PortInUseError(what, host, port, hint);
    throw error;
  }
  probe.close();
  await once(probe, 'close');
};
