// `hcguard audit list` and `hcguard audit verify`: who or what did what, and whether the log is
// still what hcguard wrote (each subject's entries are hash-chained; see core/audit-chain.ts).
import Table from 'cli-table3';
import type { Command } from 'commander';
import type { AuditVerifyReport } from '../../../lambdas/app/audit-verify.ts';
import { formatInstant } from '../../../lambdas/core/alert-message.ts';
import type { StoredAuditEntry } from '../../../lambdas/core/model/audit.ts';
import type { CliContext } from '../context.ts';
import { CommandFailed, UsageError } from '../errors.ts';
import { servicesFor } from '../services.ts';
import { parseSince } from './status.ts';

const detailText = (entry: StoredAuditEntry): string =>
  Object.entries(entry.detail ?? {})
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');

export const formatAuditEntries = (entries: readonly StoredAuditEntry[], timeZone: string): string => {
  if (entries.length === 0) return 'no audit entries in this window\n';
  const table = new Table({
    head: ['at', 'actor', 'action', 'subject', '#', 'detail'],
    style: { head: [], border: [], compact: true },
  });
  for (const entry of entries)
    table.push([
      formatInstant(entry.at, timeZone),
      entry.actor,
      entry.action,
      entry.subject,
      entry.chain ? String(entry.chain.seq) : '-',
      detailText(entry).slice(0, 80),
    ]);
  return `${table.toString()}\n`;
};

export const formatAuditVerification = (report: AuditVerifyReport, timeZone: string): string => {
  const since = report.copiesSince ? ` since ${formatInstant(report.copiesSince, timeZone)}` : '';
  const lines = [
    report.breaks.length === 0
      ? `audit log intact: ${report.subjects} chains, ${report.entries} entries verified; ` +
        `${report.copies} day-log entries${since} match their chains`
      : `audit log BROKEN: ${report.breaks.length} break(s) across ${report.subjects} chains ` +
        `(${report.entries} entries verified before the breaks)`,
  ];
  for (const found of report.breaks) {
    const when = found.at ? ` (${formatInstant(found.at, timeZone)})` : '';
    lines.push(`  ${found.subject} entry ${found.seq}${when}: ${found.reason}`);
  }
  if (report.unchained > 0)
    lines.push(`  ${report.unchained} day-log entries predate chaining and could not be verified`);
  if (report.copiesTruncated)
    lines.push('  only the first day-log entries were compared: narrow the window with --since');
  return `${lines.join('\n')}\n`;
};

export const registerAuditCommands = (program: Command, context: CliContext): void => {
  const audit = program
    .command('audit')
    .description('the audit log: every switch, lock, acknowledgement and drill step');

  audit
    .command('list')
    .description('audit entries in time order, oldest first')
    .option('--since <when>', 'ISO instant or duration back from now (30m, 2h, 7d)', '7d')
    .option('--drill <id>', "only this drill's entries")
    .option('--limit <count>', 'at most this many entries', '200')
    .option('--json', 'print the entries as JSON')
    .action(async (options: { since: string; drill?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${options.limit}"`);
      const since = parseSince(options.since, new Date());
      const services = await servicesFor(context);
      const entries = await services.auditLog.list({
        since,
        limit,
        ...(options.drill ? { drillId: options.drill } : {}),
      });
      context.out(
        options.json ? `${JSON.stringify(entries, null, 2)}\n` : formatAuditEntries(entries, services.config.timeZone),
      );
    });

  audit
    .command('verify')
    .description('walk every hash chain and compare the day log with it (exit 1 at the first break)')
    .option('--since <when>', 'compare day-log entries from here (default: since chaining began)')
    .option('--json', 'print the verification as JSON')
    .action(async (options: { since?: string; json?: boolean }) => {
      const since = options.since === undefined ? undefined : parseSince(options.since, new Date());
      const services = await servicesFor(context);
      const { verifyAuditLog } = await import('../../../lambdas/app/audit-verify.ts');
      const report = await verifyAuditLog(services.auditLog, since ? { since } : {});
      const text = options.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : formatAuditVerification(report, services.config.timeZone);
      if (report.breaks.length === 0) {
        context.out(text);
        return;
      }
      context.out(options.json ? text : '');
      throw new CommandFailed(options.json ? 'audit log broken' : text.trimEnd());
    });
};
