// hcguard's config: `defineConfig` for a typed `hcguard.config.ts`, `parseConfig` for everything
// that reads one. The schema is in ./config/schema.ts, its sections in ./config/sections.ts.
import { ConfigError, describeIssues } from './config/problems.ts';
import { type HcguardConfig, type HcguardConfigInput, configSchema } from './config/schema.ts';
import type { Site, Stage } from './model/vocabulary.ts';

/** Identity function that gives `hcguard.config.ts` type checking and completion. */
export const defineConfig = (config: HcguardConfigInput): HcguardConfigInput => config;

/** Validates a config; every problem is reported, none is thrown away. */
export const parseConfig = (input: unknown, source?: string): HcguardConfig => {
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(describeIssues(parsed.error.issues, input), source);
};

export const siteLabel = (config: Pick<HcguardConfig, 'sites'>, site: Site): string => config.sites[site].label ?? site;

export const stageBaseUrl = (config: Pick<HcguardConfig, 'sites'>, site: Site, stage: Stage): string =>
  config.sites[site].stages[stage];
