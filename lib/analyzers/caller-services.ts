import { APP_ANNOTATIONS } from '../model/names';
import { clusterFolder } from '../manifest/mesh-manifests';
import type { Analyzer } from './analyzer';
import { calledHosts } from './calls-annotation';
import { serviceKey, serviceOfHost } from './hosts';
import { findingOn } from './finding';
import { inCluster } from './mesh-index';

/**
 * MCL0008: a workload calls a Service (pod annotation `mesh.cdk8s.io/calls`) that its own cluster
 * does not define. The caller's cluster needs the Service object for DNS even when all its pods
 * run elsewhere (Istio deployment models; istio/istio.io#8460), unless DNS proxying is on.
 */
export const callerServiceAnalyzer: Analyzer = {
  codes: ['MCL0008'],
  name: 'Callers have the Services they call in their cluster',
  analyze: (index) =>
    index.workloads.flatMap((workload) =>
      calledHosts(workload.pods.annotations)
        .flatMap((host) => serviceOfHost(host, workload.namespace) ?? [])
        .filter((service) => !index.servicesInClusters.has(inCluster(workload.located.cluster, serviceKey(service))))
        .map((service) =>
          findingOn(workload.located, {
            code: 'MCL0008',
            severity: 'error',
            message: `calls ${serviceKey(service)} (${APP_ANNOTATIONS.calls}) but cluster ${workload.located.cluster} has no such Service`,
            hint: `add Service ${serviceKey(service)} to ${clusterFolder(workload.located.cluster)}, even if none of its pods run there`,
          }),
        ),
    ),
};
