import { describe, expect, it } from 'vitest';
import {
  binnedMetrics,
  bootstrap,
  percentile,
  seededIntegers,
} from '../../scripts/training/bootstrap.js';
import {
  curve,
  prAuc,
  requestShares,
  rocAuc,
  thresholdAtFpr,
  tprAtFpr,
  type Scored,
} from '../../scripts/training/metrics.js';

const labelled = (bots: number[], humans: number[]): Scored[] => [
  ...bots.map((score) => ({ score, bot: true })),
  ...humans.map((score) => ({ score, bot: false })),
];

describe('metrics, by hand', () => {
  it('ROC-AUC, PR-AUC and TPR at a false-positive rate', () => {
    // Bots 90, 80, 40; humans 70, 30, 10: pairs bot>human = 3+3+2 = 8 of 9 → 0.8889.
    const items = labelled([90, 80, 40], [70, 30, 10]);
    expect(rocAuc(items)).toBeCloseTo(8 / 9, 12);
    // Ties count half: one bot and one human at 50 → 0.5.
    expect(rocAuc(labelled([50], [50]))).toBe(0.5);
    // Thresholds 90, 80, 70, 40, 30, 10: precision at recall steps 1/3 (1), 2/3 (1), 1 (3/4) → AP =
    // 1/3 + 1/3 + 1/3 · 3/4.
    expect(prAuc(items)).toBeCloseTo(1 / 3 + 1 / 3 + 0.25, 12);
    expect(tprAtFpr(items, 0)).toBeCloseTo(2 / 3, 12);
    expect(tprAtFpr(items, 0.34)).toBe(1);
    expect(curve(items, [80])).toEqual([
      {
        threshold: 80,
        tpr: 2 / 3,
        fpr: 0,
        precision: 1,
        recall: 2 / 3,
        flagged: 2,
        flaggedBots: 2,
        flaggedHumans: 0,
      },
    ]);
    expect(rocAuc(labelled([1], []))).toBeNull();
  });

  it('ROC-AUC with ties across both classes', () => {
    // Bots 80, 50, 50, 0; humans 50, 20, 0. Per bot, humans beaten (ties half): 80 → 3; 50 → 0.5 +
    // 2 = 2.5, twice; 0 → 0.5. (3 + 2.5 + 2.5 + 0.5) / (4 · 3) = 8.5 / 12.
    expect(rocAuc(labelled([80, 50, 50, 0], [50, 20, 0]))).toBeCloseTo(8.5 / 12, 12);
    // Everything tied: 0.5 whatever the counts.
    expect(rocAuc(labelled([0, 0, 0], [0]))).toBe(0.5);
  });

  it('TPR at 1 % FPR and its threshold: the lowest threshold flagging at most 1 % of humans', () => {
    // 100 humans: one at 90, one at 60, 98 at 0. 10 bots: three at 95, two at 90, five at 10.
    // Threshold 95: FPR 0, TPR 0.3; 90: FPR 1/100 = 0.01 (within the budget), TPR 0.5; 60: FPR 0.02 (over it);
    // 10: still FPR 0.02 (the other humans are at 0), TPR 1; 0: FPR 1.
    const items = labelled(
      [95, 95, 95, 90, 90, 10, 10, 10, 10, 10],
      [90, 60, ...Array<number>(98).fill(0)],
    );
    expect(tprAtFpr(items, 0.01)).toBe(0.5);
    expect(thresholdAtFpr(items, 0.01)).toBe(90);
    expect(thresholdAtFpr(items, 0)).toBe(95);
    expect(thresholdAtFpr(items, 0.02)).toBe(10);
    expect(tprAtFpr(items, 0.02)).toBe(1);
    // No threshold keeps within the budget when every human scores as high as any bot.
    expect(thresholdAtFpr(labelled([5], [5, 5]), 0.01)).toBeNull();
    expect(thresholdAtFpr(labelled([5], []), 0.01)).toBeNull();
  });

  it('request-level shares at the operating threshold, page views only', () => {
    // Session scores (the max): bot A 95, bot B 90, human C 90, human D 10.
    const sessions = [
      // A: the 40 is an API call, not a page view
      { bot: true, requestScores: [0, 40, 95], pageViews: [true, false, true] },
      { bot: true, requestScores: [90, 90] }, // B: no flags = every scored request is a page view
      { bot: false, requestScores: [0, 90], pageViews: [true, true] }, // C
      { bot: false, requestScores: [10, 0, 10], pageViews: [true, true, true] }, // D
    ];
    const items = sessions.map((s) => ({ bot: s.bot, score: Math.max(...s.requestScores) }));
    // With two humans each one is 50 %: a 1 % budget allows no human session, so the threshold is 95.
    const threshold = thresholdAtFpr(items, 0.01);
    expect(threshold).toBe(95);
    // Bot page requests: A's 0 and 95, B's 90 and 90 → 4, of which one (A's 95) reaches 95. Human
    // page requests: 2 + 3 = 5, none.
    expect(requestShares(sessions, threshold)).toEqual({
      threshold: 95,
      bot_page_requests: 4,
      human_page_requests: 5,
      bot_page_requests_flagged: 0.25,
      human_page_requests_flagged: 0,
    });
    // A 50 % budget allows C: threshold 90 flags A's 95 and B's two 90s (3 of 4) and C's 90 (1 of 5).
    expect(thresholdAtFpr(items, 0.5)).toBe(90);
    expect(requestShares(sessions, 90)).toMatchObject({
      bot_page_requests_flagged: 0.75,
      human_page_requests_flagged: 0.2,
    });
    // No threshold: nothing flagged.
    expect(requestShares(sessions, null)).toMatchObject({
      bot_page_requests_flagged: 0,
      human_page_requests_flagged: 0,
    });
    expect(requestShares([], 50)).toMatchObject({
      bot_page_requests_flagged: null,
      human_page_requests_flagged: null,
    });
  });
});

describe('bootstrap', () => {
  const items = labelled(
    [95, 95, 95, 90, 90, 10, 10, 10, 10, 10, 70, 40],
    [90, 60, 30, 30, 20, ...Array<number>(45).fill(0)],
  );

  it('binned metrics agree with the direct ones', () => {
    const values = [...new Set(items.map((i) => i.score))].sort((a, b) => a - b);
    const bots = values.map((v) => items.filter((i) => i.bot && i.score === v).length);
    const humans = values.map((v) => items.filter((i) => !i.bot && i.score === v).length);
    const m = binnedMetrics(bots, humans, 0.01)!;
    expect(m.rocAuc).toBeCloseTo(rocAuc(items)!, 12);
    expect(m.tprAtFpr).toBe(tprAtFpr(items, 0.01));
    expect(binnedMetrics([1, 2], [0, 0], 0.01)).toBeNull();
  });

  it('percentiles interpolate between ranks; the seeded generator is uniform enough and repeatable', () => {
    // Position 0.025 · 4 = 0.1 → 1 + 0.1 · (2 − 1).
    expect(percentile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
    expect(percentile([1, 2, 3, 4, 5], 0.975)).toBeCloseTo(4.9, 12);
    const a = seededIntegers(7);
    const b = seededIntegers(7);
    const draws = Array.from({ length: 10_000 }, () => a(10));
    expect(Array.from({ length: 10_000 }, () => b(10))).toEqual(draws);
    for (let k = 0; k < 10; k++) expect(draws.filter((d) => d === k).length).toBeGreaterThan(850); // ~1,000 each
    expect(Math.min(...draws)).toBe(0);
    expect(Math.max(...draws)).toBe(9);
  });

  it('is deterministic for a seed, changes with it, and its interval contains the point estimate', () => {
    const first = bootstrap(items, { resamples: 1000, seed: 42 });
    expect(bootstrap(items, { resamples: 1000, seed: 42 })).toEqual(first);
    expect(bootstrap(items, { resamples: 1000, seed: 43 }).roc_auc).not.toEqual(first.roc_auc);
    expect(first.resamples).toBe(1000);
    const auc = rocAuc(items)!;
    expect(first.roc_auc!.low).toBeLessThan(auc);
    expect(first.roc_auc!.high).toBeGreaterThan(auc);
    const tpr = tprAtFpr(items, 0.01)!;
    expect(first.tpr_at_fpr!.low).toBeLessThanOrEqual(tpr);
    expect(first.tpr_at_fpr!.high).toBeGreaterThanOrEqual(tpr);
    // 12 bots in 62 sessions: a resample without a bot is rare but counted, never averaged in.
    expect(first.degenerate).toBeGreaterThanOrEqual(0);
    expect(bootstrap(items, { resamples: 0 })).toMatchObject({ roc_auc: null, tpr_at_fpr: null });
    expect(bootstrap(labelled([1, 2], []), { resamples: 10 })).toMatchObject({
      degenerate: 10,
      roc_auc: null,
    });
  });
});
