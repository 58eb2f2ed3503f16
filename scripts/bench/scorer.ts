/**
 * npm run bench [-- --json] [-- --seconds N]
 *
 * Measures a full scorer-core decision on a warm session (open the cookie, update and score the
 * state, seal it again) and, in the same run, node:crypto's native AES-256-GCM open + seal of
 * the same bytes. Prints a table, or with --json one JSON object.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  createKeyRing,
  createScorer,
  loadModel,
  type DecisionInput,
  type Scorer,
} from '@session-scorer/core';
// The shipped model (its transition table and learned combiner), as the edge scores with it.
import shippedModel from '@session-scorer/core/model/default.json' with { type: 'json' };
import { parseCommandLine } from '../lib/command-line.js';

const ROUNDS = 7;
const cli = parseCommandLine(process.argv.slice(2), {
  usage: 'usage: npm run bench -- [--json] [--seconds N]',
  help: `
Times a full scorer-core decision on a warm session (open the cookie, update and score the state,
seal it again; large and small GHASH tables), a cold one (key ring built per request) and
node:crypto's native AES-256-GCM open + seal of the same bytes; median of ${ROUNDS} rounds. Prints
the figures beside their targets (reported, not asserted).
  --json                 print one JSON object instead of the table
  --seconds N            length of each round in seconds (default 0.5)`,
  options: { json: { type: 'boolean' }, seconds: { type: 'string' } },
});
const json = cli.flag('json');
const roundSeconds = cli.number('--seconds', cli.string('seconds'), 0.5, {
  min: 0,
  max: 60,
  exclusive: true,
});

// Dev-only benchmark key: a fixed pattern, never a real secret.
const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
const REALM = 'ss_session';
const model = loadModel(shippedModel);
const PATHS = ['/', '/about', '/blog/2024/05/post', '/tag/edge', '/search', '/2023/01/other-post'];

/** Median ops/s over ROUNDS rounds of about `roundSeconds` each. */
function measure(op: (i: number) => void): number {
  for (let i = 0; i < 2000; i++) op(i); // warm up the JIT
  const rates: number[] = [];
  let i = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let count = 0;
    const start = performance.now();
    const deadline = start + roundSeconds * 1000;
    let now = start;
    while (now < deadline) {
      for (let k = 0; k < 256; k++) op(i++);
      count += 256;
      now = performance.now();
    }
    rates.push(count / ((now - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

function warmSessionLoop(scorer: Scorer): (i: number) => void {
  const SESSION_LENGTH = 10_000; // page views per session: well inside the 7-day maximum age
  let nowMs = 1_795_000_000_000;
  let cookie: string | undefined;
  return (i) => {
    nowMs += 7_000 + (i % 13) * 1_000; // human-paced, so the session stays valid and unflagged
    if (i % SESSION_LENGTH === 0) cookie = undefined;
    const input: DecisionInput = { nowMs, method: 'GET', path: PATHS[i % PATHS.length]!, cookie };
    const decision = scorer.decide(input);
    if (cookie !== undefined && decision.cookieStatus !== 'ok')
      throw new Error(`benchmark session broke: ${decision.cookieStatus}`);
    cookie = decision.setCookie.value;
  };
}

const warmLarge = createScorer({
  keyRing: createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: KEY }] }, { table: 'large' }),
  realm: REALM,
  model,
});
const warmSmall = createScorer({
  keyRing: createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: KEY }] }, { table: 'small' }),
  realm: REALM,
  model,
});
const sample = warmLarge.decide({ nowMs: 1_795_000_000_000, method: 'GET', path: '/' });
const cookieBytes = sample.setCookie.value.length;

// Native reference: open + seal of exactly the cookie's bytes (header, nonce, 75-byte state, tag).
const raw = Buffer.from(sample.setCookie.value, 'base64url');
const header = raw.subarray(0, 2);
const nonce = raw.subarray(2, 14);
const aad = Buffer.concat([header, Buffer.from(REALM)]);
function nativeOpenSeal(): void {
  const decipher = createDecipheriv('aes-256-gcm', KEY, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  const plaintext = Buffer.concat([
    decipher.update(raw.subarray(14, raw.length - 16)),
    decipher.final(),
  ]);
  const cipher = createCipheriv('aes-256-gcm', KEY, nonce);
  cipher.setAAD(aad);
  Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

// A fresh edge sandbox: the key ring (key schedule, GHASH table) is built for every request.
let coldNow = 1_795_000_000_000;
const coldCookie = sample.setCookie.value;
function coldDecision(): void {
  const scorer = createScorer({
    keyRing: createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: KEY }] }),
    realm: REALM,
    model,
  });
  scorer.decide({ nowMs: (coldNow += 1000), method: 'GET', path: '/about', cookie: coldCookie });
}

const decisionsPerS = measure(warmSessionLoop(warmLarge));
const decisionsSmallPerS = measure(warmSessionLoop(warmSmall));
const nativePerS = measure(nativeOpenSeal);
const coldPerS = measure(coldDecision);
const memory = process.memoryUsage();

const result = {
  decisions_per_s: Math.round(decisionsPerS),
  decision_us: +(1e6 / decisionsPerS).toFixed(2),
  native_open_seal_per_s: Math.round(nativePerS),
  native_open_seal_us: +(1e6 / nativePerS).toFixed(2),
  native_ratio: +(nativePerS / decisionsPerS).toFixed(2),
  decisions_small_table_per_s: Math.round(decisionsSmallPerS),
  cold_decisions_per_s: Math.round(coldPerS),
  cookie_bytes: cookieBytes,
  heap_used_mb: +(memory.heapUsed / 2 ** 20).toFixed(1),
  node: process.version,
  rounds: ROUNDS,
  round_seconds: roundSeconds,
};

if (json) {
  console.log(JSON.stringify(result));
} else {
  console.log('scorer-core decision benchmark (median of %d rounds of %ss)', ROUNDS, roundSeconds);
  console.log(
    `  warm session, large GHASH table  ${result.decisions_per_s.toLocaleString('en')} ` +
      `decisions/s  (${result.decision_us} µs)   target ≥ 100,000`,
  );
  console.log(
    `  warm session, small GHASH table  ${result.decisions_small_table_per_s.toLocaleString('en')} decisions/s`,
  );
  console.log(
    `  cold (key ring built per request) ${result.cold_decisions_per_s.toLocaleString('en')} decisions/s`,
  );
  console.log(
    `  node:crypto AES-GCM open+seal    ${result.native_open_seal_per_s.toLocaleString('en')} /s  ` +
      `(${result.native_open_seal_us} µs)`,
  );
  console.log(`  native_ratio (decision / native)  ${result.native_ratio}   target ≤ 5`);
  console.log(`  cookie_bytes                      ${result.cookie_bytes}   target ≤ 160`);
}
