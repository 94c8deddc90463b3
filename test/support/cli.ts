// Runs the CLI in-process and captures what it prints; writes the file a running local stack leaves.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../bin/cli/program.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const runHcguard = async (...argv: string[]): Promise<CliRun> => {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
};

/** A live local runtime's file in `folder` for `configPath`; this process stands in for the runtime. */
export const writeRuntimeFile = (folder: string, configPath: string, extra: Record<string, unknown> = {}): void => {
  mkdirSync(join(folder, '.hcguard'), { recursive: true });
  writeFileSync(
    join(folder, '.hcguard/runtime.json'),
    JSON.stringify({
      pid: process.pid,
      startedAt: new Date().toISOString(),
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      configPath,
      resources: { tableName: 't', topicArns: { SEV1: 'a', SEV2: 'b', SEV3: 'c', SEV4: 'd' }, hostedZoneIds: {} },
      ...extra,
    }),
  );
};
