/**
 * The Layer 2 transition model: a row-stochastic Markov matrix over page classes, an initial
 * (entry page) distribution, and the human baseline of per-transition surprisal. Loading
 * validates everything and precomputes the surprisal table, so scoring is table look-ups.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ScorerError, utf8 } from './_internal.js';
import { loadCombiner, type Combiner, type CombinerDocument } from './combine/learned.js';
import { MAX_PAGE_CLASS_INDEX } from './state.js';

export const MODEL_FORMAT = 'session-scorer.markov/1';
/** The state every model has: classes the model does not know are scored as this one. */
export const OTHER_CLASS = 'other';
const ROW_SUM_TOLERANCE = 1e-6;

export interface ModelDocument {
  format: typeof MODEL_FORMAT;
  version: string;
  /** True for a model not trained on real traffic. */
  placeholder?: boolean;
  description?: string;
  states: string[];
  /** Probability of each state as a visit's first page view. */
  initial: number[];
  /** matrix[from][to]: probability that a page view of class `to` follows one of class `from`. */
  matrix: number[][];
  smoothing?: { method: string; alpha: number };
  /** Human per-transition surprisal, in bits. */
  baseline: { meanBits: number; stdBits: number; transitions: number };
  training?: Record<string, unknown>;
  /** How the signal features combine into a score, fitted by `npm run train`; absent = the hand-set rules alone. */
  combiner?: CombinerDocument;
}

export interface TransitionModel {
  readonly version: string;
  /** modelTag(document): the cookie's record of which model its accumulators belong to. */
  readonly tag: number;
  readonly placeholder: boolean;
  readonly states: readonly string[];
  readonly baseline: { readonly meanBits: number; readonly stdBits: number };
  /** State index for a page class; unknown classes map to `other`. */
  stateIndex(pageClass: string): number;
  /** Surprisal in millibits of entering `to` from `from`, or of a visit starting at `to` when `from` is null. */
  surprisalMilliBits(from: number | null, to: number): number;
  readonly document: ModelDocument;
  /** The learned combiner, or null when the document has none (the hand-set rules then decide alone). */
  readonly combiner: Combiner | null;
}

function fail(message: string): never {
  throw new ScorerError('INVALID_MODEL', `invalid model: ${message}`);
}

function checkDistribution(where: string, row: unknown, length: number): number[] {
  if (!Array.isArray(row) || row.length !== length)
    fail(
      `${where} expected an array of ${length} probabilities, ` +
        `got ${Array.isArray(row) ? `length=${row.length}` : typeof row}`,
    );
  let sum = 0;
  row.forEach((p, j) => {
    if (typeof p !== 'number' || !Number.isFinite(p))
      fail(`${where}[${j}] is ${JSON.stringify(p)}, expected a finite number`);
    if (p <= 0 || p > 1)
      fail(
        `${where}[${j}] is ${p}, expected a probability in (0, 1] (smoothing must leave no zero)`,
      );
    sum += p;
  });
  if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE)
    fail(`${where} sums to ${sum}, expected 1 (±${ROW_SUM_TOLERANCE})`);
  return row as number[];
}

/**
 * First 4 bytes of SHA-256 over the version and the numbers that scoring uses, so a retrained
 * model that kept its version string still restarts the sessions' accumulators.
 */
export function modelTag(
  doc: Pick<ModelDocument, 'version' | 'states' | 'initial' | 'matrix' | 'baseline'>,
): number {
  const content = JSON.stringify([
    doc.version,
    doc.states,
    doc.initial,
    doc.matrix,
    doc.baseline.meanBits,
    doc.baseline.stdBits,
  ]);
  const digest = sha256(utf8(content));
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

/** Validates a parsed model document (JSON) and prepares it for scoring. Throws ScorerError('INVALID_MODEL'). */
export function loadModel(input: unknown): TransitionModel {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    fail(`expected a JSON object, got ${input === null ? 'null' : typeof input}`);
  const doc = input as ModelDocument;
  if (doc.format !== MODEL_FORMAT)
    fail(`"format" is ${JSON.stringify(doc.format)}, expected ${JSON.stringify(MODEL_FORMAT)}`);
  if (typeof doc.version !== 'string' || doc.version.length === 0 || doc.version.length > 128)
    fail('"version" expected a string of 1 to 128 characters');
  if (
    !Array.isArray(doc.states) ||
    doc.states.length < 2 ||
    doc.states.length > MAX_PAGE_CLASS_INDEX + 1
  ) {
    fail(`"states" expected an array of 2 to ${MAX_PAGE_CLASS_INDEX + 1} class names`);
  }
  const seen = new Set<string>();
  doc.states.forEach((state, i) => {
    if (typeof state !== 'string' || state.length === 0)
      fail(`states[${i}] expected a non-empty string`);
    if (seen.has(state)) fail(`states[${i}] "${state}" is listed twice`);
    seen.add(state);
  });
  const otherIndex = doc.states.indexOf(OTHER_CLASS);
  if (otherIndex < 0) fail(`"states" must include "${OTHER_CLASS}"`);
  const n = doc.states.length;
  const initial = checkDistribution('initial', doc.initial, n);
  if (!Array.isArray(doc.matrix) || doc.matrix.length !== n)
    fail(
      `"matrix" expected ${n} rows, got ${Array.isArray(doc.matrix) ? doc.matrix.length : typeof doc.matrix}`,
    );
  const rows = doc.matrix.map((row, i) => checkDistribution(`matrix[${i}]`, row, n));
  const baseline = doc.baseline;
  if (baseline === null || typeof baseline !== 'object')
    fail('"baseline" expected { meanBits, stdBits, transitions }');
  if (
    typeof baseline.meanBits !== 'number' ||
    !Number.isFinite(baseline.meanBits) ||
    baseline.meanBits < 0
  )
    fail(
      `baseline.meanBits expected a finite number ≥ 0, got ${JSON.stringify(baseline.meanBits)}`,
    );
  if (
    typeof baseline.stdBits !== 'number' ||
    !Number.isFinite(baseline.stdBits) ||
    baseline.stdBits <= 0
  )
    fail(`baseline.stdBits expected a finite number > 0, got ${JSON.stringify(baseline.stdBits)}`);
  if (
    typeof baseline.transitions !== 'number' ||
    !Number.isInteger(baseline.transitions) ||
    baseline.transitions < 0
  )
    fail('baseline.transitions expected an integer ≥ 0');

  // Row 0 is the entry distribution; row 1 + i is matrix[i].
  const table = new Uint32Array((n + 1) * n);
  const toMilliBits = (p: number) => Math.round(-Math.log2(p) * 1000);
  initial.forEach((p, j) => (table[j] = toMilliBits(p)));
  rows.forEach((row, i) => row.forEach((p, j) => (table[(i + 1) * n + j] = toMilliBits(p))));
  const index = new Map(doc.states.map((state, i) => [state, i]));
  const combiner = doc.combiner === undefined ? null : loadCombiner(doc.combiner);

  return Object.freeze({
    version: doc.version,
    tag: modelTag(doc),
    placeholder: doc.placeholder === true,
    states: Object.freeze([...doc.states]),
    baseline: Object.freeze({ meanBits: baseline.meanBits, stdBits: baseline.stdBits }),
    stateIndex: (pageClass: string) => index.get(pageClass) ?? otherIndex,
    surprisalMilliBits: (from: number | null, to: number) =>
      table[(from === null ? 0 : from + 1) * n + to]!,
    document: doc,
    combiner,
  });
}
