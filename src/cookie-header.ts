/**
 * Reading one cookie from a Cookie header, in time linear in the part of the header looked at and
 * with a bounded number of pairs, whatever the client sends: a header of 32,000 `;` cost ~100 ms
 * per preflight when it was split into an array of strings first (issue 13, item 8).
 */

/** At most this many characters of the header are looked at (Fastly itself caps Cookie at 32 KB). */
export const MAX_COOKIE_HEADER_SCAN = 65536;
/**
 * At most this many pairs are looked at before giving up (browsers keep at most ~180 cookies per
 * domain, and the session cookie is set by this service, so it comes early in practice).
 */
export const MAX_COOKIE_PAIRS = 256;

const SPACE = 0x20;
const TAB = 0x09;

/**
 * The first cookie of that name (RFC 6265 allows the value in double quotes), or undefined.
 * Pairs are separated by `;` (and `,`, for several Cookie headers joined into one).
 */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  const end = Math.min(header.length, MAX_COOKIE_HEADER_SCAN);
  let start = 0;
  for (let pairs = 0; pairs < MAX_COOKIE_PAIRS && start < end; pairs++) {
    let stop = start;
    // indexOf would scan past `end` on a long header; this loop stops at the first separator.
    while (stop < end) {
      const c = header.charCodeAt(stop);
      if (c === 0x3b || c === 0x2c) break;
      stop++;
    }
    let from = start;
    while (from < stop && isBlank(header.charCodeAt(from))) from++;
    if (header.startsWith(name, from)) {
      let at = from + name.length;
      while (at < stop && isBlank(header.charCodeAt(at))) at++;
      if (header.charCodeAt(at) === 0x3d && at < stop) {
        const value = header.slice(at + 1, stop).trim();
        return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
          ? value.slice(1, -1)
          : value;
      }
    }
    start = stop + 1;
  }
  return undefined;
}

const isBlank = (c: number) => c === SPACE || c === TAB;
