/**
 * The line-length rule `npm run format:check` applies after Prettier (scripts/lib/check-line-length.mjs),
 * on hand-written lines: the limit, each exception (one URL, regular-expression literal or module
 * path with little else on the line), and lines that look like exceptions but must be wrapped.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkedFiles, LINE_LIMIT, longLines } from '../../scripts/lib/check-line-length.mjs';

/** `prefix` padded with `x` (or cut) to exactly `n` characters. */
const exactly = (n: number, prefix = '// ') => (prefix + 'x'.repeat(n)).slice(0, n);

describe('line-length check', () => {
  it('allows 120 characters and reports 121 with its line number and length', () => {
    expect(LINE_LIMIT).toBe(120);
    const text = [exactly(120), exactly(121), 'short', exactly(200)].join('\n');
    expect(longLines(text)).toEqual([
      { line: 2, characters: 121 },
      { line: 4, characters: 200 },
    ]);
  });

  it('counts characters, not UTF-8 bytes: 120 × "→" is within the limit', () => {
    expect(longLines('→'.repeat(120))).toEqual([]);
    expect(longLines('→'.repeat(121))).toEqual([{ line: 1, characters: 121 }]);
  });

  it('reports a long test title: titles are wrapped too', () => {
    const line = `  it('${'a very long test title '.repeat(5)}', () => {`;
    expect(line.length).toBeGreaterThan(120);
    expect(longLines(line)).toEqual([{ line: 1, characters: line.length }]);
  });

  it('reports a long comment and a long string', () => {
    const comment = '  // ' + 'words that could go on the next line '.repeat(4);
    const string = `    'a message ${'that can be split with a plus '.repeat(4)}',`;
    expect(longLines(`${comment}\n${string}`).map((f) => f.line)).toEqual([1, 2]);
  });

  it('excepts a line whose only long part is a URL', () => {
    const url = 'https://example.com/' + 'a/'.repeat(60) + 'page.html';
    expect(longLines(`// See ${url}`)).toEqual([]);
    expect(longLines(`  const HELP = '${url}';`)).toEqual([]);
  });

  it('excepts a line whose only long part is a regular-expression literal', () => {
    const regex =
      '/^\\/(?:' + Array.from({ length: 20 }, (_, i) => `page${i}\\.txt`).join('|') + ')/i';
    expect(longLines(`const PATTERN =\n  ${regex};`)).toEqual([]);
    expect(longLines(`  expect(text).toMatch(${regex});`)).toEqual([]);
  });

  it('excepts a line whose only long part is an import or export path', () => {
    const path = "'../../" + 'deeply-nested-folder/'.repeat(6) + "module.js'";
    expect(longLines(`import { a } from ${path};`)).toEqual([]);
    expect(longLines(`export * from ${path};`)).toEqual([]);
    expect(longLines(`const m = await import(${path});`)).toEqual([]);
  });

  it('reports a line with an unbreakable token when the rest of it is long too', () => {
    const url = 'https://example.com/' + 'a/'.repeat(30);
    const line = `  // The report (${url}) also explains how the numbers were measured and why.`;
    expect(line.length).toBeGreaterThan(120);
    expect(longLines(line)).toEqual([{ line: 1, characters: line.length }]);
  });

  it('does not take a division for a regular expression', () => {
    const line = `  const ratio = ${'(alpha + beta) / (gamma + delta) / '.repeat(3)}total;`;
    expect(line.length).toBeGreaterThan(120);
    expect(longLines(line)).toEqual([{ line: 1, characters: line.length }]);
  });

  it('checks tracked .ts, .mts and .mjs files only, less what .prettierignore excludes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'line-length-'));
    try {
      mkdirSync(join(dir, 'gen'));
      mkdirSync(join(dir, 'fixtures'));
      for (const file of ['a.ts', 'b.mjs', 'c.mts', 'd.json', 'gen/e.ts', 'fixtures/f.ts', 'g.ts'])
        writeFileSync(join(dir, file), '');
      writeFileSync(join(dir, '.prettierignore'), '# generated\ngen/\nfixtures/*.ts\n');
      execFileSync('git', ['init', '-q'], { cwd: dir });
      execFileSync('git', ['add', 'a.ts', 'b.mjs', 'c.mts', 'd.json', 'gen', 'fixtures'], {
        cwd: dir,
      });
      // g.ts is not tracked; gen/ and fixtures/*.ts are ignored by Prettier.
      expect(checkedFiles(dir).sort()).toEqual(['a.ts', 'b.mjs', 'c.mts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
