/**
 * The operator CLI against a STAND-IN for the Fastly API (scripts/ops/standin/fastly-api-standin.ts): the
 * real API cannot be reached from tests. Every flow runs the same runOps the `npm run ops` entry
 * runs, with an injected clock, randomness and sleep; one test runs the real entry as a process.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/viceroy.mjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLines as auditLinesIn, opsRunner, platformOver } from './run-ops.js';
import { loadModel } from '../../scorer-core/src/index.js';
import { createApp } from '../../src/app.js';
import { readCallerSecret } from '../../src/config/caller-secret.js';
import { prepareDefaults, prepareItemDefaults } from '../../src/config/defaults.js';
import { parseConfigItems } from '../../src/config/items.js';
import { readKeyRing } from '../../src/config/keys.js';
import { readModel } from '../../src/config/model.js';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import type { Platform } from '../../src/platform.js';
import { ensureFalco, findFalco } from '../../scripts/lib/falco.mjs';
import { COMMANDS } from '../../scripts/ops/cli.js';
import { unifiedDiff } from '../../scripts/ops/plan.js';
import { extractExcludeRegex } from '../../scripts/vcl/extract-regex.js';
import { DEFAULT_EXCLUDE_URL_REGEX, NORMALIZED_PATH_VCL } from '../../scripts/vcl/facts.js';
import { generateSnippets } from '../../scripts/vcl/generate.js';
import { HAND_MODEL_DOC, seededRandom } from '../helpers/fixtures.js';
import {
  startFastlyApiStandin,
  type FastlyApiStandin,
} from '../../scripts/ops/standin/fastly-api-standin.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
// The VCL commands validate with falco: CI builds it; elsewhere those suites skip loudly.
const falco: string | null = process.env.CI ? ensureFalco() : findFalco();
if (!falco)
  console.warn(
    '\n[ops VCL suites skipped] falco is not installed: node scripts/lib/falco.mjs --install\n',
  );

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

let api: FastlyApiStandin;
let dir: string;
let clock: { ms: number };
let waits: number[];
/** Runs during a plan's wait, as another operator or a suspended laptop would. */
let duringWait: (() => void) | undefined;

beforeEach(async () => {
  api = await startFastlyApiStandin();
  dir = mkdtempSync(join(tmpdir(), 'scorer-ops-test-'));
  clock = { ms: T0 };
  waits = [];
  duringWait = undefined;
});
afterEach(() => api.close());

let runCount = 0;

const ops = opsRunner(
  () => api,
  () => dir,
  () => ({
    now: () => clock.ms,
    // Deterministic, but different for every run (a rotation must get a new secret).
    randomBytes: seededRandom(++runCount * 7919 + clock.ms),
    sleep: async (ms) => {
      waits.push(ms);
      clock.ms += ms;
      duringWait?.();
    },
  }),
);

const writes = () => api.requests.filter((r) => r.method !== 'GET');
const auditLines = () => auditLinesIn(dir);

/** The scorer app over the stand-in's stores, as a Compute service linked to them would run. */
function scorerOver(standin: FastlyApiStandin) {
  standin.state.secretStores
    .get('sec001')!
    .secrets.set('caller_secret', Buffer.from(CALLER).toString('base64'));
  const app = createApp(
    platformOver(standin, () => clock.ms),
    defaults,
  );
  return (path: string, cookie?: string) =>
    app.handle(
      new Request(`http://scorer.test${path}`, {
        headers: {
          'x-scorer-auth': CALLER,
          'user-agent': 'Mozilla/5.0 test',
          'fastly-client-ip': '192.0.2.1',
          ...(cookie ? { cookie: `ss_session=${cookie}` } : {}),
        },
      }),
    );
}
const CALLER = 'dev-only-test-caller-secret-0123456789';
const defaults = prepareDefaults(defaultModel);
const itemDefaults = prepareItemDefaults();

describe.runIf(falco)('ops vcl upload (Fastly API stand-in)', () => {
  it(
    'clones the active version, creates the seven snippets (crawler ACLs included) and both ' +
      'dictionaries, validates, and leaves it inactive without --activate',
    async () => {
      const run = await ops('vcl', 'upload');
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      expect(api.activeVersion().number).toBe(1);
      const draft = api.state.versions.find((v) => v.number === 2)!;
      expect(draft.active).toBe(false);
      for (const snippet of generateSnippets()) {
        expect(draft.snippets.get(snippet.name)).toEqual({
          name: snippet.name,
          type: snippet.type,
          priority: snippet.priority,
          dynamic: 0,
          content: snippet.content,
        });
      }
      expect([...draft.dictionaries.values()].map((d) => [d.name, d.write_only])).toEqual([
        ['scorer_settings', false],
        ['scorer_secrets', true],
      ]);
      expect(
        api.requests.some((r) => r.path === `/service/${api.serviceId}/version/2/validate`),
      ).toBe(true);
      expect(run.out).toContain('version 2 is validated and NOT active');
      const [audit] = auditLines();
      expect(audit).toMatchObject({
        command: 'vcl upload',
        result: 'ok',
        who: 'ops@example.com (os user tester)',
        target: { service_id: api.serviceId, from_version: 1 },
      });
      expect(run.out).toContain(`audit: ${JSON.stringify(audit)}`);
    },
  );

  it(
    '--activate activates the validated version; a second upload with nothing changed creates ' +
      'no version',
    async () => {
      expect((await ops('vcl', 'upload', '--activate')).code).toBe(0);
      expect(api.activeVersion().number).toBe(2);
      const before = api.requests.length;
      const again = await ops('vcl', 'upload', '--activate');
      expect(again.code).toBe(0);
      expect(again.out).toContain('nothing to upload');
      expect(api.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
      expect(api.state.versions).toHaveLength(2);
    },
  );

  it('--dry-run prints the exact plan with diffs and changes nothing', async () => {
    const before = api.snapshot();
    const run = await ops('vcl', 'upload', '--activate', '--dry-run');
    expect(run.code).toBe(0);
    expect(api.snapshot()).toEqual(before);
    expect(writes()).toEqual([]);
    expect(run.out).toContain('plan: 12 requests');
    expect(run.out).toContain(`PUT /service/${api.serviceId}/version/1/clone`);
    expect(run.out).toContain(`POST /service/${api.serviceId}/version/{new}/snippet`);
    expect(run.out).toContain('+# generated by scripts/vcl/main.ts');
    expect(run.out).toContain(`PUT /service/${api.serviceId}/version/{new}/activate`);
    expect(run.out).toContain('dry run: nothing was changed');
    expect(auditLines()).toEqual([]);
  });

  it('an update shows a unified diff against the active version', async () => {
    await ops('vcl', 'upload', '--activate');
    const run = await ops('vcl', 'upload', '--exclude-url-regex', '(?i)\\.css$', '--dry-run');
    expect(run.out).toContain('update snippet session-scorer-recv');
    expect(run.out).toMatch(/--- version 2\n\s+\+\+\+ new\n\s+@@ /);
    // diff(1) order: the removed line, then the added one.
    const condition = (regex: string) =>
      `} else if (req.url.path ~ {"${regex}"} && ${NORMALIZED_PATH_VCL} ~ {"${regex}"} && `;
    expect(run.out).toContain(`-  ${condition(DEFAULT_EXCLUDE_URL_REGEX)}`);
    expect(run.out).toContain(`+  ${condition('(?i)\\.css$')}`);
  });

  it("refuses snippets that fail the generator's validation before sending any request", async () => {
    const quote = await ops('vcl', 'upload', '--exclude-url-regex', 'a"b');
    expect(quote.code).toBe(1);
    expect(quote.err).toContain(
      'refused, nothing was sent to Fastly: exclusion regex: double quotes are not allowed',
    );
    const everything = await ops('vcl', 'upload', '--exclude-url-regex', '.*');
    expect(everything.code).toBe(1);
    expect(everything.err).toContain('exclusion regex: matches the ordinary page "/"');
    const pcre = await ops(
      'vcl',
      'upload',
      '--exclude-url-regex',
      '(unclosed',
      '--force-exclude-regex',
    );
    expect(pcre.code).toBe(1);
    expect(pcre.err).toContain('falco lint rejected the assembled VCL');
    const backend = await ops('vcl', 'upload', '--scorer-backend', 'not-an-identifier');
    expect(backend.code).toBe(1);
    expect(api.requests).toEqual([]);
  });

  it('when Fastly refuses the version, nothing is activated and the draft is named', async () => {
    api.validate = (v) => (v.snippets.size > 0 ? ['Syntax error: Unexpected token'] : []);
    const run = await ops('vcl', 'upload', '--activate');
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'Fastly refused the version: Version failed validation; Syntax error: Unexpected token',
    );
    expect(run.err).toContain(
      'the active version 1 is untouched; draft version 2 was left inactive',
    );
    expect(api.activeVersion().number).toBe(1);
    expect(api.requests.some((r) => r.path.endsWith('/activate'))).toBe(false);
    expect(auditLines()[0]).toMatchObject({ command: 'vcl upload', result: 'failed' });
  });

  it('an API error midway leaves the active version untouched and says so', async () => {
    api.faults.push({
      method: 'POST',
      path: /\/snippet$/,
      status: 503,
      body: { msg: 'Service Unavailable' },
      times: 1,
    });
    const run = await ops('vcl', 'upload', '--activate');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /step 2 \(create snippet session-scorer-crawlers .*\) failed: POST \/service\/\w+\/version\/2\/snippet → HTTP 503: Service Unavailable/,
    );
    expect(run.err).toContain(
      'the active version 1 is untouched; draft version 2 was left inactive',
    );
    expect(api.activeVersion().number).toBe(1);
    expect(auditLines()[0]).toMatchObject({
      result: 'failed',
      requests: [`PUT /service/${api.serviceId}/version/1/clone`],
    });
  });

  it('vcl activate VERSION rolls back to an earlier version, showing the snippet diff first', async () => {
    await ops('vcl', 'upload', '--activate');
    await ops('vcl', 'exclude-regex', 'set', '\\.css$', '--activate');
    expect(api.activeVersion().number).toBe(3);
    const dry = await ops('vcl', 'activate', '2', '--dry-run');
    expect(dry.out).toContain('activate version 2 (active now: 3)');
    expect(dry.out).toContain(
      `+  } else if (req.url.path ~ {"${DEFAULT_EXCLUDE_URL_REGEX}"} && ${NORMALIZED_PATH_VCL} ~ {"` +
        DEFAULT_EXCLUDE_URL_REGEX,
    );
    expect(api.activeVersion().number).toBe(3);
    const run = await ops('vcl', 'activate', '2');
    expect(run.code).toBe(0);
    expect(api.activeVersion().number).toBe(2);
    expect(auditLines().at(-1)).toMatchObject({
      command: 'vcl activate',
      before: { active_version: 3 },
      after: { active_version: 2 },
    });
    expect((await ops('vcl', 'activate', 'two')).code).toBe(1);
    expect((await ops('vcl', 'activate', '9')).err).toContain('HTTP 404');
  });

  it(
    '--scorer-backend NAME: the snippets use that backend and pass falco lint, and later ' +
      'uploads keep it',
    async () => {
      await api.close();
      api = await startFastlyApiStandin({ backend: 'F_session_scorer' });
      const run = await ops('vcl', 'upload', '--scorer-backend', 'F_session_scorer', '--activate');
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      const recv = api.activeVersion().snippets.get('session-scorer-recv')!.content;
      expect(recv).toContain('} else if (!backend.F_session_scorer.healthy) {');
      expect(recv).not.toContain('F_scorer');
      const again = await ops('vcl', 'upload');
      expect(again.code).toBe(0);
      expect(again.out).toContain('nothing to upload');
    },
  );

  it('refuses when the scorer backend is missing, before any change', async () => {
    await api.close();
    api = await startFastlyApiStandin({ backend: null });
    const run = await ops('vcl', 'upload');
    expect(run.code).toBe(1);
    expect(run.err).toContain('has no backend "F_scorer"');
    expect(writes()).toEqual([]);
  });
});

describe.runIf(falco)('ops vcl exclude-regex (Fastly API stand-in)', () => {
  it('get / set / reset: set regenerates only recv, validates, activates; later uploads keep the regex', async () => {
    const none = await ops('vcl', 'exclude-regex', 'get');
    expect(none.out).toContain('current:   (no session-scorer snippets uploaded)');
    expect(none.out).toContain(`effective: ${DEFAULT_EXCLUDE_URL_REGEX}`);
    expect((await ops('vcl', 'exclude-regex', 'set', '\\.css$')).err).toContain(
      'has no session-scorer-recv snippet: run `vcl upload` first',
    );

    await ops('vcl', 'upload', '--activate');
    const mark = api.requests.length;
    const custom = '(?i)^/(assets|static)/';
    const set = await ops('vcl', 'exclude-regex', 'set', custom, '--activate');
    expect(set.code).toBe(0);
    const changed = api.requests
      .slice(mark)
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`);
    expect(changed).toEqual([
      `PUT /service/${api.serviceId}/version/2/clone`,
      `PUT /service/${api.serviceId}/version/3/snippet/session-scorer-recv`,
      `PUT /service/${api.serviceId}/version/3/activate`,
    ]);
    expect(
      extractExcludeRegex(api.activeVersion().snippets.get('session-scorer-recv')!.content),
    ).toBe(custom);
    const get = await ops('vcl', 'exclude-regex', 'get');
    expect(get.out).toContain(`current:   ${custom}`);
    expect(get.out).toContain(`default:   ${DEFAULT_EXCLUDE_URL_REGEX}`);
    expect(auditLines().at(-1)).toMatchObject({
      command: 'vcl exclude-regex set',
      before: { exclude_url_regex: DEFAULT_EXCLUDE_URL_REGEX },
      after: { exclude_url_regex: custom },
    });

    expect((await ops('vcl', 'upload')).out).toContain('nothing to upload');
    expect((await ops('vcl', 'exclude-regex', 'reset', '--activate')).code).toBe(0);
    expect(
      extractExcludeRegex(api.activeVersion().snippets.get('session-scorer-recv')!.content),
    ).toBe(DEFAULT_EXCLUDE_URL_REGEX);
  });

  it('set refuses an invalid regex (policy, then falco) without a request', async () => {
    for (const regex of ['a"b', '(unclosed', '']) {
      const run = await ops('vcl', 'exclude-regex', 'set', regex);
      expect(run.code).toBe(1);
    }
    expect(api.requests).toEqual([]);
  });
});

describe.runIf(falco)('ops threshold, mode, caller secret (stand-in, counters fake)', () => {
  beforeEach(async () => {
    expect((await ops('vcl', 'upload', '--activate')).code).toBe(0);
    api.requests.length = 0;
  });

  it('threshold set updates the dictionary item in place (no new version); get reads it', async () => {
    expect((await ops('threshold', 'get')).out).toBe(
      'threshold: 80 (default: no dictionary item)\nchallenge_threshold: 80 (no dictionary item: no challenge band)',
    );
    const run = await ops('threshold', 'set', '90');
    expect(run.code).toBe(0);
    expect(writes().map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual([
      `PUT /service/${api.serviceId}/dictionary/dict1/item/threshold item_value=90`,
    ]);
    expect(api.state.versions).toHaveLength(2);
    expect((await ops('threshold', 'get')).out).toBe(
      'threshold: 90\nchallenge_threshold: 90 (no dictionary item: no challenge band)',
    );
    expect(auditLines().at(-1)).toMatchObject({
      command: 'threshold set',
      before: { threshold: '80 (default)' },
      after: { threshold: '90' },
    });
  });

  it("threshold set refuses values outside 0–100 or not in the VCL's form", async () => {
    for (const bad of ['101', '-1', 'abc', '080', '8.5', '']) {
      const run = await ops('threshold', 'set', bad);
      expect(run.code, bad).toBe(1);
      expect(run.err).toContain('expected a whole number 0–100');
    }
    expect(writes()).toEqual([]);
  });

  it(
    "mode get reads the scorer's item as the scorer does: absent or empty is the default, " +
      'spaces trimmed, a bad value refused',
    async () => {
      const cases: [string | null, string][] = [
        [null, 'monitor (default: no item)'],
        ['', 'monitor (default: the item is empty)'],
        [' off ', 'off'],
        [
          'block',
          'none: the item holds "block", which the scorer refuses (mode: expected one of off, ' +
            'monitor, enforce, got "block"): it answers every request fail-open',
        ],
      ];
      const items = api.state.configStores.get('cfg001')!.items;
      for (const [item, expected] of cases) {
        if (item === null) items.delete('mode');
        else items.set('mode', item);
        const run = await ops('mode', 'get');
        expect(run.code, String(item)).toBe(0);
        expect(run.out.split('\n')[1]).toBe(`mode (scorer, scorer_config): ${expected}`);
      }
    },
  );

  it("mode set writes the dictionary and the scorer's Config Store; unknown modes are refused", async () => {
    const run = await ops('mode', 'set', 'enforce');
    expect(run.code).toBe(0);
    expect(api.state.dictionaryItems.get('dict1')!.get('mode')).toBe('enforce');
    expect(api.configItem('scorer_config', 'mode')).toBe('enforce');
    expect((await ops('mode', 'get')).out).toBe(
      'mode (VCL, scorer_settings): enforce\nmode (scorer, scorer_config): enforce',
    );
    const count = writes().length;
    for (const bad of ['block', 'ENFORCE', ''])
      expect((await ops('mode', 'set', bad)).code).toBe(1);
    expect(writes()).toHaveLength(count);
  });

  it(
    "mode set refuses what the scorer would fail open on, with the scorer's own message, " +
      'before any request',
    async () => {
      for (const [bad, message] of [
        ['block', 'mode: expected one of off, monitor, enforce, got "block"'],
        ['Enforce', 'mode: expected one of off, monitor, enforce, got "Enforce"'],
      ]) {
        const run = await ops('mode', 'set', bad!);
        expect(run.code).toBe(1);
        expect(run.err).toContain(message!);
        // The scorer's parser, over the same item, says the same.
        const parsed = parseConfigItems((item) => (item === 'mode' ? bad! : null), itemDefaults);
        expect(parsed.ok ? [] : parsed.problems).toEqual([message]);
      }
      // The scorer takes surrounding spaces (and an empty item as its default); the VCL compares
      // exact words, so the CLI refuses those too.
      for (const loose of [' enforce ', '']) {
        const run = await ops('mode', 'set', loose);
        expect(run.code).toBe(1);
        expect(run.err).toContain('exactly');
      }
      expect(api.requests).toEqual([]);
    },
  );

  it(
    'caller-secret set writes one random secret to both places and never prints it; the scorer ' +
      'accepts it',
    async () => {
      const run = await ops('caller-secret', 'set');
      expect(run.code).toBe(0);
      expect(waits).toEqual([]); // nothing to keep working on a first setup
      const stored = api.secretText('scorer_secrets', 'caller_secret')!;
      expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(api.state.dictionaryItems.get('dict2')!.get('caller_secret')).toBe(stored);
      expect(run.all + readFileSync(join(dir, 'audit.jsonl'), 'utf8')).not.toContain(stored);
      expect(run.out).toContain('item_value=<redacted>');
      expect(await readCallerSecret(platformOver(api, () => clock.ms))).toEqual({
        ok: true,
        value: [stored],
      });
    },
  );

  it(
    'a caller secret rotation never refuses a preflight: the scorer accepts the new secret ' +
      'before the VCL sends it',
    async () => {
      await ops('caller-secret', 'set');
      const old = api.secretText('scorer_secrets', 'caller_secret')!;
      const platform = platformOver(api, () => clock.ms);
      // At every point of the rotation, the secret the VCL sends is one the scorer accepts.
      const checks: boolean[] = [];
      api.beforeHandle = () => {
        const sent = api.state.dictionaryItems.get('dict2')!.get('caller_secret')!;
        const accepted = [
          api.secretText('scorer_secrets', 'caller_secret'),
          api.secretText('scorer_secrets', 'caller_secret_next'),
        ];
        checks.push(accepted.includes(sent));
      };
      const run = await ops('caller-secret', 'set');
      expect(run.code).toBe(0);
      expect(waits).toEqual([60_000, 60_000]);
      expect(checks.every(Boolean)).toBe(true);
      const fresh = api.secretText('scorer_secrets', 'caller_secret')!;
      expect(fresh).not.toBe(old);
      expect(api.state.dictionaryItems.get('dict2')!.get('caller_secret')).toBe(fresh);
      const accepted = await readCallerSecret(platform);
      expect(accepted.ok && accepted.value).toEqual([fresh, fresh]);
      const order = writes()
        .slice(-3)
        .map((r) => (r.path.includes('/dictionary/') ? 'vcl' : JSON.parse(r.body).name));
      expect(order).toEqual(['caller_secret_next', 'vcl', 'caller_secret']);
      expect(run.all).not.toContain(fresh);
    },
  );

  it('threshold and mode need the dictionary the VCL upload creates', async () => {
    await api.close();
    api = await startFastlyApiStandin();
    const run = await ops('threshold', 'set', '70');
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'has no edge dictionary "scorer_settings": run `vcl upload --activate` first',
    );
  });
});

describe('ops keys (Fastly API stand-in; the scorer on stand-in stores, counters fake)', () => {
  const keyHexes = () =>
    [...api.state.secretStores.get('sec001')!.secrets.keys()]
      .filter((n) => n.startsWith('cookie_key_'))
      .map((n) => api.secretText('scorer_secrets', n)!);

  it(
    'generate → rotate → retire: a cookie sealed before the rotation opens until the grace ' +
      'deadline, and never a key byte is printed',
    async () => {
      const first = await ops('keys', 'generate');
      expect(first.code).toBe(0);
      expect(first.out).toContain('key 1 is active (first key of a new ring)');
      expect(JSON.parse(api.configItem('scorer_config', 'cookie_key_ring')!)).toEqual({
        active: 1,
        keys: [{ id: 1, created: '2026-11-23T12:00:00Z' }],
      });
      expect(api.secretText('scorer_secrets', 'cookie_key_1')).toMatch(/^[0-9a-f]{64}$/);

      // A visitor's cookie under key 1, sealed by the scorer app reading the stand-in's stores.
      const visit = scorerOver(api);
      const firstVisit = await visit('/');
      expect(firstVisit.headers.get('x-scorer-key-id')).toBe('1');
      const cookie = /^ss_session=([^;]+)/.exec(
        firstVisit.headers.get('x-scorer-set-cookie')!,
      )![1]!;

      const rotate = await ops('keys', 'rotate');
      expect(rotate.code).toBe(0);
      expect(waits).toEqual([300_000]); // staged first, activated after the propagation wait
      const index = JSON.parse(api.configItem('scorer_config', 'cookie_key_ring')!);
      const activationS = T0 / 1000 + 300;
      const graceUntilS = activationS + 604_800 + 3600;
      expect(index).toEqual({
        active: 2,
        keys: [
          {
            id: 1,
            grace_until: new Date(graceUntilS * 1000).toISOString().replace('.000Z', 'Z'),
            created: '2026-11-23T12:00:00Z',
          },
          { id: 2, created: '2026-11-23T12:00:00Z' },
        ],
      });
      // Between the two index writes the new key was staged: the first write named it so.
      const indexWrites = writes()
        .filter((r) => r.path.endsWith('/item/cookie_key_ring'))
        .map((r) => JSON.parse(new URLSearchParams(r.body).get('item_value')!));
      expect(indexWrites.at(-2)).toMatchObject({
        active: 1,
        keys: [{ id: 1 }, { id: 2, staged: true }],
      });

      const returning = await visit('/', cookie);
      expect(returning.headers.get('x-scorer-cookie-status')).toBe('ok');
      expect(returning.headers.get('x-scorer-key-id')).toBe('2');

      const early = await ops('keys', 'retire');
      expect(early.out).toContain('kept (in grace, or less than 10 min past it): key 1 until');
      expect(early.out).toContain('nothing to retire');
      const list = await ops('keys', 'list');
      expect(list.out).toMatch(
        /^1 +grace until 2026-11-30T13:05:00Z +2026-11-23T12:00:00Z +present$/m,
      );
      expect(list.out).toMatch(/^2 +active +2026-11-23T12:00:00Z +present$/m);
      // Nonce budget (issue 13 item 11): 2^32 seals per key; key 2 has sealed since its creation at R requests/s.
      const activeS = clock.ms / 1000 - Date.parse('2026-11-23T12:00:00Z') / 1000;
      const quiet = Math.floor((0.1 * 2 ** 32) / activeS);
      const busy = Math.ceil((0.6 * 2 ** 32) / activeS);
      const quietList = await ops('keys', 'list', '--requests-per-second', String(quiet));
      expect(quietList.out).toContain(
        `nonce budget of key 2: ${((activeS * quiet * 100) / 2 ** 32).toFixed(1)} % of 2^32 seals ` +
          `used at ${quiet} requests/s`,
      );
      expect(quietList.out).not.toContain('WARNING');
      expect((await ops('keys', 'list', '--requests-per-second', String(busy))).out).toMatch(
        /WARNING: nonce budget of key 2: 6\d\.\d % .*rotate the key now/,
      );
      expect((await ops('keys', 'list', '--requests-per-second', 'many')).code).not.toBe(0);

      clock.ms = (graceUntilS + 1) * 1000;
      expect((await visit('/', cookie)).headers.get('x-scorer-cookie-status')).toBe('expired');
      // Retired only 10 minutes after the deadline: the operator's clock may run ahead of the edge's.
      expect((await ops('keys', 'retire')).out).toContain('nothing to retire');
      clock.ms += 601_000;
      const retire = await ops('keys', 'retire');
      expect(retire.code).toBe(0);
      expect(
        JSON.parse(api.configItem('scorer_config', 'cookie_key_ring')!).keys.map(
          (k: { id: number }) => k.id,
        ),
      ).toEqual([2]);
      expect(api.secretText('scorer_secrets', 'cookie_key_1')).toBeNull();
      // The index moved before the secret was deleted.
      const order = writes()
        .slice(-2)
        .map((r) => r.method);
      expect(order).toEqual(['PUT', 'DELETE']);

      const printed =
        [first, rotate, early, list, retire].map((r) => r.all).join('\n') +
        readFileSync(join(dir, 'audit.jsonl'), 'utf8');
      for (const hex of [
        ...keyHexes(),
        ...api.requests
          .filter((r) => r.path.endsWith('/secrets') && r.method === 'POST')
          .map((r) => Buffer.from(JSON.parse(r.body).secret, 'base64').toString()),
      ]) {
        expect(printed).not.toContain(hex);
        expect(printed).not.toContain(hex.slice(0, 16));
      }
    },
  );

  it(
    'generate on an existing ring stages the key; rotate then activates it without waiting ' +
      'again once propagated',
    async () => {
      await ops('keys', 'generate');
      const staged = await ops('keys', 'generate');
      expect(staged.out).toContain('key 2 is staged');
      const ring = await readKeyRing(platformOver(api, () => clock.ms));
      expect(ring.ok && ring.value.activeKeyId).toBe(1);
      clock.ms += 301_000;
      expect((await ops('keys', 'rotate')).code).toBe(0);
      expect(waits).toEqual([]);
      expect(JSON.parse(api.configItem('scorer_config', 'cookie_key_ring')!).active).toBe(2);
    },
  );

  it(
    'rotate refuses a grace shorter than the cookie lifetime unless told; the lifetime comes ' +
      'from the Config Store',
    async () => {
      await ops('keys', 'generate');
      api.state.configStores.get('cfg001')!.items.set('cookie_max_age_s', '86400');
      const before = api.snapshot();
      const short = await ops('keys', 'rotate', '--grace-seconds', '3600');
      expect(short.code).toBe(1);
      expect(short.err).toContain('shorter than the cookie lifetime (86400 s)');
      expect(api.snapshot()).toEqual(before);
      const forced = await ops(
        'keys',
        'rotate',
        '--grace-seconds',
        '3600',
        '--allow-short-grace',
        '--propagation-wait-seconds',
        '0',
      );
      expect(forced.code).toBe(0);
      expect(
        JSON.parse(api.configItem('scorer_config', 'cookie_key_ring')!).keys[0].grace_until,
      ).toBe(new Date(T0 + 3600_000).toISOString().replace('.000Z', 'Z'));
    },
  );

  it(
    "the cookie lifetime a rotation's grace must cover is the scorer's: settings JSON and " +
      'items through its parser',
    async () => {
      await ops('keys', 'generate');
      const items = api.state.configStores.get('cfg001')!.items;
      const lifetimeIn = async () =>
        /cookie lifetime \((\d+) s\)/.exec(
          (await ops('keys', 'rotate', '--grace-seconds', '60')).err,
        )?.[1];
      items.set('settings', '{"session":{"maxAgeS":172800}}');
      expect(await lifetimeIn()).toBe('172800');
      // The item wins over the settings JSON.
      items.set('cookie_max_age_s', '7200');
      expect(await lifetimeIn()).toBe('7200');
      // Items the scorer would fail open on (below its 60 s minimum; an idle timeout above the
      // maximum age) give the default lifetime, 7 days, as the bound.
      items.set('cookie_max_age_s', '10');
      expect(await lifetimeIn()).toBe('604800');
      items.set('cookie_max_age_s', '7200');
      items.set('session_idle_timeout_s', '9000');
      expect(await lifetimeIn()).toBe('604800');
      expect(writes().filter((r) => r.path.includes('cookie_key_ring'))).toHaveLength(1);
    },
  );

  it('dry-run changes nothing; a service on the hand-managed cookie_keys secret is not silently replaced', async () => {
    const before = api.snapshot();
    const dry = await ops('keys', 'rotate', '--dry-run');
    expect(dry.code).toBe(1); // no ring yet
    const gen = await ops('keys', 'generate', '--dry-run');
    expect(gen.code).toBe(0);
    expect(gen.out).toContain('secret=<redacted>');
    expect(api.snapshot()).toEqual(before);
    api.state.secretStores
      .get('sec001')!
      .secrets.set('cookie_keys', Buffer.from('{}').toString('base64'));
    const refused = await ops('keys', 'generate');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('hand-managed secret "cookie_keys"');
  });

  it('an API error midway through a rotation leaves a ring the scorer can still use', async () => {
    await ops('keys', 'generate');
    api.faults.push({ method: 'PUT', path: /\/item\/cookie_key_ring$/, status: 500, times: 1 });
    const run = await ops('keys', 'rotate');
    expect(run.code).toBe(1);
    expect(run.err).toContain('failed');
    const ring = await readKeyRing(platformOver(api, () => clock.ms));
    expect(ring.ok && ring.value.activeKeyId).toBe(1);
    const list = await ops('keys', 'list');
    expect(list.out).toContain(
      'secrets not named by the index (an interrupted generate?): cookie_key_2',
    );
    expect((await ops('keys', 'retire', '--orphans')).code).toBe(0);
    expect(api.secretText('scorer_secrets', 'cookie_key_2')).toBeNull();
  });
});

describe('ops model (Fastly API stand-in; the scorer on stand-in stores, counters fake)', () => {
  const modelFile = (version: string, tweak: Partial<typeof HAND_MODEL_DOC> = {}) => {
    const path = join(dir, `${version}.json`);
    writeFileSync(path, JSON.stringify({ ...HAND_MODEL_DOC, version, ...tweak }));
    return path;
  };

  it(
    'publish validates, stores under the version, records history and moves current; the ' +
      'scorer loads it; rollback moves back',
    async () => {
      const platform = platformOver(api, () => clock.ms);
      const embedded = loadModel({ ...HAND_MODEL_DOC, version: 'embedded-1' });
      expect((await ops('model', 'publish', modelFile('m-1'))).code).toBe(0);
      clock.ms += 1000;
      expect(
        (await ops('model', 'publish', modelFile('m-2', { initial: [0.25, 0.5, 0.25] }))).code,
      ).toBe(0);
      expect(api.kvValue('scorer_models', 'current')).toBe('m-2');
      const loaded = await readModel(platform, embedded);
      expect(loaded.ok && [loaded.value.source, loaded.value.model.version]).toEqual(['kv', 'm-2']);
      // Document first, then history, then the pointer.
      expect(
        writes()
          .slice(-3)
          .map((r) => decodeURIComponent(r.path.split('/keys/')[1]!)),
      ).toEqual(['models/m-2', 'history', 'current']);

      const list = await ops('model', 'list');
      expect(list.out).toContain('current: m-2');
      expect(list.out).toMatch(/^\* m-2 +published 2026-11-23T12:00:01.000Z$/m);
      expect(list.out).toMatch(/^ {2}m-1 /m);

      const back = await ops('model', 'rollback');
      expect(back.code).toBe(0);
      expect(back.out).toContain('model m-1 is current again (was m-2)');
      const rolled = await readModel(platform, embedded);
      expect(rolled.ok && rolled.value.model.version).toBe('m-1');
      expect(
        JSON.parse(api.kvValue('scorer_models', 'history')!).map(
          (e: { action: string; version: string }) => `${e.action}:${e.version}`,
        ),
      ).toEqual(['publish:m-1', 'publish:m-2', 'rollback:m-1']);
      expect((await ops('model', 'rollback', 'm-2')).code).toBe(0);
      expect(api.kvValue('scorer_models', 'current')).toBe('m-2');
      expect(
        auditLines().map((a) => `${a.command}:${(a.after as { current: string }).current}`),
      ).toEqual([
        'model publish:m-1',
        'model publish:m-2',
        'model rollback:m-1',
        'model rollback:m-2',
      ]);
    },
  );

  it(
    'refuses an invalid model, a changed document under a published version, and a rollback to ' +
      'nothing, changing nothing',
    async () => {
      const bad = await ops('model', 'publish', modelFile('bad', { initial: [0.5, 0.5, 0.5] }));
      expect(bad.code).toBe(1);
      expect(bad.err).toContain('invalid model: initial sums to 1.5');
      expect(api.requests).toEqual([]);
      const notJson = join(dir, 'x.json');
      writeFileSync(notJson, '{');
      expect((await ops('model', 'publish', notJson)).err).toContain('is not valid JSON');
      expect((await ops('model', 'publish', modelFile('p', { placeholder: true }))).err).toContain(
        'placeholder model',
      );
      expect(api.requests).toEqual([]);

      await ops('model', 'publish', modelFile('m-1'));
      const before = api.snapshot();
      const changed = await ops(
        'model',
        'publish',
        modelFile('m-1', { initial: [0.25, 0.5, 0.25] }),
      );
      expect(changed.err).toContain('models/m-1 already exists with different content');
      expect((await ops('model', 'rollback', 'm-9')).err).toContain('models/m-9 does not exist');
      // The first publish came from the embedded model: rolling back goes there.
      expect((await ops('model', 'rollback', '--dry-run')).out).toContain(
        'remove "current": the scorer uses its embedded model',
      );
      expect((await ops('model', 'publish', modelFile('m-1'), '--dry-run')).out).toContain(
        'already published and current',
      );
      expect(api.snapshot()).toEqual(before);
    },
  );
});

describe(
  'ops model: rollback to the embedded model, concurrent changes (Fastly API stand-in; ' +
    'the scorer on stand-in stores, counters fake)',
  () => {
    it(
      '--embedded removes "current" and the scorer falls back to its embedded model; a rollback ' +
        'then restores the published one',
      async () => {
        const path = join(dir, 'm-1.json');
        writeFileSync(path, JSON.stringify({ ...HAND_MODEL_DOC, version: 'm-1' }));
        await ops('model', 'publish', path);
        const embedded = loadModel({ ...HAND_MODEL_DOC, version: 'embedded-9' });
        const run = await ops('model', 'rollback', '--embedded');
        expect(run.code).toBe(0);
        expect(run.out).toContain('the embedded model is current again (was m-1)');
        expect(api.kvValue('scorer_models', 'current')).toBeNull();
        const loaded = await readModel(
          platformOver(api, () => clock.ms),
          embedded,
        );
        expect(loaded.ok && [loaded.value.source, loaded.value.model.version]).toEqual([
          'embedded',
          'embedded-9',
        ]);
        expect((await ops('model', 'list')).out).toContain('rollback m-1 → (embedded)');
        expect((await ops('model', 'rollback')).code).toBe(0);
        expect(api.kvValue('scorer_models', 'current')).toBe('m-1');
        expect((await ops('model', 'rollback', 'm-1', '--embedded')).err).toContain('not both');
      },
    );

    it('a publish stops before moving "current" when another operator moved it meanwhile', async () => {
      const a = join(dir, 'a.json');
      writeFileSync(a, JSON.stringify({ ...HAND_MODEL_DOC, version: 'a' }));
      api.beforeHandle = (method, path) => {
        // Another operator points "current" elsewhere while our history entry is being written.
        if (method === 'PUT' && path.endsWith('/keys/history'))
          api.state.kvStores.get('kv001')!.keys.set('current', 'theirs');
      };
      const run = await ops('model', 'publish', a);
      expect(run.code).toBe(1);
      expect(run.err).toContain('KV "current" changed since this plan read it (another operator?)');
      expect(api.kvValue('scorer_models', 'current')).toBe('theirs');
    });
  },
);

describe('ops CLI: token, help, usage', () => {
  it('the token never appears in output, even when the API echoes it in an error', async () => {
    api.faults.push({
      method: 'GET',
      path: /\/resources\/stores\/kv$/,
      status: 403,
      body: { msg: `token ${api.token} lacks scope` },
    });
    const run = await ops('model', 'list');
    expect(run.code).toBe(1);
    expect(run.all).not.toContain(api.token);
    expect(run.err).toContain('token <redacted: Fastly-Key> lacks scope');
    expect(api.requests[0]!.headers['fastly-key']).toBe(api.token);
  });

  it('without FASTLY_API_TOKEN or a service id it says what to set', async () => {
    const noToken = await opsRunner(null, null)('threshold', 'get');
    expect(noToken.code).toBe(2);
    expect(noToken.all).toContain('FASTLY_API_TOKEN is not set');
    const noService = await opsRunner(() => api, null, { env: { FASTLY_SERVICE_ID: undefined } })(
      'threshold',
      'get',
    );
    expect(noService.code).toBe(1);
    expect(noService.all).toContain('no service: pass --service-id ID or set FASTLY_SERVICE_ID');
  });

  it('every command has --help; unknown commands and options are usage errors', async () => {
    for (const command of COMMANDS) {
      const run = await ops(...command.words, '--help');
      expect(run.code, command.words.join(' ')).toBe(0);
      expect(run.out).toContain(`usage: npm run ops -- ${command.words.join(' ')}`);
      expect(run.out).toContain('--help');
    }
    expect((await ops('--help')).out).toContain('keys rotate');
    expect((await ops('vcl', 'launch')).code).toBe(2);
    expect((await ops('threshold', 'set', '50', '--force')).err).toContain(
      'unknown option --force',
    );
    expect((await ops('threshold', 'set', '50', '60')).err).toContain('unexpected argument "60"');
    expect(api.requests).toEqual([]);
  });

  it('npm run ops runs as a process (the entry script) against the stand-in', async () => {
    const run = await execFileAsync(
      'node',
      ['scripts/lib/run-ts.mjs', 'scripts/ops/main.ts', 'keys', 'generate', '--api-url', api.url],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          FASTLY_API_TOKEN: api.token,
          SCORER_OPS_AUDIT_FILE: join(dir, 'audit.jsonl'),
        },
      },
    );
    expect(run.stdout).toContain('key 1 is active (first key of a new ring)');
    expect(run.stdout + run.stderr).not.toContain(api.token);
    expect(api.secretText('scorer_secrets', 'cookie_key_1')).toMatch(/^[0-9a-f]{64}$/);
    expect(auditLines()).toHaveLength(1);
  });
});

describe('ops plan: unified diff', () => {
  it('prints diff(1)-style hunks with three lines of context, and nothing for equal texts', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nx\nc\n', ['old', 'new'])).toBe(
      '--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c',
    );
    expect(unifiedDiff('same\n', 'same\n', ['old', 'new'])).toBe('');
    expect(unifiedDiff('', 'one\ntwo\n', ['(none)', 'new'])).toBe(
      '--- (none)\n+++ new\n@@ -0,0 +1,2 @@\n+one\n+two',
    );
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const changed = lines.map((l, i) => (i === 2 || i === 17 ? `${l}!` : l));
    const diff = unifiedDiff(lines.join('\n'), changed.join('\n'), ['old', 'new']);
    expect(diff.split('\n').filter((l) => l.startsWith('@@'))).toEqual([
      '@@ -1,6 +1,6 @@',
      '@@ -15,6 +15,6 @@',
    ]);
    expect(diff).toContain('-l2\n+l2!');
    expect(diff).toContain('-l17\n+l17!');
  });
});

describe.runIf(falco)(
  'ops: every mutating command under --dry-run changes nothing (Fastly API stand-in)',
  () => {
    it('prints a plan and sends no mutating request, for each command', async () => {
      // A service with everything in place, so every command has something to do.
      expect((await ops('vcl', 'upload', '--activate')).code).toBe(0);
      expect((await ops('keys', 'generate')).code).toBe(0);
      expect((await ops('keys', 'rotate', '--propagation-wait-seconds', '0')).code).toBe(0);
      const m1 = join(dir, 'm1.json');
      const m2 = join(dir, 'm2.json');
      writeFileSync(m1, JSON.stringify({ ...HAND_MODEL_DOC, version: 'm1' }));
      writeFileSync(m2, JSON.stringify({ ...HAND_MODEL_DOC, version: 'm2' }));
      expect((await ops('model', 'publish', m1)).code).toBe(0);
      clock.ms += 30 * 86400_000; // key 1 is now past grace
      const before = api.snapshot();
      const mark = api.requests.length;
      const commands: string[][] = [
        ['vcl', 'upload', '--exclude-url-regex', '\\.css$'],
        ['vcl', 'exclude-regex', 'set', '\\.css$'],
        ['threshold', 'set', '90'],
        ['mode', 'set', 'enforce'],
        ['caller-secret', 'set'],
        ['keys', 'generate'],
        ['keys', 'rotate'],
        ['keys', 'retire'],
        ['model', 'publish', m2],
      ];
      for (const command of commands) {
        const run = await ops(...command, '--dry-run');
        expect(run.code, command.join(' ')).toBe(0);
        expect(run.out, command.join(' ')).toMatch(/^plan: \d+ requests?$/m);
        expect(run.out, command.join(' ')).toContain('dry run: nothing was changed');
      }
      expect(api.requests.slice(mark).filter((r) => r.method !== 'GET')).toEqual([]);
      expect(api.snapshot()).toEqual(before);
      expect((await ops('model', 'publish', m2)).code).toBe(0);
      const rollback = await ops('model', 'rollback', '--dry-run');
      expect(rollback.out).toContain('point "current" at m1');
      expect(api.kvValue('scorer_models', 'current')).toBe('m2');
    });
  },
);

describe(
  'ops: failures midway and concurrent changes (Fastly API stand-in; the scorer on ' +
    'stand-in stores, counters fake)',
  () => {
    it('a failed mutating command keeps the token out of the audit file too', async () => {
      // The index write carries no secret field, so Fastly's message is kept, the token named.
      api.faults.push({
        method: 'PUT',
        path: /\/item\/cookie_key_ring$/,
        status: 500,
        body: { msg: `internal error for key ${api.token}` },
      });
      const run = await ops('keys', 'generate');
      expect(run.code).toBe(1);
      expect(run.all).not.toContain(api.token);
      const file = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
      expect(file).toContain('"result":"failed"');
      expect(file).toContain('internal error for key <redacted: Fastly-Key>');
      expect(file).not.toContain(api.token);
    });

    it('model publish failing after the document leaves "current" where it was', async () => {
      const path = join(dir, 'm.json');
      writeFileSync(path, JSON.stringify({ ...HAND_MODEL_DOC, version: 'm-7' }));
      api.faults.push({ method: 'PUT', path: /\/keys\/current$/, status: 503 });
      const run = await ops('model', 'publish', path);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/step 3 \(point "current" at m-7\) failed/);
      expect(api.kvValue('scorer_models', 'current')).toBeNull();
      expect(api.kvValue('scorer_models', 'models/m-7')).not.toBeNull();
      // Re-running finishes the job without rewriting the document.
      const again = await ops('model', 'publish', path);
      expect(again.code).toBe(0);
      expect(api.kvValue('scorer_models', 'current')).toBe('m-7');
    });

    it('keys retire failing at the secret deletion leaves a valid ring (the index moved first)', async () => {
      await ops('keys', 'generate');
      await ops('keys', 'rotate', '--propagation-wait-seconds', '0');
      clock.ms += 30 * 86400_000;
      api.faults.push({ method: 'DELETE', path: /\/secrets\/cookie_key_1$/, status: 500 });
      expect((await ops('keys', 'retire')).code).toBe(1);
      const ring = await readKeyRing(platformOver(api, () => clock.ms));
      expect(ring.ok && ring.value.describe()).toEqual([{ id: 2, active: true }]);
      clock.ms += 2 * 3600_000;
      const list = await ops('keys', 'list');
      expect(list.out).toContain(
        'secrets not named by the index (an interrupted generate?): cookie_key_1',
      );
      expect((await ops('keys', 'retire', '--orphans')).code).toBe(0);
      expect(api.secretText('scorer_secrets', 'cookie_key_1')).toBeNull();
    });

    it('a rotation stops before activating when another operator changed the index during the wait', async () => {
      await ops('keys', 'generate');
      duringWait = () =>
        api.state.configStores
          .get('cfg001')!
          .items.set(
            'cookie_key_ring',
            JSON.stringify({ active: 1, keys: [{ id: 1 }, { id: 9, staged: true }] }),
          );
      const run = await ops('keys', 'rotate');
      expect(run.code).toBe(1);
      expect(run.err).toContain(
        'cookie_key_ring changed since this plan read it (another operator?)',
      );
      expect(
        JSON.parse(api.configItem('scorer_config', 'cookie_key_ring')!).keys.map(
          (k: { id: number }) => k.id,
        ),
      ).toEqual([1, 9]);
    });

    it('a rotation activated much later than planned refuses instead of shortening the grace', async () => {
      await ops('keys', 'generate');
      duringWait = () => (clock.ms += 3600_000);
      const run = await ops('keys', 'rotate');
      expect(run.code).toBe(1);
      expect(run.err).toContain('more than 300 s later than planned');
      expect(JSON.parse(api.configItem('scorer_config', 'cookie_key_ring')!)).toMatchObject({
        active: 1,
        keys: [{ id: 1 }, { id: 2, staged: true }],
      });
      expect((await ops('keys', 'rotate')).code).toBe(0);
      expect(JSON.parse(api.configItem('scorer_config', 'cookie_key_ring')!).active).toBe(2);
    });

    it.runIf(falco)(
      'vcl upload does not activate over a version someone else activated meanwhile',
      async () => {
        expect((await ops('vcl', 'upload', '--activate')).code).toBe(0);
        api.validate = (v) => {
          // Another operator activates their own clone while ours is being validated.
          if (v.number === 3) {
            const theirs = {
              ...api.state.versions[1]!,
              number: 4,
              active: false,
              locked: false,
              snippets: new Map(api.state.versions[1]!.snippets),
              dictionaries: new Map(),
              backends: new Set(['F_scorer']),
            };
            api.state.versions.push(theirs);
            for (const other of api.state.versions) other.active = other === theirs;
          }
          return [];
        };
        const run = await ops('vcl', 'upload', '--exclude-url-regex', '\\.css$', '--activate');
        expect(run.code).toBe(1);
        expect(run.err).toContain('the active version is now 4, not 2');
        expect(api.activeVersion().number).toBe(4);
      },
    );
  },
);

describe('ops CLI: arguments and API URL', () => {
  it(
    'accepts options before the command words and --name=value; refuses a value that looks ' +
      'like an option',
    async () => {
      const before = await ops('--kv-store', 'scorer_models', 'model', 'list');
      expect(before.code).toBe(0);
      expect((await ops('keys', 'list', `--api-url=${api.url}`)).code).toBe(0);
      const swallowed = await ops('keys', 'generate', '--audit-file', '--dry-run');
      expect(swallowed.code).toBe(2);
      expect(swallowed.err).toContain(
        '--audit-file needs a value (PATH); to pass one starting with "--", write --audit-file=--dry-run',
      );
      expect(writes()).toEqual([]);
    },
  );

  it('refuses an API URL that would carry the token unencrypted', async () => {
    for (const url of ['http://api.example.com', 'ftp://127.0.0.1', 'not a url']) {
      const run = await ops('keys', 'list', '--api-url', url);
      expect(run.code, url).toBe(2);
      expect(run.err).toContain('--api-url');
    }
    expect(api.requests).toEqual([]);
  });

  it(
    'a request that gets no answer names the cause (here: a closed loopback port refuses the ' +
      'connection)',
    async () => {
      // A port that was just free and is closed again: nothing listens there.
      const closed = await freePort();
      const run = await ops('keys', 'list', '--api-url', `http://127.0.0.1:${closed}`);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/fetch failed: connection refused \(ECONNREFUSED\)/);
    },
  );
});
