package domain

import (
	"fmt"
	"time"
)

// The scheduler (SPEC §2.3) finds overdue findings, late rechecks and undecided 问责 proposals, reminds
// the people concerned, and proposes 问责 past the thresholds. What it finds and what it says are
// decided here; the app runs it, one item per transaction, idempotently.

// OverdueFinding is a finding still to be rectified past its due date, with its case.
type OverdueFinding struct {
	CaseID          int64
	CaseNumber      string
	CaseTitle       string
	CaseStatus      Status
	OwnerOrg        Org
	TargetOrg       Org
	RecheckFailures int
	FindingID       int64
	Title           string
	Severity        Severity
	Status          FindingStatus
	DueOn           Date
}

// LateRecheck is a case whose submitted rectification has waited for recheck past RecheckDueDays.
type LateRecheck struct {
	CaseID      int64
	CaseNumber  string
	CaseTitle   string
	OwnerOrg    Org
	TargetOrg   Org
	SubmittedAt time.Time
}

// TargetAudience is the inspected unit's own users.
func TargetAudience(target Org) Audience {
	return Audience{Members: []int64{target.ID}}
}

// SupervisingAudience is who supervises the target of a case owned by owner: the owner office's
// directors and supervisors and the case's inspectors, and for a school the district office above it,
// which must press its schools to rectify (R51).
func SupervisingAudience(caseID int64, owner, target Org) Audience {
	a := OfficeAudience(caseID, owner)
	if target.Kind == OrgSchool {
		a.Covering = []RoleOver{{RoleDistrictOffice, target.Path}}
	}
	return a
}

// OfficeAudience is the supervision office of a case: the owner's directors and supervisors and the
// case's inspectors.
func OfficeAudience(caseID int64, owner Org) Audience {
	return Audience{Holders: []RoleAt{{RoleDirector, owner.ID}, {RoleSupervisor, owner.ID}}, Inspectors: []int64{caseID}}
}

// DirectorAudience is the directors of the office handling a 问责 record, or above it.
func DirectorAudience(owner Org) Audience {
	return Audience{Covering: []RoleOver{{RoleDirector, owner.Path}}}
}

func caseLink(id int64) string { return fmt.Sprintf("/cases/%d", id) }

func accLink(id int64) string { return fmt.Sprintf("/accountability/%d", id) }

// OverdueMessage reminds of an overdue finding, once per finding and due date.
func OverdueMessage(f OverdueFinding, now time.Time, r Rules) Message {
	cid := f.CaseID
	days := r.DaysOverdue(f.DueOn, now)
	return Message{
		Kind:   NotifyFindingOverdue,
		Title:  fmt.Sprintf("逾期未整改：%s「%s」", f.CaseNumber, f.Title),
		Body:   fmt.Sprintf("%s的问题「%s」（%s）整改期限为%s，已逾期%d日。请%s尽快整改并提交整改报告；逾期超过%d日将提出问责建议。", f.CaseNumber, f.Title, f.Severity.Label(), r.Calendar.Label(f.DueOn), days, f.TargetOrg.Name, r.AccountabilityOverdueDays),
		Link:   caseLink(f.CaseID),
		CaseID: &cid,
		Key:    fmt.Sprintf("overdue:f%d:%s", f.FindingID, f.DueOn),
	}
}

// LateRecheckMessage reminds the supervision office that a rectification awaits its recheck.
func LateRecheckMessage(l LateRecheck, r Rules) Message {
	cid := l.CaseID
	due := r.RecheckDue(l.SubmittedAt)
	return Message{
		Kind:   NotifyRecheckLate,
		Title:  fmt.Sprintf("复查超期：%s", l.CaseNumber),
		Body:   fmt.Sprintf("%s（%s）于%s提交整改报告，应于%s前完成复查，现已超期。请尽快安排复查。", l.CaseNumber, l.TargetOrg.Name, DateOf(l.SubmittedAt), r.Calendar.Label(due)),
		Link:   caseLink(l.CaseID),
		CaseID: &cid,
		Key:    fmt.Sprintf("recheck_late:c%d:%s", l.CaseID, l.SubmittedAt.UTC().Format(time.RFC3339)),
	}
}

// ProposedMessage tells the directors that a 问责 was proposed.
func ProposedMessage(a *Accountability) Message {
	id := a.ID
	return Message{
		Kind:             NotifyAccProposed,
		Title:            fmt.Sprintf("问责建议待处理：%s", a.Label()),
		Body:             fmt.Sprintf("%s（情形：%s）。%s", a.Cause.Label(), a.Trigger.Label(), a.Facts),
		Link:             accLink(a.ID),
		CaseID:           a.CaseID,
		AccountabilityID: &id,
		Key:              fmt.Sprintf("acc_proposed:%d", a.ID),
	}
}

// StaleMessage reminds the directors of a proposal not decided in time (R55).
func StaleMessage(a *Accountability, r Rules) Message {
	id := a.ID
	return Message{
		Kind:  NotifyAccStale,
		Title: fmt.Sprintf("问责建议超过%d日未决定：%s", r.ProposalDecisionDays, a.Label()),
		Body: fmt.Sprintf("该问责建议于%s提出，至今未作出决定。按《教育督导问责办法》，督导工作完成后%d日内应组建调查认定工作组，请尽快处理。",
			DateOf(a.ProposedAt), r.ProposalDecisionDays),
		Link:             accLink(a.ID),
		CaseID:           a.CaseID,
		AccountabilityID: &id,
		Key:              fmt.Sprintf("acc_stale:%d", a.ID),
	}
}

// NoticedMessage tells the object's unit of the written notice and its 陈述申辩 window.
func NoticedMessage(a *Accountability) Message {
	id := a.ID
	return Message{
		Kind:             NotifyAccNoticed,
		Title:            fmt.Sprintf("问责告知：%s", a.Label()),
		Body:             fmt.Sprintf("%s\n如有异议，可于%s（含）前在系统中陈述申辩。", a.NoticeText, a.LastStatementDay()),
		Link:             accLink(a.ID),
		CaseID:           a.CaseID,
		AccountabilityID: &id,
		Key:              fmt.Sprintf("acc_noticed:%d", a.ID),
	}
}

// StatementMessage tells the directors that the object made its statement.
func StatementMessage(a *Accountability) Message {
	id := a.ID
	return Message{
		Kind:             NotifyAccStatement,
		Title:            fmt.Sprintf("问责对象已陈述申辩：%s", a.Label()),
		Body:             a.StatementText,
		Link:             accLink(a.ID),
		CaseID:           a.CaseID,
		AccountabilityID: &id,
		Key:              fmt.Sprintf("acc_statement:%d", a.ID),
	}
}

// DecidedMessage tells the object's unit of the decision.
func DecidedMessage(a *Accountability) Message {
	id := a.ID
	return Message{
		Kind:             NotifyAccDecided,
		Title:            fmt.Sprintf("问责决定：%s", a.Label()),
		Body:             fmt.Sprintf("问责方式：%s，自%s起生效。", FormLabel(a.Form), a.EffectiveOn),
		Link:             accLink(a.ID),
		CaseID:           a.CaseID,
		AccountabilityID: &id,
		Key:              fmt.Sprintf("acc_decided:%d", a.ID),
	}
}
