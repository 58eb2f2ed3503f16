import { createCipheriv } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAesGcm, hexToBytes } from '../../scorer-core/src/index.js';
import katFile from '../vectors/aes-256-gcm.json' with { type: 'json' };

function nodeSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  return new Uint8Array(
    Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]),
  );
}

describe('createAesGcm (AES-256-GCM with a per-key context)', () => {
  it('matches the GCM specification known answers, with small and large GHASH tables', () => {
    vectors: for (const v of katFile.vectors) {
      const [key, nonce, aad, plaintext] = [v.key, v.nonce, v.aad, v.plaintext].map(hexToBytes) as [
        Uint8Array,
        Uint8Array,
        Uint8Array,
        Uint8Array,
      ];
      const expected = v.ciphertext + v.tag;
      expect(
        Buffer.from(nodeSeal(key, nonce, plaintext, aad)).toString('hex'),
        `${v.name}: node:crypto agrees`,
      ).toBe(expected);
      for (const table of ['small', 'medium', 'large'] as const) {
        const context = createAesGcm(key, { table });
        expect(
          Buffer.from(context.seal(nonce, plaintext, aad)).toString('hex'),
          `${v.name}/${table}: seal`,
        ).toBe(expected);
        expect(context.open(nonce, hexToBytes(expected), aad), `${v.name}/${table}: open`).toEqual(
          plaintext,
        );
      }
      continue vectors;
    }
  });

  it('equals node:crypto and noble gcm() for random keys, nonces, data and AAD, and reuses its context safely', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(
          fc.tuple(
            fc.uint8Array({ minLength: 12, maxLength: 12 }),
            fc.uint8Array({ maxLength: 200 }),
            fc.uint8Array({ maxLength: 64 }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        fc.constantFrom('small' as const, 'medium' as const, 'large' as const),
        (key, messages, table) => {
          const context = createAesGcm(key, { table });
          for (const [nonce, plaintext, aad] of messages) {
            const sealed = context.seal(nonce, plaintext, aad);
            expect(sealed).toEqual(nodeSeal(key, nonce, plaintext, aad));
            expect(sealed).toEqual(gcm(key, nonce, aad).encrypt(plaintext));
            expect(context.open(nonce, sealed, aad)).toEqual(plaintext);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('open returns undefined (never throws) for any modified byte, wrong AAD or short input', () => {
    const key = new Uint8Array(32).fill(9);
    const nonce = new Uint8Array(12).fill(3);
    const aad = Uint8Array.of(1, 2, 3);
    const context = createAesGcm(key);
    const sealed = context.seal(nonce, new Uint8Array(75).fill(0x41), aad);
    for (let i = 0; i < sealed.length; i++) {
      const copy = sealed.slice();
      copy[i]! ^= 0x80;
      expect(context.open(nonce, copy, aad), `byte ${i}`).toBeUndefined();
    }
    expect(context.open(nonce, sealed, Uint8Array.of(1, 2, 4))).toBeUndefined();
    expect(context.open(new Uint8Array(12), sealed, aad)).toBeUndefined();
    expect(context.open(nonce, sealed.subarray(0, 15), aad)).toBeUndefined();
    expect(context.open(nonce.subarray(0, 11), sealed, aad)).toBeUndefined();
  });

  it('rejects keys and nonces of the wrong length with a message naming the argument', () => {
    expect(() => createAesGcm(new Uint8Array(16))).toThrow(
      '"key" expected Uint8Array of length 32, got length=16',
    );
    expect(() => createAesGcm('k' as unknown as Uint8Array)).toThrow(
      '"key" expected Uint8Array of length 32, got string "k"',
    );
    expect(() =>
      createAesGcm(new Uint8Array(32)).seal(
        new Uint8Array(8),
        new Uint8Array(1),
        new Uint8Array(0),
      ),
    ).toThrow('"nonce" expected Uint8Array of length 12, got length=8');
  });
});
