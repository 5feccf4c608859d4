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

// mayReadAt: a record is visible to whoever may read obj at its owner or at its target.
func (x *App) accMayRead(a domain.Actor, obj string, owner, target domain.Jurisdiction) bool {
	return x.Authz.Allowed(a, obj, "read", target) || (owner != "" && x.Authz.Allowed(a, obj, "read", owner))
}

// scopesFor are the actor's jurisdictions where it may read obj.
func (x *App) accScopes(a domain.Actor, obj string) []domain.Jurisdiction {
	var out []domain.Jurisdiction
	for _, s := range a.Scopes() {
		if x.Authz.Allowed(a, obj, "read", s) {
			out = append(out, s)
		}
	}
	return out
}

// accRoleAllows is the casbin half of a step: the object's statement at the target, everything
// else at the office handling the record.
func (x *App) accRoleAllows(a domain.Actor, r *domain.Accountability, act domain.AccAction) bool {
	p, ok := r.Permission(act.Op())
	if !ok {
		return false
	}
	h := r.Head()
	for _, rt := range p.Any {
		if x.Authz.Allowed(a, p.Object, rt.Act, h.Path(rt.Side)) {
			return true
		}
	}
	return false
}

func (x *App) accView(ctx context.Context, a domain.Actor, r *domain.Accountability) (AccountabilityView, error) {
	now := x.Clock.Now()
	facts, err := x.Accountability.AccountabilityFacts(ctx, []int64{r.TargetOrg.ID}, now)
	if err != nil {
		return AccountabilityView{}, err
	}
	return AccountabilityView{Record: r, Flags: r.Flags(now, x.Rules, facts[r.TargetOrg.ID]),
		Allowed: r.AllowedActions(a, now, func(act domain.AccAction) bool { return x.accRoleAllows(a, r, act) })}, nil
}

func (x *App) loadAccountability(ctx context.Context, a domain.Actor, id int64) (*domain.Accountability, error) {
	r, err := x.Accountability.GetAccountability(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, errAccNotFound
		}
		return nil, err
	}
	if !x.accMayRead(a, "accountability", r.OwnerOrg.Path, r.TargetOrg.Path) {
		return nil, errAccNotFound
	}
	return r, nil
}

// targetFor loads the org a proposal is aimed at, hiding what the caller cannot see.
func (x *App) accTarget(ctx context.Context, a domain.Actor, id int64, what string) (domain.Org, error) {
	o, err := x.Orgs.GetOrg(ctx, id)
	if err != nil || !a.Sees(o.Path) {
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return domain.Org{}, err
		}
		return domain.Org{}, domain.FieldError(what+"信息有误。", map[string]string{"target_org_id": "对象单位不存在或不在您的管辖范围内。"})
	}
	return o, nil
}

// caseFor loads the case a proposal arises from, when one is named; a case the caller cannot read
// is a field error.
func (x *App) accCase(ctx context.Context, a domain.Actor, id *int64, what string) (*domain.Case, error) {
	if id == nil {
		return nil, nil
	}
	c, err := x.loadVisible(ctx, a, *id)
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
	var out AccountabilityView
	var mails []outMail
	err := x.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if !x.MayAnywhere(a, "accountability", "propose") {
			return domain.Errorf(domain.EFORBIDDEN, "您无权提出问责建议。")
		}
		target, err := x.accTarget(ctx, a, in.TargetOrgID, "问责建议")
		if err != nil {
			return err
		}
		c, err := x.accCase(ctx, a, in.CaseID, "问责建议")
		if err != nil {
			return err
		}
		now := x.Clock.Now()
		r, err := domain.NewAccountability(a, domain.AccountabilityInput{TargetType: in.TargetType, TargetOrg: target,
			PersonName: in.PersonName, PersonTitle: in.PersonTitle, Case: c, FindingID: in.FindingID, Trigger: in.Trigger, Facts: in.Facts},
			domain.CauseManual, now)
		if err != nil {
			return err
		}
		if !x.Authz.Allowed(a, "accountability", "propose", r.OwnerOrg.Path) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权以%s的名义提出问责建议。", r.OwnerOrg.Name)
		}
		if taken, err := x.Accountability.AccountabilityKeyTaken(ctx, "", r.OpenKey()); err != nil {
			return err
		} else if taken {
			return domain.Errorf(domain.ECONFLICT, "该案件（问题）已有同一情形、同一对象的问责建议在办理中。")
		}
		if err := x.Accountability.CreateAccountability(ctx, r); err != nil {
			return err
		}
		if err := x.audit(ctx, a, "accountability.propose", "accountability", r.ID, r.TargetOrg.Path, nil, r, r.Trigger.Label()); err != nil {
			return err
		}
		_, mails, err = x.deliver(ctx, domain.ProposedMessage(r), domain.DirectorAudience(r.OwnerOrg), now)
		if err != nil {
			return err
		}
		out, err = x.accView(ctx, a, r)
		return err
	})
	if err == nil && len(mails) > 0 {
		x.sendMails(ctx, mails)
	}
	return out, err
}

// GetAccountability returns a record with its flags and the caller's steps; out of scope is ENOTFOUND.
func (x *App) GetAccountability(ctx context.Context, a domain.Actor, id int64) (AccountabilityView, error) {
	r, err := x.loadAccountability(ctx, a, id)
	if err != nil {
		return AccountabilityView{}, err
	}
	return x.accView(ctx, a, r)
}

// ListAccountability lists the records in the caller's scope, with their flags.
func (x *App) ListAccountability(ctx context.Context, a domain.Actor, f domain.AccountabilityFilter) ([]AccountabilityView, int, error) {
	f.Scopes = x.accScopes(a, "accountability")
	f.PerPage, f.Page = accClampPage(f.PerPage, f.Page)
	list, total, err := x.Accountability.ListAccountability(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var orgIDs []int64
	for _, r := range list {
		orgIDs = append(orgIDs, r.TargetOrg.ID)
	}
	now := x.Clock.Now()
	facts, err := x.Accountability.AccountabilityFacts(ctx, orgIDs, now)
	if err != nil {
		return nil, 0, err
	}
	out := make([]AccountabilityView, len(list))
	for i := range list {
		r := &list[i]
		out[i] = AccountabilityView{Record: r, Flags: r.Flags(now, x.Rules, facts[r.TargetOrg.ID]),
			Allowed: r.AllowedActions(a, now, func(act domain.AccAction) bool { return x.accRoleAllows(a, r, act) })}
	}
	return out, total, nil
}

func accClampPage(perPage, page int) (int, int) {
	if perPage <= 0 {
		perPage = 20
	}
	if perPage > 200 {
		perPage = 200
	}
	return perPage, max(page, 1)
}

// changeAccountability is every write to a record: in one transaction load it, hide it when out of
// scope, check the version the client saw, check the role at the right org, let the domain change it,
// save it with an optimistic version check, append the audit event and notify whom the step concerns.
func (x *App) changeAccountability(ctx context.Context, a domain.Actor, id int64, expect *int, act domain.AccAction,
	fn func(r *domain.Accountability, now time.Time) (detail string, err error)) (AccountabilityView, error) {
	var out AccountabilityView
	var mails []outMail
	err := x.Tx.WithinTx(ctx, func(ctx context.Context) error {
		r, err := x.loadAccountability(ctx, a, id)
		if err != nil {
			return err
		}
		if expect != nil && *expect != r.Version {
			return domain.Errorf(domain.ECONFLICT, "%s已被他人修改（当前版本 %d，您看到的是 %d），请刷新后重试。", r.Label(), r.Version, *expect)
		}
		if !x.accRoleAllows(a, r, act) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权对%s执行「%s」。", r.Label(), act.Label())
		}
		before := domain.Digest(r)
		v := r.Version
		now := x.Clock.Now()
		detail, err := fn(r, now)
		if err != nil {
			return err
		}
		if err := x.Accountability.SaveAccountability(ctx, r, v); err != nil {
			return err
		}
		e := &domain.AuditEvent{At: now, ActorID: a.UserID, ActorName: a.Name, Action: "accountability." + string(act),
			ObjectType: "accountability", ObjectID: r.ID, ObjectPath: r.TargetOrg.Path, Before: before, After: domain.Digest(r),
			Detail: detail, RequestID: requestID(ctx)}
		if err := x.Audit.Append(ctx, e); err != nil {
			return err
		}
		var msg *domain.Message
		var aud domain.Audience
		switch act {
		case domain.AccNotice:
			m := domain.NoticedMessage(r)
			msg, aud = &m, domain.TargetAudience(r.TargetOrg)
		case domain.AccStatement:
			m := domain.StatementMessage(r)
			msg, aud = &m, domain.DirectorAudience(r.OwnerOrg)
		case domain.AccDecide:
			m := domain.DecidedMessage(r)
			msg, aud = &m, domain.TargetAudience(r.TargetOrg)
		}
		if msg != nil {
			if _, mails, err = x.deliver(ctx, *msg, aud, now); err != nil {
				return err
			}
		}
		out, err = x.accView(ctx, a, r)
		return err
	})
	if err == nil && len(mails) > 0 {
		x.sendMails(ctx, mails)
	}
	return out, err
}

// ActAccountability takes a step of the 问责 procedure.
func (x *App) ActAccountability(ctx context.Context, a domain.Actor, id int64, act domain.AccAction, in AccActInput) (AccountabilityView, error) {
	if !act.Valid() || act == domain.AccInterview {
		return AccountabilityView{}, domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	}
	return x.changeAccountability(ctx, a, id, in.Version, act, func(r *domain.Accountability, now time.Time) (string, error) {
		switch act {
		case domain.AccEdit:
			return "", r.Edit(a, now, in.Trigger, in.Facts)
		case domain.AccNotice:
			return "", r.Notice(a, now, x.Rules, in.NoticeText)
		case domain.AccStatement:
			return "", r.FileStatement(a, now, in.Text)
		case domain.AccDecide:
			return in.Decision.Form + " " + string(in.Decision.EffectiveOn), r.Decide(a, now, in.Decision)
		case domain.AccPublish:
			return "", r.Publish(a, now)
		case domain.AccDrop:
			return strings.TrimSpace(in.Reason), r.Drop(a, now, in.Reason)
		}
		return "", nil
	})
}

// RecordInterview adds the record of a 约谈 to a decided 问责 whose form is 约谈.
func (x *App) RecordInterview(ctx context.Context, a domain.Actor, id int64, heldOn domain.Date, attendees, minutes string) (AccountabilityView, *domain.Interview, error) {
	var iv *domain.Interview
	v, err := x.changeAccountability(ctx, a, id, nil, domain.AccInterview, func(r *domain.Accountability, now time.Time) (string, error) {
		var err error
		iv, err = r.RecordInterview(a, now, heldOn, attendees, minutes)
		return string(heldOn), err
	})
	return v, iv, err
}

// incRoleAllows is the casbin half of an incentive step, at the office handling it.
func (x *App) incRoleAllows(a domain.Actor, i *domain.Incentive, act domain.IncAction) bool {
	return x.Authz.Allowed(a, "incentive", string(act), i.OwnerOrg.Path)
}

func (x *App) incView(a domain.Actor, i *domain.Incentive) IncentiveView {
	return IncentiveView{Record: i, Allowed: i.AllowedActions(a, x.Clock.Now(), func(act domain.IncAction) bool { return x.incRoleAllows(a, i, act) })}
}

func (x *App) loadIncentive(ctx context.Context, a domain.Actor, id int64) (*domain.Incentive, error) {
	i, err := x.Accountability.GetIncentive(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, errIncNotFound
		}
		return nil, err
	}
	if !x.accMayRead(a, "incentive", i.OwnerOrg.Path, i.TargetOrg.Path) {
		return nil, errIncNotFound
	}
	return i, nil
}

// ProposeIncentive records a supervisor's incentive proposal.
func (x *App) ProposeIncentive(ctx context.Context, a domain.Actor, in IncentiveInput) (IncentiveView, error) {
	var out IncentiveView
	err := x.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if !x.MayAnywhere(a, "incentive", "propose") {
			return domain.Errorf(domain.EFORBIDDEN, "您无权提出激励建议。")
		}
		target, err := x.accTarget(ctx, a, in.TargetOrgID, "激励建议")
		if err != nil {
			return err
		}
		c, err := x.accCase(ctx, a, in.CaseID, "激励建议")
		if err != nil {
			return err
		}
		i, err := domain.NewIncentive(a, domain.IncentiveInput{Kind: in.Kind, TargetOrg: target, Case: c, Reason: in.Reason}, x.Clock.Now())
		if err != nil {
			return err
		}
		if !x.Authz.Allowed(a, "incentive", "propose", i.OwnerOrg.Path) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权以%s的名义提出激励建议。", i.OwnerOrg.Name)
		}
		if err := x.Accountability.CreateIncentive(ctx, i); err != nil {
			return err
		}
		out = x.incView(a, i)
		return x.audit(ctx, a, "incentive.propose", "incentive", i.ID, i.TargetOrg.Path, nil, i, i.Kind.Label())
	})
	return out, err
}

// GetIncentive returns an incentive with the caller's steps; out of scope is ENOTFOUND.
func (x *App) GetIncentive(ctx context.Context, a domain.Actor, id int64) (IncentiveView, error) {
	i, err := x.loadIncentive(ctx, a, id)
	if err != nil {
		return IncentiveView{}, err
	}
	return x.incView(a, i), nil
}

// ListIncentives lists the incentives in the caller's scope.
func (x *App) ListIncentives(ctx context.Context, a domain.Actor, f domain.IncentiveFilter) ([]IncentiveView, int, error) {
	f.Scopes = x.accScopes(a, "incentive")
	f.PerPage, f.Page = accClampPage(f.PerPage, f.Page)
	list, total, err := x.Accountability.ListIncentives(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]IncentiveView, len(list))
	for i := range list {
		out[i] = x.incView(a, &list[i])
	}
	return out, total, nil
}

// ActIncentive takes a step of an incentive, like changeAccountability.
func (x *App) ActIncentive(ctx context.Context, a domain.Actor, id int64, act domain.IncAction, in IncActInput) (IncentiveView, error) {
	if !act.Valid() {
		return IncentiveView{}, domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	}
	var out IncentiveView
	err := x.Tx.WithinTx(ctx, func(ctx context.Context) error {
		i, err := x.loadIncentive(ctx, a, id)
		if err != nil {
			return err
		}
		if in.Version != nil && *in.Version != i.Version {
			return domain.Errorf(domain.ECONFLICT, "%s已被他人修改（当前版本 %d，您看到的是 %d），请刷新后重试。", i.Label(), i.Version, *in.Version)
		}
		if !x.incRoleAllows(a, i, act) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权对%s执行「%s」。", i.Label(), act.Label())
		}
		before, v, now := domain.Digest(i), i.Version, x.Clock.Now()
		var detail string
		switch act {
		case domain.IncDecide:
			err = i.Decide(a, now, in.Decision)
		case domain.IncPublish:
			err = i.Publish(a, now)
		case domain.IncDrop:
			detail = strings.TrimSpace(in.Reason)
			err = i.Drop(a, now, in.Reason)
		}
		if err != nil {
			return err
		}
		if err := x.Accountability.SaveIncentive(ctx, i, v); err != nil {
			return err
		}
		out = x.incView(a, i)
		return x.Audit.Append(ctx, &domain.AuditEvent{At: now, ActorID: a.UserID, ActorName: a.Name, Action: "incentive." + string(act),
			ObjectType: "incentive", ObjectID: i.ID, ObjectPath: i.TargetOrg.Path, Before: before, After: domain.Digest(i),
			Detail: detail, RequestID: requestID(ctx)})
	})
	return out, err
}
