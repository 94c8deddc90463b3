// queryJson walks plain paths itself and hands the rest to jsonpath-plus; either way it must
// answer exactly what jsonpath-plus answers, so every row is checked against the library.
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import { queryJson } from '../../../lambdas/core/probe/jsonpath.ts';

const receipt = {
  ok: true,
  zero: 0,
  empty: '',
  nothing: null,
  no: false,
  verdict: 'green',
  receipt: { id: 'r-1', sha256: 'abc', sequence: 7, nested: { deeper: [1, { x: 'y' }] } },
  items: [{ id: 'a' }, { id: 'b', tags: ['t1', 't2'] }],
  'dotted.name': 1,
  _under: 'u',
  length: 3,
};

const libraryAnswer = (json: unknown, path: string) => {
  if (json === null || json === undefined) return { found: false };
  const matches = JSONPath({ path, json: json as object, eval: false, wrap: true }) as unknown[] | undefined;
  if (!matches || matches.length === 0) return { found: false };
  return { found: true, value: matches.length === 1 ? matches[0] : matches };
};

describe('queryJson', () => {
  it.each([
    // plain chains: walked directly
    ['$', receipt],
    ['$.ok', receipt],
    ['$.zero', receipt],
    ['$.empty', receipt],
    ['$.nothing', receipt],
    ['$.no', receipt],
    ['$.receipt.sha256', receipt],
    ['$.receipt.nested.deeper[1].x', receipt],
    ['$.receipt.nested.deeper.0', receipt],
    ['$.items[1].tags[0]', receipt],
    ['$.items[5].id', receipt],
    ['$.items.length', receipt],
    ['$.verdict.length', receipt],
    ['$.verdict.0', receipt],
    ['$.zero.toFixed', receipt],
    ['$.nothing.x', receipt],
    ['$.empty.length', receipt],
    ['$.no.x', receipt],
    ['$.missing', receipt],
    ['$.missing.deeper', receipt],
    ['$.constructor', receipt],
    ['$.toString', receipt],
    ['$.__proto__', receipt],
    ['$.hasOwnProperty', receipt],
    ['$._under', receipt],
    ['$.length', receipt],
    ["$['receipt']['id']", receipt],
    ['$["receipt"].id', receipt],
    ['$.ok', 0],
    ['$', 0],
    ['$', false],
    ['$', ''],
    ['$.length', 'text'],
    ['$[0]', [10, 20]],
    ['$.ok', null],
    ['$', undefined],
    // everything else: jsonpath-plus itself
    ["$['dotted.name']", receipt],
    ['$.items[*].id', receipt],
    ['$..id', receipt],
    ['$.items[-1].id', receipt],
    ['$.items[0:1]', receipt],
    ['$.items[0,1].id', receipt],
    ['$.receipt.*', receipt],
    ['$.receipt~', receipt],
  ])('answers %s as jsonpath-plus does', (path, json) => {
    expect(queryJson(json, path)).toEqual(libraryAnswer(json, path));
  });

  it('gives the same answer the second time (the split path is cached)', () => {
    expect(queryJson(receipt, '$.receipt.sequence')).toEqual({ found: true, value: 7 });
    expect(queryJson({ receipt: { sequence: 8 } }, '$.receipt.sequence')).toEqual({ found: true, value: 8 });
  });

  it('still refuses script expressions', () => {
    expect(() => queryJson(receipt, '$.items[?(@.id === "a")]')).toThrow(/Eval \[\?\(expr\)\] prevented/);
  });
});
