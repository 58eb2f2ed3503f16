/**
 * The operator CLI: `npm run ops -- <command> [options]`. Commands are data (words, arguments,
 * options, help, handler); `runOps` parses the command line against them (command-line.ts),
 * builds the context and maps the outcome to an exit code (EXIT_CODES). Secrets never reach the
 * output: the API token stays inside the API client, and requests name their secret fields.
 */
import { createFastlyApi, FastlyApiError, tokenProblem } from './fastly-api.js';
import { createContext, OpsError, type OpsContext } from './context.js';
import { PlanError } from './plan.js';
import { parseCommandLine, type CommandSpec, type OptionSpec } from './command-line.js';
import {
  excludeRegexGet,
  excludeRegexReset,
  excludeRegexSet,
  vclActivate,
  vclUpload,
} from './commands/vcl.js';
import {
  callerSecretSet,
  modeGet,
  modeSet,
  thresholdGet,
  thresholdSet,
} from './commands/settings.js';
import { keysGenerate, keysList, keysRetire, keysRotate } from './commands/keys.js';
import { modelList, modelPublish, modelRollback } from './commands/models.js';
import { verifiedBotsShow, verifiedBotsUpdate } from './commands/verified-bots.js';
import { STORE_NAMES } from '../../src/edge-contract.js';
import { settingsGet, settingsSet } from './commands/scorer-settings.js';

export const DEFAULT_API_URL = 'https://api.fastly.com';

interface Command extends CommandSpec {
  summary: string;
  /** Longer help: what it changes and in which order. */
  detail: string;
  options: OptionSpec[];
  run(ctx: OpsContext): Promise<void>;
}

const DRY_RUN: OptionSpec = {
  name: 'dry-run',
  help: 'print the plan (requests and diffs) and change nothing',
};
const FORCE_EXCLUDE = {
  name: 'force-exclude-regex',
  help:
    'accept an exclusion regex that matches ordinary pages (leaving them unscored) or ' +
    'cannot be checked against them',
};
const SERVICE: OptionSpec = {
  name: 'service-id',
  value: 'ID',
  help: 'the VCL service (default: $FASTLY_SERVICE_ID)',
};
const ACTIVATE: OptionSpec = {
  name: 'activate',
  help: 'activate the new version after Fastly validates it (default: leave it inactive)',
};
const CONFIG_STORE: OptionSpec = {
  name: 'config-store',
  value: 'NAME',
  help: `the scorer's Config Store (default: ${STORE_NAMES.config})`,
};
const SECRET_STORE: OptionSpec = {
  name: 'secret-store',
  value: 'NAME',
  help: `the scorer's Secret Store (default: ${STORE_NAMES.secrets})`,
};
const KV_STORE: OptionSpec = {
  name: 'kv-store',
  value: 'NAME',
  help: `the scorer's KV Store (default: ${STORE_NAMES.models})`,
};

export const COMMANDS: Command[] = [
  {
    words: ['vcl', 'upload'],
    summary:
      'upload the seven session-scorer snippets (crawler ACLs included) to a new version of the VCL service',
    detail:
      'Generates the snippets (keeping the exclusion and exemption regexes, backend and log ' +
      'endpoint deployed on the active version unless given; the crawler ACLs from ' +
      'scripts/vcl/verified-bots.json), validates them (policy checks, falco lint), clones the ' +
      'active version, creates or updates the snippets by name, creates the edge dictionaries ' +
      'scorer_settings and scorer_secrets (private) if missing, has Fastly validate the ' +
      'version, and activates it only with --activate. Unchanged snippets are not touched; with ' +
      'nothing to change, no version is created.',
    options: [
      SERVICE,
      ACTIVATE,
      {
        name: 'exclude-url-regex',
        value: 'REGEX',
        help: 'static-asset exclusion regex (PCRE on req.url.path)',
      },
      FORCE_EXCLUDE,
      {
        name: 'exempt-url-regex',
        value: 'REGEX',
        help:
          'paths scored but never challenged or blocked (PCRE on req.url.path; default: as ' +
          'deployed, else feeds, sitemaps, robots.txt, /.well-known/, /api/)',
      },
      {
        name: 'force-exempt-regex',
        help: 'accept an exemption regex that matches ordinary pages or cannot be checked against them',
      },
      {
        name: 'snapshot',
        value: 'PATH',
        help: 'the crawler range snapshot (default scripts/vcl/verified-bots.json)',
      },
      {
        name: 'scorer-backend',
        value: 'NAME',
        help: 'the scorer backend name (default: as deployed, else F_scorer)',
      },
      {
        name: 'log-endpoint',
        value: 'NAME',
        help: 'the VCL log endpoint (default: as deployed, else scorer_vcl)',
      },
      DRY_RUN,
    ],
    run: vclUpload,
  },
  {
    words: ['vcl', 'activate'],
    args: 'VERSION',
    summary: 'activate an existing version of the VCL service: the rollback path after an upload',
    detail:
      'Shows how the session-scorer snippets of VERSION differ from the active version, then ' +
      'activates VERSION (re-checking first that nobody activated another version meanwhile).',
    options: [SERVICE, DRY_RUN],
    run: (ctx) => vclActivate(ctx, ctx.args[0]),
  },
  {
    words: ['vcl', 'exclude-regex', 'get'],
    summary: 'show the current (deployed), default and effective exclusion regex',
    detail: 'Reads the recv snippet of the active version.',
    options: [SERVICE],
    run: excludeRegexGet,
  },
  {
    words: ['vcl', 'exclude-regex', 'set'],
    args: 'REGEX',
    summary:
      'change the exclusion regex: regenerate the recv snippet only, clone → update → validate → activate',
    detail:
      "The regex passes the generator's policy checks and falco lint before anything is sent, " +
      'then Fastly validates the new version.',
    options: [SERVICE, ACTIVATE, FORCE_EXCLUDE, DRY_RUN],
    run: (ctx) => excludeRegexSet(ctx, ctx.args[0]),
  },
  {
    words: ['vcl', 'exclude-regex', 'reset'],
    summary: 'put the default exclusion regex back (as set, with the default)',
    detail: 'Same path as `vcl exclude-regex set`.',
    options: [SERVICE, ACTIVATE, DRY_RUN],
    run: excludeRegexReset,
  },
  {
    words: ['threshold', 'get'],
    summary: 'show the block threshold and the challenge threshold',
    detail:
      'Reads scorer_settings.threshold and scorer_settings.challenge_threshold on the VCL ' +
      'service, as the VCL reads them.',
    options: [SERVICE],
    run: thresholdGet,
  },
  {
    words: ['threshold', 'set'],
    args: 'N',
    summary:
      'set the block threshold (0–100), and with --challenge M the challenge threshold (M ≤ N), ' +
      'in the edge dictionary, in place',
    detail:
      'Updates scorer_settings.threshold (and challenge_threshold): no new version, effective ' +
      'in seconds. In enforce mode a score ≥ N is answered 429 and a score in [M, N) gets the ' +
      'challenge; monitor mode records would_block / would_challenge. M equal to N means no ' +
      'challenge band. A threshold below the challenge threshold already set is refused unless ' +
      '--challenge lowers it too.',
    options: [
      SERVICE,
      { name: 'challenge', value: 'M', help: 'the challenge threshold (0–100, at most N)' },
      DRY_RUN,
    ],
    run: (ctx) => thresholdSet(ctx, ctx.args[0]),
  },
  {
    words: ['verified-bots', 'update'],
    summary:
      "refresh the crawler range snapshot (scripts/vcl/verified-bots.json) from the operators' published URLs",
    detail:
      'Reads every source URL the snapshot names (Google, Bing, Apple, DuckDuckGo, OpenAI), ' +
      'parses and aggregates the ranges, and shows the unified diff of the file; unless ' +
      '--dry-run, writes it and an audit line. A source that cannot be read, or a crawler ' +
      'losing more than half its ranges, refuses the whole update. Then `vcl upload` ships the new ACLs.',
    options: [
      SERVICE,
      {
        name: 'snapshot',
        value: 'PATH',
        help: `the snapshot file (default ${'scripts/vcl/verified-bots.json'})`,
      },
      {
        name: 'mirror',
        value: 'URL',
        help: 'read each source at URL/<host>/<path> instead (https, or http on loopback)',
      },
      {
        name: 'allow-missing',
        help: 'record unreadable sources as missing (their crawler is then never called spoofed) instead of refusing',
      },
      { name: 'allow-shrink', help: 'accept a crawler losing more than half its ranges' },
      DRY_RUN,
    ],
    run: verifiedBotsUpdate,
  },
  {
    words: ['verified-bots', 'show'],
    summary:
      'show the crawler range snapshot: ranges per crawler, sources and where they were read, ' +
      'and what the active version carries',
    detail:
      'Reads scripts/vcl/verified-bots.json (or --snapshot) and, with a service, the active ' +
      "version's crawler ACL snippet.",
    options: [
      SERVICE,
      {
        name: 'snapshot',
        value: 'PATH',
        help: 'the snapshot file (default scripts/vcl/verified-bots.json)',
      },
    ],
    run: verifiedBotsShow,
  },
  {
    words: ['mode', 'get'],
    summary: 'show the mode, as the VCL and the scorer see it',
    detail: 'Reads scorer_settings.mode and the scorer Config Store item mode.',
    options: [SERVICE, CONFIG_STORE],
    run: modeGet,
  },
  {
    words: ['mode', 'set'],
    args: 'off|monitor|enforce',
    summary: "set the mode in the edge dictionary (and the scorer's Config Store), in place",
    detail:
      'off: no preflight, no cookie (kill switch); monitor: score and log; enforce: 429 at or ' +
      'above the threshold. No new version; effective in seconds.',
    options: [SERVICE, CONFIG_STORE, DRY_RUN],
    run: (ctx) => modeSet(ctx, ctx.args[0]),
  },
  {
    words: ['caller-secret', 'set'],
    summary:
      'generate a new caller secret into the scorer Secret Store and the VCL private dictionary',
    detail:
      'The value is random (32 bytes) and never printed. A rotation hands it to the scorer as ' +
      'caller_secret_next first (accepted alongside the old one), then to the VCL, then makes ' +
      "it the scorer's caller_secret, with --propagation-wait-seconds (default 60) between the " +
      'steps, so no preflight is refused on the way.',
    options: [
      SERVICE,
      SECRET_STORE,
      {
        name: 'propagation-wait-seconds',
        value: 'N',
        help: 'wait between the steps of a rotation (default 60)',
      },
      DRY_RUN,
    ],
    run: callerSecretSet,
  },
  {
    words: ['keys', 'generate'],
    summary:
      'create a new 32-byte cookie key: staged (opens cookies, does not seal), or active on a new ring',
    detail:
      'Writes the secret cookie_key_<id> first (never overwriting one), then names the key in ' +
      'the Config Store item cookie_key_ring.',
    options: [
      CONFIG_STORE,
      SECRET_STORE,
      {
        name: 'replace-cookie-keys',
        help: 'start a ring although a hand-managed cookie_keys secret exists (its cookies become unreadable)',
      },
      DRY_RUN,
    ],
    run: keysGenerate,
  },
  {
    words: ['keys', 'rotate'],
    summary:
      'make a staged key active (generating one first if none), keeping the previous key readable for a grace period',
    detail:
      'With no staged key: generate one, wait --propagation-wait-seconds (default 300) so every ' +
      'POP can open cookies under it, then activate it. The previous active key opens cookies ' +
      'until now + --grace-seconds (default: the cookie lifetime from the Config Store + 1 h); ' +
      'a shorter grace is refused without --allow-short-grace.',
    options: [
      CONFIG_STORE,
      SECRET_STORE,
      {
        name: 'grace-seconds',
        value: 'N',
        help: 'how long the previous key keeps opening cookies',
      },
      {
        name: 'allow-short-grace',
        help: 'accept a grace shorter than the cookie lifetime (a compromised key)',
      },
      {
        name: 'propagation-wait-seconds',
        value: 'N',
        help: 'wait between staging and activating a new key (default 300)',
      },
      DRY_RUN,
    ],
    run: keysRotate,
  },
  {
    words: ['keys', 'list'],
    summary:
      'list key ids, status, grace deadlines and whether each secret exists (never key bytes)',
    detail:
      "Reads cookie_key_ring and the Secret Store's secret names (the API never returns secret " +
      'values). With --requests-per-second R (the scored request rate, from the audit log or ' +
      "Fastly stats) it shows how much of the active key's nonce budget (2^32 seals) is used " +
      'since its creation, and warns from 50 %.',
    options: [
      CONFIG_STORE,
      SECRET_STORE,
      {
        name: 'requests-per-second',
        value: 'R',
        help: "scored requests per second across the service, for the active key's nonce budget",
      },
    ],
    run: keysList,
  },
  {
    words: ['keys', 'retire'],
    summary: 'remove keys past their grace deadline: from the index first, then their secrets',
    detail:
      'Keys in grace, or less than 10 minutes past it, are kept. --orphans also deletes ' +
      'cookie_key_<id> secrets the index does not name that are over an hour old (an interrupted generate).',
    options: [
      CONFIG_STORE,
      SECRET_STORE,
      { name: 'orphans', help: 'also delete key secrets the index does not name' },
      DRY_RUN,
    ],
    run: keysRetire,
  },
  {
    words: ['model', 'publish'],
    args: 'MODEL.json',
    summary:
      'validate a model with scorer-core, store it under its version in the KV Store and make it current',
    detail:
      'Says first what changes in the scores, from the model and the effective settings in the ' +
      'Config Store: a learned combiner changes every score (unless combine.learnedWeight is ' +
      '0), the transition model only while combine.layer2Weight is above 0. Then writes ' +
      'models/<version> (refusing a different document under an existing version), then the ' +
      'history, then moves "current".',
    options: [
      KV_STORE,
      CONFIG_STORE,
      { name: 'allow-placeholder', help: 'publish a placeholder (untrained) model' },
      DRY_RUN,
    ],
    run: (ctx) => modelPublish(ctx, ctx.args[0]),
  },
  {
    words: ['model', 'list'],
    summary: 'list published model versions, the current one and the history',
    detail: 'Reads the KV Store.',
    options: [KV_STORE],
    run: modelList,
  },
  {
    words: ['model', 'rollback'],
    args: '[VERSION]',
    summary:
      'move "current" back: to VERSION, to the version current before the present one, or ' +
      "(--embedded) to the scorer's embedded model",
    detail:
      'The target document must exist and validate; --embedded removes "current". Says what ' +
      'changes in the scores, as `model publish` does. The history records the rollback, so a ' +
      'second rollback undoes the first.',
    options: [
      KV_STORE,
      CONFIG_STORE,
      { name: 'embedded', help: 'remove "current": the scorer uses the model embedded at build' },
      DRY_RUN,
    ],
    run: (ctx) => modelRollback(ctx, ctx.args[0]),
  },
  {
    words: ['settings', 'get'],
    summary:
      "show the scorer's settings item as stored and the effective settings (defaults merged), " +
      'flagging an item the scorer refuses',
    detail:
      'Lists the Config Store and reads it as the scorer does (src/config/items.ts): the ' +
      '`settings` JSON over the defaults, then the lifetime and challenge items over it. Exits ' +
      '1 when the scorer refuses its configuration: it then answers every request fail-open, unscored.',
    options: [CONFIG_STORE],
    run: settingsGet,
  },
  {
    words: ['settings', 'set'],
    args: '[JSON]',
    summary:
      "replace the scorer's settings item (JSON overrides of the scoring settings, " +
      'docs/scoring.md) after validating it, in place',
    detail:
      "Validates the overrides with scorer-core's resolveSettings (unknown keys and " +
      "out-of-range values are refused, naming the field), then with the Config Store's other " +
      'items, before anything is sent; shows the diff of the effective settings; writes the ' +
      'item (re-reading it first). The JSON replaces the whole item: include every override you ' +
      'keep. No new version; the scorer reads it per request.',
    options: [
      CONFIG_STORE,
      { name: 'file', value: 'PATH', help: 'read the JSON from PATH instead of the argument' },
      DRY_RUN,
    ],
    run: (ctx) => settingsSet(ctx, ctx.args[0]),
  },
];

const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'help', help: 'this help' },
  {
    name: 'api-url',
    value: 'URL',
    help: `Fastly API root (default: $FASTLY_API_URL or ${DEFAULT_API_URL})`,
  },
  {
    name: 'audit-file',
    value: 'PATH',
    help: 'where audit lines are appended (default: $SCORER_OPS_AUDIT_FILE or ./ops-audit.jsonl)',
  },
];

/** Exit codes, kept stable for scripts that run the CLI; the help and docs/operators.md list them. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const EXIT_CODE_HELP = [
  `  ${EXIT.ok}  done: the change was applied, there was nothing to change, a --dry-run printed its plan, or --help`,
  `  ${EXIT.failed}  refused or failed: a check refused the command before anything was changed ` +
    `(no service id, a missing store, an invalid value, regex or model, a guard against a ` +
    `concurrent change), a plan step failed (the applied steps are named), Fastly answered an ` +
    `error, or no answer came (network)`,
  `  ${EXIT.usage}  usage error: unknown command or option, an option without its value or ` +
    `given twice, a flag given a value, too few or too many arguments; FASTLY_API_TOKEN missing ` +
    `or unusable; --api-url not https (plain http only to loopback)`,
].join('\n');

function optionHelp(options: OptionSpec[]): string {
  return options
    .map((o) => `  --${o.name}${o.value ? ` ${o.value}` : ''}`.padEnd(34) + o.help)
    .join('\n');
}

const synopsis = (c: Command) => c.words.join(' ') + (c.args ? ` ${c.args}` : '');

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => synopsis(c).length));
  return [
    'usage: npm run ops -- <command> [options]',
    '',
    'The API token comes from FASTLY_API_TOKEN only (never an option, never printed).',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${synopsis(c).padEnd(width)}  ${c.summary}`),
    '',
    'options for every command:',
    optionHelp(GLOBAL_OPTIONS),
    '',
    'Exit codes:',
    EXIT_CODE_HELP,
    '',
    "npm run ops -- <command> --help shows a command's options. docs/operators.md is the runbook.",
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `usage: npm run ops -- ${synopsis(command)} [options]`,
    '',
    command.summary,
    '',
    command.detail,
    '',
    'options:',
    optionHelp([...command.options, ...GLOBAL_OPTIONS]),
    '',
    // The same block as every command's help (docs/commands.md), short; the top-level help
    // says what each code covers.
    'Exit codes:',
    `  ${EXIT.ok}  done`,
    `  ${EXIT.failed}  refused or failed`,
    `  ${EXIT.usage}  usage error (npm run ops -- --help says what each code covers)`,
  ].join('\n');
}

export interface OpsDeps {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  now(): number;
  randomBytes(length: number): Uint8Array;
  sleep(ms: number): Promise<void>;
  readFile(path: string): string;
  fetch?: typeof fetch;
  osUser: string;
}

/** The token travels in a header: only over https, or plain http to this machine (a local stand-in). */
function apiUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `--api-url: ${JSON.stringify(text)} is not a URL`;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return null;
  return (
    `--api-url: ${url.protocol}//${url.host} would carry the API token unencrypted: use ` +
    `https (plain http only to 127.0.0.1 / localhost)`
  );
}

/** Runs one CLI invocation; returns the exit code (EXIT). */
export async function runOps(argv: string[], deps: OpsDeps): Promise<number> {
  const out = deps.stdout;
  const err = deps.stderr;
  const line = parseCommandLine(argv, COMMANDS, GLOBAL_OPTIONS);
  if (line.kind === 'usage') {
    err(line.message);
    return EXIT.usage;
  }
  if (line.kind === 'help') {
    out(line.command ? commandHelp(line.command) : usage());
    return EXIT.ok;
  }
  const { command, args, options } = line;
  // The token goes to the API client, which puts it in the Fastly-Key header and nowhere else;
  // the rest of the CLI sees the environment without it.
  const { FASTLY_API_TOKEN: token, ...env } = deps.env;
  if (!token) {
    err(
      'FASTLY_API_TOKEN is not set: export an API token with access to the service (the CLI ' +
        'reads it from the environment only)',
    );
    return EXIT.usage;
  }
  const unusable = tokenProblem(token);
  if (unusable) {
    err(`FASTLY_API_TOKEN ${unusable}`);
    return EXIT.usage;
  }
  const baseUrl = options.get('api-url') ?? env.FASTLY_API_URL ?? DEFAULT_API_URL;
  const problem = apiUrlProblem(baseUrl);
  if (problem) {
    err(problem);
    return EXIT.usage;
  }
  const api = createFastlyApi({ baseUrl, token, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const ctx = createContext({
    api,
    args,
    options,
    env,
    out,
    err,
    now: deps.now,
    randomBytes: deps.randomBytes,
    sleep: deps.sleep,
    readFile: deps.readFile,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    auditFile: options.get('audit-file') ?? env.SCORER_OPS_AUDIT_FILE ?? 'ops-audit.jsonl',
    osUser: deps.osUser,
  });
  try {
    await command.run(ctx);
    return EXIT.ok;
  } catch (error) {
    const known =
      error instanceof OpsError || error instanceof PlanError || error instanceof FastlyApiError;
    const detail =
      error instanceof Error
        ? !known && env.SCORER_OPS_DEBUG
          ? (error.stack ?? error.message)
          : error.message
        : String(error);
    err(`error: ${detail}`);
    return EXIT.failed;
  }
}
