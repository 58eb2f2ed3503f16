/**
 * The cookie key ring, from one of two sources (docs/configuration.md); there is no default key.
 * - Config Store `cookie_key_ring` (the index: ids, active, staged, grace deadlines; written by
 *   `npm run ops -- keys …`) plus one Secret Store item `cookie_key_<id>` (64 hex) per key.
 * - Otherwise the hand-managed Secret Store item `cookie_keys` (cookie-keys-secret.ts).
 * Without either the scorer fails open with `keys-missing`. Failures about a secret name the
 * item and field, never a value from it (secret-fault.ts).
 */
import {
  createKeyRing,
  hexToBytes,
  type CookieKeyConfig,
  type KeyRing,
} from '@session-scorer/core';
import { errorText } from '../error-text.js';
import type { Platform } from '../platform.js';
import { COOKIE_KEYS_ITEM, parseCookieKeysSecret } from './cookie-keys-secret.js';
import {
  KEY_RING_ITEM,
  keySecretName,
  parseKeyRingIndex,
  type KeyRingIndex,
} from './key-ring-index.js';
import { fail, type Loaded } from './loaded.js';
import { errorKind, HEX_KEY, secretDetail } from './secret-fault.js';
import { readSecrets } from './secret-store.js';

// In a reused sandbox the key ring (AES key schedules, GHASH tables) is rebuilt only when the
// source texts change; they are still read on every request, so a rotation applies at once.
let cachedKeyRing: { text: string; ring: KeyRing } | undefined;

// A staged key opens cookies until it is activated: it has no deadline of its own.
export const STAGED_UNTIL_S = 0xffffffff;

export async function readKeyRing(
  platform: Platform,
  nowS = Math.floor(platform.now() / 1000),
): Promise<Loaded<KeyRing>> {
  let indexText: string | null;
  try {
    indexText = platform.config(KEY_RING_ITEM);
  } catch (error) {
    return fail('config-store-unavailable', errorText(error));
  }
  if (indexText !== null && indexText.trim() !== '')
    return readIndexedKeyRing(platform, indexText, nowS);
  const read = await readSecrets(platform, [COOKIE_KEYS_ITEM]);
  if (!read.ok) return read;
  const text = read.value[0];
  if (text === null || text === undefined || text.trim() === '')
    return fail(
      'keys-missing',
      `neither config item "${KEY_RING_ITEM}" nor secret "${COOKIE_KEYS_ITEM}" is set: there is no default key`,
    );
  if (cachedKeyRing?.text === text) return { ok: true, value: cachedKeyRing.ring };
  const parsed = parseCookieKeysSecret(text);
  if (!parsed.ok) return fail('keys-invalid', secretDetail(parsed.fault));
  return buildRing(COOKIE_KEYS_ITEM, 'secret', parsed.activeKeyId, parsed.keys, text);
}

/**
 * The index names the keys; each key's bytes are the secret `cookie_key_<id>`. A missing secret
 * is tolerated only where no live cookie can depend on it: a staged key (nothing sealed with it
 * yet: the secret may still be propagating) or a key past its grace deadline (its cookies are
 * expired anyway). A missing active or in-grace key fails open, so an operator's mistake never
 * scores visitors as tampering.
 */
async function readIndexedKeyRing(
  platform: Platform,
  indexText: string,
  nowS: number,
): Promise<Loaded<KeyRing>> {
  let index: KeyRingIndex;
  try {
    // A Config Store item, not a secret; its errors name fields, never values.
    index = parseKeyRingIndex(indexText);
  } catch (error) {
    return fail('keys-invalid', errorText(error));
  }
  const read = await readSecrets(
    platform,
    index.keys.map((key) => keySecretName(key.id)),
  );
  if (!read.ok) return read;
  const secrets = read.value;
  const cacheText = `${indexText}\n${secrets.join('\n')}`;
  if (cachedKeyRing?.text === cacheText) return { ok: true, value: cachedKeyRing.ring };
  const keys: CookieKeyConfig[] = [];
  for (const [i, entry] of index.keys.entries()) {
    const secret = secrets[i]?.trim() ?? '';
    const item = keySecretName(entry.id);
    if (secret === '') {
      if (entry.status === 'staged' || (entry.status === 'grace' && entry.graceUntilS! < nowS))
        continue;
      return fail(
        entry.status === 'active' ? 'keys-missing' : 'keys-invalid',
        secretDetail({ item, problem: 'ringKeyNotSet', status: entry.status, id: entry.id }),
      );
    }
    if (!HEX_KEY.test(secret))
      return fail('keys-invalid', secretDetail({ item, problem: 'notHexKey' }));
    const graceUntilS = entry.status === 'staged' ? STAGED_UNTIL_S : entry.graceUntilS;
    keys.push({
      id: entry.id,
      key: hexToBytes(secret),
      ...(graceUntilS === undefined ? {} : { graceUntilS }),
    });
  }
  return buildRing(KEY_RING_ITEM, 'config', index.active, keys, cacheText);
}

/**
 * The sources above check every rule the key ring enforces, so this should not fail; if it does,
 * only the source's name and the error's kind are reported (the key ring's own messages may
 * describe a value).
 */
function buildRing(
  source: string,
  store: 'secret' | 'config',
  activeKeyId: number,
  keys: CookieKeyConfig[],
  cacheText: string,
): Loaded<KeyRing> {
  try {
    // A reused sandbox opens and seals many cookies under one key: the 4-bit GHASH table (512
    // entries) halves the hashing work for little build cost; the 8-bit one costs too much to build.
    const ring = createKeyRing({ activeKeyId, keys }, { table: 'medium' });
    cachedKeyRing = { text: cacheText, ring };
    return { ok: true, value: ring };
  } catch (error) {
    const detail =
      store === 'secret'
        ? secretDetail({ item: source, problem: 'ringRefused', kind: errorKind(error) })
        : `config item "${source}": the key ring was refused (${errorKind(error)})`;
    return fail('keys-invalid', detail);
  }
}
