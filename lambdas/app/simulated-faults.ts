// Simulated injection (`drills.injection: simulated`): during a drill, the results of the
// faulted (site, stage) are replaced by the failure the fault would cause, before evaluation.
// The platform is never touched; incidents, alerts and failover run exactly as for a real fault.
// The running-drill item carries the simulated faults, so every process that runs rounds (the
// probe Lambda, the local runtime) sees them; it is read only in rounds a drill tags, so rounds
// outside drills cost nothing extra.
import { errorText } from '../core/errors.ts';
import { simulateResult } from '../core/drill/simulate.ts';
import type { DrillStore, ProbeRunner } from '../ports.ts';

export const withSimulatedFaults = (runner: ProbeRunner, drills: Pick<DrillStore, 'active'>): ProbeRunner => ({
  async probeAll(request) {
    const results = await runner.probeAll(request);
    if (!request.drillId) return results;
    let active;
    try {
      active = await drills.active(request.signal);
    } catch (error) {
      // The real results still count; the drill sees its fault missing from this round.
      const warning = `simulated faults of drill ${request.drillId} not applied: ${errorText(error)}`;
      return results.map((result) => ({ ...result, warnings: [...(result.warnings ?? []), warning] }));
    }
    if (!active || active.drillId !== request.drillId || active.simulatedFaults.length === 0) return results;
    return results.map((result) => simulateResult(result, active.simulatedFaults, active.drillId));
  },
});
