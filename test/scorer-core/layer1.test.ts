import { describe, expect, it } from 'vitest';
import {
  cookieComplianceScore,
  cookieReplayScore,
  dwellScores,
  dwellStats,
  fastBrowsingScore,
  recordPageGap,
  resolveSettings,
} from '../../scorer-core/src/index.js';

// The hand-computed figures below use these values, given explicitly so the maths stays checked
// whatever the tuned defaults are (docs/model.md). The rest are the defaults.
const l1 = resolveSettings({
  layer1: {
    newSessionAllowance: 3,
    newSessionRamp: 5,
    addressNewSessionAllowance: 10,
    addressNewSessionRamp: 20,
    replayAllowance: 4,
    fastFloorMs: 500,
    fastEvidenceMin: 3,
    fastEvidenceFull: 6,
    fastLeakPerS: 0.05,
    dwellFloorMs: 200,
    dwellMinSamples: 4,
    dwellMeanScore: 100,
    regularMinSamples: 6,
    regularMaxCv: 0.1,
    regularScore: 80,
  },
}).layer1;

describe('Layer 1: cookie compliance', () => {
  it('tampered scores 100 at once', () => {
    expect(cookieComplianceScore('tampered', 0, l1)).toEqual({
      reason: 'cookie_tampered',
      score: 100,
    });
  });
  it('missing and expired from a client within its allowance score like a first visit (0 by default)', () => {
    expect(l1.newSessionAllowance).toBe(3);
    for (const count of [0, 1, 3]) {
      expect(cookieComplianceScore('missing', count, l1)).toEqual({
        reason: 'cookie_missing',
        score: 0,
      });
      expect(cookieComplianceScore('expired', count, l1)).toEqual({
        reason: 'cookie_expired',
        score: 0,
      });
    }
  });
  it(
    'past its allowance the score rises over the ramp: 4th new session 20, 5th 40, … 8th 100 ' +
      '(five people behind one NAT stay at 40)',
    () => {
      expect(
        [4, 5, 6, 7, 8, 50].map((count) => cookieComplianceScore('missing', count, l1)!.score),
      ).toEqual([20, 40, 60, 80, 100, 100]);
      expect(cookieComplianceScore('expired', 50, l1)).toEqual({
        reason: 'cookie_expired',
        score: 100,
      });
    },
  );
  it(
    'per address, whatever the User-Agent: past 10 new sessions the score rises to 100 at 30 ' +
      '(a client rotating its User-Agent)',
    () => {
      // Each request a new User-Agent: the client count stays at 1, the address count grows.
      expect(
        [10, 11, 20, 26, 30].map(
          (address) => cookieComplianceScore('missing', 1, l1, address)!.score,
        ),
      ).toEqual([0, 5, 50, 80, 100]);
      // The larger of the two counts decides.
      expect(cookieComplianceScore('missing', 6, l1, 20)!.score).toBe(60);
    },
  );
  it('a valid cookie contributes nothing; the scores follow the settings', () => {
    expect(cookieComplianceScore('ok', 99, l1)).toBeNull();
    const custom = resolveSettings({
      layer1: { firstVisitScore: 15, missingScore: 90, newSessionAllowance: 0, newSessionRamp: 1 },
    }).layer1;
    expect(cookieComplianceScore('missing', 0, custom)).toEqual({
      reason: 'cookie_missing',
      score: 15,
    });
    expect(cookieComplianceScore('missing', 1, custom)).toEqual({
      reason: 'cookie_missing',
      score: 90,
    });
  });
});

describe('Layer 1: cookie replay', () => {
  it('a cookie value sent more often than the allowance is replayed: 100', () => {
    expect(l1.replayAllowance).toBe(4);
    expect(cookieReplayScore('ok', 1, l1)).toEqual({ reason: 'cookie_replayed', score: 0 });
    expect(cookieReplayScore('ok', 4, l1)).toEqual({ reason: 'cookie_replayed', score: 0 });
    expect(cookieReplayScore('ok', 5, l1)).toEqual({ reason: 'cookie_replayed', score: 100 });
  });
  it('only a cookie that opened can be replayed', () => {
    for (const status of ['missing', 'expired', 'tampered'] as const)
      expect(cookieReplayScore(status, 50, l1)).toBeNull();
  });
});

describe('Layer 1: impossibly fast browsing (leaky bucket)', () => {
  it('accumulates evidence across page views, by hand', () => {
    // floor 500 ms, leak 0.05/s = 5 hundredths per second, +100 per fast gap, rounded each step:
    // 200 ms: 0-1 → 0, +100 = 100; 300 ms: 100-1.5 = 98.5 → 99, +100 = 199;
    // 100 ms: 199-0.5 → 199 (round half up), +100 = 299; 400 ms: 299-2 = 297, +100 = 397.
    let evidence = { fastEvidenceCenti: 0, dwellCs: [] as number[] };
    const levels: number[] = [];
    for (const gap of [200, 300, 100, 400]) {
      evidence = recordPageGap(evidence, gap, l1);
      levels.push(evidence.fastEvidenceCenti);
    }
    expect(levels).toEqual([100, 199, 299, 397]);
    // 3.97 fast page views ≥ 3: score = round(100 · 3.97 / 6) = 66.
    expect(fastBrowsingScore(397, l1)).toEqual({ reason: 'fast_browsing', score: 66 });
    // A 60 s pause leaks 300 hundredths: 97 left, below the minimum.
    evidence = recordPageGap(evidence, 60_000, l1);
    expect(evidence.fastEvidenceCenti).toBe(97);
    expect(fastBrowsingScore(97, l1).score).toBe(0);
  });

  it('with the tuned minimum 4 and leak 0.1 (docs/scoring.md) the same four fast gaps stay at 0, by hand', () => {
    const tuned = resolveSettings({
      layer1: { fastFloorMs: 500, fastEvidenceMin: 4, fastEvidenceFull: 6, fastLeakPerS: 0.1 },
    }).layer1;
    // Leak 10 hundredths per second: 200 ms: 0 → 100; 300 ms: 100-3 = 97 → 197; 100 ms: 197-1 →
    // 296; 400 ms: 296-4 → 392.
    let evidence = { fastEvidenceCenti: 0, dwellCs: [] as number[] };
    const levels: number[] = [];
    for (const gap of [200, 300, 100, 400]) {
      evidence = recordPageGap(evidence, gap, tuned);
      levels.push(evidence.fastEvidenceCenti);
    }
    expect(levels).toEqual([100, 197, 296, 392]);
    expect(fastBrowsingScore(392, tuned).score).toBe(0); // 3.92 < 4
    expect(fastBrowsingScore(400, tuned).score).toBe(67); // round(100 · 4 / 6)
  });

  it('one fast page view is not enough; the score saturates at the full level', () => {
    expect(fastBrowsingScore(100, l1).score).toBe(0);
    expect(fastBrowsingScore(299, l1).score).toBe(0);
    expect(fastBrowsingScore(300, l1).score).toBe(50);
    expect(fastBrowsingScore(600, l1).score).toBe(100);
    expect(fastBrowsingScore(65535, l1).score).toBe(100);
  });

  it('a gap at the floor is not fast', () => {
    expect(recordPageGap({ fastEvidenceCenti: 0, dwellCs: [] }, 500, l1).fastEvidenceCenti).toBe(0);
    expect(recordPageGap({ fastEvidenceCenti: 0, dwellCs: [] }, 499, l1).fastEvidenceCenti).toBe(
      100,
    );
  });
});

describe('Layer 1: robotic dwell (sliding window)', () => {
  it('truncates samples to 10 ms, so a dwell just under the floor stays under it', () => {
    const evidence = recordPageGap({ fastEvidenceCenti: 0, dwellCs: [] }, 199, l1);
    expect(evidence.dwellCs).toEqual([19]);
    expect(dwellStats([19, 19, 19, 19], 8).meanMs).toBe(190);
    expect(dwellScores(dwellStats([19, 19, 19, 19], 8), l1)[0]!.score).toBe(100);
  });

  it('keeps the newest samples, in centiseconds, saturating at 655.35 s', () => {
    let evidence = { fastEvidenceCenti: 0, dwellCs: [] as number[] };
    for (const gap of [1004, 2009, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000_000])
      evidence = recordPageGap(evidence, gap, l1);
    expect(evidence.dwellCs).toEqual([300, 400, 500, 600, 700, 800, 900, 65535]);
    const short = resolveSettings({
      layer1: { dwellWindow: 3, dwellMinSamples: 3, regularMinSamples: 3 },
    }).layer1;
    expect(recordPageGap(evidence, 1000, short).dwellCs).toEqual([900, 65535, 100]);
  });

  it('flags a window mean under 0.20 s once there are enough samples, by hand', () => {
    // [10, 15, 20, 12] cs: mean 14.25 cs = 142.5 ms < 200 ms with 4 ≥ 4 samples.
    const stats = dwellStats([10, 15, 20, 12], 8);
    expect(stats.samples).toBe(4);
    expect(stats.meanMs).toBeCloseTo(142.5, 10);
    expect(stats.cv).toBeCloseTo(Math.sqrt(56.75 / 4) / 14.25, 12);
    expect(dwellScores(stats, l1)).toEqual([
      { reason: 'dwell_fast', score: 100 },
      { reason: 'dwell_regular', score: 0 },
    ]);
    expect(dwellScores(dwellStats([10, 15, 20], 8), l1)[0]!.score).toBe(0); // only 3 samples
    expect(dwellScores(dwellStats([20, 20, 20, 20], 8), l1)[0]!.score).toBe(0); // mean exactly 200 ms
  });

  it('flags dwell that is too regular over enough samples, by hand', () => {
    // [500, 502, 498, 501, 499, 500] cs: mean 500, population variance 10/6, cv ≈ 0.0026 < 0.1.
    const stats = dwellStats([500, 502, 498, 501, 499, 500], 8);
    expect(stats.cv).toBeCloseTo(Math.sqrt(10 / 6) / 500, 12);
    expect(dwellScores(stats, l1)).toEqual([
      { reason: 'dwell_fast', score: 0 },
      { reason: 'dwell_regular', score: 80 },
    ]);
    // Human-like spread: cv well above 0.1.
    expect(dwellScores(dwellStats([300, 1200, 450, 9000, 700, 2500], 8), l1)[1]!.score).toBe(0);
    // Five regular samples are not enough.
    expect(dwellScores(dwellStats([500, 500, 500, 500, 500], 8), l1)[1]!.score).toBe(0);
  });

  it('the window setting limits which samples count', () => {
    expect(dwellStats([5000, 5000, 5000, 5000, 10, 10, 10, 10], 4).meanMs).toBe(100);
    expect(dwellStats([], 8)).toEqual({ samples: 0, meanMs: 0, cv: null });
    expect(dwellStats([0, 0, 0, 0], 8).cv).toBeNull();
  });
});
