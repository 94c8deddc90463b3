// `hcguard config check`: validates the config and prints what it resolves to.
import type { Command } from 'commander';
import { roundsPerInvocation } from '../../../lambdas/core/schedule.ts';
import { siteLabel } from '../../../lambdas/core/config.ts';
import type { HcguardConfig } from '../../../lambdas/core/config/schema.ts';
import { SEVERITIES, SITES, STAGES } from '../../../lambdas/core/model/vocabulary.ts';
import type { CliContext } from '../context.ts';

export const registerConfigCommands = (program: Command, context: CliContext): void => {
  const config = program.command('config').description('inspect the hcguard config');
  config
    .command('check')
    .description('validate the config and print a summary of what it resolves to (exit 2 on errors)')
    .option('--json', 'print the resolved config as JSON')
    .action(async (options: { json?: boolean }) => {
      const resolved = await context.config();
      context.out(
        options.json ? `${JSON.stringify(resolved, null, 2)}\n` : summarizeConfig(resolved, context.configPath()),
      );
    });
};

/** Subscriber addresses are personal data: show enough to recognise them, not to harvest them. */
export const maskEndpoint = (endpoint: string): string => {
  const email = /^([^@]{1,2})[^@]*(@.*)$/.exec(endpoint);
  if (email) return `${email[1]}***${email[2]}`;
  if (endpoint.startsWith('+')) return `${endpoint.slice(0, 4)}****${endpoint.slice(-2)}`;
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}/…`;
  } catch {
    return '***';
  }
};

export const summarizeConfig = (config: HcguardConfig, source: string): string => {
  const lines: string[] = [
    `config ${source} is valid`,
    '',
    `name        ${config.name}`,
    `language    ${config.locale}, local times in ${config.timeZone}`,
  ];
  lines.push('', 'sites');
  for (const site of SITES) {
    lines.push(`  ${site.padEnd(8)} ${siteLabel(config, site)}`);
    for (const stage of STAGES) lines.push(`    ${stage.padEnd(13)} ${config.sites[site].stages[stage]}`);
  }
  lines.push('', 'records');
  for (const record of config.records) {
    const value = (site: 'primary' | 'backup') => {
      const target = record.values[site];
      return 'alias' in target ? `alias ${target.alias.dnsName}` : target.values.join(', ');
    };
    lines.push(
      `  ${record.name} ${record.type} ttl ${record.ttl}s in ` +
        `${record.zone.name}${record.zone.id ? ` (${record.zone.id})` : ''}, follows ` +
        `${record.stage}`,
      `    primary → ${value('primary')}   backup → ${value('backup')}`,
    );
  }
  lines.push('', 'probes');
  for (const probe of config.probes) {
    lines.push(
      `  ${probe.id.padEnd(28)} ${probe.stage.padEnd(13)} ${probe.steps.length} step(s) on ${probe.sites.join(' + ')}`,
    );
  }
  const rounds = roundsPerInvocation(config);
  const perInvocation = rounds > 1 ? ` (${rounds} rounds per once-a-minute invocation)` : '';
  lines.push(
    '',
    'schedule',
    `  every ${config.schedule.intervalSeconds}s${perInvocation}, ${config.schedule.concurrency} probes at once`,
    `  failing after ${config.detection.failureThreshold} failed rounds, healthy ` +
      `after ${config.detection.successThreshold} good ones; flapping at ` +
      `${config.detection.flap.changes} changes in ` +
      `${config.detection.flap.windowMinutes} min`,
    '',
    'failover',
    `  ${config.failover.mode}, dwell ${config.failover.dwellMinutes} min, failback ${config.failover.failback}` +
      (config.failover.failback === 'automatic'
        ? ` after ${config.failover.failbackAfterHealthyMinutes} healthy min`
        : ' (hcguard failback)'),
    '',
    'severities',
  );
  for (const severity of SEVERITIES) {
    const subscriptions = config.alerts[severity].subscriptions;
    const who = subscriptions.length
      ? subscriptions
          .map((s) =>
            s.protocol === 'robot'
              ? `robot:${s.channel} (${s.webhookParameter})`
              : `${s.protocol}:${maskEndpoint(s.endpoint)}`,
          )
          .join(', ')
      : 'no subscribers';
    const rules = config.severity.rules.filter((rule) => rule.severity === severity).map((rule) => rule.reason);
    lines.push(`  ${severity}  ${who}`);
    for (const reason of rules) lines.push(`        - ${reason}`);
  }
  lines.push(
    `  unacknowledged ${config.severity.escalate.join('/')} escalate after ` +
      `${config.severity.escalateAfterMinutes} min; reminders every ` +
      `${config.severity.reminderIntervalMinutes} min`,
    `  alerts link ${config.links.runbook ? `the runbook ${config.links.runbook}#<section>` : 'no runbook'}` +
      `${config.links.dashboard ? ` and the dashboard ${config.links.dashboard}` : ''}` +
      `${config.links.runbook || config.links.dashboard ? '' : ' (links.runbook, links.dashboard)'}`,
    '',
    'drills',
    `  objectives: RTO ${config.drills.objectives.rtoSeconds}s, RPO ` +
      `${config.drills.objectives.rpoRecords} record(s); time limit ` +
      `${config.drills.timeLimitMinutes} min` +
      (config.drills.scenarios.length
        ? `; custom scenarios: ${config.drills.scenarios.map((s) => s.name).join(', ')}`
        : ''),
    '',
  );
  return lines.join('\n');
};
