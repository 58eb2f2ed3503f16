import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFalco, findFalco, lintVcl, testVcl } from '../../scripts/lib/falco.mjs';
import {
  DEFAULT_EXCLUDE_URL_REGEX,
  GENERATED_BY,
  INTERNAL_HEADERS,
  NORMALIZED_PATH_VCL,
  snippetFile,
} from '../../scripts/vcl/facts.js';
import { generateSnippets } from '../../scripts/vcl/generate.js';
import { assembleMainVcl } from '../../scripts/vcl/harness.js';
import { validateExcludeRegex } from '../../scripts/vcl/options.js';

const ROOT = new URL('../../', import.meta.url).pathname;
// falco missing: CI builds it (the suite must not skip there); elsewhere the falco suites skip loudly.
const falco: string | null = process.env.CI ? ensureFalco() : findFalco();
if (!falco)
  console.warn(
    '\n[falco suites skipped] falco is not installed: node scripts/lib/falco.mjs --install\n',
  );

function assembled(snippets = generateSnippets()): string {
  const dir = mkdtempSync(join(tmpdir(), 'scorer-vcl-test-'));
  writeFileSync(join(dir, 'main.vcl'), assembleMainVcl(snippets));
  return dir;
}

describe('generated VCL snippets', () => {
  it('the committed vcl-snippets/ are exactly a fresh generation with defaults', () => {
    const snippets = generateSnippets();
    expect(snippets.map((s) => s.name)).toEqual([
      'session-scorer-crawlers',
      'session-scorer-recv',
      'session-scorer-enforce',
      'session-scorer-pass',
      'session-scorer-miss',
      'session-scorer-fetch',
      'session-scorer-deliver',
    ]);
    const committed = readdirSync(join(ROOT, 'vcl-snippets'))
      .filter((f) => f.endsWith('.vcl'))
      .sort();
    expect(committed).toEqual(snippets.map(snippetFile).sort());
    for (const snippet of snippets) {
      expect(
        readFileSync(join(ROOT, 'vcl-snippets', snippetFile(snippet)), 'utf8'),
        `${snippetFile(snippet)} is stale: run npm run vcl (defaults only; customised snippets go to your own folder with --out DIR)`,
      ).toBe(snippet.content);
      expect(snippet.content.startsWith(GENERATED_BY + '\n')).toBe(true);
    }
  });

  it('strips every internal header the scorer reads or writes, on the first pass and towards client and origin', () => {
    const [, recv, , pass, miss, fetch, deliver] = generateSnippets();
    expect(INTERNAL_HEADERS).toContain('X-Scorer-Score');
    expect(INTERNAL_HEADERS).toContain('X-Scorer-Auth');
    expect(INTERNAL_HEADERS).toContain('X-Scorer-State');
    for (const header of INTERNAL_HEADERS) {
      expect(recv!.content).toContain(`unset req.http.${header};`);
      expect(pass!.content).toContain(`unset bereq.http.${header};`);
      expect(miss!.content).toContain(`unset bereq.http.${header};`);
      expect(fetch!.content).toContain(`unset beresp.http.${header};`);
      expect(deliver!.content).toContain(`unset resp.http.${header};`);
    }
  });

  it('sets the request-fact headers on the preflight only after every client copy is dropped', () => {
    const recv = generateSnippets().find((s) => s.name === 'session-scorer-recv')!.content;
    const set = (header: string, value: string) =>
      recv.indexOf(`set req.http.${header} = ${value};`);
    for (const [header, value] of [
      ['X-Scorer-Proto', 'req.proto'],
      ['X-Scorer-Ja4', 'tls.client.ja4'],
      ['X-Scorer-Host', 'req.http.Host'],
      ['X-Scorer-Tls', 'if(req.is_ssl, "1", "0")'],
    ] as const) {
      expect(INTERNAL_HEADERS).toContain(header);
      expect(set(header, value), header).toBeGreaterThan(recv.indexOf(`unset req.http.${header};`));
      expect(set(header, value), header).toBeGreaterThan(
        recv.indexOf('set req.http.X-Scorer-State = "preflight";'),
      );
    }
  });

  it('puts the exclusion regex into the recv snippet as a literal', () => {
    const recv = generateSnippets({ excludeUrlRegex: '^/static/' })[1]!;
    expect(recv.content).toContain(`${NORMALIZED_PATH_VCL} ~ {"^/static/"}`);
    expect(generateSnippets()[1]!.content).toContain(`{"${DEFAULT_EXCLUDE_URL_REGEX}"}`);
  });

  it('refuses exclusion regexes that break the VCL or exceed the limits, with the reason', () => {
    expect(() => validateExcludeRegex('a'.repeat(2049))).toThrow('at most 2048 bytes');
    expect(() => validateExcludeRegex('\\.css"$')).toThrow('double quotes are not allowed');
    expect(() => validateExcludeRegex('\\.css\n$')).toThrow('control characters are not allowed');
    expect(() => validateExcludeRegex('')).toThrow('non-empty');
    expect(validateExcludeRegex('(?i)\\.(?:css|js)$')).toBe('(?i)\\.(?:css|js)$');
  });
});

describe('the harness main VCL (scripts/vcl/harness.ts)', () => {
  it('declares the scorer backend by the name the snippets use and fills the settings over its defaults', () => {
    const table = (vcl: string) => /table scorer_settings \{\n([^}]*)\}/.exec(vcl)?.[1];
    const plain = assembleMainVcl(generateSnippets());
    expect(plain).toContain('backend F_scorer {\n  .host = "127.0.0.1";\n  .port = "7676";');
    expect(table(plain)).toBe('  "mode": "monitor",\n  "threshold": "80",\n');
    const custom = assembleMainVcl(generateSnippets({ scorerBackend: 'F_other' }), {
      scorerBackend: 'F_other',
      scorer: ['127.0.0.2', 9000],
      settings: { mode: 'enforce', forward_score: 'true' },
    });
    expect(custom).toContain('backend F_other {\n  .host = "127.0.0.2";\n  .port = "9000";');
    expect(custom).not.toContain('F_scorer');
    expect(table(custom)).toBe(
      '  "mode": "enforce",\n  "threshold": "80",\n  "forward_score": "true",\n',
    );
    expect(() => assembleMainVcl([], { settings: { mode: 'a"b' } })).toThrow(
      'harness settings: item "mode" cannot be a VCL string',
    );
  });
});

describe.runIf(falco !== null)('generated VCL under falco', () => {
  it('falco lint of the assembled VCL reports no errors', () => {
    const dir = assembled();
    const lint = lintVcl(falco!, join(dir, 'main.vcl'));
    expect(lint.output).toContain('0 errors');
    expect(lint.ok, lint.output).toBe(true);
  });

  it('falco lint rejects a regex PCRE cannot compile, and accepts PCRE-only syntax', () => {
    // Forced past the ordinary-page check, which cannot compile these in JavaScript either.
    const broken = assembled(
      generateSnippets({ excludeUrlRegex: '(\\.css', forceExcludeRegex: true }),
    );
    const lint = lintVcl(falco!, join(broken, 'main.vcl'));
    expect(lint.ok).toBe(false);
    expect(lint.output).toContain('regex string is invalid');
    const possessive = assembled(
      generateSnippets({
        excludeUrlRegex: '\\.(?>css|js)$|[a-z]++\\.map$',
        forceExcludeRegex: true,
      }),
    );
    expect(lintVcl(falco!, join(possessive, 'main.vcl')).ok).toBe(true);
  });

  it('falco test: every suite in test/vcl/*.test.vcl passes', () => {
    const dir = assembled();
    for (const file of readdirSync(join(ROOT, 'test/vcl')).filter((f) => f.endsWith('.test.vcl')))
      copyFileSync(join(ROOT, 'test/vcl', file), join(dir, file));
    const run = testVcl(falco!, join(dir, 'main.vcl'), [dir]);
    const report = JSON.parse(run.stdout) as {
      tests: { suites: { name: string; error?: string; skip: boolean }[] }[];
      summary: { asserts: number; fails: number };
    };
    const suites = report.tests.flatMap((t) => t.suites);
    expect(suites.filter((s) => s.error).map((s) => `${s.name}: ${s.error}`)).toEqual([]);
    expect(suites.filter((s) => s.skip)).toEqual([]);
    expect(suites.length).toBeGreaterThanOrEqual(80);
    expect(report.summary.fails).toBe(0);
    expect(report.summary.asserts).toBeGreaterThanOrEqual(114);
  });

  it('npm run vcl writes nothing when the regex is refused', () => {
    const out = mkdtempSync(join(tmpdir(), 'scorer-vcl-out-'));
    const refuse = (regex: string) =>
      spawnSync(
        'node',
        [
          'scripts/lib/run-ts.mjs',
          'scripts/vcl/main.ts',
          '--out',
          out,
          '--exclude-url-regex',
          regex,
        ],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FALCO_BIN: falco! } },
      );
    const quoted = refuse('\\.css"$');
    expect(quoted.status).toBe(1);
    expect(quoted.stderr).toContain('refused: exclusion regex: double quotes are not allowed');
    const unchecked = refuse('(\\.css');
    expect(unchecked.status).toBe(1);
    expect(unchecked.stderr).toContain('exclusion regex: cannot be checked against ordinary pages');
    // An exclusion matching ordinary pages would leave them unscored: refused unless forced.
    const everything = refuse('.*');
    expect(everything.status).toBe(1);
    expect(everything.stderr).toContain(
      'exclusion regex: matches the ordinary page "/", so it would leave those pages unscored; force it (--force-exclude-regex)',
    );
    const uncompilable = spawnSync(
      'node',
      [
        'scripts/lib/run-ts.mjs',
        'scripts/vcl/main.ts',
        '--out',
        out,
        '--exclude-url-regex',
        '(\\.css',
        '--force-exclude-regex',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FALCO_BIN: falco! } },
    );
    expect(uncompilable.status).toBe(1);
    expect(uncompilable.stderr).toContain('falco lint rejected the assembled VCL');
    expect(readdirSync(out)).toEqual([]);
    const ok = spawnSync(
      'node',
      [
        'scripts/lib/run-ts.mjs',
        'scripts/vcl/main.ts',
        '--out',
        out,
        '--exclude-url-regex',
        '^/static/',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FALCO_BIN: falco! } },
    );
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(join(out, 'recv.vcl'), 'utf8')).toContain('{"^/static/"}');
    expect(existsSync(join(out, 'deliver.vcl'))).toBe(true);
  }, 60_000);

  it('npm run vcl refuses an exemption regex matching ordinary pages unless --force-exempt-regex, wherever the flag stands', () => {
    const out = mkdtempSync(join(tmpdir(), 'scorer-vcl-exempt-'));
    const run = (...args: string[]) =>
      spawnSync('node', ['scripts/lib/run-ts.mjs', 'scripts/vcl/main.ts', '--out', out, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, FALCO_BIN: falco! },
      });
    const refused = run('--exempt-url-regex', '^/');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('refused: exemption regex: matches the ordinary page "/"');
    expect(readdirSync(out)).toEqual([]);
    // Forcing skips the ordinary-page check, never PCRE: falco lint still compiles it.
    const uncompilable = run('--force-exempt-regex', '--exempt-url-regex', '^/(feeds');
    expect(uncompilable.status).toBe(1);
    expect(uncompilable.stderr).toContain('falco lint rejected the assembled VCL');
    expect(readdirSync(out)).toEqual([]);
    const forced = run('--force-exempt-regex', '--exempt-url-regex', '^/');
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(join(out, 'enforce.vcl'), 'utf8')).toContain(
      `${NORMALIZED_PATH_VCL} ~ {"^/"}`,
    );
    expect(readFileSync(join(out, 'crawlers.vcl'), 'utf8')).toContain(
      'acl scorer_crawler_googlebot {',
    );
  }, 60_000);
});

describe('one home for static assets', () => {
  it('the default VCL exclusion skips exactly what the default classifier calls static', async () => {
    const { createClassifier, DEFAULT_CLASSIFIER } = await import('../../scorer-core/src/index.js');
    const { exclusionRegex } = await import('../../scripts/training/replay.js');
    const classifier = createClassifier(DEFAULT_CLASSIFIER);
    const excluded = exclusionRegex(DEFAULT_EXCLUDE_URL_REGEX);
    const paths = [
      '/app.js',
      '/STYLE.CSS',
      '/img/logo.png',
      '/fonts/a.woff2',
      '/video.webm',
      '/favicon.ico',
      '/',
      '/article/10',
      '/data.json',
      '/feed.xml',
      '/x.jsx',
      '/a.css/b',
      '/map',
      '/x.mp3',
    ];
    for (const path of paths)
      expect(excluded.test(path), path).toBe(classifier.classify('GET', path) === 'static');
  });
});
