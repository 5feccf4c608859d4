package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"dudao/domain"
)

// Frameworks (评估指标体系, SPEC §3) and the scoring of an inspection against one.

// FrameworkView is a framework version as one caller sees it: the version and the steps the caller
// may take now (Revise: draft the next version).
type FrameworkView struct {
	Framework *domain.Framework
	Allowed   []domain.FrameworkAction
	CanRevise bool
}

var errFrameworkNotFound = domain.Errorf(domain.ENOTFOUND, "指标体系不存在。")

// frameworkVisible: a framework is the standard an office sets for the units under it, so whoever
// reads frameworks at the office, or anywhere under it, reads its published and retired versions; a
// draft is read at the office only.
func (x *App) frameworkVisible(a domain.Actor, f *domain.Framework) bool {
	if a.System || x.d.Authz.Allowed(a, "framework", "read", f.OwnerOrg.Path) {
		return true
	}
	if f.Status == domain.FwDraft {
		return false
	}
	for _, s := range x.scopes(a, "framework", "read") {
		if f.OwnerOrg.Path.Covers(s) {
			return true
		}
	}
	return false
}

func (x *App) frameworkView(a domain.Actor, f *domain.Framework) FrameworkView {
	now := x.d.Clock.Now()
	v := FrameworkView{Framework: f, Allowed: f.AllowedActions(a, now, func(act domain.FrameworkAction) bool { return x.may(a, f, act.Op()) })}
	v.CanRevise = f.Status != domain.FwDraft && x.may(a, f, domain.OpReviseFramework)
	return v
}

// getFramework reads a version the caller may read; anything else is ENOTFOUND.
func (x *App) getFramework(ctx context.Context, a domain.Actor, id int64) (*domain.Framework, error) {
	f, err := x.d.Frameworks.GetFramework(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, errFrameworkNotFound
		}
		return nil, err
	}
	if !x.frameworkVisible(a, f) {
		return nil, errFrameworkNotFound
	}
	return f, nil
}

// GetFramework returns a version with the caller's steps.
func (x *App) GetFramework(ctx context.Context, a domain.Actor, id int64) (FrameworkView, error) {
	f, err := x.getFramework(ctx, a, id)
	if err != nil {
		return FrameworkView{}, err
	}
	return x.frameworkView(a, f), nil
}

// ListFrameworks lists the versions the caller may read, by code and version.
func (x *App) ListFrameworks(ctx context.Context, a domain.Actor) ([]FrameworkView, error) {
	if !x.permitsAnywhere(a, domain.Permission{Object: "framework", Any: []domain.Right{{Act: "read"}}}) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看评估指标体系。")
	}
	all, err := x.d.Frameworks.ListFrameworks(ctx)
	if err != nil {
		return nil, err
	}
	var out []FrameworkView
	for i := range all {
		if f := &all[i]; x.frameworkVisible(a, f) {
			out = append(out, x.frameworkView(a, f))
		}
	}
	return out, nil
}

// CreateFramework drafts version 1 of a framework kept by the caller's office.
func (x *App) CreateFramework(ctx context.Context, a domain.Actor, in domain.FrameworkInput) (FrameworkView, error) {
	need, _ := (&domain.Framework{}).Permission(domain.OpCreateFramework)
	f, err := create(ctx, x, x.frameworks, a, domain.OpCreateFramework, need, func(ctx context.Context, now time.Time) (*domain.Framework, string, error) {
		f, err := domain.NewFramework(a, in, x.d.Rules, now)
		if err != nil {
			return nil, "", err
		}
		return f, f.Code + " " + f.Name, nil
	})
	if err != nil {
		return FrameworkView{}, err
	}
	return x.frameworkView(a, f), nil
}

// ReviseFramework drafts the next version of a published or retired one; the version itself does
// not change, nor do the scores made with it.
func (x *App) ReviseFramework(ctx context.Context, a domain.Actor, id int64) (FrameworkView, error) {
	// The version named is looked up before the right to draft is asked: one the caller cannot read
	// is not there (SPEC §1), whatever their rights.
	if _, err := x.getFramework(ctx, a, id); err != nil {
		return FrameworkView{}, err
	}
	need, _ := (&domain.Framework{}).Permission(domain.OpReviseFramework)
	f, err := create(ctx, x, x.frameworks, a, domain.OpReviseFramework, need, func(ctx context.Context, now time.Time) (*domain.Framework, string, error) {
		from, err := x.getFramework(ctx, a, id)
		if err != nil {
			return nil, "", err
		}
		next, err := from.Revise(a, now)
		if err != nil {
			return nil, "", err
		}
		return next, fmt.Sprintf("由第%d版修订", from.Version), nil
	})
	if err != nil {
		return FrameworkView{}, err
	}
	return x.frameworkView(a, f), nil
}

// EditFramework replaces what a draft says.
func (x *App) EditFramework(ctx context.Context, a domain.Actor, id int64, in domain.FrameworkInput, version *int) (FrameworkView, error) {
	f, err := change(ctx, x, x.frameworks, a, id, domain.FwEdit.Op(), version, func(_ context.Context, f *domain.Framework, now time.Time) (string, error) {
		return "", f.Edit(a, now, x.d.Rules, in)
	})
	if err != nil {
		return FrameworkView{}, err
	}
	return x.frameworkView(a, f), nil
}

// ActFramework publishes or retires a version.
func (x *App) ActFramework(ctx context.Context, a domain.Actor, id int64, act domain.FrameworkAction, version *int) (FrameworkView, error) {
	if act == domain.FwEdit || !act.Valid() {
		return FrameworkView{}, domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	}
	f, err := change(ctx, x, x.frameworks, a, id, act.Op(), version, func(_ context.Context, f *domain.Framework, now time.Time) (string, error) {
		switch act {
		case domain.FwPublish:
			return "", f.Publish(a, now)
		case domain.FwRetire:
			return "", f.Retire(a, now)
		}
		return "", domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	})
	if err != nil {
		return FrameworkView{}, err
	}
	return x.frameworkView(a, f), nil
}

// Checklist is what the inspection form offers a case: the framework it is scored with, or those it
// may be scored with (the latest published version of each framework that applies), and whether the
// caller may score it now.
type Checklist struct {
	Case     CaseView
	Scoring  *domain.Scoring
	Current  *domain.Framework   // the version the case is scored with
	Options  []*domain.Framework // versions the case may be scored with
	CanScore bool
	// CanMakeFindings: the caller may turn failed items into findings now.
	CanMakeFindings bool
}

// CaseChecklist answers the checklist of a case the caller may read.
func (x *App) CaseChecklist(ctx context.Context, a domain.Actor, caseID int64) (Checklist, error) {
	v, err := x.GetCase(ctx, a, caseID)
	if err != nil {
		return Checklist{}, err
	}
	c := v.Case
	out := Checklist{Case: v, Scoring: c.Scoring}
	if c.Scoring != nil {
		f, err := x.d.Frameworks.GetFramework(ctx, c.Scoring.FrameworkID)
		if err != nil {
			return Checklist{}, err
		}
		out.Current = f
	}
	all, err := x.d.Frameworks.ListFrameworks(ctx)
	if err != nil {
		return Checklist{}, err
	}
	byCode := map[string][]*domain.Framework{}
	var codes []string
	for i := range all {
		f := &all[i]
		if f.CanUse(c.Type, c.Kind) != nil || !x.frameworkVisible(a, f) {
			continue
		}
		if byCode[f.Code] == nil {
			codes = append(codes, f.Code)
		}
		byCode[f.Code] = append(byCode[f.Code], f)
	}
	for _, code := range codes {
		if f := domain.LatestPublished(byCode[code]); f != nil && (out.Current == nil || f.ID != out.Current.ID) {
			out.Options = append(out.Options, f)
		}
	}
	may := x.may(a, c, domain.OpScoreCase) && c.CanScore(a, nil) == nil
	out.CanScore = may && (out.Current != nil || len(out.Options) > 0)
	out.CanMakeFindings = may && c.Scoring != nil && len(c.Scoring.Failed) > 0
	return out, nil
}

// ScoreCase records the scores of a framework's items for a case being inspected.
func (x *App) ScoreCase(ctx context.Context, a domain.Actor, caseID, frameworkID int64, scores []domain.ItemScore, version *int) (CaseView, error) {
	return x.changeCase(ctx, a, caseID, domain.OpScoreCase, version, func(ctx context.Context, c *domain.Case, now time.Time) (string, error) {
		f, err := x.getFramework(ctx, a, frameworkID)
		if err != nil {
			return "", domain.FieldError("评分有误。", map[string]string{"framework_id": "指标体系不存在。"})
		}
		s, err := c.Score(a, now, f, scores)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s：%s", f.Label(), s.ScoringLabel()), nil
	})
}

// FindingFromItem turns a failed item of the case's scoring into a finding, in one step.
func (x *App) FindingFromItem(ctx context.Context, a domain.Actor, caseID int64, code string) (CaseView, *domain.Finding, error) {
	var made *domain.Finding
	v, err := x.changeCase(ctx, a, caseID, domain.OpFindingFromItem, nil, func(ctx context.Context, c *domain.Case, now time.Time) (string, error) {
		if c.Scoring == nil {
			return "", domain.Errorf(domain.ECONFLICT, "案件%s尚未评估打分。", c.Number)
		}
		f, err := x.d.Frameworks.GetFramework(ctx, c.Scoring.FrameworkID)
		if err != nil {
			return "", err
		}
		made, err = c.FindingFromItem(a, now, x.d.Rules, f, code)
		if err != nil {
			return "", err
		}
		return made.ItemCode + " " + made.Title, nil
	})
	return v, made, err
}

// PublishShipped creates and publishes, as the director a, the frameworks shipped with dudao that are
// not held yet (by code): for the demo and for a new installation.
func (x *App) PublishShipped(ctx context.Context, a domain.Actor) (int, error) {
	shipped := x.d.Shipped
	existing, err := x.d.Frameworks.ListFrameworks(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, in := range shipped {
		if slices.ContainsFunc(existing, func(f domain.Framework) bool { return f.Code == in.Code }) {
			continue
		}
		v, err := x.CreateFramework(ctx, a, in)
		if err != nil {
			return n, err
		}
		if _, err := x.ActFramework(ctx, a, v.Framework.ID, domain.FwPublish, nil); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
