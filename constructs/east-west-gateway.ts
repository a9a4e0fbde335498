import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { InvalidPropsError } from '../lib/errors';
import { GatewaySpecServersTlsMode } from '../lib/imports/networking.istio.io';
import { ISTIO_KINDS } from '../lib/istio/istio-api';
import type { Mesh } from '../lib/model/mesh';
import type { EastWestGatewayServiceType } from '../lib/model/mesh-spec';
import { EAST_WEST_GATEWAY, ISTIO_SYSTEM_NAMESPACE, ISTIOD_PORTS, LABELS } from '../lib/model/names';
import { checkContainerOptions, GatewayWorkload, type GatewayContainerOptions } from './gateway-workload';
import type { IstioMesh } from './istio-mesh';
import { MeshConstruct } from './mesh-construct';
import { MESH_FACTS } from './mesh-registry';
import { kubeObject } from './kube-object';

/** Props of `EastWestGateway`; the container options apply to the gateway of every cluster. */
export interface EastWestGatewayProps extends GatewayContainerOptions {
  /**
   * The clusters that run an east-west gateway.
   * @default - the control-plane cluster, and in a multi-network mesh every cluster
   */
  readonly clusters?: readonly string[];
  /**
   * Expose istiod (15012 xDS/CA, 15017 injection webhook) through the gateway, for remotes whose
   * `controlPlaneAddress` is the gateway's address.
   * @default - true when the mesh has remote clusters and its `controlPlaneAddressKind` is `eastwest-gateway`
   */
  readonly exposeIstiod?: boolean;
  /**
   * Expose every `*.local` service on 15443 (AUTO_PASSTHROUGH), for traffic between networks.
   * @default - true when clusters sit on more than one network
   */
  readonly exposeServices?: boolean;
  /**
   * The type of the gateway's Service in every cluster it runs in.
   * @default - each cluster's `eastWestGatewayServiceType`: LoadBalancer in a mesh on several
   * networks, whose other networks reach the gateway from outside; ClusterIP on one network, where
   * the other clusters reach it at its Service IP
   */
  readonly serviceType?: EastWestGatewayServiceType;
  /**
   * The revision the gateway runs on: a name of `mesh.revisions`, a tag of `mesh.revisionTags`, or
   * `default` (the default revision). Its pods are labelled `istio.io/rev` with it (a remote's, under Sail, the
   * revision itself).
   * @default - the mesh's default injection (Sail's revision label under RevisionBased, else none)
   */
  readonly revision?: string;
}

/**
 * The east-west gateway of upstream's primary-remote guides: in each of its clusters the
 * `istio-eastwestgateway` workload in istio-system (what `gen-eastwest-gateway.sh` or the
 * `istio/gateway` chart with `networkGateway` render), and on the control plane the Gateways
 * that expose istiod to remotes (`expose-istiod.yaml`) and services across networks
 * (`expose-services.yaml`). Remotes then reach istiod at the gateway's address, which is the
 * control plane's `controlPlaneAddress`: its load-balancer address in a mesh on several networks,
 * its Service IP on one network (see `serviceType`).
 */
export class EastWestGateway extends MeshConstruct {
  /** The clusters running the gateway, in mesh order. */
  public readonly clusters: readonly string[];
  /** The gateway's Deployment in each cluster running it, by cluster name (escape hatches start here). */
  public readonly deployments: ReadonlyMap<string, ApiObject>;

  constructor(scope: Construct, id: string, props: EastWestGatewayProps = {}) {
    super(scope, id);
    const model = this.mesh.model;
    const defaultClusters = model.isMultiNetwork ? model.clusters.map((c) => c.name) : [model.controlPlane.name];
    this.clusters = this.selectClusters(props.clusters, defaultClusters);
    checkContainerOptions(this, 'EastWestGateway', props);
    const revision = this.checkRevision('EastWestGateway', props.revision);
    const exposeIstiod = props.exposeIstiod ?? remotesReachIstiodThroughGateway(model);
    const exposeServices = props.exposeServices ?? model.isMultiNetwork;
    if (exposeIstiod && !this.clusters.includes(model.controlPlane.name)) {
      throw new InvalidPropsError(this, 'clusters', `EastWestGateway exposes istiod, so its clusters must include the control plane "${model.controlPlane.name}" (got: ${this.clusters.join(', ') || 'none'})`);
    }

    const deployments = new Map<string, ApiObject>();
    for (const name of this.clusters) {
      const { network, localityPodLabels, eastWestGatewayServiceType } = model.cluster(name);
      const workload = new GatewayWorkload(this.partIn(name), 'workload', {
        namespace: ISTIO_SYSTEM_NAMESPACE,
        name: EAST_WEST_GATEWAY.name,
        selector: EAST_WEST_GATEWAY.selector,
        labels: { [LABELS.network]: network },
        revision: model.podRevision(model.cluster(name), revision),
        podLabels: localityPodLabels,
        env: { [EAST_WEST_GATEWAY.requestedNetworkViewEnv]: network },
        ports: [
          { name: 'tls', port: EAST_WEST_GATEWAY.crossNetworkPort },
          { name: 'tls-istiod', port: ISTIOD_PORTS.xds },
          { name: 'tls-webhook', port: ISTIOD_PORTS.webhookContainer },
        ],
        containerSecurityContext: props.containerSecurityContext,
        resources: props.resources,
        serviceType: props.serviceType ?? eastWestGatewayServiceType,
      });
      deployments.set(name, workload.deployment);
    }
    this.deployments = deployments;
    const controlPlane = this.controlPlanePart;
    if (exposeIstiod) renderIstiodExposure(controlPlane, this.mesh);
    if (exposeServices) {
      renderCrossNetworkGateway(controlPlane);
      this.mesh.registry.record(MESH_FACTS.crossNetworkExposure, true);
    }
  }
}

/** Whether remotes reach istiod through the control plane's east-west gateway (not straight at istiod over routed ranges). */
export function remotesReachIstiodThroughGateway(model: Mesh): boolean {
  return model.remotes.length > 0 && model.controlPlaneAddressKind === 'eastwest-gateway';
}

const PASSTHROUGH = { mode: GatewaySpecServersTlsMode.PASSTHROUGH };

/** `samples/multicluster/expose-istiod.yaml`: 15012 and 15017 passed through to istiod. */
function renderIstiodExposure(scope: Construct, mesh: IstioMesh): void {
  const namespace = ISTIO_SYSTEM_NAMESPACE;
  kubeObject(ISTIO_KINDS.gateway, scope, 'istiod-gateway', {
    metadata: { name: EAST_WEST_GATEWAY.istiodGateway, namespace },
    spec: {
      selector: { ...EAST_WEST_GATEWAY.selector },
      servers: [
        { port: { name: 'tls-istiod', number: ISTIOD_PORTS.xds, protocol: 'tls' }, tls: PASSTHROUGH, hosts: ['*'] },
        { port: { name: 'tls-istiodwebhook', number: ISTIOD_PORTS.webhookContainer, protocol: 'tls' }, tls: PASSTHROUGH, hosts: ['*'] },
      ],
    },
  });
  // The control plane's istiod Service: named after its revision with Sail's RevisionBased strategy.
  const istiodHost = `${mesh.model.istiodService}.${namespace}.svc.cluster.local`;
  const route = (listenPort: number, istiodPort: number) => ({
    match: [{ port: listenPort, sniHosts: ['*'] }],
    route: [{ destination: { host: istiodHost, port: { number: istiodPort } } }],
  });
  kubeObject(ISTIO_KINDS.virtualService, scope, 'istiod-vs', {
    metadata: { name: EAST_WEST_GATEWAY.istiodVirtualService, namespace },
    spec: {
      hosts: ['*'],
      gateways: [EAST_WEST_GATEWAY.istiodGateway],
      tls: [route(ISTIOD_PORTS.xds, ISTIOD_PORTS.xds), route(ISTIOD_PORTS.webhookContainer, ISTIOD_PORTS.webhookService)],
    },
  });
}

/** `samples/multicluster/expose-services.yaml`: every `*.local` service reachable across networks. */
function renderCrossNetworkGateway(scope: Construct): void {
  kubeObject(ISTIO_KINDS.gateway, scope, 'cross-network-gateway', {
    metadata: { name: EAST_WEST_GATEWAY.crossNetworkGateway, namespace: ISTIO_SYSTEM_NAMESPACE },
    spec: {
      selector: { ...EAST_WEST_GATEWAY.selector },
      servers: [
        { port: { number: EAST_WEST_GATEWAY.crossNetworkPort, name: 'tls', protocol: 'TLS' }, tls: { mode: GatewaySpecServersTlsMode.AUTO_UNDERSCORE_PASSTHROUGH }, hosts: ['*.local'] },
      ],
    },
  });
}
