// Evaluates a module config (.ts, .mts, .js, .mjs) wherever it lives. esbuild bundles it with the
// files it imports into one ES module, which runs from memory; packages stay imports of the files
// they resolve to from the config's own folder, so a team's repository uses its own node_modules.
// This takes tens of milliseconds where a TypeScript loader hook takes most of a second.
import { build, type Plugin } from 'esbuild';
import { isBuiltin } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageFile } from '../../local/package-root.ts';

const RESOLVING = Symbol('resolving');

/** Bare imports stay imports, of the absolute file esbuild resolves them to. */
const packagesByPath: Plugin = {
  name: 'hcguard-packages-by-path',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === RESOLVING || args.path.startsWith('/')) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const resolved = await builder.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: RESOLVING,
      });
      if (resolved.errors.length) return { errors: resolved.errors };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};

/**
 * `defineConfig` only gives a config its types: evaluating hcguard's schema (and loading zod a
 * second time) to get an identity function would cost more than the rest of the load.
 */
const defineConfigOnly: Plugin = {
  name: 'hcguard-define-config',
  setup(builder) {
    const own = packageFile('lambdas', 'core', 'config.ts');
    builder.onLoad({ filter: /[\\/]lambdas[\\/]core[\\/]config\.ts$/ }, (args) =>
      args.path === own ? { contents: 'export const defineConfig = (config) => config;', loader: 'js' } : undefined,
    );
  },
};

/** The module's exports. A CommonJS config comes back as `{ default: module.exports }`. */
export const evaluateConfigModule = async (path: string): Promise<{ default?: unknown }> => {
  const url = pathToFileURL(path).href;
  const result = await build({
    entryPoints: [path],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    // The module runs from a data: URL; what it asks about its own location is answered for its file.
    define: {
      'import.meta.url': JSON.stringify(url),
      'import.meta.filename': JSON.stringify(path),
      'import.meta.dirname': JSON.stringify(dirname(path)),
      __filename: JSON.stringify(path),
      __dirname: JSON.stringify(dirname(path)),
    },
    banner: {
      js: `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(url)});`,
    },
    plugins: [defineConfigOnly, packagesByPath],
  });
  const code = result.outputFiles[0]?.text ?? '';
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as {
    default?: unknown;
  };
};
