package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

type loginPage struct {
	Base
	Username string
	Next     string
	Error    string
	Fields   map[string]string
}

func (loginPage) template() string { return tmplLogin }

type grantView struct {
	RoleLabel, OrgName string
}

type orgView struct {
	Name, KindLabel string
	Depth           int
}

type homePage struct {
	Base
	Grants   []grantView
	Orgs     []orgView
	OrgCount int
}

func (homePage) template() string { return tmplHome }

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from URLs, so "/\t/evil" would become "//evil": refuse controls too.
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) ||
		strings.IndexFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "/"
	}
	return next
}

func (s *Server) loginPage(c echo.Context) error {
	if _, ok := actorOf(c); ok {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return s.render(c, http.StatusOK, loginPage{Base: s.base(c, "登录"), Next: safeNext(c.QueryParam("next"))})
}

func (s *Server) loginSubmit(c echo.Context) error {
	var req loginRequest
	p := loginPage{Base: s.base(c, "登录"), Next: safeNext(c.FormValue("next"))}
	if err := c.Bind(&req); err != nil {
		return domain.Errorf(domain.EBADREQUEST, "请求格式不正确。")
	}
	p.Username = req.Username
	res, err := s.app.Login(c.Request().Context(), req.Username, req.Password, clientAddr(c), app.SessionWeb)
	if err != nil {
		var status int
		switch domain.ErrorCode(err) {
		case domain.EINVALID, domain.EUNAUTHENTICATED, domain.ETOOMANY:
			status = statusOf[domain.ErrorCode(err)]
		default:
			return err
		}
		p.Error = domain.ErrorMessage(err)
		if de, ok := err.(*domain.Error); ok {
			p.Fields = de.Fields
		}
		return s.render(c, status, p)
	}
	s.setSessionCookie(c, res.Token, res.Session.ExpiresAt.Sub(res.Session.CreatedAt))
	return c.Redirect(http.StatusSeeOther, p.Next)
}

func (s *Server) logoutSubmit(c echo.Context) error {
	a, _ := actorOf(c)
	tok, _ := c.Get(tokenKey).(string)
	if err := s.app.Logout(c.Request().Context(), a, tok); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/login")
}

func (s *Server) homePage(c echo.Context) error {
	a, _ := actorOf(c)
	orgs, err := s.app.ListOrgs(c.Request().Context(), a)
	if err != nil {
		return err
	}
	p := homePage{Base: s.base(c, "首页"), OrgCount: len(orgs)}
	names := map[int64]string{}
	base := 0
	if len(orgs) > 0 {
		base = orgs[0].Path.Depth()
	}
	for _, o := range orgs {
		names[o.ID] = o.Name
		p.Orgs = append(p.Orgs, orgView{Name: o.Name, KindLabel: o.Kind.Label(), Depth: o.Path.Depth() - base})
	}
	for _, g := range a.Grants {
		n := names[g.OrgID]
		if n == "" {
			n = string(g.Path)
		}
		p.Grants = append(p.Grants, grantView{RoleLabel: g.Role.Label(), OrgName: n})
	}
	return s.render(c, http.StatusOK, p)
}
