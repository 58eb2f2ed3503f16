/**
 * All configuration is read here: the Config Store (mode, cookie, rule constants, classifier),
 * the Secret Store (cookie keys, caller secret) and the KV Store (the Layer 2 model). Every value
 * is validated; a problem becomes a typed failure the app answers fail-open, never an exception.
 * docs/configuration.md describes every item.
 */
import {
  createClassifier,
  createKeyRing,
  DEFAULT_CLASSIFIER,
  hexToBytes,
  loadModel,
  resolveSettings,
  ScorerError,
  type Classifier,
  type ClassifierConfig,
  type KeyRing,
  type ScorerSettings,
  type TransitionModel,
} from '@session-scorer/core';
import type { FailOpenReason } from './headers.js';
import {
  KEY_RING_ITEM,
  keySecretName,
  parseInstant,
  parseKeyRingIndex,
  type KeyRingIndex,
} from './key-ring-index.js';
import { DEFAULT_LOG_ENDPOINT, type Platform } from './platform.js';

export type Mode = 'off' | 'monitor' | 'enforce';
export const MODES: readonly Mode[] = ['off', 'monitor', 'enforce'];

export interface CookieConfig {
  name: string;
  realm: string;
  domain: string | null;
  secure: boolean;
}

export interface AppConfig {
  mode: Mode;
  cookie: CookieConfig;
  settings: ScorerSettings;
  classifier: Classifier;
  logEndpoint: string;
}

export type Loaded<T> =
  { ok: true; value: T } | { ok: false; reason: FailOpenReason; detail: string };

export const DEFAULT_COOKIE_NAME = 'ss_session';
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
const COOKIE_DOMAIN = /^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
const LOG_ENDPOINT = /^[A-Za-z0-9_-]{1,255}$/;

/** Defaults parsed once, at initialisation (the Wizer snapshot), not per request. */
export interface Defaults {
  settings: ScorerSettings;
  classifier: Classifier;
  model: TransitionModel;
}

export function prepareDefaults(embeddedModel: unknown): Defaults {
  return {
    settings: resolveSettings({}),
    classifier: createClassifier(DEFAULT_CLASSIFIER),
    model: loadModel(embeddedModel),
  };
}

const fail = (
  reason: FailOpenReason,
  detail: string,
): { ok: false; reason: FailOpenReason; detail: string } => ({ ok: false, reason, detail });

const jsonItemCache = new Map<string, unknown>();

export function readConfig(platform: Platform, defaults: Defaults): Loaded<AppConfig> {
  // An empty item counts as absent: `fastly compute publish` may create items with empty values.
  const get = (key: string): string | null => {
    const value = platform.config(key);
    return value === null || value.trim() === '' ? null : value;
  };
  let modeItem: string | null;
  try {
    modeItem = get('mode'); // the first read opens the store: a missing store throws here
  } catch (error) {
    return fail('config-store-unavailable', errorText(error));
  }
  try {
    const problems: string[] = [];
    const mode = (modeItem ?? 'monitor').trim();
    if (!MODES.includes(mode as Mode))
      problems.push(`mode: expected one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
    const name = get('cookie_name') ?? DEFAULT_COOKIE_NAME;
    if (!COOKIE_NAME.test(name))
      problems.push(
        `cookie_name: expected 1–64 cookie-name characters, got ${JSON.stringify(name)}`,
      );
    const realm = get('cookie_realm') ?? name;
    if (utf8Length(realm) > 255) problems.push('cookie_realm: expected at most 255 UTF-8 bytes');
    const domain = get('cookie_domain');
    if (domain !== null && !COOKIE_DOMAIN.test(domain))
      problems.push(`cookie_domain: expected a domain name, got ${JSON.stringify(domain)}`);
    const secureText = get('cookie_secure') ?? 'true';
    if (secureText !== 'true' && secureText !== 'false')
      problems.push(`cookie_secure: expected true or false, got ${JSON.stringify(secureText)}`);
    // Browsers drop __Host- and __Secure- cookies that break their prefix rules.
    if (/^__(Host|Secure)-/i.test(name) && secureText === 'false')
      problems.push(
        `cookie_name: a ${name.slice(0, 8)} cookie must be Secure (cookie_secure true)`,
      );
    if (/^__Host-/i.test(name) && domain !== null)
      problems.push('cookie_domain: a __Host- cookie must not have a Domain');
    const logEndpoint = get('log_endpoint') ?? DEFAULT_LOG_ENDPOINT;
    if (!LOG_ENDPOINT.test(logEndpoint))
      problems.push(
        `log_endpoint: expected a log endpoint name, got ${JSON.stringify(logEndpoint)}`,
      );

    // JSON items: absent = the default prepared at init; invalid = a listed problem. Valid ones are
    // cached by their text, for reused sandboxes.
    const jsonItem = <T>(key: string, fallback: T, build: (parsed: unknown) => T): T => {
      const text = get(key);
      if (text === null) return fallback;
      const cached = jsonItemCache.get(`${key}\n${text}`);
      if (cached !== undefined) return cached as T;
      try {
        const value = build(JSON.parse(text));
        if (jsonItemCache.size > 16) jsonItemCache.clear();
        jsonItemCache.set(`${key}\n${text}`, value);
        return value;
      } catch (error) {
        problems.push(`${key}: ${errorText(error)}`);
        return fallback;
      }
    };
    // The session lifetimes also have items of their own, applied over `settings`.
    const sessionItems: Record<string, number> = {};
    for (const [item, setting] of [
      ['cookie_max_age_s', 'maxAgeS'],
      ['session_idle_timeout_s', 'idleTimeoutS'],
      ['session_id_rotation_s', 'sessionIdRotationS'],
    ] as const) {
      const text = get(item);
      if (text === null) continue;
      if (!/^\d{1,10}$/.test(text.trim()))
        problems.push(`${item}: expected a whole number of seconds, got ${JSON.stringify(text)}`);
      else sessionItems[setting] = Number(text.trim());
    }
    // The challenge's difficulty and lifetime also have items of their own, applied over `settings`.
    const challengeItems: Record<string, number> = {};
    for (const [item, setting] of CHALLENGE_ITEMS) {
      const text = get(item);
      if (text === null) continue;
      if (!/^\d{1,10}$/.test(text.trim()))
        problems.push(`${item}: expected a whole number, got ${JSON.stringify(text)}`);
      else challengeItems[setting] = Number(text.trim());
    }
    let settings = jsonItem('settings', defaults.settings, resolveSettings);
    // A maximum age below the idle timeout caps the idle timeout too (unless both are given).
    if (
      sessionItems.maxAgeS !== undefined &&
      sessionItems.idleTimeoutS === undefined &&
      settings.session.idleTimeoutS > sessionItems.maxAgeS
    ) {
      sessionItems.idleTimeoutS = sessionItems.maxAgeS;
    }
    if (Object.keys(sessionItems).length > 0) {
      try {
        settings = resolveSettings({
          ...settings,
          session: { ...settings.session, ...sessionItems },
        });
      } catch (error) {
        problems.push(errorText(error));
      }
    }
    if (Object.keys(challengeItems).length > 0) {
      try {
        settings = resolveSettings({
          ...settings,
          challenge: { ...settings.challenge, ...challengeItems },
        });
      } catch (error) {
        problems.push(errorText(error));
      }
    }
    const classifier = jsonItem('classifier', defaults.classifier, (parsed) =>
      createClassifier(parsed as ClassifierConfig),
    );
    if (problems.length > 0) return fail('config-invalid', problems.join('; '));
    return {
      ok: true,
      value: {
        mode: mode as Mode,
        cookie: { name, realm, domain, secure: secureText === 'true' },
        settings,
        classifier,
        logEndpoint,
      },
    };
  } catch (error) {
    return fail('config-store-unavailable', errorText(error));
  }
}

/**
 * Cookie keys come from one of two sources (docs/configuration.md); there is no default key.
 * - Config Store `cookie_key_ring` (the index: ids, active, staged, grace deadlines; written by
 *   `npm run ops -- keys …`) plus one Secret Store item `cookie_key_<id>` (64 hex) per key.
 * - Otherwise the Secret Store item `cookie_keys`: JSON `{"active": <id>, "keys": [{"id": <0-255>,
 *   "key": "<64 hex chars>", "grace_until": "<ISO 8601 or Unix seconds>"}]}` (hand-managed).
 * Without either the scorer fails open with `keys-missing`.
 */
// In a reused sandbox the key ring (AES key schedules, GHASH tables) is rebuilt only when the
// source texts change; they are still read on every request, so a rotation applies at once.
let cachedKeyRing: { text: string; ring: KeyRing } | undefined;

// A staged key opens cookies until it is activated: it has no deadline of its own.
export const STAGED_UNTIL_S = 0xffffffff;

export async function readKeyRing(
  platform: Platform,
  nowS = Math.floor(platform.now() / 1000),
): Promise<Loaded<KeyRing>> {
  let indexText: string | null;
  try {
    indexText = platform.config(KEY_RING_ITEM);
  } catch (error) {
    return fail('config-store-unavailable', errorText(error));
  }
  if (indexText !== null && indexText.trim() !== '')
    return readIndexedKeyRing(platform, indexText, nowS);
  let text: string | null;
  try {
    text = await platform.secret('cookie_keys');
  } catch (error) {
    return fail('secret-store-unavailable', errorText(error));
  }
  if (text === null || text.trim() === '')
    return fail(
      'keys-missing',
      `neither config item "${KEY_RING_ITEM}" nor secret "cookie_keys" is set: there is no default key`,
    );
  if (cachedKeyRing?.text === text) return { ok: true, value: cachedKeyRing.ring };
  try {
    const doc = JSON.parse(text) as { active?: unknown; keys?: unknown };
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.keys))
      throw new ScorerError('INVALID_KEYS', 'expected {"active": id, "keys": [...]}');
    const keys = doc.keys.map(
      (entry: { id?: unknown; key?: unknown; grace_until?: unknown }, index: number) => {
        if (typeof entry?.key !== 'string' || !/^[0-9a-fA-F]{64}$/.test(entry.key))
          throw new ScorerError(
            'INVALID_KEYS',
            `keys[${index}].key: expected 64 hex characters (32 bytes)`,
          );
        const graceUntilS =
          entry.grace_until === undefined
            ? undefined
            : parseInstant(`keys[${index}].grace_until`, entry.grace_until);
        return {
          id: entry.id as number,
          key: hexToBytes(entry.key),
          ...(graceUntilS === undefined ? {} : { graceUntilS }),
        };
      },
    );
    const ring = buildRing(doc.active as number, keys);
    cachedKeyRing = { text, ring };
    return { ok: true, value: ring };
  } catch (error) {
    // Never echo a value from this secret (an operator may have put key bytes in the wrong field):
    // only the field and what was expected.
    if (error instanceof SyntaxError)
      return fail('keys-invalid', 'secret "cookie_keys" is not valid JSON');
    return fail('keys-invalid', errorText(error).replace(/, got [\s\S]*$/, ''));
  }
}

/**
 * The index names the keys; each key's bytes are the secret `cookie_key_<id>`. A missing secret
 * is tolerated only where no live cookie can depend on it: a staged key (nothing sealed with it
 * yet: the secret may still be propagating) or a key past its grace deadline (its cookies are
 * expired anyway). A missing active or in-grace key fails open, so an operator's mistake never
 * scores visitors as tampering.
 */
async function readIndexedKeyRing(
  platform: Platform,
  indexText: string,
  nowS: number,
): Promise<Loaded<KeyRing>> {
  let index: KeyRingIndex;
  try {
    index = parseKeyRingIndex(indexText);
  } catch (error) {
    return fail('keys-invalid', errorText(error));
  }
  let secrets: (string | null)[];
  try {
    secrets = await Promise.all(index.keys.map((key) => platform.secret(keySecretName(key.id))));
  } catch (error) {
    return fail('secret-store-unavailable', errorText(error));
  }
  const cacheText = `${indexText}\n${secrets.join('\n')}`;
  if (cachedKeyRing?.text === cacheText) return { ok: true, value: cachedKeyRing.ring };
  const keys: { id: number; key: Uint8Array; graceUntilS?: number }[] = [];
  for (const [i, entry] of index.keys.entries()) {
    const secret = secrets[i]?.trim() ?? '';
    const name = keySecretName(entry.id);
    if (secret === '') {
      if (entry.status === 'staged' || (entry.status === 'grace' && entry.graceUntilS! < nowS))
        continue;
      return fail(
        entry.status === 'active' ? 'keys-missing' : 'keys-invalid',
        `secret "${name}" (${entry.status} key ${entry.id} in "${KEY_RING_ITEM}") is not set`,
      );
    }
    if (!/^[0-9a-fA-F]{64}$/.test(secret))
      return fail('keys-invalid', `secret "${name}": expected 64 hex characters (32 bytes)`);
    const graceUntilS = entry.status === 'staged' ? STAGED_UNTIL_S : entry.graceUntilS;
    keys.push({
      id: entry.id,
      key: hexToBytes(secret),
      ...(graceUntilS === undefined ? {} : { graceUntilS }),
    });
  }
  try {
    const ring = buildRing(index.active, keys);
    cachedKeyRing = { text: cacheText, ring };
    return { ok: true, value: ring };
  } catch (error) {
    return fail('keys-invalid', errorText(error).replace(/, got [\s\S]*$/, ''));
  }
}

// A reused sandbox opens and seals many cookies under one key: the 4-bit GHASH table (512
// entries) halves the hashing work for little build cost; the 8-bit one costs too much to build.
const buildRing = (
  activeKeyId: number,
  keys: { id: number; key: Uint8Array; graceUntilS?: number }[],
) => createKeyRing({ activeKeyId, keys }, { table: 'medium' });

/** Config Store items for the challenge, each applied over the `settings` JSON's challenge section. */
export const CHALLENGE_ITEMS = [
  ['challenge_difficulty_bits', 'difficultyBits'],
  ['challenge_lifetime_s', 'lifetimeS'],
] as const;

/** Secret Store item holding the challenge HMAC key: 64 hex characters (32 bytes). */
export const CHALLENGE_KEY_ITEM = 'challenge_key';

/** The challenge HMAC key. Its errors name the item, never a value from it. */
export async function readChallengeKey(platform: Platform): Promise<Loaded<Uint8Array>> {
  let text: string | null;
  try {
    text = await platform.secret(CHALLENGE_KEY_ITEM);
  } catch (error) {
    return fail('secret-store-unavailable', errorText(error));
  }
  const trimmed = text?.trim() ?? '';
  if (trimmed === '')
    return fail(
      'challenge-key-missing',
      `secret "${CHALLENGE_KEY_ITEM}" is not set: there is no default challenge key`,
    );
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed))
    return fail(
      'challenge-key-invalid',
      `secret "${CHALLENGE_KEY_ITEM}": expected 64 hex characters (32 bytes)`,
    );
  return { ok: true, value: hexToBytes(trimmed) };
}

export const MIN_CALLER_SECRET_LENGTH = 32;

/**
 * The caller secrets the scorer accepts in x-scorer-auth (surrounding whitespace ignored):
 * `caller_secret`, and `caller_secret_next` when set. The second lets a rotation hand the new
 * secret to the scorer before the VCL starts sending it (docs/operators.md), so no preflight is
 * refused on the way. Null when neither is set.
 */
export const CALLER_SECRET_ITEMS = ['caller_secret', 'caller_secret_next'] as const;

export async function readCallerSecret(platform: Platform): Promise<Loaded<string[] | null>> {
  let secrets: (string | null)[];
  try {
    secrets = await Promise.all(CALLER_SECRET_ITEMS.map((item) => platform.secret(item)));
  } catch (error) {
    return fail('secret-store-unavailable', errorText(error));
  }
  const accepted: string[] = [];
  for (const [i, secret] of secrets.entries()) {
    const trimmed = secret?.trim() ?? '';
    if (trimmed.length === 0) continue;
    if (trimmed.length < MIN_CALLER_SECRET_LENGTH)
      return fail(
        'caller-secret-invalid',
        `secret "${CALLER_SECRET_ITEMS[i]}" has ${trimmed.length} characters; at least ${MIN_CALLER_SECRET_LENGTH} are required`,
      );
    accepted.push(trimmed);
  }
  return { ok: true, value: accepted.length === 0 ? null : accepted };
}

export interface ModelChoice {
  model: TransitionModel;
  source: 'kv' | 'embedded';
  /** Set when the embedded model is used because the KV Store could not be read. */
  warning?: string;
}

/**
 * KV item `current` names the model version in use; the document is `models/<version>`. No
 * `current`, or no readable KV Store, means the model embedded at build (a `current` equal to the
 * embedded version also uses the embedded copy: versions name models). A `current` whose document
 * is missing or invalid fails open: scoring with another model than the operator chose would
 * surprise them.
 */
// The last model loaded from KV, by its document text (a reused sandbox skips parse and validation).
let cachedModel: { text: string; model: TransitionModel } | undefined;

export async function readModel(
  platform: Platform,
  embedded: TransitionModel,
): Promise<Loaded<ModelChoice>> {
  let current: string | null;
  try {
    current = await platform.kvText('current');
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
    text = await platform.kvText(`models/${version}`);
  } catch (error) {
    return fail('model-store-unavailable', errorText(error));
  }
  if (text === null)
    return fail(
      'model-missing',
      `KV "current" names ${JSON.stringify(version)} but "models/${version}" does not exist`,
    );
  if (cachedModel?.text === text)
    return { ok: true, value: { model: cachedModel.model, source: 'kv' } };
  try {
    const model = loadModel(JSON.parse(text));
    cachedModel = { text, model };
    if (model.version !== version)
      return fail(
        'model-invalid',
        `"models/${version}" holds version ${JSON.stringify(model.version)}`,
      );
    return { ok: true, value: { model, source: 'kv' } };
  } catch (error) {
    return fail(
      'model-invalid',
      error instanceof SyntaxError ? `"models/${version}" is not valid JSON` : errorText(error),
    );
  }
}

const encoder = new TextEncoder();
const utf8Length = (text: string) => encoder.encode(text).length;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? text.slice(0, 500) + '…' : text;
}
