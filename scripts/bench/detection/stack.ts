/**
 * The local edge the clients talk to, all on loopback:
 *
 *   client ─► front (one port per client) ─► falco simulate --proxy (the generated VCL, monitor
 *   mode, forward_score on) ─► scorer wasm on Viceroy (preflight) and the bench's origin
 *
 * falco's --proxy mode returns the edge's response serialised as the body of a 200, so the front
 * unwraps it (raw-response.ts) and answers the client with the real status, headers and body. The
 * front forwards the client's request line and headers as received (names, case and order kept;
 * hop-by-hop Connection / Keep-Alive dropped, as the hop to falco is its own connection) from its
 * own loopback address per client (127.0.0.N), which falco reports as client.ip: each client is
 * a distinct address to the VCL and the scorer. The hop into falco is TLS (a self-signed loopback
 * certificate) where openssl exists, so the VCL sees req.is_ssl as for an HTTPS site.
 *
 * Without falco (mode 'direct') the front does what the VCL does for a page request instead:
 * skips the excluded static paths, sends the preflight with the headers the VCL adds
 * (Fastly-Client-IP, the request facts X-Scorer-Proto / -Ja4 (empty) / -Host / -Tls (1, an HTTPS
 * site), X-Scorer-Original-Method, X-Scorer-Auth; method GET), forwards score and reasons to the
 * origin and relays the scorer's Set-Cookie.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFalco } from '../../lib/falco.mjs';
import { buildWasm, ensureViceroy, freePort, ROOT, startViceroy } from '../../lib/viceroy.mjs';
import { DEFAULT_EXCLUDE_URL_REGEX } from '../../vcl/facts.js';
import { generateSnippets } from '../../vcl/generate.js';
import { assembleMainVcl } from '../../vcl/harness.js';
import { REQUEST_HEADERS, RESPONSE_HEADERS, HEADER_PREFIX } from '../../../src/edge-contract.js';
import { parseRawResponse } from '../../lib/falco-proxy-response.js';
import { startOrigin, type Origin } from './site.js';

export type StackMode = 'falco' | 'direct';

/** What a client sent, as the front received it. */
export interface SeenRequest {
  method: string;
  path: string;
  httpVersion: string;
  rawHeaders: string[];
  /** When the front received it (ms, monotonic): the gaps the scorer's pace rules see. */
  receivedAtMs: number;
}

export interface Front {
  url: string;
  /** Requests received since the last take(). */
  take(): SeenRequest[];
}

export interface Stack {
  mode: StackMode;
  /** The hop into falco is TLS (req.is_ssl true, as on an HTTPS site); false without openssl or falco. */
  tls: boolean;
  origin: Origin;
  /** A front for one client, forwarding from its own loopback address. */
  openFront(clientNumber: number): Promise<Front>;
  /** Lines falco or Viceroy printed that look like failures (panics, errors). */
  problems(): string[];
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection']);

function forwardedHeaders(raw: string[], drop: (lowerName: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!drop(name.toLowerCase())) out.push(name, raw[i + 1]!);
  }
  return out;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

interface Sent {
  status: number;
  statusText: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: Buffer;
}

/** One request on a fresh connection; `tls` for falco's TLS listener (its self-signed loopback certificate). */
function send(options: {
  port: number;
  method: string;
  path: string;
  headers: string[];
  localAddress?: string;
  tls?: boolean;
}): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const common = {
      host: '127.0.0.1',
      port: options.port,
      method: options.method,
      path: options.path,
      headers: options.headers,
      agent: false as const,
      localAddress: options.localAddress,
      timeout: 10_000,
    };
    const onResponse = (res: IncomingMessage) => {
      readBody(res).then(
        (body) =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body,
          }),
        reject,
      );
    };
    const req = options.tls
      ? httpsRequest({ ...common, rejectUnauthorized: false }, onResponse)
      : httpRequest(common, onResponse);
    req.on('timeout', () =>
      req.destroy(new Error(`no answer from 127.0.0.1:${options.port} within 10 s`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** Dev-only secrets (the committed example file) and a config for plain HTTP on loopback. */
async function startScorer(workDir: string) {
  const secrets = readFileSync(join(ROOT, 'config/secret-store.example.json'), 'utf8');
  // cookie_secure=false: the bench speaks plain HTTP on loopback, where some clients (Python's
  // cookie jar, wget) would not send back a Secure cookie; in production the site is HTTPS.
  writeFileSync(
    join(workDir, 'config.json'),
    JSON.stringify({ mode: 'monitor', cookie_secure: 'false' }),
  );
  writeFileSync(join(workDir, 'secrets.json'), secrets);
  writeFileSync(join(workDir, 'kv.json'), '{}');
  const manifest = join(workDir, 'fastly.toml');
  const store = (section: string, file: string) =>
    `[local_server.${section}]\nfile = ${JSON.stringify(join(workDir, file))}\nformat = "json"\n`;
  writeFileSync(
    manifest,
    `manifest_version = 3\nname = "bench-detection"\nlanguage = "javascript"\n` +
      store('config_stores.scorer_config', 'config.json') +
      store('secret_stores.scorer_secrets', 'secrets.json') +
      store('kv_stores.scorer_models', 'kv.json'),
  );
  const viceroy: string = ensureViceroy({ install: false });
  return {
    callerSecret: (JSON.parse(secrets) as Record<string, string>).caller_secret!,
    server: (await startViceroy({
      bin: viceroy,
      manifest,
      wasm: 'bin/main.wasm',
      port: await freePort(),
    })) as { url: string; output: string[]; stop(): Promise<void> },
  };
}

/** The generated VCL with the bench's dictionary values: its threshold, the score forwarded. */
function benchVcl(scorerPort: number, originPort: number, threshold: number): string {
  return assembleMainVcl(generateSnippets(), {
    scorer: ['127.0.0.1', scorerPort],
    origin: ['127.0.0.1', originPort],
    settings: { threshold: String(threshold), forward_score: 'true' },
  });
}

/**
 * A self-signed certificate for falco's TLS listener, so the VCL sees req.is_ssl as on a
 * production HTTPS site (and tells the scorer x-scorer-tls: 1). Null when openssl is missing.
 */
function selfSignedCertificate(workDir: string): { key: string; cert: string } | null {
  const key = join(workDir, 'key.pem');
  const cert = join(workDir, 'cert.pem');
  const run = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { encoding: 'utf8' },
  );
  return run.status === 0 ? { key, cert } : null;
}

async function startFalco(
  falco: string,
  vcl: string,
  workDir: string,
  output: string[],
): Promise<{ port: number; child: ChildProcess; tls: boolean }> {
  writeFileSync(join(workDir, 'main.vcl'), vcl);
  const port: number = await freePort();
  const certificate = selfSignedCertificate(workDir);
  const tlsConfig = certificate
    ? `  key_file: ${JSON.stringify(certificate.key)}\n  cert_file: ${JSON.stringify(certificate.cert)}\n`
    : '';
  writeFileSync(join(workDir, '.falco.yml'), `simulator:\n  port: ${port}\n${tlsConfig}`);
  const child = spawn(falco, ['simulate', '--proxy', 'main.vcl'], {
    cwd: workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) =>
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  for (let i = 0; ; i++) {
    if (child.exitCode !== null)
      throw new Error(
        `falco simulate exited with ${child.exitCode}: ${output.slice(-5).join(' | ')}`,
      );
    try {
      await send({
        port,
        method: 'GET',
        path: '/.scorer/ready-probe',
        headers: ['Host', '127.0.0.1'],
        tls: certificate !== null,
      });
      return { port, child, tls: certificate !== null };
    } catch {
      if (i > 300) throw new Error('falco simulate did not answer within 15 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function startStack(options: {
  mode: StackMode;
  threshold: number;
  pages: readonly string[];
  build: boolean;
  log: (line: string) => void;
}): Promise<Stack> {
  const workDir = mkdtempSync(join(tmpdir(), 'bench-detection-'));
  const falco: string | null = options.mode === 'falco' ? findFalco() : null;
  if (options.mode === 'falco' && !falco)
    throw new Error(
      'falco not found (FALCO_BIN, .cache/bin/falco, PATH): build it with `node ' +
        'scripts/lib/falco.mjs --install`, or run with --stack direct',
    );
  if (options.build) {
    options.log('building bin/main.wasm …');
    buildWasm('src/index.ts', 'bin/main.wasm');
  }
  const origin = await startOrigin(options.pages);
  const falcoOutput: string[] = [];
  let scorer: Awaited<ReturnType<typeof startScorer>> | null = null;
  let simulator: { port: number; child: ChildProcess; tls: boolean } | null = null;
  try {
    scorer = await startScorer(workDir);
    if (falco)
      simulator = await startFalco(
        falco,
        benchVcl(Number(new URL(scorer.server.url).port), origin.port, options.threshold),
        workDir,
        falcoOutput,
      );
  } catch (error) {
    // Leave nothing running behind a failed start.
    await scorer?.server.stop();
    await origin.stop();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  // Both set once the try above has not thrown.
  const scorerServer = scorer!.server;
  const callerSecret = scorer!.callerSecret;
  const scorerPort = Number(new URL(scorerServer.url).port);
  const exclude = new RegExp(DEFAULT_EXCLUDE_URL_REGEX.replace(/^\(\?i\)/, ''), 'i');
  const fronts: Server[] = [];

  /** The facts the VCL adds to a preflight (recv snippet), for an HTTPS site reached without TLS fingerprinting. */
  const requestFactHeaders = (seen: SeenRequest): string[] => {
    const host =
      seen.rawHeaders.find((_, i, all) => i % 2 === 1 && all[i - 1]!.toLowerCase() === 'host') ??
      '';
    return [
      REQUEST_HEADERS.proto,
      `HTTP/${seen.httpVersion}`,
      REQUEST_HEADERS.ja4,
      '',
      REQUEST_HEADERS.host,
      host,
      REQUEST_HEADERS.tls,
      '1',
    ];
  };

  /** What the generated VCL does for one request, done in Node (mode 'direct'). */
  async function viaDirect(seen: SeenRequest, clientIp: string): Promise<Sent> {
    const clientHeaders = forwardedHeaders(
      seen.rawHeaders,
      (name) => HOP_BY_HOP.has(name) || name.startsWith(HEADER_PREFIX),
    );
    const path = new URL(seen.path, 'http://front').pathname;
    const extra: string[] = [];
    let setCookie: string | undefined;
    if (!exclude.test(path) && !path.startsWith('/.scorer/')) {
      const preflight = await send({
        port: scorerPort,
        method: 'GET',
        path: seen.path,
        headers: [
          ...forwardedHeaders(clientHeaders, (name) => name === REQUEST_HEADERS.clientIp),
          REQUEST_HEADERS.clientIp,
          clientIp,
          ...requestFactHeaders(seen),
          REQUEST_HEADERS.originalMethod,
          seen.method,
          REQUEST_HEADERS.auth,
          callerSecret,
        ],
      });
      const score = preflight.headers[RESPONSE_HEADERS.score];
      if (preflight.status === 200 && typeof score === 'string') {
        extra.push(
          'X-Scorer-Score',
          score,
          'X-Scorer-Reasons',
          String(preflight.headers[RESPONSE_HEADERS.reasons] ?? ''),
        );
        const cookie = preflight.headers[RESPONSE_HEADERS.setCookie];
        if (typeof cookie === 'string') setCookie = cookie;
      }
    }
    const answer = await send({
      port: origin.port,
      method: seen.method,
      path: seen.path,
      headers: [...clientHeaders, ...extra],
    });
    if (setCookie) answer.rawHeaders.push('Set-Cookie', setCookie);
    return answer;
  }

  async function viaFalco(seen: SeenRequest, clientIp: string): Promise<Sent> {
    const wrapped = await send({
      port: simulator!.port,
      method: seen.method,
      path: seen.path,
      headers: forwardedHeaders(seen.rawHeaders, (name) => HOP_BY_HOP.has(name)),
      localAddress: clientIp,
      tls: simulator!.tls,
    });
    const inner = parseRawResponse(wrapped.body);
    return {
      status: inner.status,
      statusText: inner.statusText,
      headers: {},
      rawHeaders: inner.headers.flat(),
      body: inner.body,
    };
  }

  return {
    mode: options.mode,
    tls: simulator?.tls ?? false,
    origin,
    async openFront(clientNumber) {
      if (clientNumber < 1 || clientNumber > 200)
        throw new Error(`openFront: clientNumber ${clientNumber} is outside 1..200`);
      const clientIp = `127.0.0.${10 + clientNumber}`;
      let seen: SeenRequest[] = [];
      const server = createServer((req, res) => {
        const request: SeenRequest = {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          httpVersion: req.httpVersion,
          rawHeaders: req.rawHeaders,
          receivedAtMs: performance.now(),
        };
        seen.push(request);
        req.resume();
        (simulator ? viaFalco(request, clientIp) : viaDirect(request, clientIp)).then(
          (answer) => {
            // Framing is the front's own: the body is complete, so send its length.
            const headers = forwardedHeaders(
              answer.rawHeaders,
              (name) =>
                HOP_BY_HOP.has(name) || name === 'transfer-encoding' || name === 'content-length',
            );
            res.writeHead(answer.status, answer.statusText || undefined, [
              ...headers,
              'Content-Length',
              String(answer.body.length),
            ]);
            res.end(answer.body);
          },
          (error: Error) => {
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end(`bench front: ${error.message}\n`);
            falcoOutput.push(`front error for ${request.path}: ${error.message}`);
          },
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      fronts.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('front: no TCP address');
      return {
        url: `http://127.0.0.1:${address.port}`,
        take() {
          const taken = seen;
          seen = [];
          return taken;
        },
      };
    },
    problems: () =>
      [...falcoOutput, ...scorerServer.output].filter((line) =>
        /panic|front error|fatal/i.test(line),
      ),
    async stop() {
      for (const server of fronts) server.closeAllConnections();
      await Promise.all(
        fronts.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
      if (simulator) simulator.child.kill('SIGKILL');
      await scorerServer.stop();
      await origin.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
