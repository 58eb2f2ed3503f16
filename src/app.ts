/**
 * The scorer app: routes are data, the runtime is a Platform, and everything is plain Web
 * Request/Response, so tests drive `handle(request)` directly. The contract is docs/headers.md.
 *
 * Fail open: any configuration, store or internal problem answers 200 with no score and an
 * x-scorer-error reason (plus a log line), never a 5xx. Unauthenticated callers get a bare 403.
 */
import {
  bytesToHex,
  COOKIE_NONCE_PREFIX_CHARS,
  createScorer,
  crawlerFacts,
  equalBytesConstantTime,
  type Decision,
} from '@session-scorer/core';
import { Router } from 'itty-router';
import { HEALTH_PATH } from './routes.js';
import {
  auditLine,
  capped,
  requestFactFields,
  truncateIp,
  type AuditRecord,
  type RequestAuditFields,
} from './audit.js';
import { CLIENT_MEMORY_WINDOWS, edgeClient } from './client-memory.js';
import { readCookie } from './cookie-header.js';
import { readCallerSecret } from './config/caller-secret.js';
import { readChallengeKey } from './config/challenge-key.js';
import type { Defaults } from './config/defaults.js';
import type { AppConfig } from './config/items.js';
import { readKeyRing, STAGED_UNTIL_S } from './config/keys.js';
import { readModel } from './config/model.js';
import { readConfig } from './config/read-config.js';
import { errorText } from './error-text.js';
import {
  attempt,
  countIncludingThis,
  countingWarnings,
  newCountingRecord,
} from './edge-counting.js';
import {
  REQUEST_HEADERS as RQ,
  RESPONSE_HEADERS as RS,
  type FailOpenReason,
} from './edge-contract.js';
import { DEFAULT_LOG_ENDPOINT, RATE_COUNTER_NAMES, type Platform } from './platform.js';
import { requestFacts } from './request-facts.js';
import { sessionCookieHeader } from './session-cookie.js';
import { CHALLENGE_PATH, CHALLENGE_VERIFY_PATH } from './challenge/paths.js';
import { challengeRoute, type AppHooks } from './challenge/routes.js';
import { APP_VERSION } from './version.js';

export { HEALTH_PATH };

export interface App {
  handle(request: Request): Promise<Response>;
}

// Routes are built once, at module initialisation (the Wizer snapshot); the platform and defaults
// travel with each request.
const router = Router();
router.get(HEALTH_PATH, (request: Request, platform: Platform, defaults: Defaults) =>
  health(platform, defaults, request),
);
router.head(
  HEALTH_PATH,
  async (request: Request, platform: Platform, defaults: Defaults) =>
    new Response(null, { status: (await health(platform, defaults, request)).status }),
);
// The challenge routes (src/challenge/): the browser reaches them through the VCL, which adds the caller secret.
router.get(CHALLENGE_PATH, (request: Request, platform: Platform, defaults: Defaults) =>
  challengeRoute('page', request, platform, defaults, challengeHooks),
);
router.get(CHALLENGE_VERIFY_PATH, (request: Request, platform: Platform, defaults: Defaults) =>
  challengeRoute('verify', request, platform, defaults, challengeHooks),
);
router.all('*', (request: Request, platform: Platform, defaults: Defaults) =>
  score(platform, defaults, request),
);
const challengeHooks: AppHooks = {
  authenticate,
  requestFields: (request) => requestFields(request),
};

export function createApp(platform: Platform, defaults: Defaults): App {
  return {
    async handle(request) {
      try {
        // A preflight (the VCL marks it with the client's method) is scored whatever its path: the
        // path is the client's, and routing on it would let `/.scorer/health/` or
        // `/a/%2e%2e/.scorer/challenge` turn a page's preflight into an answer without a score.
        if (request.headers.has(RQ.originalMethod)) return await score(platform, defaults, request);
        return (await router.fetch(request, platform, defaults)) as Response;
      } catch (error) {
        // Where configuration did not load, the default endpoint is the only one known.
        return failOpen(
          platform,
          DEFAULT_LOG_ENDPOINT,
          'unknown',
          request,
          'internal',
          errorText(error),
        );
      }
    },
  };
}

/** Null when the request carries the caller secret; otherwise the 403 to answer. */
async function authenticate(platform: Platform, request: Request): Promise<Response | null> {
  const caller = await readCallerSecret(platform);
  if (!caller.ok) return forbidden(platform, request, caller.reason, caller.detail);
  if (caller.value === null)
    return forbidden(
      platform,
      request,
      'caller-secret-missing',
      'secret "caller_secret" is not set',
    );
  const given = request.headers.get(RQ.auth) ?? '';
  if (!caller.value.some((secret) => secretsEqual(given, secret)))
    return forbidden(platform, request);
  return null;
}

async function score(platform: Platform, defaults: Defaults, request: Request): Promise<Response> {
  // Nothing else is read for an unauthenticated caller.
  const refused = await authenticate(platform, request);
  if (refused) return refused;

  const config = readConfig(platform, defaults);
  if (!config.ok)
    return failOpen(
      platform,
      DEFAULT_LOG_ENDPOINT,
      'unknown',
      request,
      config.reason,
      config.detail,
    );
  const { mode, logEndpoint } = config.value;
  if (mode === 'off') {
    return new Response(null, {
      status: 200,
      headers: { [RS.mode]: 'off', [RS.version]: APP_VERSION },
    });
  }
  const [keys, model] = await Promise.all([
    readKeyRing(platform),
    readModel(platform, defaults.model),
  ]);
  if (!keys.ok) return failOpen(platform, logEndpoint, mode, request, keys.reason, keys.detail);
  if (!model.ok) return failOpen(platform, logEndpoint, mode, request, model.reason, model.detail);

  const scorer = createScorer({
    keyRing: keys.value,
    realm: config.value.cookie.realm,
    model: model.value.model,
    settings: config.value.settings,
    classifier: config.value.classifier,
  });
  const { headers } = request;
  const cookie = readCookie(headers.get(RQ.cookie), config.value.cookie.name);
  // Counters and penalty boxes are only touched when decide() asks (each is a host call): a new
  // session (keyed by a hash of client address and User-Agent), a cookie that opened (keyed by
  // its header and nonce, unique to each sealed value), or the client memory. A counter that
  // fails, or a request without the client address, counts as unknown instead of stopping the
  // scoring; its failure becomes a warning in the audit line.
  const counting = newCountingRecord();
  const client = edgeClient(
    platform,
    headers.get(RQ.clientIp)?.trim() ?? '',
    headers.get(RQ.userAgent) ?? '',
    counting,
  );
  const facts = requestFacts(headers, request.url);
  const decision = scorer.decide({
    nowMs: Math.floor(platform.now()),
    method: headers.get(RQ.originalMethod) ?? request.method,
    crawler: crawlerFacts(headers.get(RQ.verifiedBot), headers.get(RQ.claimedBot)),
    path: pathOf(request.url),
    cookie,
    recentNewSessions: client.recentNewSessions,
    sameCookieRequests: () => {
      const uses = attempt(
        counting,
        RATE_COUNTER_NAMES.cookieUses,
        () =>
          countIncludingThis(
            platform.rateCounter(RATE_COUNTER_NAMES.cookieUses),
            (cookie ?? '').slice(0, COOKIE_NONCE_PREFIX_CHARS),
            CLIENT_MEMORY_WINDOWS.cookieUsesS,
          ),
        1,
      );
      counting.answers.cookie_uses = uses;
      return uses;
    },
    request: facts,
    client: client.memory,
  });
  // The same value as scorer-core's decision.session.idHash (first 8 bytes of SHA-256 of the
  // session id), from the platform's native digest: the pure-JS SHA-256 costs ~0.5 ms interpreted
  // in the wasm, crypto.subtle.digest ~7 µs once warm (index.ts warms it at initialisation).
  const sessionHash = bytesToHex((await platform.sha256(decision.state.sessionId)).subarray(0, 8));

  const response = new Response(null, {
    status: 200,
    headers: {
      [RS.score]: String(decision.score),
      [RS.layer1]: String(decision.layer1),
      [RS.layer2]: String(decision.layer2),
      [RS.reasons]: decision.reasons.join(','),
      [RS.cookieStatus]: decision.cookieStatus,
      ...(decision.cookieProblem ? { [RS.cookieProblem]: decision.cookieProblem } : {}),
      [RS.session]: sessionHash,
      [RS.pageClass]: decision.pageClass,
      [RS.model]: headerSafe(decision.modelVersion),
      [RS.modelSource]: model.value.source,
      [RS.keyId]: String(decision.keyId),
      [RS.setCookie]: setCookieValue(config.value, decision),
      [RS.mode]: mode,
      [RS.version]: APP_VERSION,
    },
  });
  const nowMs = platform.now();
  const warnings = [
    ...countingWarnings(counting),
    ...(model.value.warning ? [model.value.warning] : []),
  ];
  // The answers are copied now: the client memory could still be asked after this point.
  const memory = { ...counting.answers };
  platform.log(logEndpoint, () =>
    auditLine({
      ...requestFields(request, facts),
      time: new Date(nowMs).toISOString(),
      event: 'scored',
      mode,
      ...decisionFields(decision),
      sid: sessionHash,
      model_source: model.value.source,
      ...(Object.keys(memory).length > 0 ? { memory } : {}),
      ...(warnings.length > 0 ? { detail: capped(warnings.join('; '), 500)! } : {}),
    }),
  );
  return response;
}

/**
 * 200 when configuration, keys and model are all valid, else 503 (for backend health probes).
 * Without the caller secret only that verdict is shown; with it, the details (never key bytes).
 */
async function health(platform: Platform, defaults: Defaults, request: Request): Promise<Response> {
  const config = readConfig(platform, defaults);
  const [keys, model] = await Promise.all([
    readKeyRing(platform),
    readModel(platform, defaults.model),
  ]);
  const healthy = config.ok && keys.ok && model.ok;
  const headers = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    [RS.version]: APP_VERSION,
  };
  const authorised =
    request.headers.has(RQ.auth) && (await authenticate(platform, request)) === null;
  if (!authorised)
    return new Response(
      JSON.stringify({ service: 'session-scorer', version: APP_VERSION, healthy }),
      { status: healthy ? 200 : 503, headers },
    );
  // The challenge key is reported, not required: the preflight works without it.
  const challengeKey = await readChallengeKey(platform);
  const body = {
    service: 'session-scorer',
    version: APP_VERSION,
    healthy,
    config: config.ok
      ? { valid: true, mode: config.value.mode, cookie: config.value.cookie.name }
      : { valid: false, error: config.reason, detail: config.detail },
    keys: keys.ok
      ? {
          valid: true,
          active: keys.value.activeKeyId,
          ids: keys.value
            .describe()
            .map((key) =>
              key.graceUntilS === STAGED_UNTIL_S
                ? { id: key.id, active: false, staged: true }
                : key,
            ),
        }
      : { valid: false, error: keys.reason, detail: keys.detail },
    model: model.ok
      ? {
          valid: true,
          version: model.value.model.version,
          source: model.value.source,
          placeholder: model.value.model.placeholder,
          ...(model.value.warning ? { warning: model.value.warning } : {}),
        }
      : {
          valid: false,
          error: model.reason,
          detail: model.detail,
          embedded: defaults.model.version,
        },
    challenge: challengeKey.ok
      ? {
          valid: true,
          ...(config.ok
            ? {
                difficultyBits: config.value.settings.challenge.difficultyBits,
                lifetimeS: config.value.settings.challenge.lifetimeS,
              }
            : {}),
        }
      : { valid: false, error: challengeKey.reason, detail: challengeKey.detail },
  };
  return new Response(JSON.stringify(body), { status: healthy ? 200 : 503, headers });
}

function failOpen(
  platform: Platform,
  logEndpoint: string,
  mode: string,
  request: Request,
  reason: FailOpenReason,
  detail: string,
): Response {
  try {
    const nowMs = platform.now();
    platform.log(logEndpoint, () =>
      auditLine({
        ...requestFields(request),
        time: timeOf(nowMs),
        event: 'fail-open',
        mode,
        error: reason,
        detail: capped(detail, 500)!,
      }),
    );
  } catch {
    // Logging must never turn a fail-open answer into an error.
  }
  return new Response(null, {
    status: 200,
    headers: { [RS.error]: reason, [RS.version]: APP_VERSION },
  });
}

/** A bare 403. A configuration reason (not a wrong secret) is also logged, to the default endpoint. */
function forbidden(
  platform: Platform,
  request: Request,
  reason?: FailOpenReason,
  detail = '',
): Response {
  if (reason) {
    try {
      const nowMs = platform.now();
      platform.log(DEFAULT_LOG_ENDPOINT, () =>
        auditLine({
          ...requestFields(request),
          time: timeOf(nowMs),
          event: 'refused',
          mode: 'unknown',
          error: reason,
          detail: capped(detail, 500)!,
        }),
      );
    } catch {
      // As for fail-open: the answer matters more than the log line.
    }
  }
  return new Response(null, { status: 403, headers: reason ? { [RS.error]: reason } : {} });
}

const timeOf = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : 'invalid-clock');

const encoder = new TextEncoder();

/** Constant-time for equal lengths; the secret's length is not treated as secret. */
function secretsEqual(given: string, expected: string): boolean {
  return equalBytesConstantTime(encoder.encode(given), encoder.encode(expected));
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '/';
  }
}

export function setCookieValue(config: AppConfig, decision: Decision): string {
  return sessionCookieHeader(config.cookie, decision.setCookie.value, decision.setCookie.maxAgeS);
}

function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 128);
}

function requestFields(
  request: Request,
  facts = requestFacts(request.headers, request.url),
): Pick<AuditRecord, 'ip' | 'method' | 'path' | 'ua'> & RequestAuditFields {
  const h = request.headers;
  return {
    ip: truncateIp(h.get(RQ.clientIp)),
    method: capped(h.get(RQ.originalMethod) ?? request.method, 16)!,
    path: capped(pathOf(request.url)),
    ua: capped(h.get(RQ.userAgent)),
    ...requestFactFields(facts),
  };
}

function decisionFields(decision: Decision): Partial<AuditRecord> {
  return {
    score: decision.score,
    layer1: decision.layer1,
    layer2: decision.layer2,
    reasons: decision.reasons,
    cookie: decision.cookieStatus,
    ...(decision.cookieProblem ? { cookie_problem: decision.cookieProblem } : {}),
    new_session: decision.session.isNew,
    requests: decision.state.requests,
    page_views: decision.state.pageViews,
    page_class: decision.pageClass,
    model: decision.modelVersion,
    key_id: decision.keyId,
    ...(decision.crawler.verified ? { verified_bot: decision.crawler.verified } : {}),
    ...(decision.crawler.spoofed ? { spoofed_bot: decision.crawler.spoofed } : {}),
  };
}
