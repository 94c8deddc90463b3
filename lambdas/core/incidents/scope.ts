// Facts the incident rules share: which site serves traffic (as it was before an unannounced
// switch), which stage a record follows, which drill an incident belongs to.
import type { DrillScope } from '../drill/model.ts';
import { normalizeRecordName } from '../model/routing.ts';
import type { Site, Stage } from '../model/vocabulary.ts';
import { servesTraffic, type RoutingView } from '../severity.ts';
import type { IncidentInput } from './types.ts';

/** The drill an incident about this site and stage belongs to, if any. */
export const drillIdFor = (
  drill: DrillScope | undefined,
  where: { readonly site?: Site; readonly stage?: Stage },
): string | undefined => {
  if (!drill) return undefined;
  if (!drill.targets) return drill.drillId;
  const concerned = drill.targets.some((target) => {
    const [site, stage] = target.split('#');
    return (where.site === undefined || where.site === site) && (where.stage === undefined || where.stage === stage);
  });
  return concerned ? drill.drillId : undefined;
};

export const recordStage = (input: Pick<IncidentInput, 'policy'>, name: string): Stage | undefined =>
  input.policy.records.find((record) => normalizeRecordName(record.name) === normalizeRecordName(name))?.stage;

/**
 * Whether a site serves traffic for a stage. Until a switch is announced, the site traffic left is
 * judged as serving too: the failure that moved traffic is as serious as when it was found, even
 * when the round that switched could not write its incident.
 */
export const servingJudge = (input: Pick<IncidentInput, 'policy' | 'routing' | 'unannounced'>) => {
  const records = input.policy.records;
  const before: RoutingView[] = input.routing.map((state) => {
    const left = input.unannounced.find((change) => normalizeRecordName(change.record) === state.record);
    return left ? { record: state.record, activeSite: left.from } : state;
  });
  return (site: Site, stage: Stage): boolean =>
    servesTraffic(site, stage, records, input.routing) || servesTraffic(site, stage, records, before);
};
