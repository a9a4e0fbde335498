import { apiGroup, CONTROL_PLANE_FOLDER, clusterFolder, manifestFileName, type Manifest, type MeshManifests } from '../manifest/mesh-manifests';
import { SAIL_API_VERSION, SAIL_KINDS } from '../model/sail';

/**
 * What `argocd-cm` must say for Argo CD to deliver a mesh: the settings `gitops/` ships as merge
 * patches of `argocd-cm` (not resources of its kustomization: applying argocd-cm whole would replace
 * the user's settings), and the check that nothing delivered is dropped by Argo CD's exclusions.
 */

/** A `resource.exclusions` entry of `argocd-cm`: no groups (or kinds) stands for any. */
interface ResourceFilter {
  readonly apiGroups: readonly string[];
  readonly kinds: readonly string[];
}

/**
 * The `resource.exclusions` of the `argocd-cm` Argo CD ships, identical from v3.0.0 to v3.5.1
 * (argo-cd `manifests/base/config/argocd-cm.yaml`). The application controller drops a target
 * object the list matches from the sync and only raises an `ExcludedResourceWarning` condition
 * (`controller/state.go`), so the Application still turns Healthy.
 */
const ARGO_CD_DEFAULT_EXCLUSIONS: readonly ResourceFilter[] = [
  { apiGroups: ['', 'discovery.k8s.io'], kinds: ['Endpoints', 'EndpointSlice'] },
  { apiGroups: ['coordination.k8s.io'], kinds: ['Lease'] },
  {
    apiGroups: ['authentication.k8s.io', 'authorization.k8s.io'],
    kinds: ['SelfSubjectReview', 'TokenReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview'],
  },
  { apiGroups: ['certificates.k8s.io'], kinds: ['CertificateSigningRequest'] },
  { apiGroups: ['cert-manager.io'], kinds: ['CertificateRequest'] },
  { apiGroups: ['cilium.io'], kinds: ['CiliumIdentity', 'CiliumEndpoint', 'CiliumEndpointSlice'] },
  {
    apiGroups: ['kyverno.io', 'reports.kyverno.io', 'wgpolicyk8s.io'],
    kinds: [
      'PolicyReport', 'ClusterPolicyReport', 'EphemeralReport', 'ClusterEphemeralReport', 'AdmissionReport',
      'ClusterAdmissionReport', 'BackgroundScanReport', 'ClusterBackgroundScanReport', 'UpdateRequest',
    ],
  },
];

/** Excluded whatever `argocd-cm` says (argo-cd `util/settings/resources_filter.go`, `coreExcludedResources`). */
const ARGO_CD_CORE_EXCLUSIONS: readonly ResourceFilter[] = [
  { apiGroups: ['events.k8s.io', 'metrics.k8s.io'], kinds: [] },
  { apiGroups: [''], kinds: ['Event'] },
  { apiGroups: ['coordination.k8s.io'], kinds: ['Lease'] },
];

/** As argo-cd's `FilteredResource.Match` (`util/settings/filtered_resource.go`); the lists above hold no globs. */
function matches(filter: ResourceFilter, group: string, kind: string): boolean {
  return (filter.apiGroups.length === 0 || filter.apiGroups.includes(group)) && (filter.kinds.length === 0 || filter.kinds.includes(kind));
}

function excludedBy(filters: readonly ResourceFilter[], manifest: Manifest): boolean {
  return filters.some((filter) => matches(filter, apiGroup(manifest), manifest.kind));
}

/** The merge patch of `argocd-cm` that lets Argo CD apply the delivered kinds its default settings exclude. */
export const ARGO_CD_EXCLUSIONS_PATCH = 'argocd-cm-resource-exclusions.patch.yaml';

/** Every delivered object with the file it is written to, for the checks and their messages. */
function deliveredObjects(manifests: MeshManifests): { readonly manifest: Manifest; readonly file: string }[] {
  const inFolder = (folder: string, objects: readonly Manifest[]) => objects.map((manifest) => ({ manifest, file: `${folder}/${manifestFileName(manifest)}` }));
  return [...[...manifests.clusters].flatMap(([cluster, objects]) => inFolder(clusterFolder(cluster), objects)), ...inFolder(CONTROL_PLANE_FOLDER, manifests.controlPlane)];
}

/**
 * Argo CD's default exclusions without the kinds the mesh delivers, or undefined when it delivers
 * none of them. `resource.exclusions` is one string that a merge patch replaces whole, so the patch
 * holds the whole default list less those kinds (a kind leaves its entry for every group of the
 * entry: `Endpoints` and `EndpointSlice` share one, and neither exists in the other's group).
 */
function exclusionsWithout(delivered: readonly Manifest[]): ResourceFilter[] | undefined {
  const excluded = delivered.filter((manifest) => excludedBy(ARGO_CD_DEFAULT_EXCLUSIONS, manifest));
  if (excluded.length === 0) return undefined;
  return ARGO_CD_DEFAULT_EXCLUSIONS.flatMap((filter) => {
    const kinds = filter.kinds.filter((kind) => !excluded.some((manifest) => manifest.kind === kind && matches(filter, apiGroup(manifest), kind)));
    return kinds.length === 0 ? [] : [{ apiGroups: filter.apiGroups, kinds }];
  });
}

/**
 * The `argocd-cm` merge patch that lets Argo CD apply every delivered object, or undefined when
 * its defaults drop none (the remotes' `istiod` EndpointSlice or Endpoints are what they drop).
 * Throws, naming the files, when an object is excluded by Argo CD whatever `argocd-cm` says: the
 * tree would lose it without an error.
 */
export function argoCdExclusionsPatch(manifests: MeshManifests): object | undefined {
  const delivered = deliveredObjects(manifests);
  const exclusions = exclusionsWithout(delivered.map(({ manifest }) => manifest));
  const settings = [...ARGO_CD_CORE_EXCLUSIONS, ...(exclusions ?? ARGO_CD_DEFAULT_EXCLUSIONS)];
  const lost = delivered.filter(({ manifest }) => excludedBy(settings, manifest));
  if (lost.length > 0) {
    throw new Error(
      `Argo CD never applies ${lost.map(({ manifest, file }) => `${manifest.kind} ${JSON.stringify(file)}`).join(', ')}: ` +
        'its built-in resource exclusions (Events, events.k8s.io, metrics.k8s.io, Leases) hold whatever argocd-cm says; leave these objects out of the mesh or deliver them with another tool',
    );
  }
  return exclusions && { data: { 'resource.exclusions': exclusionsYaml(exclusions) } };
}

/** The list as argocd-cm holds it: a YAML string, in the default file's layout. */
function exclusionsYaml(filters: readonly ResourceFilter[]): string {
  const quoted = (group: string) => (group === '' ? "''" : group);
  return filters.map((filter) => ['- apiGroups:', ...filter.apiGroups.map((group) => `  - ${quoted(group)}`), '  kinds:', ...filter.kinds.map((kind) => `  - ${kind}`)].join('\n')).join('\n') + '\n';
}

/** The merge patch of `argocd-cm` that teaches Argo CD when a Sail resource is healthy. */
export const ARGO_CD_SAIL_HEALTH_PATCH = 'argocd-cm-sail-health.patch.yaml';

/**
 * The condition each Sail kind reports once it has done its work (sail-operator 1.30.3
 * `api/v1/*_types.go`): `Istio` and `IstioCNI` report `Ready`, an `IstioRevisionTag` only
 * `Reconciled` (and `InUse`, false until a namespace names the tag, which the workloads of a later
 * phase do).
 */
const SAIL_HEALTHY_CONDITION: Readonly<Record<(typeof SAIL_KINDS)[keyof typeof SAIL_KINDS], string>> = {
  [SAIL_KINDS.istio]: 'Ready',
  [SAIL_KINDS.cni]: 'Ready',
  [SAIL_KINDS.revisionTag]: 'Reconciled',
};

/**
 * Argo CD knows no health of custom resources: without these a phase would not wait for the
 * operator. A resource is healthy once the operator has seen its latest spec and its condition
 * (above) is true; an `Istio` also once every revision is ready. A remote `Istio` only turns Ready
 * once the control plane has patched its webhook, which needs the remote secret of a later phase:
 * for it, `Reconciled` is the health, so its phase does not wait for one that waits for it.
 */
function sailHealthLua(kind: keyof typeof SAIL_HEALTHY_CONDITION): string {
  const istio = kind === SAIL_KINDS.istio;
  return [
    'hs = { status = "Progressing", message = "Waiting for the Sail operator" }',
    'if obj.status == nil or obj.status.observedGeneration ~= obj.metadata.generation then',
    '  return hs',
    'end',
    `local healthy = "${SAIL_HEALTHY_CONDITION[kind]}"`,
    ...(istio
      ? [
        'if obj.spec ~= nil and obj.spec.profile == "remote" then',
        '  healthy = "Reconciled"',
        'else',
        '  local revisions = obj.status.revisions',
        '  if revisions ~= nil and (revisions.total == nil or revisions.total == 0 or revisions.ready ~= revisions.total) then',
        '    hs.message = "Waiting for the control plane revisions to be ready"',
        '    return hs',
        '  end',
        'end',
      ]
      : []),
    'if obj.status.conditions ~= nil then',
    '  for _, condition in ipairs(obj.status.conditions) do',
    '    if condition.type == healthy and condition.status == "True" then',
    '      hs.status = "Healthy"',
    '      hs.message = condition.message or healthy',
    '    elseif condition.type == healthy and condition.message ~= nil then',
    '      hs.message = condition.message',
    '    end',
    '  end',
    'end',
    'return hs',
    '',
  ].join('\n');
}

export function argoCdSailHealthPatch(): object {
  const group = SAIL_API_VERSION.slice(0, SAIL_API_VERSION.indexOf('/'));
  const kinds = Object.keys(SAIL_HEALTHY_CONDITION) as (keyof typeof SAIL_HEALTHY_CONDITION)[];
  return { data: Object.fromEntries(kinds.map((kind) => [`resource.customizations.health.${group}_${kind}`, sailHealthLua(kind)])) };
}
