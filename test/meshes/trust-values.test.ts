/**
 * istiod's values for each `mesh.trust` source, rendered by the real helm with the istiod chart of
 * every supported release: the mounts and variables the chart renders are what istiod reads for
 * that source (istio 1.30.3 `pilot/pkg/bootstrap/istio_ca.go`, `pilot/pkg/features/pilot.go`,
 * `pkg/config/constants/constants.go`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../cli/support';
import { istiodValues } from '../../lib/model/istio-values';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec, TrustSpec } from '../../lib/model/mesh-spec';
import { CHART_RELEASES, helmTemplate, removeHelmValuesFiles, type RenderedObject } from '../support/helm';

afterAll(removeHelmValuesFiles);

const EAST: ClusterSpec = { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' };
const WEST: ClusterSpec = { name: 'west', url: 'https://api.west.example.com:6443' };
const certs = tempDirs('trust-values-');
/** A new root, made by openssl, that the rotation distributes. */
let ROOT: Buffer;
beforeAll(() => {
  const dir = certs('root');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '1', '-subj', '/O=Istio/CN=New Root CA', '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign'], { cwd: dir, stdio: 'pipe' });
  ROOT = readFileSync(join(dir, 'root.pem'));
});

interface Container {
  readonly name: string;
  readonly env?: { name: string; value?: string }[];
  readonly volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  readonly containers: Container[];
  readonly volumes: { name: string; secret?: { secretName: string; optional?: boolean }; configMap?: { name: string; optional?: boolean } }[];
}

function render(release: string, trust: TrustSpec | undefined) {
  const model = Mesh.fromSpec({ mesh: { istioVersion: [...CHART_RELEASES].find(([, patch]) => patch === release)![0], trust }, clusters: [EAST, WEST] });
  const objects = helmTemplate({ istioRelease: release, chart: 'istiod', namespace: 'istio-system', values: istiodValues(model, model.controlPlane) });
  const find = (kind: string, name: string): RenderedObject => objects.find((object) => object.kind === kind && object.metadata.name === name)!;
  const pod = (find('Deployment', 'istiod').spec as { template: { spec: PodSpec } }).template.spec;
  const discovery = pod.containers.find((container) => container.name === 'discovery')!;
  const env = new Map((discovery.env ?? []).map((variable) => [variable.name, variable.value]));
  const mountOf = (volume: string) => discovery.volumeMounts?.find((mount) => mount.name === volume)?.mountPath;
  const meshConfig = load((find('ConfigMap', 'istio').data as { mesh: string }).mesh) as Record<string, any>;
  const injectorValues = JSON.parse((find('ConfigMap', 'istio-sidecar-injector').data as { values: string }).values) as { global: { caAddress: string } };
  return { pod, env, mountOf, meshConfig, injectorValues };
}

describe.each([...CHART_RELEASES.values()])('the istiod chart %s renders what istiod reads for each trust source', (release) => {
  it('plugin-secret and cert-manager: the optional cacerts Secret at /etc/cacerts (ROOT_CA_DIR), the CA server on', () => {
    for (const trust of [{ source: 'plugin-secret' }, { source: 'cert-manager' }] as TrustSpec[]) {
      // GIVEN the source WHEN its values are rendered
      const { pod, env, mountOf, injectorValues } = render(release, trust);
      // THEN istiod mounts cacerts where it reads its CA, keeps its CA server and proxies ask istiod
      expect(pod.volumes.find((volume) => volume.name === 'cacerts')?.secret).toEqual({ secretName: 'cacerts', optional: true });
      expect(mountOf('cacerts')).toBe('/etc/cacerts');
      expect(env.has('ENABLE_CA_SERVER')).toBe(false);
      expect(injectorValues.global.caAddress).toBe('');
    }
  });

  it('istio-csr: istiod CA server off, proxies sent to istio-csr, istiod-tls and the root ConfigMap mounted where istiod looks for them', () => {
    // GIVEN istio-csr WHEN its values are rendered
    const { pod, env, mountOf, injectorValues } = render(release, { source: 'istio-csr', issuer: { kind: 'ClusterIssuer', name: 'shared-root' } });
    // THEN ENABLE_CA_SERVER is false, the injector's CA_ADDR is istio-csr's Service
    expect(env.get('ENABLE_CA_SERVER')).toBe('false');
    expect(injectorValues.global.caAddress).toBe('cert-manager-istio-csr.cert-manager.svc:443');
    // AND istiod's serving certificate comes from istio-csr's istiod-tls (PilotWellKnownDNSCertPath ./var/run/secrets/istiod/tls/)
    expect(pod.volumes.find((volume) => volume.name === 'istio-csr-dns-cert')?.secret).toEqual({ secretName: 'istiod-tls', optional: true });
    expect(mountOf('istio-csr-dns-cert')).toBe('/var/run/secrets/istiod/tls');
    expect(mountOf('istio-csr-ca-configmap')).toBe('/var/run/secrets/istiod/ca');
  });

  it('a root rotation: multi-root in istiod, XDS-delivered proxy config, the extra root in caCertificates', () => {
    // GIVEN the first stage, then the second with the new root
    const first = render(release, { source: 'plugin-secret', rotation: { stage: 'multi-root' } });
    const second = render(release, { source: 'plugin-secret', writeCertificates: true, rotation: { stage: 'both-roots', roots: ROOT.toString('base64') } });
    // THEN istiod runs with ISTIO_MULTIROOT_MESH, proxies with PROXY_CONFIG_XDS_AGENT
    for (const { env, meshConfig } of [first, second]) {
      expect(env.get('ISTIO_MULTIROOT_MESH')).toBe('true');
      expect(meshConfig.defaultConfig.proxyMetadata).toEqual({ PROXY_CONFIG_XDS_AGENT: 'true' });
    }
    // AND only the second distributes the extra root
    expect(first.meshConfig.caCertificates).toBeUndefined();
    expect(second.meshConfig.caCertificates).toEqual([{ pem: ROOT.toString('latin1') }]);
    // AND the mesh's own settings stay
    expect(second.meshConfig.defaultConfig.meshId).toBe('mesh1');
    expect(second.meshConfig.trustDomain).toBe('cluster.local');
  });
});
