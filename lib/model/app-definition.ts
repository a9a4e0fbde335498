/**
 * An application as data: its services, the versions of each, and who calls whom. `AppSplit`
 * places such an application across clusters; Bookinfo is one preset of it.
 */
import {
  annotationIssues,
  dns1035LabelProblem,
  dnsLabelProblem,
  dnsSubdomainProblem,
  envVarNameProblem,
  labelIssues,
  portNameProblem,
  portNumberProblem,
  containerResourceNameProblem,
  quantityProblem,
  replicasProblem,
  shown,
} from './kubernetes-rules';
import type { ValidationIssue } from './mesh-validation-error';

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

/** The optional settings of a workload version, which are left out rather than set to null. */
const OPTIONAL_VERSION_SETTINGS = ['args', 'env', 'resources', 'readinessProbe', 'livenessProbe', 'emptyDirs', 'podAnnotations', 'replicas', 'calls'] as const;

/**
 * Every problem of an application definition, at field paths under `at` (such as `app`), with the
 * API server's rules for each field's destination: names, ports, labels, annotations, environment,
 * volumes, quantities and probes. An application whose definition has none renders only objects
 * the API server accepts.
 */
export function appDefinitionIssues(app: AppDefinition, at: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (!Array.isArray(app?.services)) {
    add(`${at}.services`, `${shown(app?.services)} is not a list of services`);
    return issues;
  }
  const services = new Set<string>();
  app.services.forEach((service, serviceIndex) => {
    const path = `${at}.services[${serviceIndex}]`;
    const where = `App ${shown(app.name)} service ${shown(service.name)}`;
    // It names the Service, whose name is a DNS-1035 label (a letter first).
    const nameProblem = dns1035LabelProblem(service.name);
    if (nameProblem) add(`${path}.name`, `App ${shown(app.name)} service ${nameProblem}`);
    else if (services.has(service.name)) add(`${path}.name`, `App ${shown(app.name)} defines service ${shown(service.name)} twice; service names must be unique`);
    services.add(service.name);
    const portProblem = portNumberProblem(service.port);
    if (portProblem) add(`${path}.port`, `${where} port: ${portProblem}`);
    if (service.targetPort !== undefined) {
      const problem = portNumberProblem(service.targetPort);
      if (problem) add(`${path}.targetPort`, `${where} targetPort: ${problem}`);
    }
    if (service.portName !== undefined) {
      const problem = portNameProblem(service.portName);
      if (problem) add(`${path}.portName`, `${where} portName: ${problem}`);
    }
    const accountProblem = dnsSubdomainProblem(service.serviceAccount);
    if (accountProblem) add(`${path}.serviceAccount`, `${where} serviceAccount: ${accountProblem}`);
    for (const issue of labelIssues(service.serviceAccountLabels ?? {}, `${path}.serviceAccountLabels`)) add(issue.path, `${where} serviceAccountLabels: ${issue.message}`);
    if (!Array.isArray(service.versions)) {
      add(`${path}.versions`, `${where} versions: ${shown(service.versions)} is not a list of versions`);
      return;
    }
    const versions = new Set<string>();
    service.versions.forEach((version: WorkloadVersion, versionIndex: number) => {
      const versionPath = `${path}.versions[${versionIndex}]`;
      // The version is a label value, a DestinationRule subset name and part of the Deployment name.
      const versionProblem = dnsLabelProblem(version.version);
      if (versionProblem) add(`${versionPath}.version`, `${where} version: ${versionProblem}`);
      else if (versions.has(version.version)) add(`${versionPath}.version`, `App ${shown(app.name)} service ${shown(service.name)} defines version ${shown(version.version)} twice`);
      versions.add(version.version);
      const workload = `App ${shown(app.name)} workload ${shown(`${service.name}-${version.version}`)}`;
      if (!nameProblem && !versionProblem) {
        const deploymentProblem = dnsSubdomainProblem(workloadName(service, version));
        if (deploymentProblem) add(`${versionPath}.version`, `${workload}: the Deployment name ${deploymentProblem}`);
      }
      versionIssues(version, versionPath, workload).forEach((issue) => issues.push(issue));
    });
  });
  app.services.forEach((service, serviceIndex) => {
    (Array.isArray(service.versions) ? service.versions : []).forEach((version: WorkloadVersion, versionIndex: number) => {
      const calls = version.calls ?? service.calls ?? [];
      const unknown = calls.find((callee: string) => !services.has(callee));
      if (unknown !== undefined) {
        const path = version.calls ? `${at}.services[${serviceIndex}].versions[${versionIndex}].calls` : `${at}.services[${serviceIndex}].calls`;
        add(path, `App ${shown(app.name)} workload ${shown(workloadName(service, version))} calls unknown service ${shown(unknown)} (expected one of: ${[...services].join(', ')})`);
      }
    });
  });
  return issues;
}

/** The problems of one version's container and pod settings. */
function versionIssues(version: WorkloadVersion, at: string, where: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  for (const setting of OPTIONAL_VERSION_SETTINGS) {
    if ((version[setting] as unknown) === null) add(`${at}.${setting}`, `${where} ${setting}: null is no value; leave the setting out, or give it`);
  }
  // The API server refuses an empty image, and one with spaces around it.
  if (typeof version.image !== 'string' || version.image === '' || version.image.trim() !== version.image) add(`${at}.image`, `${where} image: ${shown(version.image)} is not a container image (non-empty, no surrounding whitespace)`);
  if (version.replicas !== undefined && version.replicas !== null) {
    const problem = replicasProblem(version.replicas);
    if (problem) add(`${at}.replicas`, `${where} replicas: ${problem}`);
  }
  for (const [name, value] of Object.entries(version.env ?? {})) {
    const problem = envVarNameProblem(name);
    if (problem) add(`${at}.env`, `${where} env: ${problem}`);
    if (typeof value !== 'string') add(`${at}.env.${name}`, `${where} env.${name}: ${shown(value)} is not a string`);
  }
  (version.args ?? []).forEach((arg, index) => {
    if (typeof arg !== 'string') add(`${at}.args[${index}]`, `${where} args[${index}]: ${shown(arg)} is not a string`);
  });
  const mountPaths = new Set<string>();
  for (const [volume, mountPath] of Object.entries(version.emptyDirs ?? {})) {
    const problem = dnsLabelProblem(volume);
    if (problem) add(`${at}.emptyDirs`, `${where} emptyDirs: the volume name ${problem}`);
    if (typeof mountPath !== 'string' || mountPath === '') add(`${at}.emptyDirs.${volume}`, `${where} emptyDirs.${volume}: ${shown(mountPath)} is not a mount path`);
    else if (mountPaths.has(mountPath)) add(`${at}.emptyDirs.${volume}`, `${where} emptyDirs.${volume}: ${shown(mountPath)} is mounted twice; each volume needs its own path`);
    else mountPaths.add(mountPath);
  }
  for (const issue of annotationIssues(version.podAnnotations ?? {}, `${at}.podAnnotations`)) add(issue.path, `${where} podAnnotations: ${issue.message}`);
  for (const kind of ['requests', 'limits'] as const) {
    for (const [resource, quantity] of Object.entries(version.resources?.[kind] ?? {})) {
      const problem = containerResourceNameProblem(resource) ?? quantityProblem(quantity);
      if (problem) add(`${at}.resources.${kind}.${resource}`, `${where} resources.${kind}.${resource}: ${problem}`);
    }
  }
  for (const name of ['readinessProbe', 'livenessProbe'] as const) {
    const settings = version[name];
    for (const field of ['initialDelaySeconds', 'periodSeconds', 'failureThreshold'] as const) {
      const value = settings?.[field];
      const minimum = field === 'initialDelaySeconds' ? 0 : 1;
      if (value !== undefined && (!Number.isInteger(value) || value < minimum || value > 2 ** 31 - 1)) add(`${at}.${name}.${field}`, `${where} ${name}.${field}: ${shown(value)} is not a whole number >= ${minimum}`);
    }
    const httpPath = settings?.httpPath;
    if (httpPath !== undefined && (typeof httpPath !== 'string' || !httpPath.startsWith('/'))) add(`${at}.${name}.httpPath`, `${where} ${name}.httpPath: ${shown(httpPath)} must start with /`);
  }
  return issues;
}
