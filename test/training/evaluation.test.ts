import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sameLog, trainingOverlapWarnings } from '../../scripts/training/evaluation.js';
import {
  prEmptyReason,
  renderReport,
  scoreHistogram,
  type ReportData,
} from '../../scripts/training/report.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'test/fixtures/semicomplete-2015-apache.head400.log');
const DEFAULT_MODEL = join(ROOT, 'scorer-core/src/default-model.json');
const UNIFORM_MODEL = join(ROOT, 'test/fixtures/uniform-model.json');
const node = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['scripts/lib/run-ts.mjs', script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
const evaluate = (...args: string[]) => node('scripts/training/evaluate.ts', ...args);

describe('npm run evaluate', () => {
  let dir: string;
  let model: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scorer-eval-'));
    model = join(dir, 'model.json');
    const train = node(
      'scripts/training/train.ts',
      '--input',
      FIXTURE,
      '--out',
      model,
      '--split',
      '0.5',
    );
    expect(train.status, train.stderr).toBe(0);
  }, 60_000);

  it(
    'keeps the old JSON keys and adds intervals, request-level figures, four strata, per-file ' +
      'figures; writes flagged sessions',
    () => {
      const sessions = join(dir, 'flagged.jsonl');
      const run = evaluate(
        '--input',
        FIXTURE,
        '--model',
        model,
        '--split',
        '0.5',
        '--json',
        '--sessions',
        sessions,
        '--threshold',
        '100',
        '--paths',
        '2',
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).not.toContain('warning'); // evaluated after the split the model was trained before
      const result = JSON.parse(run.stdout);
      for (const key of ['sessions', 'bot_sessions', 'roc_auc', 'pr_auc', 'tpr_at_fpr_1pct']) {
        expect(result, key).toHaveProperty(key);
        expect(result.with_cookie_dropping, key).toHaveProperty(key);
      }
      expect(result.sessions).toBeGreaterThan(5);
      expect(result.with_cookie_dropping.sessions).toBe(result.sessions);
      expect(result.labeller).toBe('v2');
      expect(result.bootstrap).toMatchObject({ resamples: 1000, seed: 20261201 });
      for (const figures of [result, result.with_cookie_dropping]) {
        expect(figures.roc_auc_ci95.low).toBeLessThanOrEqual(figures.roc_auc);
        expect(figures.roc_auc_ci95.high).toBeGreaterThanOrEqual(figures.roc_auc);
        expect(Object.keys(figures.strata)).toEqual([
          '1 request',
          '2 requests',
          '3–5 requests',
          '6+ requests',
        ]);
        expect(
          Object.values(figures.strata as Record<string, { sessions: number }>).reduce(
            (n, s) => n + s.sessions,
            0,
          ),
        ).toBe(figures.sessions);
        expect(figures.requests_at_fpr_1pct).toHaveProperty('bot_page_requests_flagged');
        expect(figures.requests_at_fpr_1pct).toHaveProperty('human_page_requests_flagged');
      }
      expect(result.per_file).toHaveLength(1);
      expect(result.per_file[0]).toMatchObject({
        file: 'semicomplete-2015-apache.head400.log',
        sessions: result.sessions,
        roc_auc: result.roc_auc,
      });
      expect(result.thresholds).toHaveLength(11);
      expect(result.thresholds[0]).toMatchObject({
        threshold: 0,
        sessions_flagged: result.sessions,
      });
      expect(result.threshold).toBe(100);
      // The flagged list: every line reaches the threshold under one of the cookie assumptions, names
      // the client and keeps at most 2 paths.
      const lines = readFileSync(sessions, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(Math.max(line.score, line.score_if_bots_drop_cookies)).toBeGreaterThanOrEqual(100);
        expect(line.client).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(line.paths.length).toBeLessThanOrEqual(2);
        expect(['bot', 'human']).toContain(line.label);
        expect(Array.isArray(line.reasons_if_bots_drop_cookies)).toBe(true);
      }
    },
    60_000,
  );

  it('reports the label change: v1 keeps its old labels, v2 relabels automation v1 called human', () => {
    const v1 = JSON.parse(
      evaluate(
        '--input',
        FIXTURE,
        '--model',
        model,
        '--json',
        '--labeller',
        'v1',
        '--resamples',
        '0',
      ).stdout,
    );
    const v2 = JSON.parse(
      evaluate('--input', FIXTURE, '--model', model, '--json', '--resamples', '0').stdout,
    );
    expect(v1.relabelled_vs_v1).toEqual({ human_to_bot: 0, bot_to_human: 0 });
    expect(v2.relabelled_vs_v1.human_to_bot).toBeGreaterThan(0);
    expect(v2.bot_sessions - v1.bot_sessions).toBe(v2.relabelled_vs_v1.human_to_bot);
    expect(v2.sessions).toBe(v1.sessions);
    expect(v2.roc_auc_ci95).toBeNull(); // --resamples 0
  }, 60_000);

  it('warns when the evaluated window overlaps the model\u2019s training window', () => {
    // The shipped model was trained on the first 70 % of semicomplete-2015-apache.log; the fixture
    // is that log's first 400 lines.
    const run = evaluate(
      '--input',
      FIXTURE,
      '--model',
      DEFAULT_MODEL,
      '--json',
      '--resamples',
      '0',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /^warning: semicomplete-2015-apache\.head400\.log: the evaluated window 2015-05-17T10:05:00\.000Z – .* overlaps the model's training window of semicomplete-2015-apache\.log/m,
    );
    expect(JSON.parse(run.stdout).warnings).toHaveLength(1);
  }, 60_000);

  it(
    'answers a missing input with one line and exit 1, usage problems with one line and exit ' +
      '2, --help with exit 0',
    () => {
      const missing = evaluate('--input', '/nonexistent/access.log', '--model', DEFAULT_MODEL);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toBe('--input /nonexistent/access.log: no such file or directory\n');
      const noModel = evaluate('--input', FIXTURE);
      expect(noModel.status).toBe(2);
      expect(noModel.stderr).toBe('--model is required (see --help)\n');
      expect(evaluate('--input', FIXTURE, '--model', DEFAULT_MODEL, '--bogus').status).toBe(2);
      expect(
        evaluate('--input', FIXTURE, '--model', DEFAULT_MODEL, '--labeller', 'v3').stderr,
      ).toBe('--labeller: expected v1 or v2, got "v3" (see --help)\n');
      expect(evaluate('--input', FIXTURE, '--model', DEFAULT_MODEL, '--split', '1.5').status).toBe(
        2,
      );
      const help = evaluate('--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('--sessions <file>');
      expect(help.stdout).toContain('--labeller v1|v2');
      expect(help.stdout).toMatch(/^Exit codes:\n {2}0 {2}.*\n {2}1 {2}.*\n {2}2 {2}usage/m);
    },
    60_000,
  );
});

describe('training-window overlap', () => {
  const model = {
    training: {
      inputs: [
        {
          file: 'site.log',
          window: { start: '2026-01-01T00:00:00Z', end: '2026-01-10T00:00:00Z' },
        },
      ],
    },
  };
  const day = (d: number) => Date.UTC(2026, 0, d);
  it('matches the same log by name (or an excerpt of it) and overlapping time only', () => {
    expect(sameLog('site.log', 'site.log')).toBe(true);
    expect(sameLog('site.log.gz', 'site.log')).toBe(true);
    expect(sameLog('site.head400.log', 'site.log')).toBe(true);
    expect(sameLog('other.log', 'site.log')).toBe(false);
    expect(
      trainingOverlapWarnings(model, [{ file: 'site.log', startMs: day(9), endMs: day(12) }]),
    ).toHaveLength(1);
    expect(
      trainingOverlapWarnings(model, [{ file: 'site.log', startMs: day(11), endMs: day(12) }]),
    ).toEqual([]);
    expect(
      trainingOverlapWarnings(model, [{ file: 'other.log', startMs: day(2), endMs: day(3) }]),
    ).toEqual([]);
    expect(
      trainingOverlapWarnings({ version: 'placeholder' }, [
        { file: 'site.log', startMs: day(2), endMs: day(3) },
      ]),
    ).toEqual([]);
  });
});

describe('evaluation report', () => {
  const base: ReportData = {
    title: 't',
    generatedAt: '2026-12-01T00:00:00Z',
    setup: {
      model: 'trained-x from model.json',
      'settings overrides': '{"combine":{"layer2Weight":1}}',
    },
    warnings: [],
    summary: { 'ROC-AUC': 0.5 },
    tables: [],
    roc: [
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 1 },
    ],
    pr: [],
    prBaseline: null,
    prEmptyReason: 'No precision–recall curve: there are no bot sessions, so recall is undefined.',
    histogram: scoreHistogram([
      { score: 0, bot: false },
      { score: 0, bot: false },
      { score: 0, bot: true },
      { score: 100, bot: true },
      { score: 45, bot: true },
    ]),
    thresholds: [],
    notes: [],
  };

  it(
    'says what an empty PR curve means, labels every histogram bar with its count on a log ' +
      'scale, and records the setup',
    () => {
      const html = renderReport(base);
      expect(html).toContain('no curve to draw');
      expect(html).toContain('there are no bot sessions, so recall is undefined');
      expect(html).toContain('sessions (log scale)');
      // Bin 0–9: 2 humans and 1 bot; bin 40–49: 1 bot; bin 100: 1 bot; empty bins get no label.
      expect(html.match(/class="count human-text">(\d+)</g)).toEqual([
        'class="count human-text">2<',
      ]);
      expect(html.match(/class="count bot-text">(\d+)</g)).toEqual([
        'class="count bot-text">1<',
        'class="count bot-text">1<',
        'class="count bot-text">1<',
      ]);
      expect(html).toContain('{&quot;combine&quot;:{&quot;layer2Weight&quot;:1}}');
      expect(html).not.toMatch(/(src|href)="https?:/); // self-contained
      expect(prEmptyReason([{ score: 1, bot: false }])).toMatch(/no bot sessions/);
      expect(prEmptyReason([])).toMatch(/no session was scored/);
      expect(
        prEmptyReason([
          { score: 1, bot: true },
          { score: 1, bot: false },
        ]),
      ).toBeNull();
    },
  );

  it(
    'from a real evaluation: model, settings, labeller and inputs recorded; "every session ' +
      'scored the same" said plainly',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'scorer-report-'));
      const report = join(dir, 'report.html');
      const run = evaluate(
        '--input',
        FIXTURE,
        '--model',
        DEFAULT_MODEL,
        '--report',
        report,
        '--resamples',
        '100',
        '--settings',
        '{"layer1":{"fastEvidenceMin":5}}',
      );
      expect(run.status, run.stderr).toBe(0);
      const html = readFileSync(report, 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain(
        `${JSON.parse(readFileSync(DEFAULT_MODEL, 'utf8')).version} from default-model.json`,
      );
      expect(html).toContain('{&quot;layer1&quot;:{&quot;fastEvidenceMin&quot;:5}}');
      expect(html).toContain('User-Agent labeller v2');
      expect(html).toContain('semicomplete-2015-apache.head400.log (whole files)');
      expect(html).toContain('100 bootstrap resamples');
      expect(html).toContain('overlaps the model&#39;s training window');
      expect(html).toContain('By session length');
      expect(html).toContain('By input file');
      // The uniform model has no learned combiner, and on this excerpt no hand-set rule fires with
      // cookies returned: every session scores 0, and the report says so.
      const same = join(dir, 'same.html');
      expect(
        evaluate(
          '--input',
          FIXTURE,
          '--model',
          UNIFORM_MODEL,
          '--report',
          same,
          '--resamples',
          '100',
        ).status,
      ).toBe(0);
      const sameHtml = readFileSync(same, 'utf8');
      expect(sameHtml).toContain('every scored session got the same score (0)');
      expect(sameHtml).toContain('A single point: every session had the same score');
    },
    60_000,
  );

  it('renders in headless Chromium to a full-size screenshot', (ctx) => {
    // Looked up here, not at import: a lookup at import time ran in every worker and flaked between runs.
    const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
      (bin) => spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 }).status === 0,
    );
    if (chromium === undefined) {
      if (process.env.CI)
        throw new Error('CI needs chromium for the report rendering test (.ci/run installs it)');
      ctx.skip();
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'scorer-report-'));
    const report = join(dir, 'report.html');
    expect(
      evaluate(
        '--input',
        FIXTURE,
        '--model',
        DEFAULT_MODEL,
        '--report',
        report,
        '--resamples',
        '100',
      ).status,
    ).toBe(0);
    const png = join(dir, 'report.png');
    const shot = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--window-size=1200,1600',
        `--screenshot=${png}`,
        `file://${report}`,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    expect(shot.status, shot.stderr).toBe(0);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(1200); // width from the IHDR chunk
    expect(bytes.length).toBeGreaterThan(30_000); // a blank page compresses to a few KB
  }, 120_000);
});

describe('npm run evaluate:transfer (fast, on the fixture cut in two "sites")', () => {
  it('trains on the other input and evaluates on each in turn', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorer-transfer-'));
    const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
    const [a, b] = [join(dir, 'first-half.log'), join(dir, 'second-half.log')];
    writeFileSync(a, lines.slice(0, 200).join('\n') + '\n');
    writeFileSync(b, lines.slice(200).join('\n') + '\n');
    const run = node(
      'scripts/training/evaluate-transfer.ts',
      '--input',
      a,
      '--input',
      b,
      '--json',
      '--resamples',
      '50',
      '--keep',
      dir,
    );
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(
      out.rows.map((r: { held_out: string; trained_on: string[] }) => [r.held_out, r.trained_on]),
    ).toEqual([
      ['first-half.log', ['second-half.log']],
      ['second-half.log', ['first-half.log']],
    ]);
    for (const row of out.rows) {
      expect(row.model).toMatch(/^trained-\d{8}-[0-9a-f]{8}$/);
      expect(row.result.sessions).toBeGreaterThan(10);
      expect(row.result.per_file).toHaveLength(1);
      expect(row.result.warnings).toEqual([]); // never evaluated on what it was trained on
    }
    // The models are the train script's own output, kept where asked.
    const kept = JSON.parse(readFileSync(join(dir, 'model-without-first-half.log.json'), 'utf8'));
    expect(kept.training.inputs.map((i: { file: string }) => i.file)).toEqual(['second-half.log']);
    expect(
      node('scripts/training/evaluate-transfer.ts', '--input', a).stderr.split('\n')[0],
    ).toMatch(/^--input: give at least two logs/);
  }, 120_000);
});
