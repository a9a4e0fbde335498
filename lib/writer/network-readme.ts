import { describeControlPlaneAddress, externalNameServesWebhook, istiodEndpointPorts, readControlPlaneAddressCommand } from '../model/control-plane-address';
import type { Cluster, Mesh } from '../model/mesh';
import { ISTIOD_PORTS, ISTIOD_SERVICE } from '../model/names';

/**
 * `dist/README.md`'s section on how remotes reach istiod: the address and its kind, the ports
 * behind it, and, when the inventory gives no address, the command that reads it and where it goes.
 */
export function reachingIstiod(model: Mesh): string | undefined {
  if (model.remotes.length === 0) return undefined;
  const kind = model.controlPlaneAddressKind;
  const field = `${model.controlPlanePath}.controlPlaneAddress`;
  const ports = istiodEndpointPorts(kind);
  const lines = ['## Reaching istiod', ''];
  if (model.controlPlaneAddressMissing) {
    lines.push(
      `**\`${field}\` is not set.** ` +
        (model.installer === 'sail'
          ? `The remotes' \`Istio\` resources give the placeholder \`${model.istiodAddress}\` as \`remotePilotAddress\`, and the API server rejects the \`${ISTIOD_SERVICE}\` Service the operator renders from it. `
          : `The remotes' \`${ISTIOD_SERVICE}\` Service points at the placeholder \`${model.istiodAddress}\`, which the API server rejects when the remote folders are applied. `) +
        'Once the control plane runs, read the address with:',
      '',
      '```sh',
      readControlPlaneAddressCommand(model),
      '```',
      '',
      `set it as \`${field}\` in the inventory (\`controlPlaneAddressKind: ${kind}\`), synthesize again, then apply the remote folders.`,
      '',
    );
  }
  lines.push(
    `Remotes reach istiod at ${model.controlPlaneAddressMissing ? 'the address above' : `\`${model.istiodAddress}\``} ` +
      `(\`controlPlaneAddressKind: ${kind}\`): ${describeControlPlaneAddress(model)}. ` +
      (model.controlPlaneAddressMissing ? '' : `To read it again: \`${readControlPlaneAddressCommand(model)}\`. `) +
      `Each remote's selector-less \`${ISTIOD_SERVICE}\` Service sends ${ISTIOD_PORTS.xds} (xDS, certificates) to port ${ports.xds} ` +
      `and ${ISTIOD_PORTS.webhookService} (the injection webhook) to port ${ports.webhook} of that address.`,
  );
  if (!model.controlPlaneAddressMissing && !model.controlPlaneAddressIsIp) {
    lines.push(
      '',
      `The address is a DNS name, so that Service is an \`ExternalName\`: it has no endpoints and no target ports. Proxies dial the name at ` +
        `${ISTIOD_PORTS.xds}, and kube-apiserver calls the webhook at the name's port ${ISTIOD_PORTS.webhookService}` +
        (externalNameServesWebhook(kind)
          ? ', which istiod\'s Service serves.'
          : `, which ${kind === 'eastwest-gateway' ? 'the east-west gateway' : 'an istiod pod'} does not serve (it listens on ${ISTIOD_PORTS.webhookContainer}): ` +
            'give each remote an `injectionUrl` on 15017, or use an IP address.'),
    );
  }
  return lines.join('\n');
}

/** The pod and service ranges a cluster gives, service first, as the IBM seed lists its strongSwan subnets. */
function rangesOf(cluster: Cluster): string[] {
  return [cluster.serviceCidr, cluster.podCidr].filter((range): range is string => range !== undefined);
}

/**
 * For clusters that share a network and give their CIDRs: what each must route to which (the IBM
 * seed's strongSwan `local.subnet` / `remote.subnet` pair), and what the reach kind needs routable.
 * Pods of one network call each other's pod IPs directly, so their ranges must be routed both ways.
 */
export function flatNetworkRouting(model: Mesh): string | undefined {
  const networks = [...new Set(model.clusters.map((cluster) => cluster.network))]
    .map((network) => ({ network, clusters: model.clusters.filter((cluster) => cluster.network === network && rangesOf(cluster).length > 0) }))
    .filter(({ clusters }) => clusters.length > 1);
  if (networks.length === 0) return undefined;
  const lines = [
    '## Flat network routing',
    '',
    'Clusters on one network reach each other\'s pods directly (Istio sends traffic to pod IPs), so each must route the others\' ranges, ' +
      'through a tunnel or a VPN. For each cluster, the subnets as a site-to-site VPN such as strongSwan takes them:',
  ];
  for (const { network, clusters } of networks) {
    lines.push('', `### Network \`${network}\``, '', '| Cluster | `local.subnet` | `remote.subnet` |', '| --- | --- | --- |');
    for (const cluster of clusters) {
      const remote = clusters.filter((other) => other !== cluster).flatMap(rangesOf);
      lines.push(`| \`${cluster.name}\` | \`${rangesOf(cluster).join(',')}\` | \`${remote.join(',')}\` |`);
    }
  }
  lines.push('', reachNeeds(model));
  return lines.join('\n');
}

/** Which of the control plane's addresses the remotes, and their API servers for the webhook, must reach. */
function reachNeeds(model: Mesh): string {
  const controlPlane = model.controlPlane;
  const range = (cidr: string | undefined, what: string) => (cidr ? `\`${cidr}\`` : `the ${what} range (not in the inventory)`);
  switch (model.controlPlaneAddressKind) {
    case 'eastwest-gateway':
      return controlPlane.eastWestGatewayServiceType === 'LoadBalancer'
        ? `Reaching istiod (\`eastwest-gateway\`): every remote, its API server included, must reach the east-west gateway's load-balancer address on ${controlPlane.name}, ports 15012 and 15017.`
        : `Reaching istiod (\`eastwest-gateway\`, a \`ClusterIP\` gateway on one network): every remote, its API server included, must route ${controlPlane.name}'s service range ${range(controlPlane.serviceCidr, 'service')}, ports 15012 and 15017 of the east-west gateway's Service IP.`;
    case 'istiod-service':
      return `Reaching istiod (\`istiod-service\`): every remote, its API server included (it calls the injection webhook), must route ${controlPlane.name}'s service range ${range(controlPlane.serviceCidr, 'service')}, ports 15012 and 443.`;
    case 'istiod-pod':
      return `Reaching istiod (\`istiod-pod\`): every remote, its API server included (it calls the injection webhook), must route ${controlPlane.name}'s pod range ${range(controlPlane.podCidr, 'pod')}, ports 15012 and 15017.`;
  }
}
