import type { Mesh } from '../model/mesh';
import { caVariable, INSTALL_STAGE_LABEL, INSTALL_STAGES, isDnsName, isDnsSubdomain, MESH_COMPONENT_LABELS, requireDnsLabel, type InstallStage } from '../model/names';
import { sailReaderTokenAfterIstio } from '../model/sail';
import { redactUrl } from '../model/validate-mesh';
import { CONTROL_PLANE_FOLDER, type Manifest, type MeshManifests } from '../manifest/mesh-manifests';
import { compareText } from '../manifest/compare-text';
import { toYaml } from '../manifest/yaml';
import { controlPlaneDeliveryName, deliveryPhases, MESH_COMPONENT_SELECTOR, phaseWaves, type DeliveryPhase, type PhaseObjects } from './delivery-phases';
import { ARGO_CD_EXCLUSIONS_PATCH, ARGO_CD_SAIL_HEALTH_PATCH, argoCdExclusionsPatch, argoCdSailHealthPatch } from './argocd-settings';
import { KUSTOMIZATION_FILE, renderFolder } from './render-tree';
import { deliveredChartReleases, ISTIO_CHART_REPOSITORY, type ChartInstall, type DeliveredChartRelease } from './chart-releases';
import { argoCdChartApplications, chartsDeliveryName, chartWaves, fluxChartObjects, type ChartObjectContext } from './gitops-charts';
import { describeTroubleshooting, describeVerification } from './verification-readme';
import { ARGO_CD_API_VERSION, FLUX_KUSTOMIZE_API_VERSION, FLUX_SOURCE_API_VERSION, SYNC_WAVE_ANNOTATION } from './gitops-api';

/**
 * The GitOps controllers `dist/gitops/` can be written for. No tool (no `gitops/`) is `undefined`
 * everywhere in the library; only the CLI spells it, as `--gitops none` (`NO_GITOPS`).
 */
export type GitopsTool = 'argocd' | 'flux';
export const GITOPS_TOOLS: readonly GitopsTool[] = ['argocd', 'flux'];

/** The `--gitops` value that writes no `gitops/` folder. */
export const NO_GITOPS = 'none';

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
  /**
   * Flux: the Secret, beside the GitRepository, with the credentials of a private repository
   * (`spec.secretRef`: `username`/`password` or `bearerToken` for https, `identity` and
   * `known_hosts` for ssh). Argo CD reads repository credentials from its own Secrets instead.
   * @default - none: a public repository
   */
  readonly repoSecret?: string;
}

/** The label of every GitOps object of the mesh; its value is the mesh id. */
export const MESH_LABEL = 'mesh.cdk8s.io/mesh';

/** The Secret, beside the Flux Kustomizations, whose keys Flux substitutes into the remote secrets. */
export const REMOTE_TOKENS_SECRET = 'istio-remote-tokens';

/** The Secret, beside the Flux Kustomizations, holding the kubeconfig Flux applies a cluster's folder with. */
export function kubeconfigSecretName(clusterName: string): string {
  return `${clusterName}-kubeconfig`;
}

/** The folder, under `gitops/`, of a phase that delivers part of a folder. */
export function phaseFolder(phaseName: string): string {
  return `${GITOPS_FOLDER}/phases/${phaseName}`;
}

/** The folder, under `gitops/`, of the Flux HelmRepository and HelmReleases that install Istio's charts. */
export const FLUX_CHARTS_FOLDER = `${GITOPS_FOLDER}/charts`;

/** The folder, under `gitops/`, of the Argo CD Applications the root Application syncs in waves. */
export const ARGO_CD_APPLICATIONS_FOLDER = `${GITOPS_FOLDER}/applications`;

const DEFAULT_NAMESPACE: Readonly<Record<GitopsTool, string>> = { argocd: 'argocd', flux: 'flux-system' };
/** Where Argo CD runs: the root Application delivers the others there. */
const ARGO_CD_IN_CLUSTER = 'https://kubernetes.default.svc';

interface ResolvedGitopsOptions {
  readonly tool: GitopsTool;
  readonly repoUrl: string;
  readonly revision: string;
  /** Normalized: no `./` prefix, no trailing `/`, `''` for the repository root. */
  readonly basePath: string;
  readonly namespace: string;
  readonly repoSecret?: string;
}

/**
 * The GitOps objects that deliver the output folders to their clusters in the order of
 * `deliveryPhases`, as relative path under `gitops/` -> YAML, plus a `kustomization.yaml` so that
 * `kubectl apply -k gitops` installs them where the controller runs, and a kustomization under
 * `phases/` for each phase that delivers part of a folder. Throws on an invalid option before
 * rendering anything.
 */
export function renderGitops(model: Mesh, options: GitopsOptions, manifests: MeshManifests, install?: ChartInstall): Map<string, string> {
  const resolved = resolveOptions(model, options);
  const phases = deliveryPhases(model);
  const charts = install ? deliveredChartReleases(model, install) : [];
  requireDeliveryNamesFit(model, charts);
  const files = resolved.tool === 'argocd' ? argoCdFiles(model, phases, charts, resolved) : fluxFiles(model, phases, charts, resolved);
  for (const phase of phases) {
    if (phase.objects !== 'all') files.set(`${phaseFolder(phase.name)}/${KUSTOMIZATION_FILE}`, phaseKustomization(phase, phase.objects, phases));
  }
  if (resolved.tool === 'argocd') {
    for (const [file, patch] of argoCdPatches(model, manifests)) files.set(`${GITOPS_FOLDER}/${file}`, toYaml(patch));
  }
  const folderPrefix = `${GITOPS_FOLDER}/`;
  return new Map([...files].sort(([a], [b]) => compareText(a, b)).map(([path, content]) => [path.slice(folderPrefix.length), content]));
}

/** The `argocd-cm` merge patches the mesh needs, by file name; throws when Argo CD would drop a delivered object whatever they say. */
function argoCdPatches(model: Mesh, manifests: MeshManifests): Map<string, object> {
  const patches = new Map<string, object>();
  const exclusions = argoCdExclusionsPatch(manifests);
  if (exclusions) patches.set(ARGO_CD_EXCLUSIONS_PATCH, exclusions);
  if (model.sail) patches.set(ARGO_CD_SAIL_HEALTH_PATCH, argoCdSailHealthPatch());
  return patches;
}

/**
 * Flux's `wait` reads the `Ready` condition, which a remote's `Istio` reaches only once a later
 * phase (`control-plane/`, the remote secret) is in: with the Sail installer a remote's mesh
 * components are applied without waiting, the way the Helm path's are.
 */
function waitsForObjects(model: Mesh, phase: DeliveryPhase): boolean {
  return phase.healthChecks === undefined && !(model.sail && phase.objects === 'mesh-components' && phase.cluster !== model.controlPlane.name);
}

/**
 * A kustomization that builds the phase's folder and drops the objects of the other phases with
 * `$patch: delete` patches selected by label: the folder stays the one source of its objects,
 * and kustomize's default load restrictions hold (a folder may be a resource from anywhere).
 */
function phaseKustomization(phase: DeliveryPhase, objects: Exclude<PhaseObjects, 'all'>, phases: readonly DeliveryPhase[]): string {
  const folder = phaseFolder(phase.name);
  const [[key, value]] = Object.entries(MESH_COMPONENT_LABELS);
  const stagedApart = phases.some((other) => other.folder === phase.folder && isInstallStage(other.objects));
  const dropped: Record<Exclude<PhaseObjects, 'all'>, string[]> = {
    'mesh-components': [`${key}!=${value}`, ...(stagedApart ? [INSTALL_STAGE_LABEL] : [])],
    workloads: [`${key}=${value}`],
    [INSTALL_STAGES.operator]: [`${INSTALL_STAGE_LABEL}!=${INSTALL_STAGES.operator}`],
    [INSTALL_STAGES.afterIstio]: [`${INSTALL_STAGE_LABEL}!=${INSTALL_STAGES.afterIstio}`],
  };
  const toRoot = folder.split('/').map(() => '..').join('/');
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [`${toRoot}/${phase.folder}`],
    // A delete patch with a target removes every object the target selects, whatever kind and
    // name the patch itself names.
    patches: dropped[objects].map((labelSelector) => ({ target: { labelSelector }, patch: '$patch: delete\napiVersion: v1\nkind: Object\nmetadata:\n  name: dropped\n' })),
  };
  return toYaml(kustomization);
}

function isInstallStage(objects: PhaseObjects): objects is InstallStage {
  return (Object.values(INSTALL_STAGES) as string[]).includes(objects);
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
    ...(options.repoSecret === undefined ? {} : { repoSecret: requireRepoSecret(options.repoSecret, tool) }),
  };
}

/**
 * What is wrong with the name of the Secret holding the Git repository's credentials, or
 * undefined when the tool can use it: a Flux GitRepository's `secretRef` names a Secret (a
 * DNS-1123 subdomain); Argo CD reads repository credentials from Secrets of its own.
 */
export function repoSecretProblem(repoSecret: string, tool: GitopsTool): string | undefined {
  if (tool === 'argocd') {
    return 'does not apply to Argo CD, which reads repository credentials from its own Secrets (labelled argocd.argoproj.io/secret-type: repository, or argocd repo add): leave it out and add the repository to Argo CD';
  }
  if (typeof repoSecret !== 'string' || !isDnsSubdomain(repoSecret)) {
    return `${JSON.stringify(repoSecret) ?? String(repoSecret)} is not a Secret name: expected a DNS-1123 subdomain (at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit), e.g. mesh-config-git`;
  }
  return undefined;
}

function requireRepoSecret(repoSecret: string, tool: GitopsTool): string {
  const problem = repoSecretProblem(repoSecret, tool);
  if (problem) throw new Error(`GitOps repoSecret ${problem}`);
  return repoSecret;
}

/** Whether `value` names a supported GitOps tool. */
export function isGitopsTool(value: string): value is GitopsTool {
  return (GITOPS_TOOLS as readonly string[]).includes(value);
}

/** Returns `tool` when it is a supported GitOps tool; throws an Error naming the value otherwise. */
function requireGitopsTool(tool: string): GitopsTool {
  if (!isGitopsTool(tool)) throw new Error(`GitOps tool "${tool}" is not supported: expected one of ${GITOPS_TOOLS.join(', ')}`);
  return tool;
}

/** Argo CD applies `${VAR}` placeholders literally, so remote secrets would carry them as tokens. */
function requireToolFitsCredentials(model: Mesh, tool: GitopsTool): void {
  if (tool === 'argocd' && model.credentials.source === 'flux-substitution') {
    throw new Error(
      'GitOps tool "argocd" cannot fill the ${VAR} token placeholders of credentials source "flux-substitution": use the tool flux, or the credentials source external-secret',
    );
  }
}

/** The longest name Flux and Argo CD accept for a Kustomization / Application: both write it into a label value. */
const MAX_DELIVERY_NAME = 63;

/** Every phase's and chart release's Application / Kustomization / HelmRelease name must fit, and all that do not are named at once. */
function requireDeliveryNamesFit(model: Mesh, charts: readonly DeliveredChartRelease[]): void {
  const tooLong = [...deliveryPhases(model), ...charts.map((release) => ({ name: release.name, cluster: release.cluster.name }))]
    .map((phase) => ({ name: phase.name, index: model.clusters.findIndex((cluster) => cluster.name === phase.cluster) }))
    .filter(({ name }) => name.length > MAX_DELIVERY_NAME);
  if (tooLong.length > 0) {
    const named = tooLong.map(({ name, index }) => `"${name}" (${name.length} characters, from mesh.id and clusters[${index}].name)`).join(', ');
    throw new Error(`GitOps object names over ${MAX_DELIVERY_NAME} characters, which Flux and Argo CD write as label values: ${named}; shorten the mesh id or the cluster names`);
  }
}

/** The URL schemes each tool clones from (Flux GitRepository: http(s) and ssh; Argo CD also git://). */
const GIT_URL_SCHEMES: Readonly<Record<GitopsTool, readonly string[]>> = { flux: ['http:', 'https:', 'ssh:'], argocd: ['http:', 'https:', 'ssh:', 'git:'] };
const SCHEMES_EXPECTED: Readonly<Record<GitopsTool, string>> = {
  flux: 'expected an http://, https:// or ssh:// URL, e.g. ssh://git@github.com/example/mesh-config.git',
  argocd: "expected an http://, https://, ssh:// or git:// URL, or Git's scp-like git@host:owner/repo.git",
};
/** Git's scp-like syntax, `[user@]host:path` (no scheme, a ':' before any '/'), which Argo CD clones and Flux does not. */
const SCP_LIKE_GIT_URL = /^(?:[^@/:]+@)?([^@/:]+):(?!\/\/)(.+)$/;

function requireRepoUrl(repoUrl: string, tool: GitopsTool): string {
  const problem = repoUrlProblem(repoUrl, tool);
  if (problem) throw new Error(`GitOps repoUrl ${problem}`);
  return repoUrl;
}

/**
 * What is wrong with the URL of the Git repository the output is committed to, as a message that
 * starts with the URL (masked and quoted), or undefined when the tool's Git client can clone it.
 */
export function repoUrlProblem(repoUrl: string, tool: GitopsTool): string | undefined {
  const shown = JSON.stringify(redactUrl(repoUrl));
  const example = 'expected the URL of the Git repository the output is committed to, e.g. https://github.com/example/mesh-config.git';
  if (repoUrl === '' || /[\s\u0000-\u001f\u007f]/.test(repoUrl)) return `${shown} is invalid: ${example}`;
  if (carriesCredentials(repoUrl)) {
    return `${shown} carries credentials (user info before @); they would be written into the GitOps objects: give the URL without them and the credentials to Argo CD or Flux as a repository Secret`;
  }
  const scpLike = SCP_LIKE_GIT_URL.exec(repoUrl);
  if (scpLike && !repoUrl.includes('://')) {
    if (tool === 'flux') return `${shown} is invalid for Flux: ${SCHEMES_EXPECTED.flux}`;
    return isDnsName(scpLike[1]) ? undefined : `${shown} is invalid: "${scpLike[1]}" is no host name; ${example}`;
  }
  // WHATWG parsing skips extra slashes (https:///repo reads as host "repo"); Git clients do not.
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#\\]*)/.exec(repoUrl)?.[1];
  if (authority !== undefined && authority.replace(/^.*@/, '').replace(/:\d*$/, '') === '') return `${shown} has no host: ${example}`;
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch {
    // ssh://git@host:owner/repo: the scp-like path after a scheme reads as a port that is no number.
    if (/^ssh:\/\/(?:[^@/]+@)?[^@/:]+:[^/\d]/i.test(repoUrl)) {
      return `${shown} mixes the two SSH forms: a path after ':' is scp-like syntax, which takes no ssh://; write ssh://git@host/owner/repo.git or git@host:owner/repo.git`;
    }
    return `${shown} is no URL a Git client can parse (a bad port or host?): ${example}`;
  }
  if (!GIT_URL_SCHEMES[tool].includes(url.protocol)) return `${shown} is invalid${tool === 'flux' ? ' for Flux' : ''}: ${SCHEMES_EXPECTED[tool]}`;
  if (url.hostname === '') return `${shown} has no host: ${example}`;
  if (url.port === '0') return `${shown} has port 0; give the port the Git server listens on, or none`;
  return undefined;
}

/**
 * Whether a Git URL holds a credential: any password, or an http(s) user name (where a token
 * usually sits, `https://x-access-token:TOKEN@` or `https://TOKEN@`). An SSH user name (`git@`) is
 * no credential.
 */
function carriesCredentials(repoUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch {
    return false;
  }
  return url.password !== '' || (url.username !== '' && (url.protocol === 'http:' || url.protocol === 'https:'));
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
  return { [MESH_LABEL]: model.id };
}

/** The path in the repository a phase's controller builds: its folder, or its kustomization under `gitops/phases/`. */
function phasePath(options: ResolvedGitopsOptions, phase: DeliveryPhase): string {
  return pathInRepo(options, phase.objects === 'all' ? phase.folder : phaseFolder(phase.name));
}

/**
 * An app of apps: the root Application, which `kubectl apply -k gitops` installs, syncs
 * `gitops/applications/`, an Application per phase whose sync wave follows the phase order.
 * Argo CD applies a wave once the Applications of the waves before it are healthy (with the
 * Application health check in argocd-cm, see the README).
 */
function argoCdFiles(model: Mesh, phases: readonly DeliveryPhase[], charts: readonly DeliveredChartRelease[], options: ResolvedGitopsOptions): Map<string, string> {
  const labels = meshLabels(model);
  const waves = argoCdPhaseWaves(phases, charts);
  const syncPolicy = {
    automated: { prune: true, selfHeal: true },
    // Every namespace is part of the output; a namespace Argo CD created would be one nobody owns.
    // istiod's writes to the remotes' injection webhooks stay ignored on sync too; what a phase no
    // longer holds is pruned once the rest of the sync is in.
    syncOptions: ['CreateNamespace=false', 'RespectIgnoreDifferences=true', 'PruneLast=true'],
    // The phase that reads the published tokens stays degraded until a human publishes them.
    retry: { limit: 30, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
  };
  const applications = phases.map((phase): Manifest => ({
    apiVersion: ARGO_CD_API_VERSION,
    kind: 'Application',
    metadata: { name: phase.name, namespace: options.namespace, labels, annotations: { [SYNC_WAVE_ANNOTATION]: String(waves.get(phase.name)) } },
    spec: {
      project: 'default',
      source: { repoURL: options.repoUrl, targetRevision: options.revision, path: phasePath(options, phase) },
      destination: { name: phase.cluster },
      syncPolicy,
      // istiod writes the CA bundle into the remotes' injection webhooks; self-heal must not revert it.
      ...(phase.folder === CONTROL_PLANE_FOLDER ? {} : {
        ignoreDifferences: [
          { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
        ],
      }),
    },
  }));
  const chartApplications = argoCdChartApplications(model, charts, chartContext(model, options), syncPolicy);
  const root: Manifest = {
    apiVersion: ARGO_CD_API_VERSION,
    kind: 'Application',
    metadata: { name: model.id, namespace: options.namespace, labels },
    spec: {
      project: 'default',
      source: { repoURL: options.repoUrl, targetRevision: options.revision, path: pathInRepo(options, ARGO_CD_APPLICATIONS_FOLDER) },
      destination: { server: ARGO_CD_IN_CLUSTER, namespace: options.namespace },
      syncPolicy: { automated: syncPolicy.automated, retry: syncPolicy.retry },
    },
  };
  return new Map([...renderFolder(GITOPS_FOLDER, [root]), ...renderFolder(ARGO_CD_APPLICATIONS_FOLDER, [...chartApplications, ...applications])]);
}

/** The phases' sync waves: after the waves of the chart releases, which install Istio before anything needs its CRDs and webhooks. */
function argoCdPhaseWaves(phases: readonly DeliveryPhase[], charts: readonly DeliveredChartRelease[]): Map<string, number> {
  const chartWaveCount = charts.length === 0 ? 0 : Math.max(...chartWaves(charts).values()) + 1;
  return new Map([...phaseWaves(phases)].map(([name, wave]) => [name, wave + chartWaveCount]));
}

function chartContext(model: Mesh, options: ResolvedGitopsOptions): ChartObjectContext {
  return { namespace: options.namespace, labels: meshLabels(model), kubeconfigSecret: kubeconfigSecretName };
}

/**
 * A GitRepository and a Kustomization per phase, run by Flux in a management cluster that reaches
 * each cluster through a kubeconfig Secret. `dependsOn` follows the phase order, and `wait`
 * makes a Kustomization ready only once its objects are, so a phase starts on healthy ones.
 */
function fluxFiles(model: Mesh, phases: readonly DeliveryPhase[], charts: readonly DeliveredChartRelease[], options: ResolvedGitopsOptions): Map<string, string> {
  const files = renderFolder(GITOPS_FOLDER, fluxObjects(model, phases, charts.length > 0, options));
  if (charts.length > 0) for (const [path, content] of renderFolder(FLUX_CHARTS_FOLDER, fluxChartObjects(model, charts, chartContext(model, options)))) files.set(path, content);
  return files;
}

function fluxObjects(model: Mesh, phases: readonly DeliveryPhase[], withCharts: boolean, options: ResolvedGitopsOptions): Manifest[] {
  const labels = meshLabels(model);
  const metadata = (name: string) => ({ name, namespace: options.namespace, labels });
  const tokenSubstitution = model.credentials.source === 'flux-substitution'
    ? { postBuild: { substituteFrom: [{ kind: 'Secret', name: REMOTE_TOKENS_SECRET }] } }
    : {};
  const kustomization = (phase: DeliveryPhase): Manifest => ({
    apiVersion: FLUX_KUSTOMIZE_API_VERSION,
    kind: 'Kustomization',
    metadata: metadata(phase.name),
    spec: {
      interval: '10m',
      // Until the tokens are published the phase that reads them fails; it is retried this often.
      retryInterval: '1m',
      timeout: '5m',
      sourceRef: { kind: 'GitRepository', name: model.id },
      path: `./${phasePath(options, phase)}`,
      prune: true,
      wait: waitsForObjects(model, phase),
      // With wait: true Flux ignores healthChecks (kustomize-controller docs/spec/v1/kustomizations.md, Wait).
      ...(phase.healthChecks ? { healthChecks: phase.healthChecks } : {}),
      kubeConfig: { secretRef: { name: kubeconfigSecretName(phase.cluster) } },
      ...dependsOn(phase.after.length > 0 ? phase.after : withCharts ? [chartsDeliveryName(model)] : []),
      ...(phase.readsPublishedTokens ? tokenSubstitution : {}),
    },
  });
  // The HelmReleases are applied, and ready, in the management cluster before any phase starts.
  const charts: Manifest = {
    apiVersion: FLUX_KUSTOMIZE_API_VERSION,
    kind: 'Kustomization',
    metadata: metadata(chartsDeliveryName(model)),
    spec: { interval: '10m', retryInterval: '1m', timeout: '15m', sourceRef: { kind: 'GitRepository', name: model.id }, path: `./${pathInRepo(options, FLUX_CHARTS_FOLDER)}`, prune: true, wait: true },
  };
  return [
    {
      apiVersion: FLUX_SOURCE_API_VERSION,
      kind: 'GitRepository',
      metadata: metadata(model.id),
      spec: { interval: '5m', url: options.repoUrl, ref: { branch: options.revision }, ...(options.repoSecret ? { secretRef: { name: options.repoSecret } } : {}) },
    },
    ...(withCharts ? [charts] : []),
    ...phases.map(kustomization),
  ];
}

function dependsOn(names: readonly string[]): { dependsOn?: { name: string }[] } {
  return names.length > 0 ? { dependsOn: names.map((name) => ({ name })) } : {};
}

/** The command that prints what the remote secrets read, for the README. */
export const TOKENS_COMMAND = 'cdk8s-istio-multicluster tokens --inventory <inventory.yaml>';

/**
 * The README section on `gitops/`: what a first sync does, phase by phase, the one manual step,
 * and what users must create beside the objects (kubeconfig Secrets, Argo CD settings), named
 * from the same functions as the objects.
 */
export function describeGitops(model: Mesh, tool: GitopsTool, manifests: MeshManifests, install?: ChartInstall): string {
  requireToolFitsCredentials(model, requireGitopsTool(tool));
  const phases = deliveryPhases(model);
  const charts = install ? deliveredChartReleases(model, install) : [];
  return [
    tool === 'argocd' ? describeArgoCd(model, phases, charts, argoCdPatches(model, manifests)) : describeFlux(model, phases, charts),
    describeVerification(model, tool, DEFAULT_NAMESPACE[tool], phases, charts, manifests),
    describeTroubleshooting(),
  ].join('\n\n');
}

/** What Istio's charts become, and what must exist before the first sync, for the README. */
function chartLines(model: Mesh, charts: readonly DeliveredChartRelease[], tool: GitopsTool): string[] {
  if (charts.length === 0) {
    return model.sail
      ? ['- Istio itself comes from the Sail operator: the folders hold its `Istio` resources (and, with `sail.subscription`, the OLM `Subscription` that installs the operator), so no Helm release is delivered. Without a Subscription the operator is installed beforehand, through OLM (OperatorHub) or its own Helm chart.']
      : [];
  }
  const releases = charts.map((release) => `\`${release.chart.chart}\` on \`${release.cluster.name}\``).join(', ');
  const what = tool === 'flux'
    ? `\`${FLUX_CHARTS_FOLDER}/\` holds the HelmRepository \`${chartsDeliveryName(model)}\` (${ISTIO_CHART_REPOSITORY.url}) and a HelmRelease per chart and cluster (${releases}), applied by the Kustomization \`${chartsDeliveryName(model)}\`, which is ready once every release is (\`wait: true\`); the first phases depend on it. Each HelmRelease installs on its cluster through the cluster's kubeconfig Secret, keeps Helm's storage in the chart's namespace, and follows the release before it on its cluster (\`dependsOn\`).`
    : `Istio's charts are Applications with a Helm source (${ISTIO_CHART_REPOSITORY.url}): ${releases}, in the sync waves before the mesh phases (\`base\`, then \`cni\`, then \`istiod\` on each cluster). \`base\` creates \`istio-system\` and is applied server-side (its CRDs exceed the annotation a client-side apply writes); istiod's writes to the control plane's webhooks (\`caBundle\`, the validating webhooks' \`failurePolicy\`) are ignored (\`ignoreDifferences\`, \`RespectIgnoreDifferences=true\`).`;
  return [
    `- ${what} Chart version ${charts[0].version}, release names and namespaces as in \`install/README.md\`; the values are those of \`install/<cluster>/*-values.yaml\`, read from those files.`,
    tool === 'flux'
      ? '- Before the first sync only Flux itself must run in the management cluster (`flux install` or `flux bootstrap`: its CRDs, HelmRelease and HelmRepository among them); no chart is installed by hand.'
      : '- Before the first sync only Argo CD itself must run; no chart is installed by hand: the `base` Applications install the CRDs the later waves need.',
  ];
}

/** How a private repository's credentials reach the tool, for the README. */
function repositoryCredentialLines(tool: GitopsTool): string[] {
  return tool === 'flux'
    ? ['- **A private repository**: synthesize with `--repo-secret NAME` and create that Secret beside the GitRepository, e.g. `flux create secret git NAME --url=<repo-url> --private-key-file=./identity` (ssh: keys `identity`, `known_hosts`) or with `--username`/`--password` (https). The output names the Secret, never holds it.']
    : ['- **A private repository**: add its credentials to Argo CD itself, e.g. `argocd repo add <repo-url> --ssh-private-key-path ./identity` (or `--username`/`--password` for https), or a Secret in `argocd` labelled `argocd.argoproj.io/secret-type: repository`; the Applications name only the URL.'];
}

/** The first-install steps: the chart releases, the phases by wave, and the token publishing before the phase that reads the tokens. */
function firstInstallSteps(model: Mesh, phases: readonly DeliveryPhase[], charts: readonly DeliveredChartRelease[], tool: GitopsTool): string[] {
  const waves = tool === 'argocd' ? argoCdPhaseWaves(phases, charts) : phaseWaves(phases);
  const firstWave = Math.min(...waves.values());
  const lastWave = Math.max(...waves.values());
  const steps: string[] = [];
  if (charts.length > 0) {
    const releases = charts.map((release) => `\`${release.name}\` (\`${release.chart.chart}\` on \`${release.cluster.name}\`)`).join(', ');
    steps.push(tool === 'argocd'
      ? `Istio's charts, sync waves 0 to ${firstWave - 1}: ${releases}.`
      : `\`${chartsDeliveryName(model)}\` in the management cluster: the HelmReleases ${releases}, each after the one before it on its cluster.`);
  }
  for (let wave = firstWave; wave <= lastWave; wave++) {
    const inWave = phases.filter((phase) => waves.get(phase.name) === wave);
    if (inWave.some((phase) => phase.readsPublishedTokens)) steps.push(publishStep(model, phases, tool));
    const what = inWave.map((phase) => `\`${phase.name}\` on \`${phase.cluster}\`: ${phase.summary}`).join('; ');
    const waits = wave === 0 ? '' : tool === 'argocd' ? ` (sync wave ${wave}, once wave ${wave - 1} is healthy)` : ' (once the Kustomizations it depends on are ready)';
    steps.push(`${what}${waits}.`);
  }
  return steps.map((step, index) => `${index + 1}. ${step}`);
}

function publishStep(model: Mesh, phases: readonly DeliveryPhase[], tool: GitopsTool): string {
  const readers = phases.filter((phase) => phase.readsPublishedTokens).map((phase) => `\`${phase.name}\``).join(', ');
  if (model.credentials.source === 'flux-substitution') {
    return `**Publish the reader tokens** (the one manual step), once Kubernetes has filled each remote's token Secret: \`${TOKENS_COMMAND} | kubectl --context <management> apply -f -\` creates the Secret \`${REMOTE_TOKENS_SECRET}\` beside the Kustomizations. Until then ${readers} fails and is retried.`;
  }
  const store = `${model.credentials.secretStore.kind} \`${model.credentials.secretStore.name}\``;
  const retried = tool === 'argocd' ? 'its ExternalSecrets stay not ready and the sync is retried' : 'its ExternalSecrets stay not ready and it is retried';
  return `**Publish the reader tokens** (the one manual step), once Kubernetes has filled each remote's token Secret: \`${TOKENS_COMMAND}\` prints the store entries as JSON; write them to the store behind the ${store}. Until then ${readers} waits: ${retried}.`;
}

function describeArgoCd(model: Mesh, phases: readonly DeliveryPhase[], charts: readonly DeliveredChartRelease[], patches: ReadonlyMap<string, object>): string {
  const patchCommand = (file: string) => `\`kubectl -n argocd patch configmap argocd-cm --type merge --patch-file ${GITOPS_FOLDER}/${file}\``;
  const clusterNames = model.clusters.map((cluster) => `\`${cluster.name}\``).join(', ');
  return [
    '## GitOps with Argo CD',
    '',
    `\`${GITOPS_FOLDER}/\` holds the Application \`${model.id}\` for Argo CD (namespace \`argocd\` unless chosen otherwise): an app of apps that syncs \`${ARGO_CD_APPLICATIONS_FOLDER}/\`, one Application per phase with a sync wave. Install it where Argo CD runs: \`kubectl apply -k ${GITOPS_FOLDER}\`.`,
    '',
    `- **The Argo CD cluster names must equal the mesh cluster names** (${clusterNames}): each Application's destination is the cluster of that name, e.g. \`argocd cluster add <kube-context> --name ${model.controlPlane.name}\`.`,
    '- Argo CD (since 1.8) does not assess the health of an Application, so without it the waves would not wait for each other. Restore the check from the Argo CD documentation ("Resource Health", Argo CD App) in `argocd-cm`: the key `resource.customizations.health.argoproj.io_Application`, whose Lua returns `obj.status.health`.',
    '- Argo CD\'s own health checks decide when a wave is healthy: a Deployment once its replicas are updated and available, a `LoadBalancer` Service (the gateways) once its status has an address, an ExternalSecret once it has rendered its Secret. On a cluster where nothing assigns load-balancer addresses, a wave with a gateway never becomes healthy: provide a load balancer (MetalLB on bare metal) before the first sync.',
    `- A remote's mesh components and its workloads come from one folder through two Applications: \`${phaseFolder('<phase>')}/\` builds the folder and keeps only the objects labelled, or not labelled, \`${MESH_COMPONENT_SELECTOR}\`.`,
    ...chartLines(model, charts, 'argocd'),
    ...repositoryCredentialLines('argocd'),
    ...(patches.has(ARGO_CD_EXCLUSIONS_PATCH)
      ? [
        `- **Argo CD 3 excludes \`Endpoints\` and \`EndpointSlice\`** in its default \`argocd-cm\` (\`resource.exclusions\`) and drops them from a sync with only a warning: the remotes' \`istiod\` Service would have no endpoints and the injection webhook would refuse every pod. Patch \`argocd-cm\` once, before the first sync, with \`${GITOPS_FOLDER}/${ARGO_CD_EXCLUSIONS_PATCH}\`, Argo CD's default list without them: ${patchCommand(ARGO_CD_EXCLUSIONS_PATCH)}. If your \`argocd-cm\` has exclusions of its own, remove those kinds from your list instead.`,
      ]
      : []),
    ...(model.sail
      ? [
        `- Sail operator: Argo CD knows no health of its kinds, so a phase would not wait for the control plane's \`Istio\`. Patch \`argocd-cm\` once with the health checks in \`${GITOPS_FOLDER}/${ARGO_CD_SAIL_HEALTH_PATCH}\` (an \`Istio\` when every revision is ready and \`Ready\` is true, a remote \`Istio\` once \`Reconciled\`; an \`IstioCNI\` once \`Ready\`; an \`IstioRevisionTag\` once \`Reconciled\`): ${patchCommand(ARGO_CD_SAIL_HEALTH_PATCH)}.${model.sail.subscription ? ' Each operator `Subscription` has a phase of its own, before the Sail resources: Argo CD counts a Subscription healthy once OLM has run its install plan, which creates the CRDs (`AtLatestKnown`, Argo CD\'s `operators.coreos.com/Subscription` health check).' : ''}`,
      ]
      : []),
    '',
    'What a first sync does:',
    '',
    ...firstInstallSteps(model, phases, charts, 'argocd'),
  ].join('\n');
}

function describeFlux(model: Mesh, phases: readonly DeliveryPhase[], charts: readonly DeliveredChartRelease[]): string {
  const kubeconfigSecrets = model.clusters.map((cluster) => `\`${kubeconfigSecretName(cluster.name)}\``).join(', ');
  const lines = [
    '## GitOps with Flux',
    '',
    `\`${GITOPS_FOLDER}/\` holds a GitRepository and one Kustomization per phase for a Flux instance in a management cluster (namespace \`flux-system\` unless chosen otherwise). Install them there: \`kubectl apply -k ${GITOPS_FOLDER}\`.`,
    '',
    `- Each Kustomization applies its folder through a kubeconfig in a Secret beside it (key \`value\`): create ${kubeconfigSecrets}, e.g.`,
    `  \`kubectl -n flux-system create secret generic ${kubeconfigSecretName(model.controlPlane.name)} --from-file=value=./${model.controlPlane.name}.kubeconfig\`.`,
    '- Each Kustomization waits for its objects to be ready (`wait: true`) and `dependsOn` the phases before it. Flux counts a `LoadBalancer` Service ready once it has a cluster IP, not an external address: check the gateways\' addresses (`kubectl get service -A`) if remotes cannot reach the control plane.',
    `- A remote's mesh components and its workloads come from one folder through two Kustomizations: \`${phaseFolder('<phase>')}/\` builds the folder and keeps only the objects labelled, or not labelled, \`${MESH_COMPONENT_SELECTOR}\`.`,
    ...chartLines(model, charts, 'flux'),
    ...repositoryCredentialLines('flux'),
    ...(model.sail
      ? [
        '- Sail operator: `wait` holds the control plane\'s phases until its `Istio` is `Ready`. A remote\'s `Istio` turns `Ready` only once the control plane has read its remote secret, so a remote\'s mesh components are applied without `wait`, as with Helm.' +
          (model.sail.subscription ? ' Each operator `Subscription` has a phase of its own, ready once the operator\'s CRDs are established (`healthChecks`): Flux dry-runs every object of a phase before applying any, and an `Istio` cannot be dry-run before its CRD exists.' : '') +
          (sailReaderTokenAfterIstio(model.sail) ? ` A remote's reader token Secret has a phase of its own, after the remote's mesh components are ready on the reader account the operator creates (\`healthChecks\`): Kubernetes deletes a token Secret whose account does not exist.` : ''),
      ]
      : []),
  ];
  if (model.credentials.source === 'flux-substitution' && model.remotes.length > 0) {
    const variables = model.remotes.map((remote) => `\`${remote.tokenVariable}\` and \`${caVariable(remote.name)}\` (${remote.name})`).join(', ');
    lines.push(
      `- \`${controlPlaneDeliveryName(model)}\` fills the remote secrets' placeholders from the Secret \`${REMOTE_TOKENS_SECRET}\` beside it, one key per variable: ${variables}: each remote's reader token and API server CA.`,
    );
  }
  lines.push('', 'What a first install does:', '', ...firstInstallSteps(model, phases, charts, 'flux'));
  return lines.join('\n');
}
