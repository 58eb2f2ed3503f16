import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64UrlEncode, createCookieCodec, createKeyRing } from '../../scorer-core/src/index.js';
import { arbitraryState } from '../helpers/arbitraries.js';
import { seededRandom, TEST_KEY_1, TEST_KEY_2 } from '../helpers/fixtures.js';

// SCORER_FULL_TESTS=1 (npm run test:full, run by CI) opens a million mutated cookies.
const FULL = Boolean(process.env.SCORER_FULL_TESTS);
const MUTATED_COOKIES = FULL ? 1_000_000 : 25_000;
const NOW_MS = 1_795_000_000_000;

const keyRing = createKeyRing({
  activeKeyId: 1,
  keys: [
    { id: 1, key: TEST_KEY_1 },
    { id: 2, key: TEST_KEY_2, graceUntilS: 0xffffffff },
  ],
});
const codec = createCookieCodec({ keyRing, realm: 'ss_session', random: seededRandom(7) });
// Valid cookies to mutate: states that are not expired at NOW_MS.
const originals = fc
  .sample(
    arbitraryState.map((s) => ({ ...s, expiresAtS: 0xffffffff })),
    { numRuns: 64, seed: 42 },
  )
  .map((state) => codec.seal(state));
const originalSet = new Set(originals);

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const JUNK = ALPHABET + '+/=.%; "\\\u0000\u007f\u00e9\u2028\ud800';

type Mutation =
  | { kind: 'bit-flips'; positions: number[] }
  | { kind: 'truncate-bytes'; keep: number }
  | { kind: 'extend-bytes'; extra: Uint8Array }
  | { kind: 'set-byte'; position: number; value: number }
  | { kind: 'replace-chars'; edits: [number, string][] }
  | { kind: 'truncate-text'; keep: number }
  | { kind: 'append-text'; extra: string }
  | { kind: 'random-text'; text: string }
  | { kind: 'random-bytes'; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('bit-flips' as const),
    positions: fc.uniqueArray(fc.nat(114 * 8 - 1), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('truncate-bytes' as const), keep: fc.nat(113) }),
  fc.record({
    kind: fc.constant('extend-bytes' as const),
    extra: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.record({ kind: fc.constant('set-byte' as const), position: fc.nat(113), value: fc.nat(255) }),
  fc.record({
    kind: fc.constant('replace-chars' as const),
    edits: fc.array(fc.tuple(fc.nat(151), fc.constantFrom(...JUNK.split(''))), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
  fc.record({ kind: fc.constant('truncate-text' as const), keep: fc.nat(151) }),
  fc.record({
    kind: fc.constant('append-text' as const),
    extra: fc.string({ unit: fc.constantFrom(...JUNK.split('')), minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('random-text' as const),
    text: fc.string({ unit: fc.constantFrom(...JUNK.split('')), maxLength: 600 }),
  }),
  fc.record({
    kind: fc.constant('random-bytes' as const),
    bytes: fc.uint8Array({ maxLength: 160 }),
  }),
);

function mutate(cookie: string, m: Mutation): string {
  const bytes = Buffer.from(cookie, 'base64url');
  switch (m.kind) {
    case 'bit-flips':
      for (const p of m.positions) bytes[p >> 3]! ^= 1 << (p & 7);
      return base64UrlEncode(bytes);
    case 'truncate-bytes':
      return base64UrlEncode(bytes.subarray(0, m.keep));
    case 'extend-bytes':
      return base64UrlEncode(Buffer.concat([bytes, m.extra]));
    case 'set-byte':
      bytes[m.position] = m.value;
      return base64UrlEncode(bytes);
    case 'replace-chars': {
      const chars = cookie.split('');
      for (const [i, c] of m.edits) chars[i] = c;
      return chars.join('');
    }
    case 'truncate-text':
      return cookie.slice(0, m.keep);
    case 'append-text':
      return cookie + m.extra;
    case 'random-text':
      return m.text;
    case 'random-bytes':
      return base64UrlEncode(m.bytes);
  }
}

describe('cookie opening under mutation', () => {
  it(
    `${MUTATED_COOKIES.toLocaleString('en')} mutated or random cookies: opening never throws ` +
      `and never succeeds`,
    () => {
      let opened = 0;
      const kinds = new Map<string, number>();
      fc.assert(
        fc.property(fc.nat(originals.length - 1), mutation, (index, m) => {
          const mutated = mutate(originals[index]!, m);
          fc.pre(!originalSet.has(mutated)); // a mutation that changed nothing is not a test
          const result = codec.open(mutated, NOW_MS);
          opened++;
          const key = 'reason' in result ? `${result.kind}/${result.reason}` : result.kind;
          kinds.set(key, (kinds.get(key) ?? 0) + 1);
          if (result.kind === 'ok')
            throw new Error(
              `mutated cookie opened: ${JSON.stringify({ mutation: m.kind, mutated })}`,
            );
        }),
        { numRuns: MUTATED_COOKIES, seed: FULL ? undefined : 20261123, maxSkipsPerRun: 1 },
      );
      expect(opened).toBeGreaterThanOrEqual(MUTATED_COOKIES);
      // The mutations reach every stage of opening, authentication included.
      for (const stage of [
        'tampered/encoding',
        'tampered/length',
        'tampered/version',
        'tampered/authentication',
        'tampered/unknown-key',
        'missing',
      ]) {
        expect(kinds.get(stage) ?? 0, stage).toBeGreaterThan(0);
      }
    },
  );

  it('seal then open returns the same state, for any state', () => {
    fc.assert(
      fc.property(arbitraryState, (state) => {
        const live = { ...state, expiresAtS: 0xffffffff };
        const opened = codec.open(codec.seal(live), NOW_MS);
        if (opened.kind !== 'ok') throw new Error(`did not open: ${JSON.stringify(opened)}`);
        expect(opened.state).toEqual(live);
      }),
      { numRuns: FULL ? 50_000 : 2_000 },
    );
  });

  it('the unmutated originals all open', () => {
    for (const cookie of originals) expect(codec.open(cookie, NOW_MS).kind).toBe('ok');
  });
});
