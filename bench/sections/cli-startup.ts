// Section: how long the operator CLI takes to answer, as a user starts it from a folder outside the
// checkout: the bundle `npm run build` writes (what bin/hcguard.js runs) against the TypeScript
// source through tsx (what it runs while the source is newer than the bundle), with Node's own start
// as the floor.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { markdownTable, type BenchSection } from '../lib/report.ts';
import { median, ms } from '../lib/stats.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
export const STARTUP_TARGET_MS = 300;

interface Command {
  readonly label: string;
  readonly args: readonly string[];
}

const COMMANDS = (config: string): readonly Command[] => [
  { label: '`--help`', args: ['--help'] },
  { label: '`--version`', args: ['--version'] },
  { label: '`config check -c …/hcguard.config.ts`', args: ['config', 'check', '-c', config] },
  // With no local stack and no stack named it ends at "no local stack is running": the whole start-up
  // of `status` (config loaded from TypeScript, target chosen), without waiting on a network.
  { label: '`status -c …/hcguard.config.ts` (nothing running)', args: ['status', '-c', config] },
];

/** Wall time of one run of `argv`, in a folder outside the checkout; its exit code does not matter. */
const timeOnce = async (argv: readonly string[], cwd: string): Promise<number> => {
  const started = performance.now();
  await run(process.execPath, argv, { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }).catch(
    (error: { code?: unknown; killed?: boolean }) => {
      if (typeof error.code !== 'number' || error.killed) throw error;
    },
  );
  return performance.now() - started;
};

export const cliStartupSection: BenchSection = {
  id: 'cli-startup',
  title: 'Operator CLI start-up',
  async run(mode) {
    const runs = mode === 'full' ? 11 : 3;
    const outdir = join(root, 'dist', `cli-bench-${process.pid}`);
    const elsewhere = mkdtempSync(join(tmpdir(), 'hcguard-cli-bench-'));
    try {
      await run(process.execPath, [join(root, 'scripts', 'build-cli.mjs'), '--outdir', outdir], { timeout: 120_000 });
      const config = join(root, 'hcguard.config.ts');
      const ways = {
        bundle: [join(outdir, 'hcguard.mjs')],
        // Resolved here: from the folder outside the checkout a bare 'tsx' would not be found.
        source: ['--import', import.meta.resolve('tsx'), join(root, 'bin', 'hcguard.ts')],
      };
      const nodeTimes: number[] = [];
      for (let index = 0; index < runs; index += 1) nodeTimes.push(await timeOnce(['-e', ''], elsewhere));
      const empty = median(nodeTimes);
      const rows: { label: string; bundle: number; source: number }[] = [];
      for (const command of COMMANDS(config)) {
        const times = { bundle: [] as number[], source: [] as number[] };
        // Round-robin, so load from elsewhere on the machine hits both alike.
        for (let index = 0; index < runs; index += 1)
          for (const way of ['bundle', 'source'] as const)
            times[way].push(await timeOnce([...ways[way], ...command.args], elsewhere));
        rows.push({ label: command.label, bundle: median(times.bundle), source: median(times.source) });
      }
      const slowest = Math.max(...rows.map((row) => row.bundle));
      return {
        headlines: [
          `Operator CLI start-up from the bundle: ${rows.map((row) => `${row.label} ${ms(row.bundle)}`).join(', ')} ` +
            `(target under ${STARTUP_TARGET_MS} ms; ${(slowest / STARTUP_TARGET_MS).toFixed(2)} × target at the ` +
            `slowest; through tsx ${ms(Math.min(...rows.map((row) => row.source)))}–` +
            `${ms(Math.max(...rows.map((row) => row.source)))}; Node alone ${ms(empty)}).`,
        ],
        blocks: [
          `Median wall time of ${runs} runs each, started as a user starts it, from an empty folder outside ` +
            'the checkout, the bundle and the source taken in turn. "bundle" is what `bin/hcguard.js` ' +
            'runs after `npm ci` (its `prepare` step is `npm run build`: esbuild, ESM, the AWS SDK and the ' +
            'local runtime in chunks loaded only by the commands that need them); "source" is the same ' +
            'command through tsx, which `bin/hcguard.js` falls back to while a source file is newer than ' +
            `the bundle. "Node alone" is \`node -e ''\`: ${ms(empty)}. Target: under ${STARTUP_TARGET_MS} ms.`,
          markdownTable(
            ['command', 'bundle', `ratio to ${STARTUP_TARGET_MS} ms`, 'source (tsx)', 'bundle / source'],
            rows.map((row) => [
              row.label,
              `${ms(row.bundle)}${row.bundle < STARTUP_TARGET_MS ? '' : ' (over)'}`,
              (row.bundle / STARTUP_TARGET_MS).toFixed(2),
              ms(row.source),
              (row.bundle / row.source).toFixed(2),
            ]),
            ['l', 'r', 'r', 'r', 'r'],
          ),
        ],
      };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  },
};
