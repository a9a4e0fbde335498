/**
 * An application as data: its services, the versions of each, and who calls whom. `AppSplit`
 * places such an application across clusters; Bookinfo is one preset of it.
 */

/** One application made of services. */
export interface AppDefinition {
  /** The application's name (used in labels and descriptions). */
  readonly name: string;
  /** The application's services. */
  readonly services: readonly ServiceDefinition[];
}

/** A Kubernetes Service and the versioned workloads behind it. */
export interface ServiceDefinition {
  /** The Service name; also the `app` label of its workloads. */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /**
   * The Service port name; Istio reads the protocol from its `<protocol>[-suffix]` form.
   * @default http
   */
  readonly portName?: string;
  /**
   * The port the containers listen on.
   * @default - the Service port
   */
  readonly targetPort?: number;
  /** The ServiceAccount its workloads run as. */
  readonly serviceAccount: string;
  /**
   * Labels of the ServiceAccount.
   * @default - none
   */
  readonly serviceAccountLabels?: Readonly<Record<string, string>>;
  /**
   * Services its workloads call (by Service name), unless a version says otherwise.
   * @default - none
   */
  readonly calls?: readonly string[];
  /** The versions; each becomes a Deployment `<service>-<version>`. */
  readonly versions: readonly WorkloadVersion[];
}

/** One version of a service: one Deployment. */
export interface WorkloadVersion {
  /** The version label, e.g. `v1`. */
  readonly version: string;
  /** The container image. */
  readonly image: string;
  /**
   * Services this version calls, overriding the service's `calls`.
   * @default - the service's calls
   */
  readonly calls?: readonly string[];
  /**
   * Container environment variables.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Container arguments (`args`, passed to the image's entrypoint).
   * @default - the image's own
   */
  readonly args?: readonly string[];
  /**
   * CPU and memory requests and limits, as Kubernetes quantities (`100m`, `128Mi`).
   * @default - none
   */
  readonly resources?: ResourceDefinition;
  /**
   * When the container is ready for traffic; Istio holds traffic back from a pod until it is.
   * @default - none
   */
  readonly readinessProbe?: ProbeDefinition;
  /**
   * When the container is restarted.
   * @default - none
   */
  readonly livenessProbe?: ProbeDefinition;
  /**
   * emptyDir volumes: volume name -> mount path.
   * @default - none
   */
  readonly emptyDirs?: Readonly<Record<string, string>>;
  /**
   * Pod template annotations.
   * @default - none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Replicas of the Deployment.
   * @default 1
   */
  readonly replicas?: number;
}

/** Container resources: resource name (`cpu`, `memory`, ...) -> a Kubernetes quantity. */
export interface ResourceDefinition {
  /**
   * What the scheduler reserves.
   * @default - none
   */
  readonly requests?: Readonly<Record<string, string>>;
  /**
   * The most the container may use.
   * @default - none
   */
  readonly limits?: Readonly<Record<string, string>>;
}

/** A probe on the container's port: an HTTP GET of a path, or a TCP connect when no path is given. */
export interface ProbeDefinition {
  /**
   * The path of an HTTP GET to the container port; any 2xx or 3xx answer passes.
   * @default - a TCP connect to the container port
   */
  readonly httpPath?: string;
  /**
   * Seconds after the container starts before the first probe.
   * @default 0
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between probes.
   * @default 10
   */
  readonly periodSeconds?: number;
  /**
   * Consecutive failures before the probe fails.
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** The name of a version's Deployment. */
export function workloadName(service: ServiceDefinition, version: WorkloadVersion): string {
  return `${service.name}-${version.version}`;
}

/** Every workload name of an application, in definition order. */
export function workloadNames(app: AppDefinition): string[] {
  return app.services.flatMap((service) => service.versions.map((version) => workloadName(service, version)));
}
