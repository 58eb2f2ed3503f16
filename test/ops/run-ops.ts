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
  /** stdout, then stderr. */
  all: string;
}

/** What a test changes in a run; the rest is the runner's default. */
export interface RunOverrides {
  /** Set over the stand-in's environment; a name set to undefined is removed. */
  env?: Record<string, string | undefined>;
  /** Default: 2026-12-01 12:00 UTC. */
  now?: () => number;
  /** Default: node:crypto's random bytes. */
  randomBytes?: (length: number) => Uint8Array;
  /** Default: returns at once. */
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

/**
 * A function running the CLI in-process, as `npm run ops -- ARGS` would. With a stand-in, the
 * environment names its token, URL and service and an audit file in `dir`; without one (null),
 * only `overrides.env`. Overrides given as a function are read again for every run.
 */
export function opsRunner(
  standin: (() => FastlyApiStandin) | null,
  dir: (() => string) | null,
  overrides: RunOverrides | (() => RunOverrides) = {},
) {
  return async (...argv: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const options = typeof overrides === 'function' ? overrides() : overrides;
    const api = standin?.();
    const env: Record<string, string | undefined> = {
      ...(api && {
        FASTLY_API_TOKEN: api.token,
        FASTLY_API_URL: api.url,
        FASTLY_SERVICE_ID: api.serviceId,
      }),
      ...(dir && { SCORER_OPS_AUDIT_FILE: join(dir(), 'audit.jsonl') }),
      ...options.env,
    };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
    const code = await runOps(argv, {
      env,
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      now: options.now ?? (() => Date.UTC(2026, 11, 1, 12)),
      randomBytes: options.randomBytes ?? ((n) => new Uint8Array(randomBytes(n))),
      sleep: options.sleep ?? (async () => {}),
      readFile: (path) => readFileSync(path, 'utf8'),
      ...(options.fetch && { fetch: options.fetch }),
      osUser: 'tester',
    });
    return {
      code,
      out: out.join('\n'),
      err: err.join('\n'),
      all: `${out.join('\n')}\n${err.join('\n')}`,
    };
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

/**
 * The app's view of the stand-in's stores: what a scorer linked to them would read. Its rate
 * counters and penalty box are FAKES that always answer 0 / absent, so a test over it says
 * "counters fake" in its name.
 */
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
