import { ANNOTATIONS, LABELS } from '../model/names';
import { list, record, stringMap, strings, text } from './fields';
import { isKind, KINDS } from './kinds';
import type { Located } from './located';

/** A Secret istiod reads remote kubeconfigs from, whether written as a Secret or rendered by an ExternalSecret. */
export interface RemoteSecret {
  readonly located: Located;
  /** The name of the Secret in the cluster (an ExternalSecret's target name). */
  readonly name: string;
  readonly namespace?: string;
  /** `networking.istio.io/cluster`. */
  readonly clusterAnnotation?: string;
  /** Its data keys: istiod connects to one cluster per key, the key being the cluster ID. */
  readonly dataKeys: readonly string[];
}

/** The remote secret an object is or renders; undefined unless it is labelled `istio/multiCluster: "true"`. */
export function remoteSecretOf(located: Located): RemoteSecret | undefined {
  const { manifest } = located;
  if (isKind(manifest, KINDS.secret)) {
    const dataKeys = [...Object.keys(record(manifest.stringData)), ...Object.keys(record(manifest.data))];
    return remoteSecret(located, manifest.metadata, manifest.metadata.name, dataKeys);
  }
  if (isKind(manifest, KINDS.externalSecret)) {
    const spec = record(manifest.spec);
    const target = record(spec.target);
    const template = record(target.template);
    // With a template, the rendered Secret holds the template's keys; without one, each entry's secretKey.
    const dataKeys = template.data !== undefined
      ? Object.keys(record(template.data))
      : strings(list(spec.data).map((entry) => record(entry).secretKey));
    return remoteSecret(located, record(template.metadata), text(target.name) ?? manifest.metadata.name, dataKeys);
  }
  return undefined;
}

function remoteSecret(located: Located, metadata: Readonly<Record<string, unknown>>, name: string, dataKeys: readonly string[]): RemoteSecret | undefined {
  if (stringMap(metadata.labels)[LABELS.multiClusterSecret] !== 'true') return undefined;
  return {
    located,
    name,
    namespace: located.manifest.metadata.namespace,
    clusterAnnotation: stringMap(metadata.annotations)[ANNOTATIONS.clusterName],
    dataKeys,
  };
}
