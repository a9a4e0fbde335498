import type { Mesh } from '../model/mesh';
import type { TrustRotationStage } from '../model/mesh-spec';
import { clusterFolder } from '../manifest/mesh-manifests';
import { ISTIO_SYSTEM_NAMESPACE, ISTIOD_SERVICE, TRUST_LABEL, TRUST_NAMES } from '../model/names';
import type { Trust } from '../model/trust';

/** What each source needs from the user, in one line. */
const SOURCE_NEEDS: Readonly<Record<Trust['source'], string>> = {
  'self-signed': "istiod's own root (Secret `istio-ca-secret`, made on first start): nothing to provide",
  'plugin-secret': `the Secret \`${TRUST_NAMES.caSecret}\` in \`${ISTIO_SYSTEM_NAMESPACE}\` (\`ca-cert.pem\`, \`ca-key.pem\`, \`cert-chain.pem\`, \`root-cert.pem\`), provided out of band or rendered by the ExternalSecret of the folder`,
  'cert-manager': `cert-manager running on the clusters below; its intermediate \`Certificate\` writes \`${TRUST_NAMES.caSecret}\` (\`tls.crt\`, \`tls.key\`, \`ca.crt\`)`,
  'istio-csr': "cert-manager running on every cluster; istio-csr, installed with the values under `install/`, signs every workload's certificate instead of istiod",
};

/** The root rotation's steps: each is one synthesis, committed and rolled out before the next. */
const ROTATION_STEPS: readonly { readonly stage: TrustRotationStage | 'done'; readonly text: string }[] = [
  {
    stage: 'multi-root',
    text: 'istiod runs with `ISTIO_MULTIROOT_MESH=true` and every proxy with `PROXY_CONFIG_XDS_AGENT=true` (MeshConfig `defaultConfig.proxyMetadata`). Roll out istiod, then restart every workload so its proxy takes the new metadata.',
  },
  {
    stage: 'both-roots',
    text: `Keep signing with the old intermediate and make every proxy trust both roots: \`${TRUST_NAMES.caSecret}\`'s \`root-cert.pem\` holds the old root then the new one (its other keys unchanged), and \`rotation.roots\` (the new root) goes to MeshConfig \`caCertificates\`. Restart istiod (\`kubectl -n ${ISTIO_SYSTEM_NAMESPACE} rollout restart deployment/${ISTIOD_SERVICE}\`) and check that a proxy lists both roots (\`istioctl proxy-config secret <pod> -o json\`).`,
  },
  {
    stage: 'new-root',
    text: `Sign with the new root: \`${TRUST_NAMES.caSecret}\` gets the intermediate of the new root (\`root-cert.pem\` the new root then the old one), \`rotation.roots\` the old root, so certificates signed before stay trusted. istiod reloads it; wait one workload certificate lifetime (24h by default) or restart the workloads.`,
  },
  { stage: 'done', text: 'Remove `mesh.trust.rotation` (and the old root from `root-cert.pem`): istiod and the proxies go back to one root at their next restart.' },
];

/**
 * Where the CA objects do not yet come before istiod by themselves: GitOps delivers the charts,
 * istiod included, before the folders, and the Sail steps apply them with the `Istio`. Without a
 * `cacerts` at its start istiod makes a root of its own and keeps it.
 */
function caBeforeIstiodByHand(model: Mesh, trust: Trust, gitops: string | undefined): string[] {
  if (trust.caClusters.length === 0 || (gitops === undefined && model.installer !== 'sail')) return [];
  const how = gitops === undefined ? 'The Sail steps below apply them together with the `Istio`' : `${gitops === 'argocd' ? 'Argo CD' : 'Flux'} installs istiod before it syncs the folders`;
  const commands = trust.caClusters.map((cluster) => `\`kubectl --context=${cluster} apply --server-side -k ${clusterFolder(cluster)} -l ${TRUST_LABEL.key}=${TRUST_LABEL.value}\``).join(', ');
  return [
    `${how}, so the CA would come up after istiod, which then makes a root of its own: before the first ${gitops === undefined ? 'apply' : 'sync'}, once \`base\` and cert-manager are installed, apply the CA objects by hand (${commands}) and wait for them to be Ready, or restart istiod once \`${TRUST_NAMES.caSecret}\` exists (\`kubectl -n ${ISTIO_SYSTEM_NAMESPACE} rollout restart deployment/${ISTIOD_SERVICE}\`) before any workload joins.`,
  ];
}

/**
 * The README's trust section: the source and what it needs, the clusters holding CA material and,
 * during a root rotation, the step the output is at and the next one. None for istiod's
 * self-signed root without a rotation, so that such a mesh's README does not change.
 */
export function trustReadme(model: Mesh, trust: Trust = model.trust, gitops?: string): string | undefined {
  if (trust.source === 'self-signed' && trust.rotation === undefined) return undefined;
  const lines = [
    '## Trust',
    '',
    `The mesh's workload certificates come from \`mesh.trust.source: ${trust.source}\`: ${SOURCE_NEEDS[trust.source]}.` +
      (trust.caClusters.length > 0 ? ` CA material is on ${trust.caClusters.map((cluster) => `\`${cluster}\``).join(', ')}, applied before istiod starts (\`install/README.md\`).` : ''),
    ...caBeforeIstiodByHand(model, trust, gitops),
    `Changing the source restarts nothing by itself: running workloads keep their certificates until they renew them (24h by default) from the new CA, so across a change of root the two sides do not trust each other; change roots with the rotation below. Trust domain: \`${model.trustDomain}\`.`,
  ];
  const rotation = trust.rotation;
  if (rotation) {
    const at = ROTATION_STEPS.findIndex((step) => step.stage === rotation.stage);
    lines.push('', `### Root rotation: step ${at + 1} of ${ROTATION_STEPS.length - 1}`, '', ...ROTATION_STEPS.map((step, index) => `${index + 1}. ${index === at ? '**(this output)** ' : ''}${step.stage === 'done' ? 'Done' : `\`rotation.stage: ${step.stage}\``}: ${step.text}`));
    lines.push('', `Next: ${ROTATION_STEPS[at + 1].stage === 'done' ? 'remove `mesh.trust.rotation`' : `set \`mesh.trust.rotation.stage: ${ROTATION_STEPS[at + 1].stage}\``}, synthesize and commit once this step has rolled out everywhere.`);
  }
  return lines.join('\n');
}
