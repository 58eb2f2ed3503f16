import { describe, expect, it } from 'vitest';
import { shortHash } from '../../scorer-core/src/index.js';
import { clientAddressKey, edgeClient } from '../../src/client-memory.js';
import { countingWarnings, newCountingRecord } from '../../src/edge-counting.js';
import { fakePlatform, type FakeEdgeBehaviour } from '../helpers/fake-platform.js';

// Everything here runs on the fake edge rate limiter (test/helpers/fake-platform.ts): Viceroy
// stubs the real one (counts 0, boxes empty), and only a Fastly service could show the real one.
const T0 = 1_795_000_000_000; // a whole second, so the whole-second buckets are easy to follow
const MIN = 60_000;

function setup(edge: FakeEdgeBehaviour | 'unavailable' = {}) {
  const platform = fakePlatform({ nowMs: T0, edge });
  /** The client memory of one request from `address` at the platform's current time. */
  const arrive = (address: string, userAgent = 'Mozilla/5.0 test') => {
    const record = newCountingRecord();
    return { ...edgeClient(platform, address, userAgent, record), record };
  };
  const at = (ms: number) => (platform.clock.nowMs = T0 + ms);
  return { platform, arrive, at };
}

const cookieless = (client: { memory: ReturnType<typeof edgeClient>['memory'] }) => {
  if (!client.memory) throw new Error('no client memory');
  return client.memory.cookielessArrival();
};

describe('client address keys', () => {
  it('IPv4 whole; IPv6 by its /64 in one canonical spelling; IPv4-mapped IPv6 as IPv4', () => {
    expect(clientAddressKey('198.51.100.23')).toBe('198.51.100.23');
    expect(clientAddressKey(' 198.51.100.023 ')).toBe('198.51.100.23');
    expect(clientAddressKey('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd:12::/64');
    expect(clientAddressKey('2001:0DB8:ABCD:0012:ffff:0:0:1')).toBe('2001:db8:abcd:12::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('2001:db8::192.0.2.1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('1:2:3:4:5:6:7::')).toBe('1:2:3:4::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('::')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientAddressKey('::ffff:c000:0201')).toBe('192.0.2.1');
  });

  it('anything that is not an address has no key', () => {
    for (const text of [
      '',
      'not an ip',
      '256.1.1.1',
      '1.2.3',
      '2001:db8:::1',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      'fe80::1%eth0',
      '1.2.3.4::',
      '12345::1',
      '::1.2.3.256',
    ]) {
      expect(clientAddressKey(text), text).toBeNull();
    }
  });
});

describe('client memory on the fake edge rate limiter (Viceroy stubs the real one)', () => {
  it('is lazy: building it makes no host call; each method makes only its own', () => {
    const { platform, arrive } = setup();
    const client = arrive('198.51.100.23');
    expect(platform.edgeCalls).toEqual([]);
    client.memory!.request();
    expect(platform.edgeCalls).toEqual([
      'scorer_client_requests.increment(198.51.100.23)',
      'scorer_client_requests.lookupCount(198.51.100.23)',
    ]);
    platform.edgeCalls.length = 0;
    client.memory!.cookielessArrival();
    expect(platform.edgeCalls).toEqual([
      'scorer_cookieless_seen.has(198.51.100.23)',
      'scorer_cookieless_seen.add(198.51.100.23)',
      'scorer_cookieless.increment(198.51.100.23)',
      'scorer_cookieless.lookupCount(198.51.100.23)',
    ]);
    // A request whose memory is never asked counts nothing.
    arrive('198.51.100.23');
    expect(platform.counter('scorer_client_requests').total('198.51.100.23')).toBe(1);
    expect(platform.counter('scorer_cookieless').total('198.51.100.23')).toBe(1);
  });

  it('each method records at most once per request and repeats its first answer', () => {
    const { platform, arrive } = setup();
    const client = arrive('198.51.100.23');
    expect(client.memory!.request()).toBe(1);
    expect(client.memory!.request()).toBe(1);
    expect(client.memory!.cookielessArrival()).toEqual({ seenBefore: false, recent: 1 });
    expect(client.memory!.cookielessArrival()).toEqual({ seenBefore: false, recent: 1 });
    expect(platform.counter('scorer_client_requests').total('198.51.100.23')).toBe(1);
    expect(platform.counter('scorer_cookieless').total('198.51.100.23')).toBe(1);
    expect(client.record.answers).toEqual({
      requests_60s: 1,
      cookieless_seen_before: false,
      cookieless_recent: 1,
    });
  });

  it('cookie-less arrivals: seen before within 60 min of the previous one, expired at exactly 60 min', () => {
    const { platform, arrive, at } = setup();
    expect(cookieless(arrive('192.0.2.10'))).toEqual({ seenBefore: false, recent: 1 });
    expect(cookieless(arrive('192.0.2.11'))).toEqual({ seenBefore: false, recent: 1 });
    at(60 * MIN - 1);
    expect(cookieless(arrive('192.0.2.10')).seenBefore).toBe(true);
    at(60 * MIN);
    expect(cookieless(arrive('192.0.2.11')).seenBefore).toBe(false);
    // Each arrival renews the entry: .10 arrived at 60 min − 1 ms, so it is remembered until 120 min − 1 ms.
    at(120 * MIN - 2);
    expect(cookieless(arrive('192.0.2.10')).seenBefore).toBe(true);
    at(180 * MIN - 2);
    expect(cookieless(arrive('192.0.2.10')).seenBefore).toBe(false);
  });

  it('cookie-less arrivals in the last 60 s, counted in whole-second buckets, this one included', () => {
    const { platform, arrive, at } = setup();
    const recent: number[] = [];
    // At 60 000 ms the 60 s lookup covers seconds 1…60: the arrival at 0 ms has left it.
    for (const ms of [0, 30_000, 59_999, 60_000, 89_999]) {
      at(ms);
      recent.push(cookieless(arrive('203.0.113.5')).recent);
    }
    expect(recent).toEqual([1, 2, 3, 3, 4]);
  });

  it('IPv6 clients share memory within a /64 and not across /64s; IPv4 addresses are whole', () => {
    const { platform, arrive } = setup();
    expect(cookieless(arrive('2001:db8:1:2::a'))).toEqual({ seenBefore: false, recent: 1 });
    expect(cookieless(arrive('2001:db8:1:2:ffff:ffff:ffff:b'))).toEqual({
      seenBefore: true,
      recent: 2,
    });
    expect(cookieless(arrive('2001:db8:1:3::a'))).toEqual({ seenBefore: false, recent: 1 });
    expect(cookieless(arrive('198.51.100.1'))).toEqual({ seenBefore: false, recent: 1 });
    expect(cookieless(arrive('198.51.100.2'))).toEqual({ seenBefore: false, recent: 1 });
    expect(platform.box('scorer_cookieless_seen').entries()).toEqual([
      '2001:db8:1:2::/64',
      '2001:db8:1:3::/64',
      '198.51.100.1',
      '198.51.100.2',
    ]);
  });

  it('requests in the last 60 s per client key', () => {
    const { arrive, at } = setup();
    const counts: number[] = [];
    for (const [ms, address] of [
      [0, '2001:db8::1'],
      [1_000, '2001:db8::2'],
      [2_000, '2001:db8:0:1::1'],
      [59_000, '2001:db8::3'],
      [61_500, '2001:db8::4'],
    ] as const) {
      at(ms);
      counts.push(arrive(address).memory!.request());
    }
    // At 61 500 ms the lookup covers seconds 2…61: the requests at 0 and 1 000 ms have left it.
    expect(counts).toEqual([1, 2, 1, 3, 2]);
  });

  it('crawler paths: remembered for 60 min; "seen" always means before this request', () => {
    const { arrive, at } = setup();
    const first = arrive('192.0.2.44').memory!;
    first.crawlerPath();
    expect(first.seenCrawlerPath()).toBe(false);
    at(59 * MIN);
    const second = arrive('192.0.2.44').memory!;
    expect(second.seenCrawlerPath()).toBe(true);
    at(60 * MIN);
    // Expired at exactly 60 min after the only recording.
    expect(arrive('192.0.2.44').memory!.seenCrawlerPath()).toBe(false);
    // Asking after recording in the same request still answers for before it.
    at(61 * MIN);
    const third = arrive('192.0.2.44');
    third.memory!.crawlerPath();
    third.memory!.crawlerPath();
    expect(third.memory!.seenCrawlerPath()).toBe(false);
    expect(third.record.answers).toEqual({ crawler_path_seen: false, crawler_path_recorded: true });
    at(62 * MIN);
    expect(arrive('192.0.2.44').memory!.seenCrawlerPath()).toBe(true);
  });

  it('the new-session count keeps its old key: hash of the full address and User-Agent, 60 s', () => {
    const { platform, arrive, at } = setup();
    expect(arrive('2001:db8::1', 'UA-1').recentNewSessions()).toBe(1);
    expect(arrive('2001:db8::1', 'UA-1').recentNewSessions()).toBe(2);
    expect(arrive('2001:db8::2', 'UA-1').recentNewSessions()).toBe(1);
    expect(arrive('2001:db8::1', 'UA-2').recentNewSessions()).toBe(1);
    expect(platform.counter('scorer_new_sessions').total(shortHash('2001:db8::1\nUA-1'))).toBe(2);
    at(60_000);
    expect(arrive('2001:db8::1', 'UA-1').recentNewSessions()).toBe(1);
  });

  it('no client address: no memory and an unknown new-session count, without a host call', () => {
    const { platform, arrive } = setup();
    const client = arrive('');
    expect(client.memory).toBeUndefined();
    expect(client.recentNewSessions()).toBe(0);
    expect(platform.edgeCalls).toEqual([]);
    const invalid = arrive('not-an-address');
    expect(invalid.memory).toBeUndefined();
    expect(countingWarnings(invalid.record)).toEqual([
      'fastly-client-ip: not an IP address, no client memory',
    ]);
  });

  it('lagging counters (eventual consistency): a count never below this request, boxes visible late', () => {
    const { platform, arrive, at } = setup({ visibleAfterMs: 2_000 });
    expect(cookieless(arrive('192.0.2.9'))).toEqual({ seenBefore: false, recent: 1 });
    at(1_000);
    // Neither the box entry nor the increment at 0 ms is visible yet; this one is not either, and counts as 1.
    expect(cookieless(arrive('192.0.2.9'))).toEqual({ seenBefore: false, recent: 1 });
    at(2_500);
    // The arrival at 0 ms is visible now (box and counter); the one at 1 000 ms only at 3 000 ms.
    expect(cookieless(arrive('192.0.2.9'))).toEqual({ seenBefore: true, recent: 1 });
    at(4_600);
    // Visible: 0, 1 000 and 2 500 ms; not this one.
    expect(cookieless(arrive('192.0.2.9'))).toEqual({ seenBefore: true, recent: 3 });
  });

  it('under-counting counters (Fastly: up to 10 %) give a lower count, never below 1', () => {
    const { arrive } = setup({ underCount: 0.1 });
    const counts = Array.from({ length: 20 }, () => arrive('192.0.2.77').memory!.request());
    // floor(n × 0.9): 1 → 0 (shown as 1), 10 → 9, 20 → 18.
    expect([counts[0], counts[9], counts[19]]).toEqual([1, 9, 18]);
  });

  it(
    'a counter or box that throws answers unknown (the neutral value) and leaves a warning, ' +
      'never an exception',
    () => {
      const { arrive } = setup('unavailable');
      const client = arrive('192.0.2.1');
      expect(client.memory!.cookielessArrival()).toEqual({ seenBefore: false, recent: 1 });
      expect(client.memory!.request()).toBe(1);
      expect(client.memory!.seenCrawlerPath()).toBe(false);
      expect(() => client.memory!.crawlerPath()).not.toThrow();
      expect(client.recentNewSessions()).toBe(0);
      const failure = 'Edge Rate Limiting is not enabled for this service';
      expect(client.record.failures.map((f) => f.name)).toEqual([
        'scorer_cookieless_seen',
        'scorer_cookieless_seen',
        'scorer_cookieless',
        'scorer_client_requests',
        'scorer_crawler_path',
        'scorer_crawler_path',
        'scorer_new_sessions',
      ]);
      // One warning per distinct failure, naming every resource that failed with it.
      expect(countingWarnings(client.record)).toEqual([
        `scorer_cookieless_seen, scorer_cookieless, scorer_client_requests, scorer_crawler_path, ` +
          `scorer_new_sessions: ${failure}`,
      ]);
      expect(client.record.answers).toEqual({
        cookieless_seen_before: false,
        cookieless_recent: 1,
        requests_60s: 1,
        crawler_path_seen: false,
        crawler_path_recorded: false,
        new_sessions: 0,
      });
    },
  );

  it('a counter or box that cannot even be opened (the constructor throws) is unknown too', () => {
    const { platform, arrive } = setup();
    platform.rateCounter = () => {
      throw new Error('no such rate counter');
    };
    platform.penaltyBox = () => {
      throw new Error('no such penalty box');
    };
    const client = arrive('192.0.2.3');
    expect(client.memory!.seenCrawlerPath()).toBe(false);
    expect(() => client.memory!.crawlerPath()).not.toThrow();
    expect(client.memory!.cookielessArrival()).toEqual({ seenBefore: false, recent: 1 });
    expect(client.memory!.request()).toBe(1);
    expect(client.recentNewSessions()).toBe(0);
    expect(countingWarnings(client.record)).toEqual([
      'scorer_crawler_path, scorer_cookieless_seen: no such penalty box',
      'scorer_cookieless, scorer_client_requests, scorer_new_sessions: no such rate counter',
    ]);
  });

  it('the new-session count is asked once per request too', () => {
    const { platform, arrive } = setup();
    const client = arrive('192.0.2.4', 'UA');
    expect([client.recentNewSessions(), client.recentNewSessions()]).toEqual([1, 1]);
    expect(platform.counter('scorer_new_sessions').total(shortHash('192.0.2.4\nUA'))).toBe(1);
  });

  it('a failing penalty box does not lose the counter that works', () => {
    const { platform, arrive } = setup();
    platform.penaltyBox = () => ({
      add: () => {
        throw new Error('box add failed');
      },
      has: () => {
        throw new Error('box has failed');
      },
    });
    arrive('192.0.2.2').memory!.cookielessArrival();
    const client = arrive('192.0.2.2');
    expect(client.memory!.cookielessArrival()).toEqual({ seenBefore: false, recent: 2 });
    expect(countingWarnings(client.record)).toEqual([
      'scorer_cookieless_seen: box has failed',
      'scorer_cookieless_seen: box add failed',
    ]);
  });
});

describe('the fake edge rate limiter refuses what js-compute 3.46 refuses', () => {
  it(
    'penalty-box TTLs outside 1–60 minutes, count durations and rate windows js-compute does ' +
      'not accept, negative deltas',
    () => {
      const platform = fakePlatform();
      const box = platform.penaltyBox('scorer_crawler_path');
      const counter = platform.rateCounter('scorer_client_requests');
      for (const ttl of [0, 0.5, 61, Number.NaN])
        expect(() => box.add('k', ttl), String(ttl)).toThrow(TypeError);
      expect(() => counter.lookupCount('k', 15 as 10)).toThrow(TypeError);
      expect(() => counter.lookupRate('k', 30 as 10)).toThrow(TypeError);
      expect(() => counter.increment('k', -1)).toThrow(TypeError);
      expect(() => counter.increment('x'.repeat(257), 1)).toThrow(TypeError);
    },
  );

  it('TTLs are truncated to whole minutes; lookupRate is the windowed count per second', () => {
    const platform = fakePlatform({ nowMs: T0 });
    platform.penaltyBox('scorer_crawler_path').add('k', 1.9);
    platform.clock.nowMs = T0 + MIN - 1;
    expect(platform.penaltyBox('scorer_crawler_path').has('k')).toBe(true);
    platform.clock.nowMs = T0 + MIN;
    expect(platform.penaltyBox('scorer_crawler_path').has('k')).toBe(false);
    const counter = platform.rateCounter('scorer_client_requests');
    for (let i = 0; i < 30; i++) counter.increment('k', 1);
    expect(counter.lookupRate('k', 10)).toBe(3);
    expect(counter.lookupRate('k', 60)).toBe(0.5);
    expect(counter.lookupCount('k', 10)).toBe(30);
  });
});
