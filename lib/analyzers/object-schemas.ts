import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { _, type ErrorObject, type KeywordCxt, type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { loadWithCodeCache } from '../io/code-cache';
import { packageFile } from '../io/package-root';
import { ruleSchemaOf, validationRuleProblems, type RuleSchema } from './cel/validation-rules';
import { SCHEMA_FORMATS } from './schema-formats';

/*
 * Checks objects against the schema of their kind, as the API server does with strict field
 * validation (`kubectl apply --validate=strict`): types, enums, required fields, and no unknown
 * field. The schemas come from `schemas/object-schemas.json`, which `npm run generate:schemas`
 * (scripts/generate-object-schemas.ts) writes from the Istio CRDs and the Kubernetes type
 * definitions; `metadata` is checked by one schema of its own for every kind. The CRDs' CEL rules
 * (`x-kubernetes-validations`) are evaluated as the API server evaluates them (cel/validation-rules.ts).
 */

export type JsonSchema = Record<string, unknown>;

/** The generated bundle: `apiVersion/kind` → a definition name, and the definitions. */
export interface ObjectSchemaBundle {
  /** Where the schemas were generated from, for the reader. */
  readonly sources: readonly string[];
  readonly kinds: Readonly<Record<string, string>>;
  readonly definitions: Readonly<Record<string, JsonSchema>>;
}

/** One schema violation: a JSON pointer into the object, and what is wrong there. */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
  /**
   * Set when a CEL rule (`x-kubernetes-validations`) failed or could not be checked: the field as the
   * API server names it (`spec.trafficPolicy.outlierDetection.interval`); `message` is then the API
   * server's error for it, or why the rule was not checked.
   */
  readonly rule?: { readonly fieldPath: string; readonly unchecked: boolean };
}

export const OBJECT_SCHEMA_FILE = ['schemas', 'object-schemas.json'] as const;
/** The `$id` the definitions are registered under, so each kind compiles as a `$ref` into them. */
const BUNDLE_ID = 'object-schemas';

/** `path: message`, the form the CLI and the tests print. */
export function formatSchemaProblem({ path, message }: SchemaProblem): string {
  return `${path}: ${message}`;
}

/**
 * An ajv that reads Kubernetes structural schemas. strictTypes and strictRequired are off because
 * CRD schemas legitimately break them: types are inherited by anyOf branches, and
 * `not: {anyOf: [{required: [a]}]}` names properties declared on the parent schema (Istio's way
 * of saying "at most one of"). With `standaloneSource`, it keeps the code of what it compiles, for
 * `standaloneValidatorFiles`.
 */
export function createSchemaAjv(options: { readonly standaloneSource?: boolean } = {}): Ajv {
  const instance = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    ...(options.standaloneSource ? { code: { source: true, formats: _`require("../schema-formats").SCHEMA_FORMATS` } } : {}),
  });
  // CEL rules are evaluated apart (cel/validation-rules.ts); list semantics and the pruning switch
  // only matter to the API server; the closing of object schemas (see closeObjectSchemas) is what
  // enforces known fields here.
  instance.addVocabulary([
    'x-kubernetes-validations',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
  ]);
  // Istio pairs it with an anyOf of integer and string, but the keyword alone means the same.
  // Generated code rather than a function, so that standalone validators carry it too.
  instance.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    code: (cxt: KeywordCxt) => {
      if (cxt.schema === true) cxt.fail(_`!(Number.isInteger(${cxt.data}) || typeof ${cxt.data} == "string")`);
    },
  });
  for (const [name, format] of Object.entries(SCHEMA_FORMATS)) instance.addFormat(name, format);
  return instance;
}

/**
 * The API server prunes fields a structural schema does not list, so a misspelt field vanishes
 * without an error when applied. Closing every object schema that lists its properties (unless it
 * opts out with additionalProperties or x-kubernetes-preserve-unknown-fields) turns that into a
 * validation error, as strict field validation does. Changes `schema` in place.
 */
export function closeObjectSchemas(schema: JsonSchema, where: string): void {
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    schema.additionalProperties = false;
  }
  for (const child of Object.values((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    closeObjectSchemas(child, where);
  }
  for (const child of [schema.items, schema.additionalProperties].flat()) {
    if (isPlainObject(child)) closeObjectSchemas(child, where);
  }
  // A branch of a combinator that lists properties would be rejected by its closed parent; Istio's
  // combinators only state which fields are required, and this makes sure it stays that way.
  for (const branch of [schema.allOf, schema.anyOf, schema.oneOf, schema.not].flat()) {
    if (isPlainObject(branch) && branch.properties) {
      throw new Error(`${where}: a combinator branch declares properties; closeObjectSchemas cannot handle that`);
    }
  }
}

/** `pointerPrefix` places the errors of a validated sub-object (metadata) in the whole object. */
export function ajvProblems(errors: readonly ErrorObject[] | null | undefined, pointerPrefix = ''): SchemaProblem[] {
  // An error inside propertyNames repeats, for the key, what its propertyNames error says.
  return (errors ?? []).filter((error) => error.propertyName === undefined).map((error) => {
    const pointer = pointerPrefix + error.instancePath;
    const path = pointer || '/';
    switch (error.keyword) {
      case 'propertyNames':
        return { path, message: `invalid key ${JSON.stringify((error.params as { propertyName: string }).propertyName)}` };
      case 'additionalProperties':
        return { path: joinPointer(pointer, (error.params as { additionalProperty: string }).additionalProperty), message: 'unknown field' };
      case 'enum':
        return { path, message: `${error.message} (${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})` };
      default:
        return { path, message: error.message ?? error.keyword };
    }
  });
}

export function joinPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// metadata

const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS1035_LABEL = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
/** `[prefix/]name` where the optional prefix is a DNS subdomain (Kubernetes' qualified name). */
const QUALIFIED_NAME =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_VALUE = '^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$';
/** RBAC objects are named like path segments, e.g. `system:auth-delegator`. */
const PATH_SEGMENT_NAME = '^(?!\\.\\.?$)[^/%]+$';

/** Only what a generator should write; server-set fields (uid, resourceVersion, ...) are rejected. */
function metadataSchema(namePattern: string, nameMaxLength: number): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: nameMaxLength, pattern: namePattern },
      namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: DNS1123_LABEL },
      labels: {
        type: 'object',
        propertyNames: { pattern: QUALIFIED_NAME },
        additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE },
      },
      annotations: {
        type: 'object',
        propertyNames: { pattern: QUALIFIED_NAME },
        additionalProperties: { type: 'string' },
      },
      finalizers: { type: 'array', items: { type: 'string', pattern: QUALIFIED_NAME } },
      ownerReferences: {
        type: 'array',
        items: {
          type: 'object',
          required: ['apiVersion', 'kind', 'name', 'uid'],
          additionalProperties: false,
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            name: { type: 'string' },
            uid: { type: 'string' },
            controller: { type: 'boolean' },
            blockOwnerDeletion: { type: 'boolean' },
          },
        },
      },
    },
  };
}

/** The name rules the API server applies to object names, by the pattern and length limit of each. */
const NAME_RULES = {
  dns1123Subdomain: [DNS1123_SUBDOMAIN, 253],
  dns1123Label: [DNS1123_LABEL, 63],
  dns1035Label: [DNS1035_LABEL, 63],
  pathSegment: [PATH_SEGMENT_NAME, 253],
} as const satisfies Record<string, readonly [string, number]>;
type NameRule = keyof typeof NAME_RULES;

/** The name rules the API server applies to these kinds are stricter or looser than a DNS subdomain. */
const NAME_RULE_BY_KIND: Readonly<Record<string, NameRule>> = {
  Namespace: 'dns1123Label',
  Service: 'dns1035Label',
  ClusterRole: 'pathSegment',
  ClusterRoleBinding: 'pathSegment',
  Role: 'pathSegment',
  RoleBinding: 'pathSegment',
};

/** The key of a metadata validator among the standalone validators (no `apiVersion/kind` has a colon). */
const metadataKey = (rule: NameRule) => `metadata:${rule}`;

let sharedAjv: Ajv | undefined;
function ajv(): Ajv {
  return (sharedAjv ??= createSchemaAjv());
}

const metadataValidators = new Map<NameRule, ValidateFunction>();

function metadataValidator(kind: string): ValidateFunction {
  const rule = Object.hasOwn(NAME_RULE_BY_KIND, kind) ? NAME_RULE_BY_KIND[kind] : 'dns1123Subdomain';
  let validate = metadataValidators.get(rule);
  if (!validate) {
    const [pattern, maxLength] = NAME_RULES[rule];
    validate = loadStandaloneValidators()?.[metadataKey(rule)] ?? ajv().compile(metadataSchema(pattern, maxLength));
    metadataValidators.set(rule, validate);
  }
  return validate;
}

/** The problems of an object's `metadata`, with paths from the object's root. */
export function metadataProblems(metadata: unknown, kind: string): SchemaProblem[] {
  const validate = metadataValidator(kind);
  return validate(metadata) ? [] : ajvProblems(validate.errors, '/metadata');
}

// ---------------------------------------------------------------------------------------------
// the bundle

/**
 * The folder of standalone validators `npm run build` writes beside the compiled module (see
 * `standaloneValidatorFiles`): loading the validators of the kinds a tree holds takes a fraction
 * of the time compiling their schemas takes, which would dominate a `validate` run. From source
 * (tests, tsx) there is none, and the bundle is compiled at run time, kind by kind.
 */
export const STANDALONE_VALIDATORS_FOLDER = 'object-validators';
/** The folder's index: the metadata validators, the digest of the bundle and its kinds. */
const STANDALONE_INDEX = 'index.js';

let bundleText: string | undefined;
let bundle: ObjectSchemaBundle | undefined;
let standaloneIndex: Readonly<Record<string, unknown>> | null | undefined;
/** A kind's checks: its schema's validator, and the part of the schema that carries CEL rules, if any. */
interface BodyChecks {
  readonly validate: ValidateFunction;
  readonly ruleSchema: RuleSchema | undefined;
}
const bodyChecks = new Map<string, BodyChecks | undefined>();

function readBundleText(): string {
  return (bundleText ??= readFileSync(packageFile(...OBJECT_SCHEMA_FILE), 'utf8'));
}

function loadBundle(): ObjectSchemaBundle {
  return (bundle ??= JSON.parse(readBundleText()) as ObjectSchemaBundle);
}

/** The SHA-256 of the bundle file, which the standalone validators record to prove they were compiled from it. */
function bundleDigest(): string {
  return createHash('sha256').update(readBundleText()).digest('hex');
}

/** Where the standalone index records the digest of the bundle it was compiled from. */
const DIGEST_EXPORT = 'bundleDigest';
/** Where it records the bundle's `kinds`, so that a run with validators need not parse the bundle. */
const KINDS_EXPORT = 'bundleKinds';

/** The standalone index, unless there is none or it was compiled from another bundle (a build that skipped the step). */
function loadStandaloneIndex(): Readonly<Record<string, unknown>> | null {
  if (standaloneIndex === undefined) {
    const file = join(__dirname, STANDALONE_VALIDATORS_FOLDER, STANDALONE_INDEX);
    const loaded = existsSync(file) ? (loadWithCodeCache(file).exports as Record<string, unknown>) : undefined;
    standaloneIndex = loaded?.[DIGEST_EXPORT] === bundleDigest() ? loaded : null;
  }
  return standaloneIndex;
}

function loadStandaloneValidators(): Readonly<Record<string, ValidateFunction>> | null {
  return loadStandaloneIndex() as Readonly<Record<string, ValidateFunction>> | null;
}

let bundleAdded = false;
function compiledValidator(definition: string): ValidateFunction {
  if (!bundleAdded) {
    ajv().addSchema({ $id: BUNDLE_ID, definitions: loadBundle().definitions });
    bundleAdded = true;
  }
  return ajv().compile({ $ref: `${BUNDLE_ID}#/definitions/${definition}` });
}

/** Where a standalone validator file keeps the rule-carrying part of its definition (`ruleSchemaOf`). */
const RULE_SCHEMA_EXPORT = 'ruleSchema';

/** The standalone checks of one definition (`<definition>.js` exports `validate` and `ruleSchema`), loaded only when a kind needs them. */
function standaloneChecks(definition: string): BodyChecks {
  const module = loadWithCodeCache(join(__dirname, STANDALONE_VALIDATORS_FOLDER, `${definition}.js`)).exports as Record<string, unknown>;
  return { validate: module.validate as ValidateFunction, ruleSchema: module[RULE_SCHEMA_EXPORT] as RuleSchema | undefined };
}

function compiledChecks(definition: string): BodyChecks {
  return { validate: compiledValidator(definition), ruleSchema: ruleSchemaOf(loadBundle().definitions[definition] as RuleSchema) };
}

function checksOf(apiVersion: string, kind: string): BodyChecks | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!bodyChecks.has(key)) {
    const index = loadStandaloneIndex();
    const kinds = index ? (index[KINDS_EXPORT] as Readonly<Record<string, string>>) : loadBundle().kinds;
    bodyChecks.set(key, !Object.hasOwn(kinds, key) ? undefined : index ? standaloneChecks(kinds[key]) : compiledChecks(kinds[key]));
  }
  return bodyChecks.get(key);
}

/** Definition names become file names: the generator names them after `group.version.Kind`. */
const FILE_SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The CommonJS files of the standalone validators (ajv's standalone code), by file name: one per
 * definition a kind of the bundle uses, exporting `validate` (and `ruleSchema` where the definition
 * has CEL rules), and `index.js` with the metadata
 * validators, the bundle's digest and its `kinds`. They require `../schema-formats` and ajv's runtime, so the
 * folder belongs beside the compiled object-schemas module.
 */
export function standaloneValidatorFiles(): Map<string, string> {
  const { kinds, definitions } = loadBundle();
  const files = new Map<string, string>();
  const index = createSchemaAjv({ standaloneSource: true });
  const metadataExports: Record<string, string> = {};
  for (const [rule, [pattern, maxLength]] of Object.entries(NAME_RULES)) {
    const id = metadataKey(rule as NameRule);
    index.addSchema(metadataSchema(pattern, maxLength), id);
    metadataExports[id] = id;
  }
  files.set(
    STANDALONE_INDEX,
    `${standaloneCode(index, metadataExports)}\nexports[${JSON.stringify(DIGEST_EXPORT)}] = ${JSON.stringify(bundleDigest())};\nexports[${JSON.stringify(KINDS_EXPORT)}] = ${JSON.stringify(kinds)};\n`,
  );
  for (const definition of new Set(Object.values(kinds))) {
    if (!FILE_SAFE_NAME.test(definition)) throw new Error(`the schema definition "${definition}" cannot name a file`);
    const generator = createSchemaAjv({ standaloneSource: true });
    generator.addSchema({ $id: BUNDLE_ID, definitions });
    const ruleSchema = ruleSchemaOf(definitions[definition] as RuleSchema);
    const ruleSchemaCode = ruleSchema ? `\nexports[${JSON.stringify(RULE_SCHEMA_EXPORT)}] = ${JSON.stringify(ruleSchema)};\n` : '';
    files.set(`${definition}.js`, standaloneCode(generator, { validate: `${BUNDLE_ID}#/definitions/${definition}` }) + ruleSchemaCode);
  }
  return files;
}

/**
 * Schema errors after which the rules are not run, and what the finding says: the API server's
 * blocking errors (hasBlockingErr in k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go):
 * a wrong type, a value outside an enum, a missing required field, or a value past a maxLength,
 * maxItems or maxProperties. A rule could not tell what such an object means, and past a size limit
 * a hostile list cannot make a rule such as "no port twice" take quadratic time here. A `required`
 * inside an anyOf, oneOf or not only selects a branch: the API server reports the branch, not the field.
 */
const RULES_STOPPED_BY: ReadonlyArray<readonly [ReadonlySet<string>, string]> = [
  [new Set(['type', 'enum', 'x-kubernetes-int-or-string']), 'the object has values of the wrong type or outside an enum, which stop the API server from running them'],
  [new Set(['required']), 'the object lacks a required field, which stops the API server from running them'],
  [new Set(['maxItems', 'maxProperties', 'maxLength']), 'the object exceeds a size limit of its schema, which stops the API server from running them'],
];
const BRANCH_SCHEMA = /\/(?:anyOf|oneOf|not)(?:\/|$)/;

/**
 * Checks a whole object except `metadata` against the schema of its kind, then its CEL rules;
 * undefined when the bundle has no schema for the kind.
 */
export function bodySchemaProblems(manifest: { readonly apiVersion: string; readonly kind: string }): SchemaProblem[] | undefined {
  const checks = checksOf(manifest.apiVersion, manifest.kind);
  if (!checks) return undefined;
  // The bundle's kind schemas accept any metadata: the metadata schema owns it.
  const valid = checks.validate(manifest);
  const problems = valid ? [] : ajvProblems(checks.validate.errors);
  if (!checks.ruleSchema) return problems;
  const stopped = valid ? undefined : RULES_STOPPED_BY.find(([keywords]) => checks.validate.errors!.some((error) => keywords.has(error.keyword) && !(error.keyword === 'required' && BRANCH_SCHEMA.test(error.schemaPath))));
  if (stopped) return [...problems, { path: '/', message: `rules not checked: ${stopped[1]}`, rule: { fieldPath: '<nil>', unchecked: true } }];
  const ruleProblems = validationRuleProblems(checks.ruleSchema, manifest).map(
    ({ pointer, fieldPath, message, unchecked }): SchemaProblem => ({ path: pointer, message, rule: { fieldPath, unchecked } }),
  );
  return [...problems, ...ruleProblems];
}

/**
 * Checks one object's metadata, and the rest of it against the schema of its kind when the
 * bundle has one; kinds without a schema get their metadata checked only.
 */
export function objectSchemaProblems(manifest: { readonly apiVersion: string; readonly kind: string; readonly metadata: unknown }): SchemaProblem[] {
  return [...metadataProblems(manifest.metadata, manifest.kind), ...(bodySchemaProblems(manifest) ?? [])];
}
