/**
 * The verdict: per-layer scores combined by a weighted noisy-OR into one 0–100 integer, with the
 * reason codes of what raised it. Layers: Layer 1 (hand-set behaviour rules, each layer's score the
 * maximum of its rules), Layer 2 (transitions), the learned combiner over the signal features
 * (when the model has one) and the browser-header rules (only the edge sees headers).
 * @module
 */
import type { ReasonCode, RuleScore } from './reasons.js';
import type { CombineSettings } from './settings.js';

/**
 * The enforcement threshold operators start from (the edge dictionary holds the live value):
 * scores at or above it are bot-like. The shipped model's score map is calibrated so that about
 * 1 % of human sessions in its training logs reach it (docs/model.md).
 */
export const DEFAULT_THRESHOLD = 80;

export interface Verdict {
  /** 0–100, higher is more bot-like. */
  score: number;
  layer1: number;
  layer2: number;
  /** The learned combiner's score (0 when the model has none). */
  learned: number;
  /** The browser-header rules' score (0 when the request carried no headers to judge). */
  headers: number;
  /** Reasons of what scored above 0 in a part weighted above 0, highest score first (ties in rule order). */
  reasons: ReasonCode[];
}

export interface ExtraEvidence {
  learned?: { score: number; reasons: readonly ReasonCode[] } | null;
  headers?: readonly RuleScore[];
  /**
   * Rules whose score is a floor of the verdict, whatever the weights (a spoofed crawler): facts
   * the edge established, not evidence to weigh.
   */
  floors?: readonly RuleScore[];
}

export function combine(
  layer1Rules: readonly RuleScore[],
  layer2Rules: readonly RuleScore[],
  settings: CombineSettings,
  extra: ExtraEvidence = {},
): Verdict {
  const layer1 = maxScore(layer1Rules);
  const layer2 = maxScore(layer2Rules);
  const learned = extra.learned?.score ?? 0;
  const headerRules = extra.headers ?? [];
  const headers = noisyOr(headerRules);
  const pass =
    (1 - (settings.layer1Weight * layer1) / 100) *
    (1 - (settings.layer2Weight * layer2) / 100) *
    (1 - (settings.learnedWeight * learned) / 100) *
    (1 - (settings.headersWeight * headers) / 100);
  const floors = extra.floors ?? [];
  const score = Math.max(Math.round(100 * (1 - pass)), maxScore(floors));
  const scored: RuleScore[] = [];
  // Reasons explain the score: a part weighted 0 is still computed and reported but did not move
  // the score, so its rules are not reasons. A learned score's reasons share its score.
  if (settings.layer1Weight > 0)
    for (const rule of layer1Rules) if (rule.score > 0) scored.push(rule);
  if (settings.layer2Weight > 0)
    for (const rule of layer2Rules) if (rule.score > 0) scored.push(rule);
  if (settings.learnedWeight > 0 && learned > 0)
    for (const reason of extra.learned!.reasons) scored.push({ reason, score: learned });
  if (settings.headersWeight > 0)
    for (const rule of headerRules) if (rule.score > 0) scored.push(rule);
  for (const rule of floors) if (rule.score > 0) scored.push(rule);
  // Array.prototype.sort is stable: equal scores keep rule order.
  const ordered = scored.length < 2 ? scored : scored.sort((a, b) => b.score - a.score);
  const reasons: ReasonCode[] = [];
  for (const rule of ordered) if (!reasons.includes(rule.reason)) reasons.push(rule.reason);
  return { score, layer1, layer2, learned, headers, reasons };
}

function maxScore(rules: readonly RuleScore[]): number {
  let max = 0;
  for (const rule of rules) if (rule.score > max) max = rule.score;
  return max;
}

/** Independent pieces of evidence: 100 · (1 − Π(1 − sᵢ/100)), rounded. */
function noisyOr(rules: readonly RuleScore[]): number {
  let pass = 1;
  for (const rule of rules) pass *= 1 - rule.score / 100;
  return Math.round(100 * (1 - pass));
}
