/**
 * The challenge token: what the challenge page carries and the browser sends back. It binds a
 * proof-of-work to one session and an expiry with an HMAC-SHA-256 under a key only the scorer
 * holds. docs/challenge.md is the contract; this file is the byte layout.
 * @module
 */
import { concatBytes, utf8 } from '../_internal.js';
import { base64UrlDecode, base64UrlEncode, base64UrlLength } from '../base64url.js';
import { SESSION_ID_LENGTH } from '../state.js';

export const CHALLENGE_TOKEN_VERSION = 0x01;
export const CHALLENGE_SALT_LENGTH = 12;
export const CHALLENGE_MAC_LENGTH = 32;
/**
 * version (1) || difficulty bits (1) || issued at (4) || expires at (4) || salt (12): what the MAC
 * covers after the session id.
 */
export const CHALLENGE_BODY_LENGTH = 1 + 1 + 4 + 4 + CHALLENGE_SALT_LENGTH;
export const CHALLENGE_TOKEN_BYTES = CHALLENGE_BODY_LENGTH + CHALLENGE_MAC_LENGTH;
/** Every token has exactly this many base64url characters (72). */
export const CHALLENGE_TOKEN_LENGTH = base64UrlLength(CHALLENGE_TOKEN_BYTES);

/**
 * HMAC-SHA-256 under the challenge key, supplied by the runtime (WebCrypto's importKey/sign on
 * Fastly, node:crypto in tests): scorer-core never holds the key. Returns the 32-byte MAC.
 */
export type HmacSha256 = (message: Uint8Array) => Promise<Uint8Array>;

export interface ChallengeToken {
  version: number;
  difficultyBits: number;
  issuedAtS: number;
  expiresAtS: number;
  salt: Uint8Array;
  mac: Uint8Array;
}

// Domain separation: this key's MACs over challenge tokens can never be mistaken for another use.
const MAC_LABEL = utf8('session-scorer challenge\0');

/** The bytes the MAC covers: a label, the session id (never in the token itself), then the token body. */
export function macInput(sessionId: Uint8Array, body: Uint8Array): Uint8Array {
  return concatBytes(MAC_LABEL, sessionId, body);
}

export function encodeTokenBody(fields: Omit<ChallengeToken, 'mac' | 'version'>): Uint8Array {
  const body = new Uint8Array(CHALLENGE_BODY_LENGTH);
  const view = new DataView(body.buffer);
  body[0] = CHALLENGE_TOKEN_VERSION;
  body[1] = fields.difficultyBits;
  view.setUint32(2, fields.issuedAtS);
  view.setUint32(6, fields.expiresAtS);
  body.set(fields.salt, 10);
  return body;
}

export function encodeToken(body: Uint8Array, mac: Uint8Array): string {
  return base64UrlEncode(concatBytes(body, mac));
}

/**
 * The token's fields and its body bytes; undefined for anything that is not a token of a known
 * length. Never throws.
 */
export function decodeToken(
  text: unknown,
): { token: ChallengeToken; body: Uint8Array } | undefined {
  if (typeof text !== 'string' || text.length !== CHALLENGE_TOKEN_LENGTH) return undefined;
  const bytes = base64UrlDecode(text);
  if (bytes === undefined || bytes.length !== CHALLENGE_TOKEN_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    token: {
      version: bytes[0]!,
      difficultyBits: bytes[1]!,
      issuedAtS: view.getUint32(2),
      expiresAtS: view.getUint32(6),
      salt: bytes.slice(10, CHALLENGE_BODY_LENGTH),
      mac: bytes.slice(CHALLENGE_BODY_LENGTH),
    },
    body: bytes.slice(0, CHALLENGE_BODY_LENGTH),
  };
}

/** The tag a session records for the challenge it passed: the MAC's first 4 bytes, big-endian. */
export function challengeTag(mac: Uint8Array): number {
  return ((mac[0]! << 24) | (mac[1]! << 16) | (mac[2]! << 8) | mac[3]!) >>> 0;
}

export const isSessionId = (value: unknown): value is Uint8Array =>
  value instanceof Uint8Array && value.length === SESSION_ID_LENGTH;
