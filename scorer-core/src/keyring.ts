/**
 * The cookie key ring: one active key that seals, plus previous keys that still open cookies
 * until their grace deadline. There is no built-in key: keys only come from configuration.
 * @module
 */
import { ScorerError, assertBytes, assertInteger } from './_internal.js';
import { AES_KEY_LENGTH, createAesGcm, type AesGcmContext, type AesGcmOptions } from './aead.js';

export interface CookieKeyConfig {
  /** Key id written into the cookie header, 0–255. */
  id: number;
  /** 32 raw key bytes (AES-256). */
  key: Uint8Array;
  /**
   * For previous keys only: cookies sealed under this key open until this instant
   * (Unix seconds) and are re-sealed under the active key; after it they are expired.
   */
  graceUntilS?: number;
}

export interface KeyRingConfig {
  activeKeyId: number;
  keys: readonly CookieKeyConfig[];
}

export type KeyLookup =
  | { status: 'active'; id: number; cipher: AesGcmContext }
  | { status: 'grace'; id: number; cipher: AesGcmContext; graceUntilS: number }
  | { status: 'past-grace'; id: number; graceUntilS: number }
  | { status: 'unknown'; id: number };

export interface KeyRing {
  readonly activeKeyId: number;
  /** Key ids with their grace deadlines; never key bytes. */
  describe(): { id: number; active: boolean; graceUntilS?: number }[];
  active(): { id: number; cipher: AesGcmContext };
  lookup(id: number, nowS: number): KeyLookup;
}

const MAX_UNIX_SECONDS = 0xffffffff;

export function createKeyRing(config: KeyRingConfig, options: AesGcmOptions = {}): KeyRing {
  if (
    config === null ||
    typeof config !== 'object' ||
    !Array.isArray(config.keys) ||
    config.keys.length === 0
  ) {
    throw new ScorerError(
      'NO_KEYS',
      'no cookie keys configured: scorer-core has no default key; configure at least one 32-byte key and its id',
    );
  }
  assertInteger('activeKeyId', config.activeKeyId, 0, 255);
  // Ciphers (key schedule + GHASH table) are built on first use: a fresh edge sandbox usually
  // needs only the active key's.
  const entries = new Map<number, { cipher: () => AesGcmContext; graceUntilS?: number }>();
  config.keys.forEach((entry, index) => {
    assertInteger(`keys[${index}].id`, entry.id, 0, 255);
    assertBytes(`keys[${index}].key`, entry.key, AES_KEY_LENGTH);
    if (entries.has(entry.id))
      throw new ScorerError(
        'DUPLICATE_KEY_ID',
        `keys[${index}].id ${entry.id} appears more than once`,
      );
    if (entry.graceUntilS !== undefined)
      assertInteger(`keys[${index}].graceUntilS`, entry.graceUntilS, 0, MAX_UNIX_SECONDS);
    if (entry.id === config.activeKeyId && entry.graceUntilS !== undefined) {
      throw new ScorerError(
        'ACTIVE_KEY_HAS_GRACE',
        `keys[${index}] is the active key (id ${entry.id}) and must not have a grace deadline`,
      );
    }
    if (entry.id !== config.activeKeyId && entry.graceUntilS === undefined) {
      throw new ScorerError(
        'MISSING_GRACE',
        `keys[${index}] (id ${entry.id}) is a previous key and needs graceUntilS, the instant ` +
          `after which its cookies are expired`,
      );
    }
    const key = entry.key.slice();
    let cipher: AesGcmContext | undefined;
    entries.set(entry.id, {
      cipher: () => (cipher ??= createAesGcm(key, options)),
      ...(entry.graceUntilS === undefined ? {} : { graceUntilS: entry.graceUntilS }),
    });
  });
  const active = entries.get(config.activeKeyId);
  if (!active)
    throw new ScorerError(
      'NO_ACTIVE_KEY',
      `activeKeyId ${config.activeKeyId} is not among the configured key ids [${[...entries.keys()].join(', ')}]`,
    );
  const activeKeyId = config.activeKeyId;

  return {
    activeKeyId,
    describe: () =>
      [...entries].map(([id, entry]) => ({
        id,
        active: id === activeKeyId,
        ...(entry.graceUntilS === undefined ? {} : { graceUntilS: entry.graceUntilS }),
      })),
    active: () => ({ id: activeKeyId, cipher: active.cipher() }),
    lookup(id, nowS) {
      const entry = entries.get(id);
      if (!entry) return { status: 'unknown', id };
      if (id === activeKeyId) return { status: 'active', id, cipher: entry.cipher() };
      const graceUntilS = entry.graceUntilS!;
      return nowS <= graceUntilS
        ? { status: 'grace', id, cipher: entry.cipher(), graceUntilS }
        : { status: 'past-grace', id, graceUntilS };
    },
  };
}
