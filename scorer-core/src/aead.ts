/**
 * AES-256-GCM with a per-key precomputed context, built from @noble/ciphers primitives.
 *
 * Why not `gcm(key, nonce, aad)` directly: it re-expands the AES key and rebuilds the GHASH
 * multiplication table on every call, which is most of the cost for a ~100-byte cookie. A
 * decision opens and seals under the same key, and a warm process serves many, so the key
 * schedule, the hash key H = E_K(0^128) and the GHASH table are computed once per key here.
 * The composition is NIST SP 800-38D with 96-bit nonces and 128-bit tags; AES and GHASH
 * themselves are noble's. Tests check it against node:crypto and against noble's own `gcm`.
 * @module
 */
import { unsafe } from '@noble/ciphers/aes.js';
import { GHASH } from '@noble/ciphers/_polyval.js';
import { ScorerError, assertBytes, equalBytesConstantTime } from './_internal.js';

export const AES_KEY_LENGTH = 32;
export const GCM_NONCE_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;

/** GHASH whose accumulator can be reset, so the key-dependent table is built once. */
class ReusableGhash extends GHASH {
  reset(): this {
    this.s0 = 0;
    this.s1 = 0;
    this.s2 = 0;
    this.s3 = 0;
    this.finished = false;
    return this;
  }
}

export interface AesGcmContext {
  /** Returns `ciphertext || tag`. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Returns the plaintext, or `undefined` when authentication fails. Never throws on bad data. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
}

export interface AesGcmOptions {
  /**
   * Size hint for the GHASH table: `small` (256 entries, cheap to build: right for a sandbox that
   * opens and seals once), `medium` (512 entries, half the lookups per block) or `large` (4096
   * entries, a quarter of the lookups: right for a long-lived process such as the benchmark,
   * training replay, a Node server or a reused edge sandbox).
   */
  table?: 'small' | 'medium' | 'large';
}

const ZERO_BLOCK = new Uint8Array(16);
const MAX_INPUT_BYTES = 2 ** 29;

export function createAesGcm(key: Uint8Array, options: AesGcmOptions = {}): AesGcmContext {
  assertBytes('key', key, AES_KEY_LENGTH);
  const expandedKey = unsafe.expandKeyLE(key);
  const hashKey = unsafe.ctr32(expandedKey, false, new Uint8Array(16), ZERO_BLOCK);
  // noble picks the window from a length hint: 256 → 2-bit (256 entries), 2048 → 4-bit (512), 1 MiB → 8-bit (4096).
  const ghash = new ReusableGhash(
    hashKey,
    options.table === 'large' ? 1 << 20 : options.table === 'medium' ? 2048 : 256,
  );

  // One CTR pass from J0 = nonce || 0x00000001 over (16 zero bytes || data): the first block
  // of output is the tag mask E_K(J0), the rest is data XOR the keystream from inc32(J0).
  // ctr32 works through 32-bit views, so the buffer is fresh (4-byte aligned).
  function ctrWithTagMask(nonce: Uint8Array, data: Uint8Array): Uint8Array {
    const counter = new Uint8Array(16);
    counter.set(nonce);
    counter[15] = 1;
    const buffer = new Uint8Array(16 + data.length);
    buffer.set(data, 16);
    return unsafe.ctr32(expandedKey, false, counter, buffer, buffer);
  }

  // GHASH pads every update to a block, so hashing pad16(aad) || pad16(ciphertext) || lengths
  // in one update is the same as three updates, with one copy instead of three.
  function tag(aad: Uint8Array, ciphertext: Uint8Array, tagMask: Uint8Array): Uint8Array {
    const aadBlocks = Math.ceil(aad.length / 16) * 16;
    // Bit lengths are written as 32-bit values below: refuse inputs of 512 MiB or more.
    if (aad.length >= MAX_INPUT_BYTES || ciphertext.length >= MAX_INPUT_BYTES)
      throw new ScorerError(
        'INVALID_ARGUMENT',
        `AES-GCM inputs must be under ${MAX_INPUT_BYTES} bytes`,
      );
    const ctBlocks = Math.ceil(ciphertext.length / 16) * 16;
    const input = new Uint8Array(aadBlocks + ctBlocks + 16);
    input.set(aad, 0);
    input.set(ciphertext, aadBlocks);
    const view = new DataView(input.buffer);
    // 64-bit big-endian bit lengths; our inputs are far below 2^32 bits.
    view.setUint32(aadBlocks + ctBlocks + 4, aad.length * 8, false);
    view.setUint32(aadBlocks + ctBlocks + 12, ciphertext.length * 8, false);
    ghash.reset().update(input);
    const out = new Uint8Array(16);
    ghash.digestInto(out);
    for (let i = 0; i < 16; i++) out[i]! ^= tagMask[i]!;
    return out;
  }

  return {
    seal(nonce, plaintext, aad) {
      assertBytes('nonce', nonce, GCM_NONCE_LENGTH);
      assertBytes('plaintext', plaintext);
      assertBytes('aad', aad);
      const stream = ctrWithTagMask(nonce, plaintext);
      const ciphertext = stream.subarray(16);
      const out = new Uint8Array(plaintext.length + GCM_TAG_LENGTH);
      out.set(ciphertext, 0);
      out.set(tag(aad, ciphertext, stream.subarray(0, 16)), ciphertext.length);
      return out;
    },
    open(nonce, sealed, aad) {
      if (
        !(nonce instanceof Uint8Array) ||
        !(sealed instanceof Uint8Array) ||
        !(aad instanceof Uint8Array)
      )
        return undefined;
      if (
        nonce.length !== GCM_NONCE_LENGTH ||
        sealed.length < GCM_TAG_LENGTH ||
        sealed.length >= MAX_INPUT_BYTES ||
        aad.length >= MAX_INPUT_BYTES
      )
        return undefined;
      const ciphertext = sealed.subarray(0, sealed.length - GCM_TAG_LENGTH);
      // Keystream only (CTR over zeros): no plaintext exists until the tag has been checked.
      const keystream = ctrWithTagMask(nonce, new Uint8Array(ciphertext.length));
      const expected = tag(aad, ciphertext, keystream.subarray(0, 16));
      if (!equalBytesConstantTime(expected, sealed.subarray(sealed.length - GCM_TAG_LENGTH)))
        return undefined;
      const plaintext = new Uint8Array(ciphertext.length);
      for (let i = 0; i < plaintext.length; i++) plaintext[i] = ciphertext[i]! ^ keystream[16 + i]!;
      return plaintext;
    },
  };
}
