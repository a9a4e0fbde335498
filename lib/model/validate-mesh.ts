import { isIP } from 'node:net';
import Ajv, { type ErrorObject } from 'ajv';
import { workloadNames } from './app-definition';
import { BOOKINFO } from './apps/bookinfo';
import { parseCidr, rangesOverlap, type IpRange } from './cidr';
import { INVENTORY_SCHEMA } from './inventory-schema';
import { DEFAULT_ISTIO_VERSION, istioVersionProblem } from './istio-version';
import { localityIssues } from './locality';
import type { ClusterSpec, MeshSpec } from './mesh-spec';
import type { ValidationIssue } from './mesh-validation-error';
import { DNS1123_LABEL } from './names';
import { SAIL_ISTIO_MINORS, SAIL_OPERATOR_RELEASE } from './sail';

/** The key of a placement entry that applies to workloads no other entry names. */
export const DEFAULT_PLACEMENT_KEY = 'default';

const ajv = new Ajv({ allErrors: true, strict: true });
const validateShape = ajv.compile(INVENTORY_SCHEMA);

/**
 * Checks a mesh specification: its shape first (types, required and unknown keys), then, when the
 * shape is sound, the rules that span fields and clusters. Returns every issue found.
 */
export function validateMeshSpec(spec: unknown): ValidationIssue[] {
  if (!validateShape(spec)) {
    return (validateShape.errors ?? []).map(shapeIssue);
  }
  return semanticIssues(spec as unknown as MeshSpec);
}

function shapeIssue(error: ErrorObject): ValidationIssue {
  const path = toFieldPath(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(schemaAt(error.schemaPath) ?? {}).join(', ');
      return { path: joinPath(path, key), message: `unknown key "${key}"${allowed ? ` (expected one of: ${allowed})` : ''}` };
    }
    case 'required': {
      const key = (error.params as { missingProperty: string }).missingProperty;
      return { path: joinPath(path, key), message: 'is required' };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      return { path, message: `must be one of: ${allowed}` };
    }
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

/** The `properties` map of the schema node that an additionalProperties error points into. */
function schemaAt(schemaPath: string): Record<string, unknown> | undefined {
  const parts = schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
  let node: unknown = INVENTORY_SCHEMA;
  for (const part of parts) node = (node as Record<string, unknown>)?.[part];
  return (node as { properties?: Record<string, unknown> })?.properties;
}

/** `/clusters/1/name` -> `clusters[1].name`. */
function toFieldPath(instancePath: string): string {
  if (!instancePath) return '(root)';
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function joinPath(base: string, key: string): string {
  return base === '(root)' ? key : `${base}.${key}`;
}

function semanticIssues(spec: MeshSpec): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const clusters = spec.clusters;

  if (spec.mesh?.istioVersion !== undefined) {
    const problem = istioVersionProblem(spec.mesh.istioVersion);
    if (problem) add('mesh.istioVersion', problem);
  }

  const controlPlanes = clusters.filter((cluster) => cluster.istio_control_plane === true);
  if (controlPlanes.length !== 1) {
    const found = controlPlanes.length === 0 ? 'none' : controlPlanes.map((c) => c.name).join(', ');
    add('clusters', `exactly one cluster must have istio_control_plane: true (found: ${found})`);
  }

  const seen = new Map<string, number>();
  clusters.forEach((cluster, index) => {
    const at = `clusters[${index}]`;
    checkClusterName(cluster.name, `${at}.name`, add);
    const first = seen.get(cluster.name);
    if (first !== undefined) add(`${at}.name`, `duplicate cluster name "${cluster.name}" (already used by clusters[${first}])`);
    else seen.set(cluster.name, index);
    checkUrl(cluster.url, `${at}.url`, add);
    checkControlPlaneAddress(cluster, at, clusters.length > 1, add);
    if (cluster.injectionUrl !== undefined) {
      if (cluster.istio_control_plane) add(`${at}.injectionUrl`, 'is only valid on a remote cluster (the control plane injects locally)');
      else checkUrl(cluster.injectionUrl, `${at}.injectionUrl`, add, ['https:']);
    }
    if (cluster.zone !== undefined && cluster.region === undefined) add(`${at}.zone`, 'needs a region (locality is region/zone)');
    if (cluster.caData !== undefined) checkCaData(cluster.caData, `${at}.caData`, add);
  });
  checkCidrs(clusters, add);
  checkSail(spec, add);
  issues.push(...localityIssues(spec, BOOKINFO.services.map((service) => service.name)));

  if (spec.bookinfo) checkBookinfo(spec, add);
  return issues;
}

type AddIssue = (path: string, message: string) => void;

function checkClusterName(name: string, path: string, add: AddIssue): void {
  if (name.length > 63) add(path, `"${name}" is ${name.length} characters long; a cluster name is a DNS-1123 label of at most 63 characters`);
  else if (!DNS1123_LABEL.test(name)) add(path, `"${name}" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`);
}

function checkUrl(value: string, path: string, add: AddIssue, protocols = ['http:', 'https:']): void {
  const expected = protocols.length === 1 ? protocols[0].slice(0, -1) : 'http(s)';
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !protocols.includes(url.protocol) || !url.hostname) {
    add(path, `"${value}" is not an ${expected} URL`);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n/;

/** A kubeconfig's `certificate-authority-data`: base64 of a PEM certificate bundle, read by the inline source only. */
function checkCaData(value: string, path: string, add: AddIssue): void {
  const expected = 'expected the API server CA as certificate-authority-data holds it: the PEM certificate, base64-encoded on one line (e.g. base64 -w0 ca.crt)';
  if (value === '') add(path, `is empty: ${expected}`);
  else if (!BASE64.test(value)) add(path, `"${abbreviate(value)}" is not base64: ${expected}`);
  else if (!PEM_CERTIFICATE.test(Buffer.from(value, 'base64').toString('latin1'))) add(path, `"${abbreviate(value)}" does not decode to a PEM certificate (-----BEGIN CERTIFICATE-----): ${expected}`);
}

function abbreviate(value: string): string {
  return value.length > 24 ? `${value.slice(0, 24)}...` : value;
}

function checkControlPlaneAddress(cluster: ClusterSpec, at: string, hasRemotes: boolean, add: AddIssue): void {
  const address = cluster.controlPlaneAddress;
  if (!cluster.istio_control_plane) {
    if (address !== undefined) add(`${at}.controlPlaneAddress`, 'is only valid on the control-plane cluster');
    return;
  }
  if (address === undefined) {
    if (hasRemotes) add(`${at}.controlPlaneAddress`, 'is required on the control plane when the mesh has remote clusters (the address remotes reach istiod at: an IP or a DNS name)');
    return;
  }
  if (!isIpAddress(address) && !isDnsName(address)) add(`${at}.controlPlaneAddress`, `"${address}" is neither an IP address nor a DNS name`);
}

/** Whether the text is an IPv4 or IPv6 address. */
export function isIpAddress(text: string): boolean {
  return isIP(text) !== 0;
}

function isDnsName(text: string): boolean {
  return text.length <= 253 && text.split('.').every((label) => label.length <= 63 && DNS1123_LABEL.test(label)) && !/^[\d.]+$/.test(text);
}

function checkCidrs(clusters: readonly ClusterSpec[], add: AddIssue): void {
  const ranges: { path: string; text: string; cluster: string; range: IpRange }[] = [];
  clusters.forEach((cluster, index) => {
    for (const field of ['podCidr', 'serviceCidr'] as const) {
      const text = cluster[field];
      if (text === undefined) continue;
      const path = `clusters[${index}].${field}`;
      const range = parseCidr(text);
      if (!range) add(path, `"${text}" is not a CIDR (address/prefix, e.g. 10.128.0.0/14)`);
      else ranges.push({ path, text, cluster: cluster.name, range });
    }
  });
  ranges.forEach((a, i) => {
    for (const b of ranges.slice(i + 1)) {
      if (rangesOverlap(a.range, b.range)) {
        add(b.path, `${b.text} overlaps ${a.path} (${a.text}); one flat network needs distinct, routable pod and service ranges`);
      }
    }
  });
}

function checkSail(spec: MeshSpec, add: AddIssue): void {
  const istioVersion = spec.mesh?.istioVersion ?? DEFAULT_ISTIO_VERSION;
  if (spec.mesh?.installer === 'sail' && istioVersionProblem(istioVersion) === undefined && !SAIL_ISTIO_MINORS.includes(istioVersion)) {
    add('mesh.istioVersion', `"${istioVersion}" is not installed by the Sail operator ${SAIL_OPERATOR_RELEASE} (installer: sail); expected one of: ${SAIL_ISTIO_MINORS.join(', ')}`);
  }
  const sail = spec.mesh?.sail;
  if (sail === undefined) return;
  if (spec.mesh?.installer !== 'sail') {
    add('mesh.sail', 'is only valid with installer: sail');
    return;
  }
  if (sail.revisionTag !== undefined) {
    if (sail.updateStrategy !== 'RevisionBased') add('mesh.sail.revisionTag', 'is only valid with updateStrategy: RevisionBased');
    else if (!DNS1123_LABEL.test(sail.revisionTag)) add('mesh.sail.revisionTag', `"${sail.revisionTag}" is not a DNS-1123 label`);
  }
  const subscription = sail.subscription;
  for (const field of ['name', 'source', 'sourceNamespace', 'namespace'] as const) {
    const value = subscription?.[field];
    if (value !== undefined && !DNS1123_LABEL.test(value)) add(`mesh.sail.subscription.${field}`, `"${value}" is not a DNS-1123 label`);
  }
}

function checkBookinfo(spec: MeshSpec, add: AddIssue): void {
  const bookinfo = spec.bookinfo!;
  if (bookinfo.namespace !== undefined && !DNS1123_LABEL.test(bookinfo.namespace)) {
    add('bookinfo.namespace', `"${bookinfo.namespace}" is not a DNS-1123 label`);
  }
  const known = new Set(workloadNames(BOOKINFO));
  const clusterNames = new Set(spec.clusters.map((c) => c.name));
  for (const [workload, placed] of Object.entries(bookinfo.placement ?? {})) {
    const at = `bookinfo.placement.${workload}`;
    if (workload !== DEFAULT_PLACEMENT_KEY && !known.has(workload)) {
      add(at, `unknown workload "${workload}" (expected one of: ${[...known, DEFAULT_PLACEMENT_KEY].join(', ')})`);
    }
    if (placed.length === 0) add(at, 'names no cluster; list at least one, or leave the workload out');
    placed.forEach((cluster, index) => {
      if (!clusterNames.has(cluster)) add(`${at}[${index}]`, `unknown cluster "${cluster}" (expected one of: ${[...clusterNames].join(', ')})`);
    });
  }
}
