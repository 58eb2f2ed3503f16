/**
 * scorer-core's RequestFacts from the preflight: the visitor's request headers travel on the
 * preflight as they came (the VCL passes the request to the scorer), and what only the VCL knows
 * (protocol, TLS fingerprint, the site's Host) arrives in x-scorer-* headers the VCL sets after
 * dropping any client copy (docs/headers.md).
 */
import type { DecisionInput } from '@session-scorer/core';
import { REQUEST_HEADERS as RQ } from './edge-contract.js';

export type RequestFacts = NonNullable<DecisionInput['request']>;
export type BrowserHeaders = NonNullable<RequestFacts['headers']>;

/** `req.proto` values look like this; anything else is treated as unknown. */
const PROTOCOL = /^HTTP\/[0-9](\.[0-9])?$/;
/** JA4 is three `_`-joined ASCII sections (36 characters); anything else is treated as unknown. */
const JA4 = /^[A-Za-z0-9_]{1,64}$/;

/** `url` is the preflight's own URL: only used to recognise a direct call on a loopback host. */
export function requestFacts(headers: Headers, url: string): RequestFacts {
  const protocol = headers.get(RQ.proto)?.trim() ?? '';
  const host = headers.get(RQ.host)?.trim() ?? '';
  return {
    protocol: PROTOCOL.test(protocol) ? protocol : undefined,
    referer: headers.get(RQ.referer),
    host: host === '' ? undefined : host,
    secureContext: secureContext(headers.get(RQ.tls), url),
    headers: browserHeaders(headers),
  };
}

/**
 * Whether browsers treat the visitor's origin as secure (and so send fetch metadata and client
 * hints): the VCL's `x-scorer-tls`; without it (the scorer called directly, as in local tests
 * and benchmarks), a loopback host, which browsers treat as secure too; otherwise unknown.
 */
function secureContext(tls: string | null, url: string): boolean | undefined {
  const flag = tls?.trim();
  if (flag === '1') return true;
  if (flag === '0') return false;
  let hostname = '';
  try {
    hostname = new URL(url).hostname;
  } catch {
    return undefined;
  }
  return hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
    ? true
    : undefined;
}

export function browserHeaders(headers: Headers): BrowserHeaders {
  const ja4 = headers.get(RQ.ja4)?.trim() ?? '';
  return {
    userAgent: headers.get(RQ.userAgent),
    accept: headers.get(RQ.accept),
    acceptLanguage: headers.get(RQ.acceptLanguage),
    acceptEncoding: headers.get(RQ.originalAcceptEncoding) ?? headers.get(RQ.acceptEncoding),
    secFetchMode: headers.get(RQ.secFetchMode),
    secFetchSite: headers.get(RQ.secFetchSite),
    secFetchDest: headers.get(RQ.secFetchDest),
    secFetchUser: headers.get(RQ.secFetchUser),
    secChUa: headers.get(RQ.secChUa),
    ja4: JA4.test(ja4) ? ja4 : null,
  };
}
