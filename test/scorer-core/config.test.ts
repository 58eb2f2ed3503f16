import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createClassifier,
  DEFAULT_CLASSIFIER,
  DEFAULT_SETTINGS,
  loadModel,
  normalizePath,
  resolveSettings,
  ScorerError,
} from '../../scorer-core/src/index.js';
import { HAND_MODEL_DOC } from '../helpers/fixtures.js';

const uniform = JSON.parse(
  readFileSync(new URL('../fixtures/uniform-model.json', import.meta.url), 'utf8'),
);
const shipped = JSON.parse(
  readFileSync(new URL('../../scorer-core/src/default-model.json', import.meta.url), 'utf8'),
);

describe('settings', () => {
  it('defaults resolve to themselves and are frozen', () => {
    const settings = resolveSettings();
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(Object.isFrozen(settings.layer1)).toBe(true);
  });

  it('overrides merge onto the defaults', () => {
    const settings = resolveSettings({
      layer1: { fastFloorMs: 300 },
      layer2: { minTransitions: 6 },
    });
    expect(settings.layer1.fastFloorMs).toBe(300);
    expect(settings.layer1.dwellFloorMs).toBe(200);
    expect(settings.layer2).toEqual({ ...DEFAULT_SETTINGS.layer2, minTransitions: 6 });
  });

  it('lists every problem at once: unknown keys, types, ranges and cross-field rules', () => {
    let error: ScorerError | undefined;
    try {
      resolveSettings({
        layer1: { fastFloorMs: -1, dwelFloorMs: 10, regularMaxCv: 'x' },
        layer9: {},
        session: { maxAgeS: 1e9 },
      });
    } catch (caught) {
      error = caught as ScorerError;
    }
    expect(error?.code).toBe('INVALID_SETTINGS');
    expect(error?.message).toContain('unknown settings section "layer9"');
    expect(error?.message).toContain('unknown setting "layer1.dwelFloorMs"');
    expect(error?.message).toContain(
      '"layer1.fastFloorMs" expected an integer in [0, 60000], got -1',
    );
    expect(error?.message).toContain('"layer1.regularMaxCv" expected a number in [0, 10], got "x"');
    expect(error?.message).toContain(
      '"session.maxAgeS" expected an integer in [60, 3888000], got 1000000000',
    );
    expect(() => resolveSettings({ layer2: { zStart: 3, zFull: 2 } })).toThrow(
      '"layer2.zFull" (2) must be > "layer2.zStart" (3)',
    );
    expect(() => resolveSettings({ layer1: { dwellWindow: 4 } })).toThrow(
      '"layer1.regularMinSamples" (6) must be ≤ "layer1.dwellWindow" (4)',
    );
    expect(() => resolveSettings([])).toThrow('settings expected an object, got an array');
  });
});

describe('page classifier', () => {
  const classifier = createClassifier(DEFAULT_CLASSIFIER);
  const cases: [string, string, string][] = [
    ['GET', '/', 'home'],
    ['GET', '/index.html?utm=1', 'home'],
    ['GET', '/assets/app.3f9a.JS', 'static'],
    ['GET', '/img/logo.png#x', 'static'],
    ['GET', '/robots.txt', 'robots'],
    ['GET', '/sitemap_index.xml', 'sitemap'],
    ['GET', '/blog/feed/', 'feed'],
    ['GET', '/wp-login.php', 'admin'],
    ['GET', '/.env', 'admin'],
    ['GET', '/api/v1/items', 'api'],
    ['POST', '/comments', 'form'],
    ['GET', '/search?q=x', 'search'],
    ['GET', '/login', 'account'],
    ['GET', '/tag/vcl/', 'listing'],
    ['GET', '/docs/report.pdf', 'data'],
    ['GET', '/about', 'section'],
    ['GET', '/2024/05/some-post', 'content'],
    ['GET', 'https://example.com/about?x=1', 'section'],
  ];
  it('classifies by the first matching rule', () => {
    for (const [method, path, expected] of cases)
      expect(classifier.classify(method, path), `${method} ${path}`).toBe(expected);
  });

  it(
    'every page-view class the default classifier produces is a state of the shipped model ' +
      '(sub-resources are never scored by Layer 2)',
    () => {
      const pageViews = classifier.classes.filter((c) => classifier.isPageView(c));
      expect(pageViews.length).toBeGreaterThan(5);
      for (const pageClass of pageViews) expect(shipped.states).toContain(pageClass);
      for (const pageClass of classifier.classes.filter((c) => c !== 'static'))
        expect(uniform.states).toContain(pageClass);
    },
  );

  it('normalises paths: origin, query and fragment dropped, lower-cased, capped', () => {
    expect(normalizePath('HTTPS://Example.com/A/B?c#d')).toBe('/a/b');
    expect(normalizePath('')).toBe('/');
    expect(normalizePath('no-slash')).toBe('/no-slash');
    expect(normalizePath('/' + 'x'.repeat(5000))).toHaveLength(1024);
  });

  it('treats API calls and data files as sub-resources, not page views', () => {
    for (const pageClass of ['static', 'api', 'data'])
      expect(classifier.isPageView(pageClass), pageClass).toBe(false);
    for (const pageClass of ['home', 'content', 'robots', 'form'])
      expect(classifier.isPageView(pageClass), pageClass).toBe(true);
    const plain = createClassifier({
      rules: [{ class: 'api', prefix: '/api/' }],
      defaultClass: 'page',
    });
    expect(plain.isPageView('api')).toBe(true);
    expect(plain.isPageView('static')).toBe(false);
  });

  it('regex rules match case-insensitively, like the other path tests', () => {
    const upper = createClassifier({
      rules: [
        { class: 'api', regex: '^/API/' },
        { class: 'x', prefix: '/X' },
      ],
      defaultClass: 'page',
    });
    expect(upper.classify('GET', '/api/v1')).toBe('api');
    expect(upper.classify('GET', '/Api/v1')).toBe('api');
    expect(upper.classify('GET', '/xy')).toBe('x');
  });

  it('refuses regexes that can backtrack catastrophically, and the defaults pass', () => {
    for (const regex of ['^/(a+)+$', '(a|aa)*', '^/(\\w+\\s?)*$', '(?:x*y){2,}', '(a)\\1']) {
      expect(
        () => createClassifier({ rules: [{ class: 'a', regex }], defaultClass: 'b' }),
        regex,
      ).toThrow(/rules\[0\]\.regex (has a repeated group|uses a backreference)/);
    }
    for (const regex of ['^/[a-z]+/(?:foo|bar)?$', '^/api/v[0-9]+/', '\\.(?:css|js)$']) {
      expect(
        () => createClassifier({ rules: [{ class: 'a', regex }], defaultClass: 'b' }),
        regex,
      ).not.toThrow();
    }
    expect(() => createClassifier(DEFAULT_CLASSIFIER)).not.toThrow();
  });

  it(
    'refuses more than one long repetition, which backtracks polynomially (issue 13 item 9: ' +
      '\\d+\\d+\\d+\\d+x passed validation and took 8 s on a 256-character path)',
    () => {
      for (const regex of ['\\d+\\d+\\d+\\d+x', '^/a*b*c$', '[a-z]+-[0-9]{1,100}$', '^/x{2,}y+']) {
        expect(
          () => createClassifier({ rules: [{ class: 'a', regex }], defaultClass: 'b' }),
          regex,
        ).toThrow(/rules\[0\]\.regex has more than one unbounded repetition/);
      }
      // One long repetition, and short bounded ones, stay allowed.
      for (const regex of [
        '^/[^/]+/?$',
        '^/\\d{4}/\\d{2}/[a-z-]+$',
        '^/p/[0-9]{1,16}/[a-z]{2,16}$',
      ]) {
        expect(
          () => createClassifier({ rules: [{ class: 'a', regex }], defaultClass: 'b' }),
          regex,
        ).not.toThrow();
      }
    },
  );

  it('rejects bad rules with the rule named', () => {
    expect(() =>
      createClassifier({ rules: [{ class: 'a', regex: '(' }], defaultClass: 'b' }),
    ).toThrow(/rules\[0\]\.regex does not compile/);
    expect(() =>
      createClassifier({ rules: [{ class: 'a', exact: '/', prefix: '/' }], defaultClass: 'b' }),
    ).toThrow('rules[0] has exact and prefix: at most one path test per rule');
    expect(() =>
      createClassifier({ rules: [{ class: 'Bad Name', exact: '/' }], defaultClass: 'b' }),
    ).toThrow(/rules\[0\]\.class expected a class name/);
    expect(() => createClassifier({ rules: [{ class: 'a' }], defaultClass: 'b' })).toThrow(
      'rules[0] matches everything',
    );
    expect(() =>
      createClassifier({
        rules: [{ class: 'a', exact: '/', method: 'GET' } as never],
        defaultClass: 'b',
      }),
    ).toThrow('rules[0] has unknown field "method"');
    expect(() =>
      createClassifier({
        rules: [{ class: 'a', methods: ['get'], exact: '/' }],
        defaultClass: 'b',
      }),
    ).toThrow('rules[0].methods expected a non-empty array of upper-case method names');
  });
});

describe('transition model', () => {
  it('loads the uniform test model, which says it is a placeholder', () => {
    const model = loadModel(uniform);
    expect(model.placeholder).toBe(true);
    expect(model.version).toBe('placeholder-uniform-1');
    expect(model.stateIndex('unheard-of')).toBe(model.states.indexOf('other'));
  });

  it('the shipped default model is trained, not a placeholder, and records where it came from', () => {
    const model = loadModel(shipped);
    expect(model.placeholder).toBe(false);
    expect(shipped).not.toHaveProperty('placeholder');
    expect(model.version).toMatch(/^trained-\d{8}-[0-9a-f]{8}$/);
    expect(shipped.training.inputs.length).toBeGreaterThan(0);
    for (const input of shipped.training.inputs)
      expect(input).toMatchObject({
        file: expect.stringMatching(/\.log$/),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        lines: expect.any(Number),
      });
    // A trained model is not uniform: some entries are likelier than others.
    expect(Math.max(...shipped.initial)).toBeGreaterThan(2 * Math.min(...shipped.initial));
  });

  it('the model tag follows the numbers, not just the version string', () => {
    const a = loadModel(HAND_MODEL_DOC);
    const sameVersionRetrained = loadModel({ ...HAND_MODEL_DOC, initial: [0.4, 0.35, 0.25] });
    const renamed = loadModel({ ...HAND_MODEL_DOC, version: 'hand-3-copy' });
    expect(sameVersionRetrained.tag).not.toBe(a.tag);
    expect(renamed.tag).not.toBe(a.tag);
    expect(loadModel(structuredClone(HAND_MODEL_DOC)).tag).toBe(a.tag);
  });

  it('validates shape, probabilities, row sums and the baseline with clear errors', () => {
    const bad = (patch: object) => () => loadModel({ ...HAND_MODEL_DOC, ...patch });
    expect(bad({ format: 'x' })).toThrow(
      'invalid model: "format" is "x", expected "session-scorer.markov/1"',
    );
    expect(bad({ states: ['home', 'item'] })).toThrow('"states" must include "other"');
    expect(bad({ states: ['home', 'home', 'other'] })).toThrow('states[1] "home" is listed twice');
    expect(bad({ initial: [0.5, 0.5] })).toThrow(
      'initial expected an array of 3 probabilities, got length=2',
    );
    expect(
      bad({
        matrix: [
          [0.25, 0.5, 0.25],
          [0.5, 0.25, 0.2],
          [0.25, 0.5, 0.25],
        ],
      }),
    ).toThrow('matrix[1] sums to 0.95, expected 1');
    expect(
      bad({
        matrix: [
          [0.25, 0.5, 0.25],
          [0.5, 0.5, 0],
          [0.25, 0.5, 0.25],
        ],
      }),
    ).toThrow('matrix[1][2] is 0, expected a probability in (0, 1]');
    expect(
      bad({
        matrix: [
          [0.25, 0.5, 0.25],
          [0.5, NaN, 0.5],
          [0.25, 0.5, 0.25],
        ],
      }),
    ).toThrow('matrix[1][1] is null, expected a finite number');
    expect(bad({ matrix: [[1, 0, 0]] })).toThrow('"matrix" expected 3 rows, got 1');
    expect(bad({ baseline: { meanBits: 1, stdBits: 0, transitions: 1 } })).toThrow(
      'baseline.stdBits expected a finite number > 0, got 0',
    );
    expect(() => loadModel('{}')).toThrow('invalid model: expected a JSON object, got string');
    expect(() => loadModel(null)).toThrow(expect.objectContaining({ code: 'INVALID_MODEL' }));
  });
});
