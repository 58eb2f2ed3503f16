import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../scorer-core/src/', import.meta.url).pathname;
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const pkg = JSON.parse(
  readFileSync(new URL('../../scorer-core/package.json', import.meta.url), 'utf8'),
);

describe('scorer-core stays pure', () => {
  it('imports only its own modules and @noble/*', () => {
    expect(sources.length).toBeGreaterThan(10);
    for (const file of sources) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const [, spec] of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
        expect(
          spec!.startsWith('./') ||
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
