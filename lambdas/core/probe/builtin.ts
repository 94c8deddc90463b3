import type { ProbeDefinitionInput } from './schema.ts';

/** The built-in stage probes, written against the sandbox platform's API. */
export const builtinProbes = (): ProbeDefinitionInput[] => [];
