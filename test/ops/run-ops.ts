/**
 * Runs the operator CLI in-process (the runOps the `npm run ops` entry runs) against a stand-in
 * for the Fastly API, with an injected clock and sleep, and the scorer app over the stand-in's
 * stores: what a Compute service linked to them would answer.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import { createApp } from '../../src/app.js';
import { prepareDefaults } from '../../src/config/defaults.js';
import { STORE_NAMES } from '../../src/edge-contract.js';
import type { Platform } from '../../src/platform.js';
import { runOps } from '../../scripts/ops/cli.js';
import type { FastlyApiStandin } from '../../scripts/ops/standin/fastly-api-standin.js';

export interface Run {
  code: number;
  out: string;
  err: string;
}

export function opsRunner(standin: () => FastlyApiStandin, dir: () => string) {
  return async (...argv: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const api = standin();
    const code = await runOps(argv, {
      env: {
        FASTLY_API_TOKEN: api.token,
        FASTLY_API_URL: api.url,
        FASTLY_SERVICE_ID: api.serviceId,
        SCORER_OPS_AUDIT_FILE: join(dir(), 'audit.jsonl'),
      },
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      now: () => Date.UTC(2026, 11, 1, 12),
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      sleep: async () => {},
      readFile: (path) => readFileSync(path, 'utf8'),
      osUser: 'tester',
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
}

export function auditLines(dir: string): Record<string, unknown>[] {
  try {
    return readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

/** The app's view of the stand-in's stores: what a scorer linked to them would read. */
export function platformOver(standin: FastlyApiStandin, nowMs: () => number): Platform {
  return {
    config: (key) => standin.configItem(STORE_NAMES.config, key),
    secret: async (key) => standin.secretText(STORE_NAMES.secrets, key),
    kvText: async (key) => standin.kvValue(STORE_NAMES.models, key),
    // The operator CLI never touches the edge rate limiter: a scorer over it counts nothing.
    rateCounter: () => ({ increment: () => {}, lookupCount: () => 0, lookupRate: () => 0 }),
    penaltyBox: () => ({ add: () => {}, has: () => false }),
    log: () => {},
    now: nowMs,
    sha256: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    hmacSha256: async (key, message) =>
      new Uint8Array(createHmac('sha256', key).update(message).digest()),
  };
}

/** The scorer app over the stand-in's stores. */
export function scorerOver(standin: FastlyApiStandin, nowMs: () => number) {
  return createApp(platformOver(standin, nowMs), prepareDefaults(defaultModel));
}

/** A preflight as the VCL sends it: the client's method and path, the caller secret. */
export const preflight = (
  app: ReturnType<typeof scorerOver>,
  path: string,
  callerSecret: string,
  cookie?: string,
) =>
  app.handle(
    new Request(`http://scorer.test${path}`, {
      headers: {
        'x-scorer-original-method': 'GET',
        'x-scorer-auth': callerSecret,
        'user-agent': 'Mozilla/5.0 test',
        'fastly-client-ip': '192.0.2.1',
        ...(cookie ? { cookie: `ss_session=${cookie}` } : {}),
      },
    }),
  );
