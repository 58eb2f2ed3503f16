// falco unit tests of the challenge-route block (scripts/vcl/challenge-route.ts): the scorer's
// challenge page and verify route go to the scorer backend, passed, never to the origin, with the
// caller secret on the backend request only.

// @scope: recv
// @suite: challenge route: the challenge page goes to the scorer, passed, without the secret in req
sub test_challenge_page_routed {
  set req.url = "/.scorer/challenge?return=%2Fblog%2Fpost";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "challenge-route");
  assert.equal(req.backend, F_scorer);
  assert.state(pass);
  assert.is_notset(req.http.X-Scorer-Auth);
  assert.is_notset(req.http.X-Scorer-Score);
}

// @scope: recv
// @suite: challenge route: the verify route goes to the scorer, passed
sub test_challenge_verify_routed {
  set req.url = "/.scorer/challenge/verify?token=AQ&counter=12&return=%2F";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "challenge-route");
  assert.equal(req.backend, F_scorer);
  assert.state(pass);
}

// @scope: recv
// @suite: challenge route: a client's own secret or state on the route is dropped
sub test_challenge_route_spoofed_headers {
  set req.http.X-Scorer-Auth = "guess";
  set req.http.X-Scorer-State = "scored";
  set req.http.X-Scorer-Set-Cookie = "ss_session=forged";
  set req.url = "/.scorer/challenge?return=%2F";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "challenge-route");
  assert.is_notset(req.http.X-Scorer-Auth);
  assert.is_notset(req.http.X-Scorer-Set-Cookie);
}

// @scope: recv
// @suite: challenge route: a look-alike path is not routed
sub test_challenge_route_exact_paths_only {
  set req.url = "/.scorer/challengex";
  testing.call_subroutine("vcl_recv");
  # Not a scorer route: scored like any page (a preflight), never answered as the challenge.
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: challenge route: a deeper path under the route is not routed
sub test_challenge_route_deeper_path {
  set req.url = "/.scorer/challenge/verify/extra";
  testing.call_subroutine("vcl_recv");
  # Not a scorer route: scored like any page (a preflight), never answered as the challenge.
  assert.equal(req.http.X-Scorer-State, "preflight");
}

// @scope: recv
// @suite: challenge route: POST is not routed
sub test_challenge_route_post {
  set req.method = "POST";
  set req.url = "/.scorer/challenge/verify";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-internal");
  assert.not_equal(req.backend, F_scorer);
}

// @scope: recv
// @suite: challenge route: the health path is not routed by this block
sub test_challenge_route_not_health {
  set req.url = "/.scorer/health";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-internal");
  assert.not_equal(req.backend, F_scorer);
}

// @scope: recv
// @suite: challenge route: the dictionary kill switch (mode off) leaves the route to the origin
sub test_challenge_route_mode_off {
  testing.table_set(scorer_settings, "mode", "off");
  set req.url = "/.scorer/challenge?return=%2F";
  testing.call_subroutine("vcl_recv");
  assert.equal(req.http.X-Scorer-State, "skipped-off");
  assert.not_equal(req.backend, F_scorer);
}

// @scope: pass
// @suite: challenge route: the backend request carries the caller secret and the client address, nothing else internal
sub test_challenge_route_pass_secret {
  set req.http.X-Scorer-State = "challenge-route";
  set req.backend = F_scorer;
  set bereq.http.X-Scorer-Score = "3";
  set bereq.http.Fastly-Client-IP = "203.0.113.9";
  testing.call_subroutine("vcl_pass");
  assert.equal(bereq.http.X-Scorer-Auth, "dev-only-caller-secret-not-for-production");
  assert.equal(bereq.http.Fastly-Client-IP, "192.0.2.1");
  assert.is_notset(bereq.http.X-Scorer-Score);
  assert.is_notset(bereq.http.X-Scorer-State);
}

// @scope: pass
// @suite: challenge route: marked as the route but sent to another backend, no secret
sub test_challenge_route_pass_other_backend {
  set req.http.X-Scorer-State = "challenge-route";
  set req.backend = F_origin;
  testing.call_subroutine("vcl_pass");
  assert.is_notset(bereq.http.X-Scorer-Auth);
}

// @scope: fetch
// @suite: challenge route: the scorer's answer goes to deliver with its cookie, without internal headers
sub test_challenge_route_fetch {
  set req.http.X-Scorer-State = "challenge-route";
  set req.backend = F_scorer;
  set beresp.status = 303;
  set beresp.http.Location = "/blog/post";
  set beresp.http.Set-Cookie = "ss_session=AQ; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure";
  set beresp.http.Cache-Control = "no-store";
  set beresp.http.X-Scorer-Version = "0.1.0";
  testing.call_subroutine("vcl_fetch");
  assert.not_restart();
  assert.state(deliver);
  assert.equal(beresp.http.Set-Cookie, "ss_session=AQ; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure");
  assert.equal(beresp.http.Location, "/blog/post");
  assert.equal(beresp.http.Cache-Control, "no-store");
  assert.is_notset(beresp.http.X-Scorer-Version);
}

// @scope: deliver
// @suite: challenge route: delivered with the scorer's one cookie, no restart, never cached, internal headers stripped
sub test_challenge_route_deliver {
  set req.http.X-Scorer-State = "challenge-route";
  set resp.status = 303;
  set resp.http.Set-Cookie = "ss_session=AQ; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure";
  set resp.http.Cache-Control = "no-store";
  set resp.http.X-Scorer-Error = "x";
  testing.call_subroutine("vcl_deliver");
  assert.not_restart();
  assert.equal(resp.status, 303);
  assert.equal(resp.http.Set-Cookie, "ss_session=AQ; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure");
  // The deliver snippet marks every challenge answer private too (downstream caches).
  assert.equal(resp.http.Cache-Control, "no-store, private");
  assert.is_notset(resp.http.X-Scorer-Error);
}
