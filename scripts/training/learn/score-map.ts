/**
 * The margin → score map of a learned combiner, calibrated on human sessions of the training part
 * so that the score thresholds mean the same thing whatever the learner or the site:
 *
 * | score ≥ | human sessions of the training part reaching it |
 * |---|---|
 * | 80 | at most 1 % (those above the 99th percentile of human session margins) |
 * | 50 | at most 5 % (above the 95th) |
 * | 20 | at most 20 % (above the 80th) |
 * | 1  | at most half (the median human session and below score 0) |
 *
 * and 100 at the highest session margin of the training part (bots included), or at least one
 * margin unit (a factor e in the odds) or the 95th–99th spread past the 80-point: scores above 80
 * keep the ranking of the sessions there instead of saturating at 100 just past the humans' 99th
 * percentile (saturation ties everything above it and leaves no threshold at 1 % FPR). A session's
 * margin is the highest of its requests' margins (the session score is the maximum of its requests'
 * scores and the map is non-decreasing).
 *
 * Each point sits halfway between the quantile's margin and the next larger human margin, so the
 * humans tied at the quantile (trees give many equal margins) stay below it. The scorer
 * interpolates linearly and rounds (scorer-core combine/learned.ts); so that rounding cannot lift
 * a margin just below a point to the point's score, each point s is preceded by a point s − 1 a
 * hair earlier. When quantiles coincide, points are a tiny step apart (margins must increase
 * strictly), and fewer humans than the share reach the higher score.
 */
import type { ScoreMapDocument } from '@session-scorer/core';

/** The calibration points: human-session quantile → score. */
export const CALIBRATION = [
  { quantile: 0.5, score: 0 },
  { quantile: 0.8, score: 20 },
  { quantile: 0.95, score: 50 },
  { quantile: 0.99, score: 80 },
] as const;

/** The hair between a point s − 1 and its point s, and the least step between coinciding points. */
const HAIR = 1e-6;

export function calibrateScoreMap(
  humanSessionMargins: readonly number[],
  allSessionMargins: readonly number[] = humanSessionMargins,
): ScoreMapDocument {
  if (humanSessionMargins.length === 0)
    throw new Error('score map: no human session to calibrate on');
  const sorted = Float64Array.from(humanSessionMargins).sort();
  const points: number[] = [];
  for (const { quantile } of CALIBRATION) {
    const v = quantileOf(sorted, quantile);
    const above = sorted.find((x) => x > v);
    let m = above === undefined ? v + 4 * HAIR : v + (above - v) / 2;
    if (points.length > 0) m = Math.max(m, points[points.length - 1]! + 4 * HAIR);
    points.push(m);
  }
  const margins: number[] = [];
  const scores: number[] = [];
  CALIBRATION.forEach(({ score }, k) => {
    const m = points[k]!;
    if (k > 0) {
      // The s − 1 point: between the previous point and this one, a hair before this one.
      margins.push(Math.max(m - HAIR, (points[k - 1]! + m) / 2));
      scores.push(score - 1);
    }
    margins.push(m);
    scores.push(score);
  });
  const q95 = points[2]!;
  const q99 = points[3]!;
  let highest = -Infinity;
  for (const m of allSessionMargins) if (m > highest) highest = m;
  margins.push(Math.max(q99 + Math.max(1, q99 - q95), highest));
  scores.push(100);
  return { margins, scores };
}

/**
 * The sorted sample's value v at quantile q: the smallest with #{x > v} ≤ (1 − q)·n, so "margin
 * above v" flags at most the intended share.
 */
export function quantileOf(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const index = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[index]!;
}
