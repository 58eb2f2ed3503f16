/**
 * The command line of every npm script in scripts/ (node:util parseArgs, strict): `--help` (-h)
 * prints the usage, the options and the exit codes on stdout and exits 0; a usage problem (unknown
 * option, a missing or bad value, a repeated single option, a stray argument) is one line on
 * stderr and exit 2; a missing or unreadable input is one line naming it and exit 1. Never a
 * stack trace for any of these. docs/commands.md lists the commands and the convention.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  /** One line: `usage: npm run <name> -- …`. */
  usage: string;
  /** What the command does, then one line (or more) per option; each option as `--name`. */
  help: string;
  options: OptionSpec;
  /** Plain arguments after the options, at most this many (default none). */
  maxPositionals?: number;
  /** What 1 means for this command, and any code beyond 2. */
  exitCodes?: Record<number, string>;
}

export interface CommandLine {
  /** The value of a string option (its default when absent, if it has one). */
  string(name: string): string | undefined;
  /** Every value of a `multiple` option. */
  strings(name: string): string[];
  flag(name: string): boolean;
  positionals: string[];
  /** A usage problem: one line on stderr, exit 2. */
  fail(message: string): never;
  /** A failure that is not about the command line (an input that cannot be used): one line, exit 1. */
  error(message: string): never;
  /** Exits 1 with one line unless the path names a readable file. */
  requireFile(option: string, path: string): void;
  /**
   * Reads an input with `read` after requireFile; whatever it throws (a file that does not parse)
   * becomes one line naming the option and the path, exit 1.
   */
  readInput<T>(option: string, path: string, read: (path: string) => T): T;
  /** Exits 1 with one line unless the path names a readable directory. */
  requireDir(option: string, path: string): void;
  /**
   * Exits 1 with one line unless the file can be written there (its folder exists and is
   * writable): checked before the work, so a long run never ends in a failed write.
   */
  requireOutput(option: string, path: string): void;
  /** A number within [min, max] (integer if asked), or the fallback when the option is absent. */
  number(
    option: string,
    text: string | undefined,
    fallback: number,
    range: { min: number; max: number; integer?: boolean; exclusive?: boolean },
  ): number;
}

const STANDARD_EXIT_CODES: Record<number, string> = {
  [EXIT_OK]: 'done',
  [EXIT_FAILURE]: 'failed (an input missing or unreadable, or an error while running)',
  [EXIT_USAGE]: 'usage error (unknown option, missing or bad value)',
};

/** The text `--help` prints: usage, description and options, the -h line, the exit codes. */
export function helpText(spec: CommandSpec): string {
  const codes = { ...STANDARD_EXIT_CODES, ...spec.exitCodes };
  const help = spec.help.replace(/^\n+|\s+$/g, '');
  // The -h line lines up with the command's own option descriptions (column 25 if it has none).
  const firstOption = /^( {2}-\S.*? {2,})\S/m.exec(help)?.[1];
  const column = Math.max(firstOption?.length ?? 25, '  -h, --help  '.length);
  return [
    spec.usage,
    '',
    help,
    `${'  -h, --help'.padEnd(column)}print this text and exit`,
    '',
    'Exit codes:',
    ...Object.entries(codes).map(([code, meaning]) => `  ${code}  ${meaning}`),
  ].join('\n');
}

/** Names of declared options the help text does not mention as `--name` (a programming error). */
export function undocumentedOptions(spec: CommandSpec): string[] {
  return Object.keys(spec.options).filter(
    (name) => !new RegExp(`--${name}(?![\\w-])`).test(spec.help),
  );
}

function describeFailure(path: string): string | null {
  try {
    accessSync(path, constants.R_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? 'no such file or directory'
      : code === 'EACCES'
        ? 'permission denied'
        : `cannot be read (${code})`;
  }
}

/**
 * One line for what node:util parseArgs threw, in the house's words. Node's own text runs over
 * several lines and, for an unknown option, goes on about positionals, which confuses more than
 * it helps. A string option followed by a word starting with a dash is refused by parseArgs as
 * ambiguous: it is either a forgotten value or a value such as a regex `-min\.js$`, which must be
 * written `--option=VALUE`; the line says so. Anything not recognised keeps Node's text, joined.
 */
export function parseProblemLine(problem: Error, options: OptionSpec = {}): string {
  const message = problem.message;
  // Node names an option as '--out', '-o, --out', '--out <value>' or, as typed, '-o'; the line
  // names it by its long name.
  const given = /^Option '(?:-\w, )?(--[^' ]+|-\w)/.exec(message)?.[1];
  const short = given && /^-\w$/.test(given) ? given.slice(1) : undefined;
  const named = short
    ? `--${Object.keys(options).find((name) => options[name]?.short === short) ?? short}`
    : given;
  const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
  const unexpected = /^Unexpected argument '([^']*)'/.exec(message)?.[1];
  if (unknown !== undefined) return `unknown option ${unknown}`;
  if (unexpected !== undefined) return `unexpected argument ${JSON.stringify(unexpected)}`;
  if (named && /argument missing$/.test(message)) return `${named}: missing value`;
  if (named && /does not take an argument/.test(message)) return `${named} takes no value`;
  if (named && /argument is ambiguous/.test(message))
    return `${named}: the next word starts with a dash; write ${named}=VALUE if it is the value`;
  return message.replace(/\s*\n\s*/g, ' ');
}

export function parseCommandLine(args: readonly string[], spec: CommandSpec): CommandLine {
  const fail = (message: string): never => {
    console.error(`${message} (see --help)`);
    process.exit(EXIT_USAGE);
  };
  const error = (message: string): never => {
    console.error(message);
    process.exit(EXIT_FAILURE);
  };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: (spec.maxPositionals ?? 0) > 0,
      tokens: true,
    });
    values = parsed.values;
    positionals = parsed.positionals;
    // parseArgs keeps the last of a repeated single option; a repeated --out is more likely a mistake.
    const seen = new Set<string>();
    for (const token of parsed.tokens) {
      if (token.kind !== 'option' || token.name === 'help' || spec.options[token.name]?.multiple)
        continue;
      if (seen.has(token.name)) return fail(`--${token.name} given twice`);
      seen.add(token.name);
    }
  } catch (problem) {
    return fail(parseProblemLine(problem as Error, spec.options));
  }
  if (values.help) {
    const missing = undocumentedOptions(spec);
    if (missing.length > 0)
      throw new Error(`the help text does not mention ${missing.map((n) => `--${n}`).join(', ')}`);
    console.log(helpText(spec));
    process.exit(EXIT_OK);
  }
  if (positionals.length > (spec.maxPositionals ?? 0))
    fail(`unexpected argument ${JSON.stringify(positionals[spec.maxPositionals ?? 0])}`);
  return {
    string: (name) => {
      const v = values[name];
      return typeof v === 'string' ? v : undefined;
    },
    strings: (name) => {
      const v = values[name];
      return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
    },
    flag: (name) => values[name] === true,
    positionals,
    fail,
    error,
    requireFile(option, path) {
      const problem = describeFailure(path);
      if (problem) error(`${option} ${path}: ${problem}`);
      if (!statSync(path).isFile()) error(`${option} ${path}: not a file`);
    },
    readInput(option, path, read) {
      this.requireFile(option, path);
      try {
        return read(path);
      } catch (problem) {
        return error(`${option} ${path}: ${(problem as Error).message.split('\n')[0]}`);
      }
    },
    requireDir(option, path) {
      const problem = describeFailure(path);
      if (problem) error(`${option} ${path}: ${problem}`);
      if (!statSync(path).isDirectory()) error(`${option} ${path}: not a directory`);
    },
    requireOutput(option, path) {
      const folder = dirname(resolve(path));
      const missing = describeFailure(folder);
      if (missing) error(`${option} ${path}: its folder ${folder}: ${missing}`);
      if (!statSync(folder).isDirectory()) error(`${option} ${path}: ${folder} is not a directory`);
      try {
        accessSync(folder, constants.W_OK);
      } catch {
        error(`${option} ${path}: its folder ${folder} is not writable`);
      }
      if (existsSync(path) && statSync(path).isDirectory())
        error(`${option} ${path}: is a directory, expected a file`);
    },
    number(option, text, fallback, range) {
      if (text === undefined) return fallback;
      const n = Number(text);
      const inRange = range.exclusive
        ? n > range.min && n < range.max
        : n >= range.min && n <= range.max;
      if (
        text.trim() === '' ||
        !Number.isFinite(n) ||
        !inRange ||
        (range.integer && !Number.isInteger(n))
      ) {
        fail(
          `${option}: expected ${range.integer ? 'an integer' : 'a number'} ${range.exclusive ? 'strictly ' : ''}between ${range.min} and ${range.max}, got ${JSON.stringify(text)}`,
        );
      }
      return n;
    },
  };
}
