// falco unit tests of the generated session-scorer snippets (run by test/vcl/vcl.test.ts, which
// assembles the snippets into a main VCL with scripts/vcl/harness.ts assembleMainVcl).
// falco's unit tests cannot run a real restart (req.restarts stays 0), so the second pass is
// tested through scorer_enforce, the subroutine the recv snippet calls once req.restarts > 0, and
// the whole flow, restart included, through falco simulate in test/vcl/simulate.test.ts.

// @scope: recv
// @suite: spoofed internal headers are dropped on the first pass
sub test_spoofed_headers_dropped {
  set req.http.X-Scorer-Score = "0";
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Auth = "guess";
  set req.http.X-Scorer-Set-Cookie = "ss_session=forged";
  set req.http.X-Scorer-Reasons = "none";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.is_notset(req.http.X-Scorer-Score);
  assert.is_notset(req.http.X-Scorer-Reasons);
  assert.is_notset(req.http.X-Scorer-Set-Cookie);
  assert.equal(req.http.X-Scorer-State, "preflight");
  assert.equal(req.http.X-Scorer-Auth, "dev-only-caller-secret-not-for-production");
}

// @scope: recv
// @suite: a page request goes to the scorer as a bodyless GET, with the caller secret, passed
sub test_preflight_sent {
  set req.http.Fastly-Client-IP = "203.0.113.66";
  set req.url = "/blog/post?x=1";
  set req.method = "POST";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "preflight");
  assert.equal(req.backend, F_scorer);
  assert.equal(req.method, "GET");
  assert.equal(req.http.X-Scorer-Original-Method, "POST");
  assert.equal(req.http.Fastly-Client-IP, "192.0.2.1");
  assert.state(pass);
}

// @scope: recv
// @suite: excluded URLs skip the scorer
sub test_excluded_url_skips {
  set req.url = "/assets/app.3f2a.JS?v=2";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-excluded");
  assert.not_equal(req.backend, F_scorer);
  assert.is_notset(req.http.X-Scorer-Auth);
}

// @scope: recv
// @suite: ddos-detected requests skip the scorer
sub test_ddos_skips {
  testing.inject_variable("fastly.ddos_detected", true);
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-ddos");
  assert.not_equal(req.backend, F_scorer);
}

// @scope: recv
// @suite: an unhealthy scorer is skipped: the request is served unscored
sub test_unhealthy_scorer_skips {
  testing.set_backend_health(F_scorer, false);
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-unhealthy");
}

// @scope: recv
// @suite: long User-Agent and Referer are capped
sub test_long_headers_capped {
  set req.http.User-Agent = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";
  set req.http.Referer = req.http.User-Agent req.http.User-Agent req.http.User-Agent;
  testing.call_subroutine("vcl_recv");
  assert.equal(std.strlen(req.http.User-Agent), 512);
  assert.equal(std.strlen(req.http.Referer), 1024);
}

// @scope: fetch
// @suite: the preflight's answer goes to vcl_deliver untouched (no restart in fetch, not cached)
sub test_fetch_hands_preflight_to_deliver {
  set req.http.X-Scorer-State = "preflight";
  set req.backend = F_scorer;
  set beresp.status = 200;
  set beresp.http.X-Scorer-Score = "87";
  testing.call_subroutine("vcl_fetch");
  assert.not_restart();
  assert.state(deliver);
  assert.equal(beresp.http.X-Scorer-Score, "87");
}

// @scope: deliver
// @suite: the scorer's answer is copied into the request and the request restarts exactly once
sub test_deliver_copies_answer_and_restarts {
  set req.http.X-Scorer-State = "preflight";
  set resp.status = 200;
  set resp.http.X-Scorer-Score = "87";
  set resp.http.X-Scorer-Reasons = "fast_browsing,dwell_fast";
  set resp.http.X-Scorer-Session = "0123456789abcdef";
  set resp.http.X-Scorer-Set-Cookie = "ss_session=AQ; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure";
  testing.call_subroutine("vcl_deliver");
  assert.restart();
  assert.equal(req.http.X-Scorer-State, "scored");
  assert.equal(req.http.X-Scorer-Score, "87");
  assert.equal(req.http.X-Scorer-Reasons, "fast_browsing,dwell_fast");
  assert.equal(req.http.X-Scorer-Session, "0123456789abcdef");
  assert.equal(req.http.X-Scorer-Set-Cookie, "ss_session=AQ; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure");
}

// @scope: deliver
// @suite: a fail-open answer from the scorer is served unscored, with its reason
sub test_deliver_fail_open_answer {
  set req.http.X-Scorer-State = "preflight";
  set resp.status = 200;
  set resp.http.X-Scorer-Error = "keys-missing";
  testing.call_subroutine("vcl_deliver");
  assert.restart();
  assert.equal(req.http.X-Scorer-State, "failed");
  assert.equal(req.http.X-Scorer-Error, "keys-missing");
  assert.is_notset(req.http.X-Scorer-Score);
}

// @scope: deliver
// @suite: a scorer error status (or a forged score beside it) is served unscored
sub test_deliver_error_status {
  set req.http.X-Scorer-State = "preflight";
  set resp.status = 503;
  set resp.http.X-Scorer-Score = "100";
  testing.call_subroutine("vcl_deliver");
  assert.restart();
  assert.equal(req.http.X-Scorer-State, "failed");
  assert.equal(req.http.X-Scorer-Error, "status-503");
  assert.is_notset(req.http.X-Scorer-Score);
}

// @scope: fetch
// @suite: origin responses never restart and lose any internal header
sub test_fetch_origin_untouched {
  set req.http.X-Scorer-State = "scored";
  set beresp.status = 200;
  set beresp.http.X-Scorer-Score = "1";
  testing.call_subroutine("vcl_fetch");
  assert.not_restart();
  assert.is_notset(beresp.http.X-Scorer-Score);
}





// @scope: deliver
// @suite: after the restart the final response does not restart again
sub test_deliver_final_response_no_restart {
  set req.http.X-Scorer-State = "scored";
  testing.call_subroutine("vcl_deliver");
  assert.not_restart();
}

// @scope: deliver
// @suite: a preflight that timed out (vcl_error 503, no answer headers) restarts once, unscored
sub test_deliver_preflight_timeout {
  set req.http.X-Scorer-State = "preflight";
  set resp.status = 503;
  testing.call_subroutine("vcl_deliver");
  assert.restart();
  assert.equal(req.http.X-Scorer-State, "failed");
  assert.equal(req.http.X-Scorer-Error, "status-503");
}

// @scope: recv
// @suite: enforce mode: a score at the threshold gets 429
sub test_enforce_at_threshold {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "80");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "80";
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
  assert.equal(req.http.X-Scorer-State, "enforced");
}

// @scope: recv
// @suite: enforce mode: a score one below the threshold passes
sub test_enforce_below_threshold {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "80");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "79";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "scored");
}

// @scope: recv
// @suite: monitor mode never answers 429, even at 100, but marks the request flagged
sub test_monitor_never_blocks {
  testing.table_set(scorer_settings, "mode", "monitor");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "flagged");
}

// @scope: recv
// @suite: off mode never answers 429
sub test_off_never_blocks {
  testing.table_set(scorer_settings, "mode", "off");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
}

// @scope: recv
// @suite: a malformed threshold falls back to 80: 80 blocks
sub test_bad_threshold_defaults {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "eighty");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "80";
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
}

// @scope: recv
// @suite: after the restart there is no second preflight, and the client's method is back
sub test_no_second_preflight {
  set req.http.X-Scorer-State = "failed";
  set req.http.X-Scorer-Original-Method = "POST";
  set req.http.X-Scorer-Auth = "dev-only-caller-secret-not-for-production";
  set req.method = "GET";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.method, "POST");
  assert.is_notset(req.http.X-Scorer-Auth);
  assert.not_error();
}

// @scope: recv
// @suite: a lowercase or unusual method is restored exactly, never left as the preflight's GET (issue 13 item 6)
sub test_method_restored_exactly {
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "0";
  set req.http.X-Scorer-Original-Method = "post";
  set req.method = "GET";
  set req.url = "/article";
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.method, "post");
  set req.http.X-Scorer-Original-Method = "M-SEARCH";
  set req.method = "GET";
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.method, "M-SEARCH");
}

// @scope: deliver
// @suite: the scorer's Set-Cookie is relayed and every internal header is stripped
sub test_deliver_relays_cookie_and_strips {
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "12";
  set req.http.X-Scorer-Set-Cookie = "ss_session=AQ; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure";
  set resp.http.X-Scorer-Score = "12";
  set resp.http.X-Scorer-State = "scored";
  set resp.http.X-Scorer-Reasons = "x";
  testing.call_subroutine("vcl_deliver");
  assert.not_restart();
  assert.equal(resp.http.Set-Cookie, "ss_session=AQ; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure");
  assert.is_notset(resp.http.X-Scorer-Score);
  assert.is_notset(resp.http.X-Scorer-State);
  assert.is_notset(resp.http.X-Scorer-Reasons);
}

// @scope: deliver
// @suite: an enforced 429 carries Retry-After from the dictionary
sub test_deliver_retry_after {
  testing.table_set(scorer_settings, "retry_after", "120");
  set req.http.X-Scorer-State = "enforced";
  set resp.status = 429;
  testing.call_subroutine("vcl_deliver");
  assert.equal(resp.http.Retry-After, "120");
}

// @scope: pass
// @suite: requests to the origin carry no internal header unless the score is opted in
sub test_pass_strips_internal_headers {
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "42";
  set bereq.http.X-Scorer-Score = "42";
  set bereq.http.X-Scorer-Auth = "secret";
  set bereq.http.X-Scorer-Set-Cookie = "c";
  testing.call_subroutine("vcl_pass");
  assert.is_notset(bereq.http.X-Scorer-Score);
  assert.is_notset(bereq.http.X-Scorer-Auth);
  assert.is_notset(bereq.http.X-Scorer-Set-Cookie);
}

// @scope: miss
// @suite: with forward_score opted in, the origin sees the score and reasons only
sub test_miss_forwards_score_when_opted_in {
  testing.table_set(scorer_settings, "forward_score", "true");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "42";
  set req.http.X-Scorer-Reasons = "dwell_fast";
  set bereq.http.X-Scorer-Auth = "secret";
  testing.call_subroutine("vcl_miss");
  assert.equal(bereq.http.X-Scorer-Score, "42");
  assert.equal(bereq.http.X-Scorer-Reasons, "dwell_fast");
  assert.is_notset(bereq.http.X-Scorer-Auth);
}

// @scope: pass
// @suite: the preflight itself keeps its secret and method header
sub test_pass_keeps_preflight_headers {
  set req.http.X-Scorer-State = "preflight";
  set bereq.http.X-Scorer-Auth = "dev-only-caller-secret-not-for-production";
  set bereq.http.X-Scorer-Original-Method = "POST";
  testing.call_subroutine("vcl_pass");
  assert.equal(bereq.http.X-Scorer-Auth, "dev-only-caller-secret-not-for-production");
  assert.equal(bereq.http.X-Scorer-Original-Method, "POST");
}

// @scope: pass
// @suite: the preflight sends the path alone, capped at 2,048 characters, whatever the URL's length (issue 13 item 7)
sub test_pass_preflight_url_capped {
  set req.http.X-Scorer-State = "preflight";
  set req.backend = F_scorer;
  set req.url = "/article/10?utm_source=x&q=" "0123456789";
  testing.call_subroutine("vcl_pass");
  assert.equal(bereq.url, "/article/10");
  # A 2,560-character path and a long query: 10 characters doubled 8 times.
  set req.http.X-Test-Long = "abcdefghij";
  set req.http.X-Test-Long = req.http.X-Test-Long req.http.X-Test-Long;
  set req.http.X-Test-Long = req.http.X-Test-Long req.http.X-Test-Long;
  set req.http.X-Test-Long = req.http.X-Test-Long req.http.X-Test-Long;
  set req.http.X-Test-Long = req.http.X-Test-Long req.http.X-Test-Long;
  set req.http.X-Test-Long = req.http.X-Test-Long req.http.X-Test-Long;
  set req.http.X-Test-Long = req.http.X-Test-Long req.http.X-Test-Long;
  set req.http.X-Test-Long = req.http.X-Test-Long req.http.X-Test-Long;
  set req.http.X-Test-Long = req.http.X-Test-Long req.http.X-Test-Long;
  set req.url = "/" req.http.X-Test-Long "?q=" req.http.X-Test-Long req.http.X-Test-Long;
  testing.call_subroutine("vcl_pass");
  assert.equal(std.strlen(bereq.url), 2048);
  assert.true(std.prefixof(bereq.url, "/abcdefghij"));
  # The client's own URL is untouched.
  assert.equal(std.strlen(req.url), 7684);
}

// @scope: recv
// @suite: mode off in the dictionary is a kill switch: no preflight
sub test_mode_off_skips_preflight {
  testing.table_set(scorer_settings, "mode", "off");
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-off");
  assert.not_equal(req.backend, F_scorer);
}

// @scope: recv
// @suite: the scorer's own paths are never scored
sub test_scorer_paths_skip {
  set req.url = "/.scorer/health";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-internal");
}

// @scope: recv
// @suite: only the scorer's exact routes skip: /.scorer/%2e%2e/article/10 is scored (issue 13 item 5)
sub test_scorer_prefix_does_not_steer {
  set req.url = {"/.scorer/%2e%2e/article/10"};
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: a path parameter or a script segment cannot make a page look like a static asset (issue 13 item 5)
sub test_exclusion_not_steered_by_parameters {
  set req.url = "/a;x.css";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: a jsessionid-style parameter ending in .js is still a page (issue 13 item 5)
sub test_exclusion_not_steered_by_session_parameter {
  set req.url = "/a;jsessionid=1.js";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: a script with path info ending in .css is a page (issue 13 item 5)
sub test_exclusion_not_steered_by_path_info {
  set req.url = "/a.php/x.css";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: a dot segment, even percent-encoded, is never excluded; plain and parameterised assets still are
sub test_exclusion_dot_segments_and_real_assets {
  set req.url = {"/article/10/%2e%2e/x.css"};
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: an encoded dot or slash before the extension is a page to an origin routing on the raw path: scored
sub test_exclusion_needs_the_raw_path_too {
  set req.url = {"/article/10%2Ecss"};
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: real static assets are still excluded, with a query or a harmless parameter
sub test_exclusion_real_assets {
  set req.url = "/static/app.css?v=3";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-excluded");
}

// @scope: pass
// @suite: a request marked preflight but sent to another backend never carries the secret
sub test_pass_strips_secret_off_scorer_backend {
  set req.http.X-Scorer-State = "preflight";
  set req.backend = F_origin;
  set bereq.http.X-Scorer-Auth = "dev-only-caller-secret-not-for-production";
  testing.call_subroutine("vcl_pass");
  assert.is_notset(bereq.http.X-Scorer-Auth);
}

// @scope: deliver
// @suite: a relayed cookie makes the response private to downstream caches
sub test_deliver_cookie_private {
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Set-Cookie = "ss_session=AQ; Path=/";
  set resp.http.Cache-Control = "public, max-age=3600";
  testing.call_subroutine("vcl_deliver");
  assert.equal(resp.http.Cache-Control, {"public, max-age=3600, no-cache="Set-Cookie""});
}

// @scope: deliver
// @suite: a relayed cookie on a response without Cache-Control makes it private
sub test_deliver_cookie_private_default {
  set req.http.X-Scorer-State = "flagged";
  set req.http.X-Scorer-Set-Cookie = "ss_session=AQ; Path=/";
  testing.call_subroutine("vcl_deliver");
  assert.equal(resp.http.Cache-Control, "private");
  assert.equal(resp.http.Set-Cookie, "ss_session=AQ; Path=/");
}

// @scope: deliver
// @suite: skipped requests get no cookie, even if a cookie header value is somehow present
sub test_deliver_skipped_no_cookie {
  set req.http.X-Scorer-State = "skipped-excluded";
  set req.http.X-Scorer-Set-Cookie = "ss_session=AQ; Path=/";
  testing.call_subroutine("vcl_deliver");
  assert.is_notset(resp.http.Set-Cookie);
}

// @scope: deliver
// @suite: a malformed retry_after falls back to 60 and the 429 is not cacheable
sub test_deliver_retry_after_default {
  testing.table_set(scorer_settings, "retry_after", "soon");
  set req.http.X-Scorer-State = "enforced";
  set resp.status = 429;
  testing.call_subroutine("vcl_deliver");
  assert.equal(resp.http.Retry-After, "60");
  assert.equal(resp.http.Cache-Control, "no-store");
}

// Request facts the VCL forwards on the preflight (x-scorer-proto, x-scorer-ja4, x-scorer-host,
// x-scorer-tls). falco's test request is plain HTTP/1.1, and neither req.proto nor req.is_ssl can
// be injected (inject_variable leaves them); tls.client.ja4 can (falco's default is a fixed string).

// @scope: recv
// @suite: spoofed x-scorer-proto, x-scorer-ja4, x-scorer-host and x-scorer-tls are replaced by the VCL's own values on the preflight
sub test_spoofed_request_facts_replaced {
  testing.inject_variable("tls.client.ja4", "t13d1516h2_8daaf6152771_02713d6af862");
  set req.http.X-Scorer-Proto = "HTTP/3";
  set req.http.X-Scorer-Ja4 = "t13d0000h2_000000000000_000000000000";
  set req.http.X-Scorer-Host = "forged.example";
  set req.http.X-Scorer-Tls = "1";
  set req.http.Host = "shop.example";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "preflight");
  assert.equal(req.http.X-Scorer-Proto, req.proto);
  assert.equal(req.http.X-Scorer-Proto, "HTTP/1.1");
  assert.equal(req.http.X-Scorer-Ja4, "t13d1516h2_8daaf6152771_02713d6af862");
  assert.equal(req.http.X-Scorer-Host, "shop.example");
  assert.equal(req.http.X-Scorer-Tls, "0");
}

// @scope: recv
// @suite: a request that skips the scorer keeps no client copy of the request-fact headers
sub test_spoofed_request_facts_dropped_when_skipped {
  set req.http.X-Scorer-Proto = "HTTP/3";
  set req.http.X-Scorer-Ja4 = "forged";
  set req.http.X-Scorer-Host = "forged.example";
  set req.http.X-Scorer-Tls = "1";
  set req.url = "/assets/site.css";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-excluded");
  assert.is_notset(req.http.X-Scorer-Proto);
  assert.is_notset(req.http.X-Scorer-Ja4);
  assert.is_notset(req.http.X-Scorer-Host);
  assert.is_notset(req.http.X-Scorer-Tls);
}

// @scope: pass
// @suite: the origin never sees the request-fact headers (pass)
sub test_pass_strips_request_facts {
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Proto = "HTTP/2";
  set bereq.http.X-Scorer-Proto = "HTTP/2";
  set bereq.http.X-Scorer-Ja4 = "t13d1516h2_8daaf6152771_02713d6af862";
  set bereq.http.X-Scorer-Host = "shop.example";
  set bereq.http.X-Scorer-Tls = "1";
  testing.call_subroutine("vcl_pass");
  assert.is_notset(bereq.http.X-Scorer-Proto);
  assert.is_notset(bereq.http.X-Scorer-Ja4);
  assert.is_notset(bereq.http.X-Scorer-Host);
  assert.is_notset(bereq.http.X-Scorer-Tls);
}

// @scope: miss
// @suite: the origin never sees the request-fact headers (miss), even with forward_score on
sub test_miss_strips_request_facts {
  testing.table_set(scorer_settings, "forward_score", "true");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "42";
  set bereq.http.X-Scorer-Proto = "HTTP/2";
  set bereq.http.X-Scorer-Ja4 = "t13d1516h2_8daaf6152771_02713d6af862";
  set bereq.http.X-Scorer-Host = "shop.example";
  set bereq.http.X-Scorer-Tls = "1";
  testing.call_subroutine("vcl_miss");
  assert.equal(bereq.http.X-Scorer-Score, "42");
  assert.is_notset(bereq.http.X-Scorer-Proto);
  assert.is_notset(bereq.http.X-Scorer-Ja4);
  assert.is_notset(bereq.http.X-Scorer-Host);
  assert.is_notset(bereq.http.X-Scorer-Tls);
}

// @scope: pass
// @suite: the preflight to the scorer keeps the request-fact headers
sub test_pass_keeps_request_facts_on_preflight {
  set req.http.X-Scorer-State = "preflight";
  set req.backend = F_scorer;
  set bereq.http.X-Scorer-Proto = "HTTP/2";
  set bereq.http.X-Scorer-Ja4 = "t13d1516h2_8daaf6152771_02713d6af862";
  testing.call_subroutine("vcl_pass");
  assert.equal(bereq.http.X-Scorer-Proto, "HTTP/2");
  assert.equal(bereq.http.X-Scorer-Ja4, "t13d1516h2_8daaf6152771_02713d6af862");
}

// @scope: deliver
// @suite: the client never sees the request-fact headers in a response
sub test_deliver_strips_request_facts {
  set req.http.X-Scorer-State = "scored";
  set resp.http.X-Scorer-Proto = "HTTP/2";
  set resp.http.X-Scorer-Ja4 = "t13d1516h2_8daaf6152771_02713d6af862";
  set resp.http.X-Scorer-Host = "shop.example";
  set resp.http.X-Scorer-Tls = "1";
  testing.call_subroutine("vcl_deliver");
  assert.is_notset(resp.http.X-Scorer-Proto);
  assert.is_notset(resp.http.X-Scorer-Ja4);
  assert.is_notset(resp.http.X-Scorer-Host);
  assert.is_notset(resp.http.X-Scorer-Tls);
}
