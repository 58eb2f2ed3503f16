import { describe, expect, it } from 'vitest';
import {
  loadModel,
  PAGE_CLASS_NONE,
  PAGE_CLASS_UNKNOWN,
  recordPageView,
  resolveSettings,
  transitionScore,
  transitionStats,
} from '../../scorer-core/src/index.js';
import { HAND_MODEL_DOC, handModel } from '../helpers/fixtures.js';

const model = handModel();
// The hand-computed figures below use this mapping, given explicitly so the maths stays checked
// whatever the tuned defaults are (docs/model.md).
const l2 = resolveSettings({
  layer2: { minTransitions: 4, maxEffectiveTransitions: 32, zStart: 1, zFull: 4 },
}).layer2;
const start = () => ({
  lastPageClass: PAGE_CLASS_NONE,
  modelTag: model.tag,
  transitions: 0,
  surprisalMilliBits: 0,
});

function walk(classes: string[]) {
  let evidence = start();
  classes.forEach((pageClass) => (evidence = recordPageView(evidence, model, pageClass, false)));
  return evidence;
}

describe('Layer 2: transition surprisal', () => {
  it('precomputes surprisal in millibits', () => {
    expect(model.surprisalMilliBits(null, 0)).toBe(1000); // entry at home: -log2 0.5
    expect(model.surprisalMilliBits(null, 2)).toBe(2000); // entry at other: -log2 0.25
    expect(model.surprisalMilliBits(0, 1)).toBe(1000); // home → item: -log2 0.5
    expect(model.surprisalMilliBits(2, 2)).toBe(2000); // other → other
  });

  it('a human-like walk scores 0, by hand', () => {
    // home(entry, 1 bit) → item (1) → home (1) → item (1) → home (1): n = 5, mean 1.0 bit.
    const evidence = walk(['home', 'item', 'home', 'item', 'home']);
    expect(evidence).toMatchObject({ transitions: 5, surprisalMilliBits: 5000, lastPageClass: 0 });
    const stats = transitionStats(evidence, model, l2);
    // z = (1.0 - 1.25) / (0.5 / √5) ≈ -1.118
    expect(stats.z).toBeCloseTo(-0.25 / (0.5 / Math.sqrt(5)), 12);
    expect(transitionScore(stats, l2)).toEqual({ reason: 'transition_surprisal', score: 0 });
  });

  it('an unusual walk scores by its z, by hand; unknown classes are the model\'s "other"', () => {
    // entry other (2 bits), other → other ×3 (2 bits each): n = 4, mean 2.0;
    // z = 0.75 / (0.5 / 2) = 3.0; score = round(100 · (3 - 1) / (4 - 1)) = 67.
    const evidence = walk(['other', 'misc', 'not-in-model', 'other']);
    expect(evidence).toMatchObject({ transitions: 4, surprisalMilliBits: 8000, lastPageClass: 2 });
    const stats = transitionStats(evidence, model, l2);
    expect(stats.meanBits).toBe(2);
    expect(stats.z).toBeCloseTo(3, 12);
    expect(transitionScore(stats, l2).score).toBe(67);
  });

  it('scores nothing below the minimum number of transitions', () => {
    const stats = transitionStats(walk(['other', 'other', 'other']), model, l2);
    expect(stats.transitions).toBe(3);
    expect(transitionScore(stats, l2).score).toBe(0);
    expect(transitionScore(transitionStats(start(), model, l2), l2).score).toBe(0);
  });

  it('a new visit scores its first page as an entry, not as a transition from the last page', () => {
    let evidence = walk(['home']);
    evidence = recordPageView(evidence, model, 'other', true);
    expect(evidence.surprisalMilliBits).toBe(1000 + 2000); // entry at other, not home → other (also 2000)
    evidence = recordPageView(walk(['item']), model, 'home', true);
    expect(evidence.surprisalMilliBits).toBe(2000 + 1000); // entry at home (1 bit), not item → home
  });

  it('restarts the accumulation when the model changes, and does not score the first page after', () => {
    const evidence = walk(['other', 'other', 'other', 'other', 'other']);
    const next = loadModel({ ...HAND_MODEL_DOC, version: 'hand-3-retrained' });
    expect(next.tag).not.toBe(model.tag);
    const after = recordPageView(evidence, next, 'home', false);
    expect(after).toEqual({
      lastPageClass: 0,
      modelTag: next.tag,
      transitions: 0,
      surprisalMilliBits: 0,
    });
    expect(transitionStats(evidence, next, l2)).toEqual({
      transitions: 0,
      meanBits: null,
      z: null,
    });
    // A state whose class index is unknown keeps not scoring until a page is seen.
    expect(
      recordPageView({ ...start(), lastPageClass: PAGE_CLASS_UNKNOWN }, model, 'item', false)
        .transitions,
    ).toBe(0);
  });

  it('the count and the sum stop together instead of overflowing', () => {
    const countFull = {
      lastPageClass: 2,
      modelTag: model.tag,
      transitions: 0xffff,
      surprisalMilliBits: 5000,
    };
    expect(recordPageView(countFull, model, 'other', false)).toMatchObject({
      transitions: 0xffff,
      surprisalMilliBits: 5000,
      lastPageClass: 2,
    });
    const sumFull = {
      lastPageClass: 2,
      modelTag: model.tag,
      transitions: 7,
      surprisalMilliBits: 0xffffffff - 10,
    };
    expect(recordPageView(sumFull, model, 'other', false)).toMatchObject({
      transitions: 7,
      surprisalMilliBits: 0xffffffff - 10,
    });
  });

  it('caps the transitions the z statistic uses, so a long session near the human mean does not drift to 100', () => {
    // mean 1.35 bits = μ + 0.2σ. With n = 400: uncapped z = 0.2 · √400 = 4 → 100; capped at 32: z =
    // 0.2 · √32 ≈ 1.13 → 4.
    const evidence = {
      lastPageClass: 0,
      modelTag: model.tag,
      transitions: 400,
      surprisalMilliBits: 540_000,
    };
    const stats = transitionStats(evidence, model, l2);
    expect(l2.maxEffectiveTransitions).toBe(32);
    expect(stats.z).toBeCloseTo(0.2 * Math.sqrt(32), 10);
    expect(transitionScore(stats, l2).score).toBe(
      Math.round((100 * (0.2 * Math.sqrt(32) - 1)) / 3),
    );
    const uncapped = transitionStats(evidence, model, { ...l2, maxEffectiveTransitions: 65535 });
    expect(transitionScore(uncapped, l2).score).toBe(100);
  });
});
