/**
 * What the scorer makes of its Config Store, for commands that must say what the scorer will do
 * (`settings get|set`, the score impact of `model publish|rollback`). The items are listed through
 * the API and parsed by src/config/items.ts's parseConfigItems, the pure parser the Compute app runs, so
 * the CLI keeps no second copy of the rules (the `settings` JSON, then the lifetime and challenge
 * items applied over it, and every other item that can make the scorer refuse its configuration).
 */
import embeddedModelDocument from '@session-scorer/core/model/default.json' with { type: 'json' };
import type { ScorerSettings, TransitionModel } from '@session-scorer/core';
import { prepareDefaults, type Defaults } from '../../src/config/defaults.js';
import { oneLine, parseConfigItems } from '../../src/config/items.js';
import type { Mode } from '../../src/edge-contract.js';
import { findStore, listConfigItems, type FastlyApi, type StoreRef } from './fastly-api.js';

/** The Config Store item holding the JSON overrides of the scoring settings. */
export const SETTINGS_ITEM = 'settings';

let defaults: Defaults | undefined;
/** The defaults the scorer prepares at build: settings, classifier, and the model embedded in this checkout. */
export function scorerDefaults(): Defaults {
  defaults ??= prepareDefaults(embeddedModelDocument);
  return defaults;
}

/** The model this checkout embeds; the deployed scorer embeds the one it was built with. */
export const embeddedModel = (): TransitionModel => scorerDefaults().model;

export type ScorerView =
  /** The scorer accepts its configuration and, unless its mode is `off`, scores with these settings. */
  | { ok: true; mode: Mode; settings: ScorerSettings }
  /** The scorer refuses its configuration: every request is answered fail-open, unscored. */
  | { ok: false; reason: string; detail: string };

/** The scorer's reading of a set of Config Store items (what its item parser answers for them). */
export function scorerView(items: ReadonlyMap<string, string>): ScorerView {
  const parsed = parseConfigItems((item) => items.get(item) ?? null, scorerDefaults());
  return parsed.ok
    ? { ok: true, mode: parsed.config.mode, settings: parsed.config.settings }
    : { ok: false, reason: 'config-invalid', detail: parsed.problems.join('; ') };
}

export interface ScorerConfig {
  store: StoreRef;
  items: Map<string, string>;
  view: ScorerView;
}

/** Lists the scorer's Config Store and reads it as the scorer does. */
export async function readScorerConfig(api: FastlyApi, storeName: string): Promise<ScorerConfig> {
  const store = await findStore(api, 'config', storeName);
  const items = await listConfigItems(api, store.id);
  return { store, items, view: scorerView(items) };
}

/** One line for an operator: what the scorer does with a configuration it refuses. */
export const refusalText = (view: { reason: string; detail: string }) =>
  `the scorer refuses its configuration (${view.reason}: ${oneLine(view.detail)}) and answers ` +
  `every request fail-open: served unscored, never challenged or blocked`;
