/**
 * The proof of work: find a counter such that SHA-256(UTF-8(token "." counter)) starts with at
 * least `difficultyBits` zero bits. Expected cost 2^difficultyBits hashes to solve, one to check.
 * The challenge page's script (src/challenge/page.ts) does the same in the browser.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../_internal.js';

/** A counter as the browser sends it: a decimal integer, no sign, no leading zeros, at most 2^53 − 1. */
const COUNTER = /^(0|[1-9][0-9]{0,15})$/;

export function parseCounter(text: unknown): number | undefined {
  if (typeof text !== 'string' || !COUNTER.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Zero bits at the start of `bytes`, most significant bit of byte 0 first. */
export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** The hash a solution is judged by. */
export function workHash(token: string, counter: number): Uint8Array {
  return sha256(utf8(`${token}.${counter}`));
}

export function meetsDifficulty(token: string, counter: number, difficultyBits: number): boolean {
  return leadingZeroBits(workHash(token, counter)) >= difficultyBits;
}

/** The smallest counter that meets the difficulty (what an honest solver finds first). For tests and tools. */
export function solveWork(
  token: string,
  difficultyBits: number,
  maxTries = 2 ** 32,
): number | undefined {
  for (let counter = 0; counter < maxTries; counter++)
    if (meetsDifficulty(token, counter, difficultyBits)) return counter;
  return undefined;
}
