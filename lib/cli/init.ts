import { existsSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { printable, quoted } from '../model/printable';
import { INVENTORY_SCHEMA_FILE } from '../inventory/inventory';
import { packageFile } from '../io/package-root';
import { STARTER_RANGE_CLUSTERS, STARTER_RANGES_TEXT, starterRanges } from '../model/cidr';
import { asInputError, EXIT_OK, InputError, parsed, TOOL, UsageError, type CliIo } from './common';

/** As many clusters as the starter address plan has distinct private ranges for (synth itself sets no bound). */
const MAX_CLUSTERS = STARTER_RANGE_CLUSTERS;

export const INIT_USAGE = `Usage: ${TOOL} init [options]

Writes a commented starter inventory: one control-plane cluster and N-1 remotes, in the seed's
Ansible format with this tool's extensions. It synthesizes as written; edit the URLs, addresses
and ranges, then run: ${TOOL} synth -i FILE

Options:
  -o, --out FILE          where to write it (default: inventory.yaml)
      --clusters N        how many clusters, 1 to ${MAX_CLUSTERS} (default: 2); each gets
                          ${STARTER_RANGES_TEXT}
      --platform NAME     kubernetes or openshift (default: kubernetes)
      --force             replace FILE when it exists
  -h, --help              show this help
`;

/** init's flags, as its parser and the shell completion read them. */
export const INIT_OPTIONS = {
  out: { type: 'string', short: 'o' },
  clusters: { type: 'string' },
  platform: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function initCommand(args: readonly string[], io: CliIo): number {
  const { values } = parsed(INIT_USAGE, () =>
    parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: INIT_OPTIONS,
    }),
  );
  if (values.help) {
    io.stdout(INIT_USAGE);
    return EXIT_OK;
  }
  const clusters = Number(values.clusters ?? '2');
  if (!/^\d+$/.test(values.clusters ?? '2') || clusters < 1 || clusters > MAX_CLUSTERS) {
    throw new UsageError(`--clusters must be a whole number from 1 to ${MAX_CLUSTERS}, got ${quoted(values.clusters ?? '')}`, INIT_USAGE);
  }
  const platform = values.platform ?? 'kubernetes';
  if (platform !== 'kubernetes' && platform !== 'openshift') throw new UsageError(`--platform must be kubernetes or openshift, got ${quoted(platform)}`, INIT_USAGE);
  const file = values.out ?? 'inventory.yaml';
  if (existsSync(file) && !values.force) throw new InputError(`${printable(file)} exists; choose another --out or add --force to replace it`);
  asInputError(() => writeFileSync(file, starterInventory(clusters, platform, schemaReference(file))));
  io.stdout(`Wrote ${printable(file)} (${clusters} cluster(s), ${platform}). Next: ${TOOL} synth -i ${printable(file)}\n`);
  return EXIT_OK;
}

/**
 * Where the inventory at `file` finds the package's JSON Schema, for the editor's
 * `# yaml-language-server: $schema=` line: the path from the file's folder to the schema of the
 * package that runs (in a project, `node_modules/cdk8s-istio-multicluster/schemas/...`).
 */
function schemaReference(file: string): string {
  // A URI reference: percent-encoded, so that no space or line break of a folder name ends the comment.
  return encodeURI(relative(dirname(resolve(file)), packageFile(...INVENTORY_SCHEMA_FILE)).split(sep).join('/'));
}

/**
 * The starter inventory: distinct pod and service ranges per cluster, the first one the control
 * plane; its first line points YAML editors at the inventory's JSON Schema (`schema`).
 */
export function starterInventory(clusters: number, platform: 'kubernetes' | 'openshift', schema: string): string {
  const names = Array.from({ length: clusters }, (_, index) => `cluster${index + 1}`);
  const clusterEntries = names.map((name, index) => {
    const controlPlane = index === 0;
    const { podCidr, serviceCidr } = starterRanges(index);
    const lines = [
      `  - name: ${name}                  # the Istio cluster ID: a DNS-1123 label, unique`,
      `    url: https://api.${name}.example.com:6443   # the API server`,
      `    username: admin                # seed format: accepted, never written`,
      `    password: "{{ lookup('env','password') }}"   # seed format: accepted, never written`,
      `    istio_control_plane: ${controlPlane}   # exactly one cluster runs istiod`,
      `    platform: ${platform}           # kubernetes | openshift (Istio CNI, OpenShift injection settings)`,
    ];
    if (controlPlane && clusters > 1) {
      lines.push(`    controlPlaneAddress: 10.0.0.5  # where remotes reach istiod: the east-west gateway's IP or DNS name`);
    }
    lines.push(
      `    network: network1              # one network: pods reach each other directly`,
      `    podCidr: ${podCidr}          # must not overlap another cluster's ranges`,
      `    serviceCidr: ${serviceCidr}`,
    );
    return lines.join('\n');
  });
  return `# yaml-language-server: $schema=${schema}
# Inventory of one Istio mesh over ${clusters} cluster(s) with one control plane (primary-remote).
# Synthesize it with: ${TOOL} synth -i <this file> [-o DIR]
# docs/inventory.md in the package lists every key, its default and its errors.
mesh:
  id: mesh1                          # global.meshID
  network: network1                  # network of clusters that name none
  credentials:
    source: external-secret          # remote secrets read each remote's token from a secret store
    secretStore:
      kind: ClusterSecretStore
      name: istio-remote-tokens
clusters:
${clusterEntries.join('\n')}
# The Bookinfo demo across the mesh; uncomment to deploy it behind a TLS ingress gateway.
# bookinfo:
#   namespace: bookinfo
#   host: bookinfo.apps.example.com
#   routing: all-v1                  # all-v1 | v3 | jason-v2-v3
`;
}
