import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../scorer-core/src/', import.meta.url).pathname;
// Every module, subfolders (signals/, combine/, challenge/) included.
const sources = (readdirSync(dir, { recursive: true }) as string[]).filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'),
);
/** A relative import that stays inside scorer-core/src. */
const inside = (file: string, spec: string) =>
  spec.startsWith('.') && !relative(dir, resolve(dirname(join(dir, file)), spec)).startsWith('..');
const pkg = JSON.parse(
  readFileSync(new URL('../../scorer-core/package.json', import.meta.url), 'utf8'),
);

describe('scorer-core stays pure', () => {
  it('imports only its own modules and @noble/*', () => {
    expect(sources.some((f) => f.startsWith('signals/'))).toBe(true);
    expect(sources.length).toBeGreaterThan(20);
    for (const file of sources) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const [, spec] of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
        expect(
          inside(file, spec!) ||
            spec!.startsWith('@noble/ciphers/') ||
            spec!.startsWith('@noble/hashes/'),
          `${file} imports ${spec}`,
        ).toBe(true);
      }
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      expect(code, `${file} loads a module dynamically`).not.toMatch(/\bimport\(|\brequire\(/);
      expect(code, `${file} uses a runtime API`).not.toMatch(
        /\b(new Request|new Response|fetch\(|fastly:|node:|process\.|Date\.now|Math\.random)/,
      );
    }
  });

  it('declares only @noble/ciphers and @noble/hashes, pinned exactly, and no side effects', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@noble/ciphers', '@noble/hashes']);
    for (const version of Object.values(pkg.dependencies))
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.exports['.']).toBeDefined();
  });
});
