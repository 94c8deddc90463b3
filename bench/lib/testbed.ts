// One isolated hcguard for a benchmark: its own sandbox platform (both sites on OS-assigned
// loopback ports), its own uniquely named table, topics, audit queue, hosted zone and record on
// a shared emulator, provisioned from the config by the local runtime's provisioner, and the
// services the probe Lambda composes. Several testbeds run side by side in one process.
import { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import configInput from '../../hcguard.config.ts';
import { createAwsClients, type AwsClients } from '../../lambdas/app/aws-clients.ts';
import { composeServices, type Services } from '../../lambdas/app/compose.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfig, HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { TRANSMISSION_KEY_ENV } from '../../lambdas/core/probe/builtin.ts';
import { provisionLocalResources } from '../../local/provision.ts';
import { resolveManagedRecords } from '../../lambdas/app/records.ts';
import { startSandbox, type Sandbox } from '../../local/sandbox/index.ts';
import type { Clock } from '../../lambdas/ports.ts';
import type { ManagedRecord } from '../../lambdas/core/model/routing.ts';
import type { DeployedResources } from '../../lambdas/contract/resources.ts';
import { gateMotoTransactions } from './moto-write-gate.ts';

/** Every sandbox of a bench run shares this HMAC key, so the one env-based secret fits them all. */
export const BENCH_TRANSMISSION_KEY = 'hcguard-bench-transmission-key';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' } as const;

export interface TestbedOptions {
  /** The emulator's URL (moto). */
  readonly endpoint: string;
  /** A short prefix for the resources' names. */
  readonly label: string;
  readonly intervalSeconds: number;
  readonly failureThreshold?: number;
  readonly ttlSeconds?: number;
  /** Further changes to the config input (probes, citizens, …). */
  readonly change?: (input: HcguardConfigInput) => HcguardConfigInput;
  readonly clock?: Clock;
}

export interface Testbed {
  readonly config: HcguardConfig;
  readonly sandbox: Sandbox;
  readonly resources: DeployedResources;
  readonly clients: AwsClients;
  readonly sqs: SQSClient;
  readonly records: readonly ManagedRecord[];
  readonly services: Services;
  stop(): Promise<void>;
}

/** Clients for one testbed, on the emulator; see moto-write-gate.ts for why writes are ordered. */
export const benchClients = (endpoint: string): { clients: AwsClients; sqs: SQSClient } => {
  const clients = createAwsClients({ region: REGION, endpoint, credentials: CREDENTIALS });
  gateMotoTransactions(clients.dynamodb);
  return { clients, sqs: new SQSClient({ region: REGION, endpoint, credentials: CREDENTIALS, maxAttempts: 3 }) };
};

/** The config of one testbed: the repo's sandbox config on this sandbox's ports, with its own names. */
export const testbedConfig = (options: TestbedOptions, sandbox: Pick<Sandbox, 'sites'>): HcguardConfig => {
  const name = `${options.label}-${randomUUID().slice(0, 8)}`;
  const zone = `${name}.hc.internal`;
  const [record] = configInput.records;
  const input: HcguardConfigInput = {
    ...configInput,
    name,
    sites: {
      primary: { ...configInput.sites.primary, stages: { ...sandbox.sites.primary.stages } },
      backup: { ...configInput.sites.backup, stages: { ...sandbox.sites.backup.stages } },
    },
    records: [
      {
        ...record,
        zone: { name: zone },
        name: `verify.${zone}`,
        type: 'A',
        ttl: options.ttlSeconds ?? record?.ttl ?? 5,
        stage: 'verification',
        values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
      },
    ],
    schedule: { ...configInput.schedule, intervalSeconds: options.intervalSeconds },
    detection: {
      ...configInput.detection,
      ...(options.failureThreshold ? { failureThreshold: options.failureThreshold } : {}),
    },
    local: { ...configInput.local, citizens: { ...configInput.local?.citizens, record: `verify.${zone}` } },
  };
  return parseConfig(options.change ? options.change(input) : input, `for bench testbed ${name}`);
};

export const startTestbed = async (options: TestbedOptions): Promise<Testbed> => {
  process.env[TRANSMISSION_KEY_ENV] = BENCH_TRANSMISSION_KEY;
  const sandbox = await startSandbox({
    transmissionKey: BENCH_TRANSMISSION_KEY,
    sites: { primary: { host: '127.0.0.1', port: 0 }, backup: { host: '127.0.0.2', port: 0 } },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { clients, sqs } = benchClients(options.endpoint);
  const stop = async () => {
    await sandbox.stop();
    for (const client of [clients.dynamodb, clients.sns, clients.route53, sqs]) client.destroy();
  };
  try {
    const config = testbedConfig(options, sandbox);
    const { resources } = await provisionLocalResources({
      config,
      clients: { ...clients, sqs },
      signal: AbortSignal.timeout(60_000),
    });
    const services = composeServices({
      config,
      resources,
      clients,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return {
      config,
      sandbox,
      resources,
      clients,
      sqs,
      records: resolveManagedRecords(config, resources),
      services,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
