/**
 * Base64url without padding (RFC 4648 §5), strict: the decoder accepts only the canonical
 * encoding, so every cookie byte string has exactly one textual form.
 * @module
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

export function base64UrlEncode(bytes: Uint8Array): string {
  const out = new Uint8Array(base64UrlLength(bytes.length));
  let o = 0;
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ENCODE[n >>> 18]!;
    out[o++] = ENCODE[(n >>> 12) & 63]!;
    out[o++] = ENCODE[(n >>> 6) & 63]!;
    out[o++] = ENCODE[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = ENCODE[n >>> 18]!;
    out[o++] = ENCODE[(n >>> 12) & 63]!;
    if (rest === 2) out[o++] = ENCODE[(n >>> 6) & 63]!;
  }
  // Byte values are all ASCII, so this is exact. Chunked to stay under argument-count limits.
  let text = '';
  for (let start = 0; start < out.length; start += 4096)
    text += String.fromCharCode.apply(
      null,
      out.subarray(start, start + 4096) as unknown as number[],
    );
  return text;
}

/** Length in characters of the unpadded encoding of `byteLength` bytes. */
export function base64UrlLength(byteLength: number): number {
  return Math.ceil((byteLength * 4) / 3);
}

/**
 * Decodes canonical unpadded base64url. Returns `undefined` (never throws) for any other input:
 * characters outside the alphabet, padding, a length of 1 mod 4, or non-zero unused bits.
 */
export function base64UrlDecode(text: string): Uint8Array | undefined {
  const length = text.length;
  if (length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const a = sextet(text, i),
      b = sextet(text, i + 1),
      c = sextet(text, i + 2),
      d = sextet(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  const rest = length - i;
  if (rest === 2) {
    const a = sextet(text, i),
      b = sextet(text, i + 1);
    if ((a | b) < 0 || (b & 0x0f) !== 0) return undefined;
    out[o++] = (a << 2) | (b >>> 4);
  } else if (rest === 3) {
    const a = sextet(text, i),
      b = sextet(text, i + 1),
      c = sextet(text, i + 2);
    if ((a | b | c) < 0 || (c & 0x03) !== 0) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 0xff;
  }
  return out;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? DECODE[code]! : -1;
}
