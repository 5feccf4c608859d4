package app

import (
	"context"

	"dudao/domain"
)

// UserWithGrants is a user as the admin pages list it: the user, the org it belongs to and its grants.
type UserWithGrants struct {
	User   domain.User
	Org    domain.Org
	Grants []domain.Grant
	// Ignored are the grants among Grants that do not take effect: an admin's conflicting roles.
	Ignored []domain.Grant
}

// ListUsersWithGrants lists the users of the orgs where the actor may read users, with their grants,
// ordered by org path and username.
func (x *App) ListUsersWithGrants(ctx context.Context, a domain.Actor) ([]UserWithGrants, error) {
	scopes := x.scopes(a, "user", "read")
	if len(scopes) == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看用户。")
	}
	var out []UserWithGrants
	err := x.inTx(ctx, func(ctx context.Context) error {
		users, err := x.d.Users.ListUsers(ctx, scopes)
		if err != nil {
			return err
		}
		orgs, err := x.d.Orgs.ListOrgs(ctx, scopes)
		if err != nil {
			return err
		}
		byID := make(map[int64]domain.Org, len(orgs))
		for _, o := range orgs {
			byID[o.ID] = o
		}
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		grants, err := x.d.Users.GrantsOf(ctx, ids)
		if err != nil {
			return err
		}
		out = make([]UserWithGrants, 0, len(users))
		for _, u := range users {
			u.PasswordHash = "" // never leaves the use case
			g := grants[u.ID]
			_, ignored := domain.EffectiveGrants(g)
			out = append(out, UserWithGrants{User: u, Org: byID[u.OrgID], Grants: g, Ignored: ignored})
		}
		return nil
	})
	return out, err
}

// Inspector is a supervisor who may be put on a case's inspection team, with the org of the grant
// that makes them one.
type Inspector struct {
	UserID  int64
	Name    string
	OrgName string
	Path    domain.Jurisdiction // the jurisdiction of the supervisor grant
}

// ListInspectors lists the active supervisors in the actor's scope, for the form that opens a case.
// Only those who may open cases may list them; whether one may inspect a given target is checked
// again when the case is opened.
func (x *App) ListInspectors(ctx context.Context, a domain.Actor) ([]Inspector, error) {
	if !x.d.Authz.Allowed(a, "case", "create", a.Org.Path) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权新建督导案件。")
	}
	var out []Inspector
	err := x.inTx(ctx, func(ctx context.Context) error {
		scopes := []domain.Jurisdiction{a.Org.Path}
		users, err := x.d.Users.ListUsers(ctx, scopes)
		if err != nil {
			return err
		}
		orgs, err := x.d.Orgs.ListOrgs(ctx, scopes)
		if err != nil {
			return err
		}
		names := make(map[int64]string, len(orgs))
		for _, o := range orgs {
			names[o.ID] = o.Name
		}
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		grants, err := x.d.Users.GrantsOf(ctx, ids)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.Active {
				continue
			}
			eff, _ := domain.EffectiveGrants(grants[u.ID])
			for _, g := range eff {
				if g.Role == domain.RoleSupervisor {
					out = append(out, Inspector{UserID: u.ID, Name: u.Name, OrgName: names[g.OrgID], Path: g.Path})
					break
				}
			}
		}
		return nil
	})
	return out, err
}

// CaseUserNames resolves the people a case names (inspectors, authors of objections, measures,
// files and rechecks) to their names, for a case the actor may read.
func (x *App) CaseUserNames(ctx context.Context, a domain.Actor, c *domain.Case) (map[int64]string, error) {
	if c == nil || !x.visible(a, c.Head()) {
		return nil, errCaseNotFound
	}
	ids := map[int64]bool{}
	add := func(id int64) {
		if id > 0 {
			ids[id] = true
		}
	}
	for _, id := range c.InspectorIDs {
		add(id)
	}
	add(c.CreatedBy)
	add(c.ReviewSubmittedBy)
	add(c.IssuedBy)
	add(c.RectificationSubmittedBy)
	for _, f := range c.Findings {
		for _, m := range f.Measures {
			add(m.CreatedBy)
		}
		for _, e := range f.Evidence {
			add(e.UploadedBy)
		}
	}
	for _, e := range c.Evidence {
		add(e.UploadedBy)
	}
	for _, o := range c.Objections {
		add(o.FiledBy)
		add(o.RuledBy)
	}
	for _, r := range c.Rechecks {
		add(r.By)
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	return x.d.Users.UserNames(ctx, list)
}

// MayAt reports whether the actor may do act on obj at path: what a form on a row needs to know.
func (x *App) MayAt(a domain.Actor, obj, act string, path domain.Jurisdiction) bool {
	return x.d.Authz.Allowed(a, obj, act, path)
}

// MayOpenCases reports whether the actor may open cases at its own org.
func (x *App) MayOpenCases(a domain.Actor) bool {
	return x.d.Authz.Allowed(a, "case", "create", a.Org.Path)
}

// MayAnywhere reports whether the actor may do act on obj in at least one of its jurisdictions:
// what a navigation link or a menu needs to know.
func (x *App) MayAnywhere(a domain.Actor, obj, act string) bool {
	return len(x.scopes(a, obj, act)) > 0
}

// CaseAbilities are what the actor may do to a case's parts now, beyond the transitions of
// allowed_actions: the same checks the writes make, so a form is shown only when it would be accepted.
type CaseAbilities struct {
	EditFindings   bool
	FileObjection  bool
	RuleObjections bool
	AddMeasures    bool
	AttachEvidence bool
	ReadAudit      bool
}

// Abilities answers CaseAbilities for a case the actor has loaded through GetCase.
func (x *App) Abilities(a domain.Actor, c *domain.Case) CaseAbilities {
	if c == nil || !x.visible(a, c.Head()) {
		return CaseAbilities{}
	}
	now := x.d.Clock.Now()
	return CaseAbilities{
		EditFindings:   x.may(a, c, domain.OpAddFinding) && c.CanEditFindings(a) == nil,
		FileObjection:  x.may(a, c, domain.OpFileObjection) && c.CanFileObjection(a, now) == nil,
		RuleObjections: x.may(a, c, domain.OpRuleObjection) && c.CanRuleObjections(a) == nil,
		AddMeasures:    x.may(a, c, domain.OpAddMeasure) && c.CanAddMeasures(a) == nil,
		AttachEvidence: x.may(a, c, domain.OpUploadEvidence) && c.CanAttachEvidence(a, nil) == nil,
		ReadAudit:      x.mayReadAudit(a, c),
	}
}
