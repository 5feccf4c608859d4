package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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
	Monitor    *monitorHome // monitoring: indicators behind their trajectory, what to enter next
	// Issue 12: the admin is warned before the holiday calendar runs out (SPEC §2.3); the monitor role
	// reads 评估监测 cases only.
	CalendarWarning string
	MonitoringCases bool
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
	Badge                    string // the badge's class when not a case status (st-…)
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
	device := ""
	if ck, err := c.Cookie(deviceCookie); err == nil {
		device = ck.Value
	}
	res, err := s.app.Login(c.Request().Context(), app.LoginInput{Username: req.Username, Password: req.Password, Addr: clientAddr(c),
		Device: device, Kind: app.SessionWeb})
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
	s.setDeviceCookie(c, res.Device)
	s.setCSRFCookie(c, s.mac("csrf", res.Token)) // the form token of the new session; the old one is dead
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
	ov, err := s.app.OrgOverview(ctx, a)
	if err != nil {
		return err
	}
	orgs := ov.Top
	// A director's work is read once: its lists for the page, its counts for the menu's badges.
	var work app.DirectorWork
	if a.Has(domain.RoleDirector) {
		if work, err = s.app.DirectorWork(ctx, a, workListCap); err != nil {
			return err
		}
		withDirectorWork(c, work)
	}
	p := homePage{frame: s.frame(c, "首页"), OrgCount: ov.Count}
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
		if n == "" && g.OrgID == a.Org.ID {
			n = a.Org.Name
		}
		if n == "" { // a grant below the top of the tree: its org by name, never its internal path
			if o, err := s.app.GetOrg(ctx, a, g.OrgID); err == nil {
				n = o.Name
			} else {
				n = "（机构）"
			}
		}
		p.Grants = append(p.Grants, grantView{RoleLabel: g.Role.Label(), OrgName: n})
	}
	if s.app.MayAnywhere(a, "case", "read") {
		p.ReadsCases = true
		if err := s.homeCases(ctx, a, &p); err != nil {
			return err
		}
	}
	if a.Has(domain.RoleDirector) {
		s.homeDirector(work, &p)
	}
	if err := s.homeMonitoring(ctx, a, &p); err != nil { // monitoring (monitoring.go)
		return err
	}
	if s.app.MayAnywhere(a, "user", "create") {
		users, err := s.app.ListUsersWithGrants(ctx, a)
		if err != nil {
			return err
		}
		sum := &adminSummary{Users: len(users), Orgs: ov.Count}
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
		if msg, ok := s.app.CalendarWarning(); ok {
			p.CalendarWarning = msg
		}
	}
	p.MonitoringCases = !p.ReadsCases && s.app.MayReadCases(a)
	return s.render(c, http.StatusOK, p)
}

// homeCases fills the counts, the chart and the work lists of a user who reads cases: the
// dashboard use case reads them, this says them in words.
func (s *Server) homeCases(ctx context.Context, a domain.Actor, p *homePage) error {
	d, err := s.app.Dashboard(ctx, a)
	if err != nil {
		return err
	}
	total, active := 0, 0
	for _, st := range domain.Statuses {
		total += d.ByStatus[st]
		if !st.Final() {
			active += d.ByStatus[st]
		}
	}
	p.Stats = []statTile{
		{Label: "案件总数", Value: total, Href: "/cases", Tone: "info"},
		{Label: "办理中", Value: active, Href: "/cases", Tone: "info"},
		{Label: "逾期未整改", Value: d.Overdue, Href: "/cases?overdue=true", Tone: tone(d.Overdue > 0, "danger", "ok")},
		{Label: "已办结", Value: d.ByStatus[domain.StatusClosed], Href: "/cases?status=closed", Tone: "ok"},
	}
	p.Chart = statusChart(d.ByStatus)
	today := s.app.Today()
	for _, l := range d.Lists {
		switch l.Kind {
		case app.WorkMine:
			p.Groups = append(p.Groups, caseGroup("我负责的督导", "计划中和督导中、由您担任督学的案件：开始督导、记录问题、反馈初步意见。",
				"暂无由您负责的在办督导。", "/cases?status=inspecting", l, func(w app.WorkCase) (string, bool) {
					if w.Status == domain.StatusPlanned {
						if w.PlannedOn != "" {
							return "计划于 " + string(w.PlannedOn) + " 开始", false
						}
						return "尚未开始", false
					}
					return fmt.Sprintf("已记录 %d 个问题", w.FindingCount), false
				}))
		case app.WorkReady:
			if l.Total > 0 {
				p.Groups = append(p.Groups, caseGroup("可提交审核的报告", "申辩期已结束或被督导单位已确认，可提交主任审核。", "", "/cases?status=feedback", l,
					func(w app.WorkCase) (string, bool) { return pendingNote(w), w.PendingObjectionCount > 0 }))
			}
		case app.WorkRechecks:
			p.Groups = append(p.Groups, caseGroup("待复查的整改", "被督导单位已提交整改报告，请逐项复查。", "暂无待您复查的整改。", "/cases?status=verifying", l,
				func(w app.WorkCase) (string, bool) {
					return fmt.Sprintf("%d 个问题待复查", w.SubmittedCount), false
				}))
		case app.WorkReviews:
			p.Groups = append(p.Groups, caseGroup("待审核签发的报告", "督学已提交的督导报告：签发督导意见书或退回修改。", "暂无待审核的报告。", "/cases?status=review", l,
				func(w app.WorkCase) (string, bool) {
					return fmt.Sprintf("%d 个问题", w.FindingCount) + pendingSuffix(w), w.PendingObjectionCount > 0
				}))
		case app.WorkRulings:
			p.Groups = append(p.Groups, caseGroup("待裁定的申辩", "被督导单位对初步督导意见提出的申辩，须在签发前裁定。", "暂无待裁定的申辩。", "/cases?status=feedback", l,
				func(w app.WorkCase) (string, bool) { return pendingNote(w), true }))
		case app.WorkOpinions:
			p.Groups = append(p.Groups, caseGroup("待确认的初步督导意见", "请在申辩期内确认初步督导意见，或对有异议的问题提出申辩。", "暂无待确认的初步督导意见。", "/cases?status=feedback", l,
				func(w app.WorkCase) (string, bool) {
					if w.ObjectionDeadline != nil {
						return "申辩期至 " + lastDay(*w.ObjectionDeadline), true
					}
					return "", false
				}))
		case app.WorkRectify:
			p.Groups = append(p.Groups, findingGroup(l, today, s.app.DueLabel))
		case app.WorkChase:
			g := findingGroup(l, today, s.app.DueLabel)
			g.Title, g.Hint, g.Empty = "辖区学校整改中的问题", "所辖学校正在整改的问题及其整改期限，请督促按期整改到位。", "所辖学校暂无整改中的问题。"
			for i, f := range l.Findings {
				if i < len(g.Items) {
					g.Items[i].Org = f.TargetName + " · " + f.CaseTitle
				}
			}
			p.Groups = append(p.Groups, g)
		case app.WorkOverdue:
			title, hint := "辖区内逾期未整改的案件", "超过整改期限仍未整改到位，请督促相关单位。"
			if a.Has(domain.RoleAuditor) {
				title, hint = "逾期未整改的案件", "超过整改期限仍未整改到位的案件。"
			}
			p.Groups = append(p.Groups, caseGroup(title, hint, "暂无逾期未整改的案件。", "/cases?overdue=true", l,
				func(w app.WorkCase) (string, bool) { return overdueNote(w, today), true }))
		case app.WorkRecent:
			g := caseGroup("最近的案件", "管辖范围内最近立案的督导案件。", "暂无案件。", "/cases", l,
				func(w app.WorkCase) (string, bool) { return "立案于 " + cst(w.CreatedAt), false })
			g.Neutral = true
			p.Groups = append(p.Groups, g)
		}
	}
	// What waits for the user comes first; empty lists stay, saying there is nothing to do.
	waiting := func(g workGroup) bool { return g.Total > 0 && !g.Neutral }
	sort.SliceStable(p.Groups, func(i, j int) bool { return waiting(p.Groups[i]) && !waiting(p.Groups[j]) })
	return nil
}

// homeDirector adds what waits for a director beyond the case lists: the 问责 steps of the offices
// they head and the 复查/复核 requests to decide, first among the lists when there are any.
func (s *Server) homeDirector(w app.DirectorWork, p *homePage) {
	now := s.app.Now()
	acc := workGroup{Title: "待处理的问责事项", Hint: "问责建议待书面告知、陈述申辩后待作出决定、问责决定待公开。",
		Empty: "暂无待您处理的问责事项。", MoreHref: "/accountability", Total: w.Acc.Total()}
	for _, r := range w.AccItems {
		step, _ := r.AwaitsDirector(now)
		note := map[domain.AccAction]string{domain.AccNotice: "待书面告知", domain.AccPublish: "待公开问责决定"}[step]
		if step == domain.AccDecide {
			note = "陈述申辩期已满，待作出决定"
			if r.StatementAt != nil {
				note = "已陈述申辩，待作出决定"
			}
		}
		acc.Items = append(acc.Items, workItem{Href: "/accountability/" + strconv.FormatInt(r.ID, 10), Number: r.CaseNumber,
			Title: r.Trigger.Label(), Org: r.TargetOrg.Name + personSuffix(r.PersonName), Status: string(r.Status),
			StatusLabel: r.Status.Label(), Badge: "acc-" + string(r.Status), Note: note, Urgent: step == domain.AccDecide})
	}
	rev := workGroup{Title: "待决定的复查、复核申请", Hint: "被督导单位对督导意见书申请复查或复核，须在期限内作出决定。",
		Empty: "暂无待决定的复查、复核申请。", MoreHref: "/cases?status=rectifying", Total: w.Reviews}
	today := s.app.Today()
	for _, q := range w.ReviewItems {
		n, urgent := dueNote(q.DecideBy, today)
		n = strings.Replace(strings.Replace(n, "整改期限", "决定期限", 1), "（期限", "（决定期限", 1)
		rev.Items = append(rev.Items, workItem{Href: caseHref(q.CaseID), Number: q.CaseNumber, Title: q.Kind.Label() + "申请",
			Org: q.TargetOrg.Name, StatusLabel: "待决定", Badge: "st-review", Note: n, Urgent: urgent})
	}
	// Waiting lists first (homeCases sorted its own the same way).
	p.Groups = append([]workGroup{acc, rev}, p.Groups...)
	waiting := func(g workGroup) bool { return g.Total > 0 && !g.Neutral }
	sort.SliceStable(p.Groups, func(i, j int) bool { return waiting(p.Groups[i]) && !waiting(p.Groups[j]) })
}

func personSuffix(name string) string {
	if name == "" {
		return ""
	}
	return " " + name
}

func caseGroup(title, hint, empty, more string, l app.WorkList, note func(app.WorkCase) (string, bool)) workGroup {
	g := workGroup{Title: title, Hint: hint, Empty: empty, MoreHref: more, Total: l.Total}
	for i, w := range l.Cases {
		if i == workListCap {
			break
		}
		n, urgent := note(w)
		g.Items = append(g.Items, workItem{Href: caseHref(w.ID), Number: w.Number, Title: w.Title, Org: w.TargetOrg.Name,
			Status: string(w.Status), StatusLabel: w.Status.Label(), Note: n, Urgent: urgent})
	}
	return g
}

// findingGroup lists the findings the user's own org has to rectify, most urgent first.
// label prints a due date, marked （估算） past the holiday calendar's end (issue 12).
func findingGroup(l app.WorkList, today domain.Date, label func(domain.Date) string) workGroup {
	g := workGroup{Title: "待整改的问题", Hint: "督导意见书要求整改的问题：填报整改措施、上传佐证材料，全部完成后提交整改报告。",
		Empty: "暂无待整改的问题。", MoreHref: "/cases?status=rectifying", Total: l.Total}
	for i, f := range l.Findings {
		if i == workListCap {
			break
		}
		w := workItem{Href: caseHref(f.CaseID) + "/rectification", Number: f.CaseNumber, Title: f.Title, Org: f.CaseTitle,
			Status: string(domain.StatusRectifying), StatusLabel: f.Status.Label()}
		w.Note, w.Urgent = dueNote(f.DueOn, today)
		if f.DueOn != "" {
			w.Note = strings.Replace(w.Note, string(f.DueOn), label(f.DueOn), 1)
		}
		g.Items = append(g.Items, w)
	}
	return g
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

// overdueNote names how many findings of a case are overdue and by how long the oldest is.
func overdueNote(w app.WorkCase, today domain.Date) string {
	if w.OverdueCount == 0 {
		return ""
	}
	return fmt.Sprintf("%d 个问题逾期，最久 %d 天", w.OverdueCount, w.OldestOverdue.DaysUntil(today))
}

func pendingNote(w app.WorkCase) string {
	if w.PendingObjectionCount > 0 {
		return fmt.Sprintf("%d 项申辩待裁定", w.PendingObjectionCount)
	}
	if w.Acknowledged {
		return "被督导单位已确认"
	}
	return "申辩期已结束"
}

func pendingSuffix(w app.WorkCase) string {
	if w.PendingObjectionCount > 0 {
		return fmt.Sprintf("，%d 项申辩待裁定", w.PendingObjectionCount)
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

// pageWrite runs a form's write for any page (问责, the registry, draws, tasks …): on success back to
// where it leads with a message; a refused form shows the page again with the user's input and the
// messages; 403 and 409 show it with an alert. verr is the form's binding error, if any: write is not
// called then.
func (s *Server) pageWrite(c echo.Context, formID string, values url.Values, verr error, again func(uiForm, string, int) error, write func() (string, string, error)) error {
	err := verr // the form's own field errors: nothing is written
	var to, msg string
	if err == nil {
		to, msg, err = write()
	}
	if err == nil {
		return s.redirectWith(c, to, true, msg)
	}
	if f, ok := refusedForm(formID, values, err); ok {
		return again(f, "", http.StatusUnprocessableEntity)
	}
	if alert, status, ok := alertFor(err); ok {
		return again(uiForm{}, alert, status)
	}
	return err
}
