/**
 * Replays logged sessions through the same scorer-core decision code the edge runs: the clock is
 * the log's timestamps, the cookie is carried from each decision to the next request as a browser
 * would, and requests the default VCL exclusion regex skips are not scored.
 *
 * Cookie modes: `returned` (every client returns its cookie: behaviour alone, the headline), and
 * `bots-drop` (sessions labelled bot send no cookie; the edge then sees them through the
 * per-client new-session count, simulated here as the edge counter would over 60 s).
 */
import { createKeyRing, createScorer, type Scorer, type TransitionModel } from '../../scorer-core/src/index.js';
import { DEFAULT_EXCLUDE_URL_REGEX } from '../vcl/generate.js';
import type { LogSession } from './sessionize.js';

export type CookieMode = 'returned' | 'bots-drop';

export interface SessionResult {
  key: string;
  bot: boolean;
  requests: number;
  scoredRequests: number;
  /** Highest score of the session's scored requests (what enforcement acts on); null if none was scored. */
  score: number | null;
  requestScores: number[];
  reasons: Set<string>;
}

/** The exclusion regex in JavaScript form: PCRE's leading (?i) becomes the i flag. */
export function exclusionRegex(pcre = DEFAULT_EXCLUDE_URL_REGEX): RegExp {
  const caseless = pcre.startsWith('(?i)');
  return new RegExp(caseless ? pcre.slice(4) : pcre, caseless ? 'i' : '');
}

/** Deterministic bytes (xorshift32): the replay must give the same figures every run. Tests use it too. */
export function seededRandom(seed = 0x2545f491): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

export function createReplayScorer(model: TransitionModel, settings: unknown = {}): Scorer {
  // A throwaway replay key: these cookies never leave the process.
  const keyRing = createKeyRing({ activeKeyId: 0, keys: [{ id: 0, key: new Uint8Array(32).fill(0x5a) }] }, { table: 'large' });
  return createScorer({ keyRing, realm: 'replay', model, settings, random: seededRandom() });
}

const NEW_SESSION_WINDOW_MS = 60_000;

export function replaySession(scorer: Scorer, session: LogSession, bot: boolean, mode: CookieMode, exclude: RegExp): SessionResult {
  let cookie: string | undefined;
  const newSessionTimes: number[] = [];
  const result: SessionResult = { key: session.key, bot, requests: session.requests.length, scoredRequests: 0, score: null, requestScores: [], reasons: new Set() };
  for (const request of session.requests) {
    const path = request.path.split('?')[0]!;
    if (exclude.test(path)) continue;
    const nowMs = Math.max(0, Math.round(request.timeMs));
    const sendsCookie = !(mode === 'bots-drop' && bot);
    const decision = scorer.decide({
      nowMs,
      method: request.method,
      path: request.path,
      cookie: sendsCookie ? cookie : undefined,
      recentNewSessions: () => {
        newSessionTimes.push(nowMs);
        while (newSessionTimes.length > 0 && newSessionTimes[0]! <= nowMs - NEW_SESSION_WINDOW_MS) newSessionTimes.shift();
        return newSessionTimes.length;
      },
    });
    cookie = decision.setCookie.value;
    result.scoredRequests++;
    result.requestScores.push(decision.score);
    result.score = Math.max(result.score ?? 0, decision.score);
    for (const reason of decision.reasons) result.reasons.add(reason);
  }
  return result;
}
