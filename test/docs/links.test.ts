/**
 * README.md and docs/*.md name only files, folders and headings that exist: a moved script or a
 * renamed section fails here with every broken reference listed as file:line.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brokenReferences, diskTree, headingAnchors, type Tree } from './markdown-references.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function memoryTree(files: Record<string, string>): Tree {
  return {
    exists: (path) =>
      path in files || Object.keys(files).some((file) => file.startsWith(`${path}/`)),
    list: (directory) =>
      Object.keys(files)
        .filter((file) => file.startsWith(`${directory}/`))
        .map((file) => file.slice(directory.length + 1).split('/')[0]!),
    read: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`no file ${path}`);
      return text;
    },
  };
}

describe('markdown references (rules, on hand-written documents)', () => {
  const tree = memoryTree({
    'docs/a.md': [
      '# Title',
      '## Real clients (`npm run bench:detection`)',
      'See [b](b.md#second-part), [gone](old.md), [anchor](#real-clients-npm-run-benchdetection),',
      '[bad anchor](#nowhere), [web](https://example.com/x.md) and `scripts/bench/edge.ts`.',
      'Moved: `scripts/bench-edge.ts`; elided `scripts/bench/…`; glob `test/vectors/cookie-*.json`.',
      'Not a path: `npm run bench`, `../shared/data/x.log`, `model/default.json`.',
      '```sh',
      'node scripts/lib/run-ts.mjs scripts/training/gone.ts --out /tmp/x.json',
      '```',
      'A line in `src/app.ts:12`, a folder `scorer-core/src/`, and `(src/missing.ts)`.',
      'A span that wraps: `node scripts/lib/run-ts.mjs',
      'scripts/wrapped.ts --json`, then [a link after code](b.md).',
    ].join('\n'),
    'docs/b.md': '# B\n\n## Second part\n',
    'scripts/bench/edge.ts': '',
    'scripts/lib/run-ts.mjs': '',
    'test/vectors/cookie-01.json': '',
    'src/app.ts': '',
    'scorer-core/src/index.ts': '',
  });

  it('reports each missing file, anchor and path with its line, and nothing else', () => {
    expect(brokenReferences(tree, 'docs/a.md')).toEqual([
      { at: 'docs/a.md:3', reference: 'old.md', problem: 'no such file: docs/old.md' },
      {
        at: 'docs/a.md:4',
        reference: '#nowhere',
        problem: 'no heading with anchor #nowhere in docs/a.md',
      },
      {
        at: 'docs/a.md:5',
        reference: 'scripts/bench-edge.ts',
        problem: 'no such path: scripts/bench-edge.ts',
      },
      {
        at: 'docs/a.md:8',
        reference: 'scripts/training/gone.ts',
        problem: 'no such path: scripts/training/gone.ts',
      },
      {
        at: 'docs/a.md:10',
        reference: '(src/missing.ts)',
        problem: 'no such path: src/missing.ts',
      },
      {
        at: 'docs/a.md:11',
        reference: 'scripts/wrapped.ts',
        problem: 'no such path: scripts/wrapped.ts',
      },
    ]);
  });

  it('a glob that matches nothing is broken', () => {
    const globTree = memoryTree({
      'README.md': 'Vectors: `test/vectors/challenge-*.json`.',
      'test/vectors/cookie-01.json': '',
    });
    expect(brokenReferences(globTree, 'README.md')).toEqual([
      {
        at: 'README.md:1',
        reference: 'test/vectors/challenge-*.json',
        problem: 'nothing matches test/vectors/challenge-*.json',
      },
    ]);
  });

  it("anchors follow GitHub's rules: markup and punctuation dropped, repeats numbered", () => {
    expect([
      ...headingAnchors(
        '# Summary (2026-12-01)\n## The floor (in-wasm, `--floor`)\n## Train\n## Train',
      ),
    ]).toEqual(['summary-2026-12-01', 'the-floor-in-wasm---floor', 'train', 'train-1']);
  });

  it('headings inside a fenced block are not anchors', () => {
    expect([...headingAnchors('```sh\n# a comment\n```\n# Real')]).toEqual(['real']);
  });
});

describe('README.md and docs/*.md', () => {
  const docs = [
    'README.md',
    ...readdirSync(`${ROOT}docs`)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `docs/${name}`),
  ];

  it('name only files, folders and headings that exist', () => {
    const tree = diskTree(ROOT);
    const broken = docs.flatMap((doc) => brokenReferences(tree, doc));
    const report = broken.map(({ at, reference, problem }) => `${at}  ${reference}  (${problem})`);
    expect(report, `broken references in the docs:\n${report.join('\n')}`).toEqual([]);
  });
});
