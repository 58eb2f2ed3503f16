import { describe, expect, it, vi } from 'vitest';
import type { DecisionInput } from '../../scorer-core/src/index.js';
import { createApp } from '../../src/app.js';
import { prepareDefaults } from '../../src/config/defaults.js';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import { fakePlatform, TEST_CALLER_SECRET, testSecrets } from '../helpers/fake-platform.js';
import { curlHeaders } from '../helpers/fixtures.js';

// Every decide() input the app builds, kept so the tests can see what scorer-core receives.
const inputs = vi.hoisted(() => [] as unknown[]);
vi.mock('@session-scorer/core', async (importOriginal) => {
  const core = await importOriginal<typeof import('../../scorer-core/src/index.js')>();
  return {
    ...core,
    createScorer: (options: Parameters<typeof core.createScorer>[0]) => {
      const scorer = core.createScorer(options);
      return {
        ...scorer,
        decide: (input: DecisionInput) => (inputs.push(input), scorer.decide(input)),
      };
    },
  };
});

const defaults = prepareDefaults(defaultModel);
const CHROME_NAVIGATION = {
  'user-agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'accept-language': 'en-GB,en;q=0.9',
  'accept-encoding': 'gzip',
  'fastly-orig-accept-encoding': 'gzip, deflate, br, zstd',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-dest': 'document',
  'sec-fetch-user': '?1',
  'sec-ch-ua': '"Chromium";v="131", "Not_A Brand";v="24"',
  referer: 'https://shop.example/catalogue/?page=2&token=abc#top',
};
// What the VCL adds on the preflight (test/vcl checks the VCL side).
const FROM_VCL = {
  'x-scorer-proto': 'HTTP/2',
  'x-scorer-ja4': 't13d1516h2_8daaf6152771_02713d6af862',
  'x-scorer-host': 'shop.example',
  'x-scorer-tls': '1',
};

function setup() {
  const platform = fakePlatform({ config: {}, secrets: testSecrets(), kv: {} });
  const app = createApp(platform, defaults);
  const send = (path: string, headers: Record<string, string>, origin = 'http://scorer.test') =>
    app.handle(
      new Request(origin + path, {
        headers: {
          'x-scorer-auth': TEST_CALLER_SECRET,
          'fastly-client-ip': '2001:db8:5:6:1:2:3:4',
          ...headers,
        },
      }),
    );
  const lastLine = () => JSON.parse(platform.logs.at(-1)!.line);
  return { platform, send, lastLine };
}

describe('request facts and client memory reach decide()', () => {
  it('decide gets the request facts the preflight carries, Accept-Encoding as the client sent it', async () => {
    inputs.length = 0;
    const { send } = setup();
    await send('/catalogue/item-1', { ...CHROME_NAVIGATION, ...FROM_VCL });
    const input = inputs.at(-1) as DecisionInput;
    expect(input.request).toEqual({
      protocol: 'HTTP/2',
      referer: 'https://shop.example/catalogue/?page=2&token=abc#top',
      host: 'shop.example',
      secureContext: true,
      headers: {
        userAgent: CHROME_NAVIGATION['user-agent'],
        accept: CHROME_NAVIGATION.accept,
        acceptLanguage: 'en-GB,en;q=0.9',
        acceptEncoding: 'gzip, deflate, br, zstd',
        secFetchMode: 'navigate',
        secFetchSite: 'same-origin',
        secFetchDest: 'document',
        secFetchUser: '?1',
        secChUa: '"Chromium";v="131", "Not_A Brand";v="24"',
        ja4: 't13d1516h2_8daaf6152771_02713d6af862',
      },
    });
  });

  it('a bare HTTP client: absent headers are null, the facts the VCL did not send are unknown', async () => {
    inputs.length = 0;
    const { send } = setup();
    await send('/', { 'user-agent': 'curl/8.5.0', accept: '*/*' });
    expect((inputs.at(-1) as DecisionInput).request).toEqual({
      protocol: undefined,
      referer: null,
      host: undefined,
      secureContext: undefined,
      headers: curlHeaders('curl/8.5.0'),
    });
  });

  it('malformed x-scorer-proto and x-scorer-ja4 count as unknown', async () => {
    inputs.length = 0;
    const { send } = setup();
    await send('/', { 'x-scorer-proto': 'SPDY/3 or so', 'x-scorer-ja4': 't13d<script>' });
    const request = (inputs.at(-1) as DecisionInput).request!;
    expect(request.protocol).toBeUndefined();
    expect(request.headers!.ja4).toBeNull();
  });

  it(
    'secure context: x-scorer-tls from the VCL; without it, a loopback host (a direct call) is ' +
      'secure, others unknown',
    async () => {
      inputs.length = 0;
      const { send } = setup();
      const secure = async (headers: Record<string, string>, origin?: string) => (
        await send('/', headers, origin),
        (inputs.at(-1) as DecisionInput).request!.secureContext
      );
      expect(await secure({ 'x-scorer-tls': '1' })).toBe(true);
      expect(await secure({ 'x-scorer-tls': '0' })).toBe(false);
      expect(await secure({ 'x-scorer-tls': '0' }, 'http://127.0.0.1:7676')).toBe(false);
      expect(await secure({}, 'http://127.0.0.1:7676')).toBe(true);
      expect(await secure({}, 'http://localhost:7676')).toBe(true);
      expect(await secure({}, 'http://[::1]:7676')).toBe(true);
      expect(await secure({}, 'http://scorer.test')).toBeUndefined();
      expect(await secure({ 'x-scorer-tls': 'yes' }, 'http://scorer.test')).toBeUndefined();
    },
  );

  it("decide asks the client memory of the address's /64; the answers repeat and count once per request", async () => {
    inputs.length = 0;
    const { send, platform, lastLine } = setup();
    await send('/', {});
    // A cookie-less first visit: crawler path looked up, arrival and request recorded, plus the
    // new-session count (address + User-Agent).
    expect(lastLine().memory).toEqual({
      crawler_path_seen: false,
      cookieless_seen_before: false,
      cookieless_recent: 1,
      requests_60s: 1,
      new_sessions: 1,
    });
    expect(platform.counter('scorer_client_requests').entries()).toEqual(['2001:db8:5:6::/64']);
    platform.clock.nowMs += 2_000;
    await send('/', { 'fastly-client-ip': '2001:db8:5:6:ffff::9' });
    expect(lastLine().memory).toEqual({
      crawler_path_seen: false,
      cookieless_seen_before: true,
      cookieless_recent: 2,
      requests_60s: 2,
      new_sessions: 1,
    });
    const client = (inputs.at(-1) as DecisionInput).client!;
    expect(client.request()).toBe(2);
    expect(platform.counter('scorer_client_requests').total('2001:db8:5:6::/64')).toBe(2);
  });

  it('a crawler path is remembered for the address: the next request sees it', async () => {
    const { send, lastLine } = setup();
    await send('/robots.txt', {});
    expect(lastLine().memory).toMatchObject({
      crawler_path_seen: false,
      crawler_path_recorded: true,
    });
    await send('/', { 'fastly-client-ip': '2001:db8:5:6::77' });
    expect(lastLine().memory).toMatchObject({ crawler_path_seen: true });
    expect(lastLine().memory.crawler_path_recorded).toBeUndefined();
  });

  it('without fastly-client-ip there is no client memory', async () => {
    inputs.length = 0;
    const platform = fakePlatform({ config: {}, secrets: testSecrets(), kv: {} });
    await createApp(platform, defaults).handle(
      new Request('http://scorer.test/', { headers: { 'x-scorer-auth': TEST_CALLER_SECRET } }),
    );
    expect((inputs.at(-1) as DecisionInput).client).toBeUndefined();
  });
});

describe('the audit line records the request facts and the memory answers', () => {
  it('protocol, JA4, host, the Referer without its query, and the browser headers', async () => {
    const { send, lastLine } = setup();
    await send('/catalogue/item-1', { ...CHROME_NAVIGATION, ...FROM_VCL });
    expect(lastLine()).toMatchObject({
      proto: 'HTTP/2',
      ja4: 't13d1516h2_8daaf6152771_02713d6af862',
      secure: true,
      host: 'shop.example',
      referer: 'https://shop.example/catalogue/',
      ua: CHROME_NAVIGATION['user-agent'],
      accept: CHROME_NAVIGATION.accept,
      accept_language: 'en-GB,en;q=0.9',
      accept_encoding: 'gzip, deflate, br, zstd',
      sec_fetch_mode: 'navigate',
      sec_fetch_site: 'same-origin',
      sec_fetch_dest: 'document',
      sec_fetch_user: '?1',
      sec_ch_ua: '"Chromium";v="131", "Not_A Brand";v="24"',
    });
    expect(JSON.stringify(lastLine())).not.toContain('token=abc');
  });

  it('absent headers are null; long values are capped; a Referer that is not a URL is "invalid"', async () => {
    const { send, lastLine } = setup();
    await send('/', { 'user-agent': 'curl/8.5.0' });
    expect(lastLine()).toMatchObject({
      proto: null,
      ja4: null,
      secure: null,
      host: null,
      referer: null,
      accept: null,
      accept_language: null,
      accept_encoding: null,
      sec_fetch_mode: null,
      sec_fetch_site: null,
      sec_fetch_dest: null,
      sec_fetch_user: null,
      sec_ch_ua: null,
    });
    await send('/', {
      accept: 'a'.repeat(500),
      'accept-language': 'l'.repeat(500),
      'sec-ch-ua': 'c'.repeat(500),
      'x-scorer-host': 'h'.repeat(500),
      referer: 'not a url',
    });
    const line = lastLine();
    // Capped at the documented length plus the "…" marker.
    expect([
      line.accept.length,
      line.accept_language.length,
      line.sec_ch_ua.length,
      line.host.length,
    ]).toEqual([129, 65, 161, 129]);
    expect(line.referer).toBe('invalid');
  });

  it('the host calls a request costs: 9 on a cookie-less first visit, 5 on a returning one', async () => {
    const { send, lastLine, platform } = setup();
    const first = await send('/', {});
    // crawler-path has (1); cookie-less arrival: has, add, increment, lookup (4); request:
    // increment, lookup (2); new sessions: increment, lookup (2).
    expect(platform.edgeCalls.length).toBe(9);
    const cookie = /^ss_session=([^;]+)/.exec(first.headers.get('x-scorer-set-cookie')!)![1];
    platform.clock.nowMs += 5_000;
    platform.edgeCalls.length = 0;
    await send('/about', { cookie: `ss_session=${cookie}` });
    // crawler-path has (1); request (2); cookie uses (2).
    expect(platform.edgeCalls.map((call) => call.replace(/\(.*\)$/, ''))).toEqual([
      'scorer_crawler_path.has',
      'scorer_client_requests.increment',
      'scorer_client_requests.lookupCount',
      'scorer_cookie_uses.increment',
      'scorer_cookie_uses.lookupCount',
    ]);
    expect(lastLine().memory).toEqual({
      crawler_path_seen: false,
      requests_60s: 2,
      cookie_uses: 1,
    });
  });

  it('is built after the response, as on Fastly (the fake defers it like the real platform)', async () => {
    const { send, platform } = setup();
    await send('/', {});
    expect(platform.pendingLogs).toBe(1);
    expect(platform.logs).toHaveLength(1);
    expect(platform.pendingLogs).toBe(0);
  });
});
