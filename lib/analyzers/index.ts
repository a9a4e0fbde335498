import { compareText } from '../manifest/compare-text';
import { DistinctManifests } from '../manifest/distinct-manifests';
import type { Manifest, MeshManifests } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import type { Finding, Severity } from './finding';
import { indexMesh, meshFolders } from './mesh-index';
import { mtlsConflictAnalyzer, subsetSelectsNoPodsAnalyzer, unknownDestinationRuleHostAnalyzer } from './rules/destination-rule';
import { conflictingGatewaysAnalyzer, gatewayPortNotOnServiceAnalyzer, gatewaySelectsNoWorkloadAnalyzer, missingCredentialAnalyzer } from './rules/gateway';
import { injectionLabelAnalyzer, injectionPathAnalyzer, namespaceNotInjectedAnalyzer } from './rules/injection';
import { LOCALITY_ANALYZERS } from './rules/locality';
import { callerServiceAnalyzer, controlPlaneClustersAnalyzer, inconsistentServiceAnalyzer, misplacedControlPlaneObjectAnalyzer, missingEastWestGatewayAnalyzer, remoteSecretAnalyzer } from './rules/multicluster';
import { revisionWebhookAnalyzer } from './rules/revisions';
import { duplicateSetIdentifierAnalyzer } from './rules/global-load-balancer';
import { routeMatchesGatewayAnalyzer } from './rules/route';
import { sailResourceAnalyzer } from './rules/sail';
import { duplicateObjectAnalyzer, misshapenObjects, objectSchemaAnalyzer } from './rules/schema';
import { portNamingAnalyzer } from './rules/service';
import { TRUST_ANALYZERS } from './rules/trust';
import { hostNotInGatewayAnalyzer, missingDestinationAnalyzer, missingDestinationPortAnalyzer, missingGatewayAnalyzer } from './rules/virtual-service';

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
  missingEastWestGatewayAnalyzer,
  ...LOCALITY_ANALYZERS,
  sailResourceAnalyzer,
  injectionLabelAnalyzer,
  routeMatchesGatewayAnalyzer,
  duplicateSetIdentifierAnalyzer,
  ...TRUST_ANALYZERS,
  revisionWebhookAnalyzer,
];

/**
 * The analyzers that judge one folder by itself (schemas, duplicates, port names): what applies
 * when `validate` reads a single cluster folder, where every cross-cluster check would see half a mesh.
 */
export const FOLDER_ANALYZERS: readonly Analyzer[] = [objectSchemaAnalyzer, duplicateObjectAnalyzer, portNamingAnalyzer];

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * Runs every analyzer over the whole mesh (all clusters and the control plane at once). The
 * findings come sorted by severity, code, folder and object, so output is the same run after run.
 */
export function analyzeMesh(manifests: MeshManifests, distinct: DistinctManifests = new DistinctManifests(), analyzers: readonly Analyzer[] = ANALYZERS): Finding[] {
  // An object of the wrong shape (labels as a string, a spec as a list) is the schema finding's:
  // the index, and the analyzers that read it, leave it out, so no input shape makes one throw.
  const folders = meshFolders(manifests);
  const misshapen = misshapenObjects(folders, distinct);
  const readable = indexMesh(misshapen.size === 0 ? manifests : withoutObjects(manifests, misshapen), distinct);
  const whole = misshapen.size === 0 ? readable : { ...readable, folders };
  return analyzers.flatMap((analyzer) => analyzer.analyze(analyzer === objectSchemaAnalyzer ? whole : readable)).sort(compareFindings);
}

function withoutObjects(manifests: MeshManifests, left: ReadonlySet<Manifest>): MeshManifests {
  const kept = (objects: readonly Manifest[]) => objects.filter((manifest) => !left.has(manifest));
  return { ...manifests, clusters: new Map([...manifests.clusters].map(([cluster, objects]) => [cluster, kept(objects)])), controlPlane: kept(manifests.controlPlane) };
}

/** The order of findings: severity, code, folder, object, cluster, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compareText(a.code, b.code) ||
    compareText(a.folder, b.folder) ||
    compareText(a.object, b.object) ||
    compareText(a.cluster, b.cluster) ||
    compareText(a.message, b.message)
  );
}
