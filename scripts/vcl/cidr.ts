/**
 * IPv4 and IPv6 CIDR prefixes for the crawler ACLs: parsing (with the position of the problem in
 * the error), canonical text (RFC 5952 for IPv6), containment, and aggregation (duplicates and
 * prefixes inside another dropped, sibling prefixes merged) so the generated ACLs stay small.
 */

import { ipv4Octets, ipv6Groups } from '@session-scorer/core';

export interface Cidr {
  family: 4 | 6;
  /** The network address as an integer (host bits zero). */
  bits: bigint;
  /** Prefix length: 0–32 (IPv4) or 0–128 (IPv6). */
  length: number;
}

export class CidrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CidrError';
  }
}

const WIDTH = { 4: 32, 6: 128 } as const;

/** Published ranges are refused with a leading zero in an octet ("010" is octal to some readers). */
const LEADING_ZERO_OCTET = /(?:^|[.:])0\d/;

function parseIpv4(text: string): bigint | null {
  if (LEADING_ZERO_OCTET.test(text)) return null;
  const octets = ipv4Octets(text);
  return octets === null
    ? null
    : octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function parseIpv6(text: string): bigint | null {
  const groups = ipv6Groups(text);
  return groups === null
    ? null
    : groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/**
 * "a.b.c.d/n" or an IPv6 prefix "x::/n" (a bare address is a /32 or /128). Host bits below the
 * prefix are cleared: "66.249.64.9/27" is the network 66.249.64.0/27, which is what every
 * reader of the published lists (and Fastly's ACLs) takes it to mean.
 */
export function parseCidr(text: string): Cidr {
  if (typeof text !== 'string') throw new CidrError(`expected a CIDR string, got ${typeof text}`);
  const [address = '', lengthText, extra] = text.trim().split('/');
  if (extra !== undefined) throw new CidrError(`${JSON.stringify(text)}: more than one "/"`);
  const family: 4 | 6 = address.includes(':') ? 6 : 4;
  const value = family === 4 ? parseIpv4(address) : parseIpv6(address);
  if (value === null)
    throw new CidrError(
      `${JSON.stringify(text)}: ${JSON.stringify(address)} is not an IPv${family} address`,
    );
  const width = WIDTH[family];
  if (lengthText !== undefined && !/^(?:0|[1-9]\d{0,2})$/.test(lengthText))
    throw new CidrError(
      `${JSON.stringify(text)}: prefix length ${JSON.stringify(lengthText)} is not a number`,
    );
  const length = lengthText === undefined ? width : Number(lengthText);
  if (length > width)
    throw new CidrError(
      `${JSON.stringify(text)}: prefix length ${length} exceeds ${width} for IPv${family}`,
    );
  return { family, bits: value & mask(family, length), length };
}

function mask(family: 4 | 6, length: number): bigint {
  const width = BigInt(WIDTH[family]);
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(length))) - 1n);
}

/** The network address in canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatAddress(cidr: Pick<Cidr, 'family' | 'bits'>): string {
  if (cidr.family === 4)
    return [24n, 16n, 8n, 0n].map((shift) => String((cidr.bits >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((cidr.bits >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  // The longest run of two or more zero groups (the first one on a tie) becomes "::".
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

export const formatCidr = (cidr: Cidr) => `${formatAddress(cidr)}/${cidr.length}`;

/** Whether `outer` contains `inner` (same family, shorter or equal prefix, same network bits). */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    outer.length <= inner.length &&
    (inner.bits & mask(outer.family, outer.length)) === outer.bits
  );
}

/** Whether an address (a bare IP) falls in the prefix. */
export function includesAddress(cidr: Cidr, address: string): boolean {
  return contains(cidr, parseCidr(address));
}

function compare(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.bits !== b.bits) return a.bits < b.bits ? -1 : 1;
  return a.length - b.length;
}

/**
 * The smallest list covering exactly the same addresses: IPv4 first, then IPv6, each in address
 * order; duplicates and prefixes inside another dropped; two halves of one prefix merged into it.
 */
export function aggregate(cidrs: readonly Cidr[]): Cidr[] {
  const out: Cidr[] = [];
  for (const cidr of [...cidrs].sort(compare)) {
    if (out.length > 0 && contains(out[out.length - 1]!, cidr)) continue;
    out.push(cidr);
    // Merge siblings bottom-up: a merged parent may complete a sibling pair with its predecessor.
    while (out.length >= 2) {
      const b = out[out.length - 1]!;
      const a = out[out.length - 2]!;
      if (a.family !== b.family || a.length !== b.length || a.length === 0) break;
      const parent = {
        family: a.family,
        bits: a.bits & mask(a.family, a.length - 1),
        length: a.length - 1,
      };
      if ((b.bits & mask(b.family, b.length - 1)) !== parent.bits || a.bits === b.bits) break;
      out.splice(-2, 2, parent);
    }
  }
  return out;
}
