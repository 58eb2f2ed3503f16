/**
 * The operator CLI's command line: parseCommandLine over a small table, then runOps over the real
 * COMMANDS for every kind of usage problem (one line on stderr, exit 2, no request sent: the
 * fetch these runs get fails the test if it is ever called) and for --help (exit 0).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, EXIT, usage } from '../../scripts/ops/cli.js';
import { opsRunner } from './run-ops.js';
import { argumentCount, parseCommandLine } from '../../scripts/ops/command-line.js';

const GLOBAL = [
  { name: 'help', help: 'this help' },
  { name: 'audit-file', value: 'PATH', help: 'where' },
];
const TABLE = [
  { words: ['thing', 'set'], args: 'N', options: [{ name: 'dry-run', help: 'plan only' }] },
  {
    words: ['thing', 'rollback'],
    args: '[VERSION]',
    options: [{ name: 'store', value: 'NAME', help: 'which store' }],
  },
  { words: ['other'], options: [] },
];
const parse = (...argv: string[]) => parseCommandLine(argv, TABLE, GLOBAL);

describe('ops command line: parseCommandLine over a command table', () => {
  it('finds the command wherever the options stand and returns arguments and options', () => {
    expect(parse('--audit-file', 'a.jsonl', 'thing', '--dry-run', 'set', '50')).toEqual({
      kind: 'run',
      command: TABLE[0],
      args: ['50'],
      options: new Map([
        ['audit-file', 'a.jsonl'],
        ['dry-run', 'true'],
      ]),
    });
    expect(parse('thing', 'rollback', '--store=--odd')).toMatchObject({
      args: [],
      options: new Map([['store', '--odd']]),
    });
  });

  it('reads a word starting with one dash as an argument or a value, and anything after -- as an argument', () => {
    expect(parse('thing', 'set', '-1')).toMatchObject({ kind: 'run', args: ['-1'] });
    expect(parse('thing', 'rollback', '--store', '-s')).toMatchObject({
      options: new Map([['store', '-s']]),
    });
    expect(parse('thing', 'set', '--', '--dry-run')).toMatchObject({
      args: ['--dry-run'],
      options: new Map(),
    });
  });

  it('counts arguments from the synopsis: [X] is optional', () => {
    expect(argumentCount({ words: [], args: 'N' })).toEqual({ min: 1, max: 1 });
    expect(argumentCount({ words: [], args: '[VERSION]' })).toEqual({ min: 0, max: 1 });
    expect(argumentCount({ words: [] })).toEqual({ min: 0, max: 0 });
    expect(parse('thing', 'rollback')).toMatchObject({ kind: 'run', args: [] });
  });

  it('--help or -h anywhere before -- asks for help, even beside a mistake', () => {
    expect(parse('--help')).toEqual({ kind: 'help', command: null });
    expect(parse('thing', '-h')).toEqual({ kind: 'help', command: null });
    expect(parse('thing', 'set', '--bogus', '--help')).toEqual({
      kind: 'help',
      command: TABLE[0],
    });
    expect(parse('other', '--', '--help')).toEqual({
      kind: 'usage',
      message: 'other: unexpected argument "--help" (usage: npm run ops -- other)',
    });
  });
});

/** One run of the real CLI whose fetch must never be called. */
async function usageRun(...argv: string[]) {
  let fetched = 0;
  const run = await opsRunner(null, null, {
    env: { FASTLY_API_TOKEN: 'token-for-usage-tests', FASTLY_SERVICE_ID: 'SVC1' },
    fetch: async () => {
      fetched++;
      throw new Error('a usage test sent a request');
    },
  })(...argv);
  return { code: run.code, out: run.out, err: run.err, fetched };
}

describe('ops command line: usage problems are one line on stderr and exit 2', () => {
  const cases: [string, string[], string][] = [
    ['no command', [], 'no command given (npm run ops -- --help lists them)'],
    ['unknown command', ['frobnicate'], 'unknown command "frobnicate" (npm run ops -- --help'],
    [
      'unknown command under a known word',
      ['vcl', 'launch'],
      'unknown command "vcl launch"; the "vcl" commands are: vcl upload, vcl activate, vcl exclude-regex get',
    ],
    [
      'unknown option',
      ['keys', 'list', '--kv-store', 'x'],
      'keys list: unknown option --kv-store (npm run ops -- keys list --help lists its options)',
    ],
    [
      'missing option value',
      ['vcl', 'activate', '2', '--service-id'],
      '--service-id needs a value (ID)',
    ],
    [
      'a flag given a value',
      ['keys', 'generate', '--dry-run=yes'],
      '--dry-run is a flag and takes no value',
    ],
    [
      'a value option swallowing a flag',
      ['keys', 'generate', '--audit-file', '--dry-run'],
      '--audit-file needs a value (PATH); to pass one starting with "--", write --audit-file=--dry-run',
    ],
    [
      'a value option swallowing -h',
      ['keys', 'list', '--config-store', '-h'],
      '--config-store needs a value (NAME); to pass one starting with "-", write --config-store=-h',
    ],
    [
      'too many arguments',
      ['threshold', 'set', '50', '60'],
      'threshold set: unexpected argument "60" (usage: npm run ops -- threshold set N)',
    ],
    [
      'an argument to a command that takes none',
      ['keys', 'list', 'now'],
      'keys list: unexpected argument "now" (usage: npm run ops -- keys list)',
    ],
    [
      'too few arguments',
      ['model', 'publish'],
      'model publish: missing MODEL.json (usage: npm run ops -- model publish MODEL.json)',
    ],
    [
      'an option given twice',
      ['--config-store', 'a', 'keys', 'list', '--config-store=b'],
      '--config-store given twice',
    ],
    ['a flag given twice', ['keys', 'retire', '--orphans', '--orphans'], '--orphans given twice'],
  ];
  for (const [what, argv, message] of cases) {
    it(`${what}: ${argv.join(' ') || '(nothing)'}`, async () => {
      const run = await usageRun(...argv);
      expect(run.code).toBe(EXIT.usage);
      expect(run.err).toContain(message);
      expect(run.err.split('\n')).toHaveLength(1);
      expect(run.out).toBe('');
      expect(run.fetched).toBe(0);
    });
  }
});

describe('ops command line: --help and the exit codes', () => {
  it('the top level and every command answer --help and -h with exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['vcl', '--help']]) {
      const run = await usageRun(...argv);
      expect(run).toMatchObject({ code: EXIT.ok, err: '', out: usage(), fetched: 0 });
    }
    for (const command of COMMANDS) {
      const run = await usageRun(...command.words, '-h');
      expect(run.code, command.words.join(' ')).toBe(EXIT.ok);
      expect(run.out).toContain(`usage: npm run ops -- ${command.words.join(' ')}`);
    }
  });

  it(
    'the top-level help and each command help end their exit codes as every command does ' +
      '(docs/commands.md)',
    async () => {
      // The block of scripts/lib/command-line.ts's helpText: a heading, then "  N  meaning".
      const block =
        /^Exit codes:\n {2}0 {2}done.*\n {2}1 {2}refused or failed.*\n {2}2 {2}usage error.*$/m;
      expect(usage()).toMatch(block);
      for (const command of COMMANDS) {
        const run = await usageRun(...command.words, '--help');
        expect(run.out, command.words.join(' ')).toMatch(block);
      }
    },
  );

  it('every repository file the help names exists (src/config.ts was split into src/config/)', async () => {
    const texts = [usage()];
    for (const command of COMMANDS) texts.push((await usageRun(...command.words, '--help')).out);
    const named = new Set(
      texts.flatMap((t) =>
        [...t.matchAll(/\b(?:src|scripts|docs|scorer-core)\/[\w./-]*\w/g)].map((m) => m[0]),
      ),
    );
    expect(named.size).toBeGreaterThan(0);
    const missing = [...named].filter(
      (path) => !existsSync(new URL(`../../${path}`, import.meta.url)),
    );
    expect(missing).toEqual([]);
  });

  it('one option name means one thing in every command (a value option everywhere, or a flag)', () => {
    const kinds = new Map<string, Set<boolean>>();
    for (const option of COMMANDS.flatMap((c) => c.options))
      kinds.set(option.name, (kinds.get(option.name) ?? new Set()).add(Boolean(option.value)));
    expect([...kinds].filter(([, k]) => k.size > 1).map(([name]) => name)).toEqual([]);
  });

  it('the help and docs/operators.md list the same exit codes', () => {
    const docs = readFileSync(new URL('../../docs/operators.md', import.meta.url), 'utf8');
    expect(Object.values(EXIT)).toEqual([0, 1, 2]);
    for (const code of Object.values(EXIT)) {
      expect(usage()).toMatch(new RegExp(`^  ${code}  \\w`, 'm'));
      expect(docs).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    }
  });
});
