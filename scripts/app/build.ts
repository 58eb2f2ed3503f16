// npm run build: compiles the Compute app (src/index.ts) to bin/main.wasm with js-compute-runtime
// and prints its size. Module initialisation runs here, inside the Wizer snapshot.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCommandLine } from '../lib/command-line.js';
import { buildFailureMessage, buildWasm, ROOT } from '../lib/viceroy.mjs';

const cli = parseCommandLine(process.argv.slice(2), {
  usage: 'usage: npm run build -- [--aot] [<entry.ts> [<output.wasm>]]',
  help: `
Compiles a Compute entry (default src/index.ts) to a wasm (default bin/main.wasm) with
js-compute-runtime and prints its size; paths are relative to the repository.
  --aot                  js-compute's ahead-of-time mode (needs a local weval; also SCORER_AOT=1)`,
  options: { aot: { type: 'boolean' } },
  maxPositionals: 2,
  exitCodes: { 1: 'the entry is missing or unreadable, or the build failed' },
});
const aot = cli.flag('aot') || process.env.SCORER_AOT === '1';
const [entry = 'src/index.ts', output = 'bin/main.wasm'] = cli.positionals;
cli.requireFile('entry', resolve(ROOT, entry));
mkdirSync(dirname(resolve(ROOT, output)), { recursive: true });
const started = Date.now();
let bytes: number;
try {
  bytes = buildWasm(entry, output, { aot });
} catch (error) {
  cli.error(buildFailureMessage(error));
}
console.log(
  `built ${output} from ${entry}${aot ? ' (AOT)' : ''}: ${(bytes! / 2 ** 20).toFixed(2)} MiB ` +
    `(${bytes!} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
