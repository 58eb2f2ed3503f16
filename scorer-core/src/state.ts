/**
 * The session state carried in the cookie, and its fixed binary layout: 84 bytes in format 0x02,
 * whose first 75 bytes are the whole of format 0x01 (0x01 lacks the challenge fields, which open
 * as "never challenged"). docs/cookie-format.md describes the layout byte by byte; this file is
 * its implementation.
 * @module
 */
import { ScorerError, assertBytes, assertInteger } from './_internal.js';

export const SESSION_ID_LENGTH = 16;
/** Most dwell samples a cookie can hold; a configured window may be shorter. */
export const DWELL_WINDOW_CAPACITY = 8;
/** `lastPageClass` when the session has had no page view yet. */
export const PAGE_CLASS_NONE = 255;
/** `lastPageClass` when the previous class is not comparable (the model changed since). */
export const PAGE_CLASS_UNKNOWN = 254;
/** Largest model state index a cookie can name. */
export const MAX_PAGE_CLASS_INDEX = 253;

/** Why the current session was started: kept so later requests and the audit log can tell. */
export const SessionFlag = {
  STARTED_WITHOUT_COOKIE: 1 << 0,
  STARTED_AFTER_EXPIRED: 1 << 1,
  STARTED_AFTER_TAMPERED: 1 << 2,
} as const;
const KNOWN_FLAGS = 0b111;
/** The client family tag shares the flags byte: bits 3–7 (1–31; 0 = none). */
const CLIENT_TAG_SHIFT = 3;
export const MAX_CLIENT_FAMILY_TAG = 31;

export interface SessionState {
  /** 16 random bytes; replaced every rotation interval while the rest of the state carries over. */
  sessionId: Uint8Array;
  /** When the session (not the current id) began, Unix seconds. */
  createdAtS: number;
  /** When the current session id was minted, Unix seconds. */
  sessionIdIssuedAtS: number;
  /** Absolute expiry, Unix seconds: sliding, never past createdAtS + maxAge. */
  expiresAtS: number;
  /** Last request of any kind, Unix milliseconds; within 2^32-1 ms of createdAtS. */
  lastSeenMs: number;
  /** Last page view (not a static asset), Unix milliseconds, or null before the first one. */
  lastPageViewMs: number | null;
  requests: number;
  pageViews: number;
  /** Model state index of the last page view, or PAGE_CLASS_NONE / PAGE_CLASS_UNKNOWN. */
  lastPageClass: number;
  /**
   * modelTag() of the model the Layer 2 accumulators were computed under (4 bytes of SHA-256 over
   * its version and numbers).
   */
  modelTag: number;
  /** Transitions scored under `modelTag` (saturates at 65535). */
  transitions: number;
  /** Sum of their surprisal in millibits (saturates at 2^32-1). */
  surprisalMilliBits: number;
  /** Fast-browsing evidence, a leaky bucket in hundredths of a fast page view (saturates). */
  fastEvidenceCenti: number;
  /** The sliding dwell window, oldest first, in centiseconds (each saturates at 65535 = 655.35 s). */
  dwellCs: number[];
  /** SessionFlag bits. */
  flags: number;
  /** When the session last passed a proof-of-work challenge, Unix seconds; null if it never has. */
  challengePassedAtS: number | null;
  /**
   * Tag (first 4 bytes of the MAC) of the challenge accepted at challengePassedAtS: refused if sent
   * again. 0 = none.
   */
  challengeTag: number;
  /**
   * Challenges issued to the session since its last pass (or its start): failed and abandoned ones
   * (saturates at 255).
   */
  challengesUnanswered: number;
  /**
   * 1–31: the family of the client the session was issued to (clientFamilyTag() of its
   * User-Agent); absent (0 in the cookie) when unknown. A cookie sent by another family has moved.
   */
  clientFamilyTag?: number;
}

/** Plaintext length of the current format (0x02). */
export const STATE_LENGTH = 84;
/** Plaintext length of format 0x01: the first 75 bytes of the 0x02 layout. */
export const STATE_LENGTH_V1 = 75;
const NO_PAGE_VIEW = 0xffffffff;
const U32_MAX = 0xffffffff;

export function encodeState(state: SessionState): Uint8Array {
  validateState(state);
  const out = new Uint8Array(STATE_LENGTH);
  const view = new DataView(out.buffer);
  const baseMs = state.createdAtS * 1000;
  out.set(state.sessionId, 0);
  view.setUint32(16, state.createdAtS);
  view.setUint32(20, state.sessionIdIssuedAtS);
  view.setUint32(24, state.expiresAtS);
  view.setUint32(28, state.lastSeenMs - baseMs);
  view.setUint32(32, state.lastPageViewMs === null ? NO_PAGE_VIEW : state.lastPageViewMs - baseMs);
  view.setUint32(36, state.requests);
  view.setUint32(40, state.pageViews);
  out[44] = state.lastPageClass;
  view.setUint32(45, state.modelTag);
  view.setUint16(49, state.transitions);
  view.setUint32(51, state.surprisalMilliBits);
  view.setUint16(55, state.fastEvidenceCenti);
  out[57] = state.dwellCs.length;
  for (let i = 0; i < state.dwellCs.length; i++) view.setUint16(58 + 2 * i, state.dwellCs[i]!);
  out[74] = state.flags | ((state.clientFamilyTag ?? 0) << CLIENT_TAG_SHIFT);
  view.setUint32(75, state.challengePassedAtS ?? 0);
  view.setUint32(79, state.challengeTag);
  out[83] = state.challengesUnanswered;
  return out;
}

/**
 * Decodes a plaintext of the current layout (84 bytes) or of format 0x01 (75 bytes, no challenge
 * fields: never challenged); `undefined` for anything that is not a canonical encoding. Never throws.
 */
export function decodeState(bytes: Uint8Array): SessionState | undefined {
  if (bytes.length !== STATE_LENGTH && bytes.length !== STATE_LENGTH_V1) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const createdAtS = view.getUint32(16);
  const baseMs = createdAtS * 1000;
  const lastPageOffset = view.getUint32(32);
  const dwellCount = bytes[57]!;
  const flags = bytes[74]! & KNOWN_FLAGS;
  const clientFamilyTag = bytes[74]! >> CLIENT_TAG_SHIFT;
  if (dwellCount > DWELL_WINDOW_CAPACITY) return undefined;
  const dwellCs: number[] = [];
  for (let i = 0; i < DWELL_WINDOW_CAPACITY; i++) {
    const sample = view.getUint16(58 + 2 * i);
    if (i < dwellCount) dwellCs.push(sample);
    else if (sample !== 0) return undefined; // unused slots must be zero: one encoding per state
  }
  const lastSeenOffset = view.getUint32(28);
  if (lastSeenOffset === U32_MAX) return undefined;
  const challenge = challengeFields(bytes, view);
  if (challenge === undefined) return undefined;
  return {
    sessionId: bytes.slice(0, 16),
    createdAtS,
    sessionIdIssuedAtS: view.getUint32(20),
    expiresAtS: view.getUint32(24),
    lastSeenMs: baseMs + lastSeenOffset,
    lastPageViewMs: lastPageOffset === NO_PAGE_VIEW ? null : baseMs + lastPageOffset,
    requests: view.getUint32(36),
    pageViews: view.getUint32(40),
    lastPageClass: bytes[44]!,
    modelTag: view.getUint32(45),
    transitions: view.getUint16(49),
    surprisalMilliBits: view.getUint32(51),
    fastEvidenceCenti: view.getUint16(55),
    dwellCs,
    flags,
    ...challenge,
    ...(clientFamilyTag !== 0 ? { clientFamilyTag } : {}),
  };
}

function challengeFields(
  bytes: Uint8Array,
  view: DataView,
): Pick<SessionState, 'challengePassedAtS' | 'challengeTag' | 'challengesUnanswered'> | undefined {
  if (bytes.length === STATE_LENGTH_V1)
    return { challengePassedAtS: null, challengeTag: 0, challengesUnanswered: 0 };
  const passedAtS = view.getUint32(75);
  const tag = view.getUint32(79);
  if (passedAtS === 0 && tag !== 0) return undefined; // a tag belongs to a pass: one encoding per state
  return {
    challengePassedAtS: passedAtS === 0 ? null : passedAtS,
    challengeTag: tag,
    challengesUnanswered: bytes[83]!,
  };
}

/** Throws a ScorerError naming the first field that does not fit the layout. */
export function validateState(state: SessionState): void {
  if (state === null || typeof state !== 'object')
    throw new ScorerError('INVALID_STATE', `"state" expected an object, got ${String(state)}`);
  assertBytes('state.sessionId', state.sessionId, SESSION_ID_LENGTH);
  assertInteger('state.createdAtS', state.createdAtS, 0, U32_MAX);
  assertInteger('state.sessionIdIssuedAtS', state.sessionIdIssuedAtS, 0, U32_MAX);
  assertInteger('state.expiresAtS', state.expiresAtS, 0, U32_MAX);
  const baseMs = state.createdAtS * 1000;
  assertInteger('state.lastSeenMs', state.lastSeenMs, baseMs, baseMs + U32_MAX - 1);
  if (state.lastPageViewMs !== null)
    assertInteger('state.lastPageViewMs', state.lastPageViewMs, baseMs, baseMs + U32_MAX - 1);
  assertInteger('state.requests', state.requests, 0, U32_MAX);
  assertInteger('state.pageViews', state.pageViews, 0, U32_MAX);
  assertInteger('state.lastPageClass', state.lastPageClass, 0, 255);
  assertInteger('state.modelTag', state.modelTag, 0, U32_MAX);
  assertInteger('state.transitions', state.transitions, 0, 0xffff);
  assertInteger('state.surprisalMilliBits', state.surprisalMilliBits, 0, U32_MAX);
  assertInteger('state.fastEvidenceCenti', state.fastEvidenceCenti, 0, 0xffff);
  if (!Array.isArray(state.dwellCs) || state.dwellCs.length > DWELL_WINDOW_CAPACITY) {
    throw new ScorerError(
      'INVALID_ARGUMENT',
      `"state.dwellCs" expected an array of at most ${DWELL_WINDOW_CAPACITY} samples, ` +
        `got ${Array.isArray(state.dwellCs) ? `length=${state.dwellCs.length}` : typeof state.dwellCs}`,
    );
  }
  for (let i = 0; i < state.dwellCs.length; i++) {
    const sample = state.dwellCs[i];
    // The field name is only built on failure: this runs on every seal.
    if (!(
      typeof sample === 'number' &&
      Number.isInteger(sample) &&
      sample >= 0 &&
      sample <= 0xffff
    ))
      assertInteger(`state.dwellCs[${i}]`, sample, 0, 0xffff);
  }
  assertInteger('state.flags', state.flags, 0, KNOWN_FLAGS);
  if (state.clientFamilyTag !== undefined)
    assertInteger('state.clientFamilyTag', state.clientFamilyTag, 0, MAX_CLIENT_FAMILY_TAG);
  if (state.challengePassedAtS !== null)
    assertInteger('state.challengePassedAtS', state.challengePassedAtS, 1, U32_MAX);
  assertInteger(
    'state.challengeTag',
    state.challengeTag,
    0,
    state.challengePassedAtS === null ? 0 : U32_MAX,
  );
  assertInteger('state.challengesUnanswered', state.challengesUnanswered, 0, 0xff);
}

/** The state of a session starting now, before this request is counted. */
export function newSessionState(
  sessionId: Uint8Array,
  nowMs: number,
  flags: number,
  modelTag: number,
): SessionState {
  const nowS = Math.floor(nowMs / 1000);
  return {
    sessionId,
    createdAtS: nowS,
    sessionIdIssuedAtS: nowS,
    expiresAtS: nowS,
    lastSeenMs: nowMs,
    lastPageViewMs: null,
    requests: 0,
    pageViews: 0,
    lastPageClass: PAGE_CLASS_NONE,
    modelTag,
    transitions: 0,
    surprisalMilliBits: 0,
    fastEvidenceCenti: 0,
    dwellCs: [],
    flags,
    challengePassedAtS: null,
    challengeTag: 0,
    challengesUnanswered: 0,
  };
}

/** Adds with saturation at `max`, for the counters a long session could overflow. */
export const saturatingAdd = (value: number, add: number, max: number): number =>
  Math.min(max, value + add);
