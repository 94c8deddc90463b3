// Section: Lambda package size and module initialisation time.
import { benchPackages, type PackageFigures } from '../packages.ts';
import { markdownTable, type BenchSection } from '../lib/report.ts';
import { kib, ms } from '../lib/stats.ts';

export const ZIPPED_TARGET_BYTES = 300 * 1024;
export const INIT_TARGET_MS = 200;

export const packagesTable = (figures: readonly PackageFigures[]): string =>
  markdownTable(
    [
      'handler',
      'AWS SDK',
      'raw',
      'zipped',
      `init (median of ${figures[0]?.initMs.length ?? 0})`,
      'of which Node',
      'invoked with no time left',
      'largest parts',
    ],
    figures.map((figure) => [
      figure.handler,
      figure.ssmSecret ? `${figure.sdk}, SSM secret` : figure.sdk,
      kib(figure.rawBytes),
      `${kib(figure.zippedBytes)}${figure.zippedBytes < ZIPPED_TARGET_BYTES ? '' : ' (over 300 KiB)'}`,
      `${ms(figure.medianInitMs)}${figure.medianInitMs < INIT_TARGET_MS ? '' : ' (over 200 ms)'}`,
      ms(figure.baselineMs),
      figure.invocation,
      figure.largestPackages
        .slice(0, 3)
        .map((part) => `${part.name} ${kib(part.bytes)}`)
        .join(', '),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'],
  );

export const packagesSection: BenchSection = {
  id: 'packages',
  title: 'Lambda packages',
  async run(mode) {
    const figures = await benchPackages({ runs: mode === 'full' ? 9 : 3 });
    const deployed = (ssmSecret: boolean) =>
      figures.filter((figure) => figure.sdk === 'bundled' && figure.ssmSecret === ssmSecret);
    const describe = (list: readonly PackageFigures[]) =>
      list
        .map(
          (figure) => `${figure.handler} ${kib(figure.zippedBytes)} zipped, ${ms(figure.medianInitMs)} to initialise`,
        )
        .join('; ');
    const withSsm = deployed(true);
    return {
      headlines: [
        `Lambda packages as deployed (SDK bundled): ${describe(deployed(false))}` +
          `${withSsm.length > 0 ? `; with a secret in SSM: ${describe(withSsm)}` : ''} ` +
          `(targets: under 300 KiB, well under 200 ms).`,
      ],
      blocks: [
        'Each handler in `lambdas/handlers/` bundled as ' +
          '`lib/constructs/guard-functions.ts` bundles it (esbuild: ESM, minified, ' +
          'target node24, the `createRequire` banner, the parsed `hcguard.config.ts` baked ' +
          'in with `define`), once with the AWS SDK ' +
          'inside (what the stack deploys: `bundleAwsSDK: true`) and once with ' +
          '`@aws-sdk/*` external (served by the runtime). ' +
          'The SSM client is bundled only when the config reads a secret from SSM ' +
          '(`bundleDefines`); `hcguard.config.ts` reads ' +
          'none, so "bundled, SSM secret" is the same config with its first secret moved ' +
          'to SSM, as a deployment keeping its keys there bakes it. ' +
          '"zipped" is the deployment package (deflate level 9); "init" is `await ' +
          'import()` of the bundle in a fresh Node ' +
          'process (runs taken round-robin across the bundles, so load from elsewhere hits ' +
          'all alike) with `HCGUARD_RESOURCES` set, so module scope builds its clients; ' +
          '"of which Node" is the same for an empty module; ' +
          '"invoked with no time left" shows whether the handler then answers (module ' +
          'scope worked) or what it threw. ' +
          'With the SDK external, its modules load from `node_modules` on this disk. ' +
          'Targets: under 300 KiB zipped, well under 200 ms.',
        packagesTable(figures),
      ],
    };
  },
};
