// Presets: the probes hcguard ships, by name, so a JSON config can use them as a `.ts` config
// calls the functions in ./builtin.ts. `{ "preset": "provisioned-code-verification",
// "goodCodeSecret": "goodCode", "expectedVerdict": "green" }` is the same probe as
// `provisionedCodeVerificationProbe({ goodCodeSecret: 'goodCode', expectedVerdict: 'green' })`.
import * as z from 'zod';
import { nonEmptyText, slug } from '../config-rules.ts';
import { PROBE_PRESETS } from './builtin.ts';
import { probeSchema } from './schema.ts';

const secretName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, { error: 'must name a secret declared under secrets' });

const presetSchema = z.discriminatedUnion(
  'preset',
  [
    z.strictObject({ preset: z.literal('collection') }),
    z.strictObject({ preset: z.literal('transmission') }),
    z.strictObject({ preset: z.literal('verification') }),
    z.strictObject({
      preset: z.literal('provisioned-code-verification'),
      id: slug('probe id').optional(),
      goodCodeSecret: secretName,
      expectedVerdict: nonEmptyText(100),
      revokedCodeSecret: secretName.optional(),
      verifyPath: nonEmptyText(2000).optional(),
    }),
  ],
  { error: `preset must be one of ${Object.keys(PROBE_PRESETS).join(', ')}` },
);

/** A probe definition, or a preset expanded into one before it is checked like any other. */
export const probeEntrySchema = z.preprocess((value, ctx) => {
  if (value === null || typeof value !== 'object' || !('preset' in value)) return value;
  const parsed = presetSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: value });
    return z.NEVER;
  }
  const { preset, ...options } = parsed.data;
  return preset === 'provisioned-code-verification'
    ? PROBE_PRESETS[preset](options as Parameters<(typeof PROBE_PRESETS)[typeof preset]>[0])
    : PROBE_PRESETS[preset]();
}, probeSchema);
