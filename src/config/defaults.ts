/**
 * What an absent item falls back to, parsed once at initialisation (the Wizer snapshot), not per
 * request: the scoring settings, the page classifier and the model embedded at build.
 */
import {
  createClassifier,
  DEFAULT_CLASSIFIER,
  loadModel,
  resolveSettings,
  type Classifier,
  type ScorerSettings,
  type TransitionModel,
} from '@session-scorer/core';

/** The fallbacks of the Config Store items (items.ts). */
export interface ItemDefaults {
  settings: ScorerSettings;
  classifier: Classifier;
}

export interface Defaults extends ItemDefaults {
  model: TransitionModel;
}

export function prepareItemDefaults(): ItemDefaults {
  return { settings: resolveSettings({}), classifier: createClassifier(DEFAULT_CLASSIFIER) };
}

export function prepareDefaults(embeddedModel: unknown): Defaults {
  return { ...prepareItemDefaults(), model: loadModel(embeddedModel) };
}
