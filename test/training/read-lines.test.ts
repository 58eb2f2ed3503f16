import { mkdtempSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLineBatches } from '../../scripts/training/read-lines.js';

// The batched reader replaced node:readline for speed; training results must not change, so its
// lines must be exactly readline's (crlfDelay Infinity) whatever the breaks and chunk boundaries.
async function viaReadline(path: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity }))
    lines.push(line);
  return lines;
}
async function viaBatches(path: string, highWaterMark: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readLineBatches(path, undefined, highWaterMark)) lines.push(...batch);
  return lines;
}

describe('readLineBatches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scorer-lines-'));
  it(
    'gives exactly the lines readline gives, for any mix of \\n, \\r\\n, lone \\r and ' +
      'multi-byte characters, at any chunk size',
    async () => {
      const piece = fc.constantFrom(
        'a',
        'GET /x',
        ' ',
        '\n',
        '\r',
        '\r\n',
        'é',
        '€',
        '😀',
        '"',
        '',
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(piece, { maxLength: 40 }),
          fc.integer({ min: 1, max: 9 }),
          async (pieces, highWaterMark) => {
            const path = join(dir, `f${run++}.log`);
            writeFileSync(path, pieces.join(''));
            expect(await viaBatches(path, highWaterMark)).toEqual(await viaReadline(path));
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('reads a real log excerpt like readline', async () => {
    const path = new URL('../fixtures/semicomplete-2015-apache.head400.log', import.meta.url)
      .pathname;
    const lines = await viaBatches(path, 64 * 1024);
    expect(lines).toHaveLength(400);
    expect(lines).toEqual(await viaReadline(path));
  });
});

describe('line reader: inputs readline handled that a chunked reader can get wrong', () => {
  it('a file with lone "\\r" breaks only is split as it is read, not kept whole until the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorer-cr-'));
    const path = join(dir, 'cr.log');
    writeFileSync(path, Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\r') + '\r');
    const batches: string[][] = [];
    for await (const batch of readLineBatches(path, undefined, 1024)) batches.push(batch);
    expect(batches.flat()).toEqual(Array.from({ length: 2000 }, (_, i) => `line ${i}`));
    // Lines arrive chunk by chunk (bounded memory), not in one batch at the end.
    expect(batches.length).toBeGreaterThan(5);
  });

  it('a truncated .gz names the input and how far it got', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorer-gz-'));
    const path = join(dir, 'cut.log.gz');
    const whole = gzipSync(
      Buffer.from(
        Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n') + '\n',
      ),
    );
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const read = async () => {
      for await (const batch of readLineBatches(path)) void batch;
    };
    await expect(read()).rejects.toThrow(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .* \\(after \\d+ lines\\)$`),
    );
  });
});
