/**
 * L2-regularised logistic regression by Newton's method (iteratively reweighted least squares).
 * Features are standardised internally (mean 0, standard deviation 1, so one penalty fits all
 * scales) and the result is folded back into raw-feature weights and a bias: the scorer applies
 * `bias + Σ weights[i]·x[i]` to the values decide() reports, with no standardisation step.
 *
 * Objective: weighted mean log-loss + (l2 / 2)·‖β‖² over the standardised weights (the bias is not
 * penalised). A constant feature gets weight 0. Deterministic: fixed iteration order, no randomness.
 */
import { checkDataset, sigmoid, type Dataset } from './dataset.js';

export interface LogisticSettings {
  /** Penalty on the standardised weights; larger = smaller weights. */
  l2: number;
  maxIterations: number;
  /** Stop when no standardised coefficient moves by more than this. */
  tolerance: number;
}

export const DEFAULT_LOGISTIC_SETTINGS: LogisticSettings = {
  l2: 1e-3,
  maxIterations: 50,
  tolerance: 1e-9,
};

export interface LogisticModel {
  bias: number;
  weights: number[];
  iterations: number;
}

export function fitLogistic(
  data: Dataset,
  overrides: Partial<LogisticSettings> = {},
): LogisticModel {
  const settings = { ...DEFAULT_LOGISTIC_SETTINGS, ...overrides };
  if (!(settings.l2 > 0))
    throw new Error(
      `logistic: l2 is ${settings.l2}, expected > 0 (the Newton step needs it with constant features)`,
    );
  const { n, d, weights: w } = checkDataset(data);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += w[i]!;

  // Standardisation (weighted, so it matches the objective).
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) mean[j]! += (w[i]! * data.rows[i]![j]!) / totalWeight;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++)
      scale[j]! += (w[i]! * (data.rows[i]![j]! - mean[j]!) ** 2) / totalWeight;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!);
  const z = data.rows.map((row) =>
    row.map((x, j) => (scale[j]! > 0 ? (x - mean[j]!) / scale[j]! : 0)),
  );

  const objective = (t: readonly number[]): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let margin = t[0]!;
      for (let j = 0; j < d; j++) margin += t[j + 1]! * z[i]![j]!;
      const softplus =
        margin > 0 ? margin + Math.log1p(Math.exp(-margin)) : Math.log1p(Math.exp(margin));
      sum += (w[i]! / totalWeight) * (softplus - data.labels[i]! * margin);
    }
    let penalty = 0;
    for (let a = 1; a < t.length; a++) penalty += t[a]! ** 2;
    return sum + (settings.l2 / 2) * penalty;
  };

  // θ = [bias, β…]; Newton: θ ← θ − H⁻¹ g.
  const p = d + 1;
  const theta = new Array<number>(p).fill(0);
  let iterations = 0;
  for (; iterations < settings.maxIterations;) {
    iterations++;
    const gradient = new Array<number>(p).fill(0);
    const hessian = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const x = new Array<number>(p);
    x[0] = 1;
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      let margin = theta[0]!;
      for (let j = 0; j < d; j++) margin += theta[j + 1]! * zi[j]!;
      const prob = sigmoid(margin);
      const wi = w[i]! / totalWeight;
      const r = wi * (prob - data.labels[i]!);
      const h = wi * prob * (1 - prob);
      for (let j = 0; j < d; j++) x[j + 1] = zi[j]!;
      for (let a = 0; a < p; a++) {
        gradient[a]! += r * x[a]!;
        const hxa = h * x[a]!;
        if (hxa === 0) continue;
        const row = hessian[a]!;
        for (let b = 0; b <= a; b++) row[b]! += hxa * x[b]!;
      }
    }
    for (let a = 1; a < p; a++) {
      gradient[a]! += settings.l2 * theta[a]!;
      hessian[a]![a]! += settings.l2;
    }
    // A tiny ridge on the bias keeps H positive definite when every row is one class.
    hessian[0]![0]! += 1e-12;
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) hessian[a]![b] = hessian[b]![a]!;
    const step = solveCholesky(hessian, gradient);
    // Backtracking: a full Newton step can overshoot on nearly separable data; halve it until
    // the objective does not rise.
    const before = objective(theta);
    let fraction = 1;
    let candidate = theta.map((t, a) => t - step[a]!);
    for (let halvings = 0; halvings < 30 && objective(candidate) > before; halvings++) {
      fraction /= 2;
      candidate = theta.map((t, a) => t - fraction * step[a]!);
    }
    let largest = 0;
    for (let a = 0; a < p; a++) largest = Math.max(largest, Math.abs(candidate[a]! - theta[a]!));
    for (let a = 0; a < p; a++) theta[a] = candidate[a]!;
    if (largest < settings.tolerance) break;
  }

  // Fold the standardisation back: β_j·(x_j − μ_j)/σ_j = (β_j/σ_j)·x_j − β_j·μ_j/σ_j.
  let bias = theta[0]!;
  const weights = new Array<number>(d).fill(0);
  for (let j = 0; j < d; j++) {
    if (scale[j]! === 0) continue;
    weights[j] = theta[j + 1]! / scale[j]!;
    bias -= (theta[j + 1]! * mean[j]!) / scale[j]!;
  }
  return { bias, weights, iterations };
}

export function logisticMargin(
  model: Pick<LogisticModel, 'bias' | 'weights'>,
  row: readonly number[],
): number {
  let margin = model.bias;
  for (let j = 0; j < model.weights.length; j++) margin += model.weights[j]! * row[j]!;
  return margin;
}

/** Solves A·x = b for symmetric positive-definite A (Cholesky, A = L·Lᵀ). */
export function solveCholesky(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error(`cholesky: matrix not positive definite at ${i}`);
        l[i]![i] = Math.sqrt(sum);
      } else l[i]![j] = sum / l[j]![j]!;
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
    y[i] = sum / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}
