import { ISTIO_SYSTEM_NAMESPACE } from '../model/names';
import type { Analyzer } from './analyzer';
import type { Finding } from './finding';
import { namespaceOfHost } from './hosts';
import { destinationRuleHost, destinationRuleTlsModes, isNamespaceWide, peerAuthenticationMode } from './istio-objects';
import { ANY_NAMESPACE } from './label-index';
import { findingOn } from './finding';
import type { Located } from '../manifest/located';
import { namespaceOf } from './mesh-index';

/**
 * IST0113 on the DestinationRule and KIA0501 on the namespace PeerAuthentication: a rule that
 * sets `tls.mode: DISABLE` for a host whose namespace requires STRICT mTLS (its namespace-wide
 * PeerAuthentication, or the mesh-wide one in istio-system when the namespace sets no mode), so
 * clients send plain text that the servers reject. Rules for mesh-wide wildcard hosts are
 * compared with the mesh-wide policy only; workload-selecting and port-level policies are not
 * considered.
 */
export const mtlsConflictAnalyzer: Analyzer = {
  codes: ['IST0113', 'KIA0501'],
  name: 'DestinationRules do not disable TLS where mTLS is STRICT',
  analyze: (index) => {
    const namespacePolicies = new Map(
      index.peerAuthentications.filter((policy) => isNamespaceWide(policy.manifest)).map((policy) => [namespaceOf(policy), policy]),
    );
    const meshPolicy = namespacePolicies.get(ISTIO_SYSTEM_NAMESPACE);
    const disablingRulesByPolicy = new Map<Located, Located[]>();
    const ruleFindings = index.destinationRules.flatMap((rule): Finding[] => {
      const host = destinationRuleHost(rule.manifest);
      const scope = host === undefined ? undefined : namespaceOfHost(host, namespaceOf(rule));
      if (scope === undefined || !destinationRuleTlsModes(rule.manifest).includes('DISABLE')) return [];
      const namespacePolicy = scope === ANY_NAMESPACE ? undefined : namespacePolicies.get(scope);
      const deciding = [namespacePolicy, meshPolicy].find((policy) => policy !== undefined && peerAuthenticationMode(policy.manifest) !== undefined);
      if (deciding === undefined || peerAuthenticationMode(deciding.manifest) !== 'STRICT') return [];
      if (deciding === namespacePolicy) {
        const rules = disablingRulesByPolicy.get(deciding) ?? [];
        rules.push(rule);
        disablingRulesByPolicy.set(deciding, rules);
      }
      return [
        findingOn(rule, {
          code: 'IST0113',
          severity: 'error',
          message: `disables TLS for "${host}" while PeerAuthentication ${namespaceOf(deciding)}/${deciding.manifest.metadata.name} requires STRICT mTLS`,
          hint: 'use tls.mode ISTIO_MUTUAL (or drop the tls setting), or make the PeerAuthentication PERMISSIVE',
        }),
      ];
    });
    const policyFindings = [...disablingRulesByPolicy].map(([policy, rules]) =>
      findingOn(policy, {
        code: 'KIA0501',
        severity: 'error',
        message: `STRICT mTLS for namespace ${namespaceOf(policy)}, but ${rules.map((rule) => `DestinationRule ${namespaceOf(rule)}/${rule.manifest.metadata.name}`).join(', ')} disables TLS`,
        hint: 'make those DestinationRules use ISTIO_MUTUAL, or relax this PeerAuthentication',
      }),
    );
    return [...ruleFindings, ...policyFindings];
  },
};
