import type { ApiObjectProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { InvalidPropsError } from '../lib/errors';
import { appDefinitionIssues, workloadName, type AppDefinition, type ServiceDefinition, type WorkloadVersion } from '../lib/model/app-definition';
import { meshPolicyContext, servicePolicyIssues } from '../lib/model/locality';
import { resolvePlacement, type Mesh } from '../lib/model/mesh';
import type { ServiceLocalitySpec } from '../lib/model/mesh-spec';
import { APP_ANNOTATIONS, APP_LABELS, appNamespaceProblem, LABELS, namespaceHosts, serviceHost } from '../lib/model/names';
import { placementIssues } from '../lib/model/placement';
import { JsonApiObject } from './json-api-object';
import { workloadDeploymentProps } from './app-deployment';
import { renameFreeObject, type KubeKind } from './kube-object';
import { MeshConstruct } from './mesh-construct';
import { MESH_FACTS } from './mesh-registry';
import { requireNamespaceIn, type MtlsService } from './mtls-namespace';

/**
 * Workload (`<service>-<version>`) or `default` -> the clusters that run it. A workload no entry
 * names runs where `default` says, or on every cluster. Accepts the inventory's object form and
 * the model's resolved `Mesh.bookinfo.placement` map alike.
 */
export type WorkloadPlacement = Readonly<Record<string, readonly string[]>> | ReadonlyMap<string, readonly string[]>;

/** Props of `AppSplit`. */
export interface AppSplitProps {
  /** The application to split: its services, their versions and who calls whom. */
  readonly app: AppDefinition;
  /** The namespace the application runs in, in every cluster that runs part of it. */
  readonly namespace: string;
  /**
   * Where each workload runs.
   * @default - every workload on every cluster
   */
  readonly placement?: WorkloadPlacement;
  /**
   * Keep the application inside each cluster (MeshConfig `serviceSettings[].settings.clusterLocal`):
   * `true` for its whole namespace, or a list of its services. A client then reaches only the
   * endpoints of its own cluster.
   * @default false
   */
  readonly clusterLocal?: boolean | readonly string[];
  /**
   * Service -> its locality policy (`mode: off`, failover regions or distribute weights),
   * overriding the mesh's `locality`.
   * @default - the mesh's policy for every service
   */
  readonly locality?: Readonly<Record<string, ServiceLocalitySpec>> | ReadonlyMap<string, ServiceLocalitySpec>;
  /**
   * The revision the application's pods runs on: a name of `mesh.revisions`, a tag of `mesh.revisionTags`, or
   * `default` (the default revision). Its pods are labelled `istio.io/rev` with it, which the revision's (or
   * tag's) `rev.object` webhook selects in a namespace that carries neither `istio-injection` nor
   * `istio.io/rev`.
   * @default - the mesh's default injection (`istio-injection: enabled`, or Sail's revision labels)
   */
  readonly revision?: string;
}

/**
 * Splits any application across the clusters of the mesh. Each workload (one Deployment per
 * service version) runs only where placed; a service's ServiceAccount goes to every cluster that
 * runs a version of it; its Service goes there too AND to every cluster whose workloads call it,
 * because clients resolve the Service's DNS name locally even when all its pods run elsewhere.
 */
export class AppSplit extends MeshConstruct {
  public readonly app: AppDefinition;
  public readonly namespace: string;
  /** Workload -> the clusters that run it (every workload listed; clusters in mesh order). */
  public readonly placement: ReadonlyMap<string, readonly string[]>;
  /** The clusters that run at least one workload, in mesh order. */
  public readonly clusters: readonly string[];
  /** Service -> the clusters that get its Service object, in mesh order. */
  private readonly serviceClusters: ReadonlyMap<string, readonly string[]>;
  /** JSON rendered once for objects every cluster gets alike, by what they are made of. */
  private readonly renderedObjects = new Map<string, ApiObjectProps>();
  /** Service -> the workloads that call it, in app order. */
  private readonly callers: ReadonlyMap<string, readonly string[]>;
  /** The services kept inside each cluster. */
  public readonly clusterLocalServices: ReadonlySet<string>;
  /** The revision (or tag) its pods select; undefined for the mesh's default injection. */
  public readonly revision?: string;
  /** Service -> its locality policy, where it overrides the mesh's. */
  private readonly locality: ReadonlyMap<string, ServiceLocalitySpec>;

  constructor(scope: Construct, id: string, props: AppSplitProps) {
    super(scope, id);
    const model = this.mesh.model;
    const meshClusters = model.clusters.map((cluster) => cluster.name);
    this.app = props.app;
    const namespaceProblem = appNamespaceProblem(props.namespace, model.toolNamespaces);
    if (namespaceProblem) throw new InvalidPropsError(this, 'namespace', `AppSplit namespace ${namespaceProblem}`);
    this.namespace = props.namespace;
    checkApp(this, props.app);
    const requested = props.placement instanceof Map ? Object.fromEntries(props.placement) : (props.placement as Record<string, readonly string[]> | undefined);
    checkPlacement(this, props.app, requested, meshClusters);
    this.locality = props.locality instanceof Map ? new Map(props.locality) : new Map(Object.entries(props.locality ?? {}));
    checkLocality(this, props.app, this.locality, model);
    this.clusterLocalServices = clusterLocalServices(this, props.app, props.clusterLocal);
    this.revision = this.checkRevision('AppSplit', props.revision);
    const hosts = props.clusterLocal === true ? [namespaceHosts(this.namespace)] : [...this.clusterLocalServices].map((service) => serviceHost(service, this.namespace));
    for (const host of hosts) this.mesh.registry.record(MESH_FACTS.clusterLocalHosts, host);
    // Mesh order by index lookup and a sort of the few clusters given, not a scan of the mesh per call.
    const meshIndex = new Map(meshClusters.map((cluster, index) => [cluster, index]));
    const inMeshOrder = (clusters: Iterable<string>) =>
      [...new Set(clusters)].filter((cluster) => meshIndex.has(cluster)).sort((a, b) => meshIndex.get(a)! - meshIndex.get(b)!);
    this.placement = new Map([...resolvePlacement(props.app, requested, meshClusters)].map(([workload, clusters]) => [workload, inMeshOrder(clusters)]));
    this.clusters = inMeshOrder([...this.placement.values()].flat());
    this.callers = indexCallers(props.app);
    this.serviceClusters = new Map(
      props.app.services.map((service) => {
        const runners = service.versions.flatMap((version) => this.clustersOf(workloadName(service, version)));
        const callers = this.callersOf(service.name).flatMap((workload) => this.clustersOf(workload));
        return [service.name, inMeshOrder([...runners, ...callers])];
      }),
    );

    // The services each cluster gets something of (its Service, and the workloads placed there
    // among them), in app order: each cluster renders those, not every service of the app.
    const servicesByCluster = new Map<string, ServiceDefinition[]>(this.clusters.map((cluster) => [cluster, []]));
    for (const service of props.app.services) {
      for (const cluster of this.serviceClusters.get(service.name)!) servicesByCluster.get(cluster)!.push(service);
    }
    for (const cluster of this.clusters) this.renderCluster(this.partIn(cluster), cluster, servicesByCluster.get(cluster)!);
    requireNamespaceIn(this, this.mesh, this.namespace, this.clusters);
  }

  /** The clusters that run a workload (`<service>-<version>`); throws for a workload the app lacks. */
  public clustersOf(workload: string): readonly string[] {
    const clusters = this.placement.get(workload);
    if (!clusters) throw new Error(`App "${this.app.name}" has no workload "${workload}" (expected one of: ${[...this.placement.keys()].join(', ')})`);
    return clusters;
  }

  /** The workloads that run in a cluster, in app order. */
  public workloadsIn(cluster: string): string[] {
    return [...this.placement].filter(([, clusters]) => clusters.includes(cluster)).map(([workload]) => workload);
  }

  /** The Services that exist in a cluster (served or called there), in app order. */
  public servicesIn(cluster: string): string[] {
    return [...this.serviceClusters].filter(([, clusters]) => clusters.includes(cluster)).map(([service]) => service);
  }

  /** The workloads that call a service, in app order. */
  public callersOf(service: string): string[] {
    return [...(this.callers.get(service) ?? [])];
  }

  /**
   * Every service with its versions as subsets, and for locality load balancing the clusters its
   * workloads run in (none for a cluster-local service, whose clients see only their own cluster)
   * and its policy: what an `MtlsNamespace` of this app needs.
   */
  public get mtlsServices(): MtlsService[] {
    return this.app.services.map((service) => ({
      name: service.name,
      subsets: service.versions.map((version) => version.version),
      clusters: this.clusterLocalServices.has(service.name)
        ? undefined
        : [...new Set(service.versions.flatMap((version) => this.clustersOf(workloadName(service, version))))],
      ...(this.locality.has(service.name) ? { locality: this.locality.get(service.name) } : {}),
    }));
  }

  /**
   * The same object in every cluster that gets it (a Service in each calling cluster, a service
   * account): its typed props are rendered to JSON once, and each cluster gets its own object of
   * that JSON, whose escape hatches leave the other clusters' copies alone. `key` names what the
   * props are made of.
   */
  private sharedObject<Props>(kind: KubeKind<Props>, key: string, scope: Construct, id: string, props: () => Props): void {
    let manifest = this.renderedObjects.get(key);
    if (!manifest) {
      manifest = kind.manifest(props()) as ApiObjectProps;
      this.renderedObjects.set(key, manifest);
    }
    new JsonApiObject(scope, id, manifest);
  }

  private renderCluster(scope: Construct, cluster: string, services: readonly ServiceDefinition[]): void {
    const emittedAccounts = new Set<string>();
    for (const service of services) {
      if (this.serviceClusters.get(service.name)!.includes(cluster)) this.renderService(scope, service);
      const placedVersions = service.versions.filter((version) => this.clustersOf(workloadName(service, version)).includes(cluster));
      // Services may share an account; it is emitted once per cluster, with the first one's labels.
      if (placedVersions.length > 0 && !emittedAccounts.has(service.serviceAccount)) {
        emittedAccounts.add(service.serviceAccount);
        // The account's labels are those of the service that comes first in this cluster.
        this.sharedObject(k8s.KubeServiceAccount, `service-account ${service.name}`, scope, `service-account-${service.serviceAccount}`, () => ({
          metadata: { name: service.serviceAccount, namespace: this.namespace, labels: service.serviceAccountLabels },
        }));
      }
      for (const version of placedVersions) this.renderWorkload(scope, service, version, cluster);
    }
  }

  private renderService(scope: Construct, service: ServiceDefinition): void {
    this.sharedObject(k8s.KubeService, `service ${service.name}`, scope, `service-${service.name}`, () => ({
      metadata: {
        name: service.name,
        namespace: this.namespace,
        labels: { [LABELS.app]: service.name, [APP_LABELS.service]: service.name },
        annotations: this.clusterLocalServices.has(service.name) ? { [APP_ANNOTATIONS.clusterLocal]: 'true' } : undefined,
      },
      spec: {
        ports: [
          {
            port: service.port,
            name: service.portName ?? 'http',
            targetPort: service.targetPort === undefined ? undefined : k8s.IntOrString.fromNumber(service.targetPort),
          },
        ],
        selector: { [LABELS.app]: service.name },
      },
    }));
  }

  private renderWorkload(scope: Construct, service: ServiceDefinition, version: WorkloadVersion, cluster: string): void {
    const model = this.mesh.model;
    const revision = this.revision === undefined ? undefined : model.podRevision(model.cluster(cluster), this.revision);
    const podLabels = { ...model.cluster(cluster).localityPodLabels, ...(revision === undefined ? {} : { [LABELS.revision]: revision }) };
    const props = workloadDeploymentProps({ service, version, namespace: this.namespace, calls: callsOf(service, version), podLabels });
    renameFreeObject(k8s.KubeDeployment, scope, `deployment-${workloadName(service, version)}`, props);
  }
}

/** The services a version calls: its own list, else its service's. */
function callsOf(service: ServiceDefinition, version: WorkloadVersion): readonly string[] {
  return version.calls ?? service.calls ?? [];
}

/** Service -> the workloads that call it, in app order, built in one pass over the app. */
function indexCallers(app: AppDefinition): Map<string, string[]> {
  const callers = new Map<string, string[]>();
  for (const caller of app.services) {
    for (const version of caller.versions) {
      for (const callee of new Set(callsOf(caller, version))) {
        const workloads = callers.get(callee) ?? [];
        workloads.push(workloadName(caller, version));
        callers.set(callee, workloads);
      }
    }
  }
  return callers;
}

/** The first problem of the app definition, as the error of the prop it is at (`app.services[1].port`). */
function checkApp(owner: Construct, app: AppDefinition): void {
  const issue = appDefinitionIssues(app, 'app')[0];
  if (issue) throw new InvalidPropsError(owner, issue.path, issue.message);
}

/** The services of `clusterLocal`: every one for `true`; throws for a service the app lacks. */
function clusterLocalServices(owner: Construct, app: AppDefinition, clusterLocal: boolean | readonly string[] | undefined): ReadonlySet<string> {
  const services = app.services.map((service) => service.name);
  if (clusterLocal === true) return new Set(services);
  const known = new Set(services);
  const unknown = (clusterLocal || []).find((service) => !known.has(service));
  if (unknown !== undefined) throw new InvalidPropsError(owner, 'clusterLocal', `AppSplit clusterLocal names unknown service "${unknown}" of app "${app.name}" (expected one of: ${services.join(', ')})`);
  return new Set(clusterLocal || []);
}

function checkLocality(owner: Construct, app: AppDefinition, locality: ReadonlyMap<string, ServiceLocalitySpec>, model: Mesh): void {
  const services = app.services.map((service) => service.name);
  const known = new Set(services);
  const context = meshPolicyContext(model);
  for (const [service, policy] of locality) {
    if (!known.has(service)) throw new InvalidPropsError(owner, `locality.${service}`, `AppSplit locality names unknown service "${service}" of app "${app.name}" (expected one of: ${services.join(', ')})`);
    const issue = servicePolicyIssues(policy, `locality.${service}`, context)[0];
    if (issue) throw new InvalidPropsError(owner, issue.path, `AppSplit ${issue.path}: ${issue.message}`);
  }
}

function checkPlacement(owner: Construct, app: AppDefinition, placement: Readonly<Record<string, readonly string[]>> | undefined, meshClusters: readonly string[]): void {
  const issue = placementIssues(app, placement ?? {}, meshClusters, 'placement')[0];
  if (issue) throw new InvalidPropsError(owner, issue.path, `AppSplit ${issue.path}: ${issue.message}`);
}
