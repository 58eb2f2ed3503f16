#!/usr/bin/env node
// npm start: builds bin/main.wasm and serves it on Viceroy at 127.0.0.1:7676 (or $PORT), with the
// stores of fastly.toml's [local_server] (dev-only example values). Installs Viceroy with cargo
// when it is missing, or says exactly what to do.
import { spawn } from 'node:child_process';
import { buildWasm, ensureViceroy, INSTALL_HELP } from '../lib/viceroy.mjs';

let viceroy;
try {
  viceroy = ensureViceroy();
} catch (error) {
  console.error(error instanceof Error ? error.message : INSTALL_HELP);
  process.exit(1);
}
const bytes = buildWasm('src/index.ts', 'bin/main.wasm');
console.log(`built bin/main.wasm (${(bytes / 2 ** 20).toFixed(2)} MiB); serving on Viceroy`);
const addr = `127.0.0.1:${process.env.PORT ?? 7676}`;
const child = spawn(viceroy, ['serve', '-C', 'fastly.toml', '--addr', addr, 'bin/main.wasm'], {
  stdio: 'inherit',
});
console.log(
  `http://${addr}/.scorer/health  (scoring requests need x-scorer-auth: the caller_secret in config/secret-store.example.json)`,
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
