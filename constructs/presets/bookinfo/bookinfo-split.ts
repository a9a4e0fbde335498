import type { Construct } from 'constructs';
import { InvalidPropsError } from '../../../lib/errors';
import type { VirtualServiceSpecHttp } from '../../../lib/imports/networking.istio.io';
import { ISTIO_KINDS } from '../../../lib/istio/istio-api';
import { AppSplit, type AppSplitProps, type WorkloadPlacement } from '../../app-split';
import { requireNamespaceIn } from '../../mtls-namespace';
import type { TlsGatewayRoute } from '../../tls-gateway';
import { BOOKINFO } from './bookinfo-app';
import type { BookinfoRouting } from './bookinfo-spec';
import { kubeObject } from '../../kube-object';

/** Props of `BookinfoSplit`. */
export interface BookinfoSplitProps {
  /**
   * The namespace Bookinfo runs in, in every cluster that runs part of it.
   * @default bookinfo
   */
  readonly namespace?: string;
  /**
   * Where each workload (`productpage-v1`, `reviews-v3`, ...) runs.
   * @default - every workload on every cluster
   */
  readonly placement?: WorkloadPlacement;
  /**
   * The routing preset rendered on the control plane: `all-v1`, `v3` or `jason-v2-v3`.
   * @default all-v1
   */
  readonly routing?: BookinfoRouting;
  /**
   * Keep Bookinfo inside each cluster: `true` for its whole namespace, or a list of its services.
   * @default false
   */
  readonly clusterLocal?: AppSplitProps['clusterLocal'];
  /**
   * Service (`reviews`, ...) -> its locality policy, overriding the mesh's.
   * @default - the mesh's policy for every service
   */
  readonly locality?: AppSplitProps['locality'];
  /**
   * The revision Bookinfo's pods run on (`AppSplitProps.revision`).
   * @default - the mesh's default injection
   */
  readonly revision?: AppSplitProps['revision'];
}

const PRODUCTPAGE = BOOKINFO.services.find((service) => service.name === 'productpage')!;

/**
 * The ingress routes for `TlsGateway`'s `routes`, as upstream's `bookinfo-gateway.yaml`: the
 * OpenShift seed's four (pages, login, logout, API) plus `/static`, without which the product
 * page loads unstyled.
 */
export const BOOKINFO_INGRESS_ROUTES: readonly TlsGatewayRoute[] = [
  {
    matches: [{ exact: '/productpage' }, { prefix: '/static' }, { exact: '/login' }, { exact: '/logout' }, { prefix: '/api/v1/products' }],
    destination: { host: PRODUCTPAGE.name, port: PRODUCTPAGE.port },
  },
];

const toSubset = (host: string, subset: string): VirtualServiceSpecHttp => ({ route: [{ destination: { host, subset } }] });

/**
 * The reviews rules of the presets that differ from `all-v1` (upstream
 * `virtual-service-reviews-v3.yaml` and `virtual-service-reviews-jason-v2-v3.yaml`). Those
 * samples are applied on top of `virtual-service-all-v1.yaml`, so every other service keeps its
 * v1 route.
 */
const REVIEWS_RULES: Readonly<Record<BookinfoRouting, readonly VirtualServiceSpecHttp[] | undefined>> = {
  'all-v1': undefined,
  'v3': [toSubset('reviews', 'v3')],
  'jason-v2-v3': [
    { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
    toSubset('reviews', 'v3'),
  ],
};

/**
 * Istio's Bookinfo split across the mesh by placement (an `AppSplit` of the `BOOKINFO` preset),
 * plus on the control plane one VirtualService per service for the routing preset. The routes
 * name subsets, which an `MtlsNamespace` of `mtlsServices` declares (the mesh analyzers report
 * IST0101 otherwise). The caller adds `TlsGateway` with `BOOKINFO_INGRESS_ROUTES` for ingress.
 */
export class BookinfoSplit extends AppSplit {
  public readonly routing: BookinfoRouting;

  constructor(scope: Construct, id: string, props: BookinfoSplitProps = {}) {
    super(scope, id, {
      app: BOOKINFO,
      namespace: props.namespace ?? 'bookinfo',
      placement: props.placement,
      clusterLocal: props.clusterLocal,
      locality: props.locality,
      revision: props.revision,
    });
    this.routing = props.routing ?? 'all-v1';
    if (!Object.hasOwn(REVIEWS_RULES, this.routing)) {
      throw new InvalidPropsError(this, 'routing', `BookinfoSplit routing "${this.routing}" is not a preset (expected one of: ${Object.keys(REVIEWS_RULES).join(', ')})`);
    }
    const controlPlane = this.controlPlanePart;
    for (const { name: host } of BOOKINFO.services) {
      const http = (host === 'reviews' ? REVIEWS_RULES[this.routing] : undefined) ?? [toSubset(host, 'v1')];
      kubeObject(ISTIO_KINDS.virtualService, controlPlane, `virtual-service-${host}`, {
        metadata: { name: host, namespace: this.namespace },
        spec: { hosts: [host], http: [...http] },
      });
    }
    requireNamespaceIn(this, this.mesh, this.namespace, [this.mesh.model.controlPlane.name]);
  }
}

