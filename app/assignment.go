package app

import (
	"context"
	"time"

	"dudao/domain"
)

// 责任督学挂牌 (R21–R28): every school's record of its 责任督学 and the sign at its gate. The school's
// record is one aggregate (one 责任督学 at a time is its own invariant); the inspector's profile and
// load come in, read in the same transaction, for the domain to judge.

// AssignmentView is a school's 挂牌 record as one caller sees it.
type AssignmentView struct {
	Record  *domain.Assignment
	Sign    domain.Sign // the sign in force today
	HasSign bool
	Allowed []domain.AsgAction
}

// SchoolAssignment is one school of the caller's scope with its 挂牌 record (nil when it has none).
type SchoolAssignment struct {
	School domain.Org
	Record *domain.Assignment
}

// PostingInput names a school's 责任督学 and the sign.
type PostingInput struct {
	InspectorID int64
	Posting     domain.PostingInput
}

// AsgActInput carries the parameters of a step on a 挂牌 record.
type AsgActInput struct {
	Version     *int
	InspectorID int64               // assign, reassign
	Posting     domain.PostingInput // assign, reassign
	Reason      string              // reassign, end
	On          domain.Date         // end
	Sign        domain.SignInput    // sign
}

var errAssignmentNotFound = domain.Errorf(domain.ENOTFOUND, "挂牌记录不存在。")

func (x *App) assignmentView(a domain.Actor, r *domain.Assignment) AssignmentView {
	if r == nil {
		return AssignmentView{}
	}
	v := AssignmentView{Record: r, Allowed: r.AllowedActions(func(act domain.AsgAction) bool { return x.may(a, r, act.Op()) })}
	v.Sign, v.HasSign = r.SignOn(domain.DateOf(x.d.Clock.Now()))
	return v
}

// postingInspector loads the inspector a posting names and how many schools they hold on from: what
// the domain needs to judge R21's cap and R36's recusal. An unknown one is a field error.
func (x *App) postingInspector(ctx context.Context, id int64, from domain.Date) (*domain.Inspector, int, error) {
	if id <= 0 {
		return nil, 0, nil
	}
	i, err := x.d.Registry.GetInspector(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, 0, domain.FieldError("责任督学不存在。", map[string]string{"inspector_id": "督学不存在。"})
		}
		return nil, 0, err
	}
	if from == "" {
		from = domain.DateOf(x.d.Clock.Now())
	}
	loads, err := x.d.Registry.PostingLoads(ctx, []int64{id}, from)
	if err != nil {
		return nil, 0, err
	}
	return i, loads[id], nil
}

// CreateAssignment names the first 责任督学 of a school of the caller's office (R21), which creates the
// school's 挂牌 record. A school that has one already is ECONFLICT: its record takes the next step.
func (x *App) CreateAssignment(ctx context.Context, a domain.Actor, schoolOrgID int64, in PostingInput) (AssignmentView, error) {
	need, _ := (&domain.Assignment{}).Permission(domain.OpCreateAssignment)
	r, err := create(ctx, x, x.assignments, a, domain.OpCreateAssignment, need, func(ctx context.Context, now time.Time) (*domain.Assignment, string, error) {
		school, err := x.d.Orgs.GetOrg(ctx, schoolOrgID)
		if err != nil || !a.Sees(school.Path) {
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				return nil, "", err
			}
			return nil, "", domain.FieldError("挂牌信息有误。", map[string]string{"school_org_id": "学校不存在或不在您的管辖范围内。"})
		}
		insp, load, err := x.postingInspector(ctx, in.InspectorID, in.Posting.From)
		if err != nil {
			return nil, "", err
		}
		r, err := domain.NewAssignment(a, a.Org, school, insp, load, in.Posting, now)
		if err != nil {
			return nil, "", err
		}
		return r, r.Postings[0].Name, nil
	})
	return x.assignmentView(a, r), err
}

// GetAssignment returns a 挂牌 record the caller may read.
func (x *App) GetAssignment(ctx context.Context, a domain.Actor, id int64) (AssignmentView, error) {
	r, err := load(ctx, x, x.assignments, a, id)
	if err != nil {
		return AssignmentView{}, err
	}
	return x.assignmentView(a, r), nil
}

// ActAssignment takes a step on a school's record: assign, reassign, end or sign.
func (x *App) ActAssignment(ctx context.Context, a domain.Actor, id int64, act domain.AsgAction, in AsgActInput) (AssignmentView, error) {
	r, err := change(ctx, x, x.assignments, a, id, act.Op(), in.Version, func(ctx context.Context, r *domain.Assignment, now time.Time) (string, error) {
		switch act {
		case domain.AsgAssign, domain.AsgReassign:
			from := in.Posting.From
			insp, load, err := x.postingInspector(ctx, in.InspectorID, from)
			if err != nil {
				return "", err
			}
			var p *domain.Posting
			if act == domain.AsgAssign {
				p, err = r.Assign(a, now, insp, load, in.Posting)
			} else {
				p, err = r.Reassign(a, now, insp, load, in.Posting, in.Reason)
			}
			if err != nil {
				return "", err
			}
			return p.Name + " 自 " + string(p.From), nil
		case domain.AsgEnd:
			return in.Reason, r.End(a, now, in.On, in.Reason)
		case domain.AsgSign:
			return "", r.UpdateSign(a, now, in.Sign)
		}
		return "", domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	})
	return x.assignmentView(a, r), err
}

// SchoolAssignments lists the schools of the caller's scope (assignment read) with their records, by
// path: the 挂牌 page, where a school without a record shows as such.
func (x *App) SchoolAssignments(ctx context.Context, a domain.Actor) ([]SchoolAssignment, error) {
	scopes := x.scopes(a, "assignment", "read")
	if len(scopes) == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看责任督学挂牌信息。")
	}
	var out []SchoolAssignment
	err := x.inTx(ctx, func(ctx context.Context) error {
		orgs, err := x.d.Orgs.ListOrgs(ctx, scopes)
		if err != nil {
			return err
		}
		records, err := x.d.Registry.ListAssignments(ctx, scopes)
		if err != nil {
			return err
		}
		bySchool := make(map[int64]*domain.Assignment, len(records))
		for k := range records {
			bySchool[records[k].School.ID] = &records[k]
		}
		for _, o := range orgs {
			if o.Kind == domain.OrgSchool {
				out = append(out, SchoolAssignment{School: o, Record: bySchool[o.ID]})
			}
		}
		return nil
	})
	return out, err
}

// MayAssign reports whether the caller may name 责任督学 somewhere.
func (x *App) MayAssign(a domain.Actor) bool {
	return x.permitsAnywhere(a, domain.Need("assignment", "assign", domain.AtOwner, ""))
}

// PublicSign is the sign in force today of a 挂牌 record, for anyone (R22: the sign at the school gate is
// public). A record without a 责任督学 in post has none: ENOTFOUND.
func (x *App) PublicSign(ctx context.Context, id int64) (domain.Sign, error) {
	r, err := x.d.Registry.GetAssignment(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Sign{}, errAssignmentNotFound
		}
		return domain.Sign{}, err
	}
	s, ok := r.SignOn(domain.DateOf(x.d.Clock.Now()))
	if !ok {
		return domain.Sign{}, domain.Errorf(domain.ENOTFOUND, "%s目前没有在岗的责任督学，没有挂牌信息。", r.School.Name)
	}
	return s, nil
}
