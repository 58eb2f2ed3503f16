#!/usr/bin/env node
// npm run build: compiles the Compute app (src/index.ts) to bin/main.wasm with js-compute-runtime
// and prints its size. Module initialisation runs here, inside the Wizer snapshot.
import { mkdirSync } from 'node:fs';
import { buildWasm, ROOT } from './lib/viceroy.mjs';

const [entry = 'src/index.ts', output = 'bin/main.wasm'] = process.argv.slice(2);
mkdirSync(`${ROOT}/bin`, { recursive: true });
const started = Date.now();
const bytes = buildWasm(entry, output);
console.log(`built ${output} from ${entry}: ${(bytes / 2 ** 20).toFixed(2)} MiB (${bytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
