/**
 * The Layer 2 model in use: KV item `current` names the version; the document is
 * `models/<version>`. No `current`, or no readable KV Store, means the model embedded at build (a
 * `current` equal to the embedded version also uses the embedded copy: versions name models). A
 * `current` whose document is missing or invalid fails open: scoring with another model than the
 * operator chose would surprise them.
 */
import { loadModel, type TransitionModel } from '@session-scorer/core';
import { errorText } from '../error-text.js';
import type { Platform } from '../platform.js';
import { fail, type Loaded } from './loaded.js';

export interface ModelChoice {
  model: TransitionModel;
  source: 'kv' | 'embedded';
  /** Set when the embedded model is used because the KV Store could not be read. */
  warning?: string;
}

/** The KV key naming the version in use. */
export const CURRENT_MODEL_KEY = 'current';
/** The KV keys of the model documents: `models/<version>`. */
export const MODEL_KEY_PREFIX = 'models/';
export const modelKey = (version: string) => `${MODEL_KEY_PREFIX}${version}`;

// The last model loaded from KV, by its document text (a reused sandbox skips parse and validation).
let cachedModel: { text: string; model: TransitionModel } | undefined;

export async function readModel(
  platform: Platform,
  embedded: TransitionModel,
): Promise<Loaded<ModelChoice>> {
  let current: string | null;
  try {
    current = await platform.kvText(CURRENT_MODEL_KEY);
  } catch (error) {
    return {
      ok: true,
      value: {
        model: embedded,
        source: 'embedded',
        warning: `model store unavailable: ${errorText(error)}`,
      },
    };
  }
  if (current === null || current.trim() === '')
    return { ok: true, value: { model: embedded, source: 'embedded' } };
  const version = current.trim();
  if (version === embedded.version)
    return { ok: true, value: { model: embedded, source: 'embedded' } };
  let text: string | null;
  try {
    text = await platform.kvText(modelKey(version));
  } catch (error) {
    return fail('model-store-unavailable', errorText(error));
  }
  if (text === null)
    return fail(
      'model-missing',
      `KV "${CURRENT_MODEL_KEY}" names ${JSON.stringify(version)} but "${modelKey(version)}" does not exist`,
    );
  if (cachedModel?.text === text)
    return { ok: true, value: { model: cachedModel.model, source: 'kv' } };
  try {
    const model = loadModel(JSON.parse(text));
    cachedModel = { text, model };
    if (model.version !== version)
      return fail(
        'model-invalid',
        `"${modelKey(version)}" holds version ${JSON.stringify(model.version)}`,
      );
    return { ok: true, value: { model, source: 'kv' } };
  } catch (error) {
    return fail(
      'model-invalid',
      error instanceof SyntaxError ? `"${modelKey(version)}" is not valid JSON` : errorText(error),
    );
  }
}
