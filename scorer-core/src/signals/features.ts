/**
 * The feature vector a learned combiner reads: one number per name in FEATURE_NAMES, computed at
 * each decision from what was known at that moment (no look-ahead), identically at the edge and in
 * log replay. Each feature belongs to a family (request, session, client) and maps to the reason
 * code a positive contribution reports. docs/scoring.md defines each one.
 * @module
 */
import type { ReasonCode } from '../reasons.js';
import type { RequestSignals } from './request.js';

export const FEATURE_NAMES = [
  // request: the request line and Referer, from the first request on
  'req_crawler_path',
  'req_feed',
  'req_scanner_path',
  'req_head',
  'req_http10',
  'req_no_referer',
  'req_deep_no_referer',
  'req_self_referer',
  'req_page_view',
  // session: the history the cookie carries
  'sess_new',
  'sess_tampered',
  'sess_log_requests',
  'sess_log_gap_s',
  'sess_fast_evidence',
  'sess_log_dwell_mean_s',
  'sess_dwell_cv',
  'sess_page_share',
  // client: per-client memory at the edge (rate counters and penalty boxes)
  'client_cookieless_before',
  'client_log_cookieless_60s',
  'client_log_requests_60s',
  'client_crawler_path_before',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export const FEATURE_COUNT = FEATURE_NAMES.length;

export type FeatureFamily = 'request' | 'session' | 'client';
export const featureFamily = (name: FeatureName): FeatureFamily =>
  name.startsWith('req_') ? 'request' : name.startsWith('sess_') ? 'session' : 'client';

/** The reason code a feature reports when it raises a learned score. */
export const FEATURE_REASONS: Readonly<Record<FeatureName, ReasonCode>> = {
  req_crawler_path: 'crawler_path',
  req_feed: 'feed_fetch',
  req_scanner_path: 'scanner_path',
  req_head: 'request_line',
  req_http10: 'request_line',
  req_no_referer: 'referer_pattern',
  req_deep_no_referer: 'referer_pattern',
  req_self_referer: 'referer_pattern',
  req_page_view: 'session_pattern',
  sess_new: 'no_session',
  sess_tampered: 'cookie_tampered',
  sess_log_requests: 'session_pattern',
  sess_log_gap_s: 'session_pace',
  sess_fast_evidence: 'session_pace',
  sess_log_dwell_mean_s: 'session_pace',
  sess_dwell_cv: 'session_pace',
  sess_page_share: 'session_pattern',
  client_cookieless_before: 'client_drops_cookies',
  client_log_cookieless_60s: 'client_drops_cookies',
  client_log_requests_60s: 'client_rate',
  client_crawler_path_before: 'client_crawled',
};

export interface SessionFacts {
  /** No valid cookie came with the request: this request starts a session. */
  isNew: boolean;
  tampered: boolean;
  /** Requests of the session before this one. */
  requestsBefore: number;
  /** Seconds since the session's previous request; null on its first. */
  gapS: number | null;
  /** Fast-browsing evidence after this request, in fast page views. */
  fastEvidence: number;
  /** Mean dwell of the window in seconds, and its coefficient of variation; null without samples. */
  dwellMeanS: number | null;
  dwellCv: number | null;
  dwellSamples: number;
  pageViews: number;
  requests: number;
}

export interface ClientFacts {
  cookielessBefore: boolean;
  /** Cookie-less arrivals of this client in the last 60 s (0 when this request had a cookie). */
  cookieless60s: number;
  /** Requests of this client in the last 60 s, this one included (0 when unknown). */
  requests60s: number;
  crawlerPathBefore: boolean;
}

const bit = (value: boolean) => (value ? 1 : 0);

/** Fills `out` (length FEATURE_COUNT) in FEATURE_NAMES order. */
export function fillFeatures(
  out: Float64Array,
  request: RequestSignals,
  home: boolean,
  pageView: boolean,
  session: SessionFacts,
  client: ClientFacts,
): Float64Array {
  out[0] = bit(request.crawlerPath);
  out[1] = bit(request.feed);
  out[2] = bit(request.scannerPath);
  out[3] = bit(request.head);
  out[4] = bit(request.http10);
  out[5] = bit(request.noReferer);
  out[6] = bit(request.noReferer && session.isNew && !home);
  out[7] = bit(request.selfReferer);
  out[8] = bit(pageView);
  out[9] = bit(session.isNew);
  out[10] = bit(session.tampered);
  out[11] = Math.log2(1 + session.requestsBefore);
  out[12] = session.gapS === null ? 0 : Math.log10(1 + Math.max(0, session.gapS));
  out[13] = Math.min(session.fastEvidence, 10);
  out[14] = session.dwellMeanS === null ? 0 : Math.log10(1 + session.dwellMeanS);
  out[15] =
    session.dwellSamples >= 3 && session.dwellCv !== null ? Math.min(session.dwellCv, 5) : 0;
  out[16] = session.requests === 0 ? 0 : session.pageViews / session.requests;
  out[17] = bit(client.cookielessBefore);
  out[18] = Math.log2(1 + client.cookieless60s);
  out[19] = Math.log2(1 + client.requests60s);
  out[20] = bit(client.crawlerPathBefore);
  return out;
}
