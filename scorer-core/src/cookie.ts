/**
 * The session cookie: base64url(header || nonce || AES-256-GCM(state) || tag), with
 * additional data header || UTF-8(realm). docs/cookie-format.md is the contract.
 * @module
 */
import {
  ScorerError,
  assertBytes,
  concatBytes,
  systemRandomBytes,
  utf8,
  type RandomBytes,
} from './_internal.js';
import { GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { base64UrlDecode, base64UrlEncode, base64UrlLength } from './base64url.js';
import type { KeyRing } from './keyring.js';
import {
  STATE_LENGTH,
  STATE_LENGTH_V1,
  decodeState,
  encodeState,
  type SessionState,
} from './state.js';

/** The format every seal writes. */
export const COOKIE_FORMAT_VERSION = 0x02;
/** The previous format, still opened (its state lacks the challenge fields) and re-sealed as 0x02. */
export const COOKIE_FORMAT_VERSION_V1 = 0x01;
export const COOKIE_HEADER_LENGTH = 2;
const sealedBytes = (stateLength: number) =>
  COOKIE_HEADER_LENGTH + GCM_NONCE_LENGTH + stateLength + GCM_TAG_LENGTH;
export const COOKIE_BYTES = sealedBytes(STATE_LENGTH);
/**
 * Characters at the start of a cookie value that cover its header and nonce (14 bytes → 19
 * characters): unique to each sealed value, so a per-value counter can key on them unhashed.
 */
export const COOKIE_NONCE_PREFIX_CHARS = Math.ceil(
  ((COOKIE_HEADER_LENGTH + GCM_NONCE_LENGTH) * 8) / 6,
);

/** Every cookie of the current format has exactly this many characters (152). */
export const COOKIE_VALUE_LENGTH = base64UrlLength(COOKIE_BYTES);
/** Decoded length of each format a cookie may have. */
const BYTES_BY_VERSION = new Map<number, number>([
  [COOKIE_FORMAT_VERSION, COOKIE_BYTES],
  [COOKIE_FORMAT_VERSION_V1, sealedBytes(STATE_LENGTH_V1)],
]);
/**
 * Seals one key may make: each draws a random 96-bit nonce, and NIST SP 800-38D bounds random
 * nonces to 2^32 invocations per key so that a repeated nonce (which breaks GCM) stays below
 * 2^-32 likely. Every scored request seals once, so a key must be rotated before
 * requests/s × seconds active reaches this (docs/cookie-format.md, `ops keys list --requests-per-second`).
 */
export const NONCE_BUDGET_SEALS = 2 ** 32;

/** Share of a key's nonce budget used after `activeS` seconds at `sealsPerSecond` (1 = exhausted). */
export const nonceBudgetUsed = (activeS: number, sealsPerSecond: number): number =>
  (Math.max(0, activeS) * Math.max(0, sealsPerSecond)) / NONCE_BUDGET_SEALS;

/** Longer values are rejected before any decoding work. */
const MAX_DECODED_VALUE_LENGTH = 512;
/** The realm (the AAD that binds a cookie to its site) is at most this many UTF-8 bytes. */
export const MAX_REALM_BYTES = 255;

export type OpenResult =
  // needsReseal: sealed under a key that is no longer active. formatVersion: 0x01 cookies open too
  // (every seal writes 0x02).
  | {
      kind: 'ok';
      state: SessionState;
      keyId: number;
      keyStatus: 'active' | 'grace';
      needsReseal: boolean;
      formatVersion: number;
    }
  | { kind: 'missing' }
  | { kind: 'expired'; reason: 'past-grace' | 'session-expired'; keyId: number }
  | {
      kind: 'tampered';
      reason: 'encoding' | 'length' | 'version' | 'unknown-key' | 'authentication' | 'plaintext';
    };

export interface CookieCodec {
  readonly realm: string;
  /**
   * Never throws for any cookie value; throws ScorerError only for an invalid clock (a caller
   * bug: without a clock, expiry cannot be checked, and the codec refuses to fail open).
   */
  open(value: string | null | undefined, nowMs: number): OpenResult;
  /** Seals under the active key with a fresh random nonce. */
  seal(state: SessionState): string;
  /**
   * Seals with a caller-chosen nonce. For test vectors only: two seals under one key with the
   * same nonce break AES-GCM's confidentiality and authenticity.
   */
  sealWithFixedNonceForTestVectors(state: SessionState, nonce: Uint8Array): string;
}

export interface CookieCodecOptions {
  keyRing: KeyRing;
  /** Binds cookies to one site or realm: a cookie sealed for one realm never opens in another. */
  realm: string;
  random?: RandomBytes;
}

export function validateRealm(realm: unknown): Uint8Array {
  if (typeof realm !== 'string' || realm.length === 0)
    throw new ScorerError(
      'INVALID_REALM',
      `"realm" expected a non-empty string, got ${typeof realm === 'string' ? 'an empty string' : typeof realm}`,
    );
  const bytes = utf8(realm);
  if (bytes.length > MAX_REALM_BYTES)
    throw new ScorerError(
      'INVALID_REALM',
      `"realm" expected at most ${MAX_REALM_BYTES} UTF-8 bytes, got ${bytes.length}`,
    );
  return bytes;
}

export function createCookieCodec(options: CookieCodecOptions): CookieCodec {
  const { keyRing } = options;
  const realmBytes = validateRealm(options.realm);
  const random = options.random ?? systemRandomBytes;
  // Additional data per version and key id (header || realm), built once: it is the same for every cookie.
  const aadByHeader = new Map<number, Uint8Array>();
  const aadFor = (keyId: number, version = COOKIE_FORMAT_VERSION) => {
    let aad = aadByHeader.get((version << 8) | keyId);
    if (aad === undefined)
      aadByHeader.set(
        (version << 8) | keyId,
        (aad = concatBytes(Uint8Array.of(version, keyId), realmBytes)),
      );
    return aad;
  };

  function sealWith(state: SessionState, nonce: Uint8Array): string {
    const plaintext = encodeState(state);
    assertBytes('nonce', nonce, GCM_NONCE_LENGTH);
    const { id, cipher } = keyRing.active();
    const raw = new Uint8Array(COOKIE_BYTES);
    raw[0] = COOKIE_FORMAT_VERSION;
    raw[1] = id;
    raw.set(nonce, COOKIE_HEADER_LENGTH);
    raw.set(cipher.seal(nonce, plaintext, aadFor(id)), COOKIE_HEADER_LENGTH + GCM_NONCE_LENGTH);
    return base64UrlEncode(raw);
  }

  return {
    realm: options.realm,
    open(value, nowMs) {
      if (typeof nowMs !== 'number' || !Number.isFinite(nowMs) || nowMs < 0) {
        throw new ScorerError(
          'INVALID_ARGUMENT',
          `"nowMs" expected Unix milliseconds (a finite number ≥ 0), got ${String(nowMs)}`,
        );
      }
      if (value === undefined || value === null || value === '') return { kind: 'missing' };
      if (typeof value !== 'string') return { kind: 'tampered', reason: 'encoding' };
      if (value.length > MAX_DECODED_VALUE_LENGTH) return { kind: 'tampered', reason: 'length' };
      const bytes = base64UrlDecode(value);
      if (bytes === undefined) return { kind: 'tampered', reason: 'encoding' };
      if (bytes.length < COOKIE_HEADER_LENGTH) return { kind: 'tampered', reason: 'length' };
      const version = bytes[0]!;
      const expectedBytes = BYTES_BY_VERSION.get(version);
      if (expectedBytes === undefined) return { kind: 'tampered', reason: 'version' };
      if (bytes.length !== expectedBytes) return { kind: 'tampered', reason: 'length' };
      const keyId = bytes[1]!;
      const key = keyRing.lookup(keyId, Math.floor(nowMs / 1000));
      // No key with this id sealed a cookie that is still alive: a previous key stays in the ring
      // until 10 minutes past its grace, which outlasts every cookie it sealed (docs/cookie-format.md).
      // So an unknown id is a forgery, not an old visitor.
      if (key.status === 'unknown') return { kind: 'tampered', reason: 'unknown-key' };
      if (key.status === 'past-grace') return { kind: 'expired', reason: 'past-grace', keyId };
      const nonce = bytes.subarray(COOKIE_HEADER_LENGTH, COOKIE_HEADER_LENGTH + GCM_NONCE_LENGTH);
      const sealed = bytes.subarray(COOKIE_HEADER_LENGTH + GCM_NONCE_LENGTH);
      const plaintext = key.cipher.open(nonce, sealed, aadFor(keyId, version));
      if (plaintext === undefined) return { kind: 'tampered', reason: 'authentication' };
      // The length check above matched the plaintext length to the version, so a 0x01 cookie
      // decodes with the 0x01 layout and a 0x02 cookie with the 0x02 one.
      const state = decodeState(plaintext);
      if (state === undefined) return { kind: 'tampered', reason: 'plaintext' };
      if (nowMs >= state.expiresAtS * 1000)
        return { kind: 'expired', reason: 'session-expired', keyId };
      return {
        kind: 'ok',
        state,
        keyId,
        keyStatus: key.status,
        needsReseal: key.status !== 'active',
        formatVersion: version,
      };
    },
    seal(state) {
      return sealWith(state, random(GCM_NONCE_LENGTH));
    },
    sealWithFixedNonceForTestVectors(state, nonce) {
      return sealWith(state, nonce);
    },
  };
}
