/**
 * Failures about Secret Store items, redacted by construction: a failure is the item's name (a
 * name the code chose), a problem from the fixed table below, and only numbers besides (an array
 * position, a key id that already passed validation as an integer 0–255: every cookie carries its
 * key id in clear) or the kind of a thrown error from a fixed list. No string read from a secret,
 * and no thrown error's message (a runtime error might quote what it read), can reach the text.
 */
import { KEY_RING_ITEM } from './key-ring-index.js';

/** Error kinds a failure may name; anything else is reported as plain `Error`. */
const ERROR_KINDS = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'AggregateError',
  'DOMException',
  'AbortError',
  'TimeoutError',
  'ScorerError',
]);

export type ErrorKind = string & { readonly __errorKind: unique symbol };

/** The class of a thrown value, from a fixed list: never its message. */
export function errorKind(error: unknown): ErrorKind {
  const name = error instanceof Error ? error.name : 'non-Error value';
  return (ERROR_KINDS.has(name) || name === 'non-Error value' ? name : 'Error') as ErrorKind;
}

// The rules the problems below describe.
/** A 32-byte key as a secret holds it: 64 hex characters. */
export const HEX_KEY = /^[0-9a-fA-F]{64}$/;
export const MIN_CALLER_SECRET_LENGTH = 32;

interface Facts {
  /** Position in the `keys` array of the `cookie_keys` secret. */
  index: number;
  /** A key id that passed validation (integer 0–255). */
  id: number;
  /** The key's status in the key ring index (a Config Store item, not a secret). */
  status: 'active' | 'staged' | 'grace';
  kind: ErrorKind;
}

const PROBLEMS = {
  unreadable: (f: Pick<Facts, 'kind'>) => `: the Secret Store could not be read (${f.kind})`,
  challengeKeyNotSet: () => ' is not set: there is no default challenge key',
  ringKeyNotSet: (f: Pick<Facts, 'status' | 'id'>) =>
    ` (${f.status} key ${f.id} in "${KEY_RING_ITEM}") is not set`,
  notHexKey: () => ': expected 64 hex characters (32 bytes)',
  callerSecretShort: () => `: expected at least ${MIN_CALLER_SECRET_LENGTH} characters`,
  notJson: () => ' is not valid JSON',
  notKeysDocument: () => ': expected {"active": id, "keys": [...]}',
  keysEmpty: () => ': "keys" is empty: there is no default key',
  activeNotId: () => ': "active" expected a key id 0–255',
  activeAbsent: (f: Pick<Facts, 'id'>) => `: "active" ${f.id} is not among the keys`,
  entryNotObject: (f: Pick<Facts, 'index'>) => `: keys[${f.index}] expected an object`,
  entryIdNotId: (f: Pick<Facts, 'index'>) => `: keys[${f.index}].id expected a key id 0–255`,
  entryKeyNotHex: (f: Pick<Facts, 'index'>) =>
    `: keys[${f.index}].key expected 64 hex characters (32 bytes)`,
  entryGraceNotInstant: (f: Pick<Facts, 'index'>) =>
    `: keys[${f.index}].grace_until: expected Unix seconds or an ISO 8601 UTC instant like 2026-12-24T00:00:00Z`,
  entryIdRepeated: (f: Pick<Facts, 'index' | 'id'>) =>
    `: keys[${f.index}].id ${f.id} appears more than once`,
  activeHasGrace: (f: Pick<Facts, 'index' | 'id'>) =>
    `: keys[${f.index}] is the active key (id ${f.id}) and must not have a grace deadline`,
  previousWithoutGrace: (f: Pick<Facts, 'index' | 'id'>) =>
    `: keys[${f.index}] (id ${f.id}) is a previous key and needs grace_until, the instant after ` +
    `which its cookies are expired`,
  ringRefused: (f: Pick<Facts, 'kind'>) => `: the key ring was refused (${f.kind})`,
} as const;

export type SecretProblem = keyof typeof PROBLEMS;
type FactsOf<P extends SecretProblem> = Parameters<(typeof PROBLEMS)[P]>[0];

/** One failure about a secret: which item, what is wrong, and the numbers that locate it. */
export type SecretFault = {
  [P in SecretProblem]: { item: string; problem: P } & (FactsOf<P> extends undefined
    ? object
    : FactsOf<P>);
}[SecretProblem];

/** `secret "cookie_key_3": expected 64 hex characters (32 bytes)` */
export function secretDetail(fault: SecretFault): string {
  const describe = PROBLEMS[fault.problem] as (facts: SecretFault) => string;
  return `secret "${fault.item}"${describe(fault)}`;
}
