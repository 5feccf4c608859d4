package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"dudao/app"
	"dudao/app/demo"
)

func wantHTML(t *testing.T, r response, status int) string {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", r.StatusCode, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type %q, want HTML", ct)
	}
	body := string(r.Body)
	if !strings.Contains(body, `<html lang="zh-CN">`) || !hasHan(body) {
		t.Errorf("page is not a Chinese HTML page:\n%s", body)
	}
	noLeak(t, body, r.Header.Get("X-Request-Id"))
	return body
}

func wantNoSession(t *testing.T, b *browser, r response) {
	t.Helper()
	if c := setCookie(r, "dudao_session"); c != nil && c.Value != "" {
		t.Errorf("answer sets a session cookie: %v", c)
	}
	if b.cookie("dudao_session") != "" {
		t.Error("browser holds a session cookie")
	}
}

func wantRedirect(t *testing.T, r response, prefix string) {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 to %s: %s", r.StatusCode, prefix, r.Body)
	}
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, prefix) {
		t.Errorf("Location %q, want %s…", loc, prefix)
	}
}

func TestWebLoginPage(t *testing.T) {
	e := newEnv(t, app.Options{})
	b := e.browser(t)
	r := b.get("/login")
	body := wantHTML(t, r, http.StatusOK)
	for _, s := range []string{"登录", "用户名", "密码", `name="username"`, `name="password" type="password"`} {
		if !strings.Contains(body, s) {
			t.Errorf("login page lacks %q", s)
		}
	}
	ck := setCookie(r, "dudao_csrf")
	if ck == nil || ck.Value == "" {
		t.Fatalf("no dudao_csrf cookie: %v", r.Header["Set-Cookie"])
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Errorf("dudao_csrf cookie %v: want HttpOnly, SameSite=Lax, Path=/", ck)
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil || len(m[1]) < 40 || m[1] == ck.Value {
		t.Errorf("hidden _csrf field %v: want a token derived from the cookie (never the cookie's value %q)", m, ck.Value)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store on a page with a CSRF token", cc)
	}
	// An off-site next is dropped before it reaches the form.
	r = b.get("/login?next=" + url.QueryEscape("//evil.example/x"))
	body = wantHTML(t, r, http.StatusOK)
	if !strings.Contains(body, `<input type="hidden" name="next" value="/">`) || strings.Contains(body, "evil.example") {
		t.Errorf("login form keeps an off-site next:\n%s", body)
	}
}

// TestWebLoginFlow walks the form: CSRF refusals, wrong password, escaping, success, home page, logout.
func TestWebLoginFlow(t *testing.T) {
	e := newEnv(t, app.Options{})
	b := e.browser(t)
	tok := b.csrfToken()
	good := url.Values{"username": {"city.director"}, "password": {demo.Password}}

	t.Run("no CSRF token", func(t *testing.T) {
		r := b.post("/login", good, nil)
		wantHTML(t, r, http.StatusForbidden)
		wantNoSession(t, b, r)
	})
	t.Run("forged CSRF token", func(t *testing.T) {
		form := url.Values{"_csrf": {"forged" + tok}, "username": good["username"], "password": good["password"]}
		r := b.post("/login", form, nil)
		wantHTML(t, r, http.StatusForbidden)
		wantNoSession(t, b, r)
	})
	t.Run("token without its cookie", func(t *testing.T) {
		other := e.browser(t)
		form := url.Values{"_csrf": {tok}, "username": good["username"], "password": good["password"]}
		r := other.post("/login", form, nil)
		wantHTML(t, r, http.StatusForbidden)
		wantNoSession(t, other, r)
	})
	t.Run("cross-site form post", func(t *testing.T) {
		form := url.Values{"_csrf": {tok}, "username": good["username"], "password": good["password"]}
		r := b.post("/login", form, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
		wantHTML(t, r, http.StatusForbidden)
		wantNoSession(t, b, r)
	})
	t.Run("wrong password", func(t *testing.T) {
		r := b.post("/login", url.Values{"_csrf": {tok}, "username": {"city.director"}, "password": {"nope"}}, nil)
		body := wantHTML(t, r, http.StatusUnauthorized)
		if !strings.Contains(body, "用户名或密码错误") {
			t.Errorf("no Chinese message:\n%s", body)
		}
		if !strings.Contains(body, `value="city.director"`) {
			t.Errorf("typed username not kept:\n%s", body)
		}
		if strings.Contains(body, "nope") {
			t.Error("the typed password is echoed back")
		}
		wantNoSession(t, b, r)
	})
	t.Run("empty form", func(t *testing.T) {
		r := b.post("/login", url.Values{"_csrf": {tok}}, nil)
		body := wantHTML(t, r, http.StatusUnprocessableEntity)
		for _, s := range []string{"请输入用户名", "请输入密码"} {
			if !strings.Contains(body, s) {
				t.Errorf("no field message %q:\n%s", s, body)
			}
		}
		wantNoSession(t, b, r)
	})
	t.Run("script as username", func(t *testing.T) {
		const xss = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
		r := b.post("/login", url.Values{"_csrf": {tok}, "username": {xss}, "password": {"x"}}, nil)
		body := wantHTML(t, r, http.StatusUnauthorized)
		if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x") {
			t.Errorf("username rendered unescaped:\n%s", body)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("username not shown escaped:\n%s", body)
		}
	})
	t.Run("home needs a session", func(t *testing.T) {
		r := e.browser(t).get("/")
		wantRedirect(t, r, "/login")
		if loc, _ := url.Parse(r.Header.Get("Location")); loc == nil || loc.Path != "/login" || loc.Query().Get("next") != "/" {
			t.Errorf("Location %q, want /login?next=/", r.Header.Get("Location"))
		}
	})

	// Success: redirect home (never off site), a session cookie the page script cannot read.
	form := url.Values{"_csrf": {tok}, "next": {"//evil.example"}, "username": good["username"], "password": good["password"]}
	r := b.post("/login", form, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("login with next=//evil.example: %s, Location %q; want 303 to /", r, r.Header.Get("Location"))
	}
	sc := setCookie(r, "dudao_session")
	if sc == nil || sc.Value == "" {
		t.Fatalf("no session cookie: %v", r.Header["Set-Cookie"])
	}
	if !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" {
		t.Errorf("session cookie %v: want HttpOnly, SameSite=Lax, Path=/", sc)
	}
	if strings.Contains(sc.Value, "city.director") || len(sc.Value) < 40 {
		t.Errorf("session cookie value %q is not an opaque random token", sc.Value)
	}

	home := b.get("/")
	body := wantHTML(t, home, http.StatusOK)
	for _, s := range []string{"市督导办主任", "乌海市", "督导室主任", "退出"} {
		if !strings.Contains(body, s) {
			t.Errorf("home page lacks %q:\n%s", s, body)
		}
	}
	if cc := home.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("home page Cache-Control %q, want no-store", cc)
	}
	wantRedirect(t, b.get("/login"), "/")

	// Logout needs the CSRF token too, then ends the session on the server, not only in the browser.
	r = b.post("/logout", url.Values{}, nil)
	wantHTML(t, r, http.StatusForbidden)
	if r := b.get("/"); r.StatusCode != http.StatusOK {
		t.Fatalf("a refused logout ended the session: %s", r)
	}
	r = b.post("/logout", url.Values{"_csrf": {b.cookie("dudao_csrf")}}, nil)
	wantRedirect(t, r, "/login")
	if c := setCookie(r, "dudao_session"); c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("logout does not clear the session cookie: %v", r.Header["Set-Cookie"])
	}
	if b.cookie("dudao_session") != "" {
		t.Error("browser still holds the session after logout")
	}
	replay := e.do(t, http.MethodGet, "/", nil, http.Header{"Cookie": {"dudao_session=" + sc.Value}})
	wantRedirect(t, replay, "/login")
	if c := setCookie(replay, "dudao_session"); c == nil || c.MaxAge >= 0 {
		t.Errorf("a revoked session cookie is not cleared: %v", replay.Header["Set-Cookie"])
	}
}

// TestWebLoginNext: a local next is followed; anything that could leave the site goes to /.
func TestWebLoginNext(t *testing.T) {
	e := newEnv(t, app.Options{})
	for _, c := range []struct{ next, want string }{
		{"/?tab=cases", "/?tab=cases"},
		{"//evil.example", "/"},
		{"https://evil.example/", "/"},
		{`/\evil.example`, "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"", "/"},
		{"///evil.example/ok", "/"},
		{"http:/evil.example/login", "/"},
		// Browsers drop tabs and newlines from a URL before resolving it (WHATWG URL), so these are //evil.example.
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
	} {
		t.Run(strings.NewReplacer("\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(c.next), func(t *testing.T) {
			b := e.browser(t)
			tok := b.csrfToken()
			r := b.raw("/login", url.Values{"_csrf": {tok}, "next": {c.next}, "username": {"hbw.supervisor"}, "password": {demo.Password}})
			loc := r.Header.Get("Location")
			if r.StatusCode != http.StatusSeeOther || loc != c.want {
				t.Errorf("next %q: %d to %q, want 303 to %q", c.next, r.StatusCode, loc, c.want)
			}
		})
	}
}

// TestWebHomeByRole: the home page names the user's org and role, and lists only orgs in scope.
func TestWebHomeByRole(t *testing.T) {
	e := newEnv(t, app.Options{})
	for _, c := range []struct {
		user      string
		want, not []string
		notInTree []string // in scope, so a case may name it, but not in the tree of orgs the page lists
	}{
		{"hbw.office", []string{"海勃湾区教育局", "海勃湾区", "区教育局", "海勃湾区第一小学（示例）", "11 个机构"}, []string{"乌达区永昌小学", "乌海市第一中学"}, nil},
		{"school.wd1", []string{"永昌小学 联络员", "乌达区永昌小学", "学校", "1 个机构"}, []string{"海勃湾区", "乌海市第一中学"}, nil},
		// A city-wide user sees the top of its tree (the city, its districts and city-run schools) and
		// how many orgs it holds in all, not every school of the province. A district's school is in its
		// scope, and the demo's 双随机 draw may open a case on any school (its seed binds a snapshot that
		// holds the second the draw was made), which the page's work lists then name: only the tree
		// must leave it out.
		{"auditor", []string{"纪检审计", "审计/纪检", "乌达区", "乌海市第一中学", "42 个机构"}, nil, []string{"乌达区第七小学"}},
	} {
		t.Run(c.user, func(t *testing.T) {
			b := e.browser(t)
			b.webLogin(c.user, demo.Password)
			body := wantHTML(t, b.get("/"), http.StatusOK)
			for _, s := range c.want {
				if !strings.Contains(body, s) {
					t.Errorf("home of %s lacks %q", c.user, s)
				}
			}
			for _, s := range c.not {
				if strings.Contains(body, s) {
					t.Errorf("home of %s shows %q, out of scope", c.user, s)
				}
			}
			start := strings.Index(body, `<details class="orgs"`)
			end := strings.Index(body[max(start, 0):], "</details>")
			if start < 0 || end < 0 {
				t.Fatalf("home of %s has no tree of orgs", c.user)
			}
			tree := body[start : start+end]
			for _, s := range c.notInTree {
				if strings.Contains(tree, s) {
					t.Errorf("home of %s lists %q in its tree of orgs", c.user, s)
				}
			}
		})
	}
}
