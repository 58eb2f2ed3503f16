/**
 * VCL expressions and statements more than one snippet template writes: the state, action and
 * exemption headers, dictionary lookups, the regex test on a normalised path, the conditions
 * that recognise the preflight and the challenge request, the strip of internal headers, and the
 * challenge routes' blocks.
 */
import { challengeRouteBlocks, type ChallengeRouteBlocks } from '../challenge-route.js';
import {
  ACTION_HEADER,
  EXEMPT_HEADER,
  INTERNAL_HEADERS,
  NORMALIZED_PATH_VCL,
  STATE_HEADER,
  STEERING_PATH,
} from '../facts.js';
import {
  CALLER_SECRET_DICTIONARY_KEY,
  DICTIONARIES,
  DICTIONARY_DEFAULTS,
  SCORE_PATTERN,
} from '../../../src/edge-contract.js';

/** The VCL's state marker on the client request. */
export const STATE = `req.http.${STATE_HEADER}`;
export const ACTION = `req.http.${ACTION_HEADER}`;
export const EXEMPT = `req.http.${EXEMPT_HEADER}`;

/** The caller secret from its dictionary (empty when missing, which the scorer refuses). */
export const CALLER_SECRET = `table.lookup(${DICTIONARIES.secrets}, "${CALLER_SECRET_DICTIONARY_KEY}", "")`;

/** A settings-dictionary item, with the value to use when it is absent. */
export const setting = (key: string, fallback: string) =>
  `table.lookup(${DICTIONARIES.settings}, "${key}", "${fallback}")`;

/** One `unset` per internal header, on `object` (req, bereq, beresp, resp). */
export const unsetInternalHeaders = (object: string, indent: string) =>
  INTERNAL_HEADERS.map((h) => `${indent}unset ${object}.http.${h};`).join('\n');

const unsteered = `urldecode(req.url.path) !~ {"${STEERING_PATH}"}`;
/**
 * An exclusion or exemption holds only when the path as sent and the normalised path both match:
 * decoding alone would let `/article/10%2Ecss` pass for a stylesheet at an origin that routes on
 * the raw segment; parameters alone would let `/a;x.css` pass for one at any origin.
 */
export const regexHolds = (regex: string) =>
  `req.url.path ~ {"${regex}"} && ${NORMALIZED_PATH_VCL} ~ {"${regex}"} && ${unsteered}`;

/**
 * The preflight is recognised by its state and its backend together: a request that some other
 * logic sent elsewhere never carries the secret out.
 */
export const isPreflight = (backend: string) =>
  `${STATE} == "preflight" && req.backend == ${backend}`;
/** The challenge page served in place of a page in the challenge band (scorer_enforce). */
export const isChallenge = (backend: string) =>
  `${STATE} == "challenged" && req.backend == ${backend}`;

/** What the pass and miss snippets do to every backend request but the preflight. */
export const stripBereq = `  # Internal headers never reach the origin; the score only if the operator opts in.
${unsetInternalHeaders('bereq', '  ')}
  if (${setting('forward_score', DICTIONARY_DEFAULTS.forward_score)} == "true" && \
req.http.X-Scorer-Score ~ "${SCORE_PATTERN}") {
    set bereq.http.X-Scorer-Score = req.http.X-Scorer-Score;
    set bereq.http.X-Scorer-Reasons = req.http.X-Scorer-Reasons;
  }`;

/** The challenge routes' blocks (scripts/vcl/challenge-route.ts) appended to recv, pass and fetch. */
export const challengeRoute = (backend: string): ChallengeRouteBlocks =>
  challengeRouteBlocks({
    stateHeader: STATE_HEADER,
    backend,
    secretsDictionary: DICTIONARIES.secrets,
  });
