/**
 * The pass snippet (priority 10): backend requests other than the preflight carry no internal
 * header; the preflight carries the path alone, capped; the challenge request (challenge band)
 * gets the caller secret and the client's address on bereq only. The challenge routes' block
 * follows (scripts/vcl/challenge-route.ts).
 */
import { GENERATED_BY, PREFLIGHT_PATH_MAX } from '../facts.js';
import type { ValidatedVclOptions } from '../options.js';
import {
  CALLER_SECRET,
  challengeRoute,
  isChallenge,
  isPreflight,
  stripBereq,
} from './fragments.js';

export function passSnippet(options: ValidatedVclOptions): string {
  const backend = options.scorerBackend;
  return `${GENERATED_BY}
# session-scorer: requests passed to the origin carry no internal header (the preflight itself does).
if (!(${isPreflight(backend)})) {
${stripBereq}
}
${challengeRoute(backend).pass}
# The preflight carries the path alone, capped: the scorer reads nothing else of the URL, and
# js-compute answers 500 before any app code to a URL over 8,192 bytes, which would let a long
# query or path through unscored. The client's own request (req.url) is untouched.
if (${isPreflight(backend)}) {
  set bereq.url = substr(req.url.path, 0, ${PREFLIGHT_PATH_MAX});
}
# session-scorer challenge band: the scorer authenticates this service, sees the client's address,
# and builds on the preflight's new cookie (set on bereq only: the secret never sits in req).
if (${isChallenge(backend)}) {
  set bereq.http.X-Scorer-Auth = ${CALLER_SECRET};
  set bereq.http.Fastly-Client-IP = client.ip;
  set bereq.http.X-Scorer-Set-Cookie = req.http.X-Scorer-Set-Cookie;
}
`;
}
