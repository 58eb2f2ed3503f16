/**
 * Where the shared real access logs are (not in the repository; licences in
 * ../shared/data/README.md): $SCORER_SHARED_DATA, else ../shared/data beside the repository.
 * Locally a missing directory skips the suites that need it, with a notice; in CI (CI set) it
 * fails them, so CI always runs them (.ci/run sets SCORER_SHARED_DATA).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

export const SHARED_DATA = resolve(process.env.SCORER_SHARED_DATA ?? join(ROOT, '../shared/data'));

/** True when the shared logs are present; throws in CI when they are not; warns otherwise. */
export function sharedDataAvailable(what: string): boolean {
  if (existsSync(join(SHARED_DATA, 'semicomplete-2015-apache.log'))) return true;
  const message = `${what} needs the shared real logs in ${SHARED_DATA} (set SCORER_SHARED_DATA)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n[skipped] ${message}\n`);
  return false;
}
