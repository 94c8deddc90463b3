import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSecretSource, powertoolsSsmReader, SecretUnavailableError } from '../../lambdas/adapters/secrets.ts';

const VALUE = 'sup3r-secret-value';

describe('secrets from the environment', () => {
  const source = createSecretSource({
    refs: { key: { env: 'PROBE_KEY' }, other: { env: 'UNSET_KEY' } },
    env: { PROBE_KEY: VALUE, UNSET_KEY: '' },
  });

  it('reads the declared variable', async () => {
    expect(await source.get('key')).toBe(VALUE);
  });

  it.each([
    ['other', 'secret "other": environment variable UNSET_KEY is not set'],
    ['nope', 'secret "nope": it is not declared under secrets in the config (declared: key, other)'],
  ])('explains why %s is unavailable', async (name, message) => {
    await expect(source.get(name)).rejects.toThrow(
      new SecretUnavailableError(name, message.replace(`secret "${name}": `, '')),
    );
  });
});

describe('secrets from SSM Parameter Store (Powertools, decrypted, cached)', () => {
  const client = new SSMClient({ region: 'us-east-1' });
  const ssm = mockClient(client);
  beforeEach(() => ssm.reset());

  it('decrypts the parameter and reuses the value within the cache period', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/hcguard/key', Value: VALUE } });
    const source = createSecretSource({
      refs: { key: { ssmParameter: '/hcguard/key' } },
      ssm: powertoolsSsmReader({ client }),
    });
    expect(await source.get('key')).toBe(VALUE);
    expect(await source.get('key')).toBe(VALUE);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/hcguard/key', WithDecryption: true });
  });

  it('names the parameter and the error, never a value', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: 'Parameter /hcguard/missing not found.', $metadata: {} }));
    const source = createSecretSource({
      refs: { key: { ssmParameter: '/hcguard/missing' } },
      ssm: powertoolsSsmReader({ client }),
    });
    await expect(source.get('key')).rejects.toThrow(
      'secret "key": SSM parameter /hcguard/missing could not be read ' +
        '(GetParameterError: Parameter /hcguard/missing not found.)',
    );
  });

  it('refuses an empty parameter', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/hcguard/empty', Value: '' } });
    const source = createSecretSource({
      refs: { key: { ssmParameter: '/hcguard/empty' } },
      ssm: powertoolsSsmReader({ client }),
    });
    await expect(source.get('key')).rejects.toThrow('secret "key": SSM parameter /hcguard/empty is empty');
  });

  it('stops waiting when the deadline fires', async () => {
    ssm.on(GetParameterCommand).callsFake(() => new Promise(() => undefined));
    const source = createSecretSource({
      refs: { key: { ssmParameter: '/hcguard/slow' } },
      ssm: powertoolsSsmReader({ client }),
    });
    const deadline = new AbortController();
    setTimeout(() => deadline.abort(), 50);
    await expect(source.get('key', deadline.signal)).rejects.toThrow(
      'secret "key": SSM parameter /hcguard/slow could not be read (Error: aborted: the deadline passed)',
    );
  });
});

describe('secrets in a Lambda bundle built for a config that reads none from SSM', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('says so instead of loading the SSM client the bundle left out', async () => {
    vi.stubEnv('HCGUARD_SSM_SECRETS', 'false');
    const source = createSecretSource({ refs: { key: { ssmParameter: '/hcguard/key' } } });
    await expect(source.get('key')).rejects.toThrow(
      'secret "key": SSM parameter /hcguard/key could not be read (Error: this Lambda ' +
        'bundle was built for a config that reads no secret from SSM)',
    );
  });
});
