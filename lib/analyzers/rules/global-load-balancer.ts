import { routeTarget } from '../../manifest/kube-objects';
import { isKind, KINDS } from '../../manifest/kinds';
import type { Located } from '../../manifest/located';
import { stringMap } from '../../manifest/fields';
import { EXTERNAL_DNS_ANNOTATION_PREFIXES } from '../../model/names';
import type { Analyzer } from '../analyzer';
import { findingOn } from '../finding';
import { groupBy } from '../group-by';
import { namespaceOf } from '../mesh-index';

/** An external-dns record an object asks for: its name and set identifier. */
interface ExternalDnsRecord {
  readonly located: Located;
  readonly hostname: string;
  readonly setIdentifier: string;
}

/**
 * MCL0122: two clusters' gateway Services or Routes ask external-dns for the same name with the same
 * `set-identifier`. Route53 keeps one record per name and identifier, so the external-dns instances
 * of the two clusters overwrite each other's record (or, owning it by TXT record, one never writes
 * its own), and one cluster gets no traffic.
 */
export const duplicateSetIdentifierAnalyzer: Analyzer = {
  codes: ['MCL0122'],
  name: 'external-dns set identifiers are unique across clusters',
  analyze: (index) => {
    const records = index.folders.flatMap((folder) => folder.objects.flatMap(externalDnsRecords));
    return [...groupBy(records, (record) => `${record.hostname.toLowerCase()} ${record.setIdentifier}`).values()].flatMap((sharing) => {
      const clusters = new Set(sharing.map((record) => record.located.cluster));
      if (clusters.size < 2) return [];
      return sharing.map(({ located, hostname, setIdentifier }) => {
        const others = sharing.filter((other) => other.located.cluster !== located.cluster).map((other) => `${other.located.manifest.kind}/${namespaceOf(other.located)}/${other.located.manifest.metadata.name} in cluster ${other.located.cluster}`);
        return findingOn(located, {
          code: 'MCL0122',
          severity: 'error',
          message: `asks external-dns for ${JSON.stringify(hostname)} with set-identifier ${JSON.stringify(setIdentifier)}, as ${[...new Set(others)].join(', ')} does: Route53 keeps one record per identifier`,
          hint: 'give each cluster its own set-identifier (mesh.globalLoadBalancer.setIdentifiers, default the cluster name)',
        });
      });
    });
  },
};

function externalDnsRecords(located: Located): ExternalDnsRecord[] {
  const isService = isKind(located.manifest, KINDS.service);
  if (!isService && !isKind(located.manifest, KINDS.route)) return [];
  const annotations = stringMap(located.manifest.metadata.annotations);
  return EXTERNAL_DNS_ANNOTATION_PREFIXES.flatMap((prefix) => {
    const setIdentifier = annotations[`${prefix}set-identifier`];
    if (setIdentifier === undefined) return [];
    const named = (annotations[`${prefix}hostname`] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
    const routeHost = isService ? undefined : routeTarget(located.manifest).host;
    return [...new Set([...named, ...(routeHost === undefined ? [] : [routeHost])])].map((hostname) => ({ located, hostname, setIdentifier }));
  });
}
