// The probe template language: text with `{{ expression }}` parts.
//
//   expression := call | reference | 'string' | "string" | number | true | false | null
//   call       := name '(' [expression {',' expression}] ')'
//   reference  := name {'.' name}          e.g. identity.name, vars.payload, secret.key, code
//
// A string that is exactly one `{{ … }}` renders to the expression's own value (a number stays
// a number in a JSON body); anything else renders to text. There are no operators and no
// user-defined code: a config file can compute hashes and HMACs, never run a program.
// Randomness and the clock come in through TemplateRuntime, so rendering is deterministic in tests.
import { FUNCTIONS } from './functions.ts';
import { TemplateError, text, type TemplateRuntime } from './template-values.ts';

export { corrupt, FUNCTIONS } from './functions.ts';
export { canonicalJson, TemplateError, type TemplateRuntime } from './template-values.ts';

export type Expression =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'reference'; readonly path: readonly string[] }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expression[] };

export type TemplatePart = string | Expression;

export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

/** Values references resolve against: `site`, `seq`, `vars`, `secret`, captures, … */
export type TemplateScope = Readonly<Record<string, unknown>>;

// ---------------------------------------------------------------- parsing

class ExpressionParser {
  private position = 0;
  constructor(private readonly source: string) {}

  parse(): Expression {
    const expression = this.expression();
    this.skipSpace();
    if (this.position < this.source.length)
      this.fail(`unexpected "${this.source.slice(this.position, this.position + 10).trim()}"`);
    return expression;
  }

  private expression(): Expression {
    this.skipSpace();
    const char = this.source.charAt(this.position);
    if (char === "'" || char === '"') return { kind: 'literal', value: this.string(char) };
    if (/[-\d]/.test(char)) return { kind: 'literal', value: this.number() };
    const name = this.name();
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    this.skipSpace();
    if (this.source.charAt(this.position) === '(') {
      this.position++;
      const args: Expression[] = [];
      this.skipSpace();
      if (this.source.charAt(this.position) === ')') {
        this.position++;
      } else {
        for (;;) {
          args.push(this.expression());
          this.skipSpace();
          const next = this.source.charAt(this.position++);
          if (next === ')') break;
          if (next !== ',') this.fail(`expected "," or ")" in the arguments of ${name}()`);
        }
      }
      if (!Object.hasOwn(FUNCTIONS, name))
        this.fail(`unknown function ${name}() (known: ${Object.keys(FUNCTIONS).join(', ')})`);
      return { kind: 'call', name, args };
    }
    const path = [name];
    while (this.source.charAt(this.position) === '.') {
      this.position++;
      path.push(this.name());
    }
    return { kind: 'reference', path };
  }

  private name(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.source.slice(this.position));
    if (!match)
      this.fail(
        this.position >= this.source.length
          ? 'expression is incomplete'
          : `unexpected "${this.source.charAt(this.position)}"`,
      );
    this.position += match[0].length;
    return match[0];
  }

  private number(): number {
    const match = /^-?\d+(\.\d+)?/.exec(this.source.slice(this.position));
    if (!match) this.fail('malformed number');
    this.position += match[0].length;
    return Number(match[0]);
  }

  private string(quote: string): string {
    let value = '';
    this.position++;
    while (this.position < this.source.length) {
      const char = this.source.charAt(this.position++);
      if (char === quote) return value;
      if (char === '\\') {
        const escaped = this.source.charAt(this.position++);
        value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
      } else {
        value += char;
      }
    }
    return this.fail('string is not closed');
  }

  private skipSpace(): void {
    while (/\s/.test(this.source.charAt(this.position))) this.position++;
  }

  private fail(message: string): never {
    throw new TemplateError(`${message} in {{ ${this.source.trim()} }}`);
  }
}

const OPEN = '{{';
const CLOSE = '}}';

export const parseTemplate = (source: string): Template => {
  const parts: TemplatePart[] = [];
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf(OPEN, position);
    if (open === -1) {
      parts.push(source.slice(position));
      break;
    }
    if (open > position) parts.push(source.slice(position, open));
    const close = source.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) throw new TemplateError(`"{{" at position ${open} is never closed with "}}"`);
    const inner = source.slice(open + OPEN.length, close);
    if (!inner.trim()) throw new TemplateError(`empty {{ }} at position ${open}`);
    parts.push(new ExpressionParser(inner).parse());
    position = close + CLOSE.length;
  }
  return { source, parts };
};

/** True when the text contains `{{`: only such strings need parsing and rendering. */
export const isTemplate = (value: string): boolean => value.includes(OPEN);

// ---------------------------------------------------------------- rendering

const resolveReference = (path: readonly string[], scope: TemplateScope): unknown => {
  const [root, ...rest] = path;
  if (root === undefined || !Object.hasOwn(scope, root))
    throw new TemplateError(`unknown variable "${path.join('.')}"`);
  let value: unknown = scope[root];
  for (const [index, key] of rest.entries()) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) {
      throw new TemplateError(`unknown variable "${path.slice(0, index + 2).join('.')}"`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
};

export const evaluateExpression = (expression: Expression, scope: TemplateScope, runtime: TemplateRuntime): unknown => {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'reference':
      return resolveReference(expression.path, scope);
    case 'call': {
      const fn = FUNCTIONS[expression.name];
      if (!fn) throw new TemplateError(`unknown function ${expression.name}()`);
      return fn(
        expression.args.map((arg) => evaluateExpression(arg, scope, runtime)),
        runtime,
      );
    }
  }
};

export const renderTemplate = (template: Template, scope: TemplateScope, runtime: TemplateRuntime): unknown => {
  const [only] = template.parts;
  if (template.parts.length === 1 && only !== undefined && typeof only !== 'string')
    return evaluateExpression(only, scope, runtime);
  return template.parts
    .map((part) =>
      typeof part === 'string' ? part : text(evaluateExpression(part, scope, runtime), `{{ ${describe(part)} }}`),
    )
    .join('');
};

const describe = (expression: Expression): string =>
  expression.kind === 'reference'
    ? expression.path.join('.')
    : expression.kind === 'call'
      ? `${expression.name}(…)`
      : String(expression.value);

/** Renders a string template; strings without `{{` come back unchanged. */
export const renderString = (source: string, scope: TemplateScope, runtime: TemplateRuntime): unknown =>
  isTemplate(source) ? renderTemplate(parseTemplate(source), scope, runtime) : source;

/** Renders every string inside a JSON value (object keys stay as written). */
export const renderValue = (value: unknown, scope: TemplateScope, runtime: TemplateRuntime): unknown => {
  if (typeof value === 'string') return renderString(value, scope, runtime);
  if (Array.isArray(value)) return value.map((entry) => renderValue(entry, scope, runtime));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, renderValue(entry, scope, runtime)]));
  }
  return value;
};

/** Renders a template that must produce text (a URL path, a header value). */
export const renderText = (source: string, scope: TemplateScope, runtime: TemplateRuntime): string =>
  text(renderString(source, scope, runtime), `{{ ${source} }}`);

/** Every template string inside a JSON value, for validation. */
export const templateStrings = (value: unknown): string[] => {
  if (typeof value === 'string') return isTemplate(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(templateStrings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(templateStrings);
  return [];
};

/** The variable roots a template refers to (`vars`, `secret`, `code`, …). */
export const referencedRoots = (template: Template): string[] => {
  const roots = new Set<string>();
  const visit = (expression: Expression): void => {
    if (expression.kind === 'reference' && expression.path[0] !== undefined) roots.add(expression.path[0]);
    if (expression.kind === 'call') expression.args.forEach(visit);
  };
  template.parts.forEach((part) => typeof part !== 'string' && visit(part));
  return [...roots];
};

/** Full dotted references (`vars.payload`), for checking declared names. */
export const referencedPaths = (template: Template): string[][] => {
  const paths: string[][] = [];
  const visit = (expression: Expression): void => {
    if (expression.kind === 'reference') paths.push([...expression.path]);
    if (expression.kind === 'call') expression.args.forEach(visit);
  };
  template.parts.forEach((part) => typeof part !== 'string' && visit(part));
  return paths;
};
