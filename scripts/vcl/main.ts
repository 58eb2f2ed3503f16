/**
 * npm run vcl [-- --exclude-url-regex REGEX] [-- --exempt-url-regex REGEX [--force-exempt-regex]]
 *             [-- --out DIR] [-- --scorer-backend NAME] [-- --log-endpoint NAME]
 *
 * Writes the seven session-scorer snippets into vcl-snippets/ (or DIR), the crawler ACLs compiled
 * from scripts/vcl/verified-bots.json. The exclusion and exemption regexes are validated (policy,
 * then falco lint of the assembled VCL) before anything is written; any failure exits non-zero
 * and writes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSnippets, snippetFile, VclValidationError, type VclOptions } from './generate.js';
import { lintSnippets } from './lint.js';

const USAGE =
  'usage: npm run vcl -- [--exclude-url-regex REGEX [--force-exclude-regex]] [--exempt-url-regex REGEX [--force-exempt-regex]] [--out DIR] [--scorer-backend NAME] [--log-endpoint NAME]';
const KNOWN = [
  '--exclude-url-regex',
  '--exempt-url-regex',
  '--out',
  '--scorer-backend',
  '--log-endpoint',
];
const FLAGS = ['--force-exempt-regex', '--force-exclude-regex'];
const args = process.argv.slice(2);
const given = new Map<string, string>();
const flags = new Set<string>();
for (let i = 0; i < args.length; i += 2) {
  const name = args[i]!;
  if (FLAGS.includes(name)) {
    flags.add(name);
    i--;
    continue;
  }
  const value = args[i + 1];
  if (!KNOWN.includes(name) || value === undefined || given.has(name)) {
    console.error(
      `${!KNOWN.includes(name) ? `unknown option ${name}` : value === undefined ? `${name} needs a value` : `${name} given twice`}\n${USAGE}`,
    );
    process.exit(2);
  }
  given.set(name, value);
}
const option = (name: string) => given.get(name);
const out = resolve(option('--out') ?? 'vcl-snippets');
const options: VclOptions = {};
if (option('--exclude-url-regex') !== undefined)
  options.excludeUrlRegex = option('--exclude-url-regex');
if (option('--scorer-backend') !== undefined) options.scorerBackend = option('--scorer-backend');
if (option('--log-endpoint') !== undefined) options.logEndpoint = option('--log-endpoint');
if (option('--exempt-url-regex') !== undefined)
  options.exemptUrlRegex = option('--exempt-url-regex');
if (flags.has('--force-exempt-regex')) options.forceExemptRegex = true;
if (flags.has('--force-exclude-regex')) options.forceExcludeRegex = true;

try {
  const snippets = generateSnippets(options);
  lintSnippets(snippets);
  mkdirSync(out, { recursive: true });
  for (const snippet of snippets) writeFileSync(join(out, snippetFile(snippet)), snippet.content);
  console.log(`wrote ${snippets.length} snippets to ${out} (falco lint: 0 errors)`);
} catch (error) {
  console.error(error instanceof VclValidationError ? `refused: ${error.message}` : error);
  process.exit(1);
}
