// Runs the CLI in-process and captures what it prints.
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
