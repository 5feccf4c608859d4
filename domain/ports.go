package domain

import (
	"context"
	"io"
	"time"
)

// TxRunner runs fn in one database transaction carried by the ctx it passes on.
// A nested call joins the outer transaction.
type TxRunner interface {
	WithinTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Clock tells the time; tests inject their own.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock.
var SystemClock Clock = ClockFunc(time.Now)

// Authorizer decides whether an actor may do act on an object of kind obj that lies at path.
// It checks roles and jurisdictions only; rules that need the object itself (owner vs target,
// separation of duties) are the domain's.
type Authorizer interface {
	Allowed(a Actor, obj, act string, path Jurisdiction) bool
	// Scopes are the jurisdictions where a may do act on obj: the paths of the grants whose role
	// allows it, nested ones folded into their ancestors. What list queries filter on.
	Scopes(a Actor, obj, act string) []Jurisdiction
}

// OrgRepo stores the organisation tree.
type OrgRepo interface {
	CreateOrg(ctx context.Context, o *Org) error
	GetOrg(ctx context.Context, id int64) (Org, error)
	GetOrgByPath(ctx context.Context, path Jurisdiction) (Org, error)
	// ListOrgs returns the orgs lying under any of scopes, ordered by path.
	ListOrgs(ctx context.Context, scopes []Jurisdiction) ([]Org, error)
}

// UserRepo stores users and their grants.
type UserRepo interface {
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id int64) (User, error)
	GetUserByUsername(ctx context.Context, username string) (User, error)
	SetPassword(ctx context.Context, userID int64, hash string) error
	ListUsers(ctx context.Context, scopes []Jurisdiction) ([]User, error)
	AddGrant(ctx context.Context, g *Grant) error
	Grants(ctx context.Context, userID int64) ([]Grant, error)
}

// Session is a bearer token or web session, stored by the hash of its secret.
type Session struct {
	TokenHash string
	UserID    int64
	Kind      string // "api" or "web"
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionRepo stores sessions so that app nodes keep no state of their own.
type SessionRepo interface {
	CreateSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, tokenHash string) (Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) error
}

// AuditLog appends events to the hash chain, inside the caller's transaction.
type AuditLog interface {
	Append(ctx context.Context, e *AuditEvent) error
	List(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
	// Verify walks the whole chain and returns the id of the first broken event, or 0.
	Verify(ctx context.Context) (brokenID int64, reason string, err error)
}

// BlobInfo describes a stored file.
type BlobInfo struct {
	SHA256      string
	Size        int64
	ContentType string
}

// BlobStore keeps uploaded files content-addressed, outside the database.
type BlobStore interface {
	// Stage reads r up to maxBytes into a temporary file, hashes it and sniffs its type; nothing is
	// stored under the hash until the StagedBlob is promoted. Too large is ETOOLARGE; an unaccepted
	// type is EUNSUPPORTED; nothing is left behind on error. (Issue 13: was Put, which stored the file
	// before the transaction recording it, so refused uploads left orphans.)
	Stage(ctx context.Context, r io.Reader, maxBytes int64) (StagedBlob, error)
	Open(ctx context.Context, sha256 string) (io.ReadSeekCloser, error)
}

// StagedBlob is an upload on its way into a BlobStore: promoted inside the transaction that records
// it, just before commit, and finished once that transaction has ended.
type StagedBlob interface {
	Info() BlobInfo
	// Promote stores the file under its sha256, durably.
	Promote() error
	// Finish removes the temporary file and, when the record was not committed, the promoted file
	// too, unless it was stored before or referenced reports that the database refers to it.
	Finish(committed bool, referenced func() (bool, error)) error
}

// CaseFilter selects cases for a list. Scopes are required: a case is listed when its owner or its
// target lies under one of them.
type CaseFilter struct {
	Scopes      []Jurisdiction
	Status      Status
	Type        CaseType
	Kind        CaseKind
	TargetOrgID int64
	InspectorID int64
	Statuses    []Status // any of these (with Status, that one too)
	Overdue     bool     // has a finding still to be rectified past its due date (as of Today)
	// PendingObjections: has an objection not yet ruled on.
	PendingObjections bool
	Today             Date
	Q                 string // in the title or the number
	From, To          Date   // created between, inclusive
	Page              int
	PerPage           int
}

// CaseRepo stores the case aggregate. SaveCase writes the case and its new or changed parts, and
// fails with ECONFLICT when the stored version is no longer expectedVersion.
type CaseRepo interface {
	CreateCase(ctx context.Context, c *Case) error
	GetCase(ctx context.Context, id int64) (*Case, error)
	SaveCase(ctx context.Context, c *Case, expectedVersion int) error
	ListCases(ctx context.Context, f CaseFilter) ([]Case, int, error)
	// CaseSummaries returns the first f.PerPage cases of the filter, newest first, as work lists show
	// them: without their parts but with their inspectors and the counts of SummaryCounts; no total.
	CaseSummaries(ctx context.Context, f CaseFilter) ([]CaseSummary, error)
	// CaseCounts counts the cases under scopes by status, and those overdue as of today.
	CaseCounts(ctx context.Context, scopes []Jurisdiction, today Date) (byStatus map[Status]int, overdue int, err error)
	// FindingsToRectify lists the findings the target org still has to rectify in cases being
	// rectified, earliest due first, up to limit, with how many there are in all.
	FindingsToRectify(ctx context.Context, targetOrgID int64, limit int) ([]FindingDue, int, error)
	// EvidenceSeenElsewhere reports whether a file with this sha256 is attached to another case
	// (of any year): the same photo offered twice as proof.
	EvidenceSeenElsewhere(ctx context.Context, sha string, caseID int64) (bool, error)
	GetEvidence(ctx context.Context, id int64) (Evidence, error)
}

// CaseSummary is a case as a work list shows it: the case without its parts (its inspectors
// included, so that the domain can tell what a caller may do) and counts of its parts.
type CaseSummary struct {
	Case
	FindingCount          int // findings recorded
	SubmittedCount        int // awaiting recheck
	PendingObjectionCount int // objections not yet ruled on
	OverdueCount          int // still to be rectified past their due date
	OldestOverdue         Date
}

// FindingDue is a finding still to be rectified, with the case it belongs to.
type FindingDue struct {
	CaseID     int64
	CaseNumber string
	CaseTitle  string
	FindingID  int64
	Title      string
	Status     FindingStatus
	DueOn      Date
}
