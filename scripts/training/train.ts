/**
 * npm run train -- --input <log> [--input <log> …] --out <model.json> [--labels <file>] [--labeller v1|v2] [--alpha N] [--split F]
 *                  [--created-at <ISO time>] [--combiner logistic|trees|auto|none] [--drop-family request|session|client …]
 *
 * Streams access logs (combined format, Fastly JSON lines, the scorer's audit log; .gz too),
 * sessionizes them, labels sessions (known crawler User-Agents, or --labels), then:
 * 1. estimates the Layer 2 Markov model on human sessions with the scorer-core classifier;
 * 2. replays the training part through scorer-core's decide() in time order, with declared bots
 *    dropping cookies as they do in reality (replay.ts, 'bots-drop'), collecting each scored
 *    request's feature vector;
 * 3. fits the learned combiner (learn/fit-combiner.ts): logistic regression and boosted trees
 *    compared on the last 20 % of the training part (TPR at 1 % FPR), the winner (or the one
 *    --combiner names) refitted on the whole part, its score map calibrated on human sessions;
 * and writes a versioned model. --split F trains on the first fraction F of each input's time
 * window (evaluate --split F uses the rest). --created-at fixes the creation time (and so the
 * version's date): the same inputs then give the same model byte for byte. --drop-family leaves a
 * feature family out of the combiner (the ablation in docs/model.md). Inputs are recorded by file
 * name, SHA-256, size and line count, not by path. The User-Agent is a label only, never a feature.
 */
import { writeFileSync } from 'node:fs';
import { FEATURE_NAMES, featureFamily, type FeatureFamily } from '@session-scorer/core';
import { parseCommandLine } from '../lib/command-line.js';
import { readLabels } from './input.js';
import type { LearnerKind } from './learn/fit-combiner.js';
import { trainModel } from './learn/train-model.js';

const USAGE =
  'usage: npm run train -- --input <log> [--input <log> …] --out <model.json> [--labels <file>] [--labeller v1|v2] [--alpha N] [--split F] [--created-at <ISO time>] [--combiner logistic|trees|auto|none] [--drop-family request|session|client …]';
const HELP = `
Trains the Layer 2 model and the learned combiner from access logs (docs/model.md, "Train").
  --input <log>          a log file (repeatable; combined format, Fastly JSON, the audit log; .gz too)
  --out <model.json>     where to write the model
  --labels <file>        per-session labels overriding the labeller
  --labeller v1|v2       User-Agent labeller (default v2)
  --alpha N              additive smoothing of the Markov model (default 1)
  --split F              train on the first fraction F of each input's time window
  --created-at <time>    fixes the creation time and version (byte-for-byte reproducible)
  --combiner K           logistic, trees, auto (default: chosen on validation) or none
  --drop-family F        leave a feature family out (repeatable; the ablation)`;
const cli = parseCommandLine(process.argv.slice(2), {
  options: {
    input: { type: 'string', multiple: true },
    out: { type: 'string' },
    labels: { type: 'string' },
    labeller: { type: 'string' },
    alpha: { type: 'string' },
    split: { type: 'string' },
    'created-at': { type: 'string' },
    combiner: { type: 'string' },
    'drop-family': { type: 'string', multiple: true },
  },
  usage: USAGE,
  help: HELP,
  exitCodes: { 1: 'training failed, or an input is missing or unreadable' },
});
const fail: (message: string) => never = cli.fail;
const parsed = {
  input: cli.strings('input'),
  out: cli.string('out'),
  labels: cli.string('labels'),
  labeller: cli.string('labeller'),
  alpha: cli.string('alpha'),
  split: cli.string('split'),
  'created-at': cli.string('created-at'),
  combiner: cli.string('combiner'),
  'drop-family': cli.strings('drop-family'),
};
const inputs = parsed.input ?? [];
const out = parsed.out;
const labelsPath = parsed.labels;
const labeller = parsed.labeller ?? 'v2';
if (labeller !== 'v1' && labeller !== 'v2')
  fail(`--labeller: expected v1 or v2, got ${JSON.stringify(labeller)}`);
const alpha = Number(parsed.alpha ?? 1);
if (!(alpha > 0)) fail('--alpha: expected a number above 0');
let split: number | undefined;
if (parsed.split !== undefined) {
  split = Number(parsed.split);
  if (!(split > 0 && split < 1))
    fail(`--split: expected a fraction between 0 and 1, got ${JSON.stringify(parsed.split)}`);
}
const createdAtText = parsed['created-at'];
if (
  createdAtText !== undefined &&
  !(/^\d{4}-\d{2}-\d{2}T/.test(createdAtText) && Number.isFinite(Date.parse(createdAtText)))
)
  fail('--created-at: expected an ISO 8601 time');
const createdAt = new Date(createdAtText ?? Date.now()).toISOString();
const combinerKind = parsed.combiner ?? 'auto';
if (!['logistic', 'trees', 'auto', 'none'].includes(combinerKind))
  fail(`--combiner: expected logistic, trees, auto or none, got ${JSON.stringify(combinerKind)}`);
const FAMILIES: readonly FeatureFamily[] = ['request', 'session', 'client'];
const dropped = parsed['drop-family'] ?? [];
for (const family of dropped)
  if (!FAMILIES.includes(family as FeatureFamily))
    fail(`--drop-family: expected one of ${FAMILIES.join(', ')}, got ${JSON.stringify(family)}`);
const features = FEATURE_NAMES.filter((name) => !dropped.includes(featureFamily(name)));
if (features.length === 0) fail('--drop-family: no feature left');
if (inputs.length === 0 || !out) fail('--input and --out are required');
for (const input of inputs) cli.requireFile('--input', input);
if (labelsPath) cli.requireFile('--labels', labelsPath);
cli.requireOutput('--out', out!);

const started = Date.now();
let result;
try {
  result = await trainModel({
    inputs,
    ...(labelsPath ? { labels: readLabels(labelsPath) } : {}),
    labeller,
    alpha,
    ...(split !== undefined ? { split } : {}),
    createdAt,
    combiner: combinerKind as LearnerKind | 'auto' | 'none',
    features,
    droppedFamilies: dropped,
  });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const { model, counts, fit } = result;
let combinerSummary = 'no combiner';
if (fit) {
  const v = fit.validation;
  const show = (k: LearnerKind) =>
    v[k] ? `${k} ROC-AUC ${v[k]!.roc_auc} TPR@1%FPR ${v[k]!.tpr_at_fpr_1pct}` : `${k} not fitted`;
  combinerSummary = `combiner ${v.chosen} over ${features.length} features (${result.rows} rows); validation ${v.sessions} sessions (${v.bot_sessions} bots): ${show('logistic')}; ${show('trees')}; human sessions at ≥20/50/80: ${Object.values(fit.calibration.flagged_at).join('/')}`;
}
writeFileSync(out!, JSON.stringify(model, null, 1) + '\n');
const seconds = (Date.now() - started) / 1000;
console.log(
  `trained ${model.version}: ${counts.lines.toLocaleString('en')} lines (${counts.malformed} malformed), ${counts.sessions} sessions ` +
    `(${counts.botSessions} bot, ${counts.humanSessions} human), ${model.baseline.transitions} human transitions, ` +
    `baseline ${model.baseline.meanBits.toFixed(3)} ± ${model.baseline.stdBits.toFixed(3)} bits; ${combinerSummary}; ` +
    `${Math.round(counts.lines / seconds).toLocaleString('en')} lines/s, peak ${counts.peakOpen} open sessions → ${out}`,
);
