import { describe, expect, it } from 'vitest';
import {
  claimedCrawler,
  combine,
  crawlerFacts,
  crawlerRules,
  CRAWLERS,
  createScorer,
  SPOOFED_CRAWLER_SCORE,
  DEFAULT_SETTINGS,
} from '../../scorer-core/src/index.js';
import { handModel, seededRandom, singleKeyRing } from '../helpers/fixtures.js';

// User-Agents as the operators document them.
const UA = {
  googlebotDesktop:
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; ' +
    '+http://www.google.com/bot.html) Chrome/131.0.6778.204 Safari/537.36',
  googlebotSmartphone:
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like ' +
    'Gecko) Chrome/131.0.6778.204 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  googlebotImage: 'Googlebot-Image/1.0',
  storebot:
    'Mozilla/5.0 (X11; Linux x86_64; Storebot-Google/1.0) AppleWebKit/537.36 (KHTML, like ' +
    'Gecko) Chrome/79.0.3945.88 Safari/537.36',
  inspectionTool: 'Mozilla/5.0 (compatible; Google-InspectionTool/1.0;)',
  googleOther: 'GoogleOther',
  adsbot: 'AdsBot-Google (+http://www.google.com/adsbot.html)',
  adsbotMobile:
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like ' +
    'Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 (compatible; AdsBot-Google-Mobile; ' +
    '+http://www.google.com/mobile/adsbot.html)',
  mediapartners: 'Mediapartners-Google',
  feedfetcher: 'FeedFetcher-Google; (+http://www.google.com/feedfetcher.html)',
  siteVerification: 'Mozilla/5.0 (compatible; Google-Site-Verification/1.0)',
  bingbot:
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; ' +
    '+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36',
  applebot:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
    'Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
  duckduckbot: 'DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)',
  gptbot:
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot',
  chatgptUser:
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot',
  searchbot:
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot',
};

describe('declared crawlers: User-Agent claims', () => {
  it('each operator-documented User-Agent claims its crawler', () => {
    const expected: [string, string][] = [
      [UA.googlebotDesktop, 'googlebot'],
      [UA.googlebotSmartphone, 'googlebot'],
      [UA.googlebotImage, 'googlebot'],
      [UA.storebot, 'googlebot'],
      [UA.inspectionTool, 'googlebot'],
      [UA.googleOther, 'googlebot'],
      [UA.adsbot, 'google-special'],
      [UA.adsbotMobile, 'google-special'],
      [UA.mediapartners, 'google-special'],
      [UA.feedfetcher, 'google-fetcher'],
      [UA.siteVerification, 'google-fetcher'],
      [UA.bingbot, 'bingbot'],
      [UA.applebot, 'applebot'],
      [UA.duckduckbot, 'duckduckbot'],
      [UA.gptbot, 'openai'],
      [UA.chatgptUser, 'openai'],
      [UA.searchbot, 'openai'],
    ];
    for (const [ua, name] of expected) expect(claimedCrawler(ua), ua).toBe(name);
  });

  it('a claim is matched whatever its case; browsers, libraries and look-alike words claim nothing', () => {
    expect(claimedCrawler('mozilla/5.0 (compatible; GOOGLEBOT/2.1)')).toBe('googlebot');
    expect(claimedCrawler('BingBot/2.0')).toBe('bingbot');
    for (const ua of [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'curl/8.5.0',
      'python-requests/2.32.3',
      'NotGooglebotReally/1.0', // no word boundary before the token
      'Mozilla/5.0 (compatible; YandexBot/3.0)',
      '',
    ]) {
      expect(claimedCrawler(ua), ua).toBeNull();
    }
    expect(claimedCrawler(null)).toBeNull();
    expect(claimedCrawler(undefined)).toBeNull();
  });

  it('names are unique VCL-safe identifiers and every pattern avoids what PCRE and JavaScript read differently', () => {
    const names = CRAWLERS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const crawler of CRAWLERS) {
      expect(crawler.name).toMatch(/^[a-z][a-z0-9-]{0,31}$/);
      // Tokens, word boundaries, non-capturing groups and alternation only (no quotes, braces, lookbehind, classes).
      expect(crawler.userAgent, crawler.name).toMatch(/^(?:\\b|\(\?:|\)|\||[A-Za-z0-9-])+$/);
    }
  });
});

describe('declared crawlers: facts and the spoofed floor', () => {
  it('crawlerFacts keeps known names only; verified wins over spoofed', () => {
    expect(crawlerFacts('googlebot', null)).toEqual({ verified: 'googlebot', spoofed: null });
    expect(crawlerFacts(null, ' BingBot ')).toEqual({ verified: null, spoofed: 'bingbot' });
    expect(crawlerFacts('googlebot', 'bingbot')).toEqual({ verified: 'googlebot', spoofed: null });
    expect(crawlerFacts('evilbot', 'yandex')).toEqual({ verified: null, spoofed: null });
    expect(crawlerFacts(undefined, undefined)).toEqual({ verified: null, spoofed: null });
  });

  it('a spoofed crawler floors the verdict at 95 whatever the weights, and its reason leads', () => {
    expect(crawlerRules({ verified: null, spoofed: 'googlebot' })).toEqual([
      { reason: 'crawler_spoofed', score: 95 },
    ]);
    expect(crawlerRules({ verified: 'googlebot', spoofed: null })).toEqual([]);
    const weights = {
      ...DEFAULT_SETTINGS.combine,
      layer1Weight: 0,
      layer2Weight: 0,
      learnedWeight: 0,
      headersWeight: 0,
    };
    const verdict = combine([{ reason: 'fast_browsing', score: 60 }], [], weights, {
      floors: crawlerRules({ verified: null, spoofed: 'bingbot' }),
    });
    expect(verdict.score).toBe(95);
    expect(verdict.reasons).toEqual(['crawler_spoofed']);
    // A higher combined score stays: the floor only raises. Layer 1 at 100 with weight 1 → 100.
    const high = combine(
      [{ reason: 'cookie_tampered', score: 100 }],
      [],
      { ...weights, layer1Weight: 1 },
      { floors: [{ reason: 'crawler_spoofed', score: 95 }] },
    );
    expect(high.score).toBe(100);
    expect(high.reasons).toEqual(['cookie_tampered', 'crawler_spoofed']);
  });

  it(
    'decide(): a spoofed claim scores at least SPOOFED_CRAWLER_SCORE; a verified one is scored ' +
      'exactly as without facts',
    () => {
      const decideWith = (crawler?: { verified: string | null; spoofed: string | null }) =>
        createScorer({
          keyRing: singleKeyRing(),
          realm: 't',
          model: handModel(),
          random: seededRandom(3),
        }).decide({
          nowMs: 1_800_000_000_000,
          method: 'GET',
          path: '/',
          ...(crawler ? { crawler } : {}),
        });
      const plain = decideWith();
      const verified = decideWith({ verified: 'googlebot', spoofed: null });
      const spoofed = decideWith({ verified: null, spoofed: 'googlebot' });
      expect(plain.score).toBeLessThan(SPOOFED_CRAWLER_SCORE);
      expect(verified.score).toBe(plain.score);
      expect(verified.reasons).toEqual(plain.reasons);
      expect(verified.crawler).toEqual({ verified: 'googlebot', spoofed: null });
      expect(spoofed.score).toBe(SPOOFED_CRAWLER_SCORE);
      expect(spoofed.reasons[0]).toBe('crawler_spoofed');
      expect(plain.crawler).toEqual({ verified: null, spoofed: null });
    },
  );
});
