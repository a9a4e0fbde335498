/**
 * Every invalid inventory of the foundation issue, through the CLI in process: exit 1, every problem on
 * stderr naming the file and the field path, no stack trace, and the previous output untouched.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_FRAME, cli, expectSameTree, snapshotTree, tempDirs, writeFile } from './support';

const dir = tempDirs('cli-bad-inventory-');

interface ClusterEntry {
  name: string;
  url: string;
  istio_control_plane?: boolean;
  controlPlaneAddress?: string;
  podCidr?: string;
  serviceCidr?: string;
  [key: string]: unknown;
}

interface Inventory {
  mesh?: Record<string, unknown>;
  clusters: ClusterEntry[];
  bookinfo: { host: string; placement?: Record<string, string[]> };
}

/** A valid mesh; each case below breaks one rule of it. */
function validInventory(): Inventory {
  return {
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.10', podCidr: '10.1.0.0/16', serviceCidr: '10.2.0.0/16' },
      { name: 'west', url: 'https://api.west.example.com:6443', podCidr: '10.3.0.0/16', serviceCidr: '10.4.0.0/16' },
    ],
    bookinfo: { host: 'bookinfo.example.com' },
  };
}

/** A broken inventory and the problems (field path, message) the CLI must list for it. */
interface BadCase {
  readonly name: string;
  readonly breakIt: (inventory: Inventory) => void;
  readonly problems: readonly (readonly [path: string, message: string])[];
}

const CASES: readonly BadCase[] = [
  {
    name: 'no control plane',
    breakIt: ({ clusters: [east] }) => {
      east.istio_control_plane = false;
      delete east.controlPlaneAddress;
    },
    problems: [['clusters', 'exactly one cluster must have istio_control_plane: true (found: none)']],
  },
  {
    name: 'two control planes',
    breakIt: ({ clusters: [, west] }) => Object.assign(west, { istio_control_plane: true, controlPlaneAddress: '10.0.0.11' }),
    problems: [['clusters', 'exactly one cluster must have istio_control_plane: true (found: east, west)']],
  },
  {
    name: 'a name that is no DNS-1123 label',
    breakIt: ({ clusters: [, west] }) => (west.name = 'West_1'),
    problems: [['clusters[1].name', '"West_1" is not a DNS-1123 label']],
  },
  {
    name: 'a name longer than 63 characters',
    breakIt: ({ clusters: [, west] }) => (west.name = 'w'.repeat(64)),
    problems: [['clusters[1].name', `"${'w'.repeat(64)}" is 64 characters long; a cluster name is a DNS-1123 label of at most 63 characters`]],
  },
  {
    name: 'a duplicate name',
    breakIt: ({ clusters: [, west] }) => (west.name = 'east'),
    problems: [['clusters[1].name', 'duplicate cluster name "east" (already used by clusters[0])']],
  },
  {
    name: 'a url that is not http(s)',
    breakIt: ({ clusters: [, west] }) => (west.url = 'ftp://api.west.example.com'),
    problems: [['clusters[1].url', '"ftp://api.west.example.com" is not an http(s) URL']],
  },
  {
    name: 'a typo in a key',
    breakIt: ({ clusters: [east] }) => {
      delete east.istio_control_plane;
      east.istio_control_plan = true;
    },
    problems: [['clusters[0].istio_control_plan', 'unknown key "istio_control_plan" (expected one of: name, url, istio_control_plane,']],
  },
  {
    name: 'a controlPlaneAddressKind on a remote',
    breakIt: ({ clusters: [, west] }) => (west.controlPlaneAddressKind = 'istiod-service'),
    problems: [['clusters[1].controlPlaneAddressKind', 'is only valid on the control-plane cluster']],
  },
  {
    name: 'a controlPlaneAddress that is neither IP nor DNS name',
    breakIt: ({ clusters: [east] }) => (east.controlPlaneAddress = 'istiod_east!'),
    problems: [['clusters[0].controlPlaneAddress', '"istiod_east!" is neither an IP address nor a DNS name']],
  },
  {
    name: 'a CIDR that does not parse',
    breakIt: ({ clusters: [east] }) => (east.serviceCidr = '10.2.0.0/33'),
    problems: [['clusters[0].serviceCidr', '"10.2.0.0/33" is not a CIDR']],
  },
  {
    name: 'overlapping CIDRs across clusters',
    breakIt: ({ clusters: [, west] }) => (west.podCidr = '10.1.128.0/17'),
    problems: [['clusters[1].podCidr', '10.1.128.0/17 overlaps clusters[0].podCidr (10.1.0.0/16) on network "network1"; one flat network needs distinct, routable pod and service ranges']],
  },
  {
    name: 'an unsupported istioVersion',
    breakIt: (inventory) => (inventory.mesh = { istioVersion: '1.31' }),
    problems: [['mesh.istioVersion', '"1.31" is newer than the supported range 1.24 to 1.30']],
  },
  {
    name: 'an istioVersion the Sail operator no longer installs, with installer: sail',
    breakIt: (inventory) => (inventory.mesh = { installer: 'sail', istioVersion: '1.27' }),
    problems: [
      [
        'mesh.istioVersion',
        '"1.27" is end of life for the Sail operator 1.30.3, which refuses to install it although its CRD still lists it (installer: sail); expected 1.28 to 1.30',
      ],
    ],
  },
  {
    name: 'a Bookinfo placement of an unknown workload',
    breakIt: ({ bookinfo }) => (bookinfo.placement = { 'reviews-v9': ['west'] }),
    problems: [['bookinfo.placement.reviews-v9', 'unknown workload "reviews-v9" (expected one of:']],
  },
  {
    name: 'a Bookinfo placement on an unknown cluster',
    breakIt: ({ bookinfo }) => (bookinfo.placement = { default: ['east', 'north'] }),
    problems: [['bookinfo.placement.default[1]', 'unknown cluster "north" (expected one of: east, west)']],
  },
  {
    name: 'a locality policy failing over to a region no cluster names, with weights in failover mode',
    breakIt: (inventory) => {
      Object.assign(inventory.clusters[0], { region: 'us-east' });
      Object.assign(inventory.clusters[1], { region: 'us-west' });
      inventory.mesh = { locality: { failover: [{ from: 'us-east', to: 'eu-west' }], distribute: [{ from: 'us-east', to: { 'us-west': 100 } }] } };
    },
    problems: [
      ['mesh.locality.distribute', 'is only used with mode: distribute (mode is failover)'],
      ['mesh.locality.failover[0].to', '"eu-west" is no cluster\'s region (expected one of: us-east, us-west)'],
    ],
  },
  {
    name: 'three problems at once',
    breakIt: ({ clusters: [east, west] }) => {
      east.url = 'not-a-url';
      west.name = 'West_1';
      west.serviceCidr = '10.2.0.0/24';
    },
    problems: [
      ['clusters[0].url', '"not-a-url" is not an http(s) URL'],
      ['clusters[1].name', '"West_1" is not a DNS-1123 label'],
      ['clusters[1].serviceCidr', '10.2.0.0/24 overlaps clusters[0].serviceCidr (10.2.0.0/16)'],
    ],
  },
];

describe('synth on an invalid inventory', () => {
  let cwd: string;
  let previous: Map<string, Buffer>;

  beforeAll(() => {
    // GIVEN an output synthesized from the valid inventory
    cwd = dir('work');
    const result = cli(['synth', '--inventory', writeFile(cwd, 'inventories/valid.yaml', validInventory())], { cwd });
    expect(result.status, result.stderr).toBe(0);
    previous = snapshotTree(join(cwd, 'dist'));
  });

  it.each(CASES)('$name: exit 1, every problem with file and field path, dist/ untouched', ({ name, breakIt, problems }) => {
    // GIVEN the inventory broken in one way (or three)
    const inventory = validInventory();
    breakIt(inventory);
    const file = `inventories/${name.replace(/\W+/g, '-')}.yaml`;
    writeFile(cwd, file, inventory);
    // WHEN it is synthesized over the previous output
    const result = cli(['synth', '--inventory', file], { cwd });
    // THEN the run fails as invalid input, with one readable block listing every problem
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe(`error: Invalid mesh specification (${problems.length} problem${problems.length === 1 ? '' : 's'}):`);
    expect(lines).toHaveLength(problems.length + 2);
    problems.forEach(([path, message], index) => {
      expect(lines[index + 1].startsWith(`  - ${file}: ${path}: ${message}`), `${lines[index + 1]}\n  expected: ${file}: ${path}: ${message}`).toBe(true);
    });
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain('--debug');
    // AND the previous output is byte for byte what it was, with no staging folder left
    expectSameTree(snapshotTree(join(cwd, 'dist')), previous);
    expect(readdirSync(cwd).sort()).toEqual(['dist', 'inventories']);
  });

  it.each([
    { name: 'a file that does not exist', file: 'inventories/missing.yaml', text: undefined, problem: '(root): cannot read the inventory: ENOENT' },
    { name: 'YAML that does not parse', file: 'inventories/broken.yaml', text: 'clusters: [\n', problem: '(root): not valid YAML:' },
    { name: 'a template other than an env lookup', file: 'inventories/template.yaml', text: 'clusters:\n- name: east\n  url: "{{ vault_url }}"\n', problem: 'clusters[0].url: unsupported template "{{ vault_url }}"' },
  ])('$name: exit 1 naming the file, dist/ untouched', ({ file, text, problem }) => {
    if (text !== undefined) writeFile(cwd, file, text);
    const result = cli(['synth', '--inventory', file], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`  - ${file}: ${problem}`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expectSameTree(snapshotTree(join(cwd, 'dist')), previous);
  });
});
