/**
 * The generator's options and their validation, done before any VCL is written: the operator's
 * exclusion and exemption regexes (policy checks here; whether PCRE compiles them is falco lint's
 * call, scripts/vcl/lint.ts), the crawler range snapshot, the scorer backend and log endpoint
 * names. The snippet templates (scripts/vcl/snippets/) receive only validated options.
 */
import committedSnapshot from './verified-bots.json' with { type: 'json' };
import { DEFAULT_EXCLUDE_URL_REGEX, DEFAULT_EXEMPT_URL_REGEX } from './facts.js';
import { SnapshotError, validateSnapshot, type VerifiedBotsSnapshot } from './verified-bots.js';

export interface VclOptions {
  excludeUrlRegex?: string;
  /** Paths scored but never challenged or blocked (PCRE on req.url.path). */
  exemptUrlRegex?: string;
  /** Accept an exemption regex that matches ordinary pages (or cannot be checked against them). */
  forceExemptRegex?: boolean;
  /** Accept an exclusion regex that matches ordinary pages (or cannot be checked against them). */
  forceExcludeRegex?: boolean;
  /** The crawler range snapshot (default: the committed scripts/vcl/verified-bots.json). */
  verifiedBots?: unknown;
  /** VCL backend name of the scorer (the Compute service). */
  scorerBackend?: string;
  /** Log endpoint for the VCL decision line. */
  logEndpoint?: string;
}

/** What the snippet templates receive: every option checked, every default filled in. */
export interface ValidatedVclOptions {
  excludeUrlRegex: string;
  exemptUrlRegex: string;
  verifiedBots: VerifiedBotsSnapshot;
  scorerBackend: string;
  logEndpoint: string;
}

export const DEFAULT_SCORER_BACKEND = 'F_scorer';
export const DEFAULT_LOG_ENDPOINT = 'scorer_vcl';

/** Ordinary pages an exemption regex must not match (unless forced): exempting them would switch enforcement off. */
export const ORDINARY_PAGES = [
  '/',
  '/index.html',
  '/about',
  '/blog/',
  '/blog/2026/01/a-post',
  '/products/item-42',
  '/search',
  '/login',
  '/cart',
  '/contact',
];

export class VclValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VclValidationError';
  }
}

/** Checks every option in a fixed order (exclusion, exemption, snapshot, backend, log endpoint). */
export function validateOptions(options: VclOptions = {}): ValidatedVclOptions {
  const excludeUrlRegex = validateExcludeRegex(
    options.excludeUrlRegex ?? DEFAULT_EXCLUDE_URL_REGEX,
  );
  if (options.excludeUrlRegex !== undefined && options.forceExcludeRegex !== true)
    refuseOrdinaryPages(
      excludeUrlRegex,
      'exclusion regex',
      'would leave those pages unscored',
      '--force-exclude-regex',
    );
  const exemptUrlRegex = validateExemptRegex(
    options.exemptUrlRegex ?? DEFAULT_EXEMPT_URL_REGEX,
    options.forceExemptRegex === true || options.exemptUrlRegex === undefined,
  );
  const verifiedBots = crawlerSnapshot(options.verifiedBots ?? committedSnapshot);
  const scorerBackend = options.scorerBackend ?? DEFAULT_SCORER_BACKEND;
  const logEndpoint = options.logEndpoint ?? DEFAULT_LOG_ENDPOINT;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(scorerBackend))
    throw new VclValidationError(
      `scorer backend: ${JSON.stringify(scorerBackend)} is not a VCL identifier`,
    );
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(logEndpoint))
    throw new VclValidationError(
      `log endpoint: ${JSON.stringify(logEndpoint)} is not a log endpoint name`,
    );
  return { excludeUrlRegex, exemptUrlRegex, verifiedBots, scorerBackend, logEndpoint };
}

/**
 * Policy checks on an exclusion regex: at most 2 KB, no double quote or control characters (it is
 * generated into a VCL long-string literal, which cannot escape them). Whether it compiles is
 * decided by falco lint of the assembled VCL, which compiles it as PCRE like Fastly does (a
 * JavaScript compile would wrongly refuse PCRE-only syntax such as possessive quantifiers).
 * Throws VclValidationError with the reason.
 */
export function validateExcludeRegex(regex: string): string {
  if (typeof regex !== 'string' || regex.length === 0)
    throw new VclValidationError('exclusion regex: expected a non-empty string');
  if (new TextEncoder().encode(regex).length > 2048)
    throw new VclValidationError(
      `exclusion regex: ${regex.length} characters, at most 2048 bytes allowed`,
    );
  if (regex.includes('"'))
    throw new VclValidationError(
      'exclusion regex: double quotes are not allowed (the regex is a VCL string literal); use \\x22',
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(regex))
    throw new VclValidationError('exclusion regex: control characters are not allowed');
  return regex;
}

/**
 * The exclusion regex's policy checks, then: an exemption regex must not match `/` or an ordinary
 * page (ORDINARY_PAGES), since that would switch challenges and blocks off for the site, unless
 * forced. A regex JavaScript cannot compile (PCRE-only syntax) cannot be checked, so it too needs
 * `force`. Whether PCRE compiles it is falco lint's call, as for the exclusion regex.
 */
export function validateExemptRegex(regex: string, force = false): string {
  try {
    validateExcludeRegex(regex);
  } catch (error) {
    throw new VclValidationError(
      String((error as Error).message).replace(/^exclusion regex/, 'exemption regex'),
    );
  }
  if (!force)
    refuseOrdinaryPages(
      regex,
      'exemption regex',
      'would switch enforcement off there',
      '--force-exempt-regex',
    );
  return regex;
}

/**
 * Refuses a regex that matches `/` or an ordinary page (ORDINARY_PAGES), or that JavaScript cannot
 * compile to check (PCRE-only syntax): `.*` as an exclusion would leave the whole site unscored.
 */
function refuseOrdinaryPages(regex: string, what: string, effect: string, flag: string): void {
  const caseless = /^\(\?i\)/.test(regex);
  let compiled: RegExp;
  try {
    compiled = new RegExp(caseless ? regex.slice(4) : regex, caseless ? 'i' : '');
  } catch {
    throw new VclValidationError(
      `${what}: cannot be checked against ordinary pages (not JavaScript-compatible syntax); ` +
        `force it (${flag}) if you are sure it matches no page`,
    );
  }
  const hit = ORDINARY_PAGES.find((page) => compiled.test(page));
  if (hit !== undefined)
    throw new VclValidationError(
      `${what}: matches the ordinary page ${JSON.stringify(hit)}, so it ${effect}; force it (${flag}) if that is meant`,
    );
}

/** The snapshot, validated, as the VCL error type. */
function crawlerSnapshot(document: unknown): VerifiedBotsSnapshot {
  try {
    return validateSnapshot(document);
  } catch (error) {
    if (error instanceof SnapshotError) throw new VclValidationError(error.message);
    throw error;
  }
}
