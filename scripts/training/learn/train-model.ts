/**
 * The training pipeline behind `npm run train` (scripts/training/train.ts), as a function so the figures
 * script can retrain without a process per run: read the training part, estimate the Layer 2
 * Markov model on human sessions, replay the part through decide() in time order with declared bots
 * dropping cookies, fit the learned combiner (fit-combiner.ts), and return the versioned model.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import {
  createClassifier,
  DEFAULT_CLASSIFIER,
  loadModel,
  type FeatureName,
  type ModelDocument,
} from '@session-scorer/core';
import { TransitionCounter } from '../estimate.js';
import { readSessions, splitTimes, type InputCounts } from '../input.js';
import { LABELLERS, type Label, type LabellerName } from '../labels.js';
import { createReplayScorer, exclusionRegex, replayPart, type ReplayItem } from '../replay.js';
import {
  fitCombiner,
  type FitOptions,
  type FitResult,
  type LearnerKind,
  type SessionInfo,
} from './fit-combiner.js';

export interface TrainOptions {
  inputs: string[];
  labels?: Map<string, Label>;
  /** How sessions without a --labels entry are labelled from their User-Agent (labels.ts). */
  labeller: LabellerName;
  alpha: number;
  /** Train on the first fraction of each input's time window. */
  split?: number;
  /** ISO time: fixes the creation time and the version's date. */
  createdAt: string;
  combiner: LearnerKind | 'auto' | 'none';
  features: readonly FeatureName[];
  /** Learner settings (defaults: learn/logistic.ts, learn/trees.ts, fit-combiner.ts). */
  fit?: Pick<FitOptions, 'logistic' | 'trees' | 'rowWeight' | 'validationFraction'>;
  /** Recorded in the combiner's provenance. */
  droppedFamilies?: readonly string[];
}

export interface TrainResult {
  model: ModelDocument;
  counts: InputCounts & { peakOpen: number };
  fit: FitResult | null;
  rows: number;
}

export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { inputs, alpha, split, createdAt, features } = options;
  const counter = new TransitionCounter({
    classifier: createClassifier(DEFAULT_CLASSIFIER),
    alpha,
  });
  const items: ReplayItem[] = [];
  const counts = await readSessions({
    inputs,
    ...(options.labels ? { labels: options.labels } : {}),
    labeller: LABELLERS[options.labeller],
    ...(split !== undefined
      ? { split: { timesMs: await splitTimes(inputs, split), keep: 'before' as const } }
      : {}),
    onSession: (session, label, input) => {
      if (label === 'human') counter.add(session);
      items.push({ session, bot: label === 'bot', input });
    },
  });
  if (counter.sessions === 0)
    throw new Error('no human session with a page view in the input: nothing to train on');

  const { windowStartMs, windowEndMs, peakOpen, perInput, ...rest } = counts;
  const inputRecords = [];
  for (const [i, path] of inputs.entries()) {
    const w = perInput[i]!;
    inputRecords.push({
      file: basename(path),
      sha256: await sha256(path),
      lines: w.lines,
      // The part of this file that was trained on (after the split).
      records: w.records,
      window:
        w.records > 0
          ? {
              start: new Date(w.windowStartMs).toISOString(),
              end: new Date(w.windowEndMs).toISOString(),
            }
          : null,
    });
  }
  const model = counter.toModel({
    createdAt,
    inputs: inputRecords,
    windowStartMs,
    windowEndMs,
    counts: { ...rest, ...(split !== undefined ? { split } : {}) },
    labeller: options.labeller,
  });
  if (options.combiner === 'none')
    return { model, counts: { ...rest, peakOpen }, fit: null, rows: 0 };

  // Sessions in a fixed order (input, first request time, key) so neither the replay nor the fit
  // depends on the order the sessionizer happened to finish them.
  items.sort(
    (a, b) =>
      (a.input ?? 0) - (b.input ?? 0) ||
      a.session.requests[0]!.timeMs - b.session.requests[0]!.timeMs ||
      (a.session.key < b.session.key ? -1 : a.session.key > b.session.key ? 1 : 0),
  );
  const { results, rows } = replayPart(createReplayScorer(loadModel(model)), items, {
    mode: 'bots-drop',
    exclude: exclusionRegex(),
    collectFeatures: true,
  });
  const sessions: SessionInfo[] = results.map((r) => ({
    bot: r.bot,
    input: r.input ?? 0,
    startMs: r.startMs ?? 0,
  }));
  if (!rows.some((r) => r.bot) || !rows.some((r) => !r.bot))
    throw new Error(
      'the training part needs scored requests of both bot and human sessions to fit a combiner ' +
        '(or pass --combiner none)',
    );
  const fit = fitCombiner(rows, sessions, { ...options.fit, kind: options.combiner, features });
  fit.combiner.training = {
    ...fit.combiner.training,
    replay: { cookies: 'bots-drop', droppedFamilies: [...(options.droppedFamilies ?? [])] },
  };
  model.combiner = fit.combiner;
  // The version and content hash cover the combiner too: a retrained combiner is a new model.
  const training = model.training as { contentSha256: string };
  const content = JSON.stringify([
    model.states,
    model.initial,
    model.matrix,
    model.baseline.meanBits,
    model.baseline.stdBits,
    model.combiner,
  ]);
  training.contentSha256 = createHash('sha256').update(content).digest('hex');
  model.version = `trained-${createdAt.slice(0, 10).replace(/-/g, '')}-${training.contentSha256.slice(0, 8)}`;
  loadModel(model); // throws with a clear message if anything is off
  return { model, counts: { ...rest, peakOpen }, fit, rows: rows.length };
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
