import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64UrlDecode, base64UrlEncode } from '../../scorer-core/src/index.js';

describe('base64url (strict, unpadded)', () => {
  it('encodes exactly like Buffer base64url and round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = base64UrlEncode(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(base64UrlDecode(text)).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('RFC 4648 §10 examples', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of cases) {
      expect(base64UrlEncode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base64UrlDecode(encoded))).toBe(plain);
    }
  });

  it('rejects padding, other alphabets, impossible lengths and non-canonical trailing bits', () => {
    for (const bad of [
      'Zg==',
      'Zm8=',
      'Z',
      'Zm9vY',
      '+w',
      '/w',
      'Zh',
      'Zm9',
      'Zm é',
      ' Zm9v',
      'Zm9v\n',
      '\u0100AAA',
    ]) {
      expect(base64UrlDecode(bad), JSON.stringify(bad)).toBeUndefined();
    }
    // Every text is either rejected or the unique encoding of what it decodes to.
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'AZaz09-_+/=é.'.split('')), maxLength: 40 }),
        (text) => {
          const bytes = base64UrlDecode(text);
          if (bytes !== undefined) expect(base64UrlEncode(bytes)).toBe(text);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
