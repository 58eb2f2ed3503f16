import { describe, expect, it } from 'vitest';
import {
  claimedBrowser,
  clientFamily,
  clientFamilyTag,
  cookieMovedScore,
  declaredToolScore,
  createScorer,
  FEATURE_NAMES,
  headerRules,
  headerSignals,
  requestSignals,
  type BrowserHeaders,
  type ClientMemory,
  type FeatureName,
} from '../../scorer-core/src/index.js';
import { curlHeaders, handModel, seededRandom, singleKeyRing } from '../helpers/fixtures.js';

const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Version/17.5 Safari/605.1.15';

const chromeNavigation: BrowserHeaders = {
  userAgent: CHROME_UA,
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  acceptLanguage: 'en-US,en;q=0.9',
  acceptEncoding: 'gzip, deflate, br, zstd',
  secFetchMode: 'navigate',
  secFetchSite: 'none',
  secFetchDest: 'document',
  secFetchUser: '?1',
  secChUa: '"Chromium";v="131", "Not_A Brand";v="24"',
  ja4: null,
};
// What `curl -A <Chrome UA>` sends.
const curlAsChrome = curlHeaders(CHROME_UA);

describe('request signals', () => {
  it('crawler, feed and scanner paths, whatever the case and query', () => {
    const s = (path: string) => requestSignals('GET', path, undefined);
    for (const path of [
      '/robots.txt',
      '/ROBOTS.TXT?x=1',
      '/sitemap.xml',
      '/sitemap_index.xml',
      '/sitemap-posts.xml.gz',
      '/ads.txt',
      '/.well-known/security.txt',
      '/security.txt',
    ]) {
      expect(s(path).crawlerPath, path).toBe(true);
    }
    for (const path of ['/', '/robots', '/blog/robots.txt.html', '/about/sitemap'])
      expect(s(path).crawlerPath, path).toBe(false);
    for (const path of ['/feed', '/blog/feed/', '/rss.xml', '/index.atom', '/feed.php'])
      expect(s(path).feed, path).toBe(true);
    for (const path of ['/feedback', '/news/rssfeed-guide']) expect(s(path).feed, path).toBe(false);
    for (const path of [
      '/wp-login.php',
      '/blog/wp-admin/',
      '/.env',
      '/.git/config',
      '/phpmyadmin/index.php',
      '/cgi-bin/test.sh',
      '/vendor/phpunit/x',
    ]) {
      expect(s(path).scannerPath, path).toBe(true);
    }
    for (const path of ['/environment', '/github', '/blog/wordpress-login-tips', '/consoles'])
      expect(s(path).scannerPath, path).toBe(false);
  });

  it('HEAD, HTTP/1.0 and the Referer: absent, the request itself, unknown', () => {
    expect(requestSignals('head', '/', undefined).head).toBe(true);
    expect(requestSignals('GET', '/', { protocol: 'HTTP/1.0' }).http10).toBe(true);
    expect(requestSignals('GET', '/', { protocol: 'HTTP/1.1' }).http10).toBe(false);
    expect(requestSignals('GET', '/a', { referer: null }).noReferer).toBe(true);
    // Unknown (undefined) is not "absent".
    expect(requestSignals('GET', '/a', {}).noReferer).toBe(false);
    expect(
      requestSignals('GET', '/a/B?x', { referer: 'https://example.com/a/b' }).selfReferer,
    ).toBe(true);
    expect(requestSignals('GET', '/a/b', { referer: 'https://example.com/a' }).selfReferer).toBe(
      false,
    );
    expect(requestSignals('GET', '/', { referer: '-' }).selfReferer).toBe(false);
    // The home page, and another host's page of the same path, are not self-referrals.
    expect(requestSignals('GET', '/', { referer: 'https://search.example/' }).selfReferer).toBe(
      false,
    );
    expect(
      requestSignals('GET', '/a/b', { referer: 'https://other.example/a/b', host: 'site.example' })
        .selfReferer,
    ).toBe(false);
    expect(
      requestSignals('GET', '/a/b', {
        referer: 'https://SITE.example/a/b',
        host: 'site.example:443',
      }).selfReferer,
    ).toBe(true);
  });
});

describe('browser-header signals', () => {
  it('reads the claimed browser from the User-Agent', () => {
    expect(claimedBrowser(CHROME_UA)).toEqual({ family: 'chromium', major: 131 });
    expect(claimedBrowser(FIREFOX_UA)).toEqual({ family: 'firefox', major: 128 });
    expect(claimedBrowser(SAFARI_UA)).toEqual({ family: 'safari', major: 17.05 });
    expect(claimedBrowser('curl/8.5.0')).toEqual({ family: null, major: 0 });
    expect(claimedBrowser(null)).toEqual({ family: null, major: 0 });
  });

  it(
    'a real Chromium navigation contradicts nothing; curl claiming Chrome contradicts three ' +
      'things on a secure origin, two on plain HTTP',
    () => {
      expect(headerRules(headerSignals(chromeNavigation, true, true), 70)).toEqual([]);
      const secure = headerSignals(curlAsChrome, true, true);
      expect(secure).toEqual({
        claimsBrowser: true,
        acceptLanguageMissing: true,
        fetchMetadataMissing: true,
        clientHintsMissing: false,
        navigationAcceptWrong: true,
      });
      expect(headerRules(secure, 70)).toHaveLength(3);
      // Browsers send no fetch metadata to a plain-HTTP origin: that rule stays off there.
      expect(headerSignals(curlAsChrome, false, true).fetchMetadataMissing).toBe(false);
      expect(headerRules(headerSignals(curlAsChrome, false, true), 70)).toHaveLength(2);
    },
  );

  it("Node's fetch: Accept-Language '*', cors mode without client hints", () => {
    const nodeFetch: BrowserHeaders = {
      ...curlAsChrome,
      acceptLanguage: '*',
      secFetchMode: 'cors',
      acceptEncoding: 'gzip, deflate',
    };
    const signals = headerSignals(nodeFetch, true, true);
    expect(signals.acceptLanguageMissing).toBe(true);
    expect(signals.clientHintsMissing).toBe(true);
    // Not a navigation (cors), so its Accept is not judged.
    expect(signals.navigationAcceptWrong).toBe(false);
  });

  it(
    'Firefox and Safari send no client hints, and that is no contradiction; a non-browser ' +
      'User-Agent is not judged',
    () => {
      expect(
        headerRules(
          headerSignals({ ...chromeNavigation, userAgent: FIREFOX_UA, secChUa: null }, true, true),
          70,
        ),
      ).toEqual([]);
      expect(
        headerRules(
          headerSignals({ ...chromeNavigation, userAgent: SAFARI_UA, secChUa: null }, true, true),
          70,
        ),
      ).toEqual([]);
      expect(
        headerRules(
          headerSignals({ ...curlAsChrome, userAgent: 'python-requests/2.31.0' }, true, true),
          70,
        ),
      ).toEqual([]);
      // Old browsers that predate fetch metadata are not asked for it.
      expect(
        headerSignals(
          { ...curlAsChrome, userAgent: CHROME_UA.replace('131.0', '70.0'), acceptLanguage: 'en' },
          true,
          true,
        ).fetchMetadataMissing,
      ).toBe(false);
    },
  );
});

/** A ClientMemory over plain counters that records every call, to check what decide() asks and in what order. */
function recordingMemory(
  answers: { seenBefore?: boolean; recent?: number; requests?: number; crawled?: boolean } = {},
) {
  const calls: string[] = [];
  const memory: ClientMemory = {
    cookielessArrival: () => (
      calls.push('cookielessArrival'),
      { seenBefore: answers.seenBefore ?? false, recent: answers.recent ?? 1 }
    ),
    request: () => (calls.push('request'), answers.requests ?? 1),
    crawlerPath: () => void calls.push('crawlerPath'),
    seenCrawlerPath: () => (calls.push('seenCrawlerPath'), answers.crawled ?? false),
  };
  return { memory, calls };
}

describe('decision features', () => {
  const scorer = () =>
    createScorer({
      keyRing: singleKeyRing(),
      realm: 't',
      model: handModel(),
      random: seededRandom(7),
    });
  const named = (features: Float64Array) =>
    Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, features[i]])) as Record<
      FeatureName,
      number
    >;

  it('the first request of a cookie-less client fetching robots.txt over HTTP/1.0 with no Referer', () => {
    const { memory, calls } = recordingMemory({
      seenBefore: true,
      recent: 3,
      requests: 7,
      crawled: true,
    });
    const d = scorer().decide({
      nowMs: 1_800_000_000_000,
      method: 'GET',
      path: '/robots.txt',
      request: { protocol: 'HTTP/1.0', referer: null },
      client: memory,
    });
    const f = named(d.features);
    expect(f).toMatchObject({
      req_crawler_path: 1,
      req_feed: 0,
      req_scanner_path: 0,
      req_head: 0,
      req_http10: 1,
      req_no_referer: 1,
      req_deep_no_referer: 1,
      req_self_referer: 0,
      sess_new: 1,
      sess_tampered: 0,
      sess_log_requests: 0,
      sess_log_gap_s: 0,
      sess_fast_evidence: 0,
      sess_page_share: 1, // robots.txt is a page view for the default classifier (class robots)
      client_cookieless_before: 1,
      client_log_cookieless_60s: 2, // log2(1 + 3)
      client_log_requests_60s: 3, // log2(1 + 7)
      client_crawler_path_before: 1,
    });
    // Looked up before recorded: the request never sees itself as "before".
    expect(calls).toEqual(['seenCrawlerPath', 'crawlerPath', 'cookielessArrival', 'request']);
    expect(d.signals.client).toEqual({
      cookielessBefore: true,
      cookieless60s: 3,
      requests60s: 7,
      crawlerPathBefore: true,
    });
  });

  it('the second request of a session: gap and requests from the cookie, no cookie-less arrival recorded', () => {
    const s = scorer();
    const first = s.decide({
      nowMs: 1_800_000_000_000,
      method: 'GET',
      path: '/',
      request: { referer: null },
    });
    const { memory, calls } = recordingMemory({ requests: 1 });
    const second = s.decide({
      nowMs: 1_800_000_009_000,
      method: 'GET',
      path: '/a',
      cookie: first.setCookie.value,
      request: { referer: 'https://x.example/' },
      client: memory,
    });
    const f = named(second.features);
    expect(f.sess_new).toBe(0);
    expect(f.sess_log_requests).toBe(1); // log2(1 + 1)
    expect(f.sess_log_gap_s).toBe(1); // log10(1 + 9)
    expect(f.req_no_referer).toBe(0);
    expect(f.req_deep_no_referer).toBe(0);
    expect(f.client_log_cookieless_60s).toBe(0);
    expect(calls).toEqual(['seenCrawlerPath', 'request']);
  });

  it(
    'without request facts the request features are 0; without a client memory the client ' +
      'looks first-time (its own request counted once)',
    () => {
      const d = scorer().decide({ nowMs: 1_800_000_000_000, method: 'GET', path: '/deep/page' });
      const f = named(d.features);
      expect([
        f.req_no_referer,
        f.req_deep_no_referer,
        f.req_http10,
        f.client_cookieless_before,
        f.client_crawler_path_before,
      ]).toEqual([0, 0, 0, 0, 0]);
      // log2(1 + 1): one cookie-less arrival and one request, this one.
      expect([f.client_log_cookieless_60s, f.client_log_requests_60s]).toEqual([1, 1]);
      expect(d.learned).toBe(0);
      expect(d.headers).toBe(0);
    },
  );

  it('header contradictions reach the score and the reasons on the first request', () => {
    const d = scorer().decide({
      nowMs: 1_800_000_000_000,
      method: 'GET',
      path: '/',
      request: { secureContext: true, headers: curlAsChrome },
    });
    // Three contradictions at 70: 1 - 0.3^3 = 0.973 → 97.
    expect(d.headers).toBe(97);
    expect(d.score).toBe(97);
    expect(d.reasons).toEqual(['browser_headers_missing']);
    const real = scorer().decide({
      nowMs: 1_800_000_000_000,
      method: 'GET',
      path: '/',
      request: { secureContext: true, headers: chromeNavigation },
    });
    expect(real.score).toBe(0);
  });
});

describe('client family binding', () => {
  it('families: the claimed browser, else the first product token', () => {
    expect(clientFamily(CHROME_UA)).toBe('chromium');
    expect(clientFamily(FIREFOX_UA)).toBe('firefox');
    expect(clientFamily('curl/8.5.0')).toBe('curl');
    expect(clientFamily('python-requests/2.31.0')).toBe('python-requests');
    expect(clientFamily('')).toBe('');
  });

  it('browsers have fixed tags 1–3; other families hash (FNV-1a) into 4–31', () => {
    expect([
      clientFamilyTag(CHROME_UA),
      clientFamilyTag(FIREFOX_UA),
      clientFamilyTag(SAFARI_UA),
    ]).toEqual([1, 2, 3]);
    // FNV-1a 32 computed here from its definition, then folded: (h % 28) + 4.
    const fnv = (text: string) =>
      [...text].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0, 0x811c9dc5);
    for (const [ua, family] of [
      ['curl/8.5.0', 'curl'],
      ['Wget/1.21.3', 'wget'],
      ['python-requests/2.31.0', 'python-requests'],
      ['Go-http-client/1.1', 'go-http-client'],
    ]) {
      expect(clientFamilyTag(ua), ua).toBe((fnv(family!) % 28) + 4);
    }
    expect(clientFamilyTag(undefined)).toBeNull();
  });

  it('cookie_moved only when both tags are known and differ', () => {
    expect(cookieMovedScore(5, 6, 90)).toEqual({ reason: 'cookie_moved', score: 90 });
    expect(cookieMovedScore(5, 5, 90)).toBeNull();
    expect(cookieMovedScore(undefined, 6, 90)).toBeNull();
    expect(cookieMovedScore(5, null, 90)).toBeNull();
  });
});

describe(
  'iOS browsers are WebKit, whatever they call themselves (review: Chrome on iOS was ' +
    'asked for client hints)',
  () => {
    const CHROME_IOS =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like ' +
      'Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1';
    const FIREFOX_IOS =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 16_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like ' +
      'Gecko) FxiOS/132.0 Mobile/15E148 Safari/605.1.15';
    // What Chrome on iOS 17.5 sends on a typed-in navigation: fetch metadata, no client hints.
    const iosNavigation: BrowserHeaders = {
      ...chromeNavigation,
      userAgent: CHROME_IOS,
      secChUa: null,
    };

    it('CriOS and FxiOS are judged as Safari of the iOS version', () => {
      expect(claimedBrowser(CHROME_IOS)).toEqual({ family: 'safari', major: 17.05 });
      expect(claimedBrowser(FIREFOX_IOS)).toEqual({ family: 'safari', major: 16.02 });
    });

    it(
      'a real Chrome-on-iPhone navigation contradicts nothing (it scored 88 when judged as ' +
        'Chromium without client hints)',
      () => {
        expect(headerRules(headerSignals(iosNavigation, true, true), 70)).toEqual([]);
        // iOS 16.2 predates fetch metadata in WebKit (16.4): not asked for it either.
        expect(
          headerSignals(
            { ...curlAsChrome, userAgent: FIREFOX_IOS, acceptLanguage: 'en', accept: 'text/html' },
            true,
            true,
          ).fetchMetadataMissing,
        ).toBe(false);
      },
    );
  },
);

describe('declared automation (a User-Agent naming an HTTP library or tool)', () => {
  it('tools by their product name; browsers, crawlers and unknown names are not', () => {
    for (const ua of [
      'curl/8.5.0',
      'Wget/1.21.3',
      'python-requests/2.31.0',
      'Go-http-client/1.1',
      'okhttp/4.12.0',
      'Java/17.0.2',
      'node',
    ]) {
      expect(declaredToolScore(ua, 80), ua).toEqual({ reason: 'declared_automation', score: 80 });
    }
    for (const ua of [
      CHROME_UA,
      FIREFOX_UA,
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'FeedReader/1.0',
      '',
    ]) {
      expect(declaredToolScore(ua, 80), ua).toBeNull();
    }
    expect(declaredToolScore(undefined, 80)).toBeNull();
  });

  it('decide() flags wget on its first request at the edge, and never in log replay (no headers there)', () => {
    const scorer = createScorer({
      keyRing: singleKeyRing(),
      realm: 't',
      model: handModel(),
      random: seededRandom(8),
    });
    const wget = { ...curlAsChrome, userAgent: 'Wget/1.21.3' };
    const d = scorer.decide({
      nowMs: 1_800_000_000_000,
      method: 'GET',
      path: '/',
      request: { referer: null, headers: wget },
    });
    expect(d.score).toBe(80);
    expect(d.reasons).toEqual(['declared_automation']);
    expect(
      scorer.decide({
        nowMs: 1_800_000_000_000,
        method: 'GET',
        path: '/',
        request: { referer: null },
      }).reasons,
    ).not.toContain('declared_automation');
  });
});
