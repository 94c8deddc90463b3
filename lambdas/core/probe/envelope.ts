// Reading a platform's business envelope (`{code, msg, data}` on HTTP 200): whether the request
// was served, refused as this step expects, or refused with a class of its own. A refusal is not
// judged further, so a busy verifier reads as `unavailable`, never as a wrong verdict.
import { ENVELOPE_PASS, type Envelope } from './assertion-schema.ts';
import type { Finding } from './assertions.ts';
import { queryJson } from './jsonpath.ts';
import type { Redactor } from './redact.ts';

/** The platform's own message is shown up to this many characters (after redaction). */
const MAX_PLATFORM_MESSAGE = 100;

export type EnvelopeVerdict =
  | { readonly kind: 'served' }
  /** The refusal this step expects (e.g. a forged code refused with 40301): the step passes unjudged. */
  | { readonly kind: 'expected-refusal'; readonly code: string }
  | { readonly kind: 'refused'; readonly finding: Finding };

// eslint-disable-next-line no-control-regex -- control characters in a platform's message would break a log line
const CONTROL = /[\u0000-\u001f\u007f]+/g;

const SERVED: EnvelopeVerdict = Object.freeze({ kind: 'served' });

const codeText = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

/** The platform's message as one safe line: redacted, control characters removed, shortened. */
const platformMessage = (value: unknown, redactor: Redactor): string | undefined => {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const line = redactor.text(value).replace(CONTROL, ' ').trim();
  return line.length > MAX_PLATFORM_MESSAGE ? `${line.slice(0, MAX_PLATFORM_MESSAGE - 1)}…` : line;
};

export const judgeEnvelope = (envelope: Envelope, json: unknown, redactor: Redactor): EnvelopeVerdict => {
  const found = queryJson(json, envelope.code);
  const code = found.found ? codeText(found.value) : undefined;
  if (code === undefined)
    return {
      kind: 'refused',
      finding: {
        failureClass: 'malformed',
        assertion: `envelope ${envelope.code}`,
        expected: 'a business code',
        actual: found.found ? 'not a code' : '(absent)',
        message: `the response has no business code at ${envelope.code}`,
      },
    };
  if (envelope.ok.some((ok) => String(ok) === code)) return SERVED;
  const meaning = Object.hasOwn(envelope.codes, code) ? envelope.codes[code] : undefined;
  if (meaning === ENVELOPE_PASS) return { kind: 'expected-refusal', code };
  const failureClass = meaning ?? envelope.otherwise;
  const shownCode = redactor.text(code).slice(0, 40);
  const said = envelope.message ? platformMessage(queryJson(json, envelope.message).value, redactor) : undefined;
  const words = failureClass === 'unavailable' ? 'the platform cannot serve now' : 'the platform refused the request';
  return {
    kind: 'refused',
    finding: {
      failureClass,
      assertion: `envelope ${envelope.code}`,
      expected: envelope.ok.map(String).join(' or '),
      actual: shownCode,
      message: `${words}: code ${shownCode}${said ? ` (${said})` : ''}`,
    },
  };
};
