/**
 * A mesh built in code with the constructs directly: three clusters on one flat network, a
 * "shop" application of our own split across them, its TLS gateways and namespace mTLS.
 * `npx cdk8s synth` runs this file (see cdk8s.yaml); it writes to $CDK8S_OUTDIR or dist/.
 */
import {
  AppSplit,
  EastWestGateway,
  IstioMesh,
  IstioRemote,
  InstallValues,
  Mesh,
  MeshApp,
  MtlsNamespace,
  MultiClusterSecret,
  TlsGateway,
  type AppDefinition,
} from '../../lib';

const SHOP: AppDefinition = {
  name: 'shop',
  services: [
    { name: 'storefront', port: 8080, serviceAccount: 'storefront', calls: ['catalog', 'cart'], versions: [{ version: 'v1', image: 'ghcr.io/example/storefront:1.4.0' }] },
    {
      name: 'catalog',
      port: 8080,
      serviceAccount: 'catalog',
      versions: [
        { version: 'v1', image: 'ghcr.io/example/catalog:2.0.1' },
        { version: 'v2', image: 'ghcr.io/example/catalog:2.1.0' },
      ],
    },
    { name: 'cart', port: 6379, portName: 'tcp-redis', serviceAccount: 'cart', versions: [{ version: 'v1', image: 'redis:7.4' }] },
  ],
};

export function buildShopMesh(app = new MeshApp()): IstioMesh {
  const model = Mesh.fromSpec({
    mesh: { id: 'shop-mesh', credentials: { source: 'external-secret', secretStore: { name: 'vault-backend' } } },
    clusters: [
      { name: 'dc1-core', url: 'https://api.dc1-core.example.com:6443', istio_control_plane: true, controlPlaneAddress: '192.0.2.10', region: 'eu-west', zone: 'eu-west-1a' },
      { name: 'dc1-edge', url: 'https://api.dc1-edge.example.com:6443', region: 'eu-west', zone: 'eu-west-1b' },
      { name: 'dc2-edge', url: 'https://api.dc2-edge.example.com:6443', region: 'eu-central', zone: 'eu-central-1a' },
    ],
  });
  const mesh = new IstioMesh(app, 'shop-mesh', { mesh: model });
  new IstioRemote(mesh, 'remotes');
  new MultiClusterSecret(mesh, 'remote-secrets');
  new InstallValues(mesh, 'install');
  // Remotes reach istiod at controlPlaneAddress: the address of this east-west gateway.
  new EastWestGateway(mesh, 'east-west');
  const shop = new AppSplit(mesh, 'shop', {
    app: SHOP,
    namespace: 'shop',
    placement: { 'catalog-v2': ['dc2-edge'], 'default': ['dc1-core', 'dc1-edge'] },
  });
  new MtlsNamespace(mesh, 'shop-mtls', { namespace: 'shop', services: shop.mtlsServices });
  new TlsGateway(mesh, 'shop-gateway', {
    namespace: 'shop',
    hosts: ['shop.example.com'],
    issuer: { kind: 'ClusterIssuer', name: 'letsencrypt' },
    routes: [{ matches: [{ prefix: '/' }], destination: { host: 'storefront', port: 8080 } }],
  });
  return mesh;
}

if (require.main === module) {
  // Writes to $CDK8S_OUTDIR (what `cdk8s synth` sets) or dist/: the CLI's layout, analyzers included.
  const app = new MeshApp();
  buildShopMesh(app);
  app.synth();
  console.log(`Synthesized the mesh into ${app.outdir}/`);
}
