/**
 * Builds the cookie test vectors of test/vectors/ (written by test/vectors/generate.ts, checked
 * for freshness by test/scorer-core/vectors.test.ts).
 *
 * Independence: the plaintexts come from scorer-core's encodeState (its layout is checked byte
 * by byte in test/scorer-core/state.test.ts), but every ciphertext, tag and base64url string is
 * made here with node:crypto (OpenSSL) and Buffer, not with scorer-core's AES-GCM or base64url.
 * Keys and nonces are fixed, made-up test values (dev-only: never use them for a real service).
 */
import { createCipheriv } from 'node:crypto';
import { encodeState, type SessionState } from '../../scorer-core/src/index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytesFrom = (start: number, length: number) =>
  Uint8Array.from({ length }, (_, i) => (start + i * 7) & 0xff);

interface RingJson {
  activeKeyId: number;
  keys: { id: number; key: string; graceUntilS?: number }[];
}

function sealWithNode(
  key: Uint8Array,
  header: Uint8Array,
  nonce: Uint8Array,
  realm: string,
  plaintext: Uint8Array,
): string {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.concat([header, Buffer.from(realm, 'utf8')]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, nonce, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

function stateJson(state: SessionState) {
  return { ...state, sessionId: hex(state.sessionId) };
}

export function buildCookieVectors() {
  const KEY_A = bytesFrom(0x11, 32);
  const KEY_B = bytesFrom(0x5a, 32);
  const KEY_C = bytesFrom(0xc3, 32);
  const T0 = 1_795_000_000; // 2026-11-18T10:13:20Z

  const NEVER_CHALLENGED = {
    challengePassedAtS: null,
    challengeTag: 0,
    challengesUnanswered: 0,
  } as const;
  const base: SessionState = {
    sessionId: bytesFrom(0xa0, 16),
    createdAtS: T0,
    sessionIdIssuedAtS: T0,
    expiresAtS: T0 + 6 * 3600,
    lastSeenMs: T0 * 1000 + 250,
    lastPageViewMs: T0 * 1000 + 250,
    requests: 1,
    pageViews: 1,
    lastPageClass: 0,
    modelTag: 0x1b2c3d4e,
    transitions: 1,
    surprisalMilliBits: 3807,
    fastEvidenceCenti: 0,
    dwellCs: [],
    flags: 1,
    ...NEVER_CHALLENGED,
  };

  interface ValidInput {
    name: string;
    description: string;
    kid: number;
    key: Uint8Array;
    realm: string;
    nonce: Uint8Array;
    nowMs: number;
    state: SessionState;
  }

  /** One valid-cookie vector of format `version` from its inputs and the plaintext that format seals. */
  function validVector(v: ValidInput, version: number, plaintext: Uint8Array) {
    return {
      name: v.name,
      description: v.description,
      version,
      key: hex(v.key),
      kid: v.kid,
      realm: v.realm,
      nonce: hex(v.nonce),
      nowMs: v.nowMs,
      state: stateJson(v.state),
      plaintext: hex(plaintext),
      cookie: sealWithNode(v.key, Uint8Array.of(version, v.kid), v.nonce, v.realm, plaintext),
    };
  }

  /** The state of the mid-session vectors of both formats (rotated id, dwell samples, evidence). */
  const midSession = {
    ...base,
    sessionId: bytesFrom(0x42, 16),
    sessionIdIssuedAtS: T0 + 300,
    expiresAtS: T0 + 600 + 21600,
    lastSeenMs: T0 * 1000 + 540_123,
    lastPageViewMs: T0 * 1000 + 539_000,
    requests: 14,
    pageViews: 9,
    lastPageClass: 3,
    transitions: 8,
    surprisalMilliBits: 31_250,
    fastEvidenceCenti: 250,
    dwellCs: [1200, 45, 30, 6000, 815],
    flags: 0,
  };

  const valid = [
    {
      name: 'first-page-view',
      description: 'a session just started by a request without a cookie',
      kid: 1,
      key: KEY_A,
      realm: 'ss_session',
      nonce: bytesFrom(0x01, 12),
      nowMs: T0 * 1000 + 300,
      state: base,
    },
    {
      name: 'mid-session',
      description: 'five dwell samples, some fast-browsing evidence, rotated id',
      kid: 7,
      key: KEY_B,
      realm: 'www.example.com',
      nonce: bytesFrom(0x33, 12),
      nowMs: (T0 + 600) * 1000,
      state: {
        ...midSession,
        challengePassedAtS: T0 + 420,
        challengeTag: 0x9e3779b9,
        challengesUnanswered: 0,
      },
    },
    {
      name: 'saturated',
      description:
        'every counter at its maximum, a full dwell window, all flags, client family tag 31, non-ASCII realm',
      kid: 255,
      key: KEY_C,
      realm: 'café-ßession',
      nonce: bytesFrom(0xf0, 12),
      nowMs: (T0 + 100) * 1000,
      state: {
        ...base,
        sessionId: new Uint8Array(16).fill(0xff),
        expiresAtS: 0xffffffff,
        lastSeenMs: T0 * 1000 + 0xfffffffe,
        lastPageViewMs: T0 * 1000 + 0xfffffffe,
        requests: 0xffffffff,
        pageViews: 0xffffffff,
        lastPageClass: 254,
        modelTag: 0xffffffff,
        transitions: 0xffff,
        surprisalMilliBits: 0xffffffff,
        fastEvidenceCenti: 0xffff,
        dwellCs: new Array(8).fill(0xffff),
        flags: 7,
        challengePassedAtS: 0xffffffff,
        challengeTag: 0xffffffff,
        challengesUnanswered: 255,
        clientFamilyTag: 31,
      },
    },
    {
      name: 'no-page-view-yet',
      description: 'only a static request so far: no page view, no page class',
      kid: 0,
      key: KEY_A,
      realm: 'ss_session',
      nonce: new Uint8Array(12),
      nowMs: T0 * 1000 + 10,
      state: {
        ...base,
        sessionId: new Uint8Array(16),
        lastSeenMs: T0 * 1000,
        lastPageViewMs: null,
        pageViews: 0,
        lastPageClass: 255,
        transitions: 0,
        surprisalMilliBits: 0,
        flags: 4,
        challengesUnanswered: 2,
      },
    },
  ].map((v) => {
    return validVector(v, 2, encodeState(v.state));
  });

  // Format 0x01 cookies (75-byte plaintext: the 0x02 layout without its last 9 bytes), as the
  // previous release sealed them: they open with the challenge fields at "never challenged".
  const validV1 = [
    {
      name: 'v1-first-page-view',
      description: 'a format 0x01 cookie of a session just started',
      kid: 1,
      key: KEY_A,
      realm: 'ss_session',
      nonce: bytesFrom(0x05, 12),
      nowMs: T0 * 1000 + 300,
      state: base,
    },
    {
      name: 'v1-mid-session',
      description: 'a format 0x01 cookie mid-session, key id 7',
      kid: 7,
      key: KEY_B,
      realm: 'www.example.com',
      nonce: bytesFrom(0x37, 12),
      nowMs: (T0 + 600) * 1000,
      state: {
        ...midSession,
      },
    },
  ].map((v) => {
    return validVector(v, 1, encodeState(v.state).subarray(0, 75));
  });

  // Invalid vectors start from the mid-session cookie (key id 7 = KEY_B, realm www.example.com).
  const mid = valid[1]!;
  const midNow = mid.nowMs;
  const ringAB: RingJson = {
    activeKeyId: 7,
    keys: [
      { id: 7, key: hex(KEY_B) },
      { id: 8, key: hex(KEY_A), graceUntilS: 0xffffffff },
    ],
  };
  const midBytes = Buffer.from(mid.cookie, 'base64url');
  const withByte = (offset: number, value: (old: number) => number) => {
    const copy = Buffer.from(midBytes);
    copy[offset] = value(copy[offset]!);
    return copy.toString('base64url');
  };
  const flipped = (offset: number) => withByte(offset, (old) => old ^ 0x01);
  const midPlain = Buffer.from(mid.plaintext, 'hex');
  const sealMid = (header: number[], plaintext: Uint8Array = midPlain, key = KEY_B) =>
    sealWithNode(key, Uint8Array.from(header), Buffer.from(mid.nonce, 'hex'), mid.realm, plaintext);
  const midState = {
    ...(mid.state as unknown as SessionState),
    sessionId: Buffer.from(mid.state.sessionId, 'hex'),
  };
  const badDwellCount = Buffer.from(midPlain);
  badDwellCount[57] = 9;
  const expiredState = encodeState({ ...midState, expiresAtS: Math.floor(midNow / 1000) });
  const badUnusedChallenge = Buffer.from(midPlain);
  badUnusedChallenge.writeUInt32BE(0, 75); // never passed, yet a tag recorded
  const v1Plain = midPlain.subarray(0, 75);

  type Expect = { kind: string; reason?: string };
  const invalid: {
    name: string;
    description: string;
    ring: RingJson;
    realm: string;
    nowMs: number;
    cookie: string;
    expect: Expect;
  }[] = [
    { name: 'empty', description: 'no cookie value', cookie: '', expect: { kind: 'missing' } },
    {
      name: 'ciphertext-bit-flip',
      description: 'one bit of the first ciphertext byte flipped',
      cookie: flipped(14),
      expect: { kind: 'tampered', reason: 'authentication' },
    },
    {
      name: 'tag-bit-flip',
      description: 'one bit of the last tag byte flipped',
      cookie: flipped(midBytes.length - 1),
      expect: { kind: 'tampered', reason: 'authentication' },
    },
    {
      name: 'nonce-bit-flip',
      description: 'one bit of the nonce flipped',
      cookie: flipped(2),
      expect: { kind: 'tampered', reason: 'authentication' },
    },
    {
      name: 'key-id-swapped',
      description:
        'header names key 8 (known, in grace) but the cookie was sealed with key 7: the header is authenticated',
      cookie: withByte(1, () => 8),
      expect: { kind: 'tampered', reason: 'authentication' },
    },
    {
      name: 'wrong-realm',
      description: 'a cookie sealed for realm www.example.com opened under realm shop.example.com',
      cookie: mid.cookie,
      realm: 'shop.example.com',
      expect: { kind: 'tampered', reason: 'authentication' },
    },
    {
      name: 'truncated',
      description: 'last 4 characters (3 bytes of tag) removed',
      cookie: mid.cookie.slice(0, -4),
      expect: { kind: 'tampered', reason: 'length' },
    },
    {
      name: 'extended',
      description: '4 characters (3 zero bytes) appended',
      cookie: mid.cookie + 'AAAA',
      expect: { kind: 'tampered', reason: 'length' },
    },
    {
      name: 'header-only',
      description: 'just the 2-byte header',
      cookie: Buffer.from([1, 7]).toString('base64url'),
      expect: { kind: 'tampered', reason: 'length' },
    },
    {
      name: 'version-3',
      description:
        'format version 0x03, otherwise validly sealed (with 0x03 in the additional data)',
      cookie: sealMid([3, 7]),
      expect: { kind: 'tampered', reason: 'version' },
    },
    {
      name: 'v1-header-v2-length',
      description:
        'header says 0x01 but the body has the 0x02 length (sealed with 0x01 in the additional data)',
      cookie: sealMid([1, 7]),
      expect: { kind: 'tampered', reason: 'length' },
    },
    {
      name: 'v2-header-v1-length',
      description: 'header says 0x02 but the body has the 0x01 length (75-byte plaintext)',
      cookie: sealMid([2, 7], v1Plain),
      expect: { kind: 'tampered', reason: 'length' },
    },
    {
      name: 'tag-without-pass',
      description: 'authentic, but the plaintext records a challenge tag with no pass time',
      cookie: sealMid([2, 7], badUnusedChallenge),
      expect: { kind: 'tampered', reason: 'plaintext' },
    },
    {
      name: 'version-0',
      description: 'format version 0x00, otherwise validly sealed',
      cookie: sealMid([0, 7]),
      expect: { kind: 'tampered', reason: 'version' },
    },
    {
      name: 'padding',
      description: 'base64 padding appended',
      cookie: mid.cookie + '==',
      expect: { kind: 'tampered', reason: 'encoding' },
    },
    {
      name: 'standard-alphabet',
      description: "first character replaced by '+', which is not in the base64url alphabet",
      cookie: '+' + mid.cookie.slice(1),
      expect: { kind: 'tampered', reason: 'encoding' },
    },
    {
      name: 'non-ascii',
      description: 'a non-ASCII character in the value',
      cookie: mid.cookie.slice(0, 70) + 'é' + mid.cookie.slice(71),
      expect: { kind: 'tampered', reason: 'encoding' },
    },
    {
      name: 'oversized',
      description: '600 characters: rejected before decoding',
      cookie: 'A'.repeat(600),
      expect: { kind: 'tampered', reason: 'length' },
    },
    {
      name: 'unknown-key-id',
      description: 'validly sealed under key id 9, which the ring does not have',
      cookie: sealMid([2, 9], midPlain, KEY_C),
      expect: { kind: 'tampered', reason: 'unknown-key' },
    },
    {
      name: 'past-grace',
      description: 'sealed under key 8, a previous key whose grace deadline has passed',
      cookie: sealMid([2, 8], midPlain, KEY_A),
      ring: {
        activeKeyId: 7,
        keys: [
          { id: 7, key: hex(KEY_B) },
          { id: 8, key: hex(KEY_A), graceUntilS: Math.floor(midNow / 1000) - 1 },
        ],
      },
      expect: { kind: 'expired', reason: 'past-grace' },
    },
    {
      name: 'session-expired',
      description: 'authentic, but its absolute expiry is now',
      cookie: sealMid([2, 7], expiredState),
      expect: { kind: 'expired', reason: 'session-expired' },
    },
    {
      name: 'bad-plaintext',
      description: 'authentic, but the plaintext says 9 dwell samples (capacity is 8)',
      cookie: sealMid([2, 7], badDwellCount),
      expect: { kind: 'tampered', reason: 'plaintext' },
    },
  ].map((v) => ({ ring: ringAB, realm: mid.realm, nowMs: midNow, ...v }));

  const comment =
    'Generated by test/vectors/generate.ts (npm run vectors); do not edit. Ciphertexts by node:crypto, dev-only keys.';
  return {
    valid: { comment, vectors: [...valid, ...validV1] },
    invalid: { comment, vectors: invalid },
  };
}
