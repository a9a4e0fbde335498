import { clusterFolder } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import { gatewayServers } from './istio-objects';
import { findingOn } from './finding';
import { gatewayWorkloads, inCluster } from './mesh-index';

/**
 * IST0101: a Gateway's TLS `credentialName` is missing where the gateway runs. istiod reads it
 * in the namespace of the gateway workload, not of the Gateway object, so it is checked in each
 * cluster and namespace whose pods the Gateway selects. A Secret, a cert-manager Certificate
 * (`spec.secretName`) or an ExternalSecret (target name) provides it.
 */
export const missingCredentialAnalyzer: Analyzer = {
  codes: ['IST0101'],
  name: 'Gateway credentials exist where the gateway runs',
  analyze: (index) =>
    [...index.gateways.values()].flatMap((gateway) => {
      const credentialNames = new Set(gatewayServers(gateway.manifest).flatMap((server) => server.credentialNames));
      const places = new Map(gatewayWorkloads(index, gateway).map((workload) => [inCluster(workload.located.cluster, workload.namespace), workload]));
      return [...places.values()].flatMap(({ located: { cluster }, namespace }) =>
        [...credentialNames]
          .filter((credentialName) => !index.providedSecrets.has(inCluster(cluster, namespace, credentialName)))
          .map((credentialName) =>
            findingOn(
              gateway,
              {
                code: 'IST0101',
                severity: 'error',
                message: `TLS credential "${credentialName}" is missing in namespace ${namespace} of cluster ${cluster}, where the gateway runs`,
                hint: `add Secret ${namespace}/${credentialName} to ${clusterFolder(cluster)} (or a Certificate or ExternalSecret that creates it)`,
              },
              cluster,
            ),
          ),
      );
    }),
};
