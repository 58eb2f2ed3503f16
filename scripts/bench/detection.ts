/**
 * npm run bench:detection [-- --json] [-- --help]
 *
 * Real clients against the local stack: the generated VCL on `falco simulate` in front of the
 * scorer wasm on Viceroy and a small local origin (scripts/bench/detection/stack.ts), every
 * address on loopback. Each client (Chromium at human and at bot pace, curl with and without a
 * cookie jar, wget, python-requests, httpx, Node's fetch, Go's net/http) fetches the same pages;
 * the bench prints per client the share of its page requests flagged (score ≥ threshold), the
 * request at which it was first flagged, the score sequence, the reasons and the headers it sent.
 * Figures and how they were measured: docs/model.md, "Real clients".
 */
import { execFileSync } from 'node:child_process';
import { cpus, hostname } from 'node:os';
import { DEFAULT_THRESHOLD } from '@session-scorer/core';
import { EXIT_FAILURE, EXIT_OK, parseCommandLine, type CommandLine } from '../lib/command-line.js';
import { findFalco } from '../lib/falco.mjs';
import { ROOT } from '../lib/viceroy.mjs';
import { allClients, clientTimeoutMs, runClient, type RunContext } from './detection/clients.js';
import { DEFAULT_PAGE_COUNT, MAX_PAGE_COUNT, sitePages } from './detection/site.js';
import { startStack, type SeenRequest, type StackMode } from './detection/stack.js';
import { checkTargets, formatTable, summarizeClient, type ClientRun } from './detection/summary.js';

const cli: CommandLine = parseCommandLine(process.argv.slice(2), {
  usage: 'usage: npm run bench:detection -- [options]',
  help: `
Drives real clients against the local edge (generated VCL on falco simulate, scorer wasm on
Viceroy, a local origin; loopback only) and prints, per client, the share of its page requests
flagged (score ≥ threshold), the first flagged request, the scores, the reasons and the headers
it sent.
  --json                 one JSON object on stdout (progress goes to stderr)
  --threshold N          flag at score ≥ N (0–100; default ${DEFAULT_THRESHOLD}, the scorer's DEFAULT_THRESHOLD)
  --stack falco|direct   falco: the generated VCL in falco simulate (default when falco is found);
                         direct: the wasm called with the headers the VCL adds (no falco)
  --clients a,b,…        run only these (default all: ${allClients()
    .map((client) => client.name)
    .join(', ')})
  --pages N              pages each client visits, linked in a chain \
(default ${DEFAULT_PAGE_COUNT}, at most ${MAX_PAGE_COUNT})
  --scripted-gap-ms N    pause between a scripted client's page requests (default 100)
  --human-dwell-ms A,B   human-paced Chromium's dwell per page, uniform in [A, B] ms (default 2000,5000)
  --bot-dwell-ms A,B     bot-paced Chromium's dwell per page (default 80,120)
  --seed N               seed of the dwell draws (default 1)
  --skip-build           reuse bin/main.wasm instead of running the build
  --skip-install         only check the clients; print what is missing instead of installing it
  --setup                check and install the clients, print what each needs, and exit
  --max-seconds N        clients not started within N s of the start are not run (default 300)`,
  options: {
    json: { type: 'boolean' },
    threshold: { type: 'string' },
    stack: { type: 'string' },
    clients: { type: 'string' },
    pages: { type: 'string' },
    'scripted-gap-ms': { type: 'string' },
    'human-dwell-ms': { type: 'string' },
    'bot-dwell-ms': { type: 'string' },
    seed: { type: 'string' },
    'skip-build': { type: 'boolean' },
    'skip-install': { type: 'boolean' },
    setup: { type: 'boolean' },
    'max-seconds': { type: 'string' },
  },
  exitCodes: {
    [EXIT_OK]: 'done (targets are reported beside the figures, not asserted)',
    [EXIT_FAILURE]: 'the stack did not start; with --setup, a client is missing',
  },
});

const integer = (name: string, fallback: number, min: number, max: number): number =>
  cli.number(`--${name}`, cli.string(name), fallback, { min, max, integer: true });
function range(name: string, fallback: [number, number]): [number, number] {
  const text = cli.string(name);
  if (text === undefined) return fallback;
  const parts = text.split(',');
  if (parts.length !== 2)
    cli.fail(`--${name}: expected two integers A,B (ms), got ${JSON.stringify(text)}`);
  const [min, max] = parts.map((part) =>
    cli.number(`--${name}`, part, 0, { min: 0, max: 20_000, integer: true }),
  ) as [number, number];
  if (min > max) cli.fail(`--${name}: A must be ≤ B, got ${JSON.stringify(text)}`);
  return [min, max];
}

const threshold = integer('threshold', DEFAULT_THRESHOLD, 0, 100);
const SITE_PAGES = sitePages(integer('pages', DEFAULT_PAGE_COUNT, 2, MAX_PAGE_COUNT));
const scriptedGapMs = integer('scripted-gap-ms', 100, 0, 5000);
const humanDwellMs = range('human-dwell-ms', [2000, 5000]);
const botDwellMs = range('bot-dwell-ms', [80, 120]);
const seed = integer('seed', 1, 0, 2 ** 31);
const stackOption = cli.string('stack');
if (stackOption !== undefined && stackOption !== 'falco' && stackOption !== 'direct')
  cli.fail(`--stack: expected falco or direct, got ${JSON.stringify(stackOption)}`);
const clientsOption = cli.string('clients');
const json = cli.flag('json');
const known = allClients();
const wanted =
  clientsOption === undefined
    ? known.map((client) => client.name)
    : clientsOption.split(',').map((name) => name.trim());
for (const name of wanted)
  if (!known.some((client) => client.name === name))
    cli.fail(
      `--clients: unknown client ${JSON.stringify(name)} (known: ${known.map((client) => client.name).join(', ')})`,
    );
const clients = known.filter((client) => wanted.includes(client.name));
// Bounded: each client by its own timeout (clientTimeoutMs), the whole run by --max-seconds
// (clients not started by then are reported as not run).
const maxSeconds = integer('max-seconds', 300, 30, 3600);

const log = (line: string) => (json ? console.error(line) : console.log(line));
let mode: StackMode = (stackOption as StackMode | undefined) ?? 'falco';
const notes: string[] = [];
if (stackOption === undefined && !findFalco()) {
  mode = 'direct';
  notes.push(
    'falco not found: the wasm was called directly with the headers the VCL adds (build falco ' +
      'with `node scripts/lib/falco.mjs --install` to put the generated VCL in front)',
  );
}
notes.push(
  'Viceroy stubs rate counters and penalty boxes (counts 0), so per-client memory (new sessions ' +
    'per client, cookie replay counts) cannot show on this stack.',
);

// Check and install every client first, so a missing one is reported before the slow start.
const ready: typeof clients = [];
const runs: ClientRun[] = [];
for (const client of clients) {
  const notice = client.prepare(!cli.flag('skip-install'));
  if (notice) {
    log(`[${client.name} skipped] ${notice}`);
    runs.push({
      name: client.name,
      kind: client.kind,
      outcome: 'skipped',
      notice,
      pages: [],
      gapsMs: [],
    });
  } else ready.push(client);
}

if (cli.flag('setup')) {
  for (const client of ready) console.log(`[${client.name} ready] ${client.description}`);
  process.exit(runs.length === 0 ? EXIT_OK : EXIT_FAILURE);
}

function headerPairs(rawHeaders: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    pairs.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  return pairs;
}

const started = Date.now();
log(`starting the stack (${mode}) …`);
let stack: Awaited<ReturnType<typeof startStack>>;
try {
  stack = await startStack({
    mode,
    threshold,
    pages: SITE_PAGES,
    build: !cli.flag('skip-build'),
    log,
  });
} catch (error) {
  cli.error(
    `bench:detection: the stack did not start: ${error instanceof Error ? error.message : String(error)}`,
  );
}
const sent = new Map<string, SeenRequest | undefined>();
const countMismatches: string[] = [];
try {
  for (const [i, client] of ready.entries()) {
    const front = await stack.openFront(i + 1);
    stack.origin.take();
    const context: RunContext = {
      baseUrl: front.url,
      paths: SITE_PAGES,
      scriptedGapMs,
      humanDwellMs,
      botDwellMs,
      seed,
    };
    if (Date.now() - started > maxSeconds * 1000) {
      const notice = `not run: the run's --max-seconds ${maxSeconds} was spent`;
      log(`[${client.name} skipped] ${notice}`);
      runs.push({
        name: client.name,
        kind: client.kind,
        outcome: 'skipped',
        notice,
        pages: [],
        gapsMs: [],
      });
      continue;
    }
    log(`${client.name}: ${client.description}`);
    let notice: string | undefined;
    try {
      await runClient(client, context, clientTimeoutMs(client, context));
    } catch (error) {
      notice = error instanceof Error ? error.message : String(error);
      log(`[${client.name} failed] ${notice}`);
    }
    // Clients run one at a time: what the origin saw since take() is this client's.
    await new Promise((r) => setTimeout(r, 200));
    const pages = stack.origin.take().filter((record) => SITE_PAGES.includes(record.path));
    const seen = front.take();
    const pageRequests = seen.filter((request) =>
      SITE_PAGES.includes(new URL(request.path, 'http://front').pathname),
    );
    // Every page request should reach the origin once (never from a cache, never lost).
    if (pages.length !== pageRequests.length)
      countMismatches.push(
        `${client.name}: the client sent ${pageRequests.length} page requests, the origin saw ${pages.length}`,
      );
    sent.set(client.name, pageRequests[0]);
    const gapsMs = pageRequests
      .slice(1)
      .map((request, j) => request.receivedAtMs - pageRequests[j]!.receivedAtMs);
    const firstHeaders = pageRequests[0] ? headerPairs(pageRequests[0].rawHeaders) : undefined;
    runs.push({
      name: client.name,
      kind: client.kind,
      outcome: notice ? 'failed' : 'ran',
      ...(notice ? { notice } : {}),
      ...(firstHeaders ? { firstHeaders } : {}),
      pages,
      gapsMs,
    });
  }
} finally {
  await stack.stop();
}
const problems = [...countMismatches, ...stack.problems()];
notes.push(
  mode === 'falco'
    ? `Requests reach falco through the bench front (it unwraps falco --proxy responses): the ` +
        `client's method, path and headers as sent, over the front's own HTTP/1.1 ` +
        `connection` +
        (stack.tls
          ? ' with TLS (req.is_ssl true, as on an HTTPS site)'
          : ' without TLS (openssl missing: req.is_ssl false)') +
        `, from a loopback address per client (client.ip). req.proto is therefore HTTP/1.1 ` +
        `whatever the client spoke, and ` +
        `tls.client.ja4 is falco's fixed stand-in value, the same for every client.`
    : 'Direct: no VCL; the front sends the preflight itself with the facts the VCL adds for an ' +
        "HTTPS site (x-scorer-tls 1, the client's HTTP version, no JA4).",
);
const order = new Map(clients.map((client, i) => [client.name, i]));
runs.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
const rows = runs.map((run) => summarizeClient(run, threshold));
const targets = checkTargets(rows, runs, threshold);

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).trim() !== '';
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}
const run = {
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: `${hostname()}: ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  seconds: Math.round((Date.now() - started) / 1000),
};
const headersOf = (name: string) => {
  const request = sent.get(name);
  return request
    ? {
        method: request.method,
        httpVersion: request.httpVersion,
        headers: headerPairs(request.rawHeaders),
      }
    : null;
};

if (json) {
  console.log(
    JSON.stringify(
      {
        ...run,
        threshold,
        stack: mode,
        pages: SITE_PAGES,
        notes,
        problems,
        clients: rows.map((row) => ({
          ...row,
          description: clients.find((client) => client.name === row.name)!.description,
          firstPageRequest: headersOf(row.name),
        })),
        targets,
      },
      null,
      2,
    ),
  );
} else {
  console.log(
    `\nbench:detection ${run.date} commit ${run.commit} (${run.machine}), ${run.seconds} s; ` +
      `stack: ${mode}; pages: ${SITE_PAGES.join(' ')}\n`,
  );
  console.log(formatTable(rows, threshold));
  console.log("\nheaders of each client's first page request (Host omitted):");
  for (const row of rows) {
    const first = headersOf(row.name);
    if (!first) continue;
    console.log(
      `  ${row.name} (HTTP/${first.httpVersion}): ${first.headers
        .filter(([name]) => name.toLowerCase() !== 'host')
        .map(([name, value]) => `${name}: ${value}`)
        .join(' | ')}`,
    );
  }
  console.log('\ntargets (from the issue; reported, not asserted):');
  for (const check of targets)
    console.log(`  ${check.met ? 'met    ' : 'NOT met'}  ${check.client}: ${check.target}`);
  console.log('\nnotes:');
  for (const note of notes) console.log(`  - ${note}`);
  if (problems.length)
    console.log(
      `\nstack problems:\n${problems
        .slice(0, 10)
        .map((line) => `  ${line}`)
        .join('\n')}`,
    );
}
process.exit(0);
