/**
 * The challenge HMAC key (docs/challenge.md): the Secret Store item `challenge_key`, 64 hex
 * characters (32 bytes). There is no default; without it the challenge routes answer 503.
 */
import { hexToBytes } from '@session-scorer/core';
import type { Platform } from '../platform.js';
import { fail, type Loaded } from './loaded.js';
import { HEX_KEY, secretDetail } from './secret-fault.js';
import { readSecrets } from './secret-store.js';

export const CHALLENGE_KEY_ITEM = 'challenge_key';

export async function readChallengeKey(platform: Platform): Promise<Loaded<Uint8Array>> {
  const read = await readSecrets(platform, [CHALLENGE_KEY_ITEM]);
  if (!read.ok) return read;
  const trimmed = read.value[0]?.trim() ?? '';
  if (trimmed === '')
    return fail(
      'challenge-key-missing',
      secretDetail({ item: CHALLENGE_KEY_ITEM, problem: 'challengeKeyNotSet' }),
    );
  if (!HEX_KEY.test(trimmed))
    return fail(
      'challenge-key-invalid',
      secretDetail({ item: CHALLENGE_KEY_ITEM, problem: 'notHexKey' }),
    );
  return { ok: true, value: hexToBytes(trimmed) };
}
