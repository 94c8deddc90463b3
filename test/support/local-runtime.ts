// Starts `hcguard up` as `npm start` does (the command in package.json), in its own folder with its
// own config on free loopback ports, and stops it with a signal. Tests read its output, its
// runtime file and its dashboard.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { builtinProbes } from '../../lambdas/core/probe/builtin.ts';
import { freePort } from '../../local/moto.ts';
import type { LocalRuntime } from '../../bin/cli/target.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/**
 * The command `npm start` runs (package.json scripts.start), made runnable from another folder:
 * the project's files and the tsx loader by absolute path.
 */
export const npmStartCommand = (): { command: string; args: string[] } => {
  const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const tokens = scripts.start.trim().split(/\s+/);
  const resolved = tokens.map((token, index) => {
    if (index === 0 && token === 'node') return process.execPath;
    if (tokens[index - 1] === '--import' && token === 'tsx')
      return pathToFileURL(join(PROJECT_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    if (existsSync(join(PROJECT_ROOT, 'node_modules/.bin', token)) && index === 0)
      return join(PROJECT_ROOT, 'node_modules/.bin', token);
    if (existsSync(join(PROJECT_ROOT, token))) return join(PROJECT_ROOT, token);
    return token;
  });
  const [command, ...args] = resolved;
  return { command: command as string, args };
};

/** A config like the default one (sandbox on 127.0.0.1 and 127.0.0.2), on ports free right now. */
export const localTestConfig = async (overrides: Partial<HcguardConfigInput> = {}): Promise<HcguardConfigInput> => {
  const primaryPort = await freePort('127.0.0.1');
  const backupPort = await freePort('127.0.0.2');
  const site = (address: string, port: number) => ({
    stages: {
      collection: `http://${address}:${port}/collection`,
      transmission: `http://${address}:${port}/transmission`,
      verification: `http://${address}:${port}/verification`,
    },
  });
  return {
    name: 'hcguard-e2e',
    sites: {
      primary: { label: 'primary (test)', ...site('127.0.0.1', primaryPort) },
      backup: { label: 'backup (test)', ...site('127.0.0.2', backupPort) },
    },
    records: [
      {
        zone: { name: 'hc.internal' },
        name: 'verify.hc.internal',
        type: 'A',
        ttl: 2,
        stage: 'verification',
        values: { primary: { values: ['127.0.0.1'] }, backup: { values: ['127.0.0.2'] } },
      },
    ],
    // The built-in probes with a looser slow bound: on a loaded CI machine a round can stall
    // past 1.5 s, and a degraded backup would (rightly) abort a drill the test needs to pass.
    probes: builtinProbes().map((probe) => ({ ...probe, latencyMs: { degradedMs: 4_000, failedMs: 5_000 } })),
    schedule: { intervalSeconds: 5 },
    detection: { failureThreshold: 2, successThreshold: 2 },
    failover: { dwellMinutes: 0, failback: 'manual', failbackAfterHealthyMinutes: 1 },
    alerts: { SEV1: { subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }] } },
    local: { dashboardPort: 0, motoPort: 0, citizens: { requestsPerSecond: 10, bucketSeconds: 1, timeoutMs: 1_000 } },
    ...overrides,
  };
};

export interface UpProcess {
  readonly child: ChildProcess;
  readonly folder: string;
  output(): string;
  errors(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  runtimeFile(): LocalRuntime | undefined;
  /** Waits (bounded) until the runtime file names a dashboard. */
  ready(timeoutMs?: number): Promise<LocalRuntime>;
  /** Removes the run's folder (config, runtime file, probe log). */
  removeFolder(): void;
}

export const startUp = (
  config: HcguardConfigInput,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): UpProcess => {
  const folder = mkdtempSync(join(tmpdir(), 'hcguard-up-'));
  writeFileSync(join(folder, 'hcguard.config.json'), JSON.stringify(config, null, 2));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.AWS_ENDPOINT_URL;
  delete childEnv.HCGUARD_CONFIG_PATH;
  delete childEnv.VITEST;
  Object.assign(childEnv, env);
  const start = npmStartCommand();
  const child = spawn(start.command, [...start.args, ...args], {
    cwd: folder,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const runtimeFile = (): LocalRuntime | undefined => {
    const path = join(folder, '.hcguard/runtime.json');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as LocalRuntime) : undefined;
  };
  return {
    child,
    folder,
    output: () => stdout,
    errors: () => stderr,
    exited,
    runtimeFile,
    removeFolder: () => rmSync(folder, { recursive: true, force: true }),
    async ready(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const runtime = runtimeFile();
        if (runtime?.dashboardUrl) return runtime;
        if (child.exitCode !== null) throw new Error(`hcguard up exited with ${child.exitCode}: ${stderr}\n${stdout}`);
        if (Date.now() > deadline)
          throw new Error(`hcguard up was not ready within ${timeoutMs} ms: ${stderr}\n${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
};

/** Whether a process with this pid still exists. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every descendant of a process, from /proc (Linux). */
export const descendantsOf = (pid: number): number[] => {
  const children = (parent: number): number[] => {
    try {
      return readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  const all: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children(queue.shift() as number)) {
      all.push(child);
      queue.push(child);
    }
  }
  return all;
};
