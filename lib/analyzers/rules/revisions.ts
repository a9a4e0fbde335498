import { isKind, KINDS } from '../../manifest/kinds';
import type { Manifest } from '../../manifest/mesh-manifests';
import { LABELS } from '../../model/names';
import type { Analyzer } from '../analyzer';
import { findingOn } from '../finding';
import type { Located } from '../../manifest/located';
import { groupBy } from '../group-by';
import { inCluster } from '../mesh-index';

/** A plain object's fields, else undefined: an object of this kind may hold any value anywhere deeper than its root fields. */
function fieldsOf(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The `istio.io/rev` values an injection webhook configuration selects namespaces or pods by. */
function servedRevisions(webhookConfiguration: Manifest): string[] {
  return listOf(webhookConfiguration.webhooks)
    .flatMap((webhook) => [fieldsOf(webhook)?.namespaceSelector, fieldsOf(webhook)?.objectSelector].map(fieldsOf))
    .flatMap((selector) => {
      const label = fieldsOf(selector?.matchLabels)?.[LABELS.revision];
      const expressions = listOf(selector?.matchExpressions)
        .map(fieldsOf)
        .filter((expression) => expression?.key === LABELS.revision && expression.operator === 'In')
        .flatMap((expression) => listOf(expression?.values));
      return [label, ...expressions].filter((value): value is string => typeof value === 'string');
    });
}

/**
 * MCL0100: a Namespace or a workload's pods select a revision (or tag) by `istio.io/rev` that no
 * injection webhook of their cluster's folder serves, while that folder holds injection webhooks
 * (a remote's, which the tool writes: the revision's `istio-sidecar-injector-<rev>` or the tag's
 * `istio-revision-tag-<tag>`). The API server then calls no webhook for those pods: they start
 * without a sidecar, silently. Folders without injection webhooks (the control plane's, whose
 * webhooks its istiod chart installs; a remote's under the Sail operator, which renders them) are
 * not judged.
 */
export const revisionWebhookAnalyzer: Analyzer = {
  codes: ['MCL0100'],
  name: 'Revisions selected in a cluster have its injection webhook',
  analyze: (index) => {
    const workloadsByFolder = groupBy(index.workloads, (workload) => workload.located.folder);
    return index.folders.flatMap((folder) => {
      const webhooks = folder.objects.filter(({ manifest }) => isKind(manifest, KINDS.mutatingWebhookConfiguration));
      if (webhooks.length === 0) return [];
      const served = new Set(webhooks.flatMap(({ manifest }) => servedRevisions(manifest)));
      const selecting: { readonly located: Located; readonly revision: string; readonly what: string }[] = [
        // istio-injection wins over istio.io/rev (MCL0041 reports a namespace with both).
        ...folder.objects
          .filter(({ manifest }) => isKind(manifest, KINDS.namespace) && manifest.metadata.labels?.[LABELS.revision] !== undefined && !(LABELS.injection in manifest.metadata.labels))
          .map((located) => ({ located, revision: located.manifest.metadata.labels![LABELS.revision], what: `namespace ${located.manifest.metadata.name}` })),
        // A pod's istio.io/rev counts only in a namespace with neither label (the rev.object webhooks' namespaceSelector).
        ...(workloadsByFolder.get(folder.folder) ?? []).flatMap(({ located, namespace, pods }) => {
          const namespaceLabels = index.namespaces.get(inCluster(located.cluster, namespace))?.manifest.metadata.labels ?? {};
          const decidedByNamespace = LABELS.injection in namespaceLabels || LABELS.revision in namespaceLabels;
          const revision = pods.labels[LABELS.revision];
          return revision === undefined || decidedByNamespace ? [] : [{ located, revision, what: `the pods of ${located.manifest.kind} ${located.manifest.metadata.name}` }];
        }),
      ];
      return selecting
        .filter(({ revision }) => !served.has(revision))
        .map(({ located, revision, what }) =>
          findingOn(located, {
            code: 'MCL0100',
            severity: 'error',
            message: `${what} select${what.startsWith('the pods') ? '' : 's'} ${LABELS.revision}=${revision}, which no injection webhook of cluster ${located.cluster} serves (its webhooks serve: ${[...served].sort().join(', ') || 'none by revision'}): pods start without a sidecar`,
            hint: `give cluster ${located.cluster} the webhook of revision or tag ${revision} (every revision the control plane runs needs its remote objects), or select a revision it serves`,
          }),
        );
    });
  },
};
