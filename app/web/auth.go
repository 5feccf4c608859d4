package web

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

const (
	actorKey       = "dudao.actor"
	tokenKey       = "dudao.token"
	csrfContextKey = "csrf"
	sessionCookie  = "dudao_session"
)

func actorOf(c echo.Context) (domain.Actor, bool) {
	a, ok := c.Get(actorKey).(domain.Actor)
	return a, ok
}

// setActor puts the actor on the echo context and on the request context the use cases see.
func setActor(c echo.Context, a domain.Actor, token string) {
	c.Set(actorKey, a)
	c.Set(tokenKey, token)
	c.SetRequest(c.Request().WithContext(domain.WithActor(c.Request().Context(), a)))
}

// requireBearer authenticates API calls by "Authorization: Bearer <token>".
func (s *Server) requireBearer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, ok := strings.Cut(h, " ")
		ok = ok && strings.EqualFold(scheme, "Bearer") // RFC 7235: the scheme is case-insensitive
		if !ok || strings.TrimSpace(token) == "" {
			return domain.Errorf(domain.EUNAUTHENTICATED, "请先登录：请求须带 Authorization: Bearer 令牌。")
		}
		a, sess, err := s.app.Authenticate(c.Request().Context(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		if sess.Kind != app.SessionAPI {
			return domain.Errorf(domain.EUNAUTHENTICATED, "登录已失效，请重新登录。")
		}
		setActor(c, a, strings.TrimSpace(token))
		return next(c)
	}
}

// loadWebSession resolves the session cookie when there is one; pages that need a user add requireWeb.
func (s *Server) loadWebSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err == nil && ck.Value != "" {
			a, sess, err := s.app.Authenticate(c.Request().Context(), ck.Value)
			switch {
			case err == nil && sess.Kind == app.SessionWeb:
				setActor(c, a, ck.Value)
			case err != nil && domain.ErrorCode(err) != domain.EUNAUTHENTICATED:
				return err
			default:
				s.clearSessionCookie(c)
			}
		}
		return next(c)
	}
}

func (s *Server) requireWeb(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := actorOf(c); !ok {
			return domain.Errorf(domain.EUNAUTHENTICATED, "请先登录。")
		}
		return next(c)
	}
}

func (s *Server) setSessionCookie(c echo.Context, token string, ttl time.Duration) {
	// MaxAge, not Expires: a client whose clock is off still keeps the cookie for its lifetime.
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(ttl.Seconds()), HttpOnly: true,
		Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
}

// clientAddr is the client's address without port, for login throttling: the peer, or behind the
// configured trusted proxies what they say (ipExtractor).
func clientAddr(c echo.Context) string {
	ip := c.RealIP()
	if h, _, err := net.SplitHostPort(ip); err == nil {
		return h
	}
	return ip
}

// loginRequest is the body of POST /api/v1/auth/login.
type loginRequest struct {
	Username string `json:"username" form:"username" label:"用户名" validate:"required,max=64"`
	Password string `json:"password" form:"password" label:"密码" validate:"required,max=200"`
	// DeviceToken is what an earlier login answered as device_token: a client that keeps it logs in
	// from a known device (app/login.go). Browsers keep it in a cookie instead.
	DeviceToken string `json:"device_token" form:"-" label:"设备令牌" validate:"max=200"`
}

type orgJSON struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	Kind     string `json:"kind"`
	KindName string `json:"kind_label"`
	ParentID *int64 `json:"parent_id"`
}

func toOrgJSON(o domain.Org) orgJSON {
	return orgJSON{ID: o.ID, Code: o.Code, Name: o.Name, Path: string(o.Path), Kind: string(o.Kind), KindName: o.Kind.Label(), ParentID: o.ParentID}
}

type grantJSON struct {
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	OrgID     int64  `json:"org_id"`
	Path      string `json:"path"`
}

type userJSON struct {
	ID       int64       `json:"id"`
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Org      orgJSON     `json:"org"`
	Roles    []string    `json:"roles"`
	Grants   []grantJSON `json:"grants"`
}

func toUserJSON(a domain.Actor) userJSON {
	u := userJSON{ID: a.UserID, Username: a.Username, Name: a.Name, Org: toOrgJSON(a.Org), Roles: []string{}, Grants: []grantJSON{}}
	for _, r := range a.Roles() {
		u.Roles = append(u.Roles, string(r))
	}
	for _, g := range a.Grants {
		u.Grants = append(u.Grants, grantJSON{Role: string(g.Role), RoleLabel: g.Role.Label(), OrgID: g.OrgID, Path: string(g.Path)})
	}
	return u
}

func (s *Server) apiLogin(c echo.Context) error {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.app.Login(c.Request().Context(), app.LoginInput{Username: req.Username, Password: req.Password, Addr: clientAddr(c),
		Device: req.DeviceToken, Kind: app.SessionAPI})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"token": res.Token, "expires_at": res.Session.ExpiresAt.UTC().Format(time.RFC3339), "user": toUserJSON(res.Actor),
		"device_token": res.Device,
	})
}

func (s *Server) apiLogout(c echo.Context) error {
	a, _ := actorOf(c)
	tok, _ := c.Get(tokenKey).(string)
	if err := s.app.Logout(c.Request().Context(), a, tok); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiMe(c echo.Context) error {
	a, _ := actorOf(c)
	return c.JSON(http.StatusOK, toUserJSON(a))
}

func byteSize(n int64) string { return fmt.Sprintf("%dK", (n+1023)/1024) }

func fmtAny(v any) string { return fmt.Sprint(v) }
