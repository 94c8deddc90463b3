// The probe definition language: a probe is a sequence of HTTP steps against one site's stage
// base URL. Strings marked "template" may contain `{{ … }}` expressions (see ./template.ts);
// every template is parsed here, so a typo fails `hcguard config check`, not a 3 a.m. round.
import * as z from 'zod';
import { intBetween, nonEmptyText, oneOf, slug } from '../config-rules.ts';
import { SITES, STAGES } from '../model/vocabulary.ts';
import { IDENTITY_FIELDS } from './synthetic.ts';
import { parseTemplate, referencedPaths, TemplateError, templateStrings } from './template.ts';

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
export type LatencyBounds = z.infer<typeof latencyBoundsSchema>;

const jsonPath = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .max(500, { error: 'must be at most 500 characters' })
  .regex(/^\$/, { error: 'must be a JSONPath starting with $, e.g. $.receipt.sha256' })
  // Script expressions would run code from the config inside the prober; jsonpath-plus runs with eval off.
  .refine((path) => !/\?\(|\(@/.test(path), { error: 'must not use script expressions such as ?(…) or (@…)' });

const jsonAssertionSchema = z
  .strictObject({
    /** JSONPath into the response body, e.g. `$.receipt.sha256`. */
    path: jsonPath,
    /** Template or literal the value must equal (compared as JSON). */
    equals: z.unknown().optional(),
    /** Value (template or literal) the path must NOT equal; an absent value passes. */
    notEquals: z.unknown().optional(),
    /** Regular expression the value (as a string) must match. */
    matches: z.string().optional(),
    /** true: the path must resolve; false: it must not (same as `absent: true`). */
    exists: z.boolean().optional(),
    absent: z.literal(true).optional(),
    /** What a failure means; a verifier accepting a forged code is `wrong-verdict`. */
    failureClass: oneOf(ASSERTION_FAILURE_CLASSES).default('assertion'),
    /** Human name of the checked field, used in messages ("temperature drifted"). */
    label: z.string().max(100).optional(),
    /** The values are personal or secret: results show their short hashes only. */
    sensitive: z.boolean().default(false),
  })
  .superRefine((assertion, ctx) => {
    const kinds = (['equals', 'notEquals', 'matches', 'exists', 'absent'] as const).filter(
      (kind) => assertion[kind] !== undefined,
    );
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          `needs exactly one of equals, notEquals, matches, exists, absent (has ` +
          `${kinds.length ? kinds.join(', ') : 'none'})`,
      });
    }
    if (assertion.matches !== undefined) {
      try {
        new RegExp(assertion.matches);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['matches'],
          message: `is not a valid regular expression: ${(error as Error).message}`,
        });
      }
    }
  });
export type JsonAssertion = z.infer<typeof jsonAssertionSchema>;

const headerAssertionSchema = z
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
  });
export type HeaderAssertion = z.infer<typeof headerAssertionSchema>;

const expectSchema = z.strictObject({
  status: z.array(intBetween(100, 599)).min(1, { error: 'must list at least one status' }).default([200]),
  /** This step alone: over degradedMs the step is degraded, over failedMs it fails (`timeout`). */
  latencyMs: latencyBoundsSchema.optional(),
  json: z.array(jsonAssertionSchema).default([]),
  headers: z.array(headerAssertionSchema).default([]),
  /** The body must not be longer than this (a `too-large` failure); reading stops at the step's maxBodyBytes. */
  maxBodyBytes: intBetween(1, 64 * 1024 * 1024).optional(),
});
export type StepExpectations = z.infer<typeof expectSchema>;

const variableName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'must be a name like code or recordId' });

const stepSchema = z.strictObject({
  name: slug('step name'),
  method: oneOf(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  /** Template; relative to the site's stage base URL, or an absolute URL. */
  path: nonEmptyText(2000),
  /** Header values are templates. */
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON body; every string inside is a template. */
  body: z.unknown().optional(),
  timeoutMs: intBetween(1, 300_000).default(DEFAULT_STEP_TIMEOUT_MS),
  /** Response bodies are read up to this many bytes, then the step fails as `too-large`. */
  maxBodyBytes: intBetween(1, 64 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
  /** Variables captured from the JSON response for later steps: name → JSONPath. */
  capture: z.record(variableName, jsonPath).default({}),
  expect: expectSchema.prefault({}),
});
export type ProbeStep = z.infer<typeof stepSchema>;

const sequenceSchema = z.strictObject({
  /** Template naming the stream (e.g. `hcguard-{{ site }}`); may use site, stage and probe only. */
  stream: nonEmptyText(200),
  /** The step whose expected status means the platform holds the record: the number is used up then. */
  commitAfter: slug('step name'),
});

/** Variables every template may use, besides `vars.*`, `secret.*` and earlier captures. */
export const BUILTIN_VARIABLES = ['site', 'stage', 'probe', 'identity'] as const;
const SEQUENCE_VARIABLES = ['seq', 'stream'] as const;
const RESERVED_NAMES: ReadonlySet<string> = new Set([...BUILTIN_VARIABLES, ...SEQUENCE_VARIABLES, 'vars', 'secret']);

export const probeSchema = z
  .strictObject({
    id: slug('probe id'),
    stage: oneOf(STAGES),
    description: z.string().max(500).optional(),
    /** Sites this probe runs against; both by default. */
    sites: z
      .array(oneOf(SITES))
      .min(1)
      .default([...SITES]),
    /** Whole-probe latency bounds: over degradedMs the result is degraded, over failedMs failed. */
    latencyMs: latencyBoundsSchema.prefault({ degradedMs: 1_500, failedMs: 5_000 }),
    /**
     * Variables available to templates as `vars.NAME`, computed once when the probe starts, in
     * the order written: a string is a template (it may use earlier vars), other JSON is literal.
     */
    vars: z.record(variableName, z.unknown()).default({}),
    /** Gives the probe a transmission sequence number `seq` on stream `stream` (see SequenceSource). */
    sequence: sequenceSchema.optional(),
    /** Names of vars or captures whose values results must show only as short hashes. */
    sensitive: z.array(variableName).default([]),
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
    if (probe.sequence && !seen.has(probe.sequence.commitAfter)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sequence', 'commitAfter'],
        message: `names no step of this probe (steps: ${[...seen].join(', ')})`,
      });
    }
    for (const problem of templateProblems(probe))
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });
export type ProbeDefinition = z.infer<typeof probeSchema>;
export type ProbeDefinitionInput = z.input<typeof probeSchema>;

interface TemplateProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Checks that every template parses and refers only to variables defined before it is used. */
const templateProblems = (probe: ProbeDefinition): TemplateProblem[] => {
  const problems: TemplateProblem[] = [];
  const check = (
    value: unknown,
    path: (string | number)[],
    allowed: ReadonlySet<string>,
    vars: ReadonlySet<string>,
    secrets: boolean,
  ): void => {
    for (const source of templateStrings(value)) {
      let paths: string[][];
      try {
        paths = referencedPaths(parseTemplate(source));
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        problems.push({ path, message: error.message });
        continue;
      }
      for (const [root, field] of paths) {
        const name = field ? `${root}.${field}` : String(root);
        if (root === 'secret' && !secrets)
          problems.push({ path, message: `${name}: secrets may be used in steps only` });
        else if (root === 'secret') {
          if (!field) problems.push({ path, message: 'secret needs a name, e.g. secret.transmissionKey' });
        } else if (root === 'vars') {
          if (!field || !vars.has(field))
            problems.push({
              path,
              message: vars.size
                ? `${name} is not defined here (vars so far: ${[...vars].join(', ')})`
                : `${name} is not defined (no vars are declared before this point)`,
            });
        } else if (root === 'identity') {
          if (!field || !(IDENTITY_FIELDS as readonly string[]).includes(field))
            problems.push({ path, message: `${name}: identity has ${IDENTITY_FIELDS.join(', ')}` });
        } else if (root !== undefined && !allowed.has(root)) {
          const hint = (SEQUENCE_VARIABLES as readonly string[]).includes(root)
            ? ' (declare `sequence` on the probe to use it)'
            : '';
          problems.push({ path, message: `${name} is not defined here${hint}` });
        }
      }
    }
  };
  const base = new Set<string>(BUILTIN_VARIABLES);
  const noVars = new Set<string>();
  if (probe.sequence) {
    check(probe.sequence.stream, ['sequence', 'stream'], new Set(['site', 'stage', 'probe']), noVars, false);
    for (const name of SEQUENCE_VARIABLES) base.add(name);
  }
  const vars = new Set<string>();
  for (const [name, value] of Object.entries(probe.vars)) {
    check(value, ['vars', name], base, vars, false);
    vars.add(name);
  }
  const available = new Set(base);
  probe.steps.forEach((step, index) => {
    const at = (...rest: (string | number)[]) => ['steps', index, ...rest];
    check(step.path, at('path'), available, vars, true);
    for (const [header, value] of Object.entries(step.headers))
      check(value, at('headers', header), available, vars, true);
    check(step.body, at('body'), available, vars, true);
    step.expect.json.forEach((assertion, position) => {
      check(assertion.equals, at('expect', 'json', position, 'equals'), available, vars, true);
      check(assertion.notEquals, at('expect', 'json', position, 'notEquals'), available, vars, true);
    });
    step.expect.headers.forEach((assertion, position) =>
      check(assertion.equals, at('expect', 'headers', position, 'equals'), available, vars, true),
    );
    for (const name of Object.keys(step.capture)) {
      if (RESERVED_NAMES.has(name))
        problems.push({ path: at('capture', name), message: `"${name}" is a built-in variable: pick another name` });
      available.add(name);
    }
  });
  const known = new Set([...vars, ...probe.steps.flatMap((step) => Object.keys(step.capture))]);
  probe.sensitive.forEach((name, index) => {
    if (!known.has(name))
      problems.push({ path: ['sensitive', index], message: `"${name}" is neither a var nor a capture of this probe` });
  });
  return problems;
};

/** Where a secret's value comes from at run time; the config file never holds the value. */
export const secretRefSchema = z.union(
  [
    z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }),
    z.strictObject({ ssmParameter: z.string().regex(/^\/[\w./-]+$/) }),
  ],
  { error: 'must be { env: "ENV_VAR_NAME" } or { ssmParameter: "/path/name" }' },
);
export type SecretRef = z.infer<typeof secretRefSchema>;

/** Whether a step needs its response parsed as JSON (a non-JSON body is then `malformed`). */
export const needsJson = (step: ProbeStep): boolean =>
  step.expect.json.length > 0 || Object.keys(step.capture).length > 0;
