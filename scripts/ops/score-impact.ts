/**
 * What making a model current changes in the scores, said plainly before `model publish` or
 * `model rollback` acts. A model reaches a score through two parts only (scorer-core verdict.ts):
 * its learned combiner, weighted by `combine.learnedWeight`, and its transition matrix (Layer 2),
 * weighted by `combine.layer2Weight`. A part weighted 0 in the effective settings is computed and
 * reported but moves no score; a model without a combiner removes the learned part entirely.
 * With the scorer's mode `off` it scores no request at all, so no score changes until the mode does.
 */
import type { TransitionModel } from '@session-scorer/core';
import { refusalText, type ScorerView } from './scorer-config.js';

export interface ImpactInput {
  /** The model about to become current. */
  next: TransitionModel;
  /** The model current now; null when the scorer cannot load it (it answers fail-open then). */
  current: TransitionModel | null;
  /** How to name the current model (e.g. "the embedded model trained-…", "model v7"). */
  currentName: string;
  /** The scorer's reading of its Config Store, or why it could not be read. */
  scorer: ScorerView | { unreadable: string };
  /** "publishing" or "rolling back". */
  action: string;
}

/** Lines for the operator; the first starts with "effect on scores:". */
export function describeScoreImpact(input: ImpactInput): string[] {
  const { next, current, scorer, action } = input;
  if ('unreadable' in scorer)
    return [
      `effect on scores: unknown: the scorer's settings could not be read (${scorer.unreadable})`,
    ];
  if (!scorer.ok)
    return [
      `effect on scores: none while ${refusalText(scorer)}; fix that first (\`settings get\` shows it)`,
    ];
  if (scorer.mode === 'off')
    return [
      `effect on scores: none while the scorer's mode is off (it answers every request without ` +
        `scoring it); ${action} still takes effect once the mode changes (\`mode set monitor\` ` +
        `or \`mode set enforce\`)`,
    ];
  if (current === null)
    return [
      `effect on scores: every request: ${input.currentName} cannot be loaded, so the scorer ` +
        `answers fail-open (unscored) now; with this model it scores again`,
    ];
  const { learnedWeight, layer2Weight } = scorer.settings.combine;
  const changes: string[] = [];
  const unchanged: string[] = [];

  const nextCombiner = next.document.combiner;
  const currentCombiner = current.document.combiner;
  if (nextCombiner !== undefined) {
    if (learnedWeight === 0)
      unchanged.push(
        'this model has a learned combiner, but its weight (combine.learnedWeight) in the effective settings is 0',
      );
    else if (JSON.stringify(nextCombiner) === JSON.stringify(currentCombiner))
      unchanged.push(`its learned combiner is the same as ${input.currentName}'s`);
    else
      changes.push(
        `this model has a learned combiner (weight ${learnedWeight}): scores change for every request`,
      );
  } else if (currentCombiner !== undefined && learnedWeight > 0) {
    changes.push(
      `this model has no learned combiner and ${input.currentName} has one ` +
        `(weight ${learnedWeight}): the learned part leaves every request's score, and the hand-set rules decide alone`,
    );
  } else {
    unchanged.push(
      currentCombiner === undefined
        ? 'this model has no learned combiner'
        : "this model has no learned combiner, and the current model's is weighted 0 (combine.learnedWeight)",
    );
  }

  if (layer2Weight === 0)
    unchanged.push(
      "Layer 2's weight (combine.layer2Weight) in the effective settings is 0, so its " +
        'transition score is reported (x-scorer-layer2) but moves no score',
    );
  else if (next.tag === current.tag)
    unchanged.push(`its transition model is the same as ${input.currentName}'s`);
  else
    changes.push(
      `Layer 2 is weighted ${layer2Weight} (combine.layer2Weight): transition scores change ` +
        `from the next page view, and sessions in progress restart their transition evidence ` +
        `(the cookie records which model it belongs to)`,
    );

  if (changes.length === 0)
    return [`effect on scores: none: ${unchanged.join('; ')}: ${action} changes no score`];
  return [
    `effect on scores: ${changes.join('; ')}`,
    ...(unchanged.length > 0 ? [`  unchanged: ${unchanged.join('; ')}`] : []),
  ];
}
