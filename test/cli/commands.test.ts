/**
 * The command-line convention of the npm scripts (scripts/lib/command-line.ts, docs/commands.md):
 * each command below is spawned the way package.json runs it, with `--help` (exit 0, every option
 * and the exit codes on stdout), with an unknown option (exit 2, one line on stderr) and, where it
 * reads an input, with a missing one (exit 1, one line naming it). Every case exits before any
 * work starts: no benchmark runs and no build begins.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgs } from 'node:util';
import {
  helpText,
  parseProblemLine,
  undocumentedOptions,
  type CommandSpec,
  type OptionSpec,
} from '../../scripts/lib/command-line.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const packageScripts = (
  JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }
).scripts;

interface Case {
  /** The npm script name. */
  command: string;
  /** Every option the script declares (the helper refuses --help when one is not documented). */
  options: string[];
  /** Arguments naming an input that does not exist, and the one line expected on stderr. */
  missing?: { args: string[]; line: string };
}

const CASES: Case[] = [
  { command: 'bench', options: ['--json', '--seconds'] },
  { command: 'bench:edge', options: ['--json', '--requests', '--aot', '--ladder', '--floor'] },
  {
    command: 'bench:challenge',
    options: ['--bits', '--trials', '--chromium', '--json'],
    missing: {
      args: ['--chromium', '/nonexistent/chromium'],
      line: '--chromium /nonexistent/chromium: no such file or directory',
    },
  },
  {
    command: 'bench:train',
    options: ['--lines', '--data', '--json'],
    missing: {
      args: ['--data', '/nonexistent/shared-data'],
      line: '--data /nonexistent/shared-data: no such file or directory',
    },
  },
  {
    command: 'tune',
    options: ['--input', '--model', '--split', '--labels', '--from', '--json'],
    missing: {
      args: ['--input', '/nonexistent/access.log', '--model', 'scorer-core/src/default-model.json'],
      line: '--input /nonexistent/access.log: no such file or directory',
    },
  },
  {
    command: 'model:default',
    options: ['--check', '--data'],
    missing: {
      args: ['--data', '/nonexistent/shared-data'],
      line: 'the shared logs are not in /nonexistent/shared-data (missing semicomplete-2015-apache.log): pass --data <dir> or set SCORER_SHARED_DATA',
    },
  },
  {
    // package.json adds --check: the comparison is never written over the shipped model.
    command: 'model:check',
    options: ['--check', '--data'],
    missing: {
      args: ['--data', '/nonexistent/shared-data'],
      line: 'the shared logs are not in /nonexistent/shared-data (missing semicomplete-2015-apache.log): pass --data <dir> or set SCORER_SHARED_DATA',
    },
  },
  {
    command: 'build',
    options: ['--aot'],
    missing: {
      args: ['src/nonexistent.ts'],
      line: `entry ${ROOT}src/nonexistent.ts: no such file or directory`,
    },
  },
  {
    command: 'train',
    options: [
      '--input',
      '--out',
      '--labels',
      '--labeller',
      '--alpha',
      '--split',
      '--created-at',
      '--combiner',
      '--drop-family',
    ],
    missing: {
      args: ['--input', '/nonexistent/access.log', '--out', '/nonexistent/model.json'],
      line: '--input /nonexistent/access.log: no such file or directory',
    },
  },
  {
    command: 'evaluate',
    options: [
      '--input',
      '--model',
      '--json',
      '--report',
      '--sessions',
      '--labeller',
      '--labels',
      '--split',
      '--settings',
      '--threshold',
      '--resamples',
      '--seed',
      '--paths',
    ],
    missing: {
      args: ['--input', 'package.json', '--model', '/nonexistent/model.json'],
      line: '--model /nonexistent/model.json: no such file or directory',
    },
  },
  {
    command: 'evaluate:transfer',
    options: ['--input', '--json', '--labeller', '--labels', '--settings', '--resamples', '--keep'],
    missing: {
      args: ['--input', 'package.json', '--input', '/nonexistent/b.log'],
      line: '--input /nonexistent/b.log: no such file or directory',
    },
  },
  {
    command: 'vcl',
    options: [
      '--exclude-url-regex',
      '--force-exclude-regex',
      '--exempt-url-regex',
      '--force-exempt-regex',
      '--snapshot',
      '--scorer-backend',
      '--log-endpoint',
      '--out',
    ],
    missing: {
      args: ['--snapshot', '/nonexistent/verified-bots.json', '--out', '/nonexistent/vcl'],
      line: '--snapshot /nonexistent/verified-bots.json: no such file or directory',
    },
  },
  {
    command: 'bench:detection',
    options: [
      '--json',
      '--threshold',
      '--stack',
      '--clients',
      '--pages',
      '--scripted-gap-ms',
      '--human-dwell-ms',
      '--bot-dwell-ms',
      '--seed',
      '--skip-build',
      '--skip-install',
      '--setup',
      '--max-seconds',
    ],
  },
  { command: 'ops:standin', options: ['--port'] },
  { command: 'start', options: [] },
  { command: 'vectors', options: [] },
];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an npm script's command line as npm would (its words after `node`), without npm. */
function runScript(command: string, args: string[]): Promise<Run> {
  const line = packageScripts[command];
  if (!line) throw new Error(`package.json has no script ${command}`);
  const [program, ...words] = line.split(' ');
  expect(program).toBe('node');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...words, ...args],
      { cwd: ROOT, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({
          status: error ? ((error.code as number | undefined) ?? null) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

const oneLine = (run: Run) => {
  expect(run.stderr.endsWith('\n'), JSON.stringify(run.stderr)).toBe(true);
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  return run.stderr.trimEnd();
};

describe.concurrent('npm commands: --help, usage errors, missing inputs', () => {
  for (const { command, options, missing } of CASES) {
    it(`${command}: --help lists every option and the exit codes (exit 0); an unknown option is one line, exit 2${missing ? '; a missing input is one line, exit 1' : ''}`, async () => {
      const help = await runScript(command, ['--help']);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toMatch(/^usage: npm (run |start)/);
      for (const option of [...options, '--help'])
        expect(help.stdout, option).toMatch(new RegExp(`${option}(?![\\w-])`));
      expect(help.stdout).toMatch(/^Exit codes:\n {2}0 {2}.+\n {2}1 {2}.+\n {2}2 {2}usage error/m);

      const unknown = await runScript(command, ['--no-such-option']);
      expect(unknown.status).toBe(2);
      expect(unknown.stdout).toBe('');
      expect(oneLine(unknown)).toBe('unknown option --no-such-option (see --help)');

      if (missing) {
        const run = await runScript(command, missing.args);
        expect(run.status, run.stderr).toBe(1);
        expect(oneLine(run)).toBe(missing.line);
      }
    });
  }
});

describe('outputs are checked before the work', () => {
  it('train with --out in a folder that does not exist: one line, exit 1, before any training', async () => {
    const run = await runScript('train', [
      '--input',
      `${ROOT}test/fixtures/semicomplete-2015-apache.head400.log`,
      '--out',
      '/nonexistent/dir/model.json',
    ]);
    expect(run.status, run.stderr).toBe(1);
    expect(oneLine(run)).toBe(
      '--out /nonexistent/dir/model.json: its folder /nonexistent/dir: no such file or directory',
    );
    expect(run.stdout).toBe('');
  });
});

describe('docs/commands.md', () => {
  it('lists every npm script in package.json', () => {
    const doc = readFileSync(`${ROOT}docs/commands.md`, 'utf8');
    // A row of the command table names it first: `npm run NAME…`, `npm NAME` or `format:check`
    // in the shared row of format.
    const rows = doc.split('\n').filter((line) => line.startsWith('| `npm '));
    const listed = (name: string) =>
      rows.some(
        (row) =>
          row.startsWith(`| \`npm run ${name}\``) ||
          row.startsWith(`| \`npm run ${name} `) ||
          row.startsWith(`| \`npm ${name}\``) ||
          new RegExp(`^\\| \`npm run [^|]*\` / \`${name}\``).test(row),
      );
    expect(Object.keys(packageScripts).filter((name) => !listed(name))).toEqual([]);
  });
});

describe('command-line helper', () => {
  const spec: CommandSpec = {
    usage: 'usage: npm run demo -- [--out <file>] [--dry-run]',
    help: 'Demo.\n  --out <file>   where to write',
    options: { out: { type: 'string' }, 'dry-run': { type: 'boolean' }, dry: { type: 'boolean' } },
    exitCodes: { 1: 'the demo failed', 3: 'a demo-specific outcome' },
  };

  it('names the declared options the help text leaves out (--dry is not --dry-run)', () => {
    expect(undocumentedOptions(spec)).toEqual(['dry-run', 'dry']);
    expect(
      undocumentedOptions({ ...spec, help: `${spec.help}\n  --dry-run  no writes\n  --dry  x` }),
    ).toEqual([]);
  });

  it("prints the usage, the text, the -h line (in the options' column) and the exit codes, command-specific ones merged in", () => {
    expect(helpText(spec)).toBe(
      [
        'usage: npm run demo -- [--out <file>] [--dry-run]',
        '',
        'Demo.',
        '  --out <file>   where to write',
        '  -h, --help     print this text and exit',
        '',
        'Exit codes:',
        '  0  done',
        '  1  the demo failed',
        '  2  usage error (unknown option, missing or bad value)',
        '  3  a demo-specific outcome',
      ].join('\n'),
    );
  });

  it('the -h line keeps column 25 without option lines, and two spaces after a long first option', () => {
    const plain = helpText({ ...spec, help: 'Demo, no options.' }).split('\n');
    expect(plain).toContain('  -h, --help             print this text and exit');
    const narrow = helpText({ ...spec, help: 'Demo.\n  -q  quiet' }).split('\n');
    expect(narrow).toContain('  -h, --help  print this text and exit');
  });

  const OPTIONS: OptionSpec = {
    out: { type: 'string', short: 'o' },
    'dry-run': { type: 'boolean' },
  };
  /** What node:util parseArgs (strict, no positionals) throws for these arguments. */
  const thrown = (args: string[]): Error => {
    try {
      parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
    } catch (error) {
      return error as Error;
    }
    throw new Error(`parseArgs accepted ${args.join(' ')}`);
  };

  it.each([
    [['--nope'], 'unknown option --nope'],
    [['-z'], 'unknown option -z'],
    [['stray'], 'unexpected argument "stray"'],
    [['--out'], '--out: missing value'],
    [['-o'], '--out: missing value'],
    [['--dry-run=yes'], '--dry-run takes no value'],
    [
      ['--out', '-min.js'],
      '--out: the next word starts with a dash; write --out=VALUE if it is the value',
    ],
    [
      ['-o', '--dry-run'],
      '--out: the next word starts with a dash; write --out=VALUE if it is the value',
    ],
  ])('parseArgs refusing %j is one line: %s', (args, line) => {
    expect(parseProblemLine(thrown(args), OPTIONS)).toBe(line);
  });

  it('keeps the text, joined on one line, of a parseArgs error it does not recognise', () => {
    expect(parseProblemLine(new Error('Something new.\nOn two lines'))).toBe(
      'Something new. On two lines',
    );
  });
});
