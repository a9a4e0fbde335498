/**
 * The istiod revisions a mesh runs, its revision tags and its default revision, and every name
 * derived from a revision or a tag: the one place they are spelled.
 *
 * Facts (istio/istio 1.30.3 `manifests/charts/istio-control/istio-discovery/templates/`): a
 * revision `<r>` renames istiod's Service and Deployment `istiod-<r>`, its ConfigMaps `istio-<r>`
 * and `istio-sidecar-injector-<r>` and its injection webhook `istio-sidecar-injector-<r>`; the
 * revision `default` (chart `revision: ""`) keeps the plain names. A tag `<t>` is a webhook
 * `istio-revision-tag-<t>` (`revision-tags-mwc.yaml`) and, from 1.28, a Service
 * `istiod-revision-tag-<t>` (`revision-tags-svc.yaml`). Both end up as `istio.io/rev` label values.
 */
import { DEFAULT_ISTIO_VERSION, istioVersionProblem, type IstioVersion } from './istio-version';
import { DEFAULT_REVISION, DNS1123_LABEL, ISTIO_SYSTEM_NAMESPACE, ISTIOD_SERVICE, MESH_CONFIG_MAP, SIDECAR_INJECTOR_WEBHOOK } from './names';
import { quoted } from './printable';
import { SAIL_ISTIO_NAME, sailIstioVersionProblem, sailRevisionName, sailVersionFor } from './sail';

/** One istiod revision the mesh runs on every cluster. */
export interface Revision {
  /** The revision's name: `istio.io/rev` values and the suffix of the names of its objects. */
  readonly name: string;
  /** The Istio minor its istiod runs (and whose charts render its values). */
  readonly istioVersion: IstioVersion;
}

/** The mesh's revisions with every default applied. */
export interface Revisions {
  /** In the inventory's order; one at least. */
  readonly list: readonly Revision[];
  /** Tag -> the revision it names. */
  readonly tags: ReadonlyMap<string, string>;
  /** What `istio-injection=enabled`, `sidecar.istio.io/inject=true` and the tag `default` select. */
  readonly defaultRevision: string;
}

/** The tag every Istio release reserves for the default revision (`istio-injection=enabled`). */
export const DEFAULT_TAG = 'default';

/**
 * The name of an object each istiod revision has its own of: `<base>` for the revision `default`,
 * `<base>-<revision>` for any other, as the istiod chart names its Service
 * (`istiod{{- if not (eq .Values.revision "") }}-{{ .Values.revision }}`) and as istiod names the
 * mesh ConfigMap it reads in each remote (`pilot/pkg/serviceregistry/kube/controller/multicluster.go`,
 * `getMeshConfigMapName`, 1.29 and later).
 */
export function revisionedName(base: string, revision: string): string {
  return revision === DEFAULT_REVISION ? base : `${base}-${revision}`;
}

/** The istiod Service of a revision: `istiod`, `istiod-<revision>`; on a remote the selector-less Service of the same name. */
export function istiodServiceName(revision: string): string {
  return revisionedName(ISTIOD_SERVICE, revision);
}

/** The mesh ConfigMap the istiod of `revision` reads (in its own cluster and in each remote). */
export function meshConfigMapName(revision: string): string {
  return revisionedName(MESH_CONFIG_MAP, revision);
}

/** The injection webhook (and injector ConfigMap) of a revision: `istio-sidecar-injector[-<revision>]`. */
export function sidecarInjectorName(revision: string): string {
  return revisionedName(SIDECAR_INJECTOR_WEBHOOK, revision);
}

/** The webhook of a revision tag, `istio-revision-tag-<tag>` (istio-system's; `revision-tags-mwc.yaml`). */
export function revisionTagWebhookName(tag: string): string {
  return `istio-revision-tag-${tag}`;
}

/** The Service of a revision tag from 1.28 on, `istiod-revision-tag-<tag>` (`revision-tags-svc.yaml`). */
export function revisionTagServiceName(tag: string): string {
  return `istiod-revision-tag-${tag}`;
}

/** The east-west VirtualService that routes remotes to the istiod of a revision (`expose-istiod-rev.yaml.tmpl`). */
export function istiodVirtualServiceName(revision: string): string {
  return revisionedName('istiod-vs', revision);
}

/** The SNI names remote proxies and kube-apiserver send for a revision's istiod. */
export function istiodSniHosts(revision: string): readonly string[] {
  const host = `${istiodServiceName(revision)}.${ISTIO_SYSTEM_NAMESPACE}.svc`;
  return [host, `${host}.cluster.local`];
}

/**
 * A revision name becomes an `istio.io/rev` label value and the suffix of the DNS-1035 label
 * `istiod-<revision>` (a Service name, and the first label of its SNI name): a DNS-1123 label of at
 * most 63 - 7 characters. Istio refuses a `.` in it (istio.io `setup/upgrade/canary`).
 */
export const MAX_REVISION_NAME = 63 - `${ISTIOD_SERVICE}-`.length;
/** A tag becomes the suffix of the Service `istiod-revision-tag-<tag>` (Istio >= 1.28). */
export const MAX_REVISION_TAG = 63 - revisionTagServiceName('').length;

function nameProblem(value: string, max: number, what: string): string | undefined {
  if (!DNS1123_LABEL.test(value)) return `${quoted(value)} is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit; no '.', which Istio refuses in a revision): ${what}`;
  if (value.length > max) return `${quoted(value)} is ${value.length} characters, over ${max}: ${what}`;
  return undefined;
}

/** What is wrong with a revision name, or undefined. */
export function revisionNameProblem(value: string): string | undefined {
  return nameProblem(value, MAX_REVISION_NAME, `it is an istio.io/rev label value and names the Service "${istiodServiceName('<revision>')}", a DNS-1035 label of at most 63 characters`);
}

/** What is wrong with a tag name, or undefined. */
export function revisionTagProblem(value: string): string | undefined {
  return nameProblem(value, MAX_REVISION_TAG, `it is an istio.io/rev label value and names the Service "${revisionTagServiceName('<tag>')}", a DNS-1035 label of at most 63 characters`);
}

/** The revision settings as the spec gives them (`mesh.revisions`, `mesh.revisionTags`, `mesh.defaultRevision`), values unchecked. */
export interface RevisionSettings {
  readonly revisions?: readonly { readonly name: string; readonly istioVersion: string }[];
  readonly revisionTags?: Readonly<Record<string, string>>;
  readonly defaultRevision?: string;
}

/**
 * The name of the one revision a mesh runs when the spec lists none: `default`, or with the Sail
 * installer the `IstioRevision` the operator names after the `Istio` and, with `RevisionBased`,
 * its version (`default-v1-30-3`).
 */
function implicitRevisionName(istioVersion: IstioVersion, sail: { readonly updateStrategy: 'InPlace' | 'RevisionBased' } | undefined): string {
  return sail === undefined ? DEFAULT_REVISION : sailRevisionName(SAIL_ISTIO_NAME, sail.updateStrategy, sailVersionFor(istioVersion));
}

/** The mesh's revisions, with defaults: one revision at `istioVersion`, no tags, the first revision the default. Only for a validated spec. */
export function resolveRevisions(settings: RevisionSettings | undefined, istioVersion: IstioVersion, sail?: { readonly updateStrategy: 'InPlace' | 'RevisionBased' }): Revisions {
  const list: Revision[] = settings?.revisions?.map((revision) => ({ name: revision.name, istioVersion: revision.istioVersion as IstioVersion })) ?? [
    { name: implicitRevisionName(istioVersion, sail), istioVersion },
  ];
  return {
    list,
    tags: new Map(Object.entries(settings?.revisionTags ?? {})),
    defaultRevision: settings?.defaultRevision ?? list[0].name,
  };
}

/** The Istio minor of the mesh: `mesh.istioVersion`, else the default revision's. Only for a validated spec. */
export function meshIstioVersion(settings: RevisionSettings & { readonly istioVersion?: string } | undefined, fallback: IstioVersion): IstioVersion {
  if (settings?.istioVersion !== undefined) return settings.istioVersion as IstioVersion;
  const revisions = settings?.revisions;
  if (revisions === undefined) return fallback;
  const name = settings?.defaultRevision ?? revisions[0].name;
  return (revisions.find((revision) => revision.name === name)?.istioVersion ?? fallback) as IstioVersion;
}

/**
 * The revision a selector names: a revision by its name, a tag by the revision it names, `default`
 * the default revision; undefined for a name the mesh has neither as a revision nor as a tag.
 */
export function selectedRevision(revisions: Revisions, selector: string): Revision | undefined {
  const name = revisions.list.some((revision) => revision.name === selector)
    ? selector
    : selector === DEFAULT_TAG
      ? revisions.defaultRevision
      : revisions.tags.get(selector);
  return revisions.list.find((revision) => revision.name === name);
}

/** Why a selector (`revision` of a namespace, application or gateway) names no revision of the mesh, or undefined. */
export function revisionSelectorProblem(revisions: Revisions, selector: unknown): string | undefined {
  if (typeof selector === 'string' && selectedRevision(revisions, selector) !== undefined) return undefined;
  const tags = [...revisions.tags.keys()];
  return (
    `${typeof selector === 'string' ? quoted(selector) : JSON.stringify(selector)} is neither a revision nor a tag of the mesh; expected a revision (${revisions.list.map((revision) => revision.name).join(', ')})` +
    `${tags.length > 0 ? `, a tag (${tags.join(', ')})` : ''} or "${DEFAULT_TAG}" (mesh.defaultRevision)`
  );
}

/**
 * The revisions a spec's `mesh` section declares, read before the model is built (for the rules of
 * sections that select a revision, such as `bookinfo.revision`); undefined when its revision
 * settings are not well formed (their own rules report it).
 */
export function specRevisions(mesh: Readonly<Record<string, unknown>> | undefined): Revisions | undefined {
  const settings = mesh ?? {};
  const revisions = settings.revisions;
  const tags = settings.revisionTags ?? {};
  const wellFormed =
    (revisions === undefined || (Array.isArray(revisions) && revisions.length > 0 && revisions.every((revision) => typeof asFields(revision)?.name === 'string'))) &&
    asFields(tags) !== undefined &&
    Object.values(tags).every((target) => typeof target === 'string') &&
    (settings.defaultRevision === undefined || typeof settings.defaultRevision === 'string');
  if (!wellFormed) return undefined;
  const version = settings.istioVersion ?? DEFAULT_ISTIO_VERSION;
  if (revisions === undefined && (typeof version !== 'string' || istioVersionProblem(version) !== undefined)) return undefined;
  const sail = settings.installer === 'sail' ? { updateStrategy: asFields(settings.sail)?.updateStrategy === 'RevisionBased' ? ('RevisionBased' as const) : ('InPlace' as const) } : undefined;
  if (revisions === undefined && sail !== undefined && sailIstioVersionProblem(version as string) !== undefined) return undefined;
  return resolveRevisions(settings as RevisionSettings, version as IstioVersion, sail);
}

type AddIssue = (path: string, message: string) => void;
type Fields = Readonly<Record<string, unknown>>;

function asFields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

/**
 * The rules on `mesh.revisions`, `mesh.revisionTags` and `mesh.defaultRevision` (values of the
 * right shape; the shape check reports the others): names Kubernetes and Istio accept, each once,
 * supported versions, tags and the default naming a revision.
 */
export function checkRevisions(mesh: Fields, add: AddIssue): void {
  const installer = mesh.installer;
  const sail = asFields(mesh.sail);
  const revisions = Array.isArray(mesh.revisions) ? mesh.revisions.map(asFields) : undefined;
  const names = new Map<string, number>();
  revisions?.forEach((revision, index) => {
    const at = `mesh.revisions[${index}]`;
    const name = typeof revision?.name === 'string' ? revision.name : undefined;
    if (name !== undefined) {
      const problem = revisionNameProblem(name);
      if (problem) add(`${at}.name`, problem);
      const first = names.get(name);
      if (first !== undefined) add(`${at}.name`, `duplicate revision name ${quoted(name)} (already mesh.revisions[${first}].name); each revision is named once`);
      else names.set(name, index);
    }
    const version = revision?.istioVersion;
    if (revision !== undefined && version !== undefined) {
      const problem = istioVersionProblem(version);
      if (problem) add(`${at}.istioVersion`, problem);
      else if (installer === 'sail') {
        const sailProblem = sailIstioVersionProblem(version as string);
        if (sailProblem) add(`${at}.istioVersion`, sailProblem);
        else if (name !== undefined) {
          // The operator names the IstioRevision of an Istio after it and its exact version.
          const expected = sailRevisionName(SAIL_ISTIO_NAME, 'RevisionBased', sailVersionFor(version as string));
          if (name !== expected) add(`${at}.name`, `${quoted(name)} is not the name the Sail operator gives the revision of Istio ${version}; expected "${expected}" (installer: sail names revisions <Istio name>-<version>)`);
        }
      }
    }
  });
  if (installer === 'sail' && revisions !== undefined && sail?.updateStrategy !== 'RevisionBased') {
    add('mesh.revisions', 'needs mesh.sail.updateStrategy: RevisionBased with installer: sail (InPlace replaces the one revision; the operator keeps several only with RevisionBased)');
  }
  const known = revisions === undefined ? undefined : [...names.keys()];
  const expectRevision = (what: string) => (known === undefined ? `${what}: without mesh.revisions the mesh runs one revision, named by the installer` : `expected one of mesh.revisions: ${known.join(', ')}`);
  const tags = asFields(mesh.revisionTags);
  for (const [tag, target] of Object.entries(tags ?? {})) {
    const at = `mesh.revisionTags.${tag}`;
    if (tag === DEFAULT_TAG) {
      add(at, `the tag "${DEFAULT_TAG}" is the default revision: set mesh.defaultRevision instead`);
      continue;
    }
    const problem = revisionTagProblem(tag);
    if (problem) add(at, `the tag ${problem}`);
    if (names.has(tag)) add(at, `the tag ${quoted(tag)} is also a revision name (mesh.revisions[${names.get(tag)}].name); Istio refuses a tag named as a revision`);
    if (typeof target !== 'string') continue;
    if (known === undefined || !known.includes(target)) add(at, `${quoted(target)} is not a revision of the mesh; ${expectRevision('define it in mesh.revisions')}`);
  }
  const defaultRevision = mesh.defaultRevision;
  if (typeof defaultRevision === 'string' && (known === undefined || !known.includes(defaultRevision))) {
    add('mesh.defaultRevision', `${quoted(defaultRevision)} is not a revision of the mesh; ${expectRevision('define it in mesh.revisions')}`);
  }
  // mesh.istioVersion is then the default revision's: a different one would say two things.
  const istioVersion = mesh.istioVersion;
  if (revisions !== undefined && typeof istioVersion === 'string') {
    const name = typeof defaultRevision === 'string' ? defaultRevision : revisions[0]?.name;
    const revision = revisions.find((each) => each?.name === name);
    if (revision !== undefined && typeof revision.istioVersion === 'string' && revision.istioVersion !== istioVersion) {
      add('mesh.istioVersion', `"${istioVersion}" is not the istioVersion "${revision.istioVersion}" of the default revision ${quoted(String(name))}; expected the same, or leave mesh.istioVersion out (it is then the default revision's)`);
    }
  }
}
