import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createCookieCodec,
  createKeyRing,
  decodeChallengeToken,
  hexToBytes,
  meetsDifficulty,
  solveWork,
} from '../../scorer-core/src/index.js';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import { createApp } from '../../src/app.js';
import { CHALLENGE_SCRIPT, CHALLENGE_STYLE } from '../../src/challenge/page.js';
import { safeReturnPath } from '../../src/challenge/return-url.js';
import { prepareDefaults } from '../../src/config/defaults.js';
import {
  fakePlatform,
  TEST_CALLER_SECRET,
  TEST_KEY_HEX,
  testSecrets,
  type FakePlatformOptions,
} from '../helpers/fake-platform.js';

const defaults = prepareDefaults(defaultModel);
const ORIGIN = 'http://scorer.test';
const codec = createCookieCodec({
  keyRing: createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: hexToBytes(TEST_KEY_HEX) }] }),
  realm: 'ss_session',
});

function setup(options: FakePlatformOptions = {}) {
  // 8 bits: 256 hashes expected, so Node solves in milliseconds.
  const platform = fakePlatform({
    config: { challenge_difficulty_bits: '8' },
    secrets: testSecrets(),
    kv: {},
    ...options,
  });
  const app = createApp(platform, defaults);
  const send = (path: string, headers: Record<string, string> = {}) =>
    app.handle(
      new Request(ORIGIN + path, {
        headers: {
          'x-scorer-auth': TEST_CALLER_SECRET,
          'user-agent': 'Mozilla/5.0 test',
          'fastly-client-ip': '198.51.100.23',
          ...headers,
        },
      }),
    );
  return { platform, send };
}

/** Where a 200 "continue" page sends the browser (its meta refresh), or null for any other answer. */
const movesOnTo = async (response: Response) => {
  if (response.status !== 200) return null;
  const url = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(
    await response.clone().text(),
  )?.[1];
  return url === undefined ? null : url.replace(/&#38;/g, '&');
};
const setCookieOf = (response: Response) =>
  /^ss_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
const stateOf = (cookie: string | undefined, nowMs = 1_795_000_000_000) => {
  const opened = codec.open(cookie, nowMs);
  if (opened.kind !== 'ok') throw new Error(`cookie did not open: ${JSON.stringify(opened)}`);
  return opened.state;
};
const tokenOf = (html: string) => /data-token="([A-Za-z0-9_-]{72})"/.exec(html)![1]!;
const verifyPath = (token: string, counter: number | string, ret = '/blog/post') =>
  `/.scorer/challenge/verify?${new URLSearchParams({ token, counter: String(counter), return: ret })}`;

async function issue(
  send: ReturnType<typeof setup>['send'],
  cookie?: string,
  ret = '/blog/post?page=2',
) {
  const page = await send(
    `/.scorer/challenge?return=${encodeURIComponent(ret)}`,
    cookie ? { cookie: `ss_session=${cookie}` } : {},
  );
  const html = await page.text();
  return { page, html, token: tokenOf(html), cookie: setCookieOf(page)! };
}

describe('challenge page route', () => {
  it(
    'serves a no-store HTML page with the token, the return path, a live status and a noscript ' +
      'note; starts a session with one unanswered challenge',
    async () => {
      const { send, platform } = setup();
      const { page, html, token, cookie } = await issue(send);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('data-return="/blog/post?page=2"');
      expect(html).toContain('data-difficulty="8"');
      expect(html).toContain('role="status" aria-live="polite"');
      expect(html).toMatch(/<noscript>.*JavaScript.*<\/noscript>/s);
      expect(html).not.toMatch(/https?:\/\//); // nothing third-party: no absolute URL at all
      expect(decodeChallengeToken(token)!.token).toMatchObject({
        version: 1,
        difficultyBits: 8,
        issuedAtS: 1_795_000_000,
        expiresAtS: 1_795_000_300,
      });
      expect(page.headers.get('set-cookie')).toMatch(
        /^ss_session=[A-Za-z0-9_-]{152}; Max-Age=21600; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
      );
      expect(stateOf(cookie)).toMatchObject({
        challengesUnanswered: 1,
        challengePassedAtS: null,
        requests: 0,
        flags: 1,
      });
      expect(JSON.parse(platform.logs.at(-1)!.line)).toMatchObject({
        event: 'challenge-issued',
        cookie: 'missing',
        new_session: true,
      });
    },
  );

  it("the Content-Security-Policy allows exactly the page's script and style, by SHA-256", async () => {
    const { send } = setup();
    const { page } = await issue(send);
    const sha = (text: string) => createHash('sha256').update(text).digest('base64');
    expect(page.headers.get('content-security-policy')).toBe(
      `default-src 'none'; script-src 'sha256-${sha(CHALLENGE_SCRIPT)}'; style-src ` +
        `'sha256-${sha(CHALLENGE_STYLE)}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  });

  it('an existing session keeps its id and counts another unanswered challenge', async () => {
    const { send } = setup();
    const first = await issue(send);
    const second = await issue(send, first.cookie);
    expect(stateOf(second.cookie).sessionId).toEqual(stateOf(first.cookie).sessionId);
    expect(stateOf(second.cookie).challengesUnanswered).toBe(2);
    expect(second.token).not.toBe(first.token);
  });

  it(
    "served in place of a scored page, it builds on the preflight's new cookie " +
      "(x-scorer-set-cookie), not the browser's older one",
    async () => {
      const { send } = setup();
      const older = await issue(send);
      const preflight = await issue(send); // stands in for the cookie the preflight just sealed
      const page = await send('/.scorer/challenge?return=%2Fa', {
        cookie: `ss_session=${older.cookie}`,
        'x-scorer-set-cookie': `ss_session=${preflight.cookie}; Max-Age=21600; Path=/; HttpOnly; SameSite=Lax; Secure`,
      });
      expect(stateOf(setCookieOf(page)).sessionId).toEqual(stateOf(preflight.cookie).sessionId);
      expect(stateOf(setCookieOf(page)).sessionId).not.toEqual(stateOf(older.cookie).sessionId);
    },
  );

  it('refuses callers without the caller secret (403, nothing issued)', async () => {
    const { send, platform } = setup();
    const response = await send('/.scorer/challenge?return=/', { 'x-scorer-auth': 'wrong' });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(platform.logs).toHaveLength(0);
  });

  it('without a challenge key: 503 with the reason, never a pass', async () => {
    const { send } = setup({ secrets: { ...testSecrets(), challenge_key: '' } });
    const response = await send('/.scorer/challenge?return=/');
    expect(response.status).toBe(503);
    expect(response.headers.get('x-scorer-error')).toBe('challenge-key-missing');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const bad = await setup({ secrets: { ...testSecrets(), challenge_key: 'abc' } }).send(
      '/.scorer/challenge?return=/',
    );
    expect(bad.headers.get('x-scorer-error')).toBe('challenge-key-invalid');
  });

  it('configuration items set difficulty and lifetime; a bad one is refused naming the item', async () => {
    const { send } = setup({
      config: { challenge_difficulty_bits: '12', challenge_lifetime_s: '60' },
    });
    const { token } = await issue(send);
    expect(decodeChallengeToken(token)!.token).toMatchObject({
      difficultyBits: 12,
      expiresAtS: 1_795_000_060,
    });
    const { send: sendBad, platform } = setup({ config: { challenge_difficulty_bits: '40' } });
    const response = await sendBad('/.scorer/challenge?return=/');
    expect(response.status).toBe(503);
    expect(response.headers.get('x-scorer-error')).toBe('config-invalid');
    expect(JSON.parse(platform.logs.at(-1)!.line).detail).toMatch(
      /"challenge.difficultyBits" expected an integer in \[0, 32\], got 40/,
    );
  });

  it('mode off sends the browser straight back, without a cookie', async () => {
    const { send } = setup({ config: { mode: 'off' } });
    const response = await send('/.scorer/challenge?return=/a');
    expect(await movesOnTo(response)).toBe('/a');
    expect(response.headers.get('set-cookie')).toBeNull();
  });
});

describe('challenge verify route', () => {
  it(
    'a correct solution: back to the return path (a 200 page that moves on) with a cookie ' +
      'recording the pass',
    async () => {
      const { send, platform } = setup();
      const issued = await issue(send);
      const counter = solveWork(issued.token, 8)!;
      platform.clock.nowMs += 2000;
      const response = await send(verifyPath(issued.token, counter, '/blog/post?page=2'), {
        cookie: `ss_session=${issued.cookie}`,
      });
      expect(await movesOnTo(response)).toBe('/blog/post?page=2');
      expect(await response.text()).toContain(
        '<a href="/blog/post?page=2">Continue to the page</a>',
      );
      expect(response.headers.get('cache-control')).toBe('no-store');
      const passed = stateOf(setCookieOf(response), platform.clock.nowMs);
      expect(passed).toMatchObject({ challengePassedAtS: 1_795_000_002, challengesUnanswered: 0 });
      expect(passed.sessionId).toEqual(stateOf(issued.cookie).sessionId);
      expect(JSON.parse(platform.logs.at(-1)!.line)).toMatchObject({
        event: 'challenge-passed',
        detail: 'difficulty=8',
      });
    },
  );

  it('the same solution again with the passed cookie is replayed: back to the page, cookie unchanged', async () => {
    const { send } = setup();
    const issued = await issue(send);
    const counter = solveWork(issued.token, 8)!;
    const pass = await send(verifyPath(issued.token, counter), {
      cookie: `ss_session=${issued.cookie}`,
    });
    const again = await send(verifyPath(issued.token, counter), {
      cookie: `ss_session=${setCookieOf(pass)}`,
    });
    expect(await movesOnTo(again)).toBe('/blog/post');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it(
    'documented limit: the pre-pass cookie can replay the solution within its lifetime, and ' +
      'gets the same session passed again',
    async () => {
      const { send } = setup();
      const issued = await issue(send);
      const counter = solveWork(issued.token, 8)!;
      await send(verifyPath(issued.token, counter), { cookie: `ss_session=${issued.cookie}` });
      const replay = await send(verifyPath(issued.token, counter), {
        cookie: `ss_session=${issued.cookie}`,
      });
      expect(await movesOnTo(replay)).toBe('/blog/post');
      expect(stateOf(setCookieOf(replay)).sessionId).toEqual(stateOf(issued.cookie).sessionId);
    },
  );

  it("a solution from another session's page is refused (403, a link to try again)", async () => {
    const { send, platform } = setup();
    const mine = await issue(send);
    const theirs = await issue(send);
    const counter = solveWork(theirs.token, 8)!;
    const response = await send(verifyPath(theirs.token, counter), {
      cookie: `ss_session=${mine.cookie}`,
    });
    expect(response.status).toBe(403);
    expect(await movesOnTo(response)).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain(
      '<a href="/.scorer/challenge?return=%2Fblog%2Fpost">Try the check again</a>',
    );
    expect(JSON.parse(platform.logs.at(-1)!.line)).toMatchObject({
      event: 'challenge-refused',
      error: 'mac-mismatch',
    });
  });

  it('too little work, a forged token or no cookie are refused with 403', async () => {
    const { send, platform } = setup();
    const issued = await issue(send);
    let weak = 0;
    while (meetsDifficulty(issued.token, weak, 8)) weak++; // the first counter that is not a solution
    expect(
      (await send(verifyPath(issued.token, weak), { cookie: `ss_session=${issued.cookie}` }))
        .status,
    ).toBe(403);
    expect(JSON.parse(platform.logs.at(-1)!.line).error).toBe('insufficient-work');
    const forged = issued.token.slice(0, 71) + (issued.token[71] === 'A' ? 'B' : 'A');
    expect(
      (await send(verifyPath(forged, 0), { cookie: `ss_session=${issued.cookie}` })).status,
    ).toBe(403);
    expect(JSON.parse(platform.logs.at(-1)!.line).error).toBe('mac-mismatch');
    expect((await send(verifyPath(issued.token, solveWork(issued.token, 8)!))).status).toBe(403);
    expect(JSON.parse(platform.logs.at(-1)!.line).error).toBe('no-session');
  });

  it('an expired challenge sends the browser to a fresh one', async () => {
    const { send, platform } = setup();
    const issued = await issue(send);
    platform.clock.nowMs += 300_000;
    const response = await send(verifyPath(issued.token, solveWork(issued.token, 8)!, '/x'), {
      cookie: `ss_session=${issued.cookie}`,
    });
    expect(await movesOnTo(response)).toBe('/.scorer/challenge?return=%2Fx');
  });

  it("the page's own script, run here with Node's WebCrypto, finds a solution the verify route accepts", async () => {
    const { send } = setup();
    const issued = await issue(send);
    const dataset = Object.fromEntries(
      [...issued.html.matchAll(/data-([a-z]+)="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!.replace(/&#38;/g, '&'),
      ]),
    );
    let navigated = '';
    const status = { textContent: '' };
    const document = {
      getElementById: (id: string) => (id === 'challenge' ? { dataset } : status),
    };
    const location = { replace: (url: string) => void (navigated = url) };
    await new Function('document', 'location', `return ${CHALLENGE_SCRIPT.replace(/;$/, '')}`)(
      document,
      location,
    );
    expect(navigated).toMatch(
      /^\/\.scorer\/challenge\/verify\?token=[A-Za-z0-9_-]{72}&counter=\d+&return=%2Fblog%2Fpost%3Fpage%3D2$/,
    );
    expect(status.textContent).toBe('Done. Taking you to the page you asked for.');
    const response = await send(navigated, { cookie: `ss_session=${issued.cookie}` });
    expect(await movesOnTo(response)).toBe('/blog/post?page=2');
  });
});

describe('return path: same-site paths only (no open redirect)', () => {
  it.each([
    ['/blog/post?page=2', '/blog/post?page=2'],
    ['/a#fragment', '/a'],
    ['/a/../b', '/b'],
    ['/ünïcode', '/%C3%BCn%C3%AFcode'],
    ['/x"><script>', '/x%22%3E%3Cscript%3E'],
  ])('%s → %s', (given, kept) => expect(safeReturnPath(given)).toBe(kept));

  it.each([
    null,
    '',
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/ a',
    '/a\tb',
    '/\u0000',
    '/.scorer/challenge',
    '/.scorer/challenge/verify?token=x',
    '/' + 'a'.repeat(2048),
  ])('%j → /', (given) => {
    expect(safeReturnPath(given)).toBe('/');
  });
});
