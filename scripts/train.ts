/**
 * npm run train -- --input <log> [--input <log> …] --out <model.json> [--labels <file>] [--alpha N]
 *
 * Streams access logs (combined format, Fastly JSON lines, the scorer's audit log; .gz too),
 * sessionizes them, labels sessions (known crawler User-Agents, or --labels), estimates the Layer 2
 * model on human sessions with the scorer-core classifier, and writes a versioned model.
 * --labels: lines "<session key>\t<bot|human>", where the key is "<ip>\t<user agent>" or "sid:<hash>".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createClassifier, DEFAULT_CLASSIFIER } from '../scorer-core/src/index.js';
import { TransitionCounter } from './training/estimate.js';
import { labelByUserAgent, type Label } from './training/labels.js';
import { parseLogLine } from './training/logparse.js';
import { fileSize, readLines } from './training/read-lines.js';
import { Sessionizer, type LogSession } from './training/sessionize.js';

const USAGE = 'usage: npm run train -- --input <log> [--input <log> …] --out <model.json> [--labels <file>] [--alpha N]';
const args = process.argv.slice(2);
const inputs: string[] = [];
let out: string | undefined;
let labelsPath: string | undefined;
let alpha = 1;
for (let i = 0; i < args.length; i += 2) {
  const [name, value] = [args[i], args[i + 1]];
  if (value === undefined) fail(`${name} needs a value`);
  if (name === '--input') inputs.push(value!);
  else if (name === '--out') out = value;
  else if (name === '--labels') labelsPath = value;
  else if (name === '--alpha' && Number.isFinite(Number(value)) && Number(value) > 0) alpha = Number(value);
  else fail(`unknown or invalid option ${name}`);
}
if (inputs.length === 0 || !out) fail('--input and --out are required');

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const labels = new Map<string, Label>();
if (labelsPath) {
  for (const [lineNo, line] of readFileSync(labelsPath, 'utf8').split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf('\t');
    const label = line.slice(cut + 1).trim();
    if (cut < 0 || (label !== 'bot' && label !== 'human')) fail(`${labelsPath}:${lineNo + 1}: expected "<session key>\\t<bot|human>"`);
    labels.set(line.slice(0, cut).startsWith('sid:') ? line.slice(0, cut) : `ip:${line.slice(0, cut).replace('\t', '\n')}`, label as Label);
  }
}

const classifier = createClassifier(DEFAULT_CLASSIFIER);
const counter = new TransitionCounter({ classifier, alpha });
const counts = { lines: 0, malformed: 0, sessions: 0, botSessions: 0, humanSessions: 0, requestsBeyondCap: 0 };
let windowStartMs = Infinity;
let windowEndMs = -Infinity;
const onSession = (session: LogSession) => {
  counts.sessions++;
  counts.requestsBeyondCap += session.dropped;
  const label = labels.get(session.key) ?? labelByUserAgent(session.userAgent);
  if (label === 'bot') counts.botSessions++;
  else {
    counts.humanSessions++;
    counter.add(session);
  }
};
const sessionizer = new Sessionizer(onSession);

const tty = process.stderr.isTTY;
const totalBytes = inputs.reduce((sum, path) => sum + fileSize(path), 0);
let readBytes = 0;
let lastDraw = 0;
const draw = (force = false) => {
  if (!tty) return;
  const now = Date.now();
  if (!force && now - lastDraw < 100) return;
  lastDraw = now;
  const fraction = totalBytes > 0 ? Math.min(1, readBytes / totalBytes) : 1;
  const width = 30;
  process.stderr.write(`\r[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${counts.lines.toLocaleString('en')} lines, ${counts.sessions.toLocaleString('en')} sessions`);
};

const started = Date.now();
for (const input of inputs) {
  for await (const line of readLines(input, (bytes) => (readBytes += bytes))) {
    counts.lines++;
    const record = parseLogLine(line);
    if (record === null) {
      if (line.trim() !== '') counts.malformed++;
      continue;
    }
    windowStartMs = Math.min(windowStartMs, record.timeMs);
    windowEndMs = Math.max(windowEndMs, record.timeMs);
    sessionizer.add(record);
    if ((counts.lines & 1023) === 0) draw();
  }
  // Inputs are separate logs: do not join sessions across files.
  sessionizer.flush();
}
draw(true);
if (tty) process.stderr.write('\n');
if (counter.sessions === 0) fail('no human session with a page view in the input: nothing to train on');

const model = counter.toModel({ createdAt: new Date().toISOString(), inputs, windowStartMs, windowEndMs, counts: { ...counts } });
writeFileSync(out!, JSON.stringify(model, null, 1) + '\n');
const seconds = (Date.now() - started) / 1000;
console.log(
  `trained ${model.version}: ${counts.lines.toLocaleString('en')} lines (${counts.malformed} malformed), ${counts.sessions} sessions ` +
    `(${counts.botSessions} bot, ${counts.humanSessions} human), ${model.baseline.transitions} human transitions, ` +
    `baseline ${model.baseline.meanBits.toFixed(3)} ± ${model.baseline.stdBits.toFixed(3)} bits; ` +
    `${Math.round(counts.lines / seconds).toLocaleString('en')} lines/s, peak ${sessionizer.peakOpen} open sessions → ${out}`,
);
