/**
 * The last validation layer before any VCL leaves the repository: falco lint of the snippets
 * assembled into a main VCL (falco compiles regexes as PCRE, as Fastly does). Shared by
 * `npm run vcl` and the operator CLI (`npm run ops -- vcl …`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFalco, lintVcl } from '../lib/falco.mjs';
import type { Snippet } from './facts.js';
import { assembleMainVcl } from './harness.js';
import { VclValidationError } from './options.js';

/**
 * Throws VclValidationError when falco is missing or reports an error. `scorerBackend`: the
 * generator's option of that name, so the harness declares the backend the snippets use.
 */
export function lintSnippets(snippets: Snippet[], scorerBackend?: string): void {
  const falco: string | null = findFalco();
  if (!falco)
    throw new VclValidationError(
      'falco is not installed: run `node scripts/lib/falco.mjs --install` (builds it from the Go module proxy)',
    );
  const dir = mkdtempSync(join(tmpdir(), 'scorer-vcl-'));
  try {
    writeFileSync(join(dir, 'main.vcl'), assembleMainVcl(snippets, { scorerBackend }));
    const lint: { ok: boolean; output: string } = lintVcl(falco, join(dir, 'main.vcl'));
    if (!lint.ok)
      throw new VclValidationError(`falco lint rejected the assembled VCL:\n${lint.output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
