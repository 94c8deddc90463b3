// Drills started from the dashboard run in the runtime's own process, through the same drill
// service the CLI and the operator Lambda use (composeDrillService), with the sandbox as the fault
// target, the audit queue for delivery checks and the simulated citizens for the impact.
// A drill cut short by Ctrl-C stays recorded and resumable (`hcguard drill --resume <id>`).
import { errorText } from '../../lambdas/core/errors.ts';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Services } from '../../lambdas/app/compose.ts';
import { composeDrillService } from '../../lambdas/app/compose-drills.ts';
import { DrillInputError } from '../../lambdas/app/drill/types.ts';
import { scenarioNames } from '../../lambdas/core/drill/scenarios.ts';
import type { Actor } from '../../lambdas/core/model/vocabulary.ts';
import type { CitizenSimulator } from '../citizens.ts';
import { DashboardRequestError, type DrillView } from '../dashboard/state.ts';
import type { DrillControl } from './backend.ts';

export interface LocalDrillsOptions {
  readonly services: Services;
  readonly sqs: SQSClient;
  /** The sandbox faults go to; absent on another platform (then its fault hook, if configured). */
  readonly sandboxUrl?: string;
  readonly citizens?: CitizenSimulator;
  /** Pauses the drill in flight when the runtime stops. */
  readonly stopping: AbortSignal;
  /** One line for the console when a background drill ends or fails. */
  readonly note: (text: string) => void;
  readonly actor?: Actor;
}

export interface LocalDrills extends DrillControl {
  /** Resolves when no drill started here is still advancing (after `stopping` aborted them). */
  idle(): Promise<void>;
}

export const createLocalDrills = (options: LocalDrillsOptions): LocalDrills => {
  const { services, citizens } = options;
  const service = composeDrillService(services, {
    sqs: options.sqs,
    ...(options.sandboxUrl ? { sandboxUrl: options.sandboxUrl } : {}),
    ...(citizens ? { impact: async (from: Date, to: Date) => citizens.impact(from, to) } : {}),
  });
  const actor = options.actor ?? 'operator:dashboard';
  const advancing = new Set<Promise<void>>();

  return {
    scenarios: () => scenarioNames(services.config),
    async start(scenario, signal) {
      let drill;
      try {
        drill = await service.create({ scenario, dryRun: false, actor }, signal);
      } catch (error) {
        if (error instanceof DrillInputError) throw new DashboardRequestError(error.message);
        throw error;
      }
      // The drill runs on in the background; the dashboard follows it through list().
      const run = service
        .advance(drill.id, { signal: options.stopping })
        .then((result) => {
          if (result.state === 'finished')
            options.note(`drill ${drill.id} (${scenario}) finished: ${result.drill.outcome ?? 'done'}`);
          else if (options.stopping.aborted)
            options.note(
              `drill ${drill.id} paused by the stop (its record lives in the emulator: ` +
                `\`hcguard drill --resume ${drill.id}\` while that keeps its data)`,
            );
        })
        .catch((error: unknown) => options.note(`drill ${drill.id} stopped: ${errorText(error)}`))
        .finally(() => advancing.delete(run));
      advancing.add(run);
      return { id: drill.id };
    },
    async list(signal) {
      const listing = await service.list(20, signal);
      return listing.map((drill): DrillView => ({
        id: drill.id,
        scenario: drill.dryRun ? `${drill.scenario} (dry run)` : drill.scenario,
        outcome: drill.status === 'running' ? 'running' : (drill.outcome ?? 'finished'),
        ...(drill.detail ? { detail: drill.detail } : {}),
        startedAt: drill.startedAt,
        ...(drill.endedAt ? { endedAt: drill.endedAt } : {}),
        ...(drill.status === 'finished' ? { reportUrl: `/drills/${encodeURIComponent(drill.id)}/report` } : {}),
      }));
    },
    idle: async () => {
      await Promise.allSettled([...advancing]);
    },
    async report(id, signal) {
      const drill = await service.get(id, signal);
      if (!drill || drill.status !== 'finished') return undefined;
      return (await service.report(id, { ...(signal ? { signal } : {}) })).html;
    },
  };
};
