/**
 * Layer 2, transitions: the session's mean surprisal under the human-trained Markov model,
 * compared with the human baseline as a z statistic.
 * @module
 */
import { clamp } from './_internal.js';
import type { TransitionModel } from './model.js';
import type { RuleScore } from './reasons.js';
import type { Layer2Settings } from './settings.js';
import { PAGE_CLASS_NONE, PAGE_CLASS_UNKNOWN } from './state.js';

export interface TransitionEvidence {
  lastPageClass: number;
  modelTag: number;
  transitions: number;
  surprisalMilliBits: number;
}

/**
 * Adds one page view. `newVisit` means the previous page view (if any) was too long ago to be
 * a transition: the page is scored as a visit entry. Accumulators computed under another model
 * restart, and the first page after such a restart is not scored (its predecessor's class index
 * belongs to the old model).
 */
export function recordPageView(
  evidence: TransitionEvidence,
  model: TransitionModel,
  pageClass: string,
  newVisit: boolean,
): TransitionEvidence {
  let { lastPageClass, transitions, surprisalMilliBits } = evidence;
  if (evidence.modelTag !== model.tag) {
    transitions = 0;
    surprisalMilliBits = 0;
    if (lastPageClass !== PAGE_CLASS_NONE) lastPageClass = PAGE_CLASS_UNKNOWN;
  }
  const to = model.stateIndex(pageClass);
  let surprisal: number | null = null;
  if (newVisit || lastPageClass === PAGE_CLASS_NONE) surprisal = model.surprisalMilliBits(null, to);
  else if (lastPageClass !== PAGE_CLASS_UNKNOWN && lastPageClass < model.states.length)
    surprisal = model.surprisalMilliBits(lastPageClass, to);
  // The count and the sum stop together: a mean over mismatched totals would be meaningless.
  if (surprisal !== null && transitions < 0xffff && surprisalMilliBits + surprisal <= 0xffffffff) {
    transitions += 1;
    surprisalMilliBits += surprisal;
  }
  return { lastPageClass: to, modelTag: model.tag, transitions, surprisalMilliBits };
}

export interface TransitionStats {
  transitions: number;
  meanBits: number | null;
  z: number | null;
}

/** z = (mean − μ) / (σ / √min(n, maxEffectiveTransitions)). */
export function transitionStats(
  evidence: TransitionEvidence,
  model: TransitionModel,
  settings: Layer2Settings,
): TransitionStats {
  const n = evidence.modelTag === model.tag ? evidence.transitions : 0;
  if (n === 0) return { transitions: 0, meanBits: null, z: null };
  const meanBits = evidence.surprisalMilliBits / 1000 / n;
  const effectiveN = Math.min(n, settings.maxEffectiveTransitions);
  const z = (meanBits - model.baseline.meanBits) / (model.baseline.stdBits / Math.sqrt(effectiveN));
  return { transitions: n, meanBits, z };
}

export function transitionScore(stats: TransitionStats, settings: Layer2Settings): RuleScore {
  if (stats.z === null || stats.transitions < settings.minTransitions)
    return { reason: 'transition_surprisal', score: 0 };
  const score = Math.round(
    100 * clamp((stats.z - settings.zStart) / (settings.zFull - settings.zStart), 0, 1),
  );
  return { reason: 'transition_surprisal', score };
}
