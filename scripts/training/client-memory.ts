/**
 * The edge's per-client memory (scorer-core `ClientMemory`), simulated for log replay with the
 * edge's windows, keyed by client address (an IPv6 address by its /64, which one subscriber
 * usually holds whole):
 *
 * - cookie-less arrivals: remembered for the penalty box's TTL (60 min; each arrival puts the
 *   client back in the box for the full TTL) and counted over a sliding 60 s;
 * - requests: counted over a sliding 60 s;
 * - crawler or scanner paths fetched: remembered for the TTL (60 min).
 *
 * The clock is the replayed request's time, so the replay must call it in global time order
 * (replay.ts does). Counting windows are exact (a real edge rate counter is bucketed, so it
 * counts slightly differently near the window's edge).
 */
import type { ClientMemory } from '../../scorer-core/src/index.js';

export const PENALTY_BOX_TTL_MS = 60 * 60_000;
export const RATE_WINDOW_MS = 60_000;

/** The key the edge's counters use for a client address: IPv4 as is, IPv6 by its /64 prefix. */
export function clientAddressKey(ip: string): string {
  const address = ip.trim().toLowerCase();
  if (!address.includes(':')) return address;
  // IPv4-mapped IPv6 (::ffff:1.2.3.4) is the IPv4 client.
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped) return mapped[1]!;
  const zoneless = address.split('%')[0]!;
  const [head, tail] = zoneless.includes('::') ? (zoneless.split('::') as [string, string]) : [zoneless, null];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === null || tail === '' ? [] : tail.split(':');
  const groups = tail === null ? headGroups : [...headGroups, ...new Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((g) => (g.replace(/^0+(?=.)/, '') || '0')).join(':')}::/64`;
}

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
    const key = clientAddressKey(ip);
    let client = this.clients.get(key);
    if (!client) this.clients.set(key, (client = { cookieless: new Window(), requests: new Window(), lastCookielessMs: -Infinity, lastCrawlerPathMs: -Infinity }));
    const c = client;
    return {
      cookielessArrival() {
        const seenBefore = nowMs - c.lastCookielessMs < PENALTY_BOX_TTL_MS;
        c.lastCookielessMs = Math.max(c.lastCookielessMs, nowMs);
        c.cookieless.add(nowMs);
        return { seenBefore, recent: c.cookieless.count(nowMs, RATE_WINDOW_MS) };
      },
      request() {
        c.requests.add(nowMs);
        return c.requests.count(nowMs, RATE_WINDOW_MS);
      },
      crawlerPath() {
        c.lastCrawlerPathMs = Math.max(c.lastCrawlerPathMs, nowMs);
      },
      seenCrawlerPath() {
        return nowMs - c.lastCrawlerPathMs < PENALTY_BOX_TTL_MS;
      },
    };
  }
}
