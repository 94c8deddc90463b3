// JSONPath queries for assertions and captures. Script expressions are disabled (`eval: false`):
// a config file selects values, it never runs code inside the prober.
import { JSONPath } from 'jsonpath-plus';

export interface JsonPathMatch {
  readonly found: boolean;
  /** One match: its value; several (wildcards, recursive descent): the list of them. */
  readonly value?: unknown;
}

// Most configured paths are plain chains like `$.receipt.sha256` or `$.items[0].id`. For those,
// jsonpath-plus does nothing but follow each name while the value is truthy and owns it, so the
// chain is split once (by jsonpath-plus itself, so `['name']` forms split the same way) and walked
// directly; any other path (wildcards, descent, filters, slices, unions) goes to jsonpath-plus.
const PLAIN_SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)$/;
const plainChains = new Map<string, readonly string[] | null>();

const plainChain = (path: string): readonly string[] | null => {
  let chain = plainChains.get(path);
  if (chain === undefined) {
    const segments = JSONPath.toPathArray(path);
    chain =
      segments[0] === '$' && segments.slice(1).every((segment) => PLAIN_SEGMENT.test(segment))
        ? segments.slice(1)
        : null;
    plainChains.set(path, chain);
  }
  return chain;
};

export const queryJson = (json: unknown, path: string): JsonPathMatch => {
  if (json === null || json === undefined) return { found: false };
  const chain = plainChain(path);
  if (chain) {
    // jsonpath-plus answers nothing for a falsy document (0, false, ""), whatever the path.
    if (!json) return { found: false };
    let value: unknown = json;
    for (const name of chain) {
      if (!value || !Object.hasOwn(value as object, name)) return { found: false };
      value = (value as Record<string, unknown>)[name];
    }
    return { found: true, value };
  }
  const matches = JSONPath({ path, json: json as object, eval: false, wrap: true }) as unknown[] | undefined;
  if (!matches || matches.length === 0) return { found: false };
  return { found: true, value: matches.length === 1 ? matches[0] : matches };
};
