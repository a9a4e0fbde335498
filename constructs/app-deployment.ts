import { k8s } from 'cdk8s-plus-27';
import { workloadName, type ProbeDefinition, type ServiceDefinition, type WorkloadVersion } from '../lib/model/app-definition';
import { APP_ANNOTATIONS, LABELS } from '../lib/model/names';

/** What a workload's Deployment is made of. */
export interface WorkloadDeployment {
  readonly service: ServiceDefinition;
  readonly version: WorkloadVersion;
  readonly namespace: string;
  /** The services the workload calls, for the `mesh.cdk8s.io/calls` annotation. */
  readonly calls: readonly string[];
  /** Labels of its pods beyond the app's: its cluster's locality labels, its revision's `istio.io/rev` (none when neither applies). */
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * The typed props of an application workload's Deployment (`<service>-<version>`): AppSplit's, for
 * every cluster the workload is placed in. Every field is named as in JSON, so the props render with
 * `renameFreeObject` (a test compares that with the generated class's rendering for every field).
 */
export function workloadDeploymentProps({ service, version, namespace, calls, podLabels }: WorkloadDeployment): k8s.KubeDeploymentProps {
  const name = workloadName(service, version);
  const labels = { [LABELS.app]: service.name, [LABELS.version]: version.version };
  const annotations = { ...version.podAnnotations, ...(calls.length > 0 ? { [APP_ANNOTATIONS.calls]: calls.join(',') } : {}) };
  const emptyDirs = Object.entries(version.emptyDirs ?? {});
  const port = service.targetPort ?? service.port;
  return {
    metadata: { name, namespace, labels },
    spec: {
      replicas: version.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels: { ...labels, ...podLabels },
          annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
        },
        spec: {
          serviceAccountName: service.serviceAccount,
          containers: [
            {
              name: service.name,
              image: version.image,
              imagePullPolicy: 'IfNotPresent',
              args: version.args && [...version.args],
              env: version.env && Object.entries(version.env).map(([envName, value]) => ({ name: envName, value })),
              ports: [{ containerPort: port }],
              resources: version.resources && { requests: quantities(version.resources.requests), limits: quantities(version.resources.limits) },
              readinessProbe: version.readinessProbe && probe(version.readinessProbe, port),
              livenessProbe: version.livenessProbe && probe(version.livenessProbe, port),
              volumeMounts: emptyDirs.length > 0 ? emptyDirs.map(([volume, mountPath]) => ({ name: volume, mountPath })) : undefined,
            },
          ],
          volumes: emptyDirs.length > 0 ? emptyDirs.map(([volume]) => ({ name: volume, emptyDir: {} })) : undefined,
        },
      },
    },
  };
}

function quantities(values: Readonly<Record<string, string>> | undefined): Record<string, k8s.Quantity> | undefined {
  return values && Object.fromEntries(Object.entries(values).map(([resource, quantity]) => [resource, k8s.Quantity.fromString(quantity)]));
}

function probe(definition: ProbeDefinition, port: number): k8s.Probe {
  const target = k8s.IntOrString.fromNumber(port);
  return {
    ...(definition.httpPath === undefined ? { tcpSocket: { port: target } } : { httpGet: { path: definition.httpPath, port: target } }),
    initialDelaySeconds: definition.initialDelaySeconds,
    periodSeconds: definition.periodSeconds,
    failureThreshold: definition.failureThreshold,
  };
}
