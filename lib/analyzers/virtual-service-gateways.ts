import type { Analyzer } from './analyzer';
import { gatewayRefKey, MESH_GATEWAY, virtualServiceGateways } from './istio-objects';
import { findingOn } from './finding';
import { namespaceOf } from './mesh-index';

/** IST0101: a VirtualService bound to a Gateway that no Istio configuration defines. */
export const missingGatewayAnalyzer: Analyzer = {
  codes: ['IST0101'],
  name: 'VirtualService gateways exist',
  analyze: (index) =>
    index.virtualServices.flatMap((virtualService) =>
      virtualServiceGateways(virtualService.manifest)
        .filter((gatewayRef) => gatewayRef !== MESH_GATEWAY && !index.gateways.has(gatewayRefKey(gatewayRef, namespaceOf(virtualService))))
        .map((gatewayRef) =>
          findingOn(virtualService, {
            code: 'IST0101',
            severity: 'error',
            message: `gateway "${gatewayRef}" is not defined: no Gateway ${gatewayRefKey(gatewayRef, namespaceOf(virtualService))} in the Istio configuration`,
            hint: 'define that Gateway in the control-plane configuration, or reference an existing one as <namespace>/<name>',
          }),
        ),
    ),
};
