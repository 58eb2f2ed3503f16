/**
 * Bootstrap confidence intervals for the session metrics: resample sessions with replacement
 * (seeded, so the same input gives the same interval every run), recompute ROC-AUC and TPR at a
 * false-positive rate on each resample, and take the 2.5th and 97.5th percentiles.
 *
 * Each resample is counted into per-score bins (scores are few distinct values: integers 0–100),
 * so a resample costs one pass over the sessions plus one over the bins, not a sort.
 */
import type { Scored } from './metrics.js';

export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapResult {
  resamples: number;
  seed: number;
  /** Resamples left out because they drew no bot or no human (the metrics are undefined there). */
  degenerate: number;
  roc_auc: Interval | null;
  tpr_at_fpr: Interval | null;
}

/** Deterministic uniform integers in [0, n) (mulberry32): a fixed seed gives the same resamples. */
export function seededIntegers(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** ROC-AUC (ties half) and TPR at maxFpr from bot and human counts per score bin, bins in ascending score order. */
export function binnedMetrics(
  bots: ArrayLike<number>,
  humans: ArrayLike<number>,
  maxFpr: number,
): { rocAuc: number; tprAtFpr: number } | null {
  let totalBots = 0;
  let totalHumans = 0;
  for (let i = 0; i < bots.length; i++) {
    totalBots += bots[i]!;
    totalHumans += humans[i]!;
  }
  if (totalBots === 0 || totalHumans === 0) return null;
  // Walk from the highest bin down: humans already above this bin are beaten by its bots.
  let pairs = 0;
  let humansAbove = 0;
  let botsAbove = 0;
  let tpr = 0;
  for (let i = bots.length - 1; i >= 0; i--) {
    const b = bots[i]!;
    const h = humans[i]!;
    pairs += b * (totalHumans - humansAbove - h) + 0.5 * b * h;
    humansAbove += h;
    botsAbove += b;
    if (humansAbove / totalHumans <= maxFpr) tpr = botsAbove / totalBots;
  }
  return { rocAuc: pairs / (totalBots * totalHumans), tprAtFpr: tpr };
}

/** Value at percentile p (0–1) of sorted values, by linear interpolation between closest ranks. */
export function percentile(sorted: readonly number[], p: number): number {
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

export function bootstrap(
  items: readonly Scored[],
  options: { resamples?: number; seed?: number; maxFpr?: number } = {},
): BootstrapResult {
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 20261201;
  const maxFpr = options.maxFpr ?? 0.01;
  const values = [...new Set(items.map((i) => i.score))].sort((a, b) => a - b);
  const bin = new Map(values.map((v, i) => [v, i]));
  const binOf = Int32Array.from(items, (i) => bin.get(i.score)!);
  const isBot = Uint8Array.from(items, (i) => (i.bot ? 1 : 0));
  const next = seededIntegers(seed);
  const aucs: number[] = [];
  const tprs: number[] = [];
  let degenerate = 0;
  const bots = new Float64Array(values.length);
  const humans = new Float64Array(values.length);
  for (let r = 0; r < resamples; r++) {
    bots.fill(0);
    humans.fill(0);
    for (let k = 0; k < items.length; k++) {
      const j = next(items.length);
      (isBot[j] ? bots : humans)[binOf[j]!]!++;
    }
    const m = binnedMetrics(bots, humans, maxFpr);
    if (m === null) {
      degenerate++;
      continue;
    }
    aucs.push(m.rocAuc);
    tprs.push(m.tprAtFpr);
  }
  const interval = (xs: number[]): Interval | null => {
    if (xs.length === 0) return null;
    xs.sort((a, b) => a - b);
    return { low: percentile(xs, 0.025), high: percentile(xs, 0.975) };
  };
  return { resamples, seed, degenerate, roc_auc: interval(aucs), tpr_at_fpr: interval(tprs) };
}
