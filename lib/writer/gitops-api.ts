/** The API versions and annotations of the GitOps kinds `gitops/` holds, in one place. */
export const ARGO_CD_API_VERSION = 'argoproj.io/v1alpha1';
/** The annotation of the Argo CD wave an Application is synced in. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const FLUX_SOURCE_API_VERSION = 'source.toolkit.fluxcd.io/v1';
export const FLUX_KUSTOMIZE_API_VERSION = 'kustomize.toolkit.fluxcd.io/v1';
export const FLUX_HELM_API_VERSION = 'helm.toolkit.fluxcd.io/v2';
