package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// frame is what the UI's own pages share beyond Base: the navigation for the user's roles and the
// message left by the previous request (flash) or by a refused write (alert).
type frame struct {
	Base
	Nav   []navLink
	Flash *flashMsg
	Alert string
}

// uiFrame lets the layout find the frame of any page that has one (templateFuncs' frameOf).
func (f frame) uiFrame() *frame { return &f }

type navLink struct {
	Href, Label string
	Active      bool
	Count       int // things waiting there for the user (a director's 问责 steps, 复查/复核 decisions)
}

type flashMsg struct {
	OK   bool
	Text string
}

// frame builds the frame for a page of the signed-in user, taking the flash message.
func (s *Server) frame(c echo.Context, title string) frame {
	f := frame{Base: s.base(c, title), Flash: s.takeFlash(c)}
	if a, ok := actorOf(c); ok {
		f.Nav = s.navFor(c.Request().Context(), a, c.Request().URL.Path)
	}
	return f
}

type directorWorkKey struct{}

// withDirectorWork hands the director's work a page has read to the menu, whose badges then count
// nothing again (the pending 问责 count reads every open record of the scope).
func withDirectorWork(c echo.Context, w app.DirectorWork) {
	c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), directorWorkKey{}, w)))
}

// navFor lists the sections a user may use; the other engineers' pages are linked for the roles that
// read them (the pages check again).
func (s *Server) navFor(ctx context.Context, a domain.Actor, path string) []navLink {
	var out []navLink
	add := func(href, label string, active bool) {
		out = append(out, navLink{Href: href, Label: label, Active: active})
	}
	// A director's badges: two counts over the open records only (app.DirectorWork); a failure
	// leaves the menu without them rather than failing the page.
	work, read := ctx.Value(directorWorkKey{}).(app.DirectorWork)
	if !read && a.Has(domain.RoleDirector) {
		work, _ = s.app.DirectorWork(ctx, a, 0)
	}
	badge := func(n int) {
		out[len(out)-1].Count = n
	}
	add("/", "首页", path == "/")
	if s.app.MayAnywhere(a, "case", "read") {
		add("/cases", "督导案件", strings.HasPrefix(path, "/cases") && path != "/cases/new")
		badge(work.Reviews)
	} else if s.app.MayReadCases(a) { // the monitor role: 评估监测 cases only (issue 12)
		add("/cases?type=monitoring", "评估监测案件", strings.HasPrefix(path, "/cases"))
	}
	if s.app.MayOpenCases(a) {
		add("/cases/new", "新建案件", path == "/cases/new")
	}
	add("/notifications", "消息通知", strings.HasPrefix(path, "/notifications"))
	if a.Has(domain.RoleDirector) || a.Has(domain.RoleSupervisor) || a.Has(domain.RoleAuditor) || s.app.MayAnywhere(a, "accountability", "read") {
		add("/accountability", "问责与激励", strings.HasPrefix(path, "/accountability"))
		badge(work.Acc.Total())
	}
	if s.app.MayAnywhere(a, "report", "read") {
		add("/reports/accountability", "问责报告", strings.HasPrefix(path, "/reports"))
	}
	// inspector registry, 挂牌, plans, draws and coverage (issue 10)
	if s.app.MayAnywhere(a, "inspector", "read") {
		add("/inspectors", "督学名录", strings.HasPrefix(path, "/inspectors"))
	}
	if s.app.MayAnywhere(a, "assignment", "read") {
		add("/assignments", "责任督学挂牌", strings.HasPrefix(path, "/assignments"))
		add("/coverage", "覆盖情况", strings.HasPrefix(path, "/coverage"))
	}
	if s.app.MayAnywhere(a, "plan", "read") {
		add("/plans", "督导计划", strings.HasPrefix(path, "/plans"))
	}
	if s.app.MayAnywhere(a, "draw", "read") {
		add("/draws", "双随机抽取", strings.HasPrefix(path, "/draws"))
	}
	// Frameworks, monitoring and the 督办 ledger.
	if s.app.MayAnywhere(a, "monitoring", "read") {
		add("/monitoring", "评估监测", strings.HasPrefix(path, "/monitoring"))
	}
	if s.app.MayAnywhere(a, "task", "read") {
		add("/tasks", "督办台账", strings.HasPrefix(path, "/tasks"))
	}
	if s.app.MayAnywhere(a, "framework", "read") {
		add("/frameworks", "评估指标体系", strings.HasPrefix(path, "/frameworks"))
	}
	if s.app.MayAnywhere(a, "audit", "read") {
		add("/audit", "审计日志", path == "/audit")
	}
	if s.app.MayAnywhere(a, "org", "create") {
		add("/admin/orgs", "机构管理", path == "/admin/orgs")
	}
	if s.app.MayAnywhere(a, "user", "create") {
		add("/admin/users", "用户与授权", path == "/admin/users")
	}
	return out
}

// uiNav answers the navigation alone, for pages rendered without a frame (they load it with htmx).
func (s *Server) uiNav(c echo.Context) error {
	a, _ := actorOf(c)
	path := ""
	if p := c.QueryParam("path"); p != "" {
		path = safeNext(p)
	}
	return s.renderFragment(c, http.StatusOK, tmplHome, "nav", frame{Base: s.base(c, ""), Nav: s.navFor(c.Request().Context(), a, path)})
}

// renderFragment executes one named template of a page's set, for htmx requests.
func (s *Server) renderFragment(c echo.Context, status int, set, name string, data any) error {
	t, ok := s.tmpl.sets[set]
	if !ok {
		return fmt.Errorf("web: no template %s", set)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("web: render %s/%s: %w", set, name, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

const flashCookie = "dudao_flash"

// setFlash leaves a message for the page the browser is redirected to (post/redirect/get).
func (s *Server) setFlash(c echo.Context, ok bool, text string) {
	kind := "e"
	if ok {
		kind = "k"
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: s.signFlash([]byte(kind + text)), Path: "/",
		MaxAge: 120, HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
}

// takeFlash reads and clears the message; the text is the server's own (signed) but is escaped like any other.
func (s *Server) takeFlash(c echo.Context) *flashMsg {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
	b, ok := s.openFlash(ck.Value) // unsigned or altered: not ours, not shown
	if !ok || len(b) < 2 || len(b) > 2000 || !utf8.Valid(b) {
		return nil
	}
	return &flashMsg{OK: b[0] == 'k', Text: string(b[1:])}
}

// redirectWith sends the browser to a page with a message.
func (s *Server) redirectWith(c echo.Context, to string, ok bool, text string) error {
	s.setFlash(c, ok, text)
	return c.Redirect(http.StatusSeeOther, to)
}

// uiForm is the state of the one form on a page that was just refused: what the user typed, the
// message for each field and the message for the form. ID says which form it was, since a page
// holds several (a measure form per finding, a ruling per objection).
type uiForm struct {
	ID      string
	Values  url.Values
	Errors  map[string]string
	Message string
}

// Is reports whether the refused form is id.
func (f uiForm) Is(id string) bool { return f.ID != "" && f.ID == id }

// Val is what the user typed in field name of form id, "" for any other form.
func (f uiForm) Val(id, name string) string {
	if !f.Is(id) {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether the user chose value in field name of form id (checkboxes, multiple selects).
func (f uiForm) Has(id, name, value string) bool {
	if !f.Is(id) {
		return false
	}
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Err is the message for field name of form id.
func (f uiForm) Err(id, name string) string {
	if !f.Is(id) {
		return ""
	}
	return f.Errors[name]
}

// Msg is the form's own message, followed by the messages of fields the form does not show.
func (f uiForm) Msg(id string, shown ...string) []string {
	if !f.Is(id) {
		return nil
	}
	var out []string
	if f.Message != "" {
		out = append(out, f.Message)
	}
	keys := make([]string, 0, len(f.Errors))
	for k := range f.Errors {
		if !contains(shown, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, f.Errors[k])
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// refusedForm turns a refused write into the form state to show again, when the refusal is about
// what the user entered (422). Anything else is not a form problem and is returned as is.
func refusedForm(id string, values url.Values, err error) (uiForm, bool) {
	de, ok := err.(*domain.Error)
	if !ok || de.Code != domain.EINVALID {
		return uiForm{}, false
	}
	f := uiForm{ID: id, Values: values, Errors: de.Fields, Message: de.Message}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	return f, true
}

// alertFor is the inline message for a refused write that the page can explain: not allowed (403)
// or no longer possible (409). Other errors go to the error page.
func alertFor(err error) (string, int, bool) {
	switch domain.ErrorCode(err) {
	case domain.EFORBIDDEN:
		return domain.ErrorMessage(err), http.StatusForbidden, true
	case domain.ECONFLICT:
		return domain.ErrorMessage(err), http.StatusConflict, true
	case domain.ETOOLARGE, domain.EUNSUPPORTED:
		return domain.ErrorMessage(err), statusOf[domain.ErrorCode(err)], true
	}
	return "", 0, false
}

// option is one choice of a select or radio group.
type option struct {
	Value, Label string
}

// cst formats an instant for people in Wuhai.
func cst(t time.Time) string { return t.In(domain.CST).Format("2006-01-02 15:04") }

func cstPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return cst(*t)
}

// humanSize is a file size for people.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}
