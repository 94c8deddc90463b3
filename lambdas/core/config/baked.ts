// The config a Lambda finds baked into its bundle: used as it is when it already has the shape a
// parse produces, parsed in full otherwise.
import type * as z from 'zod';
import { configSchema, type HcguardConfig } from './schema.ts';
import { parseConfig } from '../config.ts';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The config baked into a Lambda bundle. The stack bakes parseConfig's output, so a config that
 * already has the parsed shape (every default filled in, no unknown key, every value of the kind
 * the schema produces) is used as it is: a full zod parse costs a cold start some 25 ms. Anything
 * else (an input config, a truncated or foreign one) goes through parseConfig, which fills the
 * defaults in or throws the ConfigError that names every problem.
 */
export const loadBakedConfig = (text: string, source: string): HcguardConfig => {
  const value: unknown = JSON.parse(text);
  return hasParsedShape(configSchema, value) ? (value as HcguardConfig) : parseConfig(value, source);
};

/**
 * Whether `value` has the shape `schema` produces when it parses: types, required keys, enum and
 * literal members, recursively. Value rules (bounds, patterns, refinements) are not re-checked:
 * the stack's parse checked them. Any schema kind not listed here answers false, so a schema
 * change can only make loading slower (a full parse), never let a wrong shape through.
 */
export const hasParsedShape = (schema: z.core.$ZodType, value: unknown): boolean => {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'unknown':
      return true;
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>).includes(value);
    case 'literal':
      return (def.values as unknown[]).includes(value);
    // A default is filled in by parsing: the parsed value is there.
    case 'default':
    case 'prefault':
      return value !== undefined && hasParsedShape(def.innerType as z.core.$ZodType, value);
    case 'optional':
      return value === undefined || hasParsedShape(def.innerType as z.core.$ZodType, value);
    // A transform's output is checked against its input's kind: right for the config's (domain
    // names lose their trailing dot); one that changes the kind answers false.
    case 'pipe': {
      // A preprocess (a preset expanded into a probe) is a transform before the schema: the
      // parsed value has the schema's shape.
      if ((def.in as z.core.$ZodType)._zod.def.type === 'transform')
        return hasParsedShape(def.out as z.core.$ZodType, value);
      const out = (def.out as z.core.$ZodType)._zod.def.type;
      return out === 'transform' && hasParsedShape(def.in as z.core.$ZodType, value);
    }
    case 'union':
      return (def.options as z.core.$ZodType[]).some((option) => hasParsedShape(option, value));
    case 'array':
      return Array.isArray(value) && value.every((entry) => hasParsedShape(def.element as z.core.$ZodType, entry));
    case 'record':
      return (
        isRecord(value) &&
        Object.values(value).every((entry) => hasParsedShape(def.valueType as z.core.$ZodType, entry))
      );
    case 'object': {
      if (!isRecord(value)) return false;
      const shape = def.shape as Record<string, z.core.$ZodType>;
      const catchall = def.catchall as z.core.$ZodType | undefined;
      // Parsing drops or rejects unknown keys unless the object is loose.
      if ((!catchall || catchall._zod.def.type === 'never') && Object.keys(value).some((key) => !(key in shape)))
        return false;
      return Object.entries(shape).every(([key, field]) => hasParsedShape(field, value[key]));
    }
    default:
      return false;
  }
};
