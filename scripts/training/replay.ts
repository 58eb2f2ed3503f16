/**
 * Replays logged sessions through the same scorer-core decision code the edge runs: the clock is
 * the log's timestamps, each session keeps its cookie jar (the cookie of each decision goes with
 * the session's next request, as a browser's would), requests the default VCL exclusion regex
 * skips are not scored, and the request line's protocol and Referer go with each request.
 *
 * Per-client memory spans sessions (a crawler's next session meets the penalty box its last one
 * filled), so a part is replayed as one stream: every request of every session in global time
 * order (ties: session order, then request order), with one simulated ClientMemory
 * (client-memory.ts) and one new-session counter per client (address + User-Agent, 60 s).
 *
 * Cookie modes: `returned` (every client returns its cookie: behaviour alone), and `bots-drop`
 * (sessions labelled bot never send it, as declared crawlers do in reality; each of their
 * requests then starts a session and meets the per-client memory).
 */
import {
  createKeyRing,
  createScorer,
  seededRandom,
  type Scorer,
  type TransitionModel,
} from '@session-scorer/core';
import { DEFAULT_EXCLUDE_URL_REGEX } from '../vcl/facts.js';
import { ClientMemorySimulator, NEW_SESSIONS_WINDOW_MS } from './client-memory.js';
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
  /** Index of the input file the session came from (when the caller said). */
  input?: number;
  /** Time of the session's first request, Unix ms. */
  startMs?: number;
  /** Per scored request: was it a page view (classifier), in the order of requestScores. */
  pageViews?: boolean[];
}

/** A session to replay, with its label and the input it came from. */
export interface ReplayItem {
  session: LogSession;
  bot: boolean;
  input?: number;
}

/** One scored request's features (decision.features, FEATURE_NAMES order), for training. */
export interface FeatureRow {
  features: Float64Array;
  bot: boolean;
  /** Index of the session in the replay's input (and results). */
  session: number;
  timeMs: number;
}

export interface ReplayOptions {
  mode: CookieMode;
  exclude: RegExp;
  /** Collect a FeatureRow per scored request (for training); off for plain evaluation. */
  collectFeatures?: boolean;
}

/** The exclusion regex in JavaScript form: PCRE's leading (?i) becomes the i flag. */
export function exclusionRegex(pcre = DEFAULT_EXCLUDE_URL_REGEX): RegExp {
  const caseless = pcre.startsWith('(?i)');
  return new RegExp(caseless ? pcre.slice(4) : pcre, caseless ? 'i' : '');
}

export function createReplayScorer(model: TransitionModel, settings: unknown = {}): Scorer {
  // A throwaway replay key: these cookies never leave the process.
  const keyRing = createKeyRing(
    { activeKeyId: 0, keys: [{ id: 0, key: new Uint8Array(32).fill(0x5a) }] },
    { table: 'large' },
  );
  return createScorer({ keyRing, realm: 'replay', model, settings, random: seededRandom() });
}

/** Replays a whole part (all sessions of the logs' part) in global time order; results in input order. */
export function replayPart(
  scorer: Scorer,
  items: readonly ReplayItem[],
  options: ReplayOptions,
): { results: SessionResult[]; rows: FeatureRow[] } {
  const { mode, exclude } = options;
  const results: SessionResult[] = items.map(({ session, bot, input }) => ({
    key: session.key,
    bot,
    requests: session.requests.length,
    scoredRequests: 0,
    score: null,
    requestScores: [],
    reasons: new Set<string>(),
    ...(input !== undefined ? { input } : {}),
    ...(session.requests.length > 0 ? { startMs: session.requests[0]!.timeMs } : {}),
    pageViews: [],
  }));
  // Every scored request as (time, session, request), sorted: the global clock of the part.
  const events: { timeMs: number; session: number; request: number }[] = [];
  items.forEach(({ session }, s) =>
    session.requests.forEach((request, r) => {
      if (!exclude.test(request.path.split('?')[0]!))
        events.push({ timeMs: Math.max(0, Math.round(request.timeMs)), session: s, request: r });
    }),
  );
  events.sort((a, b) => a.timeMs - b.timeMs || a.session - b.session || a.request - b.request);

  const memory = new ClientMemorySimulator();
  const newSessions = new Map<string, number[]>();
  const jars: (string | undefined)[] = new Array(items.length);
  const rows: FeatureRow[] = [];
  for (const { timeMs: nowMs, session: s, request: r } of events) {
    const { session, bot } = items[s]!;
    const request = session.requests[r]!;
    const sendsCookie = !(mode === 'bots-drop' && bot);
    const decision = scorer.decide({
      nowMs,
      method: request.method,
      path: request.path,
      cookie: sendsCookie ? jars[s] : undefined,
      request: {
        ...(request.protocol ? { protocol: request.protocol } : {}),
        ...(request.referer !== undefined ? { referer: request.referer } : {}),
      },
      client: memory.forRequest(session.ip, nowMs),
      // The edge's new-session counter is keyed by address + User-Agent over 60 s.
      recentNewSessions: () => {
        const key = `${session.ip}\n${session.userAgent}`;
        let times = newSessions.get(key);
        if (!times) newSessions.set(key, (times = []));
        times.push(nowMs);
        while (times.length > 0 && times[0]! <= nowMs - NEW_SESSIONS_WINDOW_MS) times.shift();
        return times.length;
      },
    });
    jars[s] = decision.setCookie.value;
    const result = results[s]!;
    result.scoredRequests++;
    result.requestScores.push(decision.score);
    result.pageViews!.push(decision.pageView);
    result.score = Math.max(result.score ?? 0, decision.score);
    for (const reason of decision.reasons) result.reasons.add(reason);
    if (options.collectFeatures)
      rows.push({ features: decision.features, bot, session: s, timeMs: nowMs });
  }
  return { results, rows };
}
