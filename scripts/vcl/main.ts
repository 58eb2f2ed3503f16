/**
 * `npm run vcl`: writes the seven session-scorer snippets into vcl-snippets/ (or --out DIR). The
 * options are validated (policy, then falco lint of the assembled VCL) before anything is
 * written; a refusal writes nothing. `npm run vcl -- --help` lists the options and exit codes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { snippetFile } from './facts.js';
import { generateSnippets } from './generate.js';
import { lintSnippets } from './lint.js';
import { VclValidationError, type VclOptions } from './options.js';

const USAGE =
  'usage: npm run vcl -- [--exclude-url-regex REGEX [--force-exclude-regex]] [--exempt-url-regex REGEX [--force-exempt-regex]] [--snapshot FILE] [--scorer-backend NAME] [--log-endpoint NAME] [--out DIR]';
const HELP = `${USAGE}

Writes the seven session-scorer VCL snippets (docs/vcl.md), after checking every option and
running falco lint on the assembled VCL; nothing is written when anything is refused.

  --exclude-url-regex REGEX  paths never scored (PCRE on the path; default: static assets)
  --force-exclude-regex      accept an exclusion regex that matches ordinary pages such as /
  --exempt-url-regex REGEX   paths scored but never challenged or blocked (default: robots.txt,
                             sitemaps, feeds, /.well-known/, /api/)
  --force-exempt-regex       accept an exemption regex that matches ordinary pages such as /
  --snapshot FILE            crawler range snapshot for the ACLs
                             (default: the committed scripts/vcl/verified-bots.json)
  --scorer-backend NAME      VCL backend name of the scorer service (default: F_scorer)
  --log-endpoint NAME        log endpoint of the decision line (default: scorer_vcl)
  --out DIR                  where to write (default: vcl-snippets); anything but the defaults
                             belongs in an operator copy (--out), since npm test checks that
                             vcl-snippets/ is a fresh generation with defaults
  -h, --help                 this text

Exit codes: 0 written; 1 refused or failed (an option's value, an unreadable snapshot, falco
lint, writing); 2 usage (unknown option, missing value, option given twice, unexpected argument).`;

const OPTIONS = {
  'exclude-url-regex': { type: 'string' },
  'force-exclude-regex': { type: 'boolean' },
  'exempt-url-regex': { type: 'string' },
  'force-exempt-regex': { type: 'boolean' },
  snapshot: { type: 'string' },
  'scorer-backend': { type: 'string' },
  'log-endpoint': { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** One line on stderr and the exit code: no stack trace for what the operator can fix. */
function exit(code: 1 | 2, message: string): never {
  console.error(code === 2 ? `${message} (npm run vcl -- --help for usage)` : message);
  process.exit(code);
}

function parseCommandLine(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
  } catch (error) {
    // parseArgs's first sentence names the option or argument; the rest, over several lines,
    // advises on `--` or, for a value starting with a dash, on `--option=VALUE`.
    const message = (error as Error).message;
    const first = message.split('\n')[0]!.split('. ')[0]!.replace(/\.$/, '');
    const option = /^Option '(--[a-z-]+)' argument is ambiguous/.exec(first)?.[1];
    return exit(
      2,
      `vcl: ${first}${option ? `: write ${option}=VALUE for a value starting with a dash` : ''}`,
    );
  }
  // parseArgs keeps the last of a repeated option: which one the operator meant is a guess.
  const seen = new Set<string>();
  for (const token of parsed.tokens)
    if (token.kind === 'option') {
      if (seen.has(token.name)) exit(2, `vcl: --${token.name} given twice`);
      seen.add(token.name);
    }
  return parsed.values;
}

const values = parseCommandLine(process.argv.slice(2));
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const options: VclOptions = {};
if (values['exclude-url-regex'] !== undefined)
  options.excludeUrlRegex = values['exclude-url-regex'];
if (values['exempt-url-regex'] !== undefined) options.exemptUrlRegex = values['exempt-url-regex'];
if (values['force-exclude-regex']) options.forceExcludeRegex = true;
if (values['force-exempt-regex']) options.forceExemptRegex = true;
if (values['scorer-backend'] !== undefined) options.scorerBackend = values['scorer-backend'];
if (values['log-endpoint'] !== undefined) options.logEndpoint = values['log-endpoint'];
if (values.snapshot !== undefined) {
  let text: string;
  try {
    text = readFileSync(values.snapshot, 'utf8');
  } catch (error) {
    exit(1, `vcl: --snapshot ${values.snapshot}: cannot read (${(error as Error).message})`);
  }
  try {
    options.verifiedBots = JSON.parse(text);
  } catch (error) {
    exit(1, `refused: --snapshot ${values.snapshot}: not JSON (${(error as Error).message})`);
  }
}
const out = resolve(values.out ?? 'vcl-snippets');

try {
  const snippets = generateSnippets(options);
  lintSnippets(snippets, options.scorerBackend);
  mkdirSync(out, { recursive: true });
  for (const snippet of snippets) writeFileSync(join(out, snippetFile(snippet)), snippet.content);
  console.log(`wrote ${snippets.length} snippets to ${out} (falco lint: 0 errors)`);
} catch (error) {
  exit(
    1,
    error instanceof VclValidationError
      ? `refused: ${error.message}`
      : `vcl: ${(error as Error).message}`,
  );
}
