// falco unit tests of the safe enforcement: declared crawlers (verified by their published ranges,
// or spoofed), exempt paths, and the two bands (challenge, block) in each mode. Run by
// test/vcl/vcl.test.ts on the assembled snippets (the committed crawler snapshot's ACLs). The
// addresses used are inside the snapshot's ranges: 66.249.66.1 (Googlebot, 66.249.66.0/27),
// 2001:4860:4801:10::1 (Googlebot IPv6, 2001:4860:4801:10::/64), 157.55.39.1 (bingbot,
// 157.55.39.0/24); falco's own client.ip (192.0.2.1) is in none. As in scorer.test.vcl, the
// second pass (after the restart, which falco's unit tests cannot run) is tested by calling
// scorer_enforce directly.

// @scope: recv
// @suite: crawlers: Googlebot from Google's published range (IPv4) is marked verified
sub test_googlebot_verified_v4 {
  testing.inject_variable("client.ip", "66.249.66.1");
  set req.http.User-Agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-Verified-Bot, "googlebot");
  assert.is_notset(req.http.X-Scorer-Claimed-Bot);
  // Still scored: the preflight goes out.
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: crawlers: Googlebot from Google's published IPv6 range is marked verified
sub test_googlebot_verified_v6 {
  testing.inject_variable("client.ip", "2001:4860:4801:10::1");
  set req.http.User-Agent = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/120.0.0.0 Safari/537.36";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-Verified-Bot, "googlebot");
}

// @scope: recv
// @suite: crawlers: bingbot from Bing's published range is verified; the token is matched without regard to case
sub test_bingbot_verified {
  testing.inject_variable("client.ip", "157.55.39.1");
  set req.http.User-Agent = "Mozilla/5.0 (compatible; BingBot/2.0; +http://www.bing.com/bingbot.htm)";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-Verified-Bot, "bingbot");
}

// @scope: recv
// @suite: crawlers: a Googlebot User-Agent from outside Google's ranges is marked claimed (spoofed), never verified
sub test_googlebot_spoofed {
  set req.http.User-Agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-Claimed-Bot, "googlebot");
  assert.is_notset(req.http.X-Scorer-Verified-Bot);
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: crawlers: a bingbot User-Agent from Google's range is spoofed (each crawler has its own ACL)
sub test_bingbot_from_google_range_spoofed {
  testing.inject_variable("client.ip", "66.249.66.1");
  set req.http.User-Agent = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-Claimed-Bot, "bingbot");
  assert.is_notset(req.http.X-Scorer-Verified-Bot);
}

// @scope: recv
// @suite: crawlers: a browser User-Agent from a crawler range is neither verified nor claimed
sub test_browser_from_crawler_range_unmarked {
  testing.inject_variable("client.ip", "66.249.66.1");
  set req.http.User-Agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.is_notset(req.http.X-Scorer-Verified-Bot);
  assert.is_notset(req.http.X-Scorer-Claimed-Bot);
}

// @scope: recv
// @suite: crawlers: a client's own x-scorer-verified-bot and x-scorer-claimed-bot are stripped first
sub test_client_verified_bot_header_stripped {
  set req.http.X-Scorer-Verified-Bot = "googlebot";
  set req.http.X-Scorer-Claimed-Bot = "bingbot";
  set req.http.X-Scorer-Action = "would_block";
  set req.http.X-Scorer-Exempt = "verified_bot";
  set req.http.User-Agent = "curl/8.5.0";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.is_notset(req.http.X-Scorer-Verified-Bot);
  assert.is_notset(req.http.X-Scorer-Claimed-Bot);
  assert.is_notset(req.http.X-Scorer-Action);
  assert.is_notset(req.http.X-Scorer-Exempt);
}

// @scope: recv
// @suite: crawlers: a client's forged x-scorer-verified-bot beside a spoofed Googlebot User-Agent does not verify it
sub test_forged_verified_with_spoofed_ua {
  set req.http.X-Scorer-Verified-Bot = "googlebot";
  set req.http.User-Agent = "Googlebot/2.1 (+http://www.google.com/bot.html)";
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.is_notset(req.http.X-Scorer-Verified-Bot);
  assert.equal(req.http.X-Scorer-Claimed-Bot, "googlebot");
}

// @scope: recv
// @suite: enforce: a verified crawler at score 100 is neither blocked nor challenged, only recorded
sub test_enforce_verified_bot_never_blocked {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "80");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  set req.http.X-Scorer-Verified-Bot = "googlebot";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "flagged");
  assert.equal(req.http.X-Scorer-Action, "would_block");
  assert.equal(req.http.X-Scorer-Exempt, "verified_bot");
}

// @scope: recv
// @suite: enforce: a verified crawler in the challenge band is not challenged
sub test_enforce_verified_bot_never_challenged {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "80");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "60";
  set req.http.X-Scorer-Verified-Bot = "bingbot";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "flagged");
  assert.equal(req.http.X-Scorer-Action, "would_challenge");
  assert.equal(req.url, "/page");
}

// @scope: recv
// @suite: enforce: a spoofed crawler (claimed, not verified) at the threshold is blocked
sub test_enforce_spoofed_crawler_blocked {
  testing.table_set(scorer_settings, "mode", "enforce");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "95";
  set req.http.X-Scorer-Reasons = "crawler_spoofed";
  set req.http.X-Scorer-Claimed-Bot = "googlebot";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
  assert.equal(req.http.X-Scorer-State, "enforced");
  assert.equal(req.http.X-Scorer-Action, "block");
}

// @scope: recv
// @suite: enforce: exempt paths (robots.txt, sitemaps, feeds, /.well-known/, APIs) are never blocked
sub test_enforce_exempt_paths_never_blocked {
  testing.table_set(scorer_settings, "mode", "enforce");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  set req.url = "/robots.txt";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-Exempt, "path");
  assert.equal(req.http.X-Scorer-Action, "would_block");
  set req.http.X-Scorer-State = "scored";
  unset req.http.X-Scorer-Exempt;
  set req.url = "/sitemap_index.xml";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-Exempt, "path");
  set req.http.X-Scorer-State = "scored";
  unset req.http.X-Scorer-Exempt;
  set req.url = "/blog/feed/";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-Exempt, "path");
  set req.http.X-Scorer-State = "scored";
  unset req.http.X-Scorer-Exempt;
  set req.url = "/.well-known/security.txt";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  set req.http.X-Scorer-State = "scored";
  unset req.http.X-Scorer-Exempt;
  set req.url = "/api/v1/items?page=2";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-Exempt, "path");
}

// @scope: recv
// @suite: enforce: an exempt path in the challenge band is not challenged (the URL is left alone)
sub test_enforce_exempt_path_never_challenged {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "challenge_threshold", "40");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "50";
  set req.url = "/feed.xml";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-Action, "would_challenge");
  assert.equal(req.url, "/feed.xml");
  assert.not_equal(req.http.X-Scorer-State, "challenged");
}

// @scope: recv
// @suite: enforce: a steering path is not exempt: /.well-known/..;/article/10 is blocked (review of issue 13 item 5)
sub test_enforce_exempt_not_steered_dotdot_param {
  testing.table_set(scorer_settings, "mode", "enforce");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  set req.url = "/.well-known/..;/article/10";
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
}

// @scope: recv
// @suite: enforce: a steering path is not exempt: /robots.txt/..;/article/10 is blocked (review of issue 13 item 5)
sub test_enforce_exempt_not_steered_robots_dotdot_param {
  testing.table_set(scorer_settings, "mode", "enforce");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  set req.url = "/robots.txt/..;/article/10";
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
}

// @scope: recv
// @suite: enforce: a steering path is not exempt: /sitemap/%2e%2e;/article/10 is blocked (review of issue 13 item 5)
sub test_enforce_exempt_not_steered_sitemap_encoded_dotdot {
  testing.table_set(scorer_settings, "mode", "enforce");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  set req.url = {"/sitemap/%2e%2e;/article/10"};
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
}

// @scope: recv
// @suite: enforce: an ordinary page whose name starts like a feed is not exempt
sub test_enforce_ordinary_page_not_exempt {
  testing.table_set(scorer_settings, "mode", "enforce");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "90";
  set req.url = "/blog/feeding-cats";
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
}

// @scope: recv
// @suite: enforce: the challenge band sends the request to the scorer's challenge route, passed, with the original URL
sub test_enforce_challenge_band {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "80");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "50";
  set req.http.X-Scorer-Original-Method = "POST";
  set req.url = "/shop/item?id=7&x=a b";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "challenged");
  assert.equal(req.http.X-Scorer-Action, "challenge");
  // A long string: "…" literals decode %XX escapes in VCL.
  assert.equal(req.url, {"/.scorer/challenge?return=%2Fshop%2Fitem%3Fid%3D7%26x%3Da%20b"});
  assert.equal(req.method, "GET");
  assert.equal(req.backend, F_scorer);
  // The secret is set on bereq only (vcl_pass), never in req.
  assert.is_notset(req.http.X-Scorer-Auth);
  assert.state(pass);
}

// @scope: recv
// @suite: enforce: one below the challenge threshold passes untouched; the block band still blocks
sub test_enforce_band_edges {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "80");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "49";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "scored");
  assert.is_notset(req.http.X-Scorer-Action);
  assert.equal(req.url, "/page");
  set req.http.X-Scorer-Score = "79";
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.http.X-Scorer-State, "challenged");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "80";
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
}

// @scope: recv
// @suite: enforce: no challenge_threshold in the dictionary means no challenge band (today's behaviour)
sub test_enforce_no_challenge_band_by_default {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "80");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "79";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "scored");
  assert.is_notset(req.http.X-Scorer-Action);
}

// @scope: recv
// @suite: enforce: nonsense in the dictionary (a challenge threshold above the block threshold, or not a score) means no challenge band
sub test_enforce_challenge_threshold_nonsense {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "threshold", "70");
  testing.table_set(scorer_settings, "challenge_threshold", "90");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "69";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.http.X-Scorer-State, "scored");
  set req.http.X-Scorer-Score = "70";
  testing.call_subroutine("scorer_enforce");
  assert.error(429);
  testing.table_set(scorer_settings, "challenge_threshold", "-5");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "40";
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.http.X-Scorer-State, "scored");
  testing.table_set(scorer_settings, "challenge_threshold", "050");
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.http.X-Scorer-State, "scored");
}

// @scope: recv
// @suite: monitor: the block band is never blocked, only recorded as would_block
sub test_monitor_block_band {
  testing.table_set(scorer_settings, "mode", "monitor");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "flagged");
  assert.equal(req.http.X-Scorer-Action, "would_block");
  assert.is_notset(req.http.X-Scorer-Exempt);
  assert.equal(req.url, "/page");
}

// @scope: recv
// @suite: monitor: the challenge band is never challenged, only recorded as would_challenge
sub test_monitor_challenge_band {
  testing.table_set(scorer_settings, "mode", "monitor");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "60";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-State, "flagged");
  assert.equal(req.http.X-Scorer-Action, "would_challenge");
  assert.equal(req.url, "/page");
}

// @scope: recv
// @suite: monitor: below both bands nothing is recorded
sub test_monitor_below_bands {
  testing.table_set(scorer_settings, "mode", "monitor");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "10";
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.http.X-Scorer-State, "scored");
  assert.is_notset(req.http.X-Scorer-Action);
}

// @scope: recv
// @suite: off: no preflight, so no band applies, whatever the dictionary's thresholds
sub test_off_mode_no_action {
  testing.table_set(scorer_settings, "mode", "off");
  testing.table_set(scorer_settings, "threshold", "0");
  testing.table_set(scorer_settings, "challenge_threshold", "0");
  set req.url = "/page";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-off");
  assert.not_equal(req.backend, F_scorer);
  assert.is_notset(req.http.X-Scorer-Action);
}

// @scope: recv
// @suite: off: scorer_enforce never acts in off mode even on a score of 100 (the mode flipped mid-request)
sub test_off_mode_enforce_no_action {
  testing.table_set(scorer_settings, "mode", "off");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "100";
  set req.url = "/page";
  testing.call_subroutine("scorer_enforce");
  assert.not_error();
  assert.equal(req.http.X-Scorer-Action, "would_block");
  assert.equal(req.url, "/page");
}

// @scope: pass
// @suite: challenge: a challenged request sent anywhere but the scorer carries no internal header
sub test_pass_challenge_off_scorer_strips {
  set req.http.X-Scorer-State = "challenged";
  set req.backend = F_origin;
  set bereq.http.X-Scorer-Auth = "dev-only-caller-secret-not-for-production";
  set bereq.http.X-Scorer-Verified-Bot = "googlebot";
  set bereq.http.X-Scorer-Action = "challenge";
  testing.call_subroutine("vcl_pass");
  assert.is_notset(bereq.http.X-Scorer-Auth);
  assert.is_notset(bereq.http.X-Scorer-Verified-Bot);
  assert.is_notset(bereq.http.X-Scorer-Action);
}

// @scope: miss
// @suite: origin fetches never carry the crawler verdict or the action headers
sub test_miss_strips_bot_headers {
  set req.http.X-Scorer-State = "scored";
  set bereq.http.X-Scorer-Verified-Bot = "googlebot";
  set bereq.http.X-Scorer-Claimed-Bot = "bingbot";
  set bereq.http.X-Scorer-Exempt = "path";
  testing.call_subroutine("vcl_miss");
  assert.is_notset(bereq.http.X-Scorer-Verified-Bot);
  assert.is_notset(bereq.http.X-Scorer-Claimed-Bot);
  assert.is_notset(bereq.http.X-Scorer-Exempt);
}

// @scope: deliver
// @suite: challenge route: its responses are never cacheable either
sub test_deliver_challenge_route_not_cacheable {
  set req.http.X-Scorer-State = "challenge-route";
  set resp.status = 200;
  testing.call_subroutine("vcl_deliver");
  assert.not_restart();
  assert.equal(resp.http.Cache-Control, "no-store, private");
}

// @scope: fetch
// @suite: challenge: the scorer's challenge response is not treated as a preflight answer (no restart)
sub test_fetch_challenge_no_restart {
  set req.http.X-Scorer-State = "challenged";
  set req.backend = F_scorer;
  set beresp.status = 200;
  testing.call_subroutine("vcl_fetch");
  assert.not_restart();
}

// @scope: recv
// @suite: enforce: a URL too long to carry in the return parameter returns the visitor to /
sub test_enforce_challenge_long_url {
  testing.table_set(scorer_settings, "mode", "enforce");
  testing.table_set(scorer_settings, "challenge_threshold", "50");
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Score = "60";
  set req.http.X-Long = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";
  set req.http.X-Long = req.http.X-Long req.http.X-Long req.http.X-Long req.http.X-Long req.http.X-Long;
  set req.url = "/search?q=" req.http.X-Long req.http.X-Long req.http.X-Long req.http.X-Long req.http.X-Long;
  testing.call_subroutine("scorer_enforce");
  assert.equal(req.http.X-Scorer-State, "challenged");
  assert.equal(req.url, {"/.scorer/challenge?return=%2F"});
}

// @scope: pass
// @suite: challenge: the challenge request to the scorer carries the caller secret, the client address and the preflight's new cookie
sub test_pass_challenge_to_scorer {
  set req.http.X-Scorer-State = "challenged";
  set req.backend = F_scorer;
  set req.http.X-Scorer-Set-Cookie = "ss_session=NEW; Path=/";
  set req.http.X-Scorer-Score = "60";
  set bereq.http.X-Scorer-Score = "60";
  testing.call_subroutine("vcl_pass");
  assert.equal(bereq.http.X-Scorer-Auth, "dev-only-caller-secret-not-for-production");
  assert.equal(bereq.http.Fastly-Client-IP, "192.0.2.1");
  assert.equal(bereq.http.X-Scorer-Set-Cookie, "ss_session=NEW; Path=/");
  assert.is_notset(bereq.http.X-Scorer-Score);
}

// @scope: deliver
// @suite: challenge: the challenge response is never cacheable, carries only the scorer's own cookie, and shows no internal header
sub test_deliver_challenge_not_cacheable {
  set req.http.X-Scorer-State = "challenged";
  set req.http.X-Scorer-Set-Cookie = "ss_session=PREFLIGHT; Path=/";
  set resp.status = 200;
  set resp.http.Set-Cookie = "ss_session=CHALLENGE; Path=/";
  set resp.http.Cache-Control = "public, max-age=600";
  set resp.http.X-Scorer-Action = "challenge";
  testing.call_subroutine("vcl_deliver");
  assert.not_restart();
  assert.equal(resp.http.Cache-Control, "no-store, private");
  assert.equal(resp.http.Set-Cookie, "ss_session=CHALLENGE; Path=/");
  assert.is_notset(resp.http.X-Scorer-Action);
}

// @scope: fetch
// @suite: challenge: the scorer's challenge page skips operator fetch logic (straight to deliver)
sub test_fetch_challenge_to_deliver {
  set req.http.X-Scorer-State = "challenged";
  set req.backend = F_scorer;
  set beresp.status = 200;
  testing.call_subroutine("vcl_fetch");
  assert.state(deliver);
}
