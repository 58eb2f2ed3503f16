/**
 * npm run bench:train [-- --lines N] [-- --data <dir>] [-- --json]
 *
 * Training throughput on a large input: the shared logs (--data, else $SCORER_SHARED_DATA, else
 * ../shared/data) repeated, with times shifted so sessions do not merge, until at least N lines
 * (default 1,000,000); then the same pipeline as `npm run train`. Prints lines/s and memory: the
 * peak of the live heap (sampled after a forced garbage collection every second, so it measures
 * what is retained, not garbage not yet collected) and the peak RSS. Flat memory = live heap
 * independent of the input size.
 */
import { createWriteStream, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClassifier, DEFAULT_CLASSIFIER } from '@session-scorer/core';
import { parseCommandLine } from '../lib/command-line.js';
import { TransitionCounter } from '../training/estimate.js';
import { readSessions } from '../training/input.js';

const cli = parseCommandLine(process.argv.slice(2), {
  usage: 'usage: npm run bench:train -- [--lines N] [--data <dir>] [--json]',
  help: `
Training throughput on a large input: the shared logs (every *.log in the data directory) repeated,
times shifted so sessions do not merge, to at least N lines, read through the pipeline of
\`npm run train\`. Prints lines/s beside its target (reported, not asserted), the peak live heap
and the peak RSS.
  --lines N              lines to read at least (default 1,000,000)
  --data <dir>           the shared logs (default: $SCORER_SHARED_DATA, else ../shared/data)
  --json                 print one JSON object instead of the line`,
  options: { lines: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } },
});
const json = cli.flag('json');
const target = cli.number('--lines', cli.string('lines'), 1_000_000, {
  min: 1,
  max: 1e9,
  integer: true,
});
const dataDir = resolve(cli.string('data') ?? process.env.SCORER_SHARED_DATA ?? '../shared/data');
cli.requireDir('--data', dataDir);
const logFiles = readdirSync(dataDir).filter((f) => f.endsWith('.log'));
if (logFiles.length === 0) cli.error(`--data ${dataDir}: no *.log files`);
for (const file of logFiles) cli.requireFile('--data', join(dataDir, file));
const sources = logFiles.map((f) =>
  readFileSync(join(dataDir, f), 'utf8').split('\n').filter(Boolean),
);
const dir = mkdtempSync(join(tmpdir(), 'scorer-bench-train-'));
const input = join(dir, 'big.log');
const out = createWriteStream(input);
let written = 0;
for (let round = 0; written < target; round++) {
  for (const lines of sources) {
    // Each round moves the logs a year on, so repeated sessions stay separate.
    const chunk =
      lines
        .map((line) => line.replace(/\/(\d{4}):/, (_, y: string) => `/${Number(y) + round + 1}:`))
        .join('\n') + '\n';
    written += lines.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
}
await new Promise<void>((r) => out.end(r));
sources.length = 0;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
gc();
const baselineHeap = process.memoryUsage().heapUsed;

let peakRss = 0;
let peakHeap = 0;
const sample = setInterval(() => {
  gc();
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 1000);
const started = performance.now();
const counter = new TransitionCounter({ classifier: createClassifier(DEFAULT_CLASSIFIER) });
const counts = await readSessions({
  inputs: [input],
  onSession: (session, label) => label === 'human' && counter.add(session),
});
const seconds = (performance.now() - started) / 1000;
clearInterval(sample);
const result = {
  lines: counts.lines,
  lines_per_s: Math.round(counts.lines / seconds),
  seconds: +seconds.toFixed(2),
  sessions: counts.sessions,
  peak_open_sessions: counts.peakOpen,
  peak_rss_mb: +(peakRss / 2 ** 20).toFixed(1),
  peak_live_heap_mb: +(peakHeap / 2 ** 20).toFixed(1),
  heap_before_mb: +(baselineHeap / 2 ** 20).toFixed(1),
};
if (json) console.log(JSON.stringify(result));
else
  console.log(
    `bench:train ${result.lines.toLocaleString('en')} lines in ${result.seconds} s: ` +
      `${result.lines_per_s.toLocaleString('en')} lines/s (target ≥ 200,000), ` +
      `peak live heap ${result.peak_live_heap_mb} MB (${result.heap_before_mb} MB before), ` +
      `peak RSS ${result.peak_rss_mb} MB, peak ${result.peak_open_sessions} open sessions`,
  );
