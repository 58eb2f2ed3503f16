/**
 * The bench's origin: a small site of linked pages (each links to the next, so a browser can
 * click through them) plus one stylesheet, which the edge excludes from scoring as a browser's
 * sub-resource. With the VCL's `forward_score` on, every scored request reaches the origin with
 * X-Scorer-Score and X-Scorer-Reasons: the origin records them, which is how the bench reads what
 * the edge decided for each page a client fetched.
 */
import { createServer, type Server } from 'node:http';

/** The first pages every client visits, in order; the classes differ so Layer 2 sees real transitions. */
const FIRST_PAGES: readonly string[] = [
  '/',
  '/products/',
  '/products/widget-1',
  '/blog/',
  '/blog/post-1',
  '/about',
];
export const DEFAULT_PAGE_COUNT = FIRST_PAGES.length;
export const MAX_PAGE_COUNT = 40;

/** The site's pages in visiting order: the first six, then alternating products and posts. */
export function sitePages(count: number): string[] {
  if (!Number.isInteger(count) || count < 2 || count > MAX_PAGE_COUNT)
    throw new Error(`sitePages: count must be an integer 2..${MAX_PAGE_COUNT}, got ${count}`);
  const pages = FIRST_PAGES.slice(0, count);
  for (let i = pages.length; i < count; i++)
    pages.push(
      i % 2 ? `/blog/post-${Math.floor(i / 2) - 1}` : `/products/widget-${Math.floor(i / 2) - 1}`,
    );
  return pages;
}

export const STYLESHEET = '/assets/site.css';

export interface OriginRecord {
  path: string;
  /** X-Scorer-Score as the origin received it; null when the edge forwarded none (unscored). */
  score: number | null;
  reasons: string[];
}

function pageHtml(pages: readonly string[], index: number): string {
  const path = pages[index]!;
  const next = pages[index + 1];
  const link = next ? `<a id="next" href="${next}">next page</a>` : '<p id="end">the end</p>';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench ${path}</title>` +
    `<link rel="stylesheet" href="${STYLESHEET}"><link rel="icon" href="data:,"></head>` +
    `<body><h1>Page ${index + 1}: ${path}</h1><p>Some text to read.</p>${link}</body></html>`
  );
}

export interface Origin {
  port: number;
  /** Every request the origin saw since the last take(), in arrival order. */
  take(): OriginRecord[];
  stop(): Promise<void>;
}

export async function startOrigin(pages: readonly string[]): Promise<Origin> {
  let records: OriginRecord[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://origin').pathname;
    const scoreHeader = req.headers['x-scorer-score'];
    const score =
      typeof scoreHeader === 'string' && /^\d{1,3}$/.test(scoreHeader) ? Number(scoreHeader) : null;
    const reasonsHeader = req.headers['x-scorer-reasons'];
    const reasons =
      typeof reasonsHeader === 'string' && reasonsHeader !== '' ? reasonsHeader.split(',') : [];
    records.push({ path, score, reasons });
    // max-age=0: falco's simulator caches by Cache-Control like Fastly, and a cache hit after the
    // preflight's restart crashes it (docs/vcl.md); the clients all fetch the same pages.
    const headers = { 'cache-control': 'max-age=0', 'surrogate-control': 'max-age=0' };
    const index = pages.indexOf(path);
    if (index >= 0) {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      res.end(pageHtml(pages, index));
    } else if (path === STYLESHEET) {
      res.writeHead(200, { ...headers, 'content-type': 'text/css' });
      res.end('body { font-family: sans-serif; }\n');
    } else {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('origin: no TCP address');
  return {
    port: address.port,
    take() {
      const taken = records;
      records = [];
      return taken;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
