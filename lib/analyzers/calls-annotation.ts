import { APP_ANNOTATIONS } from '../model/names';
import type { Labels } from '../manifest/fields';

/**
 * The hosts a pod template says its workload calls (`mesh.cdk8s.io/calls: "details,reviews"`).
 * Plain manifests do not reveal who calls whom, so the constructs write this annotation from the
 * application definition; hand-written workloads may carry it too. Entries are hosts resolved in
 * the workload's namespace (`reviews`, `reviews.bookinfo`, ...).
 */
export function calledHosts(podAnnotations: Labels): readonly string[] {
  return (podAnnotations[APP_ANNOTATIONS.calls] ?? '')
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host !== '');
}
