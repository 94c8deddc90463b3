// Finds and loads the config file: `hcguard.config.ts` (a module whose default export is
// `defineConfig({...})`) or a `.json` file with the same shape.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../lambdas/core/config/problems.ts';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';

export const DEFAULT_CONFIG_FILES = ['hcguard.config.ts', 'hcguard.config.json'] as const;

/**
 * The config path to use: the flag, else $HCGUARD_CONFIG_PATH, else the first default file
 * present, else what `fallback` names (the config of a local stack started here).
 */
export const resolveConfigPath = (flag?: string, cwd = process.cwd(), fallback?: () => string | undefined): string => {
  const chosen = flag ?? process.env.HCGUARD_CONFIG_PATH;
  if (chosen) return resolve(cwd, chosen);
  const found = DEFAULT_CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path)) ?? fallback?.();
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
  const input = await readConfigInput(path);
  try {
    return parseConfig(input, `in ${path}`);
  } catch (error) {
    // A getter that throws while the schema reads it: the config's own code failed.
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([{ path: '', rule: `${path} could not be read: ${firstLine(error)}` }]);
  }
};

/** A module config that has not loaded by then is stuck (a top-level await that never settles). */
export const MODULE_LOAD_TIMEOUT_MS = 10_000;

const readConfigInput = async (path: string): Promise<unknown> => {
  if (path.endsWith('.json')) {
    // Editors on Windows save UTF-8 with a byte order mark, which JSON.parse refuses.
    const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError([{ path: '', rule: `${path} is not valid JSON: ${jsonProblem(text, error)}` }]);
    }
  }
  if (/\.(m|c)?[jt]s$/.test(path)) {
    const module = await importConfigModule(path);
    if (module.default === undefined) {
      throw new ConfigError([
        { path: '', rule: `${path} has no default export: end it with export default defineConfig({...})` },
      ]);
    }
    return module.default;
  }
  throw new ConfigError([{ path: '', rule: `${path}: a config file must be .ts, .mts, .js, .mjs or .json` }]);
};

/**
 * Runs a module config (it is code: whatever it does at the top level runs here). A compiled
 * CommonJS module that exports `default` comes back as `{ default: { __esModule, default } }`.
 */
const importConfigModule = async (path: string): Promise<{ default?: unknown }> => {
  let timer: NodeJS.Timeout | undefined;
  // The timer also keeps the event loop alive, so a stuck load ends here rather than as exit 13.
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ConfigError([
            {
              path: '',
              rule:
                `${path} did not finish loading within ${MODULE_LOAD_TIMEOUT_MS / 1000} s ` +
                '(a top-level await that never settles?)',
            },
          ]),
        ),
      MODULE_LOAD_TIMEOUT_MS,
    );
  });
  try {
    const { evaluateConfigModule } = await import('./config-module.ts');
    const module = await Promise.race([evaluateConfigModule(path), stuck]);
    const inner = module.default as { __esModule?: unknown; default?: unknown } | undefined;
    return inner !== null && typeof inner === 'object' && inner.__esModule === true
      ? { default: inner.default }
      : module;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([{ path: '', rule: `${path} could not be loaded: ${firstLine(error)}` }]);
  } finally {
    clearTimeout(timer);
  }
};

/** The line of an error worth showing: a compiler's located line (file:line:col), else the first. */
const firstLine = (error: unknown): string => {
  const text =
    error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => /:\d+:\d+: ERROR: /.test(line)) ?? lines[0] ?? 'unknown error';
};

/** JSON.parse's message, with the line and column its character offset points at. */
const jsonProblem = (text: string, error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  const offset = /at position (\d+)/.exec(message)?.[1];
  if (offset === undefined || /\(line \d+ column \d+\)/.test(message)) return message;
  const before = text.slice(0, Number(offset)).split('\n');
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${before.length}, column ${column}`;
};
