/**
 * The figures evaluate and tune report, computed in one place so a tuning run and an
 * evaluation of the chosen settings cannot disagree: ROC-AUC, PR-AUC, TPR at 1 % FPR and the
 * false-positive rate on human sessions at the enforcement threshold, overall and by stratum
 * (sessions with 1, 2, 3–5, 6+ scored requests).
 */
import { DEFAULT_THRESHOLD } from '@session-scorer/core';
import { prAuc, rocAuc, tprAtFpr, type Scored } from './metrics.js';
import type { SessionResult } from './replay.js';

export interface Summary {
  sessions: number;
  bot_sessions: number;
  roc_auc: number | null;
  pr_auc: number | null;
  tpr_at_fpr_1pct: number | null;
  /** Share of human sessions whose score reaches the threshold (flagged humans / humans). */
  human_fpr_at_threshold: number | null;
}

export const STRATA = {
  '1 request': (r: SessionResult) => r.scoredRequests === 1,
  '2 requests': (r: SessionResult) => r.scoredRequests === 2,
  '3–5 requests': (r: SessionResult) => r.scoredRequests >= 3 && r.scoredRequests <= 5,
  '6+ requests': (r: SessionResult) => r.scoredRequests >= 6,
} as const;
export type Stratum = keyof typeof STRATA;

/** Sessions with at least one scored request (the others never met the scorer). */
export const scoredItems = (results: readonly SessionResult[]): Scored[] =>
  results.filter((r) => r.score !== null).map((r) => ({ score: r.score!, bot: r.bot }));

export const round4 = (x: number | null): number | null => (x === null ? null : +x.toFixed(4));

export function summarize(
  results: readonly SessionResult[],
  threshold = DEFAULT_THRESHOLD,
): Summary {
  const items = scoredItems(results);
  let humans = 0;
  let flaggedHumans = 0;
  for (const item of items) {
    if (item.bot) continue;
    humans++;
    if (item.score >= threshold) flaggedHumans++;
  }
  return {
    sessions: items.length,
    bot_sessions: items.length - humans,
    roc_auc: round4(rocAuc(items)),
    pr_auc: round4(prAuc(items)),
    tpr_at_fpr_1pct: round4(tprAtFpr(items, 0.01)),
    human_fpr_at_threshold: humans > 0 ? round4(flaggedHumans / humans) : null,
  };
}

export function summarizeStrata(
  results: readonly SessionResult[],
  threshold = DEFAULT_THRESHOLD,
): Record<Stratum, Summary> {
  const out = {} as Record<Stratum, Summary>;
  for (const [name, keep] of Object.entries(STRATA) as [Stratum, (r: SessionResult) => boolean][])
    out[name] = summarize(results.filter(keep), threshold);
  return out;
}
