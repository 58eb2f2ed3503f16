/**
 * The verdict: per-layer scores (each the maximum of its rules) combined by a weighted
 * noisy-OR into one 0–100 integer, with the reason codes of every rule that scored above 0.
 * @module
 */
import type { ReasonCode, RuleScore } from './reasons.js';
import type { CombineSettings } from './settings.js';

/**
 * The enforcement threshold operators start from (the edge dictionary holds the live value):
 * scores at or above it are bot-like. A first-time human scores 0 under the default settings.
 */
export const DEFAULT_THRESHOLD = 80;

export interface Verdict {
  /** 0–100, higher is more bot-like. */
  score: number;
  layer1: number;
  layer2: number;
  /** Reasons of the rules that scored above 0 in a layer weighted above 0, highest score first (ties in rule order). */
  reasons: ReasonCode[];
}

export function combine(layer1Rules: readonly RuleScore[], layer2Rules: readonly RuleScore[], settings: CombineSettings): Verdict {
  const layer1 = maxScore(layer1Rules);
  const layer2 = maxScore(layer2Rules);
  const pass = (1 - (settings.layer1Weight * layer1) / 100) * (1 - (settings.layer2Weight * layer2) / 100);
  const score = Math.round(100 * (1 - pass));
  const scored: RuleScore[] = [];
  // Reasons explain the score: a layer weighted 0 is still computed and reported (layer1/layer2)
  // but its rules did not move the score, so they are not reasons.
  if (settings.layer1Weight > 0) for (const rule of layer1Rules) if (rule.score > 0) scored.push(rule);
  if (settings.layer2Weight > 0) for (const rule of layer2Rules) if (rule.score > 0) scored.push(rule);
  // Array.prototype.sort is stable: equal scores keep rule order.
  const reasons = scored.length < 2 ? scored.map((rule) => rule.reason) : scored.sort((a, b) => b.score - a.score).map((rule) => rule.reason);
  return { score, layer1, layer2, reasons };
}

function maxScore(rules: readonly RuleScore[]): number {
  let max = 0;
  for (const rule of rules) if (rule.score > max) max = rule.score;
  return max;
}
