import { isIP } from 'node:net';

/** An IP range as the first and last address of its family. */
export interface IpRange {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

/** An IP address as its family and numeric value. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** Parses an IPv4 or IPv6 address; undefined otherwise, and for an IPv6 zone (`fe80::1%eth0`), which no Kubernetes field takes. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes('%')) return undefined;
  const family = isIP(text);
  if (family === 4) return { family, value: ipv4ToBigInt(text) };
  if (family === 6) return { family, value: ipv6ToBigInt(text) };
  return undefined;
}

/** Parses `address/prefix` (IPv4 or IPv6); undefined when it is not a valid CIDR. */
export function parseCidr(text: string): IpRange | undefined {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const [, addressText, prefixText] = match;
  const address = parseIp(addressText);
  if (!address) return undefined;
  const { family, value } = address;
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  return { family, first, last: first + (1n << hostBits) - 1n };
}

/** Whether the range holds the address. */
export function rangeHolds(range: IpRange, address: IpAddress): boolean {
  return range.family === address.family && range.first <= address.value && address.value <= range.last;
}

/** Whether two ranges share at least one address. */
export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/**
 * The ranges `init` gives each cluster of a starter inventory, all on one network: pod ranges are
 * the /16s of 10.128.0.0/9 and service ranges the /20s of 172.16.0.0/12, both private (RFC 1918)
 * and pairwise distinct, as checkCidrs (validate-mesh.ts) requires of one flat network.
 */
const STARTER_POD_RANGES = { block: '10.128.0.0/9', prefix: 16 } as const;
const STARTER_SERVICE_RANGES = { block: '172.16.0.0/12', prefix: 20 } as const;

/** The starter address plan in words, for help texts. */
export const STARTER_RANGES_TEXT = `a private pod /${STARTER_POD_RANGES.prefix} of ${STARTER_POD_RANGES.block} and service /${STARTER_SERVICE_RANGES.prefix} of ${STARTER_SERVICE_RANGES.block}`;

/** How many clusters get distinct starter ranges: 128, the /16s in 10.128.0.0/9 (there are 256 /20s in 172.16.0.0/12). */
export const STARTER_RANGE_CLUSTERS = Math.min(subnetCount(STARTER_POD_RANGES), subnetCount(STARTER_SERVICE_RANGES));

/** The pod and service ranges of the starter inventory's cluster at `index` (0-based, below STARTER_RANGE_CLUSTERS). */
export function starterRanges(index: number): { readonly podCidr: string; readonly serviceCidr: string } {
  if (!Number.isInteger(index) || index < 0 || index >= STARTER_RANGE_CLUSTERS) {
    throw new RangeError(`starter ranges exist for clusters 0 to ${STARTER_RANGE_CLUSTERS - 1}, got ${index}`);
  }
  return { podCidr: nthSubnet(STARTER_POD_RANGES, index), serviceCidr: nthSubnet(STARTER_SERVICE_RANGES, index) };
}

interface Subnetting {
  readonly block: string;
  readonly prefix: number;
}

function subnetCount({ block, prefix }: Subnetting): number {
  return 2 ** (prefix - Number(block.split('/')[1]));
}

/** The `index`-th IPv4 subnet of length `prefix` inside `block`, as `a.b.c.d/prefix`. */
function nthSubnet({ block, prefix }: Subnetting, index: number): string {
  const first = parseCidr(block)!.first + (BigInt(index) << BigInt(32 - prefix));
  const octets = [24n, 16n, 8n, 0n].map((shift) => String((first >> shift) & 0xffn));
  return `${octets.join('.')}/${prefix}`;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBigInt(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = tail === undefined ? headParts : [...headParts, ...Array(missing).fill('0'), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) + BigInt(parseInt(part, 16)), 0n);
}
