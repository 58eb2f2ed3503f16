/**
 * Reading the session cookie from a Cookie header, and the Set-Cookie value that carries a sealed
 * one: shared by the preflight (which hands it to the VCL) and the challenge routes (which answer
 * the browser directly).
 */
import type { CookieConfig } from './config.js';

/**
 * The first cookie of that name (RFC 6265 allows the value in double quotes); at most 64 KiB of
 * the header is looked at. Several Cookie headers joined with "," are split too.
 */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.slice(0, 65536).split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

export function sessionCookieHeader(cookie: CookieConfig, value: string, maxAgeS: number): string {
  const parts = [`${cookie.name}=${value}`, `Max-Age=${maxAgeS}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (cookie.secure) parts.push('Secure');
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  return parts.join('; ');
}
