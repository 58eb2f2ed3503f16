/**
 * The margin → score map of a learned combiner, calibrated on human sessions of the training part
 * so that the score thresholds mean the same thing whatever the learner or the site:
 *
 * | score ≥ | human sessions flagged (on the training part) |
 * |---|---|
 * | 80 | at most 1 % (sessions above the 99th percentile of human session margins) |
 * | 50 | at most 5 % (above the 95th) |
 * | 20 | at most 20 % (above the 80th) |
 * | 0  | the median human session and below |
 *
 * and 100 one margin unit (a factor e in the odds) past the 99th percentile, or further when the
 * 95th–99th spread is wider. A session's margin is the highest of its requests' margins (the
 * session score is the maximum of its requests' scores, and the map is non-decreasing). Between
 * points the map is linear and it is clamped at both ends; each point sits halfway between the
 * quantile's margin and the next larger human margin, so humans tied at the quantile (trees give
 * many equal margins) score below it; when several quantiles coincide the points are separated by
 * a tiny step to stay strictly increasing, and fewer humans than the share are flagged.
 */
export interface ScoreMap {
  margins: number[];
  scores: number[];
}

/** The calibration points: human-session quantile → score. */
export const CALIBRATION = [
  { quantile: 0.5, score: 0 },
  { quantile: 0.8, score: 20 },
  { quantile: 0.95, score: 50 },
  { quantile: 0.99, score: 80 },
] as const;

const MIN_STEP = 1e-6;

export function calibrateScoreMap(humanSessionMargins: readonly number[]): ScoreMap {
  if (humanSessionMargins.length === 0) throw new Error('score map: no human session to calibrate on');
  const sorted = [...humanSessionMargins].sort((a, b) => a - b);
  const margins: number[] = [];
  const scores: number[] = [];
  for (const { quantile, score } of CALIBRATION) {
    // Between the quantile's value and the next larger human margin: the humans at the quantile
    // value itself stay below the score, so a threshold flags at most the intended share.
    const v = quantileOf(sorted, quantile);
    const above = sorted.find((x) => x > v);
    let m = above === undefined ? v + MIN_STEP : v + (above - v) / 2;
    if (margins.length > 0) m = Math.max(m, margins[margins.length - 1]! + MIN_STEP);
    margins.push(m);
    scores.push(score);
  }
  const q95 = margins[2]!;
  const q99 = margins[3]!;
  margins.push(q99 + Math.max(1, q99 - q95));
  scores.push(100);
  return { margins, scores };
}

/**
 * The sorted sample's value below which a `q` share of it lies: the smallest value v with
 * #{x > v} ≤ (1 − q)·n, so "margin above v" flags at most the intended share.
 */
export function quantileOf(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  const index = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[index]!;
}

/**
 * Piecewise-linear, clamped, then the integer part: with truncation "score ≥ s" holds exactly from
 * the point mapped to s on, which is what the calibration places (rounding would flag margins half
 * a point early).
 */
export function scoreFromMargin(map: ScoreMap, margin: number): number {
  const { margins, scores } = map;
  if (margin <= margins[0]!) return scores[0]!;
  const last = margins.length - 1;
  if (margin >= margins[last]!) return scores[last]!;
  let k = 0;
  while (margin > margins[k + 1]!) k++;
  const t = (margin - margins[k]!) / (margins[k + 1]! - margins[k]!);
  return Math.floor(scores[k]! + t * (scores[k + 1]! - scores[k]!));
}
