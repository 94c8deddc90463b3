// The checkout's (or installed package's) root folder. Files shipped beside the code (moto's
// atomic-write patch, the dashboard's static files, package.json) are found from it rather than
// from the importing module's own URL, because the CLI also runs as a bundle in dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const isHcguardRoot = (dir: string): boolean => {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'hcguard';
  } catch {
    return false;
  }
};

let found: string | undefined;

export const packageRoot = (): string => {
  if (found) return found;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (isHcguardRoot(dir)) return (found = dir);
    if (dirname(dir) === dir) throw new Error(`hcguard's package.json was not found above ${import.meta.url}`);
  }
};

export const packageFile = (...parts: string[]): string => join(packageRoot(), ...parts);
