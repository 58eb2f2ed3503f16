/**
 * What the app needs from its runtime. `fastly-platform.ts` implements it with fastly:* modules;
 * tests implement it with in-memory fakes. Nothing else in src/ touches the runtime.
 */
export interface Platform {
  /** Config Store item (synchronous on Fastly); null when absent. Throws if the store is unavailable. */
  config(key: string): string | null;
  /** Secret Store item as text; null when absent. Rejects if the store is unavailable. */
  secret(key: string): Promise<string | null>;
  /** KV Store item as text; null when absent. Rejects if the store is unavailable. */
  kvText(key: string): Promise<string | null>;
  /** Edge rate counter of new sessions per client key: adds one, returns the count in the window. */
  countNewSession(clientKey: string): number;
  /** Edge rate counter of requests per cookie value hash: adds one, returns the count in the window. */
  countCookieUse(cookieHash: string): number;
  /**
   * One line to a named log endpoint, built by `line` (called at most once, possibly after the
   * response has been sent: the platform may defer it). Must not throw.
   */
  log(endpoint: string, line: () => string): void;
  /** Unix milliseconds. */
  now(): number;
  /** SHA-256 of `data` (native WebCrypto on Fastly). */
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** HMAC-SHA-256 of `message` under `key` (native WebCrypto importKey/sign on Fastly). */
  hmacSha256(key: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
}

/** Names of the Fastly resources the app uses; `[setup]` in fastly.toml creates the stores (rate counters need no setup). */
export const STORE_NAMES = {
  config: 'scorer_config',
  secrets: 'scorer_secrets',
  models: 'scorer_models',
  newSessionCounter: 'scorer_new_sessions',
  cookieUseCounter: 'scorer_cookie_uses',
} as const;

/** Default log endpoint for the audit log (overridable with the `log_endpoint` config item). */
export const DEFAULT_LOG_ENDPOINT = 'scorer_audit';
