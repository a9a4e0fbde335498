import { servicePorts } from '../../manifest/kube-objects';
import type { Analyzer } from '../analyzer';
import { findingOn } from '../finding';
import { namespaceOf } from '../mesh-index';

/** The protocols Istio reads from a port name prefix. */
const ISTIO_PROTOCOLS = ['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'mongo', 'mysql', 'redis', 'udp'];
/** Namespaces whose Services are not Istio's concern (istioctl skips them too). */
const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/**
 * IST0118: a Service port without `appProtocol` whose name is not `<protocol>[-suffix]`, so
 * Istio falls back to protocol sniffing (or plain TCP). Warning: traffic flows, but HTTP routing,
 * retries and telemetry may not apply.
 */
export const portNamingAnalyzer: Analyzer = {
  codes: ['IST0118'],
  name: 'Service ports follow the Istio naming convention',
  analyze: (index) =>
    [...index.servicesByKey.values()]
      .flat()
      .filter((service) => !SYSTEM_NAMESPACES.has(namespaceOf(service)))
      .flatMap((service) =>
        servicePorts(service.manifest)
          .filter((port) => port.appProtocol === undefined && !followsConvention(port.name ?? ''))
          .map((port) =>
            findingOn(service, {
              code: 'IST0118',
              severity: 'warning',
              message: `port ${port.port} is named "${port.name ?? ''}", not <protocol>[-suffix] with a protocol Istio knows`,
              hint: `name it like "http-${port.port}" or "tcp-${port.port}", or set appProtocol`,
            }),
          ),
      ),
};

function followsConvention(portName: string): boolean {
  const name = portName.toLowerCase();
  return ISTIO_PROTOCOLS.some((protocol) => name === protocol || name.startsWith(`${protocol}-`));
}
