// Runs the envelope test platform on 127.0.0.1:19080 (primary) and 127.0.0.2:19080 (backup), the
// addresses examples/envelope-platform/hcguard.config.json names, until Ctrl-C:
//   npx tsx test/platforms/run-envelope-platform.ts
// Its secrets come from the same environment variables the example config reads.
import { startEnvelopePlatform, ENVELOPE_FAULTS, type EnvelopeFault } from './envelope-platform.ts';
import type { Site, Stage } from '../../lambdas/core/model/vocabulary.ts';

const env = (name: string, fallback: string): string => {
  process.env[name] ??= fallback;
  return process.env[name] as string;
};

const platform = await startEnvelopePlatform({
  port: 19080,
  credentials: {
    primary: { appId: 'hc-primary-app', appSecret: env('HC_PRIMARY_APP_SECRET', 'primary-app-secret') },
    backup: { appId: 'hc-backup-app', appSecret: env('HC_BACKUP_APP_SECRET', 'backup-app-secret') },
  },
  recordKey: env('HC_RECORD_KEY', 'record-mac-key'),
  passKey: env('HC_PASS_KEY', 'pass-mac-key'),
});
const names = ['HC_PRIMARY_APP_SECRET', 'HC_BACKUP_APP_SECRET', 'HC_RECORD_KEY', 'HC_PASS_KEY'];
process.stdout.write(
  `envelope platform running\n  primary ${platform.baseUrls.primary}\n  backup  ${platform.baseUrls.backup}\n` +
    `  fault hook ${platform.hookUrl}\n\nin the terminal that runs hcguard:\n` +
    names.map((name) => `  export ${name}=${process.env[name]}`).join('\n') +
    `\n\ntype "<site> <stage> <fault>" to inject (${ENVELOPE_FAULTS.join(', ')}), "clear" to clear; Ctrl-C stops.\n`,
);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line: string) => {
  const [site, stage, fault] = line.trim().split(/\s+/);
  if (site === 'clear') platform.clear();
  else if (site && stage && fault) platform.inject(site as Site, stage as Stage, fault as EnvelopeFault);
});
process.on('SIGINT', () => void platform.stop().then(() => process.exit(0)));
