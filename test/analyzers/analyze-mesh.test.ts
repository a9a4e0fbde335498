import { describe, expect, it } from 'vitest';
import { analyzeMesh, ANALYZERS } from '../../lib/analyzers';
import { formatFinding } from '../../lib/analyzers/finding';
import { LABELS, remoteSecretName } from '../../lib/model/names';
import { BROKEN_MESHES } from './broken-meshes';
import { APP_NAMESPACE, CONTROL_PLANE, externalRemoteSecret, findDoc, goodMesh, REMOTE, removeDoc, toMeshManifests } from './fixtures';

describe('analyzeMesh', () => {
  it('finds nothing wrong in a valid two-cluster mesh', () => {
    // GIVEN a valid mesh: a control plane, a remote, split workloads, per-cluster TLS gateways
    const mesh = toMeshManifests(goodMesh());

    // WHEN it is analyzed
    const findings = analyzeMesh(mesh);

    // THEN there are no findings
    expect(findings).toEqual([]);
  });

  it.each(BROKEN_MESHES)('reports $code for $title', ({ code, breakMesh, expected }) => {
    // GIVEN the valid mesh, broken in one way
    const mesh = goodMesh();
    breakMesh(mesh);

    // WHEN both are analyzed
    const findings = analyzeMesh(toMeshManifests(mesh));
    const goodFindings = analyzeMesh(toMeshManifests(goodMesh()));

    // THEN exactly the expected findings come out, and the valid mesh has none of that code
    expect(findings).toMatchObject(expected);
    expect(goodFindings.map((finding) => finding.code)).not.toContain(code);
  });

  it('GIVEN every broken mesh WHEN analyzed THEN no message or hint shows a JavaScript value (undefined, null, NaN, [object Object])', () => {
    const internal = /\b(?:undefined|null|NaN)\b|\[object \w+\]/;
    const shown = BROKEN_MESHES.flatMap(({ title, breakMesh }) => {
      const mesh = goodMesh();
      breakMesh(mesh);
      return analyzeMesh(toMeshManifests(mesh)).flatMap((finding) => [finding.message, finding.hint].filter((text) => internal.test(text)).map((text) => `${title}: ${text}`));
    });
    expect(shown).toEqual([]);
  });

  it('has a broken-mesh test for every code an analyzer reports', () => {
    // GIVEN the codes of all analyzers
    const codes = new Set(ANALYZERS.flatMap((analyzer) => analyzer.codes));

    // WHEN compared with the codes the broken meshes produce
    const tested = new Set(BROKEN_MESHES.flatMap((broken) => broken.expected.map((finding) => finding.code)));

    // THEN none is left untested
    expect([...codes].filter((code) => !tested.has(code))).toEqual([]);
  });

  it('sorts findings by severity, code, folder and object', () => {
    // GIVEN a mesh with an error in the remote and warnings in both clusters
    const mesh = goodMesh();
    findDoc(mesh.clusters[REMOTE], 'Service', 'ratings').spec.ports[0].name = 'web';
    findDoc(mesh.clusters[CONTROL_PLANE], 'Service', 'details').spec.ports[0].name = 'web';
    removeDoc(mesh.controlPlane, 'Secret', remoteSecretName(REMOTE));

    // WHEN it is analyzed
    const findings = analyzeMesh(toMeshManifests(mesh));

    // THEN the error comes first, then the warnings in folder order
    expect(findings.map((finding) => `${finding.severity} ${finding.code} ${finding.folder} ${finding.object}`)).toEqual([
      `error MCL0002 control-plane Secret/istio-system/${remoteSecretName(REMOTE)}`,
      'warning IST0118 clusters/east Service/bookinfo/details',
      'warning IST0118 clusters/west Service/bookinfo/ratings',
    ]);
  });

  it('accepts a remote secret rendered by an ExternalSecret', () => {
    // GIVEN the remote secret replaced by an external-secrets.io/v1 ExternalSecret whose template renders it
    const mesh = goodMesh();
    removeDoc(mesh.controlPlane, 'Secret', remoteSecretName(REMOTE));
    mesh.controlPlane.push(externalRemoteSecret(REMOTE, REMOTE));

    // WHEN it is analyzed
    const findings = analyzeMesh(toMeshManifests(mesh));

    // THEN the remote still counts as covered, consistently named
    expect(findings).toEqual([]);
  });

  it('checks the cluster names of a remote secret rendered by an ExternalSecret', () => {
    // GIVEN an ExternalSecret whose template renders data key "wset" for remote west
    const mesh = goodMesh();
    removeDoc(mesh.controlPlane, 'Secret', remoteSecretName(REMOTE));
    mesh.controlPlane.push(externalRemoteSecret(REMOTE, 'wset'));

    // WHEN it is analyzed
    const codes = analyzeMesh(toMeshManifests(mesh)).map((finding) => finding.code);

    // THEN west is uncovered, "wset" is unknown and the names disagree
    expect(codes).toEqual(['MCL0002', 'MCL0003', 'MCL0004']);
  });

  it('resolves a destination host declared by a ServiceEntry', () => {
    // GIVEN a VirtualService routing to an external host a ServiceEntry declares with a wildcard
    const mesh = goodMesh();
    findDoc(mesh.controlPlane, 'VirtualService', 'bookinfo').spec.http[0].route[0].destination.host = 'api.ratings.example.org';
    mesh.controlPlane.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'ratings-api', namespace: APP_NAMESPACE },
      spec: { hosts: ['*.ratings.example.org'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' },
    });

    // WHEN it is analyzed
    const findings = analyzeMesh(toMeshManifests(mesh));

    // THEN the host counts as known
    expect(findings).toEqual([]);
  });

  it.each([
    ['a wildcard host', '*.example.com', []],
    ['a host for any namespace', '*/bookinfo.example.com', []],
    ["a host for the Gateway's own namespace", './bookinfo.example.com', []],
    ['a host for another namespace', 'shop/bookinfo.example.com', ['IST0132']],
  ])('binds a VirtualService to a Gateway serving %s', (_title, gatewayHost, expectedCodes) => {
    // GIVEN the Gateway serving that host form
    const mesh = goodMesh();
    findDoc(mesh.controlPlane, 'Gateway', 'bookinfo-gateway').spec.servers[0].hosts = [gatewayHost];

    // WHEN it is analyzed
    const codes = analyzeMesh(toMeshManifests(mesh)).map((finding) => finding.code);

    // THEN the VirtualService host is admitted unless the namespace part excludes it
    expect(codes).toEqual(expectedCodes);
  });

  it('leaves namespaces labelled istio-injection=disabled alone', () => {
    // GIVEN the remote's application namespace explicitly opted out of injection
    const mesh = goodMesh();
    findDoc(mesh.clusters[REMOTE], 'Namespace', APP_NAMESPACE).metadata.labels = { [LABELS.injection]: 'disabled' };

    // WHEN it is analyzed
    const findings = analyzeMesh(toMeshManifests(mesh));

    // THEN that deliberate choice is not reported
    expect(findings).toEqual([]);
  });

  it('formats a finding on one line with its code, folder, object, cluster and hint', () => {
    // GIVEN a finding on a VirtualService bound to a missing Gateway
    const mesh = goodMesh();
    findDoc(mesh.controlPlane, 'VirtualService', 'bookinfo').spec.gateways = ['missing-gateway'];
    const [finding] = analyzeMesh(toMeshManifests(mesh));

    // WHEN it is formatted
    const line = formatFinding(finding);

    // THEN everything is on one line
    expect(line).toMatch(/^IST0101 control-plane VirtualService\/bookinfo\/bookinfo \(cluster east\): .+; hint: .+$/);
    expect(line).not.toContain('\n');
  });
});
