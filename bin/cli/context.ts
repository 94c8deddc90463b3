// What every command needs, resolved lazily from the global options so `--help` and
// `config check` work without AWS and without a running local stack.
import type { Command } from 'commander';
import type { HcguardConfig } from '../../lambdas/core/config/schema.ts';
import { loadConfigFile, resolveConfigPath } from './config-file.ts';
import { resolveTarget, type Target } from './target.ts';

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
  const configPath = () => resolveConfigPath(options().config);
  const config = memo(() => loadConfigFile(configPath()));
  const target = memo(async () => {
    const { endpointUrl, region, stackName } = options();
    return resolveTarget({ endpointUrl, region, stackName: stackName ?? (await config()).name });
  });
  return { configPath, config, target, ...io };
};
