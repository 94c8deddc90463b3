// What a step may assert about a response, and how a platform's business envelope is read:
// the schema half of the probe language (docs/probes.md, "Assertions" and "Envelopes").
import * as z from 'zod';
import { intBetween, nonEmptyText, oneOf } from '../config-rules.ts';

/** Failure classes an assertion may report; the rest come from the transport. */
export const ASSERTION_FAILURE_CLASSES = [
  'assertion',
  'integrity',
  'wrong-verdict',
  'rejected',
  'unavailable',
] as const;
export type AssertionFailureClass = (typeof ASSERTION_FAILURE_CLASSES)[number];

export const jsonPath = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .max(500, { error: 'must be at most 500 characters' })
  .regex(/^\$/, { error: 'must be a JSONPath starting with $, e.g. $.receipt.sha256' })
  // Script expressions would run code from the config inside the prober; jsonpath-plus runs with eval off.
  .refine((path) => !/\?\(|\(@/.test(path), { error: 'must not use script expressions such as ?(…) or (@…)' });

const template = z.string().max(2_000, { error: 'must be at most 2000 characters' });
const count = intBetween(0, 1_000_000_000);

/** Every way a JSON assertion can judge its value; an assertion has exactly one. */
export const ASSERTION_KINDS = [
  'equals',
  'notEquals',
  'matches',
  'exists',
  'absent',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'approx',
  'length',
] as const;
export type AssertionKind = (typeof ASSERTION_KINDS)[number];

const validRegex = (source: string, ctx: z.RefinementCtx, path: string): void => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      path: [path],
      message: `is not a valid regular expression: ${(error as Error).message}`,
    });
  }
};

const assertionSchema = (defaultClass: AssertionFailureClass) =>
  z
    .strictObject({
      /** JSONPath into the response body (or into `from`), e.g. `$.receipt.sha256`; `$` is the whole value. */
      path: jsonPath.default('$'),
      /** Template: judge this computed value (e.g. `{{ tokenPayload(code) }}`) instead of the body. */
      from: template.optional(),
      /** Template or literal the value must equal (compared as JSON); an absent value fails. */
      equals: z.unknown().optional(),
      /** Value (template or literal) the path must NOT equal; an absent value passes. */
      notEquals: z.unknown().optional(),
      /** Regular expression the value (as a string) must match; an absent value fails. */
      matches: z.string().optional(),
      /** true: the path must resolve; false: it must not (same as `absent: true`). */
      exists: z.boolean().optional(),
      absent: z.literal(true).optional(),
      /** Numeric bounds (a number or a numeric string); templates allowed. An absent value fails. */
      gt: z.unknown().optional(),
      gte: z.unknown().optional(),
      lt: z.unknown().optional(),
      lte: z.unknown().optional(),
      /** Inclusive range [low, high]. */
      between: z.tuple([z.unknown(), z.unknown()]).optional(),
      /** |value − expected| ≤ tolerance: 37.800000000000004 is 37.8 within 0.001. */
      approx: z.strictObject({ value: z.unknown(), tolerance: z.number().nonnegative().max(1e12) }).optional(),
      /** Characters of a string (code points) or entries of a list: exactly n, or { min, max }. */
      length: z.union([count, z.strictObject({ min: count.optional(), max: count.optional() })]).optional(),
      /** What a failure means; a verifier accepting a forged code is `wrong-verdict`. */
      failureClass: oneOf(ASSERTION_FAILURE_CLASSES).default(defaultClass),
      /** Human name of the checked field, used in messages ("temperature drifted"). */
      label: z.string().max(100).optional(),
      /** The values are personal or secret: results show their short hashes only. */
      sensitive: z.boolean().default(false),
    })
    .superRefine((assertion, ctx) => {
      const kinds = ASSERTION_KINDS.filter((kind) => assertion[kind] !== undefined);
      if (kinds.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message:
            `needs exactly one of ${ASSERTION_KINDS.join(', ')} (has ` + `${kinds.length ? kinds.join(', ') : 'none'})`,
        });
      }
      if (assertion.matches !== undefined) validRegex(assertion.matches, ctx, 'matches');
      if (
        typeof assertion.length === 'object' &&
        assertion.length.min === undefined &&
        assertion.length.max === undefined
      )
        ctx.addIssue({ code: 'custom', path: ['length'], message: 'needs min, max or both' });
      if (
        typeof assertion.length === 'object' &&
        assertion.length.min !== undefined &&
        assertion.length.max !== undefined &&
        assertion.length.min > assertion.length.max
      )
        ctx.addIssue({ code: 'custom', path: ['length'], message: 'min must not be greater than max' });
    });

export const jsonAssertionSchema = assertionSchema('assertion');
/** A gate's assertions fail as an application-level refusal unless they say otherwise. */
export const gateAssertionSchema = assertionSchema('rejected');
export type JsonAssertion = z.infer<typeof jsonAssertionSchema>;

export const headerAssertionSchema = z
  .strictObject({
    name: nonEmptyText(200),
    /** Template the header value must equal. */
    equals: z.string().optional(),
    /** Regular expression the header value must match. */
    matches: z.string().optional(),
    /** false: the header must be missing. */
    present: z.boolean().default(true),
  })
  .superRefine((assertion, ctx) => {
    if (!assertion.present && (assertion.equals !== undefined || assertion.matches !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a header that must be missing cannot also have equals or matches' });
    }
    if (assertion.matches !== undefined) validRegex(assertion.matches, ctx, 'matches');
  });
export type HeaderAssertion = z.infer<typeof headerAssertionSchema>;

/** What an envelope code may mean: a failure class, or `pass` (the refusal this step expects). */
export const ENVELOPE_CLASSES = ['rejected', 'unavailable', 'wrong-verdict', 'integrity', 'assertion'] as const;
export const ENVELOPE_PASS = 'pass';

const codeValue = z.union([z.string().max(100), z.number()]);

/**
 * A platform that answers HTTP 200 with `{code, msg, data}`: `code` says whether the request was
 * served. Anything but an `ok` code fails the step before its other assertions are judged, with
 * the class `codes` gives it (or `otherwise`), carrying the platform's code and message.
 */
export const envelopeSchema = z.strictObject({
  /** JSONPath of the business code, e.g. `$.code`. */
  code: jsonPath,
  /** JSONPath of the platform's message, e.g. `$.msg`; shown (redacted, shortened) in the failure. */
  message: jsonPath.optional(),
  /** Codes that mean "served"; compared as text, so 0 and "0" are the same. */
  ok: z.array(codeValue).min(1).default([0]),
  /** Other codes by meaning, e.g. { "50000": "unavailable", "40301": "pass" }. */
  codes: z.record(z.string().max(100), oneOf([...ENVELOPE_CLASSES, ENVELOPE_PASS])).default({}),
  /** The class of a code that is neither `ok` nor listed. */
  otherwise: oneOf(ENVELOPE_CLASSES).default('rejected'),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** Poll a read-back until it shows what was written (eventual consistency), within the step's timeout. */
export const retrySchema = z.strictObject({
  /** The response must satisfy this before the step is judged; until then the step is sent again. */
  until: jsonAssertionSchema,
  /** Sends at most, the first included. */
  attempts: intBetween(2, 50),
  /** Pause between sends. */
  intervalMs: intBetween(10, 60_000).default(500),
});
export type RetryPolicy = z.infer<typeof retrySchema>;

/** A capture: a JSONPath into the body, or a value computed from a template (e.g. a decoded token). */
export const captureSchema = z.union([jsonPath, z.strictObject({ from: template, path: jsonPath.default('$') })], {
  error: 'must be a JSONPath such as $.code, or { from: "{{ … }}", path?: "$.field" }',
});
export type Capture = z.infer<typeof captureSchema>;
