// The operator CLI: `npx hcguard --help`.
import { runCli } from './cli/program.ts';

// The pinned SDK (package-lock.json) supports Node 20; its notice that later SDK versions will
// need Node 22 concerns whoever upgrades the lock, not every operator command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Piped into `head`, stdout closes early: that is the reader's choice, not an error to print.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

const exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = exitCode;
