/**
 * What the learners train on: rows of raw feature values (as decide() reports them), a 0/1 label
 * and a weight per row. Rows are plain arrays of equal length; the learners never reorder them,
 * so the same rows in the same order give the same model bit for bit.
 */
export interface Dataset {
  rows: readonly (readonly number[])[];
  /** 1 = bot, 0 = human. */
  labels: readonly number[];
  /** Per-row weight (> 0); omitted = 1 each. */
  weights?: readonly number[];
}

export function checkDataset(data: Dataset): { n: number; d: number; weights: readonly number[] } {
  const n = data.rows.length;
  if (n === 0) throw new Error('dataset: no rows');
  if (data.labels.length !== n)
    throw new Error(`dataset: ${data.labels.length} labels for ${n} rows`);
  if (data.weights && data.weights.length !== n)
    throw new Error(`dataset: ${data.weights.length} weights for ${n} rows`);
  const d = data.rows[0]!.length;
  for (let i = 0; i < n; i++) {
    const row = data.rows[i]!;
    if (row.length !== d)
      throw new Error(`dataset: row ${i} has ${row.length} features, expected ${d}`);
    for (let j = 0; j < d; j++)
      if (!Number.isFinite(row[j]!))
        throw new Error(`dataset: row ${i} feature ${j} is ${row[j]}, expected a finite number`);
    const y = data.labels[i];
    if (y !== 0 && y !== 1) throw new Error(`dataset: label ${i} is ${y}, expected 0 or 1`);
    if (data.weights && !(data.weights[i]! > 0))
      throw new Error(`dataset: weight ${i} is ${data.weights[i]}, expected > 0`);
  }
  return { n, d, weights: data.weights ?? new Array<number>(n).fill(1) };
}

export const sigmoid = (z: number): number =>
  z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));

/** Weighted mean log-loss of margins against labels (the quantity both learners minimise, before regularisation). */
export function logLoss(
  margins: readonly number[],
  labels: readonly number[],
  weights?: readonly number[],
): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < margins.length; i++) {
    const w = weights?.[i] ?? 1;
    const z = margins[i]!;
    // log(1 + e^z) − y·z, computed without overflow.
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    sum += w * (softplus - labels[i]! * z);
    total += w;
  }
  return sum / total;
}
