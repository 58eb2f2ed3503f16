/**
 * Browser-header signals: a client whose User-Agent claims a mainstream browser but whose
 * request lacks what that browser always sends on a navigation. Only the edge sees these headers
 * (an access log does not), so they are hand-set rules, not learned weights; the real-client
 * benchmark (npm run bench:detection) measures them.
 *
 * What browsers send (checked with Debian's Chromium; documented for Firefox and Safari):
 * - Accept-Language on every request, never the literal `*` (Node's fetch sends `*`);
 * - Sec-Fetch-Mode (and -Site, -Dest) to secure origins: Chromium ≥ 76, Firefox ≥ 90, Safari ≥ 16.4;
 * - Sec-CH-UA from Chromium-based browsers ≥ 89 to secure origins (not from Firefox or Safari);
 * - a navigation Accept header naming text/html.
 * @module
 */
import type { RuleScore } from '../reasons.js';
import type { BrowserHeaders } from './inputs.js';

export type BrowserFamily = 'chromium' | 'firefox' | 'safari' | null;

export interface ClaimedBrowser {
  family: BrowserFamily;
  /** Major version, 0 when it could not be read. */
  major: number;
}

const CHROMIUM = /(?:Chrome|Edg|OPR|SamsungBrowser)\/(\d+)/;
const FIREFOX = /Firefox\/(\d+)/;
/**
 * Every browser on iOS and iPadOS is WebKit, whatever it calls itself (CriOS, FxiOS, EdgiOS, …):
 * it sends what Safari of that iOS version sends (no client hints), so it is judged as Safari of
 * the OS version. iPadOS in desktop mode says "Macintosh" and is judged as desktop Safari.
 */
const IOS = /\((?:iPhone|iPad|iPod)\b[^)]*?OS (\d+)_(\d+)/;
const SAFARI_VERSION = /Version\/(\d+)(?:\.(\d+))?.*Safari\//;

/** The browser a User-Agent claims to be, from its product tokens (never trusted, only compared with the headers). */
export function claimedBrowser(userAgent: string | null): ClaimedBrowser {
  if (!userAgent || !userAgent.startsWith('Mozilla/5.0')) return { family: null, major: 0 };
  const ios = IOS.exec(userAgent);
  if (ios) return { family: 'safari', major: Number(ios[1]) + Number(ios[2]) / 100 };
  const firefox = FIREFOX.exec(userAgent);
  if (firefox) return { family: 'firefox', major: Number(firefox[1]) };
  const chromium = CHROMIUM.exec(userAgent);
  if (chromium) return { family: 'chromium', major: Number(chromium[1]) };
  const safari = SAFARI_VERSION.exec(userAgent);
  if (safari) return { family: 'safari', major: Number(safari[1]) + Number(safari[2] ?? 0) / 100 };
  return { family: null, major: 0 };
}

export interface HeaderSignals {
  /** The User-Agent claims a mainstream browser (the rules below only apply then). */
  claimsBrowser: boolean;
  /** No Accept-Language, or the literal `*`. */
  acceptLanguageMissing: boolean;
  /** No Sec-Fetch-Mode from a browser version that sends it to a secure origin. */
  fetchMetadataMissing: boolean;
  /** Fetch metadata present (so a secure context) but no Sec-CH-UA from a Chromium ≥ 89. */
  clientHintsMissing: boolean;
  /** A navigation (Sec-Fetch-Mode navigate, or no fetch metadata at all) whose Accept does not name text/html. */
  navigationAcceptWrong: boolean;
}

const NONE: HeaderSignals = {
  claimsBrowser: false,
  acceptLanguageMissing: false,
  fetchMetadataMissing: false,
  clientHintsMissing: false,
  navigationAcceptWrong: false,
};

/**
 * `secureContext`: the request reached a secure origin (TLS, or a loopback host), where browsers
 * send fetch metadata and client hints; over plain HTTP they do not, so those two rules stay off.
 * `pageView`: the request is a page (a navigation), not a sub-resource.
 */
export function headerSignals(
  headers: BrowserHeaders | undefined,
  secureContext: boolean,
  pageView: boolean,
): HeaderSignals {
  if (!headers) return NONE;
  const browser = claimedBrowser(headers.userAgent);
  if (browser.family === null) return NONE;
  const language = headers.acceptLanguage?.trim() ?? '';
  const sendsFetchMetadata =
    (browser.family === 'chromium' && browser.major >= 76) ||
    (browser.family === 'firefox' && browser.major >= 90) ||
    (browser.family === 'safari' && browser.major >= 16.4);
  const mode = headers.secFetchMode?.trim().toLowerCase() ?? '';
  const navigation = pageView && (mode === 'navigate' || mode === '');
  return {
    claimsBrowser: true,
    acceptLanguageMissing: language === '' || language === '*',
    fetchMetadataMissing: secureContext && sendsFetchMetadata && mode === '',
    clientHintsMissing:
      mode !== '' && browser.family === 'chromium' && browser.major >= 89 && !headers.secChUa,
    navigationAcceptWrong:
      navigation && !(headers.accept ?? '').toLowerCase().includes('text/html'),
  };
}

/** One rule score per contradiction found (the verdict combines them by noisy-OR). */
export function headerRules(signals: HeaderSignals, contradictionScore: number): RuleScore[] {
  if (!signals.claimsBrowser) return [];
  const rules: RuleScore[] = [];
  const add = (found: boolean) =>
    found && rules.push({ reason: 'browser_headers_missing', score: contradictionScore });
  add(signals.acceptLanguageMissing);
  add(signals.fetchMetadataMissing);
  add(signals.clientHintsMissing);
  add(signals.navigationAcceptWrong);
  return rules;
}
