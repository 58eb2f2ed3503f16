import { mkdtempSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLineBatches } from '../../scripts/training/read-lines.js';

// The batched reader replaced node:readline for speed; training results must not change, so its
// lines must be exactly readline's (crlfDelay Infinity) whatever the breaks and chunk boundaries.
async function viaReadline(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) lines.push(line);
  return lines;
}
async function viaBatches(path: string, highWaterMark: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(path, undefined, highWaterMark)) lines.push(...batch);
  return lines;
}

describe('readLineBatches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scorer-lines-'));
  it('gives exactly the lines readline gives, for any mix of \\n, \\r\\n, lone \\r and multi-byte characters, at any chunk size', async () => {
    const piece = fc.constantFrom('a', 'GET /x', ' ', '\n', '\r', '\r\n', 'é', '€', '😀', '"', '');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), async (pieces, highWaterMark) => {
        const path = join(dir, `f${run++}.log`);
        writeFileSync(path, pieces.join(''));
        expect(await viaBatches(path, highWaterMark)).toEqual(await viaReadline(path));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a real log excerpt like readline', async () => {
    const path = new URL('../fixtures/semicomplete-2015-apache.head400.log', import.meta.url).pathname;
    const lines = await viaBatches(path, 64 * 1024);
    expect(lines).toHaveLength(400);
    expect(lines).toEqual(await viaReadline(path));
  });
});
