/**
 * Fits the model's learned combiner from replayed feature rows (one per scored request of the
 * training part): both learners on the earlier 80 % of each input's training window, compared on
 * the later 20 % (time-ordered validation: the model will meet later traffic) by the share of bot
 * sessions caught at 1 % of human sessions (TPR at 1 % FPR, session level: a session's margin is
 * the highest of its requests'), ROC-AUC breaking ties; the winner is refitted on the whole part
 * and its score map calibrated on the part's human sessions (score-map.ts).
 *
 * Rows are weighted so each session counts once in total (1 / its scored requests): the figures
 * that matter are per session, and a crawler's thousand requests should not outweigh a thousand
 * one-request visitors.
 */
import { FEATURE_NAMES, type CombinerDocument, type FeatureName } from '@session-scorer/core';
import { rocAuc, tprAtFpr } from '../metrics.js';
import type { FeatureRow } from '../replay.js';
import type { Dataset } from './dataset.js';
import {
  DEFAULT_LOGISTIC_SETTINGS,
  fitLogistic,
  logisticMargin,
  type LogisticSettings,
} from './logistic.js';
import { calibrateScoreMap } from './score-map.js';
import { DEFAULT_TREE_SETTINGS, ensembleMargin, fitTrees, type TreeSettings } from './trees.js';

export type LearnerKind = 'logistic' | 'trees';

/** What the fit needs to know of each replayed session. */
export interface SessionInfo {
  bot: boolean;
  input: number;
  startMs: number;
}

export interface FitOptions {
  kind: LearnerKind | 'auto';
  /** The features the combiner reads (FEATURE_NAMES order kept); default all. */
  features?: readonly FeatureName[];
  /** Share of each input's training window, at its end, held out for the choice. */
  validationFraction?: number;
  logistic?: Partial<LogisticSettings>;
  trees?: Partial<TreeSettings>;
  /** 'session' (default): each session's rows weigh 1 in total; 'request': every row weighs 1. */
  rowWeight?: 'session' | 'request';
}

export interface ValidationFigures {
  roc_auc: number | null;
  tpr_at_fpr_1pct: number | null;
}

export interface FitResult {
  combiner: CombinerDocument;
  validation: {
    sessions: number;
    bot_sessions: number;
    logistic?: ValidationFigures;
    trees?: ValidationFigures;
    chosen: LearnerKind;
  };
  /**
   * Human sessions of the training part reaching 20, 50 and 80 with the calibrated map (as margins
   * cross its points).
   */
  calibration: { human_sessions: number; flagged_at: Record<string, number> };
}

interface Fitted {
  margin(row: readonly number[]): number;
  document(features: string[], scoreMap: CombinerDocument['scoreMap']): CombinerDocument;
}

function fit(kind: LearnerKind, data: Dataset, options: FitOptions): Fitted {
  if (kind === 'logistic') {
    const model = fitLogistic(data, options.logistic);
    return {
      margin: (row) => logisticMargin(model, row),
      document: (features, scoreMap) => ({
        kind,
        features,
        bias: model.bias,
        weights: model.weights,
        scoreMap,
      }),
    };
  }
  const model = fitTrees(data, options.trees);
  return {
    margin: (row) => ensembleMargin(model, row),
    document: (features, scoreMap) => ({
      kind,
      features,
      base: model.base,
      trees: model.trees,
      scoreMap,
    }),
  };
}

/** Highest margin per session (sessions without rows stay undefined). */
function sessionMargins(
  rows: readonly FeatureRow[],
  margins: readonly number[],
  sessions: number,
): (number | undefined)[] {
  const out: (number | undefined)[] = new Array(sessions);
  rows.forEach((row, i) => {
    const m = margins[i]!;
    const current = out[row.session];
    if (current === undefined || m > current) out[row.session] = m;
  });
  return out;
}

function figures(
  rows: readonly FeatureRow[],
  margins: readonly number[],
  sessions: readonly SessionInfo[],
): ValidationFigures {
  const perSession = sessionMargins(rows, margins, sessions.length);
  const items = perSession.flatMap((score, s) =>
    score === undefined ? [] : [{ score, bot: sessions[s]!.bot }],
  );
  const round = (x: number | null) => (x === null ? null : +x.toFixed(4));
  return { roc_auc: round(rocAuc(items)), tpr_at_fpr_1pct: round(tprAtFpr(items, 0.01)) };
}

export function fitCombiner(
  rows: readonly FeatureRow[],
  sessions: readonly SessionInfo[],
  options: FitOptions,
): FitResult {
  const features = [...(options.features ?? FEATURE_NAMES)];
  const columns = features.map((name) => {
    const index = FEATURE_NAMES.indexOf(name);
    if (index < 0) throw new Error(`fit: unknown feature ${JSON.stringify(name)}`);
    return index;
  });
  const perSession = new Array<number>(sessions.length).fill(0);
  for (const row of rows) perSession[row.session]!++;
  const dataset = (subset: readonly FeatureRow[]): Dataset => ({
    rows: subset.map((row) => columns.map((c) => row.features[c]!)),
    labels: subset.map((row) => (row.bot ? 1 : 0)),
    weights: subset.map((row) =>
      options.rowWeight === 'request' ? 1 : 1 / perSession[row.session]!,
    ),
  });

  // Time-ordered validation: per input, the sessions that start in the last fraction of its window.
  const fraction = options.validationFraction ?? 0.2;
  const window = new Map<number, { start: number; end: number }>();
  for (const s of sessions) {
    const w = window.get(s.input) ?? { start: Infinity, end: -Infinity };
    window.set(s.input, { start: Math.min(w.start, s.startMs), end: Math.max(w.end, s.startMs) });
  }
  const isValidation = sessions.map((s) => {
    const w = window.get(s.input)!;
    return s.startMs >= w.start + (1 - fraction) * (w.end - w.start);
  });
  const fitRows = rows.filter((row) => !isValidation[row.session]);
  const validationRows = rows.filter((row) => isValidation[row.session]);
  const validationSessions = new Set(validationRows.map((r) => r.session));
  const validation: FitResult['validation'] = {
    sessions: validationSessions.size,
    bot_sessions: [...validationSessions].filter((s) => sessions[s]!.bot).length,
    chosen: options.kind === 'auto' ? 'logistic' : options.kind,
  };

  const kinds: LearnerKind[] = options.kind === 'auto' ? ['logistic', 'trees'] : [options.kind];
  if (validationRows.length > 0 && fitRows.length > 0) {
    const fitData = dataset(fitRows);
    const validationData = dataset(validationRows);
    for (const kind of kinds) {
      const model = fit(kind, fitData, options);
      validation[kind] = figures(
        validationRows,
        validationData.rows.map((r) => model.margin(r)),
        sessions,
      );
    }
    if (options.kind === 'auto') {
      const score = (f: ValidationFigures | undefined) =>
        [f?.tpr_at_fpr_1pct ?? 0, f?.roc_auc ?? 0] as const;
      const [lt, la] = score(validation.logistic);
      const [tt, ta] = score(validation.trees);
      // Trees only when they do better: the logistic combiner is the simpler one to read.
      validation.chosen = tt > lt || (tt === lt && ta > la) ? 'trees' : 'logistic';
    }
  }

  const all = dataset(rows);
  const final = fit(validation.chosen, all, options);
  const margins = all.rows.map((r) => final.margin(r));
  const bySession = sessionMargins(rows, margins, sessions.length);
  const humanMargins = bySession.filter(
    (m, s): m is number => m !== undefined && !sessions[s]!.bot,
  );
  const scoreMap = calibrateScoreMap(
    humanMargins,
    bySession.filter((m): m is number => m !== undefined),
  );
  // Where the map's 20, 50, 80 points fall, as shares of the human sessions (the calibration check).
  const pointOf = (score: number) => scoreMap.margins[scoreMap.scores.indexOf(score)]!;
  const flaggedAt = Object.fromEntries(
    [20, 50, 80].map((t) => [
      String(t),
      +(humanMargins.filter((m) => m >= pointOf(t)).length / humanMargins.length).toFixed(4),
    ]),
  );
  const settings =
    validation.chosen === 'logistic'
      ? { ...DEFAULT_LOGISTIC_SETTINGS, ...options.logistic }
      : { ...DEFAULT_TREE_SETTINGS, ...options.trees };
  const combiner = final.document(features, scoreMap);
  combiner.training = {
    learner: {
      kind: validation.chosen,
      settings,
      rowWeight:
        options.rowWeight === 'request' ? '1 per request' : '1 / scored requests of the session',
    },
    rows: rows.length,
    sessions: new Set(rows.map((r) => r.session)).size,
    validation: { fraction, ...validation },
    calibration: { human_sessions: humanMargins.length, flagged_at: flaggedAt },
  };
  return {
    combiner,
    validation,
    calibration: { human_sessions: humanMargins.length, flagged_at: flaggedAt },
  };
}
