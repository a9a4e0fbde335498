/**
 * Test support: checks every emitted Kubernetes object against the schema of its kind, so a test
 * can assert "every emitted object is valid" with `expectValidManifests(objects)`.
 *
 * Where each kind's schema comes from:
 * - Istio kinds: the upstream CRD file (`crd-all.gen.yaml` in shared/upstream), compiled with ajv.
 * - Sail operator kinds (`sailoperator.io/v1`: Istio, IstioCNI, IstioRevisionTag, ...): the CRD
 *   files of the Sail operator release the `sail` installer targets, in shared/upstream, compiled
 *   the same way (`Istio.spec.values` is the whole Helm values schema, so value keys are checked).
 * - external-secrets.io/v1 ExternalSecret and OLM's operators.coreos.com/v1alpha1 Subscription: the
 *   upstream CRD's schema, copied into `schemas/`
 *   (see schemas/README.md for where from) and compiled with ajv the same way. The only npm package
 *   that models v1, @kubernetes-models/external-secrets 2.x, is ESM-only and needs Node 22 (0.5.2,
 *   the CommonJS one, stops at v1beta1).
 * - Kubernetes kinds and the cert-manager, Argo CD and Flux kinds: the `kubernetes-models` packages
 *   (the 4.x line, the last that is CommonJS and runs on Node 20). Their precompiled validators
 *   check types, required fields and enums but accept any unknown field, so the field names each
 *   object may have are read from the packages' TypeScript declarations, which are generated from
 *   the same schemas.
 * - Any other kind has no schema here and is reported as a problem, never passed silently.
 *
 * `metadata` is checked by a schema of its own for every kind (CRD schemas leave it out).
 * Schemas are compiled on first use of a kind and cached.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { loadAll } from 'js-yaml';
import ts from 'typescript';
import { expect } from 'vitest';

const REPO_ROOT = resolve(__dirname, '..', '..');
/** Same default and override as scripts/import-istio.mjs, which generates the Istio classes from this file. */
const ISTIO_CRD_FILE = resolve(
  REPO_ROOT,
  process.env.ISTIO_CRD_FILE ?? '../shared/upstream/istio/manifests/charts/base/files/crd-all.gen.yaml',
);

/** The Sail operator's CRDs (chart/crds/*.yaml), one kind per file. */
const SAIL_CRD_DIR = resolve(REPO_ROOT, process.env.SAIL_CRD_DIR ?? '../shared/upstream/sail-operator-1.30.3/chart/crds');

/** Checks one object; returns its problems as `path: message` lines, none when it is valid. */
export function validateManifest(manifest: unknown): string[] {
  if (!isPlainObject(manifest)) {
    return ['/: a manifest must be an object'];
  }
  const { apiVersion, kind, metadata } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return ['/: apiVersion and kind must be strings'];
  }
  const problems = metadataProblems(metadata, kind);
  const validateBody = bodyValidatorFor(apiVersion, kind);
  if (!validateBody) {
    return [...problems, `/: no schema for ${apiVersion}/${kind}`];
  }
  return [...problems, ...validateBody(manifest)];
}

/** Fails the current test with every problem of every object, each prefixed by `Kind/namespace/name`. */
export function expectValidManifests(manifests: object[]): void {
  const problems = manifests.flatMap((manifest) =>
    validateManifest(manifest).map((problem) => `${describeObject(manifest)} ${problem}`),
  );
  // The list goes in the message too: the assertion's own rendering truncates long arrays.
  const summary = `${problems.length} schema problem(s) in ${manifests.length} object(s):\n  ${problems.join('\n  ')}\n`;
  expect(problems, summary).toEqual([]);
}

function describeObject(manifest: object): string {
  const { kind, metadata } = manifest as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const name = typeof metadata?.name === 'string' ? metadata.name : '<unnamed>';
  const namespace = typeof metadata?.namespace === 'string' ? `${metadata.namespace}/` : '';
  return `${String(kind)}/${namespace}${name}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a whole object except `metadata`, which the metadata schema owns for every kind (so a
 * metadata defect is reported once); returns problems as `path: message` lines.
 */
type BodyValidator = (manifest: Record<string, unknown>) => string[];

const bodyValidators = new Map<string, BodyValidator | undefined>();

function bodyValidatorFor(apiVersion: string, kind: string): BodyValidator | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!bodyValidators.has(key)) {
    bodyValidators.set(key, crdValidatorFor(apiVersion, kind) ?? kubernetesModelsValidatorFor(apiVersion, kind));
  }
  return bodyValidators.get(key);
}

// ---------------------------------------------------------------------------------------------
// ajv, shared by the metadata schema and the CRD schemas

const ajv = createAjv();

function createAjv(): Ajv {
  // strictTypes and strictRequired are off because CRD schemas legitimately break them: types are
  // inherited by anyOf branches, and `not: {anyOf: [{required: [a]}]}` names properties declared
  // on the parent schema (Istio's way of saying "at most one of").
  const instance = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  // CEL rules, list semantics and the pruning switch only matter to the API server; the closing of
  // object schemas (see closeObjectSchemas) is what enforces known fields here.
  instance.addVocabulary([
    'x-kubernetes-validations',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
  ]);
  // Istio pairs it with an anyOf of integer and string, but the keyword alone means the same.
  instance.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    validate: (enabled: boolean, data: unknown) => !enabled || Number.isInteger(data) || typeof data === 'string',
    errors: false,
  });
  const inRange = (min: number, max: number) => (value: number) => Number.isInteger(value) && value >= min && value <= max;
  instance.addFormat('int32', { type: 'number', validate: inRange(-(2 ** 31), 2 ** 31 - 1) });
  instance.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
  instance.addFormat('double', { type: 'number', validate: () => true });
  instance.addFormat('float', { type: 'number', validate: () => true });
  instance.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  instance.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i);
  return instance;
}

/** `pointerPrefix` places the errors of a validated sub-object (metadata) in the whole object. */
function ajvProblems(errors: ErrorObject[] | null | undefined, pointerPrefix = ''): string[] {
  // An error inside propertyNames repeats, for the key, what its propertyNames error says.
  return (errors ?? []).filter((error) => error.propertyName === undefined).map((error) => {
    const pointer = pointerPrefix + error.instancePath;
    const path = pointer || '/';
    switch (error.keyword) {
      case 'propertyNames':
        return `${path}: invalid key ${JSON.stringify((error.params as { propertyName: string }).propertyName)}`;
      case 'additionalProperties':
        return `${joinPointer(pointer, (error.params as { additionalProperty: string }).additionalProperty)}: unknown field`;
      case 'enum':
        return `${path}: ${error.message} (${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
      default:
        return `${path}: ${error.message}`;
    }
  });
}

function joinPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
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
function metadataSchema(namePattern: string, nameMaxLength: number) {
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

const metadataValidators = {
  default: lazy(() => ajv.compile(metadataSchema(DNS1123_SUBDOMAIN, 253))),
  dns1123Label: lazy(() => ajv.compile(metadataSchema(DNS1123_LABEL, 63))),
  dns1035Label: lazy(() => ajv.compile(metadataSchema(DNS1035_LABEL, 63))),
  pathSegment: lazy(() => ajv.compile(metadataSchema(PATH_SEGMENT_NAME, 253))),
};

/** The name rules the API server applies to these kinds are stricter or looser than a DNS subdomain. */
const METADATA_VALIDATOR_BY_KIND: Record<string, keyof typeof metadataValidators> = {
  Namespace: 'dns1123Label',
  Service: 'dns1035Label',
  ClusterRole: 'pathSegment',
  ClusterRoleBinding: 'pathSegment',
  Role: 'pathSegment',
  RoleBinding: 'pathSegment',
};

function metadataProblems(metadata: unknown, kind: string): string[] {
  const validate = metadataValidators[METADATA_VALIDATOR_BY_KIND[kind] ?? 'default']();
  return validate(metadata) ? [] : ajvProblems(validate.errors, '/metadata');
}

function lazy<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}

// ---------------------------------------------------------------------------------------------
// Custom resources with a CRD schema: the Istio kinds and the schemas bundled in schemas/

interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema?: JsonSchema };
}
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}
type JsonSchema = Record<string, unknown>;

/** `apiVersion/kind` → the served version's schema, for every CRD in the Istio file and the Sail CRD files. */
const crdSchemas = lazy(() => {
  if (!existsSync(ISTIO_CRD_FILE)) {
    throw new Error(`Istio CRD file not found: ${ISTIO_CRD_FILE} (set ISTIO_CRD_FILE to its path)`);
  }
  if (!existsSync(SAIL_CRD_DIR)) {
    throw new Error(`Sail operator CRD folder not found: ${SAIL_CRD_DIR} (set SAIL_CRD_DIR to its path)`);
  }
  const sailFiles = readdirSync(SAIL_CRD_DIR).filter((name) => name.endsWith('.yaml')).sort().map((name) => join(SAIL_CRD_DIR, name));
  const schemas = new Map<string, JsonSchema>();
  for (const file of [ISTIO_CRD_FILE, ...sailFiles]) {
    for (const document of loadAll(readFileSync(file, 'utf8')) as Crd[]) {
      if (document?.kind !== 'CustomResourceDefinition') continue;
      const { group, names, versions } = document.spec;
      for (const version of versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (version.served && schema) schemas.set(`${group}/${version.name}/${names.kind}`, schema);
      }
    }
  }
  return schemas;
});

/**
 * `apiVersion/kind` → a file in schemas/ holding one CRD version's openAPIV3Schema, for kinds that
 * neither the Istio file nor a kubernetes-models package covers. schemas/README.md says where each
 * file comes from.
 */
const BUNDLED_CRD_SCHEMA_FILES: Record<string, string> = {
  'external-secrets.io/v1/ExternalSecret': 'external-secrets.io_v1_externalsecret.json',
  'operators.coreos.com/v1alpha1/Subscription': 'operators.coreos.com_v1alpha1_subscription.json',
};

function crdSchemaFor(apiVersion: string, kind: string): JsonSchema | undefined {
  const key = `${apiVersion}/${kind}`;
  const bundledFile = BUNDLED_CRD_SCHEMA_FILES[key];
  if (bundledFile) return JSON.parse(readFileSync(resolve(__dirname, 'schemas', bundledFile), 'utf8')) as JsonSchema;
  return crdSchemas().get(key);
}

function crdValidatorFor(apiVersion: string, kind: string): BodyValidator | undefined {
  const crdSchema = crdSchemaFor(apiVersion, kind);
  if (!crdSchema) return undefined;
  const schema = structuredClone(crdSchema);
  // CRD schemas describe spec and status only; the API server adds the envelope fields itself.
  schema.properties = { ...(schema.properties as object), apiVersion: { const: apiVersion }, kind: { const: kind }, metadata: {} };
  closeObjectSchemas(schema, `${apiVersion}/${kind}`);
  const validate: ValidateFunction = ajv.compile(schema);
  return (manifest) => (validate(manifest) ? [] : ajvProblems(validate.errors));
}

/**
 * The API server prunes fields a structural schema does not list, so a misspelt field vanishes
 * without an error when applied. Closing every object schema that lists its properties (unless it
 * opts out with additionalProperties or x-kubernetes-preserve-unknown-fields) turns that into a
 * validation error here.
 */
function closeObjectSchemas(schema: JsonSchema, where: string): void {
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

// ---------------------------------------------------------------------------------------------
// Kubernetes, cert-manager, Argo CD and Flux kinds: the kubernetes-models packages

/** API groups outside Kubernetes itself, and the kubernetes-models package that models each. */
const MODEL_PACKAGE_BY_GROUP: Record<string, string> = {
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'argoproj.io': '@kubernetes-models/argo-cd',
  'kustomize.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'source.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
};

function modelPackageFor(group: string): string | undefined {
  const isKubernetesGroup = !group.includes('.') || group.endsWith('.k8s.io');
  return MODEL_PACKAGE_BY_GROUP[group] ?? (isKubernetesGroup ? 'kubernetes-models' : undefined);
}

const requireFromRepo = createRequire(resolve(REPO_ROOT, 'package.json'));

interface ModelClass {
  apiVersion?: string;
  kind?: string;
  new (data: object): { validate(): void };
}

function kubernetesModelsValidatorFor(apiVersion: string, kind: string): BodyValidator | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const modelPackage = modelPackageFor(group);
  if (!modelPackage) return undefined;
  // Models live at <package>/<apiVersion>/<Kind>, the core group's at <package>/v1/<Kind>.
  const modulePath = `${modelPackage}/${apiVersion}/${kind}`;
  let Model: ModelClass | undefined;
  try {
    Model = (requireFromRepo(modulePath) as Record<string, ModelClass | undefined>)[kind];
  } catch {
    return undefined;
  }
  // Sub-structures (e.g. apps/v1/DeploymentSpec) are modelled too; only top-level kinds qualify.
  if (Model?.apiVersion !== apiVersion || Model.kind !== kind) return undefined;
  const ModelOfKind = Model;
  const knownFields = fieldShapeOf(modulePath, `I${kind}`);
  return (manifest) => {
    const { metadata, ...body } = manifest;
    return [...modelProblems(ModelOfKind, manifest), ...unknownFieldProblems(body, knownFields, '')];
  };
}

function modelProblems(Model: ModelClass, manifest: Record<string, unknown>): string[] {
  try {
    new Model(manifest).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors;
    if (!errors) throw error;
    return ajvProblems(errors.filter((modelError) => !isAboutMetadata(modelError)));
  }
}

function isAboutMetadata(error: ErrorObject): boolean {
  const missingProperty = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
  return error.instancePath.startsWith('/metadata') || (error.instancePath === '' && missingProperty === 'metadata');
}

/**
 * Which fields an object may have. `object` lists an object's known fields, `additional` is the
 * shape of every other field when the type allows any key (a map); `array` is the shape of the
 * elements. A shape with neither `object` nor `array` constrains nothing (scalars, free-form JSON).
 */
interface FieldShape {
  object?: { fields: Map<string, FieldShape>; additional?: FieldShape };
  array?: FieldShape;
}

function unknownFieldProblems(value: unknown, shape: FieldShape, pointer: string): string[] {
  if (Array.isArray(value)) {
    return shape.array ? value.flatMap((element, index) => unknownFieldProblems(element, shape.array!, joinPointer(pointer, index))) : [];
  }
  if (!isPlainObject(value) || !shape.object) return [];
  const { fields, additional } = shape.object;
  return Object.entries(value).flatMap(([key, child]) => {
    const childPointer = joinPointer(pointer, key);
    const childShape = fields.get(key) ?? additional;
    return childShape ? unknownFieldProblems(child, childShape, childPointer) : [`${childPointer}: unknown field`];
  });
}

/** A file that is never written: the program's only root, importing the interface to inspect. */
const SHAPE_PROBE_FILE = resolve(REPO_ROOT, '__schema-validation-shape-probe__.ts');
const SHAPE_COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  types: [],
  lib: ['lib.es5.d.ts'],
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
};
/** Parsed declaration files, shared by the programs built for each kind. */
const parsedSourceFiles = new Map<string, ts.SourceFile | undefined>();

/** Reads the fields of `interfaceName` exported by `modulePath` from the package's type declarations. */
function fieldShapeOf(modulePath: string, interfaceName: string): FieldShape {
  const probeText = `import type { ${interfaceName} as Target } from '${modulePath}';\nexport type Probe = Target;\n`;
  const defaultHost = ts.createCompilerHost(SHAPE_COMPILER_OPTIONS);
  const host: ts.CompilerHost = {
    ...defaultHost,
    fileExists: (fileName) => fileName === SHAPE_PROBE_FILE || defaultHost.fileExists(fileName),
    readFile: (fileName) => (fileName === SHAPE_PROBE_FILE ? probeText : defaultHost.readFile(fileName)),
    getSourceFile: (fileName, languageVersion) => {
      if (fileName === SHAPE_PROBE_FILE) return ts.createSourceFile(fileName, probeText, languageVersion);
      if (!parsedSourceFiles.has(fileName)) parsedSourceFiles.set(fileName, defaultHost.getSourceFile(fileName, languageVersion));
      return parsedSourceFiles.get(fileName);
    },
  };
  const program = ts.createProgram([SHAPE_PROBE_FILE], SHAPE_COMPILER_OPTIONS, host);
  const probe = program.getSourceFile(SHAPE_PROBE_FILE)!;
  // An unresolved import would make the type `any` and silently accept every field.
  const diagnostics = ts.getPreEmitDiagnostics(program, probe);
  if (diagnostics.length > 0) {
    throw new Error(`cannot read ${interfaceName} from ${modulePath}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, ' ')}`);
  }
  const checker = program.getTypeChecker();
  const probeAlias = probe.statements.find(ts.isTypeAliasDeclaration)!;
  return shapeOfType(checker, checker.getTypeAtLocation(probeAlias.name), new Map());
}

function shapeOfType(checker: ts.TypeChecker, type: ts.Type, shapes: Map<ts.Type, FieldShape>): FieldShape {
  const nonNullable = checker.getNonNullableType(type);
  const known = shapes.get(nonNullable);
  if (known) return known;
  // Registered before recursing so that recursive types (JSON schemas in CRDs, ...) terminate.
  const shape: FieldShape = {};
  shapes.set(nonNullable, shape);
  for (const member of nonNullable.isUnion() ? nonNullable.types : [nonNullable]) {
    if (checker.isArrayType(member)) {
      shape.array = shapeOfType(checker, checker.getTypeArguments(member as ts.TypeReference)[0], shapes);
      continue;
    }
    if (!(member.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection))) continue;
    const properties = checker.getPropertiesOfType(member);
    const index = checker.getIndexInfoOfType(member, ts.IndexKind.String);
    // `{}` is how the models spell free-form objects (x-kubernetes-preserve-unknown-fields).
    if (properties.length === 0 && !index) continue;
    shape.object ??= { fields: new Map() };
    for (const property of properties) {
      shape.object.fields.set(property.name, shapeOfType(checker, checker.getTypeOfSymbol(property), shapes));
    }
    if (index) shape.object.additional = shapeOfType(checker, index.type, shapes);
  }
  return shape;
}
