// The commands an operator gives (`hcguard failover|failback|lock|unlock|ack`), as data: the
// CLI runs them in-process against the local runtime or an emulator, and against AWS it invokes
// the operator Lambda with the same JSON (app/operator-api.ts routes it here), so the operator
// role itself writes nothing to the table.
import * as z from 'zod';
import type { HcguardConfig } from '../core/config/schema.ts';
import { describeIssues } from '../core/config/problems.ts';
import { actorId, nonEmptyText } from '../core/config-rules.ts';
import { clearFlapHold } from '../core/holds.ts';
import { acknowledgeReply } from '../core/incidents/acknowledge.ts';
import { normalizeIncidentId } from '../core/incidents/ids.ts';
import { errorText, NotFoundError, VersionConflictError } from '../core/errors.ts';
import { parseTargetName, SITES, STAGES } from '../core/model/vocabulary.ts';
import type { RoutingLock } from '../core/model/routing.ts';
import type { FailoverService } from './failover.ts';
import type { OperatorRecordResult } from '../core/routing/operator.ts';
import type { AuditLog, Clock, StateStore } from '../ports.ts';

const recordName = z.string().min(1).max(253).optional();

export const OPERATOR_COMMANDS = ['failover', 'failback', 'lock', 'unlock', 'ack', 'hold-clear'] as const;
const OPERATOR_COMMAND_LIST = OPERATOR_COMMANDS.join(', ');

export const operatorCommandSchema = z.discriminatedUnion(
  'command',
  [
    z.strictObject({
      command: z.literal('failover'),
      to: z.enum(SITES, { error: `must be one of: ${SITES.join(', ')}` }),
      /** Recorded in the audit log, the routing item and the Route 53 change comment. */
      reason: nonEmptyText(500),
      /** Override pre-flight and dwell; the overridden checks are recorded with the reason. */
      force: z.boolean().default(false),
      record: recordName,
      actor: actorId(),
    }),
    z.strictObject({ command: z.literal('failback'), record: recordName, actor: actorId() }),
    z.strictObject({ command: z.literal('lock'), reason: nonEmptyText(500), actor: actorId() }),
    z.strictObject({ command: z.literal('unlock'), actor: actorId() }),
    z.strictObject({
      command: z.literal('hold-clear'),
      /** `<site>/<stage>`, e.g. primary/verification. */
      target: z.string().refine((text) => parseTargetName(text) !== undefined, {
        message: `must be <site>/<stage>: ${SITES.join('|')} / ${STAGES.join('|')}`,
      }),
      reason: nonEmptyText(500),
      actor: actorId(),
    }),
    z.strictObject({
      command: z.literal('ack'),
      incidentId: z.string().transform((text, context) => {
        const id = normalizeIncidentId(text);
        if (!id) context.addIssue({ code: 'custom', message: 'must be an incident id such as INC-7K3QZ2M' });
        return id ?? text;
      }),
      actor: actorId(),
    }),
  ],
  { error: `command must be one of: ${OPERATOR_COMMAND_LIST}` },
);
export type OperatorCommand = z.infer<typeof operatorCommandSchema>;
export type OperatorCommandInput = z.input<typeof operatorCommandSchema>;

/** True for payloads meant for executeOperatorCommand (the operator handler routes on it). */
export const isOperatorCommand = (payload: unknown): boolean =>
  typeof payload === 'object' &&
  payload !== null &&
  (OPERATOR_COMMANDS as readonly unknown[]).includes((payload as { command?: unknown }).command);

export interface OperatorServices {
  readonly failover: FailoverService;
  /** Target states as last evaluated (manual pre-flight reads them), and acknowledgements. */
  readonly store: Pick<StateStore, 'loadTargets' | 'saveTargets' | 'acknowledge'>;
  /** The detection policy a hold is judged by (`hcguard hold clear`). */
  readonly config: { readonly detection: Pick<HcguardConfig['detection'], 'flap'> };
  readonly auditLog: Pick<AuditLog, 'append'>;
  readonly clock: Clock;
}

export interface OperatorCommandResult {
  readonly command: OperatorCommand['command'];
  /** False when the command was refused or failed: the CLI prints `message` and exits 1. */
  readonly ok: boolean;
  /** Lines for the operator. */
  readonly message: string;
  readonly records?: readonly OperatorRecordResult[];
  readonly lock?: RoutingLock;
}

export class InvalidOperatorCommand extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid operator command:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'InvalidOperatorCommand';
  }
}

export const parseOperatorCommand = (payload: unknown): OperatorCommand => {
  const parsed = operatorCommandSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new InvalidOperatorCommand(
    describeIssues(parsed.error.issues, payload).map((problem) => `${problem.path || '(command)'}: ${problem.rule}`),
  );
};

/** Validates and runs one command; refusals come back as `ok: false`, never as exceptions. */
export const executeOperatorCommand = async (
  payload: unknown,
  services: OperatorServices,
  signal?: AbortSignal,
): Promise<OperatorCommandResult> => {
  const command = parseOperatorCommand(payload);
  const common = { actor: command.actor, ...(signal ? { signal } : {}) };
  switch (command.command) {
    case 'failover': {
      const targets = await services.store.loadTargets(signal);
      const records = await services.failover.failover({
        ...common,
        to: command.to,
        reason: command.reason,
        force: command.force,
        targets,
        ...(command.record ? { record: command.record } : {}),
      });
      return recordsResult('failover', records);
    }
    case 'failback': {
      const targets = await services.store.loadTargets(signal);
      const records = await services.failover.failback({
        ...common,
        targets,
        ...(command.record ? { record: command.record } : {}),
      });
      return recordsResult('failback', records);
    }
    case 'lock':
      return lockResult('lock', await services.failover.lock({ ...common, reason: command.reason }));
    case 'unlock':
      return lockResult('unlock', await services.failover.unlock(common));
    case 'ack':
      return acknowledge(command.incidentId, command.actor, services, signal);
    case 'hold-clear':
      return clearHold(command, services, signal);
  }
};

/** A conflict means a round moved the target meanwhile: the operator looks again and retries. */
const clearHold = async (
  command: Extract<OperatorCommand, { command: 'hold-clear' }>,
  services: OperatorServices,
  signal?: AbortSignal,
): Promise<OperatorCommandResult> => {
  const targets = await services.store.loadTargets(signal);
  const where = parseTargetName(command.target) as NonNullable<ReturnType<typeof parseTargetName>>;
  const target = targets.find((candidate) => candidate.site === where.site && candidate.stage === where.stage);
  const decision = clearFlapHold(target, where, command, services.config.detection, services.clock.now());
  if (!decision.ok) return { command: 'hold-clear', ok: false, message: decision.message };
  try {
    await services.store.saveTargets([decision.write], signal);
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    return {
      command: 'hold-clear',
      ok: false,
      message: `${command.target} changed while clearing (a probe round ran): nothing cleared, run it again`,
    };
  }
  try {
    await services.auditLog.append(decision.audit, signal);
  } catch (error) {
    return {
      command: 'hold-clear',
      ok: false,
      message: `${decision.message}\ncleared, but the audit entry could not be written: ${errorText(error)}`,
    };
  }
  return { command: 'hold-clear', ok: true, message: decision.message };
};

/** The store acknowledges, the core words the reply; the audit entry follows, and its failure is said. */
const acknowledge = async (
  id: string,
  actor: OperatorCommand['actor'],
  services: OperatorServices,
  signal?: AbortSignal,
): Promise<OperatorCommandResult> => {
  const at = services.clock.now();
  const outcome = await services.store.acknowledge(id, actor, at, signal).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const reply = acknowledgeReply(id, actor, at, outcome);
  try {
    if (reply.audit) await services.auditLog.append(reply.audit, signal);
  } catch (error) {
    return {
      command: 'ack',
      ok: false,
      message: `${reply.message}\nacknowledged, but the audit entry could not be written: ${errorText(error)}`,
    };
  }
  return { command: 'ack', ok: reply.ok, message: reply.message };
};

const lockResult = (
  command: 'lock' | 'unlock',
  result: { readonly ok: boolean; readonly message: string; readonly lock?: RoutingLock },
): OperatorCommandResult => ({
  command,
  ok: result.ok,
  message: result.message,
  ...(result.lock ? { lock: result.lock } : {}),
});

/** Padded so the messages line up under each other. */
const RESULT_WORDS: Readonly<Record<OperatorRecordResult['result'], string>> = {
  switched: 'switched',
  refused: 'refused ',
  failed: 'FAILED  ',
};

const recordsResult = (
  command: 'failover' | 'failback',
  records: readonly OperatorRecordResult[],
): OperatorCommandResult => ({
  command,
  ok: records.length > 0 && records.every((record) => record.result === 'switched'),
  message: records.map((record) => `${RESULT_WORDS[record.result]} ${record.message}`).join('\n'),
  records,
});
