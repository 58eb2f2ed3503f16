/**
 * node scripts/lib/run-ts.mjs scripts/training/learn/figures.ts -- --data <dir> --before
 * <model.json> [--json <file>] [--no-ablation]
 *
 * The held-out figures of docs/model.md: for each shared log, a model trained on the first 70 %
 * of its time window (and one trained on all four logs' first 70 % together) is replayed over the
 * last 30 % (replay.ts: time order, per-client memory) in both cookie modes; ROC-AUC and TPR at
 * 1 % FPR per log, logistic vs trees, against the `--before` model (main's). The ablation retrains
 * each log's model without one feature family at a time. Prints Markdown tables.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FEATURE_NAMES,
  featureFamily,
  loadModel,
  type FeatureFamily,
  type ModelDocument,
} from '@session-scorer/core';
import { readSessions, splitTimes } from '../input.js';
import { LABELLERS, type LabellerName } from '../labels.js';
import { createReplayScorer, exclusionRegex, replayPart, type ReplayItem } from '../replay.js';
import { summarize, type Summary } from '../summary.js';
import type { LearnerKind } from './fit-combiner.js';
import { trainModel } from './train-model.js';

const LOGS = [
  'facades-2009-access.log',
  'semicomplete-2015-apache.log',
  'secrepo-2021-10-22-access.log',
  'secrepo-2022-12-22-access.log',
] as const;
/** What the figures are given for: each log, and secrepo's two days together (the goals name "secrepo"). */
const GROUPS: Record<string, readonly string[]> = {
  facades: ['facades-2009-access.log'],
  semicomplete: ['semicomplete-2015-apache.log'],
  'secrepo 2021': ['secrepo-2021-10-22-access.log'],
  'secrepo 2022': ['secrepo-2022-12-22-access.log'],
  'secrepo (both days)': ['secrepo-2021-10-22-access.log', 'secrepo-2022-12-22-access.log'],
};
const SPLIT = 0.7;
const CREATED_AT = '2026-12-01T00:00:00.000Z';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    data: { type: 'string' },
    before: { type: 'string' },
    json: { type: 'string' },
    'no-ablation': { type: 'boolean' },
    settings: { type: 'string' },
    labeller: { type: 'string' },
  },
  strict: true,
});
const labellerName = (values.labeller ?? 'v2') as LabellerName;
if (!(labellerName in LABELLERS))
  throw new Error(`--labeller: expected v1 or v2, got ${JSON.stringify(values.labeller)}`);
/** Scorer settings overrides for the replays of the trained models (as evaluate --settings). */
const SETTINGS: unknown = values.settings ? JSON.parse(values.settings) : {};
if (!values.data || !values.before) {
  console.error(
    'usage: figures.ts --data <dir> --before <model.json> [--json <file>] [--no-ablation]',
  );
  process.exit(2);
}
const dataDir = values.data;
const path = (log: string) => join(dataDir, log);

interface Pair {
  returned: Summary;
  botsDrop: Summary;
}

const heldOutCache = new Map<string, ReplayItem[]>();
async function heldOut(log: string): Promise<ReplayItem[]> {
  const cached = heldOutCache.get(log);
  if (cached) return cached;
  const items: ReplayItem[] = [];
  await readSessions({
    inputs: [path(log)],
    labeller: LABELLERS[labellerName],
    split: { timesMs: await splitTimes([path(log)], SPLIT), keep: 'after' },
    onSession: (session, label, input) => items.push({ session, bot: label === 'bot', input }),
  });
  items.sort(
    (a, b) =>
      a.session.requests[0]!.timeMs - b.session.requests[0]!.timeMs ||
      (a.session.key < b.session.key ? -1 : 1),
  );
  heldOutCache.set(log, items);
  return items;
}

/** Each log's held-out part replayed on its own (its own clock and client memory), the results pooled. */
async function evaluate(
  model: ModelDocument,
  logs: readonly string[],
  settings: unknown = SETTINGS,
): Promise<Pair> {
  const loaded = loadModel(model);
  const exclude = exclusionRegex();
  const returned = [];
  const botsDrop = [];
  for (const log of logs) {
    const items = await heldOut(log);
    returned.push(
      ...replayPart(createReplayScorer(loaded, settings), items, { mode: 'returned', exclude })
        .results,
    );
    botsDrop.push(
      ...replayPart(createReplayScorer(loaded, settings), items, { mode: 'bots-drop', exclude })
        .results,
    );
  }
  return { returned: summarize(returned), botsDrop: summarize(botsDrop) };
}

async function train(
  logs: readonly string[],
  combiner: LearnerKind,
  dropFamily?: FeatureFamily,
): Promise<ModelDocument> {
  const features = FEATURE_NAMES.filter((name) => featureFamily(name) !== dropFamily);
  const { model } = await trainModel({
    inputs: logs.map(path),
    labeller: labellerName,
    alpha: 1,
    split: SPLIT,
    createdAt: CREATED_AT,
    combiner,
    features,
    droppedFamilies: dropFamily ? [dropFamily] : [],
  });
  return model;
}

const started = Date.now();
const before = JSON.parse(readFileSync(values.before, 'utf8')) as ModelDocument;
const out: Record<string, unknown> = {
  date: new Date().toISOString(),
  before: before.version,
  split: SPLIT,
};
const cell = (s: Summary) =>
  `${s.roc_auc?.toFixed(3) ?? '—'} ` +
  `/ ${s.tpr_at_fpr_1pct === null ? '—' : (s.tpr_at_fpr_1pct * 100).toFixed(1) + ' %'} ` +
  `/ ${s.human_fpr_at_threshold === null ? '—' : (s.human_fpr_at_threshold * 100).toFixed(1) + ' %'}`;

console.log(
  '| log (held-out sessions: bots / humans) | model | bots drop cookies: ROC-AUC / TPR@1%FPR / ' +
    'human FPR@80 | cookies kept: ROC-AUC / TPR@1%FPR / human FPR@80 |',
);
console.log('|---|---|---|---|');
const main: Record<string, Record<string, Pair>> = {};
const allModels = { logistic: await train(LOGS, 'logistic'), trees: await train(LOGS, 'trees') };
for (const [group, logs] of Object.entries(GROUPS)) {
  const rows: Record<string, Pair> = {};
  rows['before (main)'] = await evaluate(before, logs, {});
  for (const kind of ['logistic', 'trees'] as const)
    rows[`${kind}, trained on this log`] = await evaluate(await train(logs, kind), logs);
  for (const kind of ['logistic', 'trees'] as const)
    rows[`${kind}, trained on all four`] = await evaluate(allModels[kind], logs);
  main[group] = rows;
  const first = rows['before (main)']!.botsDrop;
  for (const [name, pair] of Object.entries(rows))
    console.log(
      `| ${group} (${first.bot_sessions} / ${first.sessions - first.bot_sessions}) | ${name} ` +
        `| ${cell(pair.botsDrop)} | ${cell(pair.returned)} |`,
    );
}
out.heldOut = main;

if (!values['no-ablation']) {
  console.log(
    '\n| log | learner | all features | without request | without session | without client |  ' +
      '(bots drop cookies: ROC-AUC / TPR@1%FPR / human FPR@80)',
  );
  console.log('|---|---|---|---|---|---|');
  const ablation: Record<string, Record<string, Record<string, Pair>>> = {};
  for (const [group, logs] of Object.entries(GROUPS)) {
    ablation[group] = {};
    for (const kind of ['logistic', 'trees'] as const) {
      const row: Record<string, Pair> = { all: main[group]![`${kind}, trained on this log`]! };
      for (const family of ['request', 'session', 'client'] as const)
        row[`without ${family}`] = await evaluate(await train(logs, kind, family), logs);
      ablation[group]![kind] = row;
      console.log(
        `| ${group} | ${kind} | ${Object.values(row)
          .map((p) => cell(p.botsDrop))
          .join(' | ')} |`,
      );
    }
  }
  console.log('\n(cookies kept, same models)');
  for (const group of Object.keys(GROUPS))
    for (const kind of ['logistic', 'trees'] as const)
      console.log(
        `| ${group} | ${kind} | ${Object.values(ablation[group]![kind]!)
          .map((p) => cell(p.returned))
          .join(' | ')} |`,
      );
  out.ablation = ablation;
}
out.seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n${out.seconds} s`);
if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 1) + '\n');
