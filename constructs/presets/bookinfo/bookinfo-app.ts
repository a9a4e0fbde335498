import type { AppDefinition, WorkloadVersion } from '../../../lib/model/app-definition';

/** The Bookinfo release its images come from (`samples/bookinfo/platform/kube/bookinfo.yaml`). */
export const BOOKINFO_IMAGE_TAG = '1.20.3';

const image = (workload: string) => `registry.istio.io/release/examples-bookinfo-${workload}:${BOOKINFO_IMAGE_TAG}`;

const reviewsVersion = (version: string, calls?: readonly string[]): WorkloadVersion => ({
  version,
  image: image(`reviews-${version}`),
  calls,
  env: { LOG_DIR: '/tmp/logs' },
  emptyDirs: { 'tmp': '/tmp', 'wlp-output': '/opt/ibm/wlp/output' },
});

/** Istio's Bookinfo sample as an application definition. */
export const BOOKINFO: AppDefinition = {
  name: 'bookinfo',
  services: [
    {
      name: 'details',
      port: 9080,
      serviceAccount: 'bookinfo-details',
      serviceAccountLabels: { account: 'details' },
      versions: [{ version: 'v1', image: image('details-v1') }],
    },
    {
      name: 'ratings',
      port: 9080,
      serviceAccount: 'bookinfo-ratings',
      serviceAccountLabels: { account: 'ratings' },
      versions: [{ version: 'v1', image: image('ratings-v1') }],
    },
    {
      name: 'reviews',
      port: 9080,
      serviceAccount: 'bookinfo-reviews',
      serviceAccountLabels: { account: 'reviews' },
      calls: ['ratings'],
      // reviews-v1 shows no stars, so it never calls ratings.
      versions: [reviewsVersion('v1', []), reviewsVersion('v2'), reviewsVersion('v3')],
    },
    {
      name: 'productpage',
      port: 9080,
      serviceAccount: 'bookinfo-productpage',
      serviceAccountLabels: { account: 'productpage' },
      calls: ['details', 'reviews'],
      versions: [
        {
          version: 'v1',
          image: image('productpage-v1'),
          emptyDirs: { tmp: '/tmp' },
          podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9080', 'prometheus.io/path': '/metrics' },
        },
      ],
    },
  ],
};
