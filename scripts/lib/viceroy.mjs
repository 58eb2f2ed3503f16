// Finding, installing and running Viceroy (Fastly's local Compute runtime), and building wasm
// with js-compute-runtime. Used by `npm start`, `npm run build`, the edge tests and bench:edge.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The version `cargo install` fetches: supports every host call js-compute 3.46 makes (≥ 0.16.5 does). */
export const VICEROY_VERSION = '0.22.0';
const MIN_VERSION = [0, 16, 5];

function versionOf(bin) {
  const run = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (run.status !== 0) return null;
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(run.stdout);
  return match ? match.slice(1, 4).map(Number) : null;
}

const atLeast = (v, min) =>
  v[0] !== min[0] ? v[0] > min[0] : v[1] !== min[1] ? v[1] > min[1] : v[2] >= min[2];

/** Path of a usable viceroy binary, or null. Looks at $VICEROY_BIN, PATH, then ~/.cargo/bin. */
export function findViceroy() {
  const candidates = [
    process.env.VICEROY_BIN,
    'viceroy',
    join(homedir(), '.cargo', 'bin', 'viceroy'),
  ].filter(Boolean);
  for (const bin of candidates) {
    const version = versionOf(bin);
    if (version && atLeast(version, MIN_VERSION)) return bin;
  }
  return null;
}

export const INSTALL_HELP = `Viceroy (Fastly's local Compute runtime) is not installed.
Install it with Rust's cargo (the first build takes tens of minutes on 2 cores):
    cargo install --locked viceroy@${VICEROY_VERSION}
or point VICEROY_BIN at an existing viceroy binary (>= ${MIN_VERSION.join('.')}).`;

/** Returns a viceroy binary, installing it with cargo when missing and cargo is available. */
export function ensureViceroy({ install = true } = {}) {
  const found = findViceroy();
  if (found) return found;
  const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
  if (!install || cargo.status !== 0) throw new Error(INSTALL_HELP);
  console.error(
    `viceroy not found: installing viceroy ${VICEROY_VERSION} with cargo (slow the first time)…`,
  );
  execFileSync('cargo', ['install', '--locked', `viceroy@${VICEROY_VERSION}`], {
    stdio: 'inherit',
  });
  const installed = findViceroy();
  if (!installed)
    throw new Error(`cargo install finished but no viceroy was found.\n${INSTALL_HELP}`);
  return installed;
}

/** The weval binary for js-compute's ahead-of-time mode: $WEVAL_BIN or ~/.cargo/bin/weval, or null. */
export function findWeval() {
  for (const bin of [process.env.WEVAL_BIN, join(homedir(), '.cargo', 'bin', 'weval')].filter(
    Boolean,
  )) {
    if (existsSync(bin) && spawnSync(bin, ['--help'], { encoding: 'utf8' }).status === 0)
      return bin;
  }
  return null;
}

export const WEVAL_HELP = `AOT builds need weval, which js-compute would download from GitHub. Build it instead:
    cargo install --locked weval@0.3.4
or set WEVAL_BIN to a weval binary (0.3.4 is the version @fastly/js-compute 3.46 expects).`;

/**
 * Builds a Compute wasm with js-compute-runtime and returns its size in bytes. With `aot`, uses
 * --enable-aot with a local weval (never the download).
 */
export function buildWasm(entry, output, { aot = false } = {}) {
  const bin = join(ROOT, 'node_modules', '.bin', 'js-compute-runtime');
  const flags = [];
  if (aot) {
    const weval = findWeval();
    if (!weval) throw new Error(WEVAL_HELP);
    flags.push('--enable-aot', '--weval-bin', weval);
  }
  execFileSync(bin, [...flags, resolve(ROOT, entry), resolve(ROOT, output)], {
    cwd: ROOT,
    stdio: ['ignore', aot ? 'ignore' : 'inherit', 'inherit'],
  });
  return statSync(resolve(ROOT, output)).size;
}

/** One line for a buildWasm failure: js-compute-runtime has already printed its own errors. */
export function buildFailureMessage(error) {
  const status = error?.status;
  return typeof status === 'number'
    ? `build failed: js-compute-runtime exited with ${status}`
    : `build failed: ${error instanceof Error ? error.message : String(error)}`;
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts `viceroy serve` and resolves once it answers HTTP (compiling the 12 MB wasm takes ~10 s
 * of CPU; several instances on 2 cores take proportionally longer). `stop()` ends it. Output lines
 * (log endpoint lines included) are collected in `output`.
 */
export async function startViceroy({ bin, manifest, wasm, port, timeoutMs = 240_000 }) {
  const addr = `127.0.0.1:${port}`;
  const child = spawn(bin, ['serve', '-C', manifest, '--addr', addr, wasm], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const collect = (chunk) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`viceroy exited with ${child.exitCode}:\n${output.join('\n')}`);
    try {
      await fetch(`http://${addr}/.scorer/health`);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `viceroy did not answer on ${addr} within ${timeoutMs} ms:\n${output.join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: `http://${addr}`,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
