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
import { systemClock } from '../../lambdas/adapters/clock.ts';
import type { DeliveredAlert } from '../../lambdas/core/drill/model.ts';
import type {
  AlertAudit,
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

  constructor(private readonly clock: Clock = systemClock) {}

  /** When each published alert was accepted, by message id. */
  readonly acceptedAt = new Map<string, string>();

  async publish(alert: OutboxAlert, signal?: AbortSignal): Promise<{ readonly messageId: string }> {
    signal?.throwIfAborted();
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.published.push(alert);
    const messageId = `msg-${this.published.length}`;
    this.acceptedAt.set(messageId, this.clock.now().toISOString());
    return { messageId };
  }
}

/** The audit subscription of a RecordingNotifier: every alert it accepted, read back once. */
export class MemoryAlertAudit implements AlertAudit {
  private read = 0;

  constructor(private readonly notifier: RecordingNotifier) {}

  async receive(): Promise<DeliveredAlert[]> {
    const fresh = this.notifier.published.slice(this.read);
    const first = this.read;
    this.read = this.notifier.published.length;
    return fresh.map((alert, index) => {
      const { document, subject } = alert.message;
      const at = this.notifier.acceptedAt.get(`msg-${first + index + 1}`) ?? document.at;
      return {
        alertId: document.alertId,
        kind: document.kind,
        severity: document.severity,
        topic: alert.topic,
        ...(document.incident ? { incidentId: document.incident.id } : {}),
        ...(document.drillId ? { drillId: document.drillId } : {}),
        drill: document.drill,
        publishedAt: at,
        deliveredAt: at,
        subject,
      };
    });
  }

  async check(): Promise<string> {
    const waiting = this.notifier.published.length - this.read;
    return `audit queue in-memory is readable (${waiting} message(s) waiting)`;
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
