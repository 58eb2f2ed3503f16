/**
 * A User-Agent that names an HTTP library or command-line tool (curl, Wget, python-requests, Go's
 * net/http, …) declares automation. Only the edge sees the User-Agent as a request header here
 * (in log replay it is the label, never a feature), so this is a hand-set rule beside the browser
 * header rules: such clients have no browser's headers to contradict, and without it a plain
 * `wget` browsing slowly was never flagged (npm run bench:detection). Feeds, APIs and other paths
 * tools legitimately fetch are exempt from enforcement in the VCL; verified crawlers are exempt too.
 * @module
 */
import type { RuleScore } from '../reasons.js';
import { clientFamily } from './client-binding.js';

/** Product names (lower-cased first token of the User-Agent) of HTTP libraries and tools. */
export const DECLARED_TOOLS: ReadonlySet<string> = new Set([
  'curl',
  'wget',
  'httpie',
  'python-requests',
  'python-urllib',
  'python-httpx',
  'aiohttp',
  'urllib3',
  'scrapy',
  'go-http-client',
  'java',
  'apache-httpclient',
  'okhttp',
  'libwww-perl',
  'lwp-trivial',
  'ruby',
  'faraday',
  'node-fetch',
  'axios',
  'undici',
  'got',
  'node',
  'guzzlehttp',
  'php',
  'postmanruntime',
  'insomnia',
  'powershell',
  'winhttp',
]);

/** `declared_automation` at `score` when the User-Agent names a tool; null otherwise (or without a User-Agent). */
export function declaredToolScore(
  userAgent: string | null | undefined,
  score: number,
): RuleScore | null {
  if (typeof userAgent !== 'string' || !DECLARED_TOOLS.has(clientFamily(userAgent))) return null;
  return { reason: 'declared_automation', score };
}
