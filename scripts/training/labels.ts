/**
 * Session labels. The default labeller calls a session a bot when its User-Agent names a
 * well-known crawler or tool, or is empty. That is a proxy: undeclared bots stay "human". The
 * User-Agent is used only here, never as a scoring feature (that would make evaluation circular).
 */
export const KNOWN_BOT_USER_AGENT = new RegExp(
  [
    'bot\\b', 'crawl', 'spider', 'slurp', 'googlebot', 'bingbot', 'msnbot', 'yandex', 'baidu', 'ahrefs', 'semrush', 'mj12', 'dotbot',
    'petalbot', 'blexbot', 'sogou', 'exabot', 'facebookexternalhit', 'bytespider', 'applebot', 'duckduckbot', 'seznam', 'mail\\.ru',
    'curl/', 'wget/', 'python-requests', 'python-urllib', 'go-http-client', 'java/', 'libwww', 'httpclient', 'okhttp', 'scrapy',
    'headlesschrome', 'phantomjs', 'nutch', 'feedfetcher', 'zgrab', 'masscan', 'nmap', 'nikto',
  ].join('|'),
  'i',
);

export type Label = 'bot' | 'human';

export function labelByUserAgent(userAgent: string): Label {
  return userAgent.trim() === '' || KNOWN_BOT_USER_AGENT.test(userAgent) ? 'bot' : 'human';
}
