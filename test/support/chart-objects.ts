/**
 * Test support: which objects an upstream Istio chart renders for given values, without Helm
 * (not installed here). Used to check that no object has two owners: the tool, and a chart the
 * Sail operator renders from the values the tool emits.
 *
 * Method: the chart's values are built as Helm builds them for Istio's charts (the defaults under
 * `_internal_defaults_do_not_set` in values.yaml, the `files/profile-<profile>.yaml` and
 * `files/profile-platform-<platform>.yaml` merged over them, then the given values, as the
 * chart's zzz_profile.yaml does). Then each template is scanned: its actions (`{{ ... }}`) in
 * order, keeping a stack of the blocks they open (`if`, `else if`, `else`, `with`, `range`,
 * `define`), and every document's top-level `kind:` line with its `metadata.name` and
 * `metadata.namespace` lines. An object is rendered when every block around its `kind:` line
 * holds; names and namespaces are rendered with the same evaluator.
 *
 * The evaluator covers the Go template functions these charts use around objects (`or`, `and`,
 * `not`, `eq`, `ne`, `gt`, `int`, `toString`, `dig`, `regexMatch`, `hasKey`, `default`, `quote`)
 * and throws on anything else, and on a `range` over a non-empty list (which would render an
 * object per element), so that an unsupported template fails the test rather than passing it.
 * Not covered: objects whose text comes from files (the base chart's CRDs) rather than templates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

/** An object a chart renders, named as in the output: `Kind/namespace/name` or `Kind/name`. */
export interface ChartObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface ChartRelease {
  /** The chart folder, e.g. `../shared/upstream/istio-1.30.3/manifests/charts/istio-control/istio-discovery`. */
  readonly chartDir: string;
  /** The release namespace (`.Release.Namespace`). */
  readonly namespace: string;
  /** The values passed to the chart (`-f values.yaml`). */
  readonly values: Record<string, unknown>;
}

type Values = Record<string, unknown>;

/** The objects `helm template` would render for the release, as `kind`, `name` and `namespace`. */
export function chartObjects(release: ChartRelease): ChartObject[] {
  const values = chartValues(release.chartDir, release.values);
  const context: Context = { values, releaseNamespace: release.namespace, variables: new Map() };
  const templatesDir = join(release.chartDir, 'templates');
  return readdirSync(templatesDir)
    .filter((file) => file.endsWith('.yaml') && file !== 'zzz_profile.yaml')
    .sort()
    .flatMap((file) => templateObjects(readFileSync(join(templatesDir, file), 'utf8'), context, file));
}

function chartValues(chartDir: string, userValues: Values): Values {
  const file = load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Values;
  const defaults = structuredClone((file._internal_defaults_do_not_set ?? file) as Values);
  const global = (userValues.global ?? {}) as Values;
  const profile = (userValues.profile ?? global.profile) as string | undefined;
  const platform = (userValues.platform ?? global.platform) as string | undefined;
  let merged = defaults;
  for (const name of [profile && `profile-${profile}.yaml`, platform && `profile-platform-${platform}.yaml`]) {
    if (!name) continue;
    merged = deepMerge(merged, load(readFileSync(join(chartDir, 'files', name), 'utf8')) as Values);
  }
  return deepMerge(merged, userValues);
}

function deepMerge(base: Values, over: Values): Values {
  const result: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return result;
}

function isObject(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Context {
  readonly values: Values;
  readonly releaseNamespace: string;
  readonly variables: Map<string, unknown>;
}

/** One open block: it holds when every `negated` branch before it failed and its own `current` holds. */
interface Block {
  readonly kind: 'if' | 'with' | 'range' | 'define';
  readonly negated: string[];
  current?: string;
}

const ACTION = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;

function templateObjects(text: string, context: Context, file: string): ChartObject[] {
  const objects: ChartObject[] = [];
  const stack: Block[] = [];
  const holds = () => stack.every((block) => blockHolds(block, context, file));
  const lines = text.split('\n');
  const kindLines: { index: number; holds: boolean }[] = [];
  lines.forEach((line, index) => {
    for (const match of line.matchAll(ACTION)) applyAction(match[1], stack, file);
    if (/^kind:\s*\S/.test(line)) kindLines.push({ index, holds: holds() });
  });
  if (stack.length > 0) throw new Error(`${file}: ${stack.length} block(s) left open`);
  for (const { index, holds: rendered } of kindLines) {
    if (!rendered) continue;
    const kind = lines[index].replace(/^kind:\s*/, '').trim();
    const metadata = metadataLines(lines, index, context, file);
    const name = metadata.name && renderInline(metadata.name, context, file);
    if (!name) throw new Error(`${file}: ${kind} without a metadata.name line`);
    const namespace = metadata.namespace && renderInline(metadata.namespace, context, file);
    objects.push(namespace ? { kind, name, namespace } : { kind, name });
  }
  return objects;
}

/**
 * `metadata.name` / `metadata.namespace` of the document a `kind:` line belongs to (before or after
 * it); lines that are only template actions open and close blocks there (`if` around a name).
 */
function metadataLines(lines: string[], kindIndex: number, context: Context, file: string): { name?: string; namespace?: string } {
  let start = kindIndex;
  while (start > 0 && !/^---/.test(lines[start - 1])) start--;
  let end = kindIndex;
  while (end + 1 < lines.length && !/^---/.test(lines[end + 1]) && !/^kind:/.test(lines[end + 1])) end++;
  const documentLines = lines.slice(start, end + 1);
  const metadataAt = documentLines.findIndex((line) => /^metadata:/.test(line));
  if (metadataAt < 0) return {};
  const result: { name?: string; namespace?: string } = {};
  const stack: Block[] = [];
  for (const line of documentLines.slice(metadataAt + 1)) {
    if (/^\s*\{\{.*\}\}\s*$/.test(line)) {
      // An `end` of a block opened before `metadata:` closes the document's part of the template.
      if (/^\s*\{\{-?\s*end\b/.test(line) && stack.length === 0) break;
      for (const match of line.matchAll(ACTION)) applyAction(match[1], stack, file);
      continue;
    }
    if (/^\S/.test(line)) break;
    const field = /^ {2}(name|namespace):\s*(.+)$/.exec(line);
    if (!field || result[field[1] as 'name' | 'namespace'] !== undefined) continue;
    if (stack.every((block) => blockHolds(block, context, file))) result[field[1] as 'name' | 'namespace'] = field[2];
  }
  return result;
}

function applyAction(action: string, stack: Block[], file: string): void {
  const [keyword] = action.split(/\s+/, 1);
  const rest = action.slice(keyword.length).trim();
  switch (keyword) {
    case 'if':
      stack.push({ kind: 'if', negated: [], current: rest });
      return;
    case 'with':
    case 'range':
      stack.push({ kind: keyword, negated: [], current: rest });
      return;
    case 'define':
    case 'block':
      stack.push({ kind: 'define', negated: [] });
      return;
    case 'else': {
      const block = stack[stack.length - 1];
      if (!block) throw new Error(`${file}: else outside a block`);
      if (block.current !== undefined) block.negated.push(block.current);
      block.current = rest.startsWith('if ') ? rest.slice(3).trim() : undefined;
      return;
    }
    case 'end':
      if (!stack.pop()) throw new Error(`${file}: end outside a block`);
      return;
    default:
  }
}

function blockHolds(block: Block, context: Context, file: string): boolean {
  if (block.kind === 'define') return false;
  if (block.negated.some((condition) => truthy(evaluate(condition, context, file)))) return false;
  if (block.current === undefined) return true;
  if (block.kind === 'range') {
    const assigned = /^(?:\$\w+\s*(?:,\s*\$\w+\s*)?:=\s*)?(.+)$/.exec(block.current)![1];
    const collection = evaluate(assigned, context, file);
    if (truthy(collection)) throw new Error(`${file}: range over a non-empty ${assigned} is not supported`);
    return false;
  }
  const condition = block.kind === 'with' ? block.current.replace(/^\$\w+\s*:=\s*/, '') : block.current;
  return truthy(evaluate(condition, context, file));
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0;
}

/** Renders a one-line template (a name or namespace): text, values and inline `if`/`end`. */
function renderInline(template: string, context: Context, file: string): string {
  let output = '';
  const stack: Block[] = [];
  let last = 0;
  const emit = (text: string) => {
    if (stack.every((block) => blockHolds(block, context, file))) output += text;
  };
  for (const match of template.matchAll(ACTION)) {
    emit(template.slice(last, match.index));
    last = match.index! + match[0].length;
    const action = match[1];
    if (/^(if|else|end|with|range)\b/.test(action)) applyAction(action, stack, file);
    else emit(String(evaluate(action, context, file) ?? ''));
  }
  emit(template.slice(last));
  return output.trim().replace(/^"(.*)"$/, '$1');
}

type Token = { readonly type: 'open' | 'close' | 'string' | 'word' | 'pipe'; readonly text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|(\|)|([^\s()|]+))/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(expression)) && match[0] !== '') {
    if (match[1]) tokens.push({ type: 'open', text: '(' });
    else if (match[2]) tokens.push({ type: 'close', text: ')' });
    else if (match[3]) tokens.push({ type: 'string', text: JSON.parse(match[3]) as string });
    else if (match[4]) tokens.push({ type: 'pipe', text: '|' });
    else if (match[5]) tokens.push({ type: 'word', text: match[5] });
  }
  return tokens;
}

/** Evaluates a Go template pipeline of the charts' guards: `fn arg...`, parentheses, fields, `| fn`. */
function evaluate(expression: string, context: Context, file: string): unknown {
  const tokens = tokenize(expression);
  let position = 0;
  const fail = (why: string): never => {
    throw new Error(`${file}: cannot evaluate "${expression}": ${why}`);
  };
  const operand = (): unknown => {
    const token = tokens[position++] ?? fail('unexpected end');
    if (token.type === 'string') return token.text;
    if (token.type === 'open') {
      const value = pipeline();
      if (tokens[position++]?.type !== 'close') fail('missing )');
      // `(.Values.x).field`: a field of the parenthesized value.
      const next = tokens[position];
      if (next?.type === 'word' && next.text.startsWith('.')) {
        position++;
        return field(value, next.text.slice(1));
      }
      return value;
    }
    if (token.type !== 'word') return fail(`unexpected ${token.text}`);
    return word(token.text);
  };
  const word = (text: string): unknown => {
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (/^-?\d+$/.test(text)) return Number(text);
    if (text.startsWith('.') || text.startsWith('$')) return path(text);
    return undefined;
  };
  const path = (text: string): unknown => {
    const parts = text.replace(/^\$(?=\.)/, '').split('.');
    const head = parts.shift()!;
    let value: unknown;
    if (head === '') {
      const root = parts.shift();
      if (root === 'Values') value = context.values;
      else if (root === 'Release') value = { Namespace: context.releaseNamespace, Service: 'Helm', Name: 'release' };
      else fail(`unknown root .${root}`);
    } else {
      value = context.variables.get(head);
      if (!context.variables.has(head)) fail(`unknown variable ${head}`);
    }
    return parts.reduce<unknown>((current, part) => field(current, part), value);
  };
  const field = (value: unknown, name: string): unknown =>
    name.split('.').reduce<unknown>((current, part) => (isObject(current) && Object.hasOwn(current, part) ? current[part] : undefined), value);
  const call = (): unknown => {
    const token = tokens[position];
    if (token?.type === 'word' && !token.text.startsWith('.') && !token.text.startsWith('$') && word(token.text) === undefined) {
      position++;
      const args: unknown[] = [];
      while (position < tokens.length && tokens[position].type !== 'close' && tokens[position].type !== 'pipe') args.push(operand());
      return apply(token.text, args);
    }
    return operand();
  };
  const pipeline = (): unknown => {
    let value = call();
    while (tokens[position]?.type === 'pipe') {
      position++;
      const name = tokens[position++];
      if (name?.type !== 'word') fail('expected a function after |');
      const args: unknown[] = [];
      while (position < tokens.length && tokens[position].type !== 'close' && tokens[position].type !== 'pipe') args.push(operand());
      value = apply(name.text, [...args, value]);
    }
    return value;
  };
  const apply = (name: string, args: unknown[]): unknown => {
    switch (name) {
      case 'or':
        return args.find(truthy) ?? args[args.length - 1];
      case 'and':
        return args.find((arg) => !truthy(arg)) ?? args[args.length - 1];
      case 'not':
        return !truthy(args[0]);
      case 'eq':
        return args.slice(1).some((arg) => arg === args[0]);
      case 'ne':
        return args[0] !== args[1];
      case 'gt':
        return Number(args[0]) > Number(args[1]);
      case 'int':
        return Math.trunc(Number(args[0] ?? 0));
      case 'toString':
        return args[0] === undefined || args[0] === null ? '' : String(args[0]);
      case 'default':
        return truthy(args[1]) ? args[1] : args[0];
      case 'quote':
        return String(args[0] ?? '');
      case 'hasKey':
        return isObject(args[0]) && Object.hasOwn(args[0], String(args[1]));
      case 'regexMatch':
        return new RegExp(String(args[0])).test(String(args[1] ?? ''));
      case 'dig': {
        const keys = args.slice(0, -2).map(String);
        const value = field(args[args.length - 1], keys.join('.'));
        return value === undefined ? args[args.length - 2] : value;
      }
      default:
        return fail(`unsupported function ${name}`);
    }
  };
  const value = pipeline();
  if (position !== tokens.length) fail(`unexpected ${tokens[position].text}`);
  return value;
}
