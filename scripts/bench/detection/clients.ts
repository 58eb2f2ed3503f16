/**
 * The real clients bench:detection drives, each a separate program, and how each is checked and
 * installed: from Debian's packages (apt-get, as root), PyPI (a venv under .cache/) or nothing
 * (Node, Go's standard library built with the Go toolchain here). A client that cannot be had is
 * skipped with a notice naming exactly what is missing.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../lib/viceroy.mjs';
import type { ClientKind } from './summary.js';

/** The User-Agent scrapers send to pass as a desktop Chrome. */
export const CHROME_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

const PROGRAMS = join(ROOT, 'scripts', 'bench', 'detection', 'programs');
const CACHE = join(ROOT, '.cache', 'bench-detection');
const VENV_PYTHON = join(CACHE, 'venv', 'bin', 'python');
const GO_HTTP_BIN = join(CACHE, 'bin', 'go-http');
const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export interface RunContext {
  /** The client's front, e.g. http://127.0.0.1:40123 (no trailing slash). */
  baseUrl: string;
  paths: readonly string[];
  /** Pause between page requests for scripted clients. */
  scriptedGapMs: number;
  /** Dwell range per page for the human-paced browser. */
  humanDwellMs: [number, number];
  /** Dwell range per page for the bot-paced browser. */
  botDwellMs: [number, number];
  seed: number;
}

export interface Client {
  name: string;
  kind: ClientKind;
  /** What it is and how it is driven, for the report. */
  description: string;
  /** Checks the program is there, installing it when allowed; null when ready, else the notice. */
  prepare(install: boolean): string | null;
  /** The command line that runs it against a context. */
  command(context: RunContext): [string, string[]];
}

const onPath = (bin: string) =>
  spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).status === 0;
const isRoot = () => process.getuid?.() === 0;

let aptUpdated = false;
/** Installs Debian packages when allowed and possible; null on success, else what to run. */
function aptInstall(packages: string[], install: boolean): string | null {
  const how = `apt-get install -y ${packages.join(' ')}`;
  if (!install) return `missing; install with: ${how}`;
  if (!isRoot() || !onPath('apt-get')) return `missing; as root run: ${how}`;
  if (!aptUpdated) {
    spawnSync('apt-get', ['update'], { stdio: 'ignore' });
    aptUpdated = true;
  }
  const run = spawnSync('apt-get', ['install', '-y', ...packages], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return run.status === 0
    ? null
    : `${how} failed: ${(run.stderr || run.stdout).trim().split('\n').at(-1)}`;
}

function needBinary(bin: string, debianPackage: string, install: boolean): string | null {
  if (onPath(bin)) return null;
  return aptInstall([debianPackage], install);
}

/** A venv under .cache/ with the pinned requests and httpx (programs/requirements.txt). */
function preparePython(module: 'requests' | 'httpx', install: boolean): string | null {
  const has = () =>
    existsSync(VENV_PYTHON) && spawnSync(VENV_PYTHON, ['-c', `import ${module}`]).status === 0;
  if (has()) return null;
  const requirements = join(PROGRAMS, 'requirements.txt');
  const how = `python3 -m venv ${join(CACHE, 'venv')} && ${VENV_PYTHON} -m pip install -r ${requirements}`;
  if (!install) return `missing; install with: ${how}`;
  if (!onPath('python3'))
    return `python3 missing; as root run: apt-get install -y python3 python3-venv, then ${how}`;
  try {
    mkdirSync(CACHE, { recursive: true });
    if (!existsSync(VENV_PYTHON))
      execFileSync('python3', ['-m', 'venv', join(CACHE, 'venv')], { stdio: 'ignore' });
    execFileSync(
      VENV_PYTHON,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements],
      { stdio: 'ignore' },
    );
  } catch (error) {
    return `${how} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  return has() ? null : `installed the venv but ${module} still does not import (${how})`;
}

/** Builds programs/go-http with the Go toolchain (standard library only: nothing downloaded). */
function prepareGo(install: boolean): string | null {
  if (!onPath('go'))
    return 'Go toolchain missing (go on PATH); install Go ≥ 1.22, e.g. as root: apt-get install -y golang-go';
  if (!install && !existsSync(GO_HTTP_BIN))
    return `not built; build with: (cd ${join(PROGRAMS, 'go-http')} && go build -o ${GO_HTTP_BIN} .)`;
  // Rebuilt every run (about a second, cached by Go): never a stale binary.
  const run = spawnSync('go', ['build', '-o', GO_HTTP_BIN, '.'], {
    cwd: join(PROGRAMS, 'go-http'),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
  });
  return run.status === 0 ? null : `go build failed: ${run.stderr.trim().split('\n').at(-1)}`;
}

function prepareChromium(install: boolean): string | null {
  if (!existsSync(CHROMIUM_BIN)) {
    if (process.env.CHROMIUM_BIN) return `CHROMIUM_BIN=${CHROMIUM_BIN} does not exist`;
    const apt = aptInstall(['chromium'], install);
    if (apt) return apt;
  }
  if (!existsSync(join(ROOT, 'node_modules', 'playwright-core')))
    return 'playwright-core missing from node_modules: run npm ci';
  return null;
}

const urls = (context: RunContext) => context.paths.map((path) => context.baseUrl + path);

/** The Python client program with one HTTP library, at the scripted pace, claiming to be Chrome. */
const pythonClient = (library: 'requests' | 'httpx', context: RunContext): [string, string[]] => [
  VENV_PYTHON,
  [
    join(PROGRAMS, 'python_client.py'),
    ...['--library', library, '--base', context.baseUrl],
    ...['--gap-ms', String(context.scriptedGapMs), '--user-agent', CHROME_USER_AGENT],
    ...context.paths,
  ],
];

function chromium(name: string, pace: 'human' | 'bot'): Client {
  return {
    name,
    kind: pace === 'human' ? 'browser-human' : 'browser-bot',
    description:
      `Debian Chromium (headless, CDP via playwright-core), clicking through the ` +
      `pages, ${pace === 'human' ? 'human pace' : 'bot pace'}`,
    prepare: prepareChromium,
    command: (context) => {
      const [min, max] = pace === 'human' ? context.humanDwellMs : context.botDwellMs;
      return [
        process.execPath,
        [
          join(PROGRAMS, 'chromium.mjs'),
          '--base',
          context.baseUrl,
          '--pages',
          String(context.paths.length),
          '--dwell-min-ms',
          String(min),
          '--dwell-max-ms',
          String(max),
          '--seed',
          String(context.seed),
          '--executable',
          CHROMIUM_BIN,
        ],
      ];
    },
  };
}

function curl(name: string, jar: boolean): Client {
  return {
    name,
    kind: 'scripted',
    description:
      `curl, one invocation for all pages (--rate), Chrome ` +
      `User-Agent, ${jar ? 'cookie jar (-b/-c)' : 'no cookie jar'}`,
    prepare: (install) => needBinary('curl', 'curl', install),
    command: (context) => {
      const jarFile = join(mkdtempSync(join(tmpdir(), 'bench-curl-')), 'cookies.txt');
      const rate = `${Math.max(1, Math.round(60_000 / Math.max(context.scriptedGapMs, 1)))}/m`;
      const outputs = context.paths.flatMap(() => ['-o', '/dev/null']);
      return [
        'curl',
        [
          '-sS',
          '--fail',
          '-A',
          CHROME_USER_AGENT,
          '--rate',
          rate,
          ...(jar ? ['-b', jarFile, '-c', jarFile] : []),
          ...outputs,
          ...urls(context),
        ],
      ];
    },
  };
}

export function allClients(): Client[] {
  return [
    chromium('chromium-human', 'human'),
    chromium('chromium-bot', 'bot'),
    curl('curl-jar', true),
    curl('curl-nojar', false),
    {
      name: 'wget',
      kind: 'scripted',
      description:
        'GNU Wget, one invocation for all pages (--wait), its own User-Agent, cookies kept in memory (its default)',
      prepare: (install) => needBinary('wget', 'wget', install),
      command: (context) => [
        'wget',
        ['-q', '-O', '/dev/null', `--wait=${context.scriptedGapMs / 1000}`, ...urls(context)],
      ],
    },
    {
      name: 'python-requests',
      kind: 'scripted',
      description: 'python-requests Session (keeps cookies), Chrome User-Agent',
      prepare: (install) => preparePython('requests', install),
      command: (context) => pythonClient('requests', context),
    },
    {
      name: 'python-httpx',
      kind: 'scripted',
      description: 'Python httpx Client (keeps cookies), Chrome User-Agent',
      prepare: (install) => preparePython('httpx', install),
      command: (context) => pythonClient('httpx', context),
    },
    {
      name: 'node-fetch',
      kind: 'scripted',
      description: "Node's built-in fetch (no cookie jar), Chrome User-Agent",
      prepare: () => null,
      command: (context) => [
        process.execPath,
        [
          join(PROGRAMS, 'node-fetch.mjs'),
          '--base',
          context.baseUrl,
          '--gap-ms',
          String(context.scriptedGapMs),
          '--user-agent',
          CHROME_USER_AGENT,
          ...context.paths,
        ],
      ],
    },
    {
      name: 'go-net-http',
      kind: 'scripted',
      description: 'Go net/http DefaultClient (no cookie jar), Chrome User-Agent',
      prepare: prepareGo,
      command: (context) => [
        GO_HTTP_BIN,
        [
          '-base',
          context.baseUrl,
          '-gap-ms',
          String(context.scriptedGapMs),
          '-user-agent',
          CHROME_USER_AGENT,
          ...context.paths,
        ],
      ],
    },
  ];
}

/** How long a client may take: start-up (a browser's launch) plus its pages at its own pace. */
export function clientTimeoutMs(client: Client, context: RunContext): number {
  const pauseMs =
    client.kind === 'browser-human'
      ? context.humanDwellMs[1]
      : client.kind === 'browser-bot'
        ? context.botDwellMs[1] + 1000
        : context.scriptedGapMs + 1000;
  return 20_000 + context.paths.length * pauseMs;
}

/** Runs a client to completion; rejects on a non-zero exit or past the timeout (the child is killed). */
export function runClient(client: Client, context: RunContext, timeoutMs: number): Promise<void> {
  const [bin, args] = client.command(context);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${client.name}: killed after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${client.name}: ${error.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${client.name} exited with ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`,
          ),
        );
    });
  });
}
