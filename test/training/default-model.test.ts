import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
// The shared real logs are not in the repository (licences: ../shared/data/README.md). A checkout
// beside them (../shared/data) or SCORER_SHARED_DATA runs this; a CI clone elsewhere skips it.
const SHARED = resolve(process.env.SCORER_SHARED_DATA ?? join(ROOT, '../shared/data'));
const hasShared = existsSync(join(SHARED, 'semicomplete-2015-apache.log'));
if (!hasShared) console.warn(`\n[default-model reproducibility test skipped] needs the shared real logs in ${SHARED} (or SCORER_SHARED_DATA)\n`);

describe.runIf(hasShared)('shipped default model (needs the shared real logs in ../shared/data or SCORER_SHARED_DATA)', () => {
  it('npm run model:check retrains it from the shared logs byte for byte', () => {
    const run = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'scripts/default-model.ts', '--check', '--data', SHARED], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('byte for byte');
  }, 120_000);
});
