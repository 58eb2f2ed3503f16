/**
 * Attacker scenarios against scorer-core's decision on a virtual clock (issue 13): each failed on
 * the main of 2026-12-01 and passes since the fix named in its title. The edge paths (counters,
 * VCL) have their own suites.
 */
import { describe, expect, it } from 'vitest';
import {
  createScorer,
  DEFAULT_CLASSIFIER,
  createClassifier,
  type Scorer,
} from '../../scorer-core/src/index.js';
import { handModel, seededRandom, singleKeyRing } from '../helpers/fixtures.js';

const START = 1_800_000_000_000;
const newScorer = (): Scorer =>
  createScorer({
    keyRing: singleKeyRing(),
    realm: 'adv',
    model: handModel(),
    random: seededRandom(11),
  });

/** Browses `paths` with the given gaps, keeping the cookie like a browser; returns each request's score. */
function browse(
  scorer: Scorer,
  paths: (i: number) => string,
  gapsMs: (i: number) => number,
  count: number,
): number[] {
  let cookie: string | undefined;
  let now = START;
  const scores: number[] = [];
  for (let i = 0; i < count; i++) {
    const d = scorer.decide({ nowMs: now, method: 'GET', path: paths(i), cookie });
    cookie = d.setCookie.value;
    scores.push(d.score);
    now += gapsMs(i);
  }
  return scores;
}

/** Deterministic uniform numbers in [0, 1). */
function uniform(seed: number): () => number {
  const bytes = seededRandom(seed);
  return () => new DataView(bytes(4).buffer).getUint32(0) / 2 ** 32;
}

describe('evasions of the scoring (scorer-core, virtual clock)', () => {
  it(
    'item 2, volume: a client that keeps its cookie and randomises its gaps between 0.5 and ' +
      '1.5 s is flagged (the session volume rule)',
    () => {
      const next = uniform(5);
      const scores = browse(
        newScorer(),
        (i) => `/product/${i}`,
        () => 500 + Math.floor(next() * 1000),
        500,
      );
      const first = scores.findIndex((s) => s >= 80);
      // 60 requests at ~1 per second: flagged at the 60th request (index 59), and from then on.
      expect(first).toBe(59);
      expect(scores.slice(first).every((s) => s >= 80)).toBe(true);
    },
  );

  it('item 2, the human side: 120 page views 20–60 s apart are never flagged by volume', () => {
    const next = uniform(9);
    const scores = browse(
      newScorer(),
      (i) => `/article/${i}`,
      () => 20_000 + Math.floor(next() * 40_000),
      120,
    );
    expect(Math.max(...scores)).toBe(0);
  });

  it('item 3, sub-resources: 200 requests 50 ms apart to page URLs padded as data files are flagged', () => {
    const scores = browse(
      newScorer(),
      (i) => `/product/${i};x.json`,
      () => 50,
      200,
    );
    expect(Math.max(...scores)).toBe(100);
    // A path parameter no longer turns a page into a sub-resource…
    const classifier = createClassifier(DEFAULT_CLASSIFIER);
    expect(classifier.classify('GET', '/product/1;x.json')).toBe('content');
    expect(classifier.isPageView(classifier.classify('GET', '/product/1;jsessionid=abc'))).toBe(
      true,
    );
    // …and real sub-resources count toward volume all the same (`/api/` is one), at the higher
    // allowance for requests of any kind (120 at 2 per second)…
    const api = browse(
      newScorer(),
      (i) => `/api/items/${i}`,
      () => 50,
      200,
    );
    expect(api.findIndex((s) => s >= 80)).toBe(119);
    // …which a single-page app polling its API once a second never reaches.
    const polling = browse(
      newScorer(),
      () => '/api/notifications',
      () => 1000,
      600,
    );
    expect(Math.max(...polling)).toBe(0);
  });
});

describe('evasions of the cookie-dropping signal (item 1), per-client memory simulated exactly', () => {
  /**
   * Cookie-less arrivals per address and per address + User-Agent over a sliding 60 s: what the
   * edge counters count.
   */
  function counters() {
    const byAddress: number[] = [];
    const byClient = new Map<string, number[]>();
    const recent = (times: number[], now: number) => {
      times.push(now);
      while (times[0]! <= now - 60_000) times.shift();
      return times.length;
    };
    return {
      decide(scorer: Scorer, now: number, userAgent: string) {
        return scorer.decide({
          nowMs: now,
          method: 'GET',
          path: '/',
          recentNewSessions: () =>
            recent(
              byClient.get(userAgent) ?? (byClient.set(userAgent, []), byClient.get(userAgent)!),
              now,
            ),
          client: {
            cookielessArrival: () => ({
              seenBefore: byAddress.length > 0,
              recent: recent(byAddress, now),
            }),
            request: () => 1,
            crawlerPath: () => {},
            seenCrawlerPath: () => false,
          },
        }).score;
      },
    };
  }

  it(
    '30 cookie-less requests in 30 s from one address with a new User-Agent each are flagged ' +
      '(0 of 30 scored above 0 before)',
    () => {
      const scorer = newScorer();
      const edge = counters();
      const scores = Array.from({ length: 30 }, (_, i) =>
        edge.decide(scorer, START + i * 1000, `Mozilla/5.0 rotating/${i}`),
      );
      expect(scores.filter((s) => s > 0).length).toBe(20);
      expect(scores.findIndex((s) => s >= 80)).toBe(25); // the 26th: 10 + 0.8 × 20
    },
  );

  it(
    'five first-time people behind one NAT with the same User-Agent stay below the threshold ' +
      '(0,0,0,100,100 before)',
    () => {
      const scorer = newScorer();
      const edge = counters();
      const scores = Array.from({ length: 5 }, (_, i) =>
        edge.decide(scorer, START + i * 5000, 'Mozilla/5.0 same-browser'),
      );
      expect(scores).toEqual([0, 0, 0, 20, 40]);
    },
  );
});

describe('cookie binding (item 10): a cookie lifted from a browser and replayed by a script', () => {
  const CHROME =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
  const headers = (userAgent: string) => ({
    userAgent,
    accept: null,
    acceptLanguage: 'en',
    acceptEncoding: null,
    secFetchMode: null,
    secFetchSite: null,
    secFetchDest: null,
    secFetchUser: null,
    secChUa: null,
    ja4: null,
  });
  const visit = (scorer: Scorer, nowMs: number, userAgent: string, cookie?: string) =>
    scorer.decide({
      nowMs,
      method: 'GET',
      path: '/account',
      ...(cookie ? { cookie } : {}),
      request: { referer: 'https://shop.example/', headers: headers(userAgent) },
    });

  it(
    'a cookie issued to Chrome and sent by curl scores cookie_moved at 90 (it opened at 0 ' +
      'before); Chrome itself, on any network, is not affected',
    () => {
      const scorer = newScorer();
      const issued = visit(scorer, START, CHROME);
      expect(issued.state.clientFamilyTag).toBeGreaterThan(0);
      const lifted = visit(scorer, START + 60_000, 'curl/8.5.0', issued.setCookie.value);
      expect(lifted.cookieStatus).toBe('ok');
      expect(lifted.reasons).toContain('cookie_moved');
      expect(lifted.layer1).toBe(90);
      // The tag stays the issuing client's: the lifted cookie keeps being flagged on every request.
      const again = visit(scorer, START + 120_000, 'curl/8.5.0', lifted.setCookie.value);
      expect(again.reasons).toContain('cookie_moved');
      // The browser (whose address is not part of the tag) goes on unflagged, even with a new version.
      const browser = visit(
        scorer,
        START + 180_000,
        CHROME.replace('131.0', '132.0'),
        issued.setCookie.value,
      );
      expect(browser.reasons).not.toContain('cookie_moved');
    },
  );

  it(
    'a cookie issued before the tag existed (or without a User-Agent) is not judged, and ' +
      'learns its tag on the next request',
    () => {
      const scorer = newScorer();
      const untagged = scorer.decide({ nowMs: START, method: 'GET', path: '/' });
      expect(untagged.state.clientFamilyTag).toBeUndefined();
      const first = visit(scorer, START + 1000, 'curl/8.5.0', untagged.setCookie.value);
      expect(first.reasons).not.toContain('cookie_moved');
      expect(visit(scorer, START + 2000, CHROME, first.setCookie.value).reasons).toContain(
        'cookie_moved',
      );
    },
  );
});

describe('a solved challenge is no licence (review finding)', () => {
  it('a scraper that passed one challenge and then fetches 10 pages a second is still flagged at 100', () => {
    const scorer = newScorer();
    const start = scorer.decide({ nowMs: START, method: 'GET', path: '/' });
    let cookie = scorer.codec.seal({
      ...start.state,
      challengePassedAtS: Math.floor(START / 1000),
      challengeTag: 1,
    });
    const scores: number[] = [];
    for (let i = 1; i <= 80; i++) {
      const d = scorer.decide({
        nowMs: START + i * 100,
        method: 'GET',
        path: `/item/${i}`,
        cookie,
      });
      cookie = d.setCookie.value;
      scores.push(d.score);
    }
    // Fast browsing and volume score what the session does: a pass discounts neither (before: at most 50).
    expect(Math.max(...scores)).toBe(100);
  });
});
