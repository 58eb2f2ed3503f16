/**
 * An in-memory Platform for driving the app through handle(request) on Node. It stands in for
 * the Fastly stores, edge rate counters and log endpoints; the real ones are exercised on the
 * wasm under Viceroy (test/edge), except the rate counters, which Viceroy only stubs.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Platform } from '../../src/platform.js';

export interface FakePlatformOptions {
  config?: Record<string, string> | 'unavailable';
  secrets?: Record<string, string> | 'unavailable';
  kv?: Record<string, string> | 'unavailable';
  nowMs?: number;
}

export interface FakePlatform extends Platform {
  logs: { endpoint: string; line: string }[];
  newSessionCounts: Map<string, number>;
  cookieUseCounts: Map<string, number>;
  clock: { nowMs: number };
}

export function fakePlatform(options: FakePlatformOptions = {}): FakePlatform {
  const clock = { nowMs: options.nowMs ?? 1_795_000_000_000 };
  const logs: { endpoint: string; line: string }[] = [];
  const newSessionCounts = new Map<string, number>();
  const cookieUseCounts = new Map<string, number>();
  const store = <T>(value: Record<string, string> | 'unavailable' | undefined, name: string) => (key: string): T => {
    if (value === 'unavailable') throw new Error(`${name} store is not linked to this service`);
    return (value?.[key] ?? null) as T;
  };
  const configGet = store<string | null>(options.config, 'config');
  const secretGet = store<string | null>(options.secrets, 'secret');
  const kvGet = store<string | null>(options.kv, 'kv');
  const bump = (map: Map<string, number>, key: string) => {
    const next = (map.get(key) ?? 0) + 1;
    map.set(key, next);
    return next;
  };
  return {
    logs,
    newSessionCounts,
    cookieUseCounts,
    clock,
    config: configGet,
    secret: async (key) => secretGet(key),
    kvText: async (key) => kvGet(key),
    countNewSession: (key) => bump(newSessionCounts, key),
    countCookieUse: (key) => bump(cookieUseCounts, key),
    log: (endpoint, line) => void logs.push({ endpoint, line: line() }),
    now: () => clock.nowMs,
    // node:crypto, independent of scorer-core's SHA-256, so the app tests compare two implementations.
    sha256: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    hmacSha256: async (key, message) => new Uint8Array(createHmac('sha256', key).update(message).digest()),
  };
}

/** DEV-ONLY test secrets. */
export const TEST_CALLER_SECRET = 'test-caller-secret-0123456789abcdef';
export const TEST_KEY_HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
export const TEST_KEY2_HEX = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';
export const TEST_CHALLENGE_KEY_HEX = '0c0c0c0c1d1d1d1d2e2e2e2e3f3f3f3f4a4a4a4a5b5b5b5b6c6c6c6c7d7d7d7d';
export const testSecrets = (keys: object = { active: 1, keys: [{ id: 1, key: TEST_KEY_HEX }] }) => ({
  cookie_keys: JSON.stringify(keys),
  caller_secret: TEST_CALLER_SECRET,
  challenge_key: TEST_CHALLENGE_KEY_HEX,
});
