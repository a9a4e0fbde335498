import { record, text } from '../../manifest/fields';
import { isKind, KINDS } from '../../manifest/kinds';
import type { Located } from '../../manifest/located';
import { injectionPath, ISTIO_SYSTEM_NAMESPACE, LABELS } from '../../model/names';
import type { Analyzer } from '../analyzer';
import { type Finding, findingOn } from '../finding';
import { inCluster, type MeshIndex } from '../mesh-index';
import { injectionParameters } from './injection';

/** The Sail operator's chart profile for a cluster whose istiod runs elsewhere. */
const REMOTE_PROFILE = 'remote';

/**
 * The Sail operator's `Istio` resources (OpenShift Service Mesh 3), checked against the rest of the
 * mesh, as each cluster's injection webhook and remote secret are:
 * - MCL0040: an `Istio`'s values disagree with the mesh: `global.multiCluster.clusterName` is not
 *   the cluster it is applied to (the name the control plane's remote secret and the injection path
 *   use), its `istiodRemote.injectionPath` names another cluster or network, `global.network` is
 *   not the network label of the cluster's istio-system, a `global.meshID` differs from the control
 *   plane's, or a remote has no `global.remotePilotAddress`;
 * - MCL0042: an `Istio` on a remote cluster without `profile: remote` installs a second istiod there;
 * - MCL0043: an `IstioRevisionTag` on a remote cluster, or targeting an `Istio` with
 *   `profile: remote`: the operator refuses to tag a remote revision.
 */
export const sailResourceAnalyzer: Analyzer = {
  codes: ['MCL0040', 'MCL0042', 'MCL0043'],
  name: 'Sail operator resources agree with the mesh',
  analyze: (index) => {
    const objects = index.folders.flatMap((folder) => folder.objects);
    const istios = objects.filter((located) => isKind(located.manifest, KINDS.sailIstio));
    const tags = objects.filter((located) => isKind(located.manifest, KINDS.sailRevisionTag));
    const controlPlaneMeshId = istios
      .filter((istio) => istio.cluster === index.controlPlaneCluster)
      .map((istio) => text(record(values(istio).global).meshID))
      .find((meshId) => meshId !== undefined);
    return [
      ...istios.flatMap((istio) => [...valueMismatches(index, istio, controlPlaneMeshId), ...missingRemoteProfile(index, istio)]),
      ...tags.flatMap((tag) => remoteTagTargets(index, istios, tag)),
    ];
  },
};

function spec(located: Located): Readonly<Record<string, unknown>> {
  return record(located.manifest.spec);
}

function values(located: Located): Readonly<Record<string, unknown>> {
  return record(spec(located).values);
}

function isRemoteProfile(istio: Located): boolean {
  return spec(istio).profile === REMOTE_PROFILE;
}

function valueMismatches(index: MeshIndex, istio: Located, controlPlaneMeshId: string | undefined): Finding[] {
  const cluster = istio.cluster;
  const global = record(values(istio).global);
  const network = index.namespaces.get(inCluster(cluster, ISTIO_SYSTEM_NAMESPACE))?.manifest.metadata.labels?.[LABELS.network];
  const problems: { readonly message: string; readonly hint: string }[] = [];
  const clusterName = text(record(global.multiCluster).clusterName);
  if (clusterName !== undefined && clusterName !== cluster) {
    problems.push({
      message: `global.multiCluster.clusterName is ${clusterName} but the resource is applied to cluster ${cluster}`,
      hint: `set clusterName ${cluster}: the control plane's remote secret and the injection path name the cluster so`,
    });
  }
  const path = text(record(values(istio).istiodRemote).injectionPath);
  if (path !== undefined) {
    const parameters = injectionParameters(path);
    const expectedNetwork = network ?? text(global.network);
    if (parameters.cluster !== cluster || (expectedNetwork !== undefined && parameters.net !== expectedNetwork)) {
      problems.push({
        message: `istiodRemote.injectionPath ${path} does not name cluster ${cluster}${expectedNetwork === undefined ? '' : ` and network ${expectedNetwork}`}`,
        hint: `use ${injectionPath(cluster, expectedNetwork ?? '<network>')}`,
      });
    }
  }
  const valuesNetwork = text(global.network);
  if (valuesNetwork !== undefined && network !== undefined && valuesNetwork !== network) {
    problems.push({
      message: `global.network is ${valuesNetwork} but ${ISTIO_SYSTEM_NAMESPACE} of ${cluster} is labelled ${LABELS.network}=${network}`,
      hint: 'derive the values and the namespace label from one network name',
    });
  }
  const meshId = text(global.meshID);
  if (meshId !== undefined && controlPlaneMeshId !== undefined && meshId !== controlPlaneMeshId) {
    problems.push({
      message: `global.meshID is ${meshId} but the control plane's Istio says ${controlPlaneMeshId}`,
      hint: `use one mesh ID (${controlPlaneMeshId}) in every Istio resource`,
    });
  }
  if (isRemoteProfile(istio) && text(global.remotePilotAddress) === undefined) {
    problems.push({
      message: 'a remote Istio without global.remotePilotAddress: its proxies and injection webhook have no istiod to reach',
      hint: 'set global.remotePilotAddress to the address remotes reach the control plane at',
    });
  }
  return problems.map((problem) => findingOn(istio, { code: 'MCL0040', severity: 'error', ...problem }));
}

function missingRemoteProfile(index: MeshIndex, istio: Located): Finding[] {
  if (istio.cluster === index.controlPlaneCluster || isRemoteProfile(istio)) return [];
  return [
    findingOn(istio, {
      code: 'MCL0042',
      severity: 'error',
      message: `Istio on remote cluster ${istio.cluster} has profile ${text(spec(istio).profile) ?? '(none)'}, so the operator installs a second istiod there`,
      hint: `set spec.profile: ${REMOTE_PROFILE}; the control plane ${index.controlPlaneCluster} runs istiod for the mesh`,
    }),
  ];
}

function remoteTagTargets(index: MeshIndex, istios: readonly Located[], tag: Located): Finding[] {
  const targetRef = record(spec(tag).targetRef);
  const target = targetRef.kind === KINDS.sailIstio.kind
    ? istios.find((istio) => istio.cluster === tag.cluster && istio.manifest.metadata.name === targetRef.name)
    : undefined;
  const onRemote = tag.cluster !== index.controlPlaneCluster;
  if (!onRemote && (target === undefined || !isRemoteProfile(target))) return [];
  return [
    findingOn(tag, {
      code: 'MCL0043',
      severity: 'error',
      message: onRemote
        ? `IstioRevisionTag on remote cluster ${tag.cluster}: the Sail operator cannot tag a remote revision`
        : `IstioRevisionTag targets Istio ${text(targetRef.name) ?? '(none)'}, which has profile ${REMOTE_PROFILE}: the Sail operator cannot tag a remote revision`,
      hint: `tag the control plane's Istio on ${index.controlPlaneCluster} only; label remote namespaces with ${LABELS.revision}=<their revision>`,
    }),
  ];
}
