package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dudao/domain"
)

// TickReport says what one scheduler pass found and did.
type TickReport struct {
	At              time.Time
	OverdueFindings int // findings past due found
	LateRechecks    int // cases awaiting recheck too long
	StaleProposals  int // 问责 proposals undecided too long (R55)
	LateReviews     int // 复查/复核 requests past their decision's clock (R16; issue 12)
	Reminders       int // notifications created
	Proposals       int // 问责 proposed
	Emails          int // emails sent
	EmailFailures   int
	// The 督办 ledger and monitoring.
	OverdueTasks  int // 督办事项 the units hold past their due date
	CaseProposals int // 评估监测 cases proposed
}

// String is the report in Chinese, for the command line and the log.
func (r TickReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "督办检查（%s）：逾期未整改问题 %d 个，复查超期案件 %d 件，超期未决定的问责建议 %d 件；",
		r.At.In(domain.CST).Format("2006-01-02 15:04"), r.OverdueFindings, r.LateRechecks, r.StaleProposals)
	fmt.Fprintf(&b, "逾期督办事项 %d 项；", r.OverdueTasks) // the 督办 ledger
	fmt.Fprintf(&b, "新发提醒 %d 条，新提出问责建议 %d 件，", r.Reminders, r.Proposals)
	fmt.Fprintf(&b, "新提出评估监测立案建议 %d 件，", r.CaseProposals) // monitoring
	fmt.Fprintf(&b, "发送邮件 %d 封", r.Emails)
	if r.EmailFailures > 0 {
		fmt.Fprintf(&b, "（%d 封发送失败）", r.EmailFailures)
	}
	if r.LateReviews > 0 {
		fmt.Fprintf(&b, "；超期未决定的复查复核申请 %d 件", r.LateReviews)
	}
	b.WriteString("。")
	return b.String()
}

// Tick is one idempotent pass of the scheduler (SPEC §2.3): it reminds the target and its supervising
// org of overdue findings, the supervision office of late rechecks and the directors of undecided
// proposals, and proposes 问责 past the thresholds. Each item is written in a transaction of its own
// with its audit event, so one failure does not undo the rest, and nothing is done twice: reminders
// carry a dedup key per user, proposals a key per finding and due date (or case and send-backs).
// Emails go out after their notifications have committed.
func (x *App) Tick(ctx context.Context) (TickReport, error) {
	now := x.d.Clock.Now()
	today := domain.DateOf(now)
	rep := TickReport{At: now}
	tally := &mailTally{}
	ctx = context.WithValue(ctx, tallyKey{}, tally)
	var errs []error
	step := func(what string, fn func(ctx context.Context) error) {
		saved := rep
		if err := x.inTx(ctx, fn); err != nil {
			rep = saved // rolled back: neither counted nor mailed
			errs = append(errs, fmt.Errorf("app: tick: %s: %w", what, err))
		}
	}
	remind := func(ctx context.Context, m domain.Message, aud domain.Audience, objType string, objID int64, path domain.Jurisdiction) error {
		n, err := x.notify(ctx, m, aud, now)
		if err != nil || n == 0 {
			return err
		}
		rep.Reminders += n
		return x.appendAudit(ctx, System, now, "scheduler.remind", objType, objID, path, "", "", fmt.Sprintf("%s：提醒 %d 人", m.Kind.Label(), n))
	}

	overdue, err := x.d.Notifications.OverdueFindings(ctx, today)
	if err != nil {
		return rep, err
	}
	rep.OverdueFindings = len(overdue)
	for _, f := range overdue {
		step("remind overdue finding", func(ctx context.Context) error {
			aud := domain.TargetAudience(f.TargetOrg)
			sup := domain.SupervisingAudience(f.CaseID, f.OwnerOrg, f.TargetOrg)
			aud.Holders, aud.Covering, aud.Inspectors = sup.Holders, sup.Covering, sup.Inspectors
			return remind(ctx, domain.OverdueMessage(f, now, x.d.Rules), aud, "case", f.CaseID, f.TargetOrg.Path)
		})
		if x.d.Rules.ProposeForOverdue(f.DueOn, now) {
			step("propose for overdue finding", func(ctx context.Context) error {
				return x.autoPropose(ctx, f.CaseID, f.FindingID, domain.CauseOverdue, &rep)
			})
		}
	}

	sentBack, err := x.d.Notifications.SentBackCases(ctx, x.d.Rules.AccountabilitySendBacks)
	if err != nil {
		return rep, err
	}
	for _, id := range sentBack {
		step("propose for send-backs", func(ctx context.Context) error {
			return x.autoPropose(ctx, id, 0, domain.CauseSendBacks, &rep)
		})
	}

	// A recheck is late from the day after its due date. The query finds those submitted before the start
	// of (today - N days); a due date moved past a weekend or holiday may not have come yet.
	late, err := x.d.Notifications.LateRechecks(ctx, today.AddDays(-x.d.Rules.RecheckDueDays).Time())
	if err != nil {
		return rep, err
	}
	late = slices.DeleteFunc(late, func(l domain.LateRecheck) bool { return !x.d.Rules.RecheckLate(l.SubmittedAt, now) })
	rep.LateRechecks = len(late)
	for _, l := range late {
		step("remind late recheck", func(ctx context.Context) error {
			return remind(ctx, domain.LateRecheckMessage(l, x.d.Rules), domain.OfficeAudience(l.CaseID, l.OwnerOrg), "case", l.CaseID, l.TargetOrg.Path)
		})
	}

	undecided, err := x.d.Accountability.UndecidedAccountability(ctx, now.AddDate(0, 0, -x.d.Rules.ProposalDecisionDays))
	if err != nil {
		return rep, err
	}
	for i := range undecided {
		r := &undecided[i]
		if !r.Flags(now, x.d.Rules, domain.AccFacts{}).Stale {
			continue
		}
		rep.StaleProposals++
		step("remind stale proposal", func(ctx context.Context) error {
			return remind(ctx, domain.StaleMessage(r, x.d.Rules), domain.DirectorAudience(r.OwnerOrg), "accountability", r.ID, r.TargetOrg.Path)
		})
	}
	// The 督办 ledger: overdue tasks are pressed like findings; monitoring: the binding indicators
	// behind their trajectory propose their cases (a catch-up: writes propose at once).
	tasks, err := x.tickTasks(ctx, now)
	if err != nil {
		return rep, err
	}
	rep.OverdueTasks = len(tasks)
	for i := range tasks {
		t := &tasks[i]
		step("remind overdue task", func(ctx context.Context) error {
			return remind(ctx, domain.TaskOverdueMessage(t, t.DaysOverdue(now, x.d.Rules)), domain.TaskOverdueAudience(t), "task", t.ID, t.TargetOrg.Path)
		})
	}
	step("propose monitoring cases", func(ctx context.Context) error {
		n, err := x.tickMonitoring(ctx)
		rep.CaseProposals += n
		return err
	})

	// Issue 12: the deciding office is reminded of a 复查/复核 past its clock (R16), once per request.
	if x.d.Reviews != nil {
		lateReviews, err := x.d.Reviews.LateReviewRequests(ctx, today)
		if err != nil {
			return rep, err
		}
		rep.LateReviews = len(lateReviews)
		for i := range lateReviews {
			q := &lateReviews[i]
			step("remind late review decision", func(ctx context.Context) error {
				aud := domain.Audience{Holders: []domain.RoleAt{{Role: domain.RoleDirector, OrgID: q.OwnerOrg.ID}}}
				return remind(ctx, q.LateMessage(), aud, "review_request", q.ID, q.TargetOrg.Path)
			})
		}
	}
	if x.d.Idempotency != nil {
		step("expire idempotency keys", func(ctx context.Context) error {
			return x.d.Idempotency.DeleteIdempotencyBefore(ctx, now.Add(-idempotencyKeep))
		})
	}
	rep.Emails, rep.EmailFailures = tally.sent, tally.failed
	return rep, errors.Join(errs...)
}

// autoPropose proposes 问责 for a case (about one finding, or the case as a whole when findingID is 0)
// through the write path, as the system, unless the scheduler did so already or the same proposal is
// open; the directors are told like for any proposal.
func (x *App) autoPropose(ctx context.Context, caseID, findingID int64, cause domain.Cause, rep *TickReport) error {
	c, err := x.d.Cases.GetCase(ctx, caseID)
	if err != nil {
		return err
	}
	var f *domain.Finding
	if findingID != 0 {
		if f = c.Finding(findingID); f == nil {
			return nil
		}
	}
	made := false
	need, _ := (&domain.Accountability{}).Permission(domain.OpPropose)
	_, err = create(ctx, x, x.accs, System, domain.OpPropose, need, func(ctx context.Context, now time.Time) (*domain.Accountability, string, error) {
		r := domain.NewAutoAccountability(c, f, cause, now, x.d.Rules)
		taken, err := x.d.Accountability.AccountabilityKeyTaken(ctx, r.AutoKey, r.OpenKey())
		if err != nil || taken {
			return nil, "", errTaken{err}
		}
		made = true
		return r, r.Cause.Label(), nil
	})
	var t errTaken
	if errors.As(err, &t) {
		return t.err
	}
	if made && err == nil {
		rep.Proposals++
	}
	return err
}

// errTaken stops a creation that is not needed (the proposal exists); it carries the lookup's error.
type errTaken struct{ err error }

func (e errTaken) Error() string { return "app: already proposed" }
