// JSONPath queries for assertions and captures. Script expressions are disabled (`eval: false`):
// a config file selects values, it never runs code inside the prober.
import { JSONPath } from 'jsonpath-plus';

export interface JsonPathMatch {
  readonly found: boolean;
  /** One match: its value; several (wildcards, recursive descent): the list of them. */
  readonly value?: unknown;
}

export const queryJson = (json: unknown, path: string): JsonPathMatch => {
  if (json === null || json === undefined) return { found: false };
  const matches = JSONPath({ path, json: json as object, eval: false, wrap: true }) as unknown[] | undefined;
  if (!matches || matches.length === 0) return { found: false };
  return { found: true, value: matches.length === 1 ? matches[0] : matches };
};
