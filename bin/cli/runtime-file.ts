// The local runtime file (.hcguard/runtime.json): `hcguard up` claims it, commands in another
// terminal read it (target.ts), and it goes away on exit. A file left by a run that crashed is
// recognised by its pid being gone, and replaced; the moto server such a run left behind is
// stopped first, so ports and memory are not held by an orphan.
import { isAlive } from './process.ts';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import { localRuntimeSchema, readLocalRuntime, RUNTIME_FILE, type LocalRuntime } from './target.ts';

export interface RuntimeFileClaim {
  readonly path: string;
  /** What was done about a file a crashed run left, for the user to read. */
  readonly notes: readonly string[];
}

/** Only a process that is really moto's server is stopped: pids get reused. */
const isMotoServer = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('moto_server');
  } catch {
    return false;
  }
};

export const claimRuntimeFile = (cwd = process.cwd()): RuntimeFileClaim => {
  const path = resolve(cwd, RUNTIME_FILE);
  if (!existsSync(path)) return { path, notes: [] };
  const running = (() => {
    try {
      return readLocalRuntime(cwd);
    } catch {
      return undefined;
    }
  })();
  if (running) {
    throw new UsageError(
      `hcguard is already running here (pid ${running.pid}, dashboard ` +
        `${running.dashboardUrl ?? 'unknown'}): stop it with Ctrl-C in its terminal, or ` +
        `\`kill ${running.pid}\``,
    );
  }
  const notes = [`replacing ${RUNTIME_FILE} left by a run that is no longer alive`];
  const stale = (() => {
    try {
      return localRuntimeSchema.safeParse(JSON.parse(readFileSync(path, 'utf8'))).data;
    } catch {
      return undefined;
    }
  })();
  if (stale?.motoPid && isAlive(stale.motoPid) && isMotoServer(stale.motoPid)) {
    process.kill(stale.motoPid, 'SIGTERM');
    notes.push(`stopped moto_server pid ${stale.motoPid} that the crashed run left behind`);
  }
  rmSync(path, { force: true });
  return { path, notes };
};

/** Written atomically, so a reader never sees half a file. */
export const writeRuntimeFile = (path: string, runtime: LocalRuntime): void => {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(localRuntimeSchema.parse(runtime), null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
};

/** Removes the file if it is still ours (another run may have claimed it since). */
export const removeRuntimeFile = (path: string, pid = process.pid): void => {
  try {
    const current = localRuntimeSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (current.success && current.data.pid !== pid) return;
  } catch {
    // Unreadable or already gone: removing is still right.
  }
  rmSync(path, { force: true });
};
