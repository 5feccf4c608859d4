package app

import (
	"context"
	"strings"

	"dudao/domain"
)

// ListOrgs returns the orgs the actor may read, ordered by path.
func (x *App) ListOrgs(ctx context.Context, a domain.Actor) ([]domain.Org, error) {
	return x.d.Orgs.ListOrgs(ctx, x.scopes(a, "org", "read"))
}

// OrgOverview is what a home page says of the orgs a user reads: how many, and the top of the tree
// (the orgs of the user's scopes and their direct children, cut at a hundred) — never the whole
// province.
type OrgOverview struct {
	Count int
	Top   []domain.Org
}

// OrgOverview reads the overview in two indexed queries.
func (x *App) OrgOverview(ctx context.Context, a domain.Actor) (OrgOverview, error) {
	scopes := x.scopes(a, "org", "read")
	if len(scopes) == 0 {
		return OrgOverview{}, nil
	}
	n, err := x.d.Orgs.CountOrgs(ctx, scopes)
	if err != nil {
		return OrgOverview{}, err
	}
	top, err := x.d.Orgs.OrgsWithin(ctx, scopes, 100)
	return OrgOverview{Count: n, Top: top}, err
}

// GetOrg returns one org; out of scope is ENOTFOUND.
func (x *App) GetOrg(ctx context.Context, a domain.Actor, id int64) (domain.Org, error) {
	o, err := x.d.Orgs.GetOrg(ctx, id)
	if err != nil {
		return domain.Org{}, err
	}
	if !x.d.Authz.Allowed(a, "org", "read", o.Path) {
		return domain.Org{}, domain.Errorf(domain.ENOTFOUND, "机构不存在。")
	}
	return o, nil
}

// OrgByPath returns the org at path; out of scope is ENOTFOUND.
func (x *App) OrgByPath(ctx context.Context, a domain.Actor, path domain.Jurisdiction) (domain.Org, error) {
	o, err := x.d.Orgs.GetOrgByPath(ctx, NormalizePath(string(path)))
	if err != nil {
		return domain.Org{}, err
	}
	if !a.System && !x.d.Authz.Allowed(a, "org", "read", o.Path) {
		return domain.Org{}, domain.Errorf(domain.ENOTFOUND, "机构不存在。")
	}
	return o, nil
}

// OrgInput describes a new org; ParentPath is empty for a root.
type OrgInput struct {
	Code, Name string
	Kind       domain.OrgKind
	ParentPath domain.Jurisdiction
	// FullName is the name its office signs documents with; "" takes the default (domain.Org.OfficeName).
	FullName string
}

// CreateOrg adds an org under its parent. The actor must be allowed to create orgs at the parent.
func (x *App) CreateOrg(ctx context.Context, a domain.Actor, in OrgInput) (domain.Org, error) {
	var out domain.Org
	err := x.inTx(ctx, func(ctx context.Context) error {
		var parent *domain.Org
		if in.ParentPath != "" {
			p, err := x.d.Orgs.GetOrgByPath(ctx, NormalizePath(string(in.ParentPath)))
			if err != nil {
				return domain.FieldError("上级机构不存在。", map[string]string{"parent": "上级机构不存在。"})
			}
			parent = &p
		}
		if a.UserID != 0 {
			at := domain.Jurisdiction("")
			if parent != nil {
				at = parent.Path
			}
			if at == "" || !x.d.Authz.Allowed(a, "org", "create", at) {
				return domain.Errorf(domain.EFORBIDDEN, "无权在此处新建机构。")
			}
		}
		o, err := domain.NewOrg(in.Code, in.Name, in.Kind, parent)
		if err != nil {
			return err
		}
		if o.FullName = strings.TrimSpace(in.FullName); len([]rune(o.FullName)) > 200 {
			return domain.FieldError("机构信息有误。", map[string]string{"full_name": "公文署名不超过200个字。"})
		}
		if err := x.d.Orgs.CreateOrg(ctx, &o); err != nil {
			return err
		}
		out = o
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "org.create", "org", o.ID, o.Path, "", digest(o), o.Name)
	})
	return out, err
}

// NormalizePath accepts "wuhai/hbw" or "wuhai/hbw/" and returns the path with its trailing slash.
func NormalizePath(s string) domain.Jurisdiction {
	s = strings.Trim(strings.TrimSpace(s), "/")
	if s == "" {
		return ""
	}
	return domain.Jurisdiction(s + "/")
}
