/**
 * The VCL for the scorer's challenge routes (docs/vcl.md, "Challenge routes"): the proof-of-work
 * page and its verification are answered by the scorer itself, passed (never cached) and never
 * sent to the origin. A separate block in three snippets, appended after the main logic of each:
 *
 * - recv: the main block marks every /.scorer/ path skipped-internal (never scored); of those,
 *   a GET of exactly the two challenge paths goes to the scorer backend;
 * - pass: the main block stripped every internal header from the backend request; the scorer
 *   needs the caller secret and the client's address, so they are set here, on bereq only (the
 *   secret never sits in req);
 * - fetch: the scorer's answer (HTML, a redirect, Set-Cookie) goes to the client as it is,
 *   skipping operator fetch logic.
 *
 * vcl_deliver needs nothing more: the main block relays no preflight cookie for this state, logs
 * the line (state=challenge-route) and strips internal headers; the scorer's own Set-Cookie passes.
 */
import { CHALLENGE_PATH, CHALLENGE_VERIFY_PATH } from '../../src/challenge/paths.js';
import { CALLER_SECRET_DICTIONARY_KEY } from '../../src/edge-contract.js';

export const CHALLENGE_ROUTE_STATE = 'challenge-route';

/** PCRE for exactly the two routes, on req.url.path. */
export const CHALLENGE_ROUTE_REGEX =
  `^${CHALLENGE_PATH.replace(/\./g, '\\.')}` +
  `(${CHALLENGE_VERIFY_PATH.slice(CHALLENGE_PATH.length)})?$`;

export interface ChallengeRouteBlocks {
  recv: string;
  pass: string;
  fetch: string;
}

export function challengeRouteBlocks(options: {
  stateHeader: string;
  backend: string;
  secretsDictionary: string;
}): ChallengeRouteBlocks {
  const S = `req.http.${options.stateHeader}`;
  const toScorer = `${S} == "${CHALLENGE_ROUTE_STATE}" && req.backend == ${options.backend}`;
  return {
    recv: `# session-scorer challenge routes (scripts/vcl/challenge-route.ts): answered by the scorer, never the origin.
if (req.restarts == 0 && ${S} == "skipped-internal" && req.method == "GET" && \
req.url.path ~ "${CHALLENGE_ROUTE_REGEX}") {
  set ${S} = "${CHALLENGE_ROUTE_STATE}";
  set req.backend = ${options.backend};
  return(pass);
}
`,
    pass: `# session-scorer challenge routes: the scorer authenticates this service and sees the client's address.
if (${toScorer}) {
  set bereq.http.X-Scorer-Auth = table.lookup(${options.secretsDictionary}, "${CALLER_SECRET_DICTIONARY_KEY}", "");
  set bereq.http.Fastly-Client-IP = client.ip;
}
`,
    fetch: `# session-scorer challenge routes: the scorer's page, redirect or refusal goes to the client as it is.
if (${toScorer}) {
  return(deliver);
}
`,
  };
}
