import type { CelInput, CelResult } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { escapeUnprintable } from './go-quote';
import { celLibrary, kubernetesCelEnv } from './kubernetes-library';

/*
 * The `x-kubernetes-validations` rules of a CRD schema, evaluated as kube-apiserver evaluates them
 * when an object is created (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go):
 * each rule at the schema node it sits on, once per value present there (every item of a list,
 * every value of a map), with `self` bound to that value typed by the schema and its property
 * names escaped (k8s.io/apiserver/pkg/cel/escaping.go). A failing rule gives the API server's
 * field error: the path of the node (plus the rule's `fieldPath`), `Invalid value` (or the
 * `reason`), the node's type and the message (`messageExpression` first, then `message`, then
 * `failed rule: <rule>`). Transition rules (those that read `oldSelf`) apply only to updates and
 * are skipped, as the API server skips them on create. A rule this evaluator cannot run as the
 * API server would (a function outside kubernetes-library.ts, `optionalOldSelf`, a rule or
 * `fieldPath` that does not parse) is reported as unchecked, never as passed.
 */

/** One entry of `x-kubernetes-validations`. */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

/** A rule that failed, or could not be checked, on one value of an object. */
export interface RuleProblem {
  /** JSON pointer of the field the error is on, from the object's root. */
  readonly pointer: string;
  /** The same field as the API server writes it: `spec.servers[0].port`, `<nil>` for the root. */
  readonly fieldPath: string;
  /** The API server's error for a failed rule (`Invalid value: "string": ...`), or why the rule is not checked. */
  readonly message: string;
  readonly unchecked: boolean;
}

/** The schema shape the rules are read from (a structural schema, or the pruned copy the build keeps). */
export interface RuleSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, RuleSchema>>;
  readonly items?: RuleSchema;
  readonly additionalProperties?: RuleSchema | boolean;
  readonly allOf?: readonly RuleSchema[];
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const RULES = 'x-kubernetes-validations';

// ---------------------------------------------------------------------------------------------
// pruning: what the build keeps of a kind's schema for its rules

/** Whether a node or anything below it carries a rule. */
function carriesRules(schema: RuleSchema): boolean {
  return (
    (schema[RULES]?.length ?? 0) > 0 ||
    Object.values(schema.properties ?? {}).some(carriesRules) ||
    (schema.items !== undefined && carriesRules(schema.items)) ||
    (typeof schema.additionalProperties === 'object' && carriesRules(schema.additionalProperties)) ||
    (schema.allOf ?? []).some(carriesRules)
  );
}

/**
 * The part of a schema its rules need: the nodes on the way to a rule, and at and below a rule the
 * types of everything `self` can reach (and the rules further down). Undefined when the schema has
 * no rule.
 */
export function ruleSchemaOf(schema: RuleSchema, underRule = false): RuleSchema | undefined {
  const rules = schema[RULES] ?? [];
  const typed = underRule || rules.length > 0;
  if (!typed && !carriesRules(schema)) return undefined;
  const properties = Object.entries(schema.properties ?? {}).flatMap(([name, child]) => {
    const kept = ruleSchemaOf(child, typed);
    return kept ? [[name, kept] as const] : [];
  });
  const allOf = (schema.allOf ?? []).flatMap((branch) => ruleSchemaOf(branch) ?? []);
  return compact<RuleSchema>({
    type: schema.type,
    'x-kubernetes-int-or-string': typed ? schema['x-kubernetes-int-or-string'] : undefined,
    'x-kubernetes-preserve-unknown-fields': typed ? schema['x-kubernetes-preserve-unknown-fields'] : undefined,
    // An empty properties object still says "an object with fields", which types its values.
    properties: properties.length > 0 || (typed && schema.properties) ? Object.fromEntries(properties) : undefined,
    items: schema.items && ruleSchemaOf(schema.items, typed),
    additionalProperties: typeof schema.additionalProperties === 'object' ? ruleSchemaOf(schema.additionalProperties, typed) : undefined,
    allOf: allOf.length > 0 ? allOf : undefined,
    [RULES]: rules.length > 0 ? rules : undefined,
  });
}

function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// compiling

type Program = (bindings: Record<string, CelInput>) => CelResult;

type CompiledRule =
  | { readonly status: 'ready'; readonly program: Program; readonly messageProgram?: Program; readonly normalizedFieldPath?: NormalizedFieldPath }
  | { readonly status: 'transition' }
  | { readonly status: 'unchecked'; readonly reason: string };

/** Rules are compiled once per text (the Istio CRDs repeat theirs across versions and kinds). */
const compiledRules = new Map<string, CompiledRule>();

/** Operators and macros the CEL core evaluates itself; every other call must be a library function. */
const CORE_CALL = /^(?:_|@|!_$|-_$)/;

/** The functions an expression calls and whether it reads `oldSelf`. */
function references(expr: Expr | undefined, found: { functions: Set<string>; readsOldSelf: boolean }): void {
  if (!expr) return;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      if (kind.value.name === 'oldSelf') found.readsOldSelf = true;
      return;
    case 'selectExpr':
      return references(kind.value.operand, found);
    case 'callExpr':
      found.functions.add(kind.value.function);
      references(kind.value.target, found);
      for (const arg of kind.value.args) references(arg, found);
      return;
    case 'listExpr':
      for (const element of kind.value.elements) references(element, found);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') references(entry.keyKind.value, found);
        references(entry.value, found);
      }
      return;
    case 'comprehensionExpr':
      for (const part of [kind.value.iterRange, kind.value.accuInit, kind.value.loopCondition, kind.value.loopStep, kind.value.result]) references(part, found);
      return;
    default:
      return;
  }
}

/** Parses and plans one expression, or says why it cannot run here. */
function compileExpression(text: string): { program: Program; readsOldSelf: boolean } | string {
  const { parse, plan } = celLibrary();
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (error) {
    return `does not parse: ${(error as Error).message.split('\n')[0]}`;
  }
  const found = { functions: new Set<string>(), readsOldSelf: false };
  references(parsed.expr, found);
  const env = kubernetesCelEnv();
  const missing = [...found.functions].filter((name) => !CORE_CALL.test(name) && env.funcs.find(name) === undefined).sort();
  if (missing.length > 0) return `calls ${missing.map((name) => `${name}()`).join(', ')}, which this evaluator does not implement`;
  return { program: plan(env, parsed) as Program, readsOldSelf: found.readsOldSelf };
}

function compileRule(rule: ValidationRule): CompiledRule {
  const key = JSON.stringify([rule.rule, rule.messageExpression ?? null, rule.fieldPath ?? null, rule.optionalOldSelf ?? null]);
  let compiled = compiledRules.get(key);
  if (!compiled) {
    compiled = compileRuleOnce(rule);
    compiledRules.set(key, compiled);
  }
  return compiled;
}

function compileRuleOnce(rule: ValidationRule): CompiledRule {
  const main = compileExpression(rule.rule);
  if (typeof main === 'string') return { status: 'unchecked', reason: `the rule ${main}` };
  if (rule.optionalOldSelf) return { status: 'unchecked', reason: 'the rule sets optionalOldSelf, which needs CEL optional values' };
  if (main.readsOldSelf) return { status: 'transition' };
  let messageProgram: Program | undefined;
  if (rule.messageExpression !== undefined) {
    const message = compileExpression(rule.messageExpression);
    if (typeof message === 'string') return { status: 'unchecked', reason: `its messageExpression ${message}` };
    messageProgram = message.program;
  }
  let normalizedFieldPath: NormalizedFieldPath | undefined;
  if (rule.fieldPath !== undefined) {
    const normalized = normalizeFieldPath(rule.fieldPath);
    if (typeof normalized === 'string') return { status: 'unchecked', reason: `its fieldPath ${JSON.stringify(rule.fieldPath)} ${normalized}` };
    normalizedFieldPath = normalized;
  }
  return { status: 'ready', program: main.program, messageProgram, normalizedFieldPath };
}

// ---------------------------------------------------------------------------------------------
// paths

/** A field as both notations write it. */
interface FieldLocation {
  readonly pointer: string;
  /** field.Path: `a.b`, `a[0]`, `a[key]`; empty for the root. */
  readonly path: string;
}

const ROOT: FieldLocation = { pointer: '', path: '' };

function pointerStep(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function child(at: FieldLocation, name: string): FieldLocation {
  return { pointer: pointerStep(at.pointer, name), path: at.path === '' ? name : `${at.path}.${name}` };
}

/** A map key comes from the object: printed with its unprintable characters escaped. */
function subscript(at: FieldLocation, key: string | number): FieldLocation {
  return { pointer: pointerStep(at.pointer, key), path: `${at.path}[${escapeUnprintable(String(key))}]` };
}

/** field.Path.String() of the root is `<nil>`. */
function printedPath(at: FieldLocation): string {
  return at.path === '' ? '<nil>' : at.path;
}

/** A rule's `fieldPath` (`.a.b`, `['a.b']`, `.m['key']`) as steps: a property name, or a map key. */
type NormalizedFieldPath = readonly { readonly name: string; readonly mapKey: boolean }[];

/** The API server's ValidFieldPath, without the schema check (a CRD whose fieldPath names no field is refused when it is created). */
function normalizeFieldPath(fieldPath: string): NormalizedFieldPath | string {
  const steps: { name: string; mapKey: boolean }[] = [];
  const token = /\.([^.[\]']+)|\[('(?:[^'\\]|\\.)*')\]/y;
  let index = 0;
  while (index < fieldPath.length) {
    token.lastIndex = index;
    const match = token.exec(fieldPath);
    if (!match) return 'is not a JSON path of fields and map keys';
    if (match[1] !== undefined) steps.push({ name: match[1], mapKey: false });
    else steps.push({ name: match[2].slice(1, -1).replace(/\\(.)/g, '$1'), mapKey: true });
    index = token.lastIndex;
  }
  return steps;
}

/**
 * Where the error of a failing rule is: the node, then the rule's fieldPath. The API server appends
 * the normalized fieldPath as one child, so `['a.b']` on a properties schema prints `.a.b`.
 */
function errorLocation(at: FieldLocation, steps: NormalizedFieldPath | undefined): FieldLocation {
  let location = at;
  for (const step of steps ?? []) location = step.mapKey ? subscript(location, step.name) : child(location, step.name);
  return location;
}

// ---------------------------------------------------------------------------------------------
// values

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** k8s.io/apiserver/pkg/cel/escaping.go: the CEL name of a property, or undefined when it has none. */
export function escapePropertyName(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  return name.replace(/__|[.\-/]/g, (escape) => ({ __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' })[escape]!);
}

/** A JSON number as the schema types it: `integer` (and int-or-string) as CEL int, `number` as double. */
function celNumber(value: number, schema: RuleSchema | undefined): CelInput {
  const asInteger = schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'] || (schema?.type === undefined && Number.isInteger(value));
  return asInteger && Number.isSafeInteger(value) ? BigInt(value) : value;
}

/** A JSON value as the CEL value the API server binds to `self` (UnstructuredToVal over the schema). */
function celValue(value: unknown, schema: RuleSchema | undefined, isRoot = false): CelInput {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return celNumber(value, schema);
  if (Array.isArray(value)) return value.map((item) => celValue(item, schema?.items));
  if (typeof value !== 'object') return null;
  const entries = Object.entries(value as Record<string, unknown>);
  const map = new Map<string, CelInput>();
  if (schema?.properties) {
    for (const [name, field] of entries) {
      const property = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
      const celName = escapePropertyName(name);
      // Fields the schema does not list are pruned before the rules run; metadata at the root shows only name and generateName.
      if (property && celName !== undefined) map.set(celName, isRoot && name === 'metadata' ? rootMetadata(field) : celValue(field, property));
    }
    return map;
  }
  const valueSchema = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [key, field] of entries) map.set(key, celValue(field, valueSchema));
  return map;
}

function rootMetadata(metadata: unknown): CelInput {
  const map = new Map<string, CelInput>();
  if (typeof metadata === 'object' && metadata !== null) {
    for (const name of ['name', 'generateName']) {
      const field = (metadata as Record<string, unknown>)[name];
      if (typeof field === 'string') map.set(name, field);
    }
  }
  return map;
}

// ---------------------------------------------------------------------------------------------
// evaluating

/** The longest messageExpression result the API server prints (celconfig.MaxEvaluatedMessageExpressionSizeBytes). */
const MAX_MESSAGE_BYTES = 5 * 1024;

function ruleErrorString(rule: ValidationRule): string {
  return rule.message?.trim() ? rule.message.trim() : rule.rule.trim();
}

function failureDetail(rule: ValidationRule, compiled: Extract<CompiledRule, { status: 'ready' }>, bindings: Record<string, CelInput>): string {
  if (compiled.messageProgram) {
    const message = compiled.messageProgram(bindings);
    // A messageExpression that fails, is not a string, is empty, too long or has a line break gives way to the message.
    if (typeof message === 'string') {
      const trimmed = message.trim();
      if (trimmed !== '' && !trimmed.includes('\n') && Buffer.byteLength(trimmed) <= MAX_MESSAGE_BYTES) return trimmed;
    }
  }
  return rule.message?.trim() ? rule.message.trim() : `failed rule: ${ruleErrorString(rule)}`;
}

/** field.Error's body for the rule's reason (fieldErrorForReason), with the node's type as the value. */
function fieldErrorBody(reason: string | undefined, typeName: string, detail: string): string {
  switch (reason) {
    case 'FieldValueForbidden':
      return `Forbidden: ${detail}`;
    case 'FieldValueRequired':
      return `Required value: ${detail}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${JSON.stringify(typeName)}`;
    default:
      return `Invalid value: ${JSON.stringify(typeName)}: ${detail}`;
  }
}

/**
 * A run-time error as cel-go words it. @bufbuild/cel says "field not found: x" for an absent map
 * key or field; the API server's values are maps and unstructured objects, whose lookup fails with
 * "no such key: x" (cel-go `types.NewErr("no such key: %v")`, as kube-apiserver reports it).
 */
function goCelErrorMessage(message: string): string {
  return message.replace(/^field not found: /, 'no such key: ');
}

function checkRules(schema: RuleSchema, value: unknown, at: FieldLocation, isRoot: boolean, problems: RuleProblem[]): void {
  const rules = schema[RULES] ?? [];
  if (rules.length === 0) return;
  const bindings = { self: celValue(value, schema, isRoot) };
  // The API server's node type: the schema's, or what the root and int-or-string nodes are.
  const typeName = schema.type ?? (isRoot ? 'object' : '');
  for (const rule of rules) {
    const compiled = compileRule(rule);
    if (compiled.status === 'transition') continue;
    if (compiled.status === 'unchecked') {
      problems.push({ pointer: at.pointer || '/', fieldPath: printedPath(at), message: `rule ${JSON.stringify(rule.rule)} not checked: ${compiled.reason}`, unchecked: true });
      continue;
    }
    const result = compiled.program(bindings);
    if (celLibrary().isCelError(result)) {
      problems.push({ pointer: at.pointer || '/', fieldPath: printedPath(at), message: `Invalid value: ${JSON.stringify(typeName)}: ${escapeUnprintable(goCelErrorMessage(result.message))} evaluating rule: ${ruleErrorString(rule)}`, unchecked: false });
      continue;
    }
    if (result === true) continue;
    const location = errorLocation(at, compiled.normalizedFieldPath);
    problems.push({ pointer: location.pointer || '/', fieldPath: printedPath(location), message: fieldErrorBody(rule.reason, typeName, failureDetail(rule, compiled, bindings)), unchecked: false });
  }
}

function walk(schema: RuleSchema, value: unknown, at: FieldLocation, isRoot: boolean, problems: RuleProblem[]): void {
  // Rules see only values that are there and not null.
  if (value === null || value === undefined) return;
  checkRules(schema, value, at, isRoot, problems);
  for (const branch of schema.allOf ?? []) walk(branch, value, at, isRoot, problems);
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, index) => walk(schema.items!, item, subscript(at, index), false, problems));
    return;
  }
  if (typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  if (typeof schema.additionalProperties === 'object') {
    for (const [key, field] of Object.entries(record)) walk(schema.additionalProperties, field, subscript(at, key), false, problems);
  }
  if (schema.properties) {
    for (const [name, field] of Object.entries(record)) {
      if (Object.hasOwn(schema.properties, name)) walk(schema.properties[name], field, child(at, name), false, problems);
    }
  }
}

/** Every rule of `schema` (the kind's whole schema, or `ruleSchemaOf` of it) over one object. */
export function validationRuleProblems(schema: RuleSchema, object: unknown): RuleProblem[] {
  const problems: RuleProblem[] = [];
  walk(schema, object, ROOT, true, problems);
  return problems;
}
