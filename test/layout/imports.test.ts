/**
 * The layering the README describes, checked on the import lines: scripts/ (the ops CLI, training,
 * VCL generation, benchmarks) never imports from test/, and scripts/ and src/ reach scorer-core
 * only by its package name, never by a path into its sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CODE = /\.(ts|mts|mjs)$/;

function sources(folder: string): string[] {
  return (readdirSync(join(ROOT, folder), { recursive: true }) as string[])
    .filter((f) => CODE.test(f) && !f.includes('node_modules'))
    .map((f) => join(folder, f));
}

/** Each module specifier of a file (static imports, re-exports, dynamic imports), resolved when relative. */
function importsOf(file: string): { spec: string; target: string | null }[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  // `from '…'`, a side-effect `import '…'` and `import('…')`, in either quote.
  const specs = [
    ...text.matchAll(/\bfrom\s+(['"])([^'"]+)\1/g),
    ...text.matchAll(/^\s*import\s+(['"])([^'"]+)\1/gm),
    ...text.matchAll(/\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g),
  ].map((m) => m[2]!);
  return specs.map((spec) => ({
    spec,
    target: spec.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, file)), spec)) : null,
  }));
}

const offending = (
  folders: string[],
  bad: (i: { spec: string; target: string | null }) => boolean,
) =>
  folders.flatMap(sources).flatMap((file) =>
    importsOf(file)
      .filter(bad)
      .map((i) => `${file} imports ${i.spec}`),
  );

describe('layering of the imports', () => {
  it('finds the files it checks', () => {
    expect(sources('scripts').length).toBeGreaterThan(40);
    expect(sources('src').length).toBeGreaterThan(15);
  });

  it('nothing in scripts/ imports from test/', () => {
    expect(offending(['scripts'], (i) => i.target?.startsWith('test/') === true)).toEqual([]);
  });

  it('scripts/ and src/ import scorer-core by its package name only', () => {
    expect(
      offending(['scripts', 'src'], (i) => i.target?.startsWith('scorer-core/') === true),
    ).toEqual([]);
  });
});
