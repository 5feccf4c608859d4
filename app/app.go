// Package app holds dudao's use cases. Every write to a record with a lifecycle goes through the one
// write path of write.go (one transaction: load, authorize, let the domain change it, save, append the
// audit event); the web layer sees these use cases only, never the repositories, the clock or the
// rules behind them. It depends on the domain's interfaces only.
package app

import (
	"context"
	"runtime"
	"time"

	"dudao/domain"
)

// Deps are the ports the use cases need; cmd wires the concrete ones.
type Deps struct {
	Tx       domain.TxRunner
	Orgs     domain.OrgRepo
	Users    domain.UserRepo
	Sessions domain.SessionRepo
	Logins   domain.LoginThrottle
	Audit    domain.AuditLog
	Cases    domain.CaseRepo
	Blobs    domain.BlobStore
	Accounts domain.AccountRepo // issue 13: disable users, revoke grants, end sessions, known devices
	BlobRefs domain.BlobReferences
	Heads    domain.AuditHeads
	Anchor   domain.AuditAnchor // nil: no checkpoints (verify checks the chain alone)

	Accountability domain.AccountabilityRepo
	Notifications  domain.NotificationRepo
	Reports        domain.ReportRepo
	Idempotency    domain.IdempotencyRepo
	// Registry keeps the inspector registry, 挂牌, plans and draws (issue 10).
	Registry domain.RegistryRepo
	Mailer   domain.Mailer // nil when no SMTP server is configured
	Authz    domain.Authorizer
	Clock    domain.Clock
	Rules    domain.Rules
	Reviews  domain.ReviewRepo // 复查/复核 requests (R16)

	// Frameworks, monitoring and the 督办 ledger (SPEC §3): their repositories and the embedded
	// indicator catalog.
	Frameworks   domain.FrameworkRepo
	Observations domain.ObservationRepo
	Proposals    domain.CaseProposalRepo
	Tasks        domain.TaskRepo
	Indicators   *domain.IndicatorCatalog
	Shipped      []domain.FrameworkInput // the frameworks dudao ships (policies/frameworks.json)

}

// Options tune the use cases; zero values take defaults.
type Options struct {
	APITokenTTL   time.Duration // bearer tokens (default 12h)
	WebSessionTTL time.Duration // browser sessions (default 8h)
	// Login throttling (login.go): after MaxFailuresPerUser failures of one username from one client
	// (a known device of the user, or else an address) each further attempt from that client waits a
	// delay that doubles from a minute up to an hour. Clients that are not a known device are refused
	// too after MaxFailuresPerAccount failures of the username within an hour from anywhere, or
	// MaxFailuresPerAddr from their address within FailureWindow; known devices are not.
	MaxFailuresPerUser    int
	MaxFailuresPerAccount int
	MaxFailuresPerAddr    int
	FailureWindow         time.Duration
	// MaxUploadBytes caps one evidence file (default 20 MB).
	MaxUploadBytes int64
	// FontPath is a single-file TrueType font with Chinese glyphs for PDF reports; empty takes the
	// font embedded in the binary.
	FontPath string
}

// App is the set of use cases. Its ports are its own: callers reach them through the use cases.
type App struct {
	d     Deps
	opt   Options
	argon chan struct{} // slots for concurrent password hashing

	// The records with a lifecycle, as the write path knows them.
	cases      kind[*domain.Case]
	accs       kind[*domain.Accountability]
	incentives kind[*domain.Incentive]
	// inspector registry, 挂牌, plans, draws (issue 10)
	inspectors  kind[*domain.Inspector]
	assignments kind[*domain.Assignment]
	plans       kind[*domain.Plan]
	draws       kind[*domain.Draw]

	// Frameworks, monitoring and the 督办 ledger (monitoring.go).
	frameworks   kind[*domain.Framework]
	observations kind[*domain.Observation]
	proposals    kind[*domain.CaseProposal]
	tasks        kind[*domain.Task]

	reviews kind[*domain.ReviewRequest] // issue 12
}

// New builds the use cases.
func New(d Deps, o Options) *App {
	if d.Clock == nil {
		d.Clock = domain.SystemClock
	}
	if o.APITokenTTL == 0 {
		o.APITokenTTL = 12 * time.Hour
	}
	if o.WebSessionTTL == 0 {
		o.WebSessionTTL = 8 * time.Hour
	}
	if o.MaxFailuresPerUser == 0 {
		o.MaxFailuresPerUser = 5
	}
	if o.MaxFailuresPerAddr == 0 {
		o.MaxFailuresPerAddr = 100
	}
	if o.MaxFailuresPerAccount == 0 {
		o.MaxFailuresPerAccount = 30
	}
	if o.MaxUploadBytes == 0 {
		o.MaxUploadBytes = 20 << 20
	}
	if o.FailureWindow == 0 {
		o.FailureWindow = 15 * time.Minute
	}
	x := &App{d: d, opt: o, argon: make(chan struct{}, runtime.NumCPU())}
	if c := d.Cases; c != nil {
		x.cases = kind[*domain.Case]{get: c.GetCase, save: c.SaveCase, insert: c.CreateCase, notFound: errCaseNotFound,
			after: x.caseTold} // issue 12: whoever must act next is told
	}
	if r := d.Accountability; r != nil {
		x.accs = kind[*domain.Accountability]{get: r.GetAccountability, save: r.SaveAccountability, insert: r.CreateAccountability,
			notFound: errAccNotFound, after: x.accountabilityTold}
		x.incentives = kind[*domain.Incentive]{get: r.GetIncentive, save: r.SaveIncentive, insert: r.CreateIncentive, notFound: errIncNotFound}
	}
	// inspector registry, 挂牌, plans, draws (issue 10)
	if r := d.Registry; r != nil {
		x.inspectors = kind[*domain.Inspector]{get: r.GetInspector, save: r.SaveInspector, insert: r.CreateInspector, notFound: errInspectorNotFound}
		x.assignments = kind[*domain.Assignment]{get: r.GetAssignment, save: r.SaveAssignment, insert: r.CreateAssignment, notFound: errAssignmentNotFound}
		x.plans = kind[*domain.Plan]{get: r.GetPlan, save: r.SavePlan, insert: r.CreatePlan, notFound: errPlanNotFound}
		x.draws = kind[*domain.Draw]{get: r.GetDraw, save: r.SaveDraw, insert: r.CreateDraw, notFound: errDrawNotFound, after: x.drawCompleted}
	}
	x.initMonitoring() // frameworks, monitoring and the 督办 ledger

	if r := d.Reviews; r != nil { // issue 12
		x.reviews = kind[*domain.ReviewRequest]{get: r.GetReviewRequest, save: r.SaveReviewRequest, insert: r.CreateReviewRequest,
			notFound: errReviewNotFound, after: x.reviewTold}
	}
	return x
}

// WithClock is the same use cases over the same ports, reading time from c: for replaying a history
// (the demo dates its year of work as it happened). x and its clock are left as they are.
func (x *App) WithClock(c domain.Clock) *App {
	d := x.d
	d.Clock = c
	return New(d, x.opt)
}

// Now is the time by the app's clock.
func (x *App) Now() time.Time { return x.d.Clock.Now() }

// Today is the date in CST by the app's clock.
func (x *App) Today() domain.Date { return domain.DateOf(x.d.Clock.Now()) }

// Rules are the supervision rules in force (clocks, categories), for forms that explain them.
func (x *App) Rules() domain.Rules { return x.d.Rules }

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id that audit events record.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

func requestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// System is the actor of the command line and the scheduler.
var System = domain.Actor{Name: "系统", System: true}
