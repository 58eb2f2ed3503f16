/**
 * Where the challenge sends the browser afterwards. Only a same-site path is accepted (never a
 * scheme, a host, `//host` or `/\host`, which browsers treat as another site), so the route is not
 * an open redirect; anything else returns to "/".
 */
export const FALLBACK_RETURN = '/';
const MAX_RETURN_LENGTH = 2048;
// A base that no real request has: the parsed URL keeps it only if the input was a plain path.
const BASE = 'https://return.invalid';

export function safeReturnPath(raw: string | null | undefined): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_RETURN_LENGTH)
    return FALLBACK_RETURN;
  // A path, not a network-path reference; no backslash (browsers read it as "/"), no whitespace or controls.
  if (raw[0] !== '/' || raw[1] === '/' || /[\\\u0000-\u0020\u007f-\u00a0]/.test(raw))
    return FALLBACK_RETURN;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return FALLBACK_RETURN;
  }
  if (url.origin !== BASE) return FALLBACK_RETURN;
  // Never back into the challenge itself (or any scorer route).
  if (url.pathname.startsWith('/.scorer/')) return FALLBACK_RETURN;
  return url.pathname + url.search;
}
