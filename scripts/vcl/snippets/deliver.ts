/**
 * The deliver snippet (priority 10): on the first pass, copy the preflight's answer (each value
 * checked against its pattern) and restart exactly once; on the final response, relay the
 * scorer's cookie (made private), set the 429's Retry-After, write the decision log line, and
 * strip every internal header.
 */
import { GENERATED_BY, REASONS_PATTERN, SESSION_HASH_PATTERN } from '../facts.js';
import type { ValidatedVclOptions } from '../options.js';
import { ACTION, EXEMPT, setting, STATE, unsetInternalHeaders } from './fragments.js';
import { DICTIONARY_DEFAULTS, SCORE_PATTERN } from '../../../src/edge-contract.js';

export function deliverSnippet(options: ValidatedVclOptions): string {
  const retryAfter = setting('retry_after', DICTIONARY_DEFAULTS.retry_after);
  return `${GENERATED_BY}
# session-scorer: on the first pass, read the preflight's answer and restart exactly once. Errors,
# timeouts and refusals arrive here too (through vcl_error) and are served unscored. On the final
# response, relay the scorer's cookie and keep every internal header from the client.
if (req.restarts == 0 && ${STATE} == "preflight") {
  if (resp.status == 200 && resp.http.X-Scorer-Score ~ "${SCORE_PATTERN}") {
    set req.http.X-Scorer-Score = resp.http.X-Scorer-Score;
    if (resp.http.X-Scorer-Reasons ~ "${REASONS_PATTERN}") {
      set req.http.X-Scorer-Reasons = resp.http.X-Scorer-Reasons;
    }
    if (resp.http.X-Scorer-Session ~ "${SESSION_HASH_PATTERN}") {
      set req.http.X-Scorer-Session = resp.http.X-Scorer-Session;
    }
    if (std.strlen(resp.http.X-Scorer-Set-Cookie) > 0 && std.strlen(resp.http.X-Scorer-Set-Cookie) < 1024) {
      set req.http.X-Scorer-Set-Cookie = resp.http.X-Scorer-Set-Cookie;
    }
    set ${STATE} = "scored";
  } else {
    set ${STATE} = "failed";
    set req.http.X-Scorer-Error = "status-" resp.status;
    if (resp.http.X-Scorer-Error ~ "^[a-z0-9-]{1,40}$") {
      set req.http.X-Scorer-Error = resp.http.X-Scorer-Error;
    }
  }
  restart;
}
# The state header only ever holds what this VCL set: clients' copies are dropped on the first pass.
if (${STATE} ~ "^(scored|flagged|enforced)$" && std.strlen(req.http.X-Scorer-Set-Cookie) > 0) {
  add resp.http.Set-Cookie = req.http.X-Scorer-Set-Cookie;
  # A per-user cookie must not be stored by a shared cache downstream.
  if (!resp.http.Cache-Control) {
    set resp.http.Cache-Control = "private";
  } else if (resp.http.Cache-Control !~ "(?i)private|no-store") {
    set resp.http.Cache-Control = resp.http.Cache-Control {", no-cache="Set-Cookie""};
  }
}
if (${STATE} ~ "^challenge") {
  # The challenge page is per visitor: never stored by the browser or any cache downstream. (Its
  # own Set-Cookie, built on the preflight's, replaces the one relayed above for other states.)
  set resp.http.Cache-Control = "no-store, private";
}
if (${STATE} == "enforced" && resp.status == 429) {
  set resp.http.Cache-Control = "no-store";
  set resp.http.Retry-After = "${DICTIONARY_DEFAULTS.retry_after}";
  if (${retryAfter} ~ "^[0-9]{1,6}$") {
    set resp.http.Retry-After = ${retryAfter};
  }
}
if (std.strlen(${STATE}) > 0) {
  # One line per scored or skipped request. Every field is either checked against a pattern or
  # URL-encoded, so nothing a client sends can forge a field or a line.
  log "syslog " req.service_id " ${options.logEndpoint} :: scorer state=" urlencode(${STATE})
    " score=" if(req.http.X-Scorer-Score ~ "${SCORE_PATTERN}", req.http.X-Scorer-Score, "-")
    " reasons=" if(req.http.X-Scorer-Reasons ~ "${REASONS_PATTERN}", req.http.X-Scorer-Reasons, "-")
    " error=" if(req.http.X-Scorer-Error ~ "^[a-z0-9-]{1,60}$", req.http.X-Scorer-Error, "-")
    " session=" if(req.http.X-Scorer-Session ~ "${SESSION_HASH_PATTERN}", req.http.X-Scorer-Session, "-")
    " action=" if(${ACTION} ~ "^(would_)?(block|challenge)$", ${ACTION}, "-")
    " exempt=" if(${EXEMPT} ~ "^(verified_bot|path)$", ${EXEMPT}, "-")
    " bot=" if(req.http.X-Scorer-Verified-Bot ~ "^[a-z0-9-]{1,32}$", req.http.X-Scorer-Verified-Bot, "-")
    " claimed_bot=" if(req.http.X-Scorer-Claimed-Bot ~ "^[a-z0-9-]{1,32}$", req.http.X-Scorer-Claimed-Bot, "-")
    " status=" resp.status " path=" urlencode(substr(req.url.path, 0, 256));
}
${unsetInternalHeaders('resp', '')}
`;
}
