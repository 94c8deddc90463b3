// The built-in stage probes: the default of `config.probes`. They are written against the
// sandbox platform's API (local/sandbox), which is shaped like a real health-code
// platform's; to guard a real one, copy these definitions into hcguard.config.ts and change the
// paths, bodies and JSONPaths — no code changes. Every step's timeout is short enough that a
// whole probe fits in the default 5 s round (the config check enforces it).
import type { ProbeDefinitionInput, SecretRef } from './schema.ts';

/** Every step of a built-in probe gives up after this long; three steps fit a 5 s interval. */
export const BUILTIN_STEP_TIMEOUT_MS = 1_500;

/** The HMAC key the transmission probe signs records with, shared with the platform. */
export const TRANSMISSION_KEY_SECRET = 'transmissionKey';
export const TRANSMISSION_KEY_ENV = 'HCGUARD_TRANSMISSION_KEY';

/** The secrets the built-in probes use: the default of `config.secrets`. */
export const builtinSecrets = (): Record<string, SecretRef> => ({
  [TRANSMISSION_KEY_SECRET]: { env: TRANSMISSION_KEY_ENV },
});

/**
 * Collection: submit a synthetic declaration (flagged as test data), read it back, compare
 * every field. A lost declaration or a drifted field is an `assertion` failure naming the field.
 */
export const collectionProbe = (): ProbeDefinitionInput => ({
  id: 'collection',
  stage: 'collection',
  description: 'submits a synthetic declaration, reads it back and compares every field',
  vars: {
    requestId: '{{ uuid() }}',
    temperature: 36.6,
    symptoms: [],
    travel: ['Hangzhou'],
    declaredAt: '{{ now() }}',
  },
  steps: [
    {
      name: 'submit',
      method: 'POST',
      path: '/declarations',
      timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
      body: {
        requestId: '{{ vars.requestId }}',
        subjectId: '{{ identity.id }}',
        name: '{{ identity.name }}',
        phone: '{{ identity.phone }}',
        temperature: '{{ vars.temperature }}',
        symptoms: '{{ vars.symptoms }}',
        travel: '{{ vars.travel }}',
        declaredAt: '{{ vars.declaredAt }}',
        testData: true,
      },
      capture: { declarationId: '$.id' },
      expect: { status: [200, 201] },
    },
    {
      name: 'read-back',
      path: '/declarations/{{ urlencode(declarationId) }}',
      timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
      expect: {
        // 404 is judged by the first assertion, so a lost declaration reads as what it is.
        status: [200, 404],
        json: [
          { path: '$.id', exists: true, label: 'stored declaration' },
          { path: '$.subjectId', equals: '{{ identity.id }}', label: 'subjectId', sensitive: true },
          { path: '$.name', equals: '{{ identity.name }}', label: 'name', sensitive: true },
          { path: '$.phone', equals: '{{ identity.phone }}', label: 'phone', sensitive: true },
          { path: '$.temperature', equals: '{{ vars.temperature }}', label: 'temperature' },
          { path: '$.symptoms', equals: '{{ vars.symptoms }}', label: 'symptoms' },
          { path: '$.travel', equals: '{{ vars.travel }}', label: 'travel' },
          { path: '$.declaredAt', equals: '{{ vars.declaredAt }}', label: 'declaredAt' },
          { path: '$.testData', equals: true, label: 'testData flag' },
        ],
      },
    },
  ],
});

/**
 * Transmission: send a record with a sequence number and an HMAC; the receipt's SHA-256 must be
 * the hash of what was sent (else `integrity`: tampering), and the stream must hold this round's
 * record and the previous round's (else `integrity`: loss).
 */
export const transmissionProbe = (): ProbeDefinitionInput => ({
  id: 'transmission',
  stage: 'transmission',
  description: 'sends a sequenced, HMAC-signed record; checks the receipt hash and that no record is missing',
  // A restarted platform has a new stream epoch: a reset to report, not records lost.
  sequence: { stream: 'hcguard-probe-{{ site }}', commitAfter: 'send', epoch: '$.receipt.epoch' },
  vars: {
    payload:
      '{"kind":"hcguard-probe-record","testData":true,"subject":"{{ identity.id ' +
      '}}","sequence":{{ seq }},"nonce":"{{ nonce() }}","sentAt":"{{ now() }}"}',
  },
  steps: [
    {
      name: 'send',
      method: 'POST',
      path: '/streams/{{ urlencode(stream) }}/records',
      timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
      body: {
        sequence: '{{ seq }}',
        payload: '{{ vars.payload }}',
        // The platform recomputes this over "<stream>:<sequence>:<payload>" with the shared key.
        hmac: `{{ hmac(secret.${TRANSMISSION_KEY_SECRET}, concat(stream, ":", seq, ":", vars.payload)) }}`,
        testData: true,
      },
      expect: {
        status: [200, 201],
        json: [
          {
            path: '$.receipt.sha256',
            equals: '{{ sha256(vars.payload) }}',
            failureClass: 'integrity',
            label: 'receipt hash (tampering)',
          },
          { path: '$.receipt.sequence', equals: '{{ seq }}', failureClass: 'integrity', label: 'receipt sequence' },
        ],
      },
    },
    {
      name: 'check-stream',
      path: '/streams/{{ urlencode(stream) }}?from={{ streamFrom }}&to={{ seq }}',
      timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
      expect: {
        status: [200],
        json: [
          { path: '$.missing', equals: [], failureClass: 'integrity', label: 'records missing from the stream (loss)' },
        ],
      },
    },
  ],
});

/**
 * Verification: issue a code for the synthetic subject, verify it (it must be accepted with the
 * expected verdict), then verify a forged copy (it must be refused). A verifier that accepts a
 * forged code, or gives a wrong colour, fails as `wrong-verdict`.
 */
export const verificationProbe = (): ProbeDefinitionInput => ({
  id: 'verification',
  stage: 'verification',
  description: 'issues a code for a synthetic subject, verifies it, and checks a forged copy is refused',
  vars: { expectedVerdict: 'green' },
  sensitive: ['code'],
  steps: [
    {
      name: 'issue',
      method: 'POST',
      path: '/codes',
      timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
      body: { subjectId: '{{ identity.id }}', testData: true },
      capture: { code: '$.code' },
      expect: { status: [200, 201] },
    },
    {
      name: 'verify',
      method: 'POST',
      path: '/verify',
      timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
      body: { code: '{{ code }}' },
      expect: {
        status: [200],
        json: [
          { path: '$.valid', equals: true, failureClass: 'wrong-verdict', label: 'known-good code accepted' },
          { path: '$.verdict', equals: '{{ vars.expectedVerdict }}', failureClass: 'wrong-verdict', label: 'verdict' },
        ],
      },
    },
    {
      name: 'verify-forged',
      method: 'POST',
      path: '/verify',
      timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
      body: { code: '{{ corrupt(code) }}' },
      expect: {
        status: [200, 400, 401, 403, 422],
        json: [{ path: '$.valid', notEquals: true, failureClass: 'wrong-verdict', label: 'forged code accepted' }],
      },
    },
  ],
});

export interface ProvisionedCodeOptions {
  readonly id?: string;
  /** Secret holding a known-good code issued to a synthetic subject. */
  readonly goodCodeSecret: string;
  /** The verdict that code carries. */
  readonly expectedVerdict: string;
  /** Secret holding a revoked code, when the platform has one. */
  readonly revokedCodeSecret?: string;
  /** Path of the verify call, relative to the verification base URL. */
  readonly verifyPath?: string;
}

/**
 * Verification for platforms without an issuing API: a known-good code provisioned out of band
 * (kept in a secret), a forged copy of it, and optionally a revoked code. Declare the secrets
 * under `secrets` in the config.
 */
export const provisionedCodeVerificationProbe = (options: ProvisionedCodeOptions): ProbeDefinitionInput => {
  const verifyPath = options.verifyPath ?? '/verify';
  const good = `secret.${options.goodCodeSecret}`;
  return {
    id: options.id ?? 'verification',
    stage: 'verification',
    description: 'verifies a provisioned known-good code, a forged copy of it, and a revoked code',
    vars: { expectedVerdict: options.expectedVerdict },
    steps: [
      {
        name: 'verify',
        method: 'POST',
        path: verifyPath,
        timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
        body: { code: `{{ ${good} }}` },
        expect: {
          status: [200],
          json: [
            { path: '$.valid', equals: true, failureClass: 'wrong-verdict', label: 'known-good code accepted' },
            {
              path: '$.verdict',
              equals: '{{ vars.expectedVerdict }}',
              failureClass: 'wrong-verdict',
              label: 'verdict',
            },
          ],
        },
      },
      {
        name: 'verify-forged',
        method: 'POST',
        path: verifyPath,
        timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
        body: { code: `{{ corrupt(${good}) }}` },
        expect: {
          status: [200, 400, 401, 403, 422],
          json: [{ path: '$.valid', notEquals: true, failureClass: 'wrong-verdict', label: 'forged code accepted' }],
        },
      },
      ...(options.revokedCodeSecret
        ? [
            {
              name: 'verify-revoked',
              method: 'POST' as const,
              path: verifyPath,
              timeoutMs: BUILTIN_STEP_TIMEOUT_MS,
              body: { code: `{{ secret.${options.revokedCodeSecret} }}` },
              expect: {
                status: [200, 400, 401, 403, 410, 422],
                json: [
                  {
                    path: '$.valid',
                    notEquals: true,
                    failureClass: 'wrong-verdict' as const,
                    label: 'revoked code refused',
                  },
                ],
              },
            },
          ]
        : []),
    ],
  };
};

/** What a JSON config can write instead of a probe: `{ "preset": "…", …options }`. */
export const PROBE_PRESETS = {
  collection: () => collectionProbe(),
  transmission: () => transmissionProbe(),
  verification: () => verificationProbe(),
  'provisioned-code-verification': (options: ProvisionedCodeOptions) => provisionedCodeVerificationProbe(options),
} as const;

/** The built-in stage probes, written against the sandbox platform's API. */
export const builtinProbes = (): ProbeDefinitionInput[] => [
  collectionProbe(),
  transmissionProbe(),
  verificationProbe(),
];
