/**
 * What `model publish` / `model rollback` say about the scores, from hand-made model documents
 * (with and without a learned combiner) and the effective settings: unit cases of
 * describeScoreImpact, then the CLI against a STAND-IN for the Fastly API (scripts/ops/standin/).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModel, resolveSettings, type ModelDocument } from '../../scorer-core/src/index.js';
import { describeScoreImpact } from '../../scripts/ops/score-impact.js';
import { scorerView } from '../../scripts/ops/scorer-config.js';
import {
  startFastlyApiStandin,
  type FastlyApiStandin,
} from '../../scripts/ops/standin/fastly-api-standin.js';
import { HAND_MODEL_DOC } from '../helpers/fixtures.js';
import { opsRunner } from './run-ops.js';

/** HAND_MODEL_DOC under another version, with a one-feature logistic combiner (HEAD → 100). */
const withCombiner = (version: string): ModelDocument => ({
  ...HAND_MODEL_DOC,
  version,
  combiner: {
    kind: 'logistic',
    features: ['req_head'],
    bias: -2,
    weights: [4],
    scoreMap: { margins: [-2, 2], scores: [0, 100] },
  },
});
const withoutCombiner = (version: string): ModelDocument => ({ ...HAND_MODEL_DOC, version });
const settings = (overrides: object) => ({
  ok: true as const,
  mode: 'monitor' as const,
  settings: resolveSettings(overrides),
});
const impact = (
  next: ModelDocument,
  current: ModelDocument | null,
  overrides: object = {},
  action = 'publishing',
) =>
  describeScoreImpact({
    next: loadModel(next),
    current: current && loadModel(current),
    currentName: 'the current model',
    scorer: settings(overrides),
    action,
  });

describe('describeScoreImpact (hand-made models)', () => {
  it('a model with a learned combiner changes every score under the default weights', () => {
    expect(impact(withCombiner('c1'), withoutCombiner('a1'))).toEqual([
      'effect on scores: this model has a learned combiner (weight 1): scores change for every request',
      "  unchanged: Layer 2's weight (combine.layer2Weight) in the effective settings is 0, so " +
        'its transition score is reported (x-scorer-layer2) but moves no score',
    ]);
  });

  it('no combiner, none before, and Layer 2 weighted 0: publishing changes no score', () => {
    expect(impact(withoutCombiner('a2'), withoutCombiner('a1'))).toEqual([
      "effect on scores: none: this model has no learned combiner; Layer 2's weight " +
        '(combine.layer2Weight) in the effective settings is 0, so its transition score is ' +
        'reported (x-scorer-layer2) but moves no score: publishing changes no score',
    ]);
  });

  it('no combiner where the current model has one: the learned part leaves every score', () => {
    expect(impact(withoutCombiner('a1'), withCombiner('c1'))[0]).toBe(
      'effect on scores: this model has no learned combiner and the current model has one ' +
        "(weight 1): the learned part leaves every request's score, and the hand-set rules decide alone",
    );
  });

  it('a combiner weighted 0, or the same combiner as the current model, changes no score', () => {
    expect(
      impact(withCombiner('c2'), withoutCombiner('a1'), { combine: { learnedWeight: 0 } })[0],
    ).toBe(
      'effect on scores: none: this model has a learned combiner, but its weight ' +
        "(combine.learnedWeight) in the effective settings is 0; Layer 2's weight " +
        '(combine.layer2Weight) in the effective settings is 0, so its transition score is ' +
        'reported (x-scorer-layer2) but moves no score: publishing changes no score',
    );
    expect(impact(withCombiner('c2'), withCombiner('c1'), {}, 'rolling back')[0]).toMatch(
      /^effect on scores: none: its learned combiner is the same as the current model's; .*: rolling back changes no score$/,
    );
  });

  it('Layer 2 weighted above 0: transition scores change and sessions restart their evidence', () => {
    const lines = impact(withoutCombiner('a2'), withoutCombiner('a1'), {
      combine: { layer2Weight: 0.3 },
    });
    expect(lines).toEqual([
      'effect on scores: Layer 2 is weighted 0.3 (combine.layer2Weight): transition scores ' +
        'change from the next page view, and sessions in progress restart their transition ' +
        'evidence (the cookie records which model it belongs to)',
      '  unchanged: this model has no learned combiner',
    ]);
  });

  it(
    'says so when the scorer refuses its configuration, cannot load the current model, or the ' +
      'settings are unreadable',
    () => {
      const next = loadModel(withCombiner('c1'));
      const base = { next, currentName: 'the current model v9', action: 'publishing' };
      expect(
        describeScoreImpact({
          ...base,
          current: loadModel(withoutCombiner('a1')),
          scorer: { ok: false, reason: 'config-invalid', detail: 'mode: expected one of …' },
        })[0],
      ).toMatch(
        /^effect on scores: none while the scorer refuses its configuration \(config-invalid/,
      );
      expect(describeScoreImpact({ ...base, current: null, scorer: settings({}) })[0]).toBe(
        'effect on scores: every request: the current model v9 cannot be loaded, so the scorer ' +
          'answers fail-open (unscored) now; with this model it scores again',
      );
      expect(
        describeScoreImpact({
          ...base,
          current: null,
          scorer: { unreadable: 'no config store' },
        })[0],
      ).toBe(
        "effect on scores: unknown: the scorer's settings could not be read (no config store)",
      );
    },
  );
  it("mode off (read by the scorer's item parser): no score changes until the mode does", () => {
    const lines = describeScoreImpact({
      next: loadModel(withCombiner('c1')),
      current: loadModel(withoutCombiner('a1')),
      currentName: 'the current model',
      scorer: scorerView(
        new Map([
          ['mode', ' off '],
          ['settings', '{"combine":{"layer2Weight":0.5}}'],
        ]),
      ),
      action: 'publishing',
    });
    expect(lines).toEqual([
      "effect on scores: none while the scorer's mode is off (it answers every request without " +
        'scoring it); publishing still takes effect once the mode changes (`mode set monitor` or `mode set enforce`)',
    ]);
  });
});

describe('model publish / rollback say what changes (Fastly API stand-in)', () => {
  let api: FastlyApiStandin;
  let dir: string;
  const ops = opsRunner(
    () => api,
    () => dir,
  );
  beforeEach(async () => {
    api = await startFastlyApiStandin();
    dir = mkdtempSync(join(tmpdir(), 'scorer-ops-impact-'));
  });
  afterEach(() => api.close());
  const file = (doc: ModelDocument) => {
    const path = join(dir, `${doc.version}.json`);
    writeFileSync(path, JSON.stringify(doc));
    return path;
  };

  it('from the model documents and the settings item in the Config Store', async () => {
    // Over the embedded model, which has a learned combiner: removing it changes every score.
    const first = await ops('model', 'publish', file(withoutCombiner('hand-a1')), '--dry-run');
    expect(first.code).toBe(0);
    expect(first.out).toContain(
      'effect on scores: this model has no learned combiner and the embedded model (trained-',
    );
    expect((await ops('model', 'publish', file(withoutCombiner('hand-a1')))).code).toBe(0);

    const second = await ops('model', 'publish', file(withoutCombiner('hand-a2')));
    expect(second.out).toContain(
      "effect on scores: none: this model has no learned combiner; Layer 2's weight " +
        '(combine.layer2Weight) in the effective settings is 0, so its transition score is ' +
        'reported (x-scorer-layer2) but moves no score: publishing changes no score',
    );

    const third = await ops('model', 'publish', file(withCombiner('hand-c1')));
    expect(third.out).toContain(
      'effect on scores: this model has a learned combiner (weight 1): scores change for every request',
    );

    // The settings item weights the combiner 0: rolling back to hand-a2 removes a part weighted 0.
    api.state.configStores.get('cfg001')!.items.set('settings', '{"combine":{"learnedWeight":0}}');
    const rollback = await ops('model', 'rollback');
    expect(rollback.code).toBe(0);
    expect(rollback.out).toContain(
      "effect on scores: none: this model has no learned combiner, and the current model's is " +
        "weighted 0 (combine.learnedWeight); Layer 2's weight (combine.layer2Weight) in the " +
        'effective settings is 0, so its transition score is reported (x-scorer-layer2) but ' +
        'moves no score: rolling back changes no score',
    );
    expect(api.kvValue('scorer_models', 'current')).toBe('hand-a2');
  });

  it("with the scorer's mode off, publish says no score changes until the mode does", async () => {
    api.state.configStores.get('cfg001')!.items.set('mode', 'off');
    const run = await ops('model', 'publish', file(withCombiner('hand-c2')), '--dry-run');
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      "effect on scores: none while the scorer's mode is off (it answers every request without " +
        'scoring it); publishing still takes effect once the mode changes',
    );
  });
});
