/**
 * The recv snippet (priority 10): on the first pass, drop clients' internal headers, check
 * declared crawlers against their ACLs, skip what must not be scored, and send the rest to the
 * scorer as a bodyless GET (the preflight); back from it, call scorer_enforce (enforce snippet).
 * The challenge routes' block follows (scripts/vcl/challenge-route.ts).
 */
import { REQUEST_HEADERS } from '../../../src/edge-contract.js';
import { GENERATED_BY, SCORER_ROUTES_REGEX, vclHeaderName } from '../facts.js';
import type { ValidatedVclOptions } from '../options.js';
import { declaredCrawlers } from './crawlers.js';
import {
  CALLER_SECRET,
  challengeRoute,
  regexHolds,
  setting,
  STATE,
  unsetInternalHeaders,
} from './fragments.js';
import { DICTIONARY_DEFAULTS } from '../../../src/edge-contract.js';

export function recvSnippet(options: ValidatedVclOptions): string {
  const backend = options.scorerBackend;
  // Declared crawlers: each User-Agent pattern (scorer-core's CRAWLERS, first match wins) and the
  // ACL of that crawler's published ranges. A crawler whose snapshot lacks a source is only ever
  // marked verified: a claim from outside the ranges we have is not proof of spoofing.
  const crawlerBranches = declaredCrawlers(options.verifiedBots)
    .map((c, i) => {
      const verify =
        c.cidrs.length > 0
          ? `    if (client.ip ~ ${c.acl}) {\n      set req.http.X-Scorer-Verified-Bot = ` +
            `"${c.name}";\n    ` +
            `}${c.complete ? ` else {\n      set req.http.X-Scorer-Claimed-Bot = "${c.name}";\n    }` : ''}`
          : `    # No ranges in the snapshot: the claim can be neither verified nor refuted.`;
      return `  ${i === 0 ? 'if' : '} else if'} (req.http.User-Agent ~ {"(?i)${c.userAgent}"}) {\n${verify}`;
    })
    .join('\n');

  return `${GENERATED_BY}
# session-scorer preflight, first pass: send the request to the scorer, then restart with its answer.
if (req.restarts == 0) {
  # Clients can never supply a score, a state marker or the caller secret.
${unsetInternalHeaders('req', '  ')}
  # Cap what the scorer (and every log) sees.
  if (std.strlen(req.http.User-Agent) > 512) {
    set req.http.User-Agent = substr(req.http.User-Agent, 0, 512);
  }
  if (std.strlen(req.http.Referer) > 1024) {
    set req.http.Referer = substr(req.http.Referer, 0, 1024);
  }
  # Declared crawlers: a User-Agent claiming one is checked against that crawler's published
  # ranges (the ACLs of the crawlers snippet). Verified ones are scored but never acted on;
  # others are marked claimed (spoofed) for the scorer.
${crawlerBranches}
  }
  if (${setting('mode', DICTIONARY_DEFAULTS.mode)} == "off") {
    # Kill switch: no preflight, no cookie.
    set ${STATE} = "skipped-off";
  } else if (fastly.ddos_detected) {
    set ${STATE} = "skipped-ddos";
  } else if (${regexHolds(options.excludeUrlRegex)}) {
    # Matched on the path without ;parameters, percent-decoded, and never for a path that steers
    # (a script segment followed by more path, or a dot segment): /a.php/x.css, /a;x.css and
    # /a/%2e%2e/x.css reach the origin as pages.
    set ${STATE} = "skipped-excluded";
  } else if (req.url.path ~ {"${SCORER_ROUTES_REGEX}"}) {
    # Exactly the scorer's own routes, not every /.scorer/ path.
    set ${STATE} = "skipped-internal";
  } else if (req.is_esi_subreq) {
    # Fragments belong to the page view that was scored.
    set ${STATE} = "skipped-esi";
  } else if (fastly.ff.visits_this_service > 0) {
    # Already scored where the request entered this service (shielding).
    set ${STATE} = "skipped-shield";
  } else if (!backend.${backend}.healthy) {
    set ${STATE} = "skipped-unhealthy";
  } else {
    set ${STATE} = "preflight";
    # The scorer counts new sessions per client: give it the address Fastly saw, not one a client sent.
    set req.http.Fastly-Client-IP = client.ip;
    # Request facts only this service knows (the scorer sees this service's connection, and the
    # scorer backend's override host): client copies of these headers were dropped above.
    set req.http.${vclHeaderName(REQUEST_HEADERS.proto)} = req.proto;
    set req.http.${vclHeaderName(REQUEST_HEADERS.ja4)} = tls.client.ja4;
    set req.http.${vclHeaderName(REQUEST_HEADERS.host)} = req.http.Host;
    set req.http.${vclHeaderName(REQUEST_HEADERS.tls)} = if(req.is_ssl, "1", "0");
    # A bodyless GET: the scorer never needs the body; the method travels in a header.
    set req.http.X-Scorer-Original-Method = req.method;
    set req.method = "GET";
    set req.http.X-Scorer-Auth = ${CALLER_SECRET};
    set req.backend = ${backend};
    return(pass);
  }
} else if (${STATE} ~ "^preflight") {
  # Restarted by something else before the preflight finished (e.g. a vcl_error restart on a
  # scorer timeout): serve it unscored, and never let the preflight's secret go further.
  set ${STATE} = "failed";
  set req.http.X-Scorer-Error = "preflight-interrupted";
  call scorer_enforce;
} else if (${STATE} == "scored" || ${STATE} == "failed") {
  # Back from the preflight (scorer_enforce is defined in the enforce snippet).
  call scorer_enforce;
}
${challengeRoute(backend).recv}`;
}
