/** fast-check generators for scorer-core values. */
import fc from 'fast-check';
import { DWELL_WINDOW_CAPACITY, type SessionState } from '../../scorer-core/src/index.js';

const U32 = 0xffffffff;

/** Any state the cookie layout can carry. */
export const arbitraryState: fc.Arbitrary<SessionState> = fc
  .record({
    sessionId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    createdAtS: fc.integer({ min: 0, max: U32 }),
    sessionIdIssuedAtS: fc.integer({ min: 0, max: U32 }),
    expiresAtS: fc.integer({ min: 0, max: U32 }),
    lastSeenOffset: fc.integer({ min: 0, max: U32 - 1 }),
    lastPageOffset: fc.option(fc.integer({ min: 0, max: U32 - 1 })),
    requests: fc.integer({ min: 0, max: U32 }),
    pageViews: fc.integer({ min: 0, max: U32 }),
    lastPageClass: fc.integer({ min: 0, max: 255 }),
    modelTag: fc.integer({ min: 0, max: U32 }),
    transitions: fc.integer({ min: 0, max: 0xffff }),
    surprisalMilliBits: fc.integer({ min: 0, max: U32 }),
    fastEvidenceCenti: fc.integer({ min: 0, max: 0xffff }),
    dwellCs: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: DWELL_WINDOW_CAPACITY }),
    flags: fc.integer({ min: 0, max: 7 }),
    challengePass: fc.option(
      fc.record({ atS: fc.integer({ min: 1, max: U32 }), tag: fc.integer({ min: 0, max: U32 }) }),
    ),
    challengesUnanswered: fc.integer({ min: 0, max: 255 }),
  })
  .map(({ lastSeenOffset, lastPageOffset, challengePass, ...rest }) => ({
    ...rest,
    challengePassedAtS: challengePass?.atS ?? null,
    challengeTag: challengePass?.tag ?? 0,
    lastSeenMs: rest.createdAtS * 1000 + lastSeenOffset,
    lastPageViewMs: lastPageOffset === null ? null : rest.createdAtS * 1000 + lastPageOffset,
  }));
