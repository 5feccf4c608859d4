package web_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/domain"
	"dudao/storage"
)

// wantSecurityHeaders checks the headers every answer carries, page, API, asset or error alike.
func wantSecurityHeaders(t *testing.T, what string, r response) {
	t.Helper()
	h := r.Header
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "*") {
		t.Errorf("%s: Content-Security-Policy %q allows more than this site", what, csp)
	}
	if v := h.Get("X-Frame-Options"); v != "DENY" {
		t.Errorf("%s: X-Frame-Options %q, want DENY", what, v)
	}
	if v := h.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, v)
	}
	switch v := h.Get("Referrer-Policy"); v {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("%s: Referrer-Policy %q, want one that keeps URLs on this site", what, v)
	}
	if h.Get("X-Request-Id") == "" {
		t.Errorf("%s: no X-Request-Id", what)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, app.Options{})
	token, _ := e.login(t, "auditor", demo.Password)
	b := e.browser(t)
	b.webLogin("auditor", demo.Password)
	anon := e.browser(t)
	for what, r := range map[string]response{
		"login page":    anon.get("/login"),
		"home page":     b.get("/"),
		"home redirect": anon.get("/"),
		"csrf refusal":  anon.post("/login", nil, nil),
		"html 404":      anon.get("/no-such-page"),
		"api me":        e.api(t, http.MethodGet, "/api/v1/me", token, ""),
		"api orgs":      e.api(t, http.MethodGet, "/api/v1/orgs", token, ""),
		"api 401":       e.api(t, http.MethodGet, "/api/v1/me", "", ""),
		"api 404":       e.api(t, http.MethodGet, "/api/v1/nothing", token, ""),
		"api 422":       e.api(t, http.MethodPost, "/api/v1/auth/login", "", "{}"),
		"stylesheet":    e.do(t, http.MethodGet, "/static/app.css", nil, nil),
		"healthz":       e.do(t, http.MethodGet, "/healthz", nil, nil),
		"metrics":       e.do(t, http.MethodGet, "/metrics", nil, nil),
		"wrong method":  e.do(t, http.MethodDelete, "/login", nil, nil),
	} {
		wantSecurityHeaders(t, what, r)
	}
}

var (
	urlAttr = regexp.MustCompile(`(?i)\b(src|href|action|formaction|poster|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
	cssURL  = regexp.MustCompile(`(?i)url\(|@import`)
)

// TestPagesStayOnThisSite: government intranets have no internet, so no page or stylesheet may name
// another origin, and the stylesheet the pages link is served with a long cache lifetime.
func TestPagesStayOnThisSite(t *testing.T) {
	e := newEnv(t, app.Options{})
	b := e.browser(t)
	login := wantHTML(t, b.get("/login"), http.StatusOK)
	b.webLogin("hbw.office", demo.Password)
	home := wantHTML(t, b.get("/"), http.StatusOK)
	notFound := wantHTML(t, b.get("/no-such-page"), http.StatusNotFound)

	var sheets []string
	for name, body := range map[string]string{"login": login, "home": home, "404": notFound} {
		attrs := urlAttr.FindAllStringSubmatch(body, -1)
		if len(attrs) == 0 {
			t.Fatalf("%s page has no links at all:\n%s", name, body)
		}
		for _, m := range attrs {
			v := strings.Trim(m[2], `"'`)
			low := strings.ToLower(v)
			if strings.Contains(low, "http://") || strings.Contains(low, "https://") || strings.HasPrefix(v, "//") ||
				strings.HasPrefix(low, "javascript:") || (v != "" && !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "#")) {
				t.Errorf("%s page: %s=%q leaves this site", name, m[1], v)
			}
			if strings.HasPrefix(v, "/static/") && strings.EqualFold(m[1], "href") {
				sheets = append(sheets, v)
			}
		}
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			t.Errorf("%s page names another origin", name)
		}
	}
	if len(sheets) == 0 {
		t.Fatal("no page links a stylesheet under /static/")
	}
	for _, p := range sheets {
		r := e.do(t, http.MethodGet, strings.ReplaceAll(p, "&amp;", "&"), nil, nil)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
			t.Fatalf("GET %s: %d %s", p, r.StatusCode, r.Header.Get("Content-Type"))
		}
		m := regexp.MustCompile(`max-age=(\d+)`).FindStringSubmatch(r.Header.Get("Cache-Control"))
		if m == nil {
			t.Errorf("GET %s: Cache-Control %q, want a long max-age", p, r.Header.Get("Cache-Control"))
		} else if n, _ := strconv.Atoi(m[1]); n < 30*24*3600 {
			t.Errorf("GET %s: max-age %d, want at least 30 days", p, n)
		}
		if css := string(r.Body); cssURL.MatchString(css) && (strings.Contains(css, "http:") || strings.Contains(css, "https:") || strings.Contains(css, "//")) {
			t.Errorf("%s loads something from another origin", p)
		}
	}
	if r := e.do(t, http.MethodGet, "/static/no-such.css", nil, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("missing asset: %d, want 404", r.StatusCode)
	}
}

// TestPagesNeedNoInlineCode: the CSP allows scripts and styles from this site only, so a page must not
// rely on inline <script>, inline event handlers or style attributes: the browser would ignore them.
func TestPagesNeedNoInlineCode(t *testing.T) {
	e := newEnv(t, app.Options{})
	b := e.browser(t)
	login := wantHTML(t, b.get("/login"), http.StatusOK)
	b.webLogin("hbw.office", demo.Password)
	home := wantHTML(t, b.get("/"), http.StatusOK)
	inline := regexp.MustCompile(`(?i)<script\b[^>]*>\s*[^<\s]|<style\b|\son[a-z]+\s*=|\sstyle\s*=`)
	var found []string
	for name, body := range map[string]string{"login": login, "home": home} {
		for _, m := range inline.FindAllString(body, -1) {
			found = append(found, name+": "+strings.TrimSpace(m))
		}
	}
	if len(found) == 0 {
		return
	}
	t.Errorf("pages use inline code the CSP blocks: %v", found)
}

// TestErrorPages: outside the API an error is a Chinese HTML page, unless the client asks for JSON.
func TestErrorPages(t *testing.T) {
	e := newEnv(t, app.Options{})
	body := wantHTML(t, e.do(t, http.MethodGet, "/no-such-page", nil, http.Header{"Accept": {"text/html"}}), http.StatusNotFound)
	if !strings.Contains(body, "页面不存在") {
		t.Errorf("404 page:\n%s", body)
	}
	wantError(t, e.do(t, http.MethodGet, "/no-such-page", nil, http.Header{"Accept": {"application/json"}}), http.StatusNotFound, domain.ENOTFOUND)
}

// TestOps covers liveness, readiness, metrics, and what users see when the database goes away.
func TestOps(t *testing.T) {
	e := newEnv(t, app.Options{})

	r := e.do(t, http.MethodGet, "/healthz", nil, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %s", r)
	}
	if r := e.do(t, http.MethodGet, "/readyz", nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("readyz while ready: %s", r)
	}
	// A schema behind this build is not ready: take the newest migration's row away, then put it back.
	latest := storage.LatestVersion()
	var name string
	var applied time.Time
	if err := e.Raw.QueryRow("SELECT name, applied_at FROM schema_migrations WHERE version = $1", latest).Scan(&name, &applied); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Raw.Exec("DELETE FROM schema_migrations WHERE version = $1", latest); err != nil {
		t.Fatal(err)
	}
	r = e.do(t, http.MethodGet, "/readyz", nil, nil)
	if r.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "数据库结构不是最新版本") {
		t.Errorf("readyz while not ready: %s, want 503 with the reason", r)
	}
	if _, err := e.Raw.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", latest, name, applied); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, http.MethodGet, "/readyz", nil, nil); r.StatusCode != http.StatusOK {
		t.Errorf("readyz after recovery: %s", r)
	}

	// Metrics count requests by route pattern, never by raw path.
	token, _ := e.login(t, "city.director", demo.Password)
	ids := e.orgIDs(t)
	orgPath := "/api/v1/orgs/" + strconv.FormatInt(ids["wuhai/hbw/"], 10)
	if r := e.api(t, http.MethodGet, orgPath, token, ""); r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", orgPath, r)
	}
	e.api(t, http.MethodPost, "/api/v1/auth/login", "", loginBody("city.director", "wrong"))
	e.do(t, http.MethodGet, "/probe-8c1f2e", nil, nil)
	e.do(t, http.MethodGet, "/api/v1/probe-8c1f2e", nil, nil)
	m := e.do(t, http.MethodGet, "/metrics", nil, nil)
	if m.StatusCode != http.StatusOK || !strings.HasPrefix(m.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", m.StatusCode, m.Header.Get("Content-Type"))
	}
	metrics := string(m.Body)
	for _, want := range []string{
		`dudao_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1`,
		`dudao_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"} 1`,
		`dudao_http_requests_total{method="GET",route="/api/v1/orgs/:id",status="200"} 1`,
		`dudao_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`dudao_http_requests_total{method="GET",route="/readyz",status="503"} 1`,
		`dudao_http_request_duration_seconds_bucket{method="POST",route="/api/v1/auth/login",le=`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, not := range []string{orgPath + `"`, "probe-8c1f2e"} {
		if strings.Contains(metrics, not) {
			t.Errorf("metrics label a raw path %s", not)
		}
	}

	// The database goes away: liveness holds, readiness fails, users get a request id and nothing internal.
	b := e.browser(t)
	b.webLogin("city.director", demo.Password)
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, http.MethodGet, "/healthz", nil, nil); r.StatusCode != http.StatusOK {
		t.Errorf("healthz without a database: %s", r)
	}
	r = e.do(t, http.MethodGet, "/readyz", nil, nil)
	if r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz without a database: %s, want 503", r)
	}
	noLeak(t, string(r.Body), "")
	for what, r := range map[string]response{
		"login": e.api(t, http.MethodPost, "/api/v1/auth/login", "", loginBody("city.director", demo.Password)),
		"me":    e.api(t, http.MethodGet, "/api/v1/me", token, ""),
	} {
		got := wantError(t, r, http.StatusInternalServerError, domain.EINTERNAL)
		rid := r.Header.Get("X-Request-Id")
		if rid == "" || got.Error.RequestID != rid || !strings.Contains(got.Error.Message, rid) {
			t.Errorf("%s: 500 answer %s does not carry its request id %q", what, r.Body, rid)
		}
	}
	home := b.get("/")
	body := wantHTML(t, home, http.StatusInternalServerError)
	if rid := home.Header.Get("X-Request-Id"); rid == "" || !strings.Contains(body, rid) {
		t.Errorf("500 page does not show its request id %q:\n%s", rid, body)
	}
}
