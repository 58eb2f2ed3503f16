import { describe, expect, it } from 'vitest';
import { combine, resolveSettings } from '../../scorer-core/src/index.js';

// Both layers at full weight, given explicitly: the hand-computed figures need it, whatever the defaults.
const equal = resolveSettings({ combine: { layer1Weight: 1, layer2Weight: 1 } }).combine;

describe('verdict: weighted noisy-OR of the layer scores', () => {
  it('combines by hand', () => {
    // Layer 1 = max(66, 0) = 66, Layer 2 = 67: 1 - (1 - 0.66)(1 - 0.67) = 0.8878 → 89.
    const verdict = combine(
      [
        { reason: 'fast_browsing', score: 66 },
        { reason: 'dwell_fast', score: 0 },
      ],
      [{ reason: 'transition_surprisal', score: 67 }],
      equal,
    );
    expect(verdict).toEqual({
      score: 89,
      layer1: 66,
      layer2: 67,
      learned: 0,
      headers: 0,
      reasons: ['transition_surprisal', 'fast_browsing'],
    });
  });

  it('any layer at 100 gives 100; nothing scored gives 0 and no reasons', () => {
    expect(
      combine(
        [{ reason: 'cookie_tampered', score: 100 }],
        [{ reason: 'transition_surprisal', score: 0 }],
        equal,
      ).score,
    ).toBe(100);
    expect(combine([{ reason: 'cookie_missing', score: 0 }], [], equal)).toEqual({
      score: 0,
      layer1: 0,
      layer2: 0,
      learned: 0,
      headers: 0,
      reasons: [],
    });
  });

  it('weights scale each layer; ties keep rule order', () => {
    const weights = resolveSettings({ combine: { layer1Weight: 0.5, layer2Weight: 0.5 } }).combine;
    // 1 - (1 - 0.5)(1 - 0.5) = 0.75 → 75.
    const verdict = combine(
      [
        { reason: 'dwell_fast', score: 100 },
        { reason: 'dwell_regular', score: 100 },
      ],
      [{ reason: 'transition_surprisal', score: 100 }],
      weights,
    );
    expect(verdict.score).toBe(75);
    expect(verdict.reasons).toEqual(['dwell_fast', 'dwell_regular', 'transition_surprisal']);
  });

  it('a layer weighted 0 is still reported but gives no reasons, since it did not move the score', () => {
    const layer2Off = resolveSettings({ combine: { layer1Weight: 1, layer2Weight: 0 } }).combine;
    const verdict = combine(
      [{ reason: 'fast_browsing', score: 50 }],
      [{ reason: 'transition_surprisal', score: 90 }],
      layer2Off,
    );
    expect(verdict).toEqual({
      score: 50,
      layer1: 50,
      layer2: 90,
      learned: 0,
      headers: 0,
      reasons: ['fast_browsing'],
    });
    const layer1Off = resolveSettings({ combine: { layer1Weight: 0, layer2Weight: 1 } }).combine;
    expect(
      combine(
        [{ reason: 'fast_browsing', score: 50 }],
        [{ reason: 'transition_surprisal', score: 90 }],
        layer1Off,
      ),
    ).toEqual({
      score: 90,
      layer1: 50,
      layer2: 90,
      learned: 0,
      headers: 0,
      reasons: ['transition_surprisal'],
    });
  });

  it('the learned score and the header rules join the noisy-OR; header contradictions combine among themselves', () => {
    const settings = resolveSettings({
      combine: { layer1Weight: 1, layer2Weight: 0, learnedWeight: 1, headersWeight: 1 },
    }).combine;
    // Headers: two contradictions at 70 → 1 - 0.3 · 0.3 = 0.91 → 91. With learned 50 and Layer 1 20:
    // 1 - 0.8 · 0.5 · 0.09 = 0.964 → 96.
    const verdict = combine([{ reason: 'fast_browsing', score: 20 }], [], settings, {
      learned: { score: 50, reasons: ['crawler_path', 'no_session'] },
      headers: [
        { reason: 'browser_headers_missing', score: 70 },
        { reason: 'browser_headers_missing', score: 70 },
      ],
    });
    expect(verdict).toEqual({
      score: 96,
      layer1: 20,
      layer2: 0,
      learned: 50,
      headers: 91,
      reasons: ['browser_headers_missing', 'crawler_path', 'no_session', 'fast_browsing'],
    });
    // Weighted 0, the learned part is reported but moves nothing and gives no reasons.
    const learnedOff = resolveSettings({ combine: { learnedWeight: 0 } }).combine;
    expect(
      combine([], [], learnedOff, { learned: { score: 90, reasons: ['crawler_path'] } }),
    ).toEqual({ score: 0, layer1: 0, layer2: 0, learned: 90, headers: 0, reasons: [] });
  });
});
