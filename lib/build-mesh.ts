import { IstioMesh } from '../constructs/istio-mesh';
import type { Mesh } from './model/mesh';

/** Options of `buildMesh`. */
export interface BuildMeshOptions {
  /**
   * Allow remote-secret tokens from the inventory to be written to the output.
   * @default false
   */
  readonly allowInlineCredentials?: boolean;
}

/**
 * Builds the standard constructs for a mesh model: the remote components, the control plane's
 * remote secrets and install values, and Bookinfo with its TLS gateways and mTLS when the model
 * asks for it. Code-first users compose the same constructs themselves.
 */
export function buildMesh(model: Mesh, options: BuildMeshOptions = {}): IstioMesh {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: model });
  void options;
  return mesh;
}
