/**
 * threshold get|set, mode get|set, caller-secret set: edge dictionary items changed in place (no
 * new version; Fastly applies them in seconds), plus the scorer's own Config / Secret Store items
 * where the Compute service needs the same value.
 */
import { DEFAULT_THRESHOLD } from '@session-scorer/core';
import { prepareItemDefaults } from '../../../src/config/defaults.js';
import { parseConfigItems, type ConfigItem } from '../../../src/config/items.js';
import { CALLER_SECRET_ITEM, CALLER_SECRET_NEXT_ITEM } from '../../../src/config/caller-secret.js';
import {
  activeVersion,
  findStore,
  getConfigItem,
  getDictionary,
  getDictionaryItem,
  listSecrets,
  seg,
} from '../fastly-api.js';
import { OpsError, type OpsContext } from '../context.js';
import { PlanError, type Step } from '../plan.js';
import {
  CALLER_SECRET_DICTIONARY_KEY,
  DEFAULT_MODE,
  MODES,
  CHALLENGE_THRESHOLD_KEY,
  DICTIONARIES,
  DICTIONARY_DEFAULTS,
  SCORE_PATTERN,
} from '../../../src/edge-contract.js';

async function settingsDictionary(ctx: OpsContext, name: string) {
  const serviceId = ctx.serviceId();
  const active = await activeVersion(ctx.api, serviceId);
  const dictionary = await getDictionary(ctx.api, serviceId, active, name);
  if (!dictionary)
    throw new OpsError(
      `the active version ${active} has no edge dictionary "${name}": run \`vcl upload ` +
        `--activate\` first (it creates it)`,
    );
  return { serviceId, active, dictionary };
}

const itemStep = (
  serviceId: string,
  dictionaryId: string,
  dictionary: string,
  key: string,
  value: string,
  secret = false,
): Step => ({
  title: `set ${dictionary}.${key}${secret ? '' : ` = ${value}`}`,
  request: {
    method: 'PUT',
    path: `/service/${seg(serviceId)}/dictionary/${seg(dictionaryId)}/item/${seg(key)}`,
    form: { item_value: value },
    ...(secret ? { secretFields: ['item_value'] } : {}),
  },
});

/** The exact form the VCL accepts (^(100|[1-9]?[0-9])$): anything else it ignores. */
const SCORE_FORM = new RegExp(SCORE_PATTERN);

/** The two thresholds as the VCL reads them (the same fallbacks: default block, no challenge band). */
function effectiveThresholds(
  threshold: string | null,
  challenge: string | null,
): { block: number; challenge: number } {
  const block =
    threshold !== null && SCORE_FORM.test(threshold) ? Number(threshold) : DEFAULT_THRESHOLD;
  const band = challenge !== null && SCORE_FORM.test(challenge) ? Number(challenge) : block;
  return { block, challenge: band > block ? block : band };
}

export async function thresholdGet(ctx: OpsContext): Promise<void> {
  const { serviceId, dictionary } = await settingsDictionary(ctx, DICTIONARIES.settings);
  const [value, challenge] = await Promise.all([
    getDictionaryItem(ctx.api, serviceId, dictionary.id, 'threshold'),
    getDictionaryItem(ctx.api, serviceId, dictionary.id, CHALLENGE_THRESHOLD_KEY),
  ]);
  const effective = effectiveThresholds(value, challenge);
  const valid = value !== null && SCORE_FORM.test(value);
  ctx.out(
    `threshold: ${effective.block}` +
      (value === null
        ? ' (default: no dictionary item)'
        : valid
          ? ''
          : ` (the item holds ${JSON.stringify(value)}, which the VCL ignores)`),
  );
  const note =
    challenge === null
      ? ' (no dictionary item: no challenge band)'
      : !SCORE_FORM.test(challenge)
        ? ` (the item holds ${JSON.stringify(challenge)}, which the VCL ignores: no challenge band)`
        : Number(challenge) > effective.block
          ? ` (the item holds ${challenge}, above the threshold, which the VCL ignores: no challenge band)`
          : effective.challenge === effective.block
            ? ' (equal to the threshold: no challenge band)'
            : '';
  ctx.out(`challenge_threshold: ${effective.challenge}${note}`);
}

export async function thresholdSet(ctx: OpsContext, text: string | undefined): Promise<void> {
  // Anything outside the VCL's form would silently act as the default there.
  if (text === undefined || !SCORE_FORM.test(text))
    throw new OpsError(
      `threshold: expected a whole number 0–100 without leading zeros, got ${JSON.stringify(text ?? '')}`,
    );
  const challengeText = ctx.options.get('challenge');
  if (challengeText !== undefined && !SCORE_FORM.test(challengeText))
    throw new OpsError(
      `--challenge: expected a whole number 0–100 without leading zeros, got ${JSON.stringify(challengeText)}`,
    );
  if (challengeText !== undefined && Number(challengeText) > Number(text))
    throw new OpsError(
      `--challenge: ${challengeText} is above the threshold ${text}; the challenge band is ` +
        `[challenge_threshold, threshold), so challenge_threshold must be at most threshold`,
    );
  const { serviceId, dictionary } = await settingsDictionary(ctx, DICTIONARIES.settings);
  const [before, challengeBefore] = await Promise.all([
    getDictionaryItem(ctx.api, serviceId, dictionary.id, 'threshold'),
    getDictionaryItem(ctx.api, serviceId, dictionary.id, CHALLENGE_THRESHOLD_KEY),
  ]);
  if (
    challengeText === undefined &&
    challengeBefore !== null &&
    SCORE_FORM.test(challengeBefore) &&
    Number(challengeBefore) > Number(text)
  ) {
    throw new OpsError(
      `threshold: ${text} is below the challenge_threshold ${challengeBefore} already set; give ` +
        `--challenge M (at most ${text}) as well`,
    );
  }
  const steps: Step[] = [];
  // The challenge threshold first: in between, the VCL sees at worst a challenge threshold above
  // the block threshold, which it treats as no challenge band.
  if (challengeText !== undefined && challengeBefore !== challengeText)
    steps.push(
      itemStep(
        serviceId,
        dictionary.id,
        DICTIONARIES.settings,
        CHALLENGE_THRESHOLD_KEY,
        challengeText,
      ),
    );
  if (before !== text)
    steps.push(itemStep(serviceId, dictionary.id, DICTIONARIES.settings, 'threshold', text));
  if (steps.length === 0) {
    ctx.out(
      `threshold is ` +
        `already ${text}${challengeText !== undefined ? ` and challenge_threshold ${challengeText}` : ''}: ` +
        `nothing to change`,
    );
    return;
  }
  await ctx.apply('threshold set', steps, {
    target: { service_id: serviceId, dictionary: DICTIONARIES.settings },
    before: {
      threshold: before ?? `${DICTIONARY_DEFAULTS.threshold} (default)`,
      challenge_threshold: challengeBefore ?? '(none: no challenge band)',
    },
    after: {
      threshold: text,
      challenge_threshold: challengeText ?? challengeBefore ?? '(none: no challenge band)',
    },
  });
}

export async function modeGet(ctx: OpsContext): Promise<void> {
  const { serviceId, dictionary } = await settingsDictionary(ctx, DICTIONARIES.settings);
  const value = await getDictionaryItem(ctx.api, serviceId, dictionary.id, 'mode');
  const store = await findStore(ctx.api, 'config', ctx.stores.config);
  const scorerMode = await getConfigItem(ctx.api, store.id, 'mode');
  ctx.out(
    `mode (VCL, ${DICTIONARIES.settings}): ${value ?? `${DICTIONARY_DEFAULTS.mode} (default)`}`,
  );
  ctx.out(`mode (scorer, ${ctx.stores.config}): ${scorerModeText(scorerMode)}`);
}

/** The scorer's mode as its item parser reads the item (an empty item is the default). */
function scorerModeText(item: string | null): string {
  const parsed = parseConfigItems((name) => (name === 'mode' ? item : null), prepareItemDefaults());
  if (!parsed.ok)
    return (
      `none: the item holds ${JSON.stringify(item)}, which the scorer refuses ` +
      `(${parsed.problems.join('; ')}): it answers every request fail-open`
    );
  if (item === null) return `${parsed.config.mode} (default: no item)`;
  if (item.trim() === '') return `${parsed.config.mode} (default: the item is empty)`;
  return parsed.config.mode;
}

/**
 * Refuses a value for one of the scorer's Config Store items that the scorer would fail open on,
 * with the scorer's own message: the value goes through the scorer's item parser, the other
 * items absent. (No item written here depends on another; a cross-item rule, such as a __Host-
 * cookie_name with a cookie_domain, would need the store's other items read first.)
 */
function refuseWhatTheScorerWould(item: ConfigItem, value: string): void {
  const parsed = parseConfigItems((name) => (name === item ? value : null), prepareItemDefaults());
  if (!parsed.ok) throw new OpsError(parsed.problems.join('; '));
}

/** The VCL enforces the mode; the scorer reports it in its headers and audit log, so both are set. */
export async function modeSet(ctx: OpsContext, mode: string | undefined): Promise<void> {
  if (mode !== undefined) refuseWhatTheScorerWould('mode', mode);
  // The scorer also takes an empty item (its default) and surrounding spaces; the VCL compares
  // the dictionary item with the exact words.
  if (mode === undefined || !(MODES as readonly string[]).includes(mode))
    throw new OpsError(
      `mode: expected one of ${MODES.join(', ')} exactly, got ${JSON.stringify(mode ?? '')}`,
    );
  const { serviceId, dictionary } = await settingsDictionary(ctx, DICTIONARIES.settings);
  const store = await findStore(ctx.api, 'config', ctx.stores.config);
  const [before, scorerBefore] = await Promise.all([
    getDictionaryItem(ctx.api, serviceId, dictionary.id, 'mode'),
    getConfigItem(ctx.api, store.id, 'mode'),
  ]);
  const steps: Step[] = [];
  if (before !== mode)
    steps.push(itemStep(serviceId, dictionary.id, DICTIONARIES.settings, 'mode', mode));
  if (scorerBefore !== mode) {
    steps.push({
      title: `set ${ctx.stores.config}.mode = ${mode}`,
      request: {
        method: 'PUT',
        path: `/resources/stores/config/${seg(store.id)}/item/mode`,
        form: { item_value: mode },
      },
    });
  }
  if (steps.length === 0) {
    ctx.out(`mode is already ${mode}: nothing to change`);
    return;
  }
  await ctx.apply('mode set', steps, {
    target: {
      service_id: serviceId,
      dictionary: DICTIONARIES.settings,
      config_store: ctx.stores.config,
    },
    before: {
      vcl: before ?? `${DICTIONARY_DEFAULTS.mode} (default)`,
      scorer: scorerBefore ?? `${DEFAULT_MODE} (default)`,
    },
    after: { vcl: mode, scorer: mode },
  });
}

/**
 * The edge dictionary key the VCL sends as x-scorer-auth (vcl-snippets, scripts/vcl): the VCL's
 * own name, which happens to equal the scorer's Secret Store item.
 */

/** Between handing the scorer a new caller secret and the VCL sending it, and again before it replaces the old one. */
const CALLER_SECRET_WAIT_S = 60;

/**
 * A new random caller secret (32 bytes, base64url), never printed. The scorer accepts
 * `caller_secret` and `caller_secret_next`, so a rotation never refuses a preflight:
 * 1. the scorer's `caller_secret_next` = new (it now accepts old and new);
 * 2. after a propagation wait, the VCL's private dictionary item = new (the VCL sends new);
 * 3. after another wait, the scorer's `caller_secret` = new (old no longer accepted).
 * `caller_secret_next` keeps the same value until the next rotation overwrites it. On a service
 * with no caller secret yet there is nothing to keep working: both are written at once.
 */
export async function callerSecretSet(ctx: OpsContext): Promise<void> {
  const { serviceId, dictionary } = await settingsDictionary(ctx, DICTIONARIES.secrets);
  const store = await findStore(ctx.api, 'secret', ctx.stores.secret);
  const waitOption = ctx.options.get('propagation-wait-seconds');
  if (waitOption !== undefined && !/^\d{1,6}$/.test(waitOption))
    throw new OpsError('--propagation-wait-seconds: expected a whole number of seconds');
  const waitMs = Number(waitOption ?? CALLER_SECRET_WAIT_S) * 1000;
  const existing = (await listSecrets(ctx.api, store.id)).some(
    (s) => s.name === CALLER_SECRET_ITEM,
  );
  const secret = Buffer.from(ctx.randomBytes(32)).toString('base64url');
  const scorerSecret = (name: string, title: string): Step => ({
    title,
    request: {
      method: 'PUT',
      path: `/resources/stores/secret/${seg(store.id)}/secrets`,
      json: { name, secret: Buffer.from(secret).toString('base64') },
      secretFields: ['secret'],
    },
  });
  const vclSecret = itemStep(
    serviceId,
    dictionary.id,
    DICTIONARIES.secrets,
    CALLER_SECRET_DICTIONARY_KEY,
    secret,
    true,
  );
  const steps: Step[] = existing
    ? [
        scorerSecret(
          CALLER_SECRET_NEXT_ITEM,
          `store the new caller secret as ${CALLER_SECRET_NEXT_ITEM} in ${ctx.stores.secret} ` +
            `(the scorer accepts old and new)`,
        ),
        {
          ...vclSecret,
          title: `${vclSecret.title}: the VCL sends the new secret`,
          ...(waitMs > 0 ? { waitBeforeMs: waitMs } : {}),
        },
        {
          ...scorerSecret(
            CALLER_SECRET_ITEM,
            `store the new caller secret as ${CALLER_SECRET_ITEM} in ${ctx.stores.secret} (the ` +
              `old one is no longer accepted)`,
          ),
          ...(waitMs > 0 ? { waitBeforeMs: waitMs } : {}),
        },
      ]
    : [
        scorerSecret(
          CALLER_SECRET_ITEM,
          `store a new random ${CALLER_SECRET_ITEM} (32 bytes) in the secret store ${ctx.stores.secret}`,
        ),
        vclSecret,
      ];
  try {
    await ctx.apply('caller-secret set', steps, {
      target: {
        service_id: serviceId,
        secret_store: ctx.stores.secret,
        dictionary: DICTIONARIES.secrets,
      },
      before: { [CALLER_SECRET_ITEM]: existing ? 'set (value not recorded)' : 'absent' },
      after: { [CALLER_SECRET_ITEM]: 'new random value (not recorded)' },
    });
  } catch (error) {
    if (error instanceof PlanError && error.applied.length > 0) {
      throw new OpsError(
        `${error.message}\nthe scorer and the VCL may now hold different ` +
          `secrets${existing ? ' (the scorer still accepts the new one as ${CALLER_SECRET_NEXT_ITEM})' : ''}: ` +
          `run \`caller-secret set\` again; until it succeeds, refused preflights are served unscored (fail open)`,
      );
    }
    throw error;
  }
}
