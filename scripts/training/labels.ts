/**
 * Session labels from the User-Agent. The User-Agent is used only here, never as a scoring
 * feature (that would make evaluation circular). Labels are a proxy: a bot that sends a browser's
 * User-Agent stays "human" under any labeller.
 *
 * Two labellers, kept side by side so figures can be reported under both (docs/model.md):
 * - `v1`: a session is a bot when its User-Agent names a well-known crawler or tool, or is empty.
 *   The shipped model was trained under it.
 * - `v2` (the default of `evaluate`): v1, plus previews, scanners with code injected in the
 *   User-Agent, scripting and HTTP libraries, headless browsers, monitoring services, feed
 *   readers, link checkers, self-declared tools (a URL or e-mail address in the string, a
 *   "compatible;" token that is not a browser's) and strings that are not shaped like a browser's.
 *   On the shared logs about a quarter of v1's "human" sessions on one log had such User-Agents.
 */

export type Label = 'bot' | 'human';
export type Labeller = (userAgent: string) => Label;
export type LabellerName = 'v1' | 'v2';

export const KNOWN_BOT_USER_AGENT = new RegExp(
  [
    'bot\\b',
    'crawl',
    'spider',
    'slurp',
    'googlebot',
    'bingbot',
    'msnbot',
    'yandex',
    'baidu',
    'ahrefs',
    'semrush',
    'mj12',
    'dotbot',
    'petalbot',
    'blexbot',
    'sogou',
    'exabot',
    'facebookexternalhit',
    'bytespider',
    'applebot',
    'duckduckbot',
    'seznam',
    'mail\\.ru',
    'curl/',
    'wget/',
    'python-requests',
    'python-urllib',
    'go-http-client',
    'java/',
    'libwww',
    'httpclient',
    'okhttp',
    'scrapy',
    'headlesschrome',
    'phantomjs',
    'nutch',
    'feedfetcher',
    'zgrab',
    'masscan',
    'nmap',
    'nikto',
  ].join('|'),
  'i',
);

/** The first labeller: known crawlers and tools, or an empty User-Agent. */
export function labelV1(userAgent: string): Label {
  return userAgent.trim() === '' || KNOWN_BOT_USER_AGENT.test(userAgent) ? 'bot' : 'human';
}

/** Why v2 calls a User-Agent automated (the first family that matches), or `browser`. */
export type AgentFamily =
  | 'empty'
  | 'injected'
  | 'known'
  | 'preview'
  | 'library'
  | 'headless'
  | 'monitor'
  | 'feed'
  | 'link-checker'
  | 'scanner'
  | 'crawler'
  | 'declared'
  | 'not-a-browser'
  | 'browser';

const words = (list: string[]) => new RegExp(list.join('|'), 'i');

/**
 * Ordered: the first family whose pattern matches names the reason. In-app browsers (Instagram,
 * Facebook, Pinterest, Snapchat, Flipboard) name their app in a browser's User-Agent and are people:
 * the patterns name the apps' fetchers (FlipboardProxy, Pinterestbot…), never the apps.
 */
const FAMILIES: [AgentFamily, RegExp][] = [
  // Code where a User-Agent should be: log4shell lookups, shellshock, HTML/PHP, SQL, path traversal, PHP serialisation.
  [
    'injected',
    words([
      '\\$\\{',
      'jndi:',
      '<script',
      '<\\?php',
      '<\\w+[^>]*>',
      '\\(\\)\\s*\\{',
      '\\bunion\\b.*\\bselect\\b',
      '\\bselect\\b.+\\bfrom\\b',
      "'\\s*or\\s*'?\\d",
      '\\bsleep\\s*\\(',
      '\\bbenchmark\\s*\\(',
      'waitfor\\s+delay',
      '\\.\\./',
      '/etc/passwd',
      'base64_decode',
      '\\beval\\s*\\(',
      ';s:\\d+:',
      '%[0-9a-f]{2}.*%[0-9a-f]{2}.*%[0-9a-f]{2}',
      '^user-agent:',
    ]),
  ],
  ['known', KNOWN_BOT_USER_AGENT],
  [
    'preview',
    words([
      'bingpreview',
      'web preview',
      'pagerenderer',
      'google favicon',
      'embedly',
      'iframely',
      'flipboardproxy',
      'flipboardrss',
      'skypeuripreview',
      'vkshare',
      'quora link preview',
      'outbrain',
      'link ?expand',
      'appengine-google',
      'google desktop',
      'notion/',
    ]),
  ],
  [
    'library',
    words([
      'python',
      'aiohttp',
      'httpx',
      'urllib',
      'httplib',
      '\\bperl\\b',
      'libwww',
      '\\blwp',
      'mechanize',
      '\\bruby\\b',
      '^ruby',
      'faraday',
      '\\bphp\\b',
      'http_request',
      'guzzle',
      '^java',
      'jakarta',
      'apache-http',
      'okhttp',
      'go-http-client',
      'fasthttp',
      'node-fetch',
      '\\bnode(\\.js)?/',
      'axios',
      'undici',
      '\\bgot\\b',
      'superagent',
      'libcurl',
      'curl',
      'wget',
      'libfetch',
      'tornado',
      'dalvik',
      'cfnetwork',
      'indy library',
      'winhttp',
      'webdav',
      'office protocol discovery',
      'powershell',
      'postman',
      'insomnia',
      'httpie',
      'reqwest',
      'hackney',
      'dart:io',
      '^dart/',
      'unirest',
      'restsharp',
      'htmlunit',
      'aria2',
      'synapse',
      'chef client',
      '^git/',
      'lua-resty',
      'colly',
      '^client$',
    ]),
  ],
  [
    'headless',
    words([
      'headless',
      'phantomjs',
      'puppeteer',
      'playwright',
      'selenium',
      'webdriver',
      'slimerjs',
      'zombie\\.js',
    ]),
  ],
  [
    'monitor',
    words([
      'pingdom',
      'uptime',
      'statuscake',
      'site24x7',
      'newrelic',
      'datadog',
      'nagios',
      'zabbix',
      'check_http',
      'monitis',
      'monitor',
      'health-?check',
      'kube-probe',
      'freshping',
      'hetrixtools',
      'jetmon',
      'panopta',
    ]),
  ],
  [
    'feed',
    words([
      'feed',
      '\\brss\\b',
      'tiny tiny rss',
      'subscribers',
      'readers\\)',
      'liferea',
      'reeder',
      'newsify',
      'theoldreader',
      'simplepie',
      'newsblur',
      'inoreader',
      'netnewswire',
      'akregator',
      'livejournal\\.com',
      'pubsub',
      'irssiurllog',
    ]),
  ],
  [
    'link-checker',
    words([
      'link ?sleuth',
      'xenu',
      'link ?check',
      'link ?validator',
      'checklink',
      'w3c_validator',
      'validator',
      'linkwalker',
      'linkexaminer',
      'dead ?link',
      'broken ?link',
    ]),
  ],
  [
    'scanner',
    words([
      'scanner',
      'toata dragostea',
      'sqlmap',
      'acunetix',
      'netsparker',
      'wpscan',
      'dirbuster',
      'gobuster',
      'nuclei',
      'openvas',
      'w3af',
      'whatweb',
      'censys',
      'shodan',
      'expanse',
      'internet-measurement',
      'zmap',
      'binlar',
      '^revolt$',
      'svchoost',
      'alittle client',
      'netcraft',
      'morfeus',
      'mozlila',
      'bulid/',
    ]),
  ],
  [
    'crawler',
    words([
      'ask jeeves',
      'teoma',
      'ezooms',
      'siteexplorer',
      'daumoa',
      'genieo',
      'gnomit',
      'robosourcer',
      'distilator',
      'portscout',
      're-re studio',
      'ia_archiver',
      'archive\\.org',
      'heritrix',
      'ccbot',
      'claude',
      'anthropic',
      'cohere',
      'perplexity',
      'diffbot',
      'qwantify',
      'yeti',
      'megaindex',
      'serpstat',
      'screaming frog',
      'sistrix',
      'seokicks',
      'grapeshot',
      'proximic',
      'superblock',
    ]),
  ],
  // Tools that introduce themselves: "+http://…" (the crawler convention), an e-mail address, or a
  // "compatible;" token that is not a browser's (Internet Explorer and Konqueror use that form).
  [
    'declared',
    words([
      '\\+\\s?https?://',
      '[\\w.-]+@[\\w-]+\\.[a-z]{2,}',
      '\\(compatible;(?!\\s*(msie|konqueror))',
    ]),
  ],
];

/**
 * Shapes real browsers' User-Agents take: "Mozilla/4.0 (platform…)" or later, Opera's own form,
 * feature-phone and text browsers. Anything else (a bare "Mozilla/5.0", an ancient "Mozilla/1.22",
 * a product name alone) is not a browser.
 */
const BROWSER_SHAPE = words([
  '^mozilla/[4-9]\\.\\d+ \\([^)]*[a-z]{2}',
  '^opera[/ ]\\d',
  '\\b(midp|up\\.browser|wap browser|maui|ucweb|semc-browser|openwave|opera mini|' +
    'netfront|blackberry|nokia|obigo|windows mobile)\\b',
  '^(lynx|links|elinks|w3m)\\b',
  '^midori/',
  '\\b(iphone|ipad|android)\\b',
]);

/** The family v2 puts a User-Agent in. */
export function agentFamily(userAgent: string): AgentFamily {
  const ua = userAgent.trim();
  if (ua === '') return 'empty';
  for (const [family, pattern] of FAMILIES) if (pattern.test(ua)) return family;
  return BROWSER_SHAPE.test(ua) ? 'browser' : 'not-a-browser';
}

/** The improved labeller: anything v2 does not recognise as a browser is a bot. */
export function labelV2(userAgent: string): Label {
  return agentFamily(userAgent) === 'browser' ? 'human' : 'bot';
}

export const LABELLERS: Record<LabellerName, Labeller> = { v1: labelV1, v2: labelV2 };
export const DEFAULT_LABELLER: LabellerName = 'v2';

/** The v1 labeller under its old name: what `train` and `tune` use until they choose a labeller. */
export const labelByUserAgent: Labeller = labelV1;
