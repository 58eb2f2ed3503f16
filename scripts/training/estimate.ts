/**
 * Estimates the Layer 2 model from labelled sessions with exactly the scorer-core classifier:
 * page views only (sub-resources skipped), visits split by the same gap the scorer uses, entry
 * and transition counts from human sessions, additive smoothing, and the human baseline of
 * per-transition surprisal under the estimated model.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_SETTINGS,
  loadModel,
  MODEL_FORMAT,
  OTHER_CLASS,
  type Classifier,
  type ModelDocument,
} from '@session-scorer/core';
import type { LogSession } from './sessionize.js';

export interface EstimatorOptions {
  classifier: Classifier;
  /** Additive (Laplace) smoothing pseudo-count per cell. */
  alpha?: number;
  visitGapMs?: number;
}

export class TransitionCounter {
  readonly states: string[];
  private readonly index: Map<string, number>;
  readonly initial: number[];
  readonly matrix: number[][];
  transitions = 0;
  sessions = 0;

  constructor(private readonly options: EstimatorOptions) {
    const pageClasses = options.classifier.classes.filter(
      (c) => options.classifier.isPageView(c) && c !== OTHER_CLASS,
    );
    this.states = [...pageClasses, OTHER_CLASS];
    this.index = new Map(this.states.map((s, i) => [s, i]));
    this.initial = this.states.map(() => 0);
    this.matrix = this.states.map(() => this.states.map(() => 0));
  }

  /** Adds one human session's page views. */
  add(session: LogSession): void {
    const gap = this.options.visitGapMs ?? DEFAULT_SETTINGS.session.visitGapS * 1000;
    let steps = 0;
    let previous: { index: number; timeMs: number } | null = null;
    for (const request of session.requests) {
      const pageClass = this.options.classifier.classify(request.method, request.path);
      if (!this.options.classifier.isPageView(pageClass)) continue;
      const to = this.index.get(pageClass) ?? this.index.get(OTHER_CLASS)!;
      if (previous === null || request.timeMs - previous.timeMs > gap) {
        this.initial[to]!++;
      } else {
        this.matrix[previous.index]![to]!++;
      }
      steps++;
      previous = { index: to, timeMs: request.timeMs };
    }
    if (steps > 0) {
      this.transitions += steps;
      this.sessions++;
    }
  }

  /** The smoothed model document (validated by scorer-core's loadModel before it is returned). */
  toModel(meta: {
    createdAt: string;
    inputs: unknown[];
    windowStartMs: number;
    windowEndMs: number;
    counts: Record<string, number>;
    labeller?: string;
  }): ModelDocument {
    const alpha = this.options.alpha ?? 1;
    const normalise = (row: number[]) => {
      const total = row.reduce((a, b) => a + b, 0) + alpha * row.length;
      return row.map((count) => (count + alpha) / total);
    };
    const initial = normalise(this.initial);
    const matrix = this.matrix.map(normalise);
    // Baseline: surprisal of every human transition under this model, from the counts alone (so
    // memory does not grow with the input).
    let sum = 0;
    let sumSquares = 0;
    let n = 0;
    const add = (count: number, probability: number) => {
      const bits = -Math.log2(probability);
      sum += count * bits;
      sumSquares += count * bits * bits;
      n += count;
    };
    this.initial.forEach((count, to) => add(count, initial[to]!));
    this.matrix.forEach((row, from) => row.forEach((count, to) => add(count, matrix[from]![to]!)));
    const meanBits = n > 0 ? sum / n : Math.log2(this.states.length);
    const stdBits = n > 1 ? Math.sqrt(Math.max(1e-9, sumSquares / n - meanBits * meanBits)) : 1;
    const content = JSON.stringify([this.states, initial, matrix, meanBits, stdBits]);
    const contentSha256 = createHash('sha256').update(content).digest('hex');
    const doc: ModelDocument = {
      format: MODEL_FORMAT,
      version: `trained-${meta.createdAt.slice(0, 10).replace(/-/g, '')}-${contentSha256.slice(0, 8)}`,
      description: `Trained on ${this.sessions} human sessions (${n} transitions) with the scorer-core classifier.`,
      states: this.states,
      initial,
      matrix,
      smoothing: { method: 'additive', alpha },
      baseline: { meanBits, stdBits, transitions: n },
      training: {
        createdAt: meta.createdAt,
        ...(meta.labeller ? { labeller: meta.labeller } : {}),
        contentSha256,
        inputs: meta.inputs,
        window: {
          start: new Date(meta.windowStartMs).toISOString(),
          end: new Date(meta.windowEndMs).toISOString(),
        },
        counts: {
          ...meta.counts,
          humanSessions: this.sessions,
          humanTransitions: n,
          entryCounts: this.initial,
          transitionCounts: this.matrix,
        },
      },
    };
    loadModel(doc); // throws with a clear message if anything is off
    return doc;
  }
}
