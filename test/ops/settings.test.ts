/**
 * `settings get|set` against a STAND-IN for the Fastly API (scripts/ops/standin/; the real API
 * cannot be reached from tests), checked against what the scorer app reads from the same stores.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../scorer-core/src/index.js';
import {
  startFastlyApiStandin,
  type FastlyApiStandin,
} from '../../scripts/ops/standin/fastly-api-standin.js';
import { auditLines, opsRunner, preflight, scorerOver } from './run-ops.js';

let api: FastlyApiStandin;
let dir: string;
const ops = opsRunner(
  () => api,
  () => dir,
);
const CALLER = 'dev-only-test-caller-secret-0123456789';

beforeEach(async () => {
  api = await startFastlyApiStandin();
  dir = mkdtempSync(join(tmpdir(), 'scorer-ops-settings-'));
});
afterEach(() => api.close());

const configItems = () => api.state.configStores.get('cfg001')!.items;
const writes = () => api.requests.filter((r) => r.method !== 'GET');

/** What the scorer app answers for a preflight over the stand-in's stores. */
async function scorerAnswer() {
  api.state.secretStores
    .get('sec001')!
    .secrets.set('caller_secret', Buffer.from(CALLER).toString('base64'));
  const response = await preflight(
    scorerOver(api, () => Date.UTC(2026, 11, 1, 12)),
    '/',
    CALLER,
  );
  return response.headers.get('x-scorer-error');
}

describe('ops settings get (Fastly API stand-in; the scorer on stand-in stores, counters fake)', () => {
  it('without an item: the defaults, as JSON', async () => {
    const run = await ops('settings', 'get');
    expect(run.code).toBe(0);
    expect(run.out).toContain('settings item (scorer_config.settings): absent: the defaults');
    expect(run.out).toContain('effective settings: the defaults\n{');
    expect(JSON.parse(run.out.slice(run.out.indexOf('{')))).toEqual(DEFAULT_SETTINGS);
  });

  it(
    "lists what differs from the defaults, telling the item's overrides from the lifetime " +
      'items applied over it',
    async () => {
      configItems().set('settings', '{"combine":{"layer2Weight":0.5}}');
      // cookie_max_age_s 3600 also caps the idle timeout (21600 by default) to 3600.
      configItems().set('cookie_max_age_s', '3600');
      const run = await ops('settings', 'get');
      expect(run.code).toBe(0);
      expect(run.out).toContain(
        [
          'effective settings: the defaults, except',
          '  session.maxAgeS = 3600 (default 604800), from its own Config Store item (docs/configuration.md)',
          '  session.idleTimeoutS = 3600 (default 21600), from its own Config Store item (docs/configuration.md)',
          '  combine.layer2Weight = 0.5 (default 0)',
        ].join('\n'),
      );
      const effective = JSON.parse(run.out.slice(run.out.indexOf('{', run.out.indexOf('except'))));
      expect(effective.combine.layer2Weight).toBe(0.5);
      expect(effective.session.maxAgeS).toBe(3600);
    },
  );

  it('flags an item the scorer refuses and exits 1; the scorer over the same store answers fail-open', async () => {
    configItems().set('settings', '{"combine":{"layer2Weight":2}}');
    const run = await ops('settings', 'get');
    expect(run.code).toBe(1);
    expect(run.out).toContain(
      'REFUSED by the scorer: invalid scorer settings: "combine.layer2Weight" expected a number in [0, 1], got 2',
    );
    expect(run.out).toContain('effective settings: none');
    expect(run.err).toBe(
      'error: the scorer refuses its configuration (config-invalid: settings: invalid scorer ' +
        'settings: "combine.layer2Weight" expected a number in [0, 1], got 2) and answers every ' +
        'request fail-open: served unscored, never challenged or blocked',
    );
    expect(await scorerAnswer()).toBe('config-invalid');
  });
});

describe('ops settings set (Fastly API stand-in; the scorer on stand-in stores, counters fake)', () => {
  it(
    'refuses invalid JSON and out-of-range or unknown settings in one line naming the field, ' +
      'before any request',
    async () => {
      const cases: [string, string][] = [
        ['{"combine":', 'error: settings: not valid JSON ('],
        [
          '{"combine":{"layer2Weight":1.5}}',
          'error: settings: invalid scorer settings: "combine.layer2Weight" expected a number in [0, 1], got 1.5',
        ],
        [
          '{"layer1":{"fastFloor":400}}',
          'error: settings: invalid scorer settings: unknown setting "layer1.fastFloor"',
        ],
        ['[1]', 'error: settings: settings expected an object, got an array'],
      ];
      for (const [json, message] of cases) {
        const run = await ops('settings', 'set', json);
        expect(run.code).toBe(1);
        expect(run.err.startsWith(message)).toBe(true);
        expect(run.err).not.toContain('\n');
      }
      expect(api.requests).toEqual([]);
    },
  );

  it('--dry-run prints the plan with the diff of the effective settings and changes nothing', async () => {
    const run = await ops('settings', 'set', '{"combine":{"layer2Weight":0.3}}', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /PUT \/resources\/stores\/config\/cfg001\/item\/settings\n +item_value=\{"combine":\{"layer2Weight":0\.3\}\}\n/,
    );
    expect(run.out).toContain('-    "layer2Weight": 0,\n');
    expect(run.out).toContain('+    "layer2Weight": 0.3,\n');
    expect(run.out).toContain('dry run: nothing was changed');
    expect(writes()).toEqual([]);
    expect(auditLines(dir)).toEqual([]);
  });

  it('writes the item (compact JSON), audits before and after, and the scorer then scores with it', async () => {
    const run = await ops('settings', 'set', '{ "combine": { "layer2Weight": 0.3 } }');
    expect(run.code).toBe(0);
    expect(api.configItem('scorer_config', 'settings')).toBe('{"combine":{"layer2Weight":0.3}}');
    expect(auditLines(dir)).toMatchObject([
      {
        command: 'settings set',
        result: 'ok',
        target: { config_store: 'scorer_config', item: 'settings' },
        before: { settings: null },
        after: { settings: '{"combine":{"layer2Weight":0.3}}' },
        requests: ['PUT /resources/stores/config/cfg001/item/settings'],
      },
    ]);
    expect((await ops('keys', 'generate')).code).toBe(0);
    expect(await scorerAnswer()).toBeNull();
    expect((await ops('settings', 'get')).out).toContain(
      '  combine.layer2Weight = 0.3 (default 0)',
    );
    const again = await ops('settings', 'set', '{"combine":{"layer2Weight":0.3}}');
    expect(again.out).toContain('nothing to change');
  });

  it('reads --file PATH; an argument and --file together are refused', async () => {
    const file = join(dir, 'settings.json');
    writeFileSync(file, '{"layer1":{"fastFloorMs":400}}\n');
    expect((await ops('settings', 'set', '--file', file)).code).toBe(0);
    expect(api.configItem('scorer_config', 'settings')).toBe('{"layer1":{"fastFloorMs":400}}');
    const both = await ops('settings', 'set', '{}', '--file', file);
    expect(both.code).toBe(1);
    expect(both.err).toContain('either as the argument or with --file PATH');
    const missing = await ops('settings', 'set', '--file', join(dir, 'absent.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`cannot read ${join(dir, 'absent.json')}`);
  });

  it(
    "refuses overrides the scorer would refuse together with the store's other items " +
      '(session_idle_timeout_s over the item)',
    async () => {
      configItems().set('session_idle_timeout_s', '7200');
      // Valid alone (idle 3600 ≤ max age 3600); with the item applied over it, idle 7200 > 3600.
      const run = await ops('settings', 'set', '{"session":{"maxAgeS":3600,"idleTimeoutS":3600}}');
      expect(run.code).toBe(1);
      expect(run.err).toContain(
        'with the other items of scorer_config, the scorer refuses its configuration ' +
          '(config-invalid: session_idle_timeout_s: invalid scorer settings: ' +
          '"session.idleTimeoutS" (7200) must be ≤ "session.maxAgeS" (3600))',
      );
      expect(writes()).toEqual([]);
    },
  );

  it('writes a valid item while another item makes the scorer refuse its configuration, with a warning', async () => {
    configItems().set('mode', 'bogus');
    const run = await ops('settings', 'set', '{"combine":{"layer2Weight":0.3}}');
    expect(run.code).toBe(0);
    expect(run.err).toContain(
      'warning: the scorer refuses its configuration (config-invalid: mode: expected one of ' +
        'off, monitor, enforce, got "bogus")',
    );
    expect(api.configItem('scorer_config', 'settings')).toBe('{"combine":{"layer2Weight":0.3}}');
  });

  it('stops when another operator changed the item after the plan was made', async () => {
    api.beforeHandle = (method, path) => {
      // The precondition's re-read: someone wrote the item in between.
      if (method === 'GET' && path === '/resources/stores/config/cfg001/item/settings')
        configItems().set('settings', '{"layer1":{"fastFloorMs":300}}');
    };
    const run = await ops('settings', 'set', '{"combine":{"layer2Weight":0.3}}');
    expect(run.code).toBe(1);
    expect(run.err).toContain('changed since this plan read it');
    expect(api.configItem('scorer_config', 'settings')).toBe('{"layer1":{"fastFloorMs":300}}');
    expect(auditLines(dir)).toMatchObject([{ command: 'settings set', result: 'failed' }]);
  });
});
