import type { Mesh } from '../model/mesh';
import { caVariable, MESH_COMPONENT_ANNOTATIONS, requireDnsLabel } from '../model/names';
import { SAIL_API_VERSION, SAIL_CNI, SAIL_ISTIO_NAME, SAIL_KINDS } from '../model/sail';
import { toYaml } from '../yaml';
import { CONTROL_PLANE_FOLDER, clusterFolder, type Manifest } from '../synth/mesh-manifests';
import { renderFolder } from './render-tree';

/** The GitOps controllers `dist/gitops/` can be written for. */
export type GitopsTool = 'argocd' | 'flux';
export const GITOPS_TOOLS: readonly GitopsTool[] = ['argocd', 'flux'];

/** Output folder of the GitOps objects, relative to the output root. */
export const GITOPS_FOLDER = 'gitops';

/** Options of `renderGitops`. */
export interface GitopsOptions {
  readonly tool: GitopsTool;
  /** The Git repository the output is committed to (Flux: `http://`, `https://` or `ssh://`). */
  readonly repoUrl: string;
  /**
   * What to sync: a branch, tag or commit for Argo CD; a branch for Flux.
   * @default main
   */
  readonly revision?: string;
  /**
   * The path of the output folder inside the repository; `.` for its root.
   * @default dist
   */
  readonly basePath?: string;
  /**
   * The namespace of the GitOps objects, where the controller watches them.
   * @default - argocd for Argo CD, flux-system for Flux
   */
  readonly namespace?: string;
}

/**
 * The label users put on their Argo CD cluster secrets (`argocd cluster add ... --label`) to enroll
 * a cluster in the mesh's ApplicationSet; its value is the mesh id.
 */
export const MESH_CLUSTER_LABEL = 'mesh.cdk8s.io/mesh';

/** The Secret, beside the Flux Kustomizations, whose keys Flux substitutes into the remote secrets. */
export const REMOTE_TOKENS_SECRET = 'istio-remote-tokens';

/** The Secret, beside the Flux Kustomizations, holding the kubeconfig Flux applies a cluster's folder with. */
export function kubeconfigSecretName(clusterName: string): string {
  return `${clusterName}-kubeconfig`;
}

/** The Argo CD Application / Flux Kustomization of a cluster's folder. */
export function clusterDeliveryName(model: Mesh, clusterName: string): string {
  return `${model.id}-cluster-${clusterName}`;
}

/** The Argo CD Application / Flux Kustomization of the control-plane folder. */
export function controlPlaneDeliveryName(model: Mesh): string {
  return `${model.id}-${CONTROL_PLANE_FOLDER}`;
}

const DEFAULT_NAMESPACE: Readonly<Record<GitopsTool, string>> = { argocd: 'argocd', flux: 'flux-system' };
const ARGO_CD_API_VERSION = 'argoproj.io/v1alpha1';
/** Argo CD's go-template syntax: with `goTemplate: true` a cluster generator parameter is `{{.name}}`. */
const ARGO_CLUSTER_NAME_PARAMETER = '{{.name}}';
const FLUX_SOURCE_API_VERSION = 'source.toolkit.fluxcd.io/v1';
const FLUX_KUSTOMIZE_API_VERSION = 'kustomize.toolkit.fluxcd.io/v1';

interface ResolvedGitopsOptions {
  readonly tool: GitopsTool;
  readonly repoUrl: string;
  readonly revision: string;
  /** Normalized: no `./` prefix, no trailing `/`, `''` for the repository root. */
  readonly basePath: string;
  readonly namespace: string;
}

/**
 * The GitOps objects that deliver the output folders to their clusters, as relative path under
 * `gitops/` -> YAML, plus a `kustomization.yaml` so that `kubectl apply -k gitops` installs them
 * where the controller runs. Throws on an invalid option before rendering anything.
 */
export function renderGitops(model: Mesh, options: GitopsOptions): Map<string, string> {
  const resolved = resolveOptions(model, options);
  const objects = resolved.tool === 'argocd' ? argoCdObjects(model, resolved) : fluxObjects(model, resolved);
  const folderPrefix = `${GITOPS_FOLDER}/`;
  const files = new Map([...renderFolder(GITOPS_FOLDER, objects)].map(([path, content]) => [path.slice(folderPrefix.length), content]));
  // A patch, not a resource of the kustomization: applying argocd-cm whole would replace the user's settings.
  if (resolved.tool === 'argocd' && model.sail) files.set(ARGO_CD_SAIL_HEALTH_PATCH, toYaml(argoCdSailHealthPatch()));
  return files;
}

/** The merge patch of `argocd-cm` that teaches Argo CD when a Sail resource is healthy. */
export const ARGO_CD_SAIL_HEALTH_PATCH = 'argocd-cm-sail-health.patch.yaml';

/**
 * Argo CD knows no health of custom resources: without this a sync wave would not wait for the
 * operator. Healthy once the operator has seen the latest spec, every revision of an `Istio` is
 * ready, and the `Ready` condition is true.
 */
const SAIL_HEALTH_LUA = [
  'hs = { status = "Progressing", message = "Waiting for the Sail operator" }',
  'if obj.status == nil or obj.status.observedGeneration ~= obj.metadata.generation then',
  '  return hs',
  'end',
  'local revisions = obj.status.revisions',
  'if revisions ~= nil and (revisions.total == nil or revisions.total == 0 or revisions.ready ~= revisions.total) then',
  '  hs.message = "Waiting for the control plane revisions to be ready"',
  '  return hs',
  'end',
  'if obj.status.conditions ~= nil then',
  '  for _, condition in ipairs(obj.status.conditions) do',
  '    if condition.type == "Ready" and condition.status == "True" then',
  '      hs.status = "Healthy"',
  '      hs.message = condition.message or "Ready"',
  '    elseif condition.type == "Ready" and condition.message ~= nil then',
  '      hs.message = condition.message',
  '    end',
  '  end',
  'end',
  'return hs',
  '',
].join('\n');

function argoCdSailHealthPatch(): object {
  const kinds = [SAIL_KINDS.istio, SAIL_KINDS.cni, SAIL_KINDS.revisionTag];
  const group = SAIL_API_VERSION.slice(0, SAIL_API_VERSION.indexOf('/'));
  return { data: Object.fromEntries(kinds.map((kind) => [`resource.customizations.health.${group}_${kind}`, SAIL_HEALTH_LUA])) };
}

/**
 * Flux health checks on a cluster's Sail resources: its Kustomization is ready, and the ones that
 * depend on it start, only once the operator reports them `Ready`.
 */
function sailHealthChecks(model: Mesh): object {
  if (!model.sail) return {};
  const resource = (kind: string, name: string) => ({ apiVersion: SAIL_API_VERSION, kind, name });
  return {
    healthChecks: [resource(SAIL_KINDS.istio, SAIL_ISTIO_NAME), ...(model.hasOpenShift ? [resource(SAIL_KINDS.cni, SAIL_CNI.name)] : [])],
    timeout: '10m',
  };
}

function resolveOptions(model: Mesh, options: GitopsOptions): ResolvedGitopsOptions {
  const tool = requireGitopsTool(options.tool);
  requireToolFitsCredentials(model, tool);
  requireDnsLabel(model.id, 'Mesh id (it names the GitOps objects)');
  return {
    tool,
    repoUrl: requireRepoUrl(options.repoUrl, tool),
    revision: requireRevision(options.revision ?? 'main'),
    basePath: normalizeBasePath(options.basePath ?? 'dist'),
    namespace: requireDnsLabel(options.namespace ?? DEFAULT_NAMESPACE[tool], 'GitOps namespace'),
  };
}

/** Returns `tool` when it is a supported GitOps tool; throws an Error naming the value otherwise. */
export function requireGitopsTool(tool: string): GitopsTool {
  if (!(GITOPS_TOOLS as readonly string[]).includes(tool)) {
    throw new Error(`GitOps tool "${tool}" is not supported: expected one of ${GITOPS_TOOLS.join(', ')}`);
  }
  return tool as GitopsTool;
}

/** Argo CD applies `${VAR}` placeholders literally, so remote secrets would carry them as tokens. */
function requireToolFitsCredentials(model: Mesh, tool: GitopsTool): void {
  if (tool === 'argocd' && model.credentials.source === 'flux-substitution') {
    throw new Error(
      'GitOps tool "argocd" cannot fill the ${VAR} token placeholders of credentials source "flux-substitution": use the tool flux, or the credentials source external-secret',
    );
  }
}

const FLUX_GIT_URL = /^(https?|ssh):\/\/\S+$/;

function requireRepoUrl(repoUrl: string, tool: GitopsTool): string {
  if (repoUrl === '' || /\s/.test(repoUrl)) {
    throw new Error(`GitOps repoUrl "${repoUrl}" is invalid: expected the URL of the Git repository the output is committed to, e.g. https://github.com/example/mesh-config.git`);
  }
  if (tool === 'flux' && !FLUX_GIT_URL.test(repoUrl)) {
    throw new Error(`GitOps repoUrl "${repoUrl}" is invalid for Flux: expected an http://, https:// or ssh:// URL, e.g. ssh://git@github.com/example/mesh-config.git`);
  }
  return repoUrl;
}

function requireRevision(revision: string): string {
  if (revision === '' || /\s/.test(revision)) {
    throw new Error(`GitOps revision "${revision}" is invalid: expected a branch name (Argo CD also takes a tag or commit), e.g. main`);
  }
  return revision;
}

function normalizeBasePath(basePath: string): string {
  const normalized = basePath.replace(/^\.\/+/, '').replace(/\/+$/, '');
  const segments = normalized.split('/');
  if (basePath.startsWith('/') || /[\s\\]/.test(normalized) || segments.includes('..') || (normalized !== '' && segments.includes(''))) {
    throw new Error(`GitOps basePath "${basePath}" is invalid: expected the output folder's path relative to the repository root, e.g. dist (no leading /, no .., . for the root)`);
  }
  return normalized === '.' ? '' : normalized;
}

function pathInRepo(options: ResolvedGitopsOptions, folder: string): string {
  return options.basePath === '' ? folder : `${options.basePath}/${folder}`;
}

function meshLabels(model: Mesh): Record<string, string> {
  return { [MESH_CLUSTER_LABEL]: model.id };
}

/**
 * One ApplicationSet whose cluster generator creates an Application per enrolled cluster for its
 * folder, plus one Application for the control-plane folder.
 */
function argoCdObjects(model: Mesh, options: ResolvedGitopsOptions): Manifest[] {
  const labels = meshLabels(model);
  const applicationSpec = (folder: string, destinationName: string) => ({
    project: 'default',
    source: { repoURL: options.repoUrl, targetRevision: options.revision, path: pathInRepo(options, folder) },
    destination: { name: destinationName },
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      // Every namespace is part of the output; a namespace Argo CD created would be one nobody owns.
      syncOptions: ['CreateNamespace=false'],
      // Argo CD has no order between Applications: control-plane/ fails until its cluster's folder
      // has created the namespaces (and Istio its CRDs), so it retries for a while instead.
      retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
    },
  });
  const applicationSet: Manifest = {
    apiVersion: ARGO_CD_API_VERSION,
    kind: 'ApplicationSet',
    metadata: { name: `${model.id}-clusters`, namespace: options.namespace, labels },
    spec: {
      goTemplate: true,
      // A misspelt parameter must fail the generation, not render an empty path or destination.
      goTemplateOptions: ['missingkey=error'],
      generators: [{ clusters: { selector: { matchLabels: labels } } }],
      template: {
        metadata: { name: clusterDeliveryName(model, ARGO_CLUSTER_NAME_PARAMETER), labels },
        spec: {
          ...applicationSpec(clusterFolder(ARGO_CLUSTER_NAME_PARAMETER), ARGO_CLUSTER_NAME_PARAMETER),
          // istiod writes the CA bundle into the remotes' injection webhooks; self-heal must not revert it.
          ignoreDifferences: [
            { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
          ],
        },
      },
    },
  };
  const controlPlaneApplication: Manifest = {
    apiVersion: ARGO_CD_API_VERSION,
    kind: 'Application',
    metadata: { name: controlPlaneDeliveryName(model), namespace: options.namespace, labels },
    spec: applicationSpec(CONTROL_PLANE_FOLDER, model.controlPlane.name),
  };
  return [applicationSet, controlPlaneApplication];
}

/**
 * A GitRepository and one Kustomization per folder, run by Flux in a management cluster that
 * reaches each cluster through a kubeconfig Secret. The order of the README is enforced with
 * dependsOn: the control-plane cluster's folder, then control-plane/, then the remotes (whose
 * workloads need istiod to have read their remote secret).
 */
function fluxObjects(model: Mesh, options: ResolvedGitopsOptions): Manifest[] {
  const labels = meshLabels(model);
  const metadata = (name: string) => ({ name, namespace: options.namespace, labels });
  const kustomization = (name: string, folder: string, clusterName: string, extraSpec: object = {}): Manifest => ({
    apiVersion: FLUX_KUSTOMIZE_API_VERSION,
    kind: 'Kustomization',
    metadata: metadata(name),
    spec: {
      interval: '10m',
      sourceRef: { kind: 'GitRepository', name: model.id },
      path: `./${pathInRepo(options, folder)}`,
      prune: true,
      kubeConfig: { secretRef: { name: kubeconfigSecretName(clusterName) } },
      ...extraSpec,
    },
  });
  const dependsOn = (name: string) => ({ dependsOn: [{ name }] });
  const controlPlaneName = model.controlPlane.name;
  const controlPlaneClusterDelivery = clusterDeliveryName(model, controlPlaneName);
  const tokenSubstitution = model.credentials.source === 'flux-substitution'
    ? { postBuild: { substituteFrom: [{ kind: 'Secret', name: REMOTE_TOKENS_SECRET }] } }
    : {};
  return [
    {
      apiVersion: FLUX_SOURCE_API_VERSION,
      kind: 'GitRepository',
      metadata: metadata(model.id),
      spec: { interval: '5m', url: options.repoUrl, ref: { branch: options.revision } },
    },
    kustomization(controlPlaneClusterDelivery, clusterFolder(controlPlaneName), controlPlaneName, sailHealthChecks(model)),
    kustomization(controlPlaneDeliveryName(model), CONTROL_PLANE_FOLDER, controlPlaneName, { ...dependsOn(controlPlaneClusterDelivery), ...tokenSubstitution }),
    ...model.remotes.map((remote) =>
      kustomization(clusterDeliveryName(model, remote.name), clusterFolder(remote.name), remote.name, { ...dependsOn(controlPlaneDeliveryName(model)), ...sailHealthChecks(model) }),
    ),
  ];
}

/**
 * The README section on `gitops/`: what the objects do and what users must create beside them
 * (cluster labels, kubeconfig and token Secrets), named from the same functions as the objects.
 */
export function describeGitops(model: Mesh, tool: GitopsTool): string {
  requireToolFitsCredentials(model, tool);
  return tool === 'argocd' ? describeArgoCd(model) : describeFlux(model);
}

function describeArgoCd(model: Mesh): string {
  const clusterNames = model.clusters.map((cluster) => `\`${cluster.name}\``).join(', ');
  return [
    '## GitOps with Argo CD',
    '',
    `\`${GITOPS_FOLDER}/\` holds an ApplicationSet and an Application for Argo CD (namespace \`argocd\` unless chosen otherwise). Install them where Argo CD runs: \`kubectl apply -k ${GITOPS_FOLDER}\`.`,
    '',
    `- The ApplicationSet \`${model.id}-clusters\` uses the cluster generator: every Argo CD cluster labelled \`${MESH_CLUSTER_LABEL}: ${model.id}\` gets an Application \`${clusterDeliveryName(model, '<name>')}\` that syncs \`${clusterFolder('<name>')}\` to it.`,
    `- **The Argo CD cluster names must equal the mesh cluster names** (${clusterNames}): the name picks both the folder and the destination. Register each cluster with its name and the label, e.g.`,
    `  \`argocd cluster add <kube-context> --name ${model.controlPlane.name} --label ${MESH_CLUSTER_LABEL}=${model.id}\`.`,
    '  The cluster Argo CD runs in has no cluster secret by default; declare one for it if it is part of the mesh.',
    `- The Application \`${controlPlaneDeliveryName(model)}\` syncs \`${CONTROL_PLANE_FOLDER}/\` to \`${model.controlPlane.name}\`. Argo CD does not order Applications: it retries until \`${clusterFolder(model.controlPlane.name)}\` has created the namespaces it needs.`,
    `- Within a remote's Application, the mesh components carry the sync wave ${MESH_COMPONENT_ANNOTATIONS['argocd.argoproj.io/sync-wave']}, so the injection webhook exists before any workload pod is created.`,
    ...(model.sail ? describeArgoCdSail(model) : []),
  ].join('\n');
}

function describeArgoCdSail(model: Mesh): string[] {
  return [
    `- Sail operator: each cluster's \`Istio\`${model.hasOpenShift ? ', `IstioCNI`' : ''}${model.sail?.revisionTag ? ' and `IstioRevisionTag`' : ''} carry the sync wave ${MESH_COMPONENT_ANNOTATIONS['argocd.argoproj.io/sync-wave']}${model.sail?.subscription ? ', the operator\'s `Subscription` the wave -2 (the Sail resources skip the dry run until its CRDs exist)' : ''}. Argo CD waits for a wave to be healthy before the next one, but knows no health of these kinds: patch \`argocd-cm\` once with the health checks in \`${GITOPS_FOLDER}/${ARGO_CD_SAIL_HEALTH_PATCH}\` (healthy when every revision is ready and \`Ready\` is true), e.g.`,
    `  \`kubectl -n argocd patch configmap argocd-cm --type merge --patch-file ${GITOPS_FOLDER}/${ARGO_CD_SAIL_HEALTH_PATCH}\`. Without it the workloads' wave starts before istiod injects.`,
  ];
}

function describeFlux(model: Mesh): string {
  const kubeconfigSecrets = model.clusters.map((cluster) => `\`${kubeconfigSecretName(cluster.name)}\``).join(', ');
  const lines = [
    '## GitOps with Flux',
    '',
    `\`${GITOPS_FOLDER}/\` holds a GitRepository and one Kustomization per folder for a Flux instance in a management cluster (namespace \`flux-system\` unless chosen otherwise). Install them there: \`kubectl apply -k ${GITOPS_FOLDER}\`.`,
    '',
    `- Each Kustomization applies its folder through a kubeconfig in a Secret beside it (key \`value\`): create ${kubeconfigSecrets}, e.g.`,
    `  \`kubectl -n flux-system create secret generic ${kubeconfigSecretName(model.controlPlane.name)} --from-file=value=./${model.controlPlane.name}.kubeconfig\`.`,
    `- Order: \`${controlPlaneDeliveryName(model)}\` depends on \`${clusterDeliveryName(model, model.controlPlane.name)}\`, and each remote's Kustomization depends on \`${controlPlaneDeliveryName(model)}\`.`,
    '- A Kustomization applies its folder at once, so on a remote\'s first install its workload pods may be created before the injection webhook answers and start without a sidecar: once istiod injects, restart them (`kubectl --context <remote> rollout restart deployment -n <namespace>`).',
    ...(model.sail
      ? [
        `- Sail operator: each cluster's Kustomization health-checks its \`Istio\`${model.hasOpenShift ? ' and `IstioCNI`' : ''} (Ready, timeout 10m), so \`${controlPlaneDeliveryName(model)}\` and the remotes start only once the control plane's istiod is ready. Within a folder the same first-install caveat holds for its own workloads.`,
      ]
      : []),
  ];
  if (model.credentials.source === 'flux-substitution') {
    const variables = model.remotes.map((remote) => `\`${remote.tokenVariable}\` and \`${caVariable(remote.name)}\` (${remote.name})`).join(', ');
    lines.push(
      `- \`${controlPlaneDeliveryName(model)}\` fills the remote secrets' placeholders from the Secret \`${REMOTE_TOKENS_SECRET}\` beside it, one key per variable: ${variables}: each remote's reader token and API server CA (see Tokens).`,
    );
  }
  return lines.join('\n');
}
