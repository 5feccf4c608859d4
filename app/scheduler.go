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
	Reminders       int // notifications created
	Proposals       int // 问责 proposed
	Emails          int // emails sent
	EmailFailures   int
}

// String is the report in Chinese, for the command line and the log.
func (r TickReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "督办检查（%s）：逾期未整改问题 %d 个，复查超期案件 %d 件，超期未决定的问责建议 %d 件；",
		r.At.In(domain.CST).Format("2006-01-02 15:04"), r.OverdueFindings, r.LateRechecks, r.StaleProposals)
	fmt.Fprintf(&b, "新发提醒 %d 条，新提出问责建议 %d 件，发送邮件 %d 封", r.Reminders, r.Proposals, r.Emails)
	if r.EmailFailures > 0 {
		fmt.Fprintf(&b, "（%d 封发送失败）", r.EmailFailures)
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
	now := x.Clock.Now()
	today := domain.DateOf(now)
	rep := TickReport{At: now}
	var errs []error
	var mails []outMail
	step := func(what string, fn func(ctx context.Context) error) {
		saved, n := rep, len(mails)
		if err := x.Tx.WithinTx(ctx, fn); err != nil {
			rep, mails = saved, mails[:n] // rolled back: neither counted nor mailed
			errs = append(errs, fmt.Errorf("app: tick: %s: %w", what, err))
		}
	}
	remind := func(ctx context.Context, m domain.Message, aud domain.Audience, objType string, objID int64, path domain.Jurisdiction) error {
		n, ms, err := x.deliver(ctx, m, aud, now)
		if err != nil || n == 0 {
			return err
		}
		rep.Reminders += n
		mails = append(mails, ms...)
		return x.audit(ctx, System, "scheduler.remind", objType, objID, path, nil, nil, fmt.Sprintf("%s：提醒 %d 人", m.Kind.Label(), n))
	}

	overdue, err := x.Notifications.OverdueFindings(ctx, today)
	if err != nil {
		return rep, err
	}
	rep.OverdueFindings = len(overdue)
	for _, f := range overdue {
		step("remind overdue finding", func(ctx context.Context) error {
			aud := domain.TargetAudience(f.TargetOrg)
			sup := domain.SupervisingAudience(f.CaseID, f.OwnerOrg, f.TargetOrg)
			aud.Holders, aud.Covering, aud.Inspectors = sup.Holders, sup.Covering, sup.Inspectors
			return remind(ctx, domain.OverdueMessage(f, now, x.Rules), aud, "case", f.CaseID, f.TargetOrg.Path)
		})
		if x.Rules.ProposeForOverdue(f.DueOn, now) {
			step("propose for overdue finding", func(ctx context.Context) error {
				return x.autoPropose(ctx, f.CaseID, f.FindingID, domain.CauseOverdue, now, &rep, &mails)
			})
		}
	}

	sentBack, err := x.Notifications.SentBackCases(ctx, x.Rules.AccountabilitySendBacks)
	if err != nil {
		return rep, err
	}
	for _, id := range sentBack {
		step("propose for send-backs", func(ctx context.Context) error {
			return x.autoPropose(ctx, id, 0, domain.CauseSendBacks, now, &rep, &mails)
		})
	}

	// A recheck is late from the day after its due date. The query finds those submitted before the start
	// of (today - N days); a due date moved past a weekend or holiday may not have come yet.
	late, err := x.Notifications.LateRechecks(ctx, today.AddDays(-x.Rules.RecheckDueDays).Time())
	if err != nil {
		return rep, err
	}
	late = slices.DeleteFunc(late, func(l domain.LateRecheck) bool { return !x.Rules.RecheckLate(l.SubmittedAt, now) })
	rep.LateRechecks = len(late)
	for _, l := range late {
		step("remind late recheck", func(ctx context.Context) error {
			return remind(ctx, domain.LateRecheckMessage(l, x.Rules), domain.OfficeAudience(l.CaseID, l.OwnerOrg), "case", l.CaseID, l.TargetOrg.Path)
		})
	}

	undecided, err := x.Accountability.UndecidedAccountability(ctx, now.AddDate(0, 0, -x.Rules.ProposalDecisionDays))
	if err != nil {
		return rep, err
	}
	for i := range undecided {
		r := &undecided[i]
		if !r.Flags(now, x.Rules, domain.AccFacts{}).Stale {
			continue
		}
		rep.StaleProposals++
		step("remind stale proposal", func(ctx context.Context) error {
			return remind(ctx, domain.StaleMessage(r, x.Rules), domain.DirectorAudience(r.OwnerOrg), "accountability", r.ID, r.TargetOrg.Path)
		})
	}

	if x.Mailer != nil && len(mails) > 0 {
		rep.Emails, rep.EmailFailures = x.sendMails(ctx, mails)
	}
	return rep, errors.Join(errs...)
}

// autoPropose proposes 问责 for a case (about one finding, or the case as a whole when findingID is 0)
// unless the scheduler did so already or the same proposal is open, and tells the directors.
func (x *App) autoPropose(ctx context.Context, caseID, findingID int64, cause domain.Cause, now time.Time, rep *TickReport, mails *[]outMail) error {
	c, err := x.Cases.GetCase(ctx, caseID)
	if err != nil {
		return err
	}
	var f *domain.Finding
	if findingID != 0 {
		if f = c.Finding(findingID); f == nil {
			return nil
		}
	}
	r := domain.NewAutoAccountability(c, f, cause, now, x.Rules)
	taken, err := x.Accountability.AccountabilityKeyTaken(ctx, r.AutoKey, r.OpenKey())
	if err != nil || taken {
		return err
	}
	if err := x.Accountability.CreateAccountability(ctx, r); err != nil {
		return err
	}
	if err := x.audit(ctx, System, "accountability.propose", "accountability", r.ID, r.TargetOrg.Path, nil, r, r.Cause.Label()); err != nil {
		return err
	}
	_, ms, err := x.deliver(ctx, domain.ProposedMessage(r), domain.DirectorAudience(r.OwnerOrg), now)
	if err != nil {
		return err
	}
	rep.Proposals++
	*mails = append(*mails, ms...)
	return nil
}
