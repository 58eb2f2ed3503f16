/**
 * Secrets never enter a failure: each Secret Store item holds a recognisable planted value in a
 * broken form (bad hex, bad JSON, wrong length, a value in the wrong field), or the store throws
 * an error quoting it, and the value must appear in no failure detail, log line, response header
 * or body, on the preflight, the health report and the challenge page.
 */
import { describe, expect, it } from 'vitest';
import { createApp, HEALTH_PATH } from '../../src/app.js';
import { readCallerSecret } from '../../src/config/caller-secret.js';
import { readChallengeKey } from '../../src/config/challenge-key.js';
import { prepareDefaults } from '../../src/config/defaults.js';
import { readKeyRing } from '../../src/config/keys.js';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import {
  fakePlatform,
  TEST_CALLER_SECRET,
  TEST_KEY2_HEX,
  TEST_KEY_HEX,
  testSecrets,
} from '../helpers/fake-platform.js';

const defaults = prepareDefaults(defaultModel);
const ORIGIN = 'http://scorer.test';

// Recognisable markers: one for text, one that is itself hex (so only its length is wrong).
const MARK = 'PLANTEDsecretZq';
const HEX_MARK = 'c0ffee15bad0';
/** 64 characters that are not all hex. */
const NOT_HEX = (MARK + 'a'.repeat(64)).slice(0, 64);
/** 62 hex characters: one byte short. */
const SHORT_HEX = (HEX_MARK + 'b'.repeat(64)).slice(0, 62);
const RING = JSON.stringify({ active: 2, keys: [{ id: 2 }, { id: 3, staged: true }] });

type Secrets = Record<string, string>;
interface Case {
  name: string;
  marker: string;
  config?: Record<string, string>;
  secrets: Secrets;
  /** The store throws for this item, its message quoting the item's value. */
  throwsFor?: string;
}

const legacy = (keys: object | string): Secrets => ({
  ...testSecrets(),
  cookie_keys: typeof keys === 'string' ? keys : JSON.stringify(keys),
});
const ringed = (keySecrets: Secrets): Secrets => {
  const { cookie_keys: _legacy, ...rest } = testSecrets();
  return { ...rest, cookie_key_2: TEST_KEY2_HEX, cookie_key_3: TEST_KEY_HEX, ...keySecrets };
};

const cases: Case[] = [
  {
    name: 'caller_secret too short',
    marker: MARK,
    secrets: { ...testSecrets(), caller_secret: MARK },
  },
  {
    name: 'caller_secret_next too short',
    marker: MARK,
    secrets: { ...testSecrets(), caller_secret_next: MARK },
  },
  {
    name: 'challenge_key not hex',
    marker: MARK,
    secrets: { ...testSecrets(), challenge_key: NOT_HEX },
  },
  {
    name: 'challenge_key one byte short',
    marker: HEX_MARK,
    secrets: { ...testSecrets(), challenge_key: SHORT_HEX },
  },
  {
    name: 'cookie_key_3 not hex',
    marker: MARK,
    config: { cookie_key_ring: RING },
    secrets: ringed({ cookie_key_3: NOT_HEX }),
  },
  {
    name: 'cookie_key_2 one byte short',
    marker: HEX_MARK,
    config: { cookie_key_ring: RING },
    secrets: ringed({ cookie_key_2: SHORT_HEX }),
  },
  {
    name: 'cookie_keys not JSON',
    marker: MARK,
    secrets: legacy(`{"active": 1, "keys": [{"id": 1, "key": "${MARK}`),
  },
  {
    name: 'cookie_keys with a key that is not hex',
    marker: MARK,
    secrets: legacy({ active: 1, keys: [{ id: 1, key: NOT_HEX }] }),
  },
  {
    name: 'cookie_keys with a key one byte short',
    marker: HEX_MARK,
    secrets: legacy({ active: 1, keys: [{ id: 1, key: SHORT_HEX }] }),
  },
  {
    name: 'cookie_keys with key bytes as "active"',
    marker: HEX_MARK,
    secrets: legacy({ active: SHORT_HEX, keys: [{ id: 1, key: TEST_KEY_HEX }] }),
  },
  {
    name: 'cookie_keys with key bytes as an id',
    marker: HEX_MARK,
    secrets: legacy({ active: 1, keys: [{ id: SHORT_HEX, key: TEST_KEY_HEX }] }),
  },
  {
    name: 'cookie_keys with key bytes as a grace deadline',
    marker: HEX_MARK,
    secrets: legacy({
      active: 1,
      keys: [
        { id: 1, key: TEST_KEY_HEX },
        { id: 2, key: TEST_KEY2_HEX, grace_until: SHORT_HEX },
      ],
    }),
  },
  {
    name: 'cookie_keys not a key document',
    marker: MARK,
    secrets: legacy(JSON.stringify([MARK])),
  },
  ...['caller_secret', 'challenge_key', 'cookie_keys'].map((item) => ({
    name: `the store throws reading ${item}, quoting its value`,
    marker: MARK,
    secrets: { ...testSecrets(), [item]: `${MARK}-${item}` },
    throwsFor: item,
  })),
  {
    name: 'the store throws reading cookie_key_3, quoting its value',
    marker: MARK,
    config: { cookie_key_ring: RING },
    secrets: ringed({ cookie_key_3: `${MARK}-key` }),
    throwsFor: 'cookie_key_3',
  },
];

function platformFor(c: Case) {
  const platform = fakePlatform({ config: c.config ?? {}, secrets: c.secrets, kv: {} });
  const read = platform.secret;
  if (c.throwsFor)
    platform.secret = async (item) => {
      if (item === c.throwsFor)
        throw new TypeError(`could not decode secret ${item}: ${c.secrets[item]}`);
      return read(item);
    };
  return platform;
}

/** Everything an operator or a client could see from one request of each kind. */
async function everythingVisible(c: Case): Promise<{ text: string; errors: string[] }> {
  const platform = platformFor(c);
  const app = createApp(platform, defaults);
  const caller = c.secrets.caller_secret ?? TEST_CALLER_SECRET;
  const seen: string[] = [];
  const errors: string[] = [];
  for (const path of ['/', HEALTH_PATH, '/.scorer/challenge?return=/']) {
    const response = await app.handle(
      new Request(ORIGIN + path, {
        headers: { 'x-scorer-auth': caller, 'user-agent': 'Mozilla/5.0 test' },
      }),
    );
    for (const [name, value] of response.headers) seen.push(`${name}: ${value}`);
    if (response.headers.has('x-scorer-error'))
      errors.push(response.headers.get('x-scorer-error')!);
    seen.push(await response.text());
  }
  for (const { line } of platform.logs) seen.push(line);
  // The readers' own failures, as a caller of src/config would get them.
  for (const loaded of [
    await readCallerSecret(platform),
    await readChallengeKey(platform),
    await readKeyRing(platform),
  ])
    if (!loaded.ok) seen.push(loaded.reason, loaded.detail);
  return { text: seen.join('\n'), errors };
}

describe('secrets never enter a failure (structural redaction; in-memory platform)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { text, errors } = await everythingVisible(c);
      // The case did fail somewhere, and says which item.
      expect(errors.length, text).toBeGreaterThan(0);
      const item = c.throwsFor ?? /^\S+/.exec(c.name)![0];
      expect(text).toContain(`secret "${item}"`);
      expect(text).not.toContain(c.marker);
      // Nor any 12 characters of a planted value.
      for (const value of Object.values(c.secrets))
        if (value.includes(c.marker))
          for (let i = 0; i + 12 <= value.length; i += 6)
            expect(text).not.toContain(value.slice(i, i + 12));
    });
  }

  it('a failure names the item and a fixed description', async () => {
    const platform = platformFor(cases.find((c) => c.name === 'cookie_key_3 not hex')!);
    expect(await readKeyRing(platform)).toEqual({
      ok: false,
      reason: 'keys-invalid',
      detail: 'secret "cookie_key_3": expected 64 hex characters (32 bytes)',
    });
    const throwing = platformFor(cases.find((c) => c.throwsFor === 'challenge_key')!);
    expect(await readChallengeKey(throwing)).toEqual({
      ok: false,
      reason: 'secret-store-unavailable',
      detail: 'secret "challenge_key": the Secret Store could not be read (TypeError)',
    });
  });
});
