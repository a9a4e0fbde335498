import type { Manifest } from './mesh-manifests';
import { integer, list, record, stringMap, text } from './fields';
import { isKind, KINDS } from './kinds';
import type { Labels } from './fields';

/*
 * Readers of the Kubernetes fields the analyzers look at, tolerant of hand-written YAML.
 */

export interface ServicePort {
  readonly name?: string;
  readonly port?: number;
  /** A number, or the name of a container port. */
  readonly targetPort?: number | string;
  /** `TCP` when unset, as Kubernetes defaults it. */
  readonly protocol: string;
  readonly appProtocol?: string;
}

export function serviceSelector(service: Manifest): Labels {
  return stringMap(record(service.spec).selector);
}

export function servicePorts(service: Manifest): readonly ServicePort[] {
  return list(record(service.spec).ports).map((item) => {
    const port = record(item);
    return {
      name: text(port.name),
      port: integer(port.port),
      targetPort: integer(port.targetPort) ?? text(port.targetPort),
      protocol: text(port.protocol) ?? 'TCP',
      appProtocol: text(port.appProtocol),
    };
  });
}

/** The labels and annotations of the pods a workload runs. */
export interface PodTemplate {
  readonly labels: Labels;
  readonly annotations: Labels;
}

const POD_TEMPLATE_OWNERS = [KINDS.deployment, KINDS.statefulSet, KINDS.daemonSet];

/** The pod template of a Deployment, StatefulSet or DaemonSet, or a Pod's own metadata; undefined for other kinds. */
export function podTemplate(manifest: Manifest): PodTemplate | undefined {
  const podMetadata = isKind(manifest, KINDS.pod)
    ? manifest.metadata
    : POD_TEMPLATE_OWNERS.some((kind) => isKind(manifest, kind))
      ? record(record(record(manifest.spec).template).metadata)
      : undefined;
  return podMetadata && { labels: stringMap(podMetadata.labels), annotations: stringMap(podMetadata.annotations) };
}

/**
 * The name of the Secret an object puts in its namespace: a Secret itself, a cert-manager
 * Certificate (`spec.secretName`) or an ExternalSecret (`spec.target.name`, by default its own name).
 */
export function providedSecretName(manifest: Manifest): string | undefined {
  if (isKind(manifest, KINDS.secret)) return manifest.metadata.name;
  if (isKind(manifest, KINDS.certificate)) return text(record(manifest.spec).secretName);
  if (isKind(manifest, KINDS.externalSecret)) return text(record(record(manifest.spec).target).name) ?? manifest.metadata.name;
  return undefined;
}

/** The URL paths of a MutatingWebhookConfiguration's webhooks (`clientConfig.service.path`, or the path of `clientConfig.url`). */
export function webhookPaths(webhookConfiguration: Manifest): readonly string[] {
  return list(webhookConfiguration.webhooks).flatMap((item) => {
    const clientConfig = record(record(item).clientConfig);
    const url = text(clientConfig.url);
    const path = url ? urlPath(url) : text(record(clientConfig.service).path);
    return path ?? [];
  });
}

function urlPath(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/** What the analyzers read of an OpenShift Route (`route.openshift.io/v1`). */
export interface RouteTarget {
  readonly host?: string;
  /** `spec.to.name` when `spec.to.kind` is Service (or unset). */
  readonly service?: string;
  /** `spec.port.targetPort`: a Service port's name or a number. */
  readonly targetPort?: number | string;
  /** `spec.tls.termination`, when TLS is set. */
  readonly termination?: string;
}

export function routeTarget(route: Manifest): RouteTarget {
  const spec = record(route.spec);
  const to = record(spec.to);
  const kind = text(to.kind);
  const port = record(spec.port);
  return {
    host: text(spec.host),
    service: kind === undefined || kind === '' || kind === 'Service' ? text(to.name) : undefined,
    targetPort: integer(port.targetPort) ?? text(port.targetPort),
    termination: text(record(spec.tls).termination),
  };
}
