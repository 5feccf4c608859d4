// Package system builds the whole of dudao from its settings: storage (migrated), the evidence store,
// the rules, the authorizer, the mailer, the use cases and the web server. The command line and every
// test build dudao here and nowhere else, so a test runs the program that ships.
package system

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"dudao/app"
	"dudao/app/mail"
	"dudao/app/web"
	"dudao/domain"
	"dudao/policies"
	"dudao/storage"
	"dudao/storage/anchor"
	"dudao/storage/blob"
)

// Settings are what dudao is built from. cmd reads them from flags and the environment; tests set them.
type Settings struct {
	DSN          string // a SQLite file path, or postgres://…
	EvidenceDir  string // where uploaded files are kept
	RulesFile    string // rules JSON overriding the built-in clocks ("" for none)
	CalendarPath string // holiday calendar file or folder replacing the built-in one ("" for none)
	SMTP         string // smtp://… for email; "" for in-app notifications only

	// App tunes the use cases: token lifetimes, login throttling, the upload cap, the PDF font.
	App           app.Options
	SecureCookies bool
	// Issue 13: the reverse proxies whose forwarding headers are believed, the least time a request
	// body may take (web.Config.BodyTimeout), and the bearer token that may read /metrics remotely.
	TrustedProxies []netip.Prefix
	BodyTimeout    time.Duration
	MetricsToken   string
	// AnchorDir is where signed checkpoints of the audit chain are kept, apart from the database
	// ("" for none).
	AnchorDir string

	// Clock is the time the use cases see; nil is the wall clock. Tests inject theirs.
	Clock domain.Clock
	// Rules replaces what RulesFile and CalendarPath would load; tests bring their own calendars.
	Rules *domain.Rules
	// Mailer replaces the SMTP mailer; tests record what would have been sent.
	Mailer domain.Mailer
	// Registry receives the HTTP metrics; nil makes a private one.
	Registry *prometheus.Registry
	// Log receives the server's log; nil discards it.
	Log *slog.Logger
}

// System is dudao built and running on one database.
type System struct {
	DB    *storage.DB
	App   *app.App
	Web   *web.Server
	Log   *slog.Logger
	Blobs *blob.Store // the evidence store, for the sweeper (sweep.go)
}

// Open opens the database, brings its schema up to date and builds everything on it.
func Open(ctx context.Context, s Settings) (*System, error) {
	log := s.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	db, err := storage.Open(s.DSN)
	if err != nil {
		return nil, err
	}
	sys, err := build(ctx, db, s, log)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return sys, nil
}

func build(ctx context.Context, db *storage.DB, s Settings, log *slog.Logger) (*System, error) {
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	var rules domain.Rules
	if s.Rules != nil {
		rules = *s.Rules
	} else {
		r, err := policies.LoadRules(s.RulesFile, s.CalendarPath)
		if err != nil {
			return nil, err
		}
		rules = r
	}
	if msg, ok := rules.Calendar.CoverageWarning(time.Now()); ok { // SPEC §2.3: warn before the calendar runs out
		log.Warn("holiday calendar", "warning", msg)
	}
	indicators, err := policies.Indicators() // monitoring: the embedded indicator catalog and frameworks
	if err != nil {
		return nil, err
	}
	shipped, err := policies.Frameworks(rules)
	if err != nil {
		return nil, err
	}
	var frameworks []domain.FrameworkInput
	for _, f := range shipped {
		frameworks = append(frameworks, f.FrameworkInput)
	}
	enf, err := policies.NewEnforcer()
	if err != nil {
		return nil, err
	}
	evidence := s.EvidenceDir
	if evidence == "" {
		return nil, errors.New("system: no evidence folder")
	}
	blobs, err := blob.New(filepath.Clean(evidence))
	if err != nil {
		return nil, err
	}
	var anchorLog domain.AuditAnchor // issue 13: checkpoints of the audit chain, apart from the database
	if s.AnchorDir != "" {
		l, err := anchor.Open(filepath.Clean(s.AnchorDir))
		if err != nil {
			return nil, err
		}
		anchorLog = l
	}
	mailer := s.Mailer
	if mailer == nil && s.SMTP != "" {
		m, err := mail.New(s.SMTP)
		if err != nil {
			return nil, err
		}
		mailer = m
	}
	clock := s.Clock
	if clock == nil {
		clock = domain.SystemClock
	}
	x := app.New(app.Deps{
		Tx: db, Orgs: db, Users: db, Sessions: db, Logins: db, Audit: db, Cases: db, Blobs: blobs,
		Accountability: db, Notifications: db, Reports: db, Idempotency: db, Mailer: mailer,
		Registry:   db,                                                                                          // inspector registry, 挂牌, plans, draws (issue 10)
		Frameworks: db, Observations: db, Proposals: db, Tasks: db, Indicators: indicators, Shipped: frameworks, // monitoring and the 督办 ledger
		Reviews: db, // 复查/复核 requests (R16)
		Authz:   enf, Clock: clock, Rules: rules,
		Accounts: db, BlobRefs: db, Heads: db, Anchor: anchorLog, // issue 13
	}, s.App)
	sys := &System{DB: db, App: x, Log: log, Blobs: blobs}
	key, err := x.ServerKey(ctx, "web")
	if err != nil {
		return nil, err
	}
	srv, err := web.New(x, web.Config{
		SecureCookies:  s.SecureCookies,
		MaxUploadBytes: s.App.MaxUploadBytes,
		Registry:       s.Registry,
		Ready:          sys.Ready,
		// issue 13
		Key: key, TrustedProxies: s.TrustedProxies, BodyTimeout: s.BodyTimeout, MetricsToken: s.MetricsToken,
	}, log)
	if err != nil {
		return nil, err
	}
	sys.Web = srv
	return sys, nil
}

// Ready reports whether the system can take traffic: the database answers and its schema is current.
// The reasons are Chinese: /readyz shows them to the operator.
func (s *System) Ready(ctx context.Context) error {
	if err := s.DB.Ping(ctx); err != nil {
		return errors.New("数据库不可达")
	}
	v, err := s.DB.SchemaVersion(ctx)
	if err != nil || v != storage.LatestVersion() {
		return errors.New("数据库结构不是最新版本")
	}
	return nil
}

// ServerMemoryLimit is a serving process's soft limit on Go's memory, unless GOMEMLIMIT sets another.
// A login hashes with argon2id in 64 MiB, and without a limit the collector lets the heap grow to twice
// what is live: sixteen supervisors logging in one after another took the server past 300 MB (SPEC §6's
// bound). Under the limit the collector runs sooner instead: one hash and a busy server's live heap fit
// well within it (the bench's peak fell from 285 to 216 MB, at the same throughput).
const ServerMemoryLimit = 128 << 20

// LimitMemory applies ServerMemoryLimit to this process, unless GOMEMLIMIT is set.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(ServerMemoryLimit)
	}
}

// Close closes the database.
func (s *System) Close() error { return s.DB.Close() }
