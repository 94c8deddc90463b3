// Carries out one action the drill machine asked for, through the ports, and says how it went:
// faults in and out (the platform, or simulated), records written for the RPO, switches through
// the operator path (same safety checks as an operator), test alerts, the running-drill release.
import type { ActionResult, DrillAction, DrillRecord } from '../../core/drill/model.ts';
import { testAlertMessage } from '../../core/drill/test-alert.ts';
import { sentAlert } from '../../core/incidents/outbox.ts';
import type { OutboxAlert } from '../../core/model/incidents.ts';
import { errorText, NotFoundError } from '../../core/errors.ts';
import type { Actor } from '../../core/model/vocabulary.ts';
import { executeOperatorCommand } from '../operator-commands.ts';
import { alertPresentation } from '../round/incident-commits.ts';
import type { DrillServiceDeps } from './types.ts';

/** A drill acts as itself, so the audit log says which drill switched. */
const drillActor = (drill: DrillRecord): Actor => `drill:${drill.id}`;

export const execute = async (
  deps: DrillServiceDeps,
  drill: DrillRecord,
  action: DrillAction,
  signal?: AbortSignal,
): Promise<ActionResult> => {
  const { clock, drills, config } = deps;
  const startedAt = clock.now().toISOString();
  const done = (extra: Partial<Extract<ActionResult, { ok: true }>> = {}): ActionResult => ({
    ok: true,
    at: clock.now().toISOString(),
    startedAt,
    ...extra,
  });
  const failed = (error: unknown, refusal = false): ActionResult => ({
    ok: false,
    at: clock.now().toISOString(),
    startedAt,
    error: errorText(error),
    ...(refusal ? { refusal } : {}),
  });
  try {
    switch (action.kind) {
      case 'inject': {
        if (drill.injection === 'simulated') {
          await drills.setSimulatedFaults(drill.id, action.faults, signal);
          return done();
        }
        if (!deps.faults) return failed('no fault injector is available');
        // Expires on its own shortly after the time limit, should nobody clear it.
        const forMs = (drill.timeLimitMinutes + 5) * 60_000;
        for (const fault of action.faults) await deps.faults.injector.inject({ ...fault, forMs }, signal);
        return done();
      }
      case 'clear-faults': {
        if (drill.injection === 'simulated') {
          try {
            await drills.setSimulatedFaults(drill.id, [], signal);
          } catch (error) {
            // Released already: nothing is simulated any more.
            if (!(error instanceof NotFoundError)) throw error;
          }
          return done();
        }
        if (!deps.faults) return done({ detail: 'no fault injector: nothing was injected' });
        for (const fault of action.faults)
          await deps.faults.injector.clear({ site: fault.site, stage: fault.stage }, signal);
        return done();
      }
      case 'write-record': {
        if (!deps.records) return failed('no record writer');
        const written = await deps.records.write(action.site, action.recordId, signal);
        return done(written.platformId ? { platformId: written.platformId } : {});
      }
      case 'switch': {
        const result = await executeOperatorCommand(
          { command: 'failover', to: action.to, reason: action.reason, force: action.force, actor: drillActor(drill) },
          deps,
          signal,
        );
        return result.ok ? done({ detail: result.message }) : failed(result.message, true);
      }
      case 'failback': {
        const result = await executeOperatorCommand({ command: 'failback', actor: drillActor(drill) }, deps, signal);
        return result.ok ? done({ detail: result.message }) : failed(result.message, true);
      }
      case 'publish-test-alert': {
        const at = clock.now();
        const alert: OutboxAlert = {
          id: action.alertId,
          kind: 'update',
          topic: action.severity,
          message: testAlertMessage({
            drillId: drill.id,
            alertId: action.alertId,
            severity: action.severity,
            at,
            presentation: alertPresentation(config),
          }),
          createdAt: at.toISOString(),
          drillId: drill.id,
          attempts: 0,
        };
        const { messageId } = await deps.notifier.publish(alert, signal);
        // Published, so the route works: a sent log that could not be written is said, not failed on.
        try {
          await deps.store.recordSent(sentAlert(alert, { messageId, at: clock.now() }), signal);
        } catch (error) {
          if (signal?.aborted) throw error;
          return done({ detail: `published; not in the sent log: ${errorText(error)}` });
        }
        return done();
      }
      case 'release':
        await drills.release(drill.id, signal);
        return done();
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    return failed(error);
  }
};
