/**
 * The names the scorer reads its stores by (the stores themselves, the caller secret and cookie
 * key items, the model KV keys) have one home in src/ (src/edge-contract.ts, src/config/): the ops
 * CLI and its Fastly API stand-in import them, so a rename there cannot leave the CLI writing the
 * old name. Checked on the source text: a quoted copy of any of these names in scripts/ops fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORE_NAMES } from '../../src/edge-contract.js';
import { CALLER_SECRET_ITEMS } from '../../src/config/caller-secret.js';
import { COOKIE_KEYS_ITEM } from '../../src/config/cookie-keys-secret.js';
import { CURRENT_MODEL_KEY, MODEL_KEY_PREFIX } from '../../src/config/model.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OPS = 'scripts/ops';

/** The one quoted literal allowed: the VCL's own dictionary key, which the scorer does not read. */
const VCL_KEY_LINE = /^const VCL_CALLER_SECRET_KEY = 'caller_secret';$/;

describe('the ops CLI names the scorer’s stores, items and KV keys through src/', () => {
  it('no quoted copy of a store name, secret item or model key in scripts/ops', () => {
    const names = [
      ...Object.values(STORE_NAMES),
      ...CALLER_SECRET_ITEMS,
      COOKIE_KEYS_ITEM,
      CURRENT_MODEL_KEY,
      MODEL_KEY_PREFIX,
    ];
    expect(names).toEqual([
      'scorer_config',
      'scorer_secrets',
      'scorer_models',
      'caller_secret',
      'caller_secret_next',
      'cookie_keys',
      'current',
      'models/',
    ]);
    const files = (readdirSync(join(ROOT, OPS), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(OPS, f));
    const copies = files.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => {
          const code = line.trim();
          if (code.startsWith('*') || code.startsWith('/*') || code.startsWith('//')) return [];
          if (VCL_KEY_LINE.test(code)) return [];
          // A quoted literal, a template starting with the name (`models/${v}`, `current${x}`), or
          // a path ending with it (`…/keys/current`).
          return names
            .filter(
              (name) =>
                line.includes(`'${name}'`) ||
                line.includes(`\`${name}\${`) ||
                (name.endsWith('/') && line.includes(`\`${name}`)) ||
                line.includes(`/${name}\``),
            )
            .map((name) => `${file}:${i + 1} ${name}`);
        }),
    );
    expect(copies).toEqual([]);
  });
});
