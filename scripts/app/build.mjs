#!/usr/bin/env node
// npm run build: compiles the Compute app (src/index.ts) to bin/main.wasm with js-compute-runtime
// and prints its size. Module initialisation runs here, inside the Wizer snapshot.
import { mkdirSync } from 'node:fs';
import { buildWasm, ROOT } from '../lib/viceroy.mjs';

// `--aot` (or SCORER_AOT=1) builds with js-compute's ahead-of-time mode (needs a local weval).
const args = process.argv.slice(2);
const aot = args.includes('--aot') || process.env.SCORER_AOT === '1';
const [entry = 'src/index.ts', output = 'bin/main.wasm'] = args.filter((a) => a !== '--aot');
mkdirSync(`${ROOT}/bin`, { recursive: true });
const started = Date.now();
const bytes = buildWasm(entry, output, { aot });
console.log(
  `built ${output} from ${entry}${aot ? ' (AOT)' : ''}: ${(bytes / 2 ** 20).toFixed(2)} MiB (${bytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
