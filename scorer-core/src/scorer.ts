/**
 * One decision per request: open the cookie, update the session, score it, seal it again.
 * Everything the edge needs from scorer-core goes through `createScorer(...).decide(...)`;
 * training replay calls the same code with the log's clock.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { applyChallengeEvidence } from './challenge/evidence.js';
import { ScorerError, bytesToHex, systemRandomBytes, utf8, type RandomBytes } from './_internal.js';
import { createClassifier, type Classifier, type ClassifierConfig } from './classifier.js';
import { createCookieCodec, type CookieCodec, type OpenResult } from './cookie.js';
import { DEFAULT_CLASSIFIER } from './default-classifier.js';
import type { KeyRing } from './keyring.js';
import {
  cookieComplianceScore,
  cookieReplayScore,
  dwellScores,
  dwellStats,
  fastBrowsingScore,
  recordPageGap,
  sessionVolumeScore,
  type CookieStatus,
  type DwellStats,
} from './layer1.js';
import {
  recordPageView,
  transitionScore,
  transitionStats,
  type TransitionStats,
} from './layer2.js';
import type { TransitionModel } from './model.js';
import type { RuleScore } from './reasons.js';
import { resolveSettings, type ScorerSettings } from './settings.js';
import { clientFamilyTag, cookieMovedScore } from './signals/client-binding.js';
import { declaredToolScore } from './signals/declared-tools.js';
import { FEATURE_COUNT, fillFeatures, type ClientFacts } from './signals/features.js';
import { crawlerRules, type CrawlerFacts } from './signals/crawlers.js';
import { headerRules, headerSignals, type HeaderSignals } from './signals/headers.js';
import type { ClientMemory, RequestFacts } from './signals/inputs.js';
import { requestSignals, type RequestSignals } from './signals/request.js';
import {
  newSessionState,
  SESSION_ID_LENGTH,
  SessionFlag,
  saturatingAdd,
  type SessionState,
} from './state.js';
import { combine, type Verdict } from './verdict.js';

export interface ScorerOptions {
  keyRing: KeyRing;
  /** Cookie realm (additional authenticated data); usually the cookie name or the site. */
  realm: string;
  model: TransitionModel;
  /** Overrides of DEFAULT_SETTINGS (validated), or already-resolved settings. */
  settings?: unknown;
  classifier?: ClassifierConfig | Classifier;
  /** Injected for deterministic tests; defaults to crypto.getRandomValues. */
  random?: RandomBytes;
}

export interface DecisionInput {
  /** Request time, Unix milliseconds (the injected clock). */
  nowMs: number;
  method: string;
  /** URL path (query and fragment are ignored); an absolute URL works too. */
  path: string;
  /** The value of the session cookie, or undefined when the request has none. */
  cookie?: string | null;
  /**
   * New sessions this client (for example IP + User-Agent) started within the caller's counting
   * window, counting this request's if it starts one. Undefined = unknown, treated as 0.
   */
  recentNewSessions?: number | (() => number);
  /**
   * Requests that carried this exact cookie value within the caller's counting window, this one
   * included (e.g. an edge rate counter keyed by the value's nonce). Undefined = unknown, 1.
   */
  sameCookieRequests?: number | (() => number);
  // Either count may be a function: it is called only when needed (a new session, or a cookie
  // that opened), so a caller backed by an edge counter does no counting on other requests.
  /** The request line's protocol, Referer and (at the edge) browser headers. */
  request?: RequestFacts;
  /** Per-client memory (edge rate counters and penalty boxes, or the replay's simulation of them). */
  client?: ClientMemory;
  /** Whether a declared crawler's claim came from its published ranges (the edge's ACL check); undefined = unknown. */
  crawler?: CrawlerFacts;
}

export interface Decision extends Verdict {
  cookieStatus: CookieStatus;
  /** Why the cookie was not accepted (`tampered`/`expired` detail), when it was not. */
  cookieProblem?: string;
  /** The cookie value to set on the response, and its Max-Age in seconds. */
  setCookie: { value: string; maxAgeS: number };
  session: {
    /** First 8 bytes of SHA-256(session id), hex: safe to log and to put in headers. */
    idHash: string;
    isNew: boolean;
    /** The session id was replaced on this request (rotation interval passed). */
    rotated: boolean;
    /** The cookie came under a previous key (within grace) and was re-sealed under the active one. */
    rekeyedFromKeyId?: number;
  };
  pageClass: string;
  pageView: boolean;
  keyId: number;
  modelVersion: string;
  details: { fastEvidence: number; dwell: DwellStats; transitions: TransitionStats };
  /** The feature vector the learned combiner read, in FEATURE_NAMES order (computed on every decision). */
  features: Float64Array;
  signals: { request: RequestSignals; headers: HeaderSignals; client: ClientFacts };
  /** The state just sealed into `setCookie.value`. */
  state: SessionState;
  /** The crawler facts the decision took (none claimed when unknown). */
  crawler: CrawlerFacts;
}

export interface Scorer {
  readonly settings: ScorerSettings;
  readonly model: TransitionModel;
  readonly classifier: Classifier;
  readonly codec: CookieCodec;
  decide(input: DecisionInput): Decision;
}

const MAX_NOW_MS = 0xffffffff * 1000;

export function createScorer(options: ScorerOptions): Scorer {
  if (!options || typeof options !== 'object')
    throw new ScorerError('INVALID_ARGUMENT', 'createScorer expected an options object');
  if (!options.keyRing)
    throw new ScorerError(
      'NO_KEYS',
      'no key ring: scorer-core has no default key; build one with createKeyRing from configured keys',
    );
  if (!options.model) throw new ScorerError('INVALID_MODEL', 'no model: load one with loadModel');
  const settings = resolveSettings(options.settings ?? {});
  const classifier = isClassifier(options.classifier)
    ? options.classifier
    : createClassifier(options.classifier ?? DEFAULT_CLASSIFIER);
  const random = options.random ?? systemRandomBytes;
  const codec = createCookieCodec({ keyRing: options.keyRing, realm: options.realm, random });
  const { model, keyRing } = options;
  const { session: sessionSettings, layer1: l1 } = settings;

  function newSessionId(): Uint8Array {
    const id = random(SESSION_ID_LENGTH);
    if (!(id instanceof Uint8Array) || id.length !== SESSION_ID_LENGTH)
      throw new ScorerError(
        'INVALID_RANDOM',
        `random(${SESSION_ID_LENGTH}) returned ${id?.length} bytes`,
      );
    return id;
  }

  function freshState(nowMs: number, status: CookieStatus): SessionState {
    const flags =
      status === 'missing'
        ? SessionFlag.STARTED_WITHOUT_COOKIE
        : status === 'expired'
          ? SessionFlag.STARTED_AFTER_EXPIRED
          : SessionFlag.STARTED_AFTER_TAMPERED;
    return newSessionState(newSessionId(), nowMs, flags, model.tag);
  }

  function openSession(cookie: string | null | undefined, nowMs: number): OpenResult {
    const opened = codec.open(cookie, nowMs);
    // The maximum age is enforced against current settings too, so lowering it takes effect at once.
    if (
      opened.kind === 'ok' &&
      Math.floor(nowMs / 1000) >= opened.state.createdAtS + sessionSettings.maxAgeS
    ) {
      return { kind: 'expired', reason: 'session-expired', keyId: opened.keyId };
    }
    return opened;
  }

  function decide(input: DecisionInput): Decision {
    if (!input || typeof input !== 'object')
      throw new ScorerError('INVALID_ARGUMENT', 'decide expected an input object');
    const { nowMs } = input;
    if (typeof nowMs !== 'number' || !Number.isInteger(nowMs) || nowMs < 0 || nowMs >= MAX_NOW_MS) {
      throw new ScorerError(
        'INVALID_ARGUMENT',
        `"nowMs" expected integer Unix milliseconds in [0, ${MAX_NOW_MS}), got ${String(nowMs)}`,
      );
    }
    const nowS = Math.floor(nowMs / 1000);
    const opened = openSession(input.cookie, nowMs);
    const cookieStatus: CookieStatus = opened.kind;
    const previous = opened.kind === 'ok' ? opened.state : null;
    // `previous` is a fresh object from decodeState, owned by this call: update it in place.
    const state: SessionState = previous ?? freshState(nowMs, cookieStatus);

    // Stored times never go backwards nor before the session's start, whatever the clock says.
    const sessionStartMs = state.createdAtS * 1000;

    const requestsBefore = previous?.requests ?? 0;
    const gapS = previous === null ? null : Math.max(0, nowMs - previous.lastSeenMs) / 1000;
    const pageClass = classifier.classify(input.method, input.path);
    const pageView = classifier.isPageView(pageClass);
    if (pageView) {
      const gapMs = state.lastPageViewMs === null ? null : nowMs - state.lastPageViewMs;
      const newVisit = gapMs === null || gapMs > sessionSettings.visitGapS * 1000;
      // A negative gap is clock skew between edge nodes: keep the transition, skip the timing sample.
      if (!newVisit && gapMs! >= 0) {
        const timing = recordPageGap(state, gapMs!, l1);
        state.fastEvidenceCenti = timing.fastEvidenceCenti;
        state.dwellCs = timing.dwellCs;
      }
      const transition = recordPageView(state, model, pageClass, newVisit);
      state.lastPageClass = transition.lastPageClass;
      state.modelTag = transition.modelTag;
      state.transitions = transition.transitions;
      state.surprisalMilliBits = transition.surprisalMilliBits;
      state.lastPageViewMs = Math.max(nowMs, state.lastPageViewMs ?? 0, sessionStartMs);
      state.pageViews = saturatingAdd(state.pageViews, 1, 0xffffffff);
    }
    state.requests = saturatingAdd(state.requests, 1, 0xffffffff);
    state.lastSeenMs = Math.max(nowMs, state.lastSeenMs);

    let rotated = false;
    if (previous && nowS - state.sessionIdIssuedAtS >= sessionSettings.sessionIdRotationS) {
      state.sessionId = newSessionId();
      state.sessionIdIssuedAtS = nowS;
      rotated = true;
    }
    state.expiresAtS = Math.min(
      state.createdAtS + sessionSettings.maxAgeS,
      nowS + sessionSettings.idleTimeoutS,
      0xffffffff,
    );

    const dwell = dwellStats(state.dwellCs, l1.dwellWindow);
    const transitions = transitionStats(state, model, settings.layer2);
    const request = requestSignals(input.method, input.path, input.request);
    const client = clientFacts(
      input.client,
      cookieStatus !== 'ok',
      request.crawlerPath || request.scannerPath,
    );
    const layer1Rules: RuleScore[] = [];
    const recentNewSessions =
      previous === null ? optionalCount('recentNewSessions', input.recentNewSessions, 0) : 0;
    const sameCookieRequests =
      previous !== null ? optionalCount('sameCookieRequests', input.sameCookieRequests, 1) : 1;
    const compliance = cookieComplianceScore(
      cookieStatus,
      recentNewSessions,
      l1,
      client.cookieless60s,
    );
    if (compliance) layer1Rules.push(compliance);
    const replay = cookieReplayScore(cookieStatus, sameCookieRequests, l1);
    if (replay) layer1Rules.push(replay);
    // The cookie keeps the family of the client it was issued to (the first one known); every
    // request from another family is evidence, so a lifted cookie does not become the new owner's.
    const requestTag = clientFamilyTag(input.request?.headers?.userAgent);
    const moved = cookieMovedScore(previous?.clientFamilyTag, requestTag, l1.movedScore);
    if (moved) layer1Rules.push(moved);
    if (!state.clientFamilyTag && requestTag !== null) state.clientFamilyTag = requestTag;
    layer1Rules.push(
      fastBrowsingScore(state.fastEvidenceCenti, l1),
      ...dwellScores(dwell, l1),
      sessionVolumeScore(state.pageViews, state.requests, nowMs - sessionStartMs, l1),
    );

    const features = fillFeatures(
      new Float64Array(FEATURE_COUNT),
      request,
      pageClass === 'home',
      pageView,
      {
        isNew: previous === null,
        tampered: cookieStatus === 'tampered',
        requestsBefore,
        gapS,
        fastEvidence: state.fastEvidenceCenti / 100,
        dwellMeanS: dwell.samples === 0 ? null : dwell.meanMs / 1000,
        dwellCv: dwell.cv,
        dwellSamples: dwell.samples,
        pageViews: state.pageViews,
        requests: state.requests,
      },
      client,
    );
    const headers = headerSignals(
      input.request?.headers,
      input.request?.secureContext === true,
      pageView,
    );
    const floors = crawlerRules(input.crawler);
    const combined = combine(
      layer1Rules,
      [transitionScore(transitions, settings.layer2)],
      settings.combine,
      {
        learned: model.combiner?.evaluate(features) ?? null,
        headers: withDeclaredTool(
          headerRules(headers, settings.headers.contradictionScore),
          declaredToolScore(input.request?.headers?.userAgent, settings.headers.declaredToolScore),
        ),
        floors,
      },
    );
    // The session's challenge history (passed, or served and unanswered) adjusts the verdict last.
    // A pass answers the doubt of a first visit (the learned and header evidence, a missing cookie);
    // it never discounts what the session does after it (pace, volume, replay, a moved or tampered
    // cookie) nor a floor (a spoofed crawler stays one), so one solved challenge is no licence.
    // (Most sessions have no challenge history: nothing to build for them.)
    let verdict = combined;
    if (state.challengePassedAtS !== null || state.challengesUnanswered > 0) {
      const layer1Weight = settings.combine.layer1Weight;
      const undiscounted = [...floors];
      for (const rule of layer1Rules)
        if (rule.reason !== 'cookie_missing' && rule.reason !== 'cookie_expired')
          undiscounted.push({ reason: rule.reason, score: Math.round(rule.score * layer1Weight) });
      verdict = applyChallengeEvidence(combined, state, settings.challenge, undiscounted);
    }

    const value = codec.seal(state);
    const sessionId = state.sessionId;
    let idHash: string | undefined;
    const session: Decision['session'] = {
      // Computed on first read, so callers that never read it (training replay) skip the hash.
      get idHash() {
        return (idHash ??= sessionIdHash(sessionId));
      },
      isNew: previous === null,
      rotated,
    };
    if (opened.kind === 'ok' && opened.needsReseal) session.rekeyedFromKeyId = opened.keyId;
    const decision: Decision = {
      score: verdict.score,
      layer1: verdict.layer1,
      layer2: verdict.layer2,
      learned: verdict.learned,
      headers: verdict.headers,
      reasons: verdict.reasons,
      cookieStatus,
      setCookie: { value, maxAgeS: state.expiresAtS - nowS },
      session,
      pageClass,
      pageView,
      keyId: keyRing.activeKeyId,
      modelVersion: model.version,
      details: { fastEvidence: state.fastEvidenceCenti / 100, dwell, transitions },
      features,
      signals: { request, headers, client },
      state,
      crawler: input.crawler ?? NO_CRAWLER,
    };
    if (opened.kind === 'expired' || opened.kind === 'tampered')
      decision.cookieProblem = opened.reason;
    return decision;
  }

  return { settings, model, classifier, codec, decide };
}

export function sessionIdHash(sessionId: Uint8Array): string {
  return bytesToHex(sha256(sessionId).subarray(0, 8));
}

/** First 8 bytes of SHA-256(UTF-8(text)), hex: a compact, non-reversible key for counters and logs. */
export function shortHash(text: string): string {
  return bytesToHex(sha256(utf8(text)).subarray(0, 8));
}

const NO_CRAWLER: CrawlerFacts = Object.freeze({ verified: null, spoofed: null });

/**
 * Without a client memory (no client address, or a caller that has none) the client looks like a
 * first-time one: this request counted once, nothing before. Zero counts never occur at the edge
 * (a count includes its own request), so a learned combiner has never seen them.
 */
const NEUTRAL_CLIENT: ClientFacts = Object.freeze({
  cookielessBefore: false,
  cookieless60s: 0,
  requests60s: 1,
  crawlerPathBefore: false,
});
const NEUTRAL_COOKIELESS_CLIENT: ClientFacts = Object.freeze({
  ...NEUTRAL_CLIENT,
  cookieless60s: 1,
});

/**
 * Asks the per-client memory what this request needs, in an order that never lets a request see
 * itself as "before": look up, then record.
 */
function clientFacts(
  memory: ClientMemory | undefined,
  cookieless: boolean,
  crawlerPath: boolean,
): ClientFacts {
  if (!memory) return cookieless ? NEUTRAL_COOKIELESS_CLIENT : NEUTRAL_CLIENT;
  const crawlerPathBefore = memory.seenCrawlerPath();
  if (crawlerPath) memory.crawlerPath();
  const arrival = cookieless ? memory.cookielessArrival() : null;
  return {
    cookielessBefore: arrival?.seenBefore ?? false,
    cookieless60s: arrival?.recent ?? 0,
    requests60s: memory.request(),
    crawlerPathBefore,
  };
}

function withDeclaredTool(rules: RuleScore[], tool: RuleScore | null): RuleScore[] {
  if (tool) rules.push(tool);
  return rules;
}

function optionalCount(name: string, given: unknown, fallback: number): number {
  if (given === undefined) return fallback;
  const value = typeof given === 'function' ? (given as () => unknown)() : given;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ScorerError(
      'INVALID_ARGUMENT',
      `"${name}" expected an integer ≥ 0 or undefined, ` +
        `got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
    );
  }
  return value;
}

function isClassifier(value: unknown): value is Classifier {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Classifier).classify === 'function'
  );
}
