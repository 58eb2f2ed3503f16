/**
 * The Config Store item parser (src/config/items.ts) on its own: a pure function of the items'
 * texts. For each item: valid, invalid (one line naming the item), and absent → its default.
 */
import { describe, expect, it } from 'vitest';
import { prepareItemDefaults } from '../../src/config/defaults.js';
import {
  CONFIG_ITEMS,
  oneLine,
  parseConfigItems,
  readSettingsItem,
  type AppConfig,
} from '../../src/config/items.js';

const defaults = prepareItemDefaults();
const parse = (items: Record<string, string>) =>
  parseConfigItems((item) => items[item] ?? null, defaults);
const config = (items: Record<string, string>): AppConfig => {
  const parsed = parse(items);
  if (!parsed.ok) throw new Error(`unexpected problems: ${parsed.problems.join(' | ')}`);
  return parsed.config;
};
const problems = (items: Record<string, string>): string[] => {
  const parsed = parse(items);
  return parsed.ok ? [] : parsed.problems;
};

describe('Config Store items → AppConfig (pure parser)', () => {
  it('with no items, every default', () => {
    const parsed = config({});
    expect(parsed.mode).toBe('monitor');
    expect(parsed.cookie).toEqual({
      name: 'ss_session',
      realm: 'ss_session',
      domain: null,
      secure: true,
    });
    expect(parsed.logEndpoint).toBe('scorer_audit');
    expect(parsed.settings).toBe(defaults.settings);
    expect(parsed.classifier).toBe(defaults.classifier);
    expect(parsed.settings.session).toMatchObject({
      maxAgeS: 604800,
      idleTimeoutS: 21600,
      sessionIdRotationS: 3600,
    });
    expect(parsed.settings.challenge).toMatchObject({ difficultyBits: 16, lifetimeS: 300 });
  });

  it('an empty or blank item counts as absent', () => {
    const blank = Object.fromEntries(CONFIG_ITEMS.map((item, i) => [item, i % 2 ? '' : ' \n']));
    expect(config(blank)).toEqual(config({}));
  });

  it('mode', () => {
    expect(config({ mode: 'enforce' }).mode).toBe('enforce');
    expect(config({ mode: ' off ' }).mode).toBe('off');
    expect(problems({ mode: 'block' })).toEqual([
      'mode: expected one of off, monitor, enforce, got "block"',
    ]);
    expect(problems({ mode: 'ENFORCE' })).toEqual([
      'mode: expected one of off, monitor, enforce, got "ENFORCE"',
    ]);
  });

  it('cookie_name and cookie_realm (the realm defaults to the name)', () => {
    expect(config({ cookie_name: 'sid' }).cookie).toMatchObject({ name: 'sid', realm: 'sid' });
    expect(config({ cookie_name: 'sid', cookie_realm: 'shop' }).cookie).toMatchObject({
      name: 'sid',
      realm: 'shop',
    });
    expect(problems({ cookie_name: 'a b' })).toEqual([
      'cookie_name: expected 1–64 cookie-name characters, got "a b"',
    ]);
    expect(problems({ cookie_name: 'x'.repeat(65) })).toHaveLength(1);
    // 'é' is 2 UTF-8 bytes: 127 of them and one 'a' are 255 bytes, 128 are 256.
    expect(config({ cookie_realm: 'é'.repeat(127) + 'a' }).cookie.realm).toHaveLength(128);
    expect(problems({ cookie_realm: 'é'.repeat(128) })).toEqual([
      'cookie_realm: expected at most 255 UTF-8 bytes',
    ]);
  });

  it('cookie_domain and cookie_secure, with the __Host- / __Secure- prefix rules', () => {
    expect(config({ cookie_domain: '.example.com' }).cookie.domain).toBe('.example.com');
    expect(config({ cookie_secure: 'false' }).cookie.secure).toBe(false);
    expect(problems({ cookie_domain: 'exa mple.com' })).toEqual([
      'cookie_domain: expected a domain name, got "exa mple.com"',
    ]);
    expect(problems({ cookie_secure: 'yes' })).toEqual([
      'cookie_secure: expected true or false, got "yes"',
    ]);
    expect(problems({ cookie_name: '__Host-sid', cookie_domain: 'example.com' })).toEqual([
      'cookie_domain: a __Host- cookie must not have a Domain',
    ]);
    expect(problems({ cookie_name: '__Secure-sid', cookie_secure: 'false' })).toEqual([
      'cookie_name: a __Secure cookie must be Secure (cookie_secure true)',
    ]);
    expect(config({ cookie_name: '__Host-sid' }).cookie).toEqual({
      name: '__Host-sid',
      realm: '__Host-sid',
      domain: null,
      secure: true,
    });
  });

  it('log_endpoint', () => {
    expect(config({ log_endpoint: 'my_audit' }).logEndpoint).toBe('my_audit');
    expect(problems({ log_endpoint: 'bad endpoint' })).toEqual([
      'log_endpoint: expected a log endpoint name, got "bad endpoint"',
    ]);
  });

  it('the session lifetime items, over the settings', () => {
    // A maximum age below the default idle timeout (21600) caps the idle timeout too.
    expect(config({ cookie_max_age_s: '3600' }).settings.session).toMatchObject({
      maxAgeS: 3600,
      idleTimeoutS: 3600,
    });
    expect(config({ session_idle_timeout_s: '7200' }).settings.session.idleTimeoutS).toBe(7200);
    expect(config({ session_id_rotation_s: '600' }).settings.session.sessionIdRotationS).toBe(600);
    expect(problems({ cookie_max_age_s: 'week' })).toEqual([
      'cookie_max_age_s: expected a whole number of seconds, got "week"',
    ]);
    expect(problems({ session_id_rotation_s: '-5' })).toEqual([
      'session_id_rotation_s: expected a whole number of seconds, got "-5"',
    ]);
    expect(problems({ session_idle_timeout_s: '30' })).toEqual([
      'session_idle_timeout_s: invalid scorer settings: "session.idleTimeoutS" expected an ' +
        'integer in [60, 3888000], got 30',
    ]);
    // Both given: no cap, and the rule between them names both items.
    expect(problems({ cookie_max_age_s: '3600', session_idle_timeout_s: '7200' })).toEqual([
      'cookie_max_age_s, session_idle_timeout_s: invalid scorer settings: ' +
        '"session.idleTimeoutS" (7200) must be ≤ "session.maxAgeS" (3600)',
    ]);
  });

  it('the challenge items, over the settings', () => {
    expect(
      config({ challenge_difficulty_bits: '12', challenge_lifetime_s: '60' }).settings.challenge,
    ).toMatchObject({ difficultyBits: 12, lifetimeS: 60 });
    expect(problems({ challenge_difficulty_bits: '40' })).toEqual([
      'challenge_difficulty_bits: invalid scorer settings: "challenge.difficultyBits" expected ' +
        'an integer in [0, 32], got 40',
    ]);
    expect(problems({ challenge_lifetime_s: '1.5' })).toEqual([
      'challenge_lifetime_s: expected a whole number, got "1.5"',
    ]);
  });

  it('settings (JSON), the items applied over it', () => {
    const parsed = config({
      settings: '{"layer1":{"fastFloorMs":400},"session":{"idleTimeoutS":3600}}',
      session_id_rotation_s: '900',
    });
    expect(parsed.settings.layer1.fastFloorMs).toBe(400);
    expect(parsed.settings.session).toMatchObject({
      maxAgeS: 604800,
      idleTimeoutS: 3600,
      sessionIdRotationS: 900,
    });
    expect(problems({ settings: '{"layer1":' })).toEqual([
      'settings: not valid JSON (Unexpected end of JSON input)',
    ]);
    expect(problems({ settings: '{"layer1":{"fastFloorMs":-1,"dwellWindow":0.5}}' })).toEqual([
      'settings: invalid scorer settings: "layer1.fastFloorMs" expected an integer in [0, ' +
        '60000], got -1; "layer1.dwellWindow" expected an integer in [2, 8], got 0.5',
    ]);
  });

  it('readSettingsItem: the settings rule the parser and the ops CLI share, problems on one line', () => {
    expect(readSettingsItem('{"combine":{"layer2Weight":0.25}}')).toMatchObject({
      ok: true,
      settings: { combine: { layer2Weight: 0.25 } },
    });
    expect(readSettingsItem('nope')).toEqual({
      ok: false,
      problem: expect.stringMatching(/^not valid JSON \(Unexpected token/),
    });
    expect(readSettingsItem('{"layer1":{"fastFloorMs":-1,"dwellWindow":0.5}}')).toEqual({
      ok: false,
      problem:
        'invalid scorer settings: "layer1.fastFloorMs" expected an integer in [0, 60000], got -1; ' +
        '"layer1.dwellWindow" expected an integer in [2, 8], got 0.5',
    });
    expect(oneLine('problems:\n- a\n- b')).toBe('problems: a; b');
  });

  it('classifier (JSON)', () => {
    const { classifier } = config({
      classifier: '{"rules":[{"class":"blog","prefix":"/blog/"}],"defaultClass":"page"}',
    });
    expect(classifier.classify('GET', '/blog/first-post')).toBe('blog');
    expect(classifier.classify('GET', '/about')).toBe('page');
    expect(problems({ classifier: '{"rules":[]}' })).toEqual([
      'classifier: defaultClass expected a class name matching /^[a-z][a-z0-9_-]{0,31}$/, got undefined',
    ]);
  });

  it('reports every problem, one line each, each naming its item', () => {
    const found = problems({
      mode: 'x',
      cookie_secure: 'no',
      settings: '{"nope":{}}',
      challenge_lifetime_s: 'soon',
      classifier: '[]',
    });
    expect(found.map((line) => line.split(':')[0])).toEqual([
      'mode',
      'cookie_secure',
      'settings',
      'challenge_lifetime_s',
      'classifier',
    ]);
    for (const line of found) expect(line).not.toContain('\n');
  });

  it('reads only the items it lists, each at most once', () => {
    const asked: string[] = [];
    parseConfigItems((item) => (asked.push(item), null), defaults);
    expect([...asked].sort()).toEqual([...CONFIG_ITEMS].sort());
  });
});
