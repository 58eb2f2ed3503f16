import { describe, expect, it } from 'vitest';
import { combine, resolveSettings } from '../../scorer-core/src/index.js';

// Both layers at full weight, given explicitly: the hand-computed figures need it, whatever the defaults.
const equal = resolveSettings({ combine: { layer1Weight: 1, layer2Weight: 1 } }).combine;

describe('verdict: weighted noisy-OR of the layer scores', () => {
  it('combines by hand', () => {
    // Layer 1 = max(66, 0) = 66, Layer 2 = 67: 1 - (1 - 0.66)(1 - 0.67) = 0.8878 → 89.
    const verdict = combine(
      [{ reason: 'fast_browsing', score: 66 }, { reason: 'dwell_fast', score: 0 }],
      [{ reason: 'transition_surprisal', score: 67 }],
      equal,
    );
    expect(verdict).toEqual({ score: 89, layer1: 66, layer2: 67, reasons: ['transition_surprisal', 'fast_browsing'] });
  });

  it('any layer at 100 gives 100; nothing scored gives 0 and no reasons', () => {
    expect(combine([{ reason: 'cookie_tampered', score: 100 }], [{ reason: 'transition_surprisal', score: 0 }], equal).score).toBe(100);
    expect(combine([{ reason: 'cookie_missing', score: 0 }], [], equal)).toEqual({ score: 0, layer1: 0, layer2: 0, reasons: [] });
  });

  it('weights scale each layer; ties keep rule order', () => {
    const weights = resolveSettings({ combine: { layer1Weight: 0.5, layer2Weight: 0.5 } }).combine;
    // 1 - (1 - 0.5)(1 - 0.5) = 0.75 → 75.
    const verdict = combine([{ reason: 'dwell_fast', score: 100 }, { reason: 'dwell_regular', score: 100 }], [{ reason: 'transition_surprisal', score: 100 }], weights);
    expect(verdict.score).toBe(75);
    expect(verdict.reasons).toEqual(['dwell_fast', 'dwell_regular', 'transition_surprisal']);
  });

  it('a layer weighted 0 is still reported but gives no reasons, since it did not move the score', () => {
    const layer2Off = resolveSettings({ combine: { layer1Weight: 1, layer2Weight: 0 } }).combine;
    const verdict = combine([{ reason: 'fast_browsing', score: 50 }], [{ reason: 'transition_surprisal', score: 90 }], layer2Off);
    expect(verdict).toEqual({ score: 50, layer1: 50, layer2: 90, reasons: ['fast_browsing'] });
    const layer1Off = resolveSettings({ combine: { layer1Weight: 0, layer2Weight: 1 } }).combine;
    expect(combine([{ reason: 'fast_browsing', score: 50 }], [{ reason: 'transition_surprisal', score: 90 }], layer1Off)).toEqual({ score: 90, layer1: 50, layer2: 90, reasons: ['transition_surprisal'] });
  });
});
