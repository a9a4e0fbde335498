import type { Analyzer } from './analyzer';
import { apiGroup, ISTIO_CONFIG_GROUPS } from '../manifest/kinds';
import { findingOn } from './finding';
import { remoteSecretOf } from '../manifest/remote-secret';

/**
 * MCL0007: Istio configuration or a remote secret in a remote cluster's folder. istiod reads both
 * only from the control-plane cluster, so there they are silently ignored.
 */
export const misplacedControlPlaneObjectAnalyzer: Analyzer = {
  codes: ['MCL0007'],
  name: 'Control-plane-only objects are not applied to remotes',
  analyze: (index) =>
    index.folders
      .filter((folder) => folder.cluster !== index.controlPlaneCluster)
      .flatMap((folder) => folder.objects)
      .filter((located) => ISTIO_CONFIG_GROUPS.has(apiGroup(located.manifest)) || remoteSecretOf(located) !== undefined)
      .map((located) =>
        findingOn(located, {
          code: 'MCL0007',
          severity: 'error',
          message: `is applied to remote cluster ${located.cluster}, where istiod never reads it`,
          hint: 'emit Istio configuration and remote secrets into the control-plane folder',
        }),
      ),
};
