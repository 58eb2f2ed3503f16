// Types for check-line-length.mjs (plain ESM: `npm run format:check` runs it without a TypeScript step).
export const LINE_LIMIT: number;
export const EXCEPTION_REST: number;
export function isUnbreakable(line: string): boolean;
export function longLines(text: string, limit?: number): { line: number; characters: number }[];
export function checkedFiles(root: string): string[];
