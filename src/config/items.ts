/**
 * The Config Store items (docs/configuration.md) as the scorer's AppConfig: a pure function of
 * the items' texts, with no store, cache or clock, so the operator CLI refuses a value with the
 * very rules and messages the scorer would fail open on. Every problem is one line naming the
 * item(s) at fault; an absent or empty item takes its default.
 */
import {
  createClassifier,
  MAX_REALM_BYTES,
  resolveSettings,
  type Classifier,
  type ClassifierConfig,
  type ScorerSettings,
} from '@session-scorer/core';
import { errorText } from '../error-text.js';
import { DEFAULT_MODE, MODES, type Mode } from '../edge-contract.js';
import { DEFAULT_LOG_ENDPOINT } from '../platform.js';
import type { ItemDefaults } from './defaults.js';

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

export const DEFAULT_COOKIE_NAME = 'ss_session';
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
const COOKIE_DOMAIN = /^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
const LOG_ENDPOINT = /^[A-Za-z0-9_-]{1,255}$/;

/** Items for the session lifetimes, each applied over the `settings` JSON's session section. */
export const SESSION_ITEMS = [
  ['cookie_max_age_s', 'maxAgeS'],
  ['session_idle_timeout_s', 'idleTimeoutS'],
  ['session_id_rotation_s', 'sessionIdRotationS'],
] as const;

/** Items for the challenge, each applied over the `settings` JSON's challenge section. */
export const CHALLENGE_ITEMS = [
  ['challenge_difficulty_bits', 'difficultyBits'],
  ['challenge_lifetime_s', 'lifetimeS'],
] as const;

/** Every item the scorer reads into its AppConfig (`cookie_key_ring` is read with the keys). */
export const CONFIG_ITEMS = [
  'mode',
  'cookie_name',
  'cookie_realm',
  'cookie_domain',
  'cookie_secure',
  'cookie_max_age_s',
  'session_idle_timeout_s',
  'session_id_rotation_s',
  'challenge_difficulty_bits',
  'challenge_lifetime_s',
  'settings',
  'classifier',
  'log_endpoint',
] as const;

export type ConfigItem = (typeof CONFIG_ITEMS)[number];

/** An item's text as stored, or null when it is absent. */
export type ItemReader = (item: ConfigItem) => string | null;

export type ParsedItems = { ok: true; config: AppConfig } | { ok: false; problems: string[] };

export function parseConfigItems(read: ItemReader, defaults: ItemDefaults): ParsedItems {
  // An empty item counts as absent: `fastly compute publish` may create items with empty values.
  const get = (item: ConfigItem): string | null => {
    const value = read(item);
    return value === null || value.trim() === '' ? null : value;
  };
  const problems: string[] = [];

  const mode = (get('mode') ?? DEFAULT_MODE).trim();
  if (!MODES.includes(mode as Mode))
    problems.push(`mode: expected one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const name = get('cookie_name') ?? DEFAULT_COOKIE_NAME;
  if (!COOKIE_NAME.test(name))
    problems.push(`cookie_name: expected 1–64 cookie-name characters, got ${JSON.stringify(name)}`);
  const realm = get('cookie_realm') ?? name;
  if (utf8Length(realm) > MAX_REALM_BYTES)
    problems.push(`cookie_realm: expected at most ${MAX_REALM_BYTES} UTF-8 bytes`);
  const domain = get('cookie_domain');
  if (domain !== null && !COOKIE_DOMAIN.test(domain))
    problems.push(`cookie_domain: expected a domain name, got ${JSON.stringify(domain)}`);
  const secureText = get('cookie_secure') ?? 'true';
  if (secureText !== 'true' && secureText !== 'false')
    problems.push(`cookie_secure: expected true or false, got ${JSON.stringify(secureText)}`);
  // Browsers drop __Host- and __Secure- cookies that break their prefix rules.
  if (/^__(Host|Secure)-/i.test(name) && secureText === 'false')
    problems.push(`cookie_name: a ${name.slice(0, 8)} cookie must be Secure (cookie_secure true)`);
  if (/^__Host-/i.test(name) && domain !== null)
    problems.push('cookie_domain: a __Host- cookie must not have a Domain');
  const logEndpoint = get('log_endpoint') ?? DEFAULT_LOG_ENDPOINT;
  if (!LOG_ENDPOINT.test(logEndpoint))
    problems.push(`log_endpoint: expected a log endpoint name, got ${JSON.stringify(logEndpoint)}`);

  // JSON items: absent = the default prepared at init; invalid = a listed problem.
  const jsonItem = <T>(item: ConfigItem, fallback: T, build: (parsed: unknown) => T): T => {
    const text = get(item);
    if (text === null) return fallback;
    try {
      return build(JSON.parse(text));
    } catch (error) {
      problems.push(`${item}: ${oneLine(errorText(error))}`);
      return fallback;
    }
  };
  let settings = defaults.settings;
  const settingsText = get('settings');
  if (settingsText !== null) {
    const read = readSettingsItem(settingsText);
    if (read.ok) settings = read.settings;
    else problems.push(`settings: ${read.problem}`);
  }

  // Whole-number items applied over one section of the settings; a settings error names the
  // items whose setting it mentions (or all the section's items given, if it mentions none).
  const applyItems = (
    section: 'session' | 'challenge',
    items: readonly (readonly [ConfigItem, string])[],
    expected: string,
    derive: (given: Record<string, number>) => Record<string, number> = (given) => given,
  ) => {
    const given: [ConfigItem, string][] = [];
    const values: Record<string, number> = {};
    for (const [item, setting] of items) {
      const text = get(item);
      if (text === null) continue;
      if (!/^\d{1,10}$/.test(text.trim()))
        problems.push(`${item}: expected ${expected}, got ${JSON.stringify(text)}`);
      else {
        given.push([item, setting]);
        values[setting] = Number(text.trim());
      }
    }
    if (given.length === 0) return;
    try {
      settings = resolveSettings({
        ...settings,
        [section]: { ...settings[section], ...derive(values) },
      });
    } catch (error) {
      const text = oneLine(errorText(error));
      const named = given.filter(([, setting]) => text.includes(`"${section}.${setting}"`));
      problems.push(
        `${(named.length > 0 ? named : given).map(([item]) => item).join(', ')}: ${text}`,
      );
    }
  };
  applyItems('session', SESSION_ITEMS, 'a whole number of seconds', (given) =>
    // A maximum age below the idle timeout caps the idle timeout too (unless both are given).
    given.maxAgeS !== undefined &&
    given.idleTimeoutS === undefined &&
    settings.session.idleTimeoutS > given.maxAgeS
      ? { ...given, idleTimeoutS: given.maxAgeS }
      : given,
  );
  applyItems('challenge', CHALLENGE_ITEMS, 'a whole number');

  const classifier = jsonItem('classifier', defaults.classifier, (parsed) =>
    createClassifier(parsed as ClassifierConfig),
  );
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      mode: mode as Mode,
      cookie: { name, realm, domain, secure: secureText === 'true' },
      settings,
      classifier,
      logEndpoint,
    },
  };
}

/**
 * The `settings` item read as the scorer reads it: JSON overrides resolved over the defaults
 * (scorer-core's resolveSettings), or the one-line problem the scorer reports for it.
 */
export function readSettingsItem(
  text: string,
): { ok: true; settings: ScorerSettings } | { ok: false; problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not valid JSON (${oneLine(errorText(error))})` };
  }
  try {
    return { ok: true, settings: resolveSettings(parsed) };
  } catch (error) {
    return { ok: false, problem: oneLine(errorText(error)) };
  }
}

/** Multi-line messages (the settings' list of problems) as one line. */
export const oneLine = (text: string) => text.replace(/:\n- /g, ': ').replace(/\s*\n-?\s*/g, '; ');

const encoder = new TextEncoder();
const utf8Length = (text: string) => encoder.encode(text).length;
