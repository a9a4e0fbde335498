import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../lib/inventory/load-inventory';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec, MeshSpec } from '../../lib/model/mesh-spec';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';

const dir = mkdtempSync(join(tmpdir(), 'inventory-'));
let counter = 0;
function inventoryFile(text: string): string {
  const file = join(dir, `inventory-${counter++}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The seed article's Ansible inventory, verbatim apart from the placeholders filled in. */
const SEED_INVENTORY = `clusters:
- name: cluster1
  url: https://cluster1.example.com:8443
  username: admin
  password: "{{ lookup('env','password') }}"
  istio_control_plane: true
  controlPlaneAddress: 172.30.0.10
- name: cluster2
  url: https://cluster2.example.com:8443
  username: admin
  password: "{{ lookup('env','password') }}"
  istio_control_plane: false
`;

describe('loadInventory', () => {
  it('loads the seed Ansible inventory with environment lookups', () => {
    // GIVEN the seed inventory and a password in the environment
    const file = inventoryFile(SEED_INVENTORY);
    // WHEN it is loaded
    const { mesh } = loadInventory(file, { env: { password: 's3cret' } });
    // THEN the control plane and the remote are recognised
    expect(mesh.controlPlane.name).toBe('cluster1');
    expect(mesh.remotes.map((c) => c.name)).toEqual(['cluster2']);
  });

  it('loads it with the variable unset, as Ansible does (empty string)', () => {
    expect(loadInventory(inventoryFile(SEED_INVENTORY), { env: {} }).mesh.clusters).toHaveLength(2);
  });

  it('resolves a token lookup and remembers its variable for placeholders', () => {
    // GIVEN a remote whose token is looked up from WEST_TOKEN
    const file = inventoryFile(`${SEED_INVENTORY}  token: "{{ lookup('env','WEST_TOKEN') }}"\n`);
    // WHEN it is loaded with the variable set
    const { mesh } = loadInventory(file, { env: { WEST_TOKEN: 'abc' } });
    // THEN the token is resolved and the variable name is kept
    expect(mesh.cluster('cluster2')).toMatchObject({ token: 'abc', tokenVariable: 'WEST_TOKEN' });
  });

  it('resolves lookups embedded in longer strings, with either quote style', () => {
    const file = inventoryFile(SEED_INVENTORY.replace('https://cluster2.example.com:8443', `https://{{ lookup("env", "HOST") }}:8443`));
    expect(loadInventory(file, { env: { HOST: 'west.example.com' } }).mesh.cluster('cluster2').url).toBe('https://west.example.com:8443');
  });

  it('rejects any other template expression, naming the field', () => {
    const file = inventoryFile(SEED_INVENTORY.replace('https://cluster2.example.com:8443', '"{{ cluster2_url }}"'));
    expect(() => loadInventory(file, { env: {} })).toThrow(`${file}: clusters[1].url: unsupported template "{{ cluster2_url }}"; only {{ lookup('env','VAR') }} is resolved`);
  });

  it('rejects a file it cannot read', () => {
    const file = join(dir, 'missing.yaml');
    expect(() => loadInventory(file)).toThrow(`${file}: (root): cannot read the inventory: ENOENT`);
  });

  it('rejects YAML that does not parse', () => {
    const file = inventoryFile('clusters: [\n');
    expect(() => loadInventory(file)).toThrow(`${file}: (root): not valid YAML:`);
  });

  it('rejects an inventory with a typo and names the file and path', () => {
    const file = inventoryFile(SEED_INVENTORY.replace('istio_control_plane: true', 'istio_control_plan: true'));
    const load = () => loadInventory(file, { env: {} });
    expect(load).toThrow(MeshValidationError);
    expect(load).toThrow(`${file}: clusters[0].istio_control_plan: unknown key "istio_control_plan"`);
  });
});

describe('inventory properties', () => {
  const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const validSpec: fc.Arbitrary<MeshSpec> = fc
    .uniqueArray(label, { minLength: 1, maxLength: 6 })
    .chain((names) =>
      fc.record({
        controlPlane: fc.nat({ max: names.length - 1 }),
        istioVersion: fc.constantFrom('1.24', '1.27', '1.30'),
        network: fc.option(label, { nil: undefined }),
        names: fc.constant(names),
      }),
    )
    .map(({ names, controlPlane, istioVersion, network }) => ({
      mesh: { istioVersion, ...(network ? { network } : {}) },
      clusters: names.map(
        (name, index): ClusterSpec => ({
          name,
          // not derived from the name: a valid label such as "xn--0" is no valid host name
          url: `https://api-${index}.example.com:6443`,
          istio_control_plane: index === controlPlane,
          ...(index === controlPlane ? { controlPlaneAddress: `10.0.0.${index + 1}` } : {}),
          podCidr: `10.${index + 1}.0.0/16`,
        }),
      ),
    }));

  it('returns a model or throws MeshValidationError for any document, never anything else', () => {
    const anyDocument = fc.oneof(
      fc.anything(),
      validSpec.chain((spec) =>
        fc.record({ key: fc.string(), value: fc.anything() }).map(({ key, value }) => ({ ...spec, clusters: spec.clusters.map((c, i) => (i === 0 ? { ...c, [key]: value } : c)) })),
      ),
    );
    fc.assert(
      fc.property(anyDocument, (document) => {
        const file = inventoryFile(dump(document, { skipInvalid: true }));
        try {
          expect(loadInventory(file, { env: {} }).mesh).toBeInstanceOf(Mesh);
        } catch (error) {
          expect(error).toBeInstanceOf(MeshValidationError);
          expect((error as MeshValidationError).issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips valid inventories: YAML file and spec object give the same model', () => {
    fc.assert(
      fc.property(validSpec, (spec) => {
        const fromFile = loadInventory(inventoryFile(dump(spec)), { env: {} }).mesh;
        const fromSpec = Mesh.fromSpec(spec);
        expect(fromFile.clusters).toEqual(fromSpec.clusters);
        expect(fromFile.controlPlane).toEqual(fromSpec.controlPlane);
        expect(fromFile.istioVersion).toBe(spec.mesh!.istioVersion);
      }),
      { numRuns: 200 },
    );
  });
});

describe('loadInventory on hostile input', () => {
  const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]']
    .concat('bcdefgh'.split('').map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[index]}`).join(', ')}]`))
    .concat(`clusters: [${Array(9).fill('*h').join(', ')}]`)
    .join('\n');

  it('refuses a YAML alias bomb quickly, without expanding it', () => {
    const started = Date.now();
    expect(() => loadInventory(inventoryFile(ALIAS_BOMB))).toThrow('(root): expands to more than 200000 values (YAML aliases?); an inventory is far smaller');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.each([
    ['a device', () => '/dev/zero', 'is not a regular file (a device); only regular files are read'],
    ['a symlink to a device', () => { const link = join(dir, `zero-${counter++}.yaml`); symlinkSync('/dev/zero', link); return link; }, 'is not a regular file (a device)'],
    ['a FIFO', () => { const fifo = join(dir, `fifo-${counter++}.yaml`); execFileSync('mkfifo', [fifo]); return fifo; }, 'is not a regular file (a FIFO)'],
    ['a folder', () => dir, 'is not a regular file (a folder)'],
    ['a file over 16 MiB', () => inventoryFile(`# ${'x'.repeat(16 * 1024 * 1024)}\n`), 'is 16777219 bytes, over the limit of 16777216 bytes'],
  ])('refuses %s, naming it, without blocking or reading it whole', (_kind, makeFile, expected) => {
    const file = makeFile();
    expect(() => loadInventory(file)).toThrow(`${file}: (root): cannot read the inventory: ${file} ${expected}`);
  });

  it('reads a lookup of a name Object.prototype has as an unset variable, not a function', () => {
    const file = inventoryFile(SEED_INVENTORY.replace('https://cluster2.example.com:8443', "https://{{ lookup('env','toString') }}:8443"));
    expect(() => loadInventory(file, { env: {} })).toThrow(
      'clusters[1].url: "https://:8443" is not an http(s) URL; the environment variable toString (looked up by {{ lookup(\'env\',\'toString\') }}) is unset or empty',
    );
  });

  it('builds a mesh whose clusters are named like Object.prototype members', () => {
    const file = inventoryFile(SEED_INVENTORY.replace('cluster1', 'constructor').replace('cluster2', 'tostring'));
    const { mesh } = loadInventory(file, { env: {} });
    expect(mesh.cluster('constructor').tokenVariable).toBe('ISTIO_REMOTE_TOKEN_CONSTRUCTOR');
  });

  it('never repeats a secret value with an unsupported template', () => {
    const file = inventoryFile(SEED_INVENTORY.replace(`password: "{{ lookup('env','password') }}"\n  istio_control_plane: false`, `password: "hunter{{2}}"\n  istio_control_plane: false`));
    expect(() => loadInventory(file, { env: {} })).toThrow(`${file}: clusters[1].password: unsupported template in this secret value (not repeated here); only {{ lookup('env','VAR') }} is resolved`);
    expect(() => loadInventory(file, { env: {} })).not.toThrow('hunter');
  });

  it('names the unset variable of an inline token', () => {
    // GIVEN the inline credential source and a token looked up from an unset variable
    const file = inventoryFile(`mesh:\n  credentials:\n    source: inline\n${SEED_INVENTORY}  token: "{{ lookup('env','WEST_TOKEN') }}"\n`);
    // THEN loading fails at the token, naming the variable
    expect(() => loadInventory(file, { env: { WEST_TOKEN: '' } })).toThrow(
      `${file}: clusters[1].token: is empty; credentials.source "inline" writes each remote's token into its remote secret; the environment variable WEST_TOKEN (looked up by {{ lookup('env','WEST_TOKEN') }}) is unset or empty`,
    );
  });
});
