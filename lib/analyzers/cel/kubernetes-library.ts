import type * as CelModule from '@bufbuild/cel';
import type { CelEnv, CelFunc } from '@bufbuild/cel';
import type * as CelExtensions from '@bufbuild/cel/ext';
import type * as ProtobufModule from '@bufbuild/protobuf';
import type { DescMessage } from '@bufbuild/protobuf';
import type * as WellKnownTypes from '@bufbuild/protobuf/wkt';
import type { Duration } from '@bufbuild/protobuf/wkt';
import { parseGoDuration } from './go-duration';
import { hostname, parseRequestUri, parseUrl, port } from './go-url';

/*
 * The CEL environment kube-apiserver compiles CRD rules in (k8s.io/apiserver/pkg/cel/environment/base.go),
 * as far as the Istio and Sail CRDs' rules need it: the standard library, the strings extension
 * (`substring`, ...), `duration()` with Go's parser, and the URL library
 * (k8s.io/apiserver/pkg/cel/library/urls.go: `isURL`, `url`, `getScheme`, `getHost`, `getHostname`,
 * `getPort`). A rule that calls any other function (`quantity()`, `ip()`, `cidr()`, `format.*`,
 * `getQuery`, ...) is reported as not checked rather than evaluated without it.
 */

/*
 * The CEL library and protobuf load on first use (tens of milliseconds of module loading), so a
 * run whose objects meet no rule does not pay for them.
 */
let loaded: { cel: typeof CelModule; extensions: typeof CelExtensions; protobuf: typeof ProtobufModule; wkt: typeof WellKnownTypes } | undefined;

/** The `@bufbuild/cel` module, loaded on first use. */
export function celLibrary(): typeof CelModule {
  return modules().cel;
}

function modules(): NonNullable<typeof loaded> {
  return (loaded ??= {
    cel: require('@bufbuild/cel') as typeof CelModule,
    extensions: require('@bufbuild/cel/ext') as typeof CelExtensions,
    protobuf: require('@bufbuild/protobuf') as typeof ProtobufModule,
    wkt: require('@bufbuild/protobuf/wkt') as typeof WellKnownTypes,
  });
}

/** The URL type of the library, an opaque object in CEL: only its getters read it. */
const URL_TYPE_NAME = 'kubernetes.URL';

function urlDescriptor(): DescMessage {
  const { protobuf, wkt } = modules();
  const { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } = wkt;
  const stringField = (name: string, number: number) => ({ name, number, jsonName: name, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL });
  const file = protobuf.create(FileDescriptorProtoSchema, {
    name: 'kubernetes/cel/url.proto',
    package: 'kubernetes',
    syntax: 'proto3',
    messageType: [{ name: 'URL', field: [stringField('scheme', 1), stringField('host', 2)] }],
  });
  return protobuf.createFileRegistry(file, () => undefined).getMessage(URL_TYPE_NAME)!;
}

function kubernetesFunctions(URL: DescMessage): CelFunc[] {
  const { cel, protobuf, wkt } = modules();
  const { celFunc, celMethod, CelScalar, objectType } = cel;
  const { create } = protobuf;
  const { DurationSchema } = wkt;
  const URL_TYPE = objectType(URL);
  const STRING = CelScalar.STRING;
  const toUrl = (text: string) => {
    // urls.go: ParseRequestURI decides; Parse gives the parts (it cuts a fragment off properly).
    try {
      parseRequestUri(text);
      return create(URL, { ...parseUrl(text) });
    } catch (error) {
      throw new Error(`URL parse error during conversion from string: ${(error as Error).message}`);
    }
  };
  const parts = (value: unknown) => value as { scheme: string; host: string };
  return [
    celFunc('isURL', [STRING], CelScalar.BOOL, (text) => {
      try {
        parseRequestUri(text);
        return true;
      } catch {
        return false;
      }
    }),
    celFunc('url', [STRING], URL_TYPE, toUrl),
    celMethod('getScheme', URL_TYPE, [], STRING, function () {
      return parts(this.message).scheme;
    }),
    celMethod('getHost', URL_TYPE, [], STRING, function () {
      return parts(this.message).host;
    }),
    celMethod('getHostname', URL_TYPE, [], STRING, function () {
      return hostname(parts(this.message));
    }),
    celMethod('getPort', URL_TYPE, [], STRING, function () {
      return port(parts(this.message));
    }),
    // cel-go converts a string with Go's time.ParseDuration; the CEL library's own parser reads "" as 0s.
    celFunc('duration', [STRING], objectType(DurationSchema), (text): Duration => {
      const nanos = parseGoDuration(text);
      return create(DurationSchema, { seconds: nanos / 1_000_000_000n, nanos: Number(nanos % 1_000_000_000n) });
    }),
  ];
}

let environment: CelEnv | undefined;

/** The environment, built on first use: loading the CEL library costs a run that has no rule to check nothing. */
export function kubernetesCelEnv(): CelEnv {
  if (!environment) {
    const URL = urlDescriptor();
    const { cel, extensions, protobuf } = modules();
    environment = cel.celEnv({ registry: protobuf.createRegistry(URL), funcs: [...extensions.strings, ...kubernetesFunctions(URL)] });
  }
  return environment;
}
