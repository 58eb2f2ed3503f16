/**
 * npm run train -- --input <log> [--input <log> …] --out <model.json> [--labels <file>] [--alpha N] [--split F] [--created-at <ISO time>]
 *
 * Streams access logs (combined format, Fastly JSON lines, the scorer's audit log; .gz too),
 * sessionizes them, labels sessions (known crawler User-Agents, or --labels), estimates the Layer 2
 * model on human sessions with the scorer-core classifier, and writes a versioned model.
 * --split F trains on the first fraction F of each input's time window (evaluate --split F uses the rest).
 * --created-at fixes the creation time (and so the version's date): with it, the same inputs give
 * the same model byte for byte (scripts/default-model.ts rebuilds the shipped model that way).
 * Inputs are recorded by file name, SHA-256, size and line count, not by path, so the model does
 * not depend on where the logs were.
 */
import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createClassifier, DEFAULT_CLASSIFIER } from '../scorer-core/src/index.js';
import { TransitionCounter } from './training/estimate.js';
import { parseOptions } from './training/cli-options.js';
import { readLabels, readSessions, splitTimes } from './training/input.js';

const USAGE = 'usage: npm run train -- --input <log> [--input <log> …] --out <model.json> [--labels <file>] [--alpha N] [--split F] [--created-at <ISO time>]';
const options = parseOptions(process.argv.slice(2), { values: ['--input', '--out', '--labels', '--alpha', '--split', '--created-at'], repeatable: ['--input'] }, USAGE);
const fail: (message: string) => never = options.fail;
const inputs = options.all('--input');
const out = options.value('--out');
const labelsPath = options.value('--labels');
const alpha = Number(options.value('--alpha') ?? 1);
if (!(alpha > 0)) fail('--alpha: expected a number above 0');
const split = options.fraction('--split');
const createdAtText = options.value('--created-at');
if (createdAtText !== undefined && !(/^\d{4}-\d{2}-\d{2}T/.test(createdAtText) && Number.isFinite(Date.parse(createdAtText)))) fail('--created-at: expected an ISO 8601 time');
const createdAt = new Date(createdAtText ?? Date.now()).toISOString();
if (inputs.length === 0 || !out) fail('--input and --out are required');

const started = Date.now();
const counter = new TransitionCounter({ classifier: createClassifier(DEFAULT_CLASSIFIER), alpha });
const counts = await readSessions({
  inputs,
  ...(labelsPath ? { labels: readLabels(labelsPath) } : {}),
  ...(split !== undefined ? { split: { timesMs: await splitTimes(inputs, split), keep: 'before' as const } } : {}),
  onSession: (session, label) => label === 'human' && counter.add(session),
});
if (counter.sessions === 0) fail('no human session with a page view in the input: nothing to train on');

const sha256 = async (path: string) => {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};
const { windowStartMs, windowEndMs, peakOpen, perInput, ...rest } = counts;
const inputRecords = [];
for (const [i, path] of inputs.entries()) {
  const w = perInput[i]!;
  inputRecords.push({
    file: basename(path),
    sha256: await sha256(path),
    lines: w.lines,
    // The part of this file that was trained on (after the split).
    records: w.records,
    window: w.records > 0 ? { start: new Date(w.windowStartMs).toISOString(), end: new Date(w.windowEndMs).toISOString() } : null,
  });
}
const model = counter.toModel({ createdAt, inputs: inputRecords, windowStartMs, windowEndMs, counts: { ...rest, ...(split !== undefined ? { split } : {}) } });
writeFileSync(out!, JSON.stringify(model, null, 1) + '\n');
const seconds = (Date.now() - started) / 1000;
console.log(
  `trained ${model.version}: ${counts.lines.toLocaleString('en')} lines (${counts.malformed} malformed), ${counts.sessions} sessions ` +
    `(${counts.botSessions} bot, ${counts.humanSessions} human), ${model.baseline.transitions} human transitions, ` +
    `baseline ${model.baseline.meanBits.toFixed(3)} ± ${model.baseline.stdBits.toFixed(3)} bits; ` +
    `${Math.round(counts.lines / seconds).toLocaleString('en')} lines/s, peak ${peakOpen} open sessions → ${out}`,
);
