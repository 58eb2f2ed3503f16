/**
 * docs/operators.md, "Try the runbook offline", run as written: its command lines, read from the
 * section, in order, against the STAND-IN for the Fastly API that `npm run ops:standin` serves
 * (scripts/ops/standin/). The stand-in is not Fastly: these tests cannot show Fastly's real
 * validation messages, propagation times or list paging (the section says so too). They show that
 * every documented line runs, exits 0, and leaves stores the scorer app accepts. `npm run ops`
 * lines run in-process through runOps (what the entry runs, with the real clock, randomness and
 * sleep); `npm run train` lines run the package.json script's node command; a line of any other
 * kind fails the test, so the section cannot gain a command nobody runs.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFalco, findFalco } from '../../scripts/lib/falco.mjs';
import { runOps } from '../../scripts/ops/cli.js';
import type { FastlyApiStandin } from '../../scripts/ops/standin/fastly-api-standin.js';
import {
  exportLine,
  STANDIN_DEFAULT_PORT,
  startOfflineStandin,
} from '../../scripts/ops/standin/offline.js';
import { preflight, scorerOver } from './run-ops.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
const falco: string | null = process.env.CI ? ensureFalco() : findFalco();
if (!falco)
  console.warn(
    '\n[offline runbook test skipped] `vcl upload` needs falco: node scripts/lib/falco.mjs --install\n',
  );

/** The section's command lines, in order: every line of its ```sh blocks, comments removed. */
function runbookLines(): string[] {
  const doc = readFileSync(join(ROOT, 'docs/operators.md'), 'utf8');
  const start = doc.indexOf('\n## Try the runbook offline\n');
  if (start < 0) throw new Error('docs/operators.md has no section "Try the runbook offline"');
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const lines: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g))
    for (const line of block[1]!.split('\n')) {
      const command = line.replace(/(^|\s)#.*$/, '').trim();
      if (command) lines.push(command);
    }
  return lines;
}

/** Shell words, as sh splits these lines: single quotes literal, no expansion (refused). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|"([^"$`\\]*)"|([^\s'"]+)/g)) {
    const bare = match[3];
    if (bare !== undefined && /[$`\\*?;&|<>(){}]/.test(bare))
      throw new Error(`runbook line needs a shell this test does not emulate: ${line}`);
    words.push(match[1] ?? match[2] ?? bare!);
  }
  return words;
}

/** The node command line of a package.json script (`node scripts/lib/run-ts.mjs …`). */
function npmScript(name: string): string[] {
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
    string,
    string
  >;
  const words = scripts[name]?.split(' ');
  if (!words || words[0] !== 'node')
    throw new Error(`package.json script ${name} is not a node command`);
  return [process.execPath, ...words.slice(1)];
}

describe('npm run ops:standin (the stand-in Fastly API as a script)', () => {
  it('prints the export line the runbook section shows (its port aside) and serves the API there', async () => {
    const [node, ...args] = npmScript('ops:standin');
    const child = spawn(node!, [...args, '--port', '0'], { cwd: ROOT });
    try {
      const printed = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no export line in: ${text}`)), 30_000);
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const line = /^ {2}(export FASTLY_API_URL=\S+ .*)$/m.exec(text)?.[1];
          if (line) {
            clearTimeout(timer);
            resolve(line);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
      });
      const url = /FASTLY_API_URL=(\S+)/.exec(printed)![1]!;
      const documented = runbookLines().find((l) => l.startsWith('export FASTLY_API_URL='));
      expect(printed.replace(url, `http://127.0.0.1:${STANDIN_DEFAULT_PORT}`)).toBe(documented);
      const token = /FASTLY_API_TOKEN=(\S+)/.exec(printed)![1]!;
      const versions = await fetch(`${url}/service/SVCstandin0001/version`, {
        headers: { 'fastly-key': token },
      });
      expect(await versions.json()).toMatchObject([{ number: 1, active: true }]);
    } finally {
      child.kill();
    }
  });
});

describe.runIf(falco)(
  'docs/operators.md "Try the runbook offline" against the stand-in Fastly API (not Fastly: no ' +
    'real validation messages, propagation or paging)',
  () => {
    let standin: FastlyApiStandin;
    let dir: string;
    beforeAll(async () => {
      // Port 0 rather than the documented 7680, which may be taken; the line is checked above.
      standin = await startOfflineStandin(0);
      dir = mkdtempSync(join(tmpdir(), 'scorer-runbook-'));
    });
    afterAll(() => standin.close());

    it('runs every command line in order, each exiting 0, and leaves stores the scorer app accepts', async () => {
      const lines = runbookLines();
      expect(lines[0]).toBe('npm run ops:standin');
      expect(lines.filter((l) => l.startsWith('npm run ops -- ')).length).toBeGreaterThan(20);
      // Paths under /tmp/ go to this test's own directory.
      const local = (word: string) => (word.startsWith('/tmp/') ? join(dir, basename(word)) : word);
      const env: Record<string, string | undefined> = {};
      for (const line of lines.slice(1)) {
        const words = shellWords(line).map(local);
        if (words[0] === 'export') {
          for (const assignment of words.slice(1)) {
            const [name, value] = assignment.split(/=(.*)/s, 2) as [string, string];
            // The documented URL names port 7680; the test's stand-in listens elsewhere.
            env[name] = name === 'FASTLY_API_URL' ? standin.url : local(value);
          }
          expect(exportLine(standin)).toContain(`FASTLY_API_TOKEN=${env.FASTLY_API_TOKEN}`);
          continue;
        }
        const [npm, run, script, dashes, ...args] = words;
        expect(`${npm} ${run} ${dashes}`, line).toBe('npm run --');
        let result: { code: number; output: string };
        if (script === 'ops') {
          const output: string[] = [];
          const code = await runOps(args, {
            env,
            stdout: (t) => output.push(t),
            stderr: (t) => output.push(t),
            now: () => Date.now(),
            randomBytes: (n) => new Uint8Array(randomBytes(n)),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            readFile: (path) => readFileSync(path, 'utf8'),
            osUser: 'runbook-test',
          });
          result = { code, output: output.join('\n') };
        } else if (script === 'train') {
          const [node, ...scriptArgs] = npmScript('train');
          try {
            const { stdout, stderr } = await execFileAsync(node!, [...scriptArgs, ...args], {
              cwd: ROOT,
            });
            result = { code: 0, output: stdout + stderr };
          } catch (error) {
            result = { code: 1, output: String(error) };
          }
        } else {
          throw new Error(`runbook line this test cannot run: ${line}`);
        }
        expect(result.code, `${line}\n${result.output}`).toBe(0);
      }

      // The scorer over the stores the runbook filled: rotated key 2 seals, the settings item is
      // accepted, the model is the embedded one again, monitor mode.
      const callerSecret = standin.secretText('scorer_secrets', 'caller_secret')!;
      const app = scorerOver(standin, () => Date.now());
      const answer = await preflight(app, '/', callerSecret);
      expect(answer.headers.get('x-scorer-error')).toBeNull();
      expect(answer.headers.get('x-scorer-score')).toMatch(/^\d{1,3}$/);
      expect(answer.headers.get('x-scorer-key-id')).toBe('2');
      expect(answer.headers.get('x-scorer-mode')).toBe('monitor');
      expect(answer.headers.get('x-scorer-model-source')).toBe('embedded');
      expect(standin.configItem('scorer_config', 'settings')).toBe(
        '{"combine":{"layer2Weight":0.3}}',
      );
      expect(standin.activeVersion().number).toBe(2);
    });
  },
);
