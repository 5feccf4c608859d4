package web_test

// The lower findings of the black-box probe (issue 13), one test each: form tokens bound to the
// session, HTTPS behind a trusted proxy, no caching of API answers, /metrics kept private, no listing of
// /static/, a bounded body read, and an audit page number that cannot overflow.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/cmd/system"
	"dudao/cmd/system/systemtest"
	"dudao/domain"
)

// newEnvWith is newEnv with the system settings adjusted.
func newEnvWith(t *testing.T, adjust func(s *system.Settings)) *env {
	t.Helper()
	return wrapEnv(systemtest.New(t, systemtest.Options{Start: t0, Demo: true, Settings: adjust}))
}

// TestCSRFTokenBoundToSession: the token of the login form dies at login, a token of one session is
// refused with another, and a new login gets a new token. Before issue 13 the double-submit cookie
// outlived the login, so the login page's token still worked afterwards.
func TestCSRFTokenBoundToSession(t *testing.T) {
	e := newEnv(t, app.Options{})
	b := e.browser(t)
	before := b.csrfToken()
	b.webLogin("city.director", demo.Password)
	if r := b.post("/logout", url.Values{"_csrf": {before}}, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with the login page's token: %d, want 403", r.StatusCode)
	}
	mine := b.CSRF("/")
	if mine == before {
		t.Fatal("the form token did not change at login")
	}

	other := e.browser(t)
	other.webLogin("city.director", demo.Password)
	if r := other.post("/logout", url.Values{"_csrf": {mine}}, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with another session's token: %d, want 403", r.StatusCode)
	}
	if r := other.get("/"); r.StatusCode != http.StatusOK {
		t.Fatalf("the refused logout ended the session: %s", r)
	}

	// The right token logs out; after logging in again, the old session's token is dead.
	wantRedirect(t, b.post("/logout", url.Values{"_csrf": {mine}}, nil), "/login")
	b.webLogin("city.director", demo.Password)
	if r := b.post("/logout", url.Values{"_csrf": {mine}}, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with the previous session's token: %d, want 403", r.StatusCode)
	}
	wantRedirect(t, b.post("/logout", url.Values{"_csrf": {b.CSRF("/")}}, nil), "/login")
}

// TestHTTPSBehindTrustedProxy: cookies are Secure and HSTS is sent when the request came over HTTPS
// as a trusted proxy says, and not when anyone else says so. Before issue 13 neither happened without
// --secure-cookies.
func TestHTTPSBehindTrustedProxy(t *testing.T) {
	login := func(e *env, hdr http.Header) response {
		t.Helper()
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		for k, v := range hdr {
			h[k] = v
		}
		b := e.browser(t)
		tok := b.csrfToken()
		return b.Req(http.MethodPost, "/login", strings.NewReader(url.Values{"_csrf": {tok}, "username": {"auditor"},
			"password": {demo.Password}}.Encode()), h)
	}
	https := http.Header{"X-Forwarded-Proto": {"https"}, "X-Forwarded-For": {"198.51.100.7"}}

	proxied := newEnvWith(t, func(s *system.Settings) { s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	r := login(proxied, https)
	if c := setCookie(r, "dudao_session"); c == nil || !c.Secure {
		t.Errorf("behind a trusted proxy saying https: session cookie %v, want Secure", c)
	}
	if c := setCookie(r, "dudao_device"); c == nil || !c.Secure {
		t.Errorf("behind a trusted proxy saying https: device cookie %v, want Secure", c)
	}
	if h := r.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("behind a trusted proxy saying https: Strict-Transport-Security %q", h)
	}
	r = login(proxied, nil)
	if c := setCookie(r, "dudao_session"); c == nil || c.Secure || r.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("plain http through the proxy: cookie %v, HSTS %q; want neither", c, r.Header.Get("Strict-Transport-Security"))
	}

	direct := newEnv(t, app.Options{})
	r = login(direct, https)
	if c := setCookie(r, "dudao_session"); c == nil || c.Secure || r.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("a client (no trusted proxy) saying https: cookie %v, HSTS %q; want neither", c, r.Header.Get("Strict-Transport-Security"))
	}

	flagged := newEnvWith(t, func(s *system.Settings) { s.SecureCookies = true })
	r = login(flagged, nil)
	if c := setCookie(r, "dudao_session"); c == nil || !c.Secure {
		t.Errorf("--secure-cookies: session cookie %v, want Secure", c)
	}
}

// TestAPIAnswersNotCached: JSON answers (success and error alike) say no-store; before issue 13 they
// said nothing, so a shared cache or the browser's disk could keep tokens and personal data.
func TestAPIAnswersNotCached(t *testing.T) {
	e := newEnv(t, app.Options{})
	token, login := e.login(t, "city.director", demo.Password)
	for what, r := range map[string]response{
		"login": login,
		"me":    e.api(t, http.MethodGet, "/api/v1/me", token, ""),
		"orgs":  e.api(t, http.MethodGet, "/api/v1/orgs", token, ""),
		"401":   e.api(t, http.MethodGet, "/api/v1/me", "", ""),
		"404":   e.api(t, http.MethodGet, "/api/v1/nothing", token, ""),
		"422":   e.api(t, http.MethodPost, "/api/v1/auth/login", "", "{}"),
	} {
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
		}
	}
}

// TestMetricsNotPublic: /metrics answers a direct scraper on this host and the bearer of the metrics
// token, and is a 404 for anyone else (here: a visitor passed on by a local proxy). Before issue 13 it
// answered everyone.
func TestMetricsNotPublic(t *testing.T) {
	e := newEnvWith(t, func(s *system.Settings) { s.MetricsToken = "scrape-8c2f1a9e7d" })
	if r := e.do(t, http.MethodGet, "/metrics", nil, nil); r.StatusCode != http.StatusOK {
		t.Errorf("direct loopback scraper: %d, want 200", r.StatusCode)
	}
	proxied := http.Header{"X-Forwarded-For": {"203.0.113.9"}}
	if r := e.do(t, http.MethodGet, "/metrics", nil, proxied); r.StatusCode != http.StatusNotFound || strings.Contains(string(r.Body), "dudao_http") {
		t.Errorf("a visitor through a local proxy: %d, want 404", r.StatusCode)
	}
	bad := http.Header{"X-Forwarded-For": {"203.0.113.9"}, "Authorization": {"Bearer wrong"}}
	if r := e.do(t, http.MethodGet, "/metrics", nil, bad); r.StatusCode != http.StatusNotFound {
		t.Errorf("a wrong token: %d, want 404", r.StatusCode)
	}
	good := http.Header{"X-Forwarded-For": {"203.0.113.9"}, "Authorization": {"Bearer scrape-8c2f1a9e7d"}}
	if r := e.do(t, http.MethodGet, "/metrics", nil, good); r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), "dudao_http") {
		t.Errorf("the metrics token: %d, want 200 with the metrics", r.StatusCode)
	}
}

// TestStaticListsNothing: the asset folders are not listed; before issue 13 /static/ answered an index.
func TestStaticListsNothing(t *testing.T) {
	e := newEnv(t, app.Options{})
	for _, p := range []string{"/static/", "/static/vendor/", "/static/vendor"} {
		r := e.do(t, http.MethodGet, p, nil, nil)
		if r.StatusCode != http.StatusNotFound || strings.Contains(string(r.Body), "app.css") {
			t.Errorf("GET %s: %d, want 404 without a listing", p, r.StatusCode)
		}
	}
	if r := e.do(t, http.MethodGet, "/static/app.css", nil, nil); r.StatusCode != http.StatusOK {
		t.Errorf("GET /static/app.css: %d", r.StatusCode)
	}
}

// TestAuditPageOutOfRange: a page number past the range is 422; before issue 13 the largest int64
// overflowed the offset and answered page 1.
func TestAuditPageOutOfRange(t *testing.T) {
	e := newEnv(t, app.Options{})
	token, _ := e.login(t, "auditor", demo.Password)
	for _, q := range []string{"page=9223372036854775807", "page=0", "page=-3", "per_page=100000", "page=x"} {
		wantError(t, e.api(t, http.MethodGet, "/api/v1/audit?"+q, token, ""), http.StatusUnprocessableEntity, domain.EINVALID)
	}
	var out struct {
		Items []struct{ ID int64 } `json:"items"`
		Page  int                  `json:"page"`
	}
	r := e.api(t, http.MethodGet, "/api/v1/audit?page=1000000", token, "")
	decode(t, r, &out)
	if r.StatusCode != http.StatusOK || len(out.Items) != 0 || out.Page != 1000000 {
		t.Errorf("page 1000000: %s", r)
	}
}

// TestBodyTrickleCutOff: a body that arrives a few bytes at a time is cut off at the body deadline
// rather than holding the connection; before issue 13 nothing bounded it.
func TestBodyTrickleCutOff(t *testing.T) {
	e := newEnvWith(t, func(s *system.Settings) { s.BodyTimeout = time.Second })
	const declared = 200 // bytes: the deadline is about BodyTimeout
	start := time.Now()
	closedAfter, status := trickle(t, strings.TrimPrefix(e.srv.URL, "http://"), "/api/v1/auth/login", declared, 300*time.Millisecond, 20*time.Second)
	t.Logf("server gave up after %v (status %d)", closedAfter.Round(time.Millisecond), status)
	if closedAfter > 6*time.Second {
		t.Fatalf("a trickled body held the connection %v; want it cut off near the 1s deadline", time.Since(start))
	}
	if status != 0 && status != http.StatusBadRequest && status != http.StatusRequestTimeout {
		t.Errorf("status %d, want the connection closed or 400/408", status)
	}
}

// trickle sends a POST declaring n bytes of body and writes one byte every every, until the server
// answers or closes, or until limit; it returns when that happened and the status answered (0 for none).
func trickle(t *testing.T, addr, path string, n int, every, limit time.Duration) (time.Duration, int) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, addr, n)
	done := make(chan int, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			done <- 0
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		done <- res.StatusCode
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case st := <-done:
			return time.Since(start), st
		case <-tick.C:
			if time.Since(start) > limit {
				return time.Since(start), -1
			}
			if i < n {
				if _, err := conn.Write([]byte{'{'}); err != nil {
					select {
					case st := <-done:
						return time.Since(start), st
					case <-time.After(2 * time.Second):
						return time.Since(start), 0
					}
				}
			}
		}
	}
}
