package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// Accounts over the API (issue 13): list and read users with their grants, grant and revoke roles,
// disable and enable users, reset passwords. The admin pages do the same through ui_admin.go.

// passwordRequest is the body of POST /api/v1/users/{id}/password and of the reset form.
type passwordRequest struct {
	Password string `json:"password" form:"password" label:"新密码" validate:"required,max=200"`
}

// grantRequest is the body of POST /api/v1/users/{id}/grants.
type grantRequest struct {
	Role string `json:"role" form:"role" label:"角色" validate:"required,oneof=admin director supervisor district_office school monitor auditor"`
	Org  string `json:"org" form:"org" label:"授权范围" validate:"required,max=300"`
}

type accountGrantJSON struct {
	ID        int64  `json:"id"`
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	OrgID     int64  `json:"org_id"`
	Path      string `json:"path"`
	// Effective is false for a grant an admin holds against SPEC §1: it is kept on record and ignored.
	Effective bool `json:"effective"`
}

type accountJSON struct {
	ID       int64              `json:"id"`
	Username string             `json:"username"`
	Name     string             `json:"name"`
	Active   bool               `json:"active"`
	Org      orgJSON            `json:"org"`
	Grants   []accountGrantJSON `json:"grants"`
}

func toAccountJSON(u app.UserWithGrants) accountJSON {
	j := accountJSON{ID: u.User.ID, Username: u.User.Username, Name: u.User.Name, Active: u.User.Active, Org: toOrgJSON(u.Org),
		Grants: []accountGrantJSON{}}
	ignored := map[int64]bool{}
	for _, g := range u.Ignored {
		ignored[g.ID] = true
	}
	for _, g := range u.Grants {
		j.Grants = append(j.Grants, accountGrantJSON{ID: g.ID, Role: string(g.Role), RoleLabel: g.Role.Label(), OrgID: g.OrgID,
			Path: string(g.Path), Effective: !ignored[g.ID]})
	}
	return j
}

func userURL(id int64) string { return "/api/v1/users/" + strconv.FormatInt(id, 10) }

func (s *Server) apiListUsers(c echo.Context) error {
	a, _ := actorOf(c)
	users, err := s.app.ListUsersWithGrants(c.Request().Context(), a)
	if err != nil {
		return err
	}
	out := make([]accountJSON, len(users))
	for i, u := range users {
		out[i] = toAccountJSON(u)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

// accountReply answers the user as it stands after a change.
func (s *Server) accountReply(c echo.Context, id int64, err error) error {
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	u, err := s.app.GetUserWithGrants(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAccountJSON(u))
}

func (s *Server) apiGetUser(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.accountReply(c, id, nil)
}

func (s *Server) apiDisableUser(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	return s.accountReply(c, id, s.app.DisableUser(c.Request().Context(), a, id))
}

func (s *Server) apiEnableUser(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	return s.accountReply(c, id, s.app.EnableUser(c.Request().Context(), a, id))
}

func (s *Server) apiResetPassword(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	if err := s.app.ResetPassword(c.Request().Context(), a, id, req.Password); err != nil {
		return err
	}
	if a.UserID == id { // the caller's own token ended with the others
		return c.NoContent(http.StatusNoContent)
	}
	return s.accountReply(c, id, nil)
}

func (s *Server) apiGrantRole(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req grantRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	u, err := s.app.GetUserWithGrants(ctx, a, id)
	if err != nil {
		return err
	}
	g, err := s.app.GrantRole(ctx, a, u.User.Username, domain.Role(req.Role), domain.Jurisdiction(strings.TrimSpace(req.Org)))
	if err != nil {
		return err
	}
	return created(c, userURL(id), accountGrantJSON{ID: g.ID, Role: string(g.Role), RoleLabel: g.Role.Label(), OrgID: g.OrgID,
		Path: string(g.Path), Effective: true})
}

func (s *Server) apiRevokeGrant(c echo.Context) error {
	ids, err := pathIDs(c, "id", "gid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	return s.accountReply(c, ids[0], s.app.RevokeGrant(c.Request().Context(), a, ids[0], ids[1]))
}
