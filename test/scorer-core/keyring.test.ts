import { describe, expect, it } from 'vitest';
import {
  createCookieCodec,
  createKeyRing,
  createScorer,
  ScorerError,
} from '../../scorer-core/src/index.js';
import { handModel, seededRandom, TEST_KEY_1, TEST_KEY_2 } from '../helpers/fixtures.js';

const T = 1_795_000_000_000;
const REALM = 'ss_session';

describe('key ring configuration', () => {
  it('has no default key: an empty or absent configuration is refused with a typed error', () => {
    for (const config of [{ activeKeyId: 1, keys: [] }, {}, undefined, null]) {
      let caught: unknown;
      try {
        createKeyRing(config as never);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ScorerError);
      expect((caught as ScorerError).code).toBe('NO_KEYS');
    }
    expect(() => createScorer({ model: handModel(), realm: REALM } as never)).toThrow(
      expect.objectContaining({ code: 'NO_KEYS' }),
    );
  });

  it('validates ids, key lengths, duplicates and grace deadlines with clear messages', () => {
    const key = TEST_KEY_1;
    expect(() =>
      createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: new Uint8Array(16) }] }),
    ).toThrow('"keys[0].key" expected Uint8Array of length 32, got length=16');
    expect(() => createKeyRing({ activeKeyId: 256, keys: [{ id: 1, key }] })).toThrow(
      '"activeKeyId" expected an integer in [0, 255], got number 256',
    );
    expect(() =>
      createKeyRing({
        activeKeyId: 1,
        keys: [
          { id: 1, key },
          { id: 1, key, graceUntilS: 5 },
        ],
      }),
    ).toThrow('keys[1].id 1 appears more than once');
    expect(() => createKeyRing({ activeKeyId: 2, keys: [{ id: 1, key }] })).toThrow(
      'keys[0] (id 1) is a previous key and needs graceUntilS',
    );
    expect(() => createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key, graceUntilS: 9 }] })).toThrow(
      expect.objectContaining({ code: 'ACTIVE_KEY_HAS_GRACE' }),
    );
    expect(() =>
      createKeyRing({ activeKeyId: 3, keys: [{ id: 1, key: TEST_KEY_1, graceUntilS: 9 }] }),
    ).toThrow('activeKeyId 3 is not among the configured key ids [1]');
  });

  it('describes ids and deadlines, never key bytes', () => {
    const ring = createKeyRing({
      activeKeyId: 2,
      keys: [
        { id: 1, key: TEST_KEY_1, graceUntilS: 100 },
        { id: 2, key: TEST_KEY_2 },
      ],
    });
    expect(ring.describe()).toEqual([
      { id: 1, active: false, graceUntilS: 100 },
      { id: 2, active: true },
    ]);
  });
});

describe('key rotation', () => {
  // Old ring: key 1 active. New ring: key 2 active, key 1 accepted until T/1000 + 3600.
  const oldRing = createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: TEST_KEY_1 }] });
  const graceUntilS = T / 1000 + 3600;
  const newRing = createKeyRing({
    activeKeyId: 2,
    keys: [
      { id: 1, key: TEST_KEY_1, graceUntilS },
      { id: 2, key: TEST_KEY_2 },
    ],
  });
  const oldScorer = createScorer({
    keyRing: oldRing,
    realm: REALM,
    model: handModel(),
    random: seededRandom(1),
  });
  const newScorer = createScorer({
    keyRing: newRing,
    realm: REALM,
    model: handModel(),
    random: seededRandom(2),
  });
  const first = oldScorer.decide({ nowMs: T, method: 'GET', path: '/', cookie: undefined });

  it(
    'a cookie under the previous key within grace opens, keeps its state and is re-sealed ' +
      'under the active key',
    () => {
      const next = newScorer.decide({
        nowMs: T + 60_000,
        method: 'GET',
        path: '/item',
        cookie: first.setCookie.value,
      });
      expect(next.cookieStatus).toBe('ok');
      expect(next.session.isNew).toBe(false);
      expect(next.session.rekeyedFromKeyId).toBe(1);
      expect(next.state.sessionId).toEqual(first.state.sessionId);
      expect(next.state.requests).toBe(2);
      expect(next.keyId).toBe(2);
      // header: format 2, key id 2
      expect([...Buffer.from(next.setCookie.value, 'base64url').subarray(0, 2)]).toEqual([2, 2]);
      const opened = createCookieCodec({ keyRing: newRing, realm: REALM }).open(
        next.setCookie.value,
        T + 61_000,
      );
      expect(opened).toMatchObject({
        kind: 'ok',
        keyId: 2,
        keyStatus: 'active',
        needsReseal: false,
      });
    },
  );

  it('the grace deadline itself is still within grace; one second later the cookie is expired', () => {
    const codec = createCookieCodec({ keyRing: newRing, realm: REALM });
    expect(codec.open(first.setCookie.value, graceUntilS * 1000 + 999)).toMatchObject({
      kind: 'ok',
      keyStatus: 'grace',
      needsReseal: true,
    });
    expect(codec.open(first.setCookie.value, (graceUntilS + 1) * 1000)).toEqual({
      kind: 'expired',
      reason: 'past-grace',
      keyId: 1,
    });
  });

  it('past grace the scorer starts a new session and reports the cookie as expired', () => {
    const later = newScorer.decide({
      nowMs: (graceUntilS + 5) * 1000,
      method: 'GET',
      path: '/',
      cookie: first.setCookie.value,
    });
    expect(later.cookieStatus).toBe('expired');
    expect(later.cookieProblem).toBe('past-grace');
    expect(later.session.isNew).toBe(true);
  });

  it('a key id the ring does not know is a forgery: tampered, and scored 100 (it was expired, score 0, before)', () => {
    const onlyKey2 = createKeyRing({ activeKeyId: 2, keys: [{ id: 2, key: TEST_KEY_2 }] });
    expect(
      createCookieCodec({ keyRing: onlyKey2, realm: REALM }).open(first.setCookie.value, T + 1000),
    ).toEqual({ kind: 'tampered', reason: 'unknown-key' });
    const scorer = createScorer({ keyRing: onlyKey2, realm: REALM, model: handModel() });
    const forged = scorer.decide({
      nowMs: T + 1000,
      method: 'GET',
      path: '/',
      cookie: first.setCookie.value,
    });
    expect(forged.cookieStatus).toBe('tampered');
    expect(forged.score).toBe(100);
    expect(forged.reasons).toContain('cookie_tampered');
  });

  it('a cookie sealed for another realm never opens', () => {
    const other = createCookieCodec({ keyRing: oldRing, realm: 'other-site' });
    expect(other.open(first.setCookie.value, T + 1000)).toEqual({
      kind: 'tampered',
      reason: 'authentication',
    });
  });
});
