/**
 * The verdict: per-layer scores (each the maximum of its rules) combined by a weighted
 * noisy-OR into one 0–100 integer, with the reason codes of every rule that scored above 0.
 * @module
 */
import type { ReasonCode, RuleScore } from './reasons.js';
import type { CombineSettings } from './settings.js';

export interface Verdict {
  /** 0–100, higher is more bot-like. */
  score: number;
  layer1: number;
  layer2: number;
  /** Reasons of the rules that scored above 0, highest score first (ties in rule order). */
  reasons: ReasonCode[];
}

export function combine(layer1Rules: readonly RuleScore[], layer2Rules: readonly RuleScore[], settings: CombineSettings): Verdict {
  const layer1 = Math.max(0, ...layer1Rules.map((rule) => rule.score));
  const layer2 = Math.max(0, ...layer2Rules.map((rule) => rule.score));
  const pass = (1 - (settings.layer1Weight * layer1) / 100) * (1 - (settings.layer2Weight * layer2) / 100);
  const score = Math.round(100 * (1 - pass));
  const reasons = [...layer1Rules, ...layer2Rules]
    .map((rule, order) => ({ ...rule, order }))
    .filter((rule) => rule.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((rule) => rule.reason);
  return { score, layer1, layer2, reasons };
}
