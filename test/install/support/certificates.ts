/**
 * Install-suite support: the keys and certificates of one test API server, made with the
 * machine's openssl. Each cluster gets a CA of its own, so a kubeconfig that carries another
 * cluster's `certificate-authority-data` fails to reach it, as it would in a real mesh.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterCertificates {
  /** The CA's certificate (PEM) file; its base64 is the kubeconfigs' certificate-authority-data. */
  readonly caFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  /** The service-account token signing key pair (PEM files). */
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
  /** `base64(ca.crt)`, as certificate-authority-data holds it. */
  readonly caData: string;
}

/** Writes a CA, a serving certificate for 127.0.0.1 and localhost, and a signing key into `dir`. */
export function makeClusterCertificates(dir: string, clusterName: string): ClusterCertificates {
  const file = (name: string) => join(dir, name);
  const openssl = (args: readonly string[]) => execFileSync('openssl', [...args], { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', `/CN=${clusterName}-ca`]);
  openssl(['req', ...ec, '-keyout', file('apiserver.key'), '-out', file('apiserver.csr'), '-subj', '/CN=kube-apiserver']);
  writeFileSync(file('apiserver.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', file('apiserver.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('apiserver.ext'), '-out', file('apiserver.crt')]);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(file('sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(file('sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    caFile: file('ca.crt'),
    servingCertFile: file('apiserver.crt'),
    servingKeyFile: file('apiserver.key'),
    serviceAccountKeyFile: file('sa.key'),
    serviceAccountPublicKeyFile: file('sa.pub'),
    caData: readFileSync(file('ca.crt')).toString('base64'),
  };
}
