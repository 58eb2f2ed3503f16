/**
 * A deterministic stand-in for the scorer's `random` input (xorshift32): the same seed gives the
 * same bytes, so replays of logs and tests are reproducible. Never for cookies that leave the
 * process: it is not a cryptographic generator.
 */
export function seededRandom(seed = 0x2545f491): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}
