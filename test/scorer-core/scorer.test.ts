import { describe, expect, it } from 'vitest';
import {
  COOKIE_VALUE_LENGTH,
  createKeyRing,
  createScorer,
  DEFAULT_THRESHOLD,
  loadModel,
  SessionFlag,
  type Decision,
} from '../../scorer-core/src/index.js';
import { COOKIE_NONCE_PREFIX_CHARS } from '../../scorer-core/src/index.js';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import {
  HAND_MODEL_DOC,
  handModel,
  seededRandom,
  singleKeyRing,
  TEST_KEY_1,
} from '../helpers/fixtures.js';

const T = 1_795_000_000_000; // ms
const HAND_CLASSIFIER = {
  rules: [
    { class: 'static', suffix: '.css' },
    { class: 'home', exact: '/' },
    { class: 'item', prefix: '/item' },
  ],
  defaultClass: 'misc',
};

function makeScorer(settings: unknown = {}, model = handModel(), seed = 1) {
  return createScorer({
    keyRing: singleKeyRing(),
    realm: 'ss_session',
    model,
    settings,
    classifier: HAND_CLASSIFIER,
    random: seededRandom(seed),
  });
}

/** Drives one client through a list of (delay ms, path), carrying its cookie like a browser. */
function browse(
  scorer: ReturnType<typeof makeScorer>,
  steps: [number, string][],
  startMs = T,
): Decision[] {
  let now = startMs;
  let cookie: string | undefined;
  return steps.map(([delay, path]) => {
    now += delay;
    const decision = scorer.decide({ nowMs: now, method: 'GET', path, cookie });
    cookie = decision.setCookie.value;
    return decision;
  });
}

describe('createScorer().decide', () => {
  it('a new visitor gets a cookie, a new session and a score of 0', () => {
    const [first] = browse(makeScorer(), [[0, '/']]);
    expect(first).toMatchObject({
      score: 0,
      layer1: 0,
      layer2: 0,
      reasons: [],
      cookieStatus: 'missing',
      pageClass: 'home',
      pageView: true,
      keyId: 1,
      modelVersion: 'hand-3',
    });
    expect(first!.session).toMatchObject({ isNew: true, rotated: false });
    expect(first!.session.idHash).toMatch(/^[0-9a-f]{16}$/);
    expect(first!.setCookie.value).toHaveLength(COOKIE_VALUE_LENGTH);
    expect(COOKIE_VALUE_LENGTH).toBe(152);
    // Sliding expiry: idle timeout (6 h) is sooner than max age (7 days).
    expect(first!.setCookie.maxAgeS).toBe(6 * 3600);
    expect(first!.state).toMatchObject({
      requests: 1,
      pageViews: 1,
      transitions: 1,
      surprisalMilliBits: 1000,
      flags: SessionFlag.STARTED_WITHOUT_COOKIE,
      createdAtS: T / 1000,
    });
  });

  it('returning with the cookie advances the same session', () => {
    const [first, second, third] = browse(makeScorer(), [
      [0, '/'],
      [30_000, '/item/1'],
      [45_500, '/item/2'],
    ]);
    expect(second).toMatchObject({ cookieStatus: 'ok', score: 0 });
    expect(second!.session.isNew).toBe(false);
    expect(second!.session.idHash).toBe(first!.session.idHash);
    expect(third!.state).toMatchObject({
      requests: 3,
      pageViews: 3,
      dwellCs: [3000, 4550],
      transitions: 3,
      lastPageClass: 1,
    });
    // home→item→item: 1000 + 1000 (home→item) + 2000 (item→item: 0.25)
    expect(third!.state.surprisalMilliBits).toBe(4000);
    expect(third!.state.lastSeenMs).toBe(T + 75_500);
    expect(third!.setCookie.maxAgeS).toBe(6 * 3600);
  });

  it('a tampered cookie scores 100 and starts a new, flagged session', () => {
    const scorer = makeScorer();
    const [first] = browse(scorer, [[0, '/']]);
    const value = first!.setCookie.value;
    const tampered = value.slice(0, 50) + (value[50] === 'A' ? 'B' : 'A') + value.slice(51);
    const decision = scorer.decide({ nowMs: T + 1000, method: 'GET', path: '/', cookie: tampered });
    expect(decision).toMatchObject({
      score: 100,
      layer1: 100,
      reasons: ['cookie_tampered'],
      cookieStatus: 'tampered',
      cookieProblem: 'authentication',
    });
    expect(decision.session.isNew).toBe(true);
    expect(decision.state.flags).toBe(SessionFlag.STARTED_AFTER_TAMPERED);
  });

  it('a first-time human stays below the default threshold whatever the cookie status', () => {
    const scorer = makeScorer();
    for (const cookie of [undefined, '']) {
      const decision = scorer.decide({
        nowMs: T,
        method: 'GET',
        path: '/',
        cookie,
        recentNewSessions: 1,
      });
      expect(decision.score).toBeLessThan(DEFAULT_THRESHOLD);
    }
  });

  it('a client that keeps dropping its cookie rises to 100 past its allowance; a first visit does not', () => {
    const scorer = makeScorer();
    const scores = [1, 2, 3, 4, 5, 8].map(
      (count) =>
        scorer.decide({ nowMs: T + count, method: 'GET', path: '/', recentNewSessions: count })
          .score,
    );
    expect(scores).toEqual([0, 0, 0, 20, 40, 100]);
    expect(
      scorer.decide({ nowMs: T, method: 'GET', path: '/', recentNewSessions: 4 }).reasons,
    ).toEqual(['cookie_missing']);
  });

  it('a browsing script faster than the floor raises fast_browsing (and dwell_fast)', () => {
    const steps: [number, string][] = [
      [0, '/'],
      ...Array.from({ length: 7 }, (_, i): [number, string] => [150, `/item/${i}`]),
    ];
    const decisions = browse(makeScorer(), steps);
    const fastScores = decisions.map((d) => d.details.fastEvidence);
    // Each 150 ms gap leaks round(0.75) hundredths... see layer1 tests; evidence grows by ~1 per page view.
    expect(fastScores[3]).toBeGreaterThanOrEqual(2.9);
    const last = decisions.at(-1)!;
    expect(last.reasons).toContain('fast_browsing');
    expect(last.reasons).toContain('dwell_fast');
    expect(last.score).toBe(100);
    // The first three page views are not enough evidence.
    expect(decisions[2]!.reasons).not.toContain('fast_browsing');
  });

  it('robotic, regular dwell raises dwell_regular without the fast rules', () => {
    const steps: [number, string][] = [
      [0, '/'],
      ...Array.from({ length: 6 }, (_, i): [number, string] => [
        5000 + (i % 2) * 20,
        i % 2 ? '/' : `/item/${i}`,
      ]),
    ];
    const last = browse(makeScorer(), steps).at(-1)!;
    expect(last.details.dwell.samples).toBe(6);
    expect(last.reasons).toEqual(['dwell_regular']);
    expect(last.layer1).toBe(80);
  });

  it('human-paced browsing stays at 0', () => {
    const steps: [number, string][] = [
      [0, '/'],
      [12_000, '/item/1'],
      [47_000, '/'],
      [8_300, '/item/2'],
      [95_000, '/'],
      [21_000, '/item/3'],
      [3_100, '/item/4'],
    ];
    const decisions = browse(makeScorer(), steps);
    expect(decisions.map((d) => d.score)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  // With the shipped model and the settings before tuning (Layer 2 weighted 1) this checkout flow
  // scored 85–98: the model, trained on a blog, finds account pages surprising (docs/model.md).
  it('a single-page app through the default classifier: page views with bursts of API calls stay at 0', () => {
    const scorer = createScorer({
      keyRing: singleKeyRing(),
      realm: 'ss',
      model: loadModel(defaultModel),
      random: seededRandom(5),
    });
    const steps: [number, string][] = [];
    for (const [pause, page] of [
      [0, '/'],
      [14_000, '/products'],
      [9_500, '/products/blue-shoe'],
      [31_000, '/cart'],
      [6_200, '/checkout'],
    ] as const) {
      steps.push([pause, page]);
      for (let call = 0; call < 5; call++) steps.push([30, `/api/v2/items?page=${call}`]);
      steps.push([15, '/config.json']);
    }
    const decisions = browse(scorer as never, steps);
    expect(decisions.map((d) => d.score).filter((s) => s > 0)).toEqual([]);
    expect(decisions.filter((d) => d.pageView).map((d) => d.pageClass)).toEqual([
      'home',
      'section',
      'content',
      'account',
      'account',
    ]);
    expect(decisions.at(-1)!.state).toMatchObject({ pageViews: 5, requests: 35 });
  });

  it('a script through the default classifier, crawling pages every 100 ms, is flagged', () => {
    const scorer = createScorer({
      keyRing: singleKeyRing(),
      realm: 'ss',
      model: loadModel(defaultModel),
      random: seededRandom(6),
    });
    const steps: [number, string][] = Array.from({ length: 10 }, (_, i) => [
      100,
      `/2024/${i}/post-${i}`,
    ]);
    const last = browse(scorer as never, steps).at(-1)!;
    expect(last.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(last.reasons).toEqual(['fast_browsing', 'dwell_fast', 'dwell_regular']);
  });

  it('a client replaying one cookie value (ignoring Set-Cookie) is flagged by the per-value count', () => {
    const scorer = makeScorer();
    const first = scorer.decide({ nowMs: T, method: 'GET', path: '/' });
    const replays = [1, 2, 3, 4, 5, 6].map((count) =>
      scorer.decide({
        nowMs: T + count * 100,
        method: 'GET',
        path: '/item',
        cookie: first.setCookie.value,
        sameCookieRequests: count,
      }),
    );
    expect(replays.map((d) => d.score)).toEqual([0, 0, 0, 0, 100, 100]);
    expect(replays.at(-1)!.reasons).toEqual(['cookie_replayed']);
    // Without the count the frozen state alone shows nothing: the reason the input exists.
    expect(
      scorer.decide({ nowMs: T + 900, method: 'GET', path: '/item', cookie: first.setCookie.value })
        .score,
    ).toBe(0);
  });

  it('counts given as functions are called only when they matter', () => {
    const scorer = makeScorer();
    const calls: string[] = [];
    const newSessions = () => (calls.push('new'), 9);
    const sameCookie = () => (calls.push('same'), 1);
    const first = scorer.decide({
      nowMs: T,
      method: 'GET',
      path: '/',
      recentNewSessions: newSessions,
      sameCookieRequests: sameCookie,
    });
    expect(first.reasons).toEqual(['cookie_missing']);
    scorer.decide({
      nowMs: T + 5000,
      method: 'GET',
      path: '/',
      cookie: first.setCookie.value,
      recentNewSessions: newSessions,
      sameCookieRequests: sameCookie,
    });
    expect(calls).toEqual(['new', 'same']);
  });

  it('rotates the session id on its interval while the state carries over', () => {
    const scorer = makeScorer({ session: { sessionIdRotationS: 600 } });
    const [a, b, c] = browse(scorer, [
      [0, '/'],
      [599_000, '/item/1'],
      [2_000, '/item/2'],
    ]);
    expect(b!.session).toMatchObject({ rotated: false, idHash: a!.session.idHash });
    expect(c!.session.rotated).toBe(true);
    expect(c!.session.idHash).not.toBe(a!.session.idHash);
    expect(c!.state).toMatchObject({
      createdAtS: a!.state.createdAtS,
      requests: 3,
      sessionIdIssuedAtS: (T + 601_000) / 1000,
    });
  });

  it('a long pause starts a new visit: no dwell sample, the page scores as an entry', () => {
    const [, second] = browse(makeScorer(), [
      [0, '/'],
      [31 * 60_000, '/item/1'],
    ]);
    expect(second!.state.dwellCs).toEqual([]);
    // entry at home 1000 + entry at item (-log2 0.25) 2000
    expect(second!.state.surprisalMilliBits).toBe(3000);
  });

  it('expires an idle session, and a session past its maximum age even while it stays active', () => {
    const scorer = makeScorer({ session: { idleTimeoutS: 3600, maxAgeS: 7200 } });
    const idle = browse(scorer, [
      [0, '/'],
      [3600_000, '/item'],
    ]);
    expect(idle[1]).toMatchObject({ cookieStatus: 'expired', cookieProblem: 'session-expired' });
    const active = browse(scorer, [
      [0, '/'],
      [3000_000, '/'],
      [3000_000, '/'],
      [1200_000, '/'],
    ]);
    expect(active.map((d) => d.cookieStatus)).toEqual(['missing', 'ok', 'ok', 'expired']);
    // The second seal slides to now + 1 h; the third is capped at created + 2 h.
    expect(active[1]!.state.expiresAtS).toBe(T / 1000 + 3000 + 3600);
    expect(active[2]!.state.expiresAtS).toBe(T / 1000 + 7200);
    expect(active[2]!.setCookie.maxAgeS).toBe(7200 - 6000);
  });

  it('a static asset counts as a request, not a page view', () => {
    const [, css] = browse(makeScorer(), [
      [0, '/'],
      [100, '/site.css'],
    ]);
    expect(css).toMatchObject({ pageClass: 'static', pageView: false });
    expect(css!.state).toMatchObject({
      requests: 2,
      pageViews: 1,
      dwellCs: [],
      fastEvidenceCenti: 0,
      transitions: 1,
    });
  });

  it('clock skew between edge nodes (a negative gap) keeps the transition and skips the timing sample', () => {
    const scorer = makeScorer();
    const [first] = browse(scorer, [[0, '/']]);
    const skewed = scorer.decide({
      nowMs: T - 2000,
      method: 'GET',
      path: '/item',
      cookie: first!.setCookie.value,
    });
    expect(skewed.cookieStatus).toBe('ok');
    expect(skewed.state).toMatchObject({
      dwellCs: [],
      transitions: 2,
      lastSeenMs: T,
      lastPageViewMs: T,
    });
  });

  it(
    'Layer 2 is computed and reported under the defaults but weighted 0; weighted in, it ' +
      'scores and gives its reason',
    () => {
      // Eight human-paced page views the hand model does not expect: 'misc' maps to 'other', 2 bits
      // as an entry and 2 bits from 'other', so the mean is 2 bits against μ = 1.25, σ = 0.5.
      const steps: [number, string][] = [
        0, 30_000, 41_000, 27_000, 55_000, 33_000, 47_000, 22_000,
      ].map((gap, i) => [gap, `/misc/${i}`]);
      // Defaults: n = 8, n' = min(8, 8); z = 0.75 / (0.5 / √8) = 4.243; (z − 3) / (6 − 3) → 41.
      const byDefault = browse(makeScorer(), steps).at(-1)!;
      expect(byDefault).toMatchObject({ layer1: 0, layer2: 41, score: 0, reasons: [] });
      // The same session with Layer 2 weighted 1: the score is Layer 2's.
      const weighted = browse(makeScorer({ combine: { layer2Weight: 1 } }), steps).at(-1)!;
      expect(weighted).toMatchObject({
        layer1: 0,
        layer2: 41,
        score: 41,
        reasons: ['transition_surprisal'],
      });
    },
  );

  it('a retrained model restarts the Layer 2 accumulators of existing sessions', () => {
    const keyRing = createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: TEST_KEY_1 }] });
    const before = createScorer({
      keyRing,
      realm: 'r',
      model: handModel(),
      classifier: HAND_CLASSIFIER,
      random: seededRandom(3),
    });
    const after = createScorer({
      keyRing,
      realm: 'r',
      model: loadModel({ ...HAND_MODEL_DOC, version: 'hand-3b' }),
      classifier: HAND_CLASSIFIER,
      random: seededRandom(4),
    });
    const first = before.decide({ nowMs: T, method: 'GET', path: '/' });
    const next = after.decide({
      nowMs: T + 5000,
      method: 'GET',
      path: '/item',
      cookie: first.setCookie.value,
    });
    expect(next.state).toMatchObject({
      transitions: 0,
      surprisalMilliBits: 0,
      lastPageClass: 1,
      requests: 2,
    });
    expect(next.modelVersion).toBe('hand-3b');
  });

  it('is deterministic given the clock and the random source', () => {
    const steps: [number, string][] = [
      [0, '/'],
      [4000, '/item'],
      [100, '/x'],
    ];
    const a = browse(makeScorer({}, handModel(), 9), steps).map((d) => d.setCookie.value);
    const b = browse(makeScorer({}, handModel(), 9), steps).map((d) => d.setCookie.value);
    expect(a).toEqual(b);
  });

  it('rejects an invalid clock with a clear error (the app fails open on it)', () => {
    const scorer = makeScorer();
    expect(() => scorer.decide({ nowMs: Number.NaN, method: 'GET', path: '/' })).toThrow(
      '"nowMs" expected integer Unix milliseconds',
    );
    expect(() => scorer.decide({ nowMs: 1.5, method: 'GET', path: '/' })).toThrow('"nowMs"');
    expect(() =>
      scorer.decide({ nowMs: T, method: 'GET', path: '/', recentNewSessions: '10' as never }),
    ).toThrow('"recentNewSessions" expected an integer ≥ 0 or undefined, got "10"');
    const first = scorer.decide({ nowMs: T, method: 'GET', path: '/' });
    expect(() =>
      scorer.decide({
        nowMs: T,
        method: 'GET',
        path: '/',
        cookie: first.setCookie.value,
        sameCookieRequests: -1,
      }),
    ).toThrow('"sameCookieRequests"');
    expect(() => scorer.codec.open('x', Number.NaN)).toThrow('"nowMs" expected Unix milliseconds');
  });

  it('any cookie header junk gives a decision, never an exception', () => {
    const scorer = makeScorer();
    for (const cookie of [
      '',
      'x',
      '%%%',
      'A'.repeat(32 * 1024),
      '\u0000\uffff',
      'AQ' + 'A'.repeat(138),
    ]) {
      const decision = scorer.decide({ nowMs: T, method: 'GET', path: '/', cookie });
      expect(['missing', 'tampered', 'expired']).toContain(decision.cookieStatus);
    }
    expect(scorer.decide({ nowMs: T, method: 'BREW', path: 'é'.repeat(9000) }).pageClass).toBe(
      'misc',
    );
  });
});

describe('cookie facts the edge keys counters on', () => {
  it('the header and nonce (14 bytes) take the first 19 base64url characters of a value', () => {
    expect(COOKIE_NONCE_PREFIX_CHARS).toBe(19);
  });
});
