package domain

import (
	"context"
	"time"
)

// NotificationKind says what a notification is about.
type NotificationKind string

const (
	NotifyFindingOverdue NotificationKind = "finding_overdue"         // a finding is past its due date
	NotifyRecheckLate    NotificationKind = "recheck_late"            // a submitted rectification awaits recheck too long
	NotifyAccProposed    NotificationKind = "accountability_proposed" // a 问责 was proposed
	NotifyAccStale       NotificationKind = "accountability_stale"    // a 问责 proposal is undecided too long (R55)
	NotifyAccNoticed     NotificationKind = "accountability_noticed"  // the object was noticed and may make a statement
	NotifyAccStatement   NotificationKind = "accountability_statement"
	NotifyAccDecided     NotificationKind = "accountability_decided"
	NotifyDrawn          NotificationKind = "draw_assigned" // drawn into an inspection team by a 双随机 draw (issue 10)
	// Monitoring and the 督办 ledger.
	NotifyCaseProposed NotificationKind = "case_proposed" // a binding indicator behind its trajectory proposes a case
	NotifyTaskOverdue  NotificationKind = "task_overdue"  // a 督办事项 is past its due date

	// Issue 12: whoever must act next on a case is told at each step.
	NotifyCaseOpened     NotificationKind = "case_opened"      // the team: a case to inspect
	NotifyCaseNotice     NotificationKind = "case_notice"      // the target: a 督导通知
	NotifySelfEvaluation NotificationKind = "self_evaluation"  // the team: the target's 自评报告
	NotifyPreliminary    NotificationKind = "case_preliminary" // the target: the 初步督导意见
	NotifyObjection      NotificationKind = "objection_filed"  // the directors: an objection to rule on
	NotifyRuling         NotificationKind = "objection_ruled"  // the target: the ruling
	NotifyAcknowledged   NotificationKind = "case_acknowledged"
	NotifyForReview      NotificationKind = "case_for_review" // the directors: a report to issue
	NotifyReturned       NotificationKind = "case_returned"   // the team: the report came back
	NotifyIssued         NotificationKind = "case_issued"     // the target: the 意见书
	NotifyReport         NotificationKind = "case_report"     // the next-higher office: the 督导报告 (R11)
	NotifyRectification  NotificationKind = "case_rectified"  // the office: a rectification to recheck
	NotifyRechecked      NotificationKind = "case_rechecked"  // the target: the recheck's result
	NotifyCancelled      NotificationKind = "case_cancelled"
	NotifySafety         NotificationKind = "safety_hazard"      // R34: a critical finding, at once
	NotifyCorrected      NotificationKind = "document_corrected" // the target: a corrected 意见书
	NotifyReviewApplied  NotificationKind = "review_applied"     // the deciding office: a 复查/复核 (R16)
	NotifyReviewDecided  NotificationKind = "review_decided"     // the applicant: the decision
	NotifyReviewLate     NotificationKind = "review_late"        // the deciding office: past its clock
)

// Label is the Chinese name of k.
func (k NotificationKind) Label() string {
	switch k {
	case NotifyFindingOverdue:
		return "逾期未整改"
	case NotifyRecheckLate:
		return "复查超期"
	case NotifyAccProposed:
		return "问责建议"
	case NotifyAccStale:
		return "问责建议久未决定"
	case NotifyAccNoticed:
		return "问责告知"
	case NotifyAccStatement:
		return "陈述申辩"
	case NotifyAccDecided:
		return "问责决定"
	case NotifyDrawn:
		return "随机抽取"
	// Monitoring and the 督办 ledger.
	case NotifyCaseProposed:
		return "评估监测立案建议"
	case NotifyTaskOverdue:
		return "督办事项逾期"
	case NotifyCaseOpened:
		return "新的督导任务"
	case NotifyCaseNotice:
		return "督导通知"
	case NotifySelfEvaluation:
		return "自评报告"
	case NotifyPreliminary:
		return "初步督导意见"
	case NotifyObjection:
		return "申辩待裁定"
	case NotifyRuling:
		return "申辩裁定"
	case NotifyAcknowledged:
		return "初步意见已确认"
	case NotifyForReview:
		return "报告待签发"
	case NotifyReturned:
		return "报告退回修改"
	case NotifyIssued:
		return "督导意见书"
	case NotifyReport:
		return "督导报告"
	case NotifyRectification:
		return "整改待复查"
	case NotifyRechecked:
		return "复查结果"
	case NotifyCancelled:
		return "案件撤销"
	case NotifySafety:
		return "安全隐患"
	case NotifyCorrected:
		return "意见书更正"
	case NotifyReviewApplied:
		return "复查复核申请"
	case NotifyReviewDecided:
		return "复查复核决定"
	case NotifyReviewLate:
		return "复查复核超期"
	}
	return string(k)
}

// Notification is one message in a user's in-app inbox (SPEC §3). DedupKey makes it once per user:
// storing a second one with the same key for the same user does nothing.
type Notification struct {
	ID               int64
	UserID           int64
	Kind             NotificationKind
	Title            string
	Body             string
	Link             string // a page of this site, "/cases/12"
	CaseID           *int64
	AccountabilityID *int64
	DedupKey         string
	CreatedAt        time.Time
	ReadAt           *time.Time
	EmailedAt        *time.Time
}

// Message is what is sent, before it is addressed to each recipient.
type Message struct {
	Kind             NotificationKind
	Title            string
	Body             string
	Link             string
	CaseID           *int64
	AccountabilityID *int64
	// Key identifies the occasion; with the user it makes the dedup key, so that one occasion reaches
	// each user once however often the scheduler runs.
	Key string
}

// For addresses m to one user.
func (m Message) For(userID int64, now time.Time) Notification {
	return Notification{UserID: userID, Kind: m.Kind, Title: m.Title, Body: m.Body, Link: m.Link, CaseID: m.CaseID,
		AccountabilityID: m.AccountabilityID, DedupKey: m.Key, CreatedAt: now}
}

// Recipient is a user a message goes to; Email is "" when the user has none.
type Recipient struct {
	UserID int64
	Name   string
	Email  string
}

// RoleAt names the users holding Role through a grant at exactly OrgID.
type RoleAt struct {
	Role  Role
	OrgID int64
}

// RoleOver names the users holding Role through a grant covering Path.
type RoleOver struct {
	Role Role
	Path Jurisdiction
}

// Audience describes who receives a message; storage resolves it to distinct active users.
type Audience struct {
	Members  []int64    // every active user whose own org is one of these
	Holders  []RoleAt   // grant holders at an org
	Covering []RoleOver // grant holders over a path
	Users    []int64    // these users
	// Inspectors are the inspectors of these cases.
	Inspectors []int64
}

// Mail is one email.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends email when an SMTP server is configured.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// NotificationRepo stores in-app notifications and the scheduler's idempotency marks, and finds the
// people and the work the scheduler reminds of.
type NotificationRepo interface {
	// AddNotification stores n unless the user already has one with its DedupKey; created says which.
	AddNotification(ctx context.Context, n *Notification) (created bool, err error)
	// ListNotifications lists a user's notifications, unread first, newest first within each, with
	// the total and the unread count.
	ListNotifications(ctx context.Context, userID int64, page, perPage int) (items []Notification, total, unread int, err error)
	// MarkRead marks one of the user's notifications read (ENOTFOUND for anyone else's).
	MarkRead(ctx context.Context, userID, id int64, at time.Time) (Notification, error)
	// MarkAllRead marks every unread notification of the user read and says how many.
	MarkAllRead(ctx context.Context, userID int64, at time.Time) (int, error)
	MarkEmailed(ctx context.Context, id int64, at time.Time) error
	// SetEmail sets the address the user's reminders are emailed to ("" for none).
	SetEmail(ctx context.Context, userID int64, email string) error
	GetEmail(ctx context.Context, userID int64) (string, error)
	// Audience resolves an audience to its distinct active users, by user id.
	Audience(ctx context.Context, a Audience) ([]Recipient, error)

	// OverdueFindings lists findings still to be rectified (open or failed) due before today, in cases
	// being rectified or verified.
	OverdueFindings(ctx context.Context, today Date) ([]OverdueFinding, error)
	// LateRechecks lists cases awaiting recheck whose rectification was submitted before the given time.
	LateRechecks(ctx context.Context, submittedBefore time.Time) ([]LateRecheck, error)
	// SentBackCases lists the ids of cases being rectified or verified that recheck sent back at
	// least minFailures times.
	SentBackCases(ctx context.Context, minFailures int) ([]int64, error)
}
