// Types for viceroy.mjs (plain ESM: `.ci/run` and the build call it without a TypeScript step).
export const ROOT: string;
export const VICEROY_VERSION: string;
export const INSTALL_HELP: string;
export const WEVAL_HELP: string;
export function findViceroy(): string | null;
export function ensureViceroy(options?: { install?: boolean }): string;
export function findWeval(): string | null;
export function buildWasm(entry: string, output: string, options?: { aot?: boolean }): number;
export function buildFailureMessage(error: unknown): string;
export function freePort(): Promise<number>;
export interface RunningViceroy {
  url: string;
  output: string[];
  stop(): Promise<void>;
}
export function startViceroy(options: {
  bin: string;
  manifest: string;
  wasm: string;
  port: number;
  timeoutMs?: number;
}): Promise<RunningViceroy>;
