import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  challengeMacInput,
  createCookieCodec,
  createKeyRing,
  decodeChallengeToken,
  hexToBytes,
  solveWork,
} from '../../scorer-core/src/index.js';
import {
  TEST_CALLER_SECRET,
  TEST_CHALLENGE_KEY_HEX,
  TEST_KEY_HEX,
  testSecrets,
} from '../helpers/fake-platform.js';
import {
  startScenario,
  viceroyBin,
  viceroyRequired,
  type RunningScorer,
} from './viceroy-harness.js';

// The challenge routes on the real wasm: WebCrypto HMAC in js-compute, over HTTP on Viceroy.
describe.runIf(viceroyBin !== null || viceroyRequired)(
  'challenge routes on the scorer wasm (Viceroy)',
  () => {
    let scorer: RunningScorer;
    beforeAll(async () => {
      scorer = await startScenario('challenge', {
        config: { challenge_difficulty_bits: '6' },
        secrets: testSecrets(),
      });
    }, 300_000);
    afterAll(async () => {
      await scorer?.stop();
    });

    const codec = createCookieCodec({
      keyRing: createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: hexToBytes(TEST_KEY_HEX) }] }),
      realm: 'ss_session',
    });
    const get = (path: string, cookie?: string) =>
      fetch(scorer.url + path, {
        redirect: 'manual',
        headers: {
          'x-scorer-auth': TEST_CALLER_SECRET,
          ...(cookie ? { cookie: `ss_session=${cookie}` } : {}),
        },
      });
    const cookieOf = (r: Response) =>
      /^ss_session=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1];

    it(
      "issues tokens whose MAC is node:crypto's HMAC-SHA-256, and verifies its own solutions, " +
        'request after request in a reused sandbox',
      async () => {
        // Eight rounds: a sandbox serves several requests, and an HMAC key kept across them once signed wrong MACs.
        const statuses: number[] = [];
        for (let round = 0; round < 8; round++) {
          const page = await get('/.scorer/challenge?return=%2Fround');
          expect(page.status).toBe(200);
          const token = /data-token="([A-Za-z0-9_-]{72})"/.exec(await page.text())![1]!;
          const cookie = cookieOf(page)!;
          const opened = codec.open(cookie, Date.now());
          if (opened.kind !== 'ok') throw new Error(`cookie: ${opened.kind}`);
          const decoded = decodeChallengeToken(token)!;
          const expected = createHmac('sha256', Buffer.from(TEST_CHALLENGE_KEY_HEX, 'hex'))
            .update(challengeMacInput(opened.state.sessionId, decoded.body))
            .digest('hex');
          expect(Buffer.from(decoded.token.mac).toString('hex')).toBe(expected);
          const verified = await get(
            `/.scorer/challenge/verify?token=${token}&counter=${solveWork(token, 6)}&return=%2Fround`,
            cookie,
          );
          statuses.push(verified.status);
          if (verified.status === 200) {
            expect(await verified.text()).toContain(
              '<meta http-equiv="refresh" content="0; url=/round">',
            );
            const passed = codec.open(cookieOf(verified), Date.now());
            expect(passed).toMatchObject({ kind: 'ok', state: { challengesUnanswered: 0 } });
          }
        }
        expect(statuses).toEqual(new Array(8).fill(200));
      },
      60_000,
    );
  },
);
