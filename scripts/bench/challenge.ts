/**
 * What a challenge difficulty costs: the time Debian's Chromium (headless, driven by
 * playwright-core) takes to solve the challenge page's proof of work with WebCrypto, unthrottled
 * and with CDP CPU throttling (4×, the "mobile" slowdown Chrome's tools use to approximate a
 * mid-range phone), against what a bot's native SHA-256 loop (node:crypto, one core) needs.
 * Prints numbers; no targets. docs/operators.md ("Challenge") quotes a run.
 *
 *   npm run bench:challenge [-- --bits 12,14,16,18 --trials 10 --json]
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { challengePage } from '../../src/challenge/page.js';
import { CHALLENGE_PATH, CHALLENGE_VERIFY_PATH } from '../../src/challenge/paths.js';
import { parseCommandLine } from '../lib/command-line.js';

const cli = parseCommandLine(process.argv.slice(2), {
  usage:
    'usage: npm run bench:challenge -- [--bits 12,14,16,18] [--trials N] [--chromium <path>] [--json]',
  help: `
Times headless Chromium (unthrottled and at 4× CDP CPU throttling) solving the challenge page's
proof of work at each difficulty, against a bot's native SHA-256 loop (node:crypto, one core).
Prints numbers; no targets.
  --bits A,B,…           difficulties in leading zero bits, each 0–24 (default 12,14,16,18)
  --trials N             solves per difficulty and throttling (default 10)
  --chromium <path>      the Chromium executable (default $CHROMIUM_BIN, else /usr/bin/chromium)
  --json                 print one JSON object instead of the table`,
  options: {
    bits: { type: 'string' },
    trials: { type: 'string' },
    json: { type: 'boolean' },
    chromium: { type: 'string' },
  },
});
const bitsText = cli.string('bits') ?? '12,14,16,18';
const bitsList = bitsText.split(',').map((part) => (/^\s*\d+\s*$/.test(part) ? Number(part) : NaN));
if (bitsList.some((b) => !(b >= 0 && b <= 24)))
  cli.fail(`--bits: expected integers 0–24 separated by commas, got ${JSON.stringify(bitsText)}`);
const trials = cli.number('--trials', cli.string('trials'), 10, {
  min: 1,
  max: 10_000,
  integer: true,
});
const chromiumPath = cli.string('chromium') ?? process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
cli.requireFile('--chromium', chromiumPath);
const json = cli.flag('json');

// A stand-in token: random bytes of the real token's length, so every trial is a fresh search.
const token = () => randomBytes(54).toString('base64url');

// The page as the scorer serves it; the verify request marks the end of a solve.
let pending: { resolve: (counter: number) => void } | undefined;
const pages = new Map<string, string>();
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bench');
  if (url.pathname === CHALLENGE_PATH) {
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(pages.get(url.searchParams.get('id') ?? ''));
  } else if (url.pathname === CHALLENGE_VERIFY_PATH) {
    pending?.resolve(Number(url.searchParams.get('counter')));
    res.writeHead(204).end();
  } else res.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

const browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function solveTimes(
  bits: number,
  throttle: number,
): Promise<{ ms: number[]; counters: number[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (throttle > 1)
    await (
      await context.newCDPSession(page)
    ).send('Emulation.setCPUThrottlingRate', { rate: throttle });
  const ms: number[] = [];
  const counters: number[] = [];
  for (let i = 0; i < trials; i++) {
    const id = `${bits}-${throttle}-${i}`;
    pages.set(id, challengePage({ token: token(), difficultyBits: bits, returnPath: '/' }));
    const solved = new Promise<number>((resolve) => (pending = { resolve }));
    const started = performance.now();
    await page.goto(`${base}${CHALLENGE_PATH}?id=${id}`, { waitUntil: 'commit' });
    counters.push(await solved);
    ms.push(performance.now() - started);
  }
  await context.close();
  return { ms, counters };
}

// A bot's cost: the same search with node:crypto on one core.
function nativeHashesPerSecond(): number {
  const t = token();
  const n = 1 << 20;
  const started = performance.now();
  for (let counter = 0; counter < n; counter++)
    createHash('sha256').update(`${t}.${counter}`).digest();
  return n / ((performance.now() - started) / 1000);
}

const nativeRate = nativeHashesPerSecond();
const rows: Record<string, number | string>[] = [];
for (const bits of bitsList) {
  for (const throttle of [1, 4]) {
    const { ms, counters } = await solveTimes(bits, throttle);
    const sorted = [...ms].sort((a, b) => a - b);
    const hashes = counters.reduce((a, c) => a + c + 1, 0);
    rows.push({
      bits,
      chromium: throttle === 1 ? 'unthrottled' : `cpu ${throttle}x`,
      trials,
      median_ms: Math.round(quantile(sorted, 0.5)),
      p90_ms: Math.round(quantile(sorted, 0.9)),
      browser_hashes_per_s: Math.round(hashes / (ms.reduce((a, b) => a + b, 0) / 1000)),
      bot_expected_ms: Math.round((2 ** bits / nativeRate) * 1000 * 10) / 10,
    });
  }
}
await browser.close();
server.close();
if (json)
  console.log(JSON.stringify({ native_hashes_per_s: Math.round(nativeRate), rows }, null, 2));
else {
  console.log(
    `bot (node:crypto, one core): ${Math.round(nativeRate).toLocaleString('en')} SHA-256/s`,
  );
  console.table(rows);
}
