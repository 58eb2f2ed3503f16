/**
 * The Set-Cookie value that carries a sealed session cookie: shared by the preflight (which hands
 * it to the VCL) and the challenge routes (which answer the browser directly).
 */
import type { CookieConfig } from './config/items.js';

export function sessionCookieHeader(cookie: CookieConfig, value: string, maxAgeS: number): string {
  const parts = [
    `${cookie.name}=${value}`,
    `Max-Age=${maxAgeS}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (cookie.secure) parts.push('Secure');
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  return parts.join('; ');
}
