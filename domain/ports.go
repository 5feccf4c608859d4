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
	// CountOrgs counts the orgs lying under any of scopes.
	CountOrgs(ctx context.Context, scopes []Jurisdiction) (int, error)
	// OrgsWithin returns the orgs at paths and their direct children, up to limit, ordered by path.
	OrgsWithin(ctx context.Context, paths []Jurisdiction, limit int) ([]Org, error)
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
	// UserNames maps user ids to their names (unknown ids are left out).
	UserNames(ctx context.Context, ids []int64) (map[int64]string, error)
	// GrantsOf returns the grants of many users at once, by user.
	GrantsOf(ctx context.Context, userIDs []int64) (map[int64][]Grant, error)
}

// Session is a bearer token or web session, stored by the hash of its secret.
type Session struct {
	TokenHash string
	UserID    int64
	Kind      string // "api" or "web"
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionHolder is a session with who holds it: the user, the user's org and the user's grants.
type SessionHolder struct {
	Session Session
	User    User
	Org     Org
	Grants  []Grant
}

// SessionRepo stores sessions so that app nodes keep no state of their own.
type SessionRepo interface {
	CreateSession(ctx context.Context, s Session) error
	// GetSessionHolder reads a session with its holder, as every authenticated request needs them.
	GetSessionHolder(ctx context.Context, tokenHash string) (SessionHolder, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) error
}

// AuditLog appends events to the hash chain, inside the caller's transaction.
type AuditLog interface {
	Append(ctx context.Context, e *AuditEvent) error
	List(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
	// Page lists up to f.PerPage events, newest first, older than f.Before when set, with the filters
	// of f; no total (a keyset page does not count the scope).
	Page(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
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
	// AllTypesIn, when set, are the scopes of Scopes where every case is listed; under the others only
	// 评估监测 cases are (a user who reads cases in one place and 评估监测 cases in a wider one).
	AllTypesIn []Jurisdiction
	Today      Date
	Q          string // in the title or the number
	From, To   Date   // created between, inclusive
	Page       int
	PerPage    int
	// Cursor continues a list after the page that answered it (CasePage.Next): the way to deep pages,
	// whose cost does not grow with their depth as Page's does.
	Cursor string
}

// CasePage is one page of a case list, newest first.
type CasePage struct {
	Items []Case
	Total int    // how many cases the filter holds; at least this many when not Exact
	Exact bool   // false when the count stopped at its cap (a list says "1,000+")
	Next  string // the cursor of the next page; "" on the last
}

// CaseRepo stores the case aggregate. SaveCase writes the case and its new or changed parts, and
// fails with ECONFLICT when the stored version is no longer expectedVersion.
type CaseRepo interface {
	CreateCase(ctx context.Context, c *Case) error
	GetCase(ctx context.Context, id int64) (*Case, error)
	SaveCase(ctx context.Context, c *Case, expectedVersion int) error
	ListCases(ctx context.Context, f CaseFilter) (CasePage, error)
	// CaseSummaries returns the first f.PerPage cases of the filter, newest first, as work lists show
	// them: without their parts but with their inspectors and the counts of SummaryCounts; no total.
	CaseSummaries(ctx context.Context, f CaseFilter) ([]CaseSummary, error)
	// CaseCounts counts the cases under scopes by status, and those overdue as of today.
	CaseCounts(ctx context.Context, scopes []Jurisdiction, today Date) (byStatus map[Status]int, overdue int, err error)
	// FindingsToRectify lists the findings the target org still has to rectify in cases being
	// rectified, earliest due first, up to limit, with how many there are in all.
	FindingsToRectify(ctx context.Context, targetOrgID int64, limit int) ([]FindingDue, int, error)
	// FindingsToChase lists the open findings of the cases being rectified whose targets lie under
	// scopes, other than exceptOrgID's own, earliest due first, up to limit, with how many in all: what
	// a district office chases its schools for.
	FindingsToChase(ctx context.Context, scopes []Jurisdiction, exceptOrgID int64, limit int) ([]FindingDue, int, error)
	// FirstSighting finds the first upload of a file with this sha256, on any case (this one included):
	// the same photo offered twice as proof. ok is false when the file is new.
	FirstSighting(ctx context.Context, sha string) (s EvidenceSighting, ok bool, err error)
	GetEvidence(ctx context.Context, id int64) (Evidence, error)
	// GetCaseDocument loads one document of a case with its content and renderings (issue 12).
	GetCaseDocument(ctx context.Context, caseID, docID int64) (CaseDocument, error)
}

// ReviewRepo stores the 复查/复核 requests of R16 (issue 12).
type ReviewRepo interface {
	CreateReviewRequest(ctx context.Context, q *ReviewRequest) error
	GetReviewRequest(ctx context.Context, id int64) (*ReviewRequest, error)
	SaveReviewRequest(ctx context.Context, q *ReviewRequest, expectedVersion int) error
	// CaseReviewRequests lists a case's requests, oldest first.
	CaseReviewRequests(ctx context.Context, caseID int64) ([]ReviewRequest, error)
	// LateReviewRequests lists the requests awaiting a decision due before today.
	LateReviewRequests(ctx context.Context, today Date) ([]ReviewRequest, error)
	// PendingReviewRequests counts the requests awaiting a decision of the office ownerOrgID (only
	// the deciding office's own users decide: ReviewRequest.CanDecide), and lists the limit due first.
	PendingReviewRequests(ctx context.Context, ownerOrgID int64, limit int) ([]ReviewRequest, int, error)
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
	TargetName string // the case's target (FindingsToChase only)
}

// --- The inspector registry, 责任督学挂牌, plans and draws (SPEC §3) ---

// InspectorFilter selects registry profiles for a list: those kept by an office lying under one of
// Scopes, or (when Scopes is nil) those with one of IDs or UserIDs.
type InspectorFilter struct {
	Scopes   []Jurisdiction
	IDs      []int64
	UserIDs  []int64
	OfficeID int64 // one registry
	Status   InspStatus
	Kind     InspectorKind
	Q        string // in the name or the code
	Page     int
	PerPage  int // 0: every match
}

// DrawFilter selects draws for a list: run by an office lying under one of Scopes.
type DrawFilter struct {
	Scopes  []Jurisdiction
	Status  DrawStatus
	Page    int
	PerPage int
}

// --- Frameworks, monitoring and the 督办 ledger (SPEC §3) ---

// FrameworkRepo stores framework versions; (code, version) is unique (ECONFLICT on a second).
type FrameworkRepo interface {
	CreateFramework(ctx context.Context, f *Framework) error
	GetFramework(ctx context.Context, id int64) (*Framework, error)
	SaveFramework(ctx context.Context, f *Framework, expectedRevision int) error
	// ListFrameworks lists every version, by code and version. Frameworks are a few standards per
	// office, so the caller filters what a user sees.
	ListFrameworks(ctx context.Context) ([]Framework, error)
}

// ObservationFilter selects observations for a page of the list. Scopes are required: an observation
// is listed when its org lies under one of them.
type ObservationFilter struct {
	Scopes        []Jurisdiction
	IndicatorCode string
	OrgID         int64
	Year          int
	Page          int
	PerPage       int
}

// ObservationQuery selects every observation of some orgs in a span of years (reports, imports).
type ObservationQuery struct {
	Orgs     []Jurisdiction // exact org paths
	Every    bool           // every org instead (the scheduler)
	Codes    []string       // none: every indicator
	From, To int            // years, inclusive
}

// ObservationRepo stores observations; (indicator, org, year) is unique (ECONFLICT on a second).
type ObservationRepo interface {
	CreateObservation(ctx context.Context, o *Observation) error
	GetObservation(ctx context.Context, id int64) (*Observation, error)
	SaveObservation(ctx context.Context, o *Observation, expectedVersion int) error
	ListObservations(ctx context.Context, f ObservationFilter) ([]Observation, int, error)
	FindObservations(ctx context.Context, q ObservationQuery) ([]Observation, error)
	// CreateObservations inserts new observations in batches and sets their ids (an import).
	CreateObservations(ctx context.Context, obs []*Observation) error
}

// CaseProposalFilter selects proposals; Scopes are required (its org or its office under one).
type CaseProposalFilter struct {
	Scopes  []Jurisdiction
	Status  ProposalStatus
	Page    int
	PerPage int
}

// RegistryRepo stores the inspector registry (profiles with terms, training and conflicts), the 挂牌
// records of the schools, the supervision plans and the draws, and answers what their rules read of
// the cases. Create, Get and Save follow the write path (Save fails with ECONFLICT when the stored
// version is no longer expectedVersion).
type RegistryRepo interface {
	CreateInspector(ctx context.Context, i *Inspector) error
	GetInspector(ctx context.Context, id int64) (*Inspector, error)
	SaveInspector(ctx context.Context, i *Inspector, expectedVersion int) error
	// ListInspectors lists profiles by office path and code, with their terms, training and
	// conflicts, and the total of the filter.
	ListInspectors(ctx context.Context, f InspectorFilter) ([]Inspector, int, error)

	CreateAssignment(ctx context.Context, a *Assignment) error
	GetAssignment(ctx context.Context, id int64) (*Assignment, error)
	SaveAssignment(ctx context.Context, a *Assignment, expectedVersion int) error
	// ListAssignments lists the 挂牌 records of the schools under scopes, by school path.
	ListAssignments(ctx context.Context, scopes []Jurisdiction) ([]Assignment, error)
	// PostingLoads counts, per inspector, the schools whose posting is in force on d.
	PostingLoads(ctx context.Context, inspectorIDs []int64, d Date) (map[int64]int, error)

	CreatePlan(ctx context.Context, p *Plan) error
	GetPlan(ctx context.Context, id int64) (*Plan, error)
	SavePlan(ctx context.Context, p *Plan, expectedVersion int) error
	// ListPlans lists the plans of the offices under scopes, newest start year first.
	ListPlans(ctx context.Context, scopes []Jurisdiction) ([]Plan, error)

	CreateDraw(ctx context.Context, d *Draw) error
	GetDraw(ctx context.Context, id int64) (*Draw, error)
	SaveDraw(ctx context.Context, d *Draw, expectedVersion int) error
	// ListDraws lists draws newest first, with the total.
	ListDraws(ctx context.Context, f DrawFilter) ([]Draw, int, error)
	// AddDrawCases records the cases a completed draw opened, by target org.
	AddDrawCases(ctx context.Context, drawID int64, caseByTarget map[int64]int64) error
	// DrawCases are the cases a draw opened, by target org.
	DrawCases(ctx context.Context, drawID int64) (map[int64]int64, error)

	// OpenCaseLoads counts, per user, the cases naming them as inspectors whose 意见书 is not issued
	// yet and that are not cancelled (planned, inspecting, feedback, review): a draw's load.
	OpenCaseLoads(ctx context.Context, userIDs []int64) (map[int64]int, error)
	// InspectedSince lists the ids of the orgs at paths that are the target of a case of type t, other
	// than a routine visit and not cancelled, opened on or after since.
	InspectedSince(ctx context.Context, paths []Jurisdiction, t CaseType, since time.Time) ([]int64, error)
	// RoutineVisits are the days routine cases (经常性督导) started at the schools under scopes from
	// from to to, both included; cancelled cases are no visits.
	RoutineVisits(ctx context.Context, scopes []Jurisdiction, from, to Date) ([]Visit, error)
}

// CaseProposalRepo stores the 评估监测 case proposals; Key is unique (ECONFLICT on a second).
type CaseProposalRepo interface {
	CreateCaseProposal(ctx context.Context, p *CaseProposal) error
	GetCaseProposal(ctx context.Context, id int64) (*CaseProposal, error)
	SaveCaseProposal(ctx context.Context, p *CaseProposal, expectedVersion int) error
	ListCaseProposals(ctx context.Context, f CaseProposalFilter) ([]CaseProposal, int, error)
	// CaseProposalKeys reports which of keys are taken already.
	CaseProposalKeys(ctx context.Context, keys []string) (map[string]bool, error)
}

// TaskFilter selects 督办事项 for the ledger. Scopes are required: a task is listed when its owner or
// its responsible unit lies under one of them.
type TaskFilter struct {
	Scopes      []Jurisdiction
	Status      TaskStatus
	TargetOrgID int64
	Overdue     bool // held by the unit past its due date as of Today
	Today       Date
	Public      bool // only those published (阳光督办)
	Q           string
	Page        int
	PerPage     int
}

// TaskRepo stores 督办事项 and their progress reports.
type TaskRepo interface {
	CreateTask(ctx context.Context, t *Task) error
	GetTask(ctx context.Context, id int64) (*Task, error)
	// SaveTask writes the task and its new reports if the stored version is still expectedVersion.
	SaveTask(ctx context.Context, t *Task, expectedVersion int) error
	ListTasks(ctx context.Context, f TaskFilter) ([]Task, int, error)
	// OverdueTasks lists the tasks the units still hold (assigned, in progress, returned) due before today.
	OverdueTasks(ctx context.Context, today Date) ([]Task, error)
}
