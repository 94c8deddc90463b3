// A drill request as an operator gives it: a scenario or a process test of one step, never both;
// topics to test only with the notify step.
import type { Severity } from '../model/vocabulary.ts';
import type { DrillStepName } from './model.ts';
import { findScenario, scenarioNames, type Scenario, type ScenarioConfig } from './scenarios.ts';

export type DrillRequest =
  | { readonly ok: true; readonly scenario?: Scenario; readonly step?: DrillStepName }
  | { readonly ok: false; readonly reason: string };

export const resolveDrillRequest = (
  config: ScenarioConfig,
  input: { readonly scenario?: string; readonly step?: DrillStepName; readonly severities?: readonly Severity[] },
): DrillRequest => {
  if (input.scenario && input.step) return { ok: false, reason: 'give either a scenario or a step, not both' };
  if (input.severities && input.step !== 'notify')
    return { ok: false, reason: 'severities go with the notify step only' };
  const names = scenarioNames(config).join(', ');
  if (input.scenario) {
    const scenario = findScenario(config, input.scenario);
    return scenario
      ? { ok: true, scenario }
      : { ok: false, reason: `unknown scenario "${input.scenario}": one of ${names}` };
  }
  if (!input.step) return { ok: false, reason: `name a scenario (${names}) or a step (notify, switch, restore)` };
  return { ok: true, step: input.step };
};
