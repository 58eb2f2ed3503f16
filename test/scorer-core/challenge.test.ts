import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applyChallengeEvidence,
  CHALLENGE_TOKEN_LENGTH,
  challengeMacInput,
  createScorer,
  decodeChallengeToken,
  DEFAULT_SETTINGS,
  hexToBytes,
  issueChallenge,
  leadingZeroBits,
  newSessionState,
  recordChallengeIssued,
  recordChallengePassed,
  resolveSettings,
  unansweredScore,
  verifyChallenge,
  workHash,
  type HmacSha256,
  type SessionState,
} from '../../scorer-core/src/index.js';
import vectors from '../vectors/challenge.json' with { type: 'json' };
import { buildChallengeVectors } from '../vectors/challenge-build.js';
import { curlHeaders, handModel, seededRandom, singleKeyRing } from '../helpers/fixtures.js';

// node:crypto's HMAC stands in for the runtime's (WebCrypto on Fastly): the one scorer-core is given.
const hmacWith =
  (keyHex: string): HmacSha256 =>
  async (message) =>
    new Uint8Array(createHmac('sha256', Buffer.from(keyHex, 'hex')).update(message).digest());
const hmac = hmacWith(vectors.key);
const SESSION = hexToBytes(vectors.sessionId);
const OTHER = hexToBytes(vectors.otherSessionId);
const T0_MS = 1_795_000_000_000;
const sessionWith = (sessionId: Uint8Array, fields: Partial<SessionState> = {}): SessionState => ({
  ...newSessionState(sessionId, T0_MS - 60_000, 1, 0),
  ...fields,
});

describe('challenge vectors (test/vectors/challenge.json)', () => {
  it('the committed file is what test/vectors/generate.ts generates', () => {
    expect(JSON.parse(JSON.stringify(buildChallengeVectors()))).toEqual(vectors);
  });

  it('issueChallenge makes the vector token from the same inputs, byte for byte', async () => {
    const { issue } = vectors;
    const issued = await issueChallenge({
      sessionId: SESSION,
      nowMs: issue.nowMs,
      difficultyBits: issue.difficultyBits,
      lifetimeS: issue.lifetimeS,
      salt: hexToBytes(issue.salt),
      hmac,
    });
    expect(issued).toEqual({
      token: issue.token,
      difficultyBits: 10,
      issuedAtS: 1_795_000_000,
      expiresAtS: 1_795_000_300,
    });
    expect(issued.token).toHaveLength(CHALLENGE_TOKEN_LENGTH);
    expect(CHALLENGE_TOKEN_LENGTH).toBe(72);
  });

  it('the token layout, field by field (docs/challenge.md)', () => {
    const decoded = decodeChallengeToken(vectors.issue.token)!;
    expect(decoded.token).toMatchObject({
      version: 1,
      difficultyBits: 10,
      issuedAtS: 1_795_000_000,
      expiresAtS: 1_795_000_300,
    });
    expect(Buffer.from(decoded.token.salt).toString('hex')).toBe(vectors.issue.salt);
    expect(Buffer.from(decoded.token.mac).toString('hex')).toBe(vectors.issue.mac);
    // 01 | 0a | 6afd86c0 (1795000000) | 6afd87ec (1795000300) | salt
    expect(Buffer.from(decoded.body).toString('hex')).toBe(
      '010a' + '6afd86c0' + '6afd87ec' + vectors.issue.salt,
    );
    // The MAC input: the label "session-scorer challenge\0", the session id, then the body.
    expect(Buffer.from(challengeMacInput(SESSION, decoded.body)).toString('hex')).toBe(
      vectors.issue.macInput,
    );
    expect(
      Buffer.from('session-scorer challenge\0').toString('hex') +
        vectors.sessionId +
        Buffer.from(decoded.body).toString('hex'),
    ).toBe(vectors.issue.macInput);
  });

  it("scorer-core's work hash (noble SHA-256) equals node:crypto's for the solution", () => {
    expect(
      Buffer.from(workHash(vectors.issue.token, vectors.solution.counter)).toString('hex'),
    ).toBe(vectors.solution.workHash);
    expect(leadingZeroBits(hexToBytes(vectors.solution.workHash))).toBe(10);
  });

  for (const c of vectors.cases) {
    it(`${c.name}: ${c.description}`, async () => {
      const state = sessionWith(c.session === 'own' ? SESSION : OTHER, c.state);
      const result = await verifyChallenge(c.token, c.counter, state, c.nowMs, hmac);
      expect(result).toMatchObject(c.expect);
    });
  }
});

describe('proof of work by hand', () => {
  it('leading zero bits count from the most significant bit of the first byte', () => {
    expect(leadingZeroBits(Uint8Array.of(0x80, 0))).toBe(0);
    expect(leadingZeroBits(Uint8Array.of(0x01))).toBe(7);
    expect(leadingZeroBits(Uint8Array.of(0x00, 0x20))).toBe(10);
    expect(leadingZeroBits(Uint8Array.of(0x00, 0x00, 0x00, 0x0f))).toBe(28);
    expect(leadingZeroBits(new Uint8Array(4))).toBe(32);
  });

  it('a key other than the issuing one fails the MAC', async () => {
    const c = vectors.cases[0]!;
    const other = hmacWith('00'.repeat(32));
    expect(await verifyChallenge(c.token, c.counter, sessionWith(SESSION), c.nowMs, other)).toEqual(
      { ok: false, reason: 'mac-mismatch' },
    );
  });

  it('non-string or oversized inputs are malformed, never thrown', async () => {
    for (const [token, counter] of [
      [undefined, '1'],
      [vectors.issue.token, undefined],
      [42, '1'],
      [vectors.issue.token, '9007199254740992'],
      [vectors.issue.token + 'A', '1'],
      ['*'.repeat(72), '1'],
    ] as const) {
      expect(await verifyChallenge(token, counter, sessionWith(SESSION), T0_MS, hmac)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
  });

  it('issue validates its inputs, naming the field', async () => {
    const base = {
      sessionId: SESSION,
      nowMs: T0_MS,
      difficultyBits: 8,
      lifetimeS: 60,
      salt: new Uint8Array(12),
      hmac,
    };
    await expect(issueChallenge({ ...base, difficultyBits: 33 })).rejects.toThrow(
      /"difficultyBits" expected an integer in \[0, 32\]/,
    );
    await expect(issueChallenge({ ...base, salt: new Uint8Array(8) })).rejects.toThrow(
      /"salt" expected Uint8Array of length 12/,
    );
    await expect(issueChallenge({ ...base, hmac: async () => new Uint8Array(16) })).rejects.toThrow(
      /HMAC returned 16 bytes/,
    );
  });
});

describe('challenge state: single use within the session', () => {
  it('issue, solve, pass; the same solution sent again is refused as replayed', async () => {
    const c = vectors.cases[0]!;
    const state = sessionWith(SESSION);
    recordChallengeIssued(state);
    expect(state.challengesUnanswered).toBe(1);
    const first = await verifyChallenge(c.token, c.counter, state, c.nowMs, hmac);
    if (!first.ok) throw new Error(first.reason);
    recordChallengePassed(state, c.nowMs, first.tag);
    expect(state).toMatchObject({
      challengePassedAtS: 1_795_000_001,
      challengeTag: first.tag,
      challengesUnanswered: 0,
    });
    expect(await verifyChallenge(c.token, c.counter, state, c.nowMs + 2000, hmac)).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('the unanswered count saturates at 255', () => {
    const state = sessionWith(SESSION, { challengesUnanswered: 254 });
    recordChallengeIssued(state);
    recordChallengeIssued(state);
    expect(state.challengesUnanswered).toBe(255);
  });
});

describe('challenge evidence in the verdict', () => {
  const verdict = (score: number) => ({
    score,
    layer1: score,
    layer2: 0,
    learned: 0,
    headers: 0,
    reasons: score > 0 ? (['fast_browsing'] as const).slice() : [],
  });
  const settings = DEFAULT_SETTINGS.challenge;

  it('unanswered challenges combine by noisy-OR: 30, 51, 66 (by hand: 1 − 0.7^n)', () => {
    expect([0, 1, 2, 3].map((n) => unansweredScore(n, 30))).toEqual([0, 30, 51, 66]);
  });

  it(
    'adjusts by hand: 40 with one unanswered → 100·(1 − 0.6·0.7) = 58, with two → 100·(1 − ' +
      '0.6·0.49) = 71; 70 passed → 35; 40 with a pass and one unanswered → 29',
    () => {
      const state = (fields: Partial<SessionState>) => sessionWith(SESSION, fields);
      // The reason goes first when its own score (30, 51, …) is at least the score before it.
      expect(
        applyChallengeEvidence(verdict(40), state({ challengesUnanswered: 1 }), settings),
      ).toMatchObject({ score: 58, reasons: ['fast_browsing', 'challenge_unanswered'] });
      expect(
        applyChallengeEvidence(verdict(40), state({ challengesUnanswered: 2 }), settings),
      ).toMatchObject({ score: 71, reasons: ['challenge_unanswered', 'fast_browsing'] });
      expect(
        applyChallengeEvidence(
          verdict(70),
          state({ challengePassedAtS: 1_795_000_000, challengeTag: 9 }),
          settings,
        ),
      ).toMatchObject({ score: 35, reasons: ['fast_browsing'] });
      expect(
        applyChallengeEvidence(
          verdict(40),
          state({ challengePassedAtS: 1_795_000_000, challengeTag: 9, challengesUnanswered: 1 }),
          settings,
        ).score,
      ).toBe(29);
      // A floor rule (a spoofed crawler's 95) holds whatever the pass.
      expect(
        applyChallengeEvidence(
          verdict(95),
          state({ challengePassedAtS: 1_795_000_000, challengeTag: 9 }),
          settings,
          [{ reason: 'crawler_spoofed', score: 95 }],
        ).score,
      ).toBe(95);
      const untouched = verdict(40);
      expect(applyChallengeEvidence(untouched, state({}), settings)).toBe(untouched);
    },
  );

  it(
    'decide() applies it: a pass halves first-visit evidence but never what the session does ' +
      'after it (a replayed cookie stays 100); unanswered twice scores 51',
    () => {
      const scorer = createScorer({
        keyRing: singleKeyRing(),
        realm: 'ss_session',
        model: handModel(),
        random: seededRandom(3),
      });
      const start = scorer.decide({ nowMs: T0_MS, method: 'GET', path: '/' });
      const passed = scorer.codec.seal({
        ...start.state,
        challengePassedAtS: 1_795_000_000,
        challengeTag: 7,
      });
      const replayed = scorer.decide({
        nowMs: T0_MS + 5000,
        method: 'GET',
        path: '/',
        cookie: passed,
        sameCookieRequests: 50,
      });
      // Review finding: one solved challenge used to halve every later score, replay and pace included.
      expect(replayed).toMatchObject({ score: 100, layer1: 100, reasons: ['cookie_replayed'] });
      // What a pass answers is doubt about the client (the learned and header evidence): three header
      // contradictions (97) count half after a pass (97 × 0.5 = 48.5 → 49).
      const curlAsChrome = curlHeaders(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      );
      const request = { secureContext: true, headers: curlAsChrome };
      expect(
        scorer.decide({
          nowMs: T0_MS + 5000,
          method: 'GET',
          path: '/',
          cookie: start.setCookie.value,
          request,
        }).score,
      ).toBe(97);
      expect(
        scorer.decide({ nowMs: T0_MS + 5000, method: 'GET', path: '/', cookie: passed, request })
          .score,
      ).toBe(49);
      const unanswered = scorer.codec.seal({ ...start.state, challengesUnanswered: 2 });
      expect(
        scorer.decide({ nowMs: T0_MS + 5000, method: 'GET', path: '/', cookie: unanswered }),
      ).toMatchObject({ score: 51, reasons: ['challenge_unanswered'] });
      // A spoofed crawler's floor (95) holds even for a session that passed.
      const spoofed = scorer.decide({
        nowMs: T0_MS + 6000,
        method: 'GET',
        path: '/',
        cookie: passed,
        crawler: { verified: null, spoofed: 'googlebot' },
      });
      expect(spoofed.score).toBe(95);
    },
  );

  it('settings: defaults and range errors name the field', () => {
    expect(resolveSettings({}).challenge).toEqual({
      difficultyBits: 16,
      lifetimeS: 300,
      passDiscount: 0.5,
      unansweredScore: 30,
    });
    expect(resolveSettings({ challenge: { difficultyBits: 20 } }).challenge.difficultyBits).toBe(
      20,
    );
    expect(() => resolveSettings({ challenge: { lifetimeS: 5 } })).toThrow(
      /"challenge.lifetimeS" expected an integer in \[10, 3600\], got 5/,
    );
    expect(() => resolveSettings({ challenge: { passDiscount: 1.5 } })).toThrow(
      /"challenge.passDiscount" expected a number in \[0, 1\]/,
    );
  });
});
