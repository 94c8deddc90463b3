// Small zod builders that carry the rule in the message, so every config error reads
// `path: rule` (e.g. `records[0].ttl: must be an integer between 1 and 86400`).
import * as z from 'zod';
import { ACTOR_PATTERN, type Actor } from './model/vocabulary.ts';

export const intBetween = (min: number, max: number) => {
  const rule = `must be an integer between ${min} and ${max}`;
  return z
    .number({ error: (issue) => (issue.input === undefined ? 'is required' : rule) })
    .int({ error: rule })
    .min(min, { error: rule })
    .max(max, { error: rule });
};

export const nonEmptyText = (maxLength = 200) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, { error: 'must not be empty' })
    .max(maxLength, { error: `must be at most ${maxLength} characters` });

/** Lower-case letters, digits and dashes: safe in DynamoDB keys, metric dimensions, file names. */
export const slug = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(/^[a-z][a-z0-9-]{0,62}$/, {
      error: `${what} must start with a letter and use only a-z, 0-9 and - (at most 63 characters)`,
    });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (issue) => (issue.input === undefined ? 'is required' : `must be one of: ${values.join(', ')}`),
  });

export const httpUrl = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: 'must be an absolute http:// or https:// URL' },
  );

/** Who gives an operator command: `operator:<os user>@<host>`, or a drill acting for one. */
export const actorId = (rule = 'must be operator:<user>@<host> or drill:<id>') =>
  z
    .string()
    .regex(ACTOR_PATTERN, { error: rule })
    .transform((actor) => actor as Actor);
