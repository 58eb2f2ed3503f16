/**
 * npm run evaluate -- --input <log> [--input <log> …] --model <model.json> [options]   (--help for all)
 *
 * Replays every session through scorer-core's decision code (the edge's) and reports session and
 * request figures for two cookie assumptions (docs/model.md, "Evaluate"): every client returns its
 * cookie (behaviour alone, the headline), and bots drop it (seen through the per-client
 * new-session count). The User-Agent is used only for the labels.
 */
import { writeFileSync } from 'node:fs';
import { DEFAULT_THRESHOLD, resolveSettings } from '@session-scorer/core';
import { parseCommandLine } from '../lib/command-line.js';
import { evaluateLogs, flaggedSessionLines, readModel } from './evaluation.js';
import { readLabels } from './input.js';
import { DEFAULT_LABELLER, LABELLERS, type LabellerName } from './labels.js';
import { reportFromEvaluation } from './report.js';
import type { Stratum } from './summary.js';

const USAGE =
  'usage: npm run evaluate -- --input <log> [--input <log> …] --model <model.json> [--json] [--report <file.html>] [--sessions <file.jsonl>] [--labeller v1|v2] [--labels <file>] [--split F] [--settings <json>] [--threshold N] [--resamples N] [--seed N] [--paths N]';
const HELP = `
  --input <log>          access log (combined, Fastly JSON, the scorer's audit log; .gz too); repeatable
  --model <model.json>   the Layer 2 model to score with (e.g. scorer-core/src/default-model.json)
  --json                 print one JSON object instead of the text summary
  --report <file.html>   write a self-contained HTML report
  --sessions <file>      write the sessions flagged at --threshold as JSON lines: client, User-Agent,
                         label, score and reasons under both cookie assumptions, the first --paths paths
  --labeller v1|v2       how sessions are labelled from the User-Agent (default ${DEFAULT_LABELLER}; v1 is the old list)
  --labels <file>        per-session labels overriding the labeller ("<ip>\\t<user agent>\\t<bot|human>" or "sid:<hash>\\t<bot|human>")
  --split F              evaluate the part of each input's time window after fraction F (train --split F used the rest)
  --settings <json>      scorer settings overrides (as the Config Store item "settings")
  --threshold N          enforcement threshold for human_fpr_at_threshold and --sessions (default ${DEFAULT_THRESHOLD})
  --resamples N          bootstrap resamples for the 95 % intervals (default 1000; 0 switches them off)
  --seed N               bootstrap seed (default 20261201)
  --paths N              paths kept per session for --sessions (default 10)`;

const cli = parseCommandLine(process.argv.slice(2), {
  options: {
    input: { type: 'string', multiple: true },
    model: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    sessions: { type: 'string' },
    labeller: { type: 'string' },
    labels: { type: 'string' },
    split: { type: 'string' },
    settings: { type: 'string' },
    threshold: { type: 'string' },
    resamples: { type: 'string' },
    seed: { type: 'string' },
    paths: { type: 'string' },
  },
  usage: USAGE,
  help: HELP,
});
const fail = cli.fail;
const modelPath = cli.string('model');
const reportPath = cli.string('report');
const sessionsPath = cli.string('sessions');
const labelsPath = cli.string('labels');
const settingsText = cli.string('settings');
const inputs = cli.strings('input');
if (inputs.length === 0) fail('--input is required');
if (!modelPath) fail('--model is required');
for (const input of inputs) cli.requireFile('--input', input);
cli.requireFile('--model', modelPath!);
if (labelsPath) cli.requireFile('--labels', labelsPath);
if (sessionsPath) cli.requireOutput('--sessions', sessionsPath);
if (reportPath) cli.requireOutput('--report', reportPath);
const labeller = (cli.string('labeller') ?? DEFAULT_LABELLER) as LabellerName;
if (!(labeller in LABELLERS))
  fail(
    `--labeller: expected ${Object.keys(LABELLERS).join(' or ')}, got ${JSON.stringify(cli.string('labeller'))}`,
  );
const split =
  cli.string('split') === undefined
    ? undefined
    : cli.number('--split', cli.string('split'), 0, { min: 0, max: 1, exclusive: true });
const threshold = cli.number('--threshold', cli.string('threshold'), DEFAULT_THRESHOLD, {
  min: 0,
  max: 100,
});
const resamples = cli.number('--resamples', cli.string('resamples'), 1000, {
  min: 0,
  max: 100_000,
  integer: true,
});
const seed = cli.number('--seed', cli.string('seed'), 20261201, {
  min: 0,
  max: 2 ** 32 - 1,
  integer: true,
});
const pathsPerSession = cli.number('--paths', cli.string('paths'), 10, {
  min: 0,
  max: 10_000,
  integer: true,
});
let settings: unknown = {};
if (settingsText !== undefined) {
  try {
    settings = JSON.parse(settingsText);
    resolveSettings(settings);
  } catch (error) {
    fail(`--settings: ${(error as Error).message}`);
  }
}
const loaded = cli.readInput('--model', modelPath!, readModel);
const labels = labelsPath ? cli.readInput('--labels', labelsPath, readLabels) : undefined;

const run = await evaluateLogs({
  inputs,
  model: loaded!.model,
  modelDocument: loaded!.document,
  settings,
  ...(labels ? { labels } : {}),
  labeller,
  ...(split !== undefined ? { split } : {}),
  threshold,
  resamples,
  seed,
  pathsPerSession,
});
const result = run.result;
for (const warning of result.warnings) console.error(`warning: ${warning}`);

if (sessionsPath) {
  const lines = flaggedSessionLines(run.sessions, inputs, threshold);
  writeFileSync(sessionsPath, lines.map((l) => l + '\n').join(''));
}
if (reportPath) {
  writeFileSync(
    reportPath,
    reportFromEvaluation(run, {
      inputs,
      modelPath: modelPath!,
      generatedAt: new Date().toISOString(),
    }),
  );
}

if (cli.flag('json')) console.log(JSON.stringify(result));
else {
  const ci = (i: { low: number; high: number } | null) => (i ? ` [${i.low}, ${i.high}]` : '');
  const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);
  const line = (name: string, m: typeof result | typeof result.with_cookie_dropping) =>
    `  ${name.padEnd(19)} ROC-AUC ${m.roc_auc}${ci(m.roc_auc_ci95)}  PR-AUC ${m.pr_auc}  TPR@1%FPR ${m.tpr_at_fpr_1pct}${ci(m.tpr_at_fpr_1pct_ci95)}  human FPR@${threshold} ${m.human_fpr_at_threshold}\n` +
    `  ${''.padEnd(19)} at the threshold flagging ≤ 1 % of human sessions (${m.requests_at_fpr_1pct.threshold ?? 'none'}): bot page requests flagged ${pct(m.requests_at_fpr_1pct.bot_page_requests_flagged)}, human ${pct(m.requests_at_fpr_1pct.human_page_requests_flagged)}`;
  console.log(
    `evaluated ${result.model}${result.model_placeholder ? ' (placeholder)' : ''} on ${result.lines.toLocaleString('en')} lines, labeller ${result.labeller}: ${result.sessions} scored sessions (${result.bot_sessions} bots, ${result.human_sessions} humans), ${result.unscored_sessions} unscored; ${result.relabelled_vs_v1.human_to_bot} relabelled human → bot from v1`,
  );
  if (result.all_sessions_scored_equal)
    console.log(
      '  every scored session got the same score: the figures below say nothing about separation',
    );
  console.log(line('cookie returned:', result));
  console.log(line('bots drop cookies:', result.with_cookie_dropping));
  console.log(`  (95 % intervals: ${resamples} bootstrap resamples of the sessions, seed ${seed})`);
  for (const [k, v] of Object.entries(result.strata!))
    console.log(
      `  ${k.padEnd(13)} ROC-AUC ${v.roc_auc} (${v.sessions} sessions, ${v.bot_sessions} bots), bots drop cookies ${result.with_cookie_dropping.strata![k as Stratum].roc_auc}`,
    );
  if (result.per_file.length > 1)
    for (const f of result.per_file)
      console.log(
        `  ${f.file}: ROC-AUC ${f.roc_auc}${ci(f.roc_auc_ci95)} (${f.sessions} sessions, ${f.bot_sessions} bots), bots drop cookies ${f.with_cookie_dropping.roc_auc}`,
      );
  console.log('  threshold  flagged  bots  humans  precision  recall');
  for (const t of result.thresholds)
    console.log(
      `  ${String(t.threshold).padStart(9)}  ${String(t.sessions_flagged).padStart(7)}  ${String(t.bots).padStart(4)}  ${String(t.humans).padStart(6)}  ${String(t.precision ?? '—').padStart(9)}  ${String(t.recall).padStart(6)}`,
    );
  if (reportPath) console.log(`report: ${reportPath}`);
  if (sessionsPath) console.log(`flagged sessions: ${sessionsPath}`);
}
