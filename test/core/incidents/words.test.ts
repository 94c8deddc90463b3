import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProblemClass } from '../../../lambdas/core/incidents/ids.ts';
import { problemOfIncident, problemShort, problemWords, runbookAnchor } from '../../../lambdas/core/incidents/words.ts';
import { INCIDENT_KINDS } from '../../../lambdas/core/model/incidents.ts';
import { FAILURE_CLASSES } from '../../../lambdas/core/model/vocabulary.ts';

const PROBLEMS: readonly ProblemClass[] = [...FAILURE_CLASSES, 'failed', 'degraded'];

describe('plain words for what a probe found', () => {
  it.each([
    ['verification', 'status', 503, 'HTTP 503', 'HTTP 503 from the verifier'],
    ['verification', 'status', undefined, 'bad HTTP status', 'unexpected HTTP status from the verifier'],
    ['collection', 'timeout', undefined, 'timed out', 'no answer from the declaration service in time'],
    ['transmission', 'integrity', undefined, 'data not intact', 'data lost or altered at the data receiver'],
    ['verification', 'wrong-verdict', undefined, 'wrong verdicts', expect.stringContaining('a forged code accepted')],
    ['transmission', 'unavailable', 503, 'cannot serve now', expect.stringContaining('cannot serve now')],
  ] as const)('%s %s (%s) → %j / %j', (stage, problem, status, short, words) => {
    expect(problemShort(problem, status)).toBe(short);
    expect(problemWords(stage, problem, status)).toEqual(words);
  });

  it('has words for every class, none of them the class name itself', () => {
    for (const problem of PROBLEMS) {
      expect(problemShort(problem), problem).not.toBe(problem);
      expect(problemWords('verification', problem).length, problem).toBeGreaterThan(problemShort(problem).length);
    }
  });

  it('keeps titles short enough for a subject with the id and the action', () => {
    const subjects = PROBLEMS.map(
      (problem) =>
        `[SEV1] OPEN transmission flapping on primary: ${problemShort(problem, 503)} - ` +
        'switched to backup (INC-XXXXXXX)',
    );
    expect(subjects.filter((subject) => subject.length > 99)).toEqual([]);
  });
});

describe('the runbook section of an incident', () => {
  const runbook = readFileSync(join(import.meta.dirname, '../../../docs/runbook.md'), 'utf8');
  const headings = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((match) => match[1]));

  it('is probe-<problem> for probe incidents, from the dedup key, and the kind for others', () => {
    const probe = { kind: 'probe', dedupKey: 'probe/primary/verification/wrong-verdict' } as const;
    expect(problemOfIncident(probe)).toBe('wrong-verdict');
    expect(runbookAnchor(probe)).toBe('probe-wrong-verdict');
    expect(runbookAnchor({ kind: 'cannot-fail-over', dedupKey: 'routing/cannot-fail-over/verify.example' })).toBe(
      'cannot-fail-over',
    );
  });

  it('exists in docs/runbook.md for every anchor an alert can link', () => {
    const anchors = [
      ...PROBLEMS.map((problem) => runbookAnchor({ kind: 'probe', dedupKey: `probe/primary/collection/${problem}` })),
      ...INCIDENT_KINDS.filter((kind) => kind !== 'probe').map((kind) => runbookAnchor({ kind, dedupKey: kind })),
    ];
    expect(anchors.filter((anchor) => !headings.has(anchor))).toEqual([]);
  });
});
