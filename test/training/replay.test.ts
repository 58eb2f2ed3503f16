import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, loadModel, type FeatureName } from '../../scorer-core/src/index.js';
import { ClientMemorySimulator, clientAddressKey } from '../../scripts/training/client-memory.js';
import {
  createReplayScorer,
  exclusionRegex,
  replayPart,
  type ReplayItem,
} from '../../scripts/training/replay.js';
import type { LogSession, SessionRequest } from '../../scripts/training/sessionize.js';

const MODEL = loadModel(
  JSON.parse(readFileSync(new URL('../fixtures/uniform-model.json', import.meta.url), 'utf8')),
);
const at = (name: FeatureName) => FEATURE_NAMES.indexOf(name);
const MIN = 60_000;

function session(
  ip: string,
  userAgent: string,
  requests: [minutes: number, path: string, extra?: Partial<SessionRequest>][],
): LogSession {
  return {
    key: `ip:${ip.length}:${ip}\n${userAgent}`,
    ip,
    userAgent,
    dropped: 0,
    requests: requests.map(([m, path, extra]) => ({
      timeMs: Date.UTC(2026, 0, 1) + m * MIN,
      method: 'GET',
      path,
      protocol: 'HTTP/1.1',
      referer: 'https://example.com/',
      ...extra,
    })),
  };
}

describe('client address keys', () => {
  it('keeps IPv4 whole and keys IPv6 by its /64', () => {
    expect(clientAddressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientAddressKey('2001:DB8:a:b:c:d:e:f')).toBe('2001:db8:a:b::/64');
    expect(clientAddressKey('2001:db8:a:b::1')).toBe('2001:db8:a:b::/64');
    expect(clientAddressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddressKey('2001:0db8:000a:b::')).toBe('2001:db8:a:b::/64');
    expect(clientAddressKey('not-an-address')).toBeNull();
    expect(clientAddressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });
});

describe('simulated client memory (the edge windows: penalty box 60 min, counters 60 s)', () => {
  it('remembers cookie-less arrivals for 60 minutes and counts them over a sliding 60 s, per /64', () => {
    const memory = new ClientMemorySimulator();
    const t0 = 1_000_000_000;
    expect(memory.forRequest('2001:db8:1:2::a', t0).cookielessArrival()).toEqual({
      seenBefore: false,
      recent: 1,
    });
    // Another address of the same /64, 30 s later: the same client.
    expect(memory.forRequest('2001:db8:1:2::b', t0 + 30_000).cookielessArrival()).toEqual({
      seenBefore: true,
      recent: 2,
    });
    // 60 s after the first: it has left the 60 s window (window (now − 60 s, now]).
    expect(memory.forRequest('2001:db8:1:2::a', t0 + 60_000).cookielessArrival()).toEqual({
      seenBefore: true,
      recent: 2,
    });
    // 59 min after the last arrival: still in the box; 60 min after: out.
    expect(
      memory.forRequest('2001:db8:1:2::a', t0 + 60_000 + 59 * MIN).cookielessArrival(),
    ).toEqual({ seenBefore: true, recent: 1 });
    expect(
      memory.forRequest('2001:db8:1:2::a', t0 + 60_000 + 119 * MIN).cookielessArrival(),
    ).toEqual({ seenBefore: false, recent: 1 });
    expect(memory.forRequest('2001:db8:1:3::a', t0).cookielessArrival()).toEqual({
      seenBefore: false,
      recent: 1,
    });
  });

  it(
    'counts requests over 60 s and remembers crawler paths for 60 min, never counting the ' +
      'request itself as before',
    () => {
      const memory = new ClientMemorySimulator();
      const t0 = 1_000_000_000;
      const first = memory.forRequest('192.0.2.1', t0);
      expect(first.seenCrawlerPath()).toBe(false);
      first.crawlerPath();
      expect(first.request()).toBe(1);
      expect(memory.forRequest('192.0.2.1', t0 + 10_000).request()).toBe(2);
      expect(memory.forRequest('192.0.2.1', t0 + 65_000).request()).toBe(2); // t0 left the window
      expect(memory.forRequest('192.0.2.1', t0 + 59 * MIN).seenCrawlerPath()).toBe(true);
      expect(memory.forRequest('192.0.2.1', t0 + 60 * MIN).seenCrawlerPath()).toBe(false);
      expect(memory.forRequest('192.0.2.2', t0 + MIN).seenCrawlerPath()).toBe(false);
    },
  );
});

describe('time-ordered replay of a part', () => {
  const exclude = exclusionRegex();

  it(
    'carries client memory across sessions in global time order (a crawler\u2019s next session ' +
      'meets its last one\u2019s traces)',
    () => {
      const items: ReplayItem[] = [
        // Listed later but earlier in time: the replay must order by time, not by list.
        { session: session('198.51.100.9', 'BotB', [[10, '/page-b']]), bot: true },
        {
          session: session('198.51.100.9', 'BotA', [
            [0, '/robots.txt'],
            [1, '/page-a'],
          ]),
          bot: true,
        },
      ];
      const { results, rows } = replayPart(createReplayScorer(MODEL), items, {
        mode: 'bots-drop',
        exclude,
        collectFeatures: true,
      });
      expect(results.map((r) => r.scoredRequests)).toEqual([1, 2]);
      // Rows come in replay (time) order: robots.txt, /page-a, then BotB's /page-b.
      expect(rows.map((r) => r.session)).toEqual([1, 1, 0]);
      const [robots, pageA, pageB] = rows.map((r) => r.features);
      expect(robots![at('req_crawler_path')]).toBe(1);
      expect(robots![at('client_cookieless_before')]).toBe(0);
      expect(robots![at('client_crawler_path_before')]).toBe(0);
      expect(pageA![at('client_cookieless_before')]).toBe(1);
      expect(pageA![at('client_crawler_path_before')]).toBe(1);
      expect(pageA![at('sess_new')]).toBe(1); // bots drop their cookie
      // BotB, another User-Agent at the same address 9 minutes later: the address's penalty box still holds it.
      expect(pageB![at('client_cookieless_before')]).toBe(1);
      expect(pageB![at('client_crawler_path_before')]).toBe(1);
      // 60 s request window: robots.txt (0) and /page-a (1 min) are 60 s apart, so /page-a counts
      // only itself: log2(1 + 1).
      expect(pageA![at('client_log_requests_60s')]).toBe(1);
    },
  );

  it('returns cookies per session in "returned" mode and passes protocol and Referer from the log', () => {
    const human = session('203.0.113.5', 'Mozilla', [
      [0, '/', { referer: null }],
      [1, '/about', { protocol: 'HTTP/1.0' }],
    ]);
    for (const mode of ['returned', 'bots-drop'] as const) {
      const { rows } = replayPart(createReplayScorer(MODEL), [{ session: human, bot: false }], {
        mode,
        exclude,
        collectFeatures: true,
      });
      expect(rows.map((r) => r.features[at('sess_new')])).toEqual([1, 0]); // a human keeps its cookie in both modes
      expect(rows.map((r) => r.features[at('req_no_referer')])).toEqual([1, 0]);
      expect(rows.map((r) => r.features[at('req_http10')])).toEqual([0, 1]);
    }
    const { rows } = replayPart(createReplayScorer(MODEL), [{ session: human, bot: true }], {
      mode: 'bots-drop',
      exclude,
      collectFeatures: true,
    });
    expect(rows.map((r) => r.features[at('sess_new')])).toEqual([1, 1]);
  });

  it('skips what the VCL exclusion regex skips, keeps the input index and page-view flags', () => {
    const s = session('203.0.113.6', 'Mozilla', [
      [0, '/'],
      [0, '/style.css'],
      [1, '/blog/post'],
    ]);
    const { results } = replayPart(
      createReplayScorer(MODEL),
      [{ session: s, bot: false, input: 3 }],
      { mode: 'returned', exclude },
    );
    expect(results[0]).toMatchObject({
      requests: 3,
      scoredRequests: 2,
      input: 3,
      pageViews: [true, true],
      startMs: Date.UTC(2026, 0, 1),
    });
  });
});
