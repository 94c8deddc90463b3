// What the stack bakes into a Lambda bundle at synth time (esbuild `define`), so the config is
// not bound by the 4 KB environment limit and a bundle that reads no SSM secret leaves the SSM
// client out. Outside a bundle (the local runtime, tests) these are ordinary environment
// variables, set the way the stack would bake them.

/** esbuild replaces exactly the expression `process.env.HCGUARD_BAKED_CONFIG`: read it only here. */
export const BAKED_CONFIG_DEFINE = 'HCGUARD_BAKED_CONFIG';
export const bakedConfigText = (): string | undefined => process.env.HCGUARD_BAKED_CONFIG;

/** Baked 'false' into a bundle whose config reads no secret from SSM (see adapters/secrets.ts). */
export const SSM_SECRETS_DEFINE = 'HCGUARD_SSM_SECRETS';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `define` of a Lambda bundle (the stack and the packages bench use the same): the config as
 * JSON text, and whether any secret is read from SSM. A config whose secrets cannot be told keeps
 * SSM in.
 */
export const bundleDefines = (config: unknown): Record<string, string> => {
  const secrets = isRecord(config) && isRecord(config.secrets) ? Object.values(config.secrets) : undefined;
  const withoutSsm = secrets?.every((ref) => isRecord(ref) && !('ssmParameter' in ref)) ?? false;
  return {
    [`process.env.${BAKED_CONFIG_DEFINE}`]: JSON.stringify(JSON.stringify(config)),
    [`process.env.${SSM_SECRETS_DEFINE}`]: JSON.stringify(withoutSsm ? 'false' : 'true'),
  };
};
