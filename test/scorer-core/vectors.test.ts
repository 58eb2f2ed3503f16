import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createCookieCodec,
  createKeyRing,
  decodeState,
  encodeState,
  hexToBytes,
  type SessionState,
} from '../../scorer-core/src/index.js';
import validVectors from '../vectors/cookie-valid.json' with { type: 'json' };
import invalidVectors from '../vectors/cookie-invalid.json' with { type: 'json' };
import { buildCookieVectors } from '../vectors/build.js';

type StateJson = Omit<SessionState, 'sessionId'> & { sessionId: string };
const toState = (json: StateJson): SessionState => ({
  ...json,
  sessionId: hexToBytes(json.sessionId),
});

/** Opens a cookie with node:crypto (OpenSSL), independently of scorer-core's AES-GCM and base64url. */
function openWithNode(cookie: string, key: Uint8Array, realm: string): Buffer {
  const raw = Buffer.from(cookie, 'base64url');
  const header = raw.subarray(0, 2);
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(2, 14));
  decipher.setAAD(Buffer.concat([header, Buffer.from(realm, 'utf8')]));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(14, raw.length - 16)), decipher.final()]);
}

describe('cookie vectors (test/vectors/cookie-*.json)', () => {
  it('the committed vector files are what test/vectors/generate.ts generates', () => {
    const fresh = buildCookieVectors();
    expect(JSON.parse(JSON.stringify(fresh.valid))).toEqual(validVectors);
    expect(JSON.parse(JSON.stringify(fresh.invalid))).toEqual(invalidVectors);
  });

  it('valid vectors: node:crypto opens them, scorer-core opens them and re-seals them byte for byte', () => {
    expect(validVectors.vectors.filter((v) => v.version === 2).length).toBeGreaterThanOrEqual(4);
    expect(validVectors.vectors.filter((v) => v.version === 1).length).toBeGreaterThanOrEqual(2);
    vectors: for (const v of validVectors.vectors) {
      const key = hexToBytes(v.key);
      const state = toState(v.state as StateJson);
      expect(
        openWithNode(v.cookie, key, v.realm).toString('hex'),
        `${v.name}: node:crypto plaintext`,
      ).toBe(v.plaintext);
      // A 0x01 plaintext is the 0x02 encoding without its last 9 bytes (the challenge fields).
      const encoded = encodeState(state);
      expect(
        Buffer.from(v.version === 1 ? encoded.subarray(0, 75) : encoded).toString('hex'),
        `${v.name}: encodeState`,
      ).toBe(v.plaintext);
      expect(decodeState(hexToBytes(v.plaintext)), `${v.name}: decodeState`).toEqual(state);
      const codec = createCookieCodec({
        keyRing: createKeyRing({ activeKeyId: v.kid, keys: [{ id: v.kid, key }] }),
        realm: v.realm,
      });
      const opened = codec.open(v.cookie, v.nowMs);
      if (opened.kind !== 'ok')
        throw new Error(`${v.name}: expected ok, got ${JSON.stringify(opened)}`);
      expect(opened.state, `${v.name}: opened state`).toEqual(state);
      expect(opened.keyId).toBe(v.kid);
      expect(opened.formatVersion, `${v.name}: format version`).toBe(v.version);
      const resealed = codec.sealWithFixedNonceForTestVectors(state, hexToBytes(v.nonce));
      if (v.version === 2) {
        expect(resealed, `${v.name}: re-seal with the vector's nonce`).toBe(v.cookie);
        expect(v.cookie, `${v.name}: cookie length`).toHaveLength(152);
      } else {
        // An old cookie is re-sealed in the current format: node:crypto opens the new value to the
        // 0x02 plaintext of the same state, and scorer-core opens it to the same state.
        expect(v.cookie, `${v.name}: 0x01 cookie length`).toHaveLength(140);
        expect(resealed).toHaveLength(152);
        expect(Buffer.from(resealed, 'base64url')[0], `${v.name}: re-sealed version byte`).toBe(2);
        expect(
          openWithNode(resealed, key, v.realm).toString('hex'),
          `${v.name}: re-sealed plaintext`,
        ).toBe(Buffer.from(encoded).toString('hex'));
        expect(codec.open(resealed, v.nowMs)).toMatchObject({
          kind: 'ok',
          state,
          formatVersion: 2,
        });
      }
      continue vectors;
    }
  });

  it('invalid vectors open as the expected missing / expired / tampered result, without throwing', () => {
    expect(invalidVectors.vectors.length).toBeGreaterThanOrEqual(15);
    const kinds = new Set<string>();
    vectors: for (const v of invalidVectors.vectors) {
      const keyRing = createKeyRing({
        activeKeyId: v.ring.activeKeyId,
        keys: v.ring.keys.map((k) => ({ ...k, key: hexToBytes(k.key) })),
      });
      const codec = createCookieCodec({ keyRing, realm: v.realm });
      const result = codec.open(v.cookie, v.nowMs);
      expect(result, `${v.name}: ${v.description}`).toMatchObject(v.expect);
      expect(result.kind === 'ok', v.name).toBe(false);
      kinds.add(`${v.expect.kind}/${v.expect.reason ?? ''}`);
      continue vectors;
    }
    // Every documented failure class is covered by at least one vector.
    for (const needed of [
      'missing/',
      'tampered/authentication',
      'tampered/length',
      'tampered/version',
      'tampered/encoding',
      'tampered/plaintext',
      'tampered/unknown-key',
      'expired/past-grace',
      'expired/session-expired',
    ]) {
      expect(kinds, needed).toContain(needed);
    }
  });
});
