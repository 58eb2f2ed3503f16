/** Shared test fixtures: deterministic randomness, dev-only keys, small hand-made models. */
import {
  createKeyRing,
  hexToBytes,
  loadModel,
  type BrowserHeaders,
  type ModelDocument,
} from '../../scorer-core/src/index.js';

/** A deterministic byte source (xorshift32): reproducible session ids and nonces. */
export { seededRandom } from '@session-scorer/core';

/** Dev-only test keys: never configure these on a real service. */
export const TEST_KEY_1 = hexToBytes(
  '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
);
export const TEST_KEY_2 = hexToBytes(
  'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff',
);

export const singleKeyRing = () =>
  createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: TEST_KEY_1 }] });

/**
 * A 3-state model whose numbers are easy by hand: entry probabilities 1/2, 1/4, 1/4; from
 * `home` and `list`, `item` with 1/2; from `item`, `list` with 1/2; other cells 1/4.
 * Baseline: mean 1.25 bits, std 0.5 bits.
 */
export const HAND_MODEL_DOC: ModelDocument = {
  format: 'session-scorer.markov/1',
  version: 'hand-3',
  states: ['home', 'item', 'other'],
  initial: [0.5, 0.25, 0.25],
  matrix: [
    [0.25, 0.5, 0.25],
    [0.5, 0.25, 0.25],
    [0.25, 0.5, 0.25],
  ],
  baseline: { meanBits: 1.25, stdBits: 0.5, transitions: 1000 },
};
export const handModel = () => loadModel(HAND_MODEL_DOC);

/** The browser headers curl sends (`curl -A UA`): a User-Agent and an any-type Accept, nothing else. */
export const curlHeaders = (userAgent: string): BrowserHeaders => ({
  userAgent,
  accept: '*/*',
  acceptLanguage: null,
  acceptEncoding: null,
  secFetchMode: null,
  secFetchSite: null,
  secFetchDest: null,
  secFetchUser: null,
  secChUa: null,
  ja4: null,
});
