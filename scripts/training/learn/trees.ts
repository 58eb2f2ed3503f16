/**
 * Gradient-boosted shallow regression trees on the log-loss (Newton leaves, as in XGBoost),
 * small enough to apply at the edge in microseconds: depth ≤ 3, a few dozen trees.
 *
 * - Thresholds come from quantile bins of each feature (at most `bins` − 1 cut points, each the
 *   midpoint between two adjacent distinct values), so the search is a histogram pass per node.
 * - A node splits on the (feature, cut) with the largest gain
 *   G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) (g, h: weighted gradient and hessian of the log-loss),
 *   when both children keep at least `minChildWeight` of hessian and the gain exceeds `minGain`.
 * - A node holds −shrinkage·G/(H+λ) of its rows (internal nodes too: the scorer names reasons
 *   from the change of value along the path); the leaf's is what the margin adds.
 * - The margin is base + Σ leaf values, base = the weighted log-odds of the labels.
 *
 * The output is the model document's layout: per tree, parallel arrays in pre-order; node i is a
 * leaf when feature[i] === −1; otherwise x[feature[i]] <= threshold[i] goes to left[i], else
 * right[i]. Deterministic: features and cuts are scanned in order and only a strictly larger gain
 * replaces the best, so ties go to the first feature and the lowest cut.
 */
import { checkDataset, sigmoid, type Dataset } from './dataset.js';

export interface TreeSettings {
  trees: number;
  maxDepth: number;
  shrinkage: number;
  /** Most bins per feature (cut points = bins − 1). */
  bins: number;
  /** λ: L2 penalty on leaf values. */
  lambda: number;
  minChildWeight: number;
  minGain: number;
}

export const DEFAULT_TREE_SETTINGS: TreeSettings = {
  trees: 60,
  maxDepth: 3,
  shrinkage: 0.2,
  bins: 32,
  lambda: 1,
  minChildWeight: 1e-3,
  minGain: 1e-7,
};

export interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface TreeEnsemble {
  base: number;
  trees: Tree[];
}

/** Cut points of one feature from weighted quantiles of its distinct values. */
export function quantileCuts(
  values: readonly number[],
  weights: readonly number[],
  bins: number,
): number[] {
  const byValue = new Map<number, number>();
  for (let i = 0; i < values.length; i++)
    byValue.set(values[i]!, (byValue.get(values[i]!) ?? 0) + weights[i]!);
  const distinct = [...byValue.keys()].sort((a, b) => a - b);
  if (distinct.length <= 1) return [];
  if (distinct.length <= bins) return distinct.slice(1).map((v, k) => midpoint(distinct[k]!, v));
  let total = 0;
  for (const v of distinct) total += byValue.get(v)!;
  const cuts: number[] = [];
  let cumulative = 0;
  let next = 1;
  for (let k = 0; k < distinct.length - 1; k++) {
    cumulative += byValue.get(distinct[k]!)!;
    // Cut after this value once the cumulative weight passes the next quantile.
    if (cumulative >= (next * total) / bins) {
      cuts.push(midpoint(distinct[k]!, distinct[k + 1]!));
      while (next * total <= cumulative * bins) next++;
    }
  }
  return cuts;
}

const midpoint = (a: number, b: number): number => a + (b - a) / 2;

export function fitTrees(data: Dataset, overrides: Partial<TreeSettings> = {}): TreeEnsemble {
  const s = { ...DEFAULT_TREE_SETTINGS, ...overrides };
  if (!(s.maxDepth >= 1 && s.trees >= 1 && s.bins >= 2 && s.shrinkage > 0 && s.lambda >= 0))
    throw new Error(`trees: invalid settings ${JSON.stringify(s)}`);
  const { n, d, weights: w } = checkDataset(data);
  const y = data.labels;

  const cuts: number[][] = [];
  // binned[j][i]: the bin of row i for feature j (number of cuts below the value).
  const binned: Uint16Array[] = [];
  for (let j = 0; j < d; j++) {
    const column = data.rows.map((row) => row[j]!);
    const c = quantileCuts(column, w, s.bins);
    cuts.push(c);
    const b = new Uint16Array(n);
    for (let i = 0; i < n; i++) b[i] = upperBound(c, column[i]!);
    binned.push(b);
  }

  let positive = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    positive += w[i]! * y[i]!;
    total += w[i]!;
  }
  // Clamp the prior away from 0 and 1 so a one-class dataset still gives a finite base.
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, positive / total));
  const base = Math.log(prior / (1 - prior));
  const margin = new Float64Array(n).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: Tree[] = [];

  for (let t = 0; t < s.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin[i]!);
      g[i] = w[i]! * (p - y[i]!);
      h[i] = w[i]! * p * (1 - p);
    }
    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    grow(tree, all, 0);
    trees.push(tree);
    for (let i = 0; i < n; i++) margin[i]! += treeValue(tree, data.rows[i]!);
  }
  return { base, trees };

  /** Appends the node for `rows` (and its subtree) in pre-order; returns its index. */
  function grow(tree: Tree, rows: Uint32Array, depth: number): number {
    let G = 0;
    let H = 0;
    for (const i of rows) {
      G += g[i]!;
      H += h[i]!;
    }
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    // Every node keeps the value it would have as a leaf: the scorer attributes each split's
    // change of value to its feature when it names reasons. (+ 0 turns −0 into 0.)
    tree.value.push((-s.shrinkage * G) / (H + s.lambda) + 0);
    if (depth >= s.maxDepth) return node;

    const parentScore = (G * G) / (H + s.lambda);
    let bestGain = s.minGain;
    let bestFeature = -1;
    let bestCut = -1;
    for (let j = 0; j < d; j++) {
      const cutCount = cuts[j]!.length;
      if (cutCount === 0) continue;
      const gHist = new Float64Array(cutCount + 1);
      const hHist = new Float64Array(cutCount + 1);
      const bins = binned[j]!;
      for (const i of rows) {
        gHist[bins[i]!]! += g[i]!;
        hHist[bins[i]!]! += h[i]!;
      }
      let GL = 0;
      let HL = 0;
      for (let k = 0; k < cutCount; k++) {
        GL += gHist[k]!;
        HL += hHist[k]!;
        const HR = H - HL;
        if (HL < s.minChildWeight || HR < s.minChildWeight) continue;
        const GR = G - GL;
        const gain = (GL * GL) / (HL + s.lambda) + (GR * GR) / (HR + s.lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = j;
          bestCut = k;
        }
      }
    }
    if (bestFeature < 0) return node;

    const bins = binned[bestFeature]!;
    let leftCount = 0;
    for (const i of rows) if (bins[i]! <= bestCut) leftCount++;
    const leftRows = new Uint32Array(leftCount);
    const rightRows = new Uint32Array(rows.length - leftCount);
    let a = 0;
    let b = 0;
    for (const i of rows) {
      if (bins[i]! <= bestCut) leftRows[a++] = i;
      else rightRows[b++] = i;
    }
    tree.feature[node] = bestFeature;
    tree.threshold[node] = cuts[bestFeature]![bestCut]!;
    tree.left[node] = grow(tree, leftRows, depth + 1);
    tree.right[node] = grow(tree, rightRows, depth + 1);
    return node;
  }
}

/** Number of cuts strictly below x: x <= cuts[k] exactly when its bin is ≤ k. */
function upperBound(cuts: readonly number[], x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function treeValue(tree: Tree, row: readonly number[]): number {
  let i = 0;
  while (tree.feature[i]! !== -1)
    i = row[tree.feature[i]!]! <= tree.threshold[i]! ? tree.left[i]! : tree.right[i]!;
  return tree.value[i]!;
}

export function ensembleMargin(model: TreeEnsemble, row: readonly number[]): number {
  let margin = model.base;
  for (const tree of model.trees) margin += treeValue(tree, row);
  return margin;
}
