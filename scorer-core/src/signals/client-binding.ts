/**
 * Soft binding of a session cookie to the client it was issued to (issue 13 item 10): the cookie
 * carries a 5-bit tag of the client's family (the browser its User-Agent claims, or the product
 * name of a non-browser client), never the address, so a phone that changes networks keeps its
 * session. A cookie issued to a browser and replayed by `curl` or a script arrives with another
 * family: evidence that it was lifted, not proof. The three browser families have fixed tags
 * (1–3); other clients hash into 4–31, so a script never shares a browser's tag and two scripts
 * share one with a chance of 1 in 28.
 * @module
 */
import type { RuleScore } from '../reasons.js';
import { MAX_CLIENT_FAMILY_TAG } from '../state.js';
import { claimedBrowser } from './headers.js';

/**
 * The family a User-Agent names: chromium, firefox or safari for browsers, else its first product
 * token, lower-cased.
 */
export function clientFamily(userAgent: string): string {
  const browser = claimedBrowser(userAgent).family;
  if (browser) return browser;
  const token = /^\s*([^\s/;()]+)/.exec(userAgent);
  return token ? token[1]!.toLowerCase() : '';
}

const BROWSER_TAGS: Readonly<Record<string, number>> = { chromium: 1, firefox: 2, safari: 3 };
const FIRST_HASHED_TAG = 4;

/**
 * 1–3 for a browser family, 4–31 for others (FNV-1a of the family, folded); null when there is no
 * User-Agent to judge.
 */
export function clientFamilyTag(userAgent: string | null | undefined): number | null {
  if (typeof userAgent !== 'string') return null;
  const family = clientFamily(userAgent);
  const browser = BROWSER_TAGS[family];
  if (browser !== undefined) return browser;
  let hash = 0x811c9dc5;
  for (let i = 0; i < family.length; i++) {
    hash ^= family.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % (MAX_CLIENT_FAMILY_TAG - FIRST_HASHED_TAG + 1)) + FIRST_HASHED_TAG;
}

/** `cookie_moved` when the cookie's tag and this request's differ (both known); null otherwise. */
export function cookieMovedScore(
  sessionTag: number | undefined,
  requestTag: number | null,
  score: number,
): RuleScore | null {
  if (!sessionTag || requestTag === null || sessionTag === requestTag) return null;
  return { reason: 'cookie_moved', score };
}
