/**
 * The scorer's own routes, under /.scorer/: the one list the app routes and the VCL generator
 * skips (exactly these paths, so `/.scorer/%2e%2e/page` is scored like any page).
 */
import { CHALLENGE_PATH, CHALLENGE_VERIFY_PATH } from './challenge/paths.js';

export const HEALTH_PATH = '/.scorer/health';

export const SCORER_ROUTES: readonly string[] = [
  HEALTH_PATH,
  CHALLENGE_PATH,
  CHALLENGE_VERIFY_PATH,
];
