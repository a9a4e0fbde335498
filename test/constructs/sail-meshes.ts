/** Test meshes of the `sail` installer, shared by the construct and ownership tests. */
import type { InventorySpec } from '../../lib/inventory/inventory';
import type { ClusterSpec } from '../../lib/model/mesh-spec';

export const EAST: ClusterSpec = { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', platform: 'openshift' };
export const WEST: ClusterSpec = { name: 'west', url: 'https://api.west.example.com:6443', platform: 'openshift' };
const BOOKINFO = { host: 'bookinfo.apps.example.com' };

/** The OpenShift seed's two clusters, installed by the Sail operator. */
export const OPENSHIFT_SAIL_MESH: InventorySpec = { mesh: { id: 'mesh1', installer: 'sail' }, clusters: [EAST, WEST], bookinfo: BOOKINFO };
/** A Kubernetes control plane with OpenShift remotes, on two networks. */
export const MIXED_SAIL_MESH: InventorySpec = {
  mesh: { installer: 'sail', sail: { subscription: { channel: 'stable', name: 'servicemeshoperator3', source: 'redhat-operators' } } },
  clusters: [
    { ...EAST, platform: 'kubernetes' },
    { ...WEST, network: 'network2' },
    { name: 'edge', url: 'https://api.edge.example.com:6443', platform: 'openshift', injectionUrl: 'https://istiod.example.com:15017/inject/cluster/edge/net/network1' },
  ],
  bookinfo: BOOKINFO,
};
/** A RevisionBased mesh whose control plane tags its revision `prod`. */
export const REVISION_BASED_MESH: InventorySpec = {
  mesh: { installer: 'sail', sail: { updateStrategy: 'RevisionBased', revisionTag: 'prod' } },
  clusters: [EAST, WEST],
  bookinfo: BOOKINFO,
};

