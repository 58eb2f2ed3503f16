/**
 * The evaluation behind `npm run evaluate` and `npm run evaluate:transfer`: read the logs one file
 * at a time, label and replay every session through scorer-core's decision code under both cookie
 * assumptions (replay.ts), and compute the figures (docs/model.md, "Evaluate").
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  createClassifier,
  DEFAULT_CLASSIFIER,
  DEFAULT_THRESHOLD,
  loadModel,
  REASON_CODES,
  type TransitionModel,
} from '@session-scorer/core';
import { bootstrap, type Interval } from './bootstrap.js';
import { readSessions, splitTimes } from './input.js';
import { LABELLERS, labelV1, type Label, type LabellerName } from './labels.js';
import { curve, requestShares, rocAuc, thresholdAtFpr, type RequestShares } from './metrics.js';
import { createReplayScorer, exclusionRegex, replayPart, type SessionResult } from './replay.js';
import { round4, scoredItems, STRATA, summarize, type Stratum, type Summary } from './summary.js';
import type { LogSession } from './sessionize.js';

/** The false-positive budget of the headline operating point: at most 1 % of human sessions flagged. */
export const FPR_BUDGET = 0.01;

export interface EvaluationOptions {
  inputs: string[];
  model: TransitionModel;
  /** The model file's JSON, for its training record (which files and time windows it learned from). */
  modelDocument: unknown;
  settings?: unknown;
  labels?: Map<string, Label>;
  labeller: LabellerName;
  split?: number;
  /** Enforcement threshold: human_fpr_at_threshold and the flagged-session list use it. */
  threshold?: number;
  resamples?: number;
  seed?: number;
  /** How many paths of each session to keep for the flagged-session list. */
  pathsPerSession?: number;
}

/** One session as an operator would look at it. */
export interface EvaluatedSession {
  file: number;
  key: string;
  ip: string;
  userAgent: string;
  bot: boolean;
  returned: SessionResult;
  botsDrop: SessionResult;
  pageViews: boolean[];
  firstTimeMs: number;
  /** The first paths of the session (kept only when it is flagged at the threshold). */
  paths: string[];
}

/**
 * The replay may one day say which requests were page views; that is used when present (else the
 * default classifier decides here, as the replay's scorer does). The file a session came from is
 * known here without it: files are read one at a time.
 */
type ReplayedSession = SessionResult & { pageViews?: readonly boolean[] };

export interface ModeFigures extends Summary {
  roc_auc_ci95: Interval | null;
  tpr_at_fpr_1pct_ci95: Interval | null;
  /** Page requests flagged at the threshold that flags at most 1 % of human sessions. */
  requests_at_fpr_1pct: RequestShares;
}

export function readModel(path: string): { model: TransitionModel; document: unknown } {
  const document = JSON.parse(readFileSync(path, 'utf8'));
  return { model: loadModel(document), document };
}

/** Training inputs recorded in a model (train.ts writes `training.inputs[*].file` and `.window`). */
function trainingWindows(document: unknown): { file: string; startMs: number; endMs: number }[] {
  const inputs = (document as { training?: { inputs?: unknown } })?.training?.inputs;
  if (!Array.isArray(inputs)) return [];
  return inputs.flatMap((input) => {
    const file = (input as { file?: unknown })?.file;
    const window = (input as { window?: { start?: unknown; end?: unknown } })?.window;
    const startMs = Date.parse(String(window?.start));
    const endMs = Date.parse(String(window?.end));
    return typeof file === 'string' && Number.isFinite(startMs) && Number.isFinite(endMs)
      ? [{ file, startMs, endMs }]
      : [];
  });
}

/** A log's name without compression and log extensions: "x.log.gz" → "x". */
const stem = (file: string) =>
  file.replace(/(\.gz)?$/i, '').replace(/\.(log|txt|json|jsonl)$/i, '');

/**
 * Whether two file names likely name the same log: equal, or one's stem starts the other's (an
 * excerpt such as "x.head400.log" of "x.log").
 */
export function sameLog(a: string, b: string): boolean {
  const [sa, sb] = [stem(a), stem(b)];
  return a === b || sa.startsWith(sb) || sb.startsWith(sa);
}

/** Warnings for evaluated files whose name and time window overlap what the model was trained on. */
export function trainingOverlapWarnings(
  document: unknown,
  evaluated: { file: string; startMs: number; endMs: number }[],
): string[] {
  const warnings: string[] = [];
  for (const trained of trainingWindows(document)) {
    for (const part of evaluated) {
      if (
        !sameLog(part.file, trained.file) ||
        !(part.startMs <= trained.endMs && trained.startMs <= part.endMs)
      )
        continue;
      const iso = (ms: number) => new Date(ms).toISOString();
      warnings.push(
        `${part.file}: the evaluated window ${iso(part.startMs)} – ${iso(part.endMs)} overlaps ` +
          `the model's training window of ${trained.file}, ${iso(trained.startMs)} ` +
          `– ${iso(trained.endMs)}; figures there are in-sample for the Markov model, the ` +
          `learned combiner and its score map (use --split with the model's split, or another log)`,
      );
    }
  }
  return warnings;
}

function pageViewFlags(results: readonly EvaluatedSession[], mode: 'returned' | 'botsDrop') {
  return results.map((s) => {
    const r = s[mode] as ReplayedSession;
    const pageViews =
      r.pageViews && r.pageViews.length === r.requestScores.length ? r.pageViews : s.pageViews;
    return { bot: r.bot, requestScores: r.requestScores, pageViews };
  });
}

/** The figures for one cookie assumption over some sessions. */
export function modeFigures(
  sessions: readonly EvaluatedSession[],
  mode: 'returned' | 'botsDrop',
  options: { threshold: number; resamples: number; seed: number },
  withStrata: boolean,
) {
  const results = sessions.map((s) => s[mode]);
  const items = scoredItems(results);
  const ci = bootstrap(items, {
    resamples: options.resamples,
    seed: options.seed,
    maxFpr: FPR_BUDGET,
  });
  const operating = thresholdAtFpr(items, FPR_BUDGET);
  const requests = (subset: readonly EvaluatedSession[]) =>
    roundShares(requestShares(pageViewFlags(subset, mode), operating));
  const figures: ModeFigures & {
    strata?: Record<Stratum, Summary & { requests_at_fpr_1pct: RequestShares }>;
  } = {
    ...summarize(results, options.threshold),
    roc_auc_ci95: roundInterval(ci.roc_auc),
    tpr_at_fpr_1pct_ci95: roundInterval(ci.tpr_at_fpr),
    requests_at_fpr_1pct: requests(sessions),
  };
  if (withStrata) {
    const strata = {} as Record<Stratum, Summary & { requests_at_fpr_1pct: RequestShares }>;
    for (const [name, keep] of Object.entries(STRATA) as [
      Stratum,
      (r: SessionResult) => boolean,
    ][]) {
      const subset = sessions.filter((s) => keep(s[mode]));
      strata[name] = {
        ...summarize(
          subset.map((s) => s[mode]),
          options.threshold,
        ),
        requests_at_fpr_1pct: requests(subset),
      };
    }
    figures.strata = strata;
  }
  return { figures, bootstrap: ci };
}

const roundInterval = (i: Interval | null) =>
  i === null ? null : { low: round4(i.low)!, high: round4(i.high)! };
const roundShares = (s: RequestShares): RequestShares => ({
  ...s,
  bot_page_requests_flagged: round4(s.bot_page_requests_flagged),
  human_page_requests_flagged: round4(s.human_page_requests_flagged),
});

export const SESSION_THRESHOLDS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

export async function evaluateLogs(options: EvaluationOptions) {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 20261201;
  const keepPaths = options.pathsPerSession ?? 10;
  const labeller = LABELLERS[options.labeller];
  const exclude = exclusionRegex();
  const classifier = createClassifier(DEFAULT_CLASSIFIER);
  const returnedScorer = createReplayScorer(options.model, options.settings ?? {});
  const droppingScorer = createReplayScorer(options.model, options.settings ?? {});
  const splitAt =
    options.split !== undefined ? await splitTimes(options.inputs, options.split) : undefined;
  const sessions: EvaluatedSession[] = [];
  const relabelled = { human_to_bot: 0, bot_to_human: 0 };
  const perFileCounts: {
    file: string;
    lines: number;
    malformed: number;
    startMs: number;
    endMs: number;
  }[] = [];
  let lines = 0;
  let malformed = 0;
  // One file at a time: each session then knows its file (sessions never span files anyway), and
  // each file is replayed as one part in global time order, with one client memory across its
  // sessions (as the edge's counters see them) and its own clock.
  for (const [file, input] of options.inputs.entries()) {
    const part: { session: LogSession; bot: boolean; label: Label }[] = [];
    const counts = await readSessions({
      inputs: [input],
      labeller,
      ...(options.labels ? { labels: options.labels } : {}),
      ...(splitAt ? { split: { timesMs: [splitAt[file]!], keep: 'after' as const } } : {}),
      onSession: (session, label) => void part.push({ session, bot: label === 'bot', label }),
    });
    const items = part.map(({ session, bot }) => ({ session, bot }));
    const returnedResults = replayPart(returnedScorer, items, {
      mode: 'returned',
      exclude,
    }).results;
    const botsDropResults = replayPart(droppingScorer, items, {
      mode: 'bots-drop',
      exclude,
    }).results;
    part.forEach(({ session, bot, label }, i) => {
      const returned = returnedResults[i]! as ReplayedSession;
      const botsDrop = botsDropResults[i]!;
      const pageViews: boolean[] = [];
      for (const request of session.requests)
        if (!exclude.test(request.path.split('?')[0]!))
          pageViews.push(classifier.isPageView(classifier.classify(request.method, request.path)));
      // Paths are kept only for the sessions the flagged list will show (memory on big logs).
      const flagged = Math.max(returned.score ?? -1, botsDrop.score ?? -1) >= threshold;
      const paths = flagged ? session.requests.slice(0, keepPaths).map((r) => r.path) : [];
      if (returned.score !== null && !options.labels?.has(session.key)) {
        const old = labelV1(session.userAgent);
        if (old !== label) old === 'human' ? relabelled.human_to_bot++ : relabelled.bot_to_human++;
      }
      sessions.push({
        file,
        key: session.key,
        ip: session.ip,
        userAgent: session.userAgent,
        bot,
        returned,
        botsDrop,
        pageViews,
        firstTimeMs: session.requests[0]?.timeMs ?? 0,
        paths,
      });
    });
    lines += counts.lines;
    malformed += counts.malformed;
    const w = counts.perInput[0]!;
    perFileCounts.push({
      file: basename(input),
      lines: counts.lines,
      malformed: counts.malformed,
      startMs: w.windowStartMs,
      endMs: w.windowEndMs,
    });
  }

  const figureOptions = { threshold, resamples, seed };
  const returned = modeFigures(sessions, 'returned', figureOptions, true);
  const dropping = modeFigures(sessions, 'botsDrop', figureOptions, true);
  const headline = sessions.map((s) => s.returned);
  const items = scoredItems(headline);
  const distinctScores = new Set(items.map((i) => i.score));
  const perReasonAuc = Object.fromEntries(
    REASON_CODES.map((reason) => [
      reason,
      round4(
        rocAuc(
          headline
            .filter((r) => r.score !== null)
            .map((r) => ({ score: r.reasons.has(reason) ? 1 : 0, bot: r.bot })),
        ),
      ),
    ]),
  );
  const requestItems = headline.flatMap((r) =>
    r.requestScores.map((score) => ({ score, bot: r.bot })),
  );
  const sessionCurve = curve(items, SESSION_THRESHOLDS).map((point) => ({
    ...point,
    requestsFlagged: requestItems.filter((i) => i.score >= point.threshold).length,
    requestsTotal: requestItems.length,
  }));
  const evaluatedWindows = perFileCounts
    .filter((f) => Number.isFinite(f.startMs))
    .map((f) => ({ file: f.file, startMs: f.startMs, endMs: f.endMs }));

  const result = {
    ...returned.figures,
    human_sessions: items.filter((i) => !i.bot).length,
    unscored_sessions: headline.filter((r) => r.score === null).length,
    model: options.model.version,
    model_placeholder: options.model.placeholder,
    settings: options.settings ?? {},
    labeller: options.labeller,
    labels_file: options.labels !== undefined,
    // Scored sessions whose label differs from what v1 (the old labeller) gives them.
    relabelled_vs_v1: relabelled,
    lines,
    malformed_lines: malformed,
    split: options.split ?? null,
    // human_fpr_at_threshold: flagged human sessions / human sessions at this threshold (the edge
    // default unless --threshold).
    threshold,
    fpr_budget: FPR_BUDGET,
    bootstrap: {
      resamples,
      seed,
      method: 'sessions resampled with replacement; 2.5th and 97.5th percentiles',
      degenerate: returned.bootstrap.degenerate,
    },
    distinct_session_scores: distinctScores.size,
    all_sessions_scored_equal: distinctScores.size === 1,
    with_cookie_dropping: {
      ...dropping.figures,
      bootstrap_degenerate: dropping.bootstrap.degenerate,
    },
    per_file: perFileCounts.map((f, i) => {
      const subset = sessions.filter((s) => s.file === i);
      const r = modeFigures(subset, 'returned', figureOptions, false);
      const d = modeFigures(subset, 'botsDrop', figureOptions, false);
      return {
        file: f.file,
        lines: f.lines,
        malformed_lines: f.malformed,
        window: Number.isFinite(f.startMs)
          ? { start: new Date(f.startMs).toISOString(), end: new Date(f.endMs).toISOString() }
          : null,
        ...r.figures,
        with_cookie_dropping: d.figures,
      };
    }),
    per_reason_auc: perReasonAuc,
    thresholds: sessionCurve.map((p) => ({
      threshold: p.threshold,
      sessions_flagged: p.flagged,
      bots: p.flaggedBots,
      humans: p.flaggedHumans,
      precision: round4(p.precision),
      recall: round4(p.recall),
      fpr: round4(p.fpr),
      requests_flagged: p.requestsFlagged,
    })),
    warnings: trainingOverlapWarnings(options.modelDocument, evaluatedWindows),
  };
  return { result, sessions, sessionCurve, items };
}

export type EvaluationResult = Awaited<ReturnType<typeof evaluateLogs>>['result'];

/**
 * The flagged-session list: one JSON object per session whose score reaches the threshold under
 * either cookie assumption.
 */
export function flaggedSessionLines(
  sessions: readonly EvaluatedSession[],
  inputs: readonly string[],
  threshold: number,
): string[] {
  const lines: string[] = [];
  for (const s of sessions) {
    const returned = s.returned.score ?? -1;
    const dropped = s.botsDrop.score ?? -1;
    if (returned < threshold && dropped < threshold) continue;
    lines.push(
      JSON.stringify({
        file: basename(inputs[s.file] ?? String(s.file)),
        client: s.key.startsWith('sid:') ? s.key : s.ip,
        user_agent: s.userAgent,
        label: s.bot ? 'bot' : 'human',
        first_request: new Date(s.firstTimeMs).toISOString(),
        score: s.returned.score,
        reasons: [...s.returned.reasons],
        score_if_bots_drop_cookies: s.botsDrop.score,
        reasons_if_bots_drop_cookies: [...s.botsDrop.reasons],
        requests: s.returned.requests,
        scored_requests: s.returned.scoredRequests,
        paths: s.paths,
      }),
    );
  }
  return lines;
}
