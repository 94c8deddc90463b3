// Plain words for what a probe found, for people rather than for filters: "HTTP 503 from the
// verifier" where the failure class says `status`. The classes stay in the alert's JSON document
// and attributes; titles, subjects and bodies use these words. Also the runbook section each
// incident kind is explained in (docs/runbook.md has one heading per anchor).
import type { Incident } from '../model/incidents.ts';
import type { Stage } from '../model/vocabulary.ts';
import type { ProblemClass } from './ids.ts';

const SERVICE: Readonly<Record<Stage, string>> = {
  collection: 'the declaration service',
  transmission: 'the data receiver',
  verification: 'the verifier',
};

/** At most 18 characters: a subject keeps the id and "- switched to backup" after it. */
export const problemShort = (problem: ProblemClass, status?: number): string => {
  switch (problem) {
    case 'status':
      return status === undefined ? 'bad HTTP status' : `HTTP ${status}`;
    case 'timeout':
      return 'timed out';
    case 'connect':
      return 'cannot connect';
    case 'tls':
      return 'TLS failure';
    case 'redirect':
      return 'redirected';
    case 'assertion':
      return 'wrong answer';
    case 'integrity':
      return 'data not intact';
    case 'wrong-verdict':
      return 'wrong verdicts';
    case 'malformed':
      return 'unreadable answer';
    case 'too-large':
      return 'oversized answer';
    case 'rejected':
      return 'requests refused';
    case 'unavailable':
      return 'cannot serve now';
    case 'stream-reset':
      return 'stream restarted';
    case 'aborted':
      return 'prober out of time';
    case 'degraded':
      return 'slow or partial';
    case 'failed':
      return 'probes fail';
  }
};

/** A sentence's worth: who answered what ("HTTP 503 from the verifier"). */
export const problemWords = (stage: Stage, problem: ProblemClass, status?: number): string => {
  const service = SERVICE[stage];
  switch (problem) {
    case 'timeout':
      return `no answer from ${service} in time`;
    case 'connect':
      return `cannot connect to ${service}`;
    case 'tls':
      return `TLS failure talking to ${service}`;
    case 'redirect':
      return `unexpected redirect from ${service}`;
    case 'status':
      return `${status === undefined ? 'unexpected HTTP status' : `HTTP ${status}`} from ${service}`;
    case 'assertion':
      return `wrong answer from ${service}`;
    case 'integrity':
      return `data lost or altered at ${service}`;
    case 'wrong-verdict':
      return `${service} gives wrong verdicts (a forged code accepted or a valid one refused)`;
    case 'malformed':
      return `unreadable answer from ${service}`;
    case 'too-large':
      return `oversized answer from ${service}`;
    case 'rejected':
      return `${service} refuses the probe's requests with a business error`;
    case 'unavailable':
      return `${service} says it cannot serve now (busy or in maintenance)`;
    case 'stream-reset':
      return `${service} started its record stream again`;
    case 'aborted':
      return 'the prober ran out of time: nothing is known about the platform';
    case 'degraded':
      return `slow or partial answers from ${service}`;
    case 'failed':
      return `probes of ${service} fail`;
  }
};

/** The problem a probe incident is about, from its dedup key (`probe/<site>/<stage>/<problem>`). */
export const problemOfIncident = (incident: Pick<Incident, 'kind' | 'dedupKey'>): ProblemClass | undefined =>
  incident.kind === 'probe' ? (incident.dedupKey.split('/').at(-1) as ProblemClass) : undefined;

/** The runbook section for an incident: `probe-<problem>` for probe incidents, else its kind. */
export const runbookAnchor = (incident: Pick<Incident, 'kind' | 'dedupKey'>): string => {
  const problem = problemOfIncident(incident);
  return problem ? `probe-${problem}` : incident.kind;
};
