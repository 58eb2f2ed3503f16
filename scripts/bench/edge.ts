/**
 * npm run bench:edge [-- --json] [-- --requests N] [-- --aot]
 *
 * Loopback latency of the scorer wasm against a hello-world wasm built the same way, both on
 * Viceroy, over the same request mix, requests interleaved so both see the same machine state.
 * Prints a table, or with --json one JSON object (scorer_p50_ms, hello_p50_ms, ratio, …).
 *
 * With --ladder, also scripts/bench/ladder.ts (the scorer's module graph answering without any
 * cookie work: empty, with the scorer's headers, after the store reads), timed in the same
 * interleaved loop: ladder_* figures show what each part costs against hello.
 *
 * npm run bench:edge -- --floor [--json] [--requests N]
 *
 * The floor instead: scripts/bench/floor.ts, built the same way, times inside the wasm the
 * interpreter's basic operations and each piece of a scorer request (AES-GCM, SHA-256, WebCrypto,
 * store hostcalls, a whole decision). Prints each timing's median over N requests (default 60),
 * separately for a sandbox's first request and for reused sandboxes.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../lib/command-line.js';
import { buildWasm, ensureViceroy, freePort, ROOT, startViceroy } from '../lib/viceroy.mjs';

const cli = parseCommandLine(process.argv.slice(2), {
  usage: 'usage: npm run bench:edge -- [--json] [--requests N] [--aot] [--ladder | --floor]',
  help: `
Builds the scorer wasm and a hello-world wasm the same way and times loopback requests to both on
Viceroy, interleaved; prints p50/p90/p99 and the p50 ratio beside its target (reported, not
asserted). Installs Viceroy with cargo when it is missing and cargo is available.
  --json                 print one JSON object (progress goes to stderr)
  --requests N           timed requests to each wasm (default 600; 60 with --floor)
  --aot                  build every wasm with js-compute's ahead-of-time mode (needs weval)
  --ladder               also time the scorer's module graph answering without cookie work
                         (scripts/bench/ladder.ts: empty, with the headers, after the store reads)
  --floor                instead, time inside the wasm the interpreter's basic operations and each
                         piece of a scorer request (scripts/bench/floor.ts), per fresh and reused sandbox`,
  options: {
    json: { type: 'boolean' },
    requests: { type: 'string' },
    aot: { type: 'boolean' },
    ladder: { type: 'boolean' },
    floor: { type: 'boolean' },
  },
});
const json = cli.flag('json');
const requestsGiven = cli.string('requests') !== undefined;
const REQUESTS = cli.number('--requests', cli.string('requests'), 600, {
  min: 1,
  max: 100_000,
  integer: true,
});
// --aot: both wasm built with js-compute's ahead-of-time mode (weval), the same way.
const aot = cli.flag('aot');
const floor = cli.flag('floor');
const ladder = cli.flag('ladder');
if (floor && ladder) cli.fail('--floor and --ladder are different runs: give one');
const log = (...parts: unknown[]) => (json ? console.error(...parts) : console.log(...parts));

const viceroy: string = ensureViceroy();
const ladderWasm = aot ? 'bin/ladder-aot.wasm' : 'bin/ladder.wasm';
const scorerWasm = aot ? 'bin/main-aot.wasm' : 'bin/main.wasm';
const helloWasm = aot ? 'bin/hello-aot.wasm' : 'bin/hello.wasm';
const floorWasm = aot ? 'bin/floor-aot.wasm' : 'bin/floor.wasm';
if (floor) {
  log(`building ${floorWasm}${aot ? ' (AOT)' : ''} …`);
  buildWasm('scripts/bench/floor.ts', floorWasm, { aot });
} else {
  log(`building ${scorerWasm} and ${helloWasm}${aot ? ' (AOT)' : ''} …`);
  buildWasm('src/index.ts', scorerWasm, { aot });
  buildWasm('scripts/bench/hello.ts', helloWasm, { aot });
  if (ladder) buildWasm('scripts/bench/ladder.ts', ladderWasm, { aot });
}

// Dev-only secrets, the same as the committed example files use.
const secrets = JSON.parse(
  (await import('node:fs')).readFileSync(join(ROOT, 'config/secret-store.example.json'), 'utf8'),
) as Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'scorer-bench-'));
const manifest = join(dir, 'fastly.toml');
writeFileSync(join(dir, 'config.json'), JSON.stringify({ mode: 'monitor' }));
writeFileSync(join(dir, 'secrets.json'), JSON.stringify(secrets));
writeFileSync(join(dir, 'kv.json'), '{}');
writeFileSync(
  manifest,
  `manifest_version = 3\nname = "bench"\nlanguage = "javascript"\n` +
    `[local_server.config_stores.scorer_config]\n` +
    `file = ${JSON.stringify(join(dir, 'config.json'))}\nformat = "json"\n` +
    `[local_server.secret_stores.scorer_secrets]\n` +
    `file = ${JSON.stringify(join(dir, 'secrets.json'))}\nformat = "json"\n` +
    `[local_server.kv_stores.scorer_models]\nfile = ${JSON.stringify(join(dir, 'kv.json'))}\nformat = "json"\n`,
);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? NaN
    : sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};
if (floor) {
  const server = await startViceroy({
    bin: viceroy,
    manifest,
    wasm: floorWasm,
    port: await freePort(),
  });
  const fresh = new Map<string, number[]>();
  const reused = new Map<string, number[]>();
  const count = requestsGiven ? REQUESTS : 60;
  try {
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${server.url}/`);
      if (response.status !== 200)
        throw new Error(`floor wasm: HTTP ${response.status}: ${await response.text()}`);
      const timings = (await response.json()) as Record<string, number>;
      const into = timings.request_in_sandbox === 1 ? fresh : reused;
      for (const [name, value] of Object.entries(timings))
        into.set(name, [...(into.get(name) ?? []), value]);
    }
  } finally {
    await server.stop();
  }
  const summary = (from: Map<string, number[]>) =>
    Object.fromEntries(
      [...from]
        .filter(([name]) => name !== 'sink')
        .map(([name, values]) => [
          name,
          +median(values).toFixed(name === 'request_in_sandbox' ? 0 : 2),
        ]),
    );
  const result = {
    requests: count,
    fresh_sandbox: { samples: fresh.get('request_in_sandbox')?.length ?? 0, ...summary(fresh) },
    reused_sandbox: { samples: reused.get('request_in_sandbox')?.length ?? 0, ...summary(reused) },
    max_requests_per_sandbox: Math.max(...(reused.get('request_in_sandbox') ?? [1])),
  };
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(
      `In-wasm timings on Viceroy, medians over ${count} requests (_ns: per loop iteration; _us: per call)`,
    );
    const names = [...new Set([...fresh.keys(), ...reused.keys()])].filter(
      (name) => name !== 'sink' && name !== 'request_in_sandbox',
    );
    console.log(
      `  ${'timing'.padEnd(26)} ${'fresh sandbox'.padStart(14)} ${'reused sandbox'.padStart(15)}`,
    );
    const freshTimings = result.fresh_sandbox as Record<string, number>;
    const reusedTimings = result.reused_sandbox as Record<string, number>;
    for (const name of names)
      console.log(
        `  ${name.padEnd(26)} ${String(freshTimings[name] ?? '-').padStart(14)} ` +
          `${String(reusedTimings[name] ?? '-').padStart(15)}`,
      );
    console.log(
      `  samples: ${result.fresh_sandbox.samples} fresh, ${result.reused_sandbox.samples} ` +
        `reused; at most ${result.max_requests_per_sandbox} requests per sandbox`,
    );
  }
  process.exit(0);
}

log('starting both on Viceroy (compiling the wasm takes a while) …');
const [scorer, hello, rungs] = await Promise.all([
  startViceroy({ bin: viceroy, manifest, wasm: scorerWasm, port: await freePort() }),
  startViceroy({ bin: viceroy, manifest, wasm: helloWasm, port: await freePort() }),
  ...(ladder
    ? [startViceroy({ bin: viceroy, manifest, wasm: ladderWasm, port: await freePort() })]
    : []),
]);
const RUNGS = ['empty', 'headers', 'stores'] as const;
const rungTimes = new Map<string, number[]>(RUNGS.map((name) => [name, []]));

// The mix: 20 simulated visitors, each browsing a few pages with its cookie, some without one.
const PATHS = [
  '/',
  '/about',
  '/blog/2024/05/post',
  '/tag/edge',
  '/search',
  '/products/blue-shoe',
  '/api/v1/items',
  '/robots.txt',
];
const cookies = new Map<number, string>();
function requestFor(i: number): { path: string; headers: Record<string, string>; visitor: number } {
  const visitor = i % 20;
  const headers: Record<string, string> = {
    'x-scorer-auth': secrets.caller_secret!,
    'user-agent': `Mozilla/5.0 bench-visitor-${visitor}`,
    'fastly-client-ip': `198.51.100.${visitor}`,
    'accept-language': 'en',
  };
  const cookie = cookies.get(visitor);
  if (cookie && i % 9 !== 0) headers.cookie = `ss_session=${cookie}`;
  return { path: PATHS[i % PATHS.length]!, headers, visitor };
}

async function timed(
  base: string,
  i: number,
  remember: boolean,
  pathOverride?: string,
): Promise<number> {
  const { path: mixPath, headers, visitor } = requestFor(i);
  const path = pathOverride ?? mixPath;
  const started = performance.now();
  const response = await fetch(base + path, { headers });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`${base}${path}: HTTP ${response.status}`);
  if (remember) {
    const value = /^ss_session=([^;]+)/.exec(
      response.headers.get('x-scorer-set-cookie') ?? '',
    )?.[1];
    if (value) cookies.set(visitor, value);
    else
      throw new Error(
        `scorer answered without a cookie: ${response.headers.get('x-scorer-error')}`,
      );
  }
  return elapsed;
}

const scorerTimes: number[] = [];
const helloTimes: number[] = [];
try {
  for (let i = 0; i < 40; i++) {
    await timed(scorer.url, i, true); // warm-up
    await timed(hello.url, i, false);
  }
  for (let i = 0; i < REQUESTS; i++) {
    scorerTimes.push(await timed(scorer.url, i, true));
    helloTimes.push(await timed(hello.url, i, false));
    // Rotated, so that the fresh sandbox Viceroy starts every 6 requests falls on each rung alike.
    if (rungs)
      for (let r = 0; r < RUNGS.length; r++) {
        const name = RUNGS[(i + r) % RUNGS.length]!;
        rungTimes.get(name)!.push(await timed(rungs.url, i, false, `/.rung/${name}`));
      }
  }
} finally {
  await Promise.all([scorer.stop(), hello.stop(), rungs?.stop()]);
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const round = (x: number) => +x.toFixed(3);
const result = {
  scorer_p50_ms: round(quantile(scorerTimes, 0.5)),
  hello_p50_ms: round(quantile(helloTimes, 0.5)),
  ratio: round(quantile(scorerTimes, 0.5) / quantile(helloTimes, 0.5)),
  scorer_p90_ms: round(quantile(scorerTimes, 0.9)),
  hello_p90_ms: round(quantile(helloTimes, 0.9)),
  scorer_p99_ms: round(quantile(scorerTimes, 0.99)),
  hello_p99_ms: round(quantile(helloTimes, 0.99)),
  requests: REQUESTS,
  aot,
  scorer_wasm_bytes: statSync(join(ROOT, scorerWasm)).size,
  hello_wasm_bytes: statSync(join(ROOT, helloWasm)).size,
  ...(rungs
    ? Object.fromEntries(
        RUNGS.flatMap((name) => {
          const p50 = quantile(rungTimes.get(name)!, 0.5);
          return [
            [`ladder_${name}_p50_ms`, round(p50)],
            [`ladder_${name}_ratio`, round(p50 / quantile(helloTimes, 0.5))],
          ];
        }),
      )
    : {}),
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(
    `Viceroy loopback latency over ${REQUESTS} interleaved requests ` +
      `each${aot ? ' (both built with --enable-aot)' : ''}`,
  );
  console.log(
    `  scorer  p50 ${result.scorer_p50_ms} ms  p90 ${result.scorer_p90_ms} ms  p99 ${result.scorer_p99_ms} ms`,
  );
  console.log(
    `  hello   p50 ${result.hello_p50_ms} ms  p90 ${result.hello_p90_ms} ms  p99 ${result.hello_p99_ms} ms`,
  );
  console.log(`  ratio (p50 scorer / hello) ${result.ratio}   target ≤ 1.20`);
  if (rungs) {
    console.log('  ladder (scorer module graph, no cookie work), p50 and ratio to hello:');
    for (const name of RUNGS)
      console.log(
        `    ${name.padEnd(8)} ${(result as Record<string, unknown>)[`ladder_${name}_p50_ms`]} ms  ` +
          `ratio ${(result as Record<string, unknown>)[`ladder_${name}_ratio`]}`,
      );
  }
}
