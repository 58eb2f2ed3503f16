import { describe, expect, it } from 'vitest';
import { logLoss, type Dataset } from '../../scripts/training/learn/dataset.js';
import { fitCombiner, type SessionInfo } from '../../scripts/training/learn/fit-combiner.js';
import {
  fitLogistic,
  logisticMargin,
  solveCholesky,
} from '../../scripts/training/learn/logistic.js';
import { calibrateScoreMap } from '../../scripts/training/learn/score-map.js';
import { FEATURE_NAMES, loadCombiner, type ScoreMapDocument } from '../../scorer-core/src/index.js';
import { ensembleMargin, fitTrees, quantileCuts } from '../../scripts/training/learn/trees.js';
import { rocAuc } from '../../scripts/training/metrics.js';
import { seededRandom } from '@session-scorer/core';
import type { FeatureRow } from '../../scripts/training/replay.js';

/** Uniform numbers in [0, 1) from the replay's seeded generator (deterministic synthetic data). */
function uniforms(seed: number): () => number {
  const bytes = seededRandom(seed);
  return () => {
    const b = bytes(4);
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
  };
}
const sigma = (z: number) => 1 / (1 + Math.exp(-z));

/** y ~ Bernoulli(σ(2·a − b/100 + 0·c)), with b on a scale 100 times a's and an offset. */
function linearData(n: number, seed = 7): Dataset {
  const u = uniforms(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = u() * 4 - 2;
    const b = 500 + (u() * 4 - 2) * 100;
    const c = u() * 4 - 2;
    rows.push([a, b, c]);
    labels.push(u() < sigma(2 * a - (b - 500) / 100) ? 1 : 0);
  }
  return { rows, labels };
}

function xorData(): Dataset {
  const rows: number[][] = [];
  const labels: number[] = [];
  // Cells of unequal size: on a perfectly balanced XOR no single split has any gain, and a greedy
  // tree (any depth-limited one) would not start.
  for (const [a, b, count] of [
    [0, 0, 60],
    [0, 1, 40],
    [1, 0, 45],
    [1, 1, 50],
  ] as const) {
    for (let k = 0; k < count; k++) {
      rows.push([a, b]);
      labels.push(a ^ b);
    }
  }
  return { rows, labels };
}

describe('logistic regression', () => {
  it('recovers the signs and order of known weights, on raw (unstandardised) features', () => {
    const data = linearData(6000);
    const model = fitLogistic(data, { l2: 1e-4 });
    const [a, b, c] = model.weights as [number, number, number];
    expect(a).toBeGreaterThan(1.7);
    expect(a).toBeLessThan(2.3);
    expect(b).toBeLessThan(-0.007); // true −0.01 per unit of b
    expect(b).toBeGreaterThan(-0.013);
    expect(Math.abs(c)).toBeLessThan(0.15);
    expect(model.bias).toBeGreaterThan(3.5); // true +5 (= 500/100)
    expect(model.bias).toBeLessThan(6.5);
  });

  it('gives the same margins whatever the features\u2019 scale and offset (standardisation folded back)', () => {
    const data = linearData(800, 11);
    const shifted: Dataset = {
      rows: data.rows.map(([a, b, c]) => [a! * 10 - 3, b! / 1000, c! + 7]),
      labels: data.labels,
    };
    const m1 = fitLogistic(data);
    const m2 = fitLogistic(shifted);
    for (let i = 0; i < 50; i++)
      expect(logisticMargin(m2, shifted.rows[i]!)).toBeCloseTo(
        logisticMargin(m1, data.rows[i]!),
        6,
      );
  });

  it('gives a constant feature weight 0 and the log-odds of the labels as bias', () => {
    const model = fitLogistic({ rows: [[1], [1], [1], [1]], labels: [1, 0, 0, 0] });
    expect(model.weights).toEqual([0]);
    expect(model.bias).toBeCloseTo(Math.log(1 / 3), 8);
  });

  it('cannot learn XOR', () => {
    const data = xorData();
    const model = fitLogistic(data);
    const margins = data.rows.map((r) => logisticMargin(model, r));
    expect(rocAuc(margins.map((score, i) => ({ score, bot: data.labels[i] === 1 })))!).toBeLessThan(
      0.6,
    );
    expect(logLoss(margins, data.labels)).toBeGreaterThan(0.68);
  });

  it('refuses a bad dataset with a message naming the row', () => {
    expect(() => fitLogistic({ rows: [[1], [Number.NaN]], labels: [0, 1] })).toThrow(
      'row 1 feature 0 is NaN',
    );
    expect(() => fitLogistic({ rows: [[1], [2]], labels: [0, 2] })).toThrow('label 1 is 2');
  });

  it('solves a hand-computed 2×2 system', () => {
    // [[4, 2], [2, 3]]·x = [2, 1] → x = [0.5, 0]
    const x = solveCholesky(
      [
        [4, 2],
        [2, 3],
      ],
      [2, 1],
    );
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });
});

describe('gradient-boosted trees', () => {
  it('cuts at midpoints between distinct values, by weighted quantile when there are more values than bins', () => {
    expect(quantileCuts([3, 1, 2, 4, 2], [1, 1, 1, 1, 1], 32)).toEqual([1.5, 2.5, 3.5]);
    expect(quantileCuts([1, 2, 3, 4], [1, 1, 1, 1], 2)).toEqual([2.5]);
    expect(quantileCuts([5, 5, 5], [1, 1, 1], 32)).toEqual([]);
  });

  it('grows the hand-computed stump (Newton leaves −G/(H+λ))', () => {
    // base = log-odds(0.5) = 0; g = p − y = ±0.5, h = 0.25; each side G = ±1, H = 0.5 → ∓2.
    const model = fitTrees(
      { rows: [[0], [0], [1], [1]], labels: [0, 0, 1, 1] },
      { trees: 1, maxDepth: 1, shrinkage: 1, lambda: 0 },
    );
    expect(model.base).toBe(0);
    expect(model.trees).toEqual([
      {
        feature: [0, -1, -1],
        threshold: [0.5, 0, 0],
        left: [1, -1, -1],
        right: [2, -1, -1],
        value: [0, -2, 2],
      },
    ]);
  });

  it('learns XOR, which logistic regression cannot', () => {
    const data = xorData();
    const model = fitTrees(data, { trees: 30, maxDepth: 2 });
    const margins = data.rows.map((r) => ensembleMargin(model, r));
    expect(rocAuc(margins.map((score, i) => ({ score, bot: data.labels[i] === 1 })))).toBe(1);
    expect(logLoss(margins, data.labels)).toBeLessThan(0.05);
  });

  it('keeps to the depth and tree count it is given', () => {
    const model = fitTrees(linearData(500), { trees: 7, maxDepth: 3 });
    expect(model.trees).toHaveLength(7);
    for (const tree of model.trees) expect(tree.feature.length).toBeLessThanOrEqual(15);
  });

  it('is deterministic byte for byte (both learners)', () => {
    const data = linearData(1500, 3);
    expect(JSON.stringify(fitTrees(data))).toBe(JSON.stringify(fitTrees(data)));
    expect(JSON.stringify(fitLogistic(data))).toBe(JSON.stringify(fitLogistic(data)));
  });
});

/** The scorer's own application of a score map (a one-feature logistic combiner with weight 1). */
function scoreFromMargin(map: ScoreMapDocument, margin: number): number {
  const combiner = loadCombiner({
    kind: 'logistic',
    features: [FEATURE_NAMES[0]],
    bias: 0,
    weights: [1],
    scoreMap: map,
  });
  const vector = new Float64Array(FEATURE_NAMES.length);
  vector[0] = margin;
  return combiner.evaluate(vector).score;
}

describe('score map calibration', () => {
  it('puts 80, 50, 20 and 0 between human session quantiles (hand-computed on 1…100), as the scorer applies it', () => {
    const humans = Array.from({ length: 100 }, (_, i) => i + 1);
    const map = calibrateScoreMap(humans);
    // Points halfway past the 50th, 80th, 95th, 99th values; each s preceded by s − 1 a hair (1e-6)
    // earlier; 100 at 99.5 + max(1, 99.5 − 95.5).
    expect(map.scores).toEqual([0, 19, 20, 49, 50, 79, 80, 100]);
    const expected = [50.5, 80.5 - 1e-6, 80.5, 95.5 - 1e-6, 95.5, 99.5 - 1e-6, 99.5, 103.5];
    map.margins.forEach((m, k) => expect(m).toBeCloseTo(expected[k]!, 9));
    const flagged = (t: number) => humans.filter((m) => scoreFromMargin(map, m) >= t).length;
    expect([flagged(80), flagged(50), flagged(20)]).toEqual([1, 5, 20]);
    // 99: 50 + 29·(3.5/(4 − 1e-6)) ≈ 75.4 → 75; 100: 80 + 20·0.5/4 = 82.5 → 83 (the scorer rounds).
    expect(scoreFromMargin(map, 99)).toBe(75);
    expect(scoreFromMargin(map, 100)).toBe(83);
    expect(humans.filter((m) => m <= 50).every((m) => scoreFromMargin(map, m) === 0)).toBe(true);
    expect(scoreFromMargin(map, -1e9)).toBe(0);
    expect(scoreFromMargin(map, 1e9)).toBe(100);
  });

  it('keeps margins strictly increasing when most humans share one margin, and loads in the scorer', () => {
    const humans = [...new Array<number>(97).fill(-2), 1, 2, 3];
    const map = calibrateScoreMap(humans);
    for (let k = 1; k < map.margins.length; k++)
      expect(map.margins[k]!).toBeGreaterThan(map.margins[k - 1]!);
    expect(humans.filter((m) => scoreFromMargin(map, m) >= 80).length).toBeLessThanOrEqual(1);
    expect(humans.filter((m) => scoreFromMargin(map, m) >= 20).length).toBeLessThanOrEqual(20);
    expect(scoreFromMargin(map, -2)).toBe(0);
  });
});

describe('fitting the combiner (choice on the time-ordered validation slice)', () => {
  /** One row per session; features a, b at FEATURE_NAMES[0], [1]; the rest 0. Sessions 1 minute apart. */
  function rowsOf(cells: [a: number, b: number, bot: boolean, count: number][]) {
    const rows: FeatureRow[] = [];
    const sessions: SessionInfo[] = [];
    let s = 0;
    for (let rep = 0; rep < 10; rep++)
      for (const [a, b, bot, count] of cells)
        for (let k = 0; k < count; k++) {
          const features = new Float64Array(FEATURE_NAMES.length);
          features[0] = a;
          features[1] = b;
          rows.push({ features, bot, session: s, timeMs: s * 60_000 });
          sessions.push({ bot, input: 0, startMs: s * 60_000 });
          s++;
        }
    return { rows, sessions };
  }
  const two = [FEATURE_NAMES[0], FEATURE_NAMES[1]];

  it('chooses trees when they catch more bots at 1 % FPR (XOR), logistic on a tie, and refits on everything', () => {
    const xor = rowsOf([
      [0, 0, false, 6],
      [0, 1, true, 4],
      [1, 0, true, 5],
      [1, 1, false, 5],
    ]);
    const fitted = fitCombiner(xor.rows, xor.sessions, { kind: 'auto', features: two });
    expect(fitted.validation.trees!.tpr_at_fpr_1pct).toBe(1);
    expect(fitted.validation.logistic!.tpr_at_fpr_1pct!).toBeLessThan(1);
    expect(fitted.validation.chosen).toBe('trees');
    expect(fitted.combiner.kind).toBe('trees');
    // The validation slice is the last 20 % of the window: 200 sessions starting at minutes 0…199,
    // so those at or after minute 0.8 · 199 = 159.2: 160…199.
    expect(fitted.validation.sessions).toBe(40);

    const separable = rowsOf([
      [0, 0, false, 5],
      [1, 0, true, 5],
    ]);
    const tie = fitCombiner(separable.rows, separable.sessions, { kind: 'auto', features: two });
    expect(tie.validation.logistic).toEqual({ roc_auc: 1, tpr_at_fpr_1pct: 1 });
    expect(tie.validation.trees).toEqual({ roc_auc: 1, tpr_at_fpr_1pct: 1 });
    expect(tie.combiner.kind).toBe('logistic');
    expect(tie.combiner.features).toEqual(two);
  });

  it('gives a document scorer-core loads, whose scores rank the training sessions as the margins do', () => {
    const xor = rowsOf([
      [0, 0, false, 6],
      [0, 1, true, 4],
      [1, 0, true, 5],
      [1, 1, false, 5],
    ]);
    const { combiner } = fitCombiner(xor.rows, xor.sessions, { kind: 'trees', features: two });
    const loaded = loadCombiner(combiner);
    const score = (a: number, b: number) => {
      const v = new Float64Array(FEATURE_NAMES.length);
      v[0] = a;
      v[1] = b;
      return loaded.evaluate(v).score;
    };
    expect(Math.min(score(0, 1), score(1, 0))).toBeGreaterThan(Math.max(score(0, 0), score(1, 1)));
    // Humans: the lower of the two human cells is at or below the median (0); the other holds 45 %
    // of the humans, so it stays below 20 (at most 20 % of humans may reach 20).
    expect(Math.min(score(0, 0), score(1, 1))).toBe(0);
    expect(Math.max(score(0, 0), score(1, 1))).toBeLessThan(20);
  });
});
