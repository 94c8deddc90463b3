#!/usr/bin/env node
// Starts the operator CLI from the bundle `npm run build` writes (npm ci runs it as prepare), which
// starts in a fraction of the time TypeScript through tsx takes. When a source file is newer than
// the bundle (someone is changing the code), the source runs instead, so an old bundle never hides
// a change.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const bundle = join(root, 'dist', 'cli', 'hcguard.mjs');
const SOURCES = ['bin', 'lambdas', 'local'];

const sourceChangedSince = (builtMs) =>
  SOURCES.some((folder) =>
    readdirSync(join(root, folder), { recursive: true, withFileTypes: true }).some(
      (entry) =>
        entry.isFile() &&
        /\.(ts|json)$/.test(entry.name) &&
        statSync(join(entry.parentPath, entry.name)).mtimeMs > builtMs,
    ),
  );

if (existsSync(bundle) && !sourceChangedSince(statSync(bundle).mtimeMs)) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./hcguard.ts');
}
