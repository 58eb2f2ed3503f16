import { describe, expect, it } from 'vitest';
import {
  createCookieCodec,
  createKeyRing,
  hexToBytes,
  sessionIdHash,
} from '../../scorer-core/src/index.js';
import { createApp, HEALTH_PATH } from '../../src/app.js';
import { readCookie } from '../../src/cookie-header.js';
import { prepareDefaults } from '../../src/config/defaults.js';
import { truncateIp } from '../../src/audit.js';
import { APP_VERSION } from '../../src/version.js';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import { HAND_MODEL_DOC } from '../helpers/fixtures.js';
import {
  fakePlatform,
  TEST_CALLER_SECRET,
  TEST_KEY2_HEX,
  TEST_KEY_HEX,
  testSecrets,
  type FakePlatformOptions,
} from '../helpers/fake-platform.js';
import pkg from '../../package.json' with { type: 'json' };

// The app as built: the shipped default model embedded.
const defaults = prepareDefaults(defaultModel);
const ORIGIN = 'http://scorer.test';
// A visitor who followed a link: a deep link with no Referer is evidence of automation for the
// shipped model (request signals), and these tests are about the app's contract, not that.
const VISITOR_REFERER = 'https://search.example/?q=scorer';

function setup(options: FakePlatformOptions = {}) {
  const platform = fakePlatform({ config: {}, secrets: testSecrets(), kv: {}, ...options });
  const app = createApp(platform, defaults);
  const send = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
    app.handle(
      new Request(ORIGIN + path, {
        ...init,
        headers: {
          'x-scorer-auth': TEST_CALLER_SECRET,
          'user-agent': 'Mozilla/5.0 test',
          'fastly-client-ip': '198.51.100.23',
          referer: VISITOR_REFERER,
          ...headers,
        },
      }),
    );
  return { platform, app, send };
}

const cookieOf = (response: Response) =>
  /^ss_session=([^;]+)/.exec(response.headers.get('x-scorer-set-cookie') ?? '')?.[1];
const scoreHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('x-scorer-')));

describe('scorer app: preflight route', () => {
  it('a new visitor gets a score of 0, a cookie and the full header contract', async () => {
    const { send, platform } = setup();
    const response = await send('/blog/some-post?utm=1');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const h = scoreHeaders(response);
    expect(h).toMatchObject({
      'x-scorer-score': '0',
      'x-scorer-layer1': '0',
      'x-scorer-layer2': '0',
      'x-scorer-reasons': '',
      'x-scorer-cookie-status': 'missing',
      'x-scorer-page-class': 'listing',
      'x-scorer-model': defaultModel.version,
      'x-scorer-model-source': 'embedded',
      'x-scorer-key-id': '1',
      'x-scorer-mode': 'monitor',
      'x-scorer-version': APP_VERSION,
    });
    expect(h['x-scorer-session']).toMatch(/^[0-9a-f]{16}$/);
    expect(h['x-scorer-set-cookie']).toMatch(
      /^ss_session=[A-Za-z0-9_-]{152}; Max-Age=21600; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(h['x-scorer-error']).toBeUndefined();
    expect(platform.logs).toHaveLength(1);
  });

  it("x-scorer-session is scorer-core's sessionIdHash of the id in the cookie", async () => {
    const { send } = setup();
    const response = await send('/');
    const codec = createCookieCodec({
      keyRing: createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: hexToBytes(TEST_KEY_HEX) }] }),
      realm: 'ss_session',
    });
    const opened = codec.open(cookieOf(response)!, 1_795_000_000_000);
    if (opened.kind !== 'ok') throw new Error(opened.kind);
    expect(response.headers.get('x-scorer-session')).toBe(sessionIdHash(opened.state.sessionId));
  });

  it('returning with the cookie advances the same session', async () => {
    const { send, platform } = setup();
    const first = await send('/');
    platform.clock.nowMs += 12_000;
    const second = await send('/about', { cookie: `other=1; ss_session=${cookieOf(first)}; x=y` });
    expect(second.headers.get('x-scorer-cookie-status')).toBe('ok');
    expect(second.headers.get('x-scorer-session')).toBe(first.headers.get('x-scorer-session'));
    expect(cookieOf(second)).not.toBe(cookieOf(first));
  });

  it('a tampered cookie scores 100', async () => {
    const { send } = setup();
    const value = cookieOf(await send('/'))!;
    const tampered = value.slice(0, 30) + (value[30] === 'a' ? 'b' : 'a') + value.slice(31);
    const response = await send('/', { cookie: `ss_session=${tampered}` });
    expect(scoreHeaders(response)).toMatchObject({
      'x-scorer-score': '100',
      'x-scorer-layer1': '100',
      'x-scorer-cookie-status': 'tampered',
      'x-scorer-cookie-problem': 'authentication',
    });
    // The hand-set rule leads; the learned combiner may add its own reasons after it.
    expect(response.headers.get('x-scorer-reasons')!.split(',')[0]).toBe('cookie_tampered');
  });

  it('a cookie under a key past its grace deadline is expired and starts a new session', async () => {
    const old = setup();
    const value = cookieOf(await old.send('/'))!;
    const rotated = setup({
      secrets: testSecrets({
        active: 2,
        keys: [
          { id: 2, key: TEST_KEY2_HEX },
          { id: 1, key: TEST_KEY_HEX, grace_until: '2026-01-01T00:00:00Z' },
        ],
      }),
    });
    const response = await rotated.send('/', { cookie: `ss_session=${value}` });
    expect(scoreHeaders(response)).toMatchObject({
      'x-scorer-cookie-status': 'expired',
      'x-scorer-cookie-problem': 'past-grace',
      'x-scorer-key-id': '2',
      'x-scorer-score': '0',
    });
    const inGrace = setup({
      secrets: testSecrets({
        active: 2,
        keys: [
          { id: 2, key: TEST_KEY2_HEX },
          { id: 1, key: TEST_KEY_HEX, grace_until: 1_900_000_000 },
        ],
      }),
    });
    const reopened = await inGrace.send('/', { cookie: `ss_session=${value}` });
    expect(reopened.headers.get('x-scorer-cookie-status')).toBe('ok');
    expect(reopened.headers.get('x-scorer-key-id')).toBe('2');
  });

  it('takes the original method from x-scorer-original-method and never reads the body', async () => {
    const { send } = setup();
    const response = await send(
      '/comments',
      { 'x-scorer-original-method': 'POST' },
      { method: 'GET' },
    );
    expect(response.headers.get('x-scorer-page-class')).toBe('form');
    let pulled = false;
    const body = new ReadableStream({ pull: () => void (pulled = true) }, { highWaterMark: 0 });
    const post = await send('/comments', {}, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(post.headers.get('x-scorer-page-class')).toBe('form');
    expect(pulled).toBe(false);
  });

  it(
    'fake rate counter (Viceroy stubs the edge rate limiter): a client that keeps dropping its ' +
      'cookie rises to 100 past its allowance',
    async () => {
      const { send, platform } = setup();
      const layer1: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i < 9; i++) {
        const response = await send('/');
        layer1.push(response.headers.get('x-scorer-layer1')!);
        scores.push(Number(response.headers.get('x-scorer-score')));
      }
      // The hand-set cookie rule's ramp (docs/scoring.md); the score also carries the learned
      // combiner's evidence, which grows as the client memory fills, and never falls below Layer 1.
      expect(layer1).toEqual(['0', '0', '0', '20', '40', '60', '80', '100', '100']);
      scores.forEach((score, i) => expect(score).toBeGreaterThanOrEqual(Number(layer1[i])));
      expect(scores.slice(-2)).toEqual([100, 100]);
      const newSessions = platform.counter('scorer_new_sessions');
      expect(newSessions.entries().map((entry) => newSessions.total(entry))).toEqual([9]);
      // Another client (other IP) is counted separately.
      const other = await send('/', { 'fastly-client-ip': '192.0.2.7' });
      expect(other.headers.get('x-scorer-layer1')).toBe('0');
      expect(Number(other.headers.get('x-scorer-score'))).toBeLessThan(scores[0]! + 1);
    },
  );

  it('fake rate counter (Viceroy stubs the edge rate limiter): replaying one cookie value scores 100', async () => {
    const { send, platform } = setup();
    const value = cookieOf(await send('/'))!;
    const scores: string[] = [];
    for (let i = 0; i < 6; i++) {
      platform.clock.nowMs += 5000;
      scores.push(
        (await send('/about', { cookie: `ss_session=${value}` })).headers.get('x-scorer-score')!,
      );
    }
    expect(scores).toEqual(['0', '0', '0', '0', '100', '100']);
  });

  it('mode off answers without scoring or a cookie', async () => {
    const { send, platform } = setup({ config: { mode: 'off' } });
    const response = await send('/');
    expect(scoreHeaders(response)).toEqual({
      'x-scorer-mode': 'off',
      'x-scorer-version': APP_VERSION,
    });
    expect(platform.logs).toHaveLength(0);
  });

  it('config items shape the cookie and the rules', async () => {
    const { send } = setup({
      config: {
        mode: 'enforce',
        cookie_name: 'sid',
        cookie_domain: 'example.com',
        cookie_secure: 'false',
        settings: JSON.stringify({ session: { idleTimeoutS: 600 } }),
      },
    });
    const response = await send('/');
    expect(response.headers.get('x-scorer-set-cookie')).toMatch(
      /^sid=[A-Za-z0-9_-]{152}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax; Domain=example.com$/,
    );
    expect(response.headers.get('x-scorer-mode')).toBe('enforce');
  });

  it('session lifetime items override the settings; empty items count as absent', async () => {
    const { send } = setup({
      config: {
        cookie_max_age_s: '7200',
        session_idle_timeout_s: '900',
        session_id_rotation_s: '600',
        cookie_domain: '',
        settings: '',
      },
    });
    const response = await send('/');
    expect(response.headers.get('x-scorer-error')).toBeNull();
    expect(response.headers.get('x-scorer-set-cookie')).toContain('; Max-Age=900; ');
    const bad = await setup({ config: { session_idle_timeout_s: '10' } }).send('/');
    expect(bad.headers.get('x-scorer-error')).toBe('config-invalid');
    const notNumber = await setup({ config: { cookie_max_age_s: '1h' } }).send('/');
    expect(notNumber.headers.get('x-scorer-error')).toBe('config-invalid');
  });

  it(
    'in a reused sandbox, a changed secret or config item applies on the next request (caches ' +
      'follow the source text)',
    async () => {
      const secrets: Record<string, string> = testSecrets();
      const config: Record<string, string> = { settings: '{"session":{"idleTimeoutS":900}}' };
      const { send } = setup({ secrets, config });
      const first = await send('/');
      expect(first.headers.get('x-scorer-key-id')).toBe('1');
      expect(first.headers.get('x-scorer-set-cookie')).toContain('Max-Age=900;');
      secrets.cookie_keys = JSON.stringify({
        active: 2,
        keys: [
          { id: 2, key: TEST_KEY2_HEX },
          { id: 1, key: TEST_KEY_HEX, grace_until: 1_900_000_000 },
        ],
      });
      config.settings = '{"session":{"idleTimeoutS":600}}';
      const second = await send('/', { cookie: `ss_session=${cookieOf(first)}` });
      expect(second.headers.get('x-scorer-key-id')).toBe('2');
      expect(second.headers.get('x-scorer-cookie-status')).toBe('ok');
      expect(second.headers.get('x-scorer-set-cookie')).toContain('Max-Age=600;');
    },
  );

  it('uses a model from the KV Store when "current" names one', async () => {
    const doc = { ...HAND_MODEL_DOC, version: 'kv-model-7' };
    const { send } = setup({
      kv: { current: 'kv-model-7', 'models/kv-model-7': JSON.stringify(doc) },
    });
    const response = await send('/');
    expect(scoreHeaders(response)).toMatchObject({
      'x-scorer-model': 'kv-model-7',
      'x-scorer-model-source': 'kv',
    });
  });
});

describe('scorer app: caller authentication', () => {
  it('no or a wrong caller secret gets a bare 403 with no score', async () => {
    const { app, platform } = setup();
    const sameLengthWrong =
      TEST_CALLER_SECRET.slice(0, -1) + (TEST_CALLER_SECRET.endsWith('x') ? 'y' : 'x');
    for (const headers of [
      {} as Record<string, string>,
      { 'x-scorer-auth': 'wrong' },
      { 'x-scorer-auth': TEST_CALLER_SECRET + 'x' },
      { 'x-scorer-auth': TEST_CALLER_SECRET.slice(1) },
      { 'x-scorer-auth': sameLengthWrong },
    ]) {
      const response = await app.handle(new Request(ORIGIN + '/', { headers }));
      expect(response.status).toBe(403);
      expect(scoreHeaders(response)).toEqual({});
      expect(await response.text()).toBe('');
    }
    expect(platform.logs).toHaveLength(0);
  });

  it('without a configured caller secret every preflight is refused, says why and logs it', async () => {
    const { send, platform } = setup({ secrets: { cookie_keys: testSecrets().cookie_keys } });
    const response = await send('/');
    expect(response.status).toBe(403);
    expect(response.headers.get('x-scorer-error')).toBe('caller-secret-missing');
    expect(JSON.parse(platform.logs[0]!.line)).toMatchObject({
      event: 'refused',
      error: 'caller-secret-missing',
    });
  });

  it('a caller secret shorter than 32 characters is refused; surrounding whitespace is ignored', async () => {
    const short = setup({ secrets: { ...testSecrets(), caller_secret: 'short-secret' } });
    const response = await short.send('/', { 'x-scorer-auth': 'short-secret' });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-scorer-error')).toBe('caller-secret-invalid');
    const padded = setup({
      secrets: { ...testSecrets(), caller_secret: TEST_CALLER_SECRET + '\n' },
    });
    expect((await padded.send('/')).status).toBe(200);
  });

  it('mode off still requires the caller secret, and reads no other store', async () => {
    const { app } = setup({ config: { mode: 'off' } });
    expect((await app.handle(new Request(ORIGIN + '/'))).status).toBe(403);
  });

  it('an unauthenticated caller causes no key or model read', async () => {
    const { app, platform } = setup();
    const reads: string[] = [];
    const secret = platform.secret;
    platform.secret = async (key) => (reads.push(`secret:${key}`), secret(key));
    platform.kvText = async (key) => (reads.push(`kv:${key}`), null);
    await app.handle(new Request(ORIGIN + '/'));
    expect(reads).toEqual(['secret:caller_secret', 'secret:caller_secret_next']);
  });

  it(
    'caller_secret_next is accepted alongside caller_secret (a rotation in progress); a short ' +
      'one is refused',
    async () => {
      const next = 'next-caller-secret-abcdefghijklmnopqrstuvwxyz';
      const { app } = setup({ secrets: { ...testSecrets(), caller_secret_next: next } });
      const as = (secret: string) =>
        app.handle(
          new Request(ORIGIN + '/', {
            headers: {
              'x-scorer-auth': secret,
              'user-agent': 'ua',
              'fastly-client-ip': '192.0.2.1',
            },
          }),
        );
      expect((await as(TEST_CALLER_SECRET)).status).toBe(200);
      expect((await as(next)).status).toBe(200);
      expect((await as(next + 'x')).status).toBe(403);
      const onlyNext = setup({
        secrets: { cookie_keys: testSecrets().cookie_keys, caller_secret_next: next },
      });
      expect((await onlyNext.send('/', { 'x-scorer-auth': next })).status).toBe(200);
      const short = setup({ secrets: { ...testSecrets(), caller_secret_next: 'short' } });
      const refused = await short.send('/');
      expect(refused.status).toBe(403);
      expect(refused.headers.get('x-scorer-error')).toBe('caller-secret-invalid');
    },
  );
});

describe('scorer app: fail open, never a 5xx', () => {
  const cases: [string, FakePlatformOptions, string][] = [
    ['invalid mode', { config: { mode: 'block-everyone' } }, 'config-invalid'],
    ['invalid settings JSON', { config: { settings: '{"layer1":' } }, 'config-invalid'],
    ['unknown setting', { config: { settings: '{"layer1":{"fastFloor":1}}' } }, 'config-invalid'],
    [
      'invalid classifier',
      { config: { classifier: '{"rules":[{"class":"a","regex":"(a+)+"}],"defaultClass":"b"}' } },
      'config-invalid',
    ],
    ['config store missing', { config: 'unavailable' }, 'config-store-unavailable'],
    ['no cookie keys', { secrets: { caller_secret: TEST_CALLER_SECRET } }, 'keys-missing'],
    [
      'cookie keys not JSON',
      { secrets: { caller_secret: TEST_CALLER_SECRET, cookie_keys: 'k' } },
      'keys-invalid',
    ],
    [
      'short key',
      { secrets: testSecrets({ active: 1, keys: [{ id: 1, key: 'abcd' }] }) },
      'keys-invalid',
    ],
    [
      'active key absent',
      { secrets: testSecrets({ active: 3, keys: [{ id: 1, key: TEST_KEY_HEX, grace_until: 1 }] }) },
      'keys-invalid',
    ],
    ['model pointer to nothing', { kv: { current: 'v9' } }, 'model-missing'],
    ['model not JSON', { kv: { current: 'v9', 'models/v9': '{' } }, 'model-invalid'],
    [
      'model rows do not sum to 1',
      {
        kv: {
          current: 'v9',
          'models/v9': JSON.stringify({
            ...HAND_MODEL_DOC,
            version: 'v9',
            initial: [0.5, 0.5, 0.5],
          }),
        },
      },
      'model-invalid',
    ],
  ];
  for (const [name, options, reason] of cases) {
    it(`${name} → 200 with x-scorer-error: ${reason}, no score, a log line`, async () => {
      const { send, platform } = setup(options);
      const response = await send('/');
      expect(response.status).toBe(200);
      expect(scoreHeaders(response)).toEqual({
        'x-scorer-error': reason,
        'x-scorer-version': APP_VERSION,
      });
      expect(platform.logs).toHaveLength(1);
      const line = JSON.parse(platform.logs[0]!.line);
      expect(line).toMatchObject({ event: 'fail-open', error: reason });
      expect(platform.logs[0]!.line).not.toContain(TEST_KEY_HEX.slice(0, 16));
    });
  }

  it('a model store that cannot be read falls back to the embedded model, with a warning in the log', async () => {
    const { send, platform } = setup({ kv: 'unavailable' });
    const response = await send('/');
    expect(scoreHeaders(response)).toMatchObject({
      'x-scorer-score': '0',
      'x-scorer-model-source': 'embedded',
    });
    expect(JSON.parse(platform.logs[0]!.line).detail).toContain('model store unavailable');
  });

  it('a counter that throws (edge rate limiting not enabled) scores without the count and logs it', async () => {
    const { send, platform } = setup();
    platform.edge = 'unavailable';
    const first = await send('/');
    expect(first.headers.get('x-scorer-score')).toBe('0');
    const second = await send('/about', { cookie: `ss_session=${cookieOf(first)}` });
    expect(second.headers.get('x-scorer-cookie-status')).toBe('ok');
    // decide() asks the client memory too; every failure is named, one line per distinct cause.
    expect(platform.logs.map((l) => JSON.parse(l.line).detail)).toEqual([
      'scorer_crawler_path, scorer_cookieless_seen, scorer_cookieless, scorer_client_requests, ' +
        'scorer_new_sessions: Edge Rate Limiting is not enabled for this service',
      'scorer_crawler_path, scorer_client_requests, scorer_cookie_uses: Edge Rate Limiting is ' +
        'not enabled for this service',
    ]);
  });

  it('without fastly-client-ip the new-session count is unknown: no shared counter, no dropper verdict', async () => {
    const { app, platform } = setup();
    const scores: string[] = [];
    const layer1: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await app.handle(
        new Request(ORIGIN + '/', {
          headers: { 'x-scorer-auth': TEST_CALLER_SECRET, 'user-agent': 'Mozilla/5.0 common' },
        }),
      );
      scores.push(response.headers.get('x-scorer-score')!);
      layer1.push(response.headers.get('x-scorer-layer1')!);
    }
    // No dropper verdict (Layer 1 stays 0) and no memory: every request looks like the first.
    expect(layer1).toEqual(['0', '0', '0', '0', '0', '0']);
    expect(new Set(scores).size).toBe(1);
    expect(platform.edgeCalls).toEqual([]);
  });

  it('never echoes a value from the cookie_keys secret, even one in the wrong field', async () => {
    const misplaced = testSecrets({
      active: TEST_KEY_HEX,
      keys: [{ id: TEST_KEY_HEX, key: TEST_KEY_HEX }],
    });
    const { send, platform, app } = setup({ secrets: misplaced });
    const response = await send('/');
    expect(response.headers.get('x-scorer-error')).toBe('keys-invalid');
    const health = await app.handle(
      new Request(ORIGIN + HEALTH_PATH, { headers: { 'x-scorer-auth': TEST_CALLER_SECRET } }),
    );
    const text = (await health.text()) + platform.logs.map((l) => l.line).join('\n');
    expect(text).toContain('keys-invalid');
    expect(text).not.toContain(TEST_KEY_HEX.slice(0, 12));
  });

  it('key configuration errors are reported by field', async () => {
    const cases: [object, string][] = [
      [
        {
          active: 1,
          keys: [
            { id: 1, key: TEST_KEY_HEX },
            { id: 1, key: TEST_KEY2_HEX, grace_until: 5 },
          ],
        },
        'keys[1].id 1 appears more than once',
      ],
      [
        { active: 1, keys: [{ id: 1, key: TEST_KEY_HEX, grace_until: 5 }] },
        'is the active key (id 1) and must not have a grace deadline',
      ],
      [
        {
          active: 2,
          keys: [
            { id: 2, key: TEST_KEY2_HEX },
            { id: 1, key: TEST_KEY_HEX, grace_until: '2030-02-30T00:00:00Z' },
          ],
        },
        'keys[1].grace_until: expected Unix seconds or an ISO 8601 UTC instant',
      ],
      [
        {
          active: 2,
          keys: [
            { id: 2, key: TEST_KEY2_HEX },
            { id: 1, key: TEST_KEY_HEX, grace_until: '2030-01-01T00:00:00' },
          ],
        },
        'keys[1].grace_until',
      ],
    ];
    for (const [keys, message] of cases) {
      const { send, platform } = setup({ secrets: testSecrets(keys) });
      expect((await send('/')).headers.get('x-scorer-error')).toBe('keys-invalid');
      expect(JSON.parse(platform.logs[0]!.line).detail).toContain(message);
    }
    const numeric = setup({
      secrets: testSecrets({
        active: 2,
        keys: [
          { id: 2, key: TEST_KEY2_HEX },
          { id: 1, key: TEST_KEY_HEX, grace_until: '1900000000' },
        ],
      }),
    });
    expect((await numeric.send('/')).headers.get('x-scorer-score')).toBe('0');
  });

  it('a KV model whose version differs from its name fails open', async () => {
    const { send } = setup({
      kv: { current: 'v5', 'models/v5': JSON.stringify({ ...HAND_MODEL_DOC, version: 'v6' }) },
    });
    expect((await send('/')).headers.get('x-scorer-error')).toBe('model-invalid');
  });

  it('invalid cookie items fail open with config-invalid', async () => {
    for (const config of [
      { cookie_domain: 'exa mple.com' } as Record<string, string>,
      { cookie_realm: 'é'.repeat(200) },
      { log_endpoint: 'bad endpoint' },
      { cookie_name: '__Host-ss', cookie_domain: 'example.com' },
      { cookie_name: '__Secure-ss', cookie_secure: 'false' },
      { cookie_secure: 'yes' },
    ]) {
      const { send } = setup({ config });
      expect((await send('/')).headers.get('x-scorer-error'), JSON.stringify(config)).toBe(
        'config-invalid',
      );
    }
  });

  it('a maximum age below the idle timeout caps the idle timeout', async () => {
    const { send } = setup({ config: { cookie_max_age_s: '3600' } });
    const response = await send('/');
    expect(response.headers.get('x-scorer-error')).toBeNull();
    expect(response.headers.get('x-scorer-set-cookie')).toContain('; Max-Age=3600; ');
  });

  it('a secret store that is unavailable refuses the caller (403) and says why', async () => {
    const { send } = setup({ secrets: 'unavailable' });
    const response = await send('/');
    expect(response.status).toBe(403);
    expect(response.headers.get('x-scorer-error')).toBe('secret-store-unavailable');
  });

  it('an exception anywhere (here: the clock) still answers 200 with x-scorer-error: internal', async () => {
    const { send, platform } = setup();
    platform.now = () => Number.NaN;
    const response = await send('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-scorer-error')).toBe('internal');
  });

  it('hostile input gets a sane answer: a 32 KB cookie header, junk UTF-8, an 8 KB URL', async () => {
    const { send } = setup();
    const big = await send('/', { cookie: 'ss_session=' + 'A'.repeat(32 * 1024) });
    expect(scoreHeaders(big)).toMatchObject({
      'x-scorer-cookie-status': 'tampered',
      'x-scorer-cookie-problem': 'length',
      'x-scorer-score': '100',
    });
    const junk = await send('/', {
      cookie: 'ss_session=\u00ff\u00fe%00',
      'user-agent': '\u00ff\u00e9\u00c3',
    });
    expect(scoreHeaders(junk)).toMatchObject({
      'x-scorer-cookie-status': 'tampered',
      'x-scorer-cookie-problem': 'encoding',
    });
    const long = await send('/' + 'x'.repeat(8 * 1024));
    expect(long.status).toBe(200);
    expect(long.headers.get('x-scorer-layer1')).toBe('0');
    expect(Number(long.headers.get('x-scorer-score'))).toBeLessThan(80);
  });
});

describe('scorer app: key ring index (config cookie_key_ring + secrets cookie_key_<id>)', () => {
  const NOW_S = 1_795_000_000; // the fake platform's clock
  const ringSetup = (
    index: object | string,
    keySecrets: Record<string, string>,
    extraConfig: Record<string, string> = {},
  ) =>
    setup({
      config: {
        cookie_key_ring: typeof index === 'string' ? index : JSON.stringify(index),
        ...extraConfig,
      },
      secrets: { caller_secret: TEST_CALLER_SECRET, ...keySecrets },
    });
  // A cookie as a POP whose only key is `id` seals it.
  const sealWith = async (id: number, hex: string) =>
    cookieOf(
      await ringSetup({ active: id, keys: [{ id }] }, { [`cookie_key_${id}`]: hex }).send('/'),
    )!;

  it(
    'seals with the active key and opens staged and in-grace keys; an index takes precedence ' +
      'over cookie_keys',
    async () => {
      const index = {
        active: 2,
        keys: [{ id: 2 }, { id: 3, staged: true }, { id: 1, grace_until: NOW_S + 60 }],
      };
      const { send } = ringSetup(index, {
        cookie_key_2: TEST_KEY2_HEX,
        cookie_key_3: TEST_KEY_HEX,
        cookie_key_1: TEST_KEY_HEX.replace(/0/g, '1'),
        cookie_keys: testSecrets().cookie_keys,
      });
      const fresh = await send('/');
      expect(fresh.headers.get('x-scorer-key-id')).toBe('2');
      // A POP that already activated key 3 sealed this cookie: here it is staged, and still opens.
      const fromStaged = await send('/', {
        cookie: `ss_session=${await sealWith(3, TEST_KEY_HEX)}`,
      });
      expect(fromStaged.headers.get('x-scorer-cookie-status')).toBe('ok');
      expect(fromStaged.headers.get('x-scorer-key-id')).toBe('2');
      const fromGrace = await send('/', {
        cookie: `ss_session=${await sealWith(1, TEST_KEY_HEX.replace(/0/g, '1'))}`,
      });
      expect(fromGrace.headers.get('x-scorer-cookie-status')).toBe('ok');
    },
  );

  it('a key past its grace deadline expires its cookies', async () => {
    const index = { active: 2, keys: [{ id: 2 }, { id: 1, grace_until: NOW_S - 1 }] };
    const { send } = ringSetup(index, { cookie_key_2: TEST_KEY2_HEX, cookie_key_1: TEST_KEY_HEX });
    const response = await send('/', { cookie: `ss_session=${await sealWith(1, TEST_KEY_HEX)}` });
    expect(response.headers.get('x-scorer-cookie-status')).toBe('expired');
  });

  it('a missing secret is tolerated only for a staged key or one past grace', async () => {
    const tolerated = ringSetup(
      { active: 2, keys: [{ id: 2 }, { id: 3, staged: true }, { id: 1, grace_until: NOW_S - 1 }] },
      { cookie_key_2: TEST_KEY2_HEX },
    );
    expect((await tolerated.send('/')).headers.get('x-scorer-score')).toBe('0');
    const cases: [object, Record<string, string>, string, string][] = [
      [
        { active: 2, keys: [{ id: 2 }] },
        {},
        'keys-missing',
        'secret "cookie_key_2" (active key 2 in "cookie_key_ring") is not set',
      ],
      [
        { active: 2, keys: [{ id: 2 }, { id: 1, grace_until: NOW_S + 5 }] },
        { cookie_key_2: TEST_KEY2_HEX },
        'keys-invalid',
        'secret "cookie_key_1" (grace key 1',
      ],
      [
        { active: 2, keys: [{ id: 2 }] },
        { cookie_key_2: 'abcd' },
        'keys-invalid',
        'secret "cookie_key_2": expected 64 hex characters',
      ],
    ];
    for (const [index, keySecrets, reason, detail] of cases) {
      const { send, platform } = ringSetup(index, keySecrets);
      const response = await send('/');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-scorer-error')).toBe(reason);
      expect(JSON.parse(platform.logs[0]!.line).detail).toContain(detail);
    }
  });

  it('an invalid index fails open by field, and never echoes key bytes put into it', async () => {
    const cases: [string, string][] = [
      ['{', 'not valid JSON'],
      [JSON.stringify({ active: 9, keys: [{ id: 2, grace_until: 5 }] }), '9 is not among the keys'],
      [
        JSON.stringify({ active: 2, keys: [{ id: 2 }, { id: 1 }] }),
        'keys[1] (id 1) is neither active nor staged: it needs grace_until',
      ],
      [JSON.stringify({ active: 2, keys: [{ id: 2, staged: true }] }), 'keys[0] is the active key'],
      [
        JSON.stringify({ active: 2, keys: [{ id: 2, key: TEST_KEY_HEX }] }),
        'keys[0] must not hold key bytes',
      ],
    ];
    for (const [index, detail] of cases) {
      const { send, platform, app } = ringSetup(index, { cookie_key_2: TEST_KEY2_HEX });
      expect((await send('/')).headers.get('x-scorer-error')).toBe('keys-invalid');
      const health = await app.handle(
        new Request(ORIGIN + HEALTH_PATH, { headers: { 'x-scorer-auth': TEST_CALLER_SECRET } }),
      );
      const text = (await health.text()) + platform.logs.map((l) => l.line).join('\n');
      expect(text).toContain(detail);
      expect(text).not.toContain(TEST_KEY_HEX.slice(0, 12));
    }
  });

  it('health lists staged keys as staged, never key bytes', async () => {
    const { app } = ringSetup(
      { active: 2, keys: [{ id: 2 }, { id: 3, staged: true }] },
      { cookie_key_2: TEST_KEY2_HEX, cookie_key_3: TEST_KEY_HEX },
    );
    const body = (await (
      await app.handle(
        new Request(ORIGIN + HEALTH_PATH, { headers: { 'x-scorer-auth': TEST_CALLER_SECRET } }),
      )
    ).json()) as { keys: unknown };
    expect(body.keys).toEqual({
      valid: true,
      active: 2,
      ids: [
        { id: 2, active: true },
        { id: 3, active: false, staged: true },
      ],
    });
  });
});

describe('scorer app: audit log', () => {
  it(
    'one JSON line per scored request, with no cookie value, no secret, a truncated IP and ' +
      'capped, escaped fields',
    async () => {
      const { send, platform } = setup({ config: { log_endpoint: 'my_audit' } });
      const hostileUa = 'evil","score":100,"x":"\\' + 'u'.repeat(1000);
      // The same client both times (a cookie sent by another User-Agent family is cookie_moved).
      const incoming = cookieOf(await send('/', { 'user-agent': hostileUa }))!;
      platform.logs.length = 0;
      platform.clock.nowMs += 30_000;
      const response = await send('/a?q=secret-query', {
        cookie: `ss_session=${incoming}`,
        'user-agent': hostileUa,
        'sec-fetch-mode': 'navigate',
        'accept-language': 'fr',
      });
      const cookie = cookieOf(response)!;
      expect(platform.logs).toHaveLength(1);
      const { endpoint, line } = platform.logs[0]!;
      expect(line).not.toContain(incoming);
      expect(line).not.toContain(incoming.slice(0, 19));
      expect(endpoint).toBe('my_audit');
      expect(line.split('\n')).toHaveLength(1);
      const record = JSON.parse(line);
      expect(record).toMatchObject({
        event: 'scored',
        mode: 'monitor',
        score: 0,
        ip: '198.51.100.0',
        path: '/a',
        method: 'GET',
        cookie: 'ok',
        key_id: 1,
        model: defaultModel.version,
        sec_fetch_mode: 'navigate',
        accept_language: 'fr',
        new_session: false,
        requests: 2,
        page_views: 2,
      });
      expect(record.sid).toBe(response.headers.get('x-scorer-session'));
      expect(record.ua.length).toBeLessThanOrEqual(257);
      expect(line).not.toContain(cookie);
      expect(line).not.toContain(TEST_CALLER_SECRET);
      expect(line).not.toContain('secret-query');
    },
  );

  it('truncates addresses to their network', () => {
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
    expect(truncateIp('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd::/48');
    expect(truncateIp('::1')).toBe('::/48');
    expect(truncateIp('not an ip')).toBe('invalid');
    expect(truncateIp(null)).toBeNull();
  });
});

describe('scorer app: health', () => {
  it('without the caller secret, only the verdict and version', async () => {
    const { app } = setup();
    const response = await app.handle(new Request(ORIGIN + HEALTH_PATH));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      service: 'session-scorer',
      version: APP_VERSION,
      healthy: true,
    });
    const head = await app.handle(new Request(ORIGIN + HEALTH_PATH, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    const wrong = await app.handle(
      new Request(ORIGIN + HEALTH_PATH, { headers: { 'x-scorer-auth': 'nope' } }),
    );
    expect(Object.keys((await wrong.json()) as object)).toEqual(['service', 'version', 'healthy']);
  });

  it('with the caller secret: version, model and source, key ids (never key bytes) and config validity', async () => {
    const { app } = setup({
      secrets: testSecrets({
        active: 2,
        keys: [
          { id: 2, key: TEST_KEY2_HEX },
          { id: 1, key: TEST_KEY_HEX, grace_until: 1_900_000_000 },
        ],
      }),
    });
    const response = await app.handle(
      new Request(ORIGIN + HEALTH_PATH, { headers: { 'x-scorer-auth': TEST_CALLER_SECRET } }),
    );
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      service: 'session-scorer',
      version: APP_VERSION,
      healthy: true,
      config: { valid: true, mode: 'monitor', cookie: 'ss_session' },
      keys: {
        valid: true,
        active: 2,
        ids: [
          { id: 2, active: true },
          { id: 1, active: false, graceUntilS: 1_900_000_000 },
        ],
      },
      model: { valid: true, version: defaultModel.version, source: 'embedded', placeholder: false },
      challenge: { valid: true, difficultyBits: 16, lifetimeS: 300 },
    });
    expect(text).not.toContain(TEST_KEY_HEX.slice(0, 8));
  });

  it('is 503 with the reasons when something is wrong', async () => {
    const { app } = setup({
      secrets: { caller_secret: TEST_CALLER_SECRET },
      config: { mode: 'x' },
    });
    expect((await app.handle(new Request(ORIGIN + HEALTH_PATH))).status).toBe(503);
    const response = await app.handle(
      new Request(ORIGIN + HEALTH_PATH, { headers: { 'x-scorer-auth': TEST_CALLER_SECRET } }),
    );
    expect(response.status).toBe(503);
    const body = (await response.json()) as { config: unknown; keys: unknown };
    expect(body.config).toMatchObject({ valid: false, error: 'config-invalid' });
    expect(body.keys).toMatchObject({ valid: false, error: 'keys-missing' });
  });

  it(
    'reports a missing challenge key without calling the scorer unhealthy (the preflight does ' +
      'not need it)',
    async () => {
      const { app } = setup({ secrets: { ...testSecrets(), challenge_key: '' } });
      const response = await app.handle(
        new Request(ORIGIN + HEALTH_PATH, { headers: { 'x-scorer-auth': TEST_CALLER_SECRET } }),
      );
      expect(response.status).toBe(200);
      expect(((await response.json()) as { challenge: unknown }).challenge).toEqual({
        valid: false,
        error: 'challenge-key-missing',
        detail: 'secret "challenge_key" is not set: there is no default challenge key',
      });
    },
  );

  it('APP_VERSION follows package.json', () => {
    expect(APP_VERSION).toBe(pkg.version);
  });
});

describe('cookie header parsing', () => {
  it('finds the first cookie of the name, ignoring others and spacing', () => {
    expect(readCookie('a=1; ss_session=xyz; ss_session=second', 'ss_session')).toBe('xyz');
    expect(readCookie('ss_sessionx=1;ss_session = v ', 'ss_session')).toBe('v');
    expect(readCookie('novalue; ss=', 'ss')).toBe('');
    expect(readCookie(null, 'ss')).toBeUndefined();
    expect(readCookie('a=1', 'ss')).toBeUndefined();
    expect(readCookie('ss="quoted"', 'ss')).toBe('quoted');
    expect(readCookie('a=1, ss=joined', 'ss')).toBe('joined');
  });
});
