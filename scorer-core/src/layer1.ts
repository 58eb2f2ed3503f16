/**
 * Layer 1, behaviour: cookie compliance, impossibly fast browsing and robotic dwell.
 * Pure functions over the session state and the settings; docs/scoring.md has the maths.
 * @module
 */
import { clamp } from './_internal.js';
import type { RuleScore } from './reasons.js';
import type { Layer1Settings } from './settings.js';
import { saturatingAdd } from './state.js';

export type CookieStatus = 'ok' | 'missing' | 'expired' | 'tampered';

/**
 * Missing and expired cookies are what a first-time (or long-absent) human sends too, so they
 * only count once the client has started more new sessions than its allowance, and then rise
 * gradually: several people behind one NAT with the same browser must not jump to 100 on the
 * fourth (issue 13 item 1). Two counts: per client (address + User-Agent) and per address, which
 * a client rotating its User-Agent cannot escape; the address has a larger allowance for offices
 * and carrier NAT. A tampered cookie counts at once, since no browser produces one.
 */
export function cookieComplianceScore(
  status: CookieStatus,
  recentNewSessions: number,
  settings: Layer1Settings,
  recentAddressNewSessions = 0,
): RuleScore | null {
  switch (status) {
    case 'ok':
      return null;
    case 'tampered':
      return { reason: 'cookie_tampered', score: settings.tamperedScore };
    case 'missing':
    case 'expired': {
      const full = status === 'missing' ? settings.missingScore : settings.expiredScore;
      const pastAllowance = Math.max(
        rampFraction(recentNewSessions, settings.newSessionAllowance, settings.newSessionRamp),
        rampFraction(
          recentAddressNewSessions,
          settings.addressNewSessionAllowance,
          settings.addressNewSessionRamp,
        ),
      );
      const score =
        pastAllowance > 0
          ? Math.max(settings.firstVisitScore, Math.round(full * pastAllowance))
          : settings.firstVisitScore;
      return { reason: status === 'missing' ? 'cookie_missing' : 'cookie_expired', score };
    }
  }
}

/** 0 up to the allowance, then rising linearly to 1 at allowance + ramp. */
function rampFraction(count: number, allowance: number, ramp: number): number {
  return count <= allowance ? 0 : Math.min(1, (count - allowance) / ramp);
}

/**
 * Every seal uses a fresh nonce, so a browser sends each cookie value about once (a few times
 * when parallel requests leave before the new Set-Cookie arrives). A client that keeps sending
 * one value is replaying it to freeze its session state, and the state alone cannot show that:
 * the caller counts requests per cookie value (e.g. an edge rate counter keyed by its nonce).
 */
export function cookieReplayScore(
  status: CookieStatus,
  sameCookieRequests: number,
  settings: Layer1Settings,
): RuleScore | null {
  if (status !== 'ok') return null;
  return {
    reason: 'cookie_replayed',
    score: sameCookieRequests > settings.replayAllowance ? settings.replayScore : 0,
  };
}

export interface DwellEvidence {
  fastEvidenceCenti: number;
  dwellCs: number[];
}

/**
 * Records the gap between two page views of one visit: one dwell sample (centiseconds,
 * truncated, saturating) into the sliding window, and the fast-browsing leaky bucket (leak first, then
 * +1 page view if the gap is under the floor; kept in hundredths, rounded at each step).
 */
export function recordPageGap(
  evidence: DwellEvidence,
  gapMs: number,
  settings: Layer1Settings,
): DwellEvidence {
  const leaked = Math.max(
    0,
    Math.round(evidence.fastEvidenceCenti - settings.fastLeakPerS * (gapMs / 1000) * 100),
  );
  const fastEvidenceCenti =
    gapMs < settings.fastFloorMs ? saturatingAdd(leaked, 100, 0xffff) : leaked;
  // Truncated, not rounded, to 10 ms: a 195 ms dwell must stay under a 200 ms floor.
  const sample = Math.min(0xffff, Math.floor(gapMs / 10));
  const dwellCs = [...evidence.dwellCs, sample].slice(-settings.dwellWindow);
  return { fastEvidenceCenti, dwellCs };
}

export function fastBrowsingScore(fastEvidenceCenti: number, settings: Layer1Settings): RuleScore {
  const evidence = fastEvidenceCenti / 100;
  const score =
    evidence < settings.fastEvidenceMin
      ? 0
      : Math.round(100 * clamp(evidence / settings.fastEvidenceFull, 0, 1));
  return { reason: 'fast_browsing', score };
}

/**
 * Volume: a session's average rate since it began, of page views and of requests of any kind
 * (sub-resources too, at a higher allowance: a single-page app polling its API once a second must
 * not be flagged, but 200 requests 50 ms apart are). On the shared real logs no session labelled
 * human reached 60 requests at 0.5 per second except three vulnerability scanners with unlisted
 * User-Agents (docs/scoring.md). Sustained scraping, even with randomised human-looking gaps, does.
 */
export function sessionVolumeScore(
  pageViews: number,
  requests: number,
  sessionAgeMs: number,
  settings: Layer1Settings,
): RuleScore {
  const ageS = Math.max(1, sessionAgeMs / 1000);
  const pages =
    pageViews >= settings.volumeMinPageViews && pageViews / ageS >= settings.volumePageViewsPerS;
  const all =
    requests >= settings.volumeMinRequests && requests / ageS >= settings.volumeRequestsPerS;
  return { reason: 'session_volume', score: pages || all ? settings.volumeScore : 0 };
}

export interface DwellStats {
  samples: number;
  meanMs: number;
  /** Population standard deviation / mean; null when the mean is 0. */
  cv: number | null;
}

export function dwellStats(dwellCs: readonly number[], window: number): DwellStats {
  const samples = dwellCs.slice(-window);
  const n = samples.length;
  if (n === 0) return { samples: 0, meanMs: 0, cv: null };
  const meanCs = samples.reduce((a, b) => a + b, 0) / n;
  const variance = samples.reduce((a, b) => a + (b - meanCs) ** 2, 0) / n;
  return {
    samples: n,
    meanMs: meanCs * 10,
    cv: meanCs === 0 ? null : Math.sqrt(variance) / meanCs,
  };
}

export function dwellScores(stats: DwellStats, settings: Layer1Settings): RuleScore[] {
  const tooFast = stats.samples >= settings.dwellMinSamples && stats.meanMs < settings.dwellFloorMs;
  const tooRegular =
    stats.samples >= settings.regularMinSamples &&
    stats.cv !== null &&
    stats.cv < settings.regularMaxCv;
  return [
    { reason: 'dwell_fast', score: tooFast ? settings.dwellMeanScore : 0 },
    { reason: 'dwell_regular', score: tooRegular ? settings.regularScore : 0 },
  ];
}
