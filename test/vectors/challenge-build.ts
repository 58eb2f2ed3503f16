/**
 * Builds test/vectors/challenge.json (written by test/vectors/generate.ts, checked for freshness by
 * test/scorer-core/challenge.test.ts).
 *
 * Independence: every token, MAC and work hash here is made with node:crypto (createHmac,
 * createHash) and Buffer, following docs/challenge.md, not with scorer-core. Keys, session ids
 * and salts are fixed, made-up test values (dev-only).
 */
import { createHash, createHmac } from 'node:crypto';

const bytesFrom = (start: number, length: number) =>
  Buffer.from(Array.from({ length }, (_, i) => (start + i * 5) & 0xff));

const KEY = bytesFrom(0x21, 32);
const SESSION = bytesFrom(0x90, 16);
const OTHER_SESSION = bytesFrom(0x91, 16);
const T0 = 1_795_000_000; // 2026-11-18T10:13:20Z
const LABEL = Buffer.from('session-scorer challenge\0', 'utf8');

function body(
  version: number,
  difficultyBits: number,
  issuedAtS: number,
  expiresAtS: number,
  salt: Buffer,
): Buffer {
  const out = Buffer.alloc(22);
  out[0] = version;
  out[1] = difficultyBits;
  out.writeUInt32BE(issuedAtS, 2);
  out.writeUInt32BE(expiresAtS, 6);
  salt.copy(out, 10);
  return out;
}
const mac = (session: Buffer, tokenBody: Buffer) =>
  createHmac('sha256', KEY)
    .update(Buffer.concat([LABEL, session, tokenBody]))
    .digest();
const token = (session: Buffer, tokenBody: Buffer) =>
  Buffer.concat([tokenBody, mac(session, tokenBody)]).toString('base64url');
const workHash = (text: string, counter: number) =>
  createHash('sha256').update(`${text}.${counter}`, 'utf8').digest();
function zeroBits(hash: Buffer): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) bits += 8;
    else return bits + Math.clz32(byte) - 24;
  }
  return bits;
}
const solve = (text: string, bits: number) => {
  let counter = 0;
  while (zeroBits(workHash(text, counter)) < bits) counter++;
  return counter;
};

export function buildChallengeVectors() {
  const DIFFICULTY = 10;
  const LIFETIME = 300;
  const salt = bytesFrom(0x3c, 12);
  const issuedBody = body(1, DIFFICULTY, T0, T0 + LIFETIME, salt);
  const issued = token(SESSION, issuedBody);
  const counter = solve(issued, DIFFICULTY);
  // The first counter below the solution that does not meet the difficulty (0 unless the solution is 0).
  let weak = 0;
  while (zeroBits(workHash(issued, weak)) >= DIFFICULTY) weak++;
  const macBytes = mac(SESSION, issuedBody);
  const tag = macBytes.readUInt32BE(0);
  const forged = Buffer.from(issued, 'base64url');
  forged[forged.length - 1]! ^= 0x01;
  const harder = Buffer.from(issued, 'base64url');
  harder[1] = 4; // difficulty lowered by the client: the MAC covers it
  const v2Body = body(2, DIFFICULTY, T0, T0 + LIFETIME, salt);
  const v2 = token(SESSION, v2Body);
  const fresh = { challengePassedAtS: null, challengeTag: 0 };
  const t = (s: number, ms = 0) => s * 1000 + ms;

  const cases = [
    {
      name: 'solved',
      description: 'the issued token and its smallest solution, a second after issue',
      token: issued,
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: true, tag },
    },
    {
      name: 'last-millisecond',
      description: 'submitted 1 ms before expiresAtS: still valid',
      token: issued,
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + LIFETIME) - 1,
      state: fresh,
      expect: { ok: true, tag },
    },
    {
      name: 'expired',
      description: 'submitted exactly at expiresAtS',
      token: issued,
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + LIFETIME),
      state: fresh,
      expect: { ok: false, reason: 'expired' },
    },
    {
      name: 'wrong-session',
      description: "a correct solution submitted with another session's cookie",
      token: issued,
      counter: String(counter),
      session: 'other',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: false, reason: 'mac-mismatch' },
    },
    {
      name: 'forged-mac',
      description: 'last MAC bit flipped',
      token: forged.toString('base64url'),
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: false, reason: 'mac-mismatch' },
    },
    {
      name: 'difficulty-lowered',
      description: 'difficulty byte changed to 4 by the client',
      token: harder.toString('base64url'),
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: false, reason: 'mac-mismatch' },
    },
    {
      name: 'insufficient-work',
      description: `counter ${weak}: its hash has fewer than ${DIFFICULTY} leading zero bits`,
      token: issued,
      counter: String(weak),
      session: 'own',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: false, reason: 'insufficient-work' },
    },
    {
      name: 'replayed',
      description: 'the session already passed this very challenge (its tag is recorded)',
      token: issued,
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + 5),
      state: { challengePassedAtS: T0 + 2, challengeTag: tag },
      expect: { ok: false, reason: 'replayed' },
    },
    {
      name: 'issued-before-pass',
      description: 'the session passed another challenge after this one was issued',
      token: issued,
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + 5),
      state: { challengePassedAtS: T0 + 1, challengeTag: (tag ^ 1) >>> 0 },
      expect: { ok: false, reason: 'replayed' },
    },
    {
      name: 'passed-earlier',
      description: 'a pass before this challenge was issued does not block it',
      token: issued,
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + 5),
      state: { challengePassedAtS: T0 - 60, challengeTag: (tag ^ 1) >>> 0 },
      expect: { ok: true, tag },
    },
    {
      name: 'unknown-version',
      description: 'token version 2 with a valid MAC',
      token: v2,
      counter: String(solve(v2, DIFFICULTY)),
      session: 'own',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: false, reason: 'version' },
    },
    {
      name: 'counter-leading-zero',
      description: 'counter with a leading zero',
      token: issued,
      counter: `0${counter}`,
      session: 'own',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: false, reason: 'malformed' },
    },
    {
      name: 'counter-negative',
      description: 'counter -1',
      token: issued,
      counter: '-1',
      session: 'own',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: false, reason: 'malformed' },
    },
    {
      name: 'token-truncated',
      description: 'last character missing',
      token: issued.slice(0, -1),
      counter: String(counter),
      session: 'own',
      nowMs: t(T0 + 1),
      state: fresh,
      expect: { ok: false, reason: 'malformed' },
    },
  ];
  return {
    comment:
      'Generated by test/vectors/generate.ts (npm run vectors) from ' +
      'test/vectors/challenge-build.ts; do not edit. HMAC and SHA-256 by node:crypto, dev-only key.',
    key: KEY.toString('hex'),
    sessionId: SESSION.toString('hex'),
    otherSessionId: OTHER_SESSION.toString('hex'),
    issue: {
      nowMs: t(T0, 400),
      difficultyBits: DIFFICULTY,
      lifetimeS: LIFETIME,
      salt: salt.toString('hex'),
      macInput: Buffer.concat([LABEL, SESSION, issuedBody]).toString('hex'),
      mac: macBytes.toString('hex'),
      token: issued,
    },
    solution: {
      counter,
      workHash: workHash(issued, counter).toString('hex'),
      leadingZeroBits: zeroBits(workHash(issued, counter)),
    },
    cases,
  };
}
