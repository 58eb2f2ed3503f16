/**
 * `verified-bots update|show` and the two thresholds, against the STAND-IN for the Fastly API
 * (scripts/ops/standin/fastly-api-standin.ts; the real API cannot be reached from tests) and a loopback file
 * server standing in for the crawler operators' published URLs (read through --mirror, which maps
 * https://<host>/<path> to <mirror>/<host>/<path>).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLines as auditLinesIn, opsRunner } from './run-ops.js';
import { CRAWLERS } from '../../scorer-core/src/index.js';
import { ensureFalco, findFalco } from '../../scripts/lib/falco.mjs';
import {
  formatSnapshot,
  SNAPSHOT_FORMAT,
  validateSnapshot,
  type VerifiedBotsSnapshot,
} from '../../scripts/vcl/verified-bots.js';
import { seededRandom } from '../helpers/fixtures.js';
import {
  startFastlyApiStandin,
  type FastlyApiStandin,
} from '../../scripts/ops/standin/fastly-api-standin.js';

const falco: string | null = process.env.CI ? ensureFalco() : findFalco();
const T0 = Date.UTC(2026, 11, 1, 9, 30, 0);

let api: FastlyApiStandin;
let dir: string;
let files: Map<string, { status: number; body: string }>;
let fileServer: Server;
let mirror: string;
let served: string[];

/** A snapshot naming one source per crawler at https://ranges.example/<name>.json (two for googlebot). */
function startingSnapshot(): VerifiedBotsSnapshot {
  const crawlers: VerifiedBotsSnapshot['crawlers'] = {};
  for (const { name } of CRAWLERS) {
    crawlers[name] = {
      sources: [
        {
          url: `https://ranges.example/${name}.json`,
          retrievedAt: '2026-08-21T15:36:26Z',
          via: {
            repository: 'someone/mirror',
            path: `${name}.json`,
            commit: 'a'.repeat(40),
            committedAt: '2026-08-21T15:36:26Z',
          },
        },
      ],
      ranges: ['198.51.100.0/24'],
    };
  }
  crawlers.googlebot!.sources.push({
    url: 'https://other.example/ipranges/special.json',
    retrievedAt: '2026-08-21T15:36:26Z',
  });
  crawlers.googlebot!.ranges = ['66.249.64.0/27', '2001:4860:4801:10::/64'];
  return { format: SNAPSHOT_FORMAT, takenAt: '2026-08-22', crawlers };
}

const published = (prefixes: string[], creationTime = '2026-11-30T14:45:42.000000') =>
  JSON.stringify({
    creationTime,
    prefixes: prefixes.map((p) => (p.includes(':') ? { ipv6Prefix: p } : { ipv4Prefix: p })),
  });

/** Every source serving the starting ranges, so only what a test changes differs. */
function serveStartingRanges() {
  for (const { name } of CRAWLERS)
    files.set(`/ranges.example/${name}.json`, {
      status: 200,
      body: published(['198.51.100.0/24']),
    });
  files.set('/ranges.example/googlebot.json', {
    status: 200,
    body: published(['66.249.64.0/27', '2001:4860:4801:10::/64']),
  });
  files.set('/other.example/ipranges/special.json', {
    status: 200,
    body: published(['66.249.64.0/27']),
  });
}

beforeEach(async () => {
  api = await startFastlyApiStandin();
  dir = mkdtempSync(join(tmpdir(), 'scorer-verified-bots-'));
  writeFileSync(join(dir, 'snapshot.json'), formatSnapshot(startingSnapshot()));
  files = new Map();
  served = [];
  fileServer = createServer((req, res) => {
    served.push(req.url ?? '');
    const file = files.get(req.url ?? '');
    res.writeHead(file?.status ?? 404, { 'content-type': 'application/json' });
    res.end(file?.body ?? '{"error":"not found"}');
  });
  await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
  serveStartingRanges();
});
afterEach(async () => {
  await api.close();
  await new Promise<void>((resolve) => fileServer.close(() => resolve()));
});

const ops = opsRunner(
  () => api,
  () => dir,
  () => ({ now: () => T0, randomBytes: seededRandom(31) }),
);

const snapshotPath = () => join(dir, 'snapshot.json');
const update = (...extra: string[]) =>
  ops('verified-bots', 'update', '--snapshot', snapshotPath(), '--mirror', mirror, ...extra);
const auditLines = () => auditLinesIn(dir);
const apiWrites = () => api.requests.filter((r) => r.method !== 'GET');

describe('ops verified-bots update (loopback file server for the published URLs, Fastly API stand-in)', () => {
  it(
    '--dry-run reads every source, prints the per-crawler summary and the unified diff, and ' +
      'changes nothing',
    async () => {
      files.set('/ranges.example/googlebot.json', {
        status: 200,
        body: published([
          '66.249.64.0/27',
          '66.249.64.32/27',
          '2001:4860:4801:10::/64',
          '2001:4860:4801:11::/64',
        ]),
      });
      const before = readFileSync(snapshotPath(), 'utf8');
      const run = await update('--dry-run');
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      expect(served.sort()).toEqual(
        [
          ...CRAWLERS.map((c) => `/ranges.example/${c.name}.json`),
          '/other.example/ipranges/special.json',
        ].sort(),
      );
      // 66.249.64.0/27 + 66.249.64.32/27 aggregate to the /26; …:10::/64 + …:11::/64 to …:10::/63.
      expect(run.out).toMatch(/googlebot\s+2 →\s+2 ranges \(\+2 −2\)/);
      expect(run.out).toMatch(/bingbot\s+1 →\s+1 ranges \(\+0 −0\)/);
      expect(run.out).toContain(
        '-        "66.249.64.0/27",\n       -        "2001:4860:4801:10::/64"\n       +        ' +
          '"66.249.64.0/26",\n       +        "2001:4860:4801:10::/63"',
      );
      expect(run.out).toContain('dry run: nothing was changed');
      expect(readFileSync(snapshotPath(), 'utf8')).toBe(before);
      expect(auditLines()).toEqual([]);
      expect(apiWrites()).toEqual([]);
    },
  );

  it(
    "writes the canonical snapshot with each source's URL, creationTime, retrieval time and " +
      'mirror, and an audit line; says what the active version carries',
    async () => {
      files.set('/ranges.example/bingbot.json', {
        status: 200,
        body: published(['157.55.39.0/24', '207.46.13.0/24'], '2026-11-29T10:00:00'),
      });
      const run = await update();
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      const written = validateSnapshot(JSON.parse(readFileSync(snapshotPath(), 'utf8')));
      expect(readFileSync(snapshotPath(), 'utf8')).toBe(formatSnapshot(written));
      expect(written.takenAt).toBe('2026-12-01');
      expect(written.crawlers.bingbot).toEqual({
        sources: [
          {
            url: 'https://ranges.example/bingbot.json',
            published: '2026-11-29T10:00:00',
            retrievedAt: '2026-12-01T09:30:00Z',
            via: { mirror: `${mirror}/ranges.example/bingbot.json` },
            prefixes: 2,
          },
        ],
        ranges: ['157.55.39.0/24', '207.46.13.0/24'],
      });
      // IPv6 ranges are kept; two sources of one crawler are merged.
      expect(written.crawlers.googlebot!.ranges).toEqual([
        '66.249.64.0/27',
        '2001:4860:4801:10::/64',
      ]);
      expect(written.crawlers.googlebot!.sources.map((s) => s.url)).toEqual([
        'https://ranges.example/googlebot.json',
        'https://other.example/ipranges/special.json',
      ]);
      const [audit] = auditLines();
      expect(audit).toMatchObject({
        command: 'verified-bots update',
        result: 'ok',
        who: 'ops@example.com (os user tester)',
        target: { snapshot: snapshotPath(), mirror },
        before: { taken_at: '2026-08-22', ranges: { bingbot: 1 } },
        after: { taken_at: '2026-12-01', ranges: { bingbot: 2 }, missing: [] },
        requests: [],
      });
      expect(run.out).toContain('deployed: the active version 1 has no crawler ACLs yet');
      expect(run.out).toContain('`npm run ops -- vcl upload` ships the new ACLs');
      expect(apiWrites()).toEqual([]);
    },
  );

  it('with the same ranges (only creation times moved) there is nothing to change and nothing is written', async () => {
    for (const [path, file] of files)
      files.set(path, { ...file, body: file.body.replace('2026-11-30', '2026-12-01') });
    const before = readFileSync(snapshotPath(), 'utf8');
    const run = await update();
    expect(run.code).toBe(0);
    expect(run.out).toContain('plan: nothing to change');
    expect(readFileSync(snapshotPath(), 'utf8')).toBe(before);
    expect(auditLines()).toEqual([]);
  });

  it(
    'a source that cannot be read refuses the whole update, naming it; --allow-missing records ' +
      'it as missing and the crawler as incomplete',
    async () => {
      files.delete('/other.example/ipranges/special.json');
      files.set('/ranges.example/applebot.json', { status: 200, body: '<html>maintenance</html>' });
      const before = readFileSync(snapshotPath(), 'utf8');
      const refused = await update();
      expect(refused.code).toBe(1);
      expect(refused.err).toContain(`refused, ${snapshotPath()} was not changed:`);
      expect(refused.err).toContain(
        `googlebot: ${mirror}/other.example/ipranges/special.json: HTTP 404`,
      );
      expect(refused.err).toContain(`applebot: ${mirror}/ranges.example/applebot.json: not JSON`);
      expect(readFileSync(snapshotPath(), 'utf8')).toBe(before);
      expect(auditLines()).toEqual([]);

      files.set('/ranges.example/applebot.json', {
        status: 200,
        body: published(['198.51.100.0/24']),
      });
      const allowed = await update('--allow-missing');
      expect(allowed.code, allowed.err).toBe(0);
      expect(allowed.out).toMatch(/googlebot .*INCOMPLETE/);
      const written = validateSnapshot(JSON.parse(readFileSync(snapshotPath(), 'utf8')));
      expect(written.crawlers.googlebot!.sources[1]).toEqual({
        url: 'https://other.example/ipranges/special.json',
        missing: 'not read on 2026-12-01: HTTP 404',
      });
      expect(auditLines()[0]).toMatchObject({
        result: 'ok',
        after: { missing: [`googlebot: ${mirror}/other.example/ipranges/special.json: HTTP 404`] },
      });
    },
  );

  it('a crawler losing more than half its ranges is refused unless --allow-shrink', async () => {
    files.set('/ranges.example/googlebot.json', {
      status: 200,
      body: published([
        '66.249.64.0/27',
        '66.249.70.0/27',
        '66.249.72.0/27',
        '2001:4860:4801:10::/64',
      ]),
    });
    expect((await update()).code).toBe(0);
    files.set('/ranges.example/googlebot.json', {
      status: 200,
      body: published(['66.249.64.0/27']),
    });
    files.set('/other.example/ipranges/special.json', {
      status: 200,
      body: published(['66.249.64.0/27']),
    });
    const refused = await update();
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('googlebot: 4 → 1 ranges, less than half');
    const shrink = await update('--allow-shrink');
    expect(shrink.code, shrink.err).toBe(0);
    expect(
      validateSnapshot(JSON.parse(readFileSync(snapshotPath(), 'utf8'))).crawlers.googlebot!.ranges,
    ).toEqual(['66.249.64.0/27']);
  });

  it(
    'refuses a malformed published prefix and a mirror that is neither https nor loopback, ' +
      'before writing anything',
    async () => {
      files.set('/ranges.example/openai.json', {
        status: 200,
        body: published(['20.171.206.0/33']),
      });
      const bad = await update();
      expect(bad.code).toBe(1);
      expect(bad.err).toContain('openai: ');
      expect(bad.err).toContain(
        'prefixes[0]: "20.171.206.0/33": prefix length 33 exceeds 32 for IPv4',
      );
      const plain = await ops(
        'verified-bots',
        'update',
        '--snapshot',
        snapshotPath(),
        '--mirror',
        'http://mirror.example/',
      );
      expect(plain.code).toBe(1);
      expect(plain.err).toContain(
        '--mirror: http://mirror.example is neither https nor a loopback address',
      );
      expect(auditLines()).toEqual([]);
    },
  );

  it('show lists ranges per crawler, each source and where it was read', async () => {
    const run = await ops('verified-bots', 'show', '--snapshot', snapshotPath());
    expect(run.code).toBe(0);
    expect(run.out).toContain('googlebot          2 ranges (1 IPv4, 1 IPv6)');
    expect(run.out).toContain(
      `https://ranges.example/bingbot.json — read 2026-08-21T15:36:26Z via someone/mirror@aaaaaaaaaaaa bingbot.json`,
    );
  });
});

describe.runIf(falco)('ops verified-bots update → vcl upload ships the new ACLs (stand-in)', () => {
  it('the uploaded crawler snippet carries the refreshed ranges, IPv6 included', async () => {
    files.set('/ranges.example/bingbot.json', {
      status: 200,
      body: published(['157.55.39.0/24', '2620:1ec:c11::/48']),
    });
    expect((await update()).code).toBe(0);
    const upload = await ops('vcl', 'upload', '--snapshot', snapshotPath(), '--activate');
    expect(upload.err).toBe('');
    expect(upload.code).toBe(0);
    const acls = api.activeVersion().snippets.get('session-scorer-crawlers')!.content;
    expect(acls).toContain(
      'acl scorer_crawler_bingbot {\n  "157.55.39.0"/24;\n  "2620:1ec:c11::"/48;\n}',
    );
    expect(acls).toContain('snapshot taken 2026-12-01');
    expect((await ops('verified-bots', 'show', '--snapshot', snapshotPath())).out).toContain(
      'deployed: the active version 2 carries the crawler ACLs of the snapshot taken 2026-12-01',
    );
  });
});

describe.runIf(falco)('ops threshold with a challenge band (stand-in)', () => {
  beforeEach(async () => {
    expect((await ops('vcl', 'upload', '--activate')).code).toBe(0);
    api.requests.length = 0;
  });

  it('--challenge sets challenge_threshold (first) and threshold; get shows the band', async () => {
    const run = await ops('threshold', 'set', '90', '--challenge', '60');
    expect(run.code, run.err).toBe(0);
    expect(
      apiWrites().map((r) => `${r.method} ${r.path.replace(/^\/service\/\w+/, '')} ${r.body}`),
    ).toEqual([
      'PUT /dictionary/dict1/item/challenge_threshold item_value=60',
      'PUT /dictionary/dict1/item/threshold item_value=90',
    ]);
    expect((await ops('threshold', 'get')).out).toBe('threshold: 90\nchallenge_threshold: 60');
    expect(auditLines().at(-1)).toMatchObject({
      command: 'threshold set',
      before: { challenge_threshold: '(none: no challenge band)' },
      after: { threshold: '90', challenge_threshold: '60' },
    });
  });

  it(
    'refuses a challenge threshold above the threshold, a threshold below the one set, and ' +
      'malformed values; equal means no band',
    async () => {
      const above = await ops('threshold', 'set', '70', '--challenge', '75');
      expect(above.code).toBe(1);
      expect(above.err).toContain('--challenge: 75 is above the threshold 70');
      expect((await ops('threshold', 'set', '90', '--challenge', '60')).code).toBe(0);
      api.requests.length = 0;
      const below = await ops('threshold', 'set', '50');
      expect(below.code).toBe(1);
      expect(below.err).toContain(
        'threshold: 50 is below the challenge_threshold 60 already set; give --challenge M (at most 50) as well',
      );
      for (const bad of ['101', '060', 'x', '-1']) {
        const run = await ops('threshold', 'set', '90', '--challenge', bad);
        expect(run.code, bad).toBe(1);
        expect(run.err).toContain('--challenge: expected a whole number 0–100');
      }
      expect(apiWrites()).toEqual([]);
      expect((await ops('threshold', 'set', '50', '--challenge', '50')).code).toBe(0);
      expect((await ops('threshold', 'get')).out).toBe(
        'threshold: 50\nchallenge_threshold: 50 (equal to the threshold: no challenge band)',
      );
    },
  );

  it('get reports dictionary nonsense as the VCL reads it', async () => {
    api.state.dictionaryItems.get('dict1')!.set('threshold', '70');
    api.state.dictionaryItems.get('dict1')!.set('challenge_threshold', '85');
    expect((await ops('threshold', 'get')).out).toBe(
      'threshold: 70\nchallenge_threshold: 70 (the item holds 85, above the threshold, which ' +
        'the VCL ignores: no challenge band)',
    );
  });
});

describe.runIf(falco)(
  'ops vcl exclude-regex set on a service uploaded before the crawler ACLs existed (stand-in)',
  () => {
    it(
      'is refused before any change: the recv snippet needs the crawlers snippet, so a full ' +
        'upload comes first',
      async () => {
        expect((await ops('vcl', 'upload', '--activate')).code).toBe(0);
        // What a service uploaded by an earlier version of this tool holds: no crawlers snippet.
        api.activeVersion().snippets.delete('session-scorer-crawlers');
        api.requests.length = 0;
        const run = await ops('vcl', 'exclude-regex', 'set', '(?i)\\.css$');
        expect(run.code).toBe(1);
        expect(run.err).toContain(
          'has no session-scorer-crawlers snippet (the crawler ACLs the recv snippet now uses): run `vcl upload` first',
        );
        expect(apiWrites()).toEqual([]);
      },
    );
  },
);
