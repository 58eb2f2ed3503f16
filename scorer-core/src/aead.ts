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
import { assertBytes, equalBytesConstantTime } from './_internal.js';

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
   * Size hint for the GHASH table: `small` (cheap to build: right for a fresh edge sandbox that
   * opens and seals once) or `large` (4096-entry table, ~4x faster hashing: right for a
   * long-lived process such as the benchmark, training replay or a Node server).
   */
  table?: 'small' | 'large';
}

const ZERO_BLOCK = new Uint8Array(16);

export function createAesGcm(key: Uint8Array, options: AesGcmOptions = {}): AesGcmContext {
  assertBytes('key', key, AES_KEY_LENGTH);
  const expandedKey = unsafe.expandKeyLE(key);
  const hashKey = unsafe.ctr32(expandedKey, false, new Uint8Array(16), ZERO_BLOCK);
  const ghash = new ReusableGhash(hashKey, options.table === 'large' ? 1 << 20 : 256);

  // Counter block J0 = nonce || 0x00000001; ctr32 advances `counter` in place, so after the tag
  // mask E_K(J0) is taken it holds inc32(J0), where the payload keystream starts.
  function tagMaskAndCounter(nonce: Uint8Array): { tagMask: Uint8Array; counter: Uint8Array } {
    const counter = new Uint8Array(16);
    counter.set(nonce);
    counter[15] = 1;
    const tagMask = unsafe.ctr32(expandedKey, false, counter, ZERO_BLOCK);
    return { tagMask, counter };
  }

  function tag(aad: Uint8Array, ciphertext: Uint8Array, tagMask: Uint8Array): Uint8Array {
    const lengths = new Uint8Array(16);
    const view = new DataView(lengths.buffer);
    // 64-bit big-endian bit lengths; our inputs are far below 2^32 bits.
    view.setUint32(4, aad.length * 8, false);
    view.setUint32(12, ciphertext.length * 8, false);
    ghash.reset();
    if (aad.length > 0) ghash.update(aad);
    if (ciphertext.length > 0) ghash.update(ciphertext);
    ghash.update(lengths);
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
      const { tagMask, counter } = tagMaskAndCounter(nonce);
      const out = new Uint8Array(plaintext.length + GCM_TAG_LENGTH);
      // ctr32 reads and writes through 32-bit views: give it 4-byte-aligned buffers.
      const ciphertext = unsafe.ctr32(expandedKey, false, counter, plaintext.slice());
      out.set(ciphertext, 0);
      out.set(tag(aad, ciphertext, tagMask), ciphertext.length);
      return out;
    },
    open(nonce, sealed, aad) {
      if (nonce.length !== GCM_NONCE_LENGTH || sealed.length < GCM_TAG_LENGTH) return undefined;
      const ciphertext = sealed.slice(0, sealed.length - GCM_TAG_LENGTH);
      const { tagMask, counter } = tagMaskAndCounter(nonce);
      const expected = tag(aad, ciphertext, tagMask);
      // Verify before decrypting: unauthenticated plaintext is never produced.
      if (!equalBytesConstantTime(expected, sealed.subarray(sealed.length - GCM_TAG_LENGTH))) return undefined;
      return unsafe.ctr32(expandedKey, false, counter, ciphertext);
    },
  };
}
