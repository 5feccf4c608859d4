// Package app holds dudao's use cases. Each write runs in one transaction: load, authorize, call the
// domain, save, append the audit event. It depends on the domain's interfaces only.
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
	Logins   domain.LoginAttempts
	Audit    domain.AuditLog
	Cases    domain.CaseRepo
	Blobs    domain.BlobStore

	Accountability domain.AccountabilityRepo
	Notifications  domain.NotificationRepo
	Reports        domain.ReportRepo
	Mailer         domain.Mailer // nil when no SMTP server is configured
	Authz          domain.Authorizer
	Clock          domain.Clock
	Rules          domain.Rules
}

// Options tune the use cases; zero values take defaults.
type Options struct {
	APITokenTTL   time.Duration // bearer tokens (default 12h)
	WebSessionTTL time.Duration // browser sessions (default 8h)
	// Login throttling: more than MaxFailuresPerUser failures for one username, or MaxFailuresPerAddr
	// from one address, within FailureWindow answer 429 until the window passes.
	MaxFailuresPerUser int
	MaxFailuresPerAddr int
	FailureWindow      time.Duration
	// MaxUploadBytes caps one evidence file (default 20 MB).
	MaxUploadBytes int64
	// FontPath is a single-file TrueType font with Chinese glyphs for PDF reports; empty takes the
	// font embedded in the binary.
	FontPath string
}

// App is the set of use cases.
type App struct {
	Deps
	opt   Options
	argon chan struct{} // slots for concurrent password hashing
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
		o.MaxFailuresPerAddr = 30
	}
	if o.MaxUploadBytes == 0 {
		o.MaxUploadBytes = 20 << 20
	}
	if o.FailureWindow == 0 {
		o.FailureWindow = 15 * time.Minute
	}
	return &App{Deps: d, opt: o, argon: make(chan struct{}, runtime.NumCPU())}
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id that audit events record.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

func requestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// audit appends an event for actor a inside the transaction in ctx.
func (x *App) audit(ctx context.Context, a domain.Actor, action, objType string, objID int64, path domain.Jurisdiction, before, after any, detail string) error {
	e := &domain.AuditEvent{
		At: x.Clock.Now(), ActorID: a.UserID, ActorName: a.Name, Action: action, ObjectType: objType,
		ObjectID: objID, ObjectPath: path, Detail: detail, RequestID: requestID(ctx),
	}
	if a.UserID == 0 && a.Name == "" {
		e.ActorName = "系统"
	}
	if before != nil {
		e.Before = domain.Digest(before)
	}
	if after != nil {
		e.After = domain.Digest(after)
	}
	return x.Audit.Append(ctx, e)
}

// System is the actor of the command line and the scheduler.
var System = domain.Actor{Name: "系统"}
