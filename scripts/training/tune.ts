/**
 * npm run tune -- --input <log> [--input <log> …] --model <model.json> [--split F] [--labels
 * <file>] [--from '<settings json>'] [--json]
 *
 * Chooses the Layer 1 constants and the Layer 2 mapping on the evaluation instead of by guess.
 * Sessions are read once; each candidate setting is replayed through scorer-core's decision code
 * (createScorer(...).decide, the edge's, with the same settings mechanism as `evaluate --settings`)
 * on the TRAINING part (before fraction F of each input's time window), and the chosen values are
 * then reported on the HELD-OUT part (after F), which took no part in the choice.
 *
 * Search: a grid per group of related settings (fast browsing, mean dwell, regular dwell, the
 * Layer 2 mapping, the layer weights), groups in turn, each grid starting from the values the
 * earlier groups chose (coordinate-wise, so the search stays a few hundred replays instead of the
 * product of every grid).
 *
 * Not searched: the new-session allowance. Its cost falls on humans who start several sessions
 * (tabs opened at once from a search page, many people behind one NAT address with the same
 * browser), and the replay cannot show that cost: every human returns its cookie there, so the
 * evaluation would always favour the lowest allowance. docs/model.md gives its measured gain.
 *
 * Objective: the mean of the ROC-AUC with cookies returned (behaviour alone) and with bots
 * dropping cookies (per-client new-session counter). Constraint, safe by default: the
 * false-positive rate on human sessions at the default threshold must not exceed the starting
 * settings' in either cookie mode. A candidate replaces the current values only when it beats them
 * by at least MIN_GAIN, so differences at the level of a handful of sessions do not move defaults.
 *
 * The search starts from --from (settings overrides, as `evaluate --settings`), else from the
 * current defaults; --from with the old defaults repeats a recorded tuning run after the
 * defaults have changed (docs/model.md).
 */
import { readFileSync } from 'node:fs';
import {
  DEFAULT_SETTINGS,
  DEFAULT_THRESHOLD,
  loadModel,
  resolveSettings,
  type ScorerSettings,
  type SettingsOverrides,
  type TransitionModel,
} from '@session-scorer/core';
import { parseCommandLine } from '../lib/command-line.js';
import type { Label } from './labels.js';
import { readLabels, readSessions, splitTimes } from './input.js';
import { createReplayScorer, exclusionRegex, replayPart, type SessionResult } from './replay.js';
import type { LogSession } from './sessionize.js';
import { summarize, summarizeStrata, type Summary } from './summary.js';

const USAGE =
  'usage: npm run tune -- --input <log> [--input <log> …] --model <model.json> [--split F] ' +
  "[--labels <file>] [--from '<settings json>'] [--json]";
const HELP = `
Chooses the Layer 1 constants and the Layer 2 mapping by replaying the training part of the logs
(before fraction F of each input's time window) and reports them on the held-out part.
  --input <log>          an access log (repeatable; combined format, Fastly JSON, the audit log; .gz too)
  --model <model.json>   the Layer 2 model to score with (e.g. scorer-core/src/default-model.json)
  --split F              tune on the first fraction F of each input's window, report on the rest (default 0.7)
  --labels <file>        per-session labels overriding the User-Agent labeller
  --from <json>          settings overrides to start the search from (as evaluate --settings; default: the defaults)
  --json                 print one JSON object instead of the text summary`;
const MIN_GAIN = 0.002;

const cli = parseCommandLine(process.argv.slice(2), {
  options: {
    input: { type: 'string', multiple: true },
    model: { type: 'string' },
    labels: { type: 'string' },
    split: { type: 'string' },
    from: { type: 'string' },
    json: { type: 'boolean' },
  },
  usage: USAGE,
  help: HELP,
});
const fail: (message: string) => never = cli.fail;
const inputs = cli.strings('input');
const modelPath = cli.string('model');
const labelsPath = cli.string('labels');
const split = cli.number('--split', cli.string('split'), 0.7, { min: 0, max: 1, exclusive: true });
const json = cli.flag('json');
let from: SettingsOverrides = {};
const fromText = cli.string('from');
if (fromText !== undefined) {
  try {
    from = JSON.parse(fromText) as SettingsOverrides;
    resolveSettings(from);
  } catch (error) {
    fail(`--from: ${(error as Error).message}`);
  }
}
if (inputs.length === 0 || !modelPath) fail('--input and --model are required');
for (const input of inputs) cli.requireFile('--input', input);
const model: TransitionModel = cli.readInput('--model', modelPath!, (path) =>
  loadModel(JSON.parse(readFileSync(path, 'utf8'))),
);
const labels = labelsPath ? cli.readInput('--labels', labelsPath, readLabels) : undefined;
const times = await splitTimes(inputs, split);
type Labelled = { session: LogSession; bot: boolean };
async function part(keep: 'before' | 'after'): Promise<Labelled[]> {
  const sessions: Labelled[] = [];
  await readSessions({
    inputs,
    ...(labels ? { labels } : {}),
    split: { timesMs: times, keep },
    onSession: (session, label: Label) => sessions.push({ session, bot: label === 'bot' }),
  });
  return sessions;
}
const training = await part('before');
const heldOut = await part('after');

const exclude = exclusionRegex();
interface Figures {
  returned: Summary;
  botsDrop: Summary;
}
function replay(
  sessions: readonly Labelled[],
  settings: SettingsOverrides,
): { returned: SessionResult[]; botsDrop: SessionResult[] } {
  const resolved = resolveSettings(settings);
  const a = createReplayScorer(model, resolved);
  const b = createReplayScorer(model, resolved);
  return {
    // One stream per part: per-client memory spans sessions (replay.ts).
    returned: replayPart(a, sessions, { mode: 'returned', exclude }).results,
    botsDrop: replayPart(b, sessions, { mode: 'bots-drop', exclude }).results,
  };
}
function figures(sessions: readonly Labelled[], settings: SettingsOverrides): Figures {
  const r = replay(sessions, settings);
  return { returned: summarize(r.returned), botsDrop: summarize(r.botsDrop) };
}
const objective = (f: Figures) => ((f.returned.roc_auc ?? 0.5) + (f.botsDrop.roc_auc ?? 0.5)) / 2;

type Grid = {
  section: 'layer1' | 'layer2' | 'combine';
  values: Record<string, number[]>;
  derived?: (c: Record<string, number>) => Record<string, number> | null;
};
// Candidate values; the starting value is put first (see startingFirst), so ties keep it.
// Zero scores, a zero fast floor and a zero weight switch a rule or a layer off: a rule that
// measures worse than chance may be dropped.
const GRIDS: Record<string, Grid> = {
  'fast browsing': {
    section: 'layer1',
    values: {
      fastFloorMs: [500, 0, 250, 1000, 2000],
      fastEvidenceMin: [3, 2, 4],
      fastEvidenceFull: [6, 4, 10],
      fastLeakPerS: [0.05, 0.02, 0.1],
    },
  },
  'mean dwell': {
    section: 'layer1',
    values: {
      dwellFloorMs: [200, 100, 500, 1000, 2000],
      dwellMinSamples: [4, 3, 6],
      dwellMeanScore: [100, 50, 0],
    },
  },
  'regular dwell': {
    section: 'layer1',
    values: {
      regularMaxCv: [0.1, 0.05, 0.2, 0.3],
      regularMinSamples: [6, 4, 8],
      regularScore: [80, 40, 0],
    },
  },
  'Layer 2 mapping': {
    section: 'layer2',
    // zFull is searched as a distance above zStart so every candidate is valid.
    values: {
      minTransitions: [4, 2, 6, 8],
      zStart: [1, 0.5, 2, 3],
      zSpan: [3, 1, 5],
      maxEffectiveTransitions: [32, 8, 64],
    },
    derived: ({ zSpan, ...rest }) => ({ ...rest, zFull: rest.zStart! + zSpan! }),
  },
  // With a learned combiner in the model the hand-set Layer 1 rules may add only false positives
  // (docs/model.md measured it), so their weight may go to 0. The combiner's own weight is not
  // searched: the objective is rank-based, and a weight below 0.8 "wins" the false-positive
  // constraint by never reaching the threshold at all.
  'layer weights': {
    section: 'combine',
    values: { layer1Weight: [1, 0.5, 0.75, 0], layer2Weight: [1, 0, 0.25, 0.5, 0.75] },
  },
};

/** Each list with the starting value first (added if the grid lacks it), so ties keep it. */
function startingFirst(grid: Grid, start: ScorerSettings): Record<string, number[]> {
  const values = start[grid.section] as unknown as Record<string, number>;
  const current = (key: string) =>
    key === 'zSpan' ? values.zFull! - values.zStart! : values[key]!;
  return Object.fromEntries(
    Object.entries(grid.values).map(([key, list]) => [
      key,
      [current(key), ...list.filter((v) => v !== current(key))],
    ]),
  );
}

function* product(values: Record<string, number[]>): Generator<Record<string, number>> {
  const keys = Object.keys(values);
  const index = keys.map(() => 0);
  for (;;) {
    yield Object.fromEntries(keys.map((k, i) => [k, values[k]![index[i]!]!]));
    let i = keys.length - 1;
    while (i >= 0 && ++index[i]! === values[keys[i]!]!.length) index[i--] = 0;
    if (i < 0) return;
  }
}

const merge = (
  base: SettingsOverrides,
  section: Grid['section'],
  values: Record<string, number>,
): SettingsOverrides => ({ ...base, [section]: { ...base[section], ...values } });

/** The settings in `overrides` (resolved) that differ from `reference`, by section. */
function differences(overrides: SettingsOverrides, reference: ScorerSettings): SettingsOverrides {
  const resolved = resolveSettings(overrides);
  const out: Record<string, Record<string, number>> = {};
  for (const section of Object.keys(resolved) as (keyof ScorerSettings)[]) {
    const mine = resolved[section] as unknown as Record<string, number>;
    const theirs = reference[section] as unknown as Record<string, number>;
    const diff = Object.fromEntries(Object.entries(mine).filter(([k, v]) => theirs[k] !== v));
    if (Object.keys(diff).length > 0) out[section] = diff;
  }
  return out as SettingsOverrides;
}

const started = Date.now();
const start = resolveSettings(from);
const before = figures(training, from);
const limit = {
  returned: before.returned.human_fpr_at_threshold ?? 0,
  botsDrop: before.botsDrop.human_fpr_at_threshold ?? 0,
};
const safe = (f: Figures) =>
  (f.returned.human_fpr_at_threshold ?? 0) <= limit.returned &&
  (f.botsDrop.human_fpr_at_threshold ?? 0) <= limit.botsDrop;
let chosen: SettingsOverrides = from;
let best = before;
const log: {
  group: string;
  candidates: number;
  chosen: Record<string, number>;
  objective: number;
}[] = [];
for (const [group, grid] of Object.entries(GRIDS)) {
  let groupBest: { values: Record<string, number>; f: Figures } | null = null;
  let candidates = 0;
  for (const raw of product(startingFirst(grid, resolveSettings(chosen)))) {
    const values = grid.derived ? grid.derived(raw) : raw;
    if (values === null) continue;
    const settings = merge(chosen, grid.section, values);
    try {
      resolveSettings(settings);
    } catch {
      continue; // e.g. fastEvidenceFull < fastEvidenceMin: not a valid combination
    }
    candidates++;
    const f = figures(training, settings);
    if (!safe(f)) continue;
    if (groupBest === null || objective(f) > objective(groupBest.f) + 1e-9)
      groupBest = { values, f };
  }
  if (groupBest && objective(groupBest.f) >= objective(best) + MIN_GAIN) {
    chosen = merge(chosen, grid.section, groupBest.values);
    best = groupBest.f;
  }
  const now = resolveSettings(chosen)[grid.section] as unknown as Record<string, number>;
  const keys = Object.keys(grid.values).flatMap((k) => (k === 'zSpan' ? ['zFull'] : [k]));
  const shown = Object.fromEntries(keys.map((k) => [k, now[k]!]));
  log.push({ group, candidates, chosen: shown, objective: +objective(best).toFixed(4) });
  if (!json)
    console.error(
      `${group}: ${candidates} candidates → ${JSON.stringify(shown)} (objective ${objective(best).toFixed(4)})`,
    );
}

function report(sessions: readonly Labelled[], settings: SettingsOverrides) {
  const r = replay(sessions, settings);
  return {
    returned: { ...summarize(r.returned), strata: summarizeStrata(r.returned) },
    bots_drop: { ...summarize(r.botsDrop), strata: summarizeStrata(r.botsDrop) },
  };
}
const result = {
  model: model.version,
  split,
  threshold: DEFAULT_THRESHOLD,
  training_sessions: training.length,
  held_out_sessions: heldOut.length,
  from: differences(from, DEFAULT_SETTINGS),
  search: log,
  // What changed from the starting settings, and the chosen settings as overrides of the current defaults.
  changed: differences(chosen, start),
  chosen_vs_defaults: differences(chosen, DEFAULT_SETTINGS),
  training: { from: report(training, from), chosen: report(training, chosen) },
  held_out: { from: report(heldOut, from), chosen: report(heldOut, chosen) },
  seconds: Math.round((Date.now() - started) / 1000),
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(
    `tuned on ${training.length} training sessions (before ${split} of each input's window), ` +
      `reported on ${heldOut.length} held-out sessions; model ${model.version}; ${result.seconds} s`,
  );
  console.log(`started from (overrides of the defaults): ${JSON.stringify(result.from)}`);
  console.log(`changed: ${JSON.stringify(result.changed)}`);
  console.log(
    `chosen, as overrides of the current defaults: ${JSON.stringify(result.chosen_vs_defaults)}`,
  );
  const row = (name: string, s: Summary) =>
    `  ${name.padEnd(26)} ${String(s.sessions).padStart(5)} ` +
    `(${String(s.bot_sessions).padStart(4)})  ROC-AUC ${s.roc_auc}  PR-AUC ${s.pr_auc}  ` +
    `TPR@1%FPR ${s.tpr_at_fpr_1pct}  human FPR@${DEFAULT_THRESHOLD} ${s.human_fpr_at_threshold}`;
  for (const partName of ['training', 'held_out'] as const) {
    for (const which of ['from', 'chosen'] as const) {
      const r = result[partName][which];
      console.log(`${partName}, ${which === 'from' ? 'starting settings' : 'chosen'}:`);
      console.log(row('cookie returned', r.returned));
      for (const [k, v] of Object.entries(r.returned.strata)) console.log(row(`  ${k}`, v));
      console.log(row('bots drop cookies', r.bots_drop));
      for (const [k, v] of Object.entries(r.bots_drop.strata)) console.log(row(`  ${k}`, v));
    }
  }
}
