import type { IConstruct } from 'constructs';
import { issuerRefProblems } from './model/issuer-ref';
import type { IssuerRefSpec } from './model/mesh-spec';
import { printable } from './model/printable';

/**
 * Every error a user can cause, in one place, so that callers (the CLI first) tell a user's
 * mistake from a defect by its type: `MeshValidationError` for an inventory or `MeshSpec`,
 * `InvalidPropsError` for a construct's props. Any other error is a defect.
 */
export { MeshValidationError, type ValidationIssue } from './model/mesh-validation-error';
/** How every message shows a string from input: unprintable characters escaped. */
export { printable } from './model/printable';

/** Thrown by a construct whose props are invalid; names the construct's path and the prop. */
export class InvalidPropsError extends Error {
  /** The path of the construct in the construct tree, e.g. `mesh/bookinfo-gateway`. */
  public readonly constructPath: string;
  /** The prop at fault, e.g. `hosts` or `clusters[1]`. */
  public readonly prop: string;

  /**
   * @param construct the construct whose props are invalid
   * @param prop the prop at fault
   * @param message what is wrong with it and what is expected; kept escaped (see `printable`), as it repeats the prop's value
   */
  constructor(construct: IConstruct, prop: string, message: string) {
    super(printable(`[${construct.node.path}] ${message}`));
    this.name = 'InvalidPropsError';
    this.constructPath = construct.node.path;
    this.prop = prop;
  }
}

/**
 * The code of each kind of warning this library's constructs raise (`explain CODE` prints its entry
 * in `lib/analyzers/README.md`).
 */
export const CONSTRUCT_WARNING_CODES = {
  /** IstioRemote: the inventory names no control-plane address, so the remotes get a placeholder. */
  controlPlaneAddressMissing: 'MCL0060',
  /** IstioRemote: remotes reach istiod at a pod IP, which changes whenever the pod restarts. */
  controlPlaneAtPodIp: 'MCL0061',
  /** IstioRemote: kube-apiserver calls the injection webhook's ExternalName Service on 443 of an address that may not serve it. */
  webhookThroughExternalName: 'MCL0062',
  /** MultiClusterSecret: the remote secrets hold the inventory's bearer tokens (`credentials.source: inline`). */
  inlineCredentials: 'MCL0063',
  /** SailInstall: a remote with `injectionUrl` never reports its `Istio` Ready. */
  sailRemoteNeverReady: 'MCL0064',
  /** IstioMesh: clusters on several networks, and no EastWestGateway exposes services across them. */
  networksWithoutEastWestGateway: 'MCL0065',
} as const;

/** What a construct says when it raises a warning (`IstioMesh.addWarning`). */
export interface ConstructWarningDetails {
  /**
   * The kind of warning: one of `CONSTRUCT_WARNING_CODES` (MCL0060-MCL0069) for this library's
   * constructs; a construct of your own may use a code of its own, three capitals and four digits
   * (e.g. `ACM0001`), which `--suppress` can then name.
   */
  readonly code: string;
  /** The cluster it concerns, when it concerns one. */
  readonly cluster?: string;
  /** What is wrong. */
  readonly message: string;
  /** What to do about it, in one line. */
  readonly hint: string;
}

/**
 * A warning a construct raises while building its objects (synthesis goes on; `--strict` makes it
 * fail). The pipeline reports it as a `Finding` of severity `warning`, in the same list as the
 * analyzers' findings.
 */
export interface ConstructWarning extends ConstructWarningDetails {
  /** The path of the construct that raised it. */
  readonly constructPath: string;
}

/**
 * Runs a model rule on one prop (a DNS label, a cluster name): the plain Error the model throws
 * becomes an `InvalidPropsError` naming the construct and the prop.
 */
export function checkProp<T>(construct: IConstruct, prop: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof Error && !(error instanceof InvalidPropsError)) throw new InvalidPropsError(construct, prop, error.message);
    throw error;
  }
}

/**
 * Checks an issuer reference prop (`issuer` of TlsGateway, `trust.issuer` of MeshTrust) with the
 * inventory's rule; throws an `InvalidPropsError` on `<prop>.kind` or `<prop>.name`.
 * `label` names the prop in the message (`TlsGateway issuer`).
 */
export function checkIssuerRef(construct: IConstruct, prop: string, label: string, ref: IssuerRefSpec): void {
  const [first] = issuerRefProblems(ref as unknown as Readonly<Record<string, unknown>>);
  if (first) throw new InvalidPropsError(construct, `${prop}.${first.field}`, `${label}.${first.field} ${first.problem}`);
}
