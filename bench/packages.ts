// Lambda packages: each handler bundled the way the stack bundles it
// (lib/constructs/guard-functions.ts: ESM, minified, node24, the createRequire banner, the config and
// its SSM switch baked in with `define`, contract/bundle.ts bundleDefines), once with the AWS SDK
// inside and once with it external (as the Node.js runtime's own copy would serve it). Reports raw and
// zipped size and the time to import the bundle in a fresh Node process, with HCGUARD_RESOURCES set so
// module scope runs.
import { build, type Metafile } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from '../lambdas/core/config.ts';
import { SEVERITIES } from '../lambdas/core/model/vocabulary.ts';
import { bundleDefines } from '../lambdas/contract/bundle.ts';
import { RESOURCES_ENV, type DeployedResources } from '../lambdas/contract/resources.ts';
import { median } from './lib/stats.ts';
import { zip } from './lib/zip.ts';

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** Inside node_modules, so an external SDK resolves from the project's own copy. */
const outRoot = join(projectRoot, 'node_modules', '.cache', 'hcguard-bench', 'packages');

export const SDK_MODES = ['bundled', 'external'] as const;
export type SdkMode = (typeof SDK_MODES)[number];

export interface PackageFigures {
  readonly handler: string;
  readonly sdk: SdkMode;
  /**
   * Whether the config baked in reads a secret from SSM: only then is the SSM client bundled
   * (bundleDefines). hcguard.config.ts reads none; a deployment keeping its keys in SSM does.
   */
  readonly ssmSecret: boolean;
  readonly rawBytes: number;
  readonly zippedBytes: number;
  readonly initMs: readonly number[];
  readonly medianInitMs: number;
  /** Median import time of an empty module in the same setting: Node's own share of `initMs`. */
  readonly baselineMs: number;
  /**
   * What the bundle's `handler` did when invoked with no time left (nothing to do, so no I/O):
   * `answers` when it resolved, else the first line of its error (e.g. module scope failed).
   */
  readonly invocation: string;
  /** The biggest contributors to the bundle, by package. */
  readonly largestPackages: readonly { readonly name: string; readonly bytes: number }[];
}

/** The same flags NodejsFunction passes to esbuild for a GuardFunction. */
export const stackBundleOptions = (entry: string, outfile: string, config: unknown, sdk: SdkMode) => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node' as const,
  format: 'esm' as const,
  target: 'node24',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  banner: { js: "import{createRequire}from'module';const require=createRequire(import.meta.url);" },
  define: bundleDefines(config),
  external: sdk === 'external' ? ['@aws-sdk/*'] : [],
  metafile: true,
  logLevel: 'silent' as const,
});

/** Resources that parse, pointing nowhere: module scope builds its clients and sends nothing. */
export const benchResources = (recordNames: readonly string[]): DeployedResources => ({
  tableName: 'hcguard-bench',
  topicArns: Object.fromEntries(
    SEVERITIES.map((severity) => [
      severity,
      `arn:aws:sns:us-east-1:123456789012:hcguard-bench-${severity.toLowerCase()}`,
    ]),
  ) as DeployedResources['topicArns'],
  hostedZoneIds: Object.fromEntries(recordNames.map((name) => [name, 'Z0HCGUARDBENCH'])),
  auditQueueUrl: 'http://127.0.0.1:9/123456789012/hcguard-bench-audit',
});

/** Bytes of the bundle per package (`@scope/name`, or `(hcguard)` for the project's own code). */
export const bytesByPackage = (metafile: Metafile): { name: string; bytes: number }[] => {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match?.[1] ?? '(hcguard)';
      totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...totals.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
};

const IMPORT_TIMER = `
const started = performance.now();
await import(process.argv[1]);
process.stdout.write(JSON.stringify({ ms: performance.now() - started }));
`;

const INVOKE_WITH_NO_TIME = `
const { handler } = await import(process.argv[1]);
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 0 };
try {
  const late = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref());
  await Promise.race([handler({}, context), late]);
  process.stdout.write('answers');
} catch (error) {
  process.stdout.write(String(error?.message ?? error).split('\\n')[0]);
}
`;

/** Invokes the bundle's handler once with no time left, in a fresh process: did module scope work? */
export const tryInvocation = async (file: string, env: NodeJS.ProcessEnv): Promise<string> => {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', INVOKE_WITH_NO_TIME, pathToFileURL(file).href],
    { env, timeout: 60_000 },
  );
  return stdout.trim();
};

/** Milliseconds to import (and so initialise) a module in a fresh Node process. */
export const timeImport = async (file: string, env: NodeJS.ProcessEnv): Promise<number> => {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href],
    {
      env,
      timeout: 60_000,
    },
  );
  return (JSON.parse(stdout) as { ms: number }).ms;
};

export const handlerEntries = (): string[] =>
  readdirSync(join(projectRoot, 'lambdas', 'handlers'))
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => join(projectRoot, 'lambdas', 'handlers', file));

export const benchPackages = async (options: { readonly runs: number }): Promise<PackageFigures[]> => {
  const configModule = (await import(pathToFileURL(join(projectRoot, 'hcguard.config.ts')).href)) as {
    default: unknown;
  };
  // The stack bakes in the parsed config (GuardFunctionProps.resolvedConfig).
  const config = parseConfig(configModule.default);
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // A closed loopback port: should anything try to reach AWS, it fails at once, on this machine.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_SERVICE_NAME: config.name,
    POWERTOOLS_METRICS_NAMESPACE: 'hcguard',
    [RESOURCES_ENV]: JSON.stringify(benchResources(config.records.map((record) => record.name))),
  };
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  const empty = join(outRoot, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  // The same config with its first secret in SSM, as a deployment keeping its keys there bakes it.
  const [firstSecret] = Object.keys(config.secrets);
  const withSsmSecret = firstSecret
    ? { ...config, secrets: { ...config.secrets, [firstSecret]: { ssmParameter: '/hcguard/bench-secret' } } }
    : undefined;
  const usesSsm = (baked: typeof config) => Object.values(baked.secrets).some((ref) => 'ssmParameter' in ref);
  const variants = [
    { sdk: 'bundled' as const, baked: config },
    ...(withSsmSecret && !usesSsm(config) ? [{ sdk: 'bundled' as const, baked: withSsmSecret }] : []),
    { sdk: 'external' as const, baked: config },
  ];
  const bundles: (Omit<PackageFigures, 'initMs' | 'medianInitMs' | 'baselineMs'> & { readonly outfile: string })[] = [];
  for (const entry of handlerEntries()) {
    const handler = basename(entry, '.ts');
    for (const { sdk, baked } of variants) {
      const ssmSecret = usesSsm(baked);
      const dir = join(outRoot, `${sdk}${ssmSecret ? '-ssm' : ''}`, handler);
      mkdirSync(dir, { recursive: true });
      const outfile = join(dir, 'index.mjs');
      const result = await build(stackBundleOptions(entry, outfile, baked, sdk));
      const bytes = readFileSync(outfile);
      bundles.push({
        handler,
        sdk,
        ssmSecret,
        outfile,
        rawBytes: bytes.length,
        zippedBytes: zip([{ name: 'index.mjs', data: bytes }]).length,
        invocation: await tryInvocation(outfile, env),
        largestPackages: bytesByPackage(result.metafile as Metafile).slice(0, 5),
      });
    }
  }
  // Round-robin over the bundles (and the empty module): a burst of load from elsewhere on the
  // machine then slows one run of every bundle, not every run of one bundle.
  const files = [empty, ...bundles.map((bundle) => bundle.outfile)];
  const times = new Map<string, number[]>(files.map((file) => [file, []]));
  for (let index = 0; index < options.runs; index++) {
    for (const file of files) times.get(file)?.push(await timeImport(file, env));
  }
  const baselineMs = median(times.get(empty) ?? []);
  const figures = bundles.map(({ outfile, ...bundle }): PackageFigures => {
    const initMs = times.get(outfile) ?? [];
    return { ...bundle, initMs, medianInitMs: median(initMs), baselineMs };
  });
  rmSync(outRoot, { recursive: true, force: true });
  return figures;
};
