/**
 * The key ring index: which cookie keys exist, which one seals, and until when the others open
 * cookies. It holds no key bytes, so it lives in the Config Store (`cookie_key_ring`), readable by
 * the operator tooling through the Fastly API; each key's bytes are a Secret Store item of their
 * own (`cookie_key_<id>`), which the API can write but never read back. The app (src/config/keys.ts)
 * and the operator CLI (scripts/ops) both parse and write it with this module.
 *
 * Text: `{"active": 3, "keys": [{"id": 3, "created": "…"}, {"id": 4, "staged": true, "created": "…"},
 * {"id": 2, "grace_until": "2026-12-24T00:00:00Z", "created": "…"}]}`
 * - active: seals new cookies and opens them;
 * - staged: opens cookies but does not seal yet (a rotation stages the next key first, so every
 *   POP can open its cookies before any POP seals with it);
 * - grace_until: a previous key that opens cookies until that instant.
 */
import { ScorerError } from '@session-scorer/core';

export const KEY_RING_ITEM = 'cookie_key_ring';
export const keySecretName = (id: number) => `cookie_key_${id}`;
export const MAX_RING_KEYS = 16;

export interface RingKey {
  id: number;
  /** Exactly one of: the active key, a staged key, or a previous key with a grace deadline. */
  status: 'active' | 'staged' | 'grace';
  /** Unix seconds; only for status 'grace'. */
  graceUntilS?: number;
  /** Unix seconds, when the operator tooling created the key (informational). */
  createdS?: number;
}

export interface KeyRingIndex {
  active: number;
  keys: RingKey[];
}

const invalid = (message: string): never => {
  throw new ScorerError('INVALID_KEYS', `${KEY_RING_ITEM}: ${message}`);
};

/** Parses and validates the index. Error messages name fields, never echo values. */
export function parseKeyRingIndex(text: string): KeyRingIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return invalid('not valid JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return invalid('expected {"active": id, "keys": [...]}');
  const { active, keys } = doc as { active?: unknown; keys?: unknown };
  if (!isKeyId(active)) invalid('"active" expected a key id 0–255');
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_RING_KEYS)
    return invalid(`"keys" expected an array of 1 to ${MAX_RING_KEYS} keys`);
  const seen = new Set<number>();
  const ring: RingKey[] = keys.map((entry: unknown, index: number) => {
    const where = `keys[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      return invalid(`${where} expected an object`);
    const { id, staged, grace_until: graceUntil, created, key } = entry as Record<string, unknown>;
    if (key !== undefined)
      invalid(`${where} must not hold key bytes: they belong in the secret ${'"cookie_key_<id>"'}`);
    if (!isKeyId(id)) return invalid(`${where}.id expected a key id 0–255`);
    if (seen.has(id)) invalid(`${where}.id ${id} appears more than once`);
    seen.add(id);
    if (staged !== undefined && typeof staged !== 'boolean')
      invalid(`${where}.staged expected true or false`);
    const createdS = created === undefined ? undefined : parseInstant(`${where}.created`, created);
    const base = { id, ...(createdS === undefined ? {} : { createdS }) };
    if (id === active) {
      if (staged === true || graceUntil !== undefined)
        invalid(`${where} is the active key: it can be neither staged nor have grace_until`);
      return { ...base, status: 'active' as const };
    }
    if (staged === true) {
      if (graceUntil !== undefined) invalid(`${where} is staged: it cannot have grace_until`);
      return { ...base, status: 'staged' as const };
    }
    if (graceUntil === undefined)
      invalid(`${where} (id ${id}) is neither active nor staged: it needs grace_until`);
    return {
      ...base,
      status: 'grace' as const,
      graceUntilS: parseInstant(`${where}.grace_until`, graceUntil),
    };
  });
  if (!seen.has(active as number)) invalid(`"active" ${active as number} is not among the keys`);
  return { active: active as number, keys: ring };
}

/** Canonical text of an index (instants as UTC ISO 8601), the form the operator tooling writes. */
export function formatKeyRingIndex(index: KeyRingIndex): string {
  const keys = index.keys.map((key) => ({
    id: key.id,
    ...(key.status === 'staged' ? { staged: true } : {}),
    ...(key.status === 'grace' ? { grace_until: isoInstant(key.graceUntilS!) } : {}),
    ...(key.createdS === undefined ? {} : { created: isoInstant(key.createdS) }),
  }));
  const text = JSON.stringify({ active: index.active, keys });
  parseKeyRingIndex(text); // never write what the app would refuse
  return text;
}

export const isoInstant = (unixS: number) =>
  new Date(unixS * 1000).toISOString().replace(/\.000Z$/, 'Z');

export function isKeyId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255;
}

/** Unix seconds (a number or a string of digits), or an ISO 8601 UTC instant `YYYY-MM-DDTHH:MM:SS[.sss]Z`. */
export function parseInstant(where: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff)
    return value;
  if (typeof value === 'string' && /^\d{1,10}$/.test(value) && Number(value) <= 0xffffffff)
    return Number(value);
  if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(value)
  ) {
    const ms = Date.parse(value);
    // Round-trip: rejects impossible dates (2030-02-30) that some parsers roll over.
    if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === value.slice(0, 19))
      return Math.floor(ms / 1000);
  }
  throw new ScorerError(
    'INVALID_KEYS',
    `${where}: expected Unix seconds or an ISO 8601 UTC instant like 2026-12-24T00:00:00Z`,
  );
}
