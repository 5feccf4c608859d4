package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"dudao/app"
	"dudao/cmd/system"
	"dudao/cmd/system/systemtest"
	"dudao/domain"
	"dudao/domain/domaintest"
	"dudao/storage"
)

// The tests drive dudao as the one test harness builds it (cmd/system/systemtest): the real router,
// error handler, use cases, casbin policy and a migrated database holding the demo, with an injected
// clock. These helpers are the web tests' words for the harness's client.

// t0 is where the clock of newEnv starts. It is the wall time at start-up because the client's cookie
// jar judges cookie expiry by the wall clock.
var t0 = time.Now().UTC().Truncate(time.Second)

func TestMain(m *testing.M) {
	code := m.Run()
	systemtest.Cleanup()
	os.Exit(code)
}

// env is one running server over its own copy of the demo database.
type env struct {
	*systemtest.Env
	db    *storage.DB
	app   *app.App
	clock *domaintest.Clock
	srv   *httptest.Server
	http  *http.Client
}

// newEnv builds dudao on a copy of the demo (SQLite) with the clock at t0; opt adjusts the use cases.
func newEnv(t *testing.T, opt app.Options) *env {
	t.Helper()
	return wrapEnv(systemtest.New(t, systemtest.Options{Start: t0, Demo: true, Settings: func(s *system.Settings) {
		if opt.MaxFailuresPerAddr != 0 {
			s.App.MaxFailuresPerAddr = opt.MaxFailuresPerAddr
		}
		if opt.MaxFailuresPerUser != 0 {
			s.App.MaxFailuresPerUser = opt.MaxFailuresPerUser
		}
		if opt.FailureWindow != 0 {
			s.App.FailureWindow = opt.FailureWindow
		}
		s.App.APITokenTTL = opt.APITokenTTL // the app's default unless a test says otherwise
		if opt.WebSessionTTL != 0 {
			s.App.WebSessionTTL = opt.WebSessionTTL
		}
	}}))
}

func wrapEnv(se *systemtest.Env) *env {
	return &env{Env: se, db: se.DB, app: se.App, clock: se.Clock, srv: se.Srv, http: se.HTTP}
}

// csrfField matches the hidden CSRF field of every form.
var csrfField = systemtest.CSRFField

// response is an answer with its body read.
type response = systemtest.Response

// setCookie is the cookie named name the answer sets, or nil.
func setCookie(r response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func send(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return response{Response: res, Body: b}
}

// do sends a request without cookies and without following redirects.
func (e *env) do(t *testing.T, method, path string, body io.Reader, header http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return send(t, e.http, req)
}

// api sends a JSON body (raw text, "" for none) with an optional bearer token.
func (e *env) api(t *testing.T, method, path, token, body string) response {
	t.Helper()
	h := http.Header{}
	h.Set("Accept", "application/json")
	var r io.Reader
	if body != "" {
		h.Set("Content-Type", "application/json")
		r = strings.NewReader(body)
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return e.do(t, method, path, r, h)
}

func loginBody(username, password string) string {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return string(b)
}

// login logs in over the API and returns the token and the raw answer; anything but 200 fails t.
func (e *env) login(t *testing.T, username, password string) (string, response) {
	t.Helper()
	r := e.api(t, http.MethodPost, "/api/v1/auth/login", "", loginBody(username, password))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("login %s: %s", username, r)
	}
	var out struct {
		Token string `json:"token"`
	}
	decode(t, r, &out)
	if out.Token == "" {
		t.Fatalf("login %s: no token in %s", username, r.Body)
	}
	return out.Token, r
}

func decode(t *testing.T, r response, v any) {
	t.Helper()
	systemtest.Decode(t, r, v)
}

// browser is the harness's user agent for the HTML UI: it keeps cookies and does not follow redirects.
type browser struct {
	*systemtest.Browser
	t *testing.T
}

func (e *env) browser(t *testing.T) *browser { return &browser{Browser: e.Browser(t), t: t} }

func (b *browser) req(method, path string, body io.Reader, header http.Header) response {
	b.t.Helper()
	return b.Req(method, path, body, header)
}

func (b *browser) raw(path string, form url.Values) response {
	b.t.Helper()
	return b.Raw(path, form)
}

func (b *browser) get(path string) response {
	b.t.Helper()
	return b.Get(path)
}

func (b *browser) post(path string, form url.Values, header http.Header) response {
	b.t.Helper()
	return b.Post(path, form, header)
}

func (b *browser) cookie(name string) string { return b.Cookie(name) }

// csrfToken loads the login page and returns the form's CSRF token.
func (b *browser) csrfToken() string {
	b.t.Helper()
	return b.CSRF("")
}

// webLogin signs in through the form and fails t unless it is redirected with a session.
func (b *browser) webLogin(username, password string) {
	b.t.Helper()
	b.Login(username, password)
}

// apiError is the error shape of SPEC §4.1.
type apiError struct {
	Error struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

// wantError checks status, the {"error": {code, message, fields?}} shape, a Chinese message and
// Chinese field messages, and that nothing internal leaks.
func wantError(t *testing.T, r response, status int, code string) apiError {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", r.StatusCode, status, r.Body)
	}
	var top map[string]json.RawMessage
	decode(t, r, &top)
	if len(top) != 1 || top["error"] == nil {
		t.Errorf("error body must be {\"error\": …} only: %s", r.Body)
	}
	var e apiError
	decode(t, r, &e)
	if e.Error.Code != code {
		t.Errorf("code %q, want %q: %s", e.Error.Code, code, r.Body)
	}
	if !hasHan(e.Error.Message) {
		t.Errorf("message %q is not Chinese", e.Error.Message)
	}
	for k, v := range e.Error.Fields {
		if !hasHan(v) {
			t.Errorf("field %s: message %q is not Chinese", k, v)
		}
	}
	noLeak(t, string(r.Body), e.Error.RequestID)
	return e
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// leaks are fragments of Go, driver and framework error text that must never reach a user.
var leaks = []string{"sql", "gorm", "database is closed", "unmarshal", "invalid character", "unexpected end",
	"eof", "code=", "message=", "not found", "entity too large", "unauthorized", "forbidden", "goroutine",
	"panic", "runtime", "strconv", "storage:", "app:", "web:", "echo", "csrf token"}

func noLeak(t *testing.T, body, requestID string) {
	t.Helper()
	if requestID != "" {
		body = strings.ReplaceAll(body, requestID, "")
	}
	low := strings.ToLower(body)
	for _, l := range leaks {
		if strings.Contains(low, l) {
			t.Errorf("answer leaks internal text %q: %s", l, body)
		}
	}
}

// demoData is app/demo/wuhai.json read independently of the code under test.
type demoUser struct {
	Username, Name, Role, Org string
}

type demoOrg struct {
	Code, Name, Kind, Parent string
}

func (o demoOrg) Path() string { return o.Parent + o.Code + "/" }

func demoData(t *testing.T) ([]demoUser, []demoOrg) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "demo", "wuhai.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Users []demoUser `json:"users"`
		Orgs  []demoOrg  `json:"orgs"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Users) == 0 || len(f.Orgs) == 0 {
		t.Fatal("demo file holds no users or orgs")
	}
	return f.Users, f.Orgs
}

// orgIDs maps every org path to its id, read from storage directly.
func (e *env) orgIDs(t *testing.T) map[string]int64 {
	t.Helper()
	orgs, err := e.db.ListOrgs(context.Background(), []domain.Jurisdiction{""})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int64{}
	for _, o := range orgs {
		m[string(o.Path)] = o.ID
	}
	return m
}

// bigJSON is a login body just over 1 MiB.
func bigJSON() []byte {
	var b bytes.Buffer
	b.WriteString(`{"username":"`)
	b.WriteString(strings.Repeat("a", 1<<20))
	b.WriteString(`","password":"x"}`)
	return b.Bytes()
}
