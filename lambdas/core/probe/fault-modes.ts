// The ways a platform can be broken on purpose, where each applies, and how the built-in probes
// must see each one. The sandbox, `hcguard fault`, the fault hook and drills all validate with
// this, and the fault-matrix test holds the probes to the detection table.
import * as z from 'zod';
import { intBetween, oneOf } from '../config-rules.ts';
import {
  FAULT_MODES,
  SITES,
  STAGES,
  type FailureClass,
  type FaultMode,
  type Outcome,
  type Stage,
} from '../model/vocabulary.ts';

/** Added delay of a `latency` fault when none is given: slow enough to degrade a probe, not to fail it. */
export const DEFAULT_FAULT_LATENCY_MS = 800;

export const FAULT_MODE_DESCRIPTIONS: Readonly<Record<FaultMode, string>> = {
  error: 'answers 503 Service Unavailable',
  latency: 'delays every answer (latencyMs, default 800 ms)',
  hang: 'accepts the request and never answers',
  reset: 'resets the connection (TCP RST)',
  tamper: 'alters data: stored declarations, transmitted payloads and receipts, issued codes',
  'wrong-verdict': 'the verifier answers the wrong colour for valid codes',
  'accept-all': 'the verifier accepts any code, forged or revoked',
  'drop-writes': 'acknowledges writes but does not store them (silent data loss)',
  'stale-replica': 'reads return data as it was when the fault began',
  malformed: 'answers 200 with broken JSON',
  'huge-body': 'answers 200 with a body of many megabytes',
};

const VERIFICATION_ONLY: readonly FaultMode[] = ['wrong-verdict', 'accept-all'];

export const faultStages = (mode: FaultMode): readonly Stage[] =>
  VERIFICATION_ONLY.includes(mode) ? ['verification'] : STAGES;

export const faultApplies = (mode: FaultMode, stage: Stage): boolean => faultStages(mode).includes(stage);

/** The longest a fault may stay injected: a week. */
export const MAX_FAULT_MS = 7 * 24 * 3_600_000;

export const faultSpecSchema = z
  .strictObject({
    site: oneOf(SITES),
    stage: oneOf(STAGES),
    mode: oneOf(FAULT_MODES),
    /** For `latency`: the added delay. */
    latencyMs: intBetween(1, 600_000).optional(),
    /** Cleared automatically after this long. */
    forMs: intBetween(1, MAX_FAULT_MS).optional(),
  })
  .superRefine((spec, ctx) => {
    if (!faultApplies(spec.mode, spec.stage)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: `${spec.mode} applies to ${faultStages(spec.mode).join(', ')} only`,
      });
    }
    if (spec.latencyMs !== undefined && spec.mode !== 'latency') {
      ctx.addIssue({ code: 'custom', path: ['latencyMs'], message: 'is for the latency mode only' });
    }
  });
export type ValidFaultSpec = z.infer<typeof faultSpecSchema>;

/** Validates a fault from any source; the problems read `field: rule`. */
export const parseFaultSpec = (input: unknown): { spec: ValidFaultSpec } | { problems: string[] } => {
  const parsed = faultSpecSchema.safeParse(input);
  if (parsed.success) return { spec: parsed.data };
  return { problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'fault'}: ${issue.message}`) };
};

export interface ExpectedDetection {
  readonly outcome: Exclude<Outcome, 'ok'>;
  readonly failureClass?: FailureClass;
}

const transportDetections: Readonly<Partial<Record<FaultMode, ExpectedDetection>>> = {
  error: { outcome: 'failed', failureClass: 'status' },
  latency: { outcome: 'degraded' },
  hang: { outcome: 'failed', failureClass: 'timeout' },
  reset: { outcome: 'failed', failureClass: 'connect' },
  malformed: { outcome: 'failed', failureClass: 'malformed' },
  'huge-body': { outcome: 'failed', failureClass: 'too-large' },
};

const dataFailureClass: Readonly<Record<Stage, FailureClass>> = {
  collection: 'assertion',
  transmission: 'integrity',
  verification: 'wrong-verdict',
};

/**
 * How the built-in probe of `stage` sees `mode` with the default latency: the contract the
 * fault-matrix test checks. Data faults read as the stage's meaning failure: a drifted or lost
 * declaration (`assertion`), a tampered or lost record (`integrity`), a wrong answer at the
 * checkpoint (`wrong-verdict`).
 */
export const expectedDetection = (mode: FaultMode, stage: Stage): ExpectedDetection | undefined => {
  if (!faultApplies(mode, stage)) return undefined;
  return transportDetections[mode] ?? { outcome: 'failed', failureClass: dataFailureClass[stage] };
};
