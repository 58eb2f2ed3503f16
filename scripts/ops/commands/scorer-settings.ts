/**
 * settings get|set: the scorer's Config Store item `settings`, JSON overrides of the scoring
 * settings (docs/scoring.md, scorer-core's resolveSettings). The scorer refuses an invalid item
 * as a whole and then answers every request fail-open (unscored), so `set` validates before
 * anything is sent and shows how the effective settings — what the scorer will score with, the
 * lifetime and challenge items applied over the JSON — change.
 */
import { DEFAULT_SETTINGS, type ScorerSettings } from '@session-scorer/core';
import { readSettingsItem } from '../../../src/config/items.js';
import { getConfigItem, seg } from '../fastly-api.js';
import { OpsError, type OpsContext } from '../context.js';
import { unifiedDiff, type Step } from '../plan.js';
import {
  readScorerConfig,
  refusalText,
  scorerView,
  SETTINGS_ITEM,
  type ScorerView,
} from '../scorer-config.js';

/** Fastly's limit on a Config Store item value. */
const MAX_ITEM_CHARACTERS = 8000;

/** Every setting as `section.key` → value, in the order DEFAULT_SETTINGS lists them. */
function flatten(settings: ScorerSettings): [string, number][] {
  return Object.entries(settings).flatMap(([section, values]) =>
    Object.entries(values as Record<string, number>).map(
      ([key, value]) => [`${section}.${key}`, value] as [string, number],
    ),
  );
}

const effectiveText = (view: ScorerView) =>
  view.ok ? JSON.stringify(view.settings, null, 2) : `(none: ${refusalText(view)})`;

export async function settingsGet(ctx: OpsContext): Promise<void> {
  const config = await readScorerConfig(ctx.api, ctx.stores.config);
  const item = config.items.get(SETTINGS_ITEM);
  const where = `${ctx.stores.config}.${SETTINGS_ITEM}`;
  // The scorer takes an empty item for an absent one.
  if (item === undefined || item.trim() === '')
    ctx.out(`settings item (${where}): absent: the defaults`);
  else ctx.out(`settings item (${where}): ${item}`);
  const read = item === undefined || item.trim() === '' ? null : readSettingsItem(item);
  if (read && !read.ok) ctx.out(`REFUSED by the scorer: ${read.problem}`);
  const { view } = config;
  if (!view.ok) {
    ctx.out('effective settings: none');
    throw new OpsError(refusalText(view));
  }
  // What the item alone gives, to tell its overrides from those of the lifetime and challenge items.
  const fromItem = flatten(read?.ok ? read.settings : DEFAULT_SETTINGS);
  const defaults = new Map(flatten(DEFAULT_SETTINGS));
  const changed = flatten(view.settings)
    .map(([name, value], i) => ({ name, value, byItem: fromItem[i]![1] === value }))
    .filter(({ name, value }) => defaults.get(name) !== value);
  ctx.out(
    changed.length === 0
      ? 'effective settings: the defaults'
      : `effective settings: the defaults, except\n${changed
          .map(
            ({ name, value, byItem }) =>
              `  ${name} = ${value} (default ${defaults.get(name)})` +
              (byItem ? '' : ', from its own Config Store item (docs/configuration.md)'),
          )
          .join('\n')}`,
  );
  ctx.out(JSON.stringify(view.settings, null, 2));
}

export async function settingsSet(ctx: OpsContext, argument: string | undefined): Promise<void> {
  const file = ctx.options.get('file');
  if ((argument === undefined) === (file === undefined))
    throw new OpsError(
      'settings set: give the JSON overrides either as the argument or with --file PATH (e.g. ' +
        'settings set \'{"combine":{"layer2Weight":0.3}}\')',
    );
  let text: string;
  if (file !== undefined) {
    try {
      text = ctx.readFile(file);
    } catch (error) {
      throw new OpsError(
        `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } else text = argument!;
  const where = file ?? 'settings';
  // Validated exactly as the scorer reads the item, before anything is read from or sent to Fastly.
  const read = readSettingsItem(text);
  if (!read.ok) throw new OpsError(`${where}: ${read.problem}`);
  const value = JSON.stringify(JSON.parse(text));
  if (value.length > MAX_ITEM_CHARACTERS)
    throw new OpsError(
      `${where}: ${value.length} characters, above the Config Store's ${MAX_ITEM_CHARACTERS} per item`,
    );

  const config = await readScorerConfig(ctx.api, ctx.stores.config);
  const before = config.items.get(SETTINGS_ITEM) ?? null;
  if (before === value) {
    ctx.out(`${ctx.stores.config}.${SETTINGS_ITEM} is already ${value}: nothing to change`);
    return;
  }
  const after = scorerView(new Map(config.items).set(SETTINGS_ITEM, value));
  if (!after.ok) {
    // Refused because of this item (alone or with the lifetime and challenge items over it), or
    // because of another item that refuses the configuration whatever this one says?
    const others = new Map(config.items);
    others.delete(SETTINGS_ITEM);
    const withoutItem = scorerView(others);
    if (withoutItem.ok || withoutItem.detail !== after.detail)
      throw new OpsError(
        `${where}: with the other items of ${ctx.stores.config}, ${refusalText(after)}`,
      );
    ctx.err(
      `warning: ${refusalText(after)}; the cause is another item, which this change does not fix`,
    );
  }
  const diff = unifiedDiff(effectiveText(config.view), effectiveText(after), [
    'effective settings (before)',
    'effective settings (after)',
  ]);
  if (diff === '')
    ctx.out(
      'note: the effective settings do not change (the item restates defaults, or its own ' +
        'Config Store items override these settings)',
    );
  const step: Step = {
    title: `set ${ctx.stores.config}.${SETTINGS_ITEM} (the diff is of the effective settings)`,
    request: {
      method: 'PUT',
      path: `/resources/stores/config/${seg(config.store.id)}/item/${SETTINGS_ITEM}`,
      form: { item_value: value },
    },
    ...(diff ? { diff } : {}),
    precondition: async () => {
      const now = await getConfigItem(ctx.api, config.store.id, SETTINGS_ITEM);
      return now === before
        ? null
        : `${ctx.stores.config}.${SETTINGS_ITEM} changed since this plan read it (another ` +
            `operator?): run the command again`;
    },
  };
  const result = await ctx.apply('settings set', [step], {
    target: { config_store: ctx.stores.config, item: SETTINGS_ITEM },
    before: { settings: before },
    after: { settings: value },
  });
  if (result.applied)
    ctx.out(
      'the scorer reads the item on every request; a Config Store change takes a moment to reach every POP',
    );
}
