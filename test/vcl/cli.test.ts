// `npm run vcl`'s command line, run as a process: --help, usage errors (exit 2, one line), an
// unreadable or invalid snapshot (exit 1, one line), and options that reach the generator. The
// refusals of regexes are in vcl.test.ts. Cases that write VCL need falco (the lint before
// writing) and skip loudly without it, as the other falco suites do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFalco, findFalco } from '../../scripts/lib/falco.mjs';
import committed from '../../scripts/vcl/verified-bots.json' with { type: 'json' };

const ROOT = new URL('../../', import.meta.url).pathname;
const falco: string | null = process.env.CI ? ensureFalco() : findFalco();
if (!falco)
  console.warn(
    '\n[falco suites skipped] falco is not installed: node scripts/lib/falco.mjs --install\n',
  );

const vcl = (...args: string[]) =>
  spawnSync('node', ['scripts/lib/run-ts.mjs', 'scripts/vcl/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: falco ? { ...process.env, FALCO_BIN: falco } : process.env,
  });

/** stderr as lines, without the final newline. */
const lines = (stderr: string) => stderr.replace(/\n$/, '').split('\n');

describe('npm run vcl: command line', () => {
  it('--help and -h print the usage, every option and the exit codes, and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const run = vcl(flag);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.startsWith('usage: npm run vcl -- ')).toBe(true);
      for (const option of [
        '--exclude-url-regex REGEX',
        '--force-exclude-regex',
        '--exempt-url-regex REGEX',
        '--force-exempt-regex',
        '--snapshot FILE',
        '--scorer-backend NAME',
        '--log-endpoint NAME',
        '--out DIR',
        '-h, --help',
      ])
        expect(run.stdout, option).toContain(`  ${option} `);
      expect(run.stdout).toMatch(
        /^Exit codes:\n {2}0 {2}written\n {2}1 {2}refused or failed .+\n {2}2 {2}usage error .+$/m,
      );
      // The hint for a regex starting with a dash (see the usage case below) is in the help too.
      expect(run.stdout).toContain('--exclude-url-regex=-…');
    }
  });

  it('a usage error is one line on stderr, exit 2, and nothing written', () => {
    const out = mkdtempSync(join(tmpdir(), 'scorer-vcl-usage-'));
    const cases: [string[], string][] = [
      [['--exclude-regex', 'x'], 'unknown option --exclude-regex'],
      [['--exclude-url-regex'], '--exclude-url-regex: missing value'],
      [['--out'], '--out: missing value'],
      [['surplus'], 'unexpected argument "surplus"'],
      [['--log-endpoint', 'a', '--log-endpoint', 'b'], '--log-endpoint given twice'],
      [['--force-exempt-regex=yes'], '--force-exempt-regex takes no value'],
      [
        ['--exclude-url-regex', '-min\\.js$'],
        '--exclude-url-regex: the next word starts with a dash; write --exclude-url-regex=VALUE if it is the value',
      ],
    ];
    for (const [args, message] of cases) {
      const run = vcl('--out', out, ...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(lines(run.stderr)).toEqual([`${message} (see --help)`]);
      expect(run.stdout).toBe('');
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it('a customising option without --out is refused: vcl-snippets/ keeps the defaults npm test checks', () => {
    const before = readdirSync(join(ROOT, 'vcl-snippets')).map((f) =>
      readFileSync(join(ROOT, 'vcl-snippets', f), 'utf8'),
    );
    for (const args of [
      ['--exclude-url-regex', '^/static/'],
      ['--scorer-backend', 'F_other', '--log-endpoint', 'other'],
    ]) {
      const run = vcl(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(lines(run.stderr)[0]).toMatch(
        /: write a customised set to your own folder with --out DIR;/,
      );
      expect(lines(run.stderr)).toHaveLength(1);
    }
    const after = readdirSync(join(ROOT, 'vcl-snippets')).map((f) =>
      readFileSync(join(ROOT, 'vcl-snippets', f), 'utf8'),
    );
    expect(after).toEqual(before);
  });

  it('an unreadable, non-JSON or invalid --snapshot is one line, exit 1, and nothing written', () => {
    const out = mkdtempSync(join(tmpdir(), 'scorer-vcl-snapshot-'));
    const missing = join(out, 'missing.json');
    const unreadable = vcl('--out', out, '--snapshot', missing);
    expect(unreadable.status).toBe(1);
    expect(lines(unreadable.stderr)).toEqual([`--snapshot ${missing}: no such file or directory`]);
    const directory = vcl('--out', out, '--snapshot', out);
    expect(directory.status).toBe(1);
    expect(lines(directory.stderr)).toEqual([`--snapshot ${out}: not a file`]);
    const inputs = mkdtempSync(join(tmpdir(), 'scorer-vcl-inputs-'));
    writeFileSync(join(inputs, 'text.json'), 'not json');
    const text = vcl('--out', out, '--snapshot', join(inputs, 'text.json'));
    expect(text.status).toBe(1);
    expect(lines(text.stderr)).toHaveLength(1);
    expect(text.stderr.startsWith(`--snapshot ${join(inputs, 'text.json')}: not JSON (`)).toBe(
      true,
    );
    writeFileSync(join(inputs, 'other.json'), '{"format": "something else"}');
    const other = vcl('--out', out, '--snapshot', join(inputs, 'other.json'));
    expect(other.status).toBe(1);
    expect(lines(other.stderr)).toEqual([
      'refused: verified-bots snapshot: "format" must be "session-scorer/verified-bots@1", got "something else"',
    ]);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe.runIf(falco !== null)('npm run vcl: options reach the snippets (falco lint)', () => {
  it('--snapshot FILE compiles that snapshot into the crawler ACLs', () => {
    const out = mkdtempSync(join(tmpdir(), 'scorer-vcl-snapshot-ok-'));
    const snapshot = structuredClone(committed) as {
      crawlers: Record<string, { ranges: string[] }>;
    };
    snapshot.crawlers.bingbot!.ranges = ['192.0.2.0/24', ...snapshot.crawlers.bingbot!.ranges];
    writeFileSync(join(out, 'snapshot.json'), JSON.stringify(snapshot));
    const run = vcl('--out', join(out, 'vcl'), '--snapshot', join(out, 'snapshot.json'));
    expect(run.status, run.stderr).toBe(0);
    const acls = readFileSync(join(out, 'vcl', 'crawlers.vcl'), 'utf8');
    expect(acls).toContain('acl scorer_crawler_bingbot {\n  "192.0.2.0"/24;\n');
    expect(readFileSync(join(ROOT, 'vcl-snippets', 'crawlers.vcl'), 'utf8')).not.toContain(
      '"192.0.2.0"/24;',
    );
  }, 60_000);

  it('--exclude-url-regex=VALUE takes a regex starting with a dash (the usage hint works)', () => {
    const out = mkdtempSync(join(tmpdir(), 'scorer-vcl-dash-'));
    const run = vcl('--out', out, '--exclude-url-regex=-min\\.js$');
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(out, 'recv.vcl'), 'utf8')).toContain('req.url.path ~ {"-min\\.js$"}');
  }, 60_000);

  it('--scorer-backend and --log-endpoint: the snippets use them and falco lint accepts them', () => {
    const out = mkdtempSync(join(tmpdir(), 'scorer-vcl-names-'));
    const run = vcl(
      '--out',
      out,
      '--scorer-backend',
      'F_session_scorer',
      '--log-endpoint',
      'edge-log',
    );
    expect(run.status, run.stderr).toBe(0);
    const recv = readFileSync(join(out, 'recv.vcl'), 'utf8');
    expect(recv).toContain('} else if (!backend.F_session_scorer.healthy) {');
    expect(recv).toContain('    set req.backend = F_session_scorer;');
    expect(recv).not.toContain('F_scorer');
    expect(readFileSync(join(out, 'deliver.vcl'), 'utf8')).toContain(
      'log "syslog " req.service_id " edge-log :: scorer state="',
    );
  }, 60_000);
});
