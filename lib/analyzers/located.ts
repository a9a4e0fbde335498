import type { Manifest } from '../synth/mesh-manifests';
import { objectRef } from '../synth/mesh-manifests';
import type { Finding } from './finding';

/** A manifest and where it is applied: its output folder and the cluster that folder goes to. */
export interface Located {
  readonly manifest: Manifest;
  readonly cluster: string;
  readonly folder: string;
}

/** What an analyzer says about an object; where the object is comes from its location. */
export type FindingDetails = Pick<Finding, 'code' | 'severity' | 'message' | 'hint' | 'path'>;

/**
 * A finding on a located object. `cluster` defaults to the cluster the object is applied to; a
 * per-cluster check of mesh-wide configuration passes the cluster it failed in.
 */
export function findingOn(located: Located, details: FindingDetails, cluster: string = located.cluster): Finding {
  return { ...details, cluster, folder: located.folder, object: objectRef(located.manifest) };
}

/** Where an absent object belongs, so a finding can name what should be there. */
export function absentObject(identity: Pick<Manifest, 'apiVersion' | 'kind' | 'metadata'>, cluster: string, folder: string): Located {
  return { manifest: identity, cluster, folder };
}
