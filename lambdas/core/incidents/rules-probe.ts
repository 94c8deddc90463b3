// Probe incidents, level-triggered from the target states: one per (site, stage, problem) while
// the target is degraded or failing, escalated when the same finding becomes more serious, and
// all of a target's resolved together once it is healthy again.
import type { TargetState } from '../model/probing.ts';
import { isMoreSerious, severityFor } from '../severity.ts';
import { probeDedupKey, type ProblemClass } from './ids.ts';
import { minutesBetween, type IncidentLedger } from './ledger.ts';
import { drillIdFor } from './scope.ts';
import type { IncidentInput } from './types.ts';
import { phrase, wordsFor, type Phrase } from '../i18n/index.ts';
import { problemPhrase, problemShortPhrase } from './words.ts';

const problemOf = (target: TargetState): ProblemClass | undefined => {
  if (target.health === 'failing') return target.lastFailureClass ?? 'failed';
  if (target.health === 'degraded') return 'degraded';
  return undefined;
};

const probeTitle = (target: TargetState, problem: ProblemClass): Phrase =>
  phrase(problem === 'degraded' ? 'title.degraded' : target.flapping ? 'title.flapping' : 'title.failing', {
    stage: phrase(`stage.${target.stage}`),
    site: phrase(`site.${target.site}`),
    problem: problemShortPhrase(problem, target.lastStatus),
  });

const english = wordsFor('en');

const specific = (problem: ProblemClass) => (problem === 'degraded' || problem === 'failed' ? undefined : problem);

export const probeRules = (
  ledger: IncidentLedger,
  input: IncidentInput,
  serving: (site: TargetState['site'], stage: TargetState['stage']) => boolean,
): void => {
  for (const target of input.targets) {
    const problem = problemOf(target);
    if (problem) {
      const failureClass = specific(problem);
      const decision = severityFor(
        {
          stage: target.stage,
          failureClass,
          outcome: problem === 'degraded' ? 'degraded' : 'failed',
          serving: serving(target.site, target.stage),
        },
        input.policy.severity.rules,
      );
      const key = probeDedupKey(target.site, target.stage, problem);
      const existing = ledger.holder(key);
      const titlePhrase = probeTitle(target, problem);
      const problemWords = problemPhrase(target.stage, problem, target.lastStatus);
      const title = english.say(titlePhrase);
      if (!existing) {
        ledger.openIncident(
          {
            dedupKey: key,
            kind: 'probe',
            site: target.site,
            stage: target.stage,
            ...(failureClass ? { failureClass } : {}),
            severity: decision.severity,
            severityReason: decision.reason,
            title,
            problem: english.say(problemWords),
            phrase: { title: titlePhrase, problem: problemWords },
            ...(target.lastMessage ? { detail: target.lastMessage } : {}),
          },
          target.lastMessage ? `${title} (${target.lastMessage})` : title,
          drillIdFor(input.drill, { site: target.site, stage: target.stage }),
        );
      } else if (isMoreSerious(decision.severity, existing.severity)) {
        ledger.escalate(existing, {
          severity: decision.severity,
          severityReason: decision.reason,
          detail: `now ${decision.severity}: ${decision.reason}`,
          timed: false,
        });
      }
    }
    streamResetRule(ledger, input, target, serving);
    if (target.health !== 'healthy') continue;
    for (const incident of input.open) {
      if (
        incident.kind === 'probe' &&
        incident.site === target.site &&
        incident.stage === target.stage &&
        incident.failureClass !== 'stream-reset'
      ) {
        const minutes = minutesBetween(incident.openedAt, input.now);
        const detail =
          `${target.stage} on ${target.site} healthy again (${target.consecutiveSuccesses} ` +
          `good rounds) after ${minutes} min`;
        ledger.resolve(incident, detail);
      }
    }
  }
};

/**
 * A stream reset is a finding of its own, beside the target's health: opened once when the
 * target carries one, resolved when the good rounds after it have cleared it (../evaluate.ts).
 */
const streamResetRule = (
  ledger: IncidentLedger,
  input: IncidentInput,
  target: TargetState,
  serving: (site: TargetState['site'], stage: TargetState['stage']) => boolean,
): void => {
  const key = probeDedupKey(target.site, target.stage, 'stream-reset');
  const existing = ledger.holder(key);
  if (target.streamReset && !existing) {
    const decision = severityFor(
      {
        stage: target.stage,
        failureClass: 'stream-reset',
        outcome: 'degraded',
        serving: serving(target.site, target.stage),
      },
      input.policy.severity.rules,
    );
    const titlePhrase = phrase('title.streamReset', {
      stage: phrase(`stage.${target.stage}`),
      site: phrase(`site.${target.site}`),
    });
    const title = english.say(titlePhrase);
    ledger.openIncident(
      {
        dedupKey: key,
        kind: 'probe',
        site: target.site,
        stage: target.stage,
        failureClass: 'stream-reset',
        severity: decision.severity,
        severityReason: decision.reason,
        title,
        phrase: { title: titlePhrase },
        detail: target.streamReset.message,
      },
      `${title}: ${target.streamReset.message}`,
      drillIdFor(input.drill, { site: target.site, stage: target.stage }),
    );
  } else if (!target.streamReset && existing) {
    ledger.resolve(existing, `the stream on ${target.site} works again (${target.consecutiveSuccesses} good rounds)`);
  }
};
