/** Detection metrics over labelled scores (bots are the positive class). */

export interface Scored {
  score: number;
  bot: boolean;
}

/** ROC-AUC as the Mann-Whitney probability that a bot outscores a human (ties count half). */
export function rocAuc(items: readonly Scored[]): number | null {
  const bots = items.filter((i) => i.bot).map((i) => i.score);
  const humans = items.filter((i) => !i.bot).map((i) => i.score);
  if (bots.length === 0 || humans.length === 0) return null;
  const sorted = [...items].sort((a, b) => a.score - b.score);
  // Average ranks over ties.
  let rankSumBots = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.bot) rankSumBots += averageRank;
    i = j;
  }
  return (rankSumBots - (bots.length * (bots.length + 1)) / 2) / (bots.length * humans.length);
}

export interface CurvePoint {
  threshold: number;
  tpr: number;
  fpr: number;
  precision: number | null;
  recall: number;
  flagged: number;
  flaggedBots: number;
  flaggedHumans: number;
}

/** One point per distinct threshold ("flag when score ≥ threshold"), highest threshold first. */
export function curve(items: readonly Scored[], thresholds?: number[]): CurvePoint[] {
  const bots = items.filter((i) => i.bot).length;
  const humans = items.length - bots;
  const ts = thresholds ?? [...new Set(items.map((i) => i.score))].sort((a, b) => b - a);
  return ts.map((threshold) => {
    let flaggedBots = 0;
    let flaggedHumans = 0;
    for (const item of items)
      if (item.score >= threshold) item.bot ? flaggedBots++ : flaggedHumans++;
    const flagged = flaggedBots + flaggedHumans;
    return {
      threshold,
      tpr: bots ? flaggedBots / bots : 0,
      fpr: humans ? flaggedHumans / humans : 0,
      precision: flagged ? flaggedBots / flagged : null,
      recall: bots ? flaggedBots / bots : 0,
      flagged,
      flaggedBots,
      flaggedHumans,
    };
  });
}

/** Average precision (area under the step-wise PR curve). */
export function prAuc(items: readonly Scored[]): number | null {
  const bots = items.filter((i) => i.bot).length;
  if (bots === 0 || bots === items.length) return null;
  let area = 0;
  let previousRecall = 0;
  for (const point of curve(items)) {
    area += (point.recall - previousRecall) * (point.precision ?? 1);
    previousRecall = point.recall;
  }
  return area;
}

/** Highest TPR among thresholds whose FPR is at most `maxFpr`. */
export function tprAtFpr(items: readonly Scored[], maxFpr: number): number | null {
  if (!items.some((i) => i.bot) || !items.some((i) => !i.bot)) return null;
  let best = 0;
  for (const point of curve(items)) if (point.fpr <= maxFpr) best = Math.max(best, point.tpr);
  return best;
}

/**
 * The operating threshold for a false-positive budget: the lowest session score threshold whose
 * false-positive rate is at most `maxFpr` (so the one where tprAtFpr is reached). null when no
 * threshold keeps within the budget, or there are no bots or no humans.
 */
export function thresholdAtFpr(items: readonly Scored[], maxFpr: number): number | null {
  if (!items.some((i) => i.bot) || !items.some((i) => !i.bot)) return null;
  let lowest: number | null = null;
  // curve runs highest threshold first
  for (const point of curve(items)) if (point.fpr <= maxFpr) lowest = point.threshold;
  return lowest;
}

/** One session's requests for request-level figures: each scored request's score, and whether it was a page view. */
export interface RequestScores {
  bot: boolean;
  requestScores: readonly number[];
  /** Aligned with requestScores; absent = every scored request is a page view. */
  pageViews?: readonly boolean[];
}

export interface RequestShares {
  threshold: number | null;
  bot_page_requests: number;
  human_page_requests: number;
  /** Share of bot page requests whose own score reaches the threshold (what enforcement would block). */
  bot_page_requests_flagged: number | null;
  /** Share of human page requests whose own score reaches the threshold. */
  human_page_requests_flagged: number | null;
}

/** Request-level shares at a threshold (null threshold: nothing is flagged). */
export function requestShares(
  sessions: readonly RequestScores[],
  threshold: number | null,
): RequestShares {
  const total = { bot: 0, human: 0 };
  const flagged = { bot: 0, human: 0 };
  for (const session of sessions) {
    const side = session.bot ? 'bot' : 'human';
    session.requestScores.forEach((score, i) => {
      if (session.pageViews && !session.pageViews[i]) return;
      total[side]++;
      if (threshold !== null && score >= threshold) flagged[side]++;
    });
  }
  return {
    threshold,
    bot_page_requests: total.bot,
    human_page_requests: total.human,
    bot_page_requests_flagged: total.bot ? flagged.bot / total.bot : null,
    human_page_requests_flagged: total.human ? flagged.human / total.human : null,
  };
}
