/**
 * The edge contract: the names the VCL service, the scorer app and the operator CLI agree on —
 * headers (docs/headers.md), stores, edge dictionaries and their keys, modes, the score form.
 * Each is written here once; the VCL generator, the app and `npm run ops` import it.
 */
import { DEFAULT_THRESHOLD } from '@session-scorer/core';

/**
 * Every header the scorer reads or writes, apart from standard ones, starts with HEADER_PREFIX;
 * VCL strips that prefix from client requests (no spoofing) and from client responses.
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

/** What the scorer's enforcement does: nothing, record only, or act (docs/configuration.md). */
export type Mode = 'off' | 'monitor' | 'enforce';
export const MODES: readonly Mode[] = ['off', 'monitor', 'enforce'];
/** The mode when neither the dictionary nor the Config Store item says otherwise. */
export const DEFAULT_MODE: Mode = 'monitor';

/**
 * The Compute service's stores. `[setup]` in fastly.toml creates them; the ops CLI writes them.
 * docs/configuration.md describes each item.
 */
export const STORE_NAMES = {
  config: 'scorer_config',
  secrets: 'scorer_secrets',
  models: 'scorer_models',
} as const;

/** The VCL service's edge dictionaries (`vcl upload` creates them; `threshold set` and `mode set` write them). */
export const DICTIONARIES = {
  settings: 'scorer_settings',
  secrets: 'scorer_secrets',
} as const;
/** The `scorer_secrets` dictionary's key: the caller secret the VCL sends in x-scorer-auth. */
export const CALLER_SECRET_DICTIONARY_KEY = 'caller_secret';
/** `scorer_settings` keys and the value the VCL uses when a key is absent. */
export const DICTIONARY_DEFAULTS = {
  mode: DEFAULT_MODE,
  threshold: String(DEFAULT_THRESHOLD),
  retry_after: '60',
  forward_score: 'false',
} as const;
/**
 * The challenge band's lower edge. Absent (or not a score, or above `threshold`), it equals
 * `threshold`: no challenge band, as before the band existed.
 */
export const CHALLENGE_THRESHOLD_KEY = 'challenge_threshold';

/** A score as the scorer sends it and the VCL accepts it in the dictionary: 0 to 100, no leading zero. */
export const SCORE_PATTERN = '^(100|[1-9]?[0-9])$';
