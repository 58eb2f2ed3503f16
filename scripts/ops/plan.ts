/**
 * Every mutating command first reads what it needs, then builds a plan: the exact list of API
 * requests it will send, with diffs. `--dry-run` prints the plan and stops; otherwise the plan
 * runs in order and stops at the first failure, saying which steps were applied.
 */
import { FastlyApiError, type ApiRequest, type FastlyApi, type Method } from './fastly-api.js';
import { bodyFields, REDACTED } from './redact.js';

export interface Step {
  /** What the request does, for people. */
  title: string;
  request: ApiRequest;
  /** A unified diff of what the request changes (snippet content, item values). */
  diff?: string;
  /**
   * Checked right before the request is sent (after any wait): a message aborts the plan. Guards
   * read-modify-write steps against a change made meanwhile (another operator, a slow wait).
   */
  precondition?: () => Promise<string | null>;
  /** Store the response's `number` as `{new}` for later paths (a version clone). */
  capturesVersion?: boolean;
  /** A check on the response: a message makes the step fail (e.g. Fastly's version validation). */
  check?: (response: unknown) => string | null;
  /** Wait this long before the step (propagation of an earlier step). */
  waitBeforeMs?: number;
}

/** A step as a failure reports it: its title, method and path, never its body (it may hold a secret). */
export interface StepRecord {
  title: string;
  method: Method;
  /** The path as sent (`{new}` replaced once a version was cloned). */
  path: string;
}

export const stepRecord = (step: Step, path = step.request.path): StepRecord => ({
  title: step.title,
  method: step.request.method,
  path,
});

export class PlanError extends Error {
  readonly applied: StepRecord[];
  readonly failed: StepRecord;
  constructor(
    message: string,
    applied: readonly StepRecord[],
    failed: StepRecord,
    readonly newVersion: number | null,
  ) {
    super(message);
    this.name = 'PlanError';
    this.applied = [...applied];
    this.failed = failed;
  }
}

export const NEW_VERSION = '{new}';

/** The request as the plan prints it; its secret fields (request.secretFields) show as <redacted>. */
export function describeRequest(step: Step): string {
  const { request } = step;
  const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
  const lines = [`${request.method} ${request.path}${query}`];
  const fields = bodyFields(request);
  const secret = new Set(request.secretFields ?? []);
  if (fields) {
    for (const [name, value] of Object.entries(fields)) {
      if (secret.has(name)) lines.push(`    ${name}=${REDACTED}`);
      else if (name === 'content' && step.diff !== undefined)
        lines.push(`    ${name}=<${String(value).length} characters, diff below>`);
      else lines.push(`    ${name}=${printable(String(value))}`);
    }
  } else if (secret.size > 0 && (request.json !== undefined || request.raw !== undefined)) {
    // Secret fields in a body without named fields: nothing of it can be shown.
    lines.push(`    body=${REDACTED}`);
  } else if (request.json !== undefined) {
    lines.push(`    ${printable(JSON.stringify(request.json))}`);
  } else if (request.raw !== undefined) {
    lines.push(`    body=${printable(request.raw)}`);
  }
  return lines.join('\n');
}

// Long values (a model document) are shortened; shorter ones (an index, an item) print whole.
const printable = (text: string) => {
  const flat = text.replace(/\n/g, '\\n');
  return flat.length > 2000 ? `${flat.slice(0, 300)}… (${flat.length} characters)` : flat;
};

export function formatPlan(steps: Step[]): string {
  if (steps.length === 0) return 'plan: nothing to change';
  const out = [`plan: ${steps.length} request${steps.length === 1 ? '' : 's'}`];
  steps.forEach((step, i) => {
    if (step.waitBeforeMs)
      out.push(
        `  (wait ${Math.round(step.waitBeforeMs / 1000)} s for the previous change to propagate)`,
      );
    out.push(`  ${i + 1}. ${step.title}`);
    out.push(describeRequest(step).replace(/^/gm, '     '));
    if (step.diff) out.push(step.diff.replace(/^/gm, '       '));
  });
  return out.join('\n');
}

export interface ExecuteOptions {
  sleep: (ms: number) => Promise<void>;
  /** Called after each applied step. */
  progress?: (step: Step, index: number) => void;
}

/** Runs the steps in order; throws PlanError at the first failure. Returns the captured version. */
export async function executePlan(
  api: FastlyApi,
  steps: Step[],
  options: ExecuteOptions,
): Promise<{ newVersion: number | null }> {
  let newVersion: number | null = null;
  const applied: StepRecord[] = [];
  for (const [index, step] of steps.entries()) {
    if (step.waitBeforeMs) await options.sleep(step.waitBeforeMs);
    const refused = step.precondition ? await step.precondition() : null;
    if (refused)
      throw new PlanError(
        `step ${index + 1} (${step.title}) not sent: ${refused}`,
        applied,
        stepRecord(step),
        newVersion,
      );
    const path = step.request.path.replaceAll(NEW_VERSION, String(newVersion ?? NEW_VERSION));
    if (path.includes(NEW_VERSION))
      throw new PlanError(
        `step ${index + 1} needs a cloned version, but no step cloned one`,
        applied,
        stepRecord(step),
        newVersion,
      );
    let response: unknown;
    try {
      response = await api.call({ ...step.request, path });
    } catch (error) {
      const why =
        error instanceof FastlyApiError
          ? error.message
          : error instanceof Error
            ? error.message
            : String(error);
      throw new PlanError(
        `step ${index + 1} (${step.title}) failed: ${why}`,
        applied,
        stepRecord(step, path),
        newVersion,
      );
    }
    if (step.capturesVersion) {
      const number = Number((response as { number?: unknown })?.number);
      if (!Number.isInteger(number) || number <= 0)
        throw new PlanError(
          `step ${index + 1} (${step.title}) answered no version number`,
          applied,
          stepRecord(step, path),
          newVersion,
        );
      newVersion = number;
    }
    const problem = step.check?.(response);
    if (problem)
      throw new PlanError(
        `step ${index + 1} (${step.title}) failed: ${problem}`,
        applied,
        stepRecord(step, path),
        newVersion,
      );
    applied.push(stepRecord(step, path));
    options.progress?.(step, index);
  }
  return { newVersion };
}

/**
 * A unified diff of two texts (line based, longest common subsequence), with three lines of
 * context. Snippets are a few hundred lines, so the quadratic table is small.
 */
export function unifiedDiff(before: string, after: string, labels: [string, string]): string {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] =
        a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  type Op = { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', text: a[i]!, ai: i++, bi: j++ });
    // Deletions before insertions, as diff(1) prints them.
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push({ kind: '-', text: a[i]!, ai: i++, bi: j });
    else ops.push({ kind: '+', text: b[j]!, ai: i, bi: j++ });
  }
  if (ops.every((op) => op.kind === ' ')) return '';
  const CONTEXT = 3;
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.kind === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    // Extend the hunk while changes are within 2 × CONTEXT lines of each other.
    for (let last = k; end < ops.length; end++) {
      if (ops[end]!.kind !== ' ') last = end;
      else if (end - last > 2 * CONTEXT) break;
    }
    end = Math.min(ops.length, end);
    while (end > k && ops[end - 1]!.kind === ' ' && end - 1 > lastChange(ops, start, end) + CONTEXT)
      end--;
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((op) => op.kind !== '+').length;
    const bCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(
      `@@ -${hunk[0]!.ai + (aCount ? 1 : 0)},${aCount} +${hunk[0]!.bi + (bCount ? 1 : 0)},${bCount} @@`,
    );
    for (const op of hunk) out.push(`${op.kind}${op.text}`);
    k = end;
  }
  return out.join('\n');
}

function lastChange(ops: { kind: string }[], from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (ops[i]!.kind !== ' ') return i;
  return from;
}
