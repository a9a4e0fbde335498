import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { edit, expectSameTree, listResource, INVENTORIES, runMain, snapshotTree, tempDirs, writeFile, type ProcessResult } from './support';

/*
 * What synth and synth --check say applying the new tree over the one in the output folder does
 * (docs/changes.md): objects added, changed and removed per folder, and the changes that fail
 * (MCL0110-MCL0112). Run in process through main(argv, io).
 */

const dir = tempDirs('synth-changes-');

interface InventoryCluster {
  name: string;
  [key: string]: unknown;
}
interface InventoryFile {
  clusters: InventoryCluster[];
  [key: string]: unknown;
}

const OPENSHIFT = load(readFileSync(INVENTORIES.openshift, 'utf8')) as InventoryFile;

/** The OpenShift example with a third cluster, the remote ocp-south. */
const WITH_SOUTH: InventoryFile = {
  ...OPENSHIFT,
  clusters: [
    ...OPENSHIFT.clusters,
    {
      name: 'ocp-south',
      url: 'https://api.ocp-south.example.com:6443',
      platform: 'openshift',
      token: "{{ lookup('env','OCP_SOUTH_TOKEN') }}",
      podCidr: '10.136.0.0/14',
      serviceCidr: '172.29.0.0/16',
      region: 'us-south',
      zone: 'us-south-1a',
    },
  ],
};

/** The OpenShift example with the control plane on ocp-west instead of ocp-east. */
const MOVED: InventoryFile = {
  ...OPENSHIFT,
  clusters: OPENSHIFT.clusters.map((cluster) => {
    const { controlPlaneAddress, controlPlaneAddressKind, token, ...rest } = cluster;
    return cluster.name === 'ocp-east'
      ? { ...rest, istio_control_plane: false, token: "{{ lookup('env','OCP_EAST_TOKEN') }}" }
      : { ...rest, istio_control_plane: true, controlPlaneAddress: '172.31.120.15', controlPlaneAddressKind: controlPlaneAddressKind ?? 'istiod-service' };
  }),
};

/** The report's line for ocp-south leaving the mesh. */
const LEAVES = '  cluster ocp-south leaves the mesh: its Helm releases (or Sail operator) and the Istio CRDs stay on it; remove them by hand (docs/changes.md, "Removing a remote")';

/** A folder holding `out/` synthesized from `inventory`, and that inventory's file. */
function synthesized(inventory: InventoryFile): { cwd: string; out: string } {
  const cwd = dir();
  const out = join(cwd, 'out');
  const result = runMain(['synth', '-i', writeFile(cwd, 'before.yaml', inventory), '-o', out]);
  expect(result.status, result.stderr).toBe(0);
  return { cwd, out };
}

/** The report's lines: from its header to the counts. */
function reportLines(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Applying it over what '));
  expect(start, text).toBeGreaterThanOrEqual(0);
  return lines.slice(start, lines.findIndex((line, index) => index > start && !line.startsWith('  ')));
}

function check(cwd: string, out: string, inventory: InventoryFile, ...flags: string[]): ProcessResult {
  return runMain(['synth', '-i', writeFile(cwd, 'after.yaml', inventory), '-o', out, '--check', ...flags]);
}

describe('synth over an existing output reports what applying the new tree changes', () => {
  it('GIVEN an output WHEN the same inventory is synthesized again THEN it reports no object change', () => {
    // GIVEN the OpenShift example written once
    const { cwd, out } = synthesized(OPENSHIFT);
    // WHEN it is synthesized again from the same inventory
    const result = runMain(['synth', '-i', writeFile(cwd, 'again.yaml', OPENSHIFT), '-o', out]);
    // THEN the summary says no object changes, and nothing fails
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Applying it over what ${out}/ holds changes no object\n0 errors, 0 warnings, 0 info, 0 suppressed\n`);
    expect(result.stderr).toBe('');
  });

  it('GIVEN an output whose Deployment was applied with another selector WHEN checked or synthesized THEN MCL0110 fails naming the object and spec.selector, and the output is untouched', () => {
    // GIVEN an output where productpage-v1 carries another selector, as an earlier version wrote it
    const { cwd, out } = synthesized(OPENSHIFT);
    edit(join(out, 'clusters', 'ocp-west', 'deployment.apps_bookinfo_productpage-v1.yaml'), '  selector:\n    matchLabels:\n      app: productpage\n', '  selector:\n    matchLabels:\n      app: productpage-old\n');
    const before = snapshotTree(out);
    // WHEN it is checked, and synthesized
    const checked = check(cwd, out, OPENSHIFT);
    const written = runMain(['synth', '-i', join(cwd, 'after.yaml'), '-o', out]);
    // THEN both fail on the refused change, naming the object, the field and the values
    const finding =
      'error MCL0110 clusters/ocp-west Deployment/bookinfo/productpage-v1 (cluster ocp-west): the API server refuses this change to the existing object: spec.selector: field is immutable ' +
      '({"matchLabels":{"app":"productpage-old","version":"v1"}} -> {"matchLabels":{"app":"productpage","version":"v1"}}); hint: keep spec.selector as it was';
    for (const result of [checked, written]) {
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(finding);
      // As every synth finding, it points at the object's file (json and sarif carry the field's JSON pointer).
      expect(result.stderr).toContain(`(at ${out}/clusters/ocp-west/deployment.apps_bookinfo_productpage-v1.yaml:1)`);
      expect(reportLines(result.stderr)).toEqual([
        `Applying it over what ${out}/ holds: 0 added, 1 changed, 0 removed (removed objects are what GitOps prune deletes; see docs/changes.md for what to delete by hand)`,
        '  clusters/ocp-west/: 0 added, 1 changed, 0 removed',
        '    changed: Deployment/bookinfo/productpage-v1 (spec.selector.matchLabels.app)',
      ]);
      expect(result.stderr).toContain(`error: applying the new tree over what ${out}/ holds would fail or cut clusters off (see the MCL0110 findings); ${out}/ was not touched\n`);
    }
    expectSameTree(snapshotTree(out), before);
  });

  it('GIVEN a refused change WHEN run with --format json THEN stdout is one JSON document holding the finding and its field, and the report goes to stderr', () => {
    // GIVEN an output whose productpage Deployment had another selector
    const { cwd, out } = synthesized(OPENSHIFT);
    edit(join(out, 'clusters', 'ocp-west', 'deployment.apps_bookinfo_productpage-v1.yaml'), '      app: productpage\n', '      app: productpage-old\n');
    // WHEN it is checked with --format json
    const result = check(cwd, out, OPENSHIFT, '--format', 'json');
    // THEN the document names the code, the object and the field; the report is on stderr
    expect(result.status).toBe(1);
    const findings = JSON.parse(result.stdout) as { code: string; object: string; path?: string }[];
    expect(findings.map(({ code, object, path }) => ({ code, object, path }))).toEqual([{ code: 'MCL0110', object: 'Deployment/bookinfo/productpage-v1', path: '/spec/selector' }]);
    expect(reportLines(result.stderr)[2]).toBe('    changed: Deployment/bookinfo/productpage-v1 (spec.selector.matchLabels.app)');
  });

  it('GIVEN a refused change WHEN it is accepted with --suppress for that object THEN synth writes the new tree and counts the finding as suppressed', () => {
    // GIVEN an output whose productpage Deployment had another selector
    const { cwd, out } = synthesized(OPENSHIFT);
    const file = join(out, 'clusters', 'ocp-west', 'deployment.apps_bookinfo_productpage-v1.yaml');
    const expected = readFileSync(file, 'utf8');
    edit(file, '      app: productpage\n', '      app: productpage-old\n');
    // WHEN synthesized accepting that one change
    const result = runMain(['synth', '-i', writeFile(cwd, 'after.yaml', OPENSHIFT), '-o', out, '--suppress', 'MCL0110=Deployment/bookinfo/productpage-v1']);
    // THEN the tree is written, the change still reported
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(expected);
    expect(result.stdout).toContain('    changed: Deployment/bookinfo/productpage-v1 (spec.selector.matchLabels.app)\n0 errors, 0 warnings, 0 info, 1 suppressed\n');
  });
});

describe('grow and shrink (docs/changes.md)', () => {
  it.each([
    { change: 'the remote ocp-south is added', before: OPENSHIFT, after: WITH_SOUTH, verb: 'added:  ', counts: '30 added, 0 changed, 0 removed', cluster: '  cluster ocp-south joins the mesh', file: 'missing:' },
    { change: 'the remote ocp-south is removed', before: WITH_SOUTH, after: OPENSHIFT, verb: 'removed:', counts: '0 added, 0 changed, 30 removed', cluster: LEAVES, file: 'extra:  ' },
  ])('GIVEN an output WHEN $change THEN only that shows: its folder and its remote secret on the control plane, and nothing fails but the file check', ({ before, after, verb, counts, cluster, file }) => {
    // GIVEN the output of one mesh
    const { cwd, out } = synthesized(before);
    // WHEN checked against the other
    const result = check(cwd, out, after);
    // THEN the files differ (exit 1), and every object of the report is of the one kind
    expect(result.status).toBe(1);
    const lines = reportLines(result.stderr);
    const one = (n: number) => counts.replace(/\d+/g, (count) => (count === '0' ? '0' : String(n)));
    expect(lines.slice(0, 5)).toEqual([
      `Applying it over what ${out}/ holds: ${counts} (removed objects are what GitOps prune deletes; see docs/changes.md for what to delete by hand)`,
      cluster,
      `  control-plane/ (cluster ocp-east): ${one(1)}`,
      `    ${verb} ExternalSecret/istio-system/istio-remote-secret-ocp-south`,
      `  clusters/ocp-south/: ${one(29)}`,
    ]);
    expect(lines.slice(5).every((line) => line.startsWith(`    ${verb} `))).toBe(true);
    expect(lines).toContain(`    ${verb} MutatingWebhookConfiguration/istio-sidecar-injector`);
    expect(result.stderr).not.toMatch(/MCL011/);
    expect(result.stderr).toContain(`  ${file} control-plane/externalsecret.external-secrets.io_istio-system_istio-remote-secret-ocp-south.yaml\n`);
  });

  it('GIVEN an old tree whose remote secret for ocp-west had another name WHEN checked THEN it is a removal and an addition, and no MCL0111: the new tree still reads ocp-west', () => {
    // GIVEN an output whose remote secret for ocp-west was named otherwise
    const { cwd, out } = synthesized(OPENSHIFT);
    edit(join(out, 'control-plane', 'externalsecret.external-secrets.io_istio-system_istio-remote-secret-ocp-west.yaml'), 'name: istio-remote-secret-ocp-west\n', 'name: istio-remote-secret-ocp-west-old\n');
    // WHEN checked
    const result = check(cwd, out, OPENSHIFT);
    // THEN the old one is removed, the new one added, and the remote keeps a remote secret
    expect(result.status).toBe(1);
    expect(reportLines(result.stderr)).toEqual([
      `Applying it over what ${out}/ holds: 1 added, 0 changed, 1 removed (removed objects are what GitOps prune deletes; see docs/changes.md for what to delete by hand)`,
      '  control-plane/ (cluster ocp-east): 1 added, 0 changed, 1 removed',
      '    added:   ExternalSecret/istio-system/istio-remote-secret-ocp-west',
      '    removed: ExternalSecret/istio-system/istio-remote-secret-ocp-west-old',
    ]);
    expect(result.stderr).not.toContain('MCL0111');
  });

  it('GIVEN the output WHEN the control plane moves to ocp-west THEN MCL0112 warns and control-plane/ shows as removals on ocp-east and additions on ocp-west', () => {
    // GIVEN the OpenShift example written (ocp-east is the control plane)
    const { cwd, out } = synthesized(OPENSHIFT);
    // WHEN checked against the mesh with ocp-west as the control plane
    const result = check(cwd, out, MOVED);
    // THEN the move is a warning (no error: the remotes' webhooks on the new control plane come from its install), and the report says what moves
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('warning MCL0112 control-plane control-plane (cluster ocp-west): the control plane moves from cluster ocp-east to cluster ocp-west');
    expect(result.stderr).not.toContain('error MCL011');
    expect(reportLines(result.stderr).filter((line) => !line.startsWith('    '))).toEqual([
      `Applying it over what ${out}/ holds: 19 added, 0 changed, 19 removed (removed objects are what GitOps prune deletes; see docs/changes.md for what to delete by hand)`,
      '  the control plane moves from cluster ocp-east to cluster ocp-west: no GitOps tool deletes control-plane/ nor istiod from ocp-east; delete them by hand (docs/changes.md, "Moving the control plane")',
      '  clusters/ocp-east/: 7 added, 0 changed, 0 removed',
      '  control-plane/ (cluster ocp-east): 0 added, 0 changed, 12 removed',
      '  clusters/ocp-west/: 0 added, 0 changed, 7 removed',
      '  control-plane/ (cluster ocp-west): 12 added, 0 changed, 0 removed',
    ]);
    expect(result.stderr).toContain('0 errors, 1 warning, 0 info, 0 suppressed\n');
  });
});

describe('the report escapes what the old tree holds', () => {
  it('GIVEN an old tree with a cluster folder and an object named with controls WHEN checked THEN every name is printed escaped and no line starts with ::', () => {
    // GIVEN an output with a copy of ocp-west's folder under a hostile name, holding a hostile Namespace
    const { cwd, out } = synthesized(OPENSHIFT);
    const hostile = 'evil\n::error::x\u001b[2J\u202e';
    cpSync(join(out, 'clusters', 'ocp-west'), join(out, 'clusters', hostile), { recursive: true });
    const namespaceFile = join(out, 'clusters', hostile, 'namespace_bookinfo.yaml');
    const namespace = load(readFileSync(namespaceFile, 'utf8')) as { metadata: { name: string } };
    writeFile(join(out, 'clusters', hostile), 'namespace_evil.yaml', dump({ ...namespace, metadata: { ...namespace.metadata, name: 'x\u001b]0;owned\u0007' } }));
    listResource(join(out, 'clusters', hostile), 'namespace_evil.yaml');
    // WHEN checked
    const result = check(cwd, out, OPENSHIFT);
    // THEN the removed cluster and objects are named escaped
    expect(result.status).toBe(1);
    const lines = reportLines(result.stderr);
    expect(lines).toContain(LEAVES.replace('ocp-south', 'evil\\n::error::x\\u001b[2J\\u202e'));
    expect(lines).toContain('  clusters/evil\\n::error::x\\u001b[2J\\u202e/: 0 added, 0 changed, 30 removed');
    expect(lines).toContain('    removed: Namespace/x\\u001b]0;owned\\u0007');
    for (const line of `${result.stdout}${result.stderr}`.split('\n')) {
      expect(line).not.toMatch(/^::/);
      expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    }
  });
});
