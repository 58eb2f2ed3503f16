/**
 * How one request asks the edge rate counters and penalty boxes: a count that includes this
 * request, a failure that counts as unknown (and becomes a warning in the audit line, never an
 * error answer), and a record of every answer for the audit line.
 */
import { errorText } from './error-text.js';
import type { CountDurationS, EdgeRateCounter } from './platform.js';

/** What the counters and boxes answered for this request; a key is present only if asked. */
export interface MemoryAnswers {
  /** scorer_new_sessions: new sessions of this address + User-Agent in 60 s. */
  new_sessions?: number;
  /** scorer_cookie_uses: requests with this cookie value in 60 s. */
  cookie_uses?: number;
  /** scorer_cookieless_seen: an earlier cookie-less arrival within its TTL. */
  cookieless_seen_before?: boolean;
  /** scorer_cookieless: cookie-less arrivals in 60 s, this one included. */
  cookieless_recent?: number;
  /** scorer_client_requests: requests in 60 s, this one included. */
  requests_60s?: number;
  /** scorer_crawler_path: a crawler-only path fetched within its TTL, before this request. */
  crawler_path_seen?: boolean;
  /** This request was recorded in scorer_crawler_path. */
  crawler_path_recorded?: boolean;
}

export interface CountingRecord {
  /** What failed (a counter or box name, or the input at fault) and why, in order. */
  failures: { name: string; message: string }[];
  answers: MemoryAnswers;
}

export const newCountingRecord = (): CountingRecord => ({ failures: [], answers: {} });

/**
 * `ask()`, or `unknown` when it throws (edge rate limiting not enabled, a lookup refused): the
 * failure is kept under `name`.
 */
export function attempt<T>(record: CountingRecord, name: string, ask: () => T, unknown: T): T {
  try {
    return ask();
  } catch (error) {
    record.failures.push({ name, message: errorText(error) });
    return unknown;
  }
}

/**
 * The failures as warnings for the audit line, one per distinct message naming everything that
 * failed with it ("scorer_cookieless, scorer_client_requests: <message>"): with Edge Rate Limiting
 * off, every counter fails alike, and one line says so within the detail's length cap.
 */
export function countingWarnings(record: CountingRecord): string[] {
  const byMessage = new Map<string, string[]>();
  for (const { name, message } of record.failures) {
    const names = byMessage.get(message) ?? [];
    if (!names.includes(name)) names.push(name);
    byMessage.set(message, names);
  }
  return [...byMessage].map(([message, names]) => `${names.join(', ')}: ${message}`);
}

/**
 * Adds this request to `entry` and answers its count over `durationS`, this request included.
 * The counter is eventually consistent and may not show the increment just made, so the answer
 * is never less than 1.
 */
export function countIncludingThis(
  counter: EdgeRateCounter,
  entry: string,
  durationS: CountDurationS,
): number {
  counter.increment(entry, 1);
  return Math.max(1, counter.lookupCount(entry, durationS));
}
