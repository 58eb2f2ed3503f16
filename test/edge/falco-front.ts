/**
 * falco simulate --proxy in front of the scorer wasm (Viceroy) and a local origin, behind a small
 * front server that turns falco's answer into an ordinary HTTP response, so a real browser can
 * browse the edge. (falco --proxy answers with the edge's raw HTTP response as its body.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/viceroy.mjs';
import { parseRawResponse, type RawResponse } from '../../scripts/lib/falco-proxy-response.js';
import { generateSnippets } from '../../scripts/vcl/generate.js';
import { assembleMainVcl } from '../../scripts/vcl/harness.js';

export interface Edge {
  /** The front server: browse here. */
  url: string;
  /** falco's output lines (the VCL's log lines among them). */
  output: string[];
  stop(): Promise<void>;
}

/** `settings`: items of the scorer_settings dictionary over the harness's (mode monitor, threshold 80). */
export async function startEdge(
  falco: string,
  scorerUrl: string,
  originPort: number,
  settings: Record<string, string> = {},
): Promise<Edge> {
  const dir = mkdtempSync(join(tmpdir(), 'scorer-edge-front-'));
  const vcl = assembleMainVcl(generateSnippets(), {
    scorer: ['127.0.0.1', Number(new URL(scorerUrl).port)],
    origin: ['127.0.0.1', originPort],
    settings,
  });
  writeFileSync(join(dir, 'main.vcl'), vcl);
  const falcoPort: number = await freePort();
  writeFileSync(join(dir, '.falco.yml'), `simulator:\n  port: ${falcoPort}\n`);
  const simulator: ChildProcess = spawn(falco, ['simulate', '--proxy', 'main.vcl'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n'));
  simulator.stdout!.on('data', collect);
  simulator.stderr!.on('data', collect);
  for (let i = 0; ; i++) {
    try {
      // A static asset: never scored (Node's fetch says "node", a declared tool, which enforce
      // mode answers with a 429 that falco's simulator cannot deliver).
      await fetch(`http://127.0.0.1:${falcoPort}/ready.css`);
      break;
    } catch {
      if (i > 200) throw new Error('falco simulate did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const front: Server = createServer((req, res) => {
    // A new connection per request (falco closes kept-alive ones); the browser's headers as sent.
    const headers: IncomingHttpHeaders = { ...req.headers };
    delete headers.connection;
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: falcoPort,
        method: req.method,
        path: req.url,
        headers,
        agent: false,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const raw = Buffer.concat(chunks);
          let unwrapped: RawResponse;
          try {
            unwrapped = parseRawResponse(raw);
          } catch (error) {
            res
              .writeHead(502, { 'content-type': 'text/plain' })
              .end(
                `falco answered without a raw response ` +
                  `(${(error as Error).message}):\n${raw.toString('utf8').slice(0, 500)}`,
              );
            return;
          }
          const out = unwrapped.headers
            .map(([name, value]): [string, string] => [name.toLowerCase(), value])
            .filter(
              ([name]) =>
                !['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name),
            );
          res.writeHead(unwrapped.status, out.flat());
          res.end(unwrapped.body);
        });
      },
    );
    upstream.on('error', (error) =>
      res
        .writeHead(502, { 'content-type': 'text/plain' })
        .end(`falco connection: ${error.message}`),
    );
    req.pipe(upstream);
  });
  const frontPort: number = await freePort();
  await new Promise<void>((resolve) => front.listen(frontPort, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${frontPort}`,
    output,
    async stop() {
      simulator.kill('SIGKILL');
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
