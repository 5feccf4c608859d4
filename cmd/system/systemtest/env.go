// Package systemtest is the one test harness of dudao: the system built by package system on a fresh
// database of either engine (SQLite, and PostgreSQL when DUDAO_TEST_PG is set), optionally holding the
// Wuhai demo, with an injected clock, a recording mailer, the real router served on loopback and one
// HTTP client that logs demo users in. Every package's tests that need dudao running use it.
package systemtest

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/cmd/system"
	"dudao/domain"
	"dudao/domain/domaintest"
	"dudao/storage"
	"dudao/storage/storagetest"
)

// T0 is where the clock stands by default: Monday 2 March 2026, 09:00 in Wuhai, a working day.
var T0 = time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CST)

// Options choose the environment.
type Options struct {
	Engine string    // "sqlite" (the default) or "postgres"
	Start  time.Time // where the clock stands when the test begins (zero: T0)
	// Demo loads the Wuhai demo, with the clock running from an hour before Start so that every demo
	// event lies in the past.
	Demo bool
	// Settings adjusts what the system is built from (font, token lifetimes, rules …).
	Settings func(s *system.Settings)
}

// Env is dudao running for one test.
type Env struct {
	Engine      string
	Sys         *system.System
	DB          *storage.DB
	App         *app.App
	Raw         *sql.DB // the same database through database/sql, for counting rows and tampering
	Clock       *domaintest.Clock
	Mail        *Mailer
	Srv         *httptest.Server
	HTTP        *http.Client // does not follow redirects
	EvidenceDir string

	mu     sync.Mutex
	tokens map[string]string
	users  map[string]User
	orgs   map[string]Org
}

// Engines runs fn once per engine, each in a subtest with an environment of its own; an engine that
// is not available skips its subtest and says why.
func Engines(t *testing.T, o Options, fn func(t *testing.T, e *Env)) {
	for _, name := range storagetest.Names {
		t.Run(name, func(t *testing.T) {
			o := o
			o.Engine = name
			fn(t, New(t, o))
		})
	}
}

// New builds dudao for t as the options say and serves it on loopback until t ends.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	if o.Engine == "" {
		o.Engine = "sqlite"
	}
	if o.Start.IsZero() {
		o.Start = T0
	}
	eng := storagetest.New(t, o.Engine)
	if eng.Skip != "" {
		t.Skip(eng.Skip)
	}
	e := &Env{Engine: o.Engine, Clock: domaintest.NewClock(o.Start), Mail: &Mailer{},
		tokens: map[string]string{}, users: map[string]User{}, orgs: map[string]Org{}}
	e.EvidenceDir = filepath.Join(t.TempDir(), "evidence")
	if o.Demo && o.Engine == "sqlite" {
		// Loading the demo hashes sixteen passwords with argon2id and builds its cases through the use
		// cases: once per test binary and start time into a template, which each environment copies.
		src := demoTemplate(t, o)
		copyTemplate(t, src, eng.DSN, e.EvidenceDir)
		o.Demo = false
	}
	settings := e.settings(eng.DSN, o)
	sys, err := system.Open(context.Background(), settings)
	if err != nil {
		t.Fatalf("system.Open %s: %v", o.Engine, err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	e.Sys, e.DB, e.App = sys, sys.DB, sys.App
	if e.Raw, err = sql.Open(eng.RawDriver, eng.RawDSN); err != nil {
		t.Fatalf("open raw %s: %v", o.Engine, err)
	}
	t.Cleanup(func() { _ = e.Raw.Close() })
	if o.Demo {
		loadDemo(t, e.App, e.Clock, o.Start)
	}
	e.Srv = httptest.NewServer(sys.Web)
	t.Cleanup(e.Srv.Close)
	tr := e.Srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	t.Cleanup(tr.CloseIdleConnections)
	e.HTTP = &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       60 * time.Second,
	}
	return e
}

// settings are the environment's system settings: the test's clock and mailer, tokens that outlive the
// weeks a test moves the clock on, the font CI names for PDFs, and whatever the options adjust.
func (e *Env) settings(dsn string, o Options) system.Settings {
	s := system.Settings{
		DSN: dsn, EvidenceDir: e.EvidenceDir, AnchorDir: filepath.Join(filepath.Dir(e.EvidenceDir), "anchor"), Clock: e.Clock, Mailer: e.Mail,
		App: app.Options{APITokenTTL: 3 * 365 * 24 * time.Hour, FontPath: os.Getenv("DUDAO_TEST_FONT")},
	}
	if o.Settings != nil {
		o.Settings(&s)
	}
	return s
}

// loadDemo loads the Wuhai demo with the clock running from an hour before start (the demo uploads
// rectification photos right after issuing, and a photo counts only when uploaded after the issue),
// then stops the clock at start.
func loadDemo(t testing.TB, x *app.App, c *domaintest.Clock, start time.Time) {
	t.Helper()
	c.Set(start.Add(-time.Hour))
	c.SetTick(time.Millisecond)
	s, err := demo.Load(context.Background(), x)
	c.SetTick(0)
	c.Set(start)
	if err == nil && !s.Loaded {
		err = errors.New("demo.Load did not load into an empty database")
	}
	if err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
}

var templates struct {
	mu   sync.Mutex
	dirs map[string]string // by start time
}

// demoTemplate is the folder of a SQLite database holding the demo loaded for start, made once.
func demoTemplate(t testing.TB, o Options) string {
	t.Helper()
	key := o.Start.UTC().Format(time.RFC3339Nano)
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if dir, ok := templates.dirs[key]; ok {
		return dir
	}
	dir, err := os.MkdirTemp("", "dudao-demo-")
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{EvidenceDir: filepath.Join(dir, "evidence"), Clock: domaintest.NewClock(o.Start), Mail: &Mailer{}}
	sys, err := system.Open(context.Background(), e.settings(filepath.Join(dir, "dudao.db"), o))
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	loadDemo(t, sys.App, e.Clock, o.Start)
	if err := sys.Close(); err != nil {
		t.Fatal(err)
	}
	if templates.dirs == nil {
		templates.dirs = map[string]string{}
	}
	templates.dirs[key] = dir
	return dir
}

// Cleanup removes the demo templates; a test binary's TestMain calls it after m.Run.
func Cleanup() {
	templates.mu.Lock()
	defer templates.mu.Unlock()
	for _, d := range templates.dirs {
		_ = os.RemoveAll(d)
	}
	templates.dirs = nil
}

// copyTemplate copies the template's database (with its WAL) to dsn and its evidence to evidence.
func copyTemplate(t testing.TB, dir, dsn, evidence string) {
	t.Helper()
	if err := os.CopyFS(evidence, os.DirFS(filepath.Join(dir, "evidence"))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "dudao.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dsn+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// Mailer records the emails dudao sends; it can be made to fail.
type Mailer struct {
	mu   sync.Mutex
	sent []domain.Mail
	fail bool
}

// Send records m, or fails when the mailer is set to.
func (m *Mailer) Send(_ context.Context, msg domain.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("systemtest: the mail server is down")
	}
	m.sent = append(m.sent, msg)
	return nil
}

// SetFailing makes every send fail (or succeed again).
func (m *Mailer) SetFailing(fail bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = fail
}

// To lists the emails sent to addr.
func (m *Mailer) To(addr string) []domain.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Mail
	for _, x := range m.sent {
		if x.To == addr {
			out = append(out, x)
		}
	}
	return out
}

// Sent lists every email sent.
func (m *Mailer) Sent() []domain.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]domain.Mail(nil), m.sent...)
}
