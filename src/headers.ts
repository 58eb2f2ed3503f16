/**
 * The header contract between the VCL service and the scorer (docs/headers.md). Every header the
 * scorer reads or writes, apart from standard ones, starts with HEADER_PREFIX; VCL strips that
 * prefix from client requests (no spoofing) and from client responses.
 */
export const HEADER_PREFIX = 'x-scorer-';

export const REQUEST_HEADERS = {
  /** The caller secret, proving the request comes from the VCL service. */
  auth: 'x-scorer-auth',
  /** The client's original method when the preflight itself is sent as GET (no body). */
  originalMethod: 'x-scorer-original-method',
  /** The declared crawler the User-Agent claims, when client.ip is in that crawler's ACL (set by the VCL). */
  verifiedBot: 'x-scorer-verified-bot',
  /** The declared crawler the User-Agent claims from outside its ACL: spoofed (set by the VCL). */
  claimedBot: 'x-scorer-claimed-bot',
  /** Set by Fastly to the client's address; forwarded by VCL. */
  clientIp: 'fastly-client-ip',
  /** The client's protocol, `req.proto` in the VCL ('HTTP/1.1', 'HTTP/2', …). */
  proto: 'x-scorer-proto',
  /** The client's TLS fingerprint, `tls.client.ja4` in the VCL (empty over plain HTTP). */
  ja4: 'x-scorer-ja4',
  /** The site's Host as the client sent it: the preflight's own Host is the scorer's override host. */
  host: 'x-scorer-host',
  /** `1` when the client's connection used TLS (`req.is_ssl` in the VCL), else `0`. */
  tls: 'x-scorer-tls',
  cookie: 'cookie',
  userAgent: 'user-agent',
  referer: 'referer',
  accept: 'accept',
  acceptLanguage: 'accept-language',
  acceptEncoding: 'accept-encoding',
  /** Fastly normalises Accept-Encoding on arrival and keeps the client's value here. */
  originalAcceptEncoding: 'fastly-orig-accept-encoding',
  secFetchMode: 'sec-fetch-mode',
  secFetchSite: 'sec-fetch-site',
  secFetchDest: 'sec-fetch-dest',
  secFetchUser: 'sec-fetch-user',
  secChUa: 'sec-ch-ua',
} as const;

export const RESPONSE_HEADERS = {
  score: 'x-scorer-score',
  layer1: 'x-scorer-layer1',
  layer2: 'x-scorer-layer2',
  reasons: 'x-scorer-reasons',
  cookieStatus: 'x-scorer-cookie-status',
  cookieProblem: 'x-scorer-cookie-problem',
  session: 'x-scorer-session',
  pageClass: 'x-scorer-page-class',
  model: 'x-scorer-model',
  modelSource: 'x-scorer-model-source',
  keyId: 'x-scorer-key-id',
  setCookie: 'x-scorer-set-cookie',
  mode: 'x-scorer-mode',
  error: 'x-scorer-error',
  version: 'x-scorer-version',
} as const;

/** Why the scorer answered without a score (value of x-scorer-error). docs/headers.md lists them. */
export type FailOpenReason =
  | 'caller-secret-missing'
  | 'caller-secret-invalid'
  | 'config-store-unavailable'
  | 'config-invalid'
  | 'secret-store-unavailable'
  | 'keys-missing'
  | 'keys-invalid'
  | 'model-store-unavailable'
  | 'model-missing'
  | 'model-invalid'
  | 'challenge-key-missing'
  | 'challenge-key-invalid'
  | 'internal';
