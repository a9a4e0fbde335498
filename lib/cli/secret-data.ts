import { dump, loadAll } from 'js-yaml';

/**
 * A file's text on each side of `--check --diff` with every Secret's data hidden: the values of a
 * Secret's `data` and `stringData` (a remote secret's kubeconfig holds the bearer token) and of an
 * ExternalSecret's `spec.target.template.data` (the template a token is rendered into) are
 * replaced by a marker that says whether that key changed. `undefined` stands for an absent file.
 */
export interface DiffSides {
  readonly before: string | undefined;
  readonly after: string | undefined;
  /** Why the contents are not shown at all, when they are not. */
  readonly withheld?: string;
}

/** The maps whose values are secret, by kind: where a Kubernetes Secret or an external-secrets ExternalSecret holds them. */
const SECRET_MAPS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  Secret: [['data'], ['stringData']],
  ExternalSecret: [['spec', 'target', 'template', 'data']],
};

type Document = Record<string, unknown>;

/**
 * Both sides as the diff may print them: as they are when neither holds a Secret, otherwise both
 * re-rendered with the secret values replaced. A side that is not YAML is withheld whole, since
 * nothing tells whether it holds a Secret.
 */
export function withSecretDataHidden(path: string, before: string | undefined, after: string | undefined): DiffSides {
  const oldDocuments = documentsOf(before);
  const newDocuments = documentsOf(after);
  if (oldDocuments === 'not YAML' || newDocuments === 'not YAML') {
    return /\.ya?ml$/i.test(path) ? { before, after, withheld: 'not valid YAML, so it may hold a Secret: contents not shown' } : { before, after };
  }
  if (!oldDocuments.concat(newDocuments).some((document) => secretFields(document).length > 0)) return { before, after };
  const oldValues = secretValues(oldDocuments);
  const newValues = secretValues(newDocuments);
  return {
    before: before === undefined ? undefined : render(oldDocuments, (where) => marker(oldValues.get(where), newValues.get(where), 'old')),
    after: after === undefined ? undefined : render(newDocuments, (where) => marker(newValues.get(where), oldValues.get(where), 'new')),
  };
}

function documentsOf(text: string | undefined): unknown[] | 'not YAML' {
  if (text === undefined) return [];
  try {
    return loadAll(text).filter((document) => document !== null && document !== undefined);
  } catch {
    return 'not YAML';
  }
}

/** `Kind/namespace/name`: the same object on both sides. */
function identity(document: Document): string {
  const metadata = (document.metadata ?? {}) as { namespace?: unknown; name?: unknown };
  return `${String(document.kind)}/${String(metadata.namespace)}/${String(metadata.name)}`;
}

/** A field holding secret data: the map (`data`, `spec.target.template.data`) in its parent. */
interface SecretField {
  readonly where: string;
  readonly parent: Document;
  readonly key: string;
}

/** The secret fields of an object, of the objects a list holds (`kind: List` items, or a document that is a sequence). */
function secretFields(node: unknown): SecretField[] {
  if (Array.isArray(node)) return node.flatMap(secretFields);
  if (!isMap(node)) return [];
  return [...Array.isArray(node.items) ? node.items.flatMap(secretFields) : [], ...ownSecretFields(node)];
}

function ownSecretFields(document: Document): SecretField[] {
  const paths = typeof document.kind === 'string' && Object.hasOwn(SECRET_MAPS, document.kind) ? SECRET_MAPS[document.kind] : [];
  return paths.flatMap((path) => {
    let parent: unknown = document;
    for (const key of path.slice(0, -1)) parent = isMap(parent) && Object.hasOwn(parent, key) ? parent[key] : undefined;
    const key = path[path.length - 1];
    return isMap(parent) && Object.hasOwn(parent, key) ? [{ where: `${identity(document)}:${path.join('.')}`, parent, key }] : [];
  });
}

function isMap(value: unknown): value is Document {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Each secret value by where it sits: `<object>:<map>:<key>`, or `<object>:<map>` for a map
 * field that holds no map (shown whole as one value).
 */
function secretValues(documents: readonly unknown[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const document of documents) {
    for (const { where, parent, key } of secretFields(document)) {
      const map = parent[key];
      if (isMap(map)) for (const [entry, value] of Object.entries(map)) values.set(`${where}:${entry}`, JSON.stringify(value));
      else values.set(where, JSON.stringify(map));
    }
  }
  return values;
}

/** What stands for a secret value: the same on both sides when it did not change, so the diff shows no line for it. */
function marker(own: string | undefined, other: string | undefined, side: 'old' | 'new'): string {
  if (other === undefined) return `(secret data ${side === 'old' ? 'removed' : 'added'}; not shown)`;
  if (own === other) return '(secret data unchanged; not shown)';
  return `(secret data changed; ${side} value not shown)`;
}

/** The documents as YAML, each secret value replaced; the same rendering on both sides, so only real changes differ. */
function render(documents: readonly unknown[], replace: (where: string) => string): string {
  return documents
    .map((document) => {
      const copy = structuredClone(document);
      for (const { where, parent, key } of secretFields(copy)) {
        const map = parent[key];
        if (isMap(map)) for (const entry of Object.keys(map)) map[entry] = replace(`${where}:${entry}`);
        else parent[key] = replace(where);
      }
      return dump(copy, { lineWidth: -1, noRefs: true });
    })
    .join('---\n');
}
