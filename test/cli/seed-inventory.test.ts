/**
 * The OpenShift seed's inventory, as its article prints it, through the CLI in process: it names no
 * control-plane address (its playbook read it from the live cluster), and must still synthesize.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { cli, snapshotTree, tempDirs, writeFile } from './support';

const dir = tempDirs('seed-');
/** The article's inventory block as its page prints it (non-breaking spaces and lost indentation included), copied byte for byte. */
const ARTICLE_BLOCK = join(__dirname, 'fixtures', 'openshift-article-inventory.txt');

/**
 * The article's inventory block (from `clusters:` to the second `istio_control_plane`), with its
 * indentation repaired (the page lost it: one space, and a key pushed below a blank line) and its
 * `<placeholders>` filled in. Nothing is added.
 */
function seedInventory(): string {
  return `${readFileSync(ARTICLE_BLOCK, 'utf8')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .map((line) => (line === 'clusters:' || line.startsWith('- ') ? line : `  ${line.trim()}`))
    .join('\n')
    .replace(/<cluster(\d)_name>/g, 'ocp$1')
    .replace(/<cluster(\d)_url>:<cluster\d_port>/g, 'https://api.ocp$1.example.com:6443')}\n`;
}

const WARNING =
  'warning MCL0060 control-plane mesh/istio-remote (cluster ocp1): clusters[0].controlPlaneAddress is not set: the remotes\' istiod Service points at the placeholder "CONTROL_PLANE_ADDRESS_NOT_SET", ' +
  'which the API server rejects when it is applied; hint: read the address with ' +
  '`kubectl --context=ocp1 -n istio-system get service istio-eastwestgateway -o jsonpath=\'{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}\'`, ' +
  'set it as clusters[0].controlPlaneAddress and synthesize again (docs/inventory.md, "Reaching istiod")\n';

describe('the OpenShift seed\'s inventory, verbatim', () => {
  it('is the article\'s block with only indentation and placeholders changed', () => {
    expect(load(seedInventory())).toEqual({
      clusters: [
        { name: 'ocp1', url: 'https://api.ocp1.example.com:6443', username: 'admin', password: "{{ lookup('env','password') }}", istio_control_plane: true },
        { name: 'ocp2', url: 'https://api.ocp2.example.com:6443', username: 'admin', password: "{{ lookup('env','password') }}", istio_control_plane: false },
      ],
    });
  });

  it('synthesizes with exit 0, warning about the missing address, and a loud placeholder in the remote', () => {
    // GIVEN the seed's inventory
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', seedInventory());
    // WHEN synthesized
    const result = cli(['synth', '-i', inventory], { cwd });
    // THEN it succeeds with the warning naming the field
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe(WARNING);
    // AND the remote's istiod Service carries the placeholder, which is no valid ExternalName
    const service = load(readFileSync(join(cwd, 'dist/clusters/ocp2/service_istio-system_istiod.yaml'), 'utf8')) as any;
    expect(service.spec).toMatchObject({ type: 'ExternalName', externalName: 'CONTROL_PLANE_ADDRESS_NOT_SET' });
    expect(service.spec.externalName).not.toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
    // AND the README says how to read the address and where to put it
    const readme = readFileSync(join(cwd, 'dist/README.md'), 'utf8');
    expect(readme).toContain('`clusters[0].controlPlaneAddress` is not set');
    expect(readme).toContain("kubectl --context=ocp1 -n istio-system get service istio-eastwestgateway -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}'");
  });

  it('fails with --strict and writes nothing', () => {
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', seedInventory());
    const result = cli(['synth', '-i', inventory, '--strict'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(WARNING);
    expect(result.stderr).toContain('error: the mesh has warnings and --strict (--fail-on warning) makes them fail; dist/ was not touched\n');
    expect([...snapshotTree(cwd).keys()]).toEqual(['inventory.yaml']);
  });
});
