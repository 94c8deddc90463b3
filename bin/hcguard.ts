// The operator CLI: `npx hcguard --help`.
import { runCli } from './cli/program.ts';

// The pinned SDK (package-lock.json) supports Node 20; its notice that later SDK versions will
// need Node 22 concerns whoever upgrades the lock, not every operator command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = exitCode;
