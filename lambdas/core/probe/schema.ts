// The probe definition language: a probe is a sequence of HTTP steps against one site's stage
// base URL. Strings marked "template" may contain `{{ … }}` expressions (see ./template.ts);
// every template is parsed here, so a typo fails `hcguard config check`, not a 3 a.m. round.
import * as z from 'zod';
import { intBetween, nonEmptyText, oneOf, slug } from '../config-rules.ts';
import { SITES, STAGES } from '../model/vocabulary.ts';
import { IDENTITY_FIELDS } from './synthetic.ts';
import {
  captureSchema,
  envelopeSchema,
  gateAssertionSchema,
  headerAssertionSchema,
  jsonAssertionSchema,
  jsonPath,
  retrySchema,
  type Envelope,
  type JsonAssertion,
} from './assertion-schema.ts';
import { parseTemplate, referencedPaths, TemplateError, templateStrings } from './template.ts';

export type { Envelope, HeaderAssertion, JsonAssertion } from './assertion-schema.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_STEP_TIMEOUT_MS = 5_000;

export { ASSERTION_FAILURE_CLASSES } from './assertion-schema.ts';

const latencyBoundsSchema = z
  .strictObject({
    degradedMs: intBetween(1, 600_000),
    failedMs: intBetween(1, 600_000),
  })
  .refine((bounds) => bounds.failedMs > bounds.degradedMs, {
    error: 'failedMs must be greater than degradedMs',
  });
export type LatencyBounds = z.infer<typeof latencyBoundsSchema>;

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
  /**
   * Variables of this step alone, rendered afresh for every request it sends (a nonce, a
   * timestamp a signature covers), in order; templates use them as `vars.NAME`.
   */
  vars: z.record(variableName, z.unknown()).default({}),
  /** Header values are templates; they may also use `requestBody`, the body exactly as sent. */
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON body; every string inside is a template. */
  body: z.unknown().optional(),
  timeoutMs: intBetween(1, 300_000).default(DEFAULT_STEP_TIMEOUT_MS),
  /** Response bodies are read up to this many bytes, then the step fails as `too-large`. */
  maxBodyBytes: intBetween(1, 64 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
  /**
   * Variables captured for later steps (and this step's assertions): name → JSONPath into the
   * body, or { from, path } for a value computed from a template.
   */
  capture: z.record(variableName, captureSchema).default({}),
  /** The platform's business envelope for this step; `false`: this step has none (overrides the probe's). */
  envelope: z.union([envelopeSchema, z.literal(false)]).optional(),
  /** Preconditions judged before `expect.json`: when one fails the step fails with its class (`rejected`). */
  gate: z.array(gateAssertionSchema).default([]),
  /** Send again until the response satisfies `until` (eventually consistent read-backs). */
  retry: retrySchema.optional(),
  expect: expectSchema.prefault({}),
});
export type ProbeStep = z.infer<typeof stepSchema>;

const sequenceSchema = z.strictObject({
  /** Template naming the stream (e.g. `hcguard-{{ site }}`); may use site, stage and probe only. */
  stream: nonEmptyText(200),
  /** The step whose expected status means the platform holds the record: the number is used up then. */
  commitAfter: slug('step name'),
  /**
   * JSONPath of the platform's stream epoch (or stream id) in that step's response: when it
   * changes, the platform's stream was reset; that is reported as `stream-reset`, not as loss.
   */
  epoch: jsonPath.optional(),
});

/** In header templates: the step's body exactly as sent, for signatures over it. */
export const REQUEST_BODY = 'requestBody';

/** Assertion fields that hold templates. */
const OPERAND_FIELDS = ['from', 'equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between', 'approx'] as const;

/** Variables every template may use, besides `vars.*`, `secret.*`, `siteVars.*` and earlier captures. */
export const BUILTIN_VARIABLES = ['site', 'stage', 'probe', 'identity'] as const;
const SEQUENCE_VARIABLES = ['seq', 'stream', 'streamFrom'] as const;
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...BUILTIN_VARIABLES,
  ...SEQUENCE_VARIABLES,
  'vars',
  'secret',
  'siteVars',
  REQUEST_BODY,
]);

/** Header names are case-insensitive: a step's `x-sign` replaces the probe's `X-Sign`. */
const mergeHeaders = (defaults: Record<string, string>, own: Record<string, string>): Record<string, string> => {
  const ownNames = new Set(Object.keys(own).map((name) => name.toLowerCase()));
  return {
    ...Object.fromEntries(Object.entries(defaults).filter(([name]) => !ownNames.has(name.toLowerCase()))),
    ...own,
  };
};

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
    /**
     * What every step's request gets unless the step says otherwise: headers (e.g. a signature
     * over `requestBody`) and per-request vars (a nonce, a timestamp), merged under each step's own.
     */
    request: z
      .strictObject({
        headers: z.record(z.string(), z.string()).default({}),
        vars: z.record(variableName, z.unknown()).default({}),
      })
      .optional(),
    /** The business envelope every step's response has (a step can override it or set `envelope: false`). */
    envelope: envelopeSchema.optional(),
    /** Gives the probe a transmission sequence number `seq` on stream `stream` (see SequenceSource). */
    sequence: sequenceSchema.optional(),
    /** Names of vars or captures whose values results must show only as short hashes. */
    sensitive: z.array(variableName).default([]),
    steps: z.array(stepSchema).min(1, { error: 'must have at least one step' }),
  })
  .transform(({ request, ...probe }) =>
    request
      ? {
          ...probe,
          steps: probe.steps.map((step) => ({
            ...step,
            vars: { ...request.vars, ...step.vars },
            headers: mergeHeaders(request.headers, step.headers),
          })),
        }
      : probe,
  )
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
        } else if (root === 'siteVars') {
          if (!field) problems.push({ path, message: 'siteVars needs a name, e.g. siteVars.appId' });
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
    // A step's own vars (a fresh nonce and timestamp per request) exist for this step only.
    const stepVars = new Set(vars);
    for (const [name, value] of Object.entries(step.vars)) {
      check(value, at('vars', name), available, stepVars, true);
      stepVars.add(name);
    }
    check(step.path, at('path'), available, stepVars, true);
    check(step.body, at('body'), available, stepVars, true);
    const withBody = new Set([...available, REQUEST_BODY]);
    for (const [header, value] of Object.entries(step.headers))
      check(value, at('headers', header), withBody, stepVars, true);
    // This step's assertions may also use what it captures; its request may not.
    const own = new Set(available);
    for (const [name, capture] of Object.entries(step.capture)) {
      if (typeof capture !== 'string') check(capture.from, at('capture', name, 'from'), own, stepVars, true);
      if (RESERVED_NAMES.has(name))
        problems.push({ path: at('capture', name), message: `"${name}" is a built-in variable: pick another name` });
      own.add(name);
    }
    const assertions: [JsonAssertion, (string | number)[]][] = [
      ...step.gate.map((assertion, position): [JsonAssertion, (string | number)[]] => [
        assertion,
        at('gate', position),
      ]),
      ...step.expect.json.map((assertion, position): [JsonAssertion, (string | number)[]] => [
        assertion,
        at('expect', 'json', position),
      ]),
      ...(step.retry ? [[step.retry.until, at('retry', 'until')] as [JsonAssertion, (string | number)[]]] : []),
    ];
    for (const [assertion, path] of assertions)
      for (const field of OPERAND_FIELDS) check(assertion[field], [...path, field], own, stepVars, true);
    step.expect.headers.forEach((assertion, position) =>
      check(assertion.equals, at('expect', 'headers', position, 'equals'), own, stepVars, true),
    );
    for (const name of own) available.add(name);
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
export const needsJson = (step: ProbeStep, envelope: Envelope | undefined): boolean =>
  envelope !== undefined ||
  step.gate.length > 0 ||
  step.expect.json.length > 0 ||
  step.retry !== undefined ||
  Object.values(step.capture).some((capture) => typeof capture === 'string');

/** The envelope a step's response is read with: its own, none (`false`), or the probe's. */
export const stepEnvelope = (probe: Pick<ProbeDefinition, 'envelope'>, step: ProbeStep): Envelope | undefined =>
  step.envelope === false ? undefined : (step.envelope ?? probe.envelope);
