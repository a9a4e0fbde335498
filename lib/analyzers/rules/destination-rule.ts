import { serviceSelector } from '../../manifest/kube-objects';
import type { Located } from '../../manifest/located';
import { ISTIO_SYSTEM_NAMESPACE } from '../../model/names';
import type { Analyzer } from '../analyzer';
import { type Finding, findingOn } from '../finding';
import { namespaceOfHost, serviceKey } from '../hosts';
import { destinationRuleHost, destinationRuleSubsets, destinationRuleTlsModes, isNamespaceWide, peerAuthenticationMode } from '../istio-objects';
import { ANY_NAMESPACE, formatLabels } from '../label-index';
import { hostIsKnown, namespaceOf, serviceOfDestinationRule } from '../mesh-index';

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

/**
 * IST0173: a DestinationRule subset whose labels, together with its Service's selector, select
 * no pods in the Service's namespace in any cluster: traffic sent to it fails with 503 UH.
 * Subsets without labels and hosts that name no Service are left to other checks.
 */
export const subsetSelectsNoPodsAnalyzer: Analyzer = {
  codes: ['IST0173'],
  name: 'DestinationRule subsets select pods',
  analyze: (index) =>
    index.destinationRules.flatMap((rule) => {
      const service = serviceOfDestinationRule(rule);
      if (service === undefined) return [];
      const definition = index.servicesByKey.get(serviceKey(service))?.[0];
      const serviceLabels = definition ? serviceSelector(definition.manifest) : {};
      return destinationRuleSubsets(rule.manifest)
        .filter((subset) => Object.keys(subset.labels).length > 0)
        .filter((subset) => index.workloadsByLabels.select(service.namespace, { ...serviceLabels, ...subset.labels }).length === 0)
        .map((subset) =>
          findingOn(rule, {
            code: 'IST0173',
            severity: 'error',
            message: `subset "${subset.name}" (${formatLabels(subset.labels)}) selects no pods of ${serviceKey(service)} in any cluster`,
            hint: 'fix the subset labels to match the pod template labels of a workload behind that Service, or deploy that workload',
          }),
        );
    }),
};

/** IST0174: a DestinationRule for a host that is no Service in any cluster and no ServiceEntry host (wildcards are not checked). */
export const unknownDestinationRuleHostAnalyzer: Analyzer = {
  codes: ['IST0174'],
  name: 'DestinationRule hosts exist',
  analyze: (index) =>
    index.destinationRules.flatMap((rule) => {
      const host = destinationRuleHost(rule.manifest);
      if (host === undefined || host.includes('*') || hostIsKnown(index, host, namespaceOf(rule))) return [];
      return [
        findingOn(rule, {
          code: 'IST0174',
          severity: 'error',
          message: `host "${host}" is no Service in any cluster and no ServiceEntry host`,
          hint: 'fix the host, or create the Service in the clusters that run the workload',
        }),
      ];
    }),
};
