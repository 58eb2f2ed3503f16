/**
 * The page classifier: ordered rules from (method, URL path) to a page class. The first rule
 * that matches wins; none matching gives `defaultClass`. The class `static` marks assets: they
 * count as requests but are not page views (no dwell, no transition).
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
}

export interface Classifier {
  readonly classes: readonly string[];
  classify(method: string, pathOrUrl: string): string;
}

/** Longer paths are cut to this many characters before matching (bounds regex work). */
export const MAX_CLASSIFIED_PATH_LENGTH = 1024;
const MAX_RULES = 200;
const MAX_PATTERN_LENGTH = 512;
const CLASS_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

type CompiledRule = { class: string; methods: Set<string> | null; test: (path: string) => boolean };

export function createClassifier(config: ClassifierConfig): Classifier {
  if (config === null || typeof config !== 'object' || !Array.isArray(config.rules)) {
    throw new ScorerError('INVALID_CLASSIFIER', 'classifier expected { rules: [...], defaultClass }');
  }
  if (config.rules.length > MAX_RULES) throw new ScorerError('INVALID_CLASSIFIER', `classifier has ${config.rules.length} rules, at most ${MAX_RULES} allowed`);
  checkClassName('defaultClass', config.defaultClass);
  const compiled = config.rules.map((rule, index) => compileRule(rule, index));
  const classes = [...new Set([...compiled.map((rule) => rule.class), config.defaultClass])];
  return {
    classes,
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

/** Path only (an absolute URL loses its origin), no query or fragment, lower-cased, length-capped. */
export function normalizePath(pathOrUrl: string): string {
  let path = typeof pathOrUrl === 'string' ? pathOrUrl : '';
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  if (path === '' || path[0] !== '/') path = '/' + path;
  return path.slice(0, MAX_CLASSIFIED_PATH_LENGTH).toLowerCase();
}

function checkClassName(where: string, name: unknown): void {
  if (typeof name !== 'string' || !CLASS_NAME.test(name)) {
    throw new ScorerError('INVALID_CLASSIFIER', `${where} expected a class name matching ${CLASS_NAME}, got ${JSON.stringify(name)}`);
  }
}

function compileRule(rule: ClassifierRule, index: number): CompiledRule {
  const where = `rules[${index}]`;
  if (rule === null || typeof rule !== 'object') throw new ScorerError('INVALID_CLASSIFIER', `${where} expected an object`);
  checkClassName(`${where}.class`, rule.class);
  const known = new Set(['class', 'methods', 'exact', 'prefix', 'suffix', 'regex']);
  for (const key of Object.keys(rule)) if (!known.has(key)) throw new ScorerError('INVALID_CLASSIFIER', `${where} has unknown field "${key}"`);
  let methods: Set<string> | null = null;
  if (rule.methods !== undefined) {
    if (!Array.isArray(rule.methods) || rule.methods.length === 0 || !rule.methods.every((m) => typeof m === 'string' && /^[A-Z]+$/.test(m))) {
      throw new ScorerError('INVALID_CLASSIFIER', `${where}.methods expected a non-empty array of upper-case method names`);
    }
    methods = new Set(rule.methods);
  }
  const tests = (['exact', 'prefix', 'suffix', 'regex'] as const).filter((key) => rule[key] !== undefined);
  if (tests.length > 1) throw new ScorerError('INVALID_CLASSIFIER', `${where} has ${tests.join(' and ')}: at most one path test per rule`);
  const kind = tests[0];
  if (kind === undefined) {
    if (methods === null) throw new ScorerError('INVALID_CLASSIFIER', `${where} matches everything: give it methods or a path test (use defaultClass for a catch-all)`);
    return { class: rule.class, methods, test: () => true };
  }
  const pattern = rule[kind];
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new ScorerError('INVALID_CLASSIFIER', `${where}.${kind} expected a string of 1 to ${MAX_PATTERN_LENGTH} characters`);
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
        regex = new RegExp(pattern);
      } catch (error) {
        throw new ScorerError('INVALID_CLASSIFIER', `${where}.regex does not compile: ${(error as Error).message}`);
      }
      return { class: rule.class, methods, test: (path) => regex.test(path) };
    }
  }
}
