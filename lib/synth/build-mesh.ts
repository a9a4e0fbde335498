import { EastWestGateway, remotesReachIstiodThroughGateway } from '../../constructs/east-west-gateway';
import { InstallValues } from '../../constructs/install-values';
import { IstioMesh } from '../../constructs/istio-mesh';
import { IstioRemote } from '../../constructs/istio-remote';
import { MeshTrust } from '../../constructs/mesh-trust';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import { MultiClusterSecret } from '../../constructs/multi-cluster-secret';
import { SailInstall } from '../../constructs/sail-install';
import { BOOKINFO_INGRESS_ROUTES, BookinfoSplit } from '../../constructs/presets/bookinfo/bookinfo-split';
import { TlsGateway } from '../../constructs/tls-gateway';
import { MeshApp } from './mesh-app';
import type { Inventory } from '../inventory/inventory';
import { Mesh } from '../model/mesh';

/** Options of `buildMesh`. */
export interface BuildMeshOptions {
  /**
   * Allow remote-secret tokens from the inventory to be written to the output.
   * @default false
   */
  readonly allowInlineCredentials?: boolean;
  /**
   * The app the mesh is created in; its `synth()` writes the mesh.
   * @default - a new MeshApp writing to $CDK8S_OUTDIR, else dist/
   */
  readonly app?: MeshApp;
}

/**
 * Builds the standard constructs for a mesh model, or an inventory's model and presets: the remote
 * components, the control plane's remote secrets and Istio's install (Helm values or the Sail
 * operator's resources), the east-west gateway when remotes reach istiod through it or services
 * cross networks through it, and Bookinfo with its TLS gateways and mTLS when the inventory asks
 * for it, under a `MeshApp` (whose `synth()` writes the CLI's layout). Code-first users compose
 * the same constructs themselves.
 */
export function buildMesh(source: Mesh | Inventory, options: BuildMeshOptions = {}): IstioMesh {
  const model = source instanceof Mesh ? source : source.mesh;
  const mesh = new IstioMesh(options.app ?? new MeshApp(), 'mesh', { mesh: model });
  new IstioRemote(mesh, 'istio-remote');
  new MultiClusterSecret(mesh, 'remote-secrets', { allowInlineCredentials: options.allowInlineCredentials });
  if (model.trust.source !== 'self-signed') new MeshTrust(mesh, 'trust');
  if (model.installer === 'sail') new SailInstall(mesh, 'sail');
  else new InstallValues(mesh, 'install-values');
  if (remotesReachIstiodThroughGateway(model) || model.isMultiNetwork) new EastWestGateway(mesh, 'east-west-gateway');
  const bookinfo = source instanceof Mesh ? undefined : source.bookinfo;
  if (bookinfo) {
    const app = new BookinfoSplit(mesh, 'bookinfo', {
      namespace: bookinfo.namespace,
      placement: bookinfo.placement,
      routing: bookinfo.routing,
      clusterLocal: bookinfo.clusterLocal,
      locality: bookinfo.locality,
      revision: bookinfo.revision,
    });
    new MtlsNamespace(mesh, 'bookinfo-mtls', { namespace: bookinfo.namespace, services: app.mtlsServices, revision: bookinfo.revision });
    new TlsGateway(mesh, 'bookinfo-gateway', {
      namespace: bookinfo.namespace,
      name: bookinfo.gateway.name,
      hosts: [bookinfo.host],
      issuer: bookinfo.gateway.issuer,
      credentialSecret: bookinfo.gateway.credentialSecret,
      exposure: bookinfo.gateway.exposure,
      insecureEdgeTerminationPolicy: bookinfo.gateway.insecureEdgeTerminationPolicy,
      routes: BOOKINFO_INGRESS_ROUTES,
      revision: bookinfo.revision,
    });
  }
  return mesh;
}
