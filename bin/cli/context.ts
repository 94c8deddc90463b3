// What every command needs, resolved lazily from the global options so `--help` and
// `config check` work without AWS and without a running local stack.
import type { Command } from 'commander';
import { dirname } from 'node:path';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { loadConfigFile, resolveConfigPath } from './config-file.ts';
import { readLocalRuntime, resolveTarget, type Target } from './target.ts';

export interface GlobalOptions {
  readonly config?: string;
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly stackName?: string;
}

export interface CliContext {
  readonly configPath: () => string;
  readonly config: () => Promise<HcguardConfig>;
  readonly target: () => Promise<Target>;
  /**
   * Where a running local runtime is looked for: the working directory, then the config's folder
   * (`npm start` in the checkout, commands from anywhere with --config).
   */
  readonly runtimeDirs: () => readonly string[];
  /** Standard output; tests capture it. */
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const memo = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
};

export const createContext = (program: Command, io: Pick<CliContext, 'out' | 'err'>): CliContext => {
  const options = () => program.opts<GlobalOptions>();
  // With no config named or found here, a local stack started here (`hcguard up -c …`) says which.
  const configPath = () =>
    resolveConfigPath(options().config, process.cwd(), () => readLocalRuntime(process.cwd())?.configPath);
  const config = memo(() => loadConfigFile(configPath()));
  const runtimeDirs = () => {
    try {
      return [process.cwd(), dirname(configPath())];
    } catch {
      return [process.cwd()];
    }
  };
  const target = memo(async () => {
    const { endpointUrl, region, stackName } = options();
    return resolveTarget({
      endpointUrl,
      region,
      stackName: stackName ?? (await config()).name,
      runtimeDirs: runtimeDirs(),
    });
  });
  return { configPath, config, target, runtimeDirs, ...io };
};
