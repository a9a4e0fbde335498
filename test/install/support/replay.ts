/**
 * Install-suite support: an output folder installed into test clusters the way its READMEs tell
 * a user to. `install/README.md`'s commands run as written, with the local charts of
 * `../shared/upstream/istio-<version>/manifests/charts` for the `istio/<chart>` repository and
 * without `--wait` (no kubelet runs istiod's pod). `README.md`'s commands run in their order,
 * every `kubectl apply` made server-side, so that a field another manager (helm) owns is a
 * conflict and fails the command. The GitOps phases replay the same folders in the order of the
 * Flux Kustomizations' `dependsOn`.
 *
 * Every command's stderr is kept: an accepted object with a warning (Pod Security, a
 * deprecated API, an unknown field) is a failure the tests assert on.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dump, load, loadAll } from 'js-yaml';
import { LABELS } from '../../../lib/model/names';
import { kubeconfigSecretName } from '../../../lib/writer/gitops';
import { helmBinary } from '../../support/helm';
import { upstreamPath } from '../../support/upstream';
import type { TestClusters } from './clusters';

/** What one command printed on stderr, for the test's assertion on warnings. */
export interface CommandOutput {
  readonly command: string;
  readonly stderr: string;
}

/** An `apply` the replay ran, kept so that the second apply can repeat it. */
export interface AppliedFolder {
  readonly context: string;
  /** `-k <folder>`, `-f <file>` or `-f -`, and `-l <selector>` when the README narrows it. */
  readonly target: readonly string[];
  /** What `-f -` reads: a folder rendered through envsubst. */
  readonly input?: string;
}

/** The hooks for the README's steps that are no kubectl command. */
export interface ReplayHooks {
  /**
   * "publish the reader tokens": runs once the remotes' mesh components are applied; returns
   * the variables a user then has in the environment for the README's envsubst commands.
   */
  readonly publishTokens: () => Readonly<Record<string, string>>;
  /** "until kubectl get crd ...": the operator's CRDs appear; the test installs them instead. */
  readonly operatorInstalled?: (context: string) => void;
  /**
   * "kubectl wait ... istios/<name>": the operator has reconciled that `Istio`; the test creates
   * in its place what the operator renders from it. Called once per cluster and `Istio`.
   */
  readonly operatorReconciled?: (context: string, istio: string) => void;
}

const HEADER_OF_COMMANDS = 'The commands, from this folder:';

/**
 * The warnings let through, by command, each with why. They come from upstream's charts
 * whatever values the output gives them, or from output that mirrors upstream's chart of an
 * older Istio release; every other warning fails the suite.
 */
const KNOWN_WARNINGS: ReadonlyArray<{ readonly command: RegExp; readonly warning: string; readonly why: string }> = [
  {
    command: /^helm (?:upgrade --)?install istio-cni /,
    warning: 'Warning: spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/install-cni]: deprecated since v1.30; use the "appArmorProfile" field instead',
    why: "the cni chart's DaemonSet carries the AppArmor annotation: always up to 1.29 (charts/istio-cni/templates/daemonset.yaml), by default in 1.30 (useAppArmorAnnotation: true in its values.yaml)",
  },
  {
    command: /^helm (?:upgrade --)?install istio-base \S+\/istio-1\.24\.\d+\//,
    warning: 'Warning: unrecognized format "binary"',
    why: "the 1.24 base chart's CRDs have `format: binary` properties (charts/base/files/crd-all.gen.yaml), a format kube-apiserver does not know",
  },
  {
    command: /^kubectl --context \S+ apply --server-side -k clusters\/\S+/,
    warning: 'Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice',
    why: "for Istio 1.24 to 1.27 a remote's istiod endpoints are v1 Endpoints, as those releases' istiod chart writes them (templates/remote-istiod-endpoints.yaml); Kubernetes 1.33 deprecates the kind",
  },
];

/**
 * Every stderr line of the commands but the known upstream chart warnings. Helm logs an API
 * server's warning through klog (`I1204 ... warnings.go:107] "Warning: ..."`), kubectl prints it
 * as it is; both are compared by the warning's text.
 */
export function unexpectedOutput(output: readonly CommandOutput[]): string[] {
  const lines: string[] = [];
  for (const { command, stderr } of output) {
    for (const line of stderr.split('\n')) {
      const klog = /^[IWE]\d{4} [\d:.]+\s+\d+ \S+\] "(.*)"$/.exec(line);
      const text = klog ? (JSON.parse(`"${klog[1]}"`) as string) : line;
      if (!KNOWN_WARNINGS.some((known) => known.command.test(command) && known.warning === text)) lines.push(`${command}: ${line}`);
    }
  }
  return lines;
}

export class InstallReplay {
  /** Each command's non-empty stderr, in order. */
  readonly output: CommandOutput[] = [];
  /** Every apply, in order. */
  readonly applied: AppliedFolder[] = [];
  /** The HelmReleases installed as `helm upgrade --install`, as context/namespace/release, in order. */
  readonly helmReleases: string[] = [];
  /** The README steps the suite cannot run (waits for an operator or pods), in order. */
  readonly skipped: string[] = [];

  constructor(
    /** The synthesized output folder. */
    readonly out: string,
    readonly clusters: TestClusters,
  ) {}

  /** Runs `install/README.md`'s commands with the charts of the given Istio release (e.g. 1.30.3). */
  installIstio(istioRelease: string): void {
    const charts = chartFolders(upstreamPath(`istio-${istioRelease}`, 'manifests', 'charts'));
    for (const line of shellLines(readFileSync(join(this.out, 'install', 'README.md'), 'utf8'))) {
      const words = commandWords(line);
      if (words[0] === 'kubectl') {
        this.kubectl(words.slice(1));
      } else if (words[0] === 'helm' && words[1] === 'repo' && (words[2] === 'add' || words[2] === 'update')) {
        // The charts come from the release's folders in place of the repository (no network).
        this.skipped.push(line);
      } else if (words[0] === 'helm' && (words[1] === 'install' || (words[1] === 'upgrade' && words[2] === '--install'))) {
        // `helm install` as the previous release wrote it, `helm upgrade --install` as this one does.
        const args = words.slice(1).filter((word, index, all) => word !== '--wait' && word !== '--version' && all[index - 1] !== '--version').map((word) => {
          if (!word.startsWith('istio/')) return word;
          const chart = charts.get(word.slice('istio/'.length));
          if (!chart) throw new Error(`install/README.md installs ${word}, which the release's charts do not hold (${[...charts.keys()].join(', ')})`);
          // The release's folder stands in for the pinned --version from the repository (its
          // Chart.yaml, as istio/istio's tree holds it, carries no release version).
          return chart.folder;
        });
        this.run(helmBinary(), args);
      } else {
        throw new Error(`install/README.md has a command the replay does not know: ${line}`);
      }
    }
  }

  /** Runs the README's apply order. */
  applyInReadmeOrder(hooks: ReplayHooks): void {
    const readme = readFileSync(join(this.out, 'README.md'), 'utf8');
    const start = readme.indexOf(HEADER_OF_COMMANDS);
    if (start < 0) throw new Error(`README.md has no "${HEADER_OF_COMMANDS}" section`);
    const [block] = shellBlocks(readme.slice(start));
    let variables: Readonly<Record<string, string>> = {};
    const reconciled = new Set<string>();
    for (const line of block ?? []) {
      if (line === '# publish the reader tokens (see Tokens)') {
        variables = hooks.publishTokens();
        continue;
      }
      const substituted = /^kubectl kustomize (\S+) \| envsubst '([^']*)' \| kubectl --context (\S+) apply -f -((?: -l \S+)?)$/.exec(line);
      if (substituted) {
        const [, folder, shellFormat, context, selector] = substituted;
        this.applySubstituted(context!, folder!, shellFormat!, variables, selector!.trim().split(' ').filter(Boolean));
        continue;
      }
      const crdWait = /^until kubectl --context (\S+) get crd (\S+) >\/dev\/null 2>&1; do sleep 10; done$/.exec(line);
      if (crdWait) {
        const [, context, crd] = crdWait;
        if (!hooks.operatorInstalled) throw new Error(`README.md waits for ${crd}, but the test installs no operator`);
        hooks.operatorInstalled(context!);
        this.kubectl(['--context', context!, 'get', 'crd', crd!]);
        continue;
      }
      const words = commandWords(line);
      if (words[0] !== 'kubectl' || words[1] !== '--context') throw new Error(`README.md has a command the replay does not know: ${line}`);
      const context = words[2]!;
      const verb = words[3];
      const waitedIstio = verb === 'wait' ? words.find((word) => word.startsWith('istios/'))?.slice('istios/'.length) : undefined;
      if (waitedIstio && hooks.operatorReconciled && !reconciled.has(`${context}/${waitedIstio}`)) {
        // The first wait for an Istio of a cluster: the operator would have rendered it by then.
        reconciled.add(`${context}/${waitedIstio}`);
        hooks.operatorReconciled(context, waitedIstio);
        this.skipped.push(line);
      } else if (verb === 'wait') {
        this.skipped.push(line);
      } else if (verb === 'apply') {
        this.apply({ context, target: words.slice(4) });
      } else {
        throw new Error(`README.md has a kubectl command the replay does not know: ${line}`);
      }
    }
  }

  /**
   * Applies the Flux Kustomizations' paths in their `dependsOn` order, each on the cluster whose
   * kubeconfig Secret it names; the reader tokens are published before the first phase that
   * depends on a remote's mesh components, as the README's manual step says.
   */
  applyGitopsPhases(clusterNames: readonly string[], basePath: string, hooks: ReplayHooks): string[] {
    const kustomizations = readdirSync(join(this.out, 'gitops'))
      .filter((file) => file.startsWith('kustomization.kustomize.toolkit.fluxcd.io_'))
      .map((file) => load(readFileSync(join(this.out, 'gitops', file), 'utf8')) as FluxKustomization);
    const done = new Set<string>();
    const order: string[] = [];
    let variables: Readonly<Record<string, string>> | undefined;
    while (done.size < kustomizations.length) {
      const next = kustomizations.find((k) => !done.has(k.metadata.name) && (k.spec.dependsOn ?? []).every((d) => done.has(d.name)));
      if (!next) throw new Error('the Flux Kustomizations depend on each other in a cycle');
      const folder = relative(basePath, next.spec.path.replace(/^\.\//, ''));
      done.add(next.metadata.name);
      order.push(next.metadata.name);
      // The management cluster's own Kustomization: its HelmReleases, replayed as the helm-controller runs them.
      if (!next.spec.kubeConfig && this.installHelmReleases(clusterNames, folder)) continue;
      const context = clusterNames.find((name) => kubeconfigSecretName(name) === next.spec.kubeConfig?.secretRef.name);
      if (!context) throw new Error(`Flux Kustomization ${next.metadata.name} names no cluster's kubeconfig Secret`);
      if (!variables && next.spec.path.endsWith('/control-plane')) variables = hooks.publishTokens();
      // Flux's post-build substitution, for the folders whose Kustomization asks for it.
      if (next.spec.postBuild?.substituteFrom) this.applySubstituted(context, folder, Object.keys(variables ?? {}).map((name) => `\${${name}}`).join(' '), variables ?? {}, []);
      else this.applyRetryingForOperator(context, folder, hooks);
    }
    return order;
  }

  /**
   * The HelmReleases of a folder in their `dependsOn` order, each as the `helm upgrade --install`
   * it describes on the cluster its kubeconfig Secret names, with the chart of its pinned release's
   * folder in place of the repository and its values on stdin; false when the folder holds none.
   */
  private installHelmReleases(clusterNames: readonly string[], folder: string): boolean {
    const releases = readdirSync(join(this.out, folder))
      .filter((file) => file.startsWith('helmrelease.helm.toolkit.fluxcd.io_'))
      .map((file) => load(readFileSync(join(this.out, folder, file), 'utf8')) as FluxHelmRelease);
    const installed = new Set<string>();
    while (installed.size < releases.length) {
      const next = releases.find((r) => !installed.has(r.metadata.name) && (r.spec.dependsOn ?? []).every((d) => installed.has(d.name)));
      if (!next) throw new Error(`the HelmReleases of ${folder} depend on each other in a cycle`);
      const { spec } = next;
      const context = clusterNames.find((name) => kubeconfigSecretName(name) === spec.kubeConfig?.secretRef.name);
      if (!context) throw new Error(`HelmRelease ${next.metadata.name} names no cluster's kubeconfig Secret`);
      const chart = chartFolders(upstreamPath(`istio-${spec.chart.spec.version}`, 'manifests', 'charts')).get(spec.chart.spec.chart);
      if (!chart) throw new Error(`HelmRelease ${next.metadata.name} installs ${spec.chart.spec.chart} ${spec.chart.spec.version}, which the upstream data does not hold`);
      const namespace = spec.targetNamespace ?? next.metadata.namespace;
      this.run(helmBinary(), ['upgrade', '--install', spec.releaseName ?? next.metadata.name, chart.folder, '-n', namespace, ...(spec.install?.createNamespace ? ['--create-namespace'] : []), `--kube-context=${context}`, '-f', '-'], dump(spec.values ?? {}));
      installed.add(next.metadata.name);
      this.helmReleases.push(`${context}/${namespace}/${spec.releaseName ?? next.metadata.name}`);
    }
    return releases.length > 0;
  }

  /** `kubectl diff --server-side` of every apply so far; returns the diffs that are not empty. */
  diffAgain(): string[] {
    const diffs: string[] = [];
    for (const { context, target, input } of this.applied) {
      const result = this.spawn('kubectl', ['--context', context, 'diff', '--server-side', ...target], input);
      if (result.status === 1) diffs.push(`kubectl --context ${context} diff ${target.join(' ')}:\n${result.stdout}`);
      else if (result.status !== 0) throw new Error(`kubectl diff ${target.join(' ')} failed (${result.status}): ${result.stderr}`);
    }
    return diffs;
  }

  /**
   * A phase's apply. A phase that holds the Sail operator's Subscription and an `Istio` fails
   * until OLM has installed the operator's CRDs; Flux retries it (`retryInterval`), so the
   * replay installs the operator's CRDs in OLM's place and applies the phase again.
   */
  private applyRetryingForOperator(context: string, folder: string, hooks: ReplayHooks): void {
    try {
      this.apply({ context, target: ['-k', folder] });
    } catch (error) {
      if (!hooks.operatorInstalled || !/no matches for kind "\w+" in version "sailoperator\.io\//.test((error as Error).message)) throw error;
      this.skipped.push(`${folder} on ${context}: applied again once the operator's CRDs exist, as Flux retries`);
      hooks.operatorInstalled(context);
      this.apply({ context, target: ['-k', folder] });
    }
  }

  /** `kubectl kustomize <folder> | envsubst <shellFormat> | kubectl apply -f -`, as the README spells it. */
  private applySubstituted(context: string, folder: string, shellFormat: string, variables: Readonly<Record<string, string>>, selector: readonly string[]): void {
    const rendered = this.run('envsubst', [shellFormat], this.kubectl(['kustomize', folder]), variables);
    this.apply({ context, target: ['-f', '-', ...selector], input: rendered });
  }

  /** A server-side apply, kept for `diffAgain`. */
  apply(folder: AppliedFolder): void {
    this.kubectl(['--context', folder.context, 'apply', '--server-side', ...folder.target], folder.input);
    this.applied.push(folder);
  }

  /** kubectl against the test clusters; fails on a non-zero exit, keeps stderr otherwise. */
  kubectl(args: readonly string[], input?: string): string {
    return this.run('kubectl', args, input);
  }

  private run(command: string, args: readonly string[], input?: string, variables: Readonly<Record<string, string>> = {}): string {
    const result = this.spawn(command, args, input, variables);
    const line = `${command.split('/').at(-1)} ${args.join(' ')}`;
    if (result.status !== 0) throw new Error(`${line} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
    if (result.stderr.trim()) this.output.push({ command: line, stderr: result.stderr.trim() });
    return result.stdout;
  }

  private spawn(command: string, args: readonly string[], input?: string, variables: Readonly<Record<string, string>> = {}) {
    const result = spawnSync(command, [...args], {
      cwd: this.out,
      // Only the test clusters' kubeconfig: never the machine's own.
      env: { PATH: process.env.PATH, HOME: join(this.out, '..', 'home'), KUBECONFIG: this.clusters.kubeconfig, ...variables },
      encoding: 'utf8',
      input,
      timeout: 180_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
    return result;
  }
}

interface FluxHelmRelease {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly chart: { readonly spec: { readonly chart: string; readonly version: string } };
    readonly releaseName?: string;
    readonly targetNamespace?: string;
    readonly install?: { readonly createNamespace?: boolean };
    readonly kubeConfig?: { readonly secretRef: { readonly name: string } };
    readonly dependsOn?: ReadonlyArray<{ readonly name: string }>;
    readonly values?: unknown;
  };
}

interface FluxKustomization {
  readonly metadata: { readonly name: string };
  readonly spec: { readonly path: string; readonly postBuild?: { readonly substituteFrom?: unknown }; readonly dependsOn?: ReadonlyArray<{ readonly name: string }>; readonly kubeConfig?: { readonly secretRef: { readonly name: string } } };
}

/** Chart name (its Chart.yaml's `name`, as the repository serves it) -> its folder in a release's charts. */
function chartFolders(chartsDir: string): Map<string, { readonly folder: string }> {
  const folders = new Map<string, { readonly folder: string }>();
  for (const entry of readdirSync(chartsDir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === 'Chart.yaml') {
      const { name } = load(readFileSync(join(entry.parentPath, entry.name), 'utf8')) as { name: string };
      folders.set(name, { folder: entry.parentPath });
    }
  }
  return folders;
}

/** The lines of every ```sh block of a Markdown text, without blank ones. */
function shellBlocks(markdown: string): string[][] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!.split('\n').filter((line) => line.trim() !== ''));
}

function shellLines(markdown: string): string[] {
  return shellBlocks(markdown).flat();
}

/** A README command split into words; quoting or shell syntax makes it one the replay must learn. */
function commandWords(line: string): string[] {
  if (/['"`$|;&<>\\]/.test(line)) throw new Error(`the replay runs commands without shell syntax; this one has some: ${line}`);
  return line.trim().split(/\s+/);
}

/** Every object of every YAML file of a folder tree (kustomization.yaml files excluded). */
export function objectsOf(dir: string): Array<{ file: string; object: KubeObject }> {
  const found: Array<{ file: string; object: KubeObject }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml') || entry.name === 'kustomization.yaml') continue;
    const file = join(entry.parentPath, entry.name);
    for (const object of loadAll(readFileSync(file, 'utf8'))) {
      if (object && typeof object === 'object' && 'kind' in object) found.push({ file: relative(dir, file), object: object as KubeObject });
    }
  }
  return found;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

const RESTRICTED_NAMESPACE = 'pod-security-restricted';

/**
 * What Pod Security `restricted` says of a Deployment, on the API server of `context`: the
 * Deployment (warn mode judges a workload's template) and a Pod of its template (enforce mode
 * judges pods) are created, in a server-side dry-run, in a namespace labelled restricted for
 * both. Returns kubectl's stderr lines: none when `restricted` accepts them.
 */
export function restrictedPodSecurityOutput(replay: InstallReplay, context: string, deployment: KubeObject): string[] {
  const labels = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' };
  const template = (deployment.spec as { template: { metadata?: object; spec: { serviceAccountName?: string } } }).template;
  // The ServiceAccount admission plugin refuses a pod whose account does not exist.
  const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: template.spec.serviceAccountName ?? 'default', namespace: RESTRICTED_NAMESPACE } };
  replay.kubectl(['--context', context, 'apply', '--server-side', '-f', '-'], `${dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: RESTRICTED_NAMESPACE, labels } })}---\n${dump(account)}`);
  const moved = { ...deployment, metadata: { name: deployment.metadata.name, namespace: RESTRICTED_NAMESPACE } };
  // Without the label that selects istiod's injection webhook: no istiod runs to answer it.
  const { [LABELS.sidecarInject]: _inject, ...podLabels } = (template.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, labels: podLabels, name: deployment.metadata.name, namespace: RESTRICTED_NAMESPACE }, spec: template.spec };
  const before = replay.output.length;
  replay.kubectl(['--context', context, 'create', '--dry-run=server', '-f', '-'], `${dump(moved)}---\n${dump(pod)}`);
  return replay.output.splice(before).map((entry) => entry.stderr);
}
