/**
 * npm run evaluate -- --input <log> [--input <log> …] --model <model.json> [--report <file.html>] [--json] [--labels <file>] [--split F] [--settings <json>]
 *
 * Replays every session through scorer-core's decision code (the edge's), scores sessions and
 * reports ROC-AUC, PR-AUC, TPR at 1 % FPR, per-reason AUC, strata by session length and a
 * threshold table, for two cookie assumptions (docs/model.md): every client returns its cookie
 * (behaviour alone, the headline), and bots drop it (seen through the per-client new-session count).
 * The User-Agent is used only for the labels. --split F evaluates the part of each input's time window after fraction F.
 * --settings takes scorer settings overrides (JSON, as the Config Store item `settings`), for tuning.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_THRESHOLD, loadModel, REASON_CODES, resolveSettings } from '../scorer-core/src/index.js';
import { parseOptions } from './training/cli-options.js';
import { readLabels, readSessions, splitTimes } from './training/input.js';
import { curve, rocAuc } from './training/metrics.js';
import { createReplayScorer, exclusionRegex, replaySession, type SessionResult } from './training/replay.js';
import { renderReport } from './training/report.js';
import { round4 as round, scoredItems as scored, summarize as metrics, summarizeStrata } from './training/summary.js';

const USAGE = 'usage: npm run evaluate -- --input <log> [--input <log> …] --model <model.json> [--report <file.html>] [--json] [--labels <file>] [--split F] [--settings <json>]';
const options = parseOptions(process.argv.slice(2), { values: ['--input', '--model', '--report', '--labels', '--split', '--settings'], repeatable: ['--input'], flags: ['--json'] }, USAGE);
const fail: (message: string) => never = options.fail;
const inputs = options.all('--input');
const modelPath = options.value('--model');
const reportPath = options.value('--report');
const labelsPath = options.value('--labels');
const split = options.fraction('--split');
const json = options.has('--json');
let settings: unknown = {};
const settingsText = options.value('--settings');
if (settingsText !== undefined) {
  try {
    settings = resolveSettings(JSON.parse(settingsText));
  } catch (error) {
    fail(`--settings: ${(error as Error).message}`);
  }
}
if (inputs.length === 0 || !modelPath) fail('--input and --model are required');

let model;
try {
  model = loadModel(JSON.parse(readFileSync(modelPath!, 'utf8')));
} catch (error) {
  fail(`${modelPath}: ${(error as Error).message}`);
}
const exclude = exclusionRegex();
const headlineScorer = createReplayScorer(model, settings);
const droppingScorer = createReplayScorer(model, settings);
const headline: SessionResult[] = [];
const dropping: SessionResult[] = [];
const counts = await readSessions({
  inputs,
  ...(labelsPath ? { labels: readLabels(labelsPath) } : {}),
  ...(split !== undefined ? { split: { timesMs: await splitTimes(inputs, split), keep: 'after' as const } } : {}),
  onSession: (session, label) => {
    headline.push(replaySession(headlineScorer, session, label === 'bot', 'returned', exclude));
    dropping.push(replaySession(droppingScorer, session, label === 'bot', 'bots-drop', exclude));
  },
});

const strata = summarizeStrata(headline);
const perReasonAuc = Object.fromEntries(
  REASON_CODES.map((reason) => [reason, round(rocAuc(headline.filter((r) => r.score !== null).map((r) => ({ score: r.reasons.has(reason) ? 1 : 0, bot: r.bot }))))]),
);
const thresholds = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
const requestItems = headline.flatMap((r) => r.requestScores.map((score) => ({ score, bot: r.bot })));
const sessionCurve = curve(scored(headline), thresholds).map((point) => ({
  ...point,
  requestsFlagged: requestItems.filter((i) => i.score >= point.threshold).length,
  requestsTotal: requestItems.length,
}));

const result = {
  ...metrics(headline),
  human_sessions: scored(headline).filter((i) => !i.bot).length,
  unscored_sessions: headline.filter((r) => r.score === null).length,
  model: model.version,
  model_placeholder: model.placeholder,
  lines: counts.lines,
  malformed_lines: counts.malformed,
  // human_fpr_at_threshold: flagged human sessions / human sessions at this threshold (the edge default).
  threshold: DEFAULT_THRESHOLD,
  with_cookie_dropping: { ...metrics(dropping), strata: summarizeStrata(dropping) },
  strata,
  per_reason_auc: perReasonAuc,
  thresholds: sessionCurve.map((p) => ({ threshold: p.threshold, sessions_flagged: p.flagged, bots: p.flaggedBots, humans: p.flaggedHumans, precision: round(p.precision), recall: round(p.recall), fpr: round(p.fpr), requests_flagged: p.requestsFlagged })),
};

if (reportPath) {
  const items = scored(headline);
  const rocPoints = [{ fpr: 0, tpr: 0 }, ...curve(items).map((p) => ({ fpr: p.fpr, tpr: p.tpr })), { fpr: 1, tpr: 1 }];
  const prPoints = curve(items).filter((p) => p.precision !== null).map((p) => ({ recall: p.recall, precision: p.precision! }));
  const histogram = Array.from({ length: 11 }, (_, i) => {
    const low = i * 10;
    const inBin = (s: number) => (i === 10 ? s === 100 : s >= low && s < low + 10);
    return { bin: i === 10 ? '100' : `${low}–${low + 9}`, bots: items.filter((x) => x.bot && inBin(x.score)).length, humans: items.filter((x) => !x.bot && inBin(x.score)).length };
  });
  writeFileSync(
    reportPath,
    renderReport({
      title: `session-scorer evaluation: ${model.version}`,
      generatedAt: new Date().toISOString(),
      summary: {
        'model': `${model.version}${model.placeholder ? ' (placeholder)' : ''}`,
        'inputs': inputs.join(', ') + (split !== undefined ? ` (time window after ${split})` : ''),
        'sessions scored (bots / humans)': `${result.sessions} (${result.bot_sessions} / ${result.human_sessions})`,
        'ROC-AUC (cookie returned)': result.roc_auc,
        'PR-AUC (cookie returned)': result.pr_auc,
        'TPR at 1 % FPR (cookie returned)': result.tpr_at_fpr_1pct,
        'ROC-AUC (bots drop cookies)': result.with_cookie_dropping.roc_auc,
        'TPR at 1 % FPR (bots drop cookies)': result.with_cookie_dropping.tpr_at_fpr_1pct,
        ...Object.fromEntries(Object.entries(strata).map(([k, v]) => [`ROC-AUC, sessions with ${k}`, `${v.roc_auc ?? '—'} (${v.sessions} sessions)`])),
        ...Object.fromEntries(Object.entries(perReasonAuc).map(([k, v]) => [`AUC of reason ${k}`, v])),
      },
      roc: rocPoints,
      pr: prPoints,
      histogram,
      thresholds: sessionCurve,
      notes: [
        'Labels come from the User-Agent (known crawlers and tools are bots); undeclared bots remain in the human class, so precision is understated.',
        'Cookie returned: every client sends back the cookie it was given (behaviour alone). Bots drop cookies: sessions labelled bot never return it and are seen through the per-client new-session count, as the edge counter would (60 s window).',
        'Requests the default VCL exclusion regex skips (static assets) are not scored, as at the edge. A session\u2019s score is the highest of its requests\u2019 scores.',
      ],
    }),
  );
}

if (json) console.log(JSON.stringify(result));
else {
  console.log(`evaluated ${model.version}${model.placeholder ? ' (placeholder)' : ''} on ${counts.lines.toLocaleString('en')} lines: ${result.sessions} scored sessions (${result.bot_sessions} bots, ${result.human_sessions} humans), ${result.unscored_sessions} unscored`);
  console.log(`  cookie returned:     ROC-AUC ${result.roc_auc}  PR-AUC ${result.pr_auc}  TPR@1%FPR ${result.tpr_at_fpr_1pct}  human FPR@${DEFAULT_THRESHOLD} ${result.human_fpr_at_threshold}`);
  console.log(`  bots drop cookies:   ROC-AUC ${result.with_cookie_dropping.roc_auc}  PR-AUC ${result.with_cookie_dropping.pr_auc}  TPR@1%FPR ${result.with_cookie_dropping.tpr_at_fpr_1pct}  human FPR@${DEFAULT_THRESHOLD} ${result.with_cookie_dropping.human_fpr_at_threshold}`);
  for (const [k, v] of Object.entries(strata)) console.log(`  ${k.padEnd(12)} ROC-AUC ${v.roc_auc} (${v.sessions} sessions, ${v.bot_sessions} bots), bots drop cookies ${result.with_cookie_dropping.strata[k as keyof typeof strata].roc_auc}`);
  console.log('  threshold  flagged  bots  humans  precision  recall');
  for (const t of result.thresholds) console.log(`  ${String(t.threshold).padStart(9)}  ${String(t.sessions_flagged).padStart(7)}  ${String(t.bots).padStart(4)}  ${String(t.humans).padStart(6)}  ${String(t.precision ?? '—').padStart(9)}  ${String(t.recall).padStart(6)}`);
  if (reportPath) console.log(`report: ${reportPath}`);
}
