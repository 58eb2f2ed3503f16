/**
 * `npm run vcl`: writes the seven session-scorer snippets into vcl-snippets/ (or --out DIR). The
 * options are validated (policy, then falco lint of the assembled VCL) before anything is
 * written; a refusal writes nothing. `npm run vcl -- --help` lists the options and exit codes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT_FAILURE, EXIT_OK, parseCommandLine, type CommandLine } from '../lib/command-line.js';
import { snippetFile } from './facts.js';
import { generateSnippets } from './generate.js';
import { ROOT } from '../lib/viceroy.mjs';
import { lintSnippets } from './lint.js';
import { VclValidationError, type VclOptions } from './options.js';

const cli: CommandLine = parseCommandLine(process.argv.slice(2), {
  usage:
    'usage: npm run vcl -- [--exclude-url-regex REGEX [--force-exclude-regex]] [--exempt-url-regex REGEX [--force-exempt-regex]] [--snapshot FILE] [--scorer-backend NAME] [--log-endpoint NAME] [--out DIR]',
  help: `
Writes the seven session-scorer VCL snippets (docs/vcl.md), after checking every option and
running falco lint on the assembled VCL; nothing is written when anything is refused. A regex
starting with a dash is written --exclude-url-regex=-… (or --exempt-url-regex=-…).
  --exclude-url-regex REGEX  paths never scored (PCRE on the path; default: static assets)
  --force-exclude-regex      accept an exclusion regex that matches ordinary pages such as /
  --exempt-url-regex REGEX   paths scored but never challenged or blocked (default: robots.txt,
                             sitemaps, feeds, /.well-known/, /api/)
  --force-exempt-regex       accept an exemption regex that matches ordinary pages such as /
  --snapshot FILE            crawler range snapshot for the ACLs
                             (default: the committed scripts/vcl/verified-bots.json)
  --scorer-backend NAME      VCL backend name of the scorer service (default: F_scorer)
  --log-endpoint NAME        log endpoint of the decision line (default: scorer_vcl)
  --out DIR                  where to write (default: vcl-snippets, which holds the defaults
                             npm test checks: any option above except the --force flags needs
                             --out, your own folder)`,
  options: {
    'exclude-url-regex': { type: 'string' },
    'force-exclude-regex': { type: 'boolean' },
    'exempt-url-regex': { type: 'string' },
    'force-exempt-regex': { type: 'boolean' },
    snapshot: { type: 'string' },
    'scorer-backend': { type: 'string' },
    'log-endpoint': { type: 'string' },
    out: { type: 'string' },
  },
  exitCodes: {
    [EXIT_OK]: 'written',
    [EXIT_FAILURE]:
      "refused or failed (an option's value, the snapshot, falco lint, writing); nothing written",
  },
});

const options: VclOptions = {};
const excludeUrlRegex = cli.string('exclude-url-regex');
const exemptUrlRegex = cli.string('exempt-url-regex');
const scorerBackend = cli.string('scorer-backend');
const logEndpoint = cli.string('log-endpoint');
const snapshot = cli.string('snapshot');
if (excludeUrlRegex !== undefined) options.excludeUrlRegex = excludeUrlRegex;
if (exemptUrlRegex !== undefined) options.exemptUrlRegex = exemptUrlRegex;
if (cli.flag('force-exclude-regex')) options.forceExcludeRegex = true;
if (cli.flag('force-exempt-regex')) options.forceExemptRegex = true;
if (scorerBackend !== undefined) options.scorerBackend = scorerBackend;
if (logEndpoint !== undefined) options.logEndpoint = logEndpoint;
// Its shape is checked by the generator (a refusal); here only that it is a readable JSON file.
if (snapshot !== undefined)
  options.verifiedBots = cli.readInput('--snapshot', snapshot, (path) => {
    const text = readFileSync(path, 'utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new Error(`not JSON (${(error as Error).message})`);
    }
  });
const COMMITTED = join(ROOT, 'vcl-snippets');
const out = resolve(cli.string('out') ?? COMMITTED);
// vcl-snippets/ is the generation with defaults that npm test checks: a customised set written
// there would fail the freshness test, and the next plain `npm run vcl` would silently undo it.
const customised = [
  'exclude-url-regex',
  'exempt-url-regex',
  'snapshot',
  'scorer-backend',
  'log-endpoint',
].filter((name) => cli.string(name) !== undefined);
if (customised.length > 0 && out === COMMITTED)
  cli.fail(
    `${customised.map((n) => `--${n}`).join(', ')}: write a customised set to your own folder with --out DIR; vcl-snippets/ holds the defaults npm test checks`,
  );

try {
  const snippets = generateSnippets(options);
  lintSnippets(snippets, options.scorerBackend);
  mkdirSync(out, { recursive: true });
  for (const snippet of snippets) writeFileSync(join(out, snippetFile(snippet)), snippet.content);
  console.log(`wrote ${snippets.length} snippets to ${out} (falco lint: 0 errors)`);
} catch (error) {
  cli.error(
    error instanceof VclValidationError
      ? `refused: ${error.message}`
      : `vcl: ${(error as Error).message}`,
  );
}
