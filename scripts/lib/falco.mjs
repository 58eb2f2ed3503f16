// Finding or building falco (VCL linter, tester, simulator; github.com/ysugimoto/falco), pinned
// to v1.21.1 by the tools module in scripts/tools/falco. `go install falco@version` does not work
// through this machine's module proxy (it refuses the version list that go install reads), so the
// tools module builds it: `node scripts/lib/falco.mjs --install`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TOOLS = join(ROOT, 'scripts', 'tools', 'falco');
const BUILT = join(ROOT, '.cache', 'bin', 'falco');

const works = (bin) => spawnSync(bin, ['-h'], { encoding: 'utf8' }).status === 0;

/** A falco binary, or null. Looks at $FALCO_BIN, the project's build, ~/go/bin, then PATH. */
export function findFalco() {
  const candidates = [
    process.env.FALCO_BIN,
    BUILT,
    join(homedir(), 'go', 'bin', 'falco'),
    'falco',
  ].filter(Boolean);
  for (const bin of candidates) if ((bin === 'falco' || existsSync(bin)) && works(bin)) return bin;
  return null;
}

export function ensureFalco() {
  const found = findFalco();
  if (found) return found;
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0)
    throw new Error(
      'falco is not installed and Go is not available to build it (needs Go ≥ 1.24.3): install ' +
        'Go, then run node scripts/lib/falco.mjs --install',
    );
  console.error(
    'falco not found: building falco v1.21.1 from the Go module proxy (scripts/tools/falco) …',
  );
  mkdirSync(join(ROOT, '.cache', 'bin'), { recursive: true });
  execFileSync('go', ['build', '-o', BUILT, 'github.com/ysugimoto/falco/cmd/falco'], {
    cwd: TOOLS,
    stdio: 'inherit',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  if (!works(BUILT)) throw new Error(`built ${BUILT} but it does not run`);
  return BUILT;
}

/** Runs falco lint; ok when it reports no errors (warnings are allowed). */
export function lintVcl(falco, mainVcl, includePaths = []) {
  const run = spawnSync(falco, ['lint', ...includePaths.flatMap((p) => ['-I', p]), mainVcl], {
    encoding: 'utf8',
  });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

/** Runs falco test (the *.test.vcl files in the include paths). */
export function testVcl(falco, mainVcl, includePaths = []) {
  const run = spawnSync(
    falco,
    ['test', '-json', ...includePaths.flatMap((p) => ['-I', p]), mainVcl],
    { encoding: 'utf8' },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

if (
  process.argv[1] &&
  resolve(process.argv[1]) === resolve(import.meta.filename) &&
  process.argv.includes('--install')
) {
  console.log(`falco: ${ensureFalco()}`);
}
