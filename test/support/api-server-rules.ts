/**
 * Test support: the API server's rules on the fields of pods, Services and metadata that the
 * OpenAPI schemas do not state (ranges, name syntax), written here apart from the product's own
 * rules (lib/model/kubernetes-rules.ts) so that a test can check those against an independent
 * reading of Kubernetes' validation (apimachinery `pkg/util/validation`, `pkg/apis/core/validation`).
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

const isSubdomain = (value: string) => value.length <= 253 && value.split('.').every((label) => DNS_LABEL.test(label));
const isQualifiedName = (key: string) => {
  const parts = key.split('/');
  return parts.length <= 2 && NAME_PART.test(parts[parts.length - 1]) && (parts.length === 1 || isSubdomain(parts[0]));
};
const isPort = (value: unknown) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;

type Json = Record<string, any>;

/** The rule violations of one object, as `Kind/name path: problem` lines. */
export function apiServerProblems(manifest: Json): string[] {
  const problems: string[] = [];
  const at = `${manifest.kind}/${manifest.metadata?.name}`;
  const add = (path: string, problem: string) => problems.push(`${at} ${path}: ${problem}`);
  const checkMetadata = (metadata: Json | undefined, path: string) => {
    for (const [key, value] of Object.entries(metadata?.labels ?? {})) {
      if (!isQualifiedName(key) || typeof value !== 'string' || !LABEL_VALUE.test(value)) add(`${path}.labels`, `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    }
    for (const key of Object.keys(metadata?.annotations ?? {})) if (!isQualifiedName(key)) add(`${path}.annotations`, JSON.stringify(key));
  };
  checkMetadata(manifest.metadata, 'metadata');
  if (typeof manifest.metadata?.name === 'string' && !isSubdomain(manifest.metadata.name)) add('metadata.name', JSON.stringify(manifest.metadata.name));
  if (manifest.kind === 'Service') {
    if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(manifest.metadata?.name)) add('metadata.name', `${JSON.stringify(manifest.metadata?.name)} is no DNS-1035 label`);
    for (const port of manifest.spec?.ports ?? []) {
      if (!isPort(port.port)) add('spec.ports.port', String(port.port));
      if (port.name !== undefined && !DNS_LABEL.test(port.name)) add('spec.ports.name', JSON.stringify(port.name));
      if (typeof port.targetPort === 'number' && !isPort(port.targetPort)) add('spec.ports.targetPort', String(port.targetPort));
    }
  }
  if (manifest.kind === 'Deployment') {
    const replicas = manifest.spec?.replicas;
    if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0 && replicas <= 2 ** 31 - 1)) add('spec.replicas', String(replicas));
    const template = manifest.spec?.template ?? {};
    checkMetadata(template.metadata, 'spec.template.metadata');
    const volumes: string[] = (template.spec?.volumes ?? []).map((volume: Json) => volume.name);
    for (const volume of volumes) if (typeof volume !== 'string' || !DNS_LABEL.test(volume)) add('spec.template.spec.volumes.name', JSON.stringify(volume));
    if (new Set(volumes).size !== volumes.length) add('spec.template.spec.volumes', 'duplicate names');
    for (const container of template.spec?.containers ?? []) {
      if (typeof container.image !== 'string' || container.image === '' || container.image.trim() !== container.image) add('containers.image', JSON.stringify(container.image));
      for (const env of container.env ?? []) {
        if (typeof env.name !== 'string' || !ENV_NAME.test(env.name) || env.name === '.' || env.name.startsWith('..')) add('containers.env.name', JSON.stringify(env.name));
      }
      for (const port of container.ports ?? []) if (!isPort(port.containerPort)) add('containers.ports.containerPort', String(port.containerPort));
      const mountPaths = (container.volumeMounts ?? []).map((mount: Json) => mount.mountPath);
      for (const mount of container.volumeMounts ?? []) if (!volumes.includes(mount.name)) add('containers.volumeMounts.name', JSON.stringify(mount.name));
      if (mountPaths.some((path: unknown) => typeof path !== 'string' || path === '') || new Set(mountPaths).size !== mountPaths.length) add('containers.volumeMounts.mountPath', JSON.stringify(mountPaths));
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        if (probe && !isPort(port)) add('containers.probe.port', String(port));
      }
    }
  }
  return problems;
}
