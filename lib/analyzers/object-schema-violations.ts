import type { Analyzer } from './analyzer';
import { apiGroup, ISTIO_CONFIG_GROUPS } from '../manifest/kinds';
import { findingOn } from './finding';
import { objectSchemaProblems } from './object-schemas';

/** istioctl's code for Istio configuration that fails its schema. */
const ISTIO_SCHEMA_CODE = 'IST0106';
/** The same for every other kind (Kubernetes, cert-manager, external-secrets). */
const KUBERNETES_SCHEMA_CODE = 'MCL0050';

/**
 * IST0106 / MCL0050: an object breaks the schema of its kind: a wrong type, a value outside its
 * enum, a missing required field, or a field the schema does not know. The API server prunes
 * unknown fields of custom resources without a word, so `hostz:` in a Gateway would apply as a
 * Gateway with no hosts; strict field validation (`kubectl apply --validate=strict`) rejects it,
 * and so does this check. Kinds the bundled schemas do not cover get their metadata checked only.
 */
export const objectSchemaAnalyzer: Analyzer = {
  codes: [ISTIO_SCHEMA_CODE, KUBERNETES_SCHEMA_CODE],
  name: 'Every object matches the schema of its kind',
  analyze: (index) =>
    index.folders.flatMap((folder) =>
      folder.objects.flatMap((located) =>
        objectSchemaProblems(located.manifest).map(({ path, message }) =>
          findingOn(located, {
            code: ISTIO_CONFIG_GROUPS.has(apiGroup(located.manifest)) ? ISTIO_SCHEMA_CODE : KUBERNETES_SCHEMA_CODE,
            severity: 'error',
            message: `schema: ${path} ${message}`,
            hint: message === 'unknown field' ? 'remove the field or fix its spelling; the API server would drop it or reject it' : `fix the value at ${path}`,
            path,
          }),
        ),
      ),
    ),
};
