import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { dump } from 'js-yaml';
import { loadInventory } from '../inventory/load-inventory';
import type { Cluster, Mesh } from '../model/mesh';
import { bearerTokenProblem, certificateBundleProblem, isBase64 } from '../model/credentials';
import { MeshValidationError } from '../model/mesh-validation-error';
import { printable, quoted } from '../model/printable';
import { CA_PROPERTY, ISTIO_SYSTEM_NAMESPACE, READER_TOKEN_SECRET, TOKEN_PROPERTY, caVariable, tokenRemoteKey } from '../model/names';
import { REMOTE_TOKENS_SECRET } from '../writer/gitops';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, TOOL, type CliIo } from './common';

export const TOKENS_USAGE = `Usage: ${TOOL} tokens --inventory FILE [options]

Reads each remote's reader token Secret (${ISTIO_SYSTEM_NAMESPACE}/${READER_TOKEN_SECRET}) with kubectl,
through the context named after the cluster (or its clusters[].context), and prints on stdout
what the inventory's credentials.source needs:
  flux-substitution   the Secret ${REMOTE_TOKENS_SECRET} (or, with --format export, export lines)
  external-secret     the store entries as JSON: { "<key>": { "${TOKEN_PROPERTY}": ..., "${CA_PROPERTY}": ... } }
  inline              nothing: the tokens come from the inventory

Options:
  -i, --inventory FILE    the inventory (YAML) (required)
      --kubeconfig FILE   the kubeconfig kubectl reads (default: kubectl's own)
      --format FORMAT     flux-substitution only: secret (default) or export
      --namespace NS      flux-substitution only: the namespace of the Secret (default: flux-system)
  -h, --help              show this help

Exit codes: 0 every remote read, 1 a remote could not be read (named on stderr; the others are
still printed) or invalid input, 2 usage error.
`;

/** How long kubectl may take to reach one API server. */
const REQUEST_TIMEOUT = '10s';

/** A remote's reader token and API server CA, as its token Secret holds them (decoded). */
interface ReaderCredentials {
  readonly cluster: Cluster;
  readonly token: string;
  /** PEM. */
  readonly ca: string;
}

/**
 * `tokens`: fetches what the remote secrets read, as `istioctl create-remote-secret` does with
 * the user's kubeconfig, and prints it for the mesh's credential source. Writes to stdout only.
 */
/** tokens' flags, as its parser and the shell completion read them. */
export const TOKENS_OPTIONS = {
  inventory: { type: 'string', short: 'i' },
  kubeconfig: { type: 'string' },
  format: { type: 'string' },
  namespace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function tokensCommand(args: readonly string[], io: CliIo): number {
  let values: { inventory?: string; kubeconfig?: string; format?: string; namespace?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: TOKENS_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usageError(io, (error as Error).message);
  }
  if (values.help) {
    io.stdout(TOKENS_USAGE);
    return EXIT_OK;
  }
  if (!values.inventory) return usageError(io, '--inventory FILE is required');
  const format = values.format ?? 'secret';
  if (format !== 'secret' && format !== 'export') return usageError(io, `--format must be secret or export, got ${quoted(format)}`);

  let model: Mesh;
  try {
    model = loadInventory(values.inventory).mesh;
  } catch (error) {
    if (!(error instanceof MeshValidationError)) throw error;
    io.stderr(`error: ${error.message}\n`);
    return EXIT_INVALID;
  }
  const source = model.credentials.source;
  if ((values.format !== undefined || values.namespace !== undefined) && source !== 'flux-substitution') {
    return usageError(io, `--format and --namespace only apply to credentials.source flux-substitution; ${values.inventory} has "${source}"`);
  }
  if (source === 'inline') {
    io.stdout(`# ${printable(values.inventory)}: credentials.source is inline, so the remote secrets take their tokens from the inventory (clusters[].token); nothing to fetch.\n`);
    return EXIT_OK;
  }

  const fetched: ReaderCredentials[] = [];
  const failures: string[] = [];
  for (const remote of model.remotes) {
    const result = readCredentials(remote, values.kubeconfig);
    if (typeof result === 'string') failures.push(result);
    else fetched.push(result);
  }
  if (fetched.length > 0) {
    if (source === 'external-secret') io.stdout(storeEntries(fetched));
    else io.stdout(format === 'export' ? exportLines(fetched) : tokensSecret(fetched, values.namespace ?? 'flux-system'));
  }
  for (const failure of failures) io.stderr(`error: ${failure}\n`);
  return failures.length === 0 ? EXIT_OK : EXIT_INVALID;
}

/** The message repeats options as given: escaped. */
function usageError(io: CliIo, message: string): number {
  io.stderr(`error: ${printable(message)}\n\n${TOKENS_USAGE}`);
  return EXIT_USAGE;
}

/** The remote's credentials, or why they cannot be read, naming the cluster. */
function readCredentials(remote: Cluster, kubeconfig: string | undefined): ReaderCredentials | string {
  const where = `cluster ${quoted(remote.name)} (context ${quoted(remote.context)})`;
  const kubeconfigArgs = kubeconfig === undefined ? [] : ['--kubeconfig', kubeconfig];
  const contexts = kubectl([...kubeconfigArgs, 'config', 'get-contexts', '-o', 'name']);
  if (contexts.status !== 0) return `${where}: cannot read the kubeconfig: ${answer(contexts.stderr)}`;
  if (!contexts.stdout.split('\n').includes(remote.context)) {
    return `${where}: the kubeconfig has no context ${quoted(remote.context)}; add one, or name it in clusters[].context`;
  }
  const secretPath = `/api/v1/namespaces/${ISTIO_SYSTEM_NAMESPACE}/secrets/${READER_TOKEN_SECRET}`;
  const read = kubectl([...kubeconfigArgs, `--context=${remote.context}`, `--request-timeout=${REQUEST_TIMEOUT}`, 'get', '--raw', secretPath]);
  if (read.status !== 0) {
    if (/\(NotFound\)/.test(read.stderr)) {
      return `${where}: the token Secret ${SECRET} does not exist: apply the remote's mesh components first`;
    }
    return `${where}: cannot read the token Secret ${SECRET}: ${answer(read.stderr)}`;
  }
  let data: unknown;
  try {
    data = (JSON.parse(read.stdout) as { data?: unknown } | null)?.data ?? {};
  } catch {
    data = undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return `${where}: the API server did not answer with a Secret: ${answer(read.stdout)}`;
  const token = decoded(data as Record<string, unknown>, TOKEN_PROPERTY);
  const ca = decoded(data as Record<string, unknown>, CA_PROPERTY);
  if (token === undefined || ca === undefined) {
    return `${where}: Kubernetes has not issued the token yet (${SECRET} has no ${token === undefined ? TOKEN_PROPERTY : CA_PROPERTY}); try again in a moment`;
  }
  // Neither value is repeated: a broken one may still be most of a credential.
  if (token === INVALID) return `${where}: ${SECRET} data.${TOKEN_PROPERTY} is not base64, as the API server writes a Secret's data; refusing to print an empty or garbled token`;
  if (ca === INVALID) return `${where}: ${SECRET} data.${CA_PROPERTY} is not base64, as the API server writes a Secret's data`;
  const tokenProblem = bearerTokenProblem(token);
  if (tokenProblem) return `${where}: the token in ${SECRET} ${tokenProblem}; it is not printed`;
  const caProblem = certificateBundleProblem(ca);
  if (caProblem) return `${where}: ${SECRET} ${CA_PROPERTY} ${caProblem}`;
  return { cluster: remote, token, ca };
}

const SECRET = `${ISTIO_SYSTEM_NAMESPACE}/${READER_TOKEN_SECRET}`;
/** A Secret data value that is not base64. */
const INVALID = Symbol('not base64');

/** The decoded value of a Secret data key, `undefined` when absent or empty. */
function decoded(data: Record<string, unknown>, key: string): string | typeof INVALID | undefined {
  const value = Object.hasOwn(data, key) ? data[key] : undefined;
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' && isBase64(value) ? Buffer.from(value, 'base64').toString('utf8') : INVALID;
}

function kubectl(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('kubectl', [...args], { encoding: 'utf8', timeout: 30_000, maxBuffer: 1024 * 1024 });
  if (result.error) return { status: 1, stdout: '', stderr: `kubectl could not run: ${result.error.message}` };
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** How long a line of an answer (kubectl's error, the API server's body) may be in a message. */
const MAX_ANSWER = 200;

/** The first line of an answer, escaped and bounded: it may be anything a server sent. */
function answer(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  if (line === '') return '(no message)';
  return line.length > MAX_ANSWER ? `${printable(line.slice(0, MAX_ANSWER))}... (${line.length} characters)` : printable(line);
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The Secret Flux substitutes from: the token as is, the CA base64-encoded (the placeholder sits in certificate-authority-data). */
function tokensSecret(fetched: readonly ReaderCredentials[], namespace: string): string {
  const stringData: Record<string, string> = {};
  for (const { cluster, token, ca } of fetched) {
    stringData[cluster.tokenVariable] = token;
    stringData[caVariable(cluster.name)] = base64(ca);
  }
  return dump({ apiVersion: 'v1', kind: 'Secret', metadata: { name: REMOTE_TOKENS_SECRET, namespace }, type: 'Opaque', stringData }, { lineWidth: -1 });
}

function exportLines(fetched: readonly ReaderCredentials[]): string {
  const quoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return fetched.map(({ cluster, token, ca }) => `export ${cluster.tokenVariable}=${quoted(token)}\nexport ${caVariable(cluster.name)}=${quoted(base64(ca))}\n`).join('');
}

/** The external-secrets store entries: the decoded `token` and `ca.crt` of each remote's token Secret. */
function storeEntries(fetched: readonly ReaderCredentials[]): string {
  const entries: Record<string, Record<string, string>> = {};
  for (const { cluster, token, ca } of fetched) entries[tokenRemoteKey(cluster.name)] = { [TOKEN_PROPERTY]: token, [CA_PROPERTY]: ca };
  return `${JSON.stringify(entries, null, 2)}\n`;
}
