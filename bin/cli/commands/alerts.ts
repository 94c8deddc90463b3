// `hcguard alerts`: what hcguard sent, newest first, as the people paged read it. From the sent
// log on the table (written with each publish SNS accepted), so nothing is taken from a queue.
import { Option, type Command } from 'commander';
import { formatInstant } from '../../../lambdas/core/alert-message.ts';
import type { SentAlert } from '../../../lambdas/core/model/incidents.ts';
import { SEVERITIES, type Severity } from '../../../lambdas/core/model/vocabulary.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { servicesFor } from '../services.ts';
import { runDrillCommand, type DrillCommandDeps } from './drill.ts';
import { parseLimit, parseSince } from './status.ts';

export const formatSentAlerts = (alerts: readonly SentAlert[], timeZone: string): string => {
  if (alerts.length === 0) return 'no alerts sent in this window\n';
  const blocks = alerts.map((alert) => {
    const level = alert.severity !== alert.topic ? ` (at ${alert.severity})` : '';
    const head =
      `── ${formatInstant(alert.sentAt, timeZone)}  ${alert.topic} topic${level}  ` +
      `${alert.alertId}  message ${alert.messageId}`;
    const body = alert.body.trimEnd().split('\n');
    // The body's first line repeats the subject (for receivers that show no subject).
    const rest = body[0] === alert.subject ? body.slice(1) : body;
    return [head, `Subject: ${alert.subject}`, ...rest.map((line) => (line ? `  ${line}` : ''))].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
};

export const registerAlertsCommand = (program: Command, context: CliContext, deps: DrillCommandDeps = {}): void => {
  program
    .command('alerts')
    .description(
      'the alerts hcguard sent (newest first), subject and body as their receivers read them; ' +
        '`alerts test` publishes a drill-tagged test alert through SNS and confirms it reached the audit queue',
    )
    .argument('[test]', 'send a test alert (every topic, or --severity) instead of listing')
    .option('--since <when>', 'ISO instant or duration back from now (30m, 2h, 7d)', '24h')
    .addOption(new Option('--severity <level>', "only this severity's topic").choices(SEVERITIES))
    .option('--limit <count>', 'at most this many alerts', '50')
    .option('--json', 'print { since, alerts } as JSON (with test: the drill)')
    .action(
      async (
        action: string | undefined,
        options: { since: string; severity?: Severity; limit: string; json?: boolean },
        command: Command,
      ) => {
        if (action !== undefined && action !== 'test')
          throw new UsageError(`alerts takes no argument but test, not "${action}"`);
        if (action === 'test') {
          const listing = ['since', 'limit'].filter((name) => command.getOptionValueSource(name) === 'cli');
          if (listing.length)
            throw new UsageError(
              `--${listing.join(' and --')} ${listing.length > 1 ? 'go' : 'goes'} with listing, not with test`,
            );
          await runDrillCommand(
            {
              step: 'notify',
              ...(options.severity ? { severities: [options.severity] } : {}),
              ...(options.json ? { json: true } : {}),
            },
            context,
            deps,
          );
          return;
        }
        const limit = parseLimit(options.limit);
        const since = parseSince(options.since, new Date());
        const services = await servicesFor(context);
        const alerts = await services.store.sentAlerts({
          since,
          limit,
          ...(options.severity ? { topic: options.severity } : {}),
        });
        context.out(
          options.json
            ? `${JSON.stringify({ since, alerts }, null, 2)}\n`
            : formatSentAlerts(alerts, services.config.timeZone),
        );
      },
    );
};
