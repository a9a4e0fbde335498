/** Test meshes of the `helm` installer that cover each way remotes reach istiod and each platform mix, shared by the Helm tests. */
import type { ClusterSpec, MeshSpec } from '../../lib/model/mesh-spec';

const EAST: ClusterSpec = { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' };
const WEST: ClusterSpec = { name: 'west', url: 'https://api.west.example.com:6443' };
const EDGE: ClusterSpec = { name: 'edge', url: 'https://api.edge.example.com:6443', network: 'network2', injectionUrl: 'https://istiod.example.com:15017/inject/cluster/edge/net/network2' };

export const MESHES: Record<string, MeshSpec> = {
  'Kubernetes, east-west gateway': { clusters: [EAST, WEST, EDGE] },
  'OpenShift everywhere, istiod Service IP': { clusters: [{ ...EAST, platform: 'openshift', controlPlaneAddressKind: 'istiod-service' }, { ...WEST, platform: 'openshift' }] },
  'Kubernetes control plane, OpenShift remote, istiod pod IP': { clusters: [{ ...EAST, controlPlaneAddressKind: 'istiod-pod' }, { ...WEST, platform: 'openshift' }, EDGE] },
  'OpenShift control plane, Kubernetes remote, DNS name': { clusters: [{ ...EAST, platform: 'openshift', controlPlaneAddress: 'istiod.east.example.com' }, WEST] },
  'no address (the seed inventory)': { clusters: [{ ...EAST, controlPlaneAddress: undefined }, WEST] },
  'istiod Service DNS name, a trust domain of its own': {
    mesh: { trustDomain: 'example.org' },
    clusters: [{ ...EAST, controlPlaneAddressKind: 'istiod-service', controlPlaneAddress: 'istiod.east.example.com' }, WEST],
  },
};

