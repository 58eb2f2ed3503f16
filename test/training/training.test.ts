import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  createClassifier,
  FEATURE_NAMES,
  loadModel,
  resolveSettings,
} from '../../scorer-core/src/index.js';
import { TransitionCounter } from '../../scripts/training/estimate.js';
import { parseLogLine } from '../../scripts/training/logparse.js';
import { Sessionizer, type LogSession } from '../../scripts/training/sessionize.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'test/fixtures/semicomplete-2015-apache.head400.log');

describe('log parsing', () => {
  it('reads combined lines with time zones, extra trailing fields and "-" values', () => {
    const record = parseLogLine(
      '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/a.png HTTP/1.1" 200 ' +
        '203023 "http://semicomplete.com/" "Mozilla/5.0 (Macintosh)"',
    );
    expect(record).toEqual({
      timeMs: Date.UTC(2015, 4, 17, 10, 5, 3),
      ip: '83.149.9.216',
      method: 'GET',
      path: '/presentations/a.png',
      status: 200,
      userAgent: 'Mozilla/5.0 (Macintosh)',
      referer: 'http://semicomplete.com/',
      protocol: 'HTTP/1.1',
      sessionId: null,
    });
    const pacific = parseLogLine(
      '49.44.82.7 - - [22/Dec/2022:02:26:58 -0800] "GET / HTTP/1.1" 301 438 "-" "Chrome" ',
    );
    expect(pacific?.timeMs).toBe(Date.UTC(2022, 11, 22, 10, 26, 58));
    expect(pacific?.referer).toBeNull();
    const facades = parseLogLine(
      '88.191.254.20 - - [22/Mar/2009:07:00:32 +0100] "GET / HTTP/1.0" 200 8674 "-" "-" "-"',
    );
    expect(facades).toMatchObject({
      timeMs: Date.UTC(2009, 2, 22, 6, 0, 32),
      userAgent: '',
      protocol: 'HTTP/1.0',
    });
    expect(
      parseLogLine('1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a" 200 1 "-" "UA"')?.protocol,
    ).toBeNull();
    expect(
      parseLogLine('1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/2.0" 200 1 "-" "UA"')
        ?.protocol,
    ).toBe('HTTP/2.0');
  });

  it('reads Fastly JSON lines and the scorer audit log (with its session hash)', () => {
    expect(
      parseLogLine(
        '{"timestamp":"2026-11-23T10:00:00Z","client_ip":"192.0.2.1","method":"get",' +
          '"url":"/a?b=1","status":"200","user_agent":"UA"}',
      ),
    ).toMatchObject({
      timeMs: Date.UTC(2026, 10, 23, 10),
      ip: '192.0.2.1',
      method: 'GET',
      path: '/a?b=1',
      status: 200,
      userAgent: 'UA',
    });
    const audit = parseLogLine(
      'scorer_audit :: {"ip":"198.51.100.0","method":"GET","path":"/x","ua":"Mozilla",' +
        '"time":"2026-11-23T04:13:43.806Z","event":"scored","sid":"e7fcf833d4270fa4"}',
    );
    expect(audit).toMatchObject({
      path: '/x',
      sessionId: 'e7fcf833d4270fa4',
      userAgent: 'Mozilla',
    });
  });

  it('returns null for anything else, never throws', () => {
    for (const line of [
      '',
      'garbage',
      '1.2.3.4 - - [99/Foo/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',
      '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "" 400 0 "-" "-"',
      '{"time":"x","path":"/"}',
      '{not json',
      '[1,2]',
    ]) {
      expect(parseLogLine(line), line).toBeNull();
    }
  });
});

describe('sessionizer', () => {
  const record = (ip: string, minutes: number, path = '/') => ({
    timeMs: minutes * 60_000,
    ip,
    method: 'GET',
    path,
    status: 200,
    userAgent: 'UA',
    referer: null,
    protocol: 'HTTP/1.1',
    sessionId: null,
  });

  it('splits on the inactivity gap, keeps sessions apart by client, and finishes idle ones as the clock moves', () => {
    const done: LogSession[] = [];
    const sessionizer = new Sessionizer((s) => done.push(s), {
      gapMs: 30 * 60_000,
      slackMs: 60_000,
    });
    sessionizer.add(record('a', 0));
    sessionizer.add(record('b', 1));
    sessionizer.add(record('a', 10));
    sessionizer.add(record('a', 41)); // 31 min after the last: a new session
    expect(done.map((s) => s.requests.length)).toEqual([2]);
    for (let m = 42; m < 200; m++) for (let k = 0; k < 10; k++) sessionizer.add(record(`c${m}`, m));
    sessionizer.sweep();
    expect(done.length).toBeGreaterThan(100);
    expect(sessionizer.peakOpen).toBeLessThan(400); // bounded: only the last ~32 minutes stay open
    sessionizer.flush();
    expect(done.filter((s) => s.ip === 'a').map((s) => s.requests.length)).toEqual([2, 1]);
    expect(done.find((s) => s.ip === 'b')!.requests).toHaveLength(1);
  });

  it('tolerates out-of-order lines within the slack and sorts each session by time', () => {
    const done: LogSession[] = [];
    const sessionizer = new Sessionizer((s) => done.push(s), { slackMs: 120_000 });
    sessionizer.add(record('a', 5, '/second'));
    sessionizer.add(record('a', 4, '/first'));
    sessionizer.flush();
    expect(done[0]!.requests.map((r) => r.path)).toEqual(['/first', '/second']);
  });
});

describe('transition estimation', () => {
  it('counts entries and transitions of human page views and smooths them, by hand', () => {
    const classifier = createClassifier({
      rules: [
        { class: 'static', suffix: '.css' },
        { class: 'home', exact: '/' },
        { class: 'item', prefix: '/item' },
      ],
      defaultClass: 'other',
    });
    const counter = new TransitionCounter({ classifier, alpha: 1 });
    expect(counter.states).toEqual(['home', 'item', 'other']);
    const session = (times: [number, string][]): LogSession => ({
      key: 'k',
      ip: 'i',
      userAgent: 'u',
      dropped: 0,
      requests: times.map(([s, path]) => ({ timeMs: s * 1000, method: 'GET', path })),
    });
    counter.add(
      session([
        [0, '/'],
        [1, '/site.css'],
        [10, '/item/1'],
        [20, '/'],
      ]),
    );
    counter.add(
      session([
        [0, '/item/2'],
        [5000, '/'],
      ]),
    ); // 5000 s later: a new visit
    // entries: home 1 (first session), item 1, home 1 (second visit) → [2, 1, 0]; transitions: home→item, item→home.
    expect(counter.initial).toEqual([2, 1, 0]);
    expect(counter.matrix).toEqual([
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    const model = counter.toModel({
      createdAt: '2026-11-23T00:00:00Z',
      inputs: ['x'],
      windowStartMs: 0,
      windowEndMs: 1,
      counts: {},
    });
    expect(model.initial).toEqual([3 / 6, 2 / 6, 1 / 6]);
    expect(model.matrix[0]).toEqual([1 / 4, 2 / 4, 1 / 4]);
    expect(model.matrix[2]).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // Baseline over the 5 human steps: entries home (1 bit) ×2 and item (log2 3), transitions
    // home→item and item→home (1 bit each).
    const bits = [1, Math.log2(3), 1, 1, 1];
    const mean = bits.reduce((a, b) => a + b) / 5;
    expect(model.baseline.meanBits).toBeCloseTo(mean, 12);
    expect(model.baseline.stdBits).toBeCloseTo(
      Math.sqrt(bits.reduce((a, b) => a + b * b, 0) / 5 - mean * mean),
      12,
    );
    expect(model.version).toMatch(/^trained-20261123-[0-9a-f]{8}$/);
    expect(loadModel(model).states).toEqual(['home', 'item', 'other']);
  });
});

describe('npm run train', () => {
  const run = (...args: string[]) =>
    spawnSync('node', ['scripts/lib/run-ts.mjs', 'scripts/training/train.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  it('trains a model scorer-core loads from a real log excerpt, plain and gzipped, and reports what it saw', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorer-train-'));
    const gz = join(dir, 'excerpt.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(FIXTURE)));
    const malformed = join(dir, 'bad.log');
    writeFileSync(malformed, 'not a log line\n\n');
    const out = join(dir, 'model.json');
    const result = run('--input', FIXTURE, '--input', gz, '--input', malformed, '--out', out);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /trained trained-\d{8}-[0-9a-f]{8}: 802 lines \(1 malformed\), \d+ sessions \(\d+ bot, \d+ human\)/,
    );
    const model = JSON.parse(readFileSync(out, 'utf8'));
    expect(loadModel(model).version).toBe(model.version);
    expect(model.training.counts.lines).toBe(802);
    expect(model.training.counts.humanSessions).toBeGreaterThan(10);
    expect(model.training.window.start).toBe('2015-05-17T10:05:00.000Z');
  });

  it('refuses missing or unknown options', () => {
    expect(run('--out', '/tmp/x.json').status).toBe(2);
    expect(run('--input', FIXTURE, '--out', '/tmp/x.json', '--bogus', '1').status).toBe(2);
    const twice = run('--input', FIXTURE, '--out', '/tmp/x.json', '--out', '/tmp/y.json');
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('--out given twice');
    const combiner = run('--input', FIXTURE, '--out', '/tmp/x.json', '--combiner', 'forest');
    expect(combiner.status).toBe(2);
    expect(combiner.stderr).toContain(
      '--combiner: expected logistic, trees, auto or none, got "forest"',
    );
    const family = run('--input', FIXTURE, '--out', '/tmp/x.json', '--drop-family', 'headers');
    expect(family.status).toBe(2);
    expect(family.stderr).toContain(
      '--drop-family: expected one of request, session, client, got "headers"',
    );
  });

  it('fits a learned combiner the scorer loads and applies, with its provenance, byte for byte reproducibly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorer-train-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const args = ['--input', FIXTURE, '--created-at', '2026-12-01T00:00:00.000Z'];
    const first = run(...args, '--out', a);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/combiner (logistic|trees) over 21 features/);
    expect(run(...args, '--out', b).status).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    const doc = JSON.parse(readFileSync(a, 'utf8'));
    expect(doc.combiner.features).toEqual([...FEATURE_NAMES]);
    expect(doc.combiner.training.validation).toHaveProperty('chosen', doc.combiner.kind);
    expect(doc.combiner.training.replay).toEqual({ cookies: 'bots-drop', droppedFamilies: [] });
    expect(doc.combiner.scoreMap.scores).toEqual([0, 19, 20, 49, 50, 79, 80, 100]);
    const model = loadModel(doc);
    expect(model.combiner?.kind).toBe(doc.combiner.kind);
    // Without the combiner the version differs: the version covers it.
    expect(run(...args, '--combiner', 'none', '--out', b).status).toBe(0);
    const plain = JSON.parse(readFileSync(b, 'utf8'));
    expect(plain.combiner).toBeUndefined();
    expect(plain.version).not.toBe(doc.version);

    expect(
      run(...args, '--combiner', 'logistic', '--drop-family', 'client', '--out', b).status,
    ).toBe(0);
    const logistic = JSON.parse(readFileSync(b, 'utf8'));
    expect(logistic.combiner.kind).toBe('logistic');
    expect(logistic.combiner.features).toEqual(
      FEATURE_NAMES.filter((name) => !name.startsWith('client_')),
    );
    expect(logistic.combiner.weights).toHaveLength(logistic.combiner.features.length);
    expect(loadModel(logistic).combiner?.features).toEqual(logistic.combiner.features);
  });
});

describe('npm run tune', () => {
  it(
    'searches on the training part only, keeps the human false-positive constraint there, and ' +
      'reports the choice on the held-out part',
    () => {
      const run = spawnSync(
        'node',
        [
          'scripts/lib/run-ts.mjs',
          'scripts/training/tune.ts',
          '--input',
          FIXTURE,
          '--model',
          join(ROOT, 'scorer-core/src/default-model.json'),
          '--split',
          '0.5',
          '--from',
          '{"layer1":{"fastEvidenceMin":3},"combine":{"layer2Weight":1}}',
          '--json',
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result.from).toEqual({ layer1: { fastEvidenceMin: 3 }, combine: { layer2Weight: 1 } });
      expect(result.search.map((g: { group: string }) => g.group)).toEqual([
        'fast browsing',
        'mean dwell',
        'regular dwell',
        'Layer 2 mapping',
        'layer weights',
      ]);
      // Both halves of the excerpt's window have sessions.
      expect(result.training_sessions).toBeGreaterThan(10);
      expect(result.held_out_sessions).toBeGreaterThan(10);
      // The choice is valid settings, never worse than the start on the part it was chosen on, and safe there.
      expect(() => resolveSettings(result.chosen_vs_defaults)).not.toThrow();
      const objective = (r: { returned: { roc_auc: number }; bots_drop: { roc_auc: number } }) =>
        (r.returned.roc_auc + r.bots_drop.roc_auc) / 2;
      expect(objective(result.training.chosen)).toBeGreaterThanOrEqual(
        objective(result.training.from),
      );
      expect(result.training.chosen.returned.human_fpr_at_threshold).toBeLessThanOrEqual(
        result.training.from.returned.human_fpr_at_threshold,
      );
      expect(result.training.chosen.bots_drop.human_fpr_at_threshold).toBeLessThanOrEqual(
        result.training.from.bots_drop.human_fpr_at_threshold,
      );
      for (const part of [result.held_out.from, result.held_out.chosen])
        expect(Object.keys(part.returned.strata)).toEqual([
          '1 request',
          '2 requests',
          '3–5 requests',
          '6+ requests',
        ]);
    },
    60_000,
  );
});
