package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

const (
	tmplAdminOrgs  = "admin/orgs.html"
	tmplAdminUsers = "admin/users.html"
)

// adminOrgsPage is the org tree with the form that adds an org under one of them.
type adminOrgsPage struct {
	frame
	Orgs    []adminOrgRow
	Parents []option
	Kinds   []option
	Form    uiForm
}

func (adminOrgsPage) template() string { return tmplAdminOrgs }

type adminOrgRow struct {
	Name, Code, Path, KindLabel string
	Depth                       int
	Users                       int
}

// adminUsersPage lists users with their grants, with the forms that add a user and grant a role.
type adminUsersPage struct {
	frame
	Users []adminUserRow
	Orgs  []option
	Roles []option
	Form  uiForm
}

func (adminUsersPage) template() string { return tmplAdminUsers }

type adminUserRow struct {
	ID                  int64
	Username, Name, Org string
	Active              bool
	Self                bool // the signed-in admin: no disabling oneself
	Grants              []adminGrantView
	PasswordForm        string // the id of the row's reset form
}

// adminGrantView is a grant on the admin page, with its revoke form; Ignored marks an admin's
// conflicting grant, kept on record but not in effect.
type adminGrantView struct {
	ID               int64
	RoleLabel        string
	OrgName          string
	Ignored, Revoker bool
}

func orgKindOptions() []option {
	var out []option
	for _, k := range []domain.OrgKind{domain.OrgSchool, domain.OrgDistrict, domain.OrgCity, domain.OrgRegion, domain.OrgOffice} {
		out = append(out, option{string(k), k.Label()})
	}
	return out
}

func (s *Server) uiAdminOrgs(c echo.Context) error {
	return s.showAdminOrgs(c, uiForm{ID: "org", Values: url.Values{"kind": {string(domain.OrgSchool)}}}, "", http.StatusOK)
}

func (s *Server) showAdminOrgs(c echo.Context, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	if !s.app.MayAnywhere(a, "org", "create") {
		return domain.Errorf(domain.EFORBIDDEN, "只有系统管理员可以管理机构。")
	}
	ctx := c.Request().Context()
	orgs, err := s.app.ListOrgs(ctx, a)
	if err != nil {
		return err
	}
	perOrg := map[int64]int{}
	if users, err := s.app.ListUsersWithGrants(ctx, a); err == nil {
		for _, u := range users {
			perOrg[u.User.OrgID]++
		}
	}
	p := adminOrgsPage{frame: s.frame(c, "机构管理"), Kinds: orgKindOptions(), Form: form}
	p.Alert = alert
	base := 0
	if len(orgs) > 0 {
		base = orgs[0].Path.Depth()
	}
	for _, o := range orgs {
		d := o.Path.Depth() - base
		p.Orgs = append(p.Orgs, adminOrgRow{Name: o.Name, Code: o.Code, Path: string(o.Path), KindLabel: o.Kind.Label(), Depth: d, Users: perOrg[o.ID]})
		if o.Kind != domain.OrgSchool {
			p.Parents = append(p.Parents, option{string(o.Path), strings.Repeat("　", d) + o.Name})
		}
	}
	return s.render(c, status, p)
}

func (s *Server) uiAdminOrgCreate(c echo.Context) error {
	a, _ := actorOf(c)
	var form orgForm
	values, verr := bindForm(c, &form)
	again := func(f uiForm, alert string, status int) error {
		if f.ID == "" {
			f = uiForm{ID: "org", Values: values}
		}
		return s.showAdminOrgs(c, f, alert, status)
	}
	return s.act(c, "org", values, "/admin/orgs", again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		o, err := s.app.CreateOrg(c.Request().Context(), a, app.OrgInput{Code: strings.TrimSpace(form.Code), Name: form.Name,
			Kind: domain.OrgKind(form.Kind), ParentPath: domain.Jurisdiction(form.Parent), FullName: form.FullName})
		if err != nil {
			return "", err
		}
		return "已新增机构「" + o.Name + "」。", nil
	})
}

func (s *Server) uiAdminUsers(c echo.Context) error {
	return s.showAdminUsers(c, uiForm{}, "", http.StatusOK)
}

func (s *Server) showAdminUsers(c echo.Context, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	if !s.app.MayAnywhere(a, "user", "create") {
		return domain.Errorf(domain.EFORBIDDEN, "只有系统管理员可以管理用户和授权。")
	}
	ctx := c.Request().Context()
	users, err := s.app.ListUsersWithGrants(ctx, a)
	if err != nil {
		return err
	}
	orgs, err := s.app.ListOrgs(ctx, a)
	if err != nil {
		return err
	}
	p := adminUsersPage{frame: s.frame(c, "用户与授权"), Form: form}
	p.Alert = alert
	names := map[int64]string{}
	base := 0
	if len(orgs) > 0 {
		base = orgs[0].Path.Depth()
	}
	for _, o := range orgs {
		names[o.ID] = o.Name
		p.Orgs = append(p.Orgs, option{string(o.Path), strings.Repeat("　", o.Path.Depth()-base) + o.Name})
	}
	for _, r := range domain.Roles {
		p.Roles = append(p.Roles, option{string(r), r.Label()})
	}
	for _, u := range users {
		row := adminUserRow{ID: u.User.ID, Username: u.User.Username, Name: u.User.Name, Org: u.Org.Name, Active: u.User.Active,
			Self: u.User.ID == a.UserID, PasswordForm: "password-" + strconv.FormatInt(u.User.ID, 10)}
		ignored := map[int64]bool{}
		for _, g := range u.Ignored {
			ignored[g.ID] = true
		}
		for _, g := range u.Grants {
			n := names[g.OrgID]
			if n == "" {
				n = string(g.Path)
			}
			row.Grants = append(row.Grants, adminGrantView{ID: g.ID, RoleLabel: g.Role.Label(), OrgName: n, Ignored: ignored[g.ID],
				Revoker: s.app.MayAt(a, "user", "grant", g.Path)})
		}
		p.Users = append(p.Users, row)
	}
	return s.render(c, status, p)
}

func (s *Server) uiAdminUserCreate(c echo.Context) error {
	a, _ := actorOf(c)
	var form userForm
	values, verr := bindForm(c, &form)
	values.Del("password") // a refused form never shows the password again
	again := func(f uiForm, alert string, status int) error { return s.showAdminUsers(c, f, alert, status) }
	return s.act(c, "user", values, "/admin/users", again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		u, err := s.app.CreateUser(c.Request().Context(), a, app.UserInput{Username: form.Username, Name: form.Name, Password: form.Password,
			OrgPath: domain.Jurisdiction(form.Org)})
		if err != nil {
			return "", err
		}
		return "已新增用户「" + u.Name + "」（" + u.Username + "），请为其授予角色。", nil
	})
}

func (s *Server) uiAdminGrant(c echo.Context) error {
	a, _ := actorOf(c)
	var form grantForm
	values, verr := bindForm(c, &form)
	again := func(f uiForm, alert string, status int) error { return s.showAdminUsers(c, f, alert, status) }
	return s.act(c, "grant", values, "/admin/users", again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		_, err := s.app.GrantRole(c.Request().Context(), a, strings.TrimSpace(form.Username), domain.Role(form.Role), domain.Jurisdiction(form.Org))
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return "", domain.FieldError("用户不存在。", map[string]string{"username": "没有这个用户名。"})
		}
		if err != nil {
			return "", err
		}
		return "已授予「" + form.Username + "」" + domain.Role(form.Role).Label() + "角色。", nil
	})
}

// The account actions of the admin page (issue 13): each posts a small form from the user's row and
// comes back to the page with a message.

func (s *Server) uiAdminAccount(c echo.Context, formID string, values url.Values, write func(a domain.Actor, id int64) (string, error)) error {
	a, _ := actorOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	again := func(f uiForm, alert string, status int) error { return s.showAdminUsers(c, f, alert, status) }
	return s.act(c, formID, values, "/admin/users", again, func() (string, error) { return write(a, id) })
}

func (s *Server) uiAdminDisable(c echo.Context) error {
	return s.uiAdminAccount(c, "", nil, func(a domain.Actor, id int64) (string, error) {
		if err := s.app.DisableUser(c.Request().Context(), a, id); err != nil {
			return "", err
		}
		return "已停用该用户，其所有登录会话和令牌已失效。", nil
	})
}

func (s *Server) uiAdminEnable(c echo.Context) error {
	return s.uiAdminAccount(c, "", nil, func(a domain.Actor, id int64) (string, error) {
		if err := s.app.EnableUser(c.Request().Context(), a, id); err != nil {
			return "", err
		}
		return "已启用该用户。", nil
	})
}

func (s *Server) uiAdminPassword(c echo.Context) error {
	var form passwordRequest
	values, verr := bindForm(c, &form)
	values.Del("password") // never shown again
	return s.uiAdminAccount(c, "password-"+c.Param("id"), values, func(a domain.Actor, id int64) (string, error) {
		if verr != nil {
			return "", verr
		}
		if err := s.app.ResetPassword(c.Request().Context(), a, id, form.Password); err != nil {
			return "", err
		}
		return "已重设密码，该用户的所有登录会话和令牌已失效。请通过安全渠道告知本人。", nil
	})
}

func (s *Server) uiAdminRevoke(c echo.Context) error {
	gid, err := pathID(c, "gid")
	if err != nil {
		return err
	}
	return s.uiAdminAccount(c, "", nil, func(a domain.Actor, id int64) (string, error) {
		if err := s.app.RevokeGrant(c.Request().Context(), a, id, gid); err != nil {
			return "", err
		}
		return "已撤销该授权，即时生效。", nil
	})
}
