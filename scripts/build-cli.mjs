// `npm run build` (npm ci runs it as `prepare`): bundles the operator CLI into dist/cli, so a
// command starts without transpiling TypeScript. Code behind a dynamic import (the AWS SDK, the
// config loader, the local runtime) becomes its own chunk and loads only when a command needs it.
// `--outdir DIR` (inside the checkout, where package.json is found) builds elsewhere, for tests.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = values.outdir ? resolve(values.outdir) : join(root, 'dist', 'cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { hcguard: join(root, 'bin', 'hcguard.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Bundled too, the SDK loads from a few files instead of hundreds; esbuild is a native binary.
  external: ['esbuild', 'fsevents'],
  // Some bundled dependencies are CommonJS and call require().
  banner: {
    js: "import { createRequire as cjs } from 'node:module'; const require = cjs(import.meta.url);",
  },
  outExtension: { '.js': '.mjs' },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
