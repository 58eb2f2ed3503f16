/**
 * keys generate|rotate|list|retire. The key ring index (ids, active, staged, grace deadlines; no
 * key bytes) is the Config Store item `cookie_key_ring`; each key's bytes are the Secret Store item
 * `cookie_key_<id>` (src/config/key-ring-index.ts). The Secret Store API never returns a value, so the
 * CLI never holds an old key: it only adds new ones and edits the index.
 *
 * Ordering keeps every live cookie readable, even while changes propagate to POPs one by one:
 * - a new key's secret is written before the index names it, and the index first names it
 *   *staged* (opens cookies, does not seal);
 * - only after a propagation wait does it become active, and the previous active key keeps
 *   opening cookies until a grace deadline no earlier than the longest cookie lifetime;
 * - retire removes a key from the index before deleting its secret, and only past its grace.
 */
import { DEFAULT_SETTINGS, NONCE_BUDGET_SEALS, nonceBudgetUsed } from '@session-scorer/core';
import { prepareItemDefaults } from '../../../src/config/defaults.js';
import { parseConfigItems, SESSION_ITEMS } from '../../../src/config/items.js';
import { COOKIE_KEYS_ITEM } from '../../../src/config/cookie-keys-secret.js';
import {
  formatKeyRingIndex,
  isoInstant,
  KEY_RING_ITEM,
  keySecretName,
  MAX_RING_KEYS,
  parseKeyRingIndex,
  type KeyRingIndex,
  type RingKey,
} from '../../../src/config/key-ring-index.js';
import { findStore, getConfigItem, listSecrets, seg, type StoreRef } from '../fastly-api.js';
import { OpsError, type OpsContext } from '../context.js';
import { unifiedDiff, type Step } from '../plan.js';

/** Between staging a key and activating it: the secret and the index must reach every POP. */
const DEFAULT_PROPAGATION_WAIT_S = 300;
/** Added to the cookie lifetime for the default grace: clocks and propagation are not exact. */
const GRACE_MARGIN_S = 3600;
/** A key is retired only this long after its grace deadline (the operator's clock may run ahead of the edge's). */
const RETIRE_MARGIN_S = 600;
/** An unnamed key secret younger than this may belong to a generate still in progress. */
const ORPHAN_MIN_AGE_S = 3600;
/** `keys list --requests-per-second` warns from this share of the active key's nonce budget. */
const NONCE_BUDGET_WARN_SHARE = 0.5;
/** If activation happens this much later than planned (a suspended laptop), the grace is re-planned. */
const MAX_ACTIVATION_DELAY_S = 300;

interface KeyState {
  config: StoreRef;
  secrets: StoreRef;
  index: KeyRingIndex | null;
  indexText: string | null;
  secretNames: string[];
  secretCreatedS: Map<string, number>;
}

async function readKeyState(ctx: OpsContext): Promise<KeyState> {
  const [config, secrets] = await Promise.all([
    findStore(ctx.api, 'config', ctx.stores.config),
    findStore(ctx.api, 'secret', ctx.stores.secret),
  ]);
  const [indexText, secretList] = await Promise.all([
    getConfigItem(ctx.api, config.id, KEY_RING_ITEM),
    listSecrets(ctx.api, secrets.id),
  ]);
  const secretNames = secretList.map((s) => s.name);
  const secretCreatedS = new Map(
    secretList
      .filter((s) => s.createdAt && Number.isFinite(Date.parse(s.createdAt)))
      .map((s) => [s.name, Math.floor(Date.parse(s.createdAt!) / 1000)]),
  );
  let index: KeyRingIndex | null = null;
  if (indexText !== null && indexText.trim() !== '') {
    try {
      index = parseKeyRingIndex(indexText);
    } catch (error) {
      throw new OpsError(
        `the current ${KEY_RING_ITEM} is invalid ` +
          `(${error instanceof Error ? error.message : String(error)}): fix it by hand before using keys commands`,
      );
    }
  }
  return { config, secrets, index, indexText, secretNames, secretCreatedS };
}

const secretIds = (names: string[]) =>
  names
    .map((n) => /^cookie_key_(\d{1,3})$/.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .filter((id) => id <= 255);

/** The next free id after the highest in use (index or secrets), wrapping at 255. */
function nextKeyId(state: KeyState): number {
  const used = new Set([
    ...(state.index?.keys.map((k) => k.id) ?? []),
    ...secretIds(state.secretNames),
  ]);
  const highest = used.size === 0 ? 0 : Math.max(...used);
  for (let step = 1; step <= 256; step++) {
    const id = (highest + step) % 256;
    if (!used.has(id)) return id;
  }
  throw new OpsError('all 256 key ids are in use: retire keys first');
}

const pretty = (index: KeyRingIndex | null) =>
  index
    ? formatKeyRingIndex(index)
        .replace(/\{"id"/g, '\n  {"id"')
        .replace(/\]\}$/, '\n]}')
    : '';

/**
 * Writes the index, but only if it still holds `base` (the text this plan read or wrote last):
 * the index is read-modify-write, and another operator's change must not be overwritten.
 */
function writeIndexStep(
  state: KeyState,
  base: string | null,
  before: KeyRingIndex | null,
  index: KeyRingIndex,
  title: string,
  ctx: OpsContext,
  extraCheck?: () => string | null,
): Step {
  return {
    title,
    request: {
      method: 'PUT',
      path: `/resources/stores/config/${seg(state.config.id)}/item/${KEY_RING_ITEM}`,
      form: { item_value: formatKeyRingIndex(index) },
    },
    diff: unifiedDiff(pretty(before), pretty(index), [
      `${KEY_RING_ITEM} (before)`,
      `${KEY_RING_ITEM} (after)`,
    ]),
    precondition: async () => {
      const problem = extraCheck?.();
      if (problem) return problem;
      const current = await getConfigItem(ctx.api, state.config.id, KEY_RING_ITEM);
      return (current ?? null) === (base ?? null)
        ? null
        : `${KEY_RING_ITEM} changed since this plan read it (another operator?): nothing more ` +
            `was written; run the command again`;
    },
  };
}

/** Steps that create a new key's secret and name it in the index (staged, or active on a new ring). */
function generateSteps(
  ctx: OpsContext,
  state: KeyState,
): { steps: Step[]; id: number; index: KeyRingIndex } {
  if (
    !state.index &&
    state.secretNames.includes(COOKIE_KEYS_ITEM) &&
    !ctx.options.has('replace-cookie-keys')
  ) {
    throw new OpsError(
      `the secret store has the hand-managed secret "${COOKIE_KEYS_ITEM}" and there is ` +
        `no ${KEY_RING_ITEM}: a new index would replace it, and every live cookie under its ` +
        `keys would become unreadable. ` +
        `Migrate first (docs/operators.md, "Moving from cookie_keys"); if ${COOKIE_KEYS_ITEM} ` +
        `is empty or unused, pass --replace-cookie-keys.`,
    );
  }
  if (state.index && state.index.keys.length >= MAX_RING_KEYS)
    throw new OpsError(
      `the ring already has ${MAX_RING_KEYS} keys, the most it may hold: run \`keys retire\` first`,
    );
  const id = nextKeyId(state);
  const nowS = Math.floor(ctx.now() / 1000);
  const hex = Buffer.from(ctx.randomBytes(32)).toString('hex');
  const added: RingKey = state.index
    ? { id, status: 'staged', createdS: nowS }
    : { id, status: 'active', createdS: nowS };
  const index: KeyRingIndex = state.index
    ? { active: state.index.active, keys: [...state.index.keys, added] }
    : { active: id, keys: [added] };
  const steps: Step[] = [
    {
      // POST refuses an existing name: a key id is never overwritten.
      title: `create secret ${keySecretName(id)} (32 random bytes) in ${ctx.stores.secret}`,
      request: {
        method: 'POST',
        path: `/resources/stores/secret/${seg(state.secrets.id)}/secrets`,
        json: { name: keySecretName(id), secret: Buffer.from(hex).toString('base64') },
        secretFields: ['secret'],
      },
    },
    writeIndexStep(
      state,
      state.indexText,
      state.index,
      index,
      `name key ${id} in ${KEY_RING_ITEM} as ${added.status}`,
      ctx,
    ),
  ];
  return { steps, id, index };
}

const describeIndex = (index: KeyRingIndex | null) =>
  index ? JSON.parse(formatKeyRingIndex(index)) : null;

export async function keysGenerate(ctx: OpsContext): Promise<void> {
  const state = await readKeyState(ctx);
  const { steps, id, index } = generateSteps(ctx, state);
  const result = await ctx.apply('keys generate', steps, {
    target: { config_store: ctx.stores.config, secret_store: ctx.stores.secret },
    before: describeIndex(state.index),
    after: describeIndex(index),
  });
  if (result.applied)
    ctx.out(
      state.index
        ? `key ${id} is staged: it opens cookies everywhere once propagated; \`keys rotate\` makes it active`
        : `key ${id} is active (first key of a new ring)`,
    );
}

/**
 * The longest a cookie sealed now can stay valid: the absolute session lifetime in force, as the
 * scorer's item parser computes it from the items it depends on.
 */
async function cookieLifetimeS(ctx: OpsContext, state: KeyState): Promise<number> {
  const items = ['settings', ...SESSION_ITEMS.map(([item]) => item)] as const;
  const texts = await Promise.all(
    items.map((item) => getConfigItem(ctx.api, state.config.id, item)),
  );
  const parsed = parseConfigItems(
    (item) => texts[(items as readonly string[]).indexOf(item)] ?? null,
    prepareItemDefaults(),
  );
  // With invalid items the scorer fails open (seals nothing); the default lifetime is the safe bound then.
  return parsed.ok ? parsed.config.settings.session.maxAgeS : DEFAULT_SETTINGS.session.maxAgeS;
}

export async function keysRotate(ctx: OpsContext): Promise<void> {
  const state = await readKeyState(ctx);
  if (!state.index)
    throw new OpsError(
      `no ${KEY_RING_ITEM} yet: run \`keys generate\` to create the first (active) key`,
    );
  const nowS = Math.floor(ctx.now() / 1000);
  const lifetimeS = await cookieLifetimeS(ctx, state);
  const graceOption = ctx.options.get('grace-seconds');
  if (graceOption !== undefined && !/^\d{1,10}$/.test(graceOption))
    throw new OpsError('--grace-seconds: expected a whole number of seconds');
  const graceS = graceOption === undefined ? lifetimeS + GRACE_MARGIN_S : Number(graceOption);
  if (graceS < lifetimeS && !ctx.options.has('allow-short-grace')) {
    throw new OpsError(
      `--grace-seconds ${graceS} is shorter than the cookie lifetime (${lifetimeS} s): cookies ` +
        `sealed under the current key just before the rotation would expire early. Pass ` +
        `--allow-short-grace to do that on purpose (a compromised key).`,
    );
  }
  const waitOption = ctx.options.get('propagation-wait-seconds');
  if (waitOption !== undefined && !/^\d{1,6}$/.test(waitOption))
    throw new OpsError('--propagation-wait-seconds: expected a whole number of seconds');
  const waitS = waitOption === undefined ? DEFAULT_PROPAGATION_WAIT_S : Number(waitOption);

  const steps: Step[] = [];
  let index = state.index;
  let base = state.indexText;
  let staged = [...index.keys].reverse().find((k) => k.status === 'staged');
  let waitMs = 0;
  if (!staged) {
    const generated = generateSteps(ctx, state);
    steps.push(...generated.steps);
    index = generated.index;
    base = formatKeyRingIndex(index);
    staged = index.keys.find((k) => k.id === generated.id)!;
    waitMs = waitS * 1000;
  } else if (!secretIds(state.secretNames).includes(staged.id)) {
    throw new OpsError(
      `staged key ${staged.id} is named by ${KEY_RING_ITEM} but its ` +
        `secret ${keySecretName(staged.id)} is missing: activating it would leave the scorer ` +
        `without its active key. Remove it from ${KEY_RING_ITEM} by hand first.`,
    );
  } else if (staged.createdS !== undefined && nowS - staged.createdS < waitS) {
    waitMs = (waitS - (nowS - staged.createdS)) * 1000;
  }
  const previous = index.active;
  const activationS = nowS + Math.ceil(waitMs / 1000);
  const rotated: KeyRingIndex = {
    active: staged.id,
    keys: index.keys.map((key): RingKey => {
      if (key.id === staged!.id) return { ...key, status: 'active' };
      if (key.id === previous)
        return {
          id: key.id,
          status: 'grace',
          graceUntilS: activationS + graceS,
          ...(key.createdS === undefined ? {} : { createdS: key.createdS }),
        };
      return key;
    }),
  };
  // The grace deadline is fixed now; if the activation comes much later than planned, it would
  // shorten the grace, so the step refuses and the operator re-runs (the staged key stays staged).
  const lateActivation = () =>
    Math.floor(ctx.now() / 1000) > activationS + MAX_ACTIVATION_DELAY_S
      ? `the activation is more than ${MAX_ACTIVATION_DELAY_S} s later than planned, which ` +
        `would shorten key ${previous}'s grace: run \`keys rotate\` again (key ${staged!.id} stays staged)`
      : null;
  steps.push({
    ...writeIndexStep(
      state,
      base,
      index,
      rotated,
      `activate key ${staged.id}; key ${previous} opens cookies until ${isoInstant(activationS + graceS)}`,
      ctx,
      lateActivation,
    ),
    ...(waitMs > 0 ? { waitBeforeMs: waitMs } : {}),
  });
  const result = await ctx.apply('keys rotate', steps, {
    target: { config_store: ctx.stores.config, secret_store: ctx.stores.secret },
    before: describeIndex(state.index),
    after: describeIndex(rotated),
  });
  if (result.applied)
    ctx.out(
      `key ${staged.id} is active; key ${previous} stays readable ` +
        `until ${isoInstant(activationS + graceS)} (then \`keys retire\`)`,
    );
}

export async function keysList(ctx: OpsContext): Promise<void> {
  const state = await readKeyState(ctx);
  const nowS = Math.floor(ctx.now() / 1000);
  const present = new Set(secretIds(state.secretNames));
  if (!state.index) {
    ctx.out(
      state.secretNames.includes(COOKIE_KEYS_ITEM)
        ? `no ${KEY_RING_ITEM}: the scorer uses the hand-managed secret "${COOKIE_KEYS_ITEM}" ` +
            `(its contents cannot be listed)`
        : `no keys: run \`keys generate\``,
    );
  } else {
    ctx.out('id   status                                      created               secret');
    for (const key of state.index.keys) {
      const status =
        key.status === 'grace'
          ? key.graceUntilS! >= nowS
            ? `grace until ${isoInstant(key.graceUntilS!)}`
            : `past grace since ${isoInstant(key.graceUntilS!)} (retire)`
          : key.status;
      ctx.out(
        `${String(key.id).padEnd(4)} ${status.padEnd(43)} ` +
          `${(key.createdS === undefined ? '-' : isoInstant(key.createdS)).padEnd(21)} ` +
          `${present.has(key.id) ? 'present' : 'MISSING'}`,
      );
    }
  }
  const rateOption = ctx.options.get('requests-per-second');
  if (rateOption !== undefined) {
    const rate = Number(rateOption);
    if (!/^\d+(\.\d+)?$/.test(rateOption) || !(rate > 0))
      throw new OpsError('--requests-per-second: expected a number above 0');
    const active = state.index?.keys.find((k) => k.status === 'active');
    if (active?.createdS === undefined)
      ctx.out(
        'nonce budget: the active key has no creation time in the index; rotate it to start counting',
      );
    else {
      const used = nonceBudgetUsed(nowS - active.createdS, rate);
      const exhaustedS = active.createdS + Math.floor(NONCE_BUDGET_SEALS / rate);
      const line =
        `nonce budget of key ${active.id}: ${(used * 100).toFixed(1)} % of 2^32 ` +
        `seals used at ${rate} requests/s; exhausted at ${isoInstant(exhaustedS)}`;
      ctx.out(
        used >= NONCE_BUDGET_WARN_SHARE
          ? `WARNING: ${line}: rotate the key now (\`keys rotate\`)`
          : line,
      );
    }
  }
  const staged = state.index?.keys.filter((k) => k.status === 'staged') ?? [];
  if (staged.length > 1)
    ctx.out(
      `${staged.length} keys are staged: \`keys rotate\` activates the newest ` +
        `(${staged.at(-1)!.id}); the others keep opening cookies until a rotation makes them previous keys`,
    );
  const orphans = [...present].filter((id) => !state.index?.keys.some((k) => k.id === id));
  if (orphans.length > 0)
    ctx.out(
      `secrets not named by the index (an interrupted ` +
        `generate?): ${orphans.map(keySecretName).join(', ')}; \`keys retire --orphans\` deletes them`,
    );
}

export async function keysRetire(ctx: OpsContext): Promise<void> {
  const state = await readKeyState(ctx);
  const nowS = Math.floor(ctx.now() / 1000);
  const retirable = (k: RingKey) => k.status === 'grace' && k.graceUntilS! + RETIRE_MARGIN_S < nowS;
  const past = state.index?.keys.filter(retirable) ?? [];
  const unnamed = secretIds(state.secretNames).filter(
    (id) => !state.index?.keys.some((k) => k.id === id),
  );
  const orphans = ctx.options.has('orphans')
    ? unnamed.filter(
        (id) => nowS - (state.secretCreatedS.get(keySecretName(id)) ?? 0) >= ORPHAN_MIN_AGE_S,
      )
    : [];
  if (ctx.options.has('orphans') && orphans.length < unnamed.length)
    ctx.out(
      `kept (created less than ${ORPHAN_MIN_AGE_S / 3600} h ago, perhaps by a generate in progress): ${unnamed
        .filter((id) => !orphans.includes(id))
        .map(keySecretName)
        .join(', ')}`,
    );
  const inGrace = state.index?.keys.filter((k) => k.status === 'grace' && !retirable(k)) ?? [];
  if (inGrace.length > 0)
    ctx.out(
      `kept (in grace, or less than ${RETIRE_MARGIN_S / 60} min past ` +
        `it): ${inGrace.map((k) => `key ${k.id} until ${isoInstant(k.graceUntilS!)}`).join(', ')}`,
    );
  if (past.length === 0 && orphans.length === 0) {
    ctx.out('no key is past its grace deadline: nothing to retire');
    return;
  }
  const steps: Step[] = [];
  let after = state.index;
  if (past.length > 0 && state.index) {
    after = { active: state.index.active, keys: state.index.keys.filter((k) => !past.includes(k)) };
    steps.push(
      writeIndexStep(
        state,
        state.indexText,
        state.index,
        after,
        `remove key${past.length > 1 ? 's' : ''} ${past.map((k) => k.id).join(', ')} from ${KEY_RING_ITEM}`,
        ctx,
      ),
    );
  }
  const present = new Set(secretIds(state.secretNames));
  for (const id of [...past.map((k) => k.id).filter((id) => present.has(id)), ...orphans]) {
    steps.push({
      title: `delete secret ${keySecretName(id)}`,
      request: {
        method: 'DELETE',
        path: `/resources/stores/secret/${seg(state.secrets.id)}/secrets/${keySecretName(id)}`,
      },
    });
  }
  await ctx.apply('keys retire', steps, {
    target: { config_store: ctx.stores.config, secret_store: ctx.stores.secret },
    before: describeIndex(state.index),
    after: {
      index: describeIndex(after),
      deleted_secrets: [...past.map((k) => k.id), ...orphans].map(keySecretName),
    },
  });
}
