import { compareText } from '../manifest/compare-text';
import type { MeshManifests } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import { callerServiceAnalyzer } from './caller-services';
import { conflictingGatewaysAnalyzer } from './conflicting-gateways';
import { controlPlaneClustersAnalyzer } from './control-plane-clusters';
import { unknownDestinationRuleHostAnalyzer } from './destination-rule-hosts';
import { subsetSelectsNoPodsAnalyzer } from './destination-rule-subsets';
import { duplicateObjectAnalyzer } from './duplicate-objects';
import type { Finding, Severity } from './finding';
import { missingCredentialAnalyzer } from './gateway-credentials';
import { gatewayPortNotOnServiceAnalyzer } from './gateway-service-ports';
import { gatewaySelectsNoWorkloadAnalyzer } from './gateway-workloads';
import { inconsistentServiceAnalyzer } from './inconsistent-services';
import { injectionLabelAnalyzer } from './injection-labels';
import { injectionPathAnalyzer } from './injection-paths';
import { LOCALITY_ANALYZERS } from './locality';
import { indexMesh } from './mesh-index';
import { misplacedControlPlaneObjectAnalyzer } from './misplaced-control-plane-objects';
import { mtlsConflictAnalyzer } from './mtls-conflicts';
import { objectSchemaAnalyzer } from './object-schema-violations';
import { namespaceNotInjectedAnalyzer } from './namespace-injection';
import { remoteSecretAnalyzer } from './remote-secrets';
import { sailResourceAnalyzer } from './sail-resources';
import { portNamingAnalyzer } from './service-port-names';
import { hostNotInGatewayAnalyzer } from './virtual-service-gateway-hosts';
import { missingGatewayAnalyzer } from './virtual-service-gateways';
import { missingDestinationPortAnalyzer } from './virtual-service-destination-ports';
import { missingDestinationAnalyzer } from './virtual-service-destinations';

/** Every analyzer `analyzeMesh` runs. The codes and what they mean are listed in `README.md`. */
export const ANALYZERS: readonly Analyzer[] = [
  objectSchemaAnalyzer,
  missingGatewayAnalyzer,
  missingDestinationAnalyzer,
  missingDestinationPortAnalyzer,
  missingCredentialAnalyzer,
  subsetSelectsNoPodsAnalyzer,
  unknownDestinationRuleHostAnalyzer,
  hostNotInGatewayAnalyzer,
  conflictingGatewaysAnalyzer,
  gatewayPortNotOnServiceAnalyzer,
  portNamingAnalyzer,
  inconsistentServiceAnalyzer,
  namespaceNotInjectedAnalyzer,
  gatewaySelectsNoWorkloadAnalyzer,
  mtlsConflictAnalyzer,
  duplicateObjectAnalyzer,
  remoteSecretAnalyzer,
  injectionPathAnalyzer,
  controlPlaneClustersAnalyzer,
  misplacedControlPlaneObjectAnalyzer,
  callerServiceAnalyzer,
  ...LOCALITY_ANALYZERS,
  sailResourceAnalyzer,
  injectionLabelAnalyzer,
];

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * Runs every analyzer over the whole mesh (all clusters and the control plane at once). The
 * findings come sorted by severity, code, folder and object, so output is the same run after run.
 */
export function analyzeMesh(manifests: MeshManifests): Finding[] {
  const index = indexMesh(manifests);
  return ANALYZERS.flatMap((analyzer) => analyzer.analyze(index)).sort(compareFindings);
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compareText(a.code, b.code) ||
    compareText(a.folder, b.folder) ||
    compareText(a.object, b.object) ||
    compareText(a.cluster, b.cluster) ||
    compareText(a.message, b.message)
  );
}
