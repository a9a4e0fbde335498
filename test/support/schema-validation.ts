/**
 * Test support: checks every emitted Kubernetes object against the schema of its kind, so a test
 * can assert "every emitted object is valid" with `expectValidManifests(objects)`.
 *
 * Where each kind's schema comes from:
 * - Istio kinds, Sail operator kinds (`sailoperator.io/v1`: Istio, IstioCNI, IstioRevisionTag, ...;
 *   `Istio.spec.values` is the whole Helm values schema, so value keys are checked),
 *   external-secrets.io/v1 ExternalSecret, cert-manager.io/v1 Certificate, Issuer and ClusterIssuer
 *   (cert-manager's published CRDs, pinned by release) and OLM's operators.coreos.com/v1alpha1 Subscription: the
 *   product's own check (lib/analyzers/object-schemas.ts, the one `validate` runs) with the CRD
 *   schemas of its bundle (schemas/object-schemas.json, generated from the upstream CRD files and
 *   test/support/schemas/, whose README says where each file comes from).
 * - Kubernetes kinds and the Argo CD and Flux kinds: the `kubernetes-models`
 *   packages (the 4.x line, the last that is CommonJS and runs on Node 20), whose precompiled
 *   validators check upstream's patterns, formats and integer types, more than the product's
 *   bundle derives from the models' type declarations. They accept any unknown
 *   field, so the field names each object may have are read from the packages' TypeScript
 *   declarations, which are generated from the same schemas.
 * - Any other kind has no schema here and is reported as a problem, never passed silently.
 *
 * `metadata` is checked by the product's metadata schema for every kind (CRD schemas leave it out).
 * Schemas are compiled on first use of a kind and cached.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import ts from 'typescript';
import { expect } from 'vitest';
import { ajvProblems, bodySchemaProblems, closeObjectSchemas, createSchemaAjv, formatSchemaProblem, isPlainObject, joinPointer, metadataProblems, type JsonSchema } from '../../lib/analyzers/object-schemas';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** Checks one object; returns its problems as `path: message` lines, none when it is valid. */
export function validateManifest(manifest: unknown): string[] {
  if (!isPlainObject(manifest)) {
    return ['/: a manifest must be an object'];
  }
  const { apiVersion, kind, metadata } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return ['/: apiVersion and kind must be strings'];
  }
  const problems = metadataProblems(metadata, kind).map(formatSchemaProblem);
  // The kubernetes-models validators check more than the product's bundle derives from the same
  // models (patterns, formats, integers), so they take the kinds they cover.
  const validateModel = bodyValidatorFor(apiVersion, kind);
  const bodyProblems = validateModel ? validateModel(manifest) : bodySchemaProblems({ apiVersion, kind, ...manifest })?.map(formatSchemaProblem);
  if (!bodyProblems) {
    return [...problems, `/: no schema for ${apiVersion}/${kind}`];
  }
  return [...problems, ...bodyProblems];
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

/**
 * Checks a whole object except `metadata`, which the metadata schema owns for every kind (so a
 * metadata defect is reported once); returns problems as `path: message` lines.
 */
type BodyValidator = (manifest: Record<string, unknown>) => string[];

const bodyValidators = new Map<string, BodyValidator | undefined>();

function bodyValidatorFor(apiVersion: string, kind: string): BodyValidator | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!bodyValidators.has(key)) {
    bodyValidators.set(key, gitopsCrdValidatorFor(key) ?? kubernetesModelsValidatorFor(apiVersion, kind));
  }
  return bodyValidators.get(key);
}

// ---------------------------------------------------------------------------------------------
// GitOps kinds checked against current upstream CRD schemas, pinned in test/support/schemas/ (its
// README says where from): the Flux kinds the kubernetes-models packages do not model at their
// current version, and Argo CD 3's Application (the package models 2.7). Only the tests read
// them: gitops/ is not a mesh folder, so the product's bundle leaves these kinds out.

const GITOPS_CRD_SCHEMA_FILES: Readonly<Record<string, string>> = {
  'argoproj.io/v1alpha1/Application': 'argoproj.io_v1alpha1_application.json',
  'helm.toolkit.fluxcd.io/v2/HelmRelease': 'helm.toolkit.fluxcd.io_v2_helmrelease.json',
  'source.toolkit.fluxcd.io/v1/HelmRepository': 'source.toolkit.fluxcd.io_v1_helmrepository.json',
};

function gitopsCrdValidatorFor(key: string): BodyValidator | undefined {
  const file = GITOPS_CRD_SCHEMA_FILES[key];
  if (!file) return undefined;
  const schema = JSON.parse(readFileSync(resolve(__dirname, 'schemas', file), 'utf8')) as JsonSchema;
  // As the product's bundle treats CRD schemas: metadata has its own schema, unknown fields are refused.
  schema.properties = { ...(schema.properties as object), metadata: {} };
  closeObjectSchemas(schema, key);
  const validate = createSchemaAjv().compile(schema);
  return (manifest) => (validate(manifest) ? [] : ajvProblems(validate.errors).map(formatSchemaProblem));
}

// ---------------------------------------------------------------------------------------------
// Kubernetes, Argo CD and Flux kinds: the kubernetes-models packages

/** API groups outside Kubernetes itself, and the kubernetes-models package that models each. */
const MODEL_PACKAGE_BY_GROUP: Record<string, string> = {
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
    return ajvProblems(errors.filter((modelError) => !isAboutMetadata(modelError))).map(formatSchemaProblem);
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
