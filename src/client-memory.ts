/**
 * scorer-core's ClientMemory for one request, over the Platform's edge rate counters and penalty
 * boxes, keyed by the client's address (IPv4 whole, IPv6 by its /64: one subscriber's network,
 * since a single host can rotate through a /64 at will). Lazy: nothing is counted or looked up
 * until scorer-core calls a method, and each method records at most once per request. A counter
 * or box that throws answers "unknown" (the neutral value) with a warning for the audit line.
 */
import { ipv4Octets, ipv6Groups, shortHash, type DecisionInput } from '@session-scorer/core';
import { attempt, countIncludingThis, type CountingRecord } from './edge-counting.js';
import {
  PENALTY_BOX_NAMES as BOX,
  RATE_COUNTER_NAMES as COUNTER,
  type Platform,
} from './platform.js';

export type ClientMemory = NonNullable<DecisionInput['client']>;

/** Windows and TTLs of the client memory (docs/configuration.md); a log replay uses the same. */
export const CLIENT_MEMORY_WINDOWS = {
  /** How long a cookie-less arrival is remembered (penalty box TTL, minutes). */
  cookielessSeenTtlMinutes: 60,
  /** Window of the recent cookie-less arrivals count, seconds. */
  cookielessRecentS: 60,
  /** Window of the client's request count, seconds. */
  requestsS: 60,
  /** How long a crawler-path fetch is remembered (penalty box TTL, minutes). */
  crawlerPathTtlMinutes: 60,
  /** Window of the new-session count per address + User-Agent, seconds. */
  newSessionsS: 60,
  /** Window of the per-cookie-value request count (scorer_cookie_uses, the replay signal), seconds. */
  cookieUsesS: 60,
} as const;

export interface EdgeClient {
  /** For DecisionInput.client: undefined when the request carries no usable client address. */
  memory: ClientMemory | undefined;
  /** For DecisionInput.recentNewSessions: new sessions of this address + User-Agent; 0 (unknown) without an address. */
  recentNewSessions: () => number;
}

/**
 * The client memory of one request. `address` is fastly-client-ip (set by the VCL from
 * client.ip), `userAgent` the request's User-Agent; answers and failures go into `record`.
 */
export function edgeClient(
  platform: Platform,
  address: string,
  userAgent: string,
  record: CountingRecord,
): EdgeClient {
  const W = CLIENT_MEMORY_WINDOWS;
  let newSessions: number | undefined;
  const recentNewSessions = () => {
    // Unchanged from before the client memory: keyed by the full address and the User-Agent.
    if (address === '') return 0;
    if (newSessions === undefined) {
      newSessions = attempt(
        record,
        COUNTER.newSessions,
        () =>
          countIncludingThis(
            platform.rateCounter(COUNTER.newSessions),
            shortHash(`${address}\n${userAgent}`),
            W.newSessionsS,
          ),
        0,
      );
      record.answers.new_sessions = newSessions;
    }
    return newSessions;
  };
  const key = address === '' ? null : clientAddressKey(address);
  if (address !== '' && key === null)
    record.failures.push({
      name: 'fastly-client-ip',
      message: 'not an IP address, no client memory',
    });
  if (key === null) return { memory: undefined, recentNewSessions };

  let arrival: { seenBefore: boolean; recent: number } | undefined;
  let requests: number | undefined;
  let crawlerSeen: boolean | undefined;
  let crawlerRecorded = false;
  const memory: ClientMemory = {
    cookielessArrival() {
      if (arrival) return arrival;
      // Opening a box or counter happens inside attempt() too: on Fastly the constructor may be what throws.
      const seenBefore = attempt(
        record,
        BOX.cookielessSeen,
        () => platform.penaltyBox(BOX.cookielessSeen).has(key),
        false,
      );
      // Renewed on every arrival: "seen before" means the previous arrival was within the TTL.
      attempt(
        record,
        BOX.cookielessSeen,
        () => platform.penaltyBox(BOX.cookielessSeen).add(key, W.cookielessSeenTtlMinutes),
        undefined,
      );
      const recent = attempt(
        record,
        COUNTER.cookielessArrivals,
        () =>
          countIncludingThis(
            platform.rateCounter(COUNTER.cookielessArrivals),
            key,
            W.cookielessRecentS,
          ),
        1,
      );
      arrival = { seenBefore, recent };
      record.answers.cookieless_seen_before = seenBefore;
      record.answers.cookieless_recent = recent;
      return arrival;
    },
    request() {
      if (requests === undefined) {
        requests = attempt(
          record,
          COUNTER.clientRequests,
          () => countIncludingThis(platform.rateCounter(COUNTER.clientRequests), key, W.requestsS),
          1,
        );
        record.answers.requests_60s = requests;
      }
      return requests;
    },
    seenCrawlerPath() {
      if (crawlerSeen === undefined) {
        crawlerSeen = attempt(
          record,
          BOX.crawlerPath,
          () => platform.penaltyBox(BOX.crawlerPath).has(key),
          false,
        );
        record.answers.crawler_path_seen = crawlerSeen;
      }
      return crawlerSeen;
    },
    crawlerPath() {
      if (crawlerRecorded) return;
      crawlerRecorded = true;
      // Look first, so seenCrawlerPath() answers "before this request" whichever is called first.
      memory.seenCrawlerPath();
      record.answers.crawler_path_recorded = attempt(
        record,
        BOX.crawlerPath,
        () => (platform.penaltyBox(BOX.crawlerPath).add(key, W.crawlerPathTtlMinutes), true),
        false,
      );
    },
  };
  return { memory, recentNewSessions };
}

/**
 * The client-memory key of an address: IPv4 whole (`198.51.100.23`), IPv6 by its /64
 * (`2001:db8:0:1::/64`, groups lower-case without leading zeros), an IPv4-mapped IPv6 address as
 * its IPv4. Null when the text is not an IP address.
 */
export function clientAddressKey(address: string): string | null {
  const text = address.trim();
  if (text.includes(':')) {
    const groups = ipv6Groups(text);
    if (groups === null) return null;
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
      return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
    return `${groups
      .slice(0, 4)
      .map((g) => g.toString(16))
      .join(':')}::/64`;
  }
  const octets = ipv4Octets(text);
  return octets === null ? null : octets.join('.');
}
