import { ISTIO_CONFIG_GROUPS } from '../../manifest/kinds';
import { apiGroup } from '../../manifest/mesh-manifests';
import type { Analyzer } from '../analyzer';
import { findingOn } from '../finding';
import { groupBy } from '../group-by';
import { objectSchemaProblems, type SchemaProblem } from '../object-schemas';
import type { DistinctManifests } from '../../manifest/distinct-manifests';
import type { Manifest } from '../../manifest/mesh-manifests';
import type { Folder } from '../mesh-index';

/** istioctl's code for Istio configuration that fails its schema. */
const ISTIO_SCHEMA_CODE = 'IST0106';
/** The same for every other kind (Kubernetes, cert-manager, external-secrets). */
const KUBERNETES_SCHEMA_CODE = 'MCL0050';

/**
 * IST0106 / MCL0050: an object breaks the schema of its kind: a wrong type, a value outside its
 * enum, a missing required field, a field the schema does not know, or a CEL rule of its CRD
 * (`x-kubernetes-validations`, with the API server's error). The API server prunes
 * unknown fields of custom resources without a word, so `hostz:` in a Gateway would apply as a
 * Gateway with no hosts; strict field validation (`kubectl apply --validate=strict`) rejects it,
 * and so does this check. A CEL rule that cannot be evaluated here is an info finding, never a
 * pass. Kinds the bundled schemas do not cover get their metadata checked only.
 */
export const objectSchemaAnalyzer: Analyzer = {
  codes: [ISTIO_SCHEMA_CODE, KUBERNETES_SCHEMA_CODE],
  name: 'Every object matches the schema of its kind',
  analyze: (index) => {
    const problemsOf = schemaProblemsOf(index.distinct);
    return index.folders.flatMap((folder) =>
      folder.objects.flatMap((located) =>
        problemsOf(located.manifest).map((problem) =>
          findingOn(located, {
            code: ISTIO_CONFIG_GROUPS.has(apiGroup(located.manifest)) ? ISTIO_SCHEMA_CODE : KUBERNETES_SCHEMA_CODE,
            ...findingText(problem),
            path: problem.path,
          }),
        ),
      ),
    );
  },
};

/** Equal objects have equal problems: each distinct object is checked once per synth or validate, whoever asks. */
const SCHEMA_PROBLEMS = new WeakMap<DistinctManifests, (manifest: Manifest) => SchemaProblem[]>();

function schemaProblemsOf(distinct: DistinctManifests): (manifest: Manifest) => SchemaProblem[] {
  let problemsOf = SCHEMA_PROBLEMS.get(distinct);
  if (!problemsOf) {
    const memo = distinct.memo<SchemaProblem[]>();
    problemsOf = (manifest) => memo(manifest, objectSchemaProblems);
    SCHEMA_PROBLEMS.set(distinct, problemsOf);
  }
  return problemsOf;
}

/**
 * A field of the wrong type near the root (`/metadata/labels` a string, `/spec/ports` a map, `/spec`
 * a list), which the analyzers walk into. A wrong value deeper down (a port name, an enum, a port
 * that is no number) is theirs to judge as it is, so they keep reporting on it.
 */
function isMisshapen(problem: SchemaProblem): boolean {
  return problem.rule === undefined && problem.message.startsWith('must be ') && !/must be (?:equal|>|<)/.test(problem.message) && problem.path.split('/').length <= 3;
}

/**
 * The objects whose shape breaks their schema where the analyzers read it: the API server refuses
 * them, the schema finding names the field, and the other analyzers, which read each field as its
 * schema types it, leave them out.
 */
export function misshapenObjects(folders: readonly Folder[], distinct: DistinctManifests): Set<Manifest> {
  const problemsOf = schemaProblemsOf(distinct);
  const misshapen = new Set<Manifest>();
  for (const folder of folders) {
    for (const { manifest } of folder.objects) {
      if (problemsOf(manifest).some(isMisshapen)) misshapen.add(manifest);
    }
  }
  return misshapen;
}

function findingText({ path, message, rule }: SchemaProblem): { severity: 'error' | 'info'; message: string; hint: string } {
  if (rule?.unchecked) {
    // '<nil>': the object's schema errors stop every rule, here as in the API server.
    if (rule.fieldPath === '<nil>') return { severity: 'info', message: `CEL: ${message}`, hint: 'fix the schema errors of the object; its rules are then checked here and by the API server' };
    return { severity: 'info', message: `CEL at ${rule.fieldPath}: ${message}`, hint: 'the API server evaluates the rule when the object is applied' };
  }
  if (rule) return { severity: 'error', message: `CEL rule: ${rule.fieldPath}: ${message}`, hint: `the API server rejects the object; fix ${rule.fieldPath}` };
  return {
    severity: 'error',
    message: `schema: ${path} ${message}`,
    hint: message === 'unknown field' ? 'remove the field or fix its spelling; the API server would drop it or reject it' : `fix the value at ${path}`,
  };
}

/**
 * MCL0001: the same object (API group, kind, namespace, name) twice in one output folder. Applying
 * the folder keeps only the last one, and kustomize refuses it outright. Versions of one group
 * count as the same object, as the API server stores them as one.
 */
export const duplicateObjectAnalyzer: Analyzer = {
  codes: ['MCL0001'],
  name: 'No object appears twice in one folder',
  analyze: (index) =>
    index.folders.flatMap((folder) =>
      [...groupBy(folder.objects, ({ manifest }) => `${apiGroup(manifest)}\u0000${manifest.kind}\u0000${manifest.metadata.namespace ?? ''}\u0000${manifest.metadata.name}`).values()]
        .filter((copies) => copies.length > 1)
        .map((copies) =>
          findingOn(copies[1], {
            code: 'MCL0001',
            severity: 'error',
            message: `appears ${copies.length} times in ${folder.folder}`,
            hint: 'keep one definition: two constructs or files emit the same object',
          }),
        ),
    ),
};
