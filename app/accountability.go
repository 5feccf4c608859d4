package app

import (
	"context"
	"strings"
	"time"

	"dudao/domain"
)

// AccountabilityView is a 问责 record as one caller sees it: the record, its flags and what that
// caller may do now.
type AccountabilityView struct {
	Record  *domain.Accountability
	Flags   domain.AccFlags
	Allowed []domain.AccAction
}

// IncentiveView is an incentive as one caller sees it.
type IncentiveView struct {
	Record  *domain.Incentive
	Allowed []domain.IncAction
}

// ProposeInput is a supervisor's 问责 proposal.
type ProposeInput struct {
	TargetType  domain.TargetType
	TargetOrgID int64
	PersonName  string
	PersonTitle string
	CaseID      *int64
	FindingID   *int64
	Trigger     domain.Trigger
	Facts       string
}

// AccActInput carries the parameters of a step.
type AccActInput struct {
	Version    *int
	NoticeText string          // notice
	Text       string          // statement
	Decision   domain.Decision // decide
	Reason     string          // drop
	Trigger    domain.Trigger  // edit
	Facts      string          // edit
}

// IncentiveInput is a supervisor's incentive proposal.
type IncentiveInput struct {
	Kind        domain.IncKind
	TargetOrgID int64
	CaseID      *int64
	Reason      string
}

// IncActInput carries the parameters of an incentive step.
type IncActInput struct {
	Version  *int
	Decision string
	Reason   string
}

var (
	errAccNotFound = domain.Errorf(domain.ENOTFOUND, "问责记录不存在。")
	errIncNotFound = domain.Errorf(domain.ENOTFOUND, "激励记录不存在。")
)

func (x *App) accView(ctx context.Context, a domain.Actor, r *domain.Accountability) (AccountabilityView, error) {
	views, err := x.accViews(ctx, a, []domain.Accountability{*r})
	if err != nil || len(views) == 0 {
		return AccountabilityView{}, err
	}
	views[0].Record = r
	return views[0], nil
}

// accViews adds the flags (from one query over the targets' history) and the caller's steps.
func (x *App) accViews(ctx context.Context, a domain.Actor, list []domain.Accountability) ([]AccountabilityView, error) {
	orgIDs := make([]int64, len(list))
	for i, r := range list {
		orgIDs[i] = r.TargetOrg.ID
	}
	now := x.d.Clock.Now()
	facts, err := x.d.Accountability.AccountabilityFacts(ctx, orgIDs, now)
	if err != nil {
		return nil, err
	}
	out := make([]AccountabilityView, len(list))
	for i := range list {
		r := &list[i]
		out[i] = AccountabilityView{Record: r, Flags: r.Flags(now, x.d.Rules, facts[r.TargetOrg.ID]),
			Allowed: r.AllowedActions(a, now, func(act domain.AccAction) bool { return x.may(a, r, act.Op()) })}
	}
	return out, nil
}

// proposalTarget loads the org a proposal is aimed at, hiding what the caller cannot see.
func (x *App) proposalTarget(ctx context.Context, a domain.Actor, id int64, what string) (domain.Org, error) {
	o, err := x.d.Orgs.GetOrg(ctx, id)
	if err != nil || !a.Sees(o.Path) {
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return domain.Org{}, err
		}
		return domain.Org{}, domain.FieldError(what+"信息有误。", map[string]string{"target_org_id": "对象单位不存在或不在您的管辖范围内。"})
	}
	return o, nil
}

// proposalCase loads the case a proposal arises from, when one is named; a case the caller cannot
// read is a field error.
func (x *App) proposalCase(ctx context.Context, a domain.Actor, id *int64, what string) (*domain.Case, error) {
	if id == nil {
		return nil, nil
	}
	c, err := load(ctx, x, x.cases, a, *id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, domain.FieldError(what+"信息有误。", map[string]string{"case_id": "案件不存在或不在您的管辖范围内。"})
		}
		return nil, err
	}
	return c, nil
}

// ProposeAccountability records a supervisor's 问责 proposal and tells the directors.
func (x *App) ProposeAccountability(ctx context.Context, a domain.Actor, in ProposeInput) (AccountabilityView, error) {
	need, _ := (&domain.Accountability{}).Permission(domain.OpPropose)
	r, err := create(ctx, x, x.accs, a, domain.OpPropose, need, func(ctx context.Context, now time.Time) (*domain.Accountability, string, error) {
		target, err := x.proposalTarget(ctx, a, in.TargetOrgID, "问责建议")
		if err != nil {
			return nil, "", err
		}
		c, err := x.proposalCase(ctx, a, in.CaseID, "问责建议")
		if err != nil {
			return nil, "", err
		}
		r, err := domain.NewAccountability(a, domain.AccountabilityInput{TargetType: in.TargetType, TargetOrg: target,
			PersonName: in.PersonName, PersonTitle: in.PersonTitle, Case: c, FindingID: in.FindingID, Trigger: in.Trigger, Facts: in.Facts},
			domain.CauseManual, now)
		if err != nil {
			return nil, "", err
		}
		if taken, err := x.d.Accountability.AccountabilityKeyTaken(ctx, "", r.OpenKey()); err != nil {
			return nil, "", err
		} else if taken {
			return nil, "", domain.Errorf(domain.ECONFLICT, "该案件（问题）已有同一情形、同一对象的问责建议在办理中。")
		}
		return r, r.Trigger.Label(), nil
	})
	if err != nil {
		return AccountabilityView{}, err
	}
	return x.accView(ctx, a, r)
}

// accountabilityTold tells whom a 问责 step concerns, in the step's transaction: the directors of a
// proposal, the object of a notice and of a decision, the directors of a statement.
func (x *App) accountabilityTold(ctx context.Context, _ domain.Actor, r *domain.Accountability, op domain.Op, now time.Time) error {
	var msg domain.Message
	var aud domain.Audience
	switch op {
	case domain.OpPropose:
		msg, aud = domain.ProposedMessage(r), domain.DirectorAudience(r.OwnerOrg)
	case domain.AccNotice.Op():
		msg, aud = domain.NoticedMessage(r), domain.TargetAudience(r.TargetOrg)
	case domain.AccStatement.Op():
		msg, aud = domain.StatementMessage(r), domain.DirectorAudience(r.OwnerOrg)
	case domain.AccDecide.Op():
		msg, aud = domain.DecidedMessage(r), domain.TargetAudience(r.TargetOrg)
	default:
		return nil
	}
	_, err := x.notify(ctx, msg, aud, now)
	return err
}

// GetAccountability returns a record with its flags and the caller's steps; out of scope is ENOTFOUND.
func (x *App) GetAccountability(ctx context.Context, a domain.Actor, id int64) (AccountabilityView, error) {
	r, err := load(ctx, x, x.accs, a, id)
	if err != nil {
		return AccountabilityView{}, err
	}
	return x.accView(ctx, a, r)
}

// ListAccountability lists the records in the caller's scope, with their flags.
func (x *App) ListAccountability(ctx context.Context, a domain.Actor, f domain.AccountabilityFilter) ([]AccountabilityView, int, error) {
	f.Scopes = x.scopes(a, "accountability", "read")
	f.ProposalScopes = x.scopes(a, "accountability", domain.ProposalRead)
	f.PerPage, f.Page = clampPage(f.PerPage, f.Page)
	list, total, err := x.d.Accountability.ListAccountability(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out, err := x.accViews(ctx, a, list)
	return out, total, err
}

// clampPage bounds a page request: 20 a page by default, at most 200, from page 1.
func clampPage(perPage, page int) (int, int) {
	if perPage <= 0 {
		perPage = 20
	}
	if perPage > 200 {
		perPage = 200
	}
	return perPage, max(page, 1)
}

// ActAccountability takes a step of the 问责 procedure.
func (x *App) ActAccountability(ctx context.Context, a domain.Actor, id int64, act domain.AccAction, in AccActInput) (AccountabilityView, error) {
	if act == domain.AccInterview { // it has its own use case, RecordInterview, and its own form
		return AccountabilityView{}, domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	}
	r, err := change(ctx, x, x.accs, a, id, act.Op(), in.Version, func(_ context.Context, r *domain.Accountability, now time.Time) (string, error) {
		switch act {
		case domain.AccEdit:
			return "", r.Edit(a, now, in.Trigger, in.Facts)
		case domain.AccNotice:
			return "", r.Notice(a, now, x.d.Rules, in.NoticeText)
		case domain.AccStatement:
			return "", r.FileStatement(a, now, in.Text)
		case domain.AccDecide:
			return in.Decision.Form + " " + string(in.Decision.EffectiveOn), r.Decide(a, now, in.Decision)
		case domain.AccPublish:
			return "", r.Publish(a, now)
		case domain.AccDrop:
			return strings.TrimSpace(in.Reason), r.Drop(a, now, in.Reason)
		}
		return "", domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	})
	if err != nil {
		return AccountabilityView{}, err
	}
	return x.accView(ctx, a, r)
}

// RecordInterview adds the record of a 约谈 to a decided 问责 whose form is 约谈.
func (x *App) RecordInterview(ctx context.Context, a domain.Actor, id int64, heldOn domain.Date, attendees, minutes string) (AccountabilityView, *domain.Interview, error) {
	var iv *domain.Interview
	r, err := change(ctx, x, x.accs, a, id, domain.AccInterview.Op(), nil, func(_ context.Context, r *domain.Accountability, now time.Time) (string, error) {
		var err error
		iv, err = r.RecordInterview(a, now, heldOn, attendees, minutes)
		return string(heldOn), err
	})
	if err != nil {
		return AccountabilityView{}, nil, err
	}
	v, err := x.accView(ctx, a, r)
	return v, iv, err
}

func (x *App) incView(a domain.Actor, i *domain.Incentive) IncentiveView {
	return IncentiveView{Record: i, Allowed: i.AllowedActions(a, x.d.Clock.Now(), func(act domain.IncAction) bool { return x.may(a, i, act.Op()) })}
}

// ProposeIncentive records a supervisor's incentive proposal.
func (x *App) ProposeIncentive(ctx context.Context, a domain.Actor, in IncentiveInput) (IncentiveView, error) {
	need, _ := (&domain.Incentive{}).Permission(domain.OpProposeIncentive)
	i, err := create(ctx, x, x.incentives, a, domain.OpProposeIncentive, need, func(ctx context.Context, now time.Time) (*domain.Incentive, string, error) {
		target, err := x.proposalTarget(ctx, a, in.TargetOrgID, "激励建议")
		if err != nil {
			return nil, "", err
		}
		c, err := x.proposalCase(ctx, a, in.CaseID, "激励建议")
		if err != nil {
			return nil, "", err
		}
		i, err := domain.NewIncentive(a, domain.IncentiveInput{Kind: in.Kind, TargetOrg: target, Case: c, Reason: in.Reason}, now)
		if err != nil {
			return nil, "", err
		}
		return i, i.Kind.Label(), nil
	})
	if err != nil {
		return IncentiveView{}, err
	}
	return x.incView(a, i), nil
}

// GetIncentive returns an incentive with the caller's steps; out of scope is ENOTFOUND.
func (x *App) GetIncentive(ctx context.Context, a domain.Actor, id int64) (IncentiveView, error) {
	i, err := load(ctx, x, x.incentives, a, id)
	if err != nil {
		return IncentiveView{}, err
	}
	return x.incView(a, i), nil
}

// ListIncentives lists the incentives in the caller's scope.
func (x *App) ListIncentives(ctx context.Context, a domain.Actor, f domain.IncentiveFilter) ([]IncentiveView, int, error) {
	f.Scopes = x.scopes(a, "incentive", "read")
	f.PerPage, f.Page = clampPage(f.PerPage, f.Page)
	list, total, err := x.d.Accountability.ListIncentives(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]IncentiveView, len(list))
	for i := range list {
		out[i] = x.incView(a, &list[i])
	}
	return out, total, nil
}

// ActIncentive takes a step of an incentive.
func (x *App) ActIncentive(ctx context.Context, a domain.Actor, id int64, act domain.IncAction, in IncActInput) (IncentiveView, error) {
	i, err := change(ctx, x, x.incentives, a, id, act.Op(), in.Version, func(_ context.Context, i *domain.Incentive, now time.Time) (string, error) {
		switch act {
		case domain.IncDecide:
			return "", i.Decide(a, now, in.Decision)
		case domain.IncPublish:
			return "", i.Publish(a, now)
		case domain.IncDrop:
			return strings.TrimSpace(in.Reason), i.Drop(a, now, in.Reason)
		}
		return "", domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	})
	if err != nil {
		return IncentiveView{}, err
	}
	return x.incView(a, i), nil
}
