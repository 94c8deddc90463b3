// The probe definition language: a probe is a sequence of HTTP steps against one site's stage
// base URL. Strings marked "template" may contain `{{ … }}` expressions (see ./template.ts).
import { z } from 'zod';
import { intBetween, nonEmptyText, oneOf, slug } from '../config-rules.ts';
import { SITES, STAGES } from '../model.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_STEP_TIMEOUT_MS = 5_000;

/** Failure classes an assertion may report; the rest come from the transport. */
export const ASSERTION_FAILURE_CLASSES = ['assertion', 'integrity', 'wrong-verdict'] as const;

const latencyBoundsSchema = z
  .strictObject({
    degradedMs: intBetween(1, 600_000),
    failedMs: intBetween(1, 600_000),
  })
  .refine((bounds) => bounds.failedMs > bounds.degradedMs, {
    error: 'failedMs must be greater than degradedMs',
  });

const jsonAssertionSchema = z
  .strictObject({
    /** JSONPath into the response body, e.g. `$.receipt.sha256`. */
    path: nonEmptyText(500),
    /** Template or literal the value must equal (compared as JSON). */
    equals: z.unknown().optional(),
    /** Regular expression the value (as a string) must match. */
    matches: z.string().optional(),
    /** true: the path must resolve; false: it must not. */
    exists: z.boolean().optional(),
    /** Value the path must NOT equal (e.g. a forged code's verdict must not be "green"). */
    notEquals: z.unknown().optional(),
    /** What a failure means; a verifier accepting a forged code is `wrong-verdict`. */
    failureClass: oneOf(ASSERTION_FAILURE_CLASSES).default('assertion'),
    /** Human name of the checked field, used in messages ("temperature drifted"). */
    label: z.string().max(100).optional(),
  })
  .refine(
    (a) =>
      [a.equals !== undefined, a.matches !== undefined, a.exists !== undefined, a.notEquals !== undefined].filter(
        Boolean,
      ).length === 1,
    { error: 'needs exactly one of equals, matches, exists, notEquals' },
  );
export type JsonAssertion = z.infer<typeof jsonAssertionSchema>;

const headerAssertionSchema = z.strictObject({
  name: nonEmptyText(200),
  equals: z.string().optional(),
  present: z.boolean().default(true),
});

const expectSchema = z.strictObject({
  status: z.array(intBetween(100, 599)).min(1, { error: 'must list at least one status' }).default([200]),
  latencyMs: latencyBoundsSchema.optional(),
  json: z.array(jsonAssertionSchema).default([]),
  headers: z.array(headerAssertionSchema).default([]),
  maxBodyBytes: intBetween(1, 64 * 1024 * 1024).optional(),
});

const stepSchema = z.strictObject({
  name: slug('step name'),
  method: oneOf(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  /** Template; relative to the site's stage base URL, or an absolute URL. */
  path: nonEmptyText(2000),
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON body; every string inside is a template. */
  body: z.unknown().optional(),
  timeoutMs: intBetween(1, 300_000).default(DEFAULT_STEP_TIMEOUT_MS),
  /** Response bodies are read up to this many bytes, then the step fails as `too-large`. */
  maxBodyBytes: intBetween(1, 64 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
  /** Variables captured from the JSON response: name → JSONPath. */
  capture: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
  expect: expectSchema.prefault({}),
});
export type ProbeStep = z.infer<typeof stepSchema>;

export const probeSchema = z
  .strictObject({
    id: slug('probe id'),
    stage: oneOf(STAGES),
    description: z.string().max(500).optional(),
    /** Sites this probe runs against; both by default. */
    sites: z.array(oneOf(SITES)).min(1).default([...SITES]),
    /** Whole-probe latency bounds: over degradedMs the result is degraded, over failedMs failed. */
    latencyMs: latencyBoundsSchema.prefault({ degradedMs: 1_500, failedMs: 5_000 }),
    /** Literal variables available to templates as `vars.NAME`. */
    vars: z.record(z.string(), z.string()).default({}),
    steps: z.array(stepSchema).min(1, { error: 'must have at least one step' }),
  })
  .superRefine((probe, ctx) => {
    const seen = new Set<string>();
    probe.steps.forEach((step, index) => {
      if (seen.has(step.name)) {
        ctx.addIssue({ code: 'custom', path: ['steps', index, 'name'], message: `duplicate step name "${step.name}"` });
      }
      seen.add(step.name);
    });
  });
export type ProbeDefinition = z.infer<typeof probeSchema>;
export type ProbeDefinitionInput = z.input<typeof probeSchema>;

/** Where a secret's value comes from at run time; the config file never holds the value. */
export const secretRefSchema = z.union(
  [z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }), z.strictObject({ ssmParameter: z.string().regex(/^\/[\w./-]+$/) })],
  { error: 'must be { env: "ENV_VAR_NAME" } or { ssmParameter: "/path/name" }' },
);
export type SecretRef = z.infer<typeof secretRefSchema>;
