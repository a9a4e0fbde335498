import type { Trust } from '../model/trust';
import { trustReadme } from './trust-readme';
import { list, record, text } from '../manifest/fields';
import { isKind, KINDS } from '../manifest/kinds';
import { podTemplate } from '../manifest/kube-objects';
import { remoteSecretOf } from '../manifest/remote-secret';
import type { Cluster, Mesh } from '../model/mesh';
import { ANNOTATIONS, APP_ANNOTATIONS, CA_PROPERTY, INSTALL_STAGE_LABEL, INSTALL_STAGES, ISTIO_SYSTEM_NAMESPACE, LABELS, READER_SERVICE_ACCOUNT, READER_TOKEN_SECRET, TOKEN_PROPERTY } from '../model/names';
import { SAIL_ISTIO_NAME, SAIL_OPERATOR_RELEASE, sailReaderTokenAfterIstio } from '../model/sail';
import { apiGroup, CONTROL_PLANE_FOLDER, INSTALL_FOLDER, clusterFolder, manifestFileName, type Manifest, type MeshManifests } from '../manifest/mesh-manifests';
import { controlPlaneDeliveryName, MESH_COMPONENT_SELECTOR } from './delivery-phases';
import type { ChartInstall } from './chart-releases';
import { describeGitops, TOKENS_COMMAND, type GitopsTool } from './gitops';
import { flatNetworkRouting, reachingIstiod } from './network-readme';
import { compareText } from '../manifest/compare-text';
import { DistinctManifests } from '../manifest/distinct-manifests';

/** Options of `renderReadme`. */
export interface ReadmeOptions {
  /**
   * The mesh's trust chain (MeshTrust's, when given in its props).
   * @default - the model's `mesh.trust`
   */
  readonly trust?: Trust;
  /**
   * The GitOps tool `gitops/` was written for, described in a section of its own.
   * @default - no `gitops/`, no section
   */
  readonly gitops?: GitopsTool;
  /**
   * Which objects are copies, shared with the rest of the synth (the README reads each distinct object's YAML).
   * @default - its own
   */
  readonly distinct?: DistinctManifests;
  /**
   * How Istio is installed with Helm (chart version, values files), which the GitOps section says the GitOps objects install.
   * @default - no Helm install: the GitOps objects deliver no chart
   */
  readonly charts?: ChartInstall;
  /**
   * Whether `install/` holds the Helm values and commands (the mesh built an `InstallValues`);
   * without it the apply order names no `install/`.
   * @default true
   */
  readonly installWritten?: boolean;
}

/** An output folder, the cluster it is applied to and what it holds. */
interface OutputFolder {
  readonly folder: string;
  readonly cluster: string;
  readonly manifests: readonly Manifest[];
  /** The `${VAR}` placeholders its manifests carry, sorted (one scan per folder for every section that needs them). */
  readonly placeholders: readonly string[];
}

/**
 * The content of `dist/README.md`: what to apply to which cluster, in which order and with which
 * commands, what must be installed first, and a Mermaid diagram of the topology. Everything the
 * folders hold (operator kinds, remote-secret links, gateways, workloads) is read from the
 * manifests, so the README describes what was written, not what was meant. Deterministic.
 */
export function renderReadme(model: Mesh, manifests: MeshManifests, options: ReadmeOptions = {}): string {
  requireManifestsOf(model, manifests);
  const folders = foldersInApplyOrder(model, manifests, options.distinct ?? new DistinctManifests());
  const sections = [
    introduction(model),
    clusterTable(model, manifests),
    prerequisites(model, folders),
    reachingIstiod(model),
    flatNetworkRouting(model),
    applyOrder(model, folders, options.installWritten ?? true),
    trustReadme(model, options.trust, options.gitops),
    tokens(folders),
    rotation(model),
    locality(model, manifests),
    topology(model, manifests, folders),
    options.gitops === undefined ? undefined : describeGitops(model, options.gitops, manifests, options.charts),
  ];
  return `${sections.filter((section) => section !== undefined).join('\n\n')}\n`;
}

function requireManifestsOf(model: Mesh, manifests: MeshManifests): void {
  if (manifests.controlPlaneCluster !== model.controlPlane.name) {
    throw new Error(`The manifests apply ${CONTROL_PLANE_FOLDER}/ to cluster "${manifests.controlPlaneCluster}", but the control plane of mesh "${model.id}" is "${model.controlPlane.name}": synthesize the manifests from this mesh`);
  }
  const folderClusters = [...manifests.clusters.keys()].sort(compareText);
  const meshClusters = model.clusters.map((cluster) => cluster.name).sort(compareText);
  if (folderClusters.join(',') !== meshClusters.join(',')) {
    throw new Error(`The manifests have folders for clusters [${folderClusters.join(', ')}], but mesh "${model.id}" has clusters [${meshClusters.join(', ')}]: synthesize the manifests from this mesh`);
  }
}

/** The control-plane cluster's folder, then control-plane/, then each remote's folder. */
function foldersInApplyOrder(model: Mesh, manifests: MeshManifests, distinct: DistinctManifests): OutputFolder[] {
  // Read from the YAML the files hold, which the writer renders once per distinct object anyway.
  const placeholders = (folderManifests: readonly Manifest[]) => [...new Set(folderManifests.flatMap((manifest) => placeholdersIn(distinct.yamlOf(manifest))))].sort(compareText);
  const output = (folder: string, cluster: string, folderManifests: readonly Manifest[]): OutputFolder => ({ folder, cluster, manifests: folderManifests, placeholders: placeholders(folderManifests) });
  const clusterOutput = (cluster: Cluster) => output(clusterFolder(cluster.name), cluster.name, manifests.clusters.get(cluster.name) ?? []);
  return [clusterOutput(model.controlPlane), output(CONTROL_PLANE_FOLDER, model.controlPlane.name, manifests.controlPlane), ...model.remotes.map(clusterOutput)];
}

function introduction(model: Mesh): string {
  const remotes = model.remotes.length === 1 ? '1 remote cluster' : `${model.remotes.length} remote clusters`;
  return [
    `# Istio mesh \`${model.id}\``,
    '',
    'Generated by cdk8s-istio-multicluster: change the inventory (or the code) and synthesize again rather than editing these files.',
    '',
    `One Istio control plane, on \`${model.controlPlane.name}\`, serves ${remotes}. Paths below are relative to this folder.`,
  ].join('\n');
}

function clusterTable(model: Mesh, manifests: MeshManifests): string {
  const rows = model.clusters.map((cluster) => {
    const objectCount = manifests.clusters.get(cluster.name)?.length ?? 0;
    const objects = cluster.isControlPlane ? `${objectCount} + ${manifests.controlPlane.length} in \`${CONTROL_PLANE_FOLDER}/\`` : `${objectCount}`;
    const locality = [cluster.region, cluster.zone].filter((part) => part !== undefined).join('/');
    return tableRow([`\`${cluster.name}\``, cluster.isControlPlane ? 'control plane' : 'remote', `\`${cluster.network}\``, locality ? `\`${locality}\`` : '-', objects]);
  });
  return ['## Clusters', '', tableRow(['Cluster', 'Role', 'Network', 'Locality', 'Objects']), tableRow(['---', '---', '---', '---', '---:']), ...rows].join('\n');
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** Operators whose custom resources a folder may hold; applying them fails without the CRDs. */
const OPERATORS = [
  { group: 'cert-manager.io', name: 'cert-manager', install: 'https://cert-manager.io/docs/installation/' },
  { group: 'external-secrets.io', name: 'External Secrets Operator', install: 'https://external-secrets.io/latest/introduction/getting-started/' },
] as const;

function prerequisites(model: Mesh, folders: readonly OutputFolder[]): string {
  const contexts = model.clusters.map((cluster) => `\`${cluster.name}\``).join(', ');
  const lines = [
    '## Prerequisites',
    '',
    `- \`kubectl\` contexts named after the clusters (${contexts}); otherwise change \`--context\` in the commands below.`,
    ...(model.sail
      ? [
        model.sail.subscription
          ? `- OLM on every cluster (OpenShift has it): each folder holds the \`Subscription\` to the Sail operator (package \`${model.sail.subscription.name}\`, channel \`${model.sail.subscription.channel}\`, catalog \`${model.sail.subscription.source}\`), applied first; \`${model.sail.subscription.namespace}\` must have an OperatorGroup.`
          : `- The Sail operator (OpenShift Service Mesh 3: \`servicemeshoperator3\` from OperatorHub) installed on every cluster, at a release that lists Istio \`${model.sail.version}\` (the resources are written for Sail ${SAIL_OPERATOR_RELEASE}).`,
      ]
      : []),
  ];
  for (const operator of OPERATORS) {
    const kindsByCluster = new Map<string, Set<string>>();
    for (const { cluster, manifests } of folders) {
      for (const manifest of manifests.filter((m) => apiGroup(m) === operator.group)) {
        kindsByCluster.set(cluster, (kindsByCluster.get(cluster) ?? new Set()).add(manifest.kind));
      }
    }
    if (kindsByCluster.size === 0) continue;
    const where = [...kindsByCluster].map(([cluster, kinds]) => `\`${cluster}\` (for ${[...kinds].sort(compareText).join(', ')})`).join(', ');
    lines.push(`- [${operator.name}](${operator.install}), its CRDs and controller, on ${where}.`);
  }
  return lines.join('\n');
}

/** The apply order; `installWritten` says whether `install/` holds the Helm values and commands (an `InstallValues` built them). */
function applyOrder(model: Mesh, folders: readonly OutputFolder[], installWritten: boolean): string {
  const controlPlaneClusterFolder = folders.find((folder) => folder.folder === clusterFolder(model.controlPlane.name))!;
  const controlPlaneFolder = folders.find((folder) => folder.folder === CONTROL_PLANE_FOLDER)!;
  const remoteFolders = folders.filter((folder) => folder !== controlPlaneClusterFolder && folder !== controlPlaneFolder);
  const controlPlane = model.controlPlane.name;
  const objects = (folder: OutputFolder) => `${folder.manifests.length} object${folder.manifests.length === 1 ? '' : 's'}`;
  const sail = model.sail;
  const tokenAfterIstio = sail !== undefined && sailReaderTokenAfterIstio(sail);
  const steps = sail
    ? [
      `1. The Sail operator on every cluster, then the control plane's Istio: the objects labelled \`${MESH_COMPONENT_SELECTOR}\` of \`${controlPlaneClusterFolder.folder}/\` on \`${controlPlane}\` (its \`Istio\` and namespaces), and wait until the operator reports it ready.`,
      `2. \`${controlPlaneClusterFolder.folder}/\` on \`${controlPlane}\` (${objects(controlPlaneClusterFolder)}): the control-plane cluster's namespaces, gateways and workloads, injected by the istiod that is now ready.`,
    ]
    : [
      installWritten
        ? `1. Install Istio with the Helm values and commands in \`${INSTALL_FOLDER}/\` (kustomize does not apply them): the control plane on \`${controlPlane}\` first.`
        : `1. Install Istio with values that match this mesh, the control plane on \`${controlPlane}\` first: the mesh holds no \`InstallValues\`, so no \`${INSTALL_FOLDER}/\` with the Helm values and commands was written (add one to get them).`,
      controlPlaneClusterFolder.manifests.length === 0
        ? `2. \`${controlPlaneClusterFolder.folder}/\` holds no object (the mesh places no gateway or workload on \`${controlPlane}\`): nothing to apply.`
        : `2. \`${controlPlaneClusterFolder.folder}/\` on \`${controlPlane}\` (${objects(controlPlaneClusterFolder)}): the control-plane cluster's namespaces, gateways and workloads.`,
    ];
  const commands = sail
    ? [...folders.flatMap(sailOperatorCommands), applyCommand(controlPlaneClusterFolder, MESH_COMPONENT_SELECTOR), waitForIstio(controlPlane), applyCommand(controlPlaneClusterFolder)]
    : applyCommands(controlPlaneClusterFolder);
  if (remoteFolders.length === 0) {
    steps.push(`3. \`${CONTROL_PLANE_FOLDER}/\` on \`${controlPlane}\` only (${objects(controlPlaneFolder)}): the mesh's Istio configuration; istiod reads it from its own cluster only, and it applies to the whole mesh.`);
    commands.push(...applyCommands(controlPlaneFolder));
  } else {
    const remotes = remoteFolders.map((folder) => `\`${folder.folder}/\` on \`${folder.cluster}\``).join(', ');
    steps.push(
      sail
        ? `3. The mesh components of each remote, the objects labelled \`${MESH_COMPONENT_SELECTOR}\` of ${remotes}: \`istio-system\`, ${tokenAfterIstio ? '' : `the reader account and its token Secret (the operator installs the \`base\` chart, which renders the account, for the revision \`default\` only), `}the remote's \`Istio\` (\`profile: remote\`), from which the operator renders ${tokenAfterIstio ? 'the reader account, ' : ''}the \`istiod\` Service and the injection webhook${tokenAfterIstio ? `, and once the operator has reconciled it, the reader token Secret (labelled \`${AFTER_ISTIO_SELECTOR}\`): Kubernetes deletes a token Secret whose account does not exist yet` : ''}. They go before the remote's workloads, because pods created before the webhook exists start without a sidecar. The operator reports a remote \`Istio\` ready once its webhook reaches istiod, so it is waited for after step 5.`
        : `3. The mesh components of each remote, the objects labelled \`${MESH_COMPONENT_SELECTOR}\` of ${remotes}: \`istio-system\`, the reader account's RBAC and token Secret (the account is the \`base\` chart's), the \`istiod\` Service and the injection webhook. They go before the remote's workloads, because pods created before the webhook exists start without a sidecar.`,
      `4. Publish each remote's reader token where the remote secrets read it (see Tokens below): Kubernetes fills the token Secret once step 3 has created it, and \`${TOKENS_COMMAND}\` prints what to publish.`,
      `5. \`${CONTROL_PLANE_FOLDER}/\` on \`${controlPlane}\` only (${objects(controlPlaneFolder)}): the mesh's Istio configuration and the remote secrets; istiod reads both from its own cluster only, and they apply to the whole mesh.`,
      `6. Each remote's whole folder: ${remoteFolders.map((folder) => `\`${folder.folder}/\` (${objects(folder)})`).join(', ')}. Its pods are injected by istiod, which now knows the cluster.`,
    );
    commands.push(...remoteFolders.flatMap((folder) => tokenAfterIstio
      ? [applyCommand(folder, `${MESH_COMPONENT_SELECTOR},${INSTALL_STAGE_LABEL}!=${INSTALL_STAGES.afterIstio}`), waitForIstio(folder.cluster, 'Reconciled'), applyCommand(folder, AFTER_ISTIO_SELECTOR)]
      : [applyCommand(folder, MESH_COMPONENT_SELECTOR)]));
    commands.push(
      '# publish the reader tokens (see Tokens)',
      applyCommand(controlPlaneFolder),
      ...remoteFolders.flatMap((folder) => [...(sail && model.cluster(folder.cluster).injectionUrl === undefined ? [waitForIstio(folder.cluster)] : []), applyCommand(folder)]),
    );
  }
  return ['## Apply order', '', ...steps, '', 'The commands, from this folder:', '', '```sh', ...commands, '```'].join('\n');
}

/**
 * The operator's own install on a cluster: its Subscription when the folder holds one (OLM then
 * installs the operator and its CRDs, which the `Istio` needs), nothing when it is a prerequisite.
 */
function sailOperatorCommands({ folder, cluster, manifests }: OutputFolder): string[] {
  const subscription = manifests.find((manifest) => manifest.kind === 'Subscription' && apiGroup(manifest) === 'operators.coreos.com');
  if (!subscription) return [];
  return [
    `kubectl --context ${cluster} apply -f ${folder}/${manifestFileName(subscription)}`,
    `until kubectl --context ${cluster} get crd istios.sailoperator.io >/dev/null 2>&1; do sleep 10; done`,
  ];
}

/**
 * The folder's apply, or none for a folder without objects: `kubectl apply -k` refuses an empty
 * kustomization ("error: no objects passed to apply") and would stop a script of these commands.
 */
function applyCommands(folder: OutputFolder): string[] {
  return folder.manifests.length === 0 ? [] : [applyCommand(folder)];
}

function waitForIstio(cluster: string, condition: 'Ready' | 'Reconciled' = 'Ready'): string {
  return `kubectl --context ${cluster} wait --for=condition=${condition} istios/${SAIL_ISTIO_NAME} --timeout=5m`;
}

/** The objects applied once their cluster's `Istio` is reconciled. */
const AFTER_ISTIO_SELECTOR = `${INSTALL_STAGE_LABEL}=${INSTALL_STAGES.afterIstio}`;


/**
 * `kubectl apply -k`, or through `envsubst` when the folder carries `${VAR}` placeholders meant
 * for Flux; only the objects a label selector picks, when given one.
 */
function applyCommand({ folder, cluster, placeholders: variables }: OutputFolder, selector?: string): string {
  const only = selector ? ` -l ${selector}` : '';
  if (variables.length === 0) return `kubectl --context ${cluster} apply -k ${folder}${only}`;
  const shellFormat = variables.map((variable) => `\${${variable}}`).join(' ');
  return `kubectl kustomize ${folder} | envsubst '${shellFormat}' | kubectl --context ${cluster} apply -f -${only}`;
}

/**
 * The `${VAR}` placeholders (Flux post-build substitution syntax) in an object's YAML. The YAML
 * holds every key and string as it is: no line is folded, and YAML escapes none of `$`, `{`, `}`
 * or a variable name's characters, so a placeholder is found there exactly when a key or string of
 * the object holds it, and never across two of them (a `: `, `- ` or line break separates them).
 */
function placeholdersIn(yaml: string): string[] {
  if (!yaml.includes('${')) return [];
  return [...yaml.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1]);
}

/** Where the remote-secret tokens come from, when the folders reference them rather than hold them. */
function tokens(folders: readonly OutputFolder[]): string | undefined {
  const lines: string[] = [];
  for (const { folder, manifests, placeholders: variables } of folders) {
    for (const [store, keys] of externalSecretEntries(manifests)) {
      lines.push(`- \`${folder}/\` has external-secrets read them from the ${store}, which must hold ${keys.join(', ')}.`);
    }
    if (variables.length > 0) {
      const names = variables.map((variable) => `\`${variable}\``).join(', ');
      lines.push(`- \`${folder}/\` carries \`\${VAR}\` placeholders for Flux post-build substitution; applied by hand, the \`envsubst\` command above fills them from the environment: ${names}.`);
    }
  }
  if (lines.length === 0) return undefined;
  return [
    '## Tokens',
    '',
    'The remote secrets hold no token in these folders; they reference them:',
    '',
    ...lines,
    '',
    `Each value comes from a remote's reader token Secret, that of \`${READER_SERVICE_ACCOUNT}\`:`,
    '',
    '```sh',
    '# the bearer token',
    `${readTokenSecretKey(TOKEN_PROPERTY)} | base64 -d`,
    '# the API server CA, decoded (PEM) for an external-secrets store entry, whose template encodes it again;',
    '# for a Flux or envsubst variable leave out `| base64 -d`: certificate-authority-data takes it base64-encoded',
    `${readTokenSecretKey(CA_PROPERTY)} | base64 -d`,
    '```',
  ].join('\n');
}

/**
 * How a reader token is rotated with the mesh's credential source, and why the remote secrets
 * stay Secrets although Istio 1.30 can read remote kubeconfigs from a mounted directory.
 */
function rotation(model: Mesh): string | undefined {
  if (model.remotes.length === 0) return undefined;
  const renew = `Delete the remote's token Secret (\`kubectl --context <remote> -n ${ISTIO_SYSTEM_NAMESPACE} delete secret ${READER_TOKEN_SECRET}\`) and apply its folder again: Kubernetes invalidates the old token with its Secret and fills a new one.`;
  const publish: Record<Mesh['credentials']['source'], string> = {
    'flux-substitution': `Then publish the tokens again (\`${TOKENS_COMMAND} | kubectl --context <management> apply -f -\`) and let the control-plane Kustomization reconcile (\`flux reconcile kustomization ${controlPlaneDeliveryName(model)}\`): it substitutes the new token into the remote secret, which istiod reloads.`,
    'external-secret': `Then write the new store entries (\`${TOKENS_COMMAND}\`) to the ${model.credentials.secretStore.kind} \`${model.credentials.secretStore.name}\`: external-secrets renders the remote secret again within its refresh interval (${model.credentials.refreshInterval}), and istiod reloads it.`,
    inline: `Then put the new token in the inventory (\`clusters[].token\`), synthesize again and apply \`${CONTROL_PLANE_FOLDER}/\`: istiod reloads the remote secret.`,
  };
  return [
    '## Rotating a reader token',
    '',
    `${renew} ${publish[model.credentials.source]}`,
    '',
    'Istio 1.30 can also read remote kubeconfigs from a directory mounted into istiod (`PILOT_MULTICLUSTER_KUBECONFIG_PATH`); this tool does not use it. When it is set, istiod reads remote clusters from that directory only and ignores the `istio/multiCluster` Secrets, so the remote secrets above, which every credential source renders and the analyzers check, would be dead; and mounting files into istiod changes its Deployment, which the Istio chart owns.',
  ].join('\n');
}

function readTokenSecretKey(key: string): string {
  const jsonPathKey = key.replace(/\./g, '\\.');
  return `kubectl --context <remote> -n ${ISTIO_SYSTEM_NAMESPACE} get secret ${READER_TOKEN_SECRET} -o jsonpath='{.data.${jsonPathKey}}'`;
}

/** Store (`Kind \`name\``) -> the remote keys its ExternalSecrets read, sorted. */
function externalSecretEntries(manifests: readonly Manifest[]): Map<string, string[]> {
  const keysByStore = new Map<string, string[]>();
  for (const manifest of manifests.filter((m) => isKind(m, KINDS.externalSecret))) {
    const spec = record(manifest.spec);
    const storeRef = record(spec.secretStoreRef);
    // external-secrets defaults the store kind to SecretStore.
    const store = `${text(storeRef.kind) ?? 'SecretStore'} \`${text(storeRef.name) ?? '?'}\``;
    const keys = list(spec.data).flatMap((entry) => {
      const remoteRef = record(record(entry).remoteRef);
      const key = text(remoteRef.key);
      const property = text(remoteRef.property);
      return key === undefined ? [] : [property === undefined ? `\`${key}\`` : `\`${key}\` (property \`${property}\`)`];
    });
    keysByStore.set(store, [...(keysByStore.get(store) ?? []), ...keys].sort(compareText));
  }
  return keysByStore;
}

/**
 * The Mermaid flowchart: a subgraph per cluster with its API server, gateways and workloads,
 * inside subgraphs of its region and zone, istiod in the control plane, and an edge for each
 * remote secret istiod reads a cluster with.
 */
function topology(model: Mesh, manifests: MeshManifests, folders: readonly OutputFolder[]): string {
  const ids = new MermaidIds();
  const lines = ['## Topology', '', '```mermaid', 'flowchart TB'];
  const istiod = ids.of('istiod', model.controlPlane.name);
  const clusterLines = (cluster: Cluster, indent: string) => {
    const role = cluster.isControlPlane ? 'control plane' : 'remote';
    lines.push(`${indent}subgraph ${ids.of('cluster', cluster.name)}["${mermaidText(`${cluster.name}: ${role}, network ${cluster.network}`)}"]`);
    lines.push(`${indent}  ${ids.of('apiserver', cluster.name)}["API server"]`);
    if (cluster.isControlPlane) lines.push(`${indent}  ${istiod}["istiod"]`);
    const objects = folders.filter((folder) => folder.cluster === cluster.name).flatMap((folder) => folder.manifests);
    for (const node of podNodes(objects)) {
      lines.push(`${indent}  ${ids.of(node.kind, cluster.name, node.namespace, node.name)}["${mermaidText(node.label)}"]`);
    }
    lines.push(`${indent}end`);
  };
  // Region, then zone, in the order clusters first name them; clusters naming none stay at the top level.
  for (const [region, zones] of groupBy(model.clusters, (cluster) => cluster.region)) {
    if (region !== undefined) lines.push(`  subgraph ${ids.of('region', region)}["${mermaidText(`region ${region}`)}"]`);
    for (const [zone, clusters] of groupBy(zones, (cluster) => cluster.zone)) {
      const zoneIndent = region === undefined ? '  ' : '    ';
      if (zone !== undefined) lines.push(`${zoneIndent}subgraph ${ids.of('zone', region ?? '', zone)}["${mermaidText(`zone ${zone}`)}"]`);
      for (const cluster of clusters) clusterLines(cluster, zone === undefined ? zoneIndent : `${zoneIndent}  `);
      if (zone !== undefined) lines.push(`${zoneIndent}end`);
    }
    if (region !== undefined) lines.push('  end');
  }
  for (const link of remoteSecretLinks(model, manifests)) {
    lines.push(`  ${istiod} -->|"${mermaidText(link.secretName)}"| ${ids.of('apiserver', link.cluster)}`);
  }
  lines.push('```');
  return lines.join('\n');
}

/** Items by a key, keys and items in the order first met. */
function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

/**
 * Zone-aware routing as rendered: which traffic stays where, and what happens when a zone, a
 * region, a cluster or the control-plane cluster is lost. None for a mesh without localities.
 */
function locality(model: Mesh, manifests: MeshManifests): string | undefined {
  const policy = model.locality;
  if (!policy.configured) return undefined;
  const located = model.clusters.filter((cluster) => cluster.locality !== undefined);
  const labelled = located.filter((cluster) => Object.keys(cluster.localityPodLabels).length > 0);
  const fromNodes = located.filter((cluster) => Object.keys(cluster.localityPodLabels).length === 0);
  const names = (clusters: readonly Cluster[]) => clusters.map((cluster) => `\`${cluster.name}\` (\`${cluster.locality}\`)`).join(', ');
  const outlier = policy.outlierDetection;
  const lines = ['## Locality', ''];
  if (labelled.length > 0) lines.push(`- Workloads and gateways carry their cluster's locality in the pod label \`${LABELS.locality}\`: ${names(labelled)}.`);
  if (fromNodes.length > 0) lines.push(`- Istio reads the locality of ${names(fromNodes)} from the nodes' \`topology.kubernetes.io/region\` and \`zone\` labels, which must match.`);
  switch (policy.mode) {
    case 'off':
      lines.push('- Locality load balancing is off (`localityLbSetting.enabled: false`): every request may go to any cluster running the service.');
      break;
    case 'distribute':
      lines.push('- Traffic is spread by weight (`localityLbSetting.distribute`):', ...policy.distribute.map(({ from, to }) =>
        `  - from \`${from}\`: ${Object.entries(to).map(([target, weight]) => `${weight}% to \`${target}\``).join(', ')}`));
      break;
    case 'failover': {
      const failover = policy.failover.map(({ from, to }) => `\`${from}\` to \`${to}\``).join(', ');
      lines.push(
        '- A request, entering at a gateway or between services, goes to endpoints in the caller\'s own subzone and zone while they are healthy, then to its region, ' +
          (failover ? `then (\`failover\`) from ${failover}, then to any other region.` : 'then to any other region.'),
        ...(policy.failoverPriority.length > 0 ? [`- Endpoints whose labels match the caller's are preferred in this order first: ${policy.failoverPriority.map((label) => `\`${label}\``).join(', ')}.`] : []),
        `- Every DestinationRule of a service running in more than one locality has \`outlierDetection\` (Istio never fails over without it): an endpoint is ejected after ${outlier.consecutive5xxErrors} consecutive 5xx answers, for at least ${outlier.baseEjectionTime} (checked every ${outlier.interval}, up to ${outlier.maxEjectionPercent}% of the endpoints), and once a locality has no healthy endpoint its callers fail over.`,
      );
      break;
    }
  }
  const clusterLocal = [...new Set(
    [...manifests.clusters.values()].flat().filter((m) => m.kind === 'Service' && m.metadata.annotations?.[APP_ANNOTATIONS.clusterLocal] === 'true').map((m) => `\`${m.metadata.name}.${m.metadata.namespace ?? 'default'}\``),
  )].sort(compareText);
  const clusterLocalHosts = policy.clusterLocalHosts.map((host) => `\`${host}\``);
  if (clusterLocal.length + clusterLocalHosts.length > 0) {
    lines.push(`- Cluster-local (MeshConfig \`serviceSettings\`): ${[...clusterLocal, ...clusterLocalHosts].join(', ')}. Their callers reach only their own cluster's endpoints, whatever fails.`);
  }
  const controlPlane = model.controlPlane.name;
  const losses =
    policy.mode === 'failover'
      ? [
        '- **A zone or a cluster**: callers elsewhere eject its endpoints as they fail and move to the nearest healthy locality. Its ingress gateway goes with it: steer external clients to another cluster\'s gateway (DNS or a global load balancer); the mesh does not.',
        `- **A region**: callers in other regions already stayed home; callers of that region that survive fail over ${policy.failover.length > 0 ? 'as `failover` says, else to any other region' : 'to any other region'}.`,
      ]
      : [
        '- **A zone, a cluster or a region**: requests sent to its endpoints fail until those endpoints leave the service (no failover by locality in this mode). Its ingress gateway goes with it: steer external clients to another cluster\'s gateway (DNS or a global load balancer); the mesh does not.',
      ];
  lines.push(
    '',
    'When something is lost:',
    '',
    ...losses,
    `- **The control-plane cluster \`${controlPlane}\`**: the mesh freezes. Proxies keep their last configuration and traffic flows, failover included among the endpoints they already know, but no change reaches them: new pods in injected namespaces are refused (the injection webhook calls istiod), endpoints of new pods are never announced, and workload certificates are not renewed (they last 24 hours by default). Restore \`${controlPlane}\` before then.`,
  );
  return lines.join('\n');
}

interface PodNode {
  readonly kind: 'gateway' | 'workload';
  readonly namespace: string;
  readonly name: string;
  readonly label: string;
}

/** Gateways (pods injected with Istio's `gateway` template) and app workloads (`app` + `version` pods), sorted. */
function podNodes(manifests: readonly Manifest[]): PodNode[] {
  const nodes = manifests.filter((manifest) => isKind(manifest, KINDS.deployment)).flatMap((deployment): PodNode[] => {
    const pods = podTemplate(deployment)!;
    const { name, namespace = 'default' } = deployment.metadata;
    if (pods.annotations[ANNOTATIONS.injectTemplates] === 'gateway') {
      return [{ kind: 'gateway', namespace, name, label: `gateway ${name} (${namespace})` }];
    }
    const app = pods.labels[LABELS.app];
    const version = pods.labels[LABELS.version];
    return app && version ? [{ kind: 'workload', namespace, name, label: `${app} ${version} (${namespace})` }] : [];
  });
  return nodes.sort((a, b) => compareText(a.kind, b.kind) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name));
}

/** The clusters istiod reads through the remote secrets of control-plane/: one link per secret and data key. */
function remoteSecretLinks(model: Mesh, manifests: MeshManifests): { readonly cluster: string; readonly secretName: string }[] {
  const clusterOrder = new Map(model.clusters.map((cluster, index) => [cluster.name, index]));
  const links = new Map<string, { readonly cluster: string; readonly secretName: string }>();
  for (const manifest of manifests.controlPlane) {
    const secret = remoteSecretOf({ manifest, cluster: model.controlPlane.name, folder: CONTROL_PLANE_FOLDER });
    if (!secret) continue;
    // A key naming no cluster of the mesh is an analyzer finding, not a node to invent here.
    for (const cluster of secret.dataKeys.filter((key) => clusterOrder.has(key))) {
      links.set(`${cluster}/${secret.name}`, { cluster, secretName: secret.name });
    }
  }
  return [...links.values()].sort((a, b) => clusterOrder.get(a.cluster)! - clusterOrder.get(b.cluster)! || compareText(a.secretName, b.secretName));
}

/**
 * Mermaid node ids: readable, and safe whatever the names hold. Only letters, digits and `_` are
 * kept (`-` would read as part of an edge), a kind prefix keeps ids off keywords such as `end`,
 * and a numbered suffix keeps two names that sanitize alike apart.
 */
class MermaidIds {
  private readonly idByKey = new Map<string, string>();
  private readonly usedIds = new Set<string>();

  public of(kind: string, ...names: string[]): string {
    const key = JSON.stringify([kind, ...names]);
    const existing = this.idByKey.get(key);
    if (existing) return existing;
    const base = [kind, ...names].join('_').replace(/[^A-Za-z0-9_]/g, '_');
    let id = base;
    for (let suffix = 2; this.usedIds.has(id); suffix++) id = `${base}_${suffix}`;
    this.idByKey.set(key, id);
    this.usedIds.add(id);
    return id;
  }
}

/** Text for a quoted Mermaid label: quotes, `#` (entity syntax), HTML brackets and backticks (markdown strings) as entity codes. */
function mermaidText(value: string): string {
  return value.replace(/["#<>`]/g, (char) => `#${char.charCodeAt(0)};`);
}
