import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { MESHES } from './helm-meshes';
import { HAS_UPSTREAM, ISTIO_CHARTS, NEWEST_ISTIO_RELEASE, upstreamPath } from '../support/upstream';

/** The charts of the release the default `mesh.istioVersion` targets. */
const CHARTS = upstreamPath(`istio-${NEWEST_ISTIO_RELEASE}`, 'manifests', 'charts');
const CHART_DIRS = ISTIO_CHARTS;

type Values = { [key: string]: unknown };
const isMap = (value: unknown): value is Values => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A chart's defaults: its values.yaml nests them under `_internal_defaults_do_not_set` (zzz_profile.yaml merges them back). */
function chartDefaults(chart: string): Values {
  const values = load(readFileSync(join(CHARTS, CHART_DIRS[chart], 'values.yaml'), 'utf8')) as Values;
  return { ...values, ...(values._internal_defaults_do_not_set as Values) };
}

function chartFile(chart: string, path: string): string {
  return readFileSync(join(CHARTS, CHART_DIRS[chart], path), 'utf8');
}

/**
 * The keys zzz_profile.yaml reads to pick the profile files, besides values.yaml: `profile` and
 * `platform`, at the top or under `global`. Each maps to the file it selects.
 */
const PROFILE_SELECTORS: Record<string, { readonly accessor: string; readonly file: (name: string) => string }> = {
  'profile': { accessor: '($.Values).profile', file: (name) => `files/profile-${name}.yaml` },
  'global.platform': { accessor: '($.Values.global).platform', file: (name) => `files/profile-platform-${name}.yaml` },
};

/** Maps whose keys are an API of their own rather than chart values: istiod's `meshConfig` is a MeshConfig. */
const FREE_FORM = new Set(['istiod:meshConfig']);

/** Every key path of an emitted values file that the chart does not read, with why. */
function unreadKeys(chart: string, values: Values): string[] {
  const defaults = chartDefaults(chart);
  const problems: string[] = [];
  const walk = (node: Values, path: string[]) => {
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, key];
      const dotted = at.join('.');
      const selector = PROFILE_SELECTORS[dotted];
      if (selector) {
        if (!chartFile(chart, 'templates/zzz_profile.yaml').includes(selector.accessor)) problems.push(`${dotted}: zzz_profile.yaml does not read it`);
        if (!existsSync(join(CHARTS, CHART_DIRS[chart], selector.file(String(value))))) problems.push(`${dotted}: ${value} names no ${selector.file(String(value))}`);
        continue;
      }
      if (FREE_FORM.has(`${chart}:${dotted}`)) continue;
      // istiod copies everything under `pilot` to the top (templates/zzy_descope_legacy.yaml).
      const lookup = chart === 'istiod' && at[0] === 'pilot' ? at.slice(1) : at;
      let found: unknown = defaults;
      for (const part of lookup) found = isMap(found) && Object.hasOwn(found, part) ? found[part] : undefined;
      if (found === undefined) {
        // Below a default that is an empty map (env, annotations), any key is read.
        const parent = lookup.slice(0, -1).reduce<unknown>((acc, part) => (isMap(acc) ? acc[part] : undefined), defaults);
        if (!(isMap(parent) && Object.keys(parent).length === 0)) problems.push(`${dotted}: not in ${CHART_DIRS[chart]}/values.yaml`);
      } else if (isMap(value)) {
        walk(value, at);
      }
    }
  };
  walk(values, []);
  return problems;
}

/** The Helm values files a mesh's output holds, as chart -> file -> values. */
function valuesFiles(spec: MeshSpec): { chart: string; path: string; values: Values }[] {
  const { tree, findings } = synthesizeOutput(buildMesh(Mesh.fromSpec(spec)));
  expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  return [...tree]
    .filter(([path]) => /^install\/[^/]+\/[a-z]+-values\.yaml$/.test(path))
    .map(([path, content]) => ({ chart: /\/([a-z]+)-values\.yaml$/.exec(path)![1], path, values: load(content) as Values }));
}

describe.skipIf(!HAS_UPSTREAM)('Helm values against the Istio 1.30 charts', () => {
  it.each(Object.entries(MESHES))('holds only keys the charts read: %s', (_name, spec) => {
    // GIVEN a mesh WHEN its output is synthesized
    const files = valuesFiles(spec);
    expect(files.length).toBeGreaterThan(0);
    // THEN every key of every values file is read by its chart, and every profile names a file the chart ships
    for (const { chart, path, values } of files) expect(unreadKeys(chart, values), path).toEqual([]);
  });

  it('covers each chart the install README installs with values', () => {
    const charts = new Set(Object.values(MESHES).flatMap((spec) => valuesFiles(spec).map((file) => file.chart)));
    expect([...charts].sort()).toEqual(['base', 'cni', 'istiod']);
  });

  it('catches a key no chart reads and a profile no chart ships', () => {
    // GIVEN values as written before 1.24 and keys the 1.30 charts dropped
    // WHEN checked THEN each is named
    expect(unreadKeys('istiod', { pilot: { enabled: false, env: { ANY: 'x' } } })).toEqual(['pilot.enabled: not in istio-control/istio-discovery/values.yaml']);
    expect(unreadKeys('base', { global: { externalIstiod: true } })).toEqual(['global.externalIstiod: not in base/values.yaml']);
    expect(unreadKeys('cni', { profile: 'openshift' })).toEqual(['profile: openshift names no files/profile-openshift.yaml']);
    expect(unreadKeys('cni', { global: { platform: 'openshift' } })).toEqual([]);
  });
});

describe.skipIf(!HAS_UPSTREAM)('the Sail installer\'s values against the Istio 1.30 charts', () => {
  /** The meshes the sail installer accepts: istiod's Service IP is refused with it (the operator sends the webhook to 15017). */
  const sailMeshes = Object.entries(MESHES)
    .filter(([name]) => !name.includes('istiod Service IP'))
    .map(([name, spec]): [string, MeshSpec] => [name, { ...spec, mesh: { installer: 'sail' } }]);

  it.each(sailMeshes)('puts only keys the charts read into each Istio and IstioCNI: %s', (_name, spec) => {
    // GIVEN a mesh with the sail installer WHEN its output is synthesized
    const { manifests } = synthesizeOutput(buildMesh(Mesh.fromSpec(spec)));
    const sail = [...manifests.clusters.values()].flat().filter((m) => m.apiVersion === 'sailoperator.io/v1') as (Manifest & { spec: { values?: Values; profile?: string } })[];
    const istios = sail.filter((m) => m.kind === 'Istio');
    expect(istios).toHaveLength(spec.clusters.length);
    // THEN the values (with the profile the operator passes on) pass the same check as the Helm values files
    for (const istio of istios) expect(unreadKeys('istiod', { ...istio.spec.values!, ...(istio.spec.profile ? { profile: istio.spec.profile } : {}) })).toEqual([]);
    for (const cni of sail.filter((m) => m.kind === 'IstioCNI')) expect(unreadKeys('cni', cni.spec.values ?? {})).toEqual([]);
  });

  it('leaves EXTERNAL_ISTIOD to the chart, which derives it from global.externalIstiod, so that Sail prunes old revisions', () => {
    // GIVEN the chart's env, derived from global.externalIstiod unless pilot.env sets it
    expect(chartFile('istiod', 'templates/deployment.yaml')).toContain('{{- if and .Values.global.externalIstiod (not (and .Values.env .Values.env.EXTERNAL_ISTIOD)) }}');
    // WHEN both installers write the control plane's values
    const helm = valuesFiles(MESHES['Kubernetes, east-west gateway']).find((file) => file.path === 'install/east/istiod-values.yaml')!.values;
    const { manifests } = synthesizeOutput(buildMesh(Mesh.fromSpec({ ...MESHES['Kubernetes, east-west gateway'], mesh: { installer: 'sail' } })));
    const sail = (manifests.clusters.get('east')!.find((m) => m.kind === 'Istio')!.spec as { values: Values }).values;
    // THEN they are the same values, with externalIstiod and no pilot.env
    expect(sail).toEqual(helm);
    expect((helm.global as Values).externalIstiod).toBe(true);
    expect(helm.pilot).toBeUndefined();
  });
});

describe.skipIf(!HAS_UPSTREAM)('one owner per object', () => {
  it('leaves the reader ServiceAccount to the base chart every remote installs, and holds only its RBAC and token Secret', () => {
    // GIVEN a mesh with remotes
    const output = synthesizeOutput(buildMesh(Mesh.fromSpec(MESHES['Kubernetes, east-west gateway'])));
    // THEN the base chart renders the account
    expect(chartFile('base', 'templates/reader-serviceaccount.yaml')).toContain('name: istio-reader-service-account');
    for (const remote of ['west', 'edge']) {
      // AND the install README installs base on that remote before its folder
      const readme = output.tree.get('install/README.md')!;
      expect(readme.indexOf(`helm upgrade --install istio-base istio/base -n istio-system --kube-context=${remote} -f install/${remote}/base-values.yaml --version 1.30.3`)).toBeGreaterThan(-1);
      // AND the folder does not hold the account, only what names it
      const folder = output.manifests.clusters.get(remote)!;
      expect(folder.filter((m) => m.kind === 'ServiceAccount' && m.metadata.name === 'istio-reader-service-account'), remote).toEqual([]);
      expect(folder.find((m) => m.kind === 'ClusterRoleBinding' && m.metadata.name === 'istio-reader-clusterrole-istio-system')).toBeDefined();
    }
  });

  it('leaves the NetworkAttachmentDefinition injected pods name to the CNI chart', () => {
    // GIVEN an OpenShift mesh, whose CNI chart renders default/istio-cni with the Multus provider,
    // and whose injector names that one NetworkAttachmentDefinition by namespace: no namespace needs its own
    expect(chartFile('cni', 'templates/network-attachment-definition.yaml')).toContain('{{- if eq .Values.provider "multus" }}');
    expect(chartFile('cni', 'templates/network-attachment-definition.yaml')).toContain('namespace: default');
    expect(chartFile('istiod', 'files/injection-template.yaml')).toContain('`default/istio-cni`');
    expect(chartFile('cni', 'files/profile-platform-openshift.yaml')).toContain('provider: "multus"');
    const output = synthesizeOutput(buildMesh(Mesh.fromSpec(MESHES['OpenShift everywhere, istiod Service IP'])));
    // THEN no folder holds one
    expect([...output.manifests.clusters.values()].flat().filter((m) => m.kind === 'NetworkAttachmentDefinition')).toEqual([]);
  });
});
