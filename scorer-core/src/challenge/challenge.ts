/**
 * Issuing and verifying proof-of-work challenges, and what each does to the session state.
 * Pure: the clock, the salt and the HMAC are inputs. The rules, in the order they are checked:
 * a well-formed token of a known version; an HMAC that verifies (constant-time) over this
 * session's id, so a token or solution from another session fails here; not expired; not already
 * accepted by this session; a solution that meets the token's difficulty.
 * @module
 */
import { assertBytes, assertInteger, equalBytesConstantTime, ScorerError } from '../_internal.js';
import { saturatingAdd, type SessionState } from '../state.js';
import {
  CHALLENGE_MAC_LENGTH,
  CHALLENGE_SALT_LENGTH,
  CHALLENGE_TOKEN_VERSION,
  challengeTag,
  decodeToken,
  encodeToken,
  encodeTokenBody,
  isSessionId,
  macInput,
  type HmacSha256,
} from './token.js';
import { meetsDifficulty, parseCounter } from './work.js';

export interface IssueOptions {
  sessionId: Uint8Array;
  nowMs: number;
  difficultyBits: number;
  lifetimeS: number;
  /** 12 random bytes: two challenges issued in the same second still differ. */
  salt: Uint8Array;
  hmac: HmacSha256;
}

export interface IssuedChallenge {
  /** 72 base64url characters, safe in a URL, an HTML attribute and a header. */
  token: string;
  difficultyBits: number;
  issuedAtS: number;
  /** The token is refused from this second on. */
  expiresAtS: number;
}

export async function issueChallenge(options: IssueOptions): Promise<IssuedChallenge> {
  const { sessionId, nowMs, difficultyBits, lifetimeS, salt, hmac } = options;
  if (!isSessionId(sessionId)) assertBytes('sessionId', sessionId, 16);
  assertInteger('nowMs', nowMs, 0, 0xffffffff * 1000 - 1);
  assertInteger('difficultyBits', difficultyBits, 0, 32);
  assertInteger('lifetimeS', lifetimeS, 1, 86400);
  assertBytes('salt', salt, CHALLENGE_SALT_LENGTH);
  const issuedAtS = Math.floor(nowMs / 1000);
  const expiresAtS = Math.min(issuedAtS + lifetimeS, 0xffffffff);
  const body = encodeTokenBody({ difficultyBits, issuedAtS, expiresAtS, salt });
  const mac = await macOf(hmac, sessionId, body);
  return { token: encodeToken(body, mac), difficultyBits, issuedAtS, expiresAtS };
}

export type ChallengeRefusal =
  'malformed' | 'version' | 'mac-mismatch' | 'expired' | 'replayed' | 'insufficient-work';

export type ChallengeCheck =
  | { ok: true; tag: number; difficultyBits: number; issuedAtS: number }
  | { ok: false; reason: ChallengeRefusal };

/**
 * Checks a submitted solution against the session that submits it (`state`, opened from its
 * cookie). Never throws for any token or counter text; throws ScorerError for a bad clock or state.
 */
export async function verifyChallenge(
  token: unknown,
  counter: unknown,
  state: SessionState,
  nowMs: number,
  hmac: HmacSha256,
): Promise<ChallengeCheck> {
  assertInteger('nowMs', nowMs, 0, Number.MAX_SAFE_INTEGER);
  if (!state || !isSessionId(state.sessionId))
    throw new ScorerError('INVALID_ARGUMENT', '"state.sessionId" expected Uint8Array of length 16');
  const decoded = decodeToken(token);
  const count = parseCounter(counter);
  if (decoded === undefined || count === undefined) return { ok: false, reason: 'malformed' };
  const { token: fields, body } = decoded;
  if (fields.version !== CHALLENGE_TOKEN_VERSION) return { ok: false, reason: 'version' };
  const expected = await macOf(hmac, state.sessionId, body);
  if (!equalBytesConstantTime(expected, fields.mac)) return { ok: false, reason: 'mac-mismatch' };
  if (nowMs >= fields.expiresAtS * 1000) return { ok: false, reason: 'expired' };
  const tag = challengeTag(fields.mac);
  // Single use: the session records the challenge it passed; that one, and any issued before the
  // pass, are refused. (A client holding its pre-pass cookie can replay within the lifetime and gets
  // another copy of the same passed session: docs/challenge.md, "Limits".)
  const passedAtS = state.challengePassedAtS;
  if (passedAtS !== null && (tag === state.challengeTag || fields.issuedAtS < passedAtS))
    return { ok: false, reason: 'replayed' };
  if (!meetsDifficulty(token as string, count, fields.difficultyBits))
    return { ok: false, reason: 'insufficient-work' };
  return { ok: true, tag, difficultyBits: fields.difficultyBits, issuedAtS: fields.issuedAtS };
}

/** A challenge was served to the session: one more unanswered until it passes one. Updates in place. */
export function recordChallengeIssued(state: SessionState): void {
  state.challengesUnanswered = saturatingAdd(state.challengesUnanswered, 1, 0xff);
}

/** The session passed the challenge with this tag: remembered for the session's lifetime. Updates in place. */
export function recordChallengePassed(state: SessionState, nowMs: number, tag: number): void {
  state.challengePassedAtS = Math.max(1, Math.floor(nowMs / 1000));
  state.challengeTag = tag;
  state.challengesUnanswered = 0;
}

async function macOf(
  hmac: HmacSha256,
  sessionId: Uint8Array,
  body: Uint8Array,
): Promise<Uint8Array> {
  const mac = await hmac(macInput(sessionId, body));
  if (!(mac instanceof Uint8Array) || mac.length !== CHALLENGE_MAC_LENGTH) {
    throw new ScorerError(
      'INVALID_HMAC',
      `the challenge HMAC returned ` +
        `${mac instanceof Uint8Array ? `${mac.length} bytes` : typeof mac}; ` +
        `HMAC-SHA-256 gives ${CHALLENGE_MAC_LENGTH}`,
    );
  }
  return mac;
}
