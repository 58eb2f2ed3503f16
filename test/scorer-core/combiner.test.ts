import { describe, expect, it } from 'vitest';
import {
  createScorer,
  FEATURE_COUNT,
  FEATURE_NAMES,
  loadCombiner,
  loadModel,
  type CombinerDocument,
} from '../../scorer-core/src/index.js';
import { HAND_MODEL_DOC, seededRandom, singleKeyRing } from '../helpers/fixtures.js';

const vector = (values: Partial<Record<(typeof FEATURE_NAMES)[number], number>>) => {
  const out = new Float64Array(FEATURE_COUNT);
  for (const [name, value] of Object.entries(values))
    out[FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number])] = value;
  return out;
};

// margin -2 → 0, 0 → 50, 2 → 100, linear between.
const scoreMap = { margins: [-2, 0, 2], scores: [0, 50, 100] };

const logistic: CombinerDocument = {
  kind: 'logistic',
  features: ['req_crawler_path', 'sess_new', 'client_log_requests_60s'],
  bias: -2,
  weights: [2, 0.5, -1],
  scoreMap,
};

// One stump on sess_new (root value 0.1, left 0, right 0.4) and one depth-2 tree on
// req_crawler_path then client_cookieless_before.
const trees: CombinerDocument = {
  kind: 'trees',
  features: ['sess_new', 'req_crawler_path', 'client_cookieless_before'],
  base: -1,
  trees: [
    {
      feature: [0, -1, -1],
      threshold: [0.5, 0, 0],
      left: [1, 0, 0],
      right: [2, 0, 0],
      value: [0.1, 0, 0.4],
    },
    {
      feature: [1, -1, 2, -1, -1],
      threshold: [0.5, 0, 0.5, 0, 0],
      left: [1, 0, 3, 0, 0],
      right: [2, 0, 4, 0, 0],
      value: [0.2, -0.5, 1, 0.8, 2],
    },
  ],
  scoreMap,
};

describe('learned combiner', () => {
  it('logistic: margin, score map and reasons by hand', () => {
    const c = loadCombiner(logistic);
    // -2 + 2·1 + 0.5·1 - 1·1 = -0.5 → 50 · (1.5 / 2) = 37.5 → 38; contributions 2 (crawler_path), 0.5 (no_session), -1.
    expect(
      c.evaluate(vector({ req_crawler_path: 1, sess_new: 1, client_log_requests_60s: 1 })),
    ).toEqual({ margin: -0.5, score: 38, reasons: ['crawler_path', 'no_session'] });
    // Below the first point: clamped to 0, and no reasons for a 0 score.
    expect(c.evaluate(vector({ client_log_requests_60s: 3 }))).toEqual({
      margin: -5,
      score: 0,
      reasons: [],
    });
    // Above the last: clamped to 100.
    expect(c.evaluate(vector({ req_crawler_path: 3, sess_new: 1 })).score).toBe(100);
  });

  it('trees: walks each tree, sums leaves, attributes each split to its feature', () => {
    const c = loadCombiner(trees);
    // Tree 1: sess_new 1 > 0.5 → right leaf 0.4 (contribution +0.3 to sess_new).
    // Tree 2: crawler 1 → node 2 (+0.8 crawler), cookieless 1 → node 4 (+1 cookieless). Margin -1 +
    // 0.4 + 2 = 1.4 → 50 + 50·0.7 = 85.
    const all = c.evaluate(
      vector({ sess_new: 1, req_crawler_path: 1, client_cookieless_before: 1 }),
    );
    expect(all.margin).toBeCloseTo(1.4, 12);
    expect(all.score).toBe(85);
    expect(all.reasons).toEqual(['client_drops_cookies', 'crawler_path', 'no_session']);
    // Nothing set: -1 + 0 - 0.5 = -1.5 → 50 · 0.5/2 = 12.5 → 13 (Math.round); contributions all negative: no reasons.
    expect(c.evaluate(vector({}))).toEqual({ margin: -1.5, score: 13, reasons: [] });
  });

  it('refuses a malformed document with a message naming the field', () => {
    const bad = (patch: object) => () =>
      loadCombiner({ ...logistic, ...patch } as CombinerDocument);
    expect(bad({ kind: 'forest' })).toThrow(/combiner.kind is "forest"/);
    expect(bad({ features: ['user_agent'] })).toThrow(
      /combiner.features\[0\] "user_agent" is not a feature/,
    );
    expect(bad({ weights: [1, 2] })).toThrow(
      /combiner.weights expected an array of 3 numbers, got length=2/,
    );
    expect(bad({ bias: Number.NaN })).toThrow(/combiner.bias/);
    expect(bad({ scoreMap: { margins: [0, 0], scores: [0, 1] } })).toThrow(
      /scoreMap.margins must increase strictly/,
    );
    expect(bad({ scoreMap: { margins: [0, 1], scores: [60, 50] } })).toThrow(
      /scoreMap.scores must not decrease/,
    );
    expect(bad({ scoreMap: { margins: [0, 1], scores: [0, 101] } })).toThrow(
      /scoreMap.scores\[1\] is 101/,
    );
    const cyclic = structuredClone(trees) as Extract<CombinerDocument, { kind: 'trees' }>;
    cyclic.trees[0]!.left[0] = 0;
    expect(() => loadCombiner(cyclic)).toThrow(/combiner.trees\[0\].left\[0\] is 0/);
  });

  it('a model with a combiner scores a first request; without one, the hand-set rules decide alone', () => {
    const withCombiner = loadModel({ ...HAND_MODEL_DOC, combiner: logistic });
    const scorer = createScorer({
      keyRing: singleKeyRing(),
      realm: 't',
      model: withCombiner,
      random: seededRandom(3),
    });
    const d = scorer.decide({
      nowMs: 1_800_000_000_000,
      method: 'GET',
      path: '/robots.txt',
      client: {
        cookielessArrival: () => ({ seenBefore: false, recent: 1 }),
        request: () => 1,
        crawlerPath: () => {},
        seenCrawlerPath: () => false,
      },
    });
    // crawler 1, sess_new 1, log2(1 + 1) = 1: as the first case above → 38.
    expect(d.learned).toBe(38);
    expect(d.score).toBe(38);
    expect(d.reasons).toEqual(['crawler_path', 'no_session']);
    expect(() => loadModel({ ...HAND_MODEL_DOC, combiner: { ...logistic, weights: 'x' } })).toThrow(
      /invalid model: combiner.weights/,
    );
    const plain = createScorer({
      keyRing: singleKeyRing(),
      realm: 't',
      model: loadModel(HAND_MODEL_DOC),
      random: seededRandom(3),
    });
    expect(
      plain.decide({ nowMs: 1_800_000_000_000, method: 'GET', path: '/robots.txt' }).learned,
    ).toBe(0);
  });
});
