/**
 * How remotes reach istiod, per `controlPlaneAddressKind`: the ports behind the address, the
 * command that reads the address from the running control plane, and what must be routable.
 */
import type { Mesh } from './mesh';
import type { ControlPlaneAddressKind } from './mesh-spec';
import { EAST_WEST_GATEWAY, ISTIO_SYSTEM_NAMESPACE, ISTIOD_PORTS, ISTIOD_SERVICE } from './names';

/** The ports a remote's `istiod` endpoints point at, behind the control-plane address. */
export interface IstiodEndpointPorts {
  /** xDS and CA. */
  readonly xds: number;
  /** The injection webhook. */
  readonly webhook: number;
}

/**
 * istiod's pods and the east-west gateway (which passes 15017 through to the Service's 443)
 * serve the webhook on 15017; istiod's Service serves it on 443 (`targetPort: 15017`).
 */
export function istiodEndpointPorts(kind: ControlPlaneAddressKind): IstiodEndpointPorts {
  return { xds: ISTIOD_PORTS.xds, webhook: kind === 'istiod-service' ? ISTIOD_PORTS.webhookService : ISTIOD_PORTS.webhookContainer };
}

/** What the address is, in words, for the READMEs. */
export function describeControlPlaneAddress(mesh: Mesh): string {
  switch (mesh.controlPlaneAddressKind) {
    case 'eastwest-gateway':
      return `${eastWestGatewayAddress(mesh)} of the east-west gateway \`${EAST_WEST_GATEWAY.name}\`, whose Gateway passes ports 15012 and 15017 through to istiod (upstream's \`samples/multicluster/expose-istiod.yaml\`)`;
    case 'istiod-service':
      return `the ClusterIP of istiod's Service \`${ISTIOD_SERVICE}\`, which serves xDS on 15012 and the injection webhook on 443; the service ranges must be routed between the clusters`;
    case 'istiod-pod':
      return 'the pod IP of an istiod pod, which serves xDS on 15012 and the injection webhook on 15017; the pod ranges must be routed between the clusters, and the IP changes whenever the pod restarts';
  }
}

/** The control plane's east-west gateway address remotes dial, by the type of its Service. */
export function eastWestGatewayAddress(mesh: Mesh): string {
  return mesh.controlPlane.eastWestGatewayServiceType === 'LoadBalancer'
    ? 'the load-balancer address'
    : 'the Service IP (ClusterIP: the remotes, their API servers included, must route the service range)';
}

/** The command that prints the address of the kind from the control-plane cluster. */
export function readControlPlaneAddressCommand(mesh: Mesh): string {
  const context = `kubectl --context=${mesh.controlPlane.name} -n ${ISTIO_SYSTEM_NAMESPACE}`;
  switch (mesh.controlPlaneAddressKind) {
    case 'eastwest-gateway':
      return mesh.controlPlane.eastWestGatewayServiceType === 'LoadBalancer'
        ? `${context} get service ${EAST_WEST_GATEWAY.name} -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}'`
        : `${context} get service ${EAST_WEST_GATEWAY.name} -o jsonpath='{.spec.clusterIP}'`;
    case 'istiod-service':
      return `${context} get service ${mesh.istiodService} -o jsonpath='{.spec.clusterIP}'`;
    case 'istiod-pod':
      return `${context} get pod -l app=${ISTIOD_SERVICE} -o jsonpath='{.items[0].status.podIP}'`;
  }
}

/**
 * When the address is a DNS name, the remote's `istiod` Service is an `ExternalName`: proxies
 * dial the name at 15012, and kube-apiserver calls the webhook at the name's port 443 (the
 * Service port; an ExternalName has no target port). Only istiod's Service serves the webhook there.
 */
export function externalNameServesWebhook(kind: ControlPlaneAddressKind): boolean {
  return kind === 'istiod-service';
}

/**
 * Where the placeholder of a missing address ends up, and when it fails: in the remote's `istiod`
 * Service (Helm) or in the remote `Istio`'s `remotePilotAddress`, from which the operator renders
 * that Service (Sail). Either way the API server refuses it as a Service's `externalName`.
 */
export function placeholderFailure(mesh: Mesh): string {
  return mesh.installer === 'sail'
    ? `the remotes' Istio resources give the placeholder "${mesh.istiodAddress}" as remotePilotAddress, and the API server rejects the istiod Service the operator renders from it`
    : `the remotes' istiod Service points at the placeholder "${mesh.istiodAddress}", which the API server rejects when it is applied`;
}
