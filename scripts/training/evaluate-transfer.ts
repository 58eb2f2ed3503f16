/**
 * npm run evaluate:transfer -- --input <log> --input <log> [--input <log> …] [options]   (--help for all)
 *
 * Cross-site transfer: for each input, train a model on all the other inputs (by running
 * `npm run train`'s script with its defaults, as an operator would) and evaluate it on that input
 * (the same evaluation as `npm run evaluate`). Prints one row per held-out input. Slow on big logs:
 * one training run per input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { resolveSettings } from '@session-scorer/core';
import { parseCommandLine } from '../lib/command-line.js';
import { evaluateLogs, readModel, type EvaluationResult } from './evaluation.js';
import { readLabels } from './input.js';
import { DEFAULT_LABELLER, LABELLERS, type LabellerName } from './labels.js';

const USAGE =
  'usage: npm run evaluate:transfer -- --input <log> --input <log> [--input <log> …] [--json] ' +
  '[--labeller v1|v2] [--labels <file>] [--settings <json>] [--resamples N] [--keep <dir>]';
const HELP = `
  --input <log>        an access log, one per site (at least two); each is held out in turn
  --json               print one JSON object (one row per held-out input) instead of the table
  --labeller v1|v2     labels for the evaluation (default ${DEFAULT_LABELLER}); training uses train's own default
  --labels <file>      per-session labels, passed to both train and the evaluation
  --settings <json>    scorer settings overrides for the evaluation (e.g. '{"combine":{"layer2Weight":1}}':
                       under the default settings Layer 2 is weighted 0 and the model cannot change a score)
  --resamples N        bootstrap resamples for the 95 % intervals (default 1000)
  --keep <dir>         keep the trained models in this directory (default: a temporary one, removed)`;

const cli = parseCommandLine(process.argv.slice(2), {
  options: {
    input: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    labeller: { type: 'string' },
    labels: { type: 'string' },
    settings: { type: 'string' },
    resamples: { type: 'string' },
    keep: { type: 'string' },
  },
  usage: USAGE,
  help: HELP,
  exitCodes: {
    1: 'an input missing or unreadable, or training or evaluation failed for a held-out log (its row names the error)',
  },
});
const inputs = cli.strings('input');
if (inputs.length < 2)
  cli.fail('--input: give at least two logs (each is held out in turn and the others train)');
for (const input of inputs) cli.requireFile('--input', input);
if (new Set(inputs.map((i) => resolve(i))).size !== inputs.length)
  cli.fail('--input: the same log given twice');
const labelsPath = cli.string('labels');
if (labelsPath) cli.requireFile('--labels', labelsPath);
const labeller = (cli.string('labeller') ?? DEFAULT_LABELLER) as LabellerName;
if (!(labeller in LABELLERS))
  cli.fail(
    `--labeller: expected ${Object.keys(LABELLERS).join(' or ')}, got ${JSON.stringify(cli.string('labeller'))}`,
  );
const resamples = cli.number('--resamples', cli.string('resamples'), 1000, {
  min: 0,
  max: 100_000,
  integer: true,
});
let settings: unknown = {};
const settingsText = cli.string('settings');
if (settingsText !== undefined) {
  try {
    settings = JSON.parse(settingsText);
    resolveSettings(settings);
  } catch (error) {
    cli.fail(`--settings: ${(error as Error).message}`);
  }
}
let labels;
try {
  labels = labelsPath ? readLabels(labelsPath) : undefined;
} catch (error) {
  cli.error(`--labels ${labelsPath}: ${(error as Error).message}`);
}

// run-ts.mjs sets argv[1] to this script's own path: the repository is its parent's parent.
const root = resolve(dirname(process.argv[1]!), '..', '..');
const keep = cli.string('keep');
const modelDir = keep ?? mkdtempSync(join(tmpdir(), 'scorer-transfer-'));

interface Row {
  held_out: string;
  trained_on: string[];
  model: string | null;
  error?: string;
  result?: EvaluationResult;
}
const rows: Row[] = [];
for (const [i, heldOut] of inputs.entries()) {
  const training = inputs.filter((_, j) => j !== i);
  const modelPath = join(
    modelDir,
    `model-without-${basename(heldOut).replace(/[^A-Za-z0-9._-]/g, '_')}.json`,
  );
  const args = [
    'scripts/lib/run-ts.mjs',
    'scripts/training/train.ts',
    ...training.flatMap((t) => ['--input', resolve(t)]),
    '--out',
    modelPath,
    ...(labelsPath ? ['--labels', resolve(labelsPath)] : []),
  ];
  if (!cli.flag('json')) process.stderr.write(`training without ${basename(heldOut)}…\n`);
  const train = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const row: Row = {
    held_out: basename(heldOut),
    trained_on: training.map((t) => basename(t)),
    model: null,
  };
  if (train.status !== 0) {
    row.error = `train failed (exit ${train.status}): ${(train.stderr || train.stdout).trim().split('\n')[0]}`;
    rows.push(row);
    continue;
  }
  const { model, document } = readModel(modelPath);
  row.model = model.version;
  const run = await evaluateLogs({
    inputs: [heldOut],
    model,
    modelDocument: document,
    settings,
    ...(labels ? { labels } : {}),
    labeller,
    resamples,
  });
  row.result = run.result;
  rows.push(row);
}
if (!keep) rmSync(modelDir, { recursive: true, force: true });

if (cli.flag('json')) {
  console.log(JSON.stringify({ labeller, settings, resamples, rows }));
} else {
  const ci = (i: { low: number; high: number } | null) =>
    i ? ` [${i.low.toFixed(3)}, ${i.high.toFixed(3)}]` : '';
  const n = (x: number | null) => (x === null ? '—' : x.toFixed(3));
  console.log(
    `cross-site transfer: train on the others, evaluate on one (labeller ${labeller}, ` +
      `settings ${JSON.stringify(settings)}, ${resamples} bootstrap resamples)`,
  );
  console.log(
    '| held out | trained on | sessions (bots) | ROC-AUC | TPR@1%FPR | human FPR@80 | bots ' +
      'drop: ROC-AUC | bots drop: TPR@1%FPR | every session scored the same (cookie returned) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const r = row.result;
    if (!r) {
      console.log(`| ${row.held_out} | ${row.trained_on.join(', ')} | ${row.error} | | | | | | |`);
      continue;
    }
    const d = r.with_cookie_dropping;
    console.log(
      `| ${row.held_out} | ${row.trained_on.join(', ')} | ${r.sessions} (${r.bot_sessions}) ` +
        `| ${n(r.roc_auc)}${ci(r.roc_auc_ci95)} ` +
        `| ${n(r.tpr_at_fpr_1pct)}${ci(r.tpr_at_fpr_1pct_ci95)} ` +
        `| ${n(r.human_fpr_at_threshold)} | ${n(d.roc_auc)}${ci(d.roc_auc_ci95)} ` +
        `| ${n(d.tpr_at_fpr_1pct)}${ci(d.tpr_at_fpr_1pct_ci95)} | ${r.all_sessions_scored_equal ? 'yes' : 'no'} |`,
    );
  }
  if (keep) console.log(`models kept in ${keep}`);
}
if (rows.some((r) => r.error)) process.exitCode = 1;
