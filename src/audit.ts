/**
 * The audit log line: one JSON object per scored request. No cookie values, no secrets, no full
 * client address; every string taken from the request is length-capped, and JSON.stringify
 * escapes it, so a hostile header cannot forge a second line or a field.
 */
import type { MemoryAnswers } from './edge-counting.js';
import type { RequestFacts } from './request-facts.js';

const MAX_FIELD = 256;

export function capped(value: string | null | undefined, max = MAX_FIELD): string | null {
  if (value === null || value === undefined) return null;
  return value.length > max ? value.slice(0, max) + '…' : value;
}

/** IPv4 to its /24, IPv6 to its /48: enough to see a network, not a person. */
export function truncateIp(ip: string | null): string | null {
  if (ip === null || ip === '') return null;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  if (/^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(':')) {
    const [head = ''] = ip.split('::');
    const groups = head.split(':').filter((g) => g.length > 0);
    const kept = ip.startsWith('::') ? [] : groups.slice(0, 3);
    return `${kept.join(':')}::/48`;
  }
  return 'invalid';
}

export interface AuditRecord {
  time: string;
  event:
    | 'scored'
    | 'fail-open'
    | 'refused'
    | 'challenge-issued'
    | 'challenge-passed'
    | 'challenge-refused';
  mode: string;
  score?: number;
  layer1?: number;
  layer2?: number;
  reasons?: string[];
  cookie?: string;
  cookie_problem?: string;
  sid?: string;
  new_session?: boolean;
  requests?: number;
  page_views?: number;
  page_class?: string;
  model?: string;
  model_source?: string;
  key_id?: number;
  /** A declared crawler from its published ranges (the VCL's ACL check): scored, never acted on. */
  verified_bot?: string;
  /** A declared crawler claimed from outside its published ranges. */
  spoofed_bot?: string;
  error?: string;
  detail?: string;
  /** What the edge rate counters and penalty boxes answered; only what was asked. */
  memory?: MemoryAnswers;
  ip: string | null;
  method: string;
  path: string | null;
  ua: string | null;
  // The request facts (not all scored yet), for operators to evaluate the signals on their own
  // traffic. null = absent (or, for proto and ja4, not forwarded or malformed).
  proto: string | null;
  ja4: string | null;
  /** The visitor's origin is secure (TLS, or a loopback host when called directly); null = unknown. */
  secure: boolean | null;
  host: string | null;
  /** Scheme, host and path of the Referer: no query or fragment (where tokens travel). */
  referer: string | null;
  accept: string | null;
  accept_language: string | null;
  accept_encoding: string | null;
  sec_fetch_mode: string | null;
  sec_fetch_site: string | null;
  sec_fetch_dest: string | null;
  sec_fetch_user: string | null;
  sec_ch_ua: string | null;
}

export type RequestAuditFields = Pick<
  AuditRecord,
  | 'proto'
  | 'ja4'
  | 'secure'
  | 'host'
  | 'referer'
  | 'accept'
  | 'accept_language'
  | 'accept_encoding'
  | 'sec_fetch_mode'
  | 'sec_fetch_site'
  | 'sec_fetch_dest'
  | 'sec_fetch_user'
  | 'sec_ch_ua'
>;

/** The request facts as audit fields, each capped (lengths in docs/headers.md). */
export function requestFactFields(facts: RequestFacts): RequestAuditFields {
  const h = facts.headers;
  return {
    proto: facts.protocol ?? null,
    ja4: h?.ja4 ?? null,
    secure: facts.secureContext ?? null,
    host: capped(facts.host ?? null, 128),
    referer: refererWithoutQuery(facts.referer ?? null),
    accept: capped(h?.accept, 128),
    accept_language: capped(h?.acceptLanguage, 64),
    accept_encoding: capped(h?.acceptEncoding, 64),
    sec_fetch_mode: capped(h?.secFetchMode, 32),
    sec_fetch_site: capped(h?.secFetchSite, 32),
    sec_fetch_dest: capped(h?.secFetchDest, 32),
    sec_fetch_user: capped(h?.secFetchUser, 8),
    sec_ch_ua: capped(h?.secChUa, 160),
  };
}

/** `scheme://host/path` of a Referer, capped; 'invalid' when it is not an absolute URL. */
export function refererWithoutQuery(referer: string | null): string | null {
  if (referer === null) return null;
  try {
    const url = new URL(referer);
    return capped(`${url.protocol}//${url.host}${url.pathname}`);
  } catch {
    return 'invalid';
  }
}

export function auditLine(record: AuditRecord): string {
  return JSON.stringify(record);
}
