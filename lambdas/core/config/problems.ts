// Every config problem as `path: rule`, with a did-you-mean for a mistyped key: what the CLI
// and `cdk synth` print before they exit 2.
import { configSchema } from './schema.ts';
import * as z from 'zod';

export interface ConfigProblem {
  /** Dotted path with array indexes, e.g. `records[0].ttl`; empty for the whole config. */
  readonly path: string;
  readonly rule: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], source?: string) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      `Invalid hcguard config${source ? ` ${source}` : ''} (${count}):\n` +
        problems.map((problem) => `  ${problem.path || '(config)'}: ${problem.rule}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );

export const describeIssues = (issues: readonly z.core.$ZodIssue[], input: unknown): ConfigProblem[] =>
  // One value can break two checks with one message (1e20 is neither a safe integer nor under
  // the maximum): each problem is reported once.
  uniqueProblems(issues.flatMap((issue) => describeIssue(issue, input)));

const uniqueProblems = (problems: readonly ConfigProblem[]): ConfigProblem[] => {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\u0000${problem.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

const describeIssue = (issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] => {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(issue.path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, allowed);
      return {
        path: formatPath([...issue.path, key]),
        rule: `unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      };
    });
  }
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
    return [{ path: formatPath(issue.path), rule: 'is required' }];
  }
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    return [{ path: formatPath(issue.path), rule: `must be ${article(issue.expected)}` }];
  }
  return [{ path: formatPath(issue.path), rule: issue.message }];
};

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    input,
  );

/** The keys the schema allows at a path, to suggest the intended one for a typo. */
const allowedKeysAt = (path: readonly PropertyKey[]): string[] => {
  let schema: z.core.$ZodType | undefined = configSchema;
  const unwrap = (candidate: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    let current = candidate;
    for (let depth = 0; current && depth < 10; depth++) {
      const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
      if (def.innerType) current = def.innerType;
      else if (def.type === 'pipe' && def.in) current = def.in;
      else break;
    }
    return current;
  };
  for (const key of path) {
    schema = unwrap(schema);
    const def = schema?._zod.def as
      | {
          type: string;
          shape?: Record<string, z.core.$ZodType>;
          element?: z.core.$ZodType;
          valueType?: z.core.$ZodType;
        }
      | undefined;
    if (!def) return [];
    if (def.type === 'object' && typeof key === 'string') schema = def.shape?.[key];
    else if (def.type === 'array') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else return [];
  }
  const def = unwrap(schema)?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
};

const closest = (word: string, candidates: readonly string[]): string | undefined => {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
};

const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
};
