/**
 * The operator CLI's command line, parsed by node:util `parseArgs` (strict) from the command
 * table: each command's words, positional arguments and options are data (scripts/ops/cli.ts),
 * and this turns argv into a command to run, a help request, or one line saying what is wrong.
 * Options may come before, between or after the command words; `--` ends the options. The only
 * short option is `-h`: any other word starting with a single dash (`threshold set -1`,
 * `--challenge -5`) is an argument or a value, refused later by the command's own value check
 * with a precise message rather than taken for an unknown option.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface OptionSpec {
  name: string;
  /** Takes a value, named so in the help (else a flag). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  words: string[];
  /** Positional arguments as the help shows them: `N`, `REGEX`, `[VERSION]` (optional). */
  args?: string;
}

export type ParsedCommandLine<C extends CommandSpec> =
  /** `--help` or `-h`: the command's help, or the list of commands when none was named. */
  | { kind: 'help'; command: C | null }
  /** A usage problem, in one line. */
  | { kind: 'usage'; message: string }
  | { kind: 'run'; command: C; args: string[]; options: Map<string, string> };

type ParseOptions = NonNullable<ParseArgsConfig['options']>;

const HELP: OptionSpec = { name: 'help', help: 'this help' };

function parseOptions(specs: OptionSpec[]): ParseOptions {
  const options: ParseOptions = {};
  for (const spec of specs)
    options[spec.name] = spec.value
      ? { type: 'string' }
      : { type: 'boolean', ...(spec.name === 'help' ? { short: 'h' } : {}) };
  return options;
}

// parseArgs reads every `-x` word as short options; the words that are arguments here are hidden
// behind a NUL while parsing (argv cannot contain one) and revealed in what comes out.
const HIDDEN = '\u0000';
const hide = (argv: string[]) => argv.map((a) => (/^-[^-]/.test(a) && a !== '-h' ? HIDDEN + a : a));
const reveal = (text: string) => (text.startsWith(HIDDEN) ? text.slice(1) : text);

/** The tokens of argv read leniently (unknown options become flags): for finding words and problems. */
const lenientTokens = (argv: string[], options: ParseOptions) =>
  parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true }).tokens;

/** How many positional arguments a command takes: `[X]` is optional, anything else required. */
export function argumentCount(spec: CommandSpec): { min: number; max: number } {
  const names = spec.args ? spec.args.split(/\s+/).filter(Boolean) : [];
  return {
    min: names.filter((n) => !(n.startsWith('[') && n.endsWith(']'))).length,
    max: names.length,
  };
}

/**
 * Parses argv against the command table. `globalOptions` apply to every command (`--help` / `-h`
 * is added when they lack it). Every usage problem is found before anything runs: an unknown command or option, an
 * option missing its value or swallowing the next option as its value, a flag given a value, an
 * option given twice, too few or too many arguments.
 */
export function parseCommandLine<C extends CommandSpec & { options: OptionSpec[] }>(
  argv: string[],
  commands: C[],
  globalOptions: OptionSpec[],
): ParsedCommandLine<C> {
  const globals = globalOptions.some((o) => o.name === 'help')
    ? globalOptions
    : [HELP, ...globalOptions];
  // Every option any command knows, so the words can be found wherever options stand.
  const everyOption = parseOptions([...commands.flatMap((c) => c.options), ...globals]);
  const hidden = hide(argv);
  const first = lenientTokens(hidden, everyOption);
  const words = first.flatMap((t) => (t.kind === 'positional' ? [reveal(t.value)] : []));
  const wantsHelp = first.some((t) => t.kind === 'option' && t.name === 'help');
  const command = [...commands]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => words[i] === w));
  if (!command) {
    if (wantsHelp) return { kind: 'help', command: null };
    if (words.length === 0)
      return { kind: 'usage', message: 'no command given (npm run ops -- --help lists them)' };
    return { kind: 'usage', message: unknownCommand(words, commands) };
  }
  if (wantsHelp) return { kind: 'help', command };

  const name = command.words.join(' ');
  const specs = [...command.options, ...globals];
  const options = parseOptions(specs);
  const seen = new Set<string>();
  for (const token of lenientTokens(hidden, options)) {
    if (token.kind !== 'option') continue;
    const spec = specs.find((s) => s.name === token.name);
    if (!spec)
      return {
        kind: 'usage',
        message: `${name}: unknown option ${token.rawName} (npm run ops -- ${name} --help lists its options)`,
      };
    if (seen.has(spec.name)) return { kind: 'usage', message: `--${spec.name} given twice` };
    seen.add(spec.name);
    if (spec.value) {
      if (token.value === undefined)
        return { kind: 'usage', message: `--${spec.name} needs a value (${spec.value})` };
      // `--audit-file --dry-run` must not swallow the flag: a value that looks like an option has
      // to be given as --name=value.
      if (!token.inlineValue && (token.value.startsWith('--') || token.value === '-h'))
        return {
          kind: 'usage',
          message:
            `--${spec.name} needs a value (${spec.value}); to pass one starting with ` +
            `"${token.value.startsWith('--') ? '--' : '-'}", write --${spec.name}=${token.value}`,
        };
    } else if (token.value !== undefined) {
      return { kind: 'usage', message: `--${spec.name} is a flag and takes no value` };
    }
  }

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: hidden, options, strict: true, allowPositionals: true });
  } catch (error) {
    // The checks above should have named the problem already; parseArgs' own words otherwise.
    return { kind: 'usage', message: `${name}: ${firstLine(error)}` };
  }
  const args = parsed.positionals.slice(command.words.length).map(reveal);
  const { min, max } = argumentCount(command);
  const synopsis = `npm run ops -- ${name}${command.args ? ` ${command.args}` : ''}`;
  if (args.length > max)
    return {
      kind: 'usage',
      message: `${name}: unexpected argument ${JSON.stringify(args[max])} (usage: ${synopsis})`,
    };
  if (args.length < min)
    return {
      kind: 'usage',
      message: `${name}: missing ${command.args ?? 'argument'} (usage: ${synopsis})`,
    };
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed.values))
    if (value !== undefined && value !== false)
      values.set(key, typeof value === 'string' ? reveal(value) : String(value));
  return { kind: 'run', command, args, options: values };
}

function unknownCommand(words: string[], commands: CommandSpec[]): string {
  const given = words.join(' ');
  // The longest run of leading words some command starts with: "vcl launch" → the vcl commands.
  for (let n = Math.min(words.length, 3); n > 0; n--) {
    const near = commands.filter((c) => words.slice(0, n).every((w, i) => c.words[i] === w));
    if (near.length > 0)
      return (
        `unknown command "${given}"; the "${words.slice(0, n).join(' ')}" commands ` +
        `are: ${near.map((c) => c.words.join(' ')).join(', ')}`
      );
  }
  return `unknown command "${given}" (npm run ops -- --help lists the commands)`;
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
