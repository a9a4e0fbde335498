import type { KustomizeProblem } from '../../manifest/kustomize-build';
import type { Finding } from '../finding';

/** The code of each kind of kustomization problem `validate` reports (the catalogue lists them in lib/analyzers/README.md). */
export const KUSTOMIZE_CODES: Readonly<Record<KustomizeProblem['kind'], string>> = {
  missing: 'MCL0090',
  unlisted: 'MCL0091',
  refused: 'MCL0092',
  failed: 'MCL0092',
  unchecked: 'MCL0093',
};

const HINTS: Readonly<Record<KustomizeProblem['kind'], string>> = {
  missing: 'restore the file or drop its entry from the kustomization',
  unlisted: 'list the file in the kustomization resources, or delete it',
  refused: 'keep every file a kustomization uses inside its folder',
  failed: 'fix the kustomization: kubectl apply -k refuses it as written',
  unchecked: 'check what this field produces with kubectl kustomize, or suppress the code once you have',
};

/**
 * MCL0090-MCL0093: what building a folder with its kustomization found. The object is the file
 * at fault (the kustomization, or the manifest file nothing lists); `clusterOf` names the cluster
 * the folder is applied to.
 */
export function kustomizeFindings(problems: readonly (KustomizeProblem & { readonly folder: string })[], clusterOf: (folder: string) => string): Finding[] {
  return problems.map(({ kind, folder, file, message }) => ({
    code: KUSTOMIZE_CODES[kind],
    severity: kind === 'unchecked' ? 'warning' : 'error',
    cluster: clusterOf(folder),
    folder,
    object: file,
    message,
    hint: HINTS[kind],
  }));
}
