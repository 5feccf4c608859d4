package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/domain"
)

// The scheduler's own rules, with fakes: each item is its own transaction, so one failure neither
// stops the pass nor is counted; emails go only to users with an address, after the commit, and a
// failed send is counted, not fatal. The end-to-end behaviour over a real database is in app/web.

type schTx struct{}

func (schTx) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

type schAudit struct {
	domain.AuditLog
	events []domain.AuditEvent
}

func (a *schAudit) Append(_ context.Context, e *domain.AuditEvent) error {
	a.events = append(a.events, *e)
	return nil
}

// schNotes holds notifications in memory and fails for one user.
type schNotes struct {
	domain.NotificationRepo
	overdue []domain.OverdueFinding
	late    []domain.LateRecheck
	users   map[int64]domain.Recipient
	failFor int64
	stored  map[string]bool
	emailed []int64
	nextID  int64
}

func (n *schNotes) OverdueFindings(context.Context, domain.Date) ([]domain.OverdueFinding, error) {
	return n.overdue, nil
}
func (n *schNotes) SentBackCases(context.Context, int) ([]int64, error) { return nil, nil }
func (n *schNotes) LateRechecks(_ context.Context, before time.Time) ([]domain.LateRecheck, error) {
	var out []domain.LateRecheck
	for _, l := range n.late {
		if l.SubmittedAt.Before(before) {
			out = append(out, l)
		}
	}
	return out, nil
}
func (n *schNotes) Audience(_ context.Context, a domain.Audience) ([]domain.Recipient, error) {
	var out []domain.Recipient
	for _, id := range a.Members { // the fake's members are user ids
		out = append(out, n.users[id])
	}
	return out, nil
}
func (n *schNotes) AddNotification(_ context.Context, x *domain.Notification) (bool, error) {
	if x.UserID == n.failFor {
		return false, errors.New("disk full")
	}
	k := x.DedupKey + "|" + string(rune(x.UserID))
	if n.stored[k] {
		return false, nil
	}
	n.stored[k] = true
	n.nextID++
	x.ID = n.nextID
	return true, nil
}
func (n *schNotes) MarkEmailed(_ context.Context, id int64, _ time.Time) error {
	n.emailed = append(n.emailed, id)
	return nil
}

type schAcc struct{ domain.AccountabilityRepo }

func (schAcc) UndecidedAccountability(context.Context, time.Time) ([]domain.Accountability, error) {
	return nil, nil
}

type schMailer struct {
	sent []domain.Mail
	fail bool
}

func (m *schMailer) Send(_ context.Context, x domain.Mail) error {
	if m.fail {
		return errors.New("smtp down")
	}
	m.sent = append(m.sent, x)
	return nil
}

func schFinding(caseID, findingID int64, target int64) domain.OverdueFinding {
	return domain.OverdueFinding{CaseID: caseID, CaseNumber: "乌督学〔2026〕1号", FindingID: findingID, Title: "消防通道堵塞",
		Severity: domain.SeverityCritical, DueOn: "2026-03-01", Status: domain.FindingOpen,
		OwnerOrg:  domain.Org{ID: 1, Name: "乌海市", Path: "wuhai/"},
		TargetOrg: domain.Org{ID: target, Name: "学校", Path: "wuhai/s/", Kind: domain.OrgSchool}}
}

func TestTickIsolatesFailuresAndMailsAfterCommit(t *testing.T) {
	notes := &schNotes{stored: map[string]bool{}, failFor: 3, users: map[int64]domain.Recipient{
		2: {UserID: 2, Name: "一小校长", Email: "head@s1.example"},
		3: {UserID: 3, Name: "二小校长", Email: "head@s2.example"},
		4: {UserID: 4, Name: "三小联络员"},
	}}
	// TargetAudience's members are org ids; the fake reads them as the one user of each school.
	notes.overdue = []domain.OverdueFinding{schFinding(10, 100, 2), schFinding(11, 110, 3), schFinding(12, 120, 4)}
	audit := &schAudit{}
	mailer := &schMailer{}
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, domain.CST) // two days overdue: reminders, no proposals
	x := app.New(app.Deps{Tx: schTx{}, Notifications: notes, Accountability: schAcc{}, Audit: audit, Mailer: mailer,
		Clock: domain.ClockFunc(func() time.Time { return now }), Rules: domain.Rules{AccountabilityOverdueDays: 15, AccountabilitySendBacks: 2, RecheckDueDays: 15, ProposalDecisionDays: 60}}, app.Options{})
	rep, err := x.Tick(context.Background())
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Tick err = %v, want the failed item's error", err)
	}
	if rep.OverdueFindings != 3 || rep.Reminders != 2 || rep.Emails != 1 || rep.EmailFailures != 0 || rep.Proposals != 0 {
		t.Errorf("report %+v, want 3 found, 2 reminded (one failed), 1 email (one user has no address)", rep)
	}
	if len(mailer.sent) != 1 || mailer.sent[0].To != "head@s1.example" || !strings.Contains(mailer.sent[0].Body, "一小校长") {
		t.Errorf("mails %+v", mailer.sent)
	}
	if len(notes.emailed) != 1 {
		t.Errorf("%d notifications marked emailed, want 1", len(notes.emailed))
	}
	if len(audit.events) != 2 || audit.events[0].ActorID != 0 || audit.events[0].ActorName != "系统" || audit.events[0].Action != "scheduler.remind" {
		t.Errorf("audit events %+v, want one system event per committed reminder", audit.events)
	}
	// The second pass finds the same work and does nothing new.
	notes.failFor = 0
	rep, err = x.Tick(context.Background())
	if err != nil || rep.Reminders != 1 || len(mailer.sent) != 2 {
		t.Errorf("second pass: %+v %v; want only the failed reminder sent now", rep, err)
	}
	rep, _ = x.Tick(context.Background())
	if rep.Reminders != 0 || len(mailer.sent) != 2 {
		t.Errorf("third pass: %+v, want nothing new", rep)
	}
	// A mail server that is down is counted, not fatal.
	mailer.fail = true
	notes.overdue = append(notes.overdue, schFinding(13, 130, 2))
	rep, err = x.Tick(context.Background())
	if err != nil || rep.Reminders != 1 || rep.EmailFailures != 1 || rep.Emails != 0 {
		t.Errorf("mail down: %+v %v", rep, err)
	}
	if s := rep.String(); !strings.Contains(s, "逾期未整改问题 4 个") || !strings.Contains(s, "1 封发送失败") {
		t.Errorf("report text %q", s)
	}
}

func TestSetMyEmailChecksTheAddress(t *testing.T) {
	x := app.New(app.Deps{Tx: schTx{}}, app.Options{})
	for _, bad := range []string{"not-an-email", "名字 <a@b.example>", "a@b.example\r\nBcc: c@d.example", strings.Repeat("a", 200) + "@b.example"} {
		err := x.SetMyEmail(context.Background(), domain.Actor{UserID: 1}, bad)
		if e, ok := err.(*domain.Error); !ok || e.Fields["email"] == "" {
			t.Errorf("SetMyEmail(%q) err = %v, want a field error", bad, err)
		}
	}
}

// A recheck due on a weekend is due the Monday after (SPEC §2.3): not late on the Sunday.
func TestTickLateRecheckDueOnAWeekend(t *testing.T) {
	// Submitted Friday 6 March; 15 days later is Saturday 21 March, so the recheck is due Monday 23 March.
	notes := &schNotes{stored: map[string]bool{}, late: []domain.LateRecheck{{CaseID: 10, CaseNumber: "乌督学〔2026〕1号",
		OwnerOrg: domain.Org{ID: 1, Name: "乌海市", Path: "wuhai/"}, TargetOrg: domain.Org{ID: 2, Name: "学校", Path: "wuhai/s/"},
		SubmittedAt: time.Date(2026, 3, 6, 15, 0, 0, 0, domain.CST)}}}
	for day, want := range map[int]int{22: 0, 23: 0, 24: 1} {
		now := time.Date(2026, 3, day, 9, 0, 0, 0, domain.CST)
		x := app.New(app.Deps{Tx: schTx{}, Notifications: notes, Accountability: schAcc{}, Audit: &schAudit{},
			Clock: domain.ClockFunc(func() time.Time { return now }), Rules: domain.Rules{AccountabilityOverdueDays: 15, AccountabilitySendBacks: 2, RecheckDueDays: 15, ProposalDecisionDays: 60}}, app.Options{})
		rep, err := x.Tick(context.Background())
		if err != nil || rep.LateRechecks != want {
			t.Errorf("23 March is the due day; on %d March: %d late rechecks (%v), want %d", day, rep.LateRechecks, err, want)
		}
	}
}
