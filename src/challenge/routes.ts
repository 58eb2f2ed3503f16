/**
 * The challenge routes (docs/challenge.md, docs/headers.md). The browser reaches them through the
 * VCL service, which adds the caller secret; the answers go to the browser as they are (HTML,
 * Set-Cookie, redirects), never cached.
 *
 * GET /.scorer/challenge?return=<path>: opens (or starts) the session, issues a challenge bound
 * to it, records it as unanswered in the cookie and serves the solver page.
 * GET /.scorer/challenge/verify?token=…&counter=…&return=<path>: checks the solution against the
 * session in the cookie; a pass is recorded in the cookie and the browser goes back to the path.
 */
import {
  createCookieCodec,
  issueChallenge,
  newSessionState,
  recordChallengeIssued,
  recordChallengePassed,
  SESSION_ID_LENGTH,
  SessionFlag,
  verifyChallenge,
  type ChallengeRefusal,
  type CookieCodec,
  type HmacSha256,
  type OpenResult,
  type SessionState,
} from '@session-scorer/core';
import type { AuditRecord } from '../audit.js';
import { auditLine, capped } from '../audit.js';
import { readChallengeKey } from '../config/challenge-key.js';
import type { Defaults } from '../config/defaults.js';
import type { AppConfig } from '../config/items.js';
import { readKeyRing } from '../config/keys.js';
import type { Failure } from '../config/loaded.js';
import { readConfig } from '../config/read-config.js';
import { RESPONSE_HEADERS as RS } from '../edge-contract.js';
import { DEFAULT_LOG_ENDPOINT, type Platform } from '../platform.js';
import { readCookie } from '../cookie-header.js';
import { sessionCookieHeader } from '../session-cookie.js';
import { APP_VERSION } from '../version.js';
import { challengePage, contentSecurityPolicy, continuePage, messagePage } from './page.js';
import { CHALLENGE_PATH, CHALLENGE_RETURN_PARAM } from './paths.js';
import { safeReturnPath } from './return-url.js';

/** What the app lends the challenge routes: its caller check and its audit fields for a request. */
export interface AppHooks {
  authenticate(platform: Platform, request: Request): Promise<Response | null>;
  requestFields(request: Request): Omit<AuditRecord, 'time' | 'event' | 'mode'>;
}

interface Context {
  platform: Platform;
  config: AppConfig;
  codec: CookieCodec;
  hmac: HmacSha256;
  nowMs: number;
  returnPath: string;
  audit(event: AuditRecord['event'], fields: Partial<AuditRecord>): void;
}

const NO_STORE = { 'cache-control': 'no-store', [RS.version]: APP_VERSION } as const;

export async function challengeRoute(
  kind: 'page' | 'verify',
  request: Request,
  platform: Platform,
  defaults: Defaults,
  hooks: AppHooks,
): Promise<Response> {
  const refused = await hooks.authenticate(platform, request);
  if (refused) return refused;
  const url = new URL(request.url);
  const returnPath = safeReturnPath(url.searchParams.get(CHALLENGE_RETURN_PARAM));
  const config = readConfig(platform, defaults);
  if (!config.ok) return unavailable(platform, request, hooks, config);
  // The kill switch lets everyone through: the preflight gives no score in mode off, so nobody is sent here again.
  if (config.value.mode === 'off') return moveOn(returnPath);
  const [keys, challengeKey] = await Promise.all([
    readKeyRing(platform),
    readChallengeKey(platform),
  ]);
  if (!keys.ok) return unavailable(platform, request, hooks, keys, config.value.logEndpoint);
  if (!challengeKey.ok)
    return unavailable(platform, request, hooks, challengeKey, config.value.logEndpoint);
  const key = challengeKey.value;
  const context: Context = {
    platform,
    config: config.value,
    codec: createCookieCodec({ keyRing: keys.value, realm: config.value.cookie.realm }),
    hmac: (message) => platform.hmacSha256(key, message),
    nowMs: Math.floor(platform.now()),
    returnPath,
    audit: (event, fields) => {
      const nowMs = platform.now();
      platform.log(config.value.logEndpoint, () =>
        auditLine({
          ...hooks.requestFields(request),
          time: new Date(nowMs).toISOString(),
          event,
          mode: config.value.mode,
          ...fields,
        }),
      );
    },
  };
  // When the VCL serves the challenge in place of a page it has just scored, the preflight's new
  // cookie (x-scorer-set-cookie, which only the VCL can set) is newer than the browser's Cookie
  // header, and it is the one the browser will keep: the challenge builds on it.
  const cookie =
    fromSetCookie(request.headers.get(RS.setCookie), config.value.cookie.name) ??
    readCookie(request.headers.get('cookie'), config.value.cookie.name);
  return kind === 'page' ? servePage(context, cookie) : verify(context, cookie, url.searchParams);
}

async function servePage(context: Context, cookie: string | undefined): Promise<Response> {
  const { platform, config, nowMs } = context;
  const opened = openSession(context, cookie);
  const state = opened.kind === 'ok' ? opened.state : startSession(opened, nowMs);
  const { difficultyBits, lifetimeS } = config.settings.challenge;
  const issued = await issueChallenge({
    sessionId: state.sessionId,
    nowMs,
    difficultyBits,
    lifetimeS,
    salt: randomBytes(12),
    hmac: context.hmac,
  });
  recordChallengeIssued(state);
  const setCookie = seal(context, state);
  context.audit('challenge-issued', {
    cookie: opened.kind,
    new_session: opened.kind !== 'ok',
    ...(await sessionField(platform, state)),
  });
  return new Response(
    challengePage({
      token: issued.token,
      difficultyBits: issued.difficultyBits,
      returnPath: context.returnPath,
    }),
    {
      status: 200,
      headers: {
        ...htmlHeaders(await contentSecurityPolicy(platform.sha256)),
        'set-cookie': setCookie,
      },
    },
  );
}

async function verify(
  context: Context,
  cookie: string | undefined,
  query: URLSearchParams,
): Promise<Response> {
  const { platform, nowMs, returnPath } = context;
  const opened = openSession(context, cookie);
  if (opened.kind !== 'ok') {
    context.audit('challenge-refused', { cookie: opened.kind, error: 'no-session' });
    return refusal(context, 'no-session');
  }
  const state = opened.state;
  const check = await verifyChallenge(
    query.get('token'),
    query.get('counter'),
    state,
    nowMs,
    context.hmac,
  );
  const sid = await sessionField(platform, state);
  if (!check.ok) {
    context.audit('challenge-refused', { cookie: 'ok', error: check.reason, ...sid });
    // Expired: a tab left open; a fresh challenge is the way on. Replayed (the back button after a
    // pass): this session has passed already, so back to the page, with the cookie unchanged.
    if (check.reason === 'expired') return moveOn(challengeUrl(returnPath));
    if (check.reason === 'replayed') return moveOn(returnPath);
    return refusal(context, check.reason);
  }
  recordChallengePassed(state, nowMs, check.tag);
  const setCookie = seal(context, state);
  context.audit('challenge-passed', {
    cookie: 'ok',
    ...sid,
    detail: `difficulty=${check.difficultyBits}`,
  });
  return moveOn(returnPath, setCookie);
}

/** Opens the cookie as the preflight does, including the current maximum session age. */
function openSession(context: Context, cookie: string | undefined): OpenResult {
  const opened = context.codec.open(cookie, context.nowMs);
  if (
    opened.kind === 'ok' &&
    Math.floor(context.nowMs / 1000) >=
      opened.state.createdAtS + context.config.settings.session.maxAgeS
  ) {
    return { kind: 'expired', reason: 'session-expired', keyId: opened.keyId };
  }
  return opened;
}

function startSession(opened: Exclude<OpenResult, { kind: 'ok' }>, nowMs: number): SessionState {
  const flags =
    opened.kind === 'missing'
      ? SessionFlag.STARTED_WITHOUT_COOKIE
      : opened.kind === 'expired'
        ? SessionFlag.STARTED_AFTER_EXPIRED
        : SessionFlag.STARTED_AFTER_TAMPERED;
  // Model tag 0: no page view has been scored under any model yet; the next preflight records its own.
  return newSessionState(randomBytes(SESSION_ID_LENGTH), nowMs, flags, 0);
}

/** Seals the state with the preflight's sliding expiry (docs/cookie-format.md) and returns the Set-Cookie value. */
function seal(context: Context, state: SessionState): string {
  const nowS = Math.floor(context.nowMs / 1000);
  const { maxAgeS, idleTimeoutS } = context.config.settings.session;
  state.expiresAtS = Math.min(state.createdAtS + maxAgeS, nowS + idleTimeoutS, 0xffffffff);
  return sessionCookieHeader(
    context.config.cookie,
    context.codec.seal(state),
    state.expiresAtS - nowS,
  );
}

async function sessionField(platform: Platform, state: SessionState): Promise<{ sid: string }> {
  const hash = await platform.sha256(state.sessionId);
  return { sid: Array.from(hash.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('') };
}

const REFUSAL_TEXT: Record<ChallengeRefusal | 'no-session', string> = {
  'no-session':
    'The check needs a cookie to remember your visit, and none came back from your browser. ' +
    'Please allow cookies for this site and try again.',
  malformed: 'The answer to the check was incomplete. Please try again.',
  version: 'The check has changed since this page was loaded. Please try again.',
  'mac-mismatch': 'The answer does not belong to this visit. Please try again.',
  expired: 'The check took too long. Please try again.',
  replayed: 'This check was already used. Please try again.',
  'insufficient-work': 'The answer to the check was not correct. Please try again.',
};

function refusal(context: Context, reason: ChallengeRefusal | 'no-session'): Response {
  const body = messagePage('The check did not succeed', REFUSAL_TEXT[reason], {
    href: challengeUrl(context.returnPath),
    label: 'Try the check again',
  });
  return new Response(body, { status: 403, headers: htmlHeaders(null) });
}

function unavailable(
  platform: Platform,
  request: Request,
  hooks: AppHooks,
  failure: Failure,
  logEndpoint = DEFAULT_LOG_ENDPOINT,
): Response {
  try {
    const nowMs = platform.now();
    platform.log(logEndpoint, () =>
      auditLine({
        ...hooks.requestFields(request),
        time: new Date(nowMs).toISOString(),
        event: 'fail-open',
        mode: 'unknown',
        error: failure.reason,
        detail: capped(failure.detail, 500)!,
      }),
    );
  } catch {
    // The answer matters more than the log line.
  }
  // Not fail-open: letting the browser through would send it straight back here (the preflight
  // still scores it into the challenge band), a redirect loop. An honest 503 instead.
  const body = messagePage(
    'This check is unavailable',
    'The site cannot check your browser right now. Please try again in a minute.',
  );
  return new Response(body, {
    status: 503,
    headers: { ...htmlHeaders(null), 'retry-after': '60', [RS.error]: failure.reason },
  });
}

/** The value of a `name=value; attributes` Set-Cookie string for that cookie name. */
function fromSetCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  const pair = header.split(';', 1)[0]!;
  const eq = pair.indexOf('=');
  return eq > 0 && pair.slice(0, eq).trim() === name ? pair.slice(eq + 1).trim() : undefined;
}

const challengeUrl = (returnPath: string) =>
  `${CHALLENGE_PATH}?${CHALLENGE_RETURN_PARAM}=${encodeURIComponent(returnPath)}`;

/**
 * Sends the browser on to `location` (a same-site path) with a 200 page that moves on at once
 * (meta refresh, and a link for anything that does not follow it), not a 3xx: see docs/challenge.md
 * ("Why not a 303") for the reason.
 */
function moveOn(location: string, setCookie?: string): Response {
  const body = continuePage(location);
  return new Response(body, {
    status: 200,
    headers: { ...htmlHeaders(null), ...(setCookie ? { 'set-cookie': setCookie } : {}) },
  });
}

function htmlHeaders(policy: string | null): Record<string, string> {
  return {
    ...NO_STORE,
    'content-type': 'text/html; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'content-security-policy':
      policy ??
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  };
}

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  crypto.getRandomValues(out);
  return out;
}
