import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createScorer,
  DEFAULT_CLASSIFIER,
  loadModel,
  validateState,
} from '../../scorer-core/src/index.js';
import { seededRandom, singleKeyRing } from '../helpers/fixtures.js';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };

const FULL = Boolean(process.env.SCORER_FULL_TESTS);
const MAX_NOW_MS = 0xffffffff * 1000 - 1;

const step = fc.record({
  // Mostly small steps, sometimes long pauses, sometimes backwards (clock skew between nodes).
  deltaMs: fc.oneof(
    fc.integer({ min: 0, max: 2_000 }),
    fc.integer({ min: 0, max: 3 * 3_600_000 }),
    fc.integer({ min: -5_000, max: 0 }),
    fc.integer({ min: 0, max: 10 * 86_400_000 }),
  ),
  path: fc.oneof(
    fc.constantFrom('/', '/about', '/a/b/c', '/x.css', '/robots.txt', '/api/v1', '/search?q=1'),
    fc.string({ maxLength: 64 }),
  ),
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'get', ''),
  cookieAction: fc.constantFrom('keep', 'keep', 'keep', 'drop', 'garble'),
  recentNewSessions: fc.option(fc.integer({ min: 0, max: 50 })),
});

describe('decide over arbitrary request sequences', () => {
  it('never throws for a valid clock, always scores 0–100, and always sets a cookie that opens', () => {
    const scorer = createScorer({
      keyRing: singleKeyRing(),
      realm: 'ss',
      model: loadModel(defaultModel),
      classifier: DEFAULT_CLASSIFIER,
      random: seededRandom(11),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_NOW_MS }),
        fc.array(step, { minLength: 1, maxLength: 30 }),
        (startMs, steps) => {
          let now = startMs;
          let cookie: string | undefined;
          for (const s of steps) {
            now = Math.min(MAX_NOW_MS, Math.max(0, now + s.deltaMs));
            const sent =
              s.cookieAction === 'drop'
                ? undefined
                : s.cookieAction === 'garble' && cookie
                  ? cookie.slice(1) + 'A'
                  : cookie;
            const d = scorer.decide({
              nowMs: now,
              method: s.method,
              path: s.path,
              cookie: sent,
              ...(s.recentNewSessions === null ? {} : { recentNewSessions: s.recentNewSessions }),
            });
            expect(Number.isInteger(d.score) && d.score >= 0 && d.score <= 100).toBe(true);
            expect(d.layer1 >= 0 && d.layer1 <= 100 && d.layer2 >= 0 && d.layer2 <= 100).toBe(true);
            expect(d.setCookie.maxAgeS).toBeGreaterThan(0);
            validateState(d.state);
            expect(scorer.codec.open(d.setCookie.value, now).kind).toBe('ok');
            if (s.cookieAction === 'garble' && cookie) expect(d.cookieStatus).toBe('tampered');
            cookie = d.setCookie.value;
          }
        },
      ),
      { numRuns: FULL ? 20_000 : 1_000 },
    );
  });
});
