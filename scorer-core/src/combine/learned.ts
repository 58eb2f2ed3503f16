/**
 * The learned combiner: how the signal features combine into a score, fitted by `npm run train`
 * and carried in the model document's `combiner` field. Two kinds, both microseconds in the wasm:
 * logistic (a weight per feature) and trees (a few shallow gradient-boosted trees). A raw margin
 * becomes a 0–100 score through the document's `scoreMap`, calibrated at training on human
 * sessions (docs/model.md). Reasons are the features with the largest positive contributions.
 * @module
 */
import { ScorerError } from '../_internal.js';
import type { ReasonCode } from '../reasons.js';
import { FEATURE_NAMES, FEATURE_REASONS, type FeatureName } from '../signals/features.js';

export interface ScoreMapDocument {
  /** Strictly increasing raw margins. */
  margins: number[];
  /** Integer scores 0–100, non-decreasing, one per margin; interpolated linearly, clamped at both ends. */
  scores: number[];
}

export interface LogisticCombinerDocument {
  kind: 'logistic';
  /** Names from FEATURE_NAMES, in the order of `weights`. */
  features: string[];
  bias: number;
  weights: number[];
  scoreMap: ScoreMapDocument;
  training?: Record<string, unknown>;
}

/**
 * Trees as parallel node arrays. Node i is a leaf when feature[i] is -1; otherwise go to left[i]
 * when x[feature[i]] <= threshold[i], else to right[i]. value[i] is the node's prediction had it
 * been a leaf (for internal nodes too): reasons attribute each split's change of value to its feature.
 */
export interface TreeDocument {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface TreesCombinerDocument {
  kind: 'trees';
  features: string[];
  base: number;
  trees: TreeDocument[];
  scoreMap: ScoreMapDocument;
  training?: Record<string, unknown>;
}

export type CombinerDocument = LogisticCombinerDocument | TreesCombinerDocument;

export interface LearnedScore {
  margin: number;
  score: number;
  /** Reasons of the features that raised the margin most, largest first (at most MAX_LEARNED_REASONS, deduplicated). */
  reasons: ReasonCode[];
}

export interface Combiner {
  readonly kind: 'logistic' | 'trees';
  readonly features: readonly FeatureName[];
  /** Scores a full feature vector (FEATURE_NAMES order). */
  evaluate(vector: ArrayLike<number>): LearnedScore;
}

export const MAX_LEARNED_REASONS = 3;
/** A contribution below this (in margin units) is too small to be called a reason. */
export const MIN_REASON_CONTRIBUTION = 0.25;
const MAX_TREES = 500;
const MAX_NODES = 255;
const MAX_MAP_POINTS = 101;

function fail(message: string): never {
  throw new ScorerError('INVALID_MODEL', `invalid model: combiner.${message}`);
}

const finite = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

function checkNumbers(where: string, value: unknown, length?: number): number[] {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length))
    fail(
      `${where} expected an array${length !== undefined ? ` of ${length} numbers` : ''}, ` +
        `got ${Array.isArray(value) ? `length=${value.length}` : typeof value}`,
    );
  value.forEach(
    (v, i) => finite(v) || fail(`${where}[${i}] is ${JSON.stringify(v)}, expected a finite number`),
  );
  return value as number[];
}

function loadScoreMap(doc: unknown): (margin: number) => number {
  if (doc === null || typeof doc !== 'object') fail('scoreMap expected { margins, scores }');
  const { margins, scores } = doc as ScoreMapDocument;
  checkNumbers('scoreMap.margins', margins);
  if (margins.length < 2 || margins.length > MAX_MAP_POINTS)
    fail(`scoreMap.margins expected 2 to ${MAX_MAP_POINTS} points, got ${margins.length}`);
  checkNumbers('scoreMap.scores', scores, margins.length);
  for (let i = 0; i < margins.length; i++) {
    if (i > 0 && !(margins[i]! > margins[i - 1]!))
      fail(`scoreMap.margins must increase strictly (index ${i})`);
    if (!Number.isInteger(scores[i]) || scores[i]! < 0 || scores[i]! > 100)
      fail(`scoreMap.scores[${i}] is ${scores[i]}, expected an integer 0–100`);
    if (i > 0 && scores[i]! < scores[i - 1]!)
      fail(`scoreMap.scores must not decrease (index ${i})`);
  }
  const m = Float64Array.from(margins);
  const s = Float64Array.from(scores);
  const last = m.length - 1;
  return (margin) => {
    if (!(margin > m[0]!)) return s[0]!;
    if (margin >= m[last]!) return s[last]!;
    let i = 1;
    while (margin > m[i]!) i++;
    const t = (margin - m[i - 1]!) / (m[i]! - m[i - 1]!);
    return Math.round(s[i - 1]! + t * (s[i]! - s[i - 1]!));
  };
}

function loadFeatures(doc: unknown): { names: FeatureName[]; indexes: Int32Array } {
  if (!Array.isArray(doc) || doc.length === 0 || doc.length > FEATURE_NAMES.length)
    fail(`features expected 1 to ${FEATURE_NAMES.length} feature names`);
  const seen = new Set<string>();
  const indexes = new Int32Array(doc.length);
  doc.forEach((name, i) => {
    const index = FEATURE_NAMES.indexOf(name as FeatureName);
    if (index < 0)
      fail(
        `features[${i}] ${JSON.stringify(name)} is not a feature this scorer computes ` +
          `(known: ${FEATURE_NAMES.join(', ')})`,
      );
    if (seen.has(name)) fail(`features[${i}] ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
    indexes[i] = index;
  });
  return { names: doc as FeatureName[], indexes };
}

/** Turns per-feature contributions into reason codes: positive, above the floor, largest first, one per code. */
function topReasons(names: readonly FeatureName[], contributions: Float64Array): ReasonCode[] {
  const order: number[] = [];
  for (let i = 0; i < contributions.length; i++)
    if (contributions[i]! >= MIN_REASON_CONTRIBUTION) order.push(i);
  order.sort((a, b) => contributions[b]! - contributions[a]! || a - b);
  const reasons: ReasonCode[] = [];
  for (const i of order) {
    const reason = FEATURE_REASONS[names[i]!];
    if (!reasons.includes(reason)) reasons.push(reason);
    if (reasons.length === MAX_LEARNED_REASONS) break;
  }
  return reasons;
}

/** Validates a `combiner` document and prepares it. Throws ScorerError('INVALID_MODEL') naming the field. */
export function loadCombiner(doc: unknown): Combiner {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('expected an object');
  const kind = (doc as CombinerDocument).kind;
  const { names, indexes } = loadFeatures((doc as CombinerDocument).features);
  const toScore = loadScoreMap((doc as CombinerDocument).scoreMap);
  const n = names.length;
  const contributions = new Float64Array(n);

  if (kind === 'logistic') {
    const { bias, weights } = doc as LogisticCombinerDocument;
    if (!finite(bias)) fail(`bias is ${JSON.stringify(bias)}, expected a finite number`);
    const w = [...checkNumbers('weights', weights, n)];
    return Object.freeze({
      kind,
      features: Object.freeze([...names]),
      evaluate(vector: ArrayLike<number>): LearnedScore {
        let margin = bias;
        for (let i = 0; i < n; i++) {
          const c = w[i]! * vector[indexes[i]!]!;
          contributions[i] = c;
          margin += c;
        }
        const score = toScore(margin);
        return { margin, score, reasons: score > 0 ? topReasons(names, contributions) : [] };
      },
    });
  }

  if (kind === 'trees') {
    const { base, trees } = doc as TreesCombinerDocument;
    if (!finite(base)) fail(`base is ${JSON.stringify(base)}, expected a finite number`);
    if (!Array.isArray(trees) || trees.length === 0 || trees.length > MAX_TREES)
      fail(`trees expected 1 to ${MAX_TREES} trees`);
    const checked = trees.map((tree, t) => {
      if (tree === null || typeof tree !== 'object')
        fail(`trees[${t}] expected { feature, threshold, left, right, value }`);
      const feature = checkNumbers(`trees[${t}].feature`, tree.feature);
      const size = feature.length;
      if (size === 0 || size > MAX_NODES)
        fail(`trees[${t}] expected 1 to ${MAX_NODES} nodes, got ${size}`);
      const threshold = checkNumbers(`trees[${t}].threshold`, tree.threshold, size);
      const left = checkNumbers(`trees[${t}].left`, tree.left, size);
      const right = checkNumbers(`trees[${t}].right`, tree.right, size);
      const value = checkNumbers(`trees[${t}].value`, tree.value, size);
      for (let i = 0; i < size; i++) {
        const f = feature[i]!;
        if (f === -1) continue;
        if (!Number.isInteger(f) || f < 0 || f >= n)
          fail(`trees[${t}].feature[${i}] is ${f}, expected -1 (leaf) or an index below ${n}`);
        // Children after their parent: no cycles, and every walk ends at a leaf.
        for (const [side, child] of [
          ['left', left[i]!],
          ['right', right[i]!],
        ] as const) {
          if (!Number.isInteger(child) || child <= i || child >= size)
            fail(`trees[${t}].${side}[${i}] is ${child}, expected a node index in (${i}, ${size})`);
        }
      }
      return { feature, threshold, left, right, value };
    });
    // All trees in one set of flat arrays (child indexes made absolute), walked from each root:
    // no per-tree object or property load in the loop, which the wasm's interpreter pays for.
    const F: number[] = [];
    const T: number[] = [];
    const L: number[] = [];
    const R: number[] = [];
    const V: number[] = [];
    const roots: number[] = [];
    for (const tree of checked) {
      const offset = F.length;
      roots.push(offset);
      for (let i = 0; i < tree.feature.length; i++) {
        F.push(tree.feature[i]!);
        T.push(tree.threshold[i]!);
        L.push(tree.feature[i] === -1 ? -1 : offset + tree.left[i]!);
        R.push(tree.feature[i] === -1 ? -1 : offset + tree.right[i]!);
        V.push(tree.value[i]!);
      }
    }
    const treeCount = roots.length;
    return Object.freeze({
      kind,
      features: Object.freeze([...names]),
      evaluate(vector: ArrayLike<number>): LearnedScore {
        // Plain arrays, not typed ones: in the wasm's interpreter an Array read costs a fraction of
        // a typed-array read (bench:edge --floor). Contributions take a second walk, only for a
        // score above 0, so the common path is one walk per tree.
        const x: number[] = [];
        for (let i = 0; i < n; i++) x.push(vector[indexes[i]!]!);
        let margin = base;
        for (let t = 0; t < treeCount; t++) {
          let node = roots[t]!;
          let f = F[node]!;
          while (f !== -1) {
            node = x[f]! <= T[node]! ? L[node]! : R[node]!;
            f = F[node]!;
          }
          margin += V[node]!;
        }
        const score = toScore(margin);
        if (score === 0) return { margin, score, reasons: [] };
        contributions.fill(0);
        for (let t = 0; t < treeCount; t++) {
          let node = roots[t]!;
          let f = F[node]!;
          while (f !== -1) {
            const next = x[f]! <= T[node]! ? L[node]! : R[node]!;
            contributions[f] = contributions[f]! + V[next]! - V[node]!;
            node = next;
            f = F[node]!;
          }
        }
        return { margin, score, reasons: topReasons(names, contributions) };
      },
    });
  }
  fail(`kind is ${JSON.stringify(kind)}, expected "logistic" or "trees"`);
}
