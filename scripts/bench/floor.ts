/// <reference types="@fastly/js-compute" />
// The wasm for `npm run bench:edge -- --floor`: times, inside one js-compute sandbox, the
// interpreter's basic speed and the crypto a scorer request needs, so bench:edge's latency can be
// compared with what the work costs at best. Built with the same js-compute-runtime and flags as
// the scorer. Each request answers one JSON object of timings (microseconds or nanoseconds).
// Nothing random is drawn at initialisation (the Wizer snapshot): only in requests.
import embeddedModel from '@session-scorer/core/model/default.json' with { type: 'json' };
import { ConfigStore } from 'fastly:config-store';
import { PenaltyBox, RateCounter } from 'fastly:edge-rate-limiter';
import { setReusableSandboxOptions } from 'fastly:experimental';
import { KVStore } from 'fastly:kv-store';
import { SecretStore } from 'fastly:secret-store';
import {
  base64UrlDecode,
  base64UrlEncode,
  createAesGcm,
  decodeState,
  encodeState,
  createCookieCodec,
  createKeyRing,
  createScorer,
  STATE_LENGTH,
  FEATURE_COUNT,
  FEATURE_NAMES,
  headerSignals,
  hexToBytes,
  loadCombiner,
  loadModel,
  requestSignals,
  sessionIdHash,
  type AesGcmContext,
} from '@session-scorer/core';
import { readCookie } from '../../src/cookie-header.js';
import { STORE_NAMES } from '../../src/edge-contract.js';
import { PENALTY_BOX_NAMES, RATE_COUNTER_NAMES } from '../../src/platform.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { readCallerSecret } from '../../src/config/caller-secret.js';
import { prepareDefaults } from '../../src/config/defaults.js';
import { COOKIE_KEYS_ITEM } from '../../src/config/cookie-keys-secret.js';
import { readKeyRing } from '../../src/config/keys.js';
import { readModel } from '../../src/config/model.js';
import { readConfig } from '../../src/config/read-config.js';
import { fastlyPlatform } from '../../src/fastly-platform.js';

setReusableSandboxOptions({ maxRequests: 1000 });

// test/vectors/cookie-valid.json "first-page-view": dev-only key, a real 152-character cookie (format 0x02).
const KEY = hexToBytes('11181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3ea');
const COOKIE =
  'AgEBCA8WHSQrMjlAR054bTaq2M06Ipa7nKTu37rh-oJYKMcDDL0KF64fjUAtVsOjkecV1k_5uvHd09UkRn8S' +
  '1ui0KJ6Iusp6M1a-uFFxxBBITf8n0bZTwkYWHuQmkJRy96WFEProKx7PvL-O6i19HUd3';
const REALM = 'ss_session';
const NOW_MS = 1795000000300;
const model = loadModel(embeddedModel); // parsed at initialisation, as the scorer does
const defaults = prepareDefaults(embeddedModel);
// One digest at initialisation, as src/index.ts did while the session hash came from WebCrypto:
// without it, the first digest in a sandbox measured ~2.3 ms instead of ~0.25 ms.
void crypto.subtle.digest('SHA-256', new Uint8Array(16));

// Module state that survives only while the sandbox is reused: counts requests per sandbox (so
// the driver can see reuse) and holds the per-key context, as the scorer's key ring cache does.
let requestsInSandbox = 0;
let context: AesGcmContext | undefined;
let codec: ReturnType<typeof createCookieCodec> | undefined;
let scorer: ReturnType<typeof createScorer> | undefined;

// Fixed inputs for the signal timings (a Chrome navigation; a memory that answers at once).
const BENCH_HEADERS = {
  userAgent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  acceptLanguage: 'en-US,en;q=0.9',
  acceptEncoding: 'gzip, deflate, br',
  secFetchMode: 'navigate',
  secFetchSite: 'none',
  secFetchDest: 'document',
  secFetchUser: '?1',
  secChUa: '"Chromium";v="131"',
  ja4: 't13d1516h2_8daaf6152771_02713d6af862',
};
const FREE_MEMORY = {
  cookielessArrival: () => ({ seenBefore: false, recent: 1 }),
  request: () => 1,
  crawlerPath: () => {},
  seenCrawlerPath: () => false,
};
const BENCH_LOGISTIC = loadCombiner({
  kind: 'logistic',
  features: [...FEATURE_NAMES],
  bias: -1,
  weights: FEATURE_NAMES.map((_, i) => (i % 3) - 1),
  scoreMap: { margins: [-2, 0, 2], scores: [0, 50, 100] },
});
// 60 full trees of depth 3 (7 internal nodes, 8 leaves): the largest combiner training writes.
const fullTree = (t: number) => ({
  feature: [
    t % FEATURE_COUNT,
    (t + 1) % FEATURE_COUNT,
    (t + 2) % FEATURE_COUNT,
    (t + 3) % FEATURE_COUNT,
    (t + 4) % FEATURE_COUNT,
    (t + 5) % FEATURE_COUNT,
    (t + 6) % FEATURE_COUNT,
    -1,
    -1,
    -1,
    -1,
    -1,
    -1,
    -1,
    -1,
  ],
  threshold: [0.5, 0.25, 0.75, 0.1, 0.6, 0.3, 0.9, 0, 0, 0, 0, 0, 0, 0, 0],
  left: [1, 3, 5, 7, 9, 11, 13, 0, 0, 0, 0, 0, 0, 0, 0],
  right: [2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0],
  value: [0, 0.1, -0.1, 0.2, 0, -0.2, 0.1, 0.3, -0.3, 0.1, -0.1, 0.2, -0.2, 0.05, -0.05],
});
const BENCH_TREES = loadCombiner({
  kind: 'trees',
  features: [...FEATURE_NAMES],
  base: 0,
  trees: Array.from({ length: 60 }, (_, t) => fullTree(t)),
  scoreMap: { margins: [-2, 0, 2], scores: [0, 50, 100] },
});
const TYPICAL_COOKIE_HEADER = `_ga=GA1.2.123.456; theme=dark; ${REALM}=${COOKIE}; consent=yes`;
const SEPARATOR_COOKIE_HEADER = ';'.repeat(32_000) + `${REALM}=${COOKIE}`;

const now = () => performance.now();
/** Microseconds per call of `fn`, over `n` calls. */
function perCallUs(n: number, fn: () => unknown): number {
  const started = now();
  for (let i = 0; i < n; i++) fn();
  return ((now() - started) * 1000) / n;
}

async function measure(event: FetchEvent): Promise<Record<string, number>> {
  requestsInSandbox++;
  const out: Record<string, number> = { request_in_sandbox: requestsInSandbox };
  // The first decision of a request, before anything else runs in it: compared with decide_us
  // (the same decision repeated), it shows per-request costs such as recompiling functions whose
  // bytecode a garbage collection between requests discarded.
  if (scorer) {
    const sc = scorer;
    out.decide_first_in_request_us = perCallUs(1, () =>
      sc.decide({ nowMs: NOW_MS + 5000, method: 'GET', path: '/blog/post', cookie: COOKIE }),
    );
    out.decide_second_in_request_us = perCallUs(1, () =>
      sc.decide({ nowMs: NOW_MS + 5000, method: 'GET', path: '/blog/post', cookie: COOKIE }),
    );
  }
  const N = 20000;
  // (a) interpreter speed: loops written inline (no call), ns per iteration.
  let t = now();
  for (let i = 0; i < N; i++) {
    /* empty */
  }
  out.empty_loop_ns = ((now() - t) * 1e6) / N;
  let x = 1;
  t = now();
  for (let i = 0; i < N; i++) x = (x ^ (x << 5) ^ (x >>> 3) ^ i) | 0;
  out.arith_loop_ns = ((now() - t) * 1e6) / N; // ~6 bit operations per iteration
  const table = new Int32Array(256).fill(x);
  let sum = 0;
  t = now();
  for (let i = 0; i < N; i++) sum ^= table[i & 255]!;
  out.typed_read_loop_ns = ((now() - t) * 1e6) / N;
  const plain: number[] = Array.from({ length: 256 }, (_, i) => (i * 2654435761) | 0);
  t = now();
  for (let i = 0; i < N; i++) sum ^= plain[i & 255]!;
  out.array_read_loop_ns = ((now() - t) * 1e6) / N; // the same read from a plain (dense) Array
  const bytes8 = new Uint8Array(256).fill(7);
  t = now();
  for (let i = 0; i < N; i++) sum ^= bytes8[i & 255]!;
  out.uint8_read_loop_ns = ((now() - t) * 1e6) / N;
  t = now();
  for (let i = 0; i < N; i++) table[i & 255] = i;
  out.typed_write_loop_ns = ((now() - t) * 1e6) / N;
  const f = (a: number) => a + 1;
  t = now();
  for (let i = 0; i < N; i++) sum = f(sum);
  out.call_loop_ns = ((now() - t) * 1e6) / N;
  out.sink = (x ^ sum) & 1; // keeps the loops' results observable

  // (b) AES-256-GCM with a cached per-key context (the project's aead.ts), on the cookie's bytes.
  if (!context) {
    t = now();
    context = createAesGcm(KEY);
    out.aes_context_build_us = (now() - t) * 1000;
    const keyRing = createKeyRing({ activeKeyId: 1, keys: [{ id: 1, key: KEY }] });
    codec = createCookieCodec({ keyRing, realm: REALM });
    scorer = createScorer({ keyRing, realm: REALM, model });
  }
  const bytes = base64UrlDecode(COOKIE)!;
  const nonce = bytes.subarray(2, 14);
  const sealed = bytes.subarray(14);
  const aad = new Uint8Array(2 + REALM.length);
  aad.set(bytes.subarray(0, 2));
  aad.set(new TextEncoder().encode(REALM), 2);
  const ctx = context;
  const plaintext = ctx.open(nonce, sealed, aad)!;
  if (!plaintext || plaintext.length !== STATE_LENGTH)
    throw new Error('the vector cookie did not open');
  out.aes_gcm_open_us = perCallUs(30, () => ctx.open(nonce, sealed, aad));
  // Timing only: the output is discarded, so repeating the vector's nonce reveals nothing.
  out.aes_gcm_seal_us = perCallUs(30, () => ctx.seal(nonce, plaintext, aad));
  const c = codec!;
  out.cookie_open_us = perCallUs(30, () => c.open(COOKIE, NOW_MS)); // + base64url, state decode
  const state = (c.open(COOKIE, NOW_MS) as { state: Parameters<typeof c.seal>[0] }).state;
  out.cookie_seal_us = perCallUs(30, () => c.seal(state)); // + state encode, random nonce, base64url
  // A whole decision on the vector's cookie: open, classify, score, seal (random nonce); then the
  // session hash header (pure-JS SHA-256), as the app reads it.
  const sc = scorer!;
  out.decide_us = perCallUs(10, () =>
    sc.decide({ nowMs: NOW_MS + 5000, method: 'GET', path: '/blog/post', cookie: COOKIE }),
  );
  // The signals of issue 11 inside a decision: request facts, browser headers and a client memory
  // whose answers cost nothing here (on Fastly each is a rate counter or penalty box host call, timed below).
  const facts = {
    protocol: 'HTTP/2',
    referer: 'https://example.com/',
    secureContext: true,
    headers: BENCH_HEADERS,
  };
  out.decide_with_signals_us = perCallUs(10, () =>
    sc.decide({
      nowMs: NOW_MS + 5000,
      method: 'GET',
      path: '/blog/post',
      cookie: COOKIE,
      request: facts,
      client: FREE_MEMORY,
    }),
  );
  out.request_signals_us = perCallUs(50, () => requestSignals('GET', '/blog/2024/05/post', facts));
  out.header_signals_us = perCallUs(50, () => headerSignals(BENCH_HEADERS, true, true));
  const vector = new Float64Array(FEATURE_COUNT).fill(0.5);
  out.combiner_logistic_us = perCallUs(50, () => BENCH_LOGISTIC.evaluate(vector));
  out.combiner_trees_60x7_us = perCallUs(20, () => BENCH_TREES.evaluate(vector));
  // Issue 13 item 8: the Cookie header a client can make costliest to read.
  out.read_cookie_typical_us = perCallUs(50, () => readCookie(TYPICAL_COOKIE_HEADER, REALM));
  out.read_cookie_32000_separators_us = perCallUs(5, () =>
    readCookie(SEPARATOR_COOKIE_HEADER, REALM),
  );
  out.decide_and_hash_us = perCallUs(
    10,
    () =>
      sc.decide({ nowMs: NOW_MS + 5000, method: 'GET', path: '/blog/post', cookie: COOKIE }).session
        .idHash,
  );
  // The decision's other pieces.
  out.base64url_decode_cookie_us = perCallUs(30, () => base64UrlDecode(COOKIE));
  out.base64url_encode_105_us = perCallUs(30, () => base64UrlEncode(bytes));
  out.decode_state_us = perCallUs(30, () => decodeState(plaintext));
  const decoded = decodeState(plaintext)!;
  out.encode_state_us = perCallUs(30, () => encodeState(decoded));
  out.classify_us = perCallUs(30, () => sc.classifier.classify('GET', '/blog/2024/05/post'));
  const twelve = new Uint8Array(12);
  out.get_random_values_12_us = perCallUs(100, () => crypto.getRandomValues(twelve));

  // (c) @noble/hashes' SHA-256 of a 16-byte session id, and the session hash header built from it.
  // (@noble/hashes, used before, took ~0.44 ms for the same digest.)
  const sessionId = plaintext.subarray(0, 16);
  out.sha256_js_16_us = perCallUs(50, () => sha256(sessionId));
  out.session_hash_us = perCallUs(50, () => sessionIdHash(sessionId));

  // (d) native WebCrypto: the first call in this sandbox, then later calls.
  t = now();
  await crypto.subtle.digest('SHA-256', sessionId);
  out.subtle_digest_call1_us = (now() - t) * 1000;
  t = now();
  for (let i = 0; i < 20; i++) await crypto.subtle.digest('SHA-256', sessionId);
  out.subtle_digest_later_us = ((now() - t) * 1000) / 20;
  t = now();
  const hmacKey = await crypto.subtle.importKey(
    'raw',
    KEY,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  out.hmac_import_us = (now() - t) * 1000;
  t = now();
  await crypto.subtle.sign('HMAC', hmacKey, sessionId);
  out.hmac_sign_call1_us = (now() - t) * 1000;
  t = now();
  for (let i = 0; i < 20; i++) await crypto.subtle.sign('HMAC', hmacKey, sessionId);
  out.hmac_sign_later_us = ((now() - t) * 1000) / 20;

  // (e) store hostcalls, as the scorer makes them per request (bench:edge's local stores).
  t = now();
  const config = new ConfigStore(STORE_NAMES.config);
  out.config_open_us = (now() - t) * 1000;
  out.config_get_us = perCallUs(20, () => config.get('mode'));
  out.config_get_missing_us = perCallUs(20, () => config.get('cookie_domain'));
  t = now();
  const secrets = new SecretStore(STORE_NAMES.secrets);
  out.secret_open_us = (now() - t) * 1000;
  t = now();
  for (let i = 0; i < 10; i++) (await secrets.get(COOKIE_KEYS_ITEM))!.plaintext();
  out.secret_get_plaintext_us = ((now() - t) * 1000) / 10;
  t = now();
  const kv = new KVStore(STORE_NAMES.models);
  out.kv_open_us = (now() - t) * 1000;
  // A second ConfigStore object for the same store in the same request: does opening cost again?
  t = now();
  new ConfigStore(STORE_NAMES.config).get('mode');
  out.config_open_again_us = (now() - t) * 1000;
  t = now();
  for (let i = 0; i < 10; i++) await kv.get('current');
  out.kv_get_missing_us = ((now() - t) * 1000) / 10;
  // The app's configuration readers (src/config/) over the Fastly platform, as a scored request
  // calls them (the key ring and KV model are cached by their text after the first request).
  const platform = fastlyPlatform(event);
  t = now();
  await readCallerSecret(platform);
  out.read_caller_secret_us = (now() - t) * 1000;
  t = now();
  readConfig(platform, defaults);
  out.read_config_us = (now() - t) * 1000;
  t = now();
  readConfig(platform, defaults);
  out.read_config_again_us = (now() - t) * 1000;
  t = now();
  await readKeyRing(platform);
  out.read_key_ring_us = (now() - t) * 1000;
  t = now();
  await readModel(platform, defaults.model);
  out.read_model_us = (now() - t) * 1000;
  // The per-cookie edge rate counter, as a decision on a returning session uses it (Viceroy stubs it).
  t = now();
  const counter = new RateCounter(RATE_COUNTER_NAMES.cookieUses);
  out.rate_counter_open_us = (now() - t) * 1000;
  out.rate_counter_increment_lookup_us = perCallUs(10, () => {
    counter.increment('AQEBCA8WHSQrMjlAR05', 1);
    return counter.lookupCount('AQEBCA8WHSQrMjlAR05', 60);
  });
  // A penalty box, as the client memory asks one for a cookie-less arrival (has, then add).
  const box = new PenaltyBox(PENALTY_BOX_NAMES.cookielessSeen);
  out.penalty_box_has_add_us = perCallUs(10, () => {
    const seen = box.has('198.51.100.23');
    box.add('198.51.100.23', 60);
    return seen;
  });
  return out;
}

addEventListener('fetch', (event) =>
  event.respondWith(
    measure(event).then(
      (timings) =>
        new Response(JSON.stringify(timings), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
      (error: unknown) => new Response(String(error), { status: 500 }),
    ),
  ),
);
