/**
 * npm run train -- --input <log> [--input <log> …] --out <model.json> [--labels <file>] [--alpha N] [--split F]
 *
 * Streams access logs (combined format, Fastly JSON lines, the scorer's audit log; .gz too),
 * sessionizes them, labels sessions (known crawler User-Agents, or --labels), estimates the Layer 2
 * model on human sessions with the scorer-core classifier, and writes a versioned model.
 * --split F trains on the first fraction F of the inputs' time window (evaluate --split F uses the rest).
 */
import { writeFileSync } from 'node:fs';
import { createClassifier, DEFAULT_CLASSIFIER } from '../scorer-core/src/index.js';
import { TransitionCounter } from './training/estimate.js';
import { readLabels, readSessions, splitTime } from './training/input.js';

const USAGE = 'usage: npm run train -- --input <log> [--input <log> …] --out <model.json> [--labels <file>] [--alpha N] [--split F]';
const args = process.argv.slice(2);
const inputs: string[] = [];
let out: string | undefined;
let labelsPath: string | undefined;
let alpha = 1;
let split: number | undefined;
for (let i = 0; i < args.length; i += 2) {
  const [name, value] = [args[i], args[i + 1]];
  if (value === undefined) fail(`${name} needs a value`);
  if (name === '--input') inputs.push(value!);
  else if (name === '--out') out = value;
  else if (name === '--labels') labelsPath = value;
  else if (name === '--alpha' && Number(value) > 0) alpha = Number(value);
  else if (name === '--split' && Number(value) > 0 && Number(value) < 1) split = Number(value);
  else fail(`unknown or invalid option ${name}`);
}
if (inputs.length === 0 || !out) fail('--input and --out are required');

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const started = Date.now();
const counter = new TransitionCounter({ classifier: createClassifier(DEFAULT_CLASSIFIER), alpha });
const counts = await readSessions({
  inputs,
  ...(labelsPath ? { labels: readLabels(labelsPath) } : {}),
  ...(split !== undefined ? { split: { timeMs: await splitTime(inputs, split), keep: 'before' as const } } : {}),
  onSession: (session, label) => label === 'human' && counter.add(session),
});
if (counter.sessions === 0) fail('no human session with a page view in the input: nothing to train on');

const { windowStartMs, windowEndMs, peakOpen, ...rest } = counts;
const model = counter.toModel({ createdAt: new Date().toISOString(), inputs, windowStartMs, windowEndMs, counts: { ...rest, ...(split !== undefined ? { split } : {}) } });
writeFileSync(out!, JSON.stringify(model, null, 1) + '\n');
const seconds = (Date.now() - started) / 1000;
console.log(
  `trained ${model.version}: ${counts.lines.toLocaleString('en')} lines (${counts.malformed} malformed), ${counts.sessions} sessions ` +
    `(${counts.botSessions} bot, ${counts.humanSessions} human), ${model.baseline.transitions} human transitions, ` +
    `baseline ${model.baseline.meanBits.toFixed(3)} ± ${model.baseline.stdBits.toFixed(3)} bits; ` +
    `${Math.round(counts.lines / seconds).toLocaleString('en')} lines/s, peak ${peakOpen} open sessions → ${out}`,
);
