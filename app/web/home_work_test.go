package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dudao/app"
	"dudao/app/demo"
)

// navCount reads the badge of the menu item linking href ("" when none): the count of what waits there.
func navCount(t *testing.T, body, href string) int {
	t.Helper()
	nav := regexp.MustCompile(`(?s)<nav class="mainnav".*?</nav>`).FindString(body)
	if nav == "" {
		t.Fatalf("no menu on the page:\n%s", body)
	}
	m := regexp.MustCompile(`<a href="` + regexp.QuoteMeta(href) + `"[^>]*>[^<]*(?:<span class="count count-on"[^>]*>(\d+)</span>)?</a>`).FindStringSubmatch(nav)
	if m == nil {
		t.Fatalf("the menu has no link to %s:\n%s", href, nav)
	}
	if m[1] == "" {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// homeSection is the work list titled title on a home page ("" when the page has none).
func homeSection(body, title string) string {
	i := strings.Index(body, "<h2>"+title+" ")
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestHomeDirectorPending: a director's home lists the 问责 steps of the offices they head and the
// 复查 requests to decide, each a link, and the menu counts them; another director, a supervisor and
// the target do not see them.
func TestHomeDirectorPending(t *testing.T) {
	accEngines(t, func(t *testing.T, e *accEnv) {
		e.login(t, "city.supervisor", "city.director", "school.hbw1")
		home := func(b *browser) string { return uiHTML(t, b.get("/"), http.StatusOK) }
		dir, hbwDir, sup := e.accBrowser(t, "city.director"), e.accBrowser(t, "hbw.director"), e.accBrowser(t, "city.supervisor")
		base := navCount(t, home(dir), "/accountability")
		hbwBase := navCount(t, home(hbwDir), "/accountability")

		var a accJSON
		e.decode(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/accountability", map[string]any{"target_type": "unit",
			"target_org_id": e.org(t, "wuhai/hbw/s001/").ID, "trigger": "conduct", "facts": "违规组织有偿补课。"}, http.StatusCreated), &a)
		link := fmt.Sprintf(`href="/accountability/%d"`, a.ID)
		step := func(want string, count int) {
			t.Helper()
			body := home(dir)
			sec := homeSection(body, "待处理的问责事项")
			if want == "" {
				if strings.Contains(sec, link) {
					t.Errorf("the director's home lists record %d, which waits for nobody's step:\n%s", a.ID, sec)
				}
			} else if !strings.Contains(sec, link) || !strings.Contains(sec, want) {
				t.Errorf("the director's home lacks record %d with %q:\n%s", a.ID, want, sec)
			}
			if n := navCount(t, body, "/accountability"); n != count {
				t.Errorf("the director's menu counts %d 问责 steps, want %d", n, count)
			}
		}
		step("待书面告知", base+1)
		// Not a step of the 海勃湾区 office's director, nor a supervisor's.
		if body := home(hbwDir); strings.Contains(body, link) || navCount(t, body, "/accountability") != hbwBase {
			t.Errorf("hbw.director's home shows the city office's proposal %d", a.ID)
		}
		if body := home(sup); strings.Contains(body, "待处理的问责事项") || navCount(t, body, "/accountability") != 0 {
			t.Error("the supervisor's home lists a director's 问责 steps")
		}
		e.mustCall(t, "city.director", http.MethodPost, accPath(a.ID, "/actions/notice"), map[string]any{"notice_text": "拟予以通报批评。"}, http.StatusOK)
		step("", base) // the school's statement window is open: nothing for the director yet
		e.mustCall(t, "school.hbw1", http.MethodPost, accPath(a.ID, "/actions/statement"), map[string]any{"text": "已整改。"}, http.StatusOK)
		step("已陈述申辩，待作出决定", base+1)
		e.mustCall(t, "city.director", http.MethodPost, accPath(a.ID, "/actions/decide"), map[string]any{"situation": "情况", "facts": "事实",
			"legal_basis": "依据", "form": "约谈", "effective_on": string(e.clock.Today())}, http.StatusOK)
		step("待公开问责决定", base+1)
		e.mustCall(t, "city.director", http.MethodPost, accPath(a.ID, "/actions/publish"), map[string]any{}, http.StatusOK)
		step("", base)

		// A 复查 request goes to the office that issued the 意见书: 海勃湾区's director decides it.
		tg := caseMatrixTargets[1]
		b := e.build(t, tg, "rectifying")
		revBase := navCount(t, home(hbwDir), "/cases")
		cityRev := navCount(t, home(dir), "/cases")
		e.mustCall(t, "school.hbw2", http.MethodPost, casePath(b.id, "/reviews"), map[string]any{"kind": "review", "reason": "问题一已于督导前整改完毕。"}, http.StatusCreated)
		body := home(hbwDir)
		if sec := homeSection(body, "待决定的复查、复核申请"); !strings.Contains(sec, fmt.Sprintf(`href="/cases/%d"`, b.id)) || !strings.Contains(sec, "复查申请") {
			t.Errorf("hbw.director's home lacks the 复查 request of case %d:\n%s", b.id, sec)
		}
		if n := navCount(t, body, "/cases"); n != revBase+1 {
			t.Errorf("hbw.director's menu counts %d requests, want %d", n, revBase+1)
		}
		if body := home(dir); strings.Contains(homeSection(body, "待决定的复查、复核申请"), fmt.Sprintf(`href="/cases/%d"`, b.id)) || navCount(t, body, "/cases") != cityRev {
			t.Error("the city director is shown a 复查 the 海勃湾区 office decides")
		}
		// The district office chases that school's findings (on each engine: the list's query is its own).
		if sec := homeSection(home(e.accBrowser(t, "hbw.office")), "辖区学校整改中的问题"); !strings.Contains(sec, fmt.Sprintf(`href="/cases/%d/rectification"`, b.id)) {
			t.Errorf("hbw.office's chase list lacks case %d:\n%s", b.id, sec)
		}
	})
}

// TestHomeOfficeChases: a district office's home lists its schools' open findings in rectification
// with their deadlines — not only the overdue ones — and another district's office does not see them.
func TestHomeOfficeChases(t *testing.T) {
	e := newEnv(t, app.Options{})
	home := func(user string) string {
		b := e.browser(t)
		b.webLogin(user, demo.Password)
		return uiHTML(t, b.get("/"), http.StatusOK)
	}
	// The demo's 海勃湾区 school rectifies two findings, not yet overdue.
	sec := homeSection(home("hbw.office"), "辖区学校整改中的问题")
	uiWant(t, "hbw.office's chase list", sec, "消防通道堆放杂物", "应急疏散演练记录不全", "海勃湾区第一小学", "/rectification")
	if !strings.Contains(sec, "整改期限") && !strings.Contains(sec, "到期") && !strings.Contains(sec, "已逾期") {
		t.Errorf("the chase list names no deadline:\n%s", sec)
	}
	if sec := homeSection(home("wd.office"), "辖区学校整改中的问题"); sec == "" || strings.Contains(sec, "消防通道堆放杂物") {
		t.Errorf("wd.office's home: chase list %q, want one without 海勃湾区's findings", sec)
	}
	// The school rectifies its own: it has its own list, not the office's.
	if body := home("school.hbw1"); homeSection(body, "辖区学校整改中的问题") != "" || homeSection(body, "待整改的问题") == "" {
		t.Error("the school's home has the office's chase list, or lacks its own")
	}
}

// TestAuditPage: the audit log's page for those who read it — the chain's state, filters by date,
// actor and object type, keyset pages — and 403 for everyone else; the auditor's menu links it.
func TestAuditPage(t *testing.T) {
	e := newEnv(t, app.Options{})
	aud := e.browser(t)
	aud.webLogin("auditor", demo.Password)
	row := regexp.MustCompile(`(?s)<tr>\s*<td data-label="时间"[^>]*>([^<]*)</td>\s*<td data-label="操作人">([^<]*)</td>\s*<td data-label="操作">([^<]*)</td>\s*<td data-label="对象">([^<]*)</td>`)
	rows := func(body string) [][]string { return row.FindAllStringSubmatch(body, -1) }

	body := uiHTML(t, aud.get("/audit"), http.StatusOK)
	uiWant(t, "audit page", body, "审计链状态", "最新事件", `id="audit-events"`)
	if navCount(t, body, "/audit") != 0 { // present (navCount fails the test when the link is missing), no badge
		t.Error("the audit link has a badge")
	}
	all := rows(body)
	if len(all) == 0 || len(all) > 50 {
		t.Fatalf("the audit page lists %d events, want 1–50", len(all))
	}
	// Object type: the auditor's own login is a 用户 event; only those are listed.
	body = uiHTML(t, aud.get("/audit?type=user"), http.StatusOK)
	users := rows(body)
	if len(users) == 0 {
		t.Fatal("no 用户 events after a login")
	}
	for _, r := range users {
		if !strings.HasPrefix(r[4], "用户 #") {
			t.Errorf("type=user lists %q", r[4])
		}
	}
	uiWant(t, "audit actions", body, "登录")
	// Actor: only that person's events.
	name := users[0][2]
	for _, r := range rows(uiHTML(t, aud.get("/audit?actor="+url.QueryEscape(name)), http.StatusOK)) {
		if r[2] != name {
			t.Errorf("actor=%s lists an event of %q", name, r[2])
		}
	}
	// Dates: a range in the future holds nothing; today's holds the login.
	today := string(e.clock.Today())
	if got := rows(uiHTML(t, aud.get("/audit?from="+string(e.clock.Today().AddDays(1))), http.StatusOK)); len(got) != 0 {
		t.Errorf("events after today: %v", got)
	}
	if got := rows(uiHTML(t, aud.get("/audit?type=user&from="+today+"&to="+today), http.StatusOK)); len(got) == 0 {
		t.Error("no 用户 events today")
	}
	for _, bad := range []string{"from=2026-13-01", "to=x", "from=2026-05-02&to=2026-05-01", "type=bogus", "before=-1"} {
		r := aud.get("/audit?" + bad)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "form-alert") {
			t.Errorf("/audit?%s: %d, want 422 with the reason", bad, r.StatusCode)
		}
	}
	// Keyset pages: the next page holds older events only, with the filters kept.
	if m := regexp.MustCompile(`href="(/audit\?[^"]*before=\d+[^"]*)" rel="next"`).FindStringSubmatch(uiHTML(t, aud.get("/audit"), http.StatusOK)); m != nil {
		next := strings.ReplaceAll(m[1], "&amp;", "&")
		older := rows(uiHTML(t, aud.get(next), http.StatusOK))
		if len(older) == 0 || older[0][1] > all[len(all)-1][1] {
			t.Errorf("page 2 (%s) starts at %v, after page 1's last %v", next, older, all[len(all)-1])
		}
	} else if len(all) == 50 {
		t.Error("50 events and no link to older ones")
	}
	// Not for those who do not read the audit log; not in their menus.
	for _, u := range []string{"school.hbw1", "hbw.office", "monitor", "city.supervisor", "admin"} {
		b := e.browser(t)
		b.webLogin(u, demo.Password)
		if r := b.get("/audit"); r.StatusCode != http.StatusForbidden {
			t.Errorf("/audit as %s: %d, want 403", u, r.StatusCode)
		}
		if strings.Contains(string(b.get("/").Body), `href="/audit"`) {
			t.Errorf("%s's menu links the audit log", u)
		}
	}
}

// TestEveryRoleHome: for every demo user, the home page names no internal org path, and every link of
// the menu opens (no item that answers 403); the monitor's home shows its monitoring work and its menu
// no case list.
func TestEveryRoleHome(t *testing.T) {
	e := newEnv(t, app.Options{})
	users, _ := demoData(t)
	navLinks := regexp.MustCompile(`<a href="([^"]+)"`)
	for _, u := range users {
		t.Run(u.Username, func(t *testing.T) {
			b := e.browser(t)
			b.webLogin(u.Username, demo.Password)
			body := uiHTML(t, b.get("/"), http.StatusOK)
			if i := strings.Index(body, "wuhai/"); i >= 0 {
				t.Errorf("home of %s shows an internal path: …%s…", u.Username, body[max(0, i-60):min(len(body), i+40)])
			}
			nav := regexp.MustCompile(`(?s)<nav class="mainnav".*?</nav>`).FindString(body)
			for _, m := range navLinks.FindAllStringSubmatch(nav, -1) {
				href := strings.ReplaceAll(m[1], "&amp;", "&")
				if r := b.get(href); r.StatusCode != http.StatusOK {
					t.Errorf("%s's menu links %s, which answers %d", u.Username, href, r.StatusCode)
				}
			}
			if u.Role == "monitor" {
				uiNot(t, "monitor's menu", nav, `href="/cases"`, `href="/accountability"`)
				uiWant(t, "monitor's home", body, "评估监测工作", `href="/monitoring/report"`, `href="/monitoring"`)
			}
		})
	}
}

// TestNoRuleCodesInPages: the rule numbers of the project's rule list (R16, R38 …) are for its
// developers; the pages users read say the rule in words.
func TestNoRuleCodesInPages(t *testing.T) {
	e := newEnv(t, app.Options{})
	code := regexp.MustCompile(`(?:^|[^A-Za-z0-9_/.-])R\d{1,2}(?:[、，,：:）) ]|$)`)
	text := regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`)
	for _, c := range []struct {
		user  string
		pages []string
	}{
		{"city.director", []string{"/", "/cases/new", "/accountability", "/reports/accountability", "/inspectors", "/assignments", "/coverage", "/draws", "/plans", "/audit"}},
		{"city.supervisor", []string{"/", "/cases/new", "/accountability"}},
		{"school.hbw1", []string{"/", "/accountability", "/assignments"}},
	} {
		b := e.browser(t)
		b.webLogin(c.user, demo.Password)
		for _, p := range c.pages {
			body := uiHTML(t, b.get(p), http.StatusOK)
			if m := code.FindStringIndex(text.ReplaceAllString(body, " ")); m != nil {
				plain := text.ReplaceAllString(body, " ")
				t.Errorf("%s as %s shows a rule code: …%s…", p, c.user, plain[max(0, m[0]-60):min(len(plain), m[1]+30)])
			}
		}
	}
}

// TestPickers: the 问责 and 激励 forms pick a case by the number users know (not an internal id) and a
// unit from a list grouped by district, city-run schools in a group of their own; so do the other
// forms that pick a unit. A record proposed through the picker names that case.
func TestPickers(t *testing.T) {
	e := newEnv(t, app.Options{})
	b := e.browser(t)
	b.webLogin("city.supervisor", demo.Password)
	body := uiHTML(t, b.get("/accountability"), http.StatusOK)
	uiNot(t, "the 问责 forms", body, "系统内编号", `name="case_id" inputmode="numeric"`)
	groups := regexp.MustCompile(`<optgroup label="([^"]+)">(.*?)</optgroup>`)
	byGroup := map[string]string{}
	for _, m := range groups.FindAllStringSubmatch(body, -1) {
		byGroup[m[1]] += m[2]
	}
	if !strings.Contains(byGroup["海勃湾区"], "海勃湾区第一小学") || !strings.Contains(byGroup["乌达区"], "永昌小学") ||
		!strings.Contains(byGroup[cityRunGroupLabel], "乌海市第一中学") || strings.Contains(byGroup["海勃湾区"], "乌海市第一中学") {
		t.Errorf("unit groups: %v", byGroup)
	}
	// The case picker lists issued cases by number; proposing through it links the record to that case.
	m := regexp.MustCompile(`<select id="p-case" name="case_id">(?s:(.*?))</select>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no case picker on the 问责 form")
	}
	// A case and its target: the label ends with the target's name, which the unit picker offers.
	units := map[string]string{}
	for _, u := range regexp.MustCompile(`<option value="(\d+)">([^<]+)</option>`).FindAllStringSubmatch(strings.Join(slices.Collect(maps.Values(byGroup)), ""), -1) {
		units[u[2]] = u[1]
	}
	var caseID, number, orgID string
	for _, o := range regexp.MustCompile(`<option value="(\d+)">(乌[^ <]*〔\d{4}〕\d+号) ([^<]*)</option>`).FindAllStringSubmatch(m[1], -1) {
		for name, id := range units {
			if strings.HasSuffix(o[3], "（"+name+"）") {
				caseID, number, orgID = o[1], o[2], id
			}
		}
	}
	if caseID == "" {
		t.Fatalf("the case picker lists no case by its number with its target:\n%s", m[1])
	}
	page := uiFollow(t, b, "/accountability", url.Values{"target_type": {"unit"}, "target_org_id": {orgID},
		"case_id": {caseID}, "trigger": {"conduct"}, "facts": {"违规组织有偿补课。"}})
	uiWant(t, "the proposed record", page, number)
	// The other forms that pick a unit group them too.
	dir := e.browser(t)
	dir.webLogin("city.director", demo.Password)
	for p, br := range map[string]*browser{"/cases/new": b, "/tasks": dir} {
		if body := uiHTML(t, br.get(p), http.StatusOK); !strings.Contains(body, `<optgroup label="海勃湾区">`) || !strings.Contains(body, `<optgroup label="`+cityRunGroupLabel+`">`) {
			t.Errorf("%s: the unit picker is not grouped by district", p)
		}
	}
}

// cityRunGroupLabel is the group of the city-run schools, as the pickers name it.
const cityRunGroupLabel = "市直属学校和单位"
