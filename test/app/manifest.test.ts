/**
 * fastly.toml repeats names whose home is the code (the stores, the Config Store items, the
 * secrets, the defaults it pre-fills): this ties them, and the committed example store files, to
 * those homes, so a renamed item cannot leave the manifest behind.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CALLER_SECRET_ITEMS } from '../../src/config/caller-secret.js';
import { CHALLENGE_KEY_ITEM } from '../../src/config/challenge-key.js';
import { COOKIE_KEYS_ITEM } from '../../src/config/cookie-keys-secret.js';
import { CONFIG_ITEMS, DEFAULT_COOKIE_NAME } from '../../src/config/items.js';
import { KEY_RING_ITEM } from '../../src/config/key-ring-index.js';
import { DEFAULT_MODE, STORE_NAMES } from '../../src/edge-contract.js';
import { DEFAULT_LOG_ENDPOINT } from '../../src/platform.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const toml = readFileSync(`${ROOT}fastly.toml`, 'utf8');
/** Table headers of the manifest, e.g. `setup.config_stores.scorer_config.items.mode`. */
const tables = [...toml.matchAll(/^\[([^\]]+)\]$/gm)].map((m) => m[1]!);
const under = (prefix: string) =>
  tables.filter((t) => t.startsWith(`${prefix}.`)).map((t) => t.slice(prefix.length + 1));
/** The `value = "…"` line of a table. */
const valueOf = (table: string) =>
  new RegExp(`^\\[${table.replace(/\./g, '\\.')}\\]\\nvalue = "([^"]*)"`, 'm').exec(toml)?.[1];
const exampleKeys = (file: string) =>
  Object.keys(JSON.parse(readFileSync(`${ROOT}config/${file}`, 'utf8'))).filter(
    (k) => !k.startsWith('_'),
  );

describe('fastly.toml and the example stores agree with the code', () => {
  it('[local_server] and [setup] name the stores of STORE_NAMES', () => {
    for (const section of ['local_server', 'setup']) {
      expect(under(`${section}.config_stores`)).toContain(STORE_NAMES.config);
      expect(under(`${section}.secret_stores`)).toContain(STORE_NAMES.secrets);
      expect(under(`${section}.kv_stores`)).toContain(STORE_NAMES.models);
      const stores = tables.filter((t) => /^(local_server|setup)\.\w+_stores\.\w+$/.test(t));
      for (const store of stores.filter((t) => t.startsWith(`${section}.`)))
        expect(Object.values(STORE_NAMES), store).toContain(store.split('.').at(-1));
    }
  });

  it('[setup] lists every Config Store item the scorer reads, and no other', () => {
    const items = under(`setup.config_stores.${STORE_NAMES.config}.items`);
    expect([...items].sort()).toEqual([...CONFIG_ITEMS, KEY_RING_ITEM].sort());
  });

  it('[setup] pre-fills the defaults the code uses', () => {
    const item = (name: string) =>
      valueOf(`setup.config_stores.${STORE_NAMES.config}.items.${name}`);
    expect(item('mode')).toBe(DEFAULT_MODE);
    expect(item('cookie_name')).toBe(DEFAULT_COOKIE_NAME);
    expect(item('log_endpoint')).toBe(DEFAULT_LOG_ENDPOINT);
    expect(under('setup.log_endpoints')).toEqual([DEFAULT_LOG_ENDPOINT]);
  });

  it('[setup] secrets and the example stores use only names the scorer reads', () => {
    const secrets = [...CALLER_SECRET_ITEMS, CHALLENGE_KEY_ITEM, COOKIE_KEYS_ITEM];
    for (const entry of under(`setup.secret_stores.${STORE_NAMES.secrets}.entries`))
      expect(secrets, entry).toContain(entry);
    for (const key of exampleKeys('secret-store.example.json')) expect(secrets, key).toContain(key);
    for (const key of exampleKeys('config-store.example.json'))
      expect([...CONFIG_ITEMS, KEY_RING_ITEM], key).toContain(key);
  });
});
