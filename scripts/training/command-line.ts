/**
 * Command lines of `train`, `evaluate` and `evaluate:transfer` (node:util parseArgs): `--help`
 * prints the help and exits 0; any usage problem (unknown option, a missing value, a repeated
 * single option, a missing file) prints one line and the usage line and exits 2, never a stack trace.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandLine {
  /** The value of a string option. */
  string(name: string): string | undefined;
  /** Every value of a `multiple` option. */
  strings(name: string): string[];
  flag(name: string): boolean;
  /** Prints the message and the usage line, exits 2. */
  fail(message: string): never;
  /** Fails unless the path names a readable file. */
  requireFile(option: string, path: string): void;
  /** A number within [min, max] (integer if asked), or the default when the option is absent. */
  number(
    option: string,
    text: string | undefined,
    fallback: number,
    range: { min: number; max: number; integer?: boolean; exclusive?: boolean },
  ): number;
}

export function parseCommandLine(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
  help: string,
): CommandLine {
  const fail = (message: string): never => {
    console.error(`${message}\n${usage}`);
    process.exit(2);
  };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
    values = parsed.values;
    // parseArgs keeps the last of a repeated single option; a repeated --out is more likely a mistake.
    const seen = new Set<string>();
    for (const token of parsed.tokens) {
      if (token.kind !== 'option' || options[token.name]?.multiple) continue;
      if (seen.has(token.name)) return fail(`--${token.name} given twice`);
      seen.add(token.name);
    }
  } catch (error) {
    return fail((error as Error).message.split('\n')[0]!);
  }
  if (values.help) {
    console.log(`${usage}\n${help.replace(/\s+$/, '')}`);
    process.exit(0);
  }
  const line: CommandLine = {
    string: (name) => {
      const v = values[name];
      return typeof v === 'string' ? v : undefined;
    },
    strings: (name) => {
      const v = values[name];
      return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
    },
    flag: (name) => values[name] === true,
    fail,
    requireFile(option, path) {
      if (!existsSync(path)) fail(`${option} ${path}: no such file`);
      if (!statSync(path).isFile()) fail(`${option} ${path}: not a file`);
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
  return line;
}
