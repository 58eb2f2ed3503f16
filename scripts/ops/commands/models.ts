/**
 * model publish|list|rollback. KV Store layout (docs/configuration.md): `models/<version>` holds a
 * model document, `current` names the version in use, and `history` (this CLI's) lists every
 * publish and rollback, newest last. KV is eventually consistent, so a document is written before
 * anything names it, and a pointer is only moved to a document that exists and validates.
 */
import { loadModel, type TransitionModel } from '@session-scorer/core';
import { findStore, getKvText, listKvKeys, seg, type StoreRef } from '../fastly-api.js';
import { OpsError, type OpsContext } from '../context.js';
import { unifiedDiff, type Step } from '../plan.js';
import { describeScoreImpact } from '../score-impact.js';
import { embeddedModel, readScorerConfig } from '../scorer-config.js';
import { CURRENT_MODEL_KEY, MODEL_KEY_PREFIX, modelKey } from '../../../src/config/model.js';

const HISTORY_KEY = 'history';
const MAX_HISTORY = 500;

export interface HistoryEntry {
  /** The version made current; null: `current` removed, the scorer's embedded model. */
  version: string | null;
  action: 'publish' | 'rollback';
  at: string;
  /** The version `current` named before (null: the embedded model). */
  from: string | null;
}

function validate(text: string, where: string): TransitionModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OpsError(`${where} is not valid JSON`);
  }
  try {
    return loadModel(parsed);
  } catch (error) {
    throw new OpsError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

interface History {
  entries: HistoryEntry[];
  /** The item's text as read (null: absent), so a write can check nobody changed it meanwhile. */
  text: string | null;
}

async function readHistory(ctx: OpsContext, store: StoreRef): Promise<History> {
  const text = await getKvText(ctx.api, store.id, HISTORY_KEY);
  if (text === null) return { entries: [], text };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) {
      const entries = parsed.filter(
        (e): e is HistoryEntry =>
          e &&
          typeof e === 'object' &&
          (typeof (e as HistoryEntry).version === 'string' || (e as HistoryEntry).version === null),
      );
      return { entries, text };
    }
  } catch {
    // A damaged history is replaced on the next write; it never blocks a publish or rollback.
  }
  ctx.err(`warning: KV "${HISTORY_KEY}" is not a JSON list; it will be restarted`);
  return { entries: [], text };
}

const describeVersion = (version: string | null) => version ?? '(embedded)';

const kvPut = (store: StoreRef, key: string, value: string, title: string): Step => ({
  title,
  request: {
    method: 'PUT',
    path: `/resources/stores/kv/${seg(store.id)}/keys/${seg(key)}`,
    raw: value,
  },
});

/**
 * The history entry, then the pointer. Both are read-modify-write: each step first re-reads its
 * item and stops if another operator changed it since this plan read it.
 */
function pointerSteps(
  ctx: OpsContext,
  store: StoreRef,
  history: History,
  currentText: string | null,
  entry: HistoryEntry,
): Step[] {
  const unchanged = (key: string, expected: string | null) => async () => {
    const now = await getKvText(ctx.api, store.id, key);
    return now === expected
      ? null
      : `KV "${key}" changed since this plan read it (another operator?): run the command again`;
  };
  const next = [...history.entries, entry].slice(-MAX_HISTORY);
  const pointer: Step =
    entry.version === null
      ? {
          title: `remove "${CURRENT_MODEL_KEY}": the scorer uses its embedded model`,
          request: {
            method: 'DELETE',
            path: `/resources/stores/kv/${seg(store.id)}/keys/${seg(CURRENT_MODEL_KEY)}`,
          },
        }
      : kvPut(
          store,
          CURRENT_MODEL_KEY,
          entry.version,
          `point "${CURRENT_MODEL_KEY}" at ${entry.version}`,
        );
  return [
    {
      ...kvPut(
        store,
        HISTORY_KEY,
        JSON.stringify(next),
        `record the ${entry.action} in "${HISTORY_KEY}"`,
      ),
      precondition: unchanged(HISTORY_KEY, history.text),
    },
    {
      ...pointer,
      diff: unifiedDiff(currentText ?? '(absent)', entry.version ?? '(absent)', [
        `${CURRENT_MODEL_KEY} (before)`,
        `${CURRENT_MODEL_KEY} (after)`,
      ]),
      precondition: unchanged(CURRENT_MODEL_KEY, currentText),
    },
  ];
}

/**
 * The model the scorer uses now, as it chooses it (src/config/model.ts readModel): none named, or the
 * embedded version named, is the embedded model; a named document that is missing or invalid
 * makes the scorer answer fail-open (model null).
 */
async function modelInUse(
  ctx: OpsContext,
  store: StoreRef,
  currentVersion: string | null,
): Promise<{ model: TransitionModel | null; name: string }> {
  const embedded = embeddedModel();
  if (currentVersion === null || currentVersion === embedded.version)
    return { model: embedded, name: `the embedded model (${embedded.version} in this checkout)` };
  const name = `the current model ${currentVersion}`;
  const text = await getKvText(ctx.api, store.id, modelKey(currentVersion));
  if (text === null) return { model: null, name };
  try {
    const model = loadModel(JSON.parse(text));
    return { model: model.version === currentVersion ? model : null, name };
  } catch {
    return { model: null, name };
  }
}

/** Prints what making `next` current changes in the scores (score-impact.ts). */
async function reportScoreImpact(
  ctx: OpsContext,
  store: StoreRef,
  currentVersion: string | null,
  next: TransitionModel,
  action: string,
): Promise<void> {
  const [inUse, scorer] = await Promise.all([
    modelInUse(ctx, store, currentVersion),
    readScorerConfig(ctx.api, ctx.stores.config).then(
      (config) => config.view,
      (error: unknown) => ({ unreadable: error instanceof Error ? error.message : String(error) }),
    ),
  ]);
  for (const line of describeScoreImpact({
    next,
    current: inUse.model,
    currentName: inUse.name,
    scorer,
    action,
  }))
    ctx.out(line);
}

export async function modelPublish(ctx: OpsContext, file: string | undefined): Promise<void> {
  if (!file) throw new OpsError('usage: model publish MODEL.json');
  let text: string;
  try {
    text = ctx.readFile(file);
  } catch (error) {
    throw new OpsError(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // Validated exactly as the scorer loads it, before anything is read from or sent to Fastly.
  const model = validate(text, file);
  if (model.placeholder && !ctx.options.has('allow-placeholder'))
    throw new OpsError(
      `${file} is a placeholder model (not trained on traffic): pass --allow-placeholder to publish it anyway`,
    );
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(model.version))
    throw new OpsError(
      `${file}: version ${JSON.stringify(model.version)} must be letters, digits, '.', '_' or '-' to be a KV key`,
    );
  const store = await findStore(ctx.api, 'kv', ctx.stores.kv);
  const key = modelKey(model.version);
  const [existing, current, history] = await Promise.all([
    getKvText(ctx.api, store.id, key),
    getKvText(ctx.api, store.id, CURRENT_MODEL_KEY),
    readHistory(ctx, store),
  ]);
  const steps: Step[] = [];
  if (existing !== null && existing !== text) {
    // Cookies carry the model's tag, and versions name models: one version, one content.
    throw new OpsError(
      `${key} already exists with different content: give the new model a new version`,
    );
  }
  if (existing === null)
    steps.push(kvPut(store, key, text, `store the model document ${key} (${text.length} bytes)`));
  if (current?.trim() !== model.version)
    steps.push(
      ...pointerSteps(ctx, store, history, current, {
        version: model.version,
        action: 'publish',
        at: new Date(ctx.now()).toISOString(),
        from: current?.trim() || null,
      }),
    );
  if (steps.length === 0) {
    ctx.out(`${model.version} is already published and current: nothing to change`);
    return;
  }
  if (current?.trim() !== model.version)
    await reportScoreImpact(ctx, store, current?.trim() || null, model, 'publishing');
  const result = await ctx.apply('model publish', steps, {
    target: { kv_store: ctx.stores.kv },
    before: { current: current?.trim() || null },
    after: { current: model.version },
  });
  if (result.applied)
    ctx.out(
      `model ${model.version} is current (was ${current?.trim() || 'the embedded model'}); the ` +
        `scorer picks it up as KV propagates`,
    );
}

export async function modelList(ctx: OpsContext): Promise<void> {
  const store = await findStore(ctx.api, 'kv', ctx.stores.kv);
  const [keys, current, history] = await Promise.all([
    listKvKeys(ctx.api, store.id, MODEL_KEY_PREFIX),
    getKvText(ctx.api, store.id, CURRENT_MODEL_KEY),
    readHistory(ctx, store),
  ]);
  const currentVersion = current?.trim() || null;
  ctx.out(`current: ${currentVersion ?? '(none: the scorer uses its embedded model)'}`);
  if (keys.length === 0) ctx.out('no published models');
  for (const key of keys.sort()) {
    const version = key.slice(MODEL_KEY_PREFIX.length);
    const published = history.entries
      .filter((e) => e.version === version && e.action === 'publish')
      .at(-1);
    ctx.out(
      `${version === currentVersion ? '*' : ' '} ${version.padEnd(40)} ${published ? `published ${published.at}` : ''}`,
    );
  }
  if (history.entries.length > 0) {
    ctx.out('history (newest last):');
    for (const entry of history.entries.slice(-10))
      ctx.out(
        `  ${entry.at} ${entry.action.padEnd(8)} ${describeVersion(entry.from)} → ${describeVersion(entry.version)}`,
      );
  }
}

export async function modelRollback(ctx: OpsContext, requested: string | undefined): Promise<void> {
  if (requested !== undefined && ctx.options.has('embedded'))
    throw new OpsError('model rollback: give a VERSION or --embedded, not both');
  const store = await findStore(ctx.api, 'kv', ctx.stores.kv);
  const [current, history] = await Promise.all([
    getKvText(ctx.api, store.id, CURRENT_MODEL_KEY),
    readHistory(ctx, store),
  ]);
  const currentVersion = current?.trim() || null;
  // null: the embedded model (no "current").
  let target: string | null;
  if (ctx.options.has('embedded')) target = null;
  else if (requested !== undefined) target = requested;
  else {
    // The version that was current before the present one (possibly the embedded model).
    const last = [...history.entries].reverse().find((e) => e.version === currentVersion);
    if (!last)
      throw new OpsError(
        `no earlier version in "${HISTORY_KEY}" to roll back ` +
          `to${currentVersion ? ` from ${currentVersion}` : ''}: name one (see \`model list\`) or pass --embedded`,
      );
    target = last.from;
  }
  if (target === currentVersion) {
    ctx.out(`${describeVersion(target)} is already current: nothing to change`);
    return;
  }
  let targetModel = embeddedModel();
  if (target !== null) {
    const key = modelKey(target);
    const text = await getKvText(ctx.api, store.id, key);
    if (text === null)
      throw new OpsError(
        `${key} does not exist in the KV store ${ctx.stores.kv}: nothing was changed`,
      );
    targetModel = validate(text, key);
    if (targetModel.version !== target)
      throw new OpsError(
        `${key} holds version ${JSON.stringify(targetModel.version)}: nothing was changed`,
      );
  }
  await reportScoreImpact(ctx, store, currentVersion, targetModel, 'rolling back');
  const steps = pointerSteps(ctx, store, history, current, {
    version: target,
    action: 'rollback',
    at: new Date(ctx.now()).toISOString(),
    from: currentVersion,
  });
  const result = await ctx.apply('model rollback', steps, {
    target: { kv_store: ctx.stores.kv },
    before: { current: currentVersion },
    after: { current: target },
  });
  if (result.applied)
    ctx.out(
      `${target === null ? 'the embedded model' : `model ${target}`} is current again ` +
        `(was ${currentVersion ?? 'the embedded model'})`,
    );
}
