#!/usr/bin/env node
// Runs a TypeScript script on plain Node 20: bundles it with esbuild (a chosen dependency) into
// .cache/run-ts/ and imports the result, passing the remaining arguments through.
// Usage: node scripts/lib/run-ts.mjs scripts/bench/scorer.ts [args…]
import { build } from 'esbuild';
import { mkdirSync, renameSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/lib/run-ts.mjs <script.ts> [args…]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const outDir = join(root, '.cache', 'run-ts');
mkdirSync(outDir, { recursive: true });
// Named after the entry's path under the root: entries in different folders share base names (main.ts).
const outfile = join(
  outDir,
  relative(root, resolve(entry)).replace(/\.ts$/, '').replace(/[\\/]/g, '__') + '.mjs',
);
// Built under a per-process name, then renamed into place (atomic): tests run the same script from
// parallel processes, and none may import a file another is still writing.
const partial = `${outfile}.${process.pid}.partial.mjs`;
await build({
  entryPoints: [resolve(entry)],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: partial,
  logLevel: 'warning',
  // Loaded from node_modules at run time: it locates its own files relative to itself.
  external: ['playwright-core'],
  // CommonJS dependencies bundled into ESM need a require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
renameSync(partial, outfile);
process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(outfile).href);
