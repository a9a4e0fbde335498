import type { Analyzer } from './analyzer';
import { groupBy } from './group-by';
import { apiGroup } from '../manifest/kinds';
import { findingOn } from './finding';

/**
 * MCL0001: the same object (API group, kind, namespace, name) twice in one output folder. Applying
 * the folder keeps only the last one, and kustomize refuses it outright. Versions of one group
 * count as the same object, as the API server stores them as one.
 */
export const duplicateObjectAnalyzer: Analyzer = {
  codes: ['MCL0001'],
  name: 'No object appears twice in one folder',
  analyze: (index) =>
    index.folders.flatMap((folder) =>
      [...groupBy(folder.objects, ({ manifest }) => [apiGroup(manifest), manifest.kind, manifest.metadata.namespace ?? '', manifest.metadata.name].join('\u0000')).values()]
        .filter((copies) => copies.length > 1)
        .map((copies) =>
          findingOn(copies[1], {
            code: 'MCL0001',
            severity: 'error',
            message: `appears ${copies.length} times in ${folder.folder}`,
            hint: 'keep one definition: two constructs or files emit the same object',
          }),
        ),
    ),
};
