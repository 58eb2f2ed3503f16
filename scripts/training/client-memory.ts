/**
 * The edge's per-client memory (scorer-core `ClientMemory`), simulated for log replay: keyed by
 * client address exactly as the edge keys it and with the edge's windows (src/client-memory.ts:
 * `clientAddressKey`, IPv4 whole and IPv6 by its /64; `CLIENT_MEMORY_WINDOWS`):
 *
 * - cookie-less arrivals: remembered for the penalty box's TTL (60 min; each arrival puts the
 *   client back in the box for the full TTL, as the edge renews it) and counted over 60 s;
 * - requests: counted over 60 s;
 * - crawler or scanner paths fetched: remembered for the TTL (60 min).
 *
 * The clock is the replayed request's time, so the replay must call it in global time order
 * (replay.ts does). Counting windows are exact (a real edge rate counter is bucketed, so it
 * counts slightly differently near the window's edge).
 */
import type { ClientMemory } from '@session-scorer/core';
import { CLIENT_MEMORY_WINDOWS as W, clientAddressKey } from '../../src/client-memory.js';

export { clientAddressKey };
/** The edge's windows (src/client-memory.ts), in milliseconds. */
export const PENALTY_BOX_TTL_MS = W.cookielessSeenTtlMinutes * 60_000;
export const CRAWLER_PATH_TTL_MS = W.crawlerPathTtlMinutes * 60_000;
export const COOKIELESS_WINDOW_MS = W.cookielessRecentS * 1000;
export const REQUESTS_WINDOW_MS = W.requestsS * 1000;
export const NEW_SESSIONS_WINDOW_MS = W.newSessionsS * 1000;

/** Times within a sliding window, oldest first. */
class Window {
  private readonly times: number[] = [];
  private head = 0;
  add(nowMs: number): void {
    this.times.push(nowMs);
  }
  /** Entries in (nowMs − width, nowMs]. */
  count(nowMs: number, widthMs: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= nowMs - widthMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
}

interface ClientRecord {
  cookieless: Window;
  requests: Window;
  lastCookielessMs: number;
  lastCrawlerPathMs: number;
}

export class ClientMemorySimulator {
  private readonly clients = new Map<string, ClientRecord>();

  /** The memory as the edge would answer for one request of `ip` at `nowMs`. */
  forRequest(ip: string, nowMs: number): ClientMemory {
    // An address the edge could not key (not an IP) gets its own memory, as if keyed by the text.
    const key = clientAddressKey(ip) ?? `?${ip}`;
    let client = this.clients.get(key);
    if (!client)
      this.clients.set(
        key,
        (client = {
          cookieless: new Window(),
          requests: new Window(),
          lastCookielessMs: -Infinity,
          lastCrawlerPathMs: -Infinity,
        }),
      );
    const c = client;
    return {
      cookielessArrival() {
        const seenBefore = nowMs - c.lastCookielessMs < PENALTY_BOX_TTL_MS;
        c.lastCookielessMs = Math.max(c.lastCookielessMs, nowMs);
        c.cookieless.add(nowMs);
        return { seenBefore, recent: c.cookieless.count(nowMs, COOKIELESS_WINDOW_MS) };
      },
      request() {
        c.requests.add(nowMs);
        return c.requests.count(nowMs, REQUESTS_WINDOW_MS);
      },
      crawlerPath() {
        c.lastCrawlerPathMs = Math.max(c.lastCrawlerPathMs, nowMs);
      },
      seenCrawlerPath() {
        return nowMs - c.lastCrawlerPathMs < CRAWLER_PATH_TTL_MS;
      },
    };
  }
}
