package app

import (
	"context"
	"fmt"
	"time"

	"dudao/domain"
)

// Supervision plans: an office's annual plan inside the rolling three years (实督第一年、预排第二年、考虑第
// 三年), drafted by supervisors, approved and published by the director, rolled each year.

// PlanView is a plan as one caller sees it.
type PlanView struct {
	Plan    *domain.Plan
	Allowed []domain.PlanAction
	CanEdit bool // may add, change and remove items now
	CanRoll bool // may start next year's plan from it
}

// PlanItemInput is an item as a form or the API sends it.
type PlanItemInput struct {
	TargetOrgID int64
	Type        domain.CaseType
	Kind        domain.CaseKind
	Year        int
	Quarter     int
	Month       int
	Note        string
}

var errPlanNotFound = domain.Errorf(domain.ENOTFOUND, "督导计划不存在。")

func (x *App) planView(a domain.Actor, p *domain.Plan) PlanView {
	if p == nil {
		return PlanView{}
	}
	return PlanView{Plan: p, Allowed: p.AllowedActions(func(act domain.PlanAction) bool { return x.may(a, p, act.Op()) }),
		CanEdit: p.Status == domain.PlanDraft && x.may(a, p, domain.OpAddPlanItem),
		CanRoll: p.Status == domain.PlanPublished && x.may(a, p, domain.OpRollPlan)}
}

// CreatePlan starts a draft plan of the caller's office from startYear.
func (x *App) CreatePlan(ctx context.Context, a domain.Actor, startYear int) (PlanView, error) {
	need, _ := (&domain.Plan{}).Permission(domain.OpCreatePlan)
	p, err := create(ctx, x, x.plans, a, domain.OpCreatePlan, need, func(ctx context.Context, now time.Time) (*domain.Plan, string, error) {
		p, err := domain.NewPlan(a, a.Org, startYear, now)
		if err != nil {
			return nil, "", err
		}
		return p, fmt.Sprintf("%d—%d年", p.StartYear, p.StartYear+2), nil
	})
	return x.planView(a, p), err
}

// RollPlan starts next year's plan from a published one (its second and third years carried over).
func (x *App) RollPlan(ctx context.Context, a domain.Actor, id int64) (PlanView, error) {
	// The plan named is looked up before the right to plan is asked: one the caller cannot read is
	// not there (SPEC §1), whatever their rights.
	if _, err := load(ctx, x, x.plans, a, id); err != nil {
		return PlanView{}, err
	}
	need, _ := (&domain.Plan{}).Permission(domain.OpRollPlan)
	p, err := create(ctx, x, x.plans, a, domain.OpRollPlan, need, func(ctx context.Context, now time.Time) (*domain.Plan, string, error) {
		from, err := load(ctx, x, x.plans, a, id)
		if err != nil {
			return nil, "", err
		}
		next, err := from.Roll(a, now)
		if err != nil {
			return nil, "", err
		}
		return next, fmt.Sprintf("由计划#%d滚动编制", from.ID), nil
	})
	return x.planView(a, p), err
}

// GetPlan returns a plan the caller may read.
func (x *App) GetPlan(ctx context.Context, a domain.Actor, id int64) (PlanView, error) {
	p, err := load(ctx, x, x.plans, a, id)
	if err != nil {
		return PlanView{}, err
	}
	return x.planView(a, p), nil
}

// ListPlans lists the plans in the caller's scope, newest first.
func (x *App) ListPlans(ctx context.Context, a domain.Actor) ([]PlanView, error) {
	scopes := x.scopes(a, "plan", "read")
	if len(scopes) == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看督导计划。")
	}
	list, err := x.d.Registry.ListPlans(ctx, scopes)
	if err != nil {
		return nil, err
	}
	out := make([]PlanView, len(list))
	for k := range list {
		out[k] = x.planView(a, &list[k])
	}
	return out, nil
}

// ActPlan takes approve, return or publish.
func (x *App) ActPlan(ctx context.Context, a domain.Actor, id int64, act domain.PlanAction, version *int, comment string) (PlanView, error) {
	p, err := change(ctx, x, x.plans, a, id, act.Op(), version, func(_ context.Context, p *domain.Plan, now time.Time) (string, error) {
		switch act {
		case domain.PlanApprove:
			return "", p.Approve(a, now)
		case domain.PlanReturn:
			return comment, p.Return(a, now, comment)
		case domain.PlanPublish:
			return "", p.Publish(a, now)
		}
		return "", domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	})
	return x.planView(a, p), err
}

// planItemInput resolves the target of in; one the caller cannot see is a field error.
func (x *App) planItemInput(ctx context.Context, a domain.Actor, in PlanItemInput) (domain.PlanItemInput, error) {
	out := domain.PlanItemInput{Type: in.Type, Kind: in.Kind, Year: in.Year, Quarter: in.Quarter, Month: in.Month, Note: in.Note}
	if in.TargetOrgID > 0 {
		o, err := x.d.Orgs.GetOrg(ctx, in.TargetOrgID)
		if err != nil || !a.Sees(o.Path) {
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				return out, err
			}
			return out, domain.FieldError("督导事项信息有误。", map[string]string{"target_org_id": "被督导单位不存在或不在您的管辖范围内。"})
		}
		out.Target = o
	}
	return out, nil
}

// AddPlanItem adds an item to a draft plan.
func (x *App) AddPlanItem(ctx context.Context, a domain.Actor, id int64, in PlanItemInput) (PlanView, *domain.PlanItem, error) {
	var it *domain.PlanItem
	p, err := change(ctx, x, x.plans, a, id, domain.OpAddPlanItem, nil, func(ctx context.Context, p *domain.Plan, now time.Time) (string, error) {
		din, err := x.planItemInput(ctx, a, in)
		if err != nil {
			return "", err
		}
		if it, err = p.AddItem(a, now, din); err != nil {
			return "", err
		}
		return it.Target.Name + " " + it.When(), nil
	})
	return x.planView(a, p), it, err
}

// UpdatePlanItem changes an item of a draft plan.
func (x *App) UpdatePlanItem(ctx context.Context, a domain.Actor, id, itemID int64, in PlanItemInput) (PlanView, error) {
	p, err := change(ctx, x, x.plans, a, id, domain.OpUpdatePlanItem, nil, func(ctx context.Context, p *domain.Plan, now time.Time) (string, error) {
		din, err := x.planItemInput(ctx, a, in)
		if err != nil {
			return "", err
		}
		it, err := p.UpdateItem(a, now, itemID, din)
		if err != nil {
			return "", err
		}
		return it.Target.Name + " " + it.When(), nil
	})
	return x.planView(a, p), err
}

// RemovePlanItem removes an item of a draft plan.
func (x *App) RemovePlanItem(ctx context.Context, a domain.Actor, id, itemID int64) (PlanView, error) {
	p, err := change(ctx, x, x.plans, a, id, domain.OpRemovePlanItem, nil, func(_ context.Context, p *domain.Plan, now time.Time) (string, error) {
		return fmt.Sprintf("督导事项#%d", itemID), p.RemoveItem(a, now, itemID)
	})
	return x.planView(a, p), err
}
