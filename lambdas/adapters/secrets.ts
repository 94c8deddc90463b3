// The SecretSource: secret values by the names declared in config `secrets`, read from the
// environment (`{ env }`) or from SSM Parameter Store (`{ ssmParameter }`, decrypted, cached for
// five minutes by Powertools). Errors name the secret and where it should come from, never a value.
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SecretRef } from '../core/probe/schema.ts';
import type { SecretSource } from '../ports.ts';

export class SecretUnavailableError extends Error {
  constructor(
    readonly secret: string,
    reason: string,
  ) {
    super(`secret "${secret}": ${reason}`);
    this.name = 'SecretUnavailableError';
  }
}

/** Reads one SSM parameter's decrypted value; undefined when it has none. */
export type SsmParameterReader = (name: string, signal?: AbortSignal) => Promise<string | undefined>;

export interface SecretSourceDeps {
  readonly refs: Readonly<Record<string, SecretRef>>;
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Defaults to Powertools' SSM provider, created on first use. */
  readonly ssm?: SsmParameterReader;
}

/** How long an SSM value is reused before it is read again. */
export const SSM_CACHE_SECONDS = 300;

/** Stops waiting when the signal fires; the SDK call behind it cannot take the signal itself. */
const untilAborted = <T>(work: Promise<T>, signal?: AbortSignal): Promise<T> => {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new Error('aborted: the deadline passed'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted: the deadline passed'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
};

/** Powertools' SSM provider: decrypts SecureString parameters and caches values for five minutes. */
export const powertoolsSsmReader = (
  options: { readonly client?: SSMClient; readonly maxAgeSeconds?: number } = {},
): SsmParameterReader => {
  let provider: Promise<SSMProvider> | undefined;
  return async (name, signal) => {
    // In a Lambda bundle whose config reads no secret from SSM, the stack defines this 'false'
    // (contract/bundle.ts bundleDefines): esbuild then drops the import, and with it Powertools
    // Parameters and the SSM client (~170 KiB). Nothing can ask for SSM there: the refs are the
    // config's. Outside a bundle the variable is unset.
    provider ??=
      process.env.HCGUARD_SSM_SECRETS === 'false'
        ? Promise.reject(new Error('this Lambda bundle was built for a config that reads no secret from SSM'))
        : import('@aws-lambda-powertools/parameters/ssm').then(
            ({ SSMProvider }) => new SSMProvider(options.client ? { awsSdkV3Client: options.client } : {}),
          );
    const ssm = await provider;
    const value = await untilAborted(
      ssm.get(name, { decrypt: true, maxAge: options.maxAgeSeconds ?? SSM_CACHE_SECONDS }),
      signal,
    );
    return typeof value === 'string' ? value : undefined;
  };
};

export const createSecretSource = (deps: SecretSourceDeps): SecretSource => {
  const env = deps.env ?? process.env;
  let ssm = deps.ssm;
  return {
    get: async (name, signal) => {
      const ref = deps.refs[name];
      if (!ref)
        throw new SecretUnavailableError(
          name,
          `it is not declared under secrets in the config (declared: ${Object.keys(deps.refs).join(', ') || 'none'})`,
        );
      if ('env' in ref) {
        const value = env[ref.env];
        if (!value) throw new SecretUnavailableError(name, `environment variable ${ref.env} is not set`);
        return value;
      }
      ssm ??= powertoolsSsmReader();
      let value: string | undefined;
      try {
        value = await ssm(ref.ssmParameter, signal);
      } catch (error) {
        throw new SecretUnavailableError(
          name,
          `SSM parameter ${ref.ssmParameter} could not be read (${(error as Error).name}: ${(error as Error).message})`,
        );
      }
      if (!value) throw new SecretUnavailableError(name, `SSM parameter ${ref.ssmParameter} is empty`);
      return value;
    },
  };
};
