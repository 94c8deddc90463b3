// Health codes the sandbox issues: `HC1.<claims>.<signature>`, base64url, signed with Ed25519.
// A checkpoint verifier needs only the public key (GET /verification/keys) to check a code
// offline; the platform additionally looks the code up to catch revocations.
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import * as z from 'zod';

export const VERDICTS = ['green', 'yellow', 'red'] as const;
export type Verdict = (typeof VERDICTS)[number];

const PREFIX = 'HC1';

const claimsSchema = z.object({
  v: z.literal(1),
  /** Code id: the registry key, used for revocation. */
  cid: z.string().min(1).max(64),
  sub: z.string().min(1).max(64),
  col: z.enum(VERDICTS),
  /** Issued at / expires at, epoch seconds. */
  iat: z.number().int(),
  exp: z.number().int(),
  test: z.boolean().optional(),
});
export type CodeClaims = z.infer<typeof claimsSchema>;

export interface CodeSigner {
  readonly keyId: string;
  issue(claims: CodeClaims): string;
  check(code: string): { claims: CodeClaims } | { problem: 'malformed-code' | 'bad-signature' };
  publicKeyPem(): string;
}

export const createCodeSigner = (privateKey?: KeyObject): CodeSigner => {
  const key = privateKey ?? generateKeyPairSync('ed25519').privateKey;
  const publicKey = createPublicKey(key);
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = Buffer.from(publicKey.export({ type: 'spki', format: 'der' }))
    .toString('base64url')
    .slice(-12);
  return {
    keyId,
    issue: (claims) => {
      const body = `${PREFIX}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return `${body}.${sign(null, Buffer.from(body), key).toString('base64url')}`;
    },
    check: (code) => {
      const parts = code.split('.');
      if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) return { problem: 'malformed-code' };
      const body = `${parts[0]}.${parts[1]}`;
      let signatureValid: boolean;
      try {
        signatureValid = verify(null, Buffer.from(body), publicKey, Buffer.from(parts[2], 'base64url'));
      } catch {
        return { problem: 'malformed-code' };
      }
      if (!signatureValid) return { problem: 'bad-signature' };
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      } catch {
        return { problem: 'malformed-code' };
      }
      const parsed = claimsSchema.safeParse(claims);
      return parsed.success ? { claims: parsed.data } : { problem: 'malformed-code' };
    },
    publicKeyPem: () => pem,
  };
};

/** The colour a checkpoint shows, from the subject's latest declaration. */
export const verdictFor = (declaration: { temperature: number; symptoms: readonly string[] } | undefined): Verdict => {
  if (!declaration) return 'green';
  const fever = declaration.temperature >= 37.3;
  const symptoms = declaration.symptoms.length > 0;
  if (fever && symptoms) return 'red';
  if (fever || symptoms) return 'yellow';
  return 'green';
};

/** What a `wrong-verdict` verifier answers instead. */
export const wrongVerdict = (verdict: Verdict): Verdict => (verdict === 'green' ? 'red' : 'green');
