// Types for falco.mjs (plain ESM so `node scripts/lib/falco.mjs --install` runs without a build).
export function findFalco(): string | null;
export function ensureFalco(): string;
export function lintVcl(
  falco: string,
  mainVcl: string,
  includePaths?: string[],
): { ok: boolean; output: string };
export function testVcl(
  falco: string,
  mainVcl: string,
  includePaths?: string[],
): { status: number | null; stdout: string; stderr: string };
