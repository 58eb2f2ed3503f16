/**
 * npm run ops -- <command> [options]: the operator CLI (scripts/ops/cli.ts; docs/operators.md).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { runOps } from './cli.js';

const osUser = (() => {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
})();

process.exitCode = await runOps(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text + '\n'),
  stderr: (text) => process.stderr.write(text + '\n'),
  now: () => Date.now(),
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
  sleep: (ms) => sleep(ms),
  readFile: (path) => readFileSync(path, 'utf8'),
  osUser,
});
