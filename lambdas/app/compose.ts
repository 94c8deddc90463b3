// The composition root: every adapter and service hcguard runs, built from one set of SDK
// clients. The probe Lambda, the drill Lambda, the operator CLI and the local runtime all call
// composeServices, so they act through the same code whatever the target (AWS or moto).
// Each issue owns its section below; add to your own section with small edits.
import type { HcguardConfig } from '../core/config.ts';
import { systemClock, type Clock, type FailoverController, type ProbeRunner, type RoutingStore } from '../ports.ts';
import type { DeployedResources } from '../runtime-env.ts';
import type { AwsClients } from './aws-clients.ts';

export interface ComposeInput {
  readonly config: HcguardConfig;
  readonly resources: DeployedResources;
  readonly clients: AwsClients;
  readonly clock?: Clock;
}

export interface Services {
  readonly config: HcguardConfig;
  readonly resources: DeployedResources;
  readonly clients: AwsClients;
  readonly clock: Clock;
  // ---- probing (issue 3)
  readonly probeRunner: ProbeRunner;
  // ---- routing and failover (issue 5)
  readonly failover: FailoverController;
  readonly routing: RoutingStore;
}

/** Stands in for a service whose owner has not wired it in yet: every call fails loudly. */
const notWired = <T extends object>(what: string, issue: number): T =>
  new Proxy({} as T, {
    get: (_, method) =>
      typeof method === 'string' && method !== 'then'
        ? async () => {
            throw new Error(`hcguard: ${what} is not wired into composeServices yet (issue ${issue})`);
          }
        : undefined,
  });

export const composeServices = (input: ComposeInput): Services => {
  const { config, resources, clients } = input;
  const clock = input.clock ?? systemClock;

  // ---- probing (issue 3): replace with createProbeRunner(...) from ./probe-runner.ts
  const probeRunner = notWired<ProbeRunner>('the probe runner', 3);

  // ---- routing and failover (issue 5): replace with the controller and the DynamoDB routing store
  const failover = notWired<FailoverController>('the failover controller', 5);
  const routing = notWired<RoutingStore>('the routing store', 5);

  return { config, resources, clients, clock, probeRunner, failover, routing };
};
