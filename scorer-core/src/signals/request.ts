/**
 * Request signals: what the request line and its Referer say on their own, from the first
 * request on. On real logs this family alone carried most of the achievable ROC-AUC
 * (docs/model.md): crawlers fetch robots.txt, sitemaps and feeds; scanners probe admin and
 * secret paths; scripts use HEAD and HTTP/1.0 and land on deep pages without a Referer.
 * @module
 */
import { normalizePath } from '../classifier.js';
import type { RequestFacts } from './inputs.js';

/**
 * Paths only crawlers and site tools fetch: robots.txt, sitemaps, ads.txt, security.txt,
 * /.well-known/ and the like.
 */
export const CRAWLER_PATH =
  /^\/(?:robots\.txt|sitemap[^/]*\.xml(?:\.gz)?|sitemap(?:_index)?(?:\/|$)|ads\.txt|app-ads\.txt|security\.txt|humans\.txt|crossdomain\.xml|clientaccesspolicy\.xml|\.well-known\/)/;

/** Syndication feeds: fetched by feed readers and aggregators, rarely by a person's browser. */
export const FEED_PATH =
  /(?:^|\/)(?:feed|rss|atom)(?:\/|\.xml|\.rss)?$|\.(?:rss|atom)$|\/(?:feed|rss)\.php$/;

/**
 * Paths vulnerability scanners probe: admin and login endpoints of common software, version
 * control and environment files, shells and device firmware endpoints. A person reaches a few of
 * these on their own site (wp-admin), which the learned weights account for.
 */
export const SCANNER_PATH =
  /(?:^|\/)(?:wp-login\.php|xmlrpc\.php|wp-admin|wp-includes|wp-content\/plugins|phpmyadmin|pma|myadmin|adminer\.php|\.env|\.git|\.svn|\.hg|\.aws|\.ds_store|\.htaccess|\.htpasswd|cgi-bin|boaform|hnap1|actuator|vendor\/phpunit|eval-stdin\.php|shell\.php|setup\.php|install\.php|config\.php|server-status|owa\/auth|autodiscover|solr\/admin|manager\/html|console)(?:\/|$|\.)/;

export interface RequestSignals {
  crawlerPath: boolean;
  feed: boolean;
  scannerPath: boolean;
  head: boolean;
  http10: boolean;
  /** The Referer header is absent (false when unknown). */
  noReferer: boolean;
  /**
   * The Referer names the request's own page (same path, other than the home page, and the same
   * host when the host is known): a script filling the header in with the URL, or a reload.
   */
  selfReferer: boolean;
}

/** Signals of one request. `path` may carry a query; only the path part is tested (lower-cased). */
export function requestSignals(
  method: string,
  path: string,
  facts: RequestFacts | undefined,
): RequestSignals {
  const normalized = normalizePath(path);
  const referer = facts?.referer;
  return {
    crawlerPath: CRAWLER_PATH.test(normalized),
    feed: FEED_PATH.test(normalized),
    scannerPath: SCANNER_PATH.test(normalized),
    head: method.toUpperCase() === 'HEAD',
    http10: facts?.protocol === 'HTTP/1.0',
    noReferer: referer === null,
    selfReferer:
      typeof referer === 'string' &&
      normalized !== '/' &&
      refererPath(referer) === normalized &&
      sameHostOrUnknown(referer, facts?.host),
  };
}

/** False only when both hosts are known and differ (a log has no Host: the path alone decides there). */
function sameHostOrUnknown(referer: string, host: string | undefined): boolean {
  if (!host) return true;
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]*)/i.exec(referer.trim());
  return match === null || match[1]!.toLowerCase() === host.toLowerCase().replace(/:\d+$/, '');
}

/** The path of a Referer value (absolute or relative), normalised like a request path; '' when it has none. */
export function refererPath(referer: string): string {
  const trimmed = referer.trim();
  if (trimmed === '' || trimmed === '-') return '';
  return normalizePath(trimmed);
}
