/**
 * npm run model:default [-- --check] [-- --data <dir>]
 *
 * Rebuilds the shipped default model (scorer-core/src/default-model.json) from the shared real
 * logs with the one training command docs/model.md records, or with --check retrains into a
 * temporary file and compares it byte for byte with the committed model (exit 1 on any
 * difference). The logs are looked for in --data, else $SCORER_SHARED_DATA, else ../shared/data
 * beside the repository; their SHA-256 must match the committed model's provenance first, so a
 * different copy of the logs is reported as such, not as a training change.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseCommandLine } from '../lib/command-line.js';

// run-ts.mjs runs a bundled copy from .cache/run-ts/, so the repository root is found by walking
// up to the package.json, not from this file's own directory.
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (
      existsSync(join(dir, 'package.json')) &&
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name ===
        'session-scorer'
    )
      return dir;
    if (dirname(dir) === dir) throw new Error(`no session-scorer package.json above ${from}`);
  }
}
const ROOT = findRoot(import.meta.dirname);
const DEFAULT_MODEL_PATH = join(ROOT, 'scorer-core/src/default-model.json');
/**
 * The training recipe of the shipped model. Only semicomplete-2015 (Apache-2.0) is trained on: the
 * other shared logs have no licence allowing redistribution (docs/model.md). Its first 70 % (by
 * time) is the training part; the last 30 % is held out for evaluation and tuning reports. The
 * learned combiner is chosen between logistic regression and trees on the training part's last
 * 20 % (`--combiner auto`, named so a change of train's default does not change this model).
 */
const RECIPE = {
  inputs: ['semicomplete-2015-apache.log'],
  split: '0.7',
  alpha: '1',
  combiner: 'auto',
  labeller: 'v2',
  createdAt: '2026-12-01T00:00:00.000Z',
} as const;

function sharedDataDir(given?: string): string {
  return resolve(given ?? process.env.SCORER_SHARED_DATA ?? join(ROOT, '../shared/data'));
}

function trainArgs(dataDir: string, out: string): string[] {
  return [
    ...RECIPE.inputs.flatMap((f) => ['--input', join(dataDir, f)]),
    '--split',
    RECIPE.split,
    '--alpha',
    RECIPE.alpha,
    '--combiner',
    RECIPE.combiner,
    '--labeller',
    RECIPE.labeller,
    '--created-at',
    RECIPE.createdAt,
    '--out',
    out,
  ];
}

const USAGE =
  'usage: npm run model:default -- [--check] [--data <dir>]   (npm run model:check = --check)';
const HELP = `
Rebuilds the shipped default model (scorer-core/src/default-model.json) from the shared real logs
with the recorded training recipe (docs/model.md), or with --check retrains into a temporary file
and compares it byte for byte with the committed model.
  --check                retrain into a temporary file and compare; the committed model is not written
  --data <dir>           where the shared logs are (default: $SCORER_SHARED_DATA, else ../shared/data
                         beside the repository)`;

{
  const cli = parseCommandLine(process.argv.slice(2), {
    options: { check: { type: 'boolean' }, data: { type: 'string' } },
    usage: USAGE,
    help: HELP,
    exitCodes: {
      1:
        'failed: the shared logs are missing or are not the ones the committed model records ' +
        '(--check), training failed, or (--check) the retrained model differs from the committed one',
    },
  });
  const check = cli.flag('check');
  const dataDir = sharedDataDir(cli.string('data'));
  const missing = RECIPE.inputs.filter((f) => !existsSync(join(dataDir, f)));
  if (missing.length > 0)
    cli.error(
      `the shared logs are not in ${dataDir} (missing ${missing.join(', ')}): pass --data <dir> ` +
        `or set SCORER_SHARED_DATA`,
    );
  for (const file of RECIPE.inputs) cli.requireFile('shared log', join(dataDir, file));
  const committed = JSON.parse(readFileSync(DEFAULT_MODEL_PATH, 'utf8')) as {
    training?: { inputs?: { file: string; sha256: string }[] };
  };
  for (const file of RECIPE.inputs) {
    const recorded = committed.training?.inputs?.find((i) => i.file === file)?.sha256;
    const actual = createHash('sha256')
      .update(readFileSync(join(dataDir, file)))
      .digest('hex');
    if (recorded !== actual) {
      console.error(
        `${file}: SHA-256 ${actual} differs from the committed model's ${recorded}: not the ` +
          `logs it was trained on${check ? '' : ' (retraining anyway: the committed model will change)'}`,
      );
      if (check) process.exit(1);
    }
  }
  const tempDir = check ? mkdtempSync(join(tmpdir(), 'scorer-default-model-')) : null;
  const out = tempDir ? join(tempDir, 'model.json') : DEFAULT_MODEL_PATH;
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'scripts/lib/run-ts.mjs'),
      join(ROOT, 'scripts/training/train.ts'),
      ...trainArgs(dataDir, out),
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (run.status !== 0) {
    console.error(run.stderr || run.stdout);
    process.exit(1);
  }
  console.log(run.stdout.trim());
  if (check) {
    const same = readFileSync(out).equals(readFileSync(DEFAULT_MODEL_PATH));
    console.log(
      same
        ? `reproduced ${DEFAULT_MODEL_PATH} byte for byte`
        : `MISMATCH: retrained ${out} differs from ${DEFAULT_MODEL_PATH}`,
    );
    // Keep a mismatching retrain for inspection; remove a matching one.
    if (same) rmSync(tempDir!, { recursive: true, force: true });
    process.exit(same ? 0 : 1);
  }
}
