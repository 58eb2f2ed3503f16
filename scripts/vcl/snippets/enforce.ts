/**
 * The enforce snippet (init, priority 10): the scorer_enforce subroutine the recv snippet calls
 * when the request is back from the preflight. Two bands from the settings dictionary (block at
 * `threshold`, challenge from `challenge_threshold`), acted on in enforce mode and recorded as
 * would_… in monitor mode; verified crawlers and exempt paths are never acted on.
 */
import { CHALLENGE_PATH, CHALLENGE_RETURN_PARAM, GENERATED_BY } from '../facts.js';
import type { ValidatedVclOptions } from '../options.js';
import { ACTION, EXEMPT, regexHolds, setting, STATE } from './fragments.js';
import {
  CHALLENGE_THRESHOLD_KEY,
  DICTIONARIES,
  DICTIONARY_DEFAULTS,
  SCORE_PATTERN,
} from '../../../src/edge-contract.js';

export function enforceSnippet(options: ValidatedVclOptions): string {
  const threshold = setting('threshold', DICTIONARY_DEFAULTS.threshold);
  const challengeThreshold = setting(CHALLENGE_THRESHOLD_KEY, '');
  return `${GENERATED_BY}
# session-scorer enforcement, called from the recv snippet when the request is back from the
# preflight (req.restarts > 0). Mode and the two thresholds come from the edge dictionary
# ${DICTIONARIES.settings}, so they change in seconds without a new version:
#   score >= threshold                        block (429)
#   challenge_threshold <= score < threshold  challenge (the scorer's challenge page)
# Monitor mode only records what enforce would do (would_block, would_challenge); verified
# crawlers and exempt paths are never challenged or blocked in any mode.
sub scorer_enforce {
  # The client's own method again, exactly as sent (any HTTP token, any case: "post" must not reach
  # the origin as GET), and no secret past this point.
  if (req.http.X-Scorer-Original-Method ~ "^[A-Za-z0-9!#&'*+.^_|~-]{1,32}$") {
    set req.method = req.http.X-Scorer-Original-Method;
  }
  unset req.http.X-Scorer-Auth;
  unset ${ACTION};
  unset ${EXEMPT};
  if (${STATE} == "scored" && req.http.X-Scorer-Score ~ "${SCORE_PATTERN}") {
    declare local var.scorer_threshold INTEGER;
    declare local var.scorer_challenge INTEGER;
    declare local var.scorer_score INTEGER;
    set var.scorer_threshold = ${DICTIONARY_DEFAULTS.threshold};
    if (${threshold} ~ "${SCORE_PATTERN}") {
      set var.scorer_threshold = std.atoi(${threshold});
    }
    # No challenge band unless the dictionary holds a score at or below the block threshold.
    set var.scorer_challenge = var.scorer_threshold;
    if (${challengeThreshold} ~ "${SCORE_PATTERN}") {
      set var.scorer_challenge = std.atoi(${challengeThreshold});
      if (var.scorer_challenge > var.scorer_threshold) {
        set var.scorer_challenge = var.scorer_threshold;
      }
    }
    set var.scorer_score = std.atoi(req.http.X-Scorer-Score);
    if (var.scorer_score >= var.scorer_threshold) {
      set ${ACTION} = "block";
    } else if (var.scorer_score >= var.scorer_challenge) {
      set ${ACTION} = "challenge";
    }
    if (${ACTION}) {
      if (req.http.X-Scorer-Verified-Bot) {
        set ${EXEMPT} = "verified_bot";
      } else if (${regexHolds(options.exemptUrlRegex)}) {
        set ${EXEMPT} = "path";
      }
      if (${setting('mode', DICTIONARY_DEFAULTS.mode)} == "enforce" && !${EXEMPT}) {
        if (${ACTION} == "block") {
          set ${STATE} = "enforced";
          error 429 "Too Many Requests";
        }
        # The challenge band: the scorer's challenge page answers in place of the requested one,
        # passed (never cached) to the scorer (never the origin), which sends the visitor back
        # to the original path and query afterwards. The caller secret goes on bereq only (pass).
        set ${STATE} = "challenged";
        if (std.strlen(req.url) <= 2048) {
          set req.url = "${CHALLENGE_PATH}?${CHALLENGE_RETURN_PARAM}=" urlencode(req.url);
        } else {
          set req.url = {"${CHALLENGE_PATH}?${CHALLENGE_RETURN_PARAM}=%2F"};
        }
        set req.method = "GET";
        set req.backend = ${options.scorerBackend};
        return(pass);
      } else {
        set ${ACTION} = "would_" ${ACTION};
        set ${STATE} = "flagged";
      }
    }
  }
}
`;
}
