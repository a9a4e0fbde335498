/**
 * `clusters[].caData` through the CLI in process: the inline remote secret carries it as
 * certificate-authority-data, and a value istiod could not use is refused with its field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { STACK_FRAME, cli, tempDirs, writeFile } from './support';

const dir = tempDirs('cli-ca-data-');
const CA_DATA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBcdk8s\n-----END CERTIFICATE-----\n').toString('base64');

function inventory(cwd: string, source: string, caData: string): string {
  return writeFile(cwd, 'inventory.yaml', {
    mesh: { credentials: { source } },
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
      { name: 'west', url: 'https://api.west.example.com:6443', token: 'west-reader-token', caData },
    ],
  });
}

describe('synth with clusters[].caData', () => {
  it('writes a looked-up CA into the inline remote secret\'s kubeconfig as certificate-authority-data', () => {
    const cwd = dir();
    const result = cli(['synth', '-i', inventory(cwd, 'inline', "{{ lookup('env','WEST_CA') }}"), '--allow-inline-credentials'], { cwd, env: { WEST_CA: CA_DATA } });
    expect(result.status, result.stderr).toBe(0);
    const secret = load(readFileSync(join(cwd, 'dist', 'control-plane', 'secret_istio-system_istio-remote-secret-west.yaml'), 'utf8')) as { stringData: { west: string } };
    const kubeconfig = load(secret.stringData.west) as { clusters: { cluster: Record<string, string> }[] };
    expect(kubeconfig.clusters[0].cluster).toEqual({ 'certificate-authority-data': CA_DATA, server: 'https://api.west.example.com:6443' });
  });

  it.each([
    ['external-secret', 'template'],
    ['flux-substitution', 'stringData'],
  ])('writes the CA as given with the %s source, instead of the reader token Secret\'s ca.crt', (source, field) => {
    // GIVEN a remote with caData under a source that otherwise copies the token Secret's ca.crt
    const cwd = dir();
    const result = cli(['synth', '-i', inventory(cwd, source, CA_DATA)], { cwd });
    // WHEN synthesized THEN the kubeconfig holds the CA itself, and no other CA input is read
    expect(result.status, result.stderr).toBe(0);
    const file = source === 'external-secret' ? 'externalsecret.external-secrets.io_istio-system_istio-remote-secret-west.yaml' : 'secret_istio-system_istio-remote-secret-west.yaml';
    const text = readFileSync(join(cwd, 'dist', 'control-plane', file), 'utf8');
    const object = load(text) as { stringData?: { west: string }; spec?: { target: { template: { data: { west: string } } }; data: { secretKey: string }[] } };
    const kubeconfig = load(field === 'template' ? object.spec!.target.template.data.west : object.stringData!.west) as { clusters: { cluster: Record<string, string> }[] };
    expect(kubeconfig.clusters[0].cluster['certificate-authority-data']).toBe(CA_DATA);
    expect(text).not.toContain('ISTIO_REMOTE_CA_');
    if (object.spec) expect(object.spec.data.map((entry) => entry.secretKey)).toEqual(['token']);
  });

  it.each([
    ['an unset variable', 'inline', "{{ lookup('env','WEST_CA') }}", 'is empty: expected the API server CA as certificate-authority-data holds it: the PEM certificates, base64-encoded on one line (e.g. base64 -w0 ca.crt)'],
    ['a PEM that is not base64-encoded', 'inline', '-----BEGIN CERTIFICATE-----', 'is not base64 (its content is not shown): expected the API server CA'],
    ['base64 of something else', 'inline', Buffer.from('not a certificate').toString('base64'), 'decodes to a text that is not a PEM certificate bundle: only -----BEGIN CERTIFICATE----- blocks, and nothing else, belong there (its content is not shown)'],
    ['a bundle that also holds a private key', 'external-secret', Buffer.from(`${Buffer.from(CA_DATA, 'base64').toString()}-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANkey\n-----END PRIVATE KEY-----\n`).toString('base64'), 'decodes to a text that holds a PRIVATE KEY PEM block; only CERTIFICATE blocks belong there (its content is not shown)'],
  ])('refuses %s, naming the field and never its content', (_, source, caData, message) => {
    const cwd = dir();
    const file = inventory(cwd, source, caData);
    const result = cli(['synth', '-i', file, '--allow-inline-credentials'], { cwd, env: { WEST_CA: undefined } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}: clusters[1].caData: ${message}`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    if (!caData.startsWith('{{')) expect(result.stderr).not.toContain(caData.slice(0, 12));
  });
});
