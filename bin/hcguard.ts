// The operator CLI: `npx hcguard --help`.
import { runCli } from './cli/program.ts';

const exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = exitCode;
