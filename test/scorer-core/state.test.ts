import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeState,
  encodeState,
  hexToBytes,
  STATE_LENGTH,
  STATE_LENGTH_V1,
  type SessionState,
} from '../../scorer-core/src/index.js';
import { arbitraryState } from '../helpers/arbitraries.js';

const CREATED = 0x69000000;
const example: SessionState = {
  sessionId: hexToBytes('000102030405060708090a0b0c0d0e0f'),
  createdAtS: CREATED,
  sessionIdIssuedAtS: 0x69000010,
  expiresAtS: 0x69005460,
  lastSeenMs: CREATED * 1000 + 0x01020304,
  lastPageViewMs: CREATED * 1000 + 0x01020300,
  requests: 10,
  pageViews: 7,
  lastPageClass: 3,
  modelTag: 0xdeadbeef,
  transitions: 6,
  surprisalMilliBits: 10000,
  fastEvidenceCenti: 300,
  dwellCs: [100, 200, 5000],
  flags: 1,
  challengePassedAtS: 0x69000200,
  challengeTag: 0x0badcafe,
  challengesUnanswered: 2,
};

// docs/cookie-format.md, field by field (offsets in bytes, integers big-endian).
const exampleHex = [
  '000102030405060708090a0b0c0d0e0f', //  0 session id
  '69000000', // 16 createdAtS
  '69000010', // 20 sessionIdIssuedAtS
  '69005460', // 24 expiresAtS
  '01020304', // 28 lastSeen, ms after createdAtS
  '01020300', // 32 lastPageView, ms after createdAtS
  '0000000a', // 36 requests
  '00000007', // 40 pageViews
  '03', // 44 lastPageClass
  'deadbeef', // 45 modelTag
  '0006', // 49 transitions
  '00002710', // 51 surprisal, millibits
  '012c', // 55 fast evidence, hundredths
  '03', // 57 dwell sample count
  '006400c81388' + '0000'.repeat(5), // 58 dwell samples, centiseconds, unused slots zero
  '01', // 74 flags
].join('');
// Format 0x02 appends the challenge fields.
const exampleChallengeHex = [
  '69000200', // 75 challengePassedAtS
  '0badcafe', // 79 challengeTag
  '02', // 83 challengesUnanswered
].join('');

describe('session state layout (format 0x02)', () => {
  it('encodes the documented example byte for byte', () => {
    expect(STATE_LENGTH).toBe(84);
    expect(Buffer.from(encodeState(example)).toString('hex')).toBe(
      exampleHex + exampleChallengeHex,
    );
    expect(decodeState(hexToBytes(exampleHex + exampleChallengeHex))).toEqual(example);
  });

  it('decodes the 75-byte format 0x01 plaintext (the same fields, no challenge fields) as never challenged', () => {
    expect(STATE_LENGTH_V1).toBe(75);
    expect(decodeState(hexToBytes(exampleHex))).toEqual({
      ...example,
      challengePassedAtS: null,
      challengeTag: 0,
      challengesUnanswered: 0,
    });
  });

  it('"never passed" is pass time 0 with tag 0; a tag without a pass is not a canonical encoding', () => {
    const never = encodeState({ ...example, challengePassedAtS: null, challengeTag: 0 });
    expect(Buffer.from(never.subarray(75)).toString('hex')).toBe('00000000' + '00000000' + '02');
    const tagOnly = Uint8Array.from(never);
    tagOnly[82] = 1;
    expect(decodeState(tagOnly)).toBeUndefined();
    expect(() => encodeState({ ...example, challengePassedAtS: null, challengeTag: 5 })).toThrow(
      /"state.challengeTag" expected an integer in \[0, 0\]/,
    );
    expect(() => encodeState({ ...example, challengesUnanswered: 256 })).toThrow(
      /"state.challengesUnanswered"/,
    );
  });

  it('refuses plaintexts of any other length', () => {
    for (const length of [0, 74, 76, 83, 85])
      expect(decodeState(new Uint8Array(length)), String(length)).toBeUndefined();
  });

  it('marks "no page view yet" with offset 0xffffffff', () => {
    const bytes = encodeState({ ...example, lastPageViewMs: null });
    expect(Buffer.from(bytes.subarray(32, 36)).toString('hex')).toBe('ffffffff');
    expect(decodeState(bytes)?.lastPageViewMs).toBeNull();
  });

  it('round-trips any state the layout can carry', () => {
    fc.assert(
      fc.property(arbitraryState, (state) => {
        const bytes = encodeState(state);
        expect(bytes.length).toBe(STATE_LENGTH);
        expect(decodeState(bytes)).toEqual(state);
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes only canonical encodings: wrong length, too many or stray dwell samples are rejected', () => {
    const good = hexToBytes(exampleHex);
    const variant = (offset: number, value: number) => {
      const copy = good.slice();
      copy[offset] = value;
      return copy;
    };
    expect(decodeState(good.subarray(0, 74))).toBeUndefined();
    expect(decodeState(new Uint8Array(76))).toBeUndefined();
    // Bits 3–7 of byte 74 are the client family tag (here 1), beside the flags (bits 0–2).
    expect(decodeState(variant(74, 0x08 | good[74]!))).toMatchObject({
      clientFamilyTag: 1,
      flags: good[74]! & 7,
    });
    expect(decodeState(variant(74, 0xf8 | good[74]!))).toMatchObject({ clientFamilyTag: 31 });
    expect(decodeState(variant(57, 9))).toBeUndefined(); // more samples than the window holds
    expect(decodeState(variant(70, 1))).toBeUndefined(); // a non-zero unused slot
    const lastSeenMax = good.slice();
    lastSeenMax.set([0xff, 0xff, 0xff, 0xff], 28);
    expect(decodeState(lastSeenMax)).toBeUndefined();
  });

  it('refuses to encode a state outside the layout, naming the field', () => {
    expect(() => encodeState({ ...example, requests: 2 ** 32 })).toThrow(
      '"state.requests" expected an integer in [0, 4294967295], got number 4294967296',
    );
    expect(() => encodeState({ ...example, sessionId: new Uint8Array(8) })).toThrow(
      '"state.sessionId" expected Uint8Array of length 16, got length=8',
    );
    expect(() => encodeState({ ...example, dwellCs: new Array(9).fill(1) })).toThrow(
      '"state.dwellCs" expected an array of at most 8 samples, got length=9',
    );
    expect(() => encodeState({ ...example, lastSeenMs: CREATED * 1000 - 1 })).toThrow(
      '"state.lastSeenMs"',
    );
    expect(() => encodeState({ ...example, flags: 8 })).toThrow('"state.flags"');
  });
});
