import { LABELS } from '../model/names';
import type { Analyzer } from './analyzer';
import { findingOn } from './finding';

/**
 * MCL0041: a Namespace labelled both `istio-injection` and `istio.io/rev`. The injection webhooks
 * select on either, and `istio-injection` wins over the revision, so a namespace moved to a
 * revision (Sail's RevisionBased strategy) silently stays on the default injector.
 */
export const injectionLabelAnalyzer: Analyzer = {
  codes: ['MCL0041'],
  name: 'Namespaces choose one injection label',
  analyze: (index) =>
    [...index.namespaces.values()].flatMap((namespace) => {
      const labels = namespace.manifest.metadata.labels ?? {};
      if (!(LABELS.injection in labels) || !(LABELS.revision in labels)) return [];
      return [
        findingOn(namespace, {
          code: 'MCL0041',
          severity: 'error',
          message: `namespace ${namespace.manifest.metadata.name} has both ${LABELS.injection}=${labels[LABELS.injection]} and ${LABELS.revision}=${labels[LABELS.revision]}; ${LABELS.injection} wins`,
          hint: `keep ${LABELS.revision} with a revision-based control plane, ${LABELS.injection} otherwise`,
        }),
      ];
    }),
};
