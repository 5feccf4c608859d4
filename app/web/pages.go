package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

type loginPage struct {
	frame
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

// homePage is what needs the user now: work lists for each of the user's roles, counts and a chart
// of the cases in scope, and who the user is.
type homePage struct {
	frame
	Grants   []grantView
	Orgs     []orgView
	OrgCount int

	ReadsCases bool
	Stats      []statTile
	Groups     []workGroup
	Chart      string // JSON for the status chart (data-chart attribute)
	Admin      *adminSummary
}

func (homePage) template() string { return tmplHome }

type statTile struct {
	Label string
	Value int
	Href  string
	Tone  string // CSS tone: info, warn, danger, ok
}

// workGroup is one list of things waiting for the user.
type workGroup struct {
	Title, Hint, Empty string
	MoreHref           string
	Total              int
	Neutral            bool // a list to browse, not things waiting: its count is not highlighted
	Items              []workItem
}

type workItem struct {
	Href, Number, Title, Org string
	Status, StatusLabel      string
	Note                     string
	Urgent                   bool
}

type adminSummary struct {
	Users, Orgs int
	ByRole      []statTile
}

// workListCap is how many items a work list shows; the rest are one click away in the case list.
const workListCap = 8

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
	return s.render(c, http.StatusOK, loginPage{frame: s.frame(c, "登录"), Next: safeNext(c.QueryParam("next"))})
}

func (s *Server) loginSubmit(c echo.Context) error {
	var req loginRequest
	p := loginPage{frame: s.frame(c, "登录"), Next: safeNext(c.FormValue("next"))}
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
	ctx := c.Request().Context()
	orgs, err := s.app.ListOrgs(ctx, a)
	if err != nil {
		return err
	}
	p := homePage{frame: s.frame(c, "首页"), OrgCount: len(orgs)}
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
	if s.app.MayAnywhere(a, "case", "read") {
		p.ReadsCases = true
		if err := s.homeCases(ctx, a, &p); err != nil {
			return err
		}
	}
	if s.app.MayAnywhere(a, "user", "create") {
		users, err := s.app.ListUsersWithGrants(ctx, a)
		if err != nil {
			return err
		}
		sum := &adminSummary{Users: len(users), Orgs: len(orgs)}
		count := map[domain.Role]int{}
		for _, u := range users {
			for _, g := range u.Grants {
				count[g.Role]++
			}
		}
		for _, r := range domain.Roles {
			sum.ByRole = append(sum.ByRole, statTile{Label: r.Label(), Value: count[r], Href: "/admin/users", Tone: "info"})
		}
		p.Admin = sum
		p.Chart = roleChart(sum.ByRole)
	}
	return s.render(c, http.StatusOK, p)
}

// homeCases fills the counts, the chart and the work lists of a user who reads cases.
func (s *Server) homeCases(ctx context.Context, a domain.Actor, p *homePage) error {
	count := func(f domain.CaseFilter) (int, error) {
		f.PerPage = 1
		_, n, err := s.app.ListCases(ctx, a, f)
		return n, err
	}
	byStatus := map[domain.Status]int{}
	total, active := 0, 0
	for _, st := range domain.Statuses {
		n, err := count(domain.CaseFilter{Status: st})
		if err != nil {
			return err
		}
		byStatus[st] = n
		total += n
		if !st.Final() {
			active += n
		}
	}
	overdue, err := count(domain.CaseFilter{Overdue: true})
	if err != nil {
		return err
	}
	p.Stats = []statTile{
		{Label: "案件总数", Value: total, Href: "/cases", Tone: "info"},
		{Label: "办理中", Value: active, Href: "/cases", Tone: "info"},
		{Label: "逾期未整改", Value: overdue, Href: "/cases?overdue=true", Tone: tone(overdue > 0, "danger", "ok")},
		{Label: "已办结", Value: byStatus[domain.StatusClosed], Href: "/cases?status=closed", Tone: "ok"},
	}
	p.Chart = statusChart(byStatus)

	has := func(v app.CaseView, acts ...domain.Action) bool {
		for _, x := range v.Allowed {
			for _, want := range acts {
				if x == want {
					return true
				}
			}
		}
		return false
	}
	if a.Has(domain.RoleSupervisor) {
		var drafts []app.CaseView
		for _, st := range []domain.Status{domain.StatusPlanned, domain.StatusInspecting} {
			vs, err := s.worklist(ctx, a, domain.CaseFilter{Status: st, InspectorID: a.UserID}, nil)
			if err != nil {
				return err
			}
			drafts = append(drafts, vs...)
		}
		p.Groups = append(p.Groups, s.caseGroup("我负责的督导", "计划中和督导中、由您担任督学的案件：开始督导、记录问题、反馈初步意见。",
			"暂无由您负责的在办督导。", "/cases?status=inspecting", drafts, func(v app.CaseView) (string, bool) {
				if v.Case.Status == domain.StatusPlanned {
					if v.Case.PlannedOn != "" {
						return "计划于 " + string(v.Case.PlannedOn) + " 开始", false
					}
					return "尚未开始", false
				}
				return fmt.Sprintf("已记录 %d 个问题", len(v.Case.Findings)), false
			}))
		ready, err := s.worklist(ctx, a, domain.CaseFilter{Status: domain.StatusFeedback}, func(v app.CaseView) bool { return has(v, domain.ActSubmitForReview) })
		if err != nil {
			return err
		}
		if len(ready) > 0 {
			p.Groups = append(p.Groups, s.caseGroup("可提交审核的报告", "申辩期已结束或被督导单位已确认，可提交主任审核。", "", "/cases?status=feedback", ready,
				func(v app.CaseView) (string, bool) { return pendingNote(v.Case), v.Case.PendingObjections() > 0 }))
		}
		rechecks, err := s.worklist(ctx, a, domain.CaseFilter{Status: domain.StatusVerifying}, func(v app.CaseView) bool { return has(v, domain.ActRecheck) })
		if err != nil {
			return err
		}
		p.Groups = append(p.Groups, s.caseGroup("待复查的整改", "被督导单位已提交整改报告，请逐项复查。", "暂无待您复查的整改。", "/cases?status=verifying", rechecks,
			func(v app.CaseView) (string, bool) {
				n := 0
				for _, f := range v.Case.Findings {
					if f.Status == domain.FindingSubmitted {
						n++
					}
				}
				return fmt.Sprintf("%d 个问题待复查", n), false
			}))
	}
	if a.Has(domain.RoleDirector) {
		reviews, err := s.worklist(ctx, a, domain.CaseFilter{Status: domain.StatusReview}, func(v app.CaseView) bool { return has(v, domain.ActIssue, domain.ActReturn) })
		if err != nil {
			return err
		}
		p.Groups = append(p.Groups, s.caseGroup("待审核签发的报告", "督学已提交的督导报告：签发督导意见书或退回修改。", "暂无待审核的报告。", "/cases?status=review", reviews,
			func(v app.CaseView) (string, bool) {
				return fmt.Sprintf("%d 个问题", len(v.Case.Findings)) + pendingSuffix(v.Case), v.Case.PendingObjections() > 0
			}))
		var rulings []app.CaseView
		for _, st := range []domain.Status{domain.StatusFeedback, domain.StatusReview} {
			vs, err := s.worklist(ctx, a, domain.CaseFilter{Status: st}, func(v app.CaseView) bool {
				return v.Case.PendingObjections() > 0 && s.app.Abilities(a, v.Case).RuleObjections
			})
			if err != nil {
				return err
			}
			rulings = append(rulings, vs...)
		}
		p.Groups = append(p.Groups, s.caseGroup("待裁定的申辩", "被督导单位对初步督导意见提出的申辩，须在签发前裁定。", "暂无待裁定的申辩。", "/cases?status=feedback", rulings,
			func(v app.CaseView) (string, bool) { return pendingNote(v.Case), true }))
	}
	if a.Has(domain.RoleSchool) || a.Has(domain.RoleDistrictOffice) {
		opinions, err := s.worklist(ctx, a, domain.CaseFilter{Status: domain.StatusFeedback}, func(v app.CaseView) bool {
			return has(v, domain.ActAcknowledge) || s.app.Abilities(a, v.Case).FileObjection
		})
		if err != nil {
			return err
		}
		p.Groups = append(p.Groups, s.caseGroup("待确认的初步督导意见", "请在申辩期内确认初步督导意见，或对有异议的问题提出申辩。", "暂无待确认的初步督导意见。", "/cases?status=feedback", opinions,
			func(v app.CaseView) (string, bool) {
				if v.Case.ObjectionDeadline != nil {
					return "申辩期至 " + lastDay(*v.Case.ObjectionDeadline), true
				}
				return "", false
			}))
		rect, err := s.worklist(ctx, a, domain.CaseFilter{Status: domain.StatusRectifying}, func(v app.CaseView) bool {
			return has(v, domain.ActSubmitRectification) || s.app.Abilities(a, v.Case).AddMeasures
		})
		if err != nil {
			return err
		}
		p.Groups = append(p.Groups, s.findingGroup(rect))
	}
	if a.Has(domain.RoleDistrictOffice) || a.Has(domain.RoleAuditor) {
		late, err := s.worklist(ctx, a, domain.CaseFilter{Overdue: true}, nil)
		if err != nil {
			return err
		}
		title, hint := "辖区内逾期未整改的案件", "超过整改期限仍未整改到位，请督促相关单位。"
		if a.Has(domain.RoleAuditor) {
			title, hint = "逾期未整改的案件", "超过整改期限仍未整改到位的案件。"
		}
		p.Groups = append(p.Groups, s.caseGroup(title, hint, "暂无逾期未整改的案件。", "/cases?overdue=true", late,
			func(v app.CaseView) (string, bool) { return overdueNote(v.Case, s.app.Now()), true }))
	}
	if a.Has(domain.RoleAuditor) {
		items, total, err := s.app.ListCases(ctx, a, domain.CaseFilter{PerPage: workListCap})
		if err != nil {
			return err
		}
		recent := make([]app.CaseView, len(items))
		for i := range items {
			recent[i] = app.CaseView{Case: &items[i]}
		}
		g := s.caseGroup("最近的案件", "管辖范围内最近立案的督导案件。", "暂无案件。", "/cases", recent,
			func(v app.CaseView) (string, bool) { return "立案于 " + cst(v.Case.CreatedAt), false })
		g.Total, g.Neutral = total, true
		p.Groups = append(p.Groups, g)
	}
	// What waits for the user comes first; empty lists stay, saying there is nothing to do.
	waiting := func(g workGroup) bool { return g.Total > 0 && !g.Neutral }
	sort.SliceStable(p.Groups, func(i, j int) bool { return waiting(p.Groups[i]) && !waiting(p.Groups[j]) })
	return nil
}

// worklist lists cases matching f with the user's allowed actions, keeping those keep accepts (all
// when nil). It looks at the first page only: a work list is a start, the case list has the rest.
func (s *Server) worklist(ctx context.Context, a domain.Actor, f domain.CaseFilter, keep func(app.CaseView) bool) ([]app.CaseView, error) {
	f.PerPage = 50
	items, _, err := s.app.ListCases(ctx, a, f)
	if err != nil {
		return nil, err
	}
	var out []app.CaseView
	for _, c := range items {
		v, err := s.app.GetCase(ctx, a, c.ID)
		if err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				continue
			}
			return nil, err
		}
		if keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (s *Server) caseGroup(title, hint, empty, more string, vs []app.CaseView, note func(app.CaseView) (string, bool)) workGroup {
	g := workGroup{Title: title, Hint: hint, Empty: empty, MoreHref: more, Total: len(vs)}
	for i, v := range vs {
		if i == workListCap {
			break
		}
		n, urgent := note(v)
		g.Items = append(g.Items, workItem{Href: caseHref(v.Case.ID), Number: v.Case.Number, Title: v.Case.Title, Org: v.Case.TargetOrg.Name,
			Status: string(v.Case.Status), StatusLabel: v.Case.Status.Label(), Note: n, Urgent: urgent})
	}
	return g
}

// findingGroup lists the findings the user's own org has to rectify, most urgent first.
func (s *Server) findingGroup(vs []app.CaseView) workGroup {
	g := workGroup{Title: "待整改的问题", Hint: "督导意见书要求整改的问题：填报整改措施、上传佐证材料，全部完成后提交整改报告。",
		Empty: "暂无待整改的问题。", MoreHref: "/cases?status=rectifying"}
	today := domain.DateOf(s.app.Now())
	type item struct {
		w   workItem
		due domain.Date
	}
	var items []item
	for _, v := range vs {
		for _, f := range v.Case.Findings {
			if !f.Status.ToRectify() {
				continue
			}
			w := workItem{Href: caseHref(v.Case.ID) + "/rectification", Number: v.Case.Number, Title: f.Title, Org: v.Case.Title,
				Status: string(v.Case.Status), StatusLabel: f.Status.Label()}
			w.Note, w.Urgent = dueNote(f.DueOn, today)
			items = append(items, item{w, f.DueOn})
		}
	}
	for i := 1; i < len(items); i++ { // by due date, undated last; the lists are short
		for j := i; j > 0 && lessDue(items[j].due, items[j-1].due); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
	g.Total = len(items)
	for i, it := range items {
		if i == workListCap {
			break
		}
		g.Items = append(g.Items, it.w)
	}
	return g
}

func lessDue(a, b domain.Date) bool {
	if a == "" {
		return false
	}
	return b == "" || a.Before(b)
}

// dueNote says how a due date stands today, and whether it is urgent (overdue or within 3 days).
func dueNote(due, today domain.Date) (string, bool) {
	if due == "" {
		return "未设整改期限", false
	}
	switch d := today.DaysUntil(due); {
	case d < 0:
		return fmt.Sprintf("已逾期 %d 天（期限 %s）", -d, due), true
	case d == 0:
		return "今天到期", true
	case d <= 3:
		return fmt.Sprintf("%d 天后到期（%s）", d, due), true
	default:
		return fmt.Sprintf("整改期限 %s，剩余 %d 天", due, d), false
	}
}

// overdueNote names how many findings of c are overdue and by how long the oldest is.
func overdueNote(c *domain.Case, now time.Time) string {
	today := domain.DateOf(now)
	n, worst := 0, 0
	for _, f := range c.Findings {
		if f.Status.ToRectify() && f.DueOn != "" && f.DueOn.Before(today) {
			n++
			worst = max(worst, f.DueOn.DaysUntil(today))
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d 个问题逾期，最久 %d 天", n, worst)
}

func pendingNote(c *domain.Case) string {
	if n := c.PendingObjections(); n > 0 {
		return fmt.Sprintf("%d 项申辩待裁定", n)
	}
	if c.Acknowledged {
		return "被督导单位已确认"
	}
	return "申辩期已结束"
}

func pendingSuffix(c *domain.Case) string {
	if n := c.PendingObjections(); n > 0 {
		return fmt.Sprintf("，%d 项申辩待裁定", n)
	}
	return ""
}

// lastDay is the last day of a window that closes at deadline (the midnight after it).
func lastDay(deadline time.Time) string {
	return string(domain.DateOf(deadline.Add(-time.Nanosecond)))
}

func tone(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func caseHref(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// statusColors are the status colours of the badges (app.css) and of the chart, kept in step.
var statusColors = map[domain.Status]string{
	domain.StatusPlanned:    "#6b7a90",
	domain.StatusInspecting: "#1f6feb",
	domain.StatusFeedback:   "#b7791f",
	domain.StatusReview:     "#7048e8",
	domain.StatusRectifying: "#d9480f",
	domain.StatusVerifying:  "#0c8599",
	domain.StatusClosed:     "#2b8a3e",
	domain.StatusCancelled:  "#9aa5b1",
}

// chartData is what the static script draws: one bar per item, each a link.
type chartData struct {
	Title string      `json:"title"`
	Items []chartItem `json:"items"`
}

type chartItem struct {
	Name  string `json:"name"`
	Value int    `json:"value"`
	Color string `json:"color"`
	Href  string `json:"href"`
}

func statusChart(by map[domain.Status]int) string {
	d := chartData{Title: "管辖范围内案件状态分布"}
	for _, st := range domain.Statuses {
		d.Items = append(d.Items, chartItem{Name: st.Label(), Value: by[st], Color: statusColors[st], Href: "/cases?status=" + string(st)})
	}
	b, _ := json.Marshal(d)
	return string(b)
}

func roleChart(tiles []statTile) string {
	d := chartData{Title: "各角色授权数"}
	for _, t := range tiles {
		d.Items = append(d.Items, chartItem{Name: t.Label, Value: t.Value, Color: "#1f6feb", Href: t.Href})
	}
	b, _ := json.Marshal(d)
	return string(b)
}
