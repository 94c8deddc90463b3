// Section: AWS calls per round for 3, 30 and 300 probe definitions, and what they imply for the
// cost model's DynamoDB figures.
import { DEFAULT_FOOTPRINT, type HcguardFootprint } from '../../lambdas/core/cost.ts';
import { benchAwsCalls, ROUND_KINDS, type MeasuredRound, type ProbeCountResult } from '../aws-calls.ts';
import type { CallRecord } from '../lib/call-counter.ts';
import { markdownTable, type BenchSection } from '../lib/report.ts';
import { startMotoServer } from '../../local/moto.ts';

const units = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

export const callsTable = (results: readonly ProbeCountResult[]): string =>
  markdownTable(
    [
      'probes',
      'results',
      'round',
      'DynamoDB writes: calls (items)',
      'est. WRU',
      'DynamoDB reads: calls',
      'est. RRU',
      'Scans',
      'SNS publishes',
      'Route 53 calls (changes)',
      'all calls',
    ],
    results.flatMap((result) =>
      result.rounds.map((round) => [
        String(result.probes),
        String(round.results),
        round.kind,
        `${round.summary.dynamodbWriteCalls} (${round.summary.dynamodbItemsWritten})`,
        units(round.summary.writeUnits),
        String(round.summary.dynamodbReadCalls),
        units(round.summary.readUnits),
        String(round.summary.scans),
        String(round.summary.snsPublishes),
        `${round.summary.route53Calls} (${round.summary.route53Changes})`,
        String(round.summary.total),
      ]),
    ),
    ['r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

/** Calls per command in each kind of round, for one probe count. */
export const commandsTable = (result: ProbeCountResult): string => {
  const key = (record: CallRecord) => `${record.service} ${record.command}`;
  const commands = [...new Set(result.rounds.flatMap((round) => round.records.map(key)))].sort();
  return markdownTable(
    ['command', ...ROUND_KINDS.map((kind) => `${kind}: calls (items)`)],
    commands.map((command) => [
      command,
      ...ROUND_KINDS.map((kind) => {
        const record = result.rounds
          .find((round) => round.kind === kind)
          ?.records.find((candidate) => key(candidate) === command);
        if (!record) return '-';
        const items = record.tally.itemsWritten || record.tally.keysRead;
        return items ? `${record.tally.calls} (${items})` : String(record.tally.calls);
      }),
    ]),
    ['l', 'r', 'r', 'r'],
  );
};

/** Per-result and fixed DynamoDB units of a quiet round, from the two largest probe counts. */
export const fitQuietRound = (results: readonly ProbeCountResult[]) => {
  const quiet = results
    .flatMap((result) => result.rounds.filter((round) => round.kind === 'quiet'))
    .sort((a, b) => a.results - b.results);
  const small = quiet.at(-2);
  const large = quiet.at(-1);
  if (!small || !large || large.results === small.results)
    throw new Error('need quiet rounds at two probe counts to fit');
  const slope = (pick: (round: MeasuredRound) => number) =>
    (pick(large) - pick(small)) / (large.results - small.results);
  const writePerResult = slope((round) => round.summary.writeUnits);
  const readPerResult = slope((round) => round.summary.readUnits);
  return {
    writeUnitsPerProbe: writePerResult,
    writeUnitsPerRound: large.summary.writeUnits - writePerResult * large.results,
    readUnitsPerProbe: readPerResult,
    readUnitsPerRound: large.summary.readUnits - readPerResult * large.results,
  };
};

const round2 = (value: number) => Math.round(value * 100) / 100;

export const awsCallsSection = (share: { footprint?: HcguardFootprint } = {}): BenchSection => ({
  id: 'aws-calls',
  title: 'AWS calls per round',
  timingFree: true,
  async run(mode) {
    const counts = mode === 'full' ? [3, 30, 300] : [3, 15];
    const moto = await startMotoServer();
    let results: ProbeCountResult[];
    try {
      results = await benchAwsCalls(moto.endpoint, counts);
    } finally {
      await moto.stop();
    }
    const fit = fitQuietRound(results);
    share.footprint = {
      ...DEFAULT_FOOTPRINT,
      writeUnitsPerProbe: round2(fit.writeUnitsPerProbe),
      writeUnitsPerRound: round2(Math.max(0, fit.writeUnitsPerRound)),
      readUnitsPerProbe: round2(fit.readUnitsPerProbe),
      readUnitsPerRound: round2(Math.max(0, fit.readUnitsPerRound)),
    };
    const largest = results.at(-1);
    const quiet = largest?.rounds.find((round) => round.kind === 'quiet');
    const batch = quiet?.records.find((record) => record.service === 'DynamoDB' && record.command === 'BatchWriteItem');
    const updates = quiet?.records.find((record) => record.service === 'DynamoDB' && record.command === 'UpdateItem');
    // One transmission probe in three, run on both sites.
    const transmissionResults = largest ? (largest.probes / 3) * 2 : 0;
    const scans = results.reduce(
      (sum, result) => sum + result.rounds.reduce((inner, round) => inner + round.summary.scans, 0),
      0,
    );
    const problems = results.flatMap((result) =>
      result.rounds.flatMap((round) =>
        round.problems.map((problem) => `${result.probes} probes, ${round.kind}: ${problem}`),
      ),
    );
    const middle = results[1] ?? results[0];
    return {
      headlines: [
        `A quiet round at ${largest?.probes ?? '?'} probe definitions ` +
          `(${quiet?.results ?? '?'} results) sends ${quiet?.summary.total ?? '?'} AWS ` +
          `calls, ` +
          `${quiet?.summary.dynamodbItemsWritten ?? '?'} items written in ` +
          `${quiet?.summary.dynamodbWriteCalls ?? '?'} write calls; ${scans} Scans; ` +
          `about ${round2(fit.writeUnitsPerProbe)} write units per probe result plus ` +
          `${round2(fit.writeUnitsPerRound)} per round.`,
      ],
      blocks: [
        'Every command the round sends (probe handler → `composeServices` → adapters), ' +
          'counted by an SDK middleware on the ' +
          'DynamoDB, SNS and Route 53 clients, against moto. "probes" are probe ' +
          'definitions (copies of the three built-in ones, ' +
          'each run on both sites, so "results" is twice as many). The incident round ' +
          "injects an `error` fault on the primary's " +
          'collection stage (an alert, no switch); the switch round then breaks the ' +
          "primary's verification (the SEV1 incident and " +
          'the Route 53 change); failure and success thresholds are 1, so one round ' +
          'decides each (what a deciding round sends does ' +
          "not depend on the thresholds), and the probes' degraded bound is 4 s instead of " +
          '1.5 s, so a busy machine does not make ' +
          'the backup look degraded and refuse the switch. Write and read units are ' +
          'estimated from item sizes (moto does not bill). moto 5.2.1 fails a ' +
          'TransactWriteItems that overlaps another write to the same table (every round ' +
          "at 300 probes), so the bench's DynamoDB " +
          'client holds writes around a transaction (`bench/lib/moto-write-gate.ts`): same calls, ordered.',
        callsTable(results),
        `${scans === 0 ? 'No round Scans.' : `**${scans} Scan(s)**.`} ` +
          (quiet && batch && largest
            ? `At ${largest.probes} probes a quiet round writes ` +
              `${quiet.summary.dynamodbItemsWritten} items in ` +
              `${quiet.summary.dynamodbWriteCalls} calls: ` +
              `${batch.tally.calls} BatchWriteItem call(s) carry ${batch.tally.itemsWritten} of them (up to 25 each)` +
              (updates && updates.tally.calls === transmissionResults
                ? `; ${updates.tally.calls} are UpdateItems, one per transmission result (each ` +
                  `commits that probe's sequence number once the platform acknowledged it). `
                : '. ')
            : '') +
          `Fitted over the quiet rounds: ${round2(fit.writeUnitsPerProbe)} write unit(s) ` +
          `per probe result plus ${round2(fit.writeUnitsPerRound)} per round, ` +
          `${round2(fit.readUnitsPerProbe)} read unit(s) per result plus ` +
          `${round2(fit.readUnitsPerRound)} per round; the cost section below uses these.`,
        ...(middle ? [`Per command at ${middle.probes} probes:`, commandsTable(middle)] : []),
        ...(problems.length
          ? [`Problems the rounds reported:\n\n${problems.map((problem) => `- ${problem}`).join('\n')}`]
          : []),
      ],
    };
  },
});
