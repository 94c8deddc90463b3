// Stand-ins for the ports a round uses besides the store: a scripted prober, a failover
// controller that reports what the test tells it, and a notifier that records (or refuses).
import {
  SITES,
  STAGES,
  targetKey,
  type FailureClass,
  type Outcome,
  type Site,
  type Stage,
} from '../../lambdas/core/model/vocabulary.ts';
import type { ProbeResult } from '../../lambdas/core/model/probing.ts';
import type { RoundSummary } from '../../lambdas/app/round/types.ts';
import type {
  Clock,
  FailoverController,
  Notifier,
  ProbeRunner,
  ReconcileInput,
  RoundRequest,
} from '../../lambdas/ports.ts';
import type { FailoverOutcome } from '../../lambdas/core/model/routing.ts';
import type { OutboxAlert } from '../../lambdas/core/model/incidents.ts';

export interface ScriptedOutcome {
  readonly outcome: Outcome;
  readonly failureClass?: FailureClass;
  readonly message?: string;
  readonly proberError?: true;
}

/** Answers every (site, stage) ok unless told otherwise with `set`. */
export class ScriptedProbes implements ProbeRunner {
  private readonly script = new Map<string, ScriptedOutcome>();
  readonly requests: RoundRequest[] = [];
  failWith: Error | undefined;

  constructor(private readonly clock: Clock) {}

  set(site: Site, stage: Stage, outcome: ScriptedOutcome | 'ok'): this {
    this.script.set(targetKey(site, stage), outcome === 'ok' ? { outcome: 'ok' } : outcome);
    return this;
  }

  async probeAll(request: RoundRequest): Promise<ProbeResult[]> {
    this.requests.push(request);
    request.signal?.throwIfAborted();
    if (this.failWith) throw this.failWith;
    const startedAt = this.clock.now().toISOString();
    return SITES.filter((site) => !request.sites || request.sites.includes(site)).flatMap((site) =>
      STAGES.map((stage): ProbeResult => {
        const scripted = this.script.get(targetKey(site, stage)) ?? { outcome: 'ok' };
        return {
          probeId: `${stage}-check`,
          site,
          stage,
          startedAt,
          durationMs: 25,
          outcome: scripted.outcome,
          ...(scripted.failureClass ? { failureClass: scripted.failureClass } : {}),
          ...(scripted.message ? { message: scripted.message } : {}),
          ...(scripted.proberError ? { proberError: true as const } : {}),
          steps: [],
          ...(request.drillId ? { drillId: request.drillId } : {}),
        };
      }),
    );
  }
}

/** Reports whatever `next` returns (routing on primary, nothing else, by default). */
export class FakeFailover implements FailoverController {
  readonly inputs: ReconcileInput[] = [];
  next: (input: ReconcileInput) => FailoverOutcome = () => ({
    routing: [
      {
        record: 'verify.hc.example.com',
        activeSite: 'primary',
        since: '2026-11-20T00:00:00.000Z',
        reason: 'initial',
        actor: 'controller',
        version: 1,
      },
    ],
    conditions: [],
    switches: [],
    failures: [],
  });

  async reconcile(input: ReconcileInput): Promise<FailoverOutcome> {
    this.inputs.push(input);
    return this.next(input);
  }
}

export class RecordingNotifier implements Notifier {
  readonly published: OutboxAlert[] = [];
  /** The next publishes throw these, in order. */
  readonly failures: Error[] = [];

  async publish(alert: OutboxAlert, signal?: AbortSignal): Promise<{ readonly messageId: string }> {
    signal?.throwIfAborted();
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.published.push(alert);
    return { messageId: `msg-${this.published.length}` };
  }
}

/** What a round that found nothing to do reports, with `overrides` on top. */
export const quietRoundSummary = (startedAt: string, overrides: Partial<RoundSummary> = {}): RoundSummary => ({
  startedAt,
  finishedAt: startedAt,
  probed: true,
  results: [],
  targets: [],
  transitions: [],
  actions: [],
  routing: [],
  conditions: [],
  switches: [],
  incidents: [],
  alerts: { sent: [], failed: [], pending: 0 },
  problems: [],
  ...overrides,
});
