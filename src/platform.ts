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
  /** The edge rate counter of that name (opening one costs no host call; each method call does). */
  rateCounter(name: RateCounterName): EdgeRateCounter;
  /** The penalty box of that name (opening one costs no host call; each method call does). */
  penaltyBox(name: PenaltyBoxName): EdgePenaltyBox;
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

/** Durations `lookupCount` accepts, in seconds (js-compute 3.46 throws a TypeError for others). */
export type CountDurationS = 10 | 20 | 30 | 40 | 50 | 60;
/** Windows `lookupRate` accepts, in seconds. */
export type RateWindowS = 1 | 10 | 60;

/**
 * An edge rate counter (js-compute `RateCounter`): per-POP, approximate (Fastly documents
 * under-counting by up to 10 %), and eventually consistent: a lookup right after an increment may
 * not include it yet. Entries are at most 256 bytes. Methods throw when edge rate limiting is not
 * available to the service.
 */
export interface EdgeRateCounter {
  increment(entry: string, delta: number): void;
  /** Increments of `entry` in the last `durationS` seconds (whole-second buckets). */
  lookupCount(entry: string, durationS: CountDurationS): number;
  /** Estimated increments per second of `entry` over the last `windowS` seconds. */
  lookupRate(entry: string, windowS: RateWindowS): number;
}

/**
 * A penalty box (js-compute `PenaltyBox`): a per-POP set of entries, each kept for a TTL of 1–60
 * whole minutes. Eventually consistent like the counters: a box first used on a cache node looks
 * empty until it has synchronised.
 */
export interface EdgePenaltyBox {
  /** Adds `entry` (or renews it) for `ttlMinutes`, 1–60, truncated to whole minutes. */
  add(entry: string, ttlMinutes: number): void;
  has(entry: string): boolean;
}

/**
 * Names of the edge rate counters and penalty boxes the app opens. They need no setup (Edge Rate
 * Limiting must be enabled on the account); the stores' names are in edge-contract.ts.
 */
export const RATE_COUNTER_NAMES = {
  /** New sessions per hash(client address, User-Agent). */
  newSessions: 'scorer_new_sessions',
  /** Requests per cookie value (its header and nonce). */
  cookieUses: 'scorer_cookie_uses',
  /** Arrivals without a valid session cookie, per client address key. */
  cookielessArrivals: 'scorer_cookieless',
  /** Requests per client address key. */
  clientRequests: 'scorer_client_requests',
} as const;

export const PENALTY_BOX_NAMES = {
  /** Client address keys that arrived without a valid session cookie. */
  cookielessSeen: 'scorer_cookieless_seen',
  /** Client address keys that fetched a crawler-only or scanner path. */
  crawlerPath: 'scorer_crawler_path',
} as const;

export type RateCounterName = (typeof RATE_COUNTER_NAMES)[keyof typeof RATE_COUNTER_NAMES];
export type PenaltyBoxName = (typeof PENALTY_BOX_NAMES)[keyof typeof PENALTY_BOX_NAMES];

/** Default log endpoint for the audit log (overridable with the `log_endpoint` config item). */
export const DEFAULT_LOG_ENDPOINT = 'scorer_audit';
