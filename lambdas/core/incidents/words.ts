// Plain words for what a probe found, for people rather than for filters: "HTTP 503 from the
// verifier" where the failure class says `status`. The classes stay in the alert's JSON document
// and attributes; titles, subjects and bodies use these words. Also the runbook section each
// incident kind is explained in (docs/runbook.md has one heading per anchor).
import type { Incident } from '../model/incidents.ts';
import type { Stage } from '../model/vocabulary.ts';
import { phrase, wordsFor, type Phrase } from '../i18n/index.ts';
import type { ProblemClass } from './ids.ts';

/** The short words as a phrase: `problemShort.status` with the status, and so on. */
export const problemShortPhrase = (problem: ProblemClass, status?: number): Phrase =>
  problem === 'status'
    ? status === undefined
      ? phrase('problemShort.status-unknown')
      : phrase('problemShort.status', { status })
    : phrase(`problemShort.${problem}`);

/** A sentence's worth as a phrase: who answered what ("HTTP 503 from the verifier"). */
export const problemPhrase = (stage: Stage, problem: ProblemClass, status?: number): Phrase => {
  const service = phrase(`service.${stage}`);
  if (problem !== 'status') return phrase(`problem.${problem}`, { service });
  return status === undefined
    ? phrase('problem.status-unknown', { service })
    : phrase('problem.status', { service, status });
};

const english = wordsFor('en');

/** At most 18 characters in English: a subject keeps the id and "- switched to backup" after it. */
export const problemShort = (problem: ProblemClass, status?: number): string =>
  english.say(problemShortPhrase(problem, status));

export const problemWords = (stage: Stage, problem: ProblemClass, status?: number): string =>
  english.say(problemPhrase(stage, problem, status));

/** The problem a probe incident is about, from its dedup key (`probe/<site>/<stage>/<problem>`). */
export const problemOfIncident = (incident: Pick<Incident, 'kind' | 'dedupKey'>): ProblemClass | undefined =>
  incident.kind === 'probe' ? (incident.dedupKey.split('/').at(-1) as ProblemClass) : undefined;

/** The runbook section for an incident: `probe-<problem>` for probe incidents, else its kind. */
export const runbookAnchor = (incident: Pick<Incident, 'kind' | 'dedupKey'>): string => {
  const problem = problemOfIncident(incident);
  return problem ? `probe-${problem}` : incident.kind;
};
