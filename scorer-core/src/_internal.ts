/**
 * Internal helpers shared by the scorer-core modules. Not part of the public API.
 * @module
 */

/** Thrown for invalid arguments or configuration; `code` is stable, `message` is for people. */
export class ScorerError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ScorerError';
    this.code = code;
  }
}

export function describeValue(value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array of length ${value.length}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** `"key" expected Uint8Array of length 32, got length=16` */
export function assertBytes(
  name: string,
  value: unknown,
  length?: number,
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new ScorerError(
      'INVALID_ARGUMENT',
      `"${name}" expected Uint8Array${length === undefined ? '' : ` of length ${length}`}, got ${describeValue(value)}`,
    );
  }
  if (length !== undefined && value.length !== length) {
    throw new ScorerError(
      'INVALID_ARGUMENT',
      `"${name}" expected Uint8Array of length ${length}, got length=${value.length}`,
    );
  }
}

export function assertInteger(
  name: string,
  value: unknown,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ScorerError(
      'INVALID_ARGUMENT',
      `"${name}" expected an integer in [${min}, ${max}], got ${describeValue(value)}`,
    );
  }
}

const utf8Encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time comparison for equal-length inputs (lengths themselves are not secret). */
export function equalBytesConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new ScorerError(
      'INVALID_ARGUMENT',
      `"hex" expected an even-length hex string, got ${describeValue(hex)}`,
    );
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export const clamp = (value: number, min: number, max: number): number =>
  value < min ? min : value > max ? max : value;

/** Source of cryptographically strong random bytes; injected so tests are deterministic. */
export type RandomBytes = (length: number) => Uint8Array;

/**
 * crypto.getRandomValues for every draw. Deliberately no user-space pool: on Fastly, module state
 * is captured in the Wizer snapshot, so a pool filled during initialisation would hand the same
 * "random" nonces and session ids to every request.
 */
export const systemRandomBytes: RandomBytes = (length) => {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
};
