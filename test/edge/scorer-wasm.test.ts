import { createHash } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCookieCodec,
  createKeyRing,
  DEFAULT_THRESHOLD,
  hexToBytes,
} from '../../scorer-core/src/index.js';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import { HAND_MODEL_DOC } from '../helpers/fixtures.js';
import {
  TEST_CALLER_SECRET,
  TEST_KEY2_HEX,
  TEST_KEY_HEX,
  testSecrets,
} from '../helpers/fake-platform.js';
import {
  startScenario,
  viceroyBin,
  viceroyRequired,
  type RunningScorer,
} from './viceroy-harness.js';

// The real wasm (js-compute runtime, scorer-core's AES-GCM, Fastly stores) on Viceroy, over HTTP.
describe.runIf(viceroyBin !== null || viceroyRequired)('scorer wasm on Viceroy', () => {
  const scorers: Record<string, RunningScorer> = {};
  beforeAll(async () => {
    const started = await Promise.all([
      startScenario('normal', { secrets: testSecrets() }),
      // The key ring index the operator CLI writes: ids in the Config Store, bytes in secrets of their own.
      startScenario('rotated', {
        config: {
          cookie_key_ring: JSON.stringify({
            active: 2,
            keys: [{ id: 2 }, { id: 1, grace_until: '2026-01-01T00:00:00Z' }],
          }),
        },
        secrets: {
          caller_secret: TEST_CALLER_SECRET,
          cookie_key_2: TEST_KEY2_HEX,
          cookie_key_1: TEST_KEY_HEX,
        },
      }),
      startScenario('broken-config', {
        config: { mode: 'sometimes', settings: '{not json' },
        secrets: testSecrets(),
      }),
      startScenario('no-key', { secrets: { caller_secret: TEST_CALLER_SECRET } }),
      startScenario('bad-model', {
        secrets: testSecrets(),
        kv: {
          current: 'v2',
          'models/v2': JSON.stringify({ ...HAND_MODEL_DOC, version: 'v2', matrix: [[1]] }),
        },
      }),
      startScenario('kv-model', {
        secrets: testSecrets(),
        kv: { current: 'hand-3', 'models/hand-3': JSON.stringify(HAND_MODEL_DOC) },
      }),
    ]);
    ['normal', 'rotated', 'broken-config', 'no-key', 'bad-model', 'kv-model'].forEach(
      (name, i) => (scorers[name] = started[i]!),
    );
  }, 300_000);
  afterAll(async () => {
    await Promise.all(Object.values(scorers).map((s) => s.stop()));
  });

  const send = (scenario: string, path: string, headers: Record<string, string> = {}) =>
    fetch(scorers[scenario]!.url + path, {
      headers: {
        'x-scorer-auth': TEST_CALLER_SECRET,
        'user-agent': 'Mozilla/5.0 edge-test',
        'fastly-client-ip': '198.51.100.4',
        referer: 'https://search.example/?q=edge',
        ...headers,
      },
    });
  /** Below the enforcement threshold, with no hand-set rule firing (the learned combiner may add a little). */
  const low = (r: Response) => {
    expect(r.headers.get('x-scorer-layer1')).toBe('0');
    expect(Number(r.headers.get('x-scorer-score'))).toBeLessThan(DEFAULT_THRESHOLD);
  };
  const cookieOf = (r: Response) =>
    /^ss_session=([^;]+)/.exec(r.headers.get('x-scorer-set-cookie') ?? '')?.[1];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a new visitor gets a cookie and a low score; returning with it advances the state', async () => {
    const first = await send('normal', '/');
    expect(first.status).toBe(200);
    low(first);
    expect(first.headers.get('x-scorer-cookie-status')).toBe('missing');
    expect(first.headers.get('x-scorer-set-cookie')).toMatch(
      /^ss_session=[A-Za-z0-9_-]{152}; Max-Age=21600; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
    await sleep(700);
    const second = await send('normal', '/about', { cookie: `ss_session=${cookieOf(first)}` });
    expect(second.headers.get('x-scorer-cookie-status')).toBe('ok');
    expect(second.headers.get('x-scorer-session')).toBe(first.headers.get('x-scorer-session'));
    low(second);
    // The session hash the wasm computes (WebCrypto digest) is the first 8 bytes of SHA-256 of
    // the session id inside the cookie it set, here recomputed with node:crypto.
    const codec = createCookieCodec({
      keyRing: createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: hexToBytes(TEST_KEY_HEX) }] }),
      realm: 'ss_session',
    });
    const opened = codec.open(cookieOf(second), Date.now());
    if (opened.kind !== 'ok')
      throw new Error(`the wasm's cookie did not open here: ${opened.kind}`);
    expect(second.headers.get('x-scorer-session')).toBe(
      createHash('sha256').update(opened.state.sessionId).digest('hex').slice(0, 16),
    );
    // The audit log line reached the log endpoint (Viceroy prints "endpoint :: line"); lines are
    // written after the response (event.waitUntil), so give them a moment.
    const auditLines = () => scorers.normal!.output.filter((l) => l.startsWith('scorer_audit :: '));
    for (let i = 0; i < 50 && auditLines().length < 2; i++) await sleep(20);
    const lines = auditLines();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(lines.at(-1)!.slice('scorer_audit :: '.length))).toMatchObject({
      event: 'scored',
      cookie: 'ok',
      ip: '198.51.100.0',
      requests: 2,
      page_views: 2,
    });
  });

  it(
    'the request facts the VCL forwards reach the wasm and its audit line; the counters are ' +
      'Viceroy stubs',
    async () => {
      const facts = {
        'x-scorer-proto': 'HTTP/2',
        'x-scorer-ja4': 't13d1516h2_8daaf6152771_02713d6af862',
        'x-scorer-host': 'shop.example',
        'x-scorer-tls': '1',
        referer: 'https://shop.example/list?page=3',
        accept: 'text/html,application/xhtml+xml',
        'accept-language': 'de-DE,de;q=0.9',
        'fastly-orig-accept-encoding': 'gzip, br',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-site': 'same-origin',
        'sec-fetch-dest': 'document',
        'sec-fetch-user': '?1',
        'sec-ch-ua': '"Chromium";v="131"',
      };
      const path = '/facts-check';
      // node:http, not fetch: fetch replaces sec-fetch-mode with its own "cors".
      const sendExactly = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          const request = httpGet(
            scorers.normal!.url + path,
            {
              agent: false,
              headers: {
                'x-scorer-auth': TEST_CALLER_SECRET,
                'user-agent': 'Mozilla/5.0 edge-test',
                'fastly-client-ip': '198.51.100.4',
                ...headers,
              },
            },
            (response) => {
              response.resume();
              response.on('end', () => resolve(response.statusCode ?? 0));
            },
          );
          request.on('error', reject);
        });
      for (let i = 0; i < 3; i++) expect(await sendExactly(facts)).toBe(200);
      const lines = () =>
        scorers
          .normal!.output.filter((l) => l.startsWith('scorer_audit :: '))
          .map((l) => JSON.parse(l.slice('scorer_audit :: '.length)))
          .filter((line) => line.path === path);
      for (let i = 0; i < 50 && lines().length < 3; i++) await sleep(20);
      expect(lines()).toHaveLength(3);
      expect(lines()[2]).toMatchObject({
        proto: 'HTTP/2',
        ja4: 't13d1516h2_8daaf6152771_02713d6af862',
        secure: true,
        host: 'shop.example',
        referer: 'https://shop.example/list',
        accept: 'text/html,application/xhtml+xml',
        accept_language: 'de-DE,de;q=0.9',
        accept_encoding: 'gzip, br',
        sec_fetch_mode: 'navigate',
        sec_fetch_site: 'same-origin',
        sec_fetch_dest: 'document',
        sec_fetch_user: '?1',
        sec_ch_ua: '"Chromium";v="131"',
      });
      // Viceroy's edge rate limiter is a stub: lookups answer 0, boxes are empty and nothing
      // throws, so three cookie-less visits each count as the first (the app never reports less
      // than this request). Real counting is tested on the fake (test/app/client-memory.test.ts).
      const first = {
        crawler_path_seen: false,
        cookieless_seen_before: false,
        cookieless_recent: 1,
        requests_60s: 1,
        new_sessions: 1,
      };
      expect(lines().map((line) => [line.memory, line.detail])).toEqual([
        [first, undefined],
        [first, undefined],
        [first, undefined],
      ]);
    },
  );

  it('a tampered cookie scores 100', async () => {
    const value = cookieOf(await send('normal', '/'))!;
    const tampered = value.slice(0, 40) + (value[40] === 'Q' ? 'R' : 'Q') + value.slice(41);
    const response = await send('normal', '/', { cookie: `ss_session=${tampered}` });
    expect(response.headers.get('x-scorer-score')).toBe('100');
    expect(response.headers.get('x-scorer-reasons')!.split(',')[0]).toBe('cookie_tampered');
  });

  it('a cookie under a rotated-out key (past grace) is expired', async () => {
    const value = cookieOf(await send('normal', '/'))!;
    const response = await send('rotated', '/', { cookie: `ss_session=${value}` });
    expect(response.headers.get('x-scorer-cookie-status')).toBe('expired');
    expect(response.headers.get('x-scorer-cookie-problem')).toBe('past-grace');
    expect(response.headers.get('x-scorer-key-id')).toBe('2');
  });

  it('a browsing script faster than the floor raises fast_browsing', async () => {
    let cookie = cookieOf(await send('normal', '/'));
    let last: Response | undefined;
    for (let i = 0; i < 8; i++) {
      last = await send('normal', `/2024/post-${i}`, { cookie: `ss_session=${cookie}` });
      cookie = cookieOf(last);
    }
    expect(last!.headers.get('x-scorer-reasons')).toContain('fast_browsing');
    expect(Number(last!.headers.get('x-scorer-score'))).toBeGreaterThanOrEqual(80);
  });

  it('robotic, regular dwell raises dwell_regular', async () => {
    let cookie = cookieOf(await send('normal', '/'));
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      await sleep(600);
      last = await send('normal', i % 2 ? '/' : `/about-${i}`, { cookie: `ss_session=${cookie}` });
      cookie = cookieOf(last);
    }
    expect(last!.headers.get('x-scorer-reasons')).toContain('dwell_regular');
    expect(last!.headers.get('x-scorer-reasons')).not.toContain('fast_browsing');
  }, 20_000);

  it('no caller secret → 403, no score', async () => {
    const response = await fetch(scorers.normal!.url + '/', { headers: { 'user-agent': 'x' } });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-scorer-score')).toBeNull();
  });

  it('broken config, missing key, bad model → 200 fail-open with the reason, never a 5xx', async () => {
    for (const [scenario, reason] of [
      ['broken-config', 'config-invalid'],
      ['no-key', 'keys-missing'],
      ['bad-model', 'model-invalid'],
    ] as const) {
      const response = await send(scenario, '/');
      expect(response.status, scenario).toBe(200);
      expect(response.headers.get('x-scorer-error'), scenario).toBe(reason);
      expect(response.headers.get('x-scorer-score'), scenario).toBeNull();
    }
    const health = await fetch(scorers['no-key']!.url + '/.scorer/health', {
      headers: { 'x-scorer-auth': TEST_CALLER_SECRET },
    });
    expect(health.status).toBe(503);
    expect(((await health.json()) as { keys: { error: string } }).keys.error).toBe('keys-missing');
  });

  it('reads the model from the KV Store', async () => {
    const response = await send('kv-model', '/');
    expect(response.headers.get('x-scorer-model')).toBe('hand-3');
    expect(response.headers.get('x-scorer-model-source')).toBe('kv');
  });

  it('a 32 KB cookie header, junk bytes and an 8 KB URL get sane answers', async () => {
    const big = await send('normal', '/', { cookie: 'ss_session=' + 'B'.repeat(32 * 1024) });
    expect(big.status).toBe(200);
    expect(big.headers.get('x-scorer-cookie-status')).toBe('tampered');
    const junk = await send('normal', '/', {
      cookie: 'ss_session=%FF%FE\u00e9\u00ff',
      'user-agent': '\u00ff\u00fe',
    });
    expect(junk.status).toBe(200);
    expect(junk.headers.get('x-scorer-cookie-status')).toBe('tampered');
    // 8 KB is the whole URL: Fastly's limit. (js-compute answers 500 before any app code for a
    // longer one, "init_request: Buffer length error"; the edge never forwards such a URL.)
    const base = scorers.normal!.url + '/';
    const path = '/' + 'p'.repeat(8192 - base.length);
    expect((scorers.normal!.url + path).length).toBe(8192);
    const long = await send('normal', path);
    expect(long.status).toBe(200);
    low(long);
  });

  it('health reports the model, its source and the key ids', async () => {
    const response = await fetch(scorers.rotated!.url + '/.scorer/health', {
      headers: { 'x-scorer-auth': TEST_CALLER_SECRET },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      model: { version: defaultModel.version, source: 'embedded', placeholder: false },
      keys: {
        active: 2,
        ids: [
          { id: 2, active: true },
          { id: 1, active: false },
        ],
      },
    });
  });
});
