import { mkdtempSync, writeFileSync } from 'node:fs';
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
    const mesh = loadInventory(file, { env: { password: 's3cret' } });
    // THEN the control plane and the remote are recognised
    expect(mesh.controlPlane.name).toBe('cluster1');
    expect(mesh.remotes.map((c) => c.name)).toEqual(['cluster2']);
  });

  it('loads it with the variable unset, as Ansible does (empty string)', () => {
    expect(loadInventory(inventoryFile(SEED_INVENTORY), { env: {} }).clusters).toHaveLength(2);
  });

  it('resolves a token lookup and remembers its variable for placeholders', () => {
    // GIVEN a remote whose token is looked up from WEST_TOKEN
    const file = inventoryFile(`${SEED_INVENTORY}  token: "{{ lookup('env','WEST_TOKEN') }}"\n`);
    // WHEN it is loaded with the variable set
    const mesh = loadInventory(file, { env: { WEST_TOKEN: 'abc' } });
    // THEN the token is resolved and the variable name is kept
    expect(mesh.cluster('cluster2')).toMatchObject({ token: 'abc', tokenVariable: 'WEST_TOKEN' });
  });

  it('resolves lookups embedded in longer strings, with either quote style', () => {
    const file = inventoryFile(SEED_INVENTORY.replace('https://cluster2.example.com:8443', `https://{{ lookup("env", "HOST") }}:8443`));
    expect(loadInventory(file, { env: { HOST: 'west.example.com' } }).cluster('cluster2').url).toBe('https://west.example.com:8443');
  });

  it('rejects any other template expression, naming the field', () => {
    const file = inventoryFile(SEED_INVENTORY.replace(`"{{ lookup('env','password') }}"`, `"{{ vault_password }}"`));
    expect(() => loadInventory(file, { env: {} })).toThrow(`${file}: clusters[0].password: unsupported template "{{ vault_password }}"; only {{ lookup('env','VAR') }} is resolved`);
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
          expect(loadInventory(file, { env: {} })).toBeInstanceOf(Mesh);
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
        const fromFile = loadInventory(inventoryFile(dump(spec)), { env: {} });
        const fromSpec = Mesh.fromSpec(spec);
        expect(fromFile.clusters).toEqual(fromSpec.clusters);
        expect(fromFile.controlPlane).toEqual(fromSpec.controlPlane);
        expect(fromFile.istioVersion).toBe(spec.mesh!.istioVersion);
      }),
      { numRuns: 200 },
    );
  });
});
