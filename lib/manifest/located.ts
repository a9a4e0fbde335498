import type { Manifest } from './mesh-manifests';

/** A manifest and where it is applied: its output folder and the cluster that folder goes to. */
export interface Located {
  readonly manifest: Manifest;
  readonly cluster: string;
  readonly folder: string;
}

/** Where an absent object belongs, so a finding can name what should be there. */
export function absentObject(identity: Pick<Manifest, 'apiVersion' | 'kind' | 'metadata'>, cluster: string, folder: string): Located {
  return { manifest: identity, cluster, folder };
}
