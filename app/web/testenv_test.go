package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"dudao/app"
	"dudao/app/demo"
	"dudao/app/web"
	"dudao/domain"
	"dudao/policies"
	"dudao/storage"
	"dudao/storage/blob"
)

// The tests drive the real router, error handler, use cases, casbin policy and a migrated SQLite file.
// Loading the demo hashes sixteen passwords with argon2id and builds its cases, so it runs once per
// test binary into a template database and evidence folder; every environment starts from its own copy.

// t0 is where every environment's injected clock starts. It is the wall time at start-up because the
// client's cookie jar judges cookie expiry by the wall clock.
var t0 = time.Now().UTC().Truncate(time.Second)

var tmpl struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tmpl.dir != "" {
		_ = os.RemoveAll(tmpl.dir)
	}
	os.Exit(code)
}

// testClock is the injectable clock: fixed until a test advances it, or moving on by tick at every
// reading when tick is set.
type testClock struct {
	mu   sync.Mutex
	now  time.Time
	tick time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now
	c.now = c.now.Add(c.tick)
	return now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newApp wires the use cases as cmd does, with the given clock and evidence folder.
func newApp(db *storage.DB, evidence string, clock domain.Clock, opt app.Options) (*app.App, error) {
	blobs, err := blob.New(evidence)
	if err != nil {
		return nil, err
	}
	rules, err := policies.DefaultRules()
	if err != nil {
		return nil, err
	}
	enf, err := policies.NewEnforcer()
	if err != nil {
		return nil, err
	}
	return app.New(app.Deps{
		Tx: db, Orgs: db, Users: db, Sessions: db, Logins: db, Audit: db, Cases: db, Blobs: blobs, Authz: enf,
		Clock: domain.ClockFunc(clock.Now), Rules: rules,
	}, opt), nil
}

// templateDB returns the path of a migrated database holding the Wuhai demo.
func templateDB(t *testing.T) string {
	t.Helper()
	tmpl.once.Do(func() {
		tmpl.dir, tmpl.err = os.MkdirTemp("", "dudao-web-test-")
		if tmpl.err != nil {
			return
		}
		path := filepath.Join(tmpl.dir, "demo.db")
		db, err := storage.Open(path)
		if err != nil {
			tmpl.err = err
			return
		}
		defer db.Close()
		ctx := context.Background()
		if _, err := db.Migrate(ctx); err != nil {
			tmpl.err = err
			return
		}
		// The demo's story needs time to pass between its steps (evidence is uploaded after the opinion is
		// issued), so its clock ticks; it ends well before t0, where every environment's clock starts.
		x, err := newApp(db, filepath.Join(tmpl.dir, "evidence"), &testClock{now: t0.Add(-time.Hour), tick: time.Millisecond}, app.Options{})
		if err != nil {
			tmpl.err = err
			return
		}
		s, err := demo.Load(ctx, x)
		if err == nil && !s.Loaded {
			err = errors.New("demo.Load did not load into an empty database")
		}
		tmpl.err = err
	})
	if tmpl.err != nil {
		t.Fatalf("template database: %v", tmpl.err)
	}
	return filepath.Join(tmpl.dir, "demo.db")
}

// env is one running server over its own database.
type env struct {
	db    *storage.DB
	app   *app.App
	clock *testClock
	srv   *httptest.Server
	http  *http.Client

	mu       sync.Mutex
	notReady error
}

// newEnv copies the demo database into t.TempDir(), opens and migrates it, and serves the router.
func newEnv(t *testing.T, opt app.Options) *env {
	t.Helper()
	src := templateDB(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "dudao.db")
	evidence := filepath.Join(dir, "evidence")
	if err := os.CopyFS(evidence, os.DirFS(filepath.Join(filepath.Dir(src), "evidence"))); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := storage.Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	e := &env{db: db, clock: &testClock{now: t0}}
	if e.app, err = newApp(db, evidence, e.clock, opt); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(e.app, web.Config{Ready: e.ready}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	e.srv = httptest.NewServer(srv)
	t.Cleanup(e.srv.Close)
	e.http = &http.Client{
		Transport:     e.srv.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	return e
}

// ready is what cmd wires: the database answers and its schema is current, with Chinese reasons.
func (e *env) ready(ctx context.Context) error {
	e.mu.Lock()
	forced := e.notReady
	e.mu.Unlock()
	if forced != nil {
		return forced
	}
	if err := e.db.Ping(ctx); err != nil {
		return errors.New("数据库不可达")
	}
	v, err := e.db.SchemaVersion(ctx)
	if err != nil || v != storage.LatestVersion() {
		return errors.New("数据库结构不是最新版本")
	}
	return nil
}

func (e *env) setNotReady(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.notReady = err
}

// response is an answer with its body read.
type response struct {
	*http.Response
	Body []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.StatusCode, r.Body) }

func (r response) setCookie(name string) *http.Cookie {
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
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON: %s", ct, r)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// browser is a user agent for the HTML UI: it keeps cookies and does not follow redirects.
type browser struct {
	t      *testing.T
	e      *env
	jar    *cookiejar.Jar
	client *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, e: e, jar: jar, client: &http.Client{
		Transport:     e.http.Transport,
		Jar:           jar,
		CheckRedirect: e.http.CheckRedirect,
		Timeout:       e.http.Timeout,
	}}
}

func (b *browser) req(method, path string, body io.Reader, header http.Header) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return send(b.t, b.client, req)
}

// raw sends a form post straight through the transport, so that a Location the client library would
// refuse to parse still reaches the test.
func (b *browser) raw(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range b.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	res, err := b.client.Transport.RoundTrip(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	b.jar.SetCookies(req.URL, res.Cookies())
	return response{Response: res, Body: body}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	return b.req(http.MethodGet, path, nil, nil)
}

func (b *browser) post(path string, form url.Values, header http.Header) response {
	b.t.Helper()
	h := http.Header{}
	for k, vs := range header {
		h[k] = vs
	}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.req(http.MethodPost, path, strings.NewReader(form.Encode()), h)
}

// cookie is the value the browser holds for name, "" when none.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var csrfField = regexp.MustCompile(`<input type="hidden" name="_csrf" value="([^"]*)">`)

// csrfToken loads the login page and returns the form's CSRF token.
func (b *browser) csrfToken() string {
	b.t.Helper()
	r := b.get("/login")
	if r.StatusCode != http.StatusOK {
		b.t.Fatalf("GET /login: %s", r)
	}
	m := csrfField.FindSubmatch(r.Body)
	if m == nil || len(m[1]) == 0 {
		b.t.Fatalf("no _csrf field on the login page:\n%s", r.Body)
	}
	return string(m[1])
}

// webLogin signs in through the form and fails t unless it is redirected with a session.
func (b *browser) webLogin(username, password string) {
	b.t.Helper()
	tok := b.csrfToken()
	r := b.post("/login", url.Values{"_csrf": {tok}, "username": {username}, "password": {password}}, nil)
	if r.StatusCode != http.StatusSeeOther || b.cookie("dudao_session") == "" {
		b.t.Fatalf("web login %s: %s", username, r)
	}
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
