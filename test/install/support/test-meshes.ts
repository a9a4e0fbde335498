/**
 * Install-suite support: the test meshes, which together with the bundled ones cover every
 * reach kind (`eastwest-gateway`, `istiod-service`, `istiod-pod`), two networks, locality,
 * OpenShift and a mixed platform. Their clusters' `url` and `caData` are filled in with the test
 * API servers' (installMesh), and their tokens are inline, read from the environment variables
 * installMesh sets once the token controller has issued them.
 */
import { tokenVariable } from '../../../lib/model/names';
import type { InventoryData } from './scenario';

const inlineToken = (cluster: string) => `{{ lookup('env','${tokenVariable(cluster)}') }}`;

/** Three clusters on two networks, each in a zone, reaching istiod through the east-west gateway. */
export const TWO_NETWORKS_EASTWEST: InventoryData = {
  mesh: { id: 'mesh-ew', network: 'net-a', credentials: { source: 'inline' } },
  clusters: [
    { name: 'alpha', istio_control_plane: true, controlPlaneAddress: '192.0.2.10', controlPlaneAddressKind: 'eastwest-gateway', region: 'us-east1', zone: 'us-east1-b', podCidr: '10.10.0.0/16', serviceCidr: '10.110.0.0/16' },
    { name: 'bravo', network: 'net-b', region: 'us-west1', zone: 'us-west1-a', token: inlineToken('bravo') },
    { name: 'charlie', region: 'us-east1', zone: 'us-east1-c', subzone: 'rack-2', token: inlineToken('charlie'), podCidr: '10.20.0.0/16', serviceCidr: '10.120.0.0/16' },
  ],
  bookinfo: { host: 'bookinfo.ew.example.com', placement: { 'reviews-v3': ['bravo'], default: ['alpha', 'charlie'] }, routing: 'jason-v2-v3' },
};

/** An OpenShift control plane reached at an istiod pod's IP, with a plain Kubernetes remote. */
export const MIXED_PLATFORM_ISTIOD_POD: InventoryData = {
  mesh: { id: 'mesh-mixed', credentials: { source: 'inline' } },
  clusters: [
    { name: 'hub', istio_control_plane: true, platform: 'openshift', controlPlaneAddress: '10.30.4.7', controlPlaneAddressKind: 'istiod-pod', podCidr: '10.30.0.0/16', serviceCidr: '172.30.0.0/16' },
    { name: 'spoke', platform: 'kubernetes', token: inlineToken('spoke'), podCidr: '10.40.0.0/16', serviceCidr: '172.31.0.0/16' },
  ],
  bookinfo: { host: 'bookinfo.mixed.example.com', placement: { 'reviews-v3': ['spoke'], default: ['hub'] } },
};

/** Kubernetes clusters reaching istiod's Service by a DNS name (an ExternalName on the remote). */
export const ISTIOD_SERVICE_BY_NAME: InventoryData = {
  mesh: { id: 'mesh-svc', credentials: { source: 'inline' } },
  clusters: [
    { name: 'main', istio_control_plane: true, controlPlaneAddress: 'istiod.mesh-svc.example.com', controlPlaneAddressKind: 'istiod-service' },
    { name: 'edge', token: inlineToken('edge') },
  ],
};
