/**
 * cert-manager issuer references, one type for every issuer the output names: the mesh trust
 * chain's (`mesh.trust.issuer`) and the TLS gateways' (`TlsGateway.issuer`, the inventory's
 * `bookinfo.gateway.issuer`). One rule checks them and one function writes them.
 */
import type { IssuerKind, IssuerRefSpec } from './mesh-spec';
import { dnsSubdomainProblem, shown } from './kubernetes-rules';
import { CERT_MANAGER_GROUP } from './names';

/** An issuer reference with its default applied. */
export interface IssuerRef {
  readonly kind: IssuerKind;
  readonly name: string;
}

/** The kind an issuer reference names when it names none: cert-manager's own default. */
export const DEFAULT_ISSUER_KIND: IssuerKind = 'Issuer';

/** A reference with its default kind. */
export function resolveIssuerRef(spec: IssuerRefSpec): IssuerRef {
  return { kind: spec.kind ?? DEFAULT_ISSUER_KIND, name: spec.name };
}

/** The `issuerRef` of a cert-manager Certificate. */
export function issuerRefField(ref: IssuerRef): { readonly group: string; readonly kind: IssuerKind; readonly name: string } {
  return { group: CERT_MANAGER_GROUP, kind: ref.kind, name: ref.name };
}

const ISSUER_KINDS: readonly unknown[] = ['Issuer', 'ClusterIssuer'] satisfies IssuerKind[];

/**
 * What is wrong with an issuer reference, field by field (`kind`, `name`), as the inventory and the
 * constructs' props both check it; empty when nothing is. Values of the wrong type are named too.
 */
export function issuerRefProblems(ref: Readonly<Record<string, unknown>>): { readonly field: 'kind' | 'name'; readonly problem: string }[] {
  const problems: { field: 'kind' | 'name'; problem: string }[] = [];
  if (ref.kind !== undefined && !ISSUER_KINDS.includes(ref.kind)) problems.push({ field: 'kind', problem: `${shown(ref.kind)} is not Issuer or ClusterIssuer` });
  const nameProblem = dnsSubdomainProblem(ref.name);
  if (nameProblem) problems.push({ field: 'name', problem: nameProblem });
  return problems;
}

/** `Kind/name` of a reference, as messages name it. */
export function issuerRefText(spec: IssuerRefSpec): string {
  const ref = resolveIssuerRef(spec);
  return `${ref.kind}/${ref.name}`;
}
