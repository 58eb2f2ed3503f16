/**
 * The page classifier: ordered rules from (method, URL path) to a page class. The first rule
 * that matches wins; none matching gives `defaultClass`. Sub-resource classes (always `static`,
 * plus `subresourceClasses`, e.g. API calls a page makes) count as requests but are not page
 * views: no dwell sample, no fast-browsing evidence, no transition.
 * Training uses exactly this code, so the edge and the model agree on classes.
 * @module
 */
import { ScorerError } from './_internal.js';

export const STATIC_CLASS = 'static';

export interface ClassifierRule {
  class: string;
  /** Upper-case methods this rule applies to; omitted = any method. */
  methods?: string[];
  /** At most one path test; omitted = any path. Paths are lower-cased, without query or fragment. */
  exact?: string;
  prefix?: string;
  suffix?: string;
  /** A JavaScript regular expression source, tested against the lower-cased path. */
  regex?: string;
}

export interface ClassifierConfig {
  rules: ClassifierRule[];
  defaultClass: string;
  /** Classes that are requests a page makes rather than page views; `static` always is one. */
  subresourceClasses?: string[];
}

export interface Classifier {
  readonly classes: readonly string[];
  classify(method: string, pathOrUrl: string): string;
  /** False for `static` and the configured sub-resource classes. */
  isPageView(pageClass: string): boolean;
}

/** Longer paths are cut to this many characters before matching (bounds regex work). */
export const MAX_CLASSIFIED_PATH_LENGTH = 1024;
const MAX_RULES = 200;
const MAX_PATTERN_LENGTH = 512;
const CLASS_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

type CompiledRule = { class: string; methods: Set<string> | null; test: (path: string) => boolean };

export function createClassifier(config: ClassifierConfig): Classifier {
  if (config === null || typeof config !== 'object' || !Array.isArray(config.rules)) {
    throw new ScorerError(
      'INVALID_CLASSIFIER',
      'classifier expected { rules: [...], defaultClass }',
    );
  }
  if (config.rules.length > MAX_RULES)
    throw new ScorerError(
      'INVALID_CLASSIFIER',
      `classifier has ${config.rules.length} rules, at most ${MAX_RULES} allowed`,
    );
  checkClassName('defaultClass', config.defaultClass);
  const compiled = config.rules.map((rule, index) => compileRule(rule, index));
  const classes = [...new Set([...compiled.map((rule) => rule.class), config.defaultClass])];
  if (config.subresourceClasses !== undefined && !Array.isArray(config.subresourceClasses))
    throw new ScorerError(
      'INVALID_CLASSIFIER',
      'subresourceClasses expected an array of class names',
    );
  (config.subresourceClasses ?? []).forEach((name, i) =>
    checkClassName(`subresourceClasses[${i}]`, name),
  );
  const subresources = new Set([STATIC_CLASS, ...(config.subresourceClasses ?? [])]);
  return {
    classes,
    isPageView: (pageClass) => !subresources.has(pageClass),
    classify(method, pathOrUrl) {
      const path = normalizePath(pathOrUrl);
      const upperMethod = typeof method === 'string' ? method.toUpperCase() : '';
      for (const rule of compiled) {
        if (rule.methods !== null && !rule.methods.has(upperMethod)) continue;
        if (rule.test(path)) return rule.class;
      }
      return config.defaultClass;
    },
  };
}

/**
 * Path only (an absolute URL loses its origin), no query or fragment, no path parameters
 * (`/product/1;x.json` is `/product/1`: a parameter must not turn a page into a sub-resource),
 * lower-cased, length-capped.
 */
export function normalizePath(pathOrUrl: string): string {
  let path = typeof pathOrUrl === 'string' ? pathOrUrl : '';
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  if (path === '' || path[0] !== '/') path = '/' + path;
  if (path.includes(';')) path = path.replace(PATH_PARAMETERS, '');
  return path.slice(0, MAX_CLASSIFIED_PATH_LENGTH).toLowerCase();
}

/** `;name=value` parameters of a path segment, up to the next `/`. */
const PATH_PARAMETERS = /;[^/]*/g;

function checkClassName(where: string, name: unknown): void {
  if (typeof name !== 'string' || !CLASS_NAME.test(name)) {
    throw new ScorerError(
      'INVALID_CLASSIFIER',
      `${where} expected a class name matching ${CLASS_NAME}, got ${JSON.stringify(name)}`,
    );
  }
}

function compileRule(rule: ClassifierRule, index: number): CompiledRule {
  const where = `rules[${index}]`;
  if (rule === null || typeof rule !== 'object')
    throw new ScorerError('INVALID_CLASSIFIER', `${where} expected an object`);
  checkClassName(`${where}.class`, rule.class);
  const known = new Set(['class', 'methods', 'exact', 'prefix', 'suffix', 'regex']);
  for (const key of Object.keys(rule))
    if (!known.has(key))
      throw new ScorerError('INVALID_CLASSIFIER', `${where} has unknown field "${key}"`);
  let methods: Set<string> | null = null;
  if (rule.methods !== undefined) {
    if (
      !Array.isArray(rule.methods) ||
      rule.methods.length === 0 ||
      !rule.methods.every((m) => typeof m === 'string' && /^[A-Z]+$/.test(m))
    ) {
      throw new ScorerError(
        'INVALID_CLASSIFIER',
        `${where}.methods expected a non-empty array of upper-case method names`,
      );
    }
    methods = new Set(rule.methods);
  }
  const tests = (['exact', 'prefix', 'suffix', 'regex'] as const).filter(
    (key) => rule[key] !== undefined,
  );
  if (tests.length > 1)
    throw new ScorerError(
      'INVALID_CLASSIFIER',
      `${where} has ${tests.join(' and ')}: at most one path test per rule`,
    );
  const kind = tests[0];
  if (kind === undefined) {
    if (methods === null)
      throw new ScorerError(
        'INVALID_CLASSIFIER',
        `${where} matches everything: give it methods or a path test (use defaultClass for a catch-all)`,
      );
    return { class: rule.class, methods, test: () => true };
  }
  const pattern = rule[kind];
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new ScorerError(
      'INVALID_CLASSIFIER',
      `${where}.${kind} expected a string of 1 to ${MAX_PATTERN_LENGTH} characters`,
    );
  }
  const lower = pattern.toLowerCase();
  switch (kind) {
    case 'exact':
      return { class: rule.class, methods, test: (path) => path === lower };
    case 'prefix':
      return { class: rule.class, methods, test: (path) => path.startsWith(lower) };
    case 'suffix':
      return { class: rule.class, methods, test: (path) => path.endsWith(lower) };
    case 'regex': {
      let regex: RegExp;
      try {
        // Case-insensitive, like the other tests: paths are lower-cased before matching.
        regex = new RegExp(pattern, 'i');
      } catch (error) {
        throw new ScorerError(
          'INVALID_CLASSIFIER',
          `${where}.regex does not compile: ${(error as Error).message}`,
        );
      }
      const risk = backtrackingRisk(pattern);
      if (risk)
        throw new ScorerError(
          'INVALID_CLASSIFIER',
          `${where}.regex ${risk}: JavaScript regexes backtrack, so such a pattern can take ` +
            `exponential time on a crafted URL`,
        );
      return { class: rule.class, methods, test: (path) => regex.test(path) };
    }
  }
}

/** A bounded repetition longer than this counts as unbounded for the polynomial rule. */
const MAX_BOUNDED_REPEAT = 16;

/**
 * Rejects the regex shapes that backtrack catastrophically: a repeated group (`*`, `+`, `{n,}`,
 * `{n,m}`) that itself contains a quantifier or an alternation (`(a+)+`, `(a|aa)*`, `(?:x*y)*`),
 * backreferences, and more than one long repetition anywhere in the pattern: `\d+\d+\d+\d+x`
 * backtracks polynomially (8 s on a 256-character path in Node; far worse in the wasm's
 * interpreter), and one unbounded repetition is all a path rule needs (`^/[^/]+/?$`).
 * Conservative: a few safe patterns are refused too, never an unsafe one of these shapes.
 */
export function backtrackingRisk(pattern: string): string | undefined {
  let longRepeats = 0;
  const groups: { risky: boolean }[] = [{ risky: false }];
  let lastGroupRisky = false;
  let i = 0;
  const isQuantifier = (at: number) => {
    const c = pattern[at];
    return (
      c === '*' ||
      c === '+' ||
      c === '?' ||
      (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(at)))
    );
  };
  const markQuantified = () => {
    groups[groups.length - 1]!.risky = true;
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    let atomEnd = i + 1;
    let closedGroupRisky = false;
    if (c === '\\') {
      if (/[1-9k]/.test(pattern[i + 1] ?? '')) return 'uses a backreference';
      atomEnd = i + 2;
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      groups.push({ risky: false });
      i +=
        pattern[i + 1] === '?'
          ? pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!'
            ? pattern.indexOf('>', i) + 1
            : 3
          : 1;
      continue;
    } else if (c === ')') {
      const group = groups.length > 1 ? groups.pop()! : { risky: false };
      closedGroupRisky = group.risky;
      lastGroupRisky = group.risky;
    } else if (c === '|') {
      markQuantified();
      i++;
      continue;
    }
    i = atomEnd;
    if (isQuantifier(i)) {
      const repeats =
        pattern[i] !== '?' &&
        !/^\{[01]\}/.test(pattern.slice(i)) &&
        !/^\{0,1\}/.test(pattern.slice(i));
      if (c === ')' && closedGroupRisky && repeats)
        return 'has a repeated group that contains a quantifier or an alternation';
      const bound = /^\{\d+(,(\d*))?\}/.exec(pattern.slice(i));
      const long =
        pattern[i] === '*' ||
        pattern[i] === '+' ||
        (bound !== null &&
          bound[1] !== undefined &&
          (bound[2] === '' || Number(bound[2]) > MAX_BOUNDED_REPEAT));
      if (long && ++longRepeats > 1)
        return (
          `has more than one unbounded repetition (*, +, {n,} or {n,m} with m ` +
          `> ${MAX_BOUNDED_REPEAT}): two can backtrack polynomially on a crafted URL`
        );
      markQuantified();
      i += pattern[i] === '{' ? pattern.indexOf('}', i) - i + 1 : 1;
      if (pattern[i] === '?' || pattern[i] === '+') i++;
    } else if (c === ')' && lastGroupRisky) {
      markQuantified();
    }
  }
  return undefined;
}
