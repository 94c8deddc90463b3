// Finds and loads the config file: `hcguard.config.ts` (a module whose default export is
// `defineConfig({...})`) or a `.json` file with the same shape.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../lambdas/core/config/problems.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';

export const DEFAULT_CONFIG_FILES = ['hcguard.config.ts', 'hcguard.config.json'] as const;

/** The config path to use: the flag, else $HCGUARD_CONFIG_PATH, else the first default file present. */
export const resolveConfigPath = (flag?: string, cwd = process.cwd()): string => {
  const chosen = flag ?? process.env.HCGUARD_CONFIG_PATH;
  if (chosen) return resolve(cwd, chosen);
  const found = DEFAULT_CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
  if (!found) {
    throw new ConfigError([
      {
        path: '',
        rule:
          `no config file: pass --config, set HCGUARD_CONFIG_PATH, or create ` +
          `${DEFAULT_CONFIG_FILES.join(' or ')} in ${cwd}`,
      },
    ]);
  }
  return found;
};

export const loadConfigFile = async (path: string): Promise<HcguardConfig> => {
  if (!existsSync(path)) throw new ConfigError([{ path: '', rule: `file not found: ${path}` }]);
  return parseConfig(await readConfigInput(path), `in ${path}`);
};

const readConfigInput = async (path: string): Promise<unknown> => {
  if (path.endsWith('.json')) {
    const text = readFileSync(path, 'utf8');
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError([{ path: '', rule: `${path} is not valid JSON: ${(error as Error).message}` }]);
    }
  }
  if (/\.(m|c)?[jt]s$/.test(path)) {
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    if (module.default === undefined) {
      throw new ConfigError([
        { path: '', rule: `${path} has no default export: end it with export default defineConfig({...})` },
      ]);
    }
    return module.default;
  }
  throw new ConfigError([{ path: '', rule: `${path}: a config file must be .ts, .js or .json` }]);
};
