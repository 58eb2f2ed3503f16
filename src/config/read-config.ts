/**
 * The scorer's AppConfig from its Config Store: every item is read on every request (a change
 * applies at once), and parsed (items.ts) only when a text differs from the last valid set: a
 * reused sandbox skips rebuilding the settings and the classifier's regular expressions.
 */
import { errorText } from '../error-text.js';
import type { Platform } from '../platform.js';
import type { ItemDefaults } from './defaults.js';
import { CONFIG_ITEMS, parseConfigItems, type AppConfig } from './items.js';
import { fail, type Loaded } from './loaded.js';

let cached: { defaults: ItemDefaults; texts: (string | null)[]; config: AppConfig } | undefined;

export function readConfig(platform: Platform, defaults: ItemDefaults): Loaded<AppConfig> {
  let texts: (string | null)[];
  try {
    // The first read opens the store: a store not linked to the service throws here.
    texts = CONFIG_ITEMS.map((item) => platform.config(item));
  } catch (error) {
    return fail('config-store-unavailable', errorText(error));
  }
  if (
    cached !== undefined &&
    cached.defaults === defaults &&
    cached.texts.every((text, i) => text === texts[i])
  )
    return { ok: true, value: cached.config };
  const parsed = parseConfigItems((item) => texts[CONFIG_ITEMS.indexOf(item)] ?? null, defaults);
  if (!parsed.ok) return fail('config-invalid', parsed.problems.join('; '));
  cached = { defaults, texts, config: parsed.config };
  return { ok: true, value: parsed.config };
}
