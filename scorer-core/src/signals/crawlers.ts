/**
 * Declared crawlers: the crawler operators that publish their IP ranges, and the User-Agent
 * tokens that claim each one. The one home of these names and patterns: the VCL generator
 * (scripts/vcl/) compiles them into the recv snippet, where a request whose User-Agent claims a
 * crawler is checked against that crawler's ACL (built from the committed range snapshot) and
 * marked verified or spoofed; the scorer receives that verdict as a fact (CrawlerFacts).
 *
 * A verified crawler is scored and logged like anything else (the VCL never acts on it). A
 * crawler claimed from outside its published ranges is a spoofed one: a hand-set rule gives it
 * SPOOFED_CRAWLER_SCORE as a floor, since a log holds no verified addresses to learn this from.
 *
 * Patterns must mean the same in JavaScript and in PCRE (Fastly VCL): plain tokens, `\b`,
 * `(?:…)` and `|` only; they are matched case-insensitively, in list order, first match wins.
 * @module
 */
import type { RuleScore } from '../reasons.js';

export interface CrawlerDefinition {
  /** Identifier: the value of the verified/claimed headers, the ACL name's suffix (lower case, a-z 0-9 -). */
  name: string;
  operator: string;
  /** User-Agent tokens that claim this crawler (see the module note on syntax). */
  userAgent: string;
}

/**
 * Order matters where tokens could overlap: the first match wins, and each crawler has its own
 * published list (Google publishes three: common crawlers, special crawlers, user-triggered fetchers).
 */
export const CRAWLERS: readonly CrawlerDefinition[] = Object.freeze([
  // Google's common crawlers (common-crawlers.json, formerly googlebot.json).
  {
    name: 'googlebot',
    operator: 'Google',
    userAgent:
      '\\b(?:Googlebot|Storebot-Google|Google-InspectionTool|GoogleOther|Google-CloudVertexBot)\\b',
  },
  // Google's special-case crawlers (special-crawlers.json): ads quality, AdSense, APIs, safety.
  {
    name: 'google-special',
    operator: 'Google',
    userAgent: '\\b(?:AdsBot-Google|Mediapartners-Google|APIs-Google|Google-Safety)\\b',
  },
  // Google's user-triggered fetchers (user-triggered-fetchers.json and user-triggered-fetchers-google.json).
  {
    name: 'google-fetcher',
    operator: 'Google',
    userAgent:
      '\\b(?:FeedFetcher-Google|Google-Read-Aloud|Google-Site-Verification|GoogleProducer)\\b',
  },
  { name: 'bingbot', operator: 'Microsoft', userAgent: '\\bbingbot\\b' },
  { name: 'applebot', operator: 'Apple', userAgent: '\\bApplebot\\b' },
  { name: 'duckduckbot', operator: 'DuckDuckGo', userAgent: '\\bDuckDuckBot\\b' },
  // OpenAI publishes gptbot.json, searchbot.json and chatgpt-user.json; one list holds all three.
  { name: 'openai', operator: 'OpenAI', userAgent: '\\b(?:GPTBot|OAI-SearchBot|ChatGPT-User)\\b' },
]);

export const CRAWLER_NAMES: readonly string[] = Object.freeze(
  CRAWLERS.map((crawler) => crawler.name),
);

/**
 * The score a crawler claimed from outside its published ranges gets at least: above the default
 * enforcement threshold (80), since no honest client sends a crawler's User-Agent from elsewhere
 * (a person trying a User-Agent switcher is the rare exception the challenge band is for, if an
 * operator sets the block threshold above it).
 */
export const SPOOFED_CRAWLER_SCORE = 95;

const COMPILED = CRAWLERS.map((crawler) => ({
  name: crawler.name,
  pattern: new RegExp(crawler.userAgent, 'i'),
}));

/** The crawler a User-Agent claims (first match in CRAWLERS order), or null. */
export function claimedCrawler(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  for (const { name, pattern } of COMPILED) if (pattern.test(userAgent)) return name;
  return null;
}

/** What the edge found about a crawler claim (the VCL's ACL check); null = no such claim, or unknown. */
export interface CrawlerFacts {
  /** The crawler the User-Agent claims, from inside that crawler's published ranges. */
  verified: string | null;
  /** The crawler the User-Agent claims, from outside its published ranges (spoofed). */
  spoofed: string | null;
}

/**
 * Reads the two header values the VCL sets; anything that is not a known crawler name is ignored
 * (a value the VCL did not write cannot reach the scorer, but an older VCL may know other names).
 */
export function crawlerFacts(
  verified: string | null | undefined,
  spoofed: string | null | undefined,
): CrawlerFacts {
  const known = (value: string | null | undefined) =>
    value && CRAWLER_NAMES.includes(value) ? value : null;
  const verifiedName = known(verified?.trim().toLowerCase());
  // Both cannot hold at once; a verified address wins (the VCL never sets both).
  return {
    verified: verifiedName,
    spoofed: verifiedName ? null : known(spoofed?.trim().toLowerCase()),
  };
}

/** The hand-set floor rule for a spoofed crawler (none otherwise). */
export function crawlerRules(facts: CrawlerFacts | undefined): RuleScore[] {
  return facts?.spoofed ? [{ reason: 'crawler_spoofed', score: SPOOFED_CRAWLER_SCORE }] : [];
}
