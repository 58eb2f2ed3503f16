/**
 * What every configuration reader answers: the value, or the fail-open reason (x-scorer-error,
 * docs/headers.md) with a one-line detail for the audit log and the health report.
 */
import type { FailOpenReason } from '../edge-contract.js';

export interface Failure {
  ok: false;
  reason: FailOpenReason;
  detail: string;
}

export type Loaded<T> = { ok: true; value: T } | Failure;

export const fail = (reason: FailOpenReason, detail: string): Failure => ({
  ok: false,
  reason,
  detail,
});
