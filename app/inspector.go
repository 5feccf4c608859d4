package app

import (
	"context"
	"fmt"
	"time"

	"dudao/domain"
)

// The inspector registry (督学名录库, SPEC §3): recommendation, the appointment steps 推荐 → 审核 → 公示 →
// 公布 (R33), terms (R6), the training file (R38) and declared conflicts (R17, R36). Every step goes
// through the write path; the rules are the domain's.

// ProfileView is an inspector's profile as one caller sees it: the profile, the schools they hold as
// 责任督学 today, and what the caller may do now.
type ProfileView struct {
	Inspector *domain.Inspector
	Load      int // schools held as 责任督学 today
	Allowed   []domain.InspAction
	// CanEdit etc. say which of the steps that are not transitions the caller may take.
	CanEdit, CanTrain, CanDeclare, CanWithdraw bool
}

// InspectorInput is a recommendation, an import or an edit as a form or the API sends it.
type InspectorInput struct {
	UserID         int64
	Code           string
	Name           string // "" takes the user's name
	UnitOrgID      int64
	Kind           domain.InspectorKind
	CertNo         string
	LoadCap        int
	Recommendation string
	// Terms, when given, import an inspector appointed before the registry was kept here.
	Terms []domain.Term
}

// InspActInput carries the parameters of a step.
type InspActInput struct {
	Version        *int
	Note           string      // approve
	Reason         string      // reject, suspend, retire
	From           domain.Date // appoint, renew
	CertNo         string      // appoint
	Recommendation string      // recommend
}

var errInspectorNotFound = domain.Errorf(domain.ENOTFOUND, "督学不存在。")

// profileView adds the caller's steps and the inspector's load.
func (x *App) profileView(ctx context.Context, a domain.Actor, i *domain.Inspector) (ProfileView, error) {
	if i == nil {
		return ProfileView{}, nil
	}
	now := x.d.Clock.Now()
	loads, err := x.d.Registry.PostingLoads(ctx, []int64{i.ID}, domain.DateOf(now))
	if err != nil {
		return ProfileView{}, err
	}
	rr := x.d.Rules.Registry
	return ProfileView{Inspector: i, Load: loads[i.ID],
		Allowed:     i.AllowedActions(a, now, rr, func(act domain.InspAction) bool { return x.may(a, i, act.Op()) }),
		CanEdit:     x.may(a, i, domain.OpEditInspector) && a.UserID != i.UserID,
		CanTrain:    x.may(a, i, domain.OpAddTraining),
		CanDeclare:  x.may(a, i, domain.OpDeclareConflict),
		CanWithdraw: x.may(a, i, domain.OpWithdrawConflict) && a.UserID != i.UserID,
	}, nil
}

// inspectorInput resolves the user and the unit of in into the domain's input; an unknown or unseen
// one is a field error.
func (x *App) inspectorInput(ctx context.Context, a domain.Actor, in InspectorInput) (domain.InspectorInput, error) {
	out := domain.InspectorInput{UserID: in.UserID, Code: in.Code, Name: in.Name, Kind: in.Kind, CertNo: in.CertNo, LoadCap: in.LoadCap,
		Recommendation: in.Recommendation}
	if in.UserID > 0 {
		u, err := x.d.Users.GetUser(ctx, in.UserID)
		switch {
		case err != nil && domain.ErrorCode(err) != domain.ENOTFOUND:
			return out, err
		case err != nil || !u.Active:
			return out, domain.FieldError("督学信息有误。", map[string]string{"user_id": "用户不存在或已停用。"})
		}
		if out.Name == "" {
			out.Name = u.Name
		}
	}
	if in.UnitOrgID > 0 {
		o, err := x.d.Orgs.GetOrg(ctx, in.UnitOrgID)
		if err != nil || !a.Sees(o.Path) {
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				return out, err
			}
			return out, domain.FieldError("督学信息有误。", map[string]string{"unit_org_id": "工作单位不存在或不在您的管辖范围内。"})
		}
		out.Unit = o
	}
	return out, nil
}

// RecommendInspector enters a recommendation (推荐, R33) in the registry of the caller's office, or,
// with terms, an inspector appointed before the registry was kept here (a director's import).
func (x *App) RecommendInspector(ctx context.Context, a domain.Actor, in InspectorInput) (ProfileView, error) {
	op := domain.OpCreateInspector
	if len(in.Terms) > 0 {
		op = domain.OpImportInspector
	}
	need, _ := (&domain.Inspector{}).Permission(op)
	i, err := create(ctx, x, x.inspectors, a, op, need, func(ctx context.Context, now time.Time) (*domain.Inspector, string, error) {
		din, err := x.inspectorInput(ctx, a, in)
		if err != nil {
			return nil, "", err
		}
		var i *domain.Inspector
		if op == domain.OpImportInspector {
			i, err = domain.ImportInspector(a, a.Org, din, in.Terms, x.d.Rules.Registry, now)
		} else {
			i, err = domain.NewInspector(a, a.Org, din, x.d.Rules.Registry, now)
		}
		if err != nil {
			return nil, "", err
		}
		return i, i.Code + " " + i.Name, nil
	})
	if err != nil {
		return ProfileView{}, err
	}
	return x.profileView(ctx, a, i)
}

// InspectorProfile returns a profile the caller may read (out of scope is ENOTFOUND).
func (x *App) InspectorProfile(ctx context.Context, a domain.Actor, id int64) (ProfileView, error) {
	var v ProfileView
	err := x.inTx(ctx, func(ctx context.Context) error {
		i, err := load(ctx, x, x.inspectors, a, id)
		if err != nil {
			return err
		}
		v, err = x.profileView(ctx, a, i)
		return err
	})
	return v, err
}

// ListProfiles lists the registry profiles in the caller's scope (inspector read), a page at a time,
// with each one's load today.
func (x *App) ListProfiles(ctx context.Context, a domain.Actor, f domain.InspectorFilter) ([]domain.Inspector, map[int64]int, int, error) {
	f.Scopes = x.scopes(a, "inspector", "read")
	if len(f.Scopes) == 0 {
		return nil, nil, 0, domain.Errorf(domain.EFORBIDDEN, "您无权查看督学名录库。")
	}
	f.IDs, f.UserIDs = nil, nil
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	var list []domain.Inspector
	var loads map[int64]int
	var total int
	err := x.inTx(ctx, func(ctx context.Context) error {
		var err error
		if list, total, err = x.d.Registry.ListInspectors(ctx, f); err != nil {
			return err
		}
		ids := make([]int64, len(list))
		for k, i := range list {
			ids[k] = i.ID
		}
		loads, err = x.d.Registry.PostingLoads(ctx, ids, domain.DateOf(x.d.Clock.Now()))
		return err
	})
	return list, loads, total, err
}

// changeInspector takes one step on a profile through the write path.
func (x *App) changeInspector(ctx context.Context, a domain.Actor, id int64, op domain.Op, expect *int,
	fn func(ctx context.Context, i *domain.Inspector, now time.Time) (string, error)) (ProfileView, error) {
	var v ProfileView
	err := x.inTx(ctx, func(ctx context.Context) error {
		i, err := change(ctx, x, x.inspectors, a, id, op, expect, fn)
		if err != nil {
			return err
		}
		v, err = x.profileView(ctx, a, i)
		return err
	})
	return v, err
}

// ActInspector takes an appointment or service step (approve … recommend); an unknown one is ENOTFOUND.
func (x *App) ActInspector(ctx context.Context, a domain.Actor, id int64, act domain.InspAction, in InspActInput) (ProfileView, error) {
	return x.changeInspector(ctx, a, id, act.Op(), in.Version, func(_ context.Context, i *domain.Inspector, now time.Time) (string, error) {
		rr := x.d.Rules.Registry
		switch act {
		case domain.InspApprove:
			return in.Note, i.Approve(a, now, in.Note)
		case domain.InspReject:
			return in.Reason, i.Reject(a, now, in.Reason)
		case domain.InspPublicize:
			if err := i.Publicize(a, now, rr, x.d.Rules.Calendar); err != nil {
				return "", err
			}
			return fmt.Sprintf("公示 %s 至 %s", i.PublicizedOn, i.PublicityUntil), nil
		case domain.InspAppoint:
			if err := i.Appoint(a, now, rr, domain.AppointInput{From: in.From, CertNo: in.CertNo}); err != nil {
				return "", err
			}
			t := i.LastTerm()
			return fmt.Sprintf("第%d届任期 %s 至 %s，督学证号 %s", t.Seq, t.From, t.Until, i.CertNo), nil
		case domain.InspRenew:
			if err := i.Renew(a, now, rr, in.From); err != nil {
				return "", err
			}
			t := i.LastTerm()
			return fmt.Sprintf("第%d届任期 %s 至 %s", t.Seq, t.From, t.Until), nil
		case domain.InspSuspend:
			return in.Reason, i.Suspend(a, now, in.Reason)
		case domain.InspResume:
			return "", i.Resume(a, now)
		case domain.InspRetire:
			return in.Reason, i.Retire(a, now, in.Reason)
		case domain.InspRecommend:
			return in.Recommendation, i.Recommend(a, now, in.Recommendation)
		}
		return "", domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	})
}

// EditInspector changes a profile's editable fields (name, unit, kind before any term, certificate,
// load cap, recommendation). The code and the user never change.
func (x *App) EditInspector(ctx context.Context, a domain.Actor, id int64, in InspectorInput, version *int) (ProfileView, error) {
	return x.changeInspector(ctx, a, id, domain.OpEditInspector, version, func(ctx context.Context, i *domain.Inspector, now time.Time) (string, error) {
		in.UserID, in.Code = i.UserID, i.Code
		din, err := x.inspectorInput(ctx, a, in)
		if err != nil {
			return "", err
		}
		return "", i.Edit(a, now, din, x.d.Rules.Registry)
	})
}

// AddTraining adds a line to the inspector's training file (R38).
func (x *App) AddTraining(ctx context.Context, a domain.Actor, id int64, in domain.TrainingInput) (ProfileView, *domain.Training, error) {
	var t *domain.Training
	v, err := x.changeInspector(ctx, a, id, domain.OpAddTraining, nil, func(_ context.Context, i *domain.Inspector, now time.Time) (string, error) {
		var err error
		if t, err = i.AddTraining(a, now, in); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d年 %d学时 %s", t.Year, t.Hours, t.Course), nil
	})
	return v, t, err
}

// RemoveTraining removes a line entered by mistake.
func (x *App) RemoveTraining(ctx context.Context, a domain.Actor, id, trainingID int64) (ProfileView, error) {
	return x.changeInspector(ctx, a, id, domain.OpRemoveTraining, nil, func(_ context.Context, i *domain.Inspector, now time.Time) (string, error) {
		return fmt.Sprintf("培训记录#%d", trainingID), i.RemoveTraining(a, now, trainingID)
	})
}

// DeclareConflict records a 回避 of the inspector with an org in the caller's jurisdiction (R17).
func (x *App) DeclareConflict(ctx context.Context, a domain.Actor, id, orgID int64, reason string) (ProfileView, *domain.Conflict, error) {
	var c *domain.Conflict
	v, err := x.changeInspector(ctx, a, id, domain.OpDeclareConflict, nil, func(ctx context.Context, i *domain.Inspector, now time.Time) (string, error) {
		var org domain.Org
		if orgID > 0 {
			o, err := x.d.Orgs.GetOrg(ctx, orgID)
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				return "", err
			}
			if err == nil && a.Sees(o.Path) {
				org = o
			}
		}
		if org.ID == 0 && orgID > 0 {
			return "", domain.FieldError("回避申报有误。", map[string]string{"org_id": "单位不存在或不在您的管辖范围内。"})
		}
		var err error
		if c, err = i.DeclareConflict(a, now, org, reason); err != nil {
			return "", err
		}
		return org.Name + "：" + c.Reason, nil
	})
	return v, c, err
}

// WithdrawConflict removes a declared 回避: the office's decision (R17).
func (x *App) WithdrawConflict(ctx context.Context, a domain.Actor, id, conflictID int64) (ProfileView, error) {
	return x.changeInspector(ctx, a, id, domain.OpWithdrawConflict, nil, func(_ context.Context, i *domain.Inspector, now time.Time) (string, error) {
		return fmt.Sprintf("回避记录#%d", conflictID), i.WithdrawConflict(a, now, conflictID)
	})
}
