// The words hcguard speaks in (see ARCHITECTURE.md): sites, stages, severities, outcomes,
// failure classes, actors. Plain data only, so values cross ports, DynamoDB and JSON unchanged.

export const SITES = ['primary', 'backup'] as const;
export type Site = (typeof SITES)[number];

export const STAGES = ['collection', 'transmission', 'verification'] as const;
export type Stage = (typeof STAGES)[number];

/** SEV1 is the most serious: citizens cannot be verified, or a security breach. */
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const OUTCOMES = ['ok', 'degraded', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Why a probe failed. `rejected`: the platform refused the request with a business error (its
 * envelope code or a gate); `unavailable`: it said it cannot serve now ("system busy").
 * `stream-reset`: the platform's transmission stream started again (a new epoch); not a failure
 * of a probe, but a finding of its own.
 * `aborted` means the prober itself ran out of time (the Lambda deadline),
 * so it says nothing about the platform and evaluation ignores it.
 */
export const FAILURE_CLASSES = [
  'timeout',
  'connect',
  'tls',
  'redirect',
  'status',
  'assertion',
  'integrity',
  'wrong-verdict',
  'malformed',
  'too-large',
  'rejected',
  'unavailable',
  'stream-reset',
  'aborted',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

export const otherSite = (site: Site): Site => (site === 'primary' ? 'backup' : 'primary');

export const targetKey = (site: Site, stage: Stage): string => `${site}#${stage}`;

/** `primary/verification` → its site and stage; undefined for anything else. */
export const parseTargetName = (text: string): { readonly site: Site; readonly stage: Stage } | undefined => {
  const [site, stage, ...rest] = text.split('/');
  const isSite = (SITES as readonly string[]).includes(site ?? '');
  const isStage = (STAGES as readonly string[]).includes(stage ?? '');
  return isSite && isStage && rest.length === 0 ? { site: site as Site, stage: stage as Stage } : undefined;
};

/** Ways the sandbox (or a real platform's fault hook) can be broken on purpose. */
export const FAULT_MODES = [
  'error',
  'latency',
  'hang',
  'reset',
  'tamper',
  'wrong-verdict',
  'accept-all',
  'drop-writes',
  'stale-replica',
  'malformed',
  'huge-body',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** Who or what caused a change: the controller, an operator, or a drill. */
export type Actor = `controller` | `operator:${string}` | `drill:${string}`;

/** What an operator command may name as its actor (the controller acts only on its own). */
export const ACTOR_PATTERN = /^(operator|drill):[^\s]{1,200}$/;
