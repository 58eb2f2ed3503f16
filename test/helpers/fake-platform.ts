/**
 * An in-memory Platform for driving the app through handle(request) on Node. It stands in for
 * the Fastly stores, the edge rate counters and penalty boxes, and the log endpoints; the real
 * stores and log endpoints are exercised on the wasm under Viceroy (test/edge), the counters and
 * boxes only here, since Viceroy stubs them (counts 0, boxes empty).
 *
 * The counters and boxes follow Fastly's documented behaviour on the platform's virtual clock:
 * counts in whole-second buckets (a 60 s lookup at second S counts increments stamped in seconds
 * S−59 … S), penalty-box entries for whole minutes, and, when told to lag, increments and entries
 * that become visible only `visibleAfterMs` later and counts that under-count by `underCount`
 * (Fastly: "may under count by up to 10 %"). Log lines are built after the response, as on Fastly:
 * reading `logs` builds the pending ones.
 */
import { createHash, createHmac } from 'node:crypto';
import type {
  CountDurationS,
  EdgePenaltyBox,
  EdgeRateCounter,
  Platform,
  RateWindowS,
} from '../../src/platform.js';

export interface FakeEdgeBehaviour {
  /** Increments and penalty-box entries become visible this long after they are made (eventual consistency). */
  visibleAfterMs?: number;
  /** Fraction a count falls short by (0–0.1 on Fastly), rounded down. */
  underCount?: number;
}

export interface FakePlatformOptions {
  config?: Record<string, string> | 'unavailable';
  secrets?: Record<string, string> | 'unavailable';
  kv?: Record<string, string> | 'unavailable';
  nowMs?: number;
  /** 'unavailable': every counter and box call throws (Edge Rate Limiting not enabled). */
  edge?: FakeEdgeBehaviour | 'unavailable';
}

export interface FakeRateCounter extends EdgeRateCounter {
  /** Every increment of `entry` ever made, whatever the window (for assertions). */
  total(entry: string): number;
  /** Entries ever incremented. */
  entries(): string[];
}

export interface FakePenaltyBox extends EdgePenaltyBox {
  entries(): string[];
}

export interface FakePlatform extends Platform {
  /** Lines written so far; reading it builds the lines still pending. */
  readonly logs: { endpoint: string; line: string }[];
  /** Lines logged but not built yet. */
  readonly pendingLogs: number;
  /** Every counter and box call, in order, as `name.method(entry)`: each is a host call on Fastly. */
  edgeCalls: string[];
  /** The counters and boxes themselves (the same objects rateCounter/penaltyBox return). */
  counter(name: string): FakeRateCounter;
  box(name: string): FakePenaltyBox;
  clock: { nowMs: number };
  edge: FakeEdgeBehaviour | 'unavailable';
}

const COUNT_DURATIONS = [10, 20, 30, 40, 50, 60];
const RATE_WINDOWS = [1, 10, 60];
/** Fastly's documented entry limit (VCL reference); js-compute's own check is not verified. */
const MAX_ENTRY_BYTES = 256;

export function fakePlatform(options: FakePlatformOptions = {}): FakePlatform {
  const clock = { nowMs: options.nowMs ?? 1_795_000_000_000 };
  const written: { endpoint: string; line: string }[] = [];
  const pending: { endpoint: string; line: () => string }[] = [];
  const edgeCalls: string[] = [];
  const store =
    <T>(value: Record<string, string> | 'unavailable' | undefined, name: string) =>
    (key: string): T => {
      if (value === 'unavailable') throw new Error(`${name} store is not linked to this service`);
      return (value?.[key] ?? null) as T;
    };
  const configGet = store<string | null>(options.config, 'config');
  const secretGet = store<string | null>(options.secrets, 'secret');
  const kvGet = store<string | null>(options.kv, 'kv');

  const counters = new Map<string, FakeRateCounter>();
  const boxes = new Map<string, FakePenaltyBox>();
  const platform: FakePlatform = {
    get logs() {
      for (const { endpoint, line } of pending.splice(0)) written.push({ endpoint, line: line() });
      return written;
    },
    get pendingLogs() {
      return pending.length;
    },
    edgeCalls,
    clock,
    edge: options.edge ?? {},
    counter: (name) => {
      let counter = counters.get(name);
      if (!counter) counters.set(name, (counter = fakeRateCounter(name, platform)));
      return counter;
    },
    box: (name) => {
      let box = boxes.get(name);
      if (!box) boxes.set(name, (box = fakePenaltyBox(name, platform)));
      return box;
    },
    config: configGet,
    secret: async (key) => secretGet(key),
    kvText: async (key) => kvGet(key),
    rateCounter: (name) => platform.counter(name),
    penaltyBox: (name) => platform.box(name),
    log: (endpoint, line) => void pending.push({ endpoint, line }),
    now: () => clock.nowMs,
    // node:crypto, independent of scorer-core's SHA-256, so the app tests compare two implementations.
    sha256: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    hmacSha256: async (key, message) =>
      new Uint8Array(createHmac('sha256', key).update(message).digest()),
  };
  return platform;
}

function behaviour(
  platform: FakePlatform,
  call: string,
): { visibleAfterMs: number; underCount: number } {
  platform.edgeCalls.push(call);
  if (platform.edge === 'unavailable')
    throw new Error('Edge Rate Limiting is not enabled for this service');
  return {
    visibleAfterMs: platform.edge.visibleAfterMs ?? 0,
    underCount: platform.edge.underCount ?? 0,
  };
}

function checkEntry(entry: string): void {
  if (typeof entry !== 'string' || Buffer.byteLength(entry) > MAX_ENTRY_BYTES)
    throw new TypeError(`entry: expected a string of at most ${MAX_ENTRY_BYTES} bytes`);
}

function fakeRateCounter(name: string, platform: FakePlatform): FakeRateCounter {
  const increments = new Map<string, { atMs: number; delta: number }[]>();
  /** Visible increments of `entry` stamped in the last `seconds` whole-second buckets, this second included. */
  const visibleSum = (
    entry: string,
    seconds: number,
    lag: { visibleAfterMs: number; underCount: number },
  ) => {
    const nowMs = platform.clock.nowMs;
    const firstSecond = Math.floor(nowMs / 1000) - seconds + 1;
    let sum = 0;
    for (const { atMs, delta } of increments.get(entry) ?? []) {
      if (Math.floor(atMs / 1000) >= firstSecond && atMs + lag.visibleAfterMs <= nowMs)
        sum += delta;
    }
    return Math.floor(sum * (1 - lag.underCount));
  };
  return {
    increment(entry, delta) {
      behaviour(platform, `${name}.increment(${entry})`);
      checkEntry(entry);
      if (typeof delta !== 'number' || !Number.isFinite(delta) || delta < 0)
        throw new TypeError('delta: expected a non-negative finite number');
      let list = increments.get(entry);
      if (!list) increments.set(entry, (list = []));
      list.push({ atMs: platform.clock.nowMs, delta });
    },
    lookupCount(entry, durationS: CountDurationS) {
      const lag = behaviour(platform, `${name}.lookupCount(${entry})`);
      checkEntry(entry);
      if (!COUNT_DURATIONS.includes(durationS))
        throw new TypeError('duration: expected 10, 20, 30, 40, 50 or 60');
      return visibleSum(entry, durationS, lag);
    },
    lookupRate(entry, windowS: RateWindowS) {
      const lag = behaviour(platform, `${name}.lookupRate(${entry})`);
      checkEntry(entry);
      if (!RATE_WINDOWS.includes(windowS)) throw new TypeError('window: expected 1, 10 or 60');
      return visibleSum(entry, windowS, lag) / windowS;
    },
    total: (entry) => (increments.get(entry) ?? []).reduce((sum, { delta }) => sum + delta, 0),
    entries: () => [...increments.keys()],
  };
}

function fakePenaltyBox(name: string, platform: FakePlatform): FakePenaltyBox {
  const entries = new Map<string, { visibleAtMs: number; expiresAtMs: number }>();
  return {
    add(entry, ttlMinutes) {
      const lag = behaviour(platform, `${name}.add(${entry})`);
      checkEntry(entry);
      if (typeof ttlMinutes !== 'number' || !(ttlMinutes >= 1 && ttlMinutes <= 60))
        throw new TypeError('timeToLive: expected a number between 1 and 60');
      const nowMs = platform.clock.nowMs;
      const current = entries.get(entry);
      const alive = current !== undefined && nowMs < current.expiresAtMs;
      entries.set(entry, {
        visibleAtMs: alive ? current.visibleAtMs : nowMs + lag.visibleAfterMs,
        expiresAtMs: nowMs + Math.trunc(ttlMinutes) * 60_000,
      });
    },
    has(entry) {
      behaviour(platform, `${name}.has(${entry})`);
      checkEntry(entry);
      const current = entries.get(entry);
      const nowMs = platform.clock.nowMs;
      return current !== undefined && nowMs >= current.visibleAtMs && nowMs < current.expiresAtMs;
    },
    entries: () => [...entries.keys()],
  };
}

/** DEV-ONLY test secrets. */
export const TEST_CALLER_SECRET = 'test-caller-secret-0123456789abcdef';
export const TEST_KEY_HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
export const TEST_KEY2_HEX = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';
export const TEST_CHALLENGE_KEY_HEX =
  '0c0c0c0c1d1d1d1d2e2e2e2e3f3f3f3f4a4a4a4a5b5b5b5b6c6c6c6c7d7d7d7d';
export const testSecrets = (
  keys: object = { active: 1, keys: [{ id: 1, key: TEST_KEY_HEX }] },
) => ({
  cookie_keys: JSON.stringify(keys),
  caller_secret: TEST_CALLER_SECRET,
  challenge_key: TEST_CHALLENGE_KEY_HEX,
});
