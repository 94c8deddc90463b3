// How serious a finding is, in health-code terms. The first matching rule of
// `config.severity.rules` wins (DEFAULT_SEVERITY_RULES in ./config/sections.ts documents the default:
// wrong verdicts and verification failing where citizens are served are SEV1, broken integrity
// and a broken standby SEV2, data drift and slowness SEV3). Findings that are not about one
// probe (no healthy site, cannot fail over, recoveries) take the levels in `severity.fixed`.
import { normalizeRecordName } from './model/routing.ts';
import type { HcguardConfig } from './config/schema.ts';
import type { SeverityRule } from './config/sections.ts';
import { SEVERITIES, type FailureClass, type Severity, type Site, type Stage } from './model/vocabulary.ts';

export interface SeverityInput {
  readonly stage: Stage;
  readonly failureClass?: FailureClass;
  readonly outcome: 'degraded' | 'failed';
  /** The site serves traffic for a record that follows this stage (see `servesTraffic`). */
  readonly serving: boolean;
}

export interface SeverityDecision {
  readonly severity: Severity;
  readonly reason: string;
  /** Index of the rule that matched; undefined when none did. */
  readonly rule?: number;
}

/**
 * When no rule matches (a config whose rules leave a gap), the finding still reaches people:
 * SEV2 is the level of "a stage is failing" in the default rules.
 */
export const UNMATCHED_SEVERITY: SeverityDecision = {
  severity: 'SEV2',
  reason: 'no severity rule matched this finding',
};

export const ruleMatches = (rule: SeverityRule, input: SeverityInput): boolean => {
  const when = rule.when;
  if (when.stage !== undefined && when.stage !== input.stage) return false;
  if (when.outcome !== undefined && when.outcome !== input.outcome) return false;
  if (when.serving !== undefined && when.serving !== input.serving) return false;
  if (
    when.failureClass !== undefined &&
    (input.failureClass === undefined || !when.failureClass.includes(input.failureClass))
  )
    return false;
  return true;
};

export const severityFor = (input: SeverityInput, rules: readonly SeverityRule[]): SeverityDecision => {
  const index = rules.findIndex((rule) => ruleMatches(rule, input));
  const rule = rules[index];
  return rule ? { severity: rule.severity, reason: rule.reason, rule: index } : UNMATCHED_SEVERITY;
};

/** 0 for SEV1 (most serious) … 3 for SEV4. */
export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

export const isMoreSerious = (a: Severity, b: Severity): boolean => severityRank(a) < severityRank(b);

/** One level more serious; SEV1 stays SEV1. */
export const raiseSeverity = (severity: Severity): Severity =>
  SEVERITIES[Math.max(0, severityRank(severity) - 1)] ?? 'SEV1';

export interface RoutingView {
  readonly record: string;
  readonly activeSite: Site;
}

/**
 * Whether `site` serves traffic for `stage`: some managed record following the stage points at
 * it. A stage no record follows is served wherever the records point (the site citizens use).
 * A record with no routing state yet points at the primary, as the config creates it.
 */
export const servesTraffic = (
  site: Site,
  stage: Stage,
  records: readonly Pick<HcguardConfig['records'][number], 'name' | 'stage'>[],
  routing: readonly RoutingView[],
): boolean => {
  const activeSite = (name: string): Site =>
    routing.find((state) => state.record === normalizeRecordName(name))?.activeSite ?? 'primary';
  const following = records.filter((record) => record.stage === stage);
  return (following.length > 0 ? following : records).some((record) => activeSite(record.name) === site);
};
