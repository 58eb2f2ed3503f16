import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA as SHARED, sharedDataAvailable } from '../helpers/shared-data.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const hasShared = sharedDataAvailable('the default-model reproducibility test');

describe.runIf(hasShared)(
  'shipped default model (needs the shared real logs in ../shared/data or SCORER_SHARED_DATA)',
  () => {
    it('npm run model:check retrains it from the shared logs byte for byte', () => {
      const run = spawnSync(
        process.execPath,
        [
          'scripts/lib/run-ts.mjs',
          'scripts/training/default-model.ts',
          '--check',
          '--data',
          SHARED,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect(run.status, run.stderr + run.stdout).toBe(0);
      expect(run.stdout).toContain('byte for byte');
    }, 120_000);
  },
);
