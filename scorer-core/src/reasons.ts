/** Reason codes: stable identifiers of the rules that raised a score. docs/scoring.md defines each. */
export const REASON_CODES = [
  'cookie_missing',
  'cookie_expired',
  'cookie_tampered',
  'cookie_replayed',
  'cookie_moved',
  'fast_browsing',
  'dwell_fast',
  'dwell_regular',
  'session_volume',
  'transition_surprisal',
  // learned combiner (the feature families of signals/features.ts)
  'crawler_path',
  'feed_fetch',
  'scanner_path',
  'request_line',
  'referer_pattern',
  'no_session',
  'session_pattern',
  'session_pace',
  'client_drops_cookies',
  'client_rate',
  'client_crawled',
  // browser headers (hand-set: only the edge sees them)
  'browser_headers_missing',
  'declared_automation',
  // declared crawlers (hand-set: the VCL checks the address against the published ranges)
  'crawler_spoofed',
  // proof-of-work challenge (scorer-core/src/challenge/evidence.ts)
  'challenge_unanswered',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** One rule's contribution: its 0–100 score and the reason it reports when the score is above 0. */
export interface RuleScore {
  reason: ReasonCode;
  score: number;
}
