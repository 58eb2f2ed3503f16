// npm start: builds bin/main.wasm and serves it on Viceroy at 127.0.0.1:7676 (or $PORT), with the
// stores of fastly.toml's [local_server] (dev-only example values). Installs Viceroy with cargo
// when it is missing, or says exactly what to do.
import { spawn } from 'node:child_process';
import { parseCommandLine } from '../lib/command-line.js';
import { buildFailureMessage, buildWasm, ensureViceroy, INSTALL_HELP } from '../lib/viceroy.mjs';

const cli = parseCommandLine(process.argv.slice(2), {
  usage: 'usage: npm start',
  help: `
Builds bin/main.wasm (as npm run build) and serves it on Viceroy at 127.0.0.1:$PORT (default 7676)
with the stores of fastly.toml's [local_server] (dev-only example values). Installs Viceroy with
cargo when it is missing and cargo is available, else prints how to. No options besides --help.`,
  options: {},
  exitCodes: {
    1: 'Viceroy is missing and cannot be installed, or the build failed',
    0: "done (or Viceroy's own exit code once it is serving)",
  },
});
const port = process.env.PORT ?? '7676';
if (!/^\d{1,5}$/.test(port) || Number(port) > 65535)
  cli.fail(`PORT: expected a port number, got ${JSON.stringify(port)}`);

let viceroy: string;
try {
  viceroy = ensureViceroy();
} catch (error) {
  console.error(error instanceof Error ? error.message : INSTALL_HELP);
  process.exit(1);
}
let bytes: number;
try {
  bytes = buildWasm('src/index.ts', 'bin/main.wasm');
} catch (error) {
  cli.error(buildFailureMessage(error));
}
console.log(`built bin/main.wasm (${(bytes! / 2 ** 20).toFixed(2)} MiB); serving on Viceroy`);
const addr = `127.0.0.1:${port}`;
const child = spawn(viceroy!, ['serve', '-C', 'fastly.toml', '--addr', addr, 'bin/main.wasm'], {
  stdio: 'inherit',
});
console.log(
  `http://${addr}/.scorer/health  (scoring requests need x-scorer-auth: the caller_secret in ` +
    `config/secret-store.example.json)`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
