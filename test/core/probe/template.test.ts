import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  corrupt,
  parseTemplate,
  referencedRoots,
  renderString,
  renderValue,
  TemplateError,
  type TemplateRuntime,
} from '../../../lambdas/core/probe/template.ts';

const runtime: TemplateRuntime = {
  now: () => new Date('2026-11-26T08:00:00.000Z'),
  uuid: () => '00000000-0000-4000-8000-000000000001',
  nonce: () => '0123456789abcdef',
};

const scope = {
  site: 'primary',
  seq: 42,
  code: 'HC1.abc.def',
  identity: { id: 'SYN-0123456789AB', name: 'Synthetic Probe CDEF' },
  vars: { payload: '{"a":1}', list: ['x', 'y'] },
  secret: { key: 'key' },
};

describe('templates: text with {{ expressions }}', () => {
  it.each([
    ['plain text without expressions', 'just text', 'just text'],
    ['a reference inside text', 'stream hcguard-{{ site }}', 'stream hcguard-primary'],
    ['several references', '{{ site }}/{{ seq }}', 'primary/42'],
    ['a nested reference', 'hello {{ identity.name }}', 'hello Synthetic Probe CDEF'],
    ['a number inside text', 'seq={{ seq }}', 'seq=42'],
    ['a list inside text becomes JSON', 'list={{ vars.list }}', 'list=["x","y"]'],
    ['braces that are not an expression', '{"sequence":{{ seq }}}', '{"sequence":42}'],
  ])('renders %s', (_, source, expected) => {
    expect(renderString(source, scope, runtime)).toBe(expected);
  });

  it.each([
    ['a number stays a number', '{{ seq }}', 42],
    ['a list stays a list', '{{ vars.list }}', ['x', 'y']],
    ['a boolean literal', '{{ true }}', true],
    ['null', '{{ null }}', null],
    ['a negative number literal', '{{ -1 }}', -1],
    ['a string literal with an escaped quote', "{{ 'it\\'s' }}", "it's"],
  ])('keeps the value of a whole-string expression: %s', (_, source, expected) => {
    expect(renderString(source, scope, runtime)).toEqual(expected);
  });

  it.each([
    ['uuid()', '00000000-0000-4000-8000-000000000001'],
    ['nonce()', '0123456789abcdef'],
    ['now()', '2026-11-26T08:00:00.000Z'],
    ['epochSeconds()', 1795680000],
    ["sha256('abc')", 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      "hmac(secret.key, 'The quick brown fox jumps over the lazy dog')",
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    ],
    ["concat(site, ':', seq)", 'primary:42'],
    ['add(seq, -1)', 41],
    ["urlencode('a b/c')", 'a%20b%2Fc'],
    ['json(vars.list)', '["x","y"]'],
    ['sha256(vars.payload)', '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862'],
  ])('function %s', (source, expected) => {
    expect(renderString(`{{ ${source} }}`, scope, runtime)).toEqual(expected);
  });

  it('renders every string inside a JSON body, keeping keys and non-strings', () => {
    expect(
      renderValue(
        { sequence: '{{ seq }}', payload: 'p-{{ site }}', fixed: 36.6, nested: [{ who: '{{ identity.id }}' }] },
        scope,
        runtime,
      ),
    ).toEqual({
      sequence: 42,
      payload: 'p-primary',
      fixed: 36.6,
      nested: [{ who: 'SYN-0123456789AB' }],
    });
  });

  it.each([
    ['an unknown variable', '{{ missing }}', 'unknown variable "missing"'],
    ['an unknown field', '{{ identity.birthday }}', 'unknown variable "identity.birthday"'],
    ['an unknown function', '{{ eval(site) }}', 'unknown function eval()'],
    ['a call with the wrong number of arguments', '{{ sha256() }}', 'sha256() takes 1 to 2 argument(s), got 0'],
    ['an unclosed expression', 'a {{ site', '"{{" at position 2 is never closed'],
    ['an empty expression', '{{ }}', 'empty {{ }}'],
    ['an unclosed string', "{{ 'abc }}", 'string is not closed'],
    ['trailing garbage', '{{ site site }}', 'unexpected "site"'],
    ['operators, which the language does not have', '{{ seq - 1 }}', 'unexpected "- 1"'],
  ])('refuses %s with a TemplateError', (_, source, message) => {
    expect(() => renderString(source, scope, runtime)).toThrow(TemplateError);
    expect(() => renderString(source, scope, runtime)).toThrow(message);
  });

  it('lists the variables a template refers to', () => {
    expect(
      referencedRoots(parseTemplate("{{ hmac(secret.key, concat(stream, ':', vars.payload)) }} {{ code }}")),
    ).toEqual(['secret', 'stream', 'vars', 'code']);
  });
});

describe('corrupt(): a forged copy of a value', () => {
  it.each(['HC1.eyJ2IjoxfQ.c2lnbmF0dXJl', 'abc', 'Z', '9', 'a.b.c', '--x--'])(
    'changes exactly one character of %s, within its alphabet',
    (value) => {
      const forged = corrupt(value);
      expect(forged).toHaveLength(value.length);
      const changed = [...value].filter((char, index) => forged[index] !== char);
      expect(changed).toHaveLength(1);
      expect(forged).toMatch(/^[A-Za-z0-9._-]+$/);
    },
  );

  it('refuses a value with nothing to change', () => {
    expect(() => corrupt('...')).toThrow('corrupt() needs a value with at least one letter or digit');
  });
});

describe('canonicalJson', () => {
  it('sorts keys so equal values give equal text', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});
