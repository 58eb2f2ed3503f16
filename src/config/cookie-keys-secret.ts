/**
 * The hand-managed Secret Store item `cookie_keys` (read only when the Config Store has no
 * `cookie_key_ring`): JSON `{"active": <id>, "keys": [{"id": <0-255>, "key": "<64 hex chars>",
 * "grace_until": "<ISO 8601 or Unix seconds>"}]}`. Every rule the key ring would enforce is
 * checked here first, so each failure is a SecretFault naming the field, never a value (an
 * operator may have put key bytes in the wrong field).
 */
import { hexToBytes, type CookieKeyConfig } from '@session-scorer/core';
import { isKeyId, parseInstant } from './key-ring-index.js';
import { HEX_KEY, type SecretFault } from './secret-fault.js';

export const COOKIE_KEYS_ITEM = 'cookie_keys';

export type CookieKeysParsed =
  { ok: true; activeKeyId: number; keys: CookieKeyConfig[] } | { ok: false; fault: SecretFault };

export function parseCookieKeysSecret(text: string): CookieKeysParsed {
  const item = COOKIE_KEYS_ITEM;
  const refuse = (fault: SecretFault): CookieKeysParsed => ({ ok: false, fault });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return refuse({ item, problem: 'notJson' });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return refuse({ item, problem: 'notKeysDocument' });
  const { active, keys } = doc as { active?: unknown; keys?: unknown };
  if (!Array.isArray(keys)) return refuse({ item, problem: 'notKeysDocument' });
  if (keys.length === 0) return refuse({ item, problem: 'keysEmpty' });
  if (!isKeyId(active)) return refuse({ item, problem: 'activeNotId' });
  const seen = new Set<number>();
  const parsed: CookieKeyConfig[] = [];
  for (const [index, entry] of keys.entries()) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      return refuse({ item, problem: 'entryNotObject', index });
    const { id, key, grace_until: graceUntil } = entry as Record<string, unknown>;
    if (!isKeyId(id)) return refuse({ item, problem: 'entryIdNotId', index });
    if (seen.has(id)) return refuse({ item, problem: 'entryIdRepeated', index, id });
    seen.add(id);
    if (typeof key !== 'string' || !HEX_KEY.test(key))
      return refuse({ item, problem: 'entryKeyNotHex', index });
    let graceUntilS: number | undefined;
    if (graceUntil !== undefined) {
      try {
        graceUntilS = parseInstant(`keys[${index}].grace_until`, graceUntil);
      } catch {
        return refuse({ item, problem: 'entryGraceNotInstant', index });
      }
    }
    if (id === active && graceUntilS !== undefined)
      return refuse({ item, problem: 'activeHasGrace', index, id });
    if (id !== active && graceUntilS === undefined)
      return refuse({ item, problem: 'previousWithoutGrace', index, id });
    parsed.push({
      id,
      key: hexToBytes(key),
      ...(graceUntilS === undefined ? {} : { graceUntilS }),
    });
  }
  if (!seen.has(active)) return refuse({ item, problem: 'activeAbsent', id: active });
  return { ok: true, activeKeyId: active, keys: parsed };
}
