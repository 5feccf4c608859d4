package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/domain"
)

// The UI tests drive the pages through the real router as a browser would, without one: forms are
// posted with the CSRF token, redirects are checked by hand.

// uiCases maps the demo cases' titles to their ids, read from storage directly.
func uiCases(t *testing.T, e *env) map[string]int64 {
	t.Helper()
	res, err := e.db.ListCases(context.Background(), domain.CaseFilter{Scopes: []domain.Jurisdiction{""}, PerPage: 1000, Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int64{}
	for _, c := range res.Items {
		m[c.Title] = c.ID
	}
	return m
}

// uiOpening is the title of the demo's term-opening check still planned, announced by its notice: its
// year and term follow the day the demo is loaded.
func uiOpening(t *testing.T, e *env) string {
	t.Helper()
	res, err := e.db.ListCases(context.Background(), domain.CaseFilter{Scopes: []domain.Jurisdiction{""}, Status: domain.StatusPlanned, PerPage: 1000, Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Items {
		if strings.HasSuffix(c.Title, "学期开学工作专项督导") {
			return c.Title
		}
	}
	t.Fatal("the demo has no planned term-opening check")
	return ""
}

// uiUserID is a user's id as a form sends it.
func uiUserID(t *testing.T, e *env, username string) string {
	t.Helper()
	u, err := e.db.GetUserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(u.ID, 10)
}

func uiCasePath(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// uiPost posts a form with the browser's CSRF token.
func uiPost(b *browser, path string, form url.Values) response {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.cookie("dudao_csrf"))
	return b.post(path, form, nil)
}

// uiFollow posts a form, expects the 303 of post/redirect/get and returns the page it leads to.
func uiFollow(t *testing.T, b *browser, path string, form url.Values) string {
	t.Helper()
	r := uiPost(b, path, form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: %d, want 303:\n%s", path, r.StatusCode, r.Body)
	}
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/") {
		t.Fatalf("POST %s: Location %q leaves the site", path, loc)
	}
	return uiHTML(t, b.get(loc), http.StatusOK)
}

// uiHTML is wantHTML on the page with its CSRF tokens blanked: a random token can spell one of the
// words the leak check looks for ("sql", "eof", …).
func uiHTML(t *testing.T, r response, status int) string {
	t.Helper()
	r.Body = csrfField.ReplaceAll(r.Body, []byte(`<input type="hidden" name="_csrf" value="">`))
	return wantHTML(t, r, status)
}

func uiWant(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func uiNot(t *testing.T, what, body string, not ...string) {
	t.Helper()
	for _, w := range not {
		if strings.Contains(body, w) {
			t.Errorf("%s shows %q", what, w)
		}
	}
}

// uiFlash is the text of the flash message on a page.
var uiFlashRe = regexp.MustCompile(`<div class="flash flash-(ok|error)" role="(?:status|alert)" id="(?:flash|alert)">([^<]*)</div>`)

func uiFlash(t *testing.T, body string) (ok bool, text string) {
	t.Helper()
	m := uiFlashRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("page has no message:\n%s", body)
	}
	return m[1] == "ok", m[2]
}

var (
	uiAttr     = regexp.MustCompile(`\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?`)
	uiURLAttrs = map[string]bool{"src": true, "href": true, "action": true, "formaction": true, "poster": true, "data": true, "srcset": true,
		"hx-get": true, "hx-post": true, "hx-put": true, "hx-patch": true, "hx-delete": true}
	uiTag      = regexp.MustCompile(`<[a-zA-Z][^<>]*>`)
	uiInline   = regexp.MustCompile(`(?i)<script\b[^>]*>\s*[^<\s]|<style\b`)
	uiPostForm = regexp.MustCompile(`(?is)<form\b[^>]*method="post"[^>]*>(.*?)</form>`)
	uiControl  = regexp.MustCompile(`(?i)<(input|select|textarea)\b([^>]*)>`)
	uiAttrID   = regexp.MustCompile(`\bid="([^"]+)"`)
	uiAttrType = regexp.MustCompile(`\btype="([^"]+)"`)
	uiLabelFor = regexp.MustCompile(`<label\b[^>]*\bfor="([^"]+)"`)
	uiExternal = regexp.MustCompile(`(?i)https?://|["'(]//[a-z0-9]`)
)

// uiCheckPage checks one page: every URL stays on this site, no inline code, CSRF on every form that
// posts, a label for every field. It returns the /static/ assets the page uses.
func uiCheckPage(t *testing.T, what, body string) []string {
	t.Helper()
	var assets []string
	// Attributes are read inside tags only, so that text which merely looks like markup (escaped user
	// input) is not taken for it.
	for _, tag := range uiTag.FindAllString(body, -1) {
		for _, a := range uiAttr.FindAllStringSubmatch(tag, -1) {
			name, v := strings.ToLower(a[1]), strings.Trim(a[2], `"'`)
			switch {
			case strings.HasPrefix(name, "on") || name == "style" || strings.HasPrefix(strings.ToLower(v), "javascript:"):
				t.Errorf("%s: inline code the CSP blocks: %s", what, a[0])
			case !uiURLAttrs[name]:
				continue
			}
			low := strings.ToLower(v)
			if strings.Contains(low, "http:") || strings.Contains(low, "https:") || strings.HasPrefix(v, "//") ||
				(v != "" && !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "#")) {
				t.Errorf("%s: %s=%q leaves this site", what, name, v)
			}
			if strings.HasPrefix(v, "/static/") {
				assets = append(assets, strings.ReplaceAll(v, "&amp;", "&"))
			}
		}
	}
	if uiExternal.MatchString(body) {
		t.Errorf("%s names another origin: %q", what, uiExternal.FindString(body))
	}
	for _, m := range uiInline.FindAllString(body, -1) {
		t.Errorf("%s: inline code the CSP blocks: %s", what, m)
	}
	for _, f := range uiPostForm.FindAllStringSubmatch(body, -1) {
		if !strings.Contains(f[1], `<input type="hidden" name="_csrf" value="`) {
			t.Errorf("%s: a form posts without the CSRF token: %.200s", what, f[0])
		}
	}
	labels := map[string]bool{}
	for _, m := range uiLabelFor.FindAllStringSubmatch(body, -1) {
		labels[m[1]] = true
	}
	for _, m := range uiControl.FindAllStringSubmatch(body, -1) {
		typ := ""
		if tm := uiAttrType.FindStringSubmatch(m[2]); tm != nil {
			typ = tm[1]
		}
		if typ == "hidden" || typ == "submit" || typ == "button" {
			continue
		}
		id := uiAttrID.FindStringSubmatch(m[2])
		if id == nil || !labels[id[1]] {
			t.Errorf("%s: a %s has no label: %s", what, m[1], m[0])
		}
	}
	return assets
}

// TestUIPagesStayOnThisSite fetches every page as several roles: no page or asset names another
// origin (government intranets have no internet), none relies on inline code, every posting form
// carries its CSRF token and every field its label.
func TestUIPagesStayOnThisSite(t *testing.T) {
	e := newEnv(t, app.Options{})
	assets := map[string]bool{}
	for _, user := range []string{"city.supervisor", "city.director", "school.hbw1", "hbw.office", "auditor", "admin", "monitor"} {
		b := e.browser(t)
		b.webLogin(user, demo.Password)
		pages := []string{"/", "/cases", "/cases?status=rectifying&page=1", "/cases?overdue=true", "/cases/new", "/admin/orgs", "/admin/users", "/no-such-page", "/cases/999999"}
		list := b.get("/cases")
		for _, m := range regexp.MustCompile(`href="(/cases/\d+)"`).FindAllStringSubmatch(string(list.Body), -1) {
			pages = append(pages, m[1], m[1]+"/rectification", m[1]+"/recheck")
		}
		for _, p := range pages {
			r := b.get(p)
			switch r.StatusCode {
			case http.StatusOK, http.StatusForbidden, http.StatusNotFound:
			default:
				t.Errorf("%s GET %s: %d\n%s", user, p, r.StatusCode, r.Body)
				continue
			}
			body := uiHTML(t, r, r.StatusCode)
			for _, a := range uiCheckPage(t, user+" "+p, body) {
				assets[a] = true
			}
		}
	}
	for _, want := range []string{"/static/app.css", "/static/app.js", "/static/vendor/htmx-2.0.11.min.js", "/static/vendor/echarts-6.1.0.min.js"} {
		found := false
		for a := range assets {
			found = found || strings.HasPrefix(a, want)
		}
		if !found {
			t.Errorf("no page uses %s", want)
		}
	}
	for a := range assets {
		r := e.do(t, http.MethodGet, a, nil, nil)
		if r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", a, r.StatusCode)
			continue
		}
		body := string(r.Body)
		switch {
		case strings.HasPrefix(a, "/static/vendor/"):
			// The vendored libraries are unmodified releases; they name XML namespaces such as
			// http://www.w3.org/2000/svg, which are identifiers, not requests. That they are served from
			// here is what matters.
			if !strings.Contains(r.Header.Get("Content-Type"), "javascript") {
				t.Errorf("%s: Content-Type %q", a, r.Header.Get("Content-Type"))
			}
		case strings.HasSuffix(strings.SplitN(a, "?", 2)[0], ".css"):
			if regexp.MustCompile(`(?i)url\(|@import`).MatchString(body) {
				t.Errorf("%s loads another file (url() or @import)", a)
			}
			if uiExternal.MatchString(body) {
				t.Errorf("%s names another origin", a)
			}
		default:
			if uiExternal.MatchString(body) {
				t.Errorf("%s names another origin: %q", a, uiExternal.FindString(body))
			}
		}
		if !strings.Contains(r.Header.Get("Cache-Control"), "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q, want a long lifetime", a, r.Header.Get("Cache-Control"))
		}
	}
}

// TestUIEscapesUserText: a finding titled with markup is shown as text, in the list, the flash
// message and the audit timeline alike.
func TestUIEscapesUserText(t *testing.T) {
	e := newEnv(t, app.Options{})
	const xss = `<script>alert(1)</script><img src=x onerror=alert(1)>`
	const escaped = `&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;`
	id := uiCases(t, e)["幼儿园校舍抗震加固专项督导"] // inspecting, by city.supervisor
	sup := e.browser(t)
	sup.webLogin("city.supervisor", demo.Password)
	body := uiFollow(t, sup, uiCasePath(id)+"/findings", url.Values{"title": {xss}, "severity": {"minor"}, "description": {xss}})
	_, flash := uiFlash(t, body)
	if !strings.Contains(flash, escaped) {
		t.Errorf("flash %q does not show the title escaped", flash)
	}
	dir := e.browser(t)
	dir.webLogin("city.director", demo.Password)
	for who, page := range map[string]string{"supervisor": body, "supervisor again": uiHTML(t, sup.get(uiCasePath(id)), 200),
		"director": uiHTML(t, dir.get(uiCasePath(id)), 200), "list": uiHTML(t, sup.get("/cases?q="+url.QueryEscape(xss)), 200)} {
		if strings.Contains(page, "<script>alert(1)") || strings.Contains(page, "<img src=x") {
			t.Errorf("%s: the title is rendered as markup", who)
		}
		if who != "list" && strings.Count(page, escaped) < 2 {
			t.Errorf("%s: the title and description are not shown as text", who)
		}
		uiCheckPage(t, who, page)
	}
	// The search box keeps what was typed, escaped in its attribute.
	list := uiHTML(t, sup.get("/cases?q="+url.QueryEscape(`"><script>alert(1)</script>`)), 200)
	if strings.Contains(list, `"><script>`) {
		t.Error("the search term breaks out of its attribute")
	}
}

// TestUIFormErrors: a refused form comes back with Chinese messages beside its fields and what the user
// typed, with 422.
func TestUIFormErrors(t *testing.T) {
	e := newEnv(t, app.Options{})
	ids := uiCases(t, e)
	sup := e.browser(t)
	sup.webLogin("city.supervisor", demo.Password)

	r := uiPost(sup, uiCasePath(ids["幼儿园校舍抗震加固专项督导"])+"/findings", url.Values{"title": {""}, "severity": {"major"}, "description": {"东侧活动室墙体开裂"}})
	body := uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "refused finding", body, "问题标题为必填字段", "东侧活动室墙体开裂", `<option value="major" selected>`, `<details class="panel" id="add-finding" open>`)

	r = uiPost(sup, "/cases", url.Values{"type": {"school"}, "kind": {"special"}, "title": {""}, "planned_on": {"2026-13-40"}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "refused case", body, "案件标题为必填字段", "被督导对象为必填字段", "督学为必填字段", "计划日期", `value="2026-13-40"`)

	r = uiPost(sup, "/cases", url.Values{"type": {"government"}, "kind": {"special"}, "title": {"对学校开督政案"},
		"target_org_id": {strconv.FormatInt(e.orgIDs(t)["wuhai/hbw/s003/"], 10)}, "inspector_ids": {uiUserID(t, e, "city.supervisor")}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "domain refusal", body, "督政案件的被督导单位应为区（县）或市", "对学校开督政案")

	dir := e.browser(t)
	dir.webLogin("city.director", demo.Password)
	review := uiCasePath(ids["市一中食堂食品安全专项督导"])
	r = uiPost(dir, review+"/actions/return", url.Values{"comment": {"  "}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "return without comment", body, "请填写退回意见", `<details class="panel" id="return-panel" open>`)
	r = uiPost(dir, review+"/actions/issue", url.Values{"due_999": {"2020-01-01"}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "issue with a past date", body, "整改期限不能早于今天")

	// Not allowed and no longer possible: the page again, with the reason inline.
	school := e.browser(t)
	school.webLogin("school.yz", demo.Password)
	r = uiPost(school, review+"/actions/issue", nil)
	body = uiHTML(t, r, http.StatusForbidden)
	uiWant(t, "school issuing", body, `role="alert"`, "市一中食堂食品安全专项督导")
	r = uiPost(sup, review+"/actions/start", nil)
	body = uiHTML(t, r, http.StatusConflict)
	uiWant(t, "start in review", body, "不能开始督导")
	r = uiPost(dir, review+"/actions/return", url.Values{"comment": {"补充证据"}, "version": {"1"}})
	body = uiHTML(t, r, http.StatusConflict)
	uiWant(t, "stale version", body, "已被他人修改", "待审核签发")

	// Out of scope is 404, even for a write.
	wd := e.browser(t)
	wd.webLogin("school.wd1", demo.Password)
	uiHTML(t, uiPost(wd, review+"/actions/acknowledge", nil), http.StatusNotFound)
	uiHTML(t, wd.get(review), http.StatusNotFound)
	uiHTML(t, wd.get("/cases/abc"), http.StatusNotFound)
	uiHTML(t, uiPost(wd, review+"/actions/fly", nil), http.StatusNotFound)
	// Without the token nothing is written.
	uiHTML(t, dir.post(review+"/actions/return", url.Values{"comment": {"x"}}, nil), http.StatusForbidden)
}

// TestUIOnlyAllowedButtons: a page offers a user exactly the transitions of allowed_actions.
func TestUIOnlyAllowedButtons(t *testing.T) {
	e := newEnv(t, app.Options{})
	ids := uiCases(t, e)
	opening := uiOpening(t, e)
	buttons := regexp.MustCompile(`data-action="([a-z_]+)"`)
	for _, c := range []struct {
		user, title string
		want        []string
		links       []string
	}{
		{"city.director", "市一中食堂食品安全专项督导", []string{"issue"}, nil},
		{"city.supervisor", "市一中食堂食品安全专项督导", nil, nil},
		{"school.yz", "市一中食堂食品安全专项督导", nil, nil},
		// Announced by a notice for a day five weeks ahead: not to be started before then (R20).
		{"city.supervisor", opening, nil, []string{"重新发出督导通知"}},
		{"city.director", opening, nil, []string{"cancel-panel"}},
		{"school.wd1", "永昌小学办学条件综合督导", []string{"acknowledge"}, []string{"提出申辩"}},
		{"wd.office", "永昌小学办学条件综合督导", nil, nil},
		{"school.hbw1", "校园安全专项督导", nil, []string{"/rectification"}},
		{"hbw.office", "校园安全专项督导", nil, nil},
		{"city.supervisor2", "海勃湾区履行教育职责督导评价", nil, []string{"/recheck"}},
		{"city.supervisor", "海勃湾区履行教育职责督导评价", nil, nil},
		{"auditor", "海勃湾区履行教育职责督导评价", nil, []string{"来自审计日志"}},
	} {
		t.Run(c.user+" "+c.title, func(t *testing.T) {
			b := e.browser(t)
			b.webLogin(c.user, demo.Password)
			body := uiHTML(t, b.get(uiCasePath(ids[c.title])), http.StatusOK)
			var got []string
			for _, m := range buttons.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("buttons %v, want %v", got, c.want)
			}
			uiWant(t, "case page", body, c.links...)
			if len(c.want) == 0 && len(c.links) == 0 && strings.Contains(body, `id="actions"`) {
				t.Error("a user with nothing to do sees the 办理 section")
			}
		})
	}
}

// TestUIHomeByRole: each role's home page lists what waits for it.
func TestUIHomeByRole(t *testing.T) {
	e := newEnv(t, app.Options{})
	opening := uiOpening(t, e)
	for _, c := range []struct {
		user      string
		want, not []string
	}{
		{"city.supervisor", []string{"我负责的督导", "幼儿园校舍抗震加固专项督导", opening, "待复查的整改", "暂无待您复查的整改", "data-chart="}, []string{"待审核签发的报告"}},
		{"city.supervisor2", []string{"待复查的整改", "海勃湾区履行教育职责督导评价"}, nil},
		{"city.director", []string{"待审核签发的报告", "市一中食堂食品安全专项督导", "待裁定的申辩", "问责报告"}, []string{"我负责的督导"}},
		{"school.wd1", []string{"待确认的初步督导意见", "永昌小学办学条件综合督导", "申辩期至", "待整改的问题"}, []string{"新建案件", "问责报告"}},
		{"school.hbw1", []string{"待整改的问题", "消防通道堆放杂物", "应急疏散演练记录不全", "剩余"}, []string{"新建案件"}},
		{"hbw.office", []string{"辖区内逾期未整改的案件", "待整改的问题"}, nil},
		{"auditor", []string{"逾期未整改的案件", "最近的案件", "案件总数"}, []string{"新建案件"}},
		{"admin", []string{"系统管理", "机构管理", "用户与授权", "data-chart="}, []string{"案件总数", `href="/cases"`}},
		{"monitor", []string{"评估监测机构"}, []string{"案件总数", "data-chart="}},
	} {
		t.Run(c.user, func(t *testing.T) {
			b := e.browser(t)
			b.webLogin(c.user, demo.Password)
			body := uiHTML(t, b.get("/"), http.StatusOK)
			uiWant(t, "home of "+c.user, body, c.want...)
			uiNot(t, "home of "+c.user, body, c.not...)
		})
	}
}

// TestUINavigation: the menu links the sections each role uses, the other engineers' pages included.
func TestUINavigation(t *testing.T) {
	e := newEnv(t, app.Options{})
	nav := regexp.MustCompile(`(?s)<nav class="mainnav".*?</nav>`)
	for _, c := range []struct {
		user      string
		want, not []string
	}{
		{"city.supervisor", []string{`href="/cases"`, `href="/cases/new"`, `href="/notifications"`, `href="/accountability"`}, []string{`href="/reports/accountability"`, `href="/admin/`}},
		{"city.director", []string{`href="/cases"`, `href="/notifications"`, `href="/accountability"`, `href="/reports/accountability"`}, []string{`href="/admin/`}},
		{"school.hbw1", []string{`href="/cases"`, `href="/notifications"`}, []string{`href="/cases/new"`, `href="/reports/accountability"`, `href="/admin/`}},
		{"auditor", []string{`href="/cases"`, `href="/accountability"`, `href="/reports/accountability"`}, []string{`href="/cases/new"`, `href="/admin/`}},
		{"admin", []string{`href="/admin/orgs"`, `href="/admin/users"`, `href="/notifications"`}, []string{`href="/cases"`, `href="/reports/accountability"`}},
	} {
		t.Run(c.user, func(t *testing.T) {
			b := e.browser(t)
			b.webLogin(c.user, demo.Password)
			menu := nav.FindString(string(b.get("/").Body))
			uiWant(t, "menu", menu, c.want...)
			uiNot(t, "menu", menu, c.not...)
			// Pages rendered without the UI frame fetch the same menu.
			r := b.get("/ui/nav")
			uiWant(t, "fetched menu", string(r.Body), c.want...)
			uiNot(t, "fetched menu", string(r.Body), c.not...)
		})
	}
	if r := e.browser(t).get("/ui/nav"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("menu without a session: %d, want a redirect to the login", r.StatusCode)
	}
}

// TestUICaseList: filters, search, pages and the htmx partial update.
func TestUICaseList(t *testing.T) {
	e := newEnv(t, app.Options{})
	b := e.browser(t)
	b.webLogin("city.director", demo.Password)
	// How many of the demo's cases a filter holds, counted in storage: the page must say the same.
	count := func(f domain.CaseFilter) int {
		f.Scopes, f.PerPage, f.Page = []domain.Jurisdiction{""}, 1000, 1
		res, err := e.db.ListCases(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Items)
	}
	total := count(domain.CaseFilter{})
	body := uiHTML(t, b.get("/cases"), http.StatusOK)
	uiWant(t, "list", body, fmt.Sprintf("共 %d 件", total), "市一中食堂食品安全专项督导", `data-label="状态"`, `hx-get="/cases"`)
	body = uiHTML(t, b.get("/cases?status=closed"), http.StatusOK)
	uiWant(t, "closed", body, fmt.Sprintf("共 %d 件", count(domain.CaseFilter{Status: domain.StatusClosed})), "双随机抽查：招生收费",
		`<option value="closed" selected>`)
	uiNot(t, "closed", body, "市一中食堂食品安全专项督导")
	body = uiHTML(t, b.get("/cases?q="+url.QueryEscape("食堂")), http.StatusOK)
	uiWant(t, "search", body, fmt.Sprintf("共 %d 件", count(domain.CaseFilter{Q: "食堂"})), `value="食堂"`, "市一中食堂食品安全专项督导")
	uiNot(t, "search", body, "海勃湾区履行教育职责督导评价")
	body = uiHTML(t, b.get("/cases?type=government&kind=comprehensive"), http.StatusOK)
	uiWant(t, "type and kind", body, fmt.Sprintf("共 %d 件", count(domain.CaseFilter{Type: domain.CaseGovernment, Kind: domain.KindComprehensive})),
		"海勃湾区履行教育职责督导评价")
	uiNot(t, "type and kind", body, "市一中食堂食品安全专项督导")
	body = uiHTML(t, b.get("/cases?status=lost&page=0"), http.StatusUnprocessableEntity)
	uiWant(t, "bad filter", body, "状态无效", "查询条件有误")

	// Pages of 20: open enough cases to need a second page.
	sup := e.browser(t)
	sup.webLogin("city.supervisor", demo.Password)
	target := strconv.FormatInt(e.orgIDs(t)["wuhai/hbw/s005/"], 10)
	for i := 0; i < 14; i++ {
		r := uiPost(sup, "/cases", url.Values{"type": {"school"}, "kind": {"random"}, "target_org_id": {target}, "title": {"分页测试" + strconv.Itoa(i)},
			"inspector_ids": {uiUserID(t, e, "city.supervisor"), uiUserID(t, e, "city.supervisor2")}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("open case %d: %s", i, r)
		}
	}
	pages := (total + 14 + 19) / 20
	body = uiHTML(t, b.get("/cases"), http.StatusOK)
	uiWant(t, "page 1", body, fmt.Sprintf("共 %d 件", total+14), fmt.Sprintf("第 1/%d 页", pages), `href="/cases?page=2"`, "下一页")
	body = uiHTML(t, b.get("/cases?page=2"), http.StatusOK)
	uiWant(t, "page 2", body, fmt.Sprintf("第 2/%d 页", pages), `href="/cases"`, "上一页")
	body = uiHTML(t, b.get("/cases?kind=random&page=1"), http.StatusOK)
	uiWant(t, "filtered", body, fmt.Sprintf("共 %d 件", count(domain.CaseFilter{Kind: domain.KindRandom})))

	// An htmx request gets the same page; the form swaps in #case-results.
	r := b.req(http.MethodGet, "/cases?status=review", nil, http.Header{"HX-Request": {"true"}})
	body = uiHTML(t, r, http.StatusOK)
	uiWant(t, "htmx", body, `id="case-results"`, "市一中食堂食品安全专项督导")

	admin := e.browser(t)
	admin.webLogin("admin", demo.Password)
	uiHTML(t, admin.get("/cases"), http.StatusForbidden)
}

// TestUIObjectionAndRuling: the school objects to one finding, the director rules.
func TestUIObjectionAndRuling(t *testing.T) {
	e := newEnv(t, app.Options{})
	id := uiCases(t, e)["永昌小学办学条件综合督导"]
	page := uiCasePath(id)
	school := e.browser(t)
	school.webLogin("school.wd1", demo.Password)
	body := uiHTML(t, school.get(page), http.StatusOK)
	m := regexp.MustCompile(`<option value="(\d+)">课后服务记录不完整</option>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no finding to object to:\n%s", body)
	}
	r := uiPost(school, page+"/objections", url.Values{"finding_id": {m[1]}, "text": {""}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "empty objection", body, "申辩内容为必填字段", `<option value="`+m[1]+`" selected>`)
	body = uiFollow(t, school, page+"/objections", url.Values{"finding_id": {m[1]}, "text": {"课后服务台账已于9月补齐，附签到表。"}})
	if ok, text := uiFlash(t, body); !ok || !strings.Contains(text, "申辩已提交") {
		t.Errorf("flash %v %q", ok, text)
	}
	uiWant(t, "after objection", body, "待裁定", "课后服务台账已于9月补齐")

	dir := e.browser(t)
	dir.webLogin("city.director", demo.Password)
	body = uiHTML(t, dir.get(page), http.StatusOK)
	o := regexp.MustCompile(`action="` + page + `/objections/(\d+)/ruling"`).FindStringSubmatch(body)
	if o == nil {
		t.Fatalf("the director has no ruling form:\n%s", body)
	}
	ruling := page + "/objections/" + o[1] + "/ruling"
	r = uiPost(dir, ruling, url.Values{"upheld": {"false"}, "reason": {""}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "rejection without reason", body, "驳回申辩须说明理由")
	body = uiFollow(t, dir, ruling, url.Values{"upheld": {"true"}, "reason": {"材料属实。"}})
	if _, text := uiFlash(t, body); !strings.Contains(text, "申辩成立") {
		t.Errorf("flash %q", text)
	}
	uiWant(t, "after ruling", body, "申辩成立", "已撤回", "材料属实。")
	uiHTML(t, uiPost(dir, ruling, url.Values{"upheld": {"false"}, "reason": {"再裁一次"}}), http.StatusConflict)
}

// TestUIFindingsEditAndCancel: an inspector edits and removes findings; a director cancels a case.
func TestUIFindingsEditAndCancel(t *testing.T) {
	e := newEnv(t, app.Options{})
	ids := uiCases(t, e)
	page := uiCasePath(ids["幼儿园校舍抗震加固专项督导"])
	sup := e.browser(t)
	sup.webLogin("city.supervisor", demo.Password)
	body := uiFollow(t, sup, page+"/findings", url.Values{"title": {"晨检记录缺失"}, "severity": {"minor"}, "category": {"食品卫生"}})
	fid := regexp.MustCompile(`href="`+page+`/findings/(\d+)/edit"`).FindAllStringSubmatch(body, -1)
	if len(fid) != 2 {
		t.Fatalf("edit links %v, want 2", fid)
	}
	edit := page + "/findings/" + fid[1][1]
	body = uiHTML(t, sup.get(edit+"/edit"), http.StatusOK)
	uiWant(t, "edit form", body, `value="晨检记录缺失"`, `<option value="食品卫生" selected>`)
	body = uiFollow(t, sup, edit, url.Values{"title": {"晨检记录不全"}, "severity": {"major"}, "category": {"校园安全"}})
	uiWant(t, "after edit", body, "已修改问题「晨检记录不全」", "较重")
	body = uiFollow(t, sup, edit+"/delete", nil)
	uiWant(t, "after delete", body, "已删除问题")
	uiNot(t, "after delete", body, "晨检记录不全")

	other := e.browser(t)
	other.webLogin("school.hn1", demo.Password)
	uiHTML(t, other.get(page+"/findings/"+fid[0][1]+"/edit"), http.StatusForbidden)

	dir := e.browser(t)
	dir.webLogin("city.director", demo.Password)
	planned := uiCasePath(ids[uiOpening(t, e)])
	body = uiFollow(t, dir, planned+"/actions/cancel", url.Values{"comment": {"与春季开学检查合并。"}})
	uiWant(t, "cancelled", body, "案件已撤销", "已撤销", "与春季开学检查合并。")
}

// uiPNG is a small real PNG.
func uiPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uiUpload posts a multipart form with one file in field.
func uiUpload(t *testing.T, b *browser, path string, fields map[string]string, field, name string, data []byte) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", b.cookie("dudao_csrf"))
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if field != "" {
		fw, err := w.CreateFormFile(field, name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	return b.req(http.MethodPost, path, &body, http.Header{"Content-Type": {w.FormDataContentType()}})
}

// TestUIRectificationWithEvidence: the school rectifies on its page with a photo, the image is served to
// those who see the case and to nobody else.
func TestUIRectificationWithEvidence(t *testing.T) {
	e := newEnv(t, app.Options{})
	e.clock.Advance(1) // evidence counts when uploaded after the issue
	ids := uiCases(t, e)
	page := uiCasePath(ids["校园安全专项督导"])
	school := e.browser(t)
	school.webLogin("school.hbw1", demo.Password)
	body := uiHTML(t, school.get(page+"/rectification"), http.StatusOK)
	uiWant(t, "rectification page", body, "整改填报", "应急疏散演练记录不全", "尚无整改措施", `capture="environment"`, `accept="image/*"`)
	m := regexp.MustCompile(`<section class="card finding rect" id="finding-(\d+)">\s*<div class="rect-grid">\s*<div class="rect-info">\s*<div class="finding-head">\s*<h3 class="finding-title">应急疏散演练记录不全`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no section for 应急疏散演练记录不全:\n%s", body)
	}
	fid := m[1]

	// Submitting too early names what is missing.
	r := uiPost(school, page+"/actions/submit_rectification", nil)
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "early submission", body, "应急疏散演练记录不全」尚无整改措施")

	r = uiPost(school, page+"/findings/"+fid+"/measures", url.Values{"description": {"补做演练"}, "responsible_person": {""}, "due_on": {"2001-01-01"}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "bad measure", body, "责任人为必填字段", "补做演练")
	body = uiFollow(t, school, page+"/findings/"+fid+"/measures", url.Values{"description": {"每学期组织两次疏散演练并存档。"},
		"responsible_person": {"赵主任"}, "due_on": {string(domain.DateOf(e.clock.Now()).AddDays(10))}})
	uiWant(t, "after measure", body, "已添加整改措施", "每学期组织两次疏散演练并存档。")

	r = uiUpload(t, school, page+"/evidence", map[string]string{"finding_id": fid, "back": "rectification"}, "", "", nil)
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "upload without a file", body, "请拍照或选择图片")
	r = uiUpload(t, school, page+"/evidence", map[string]string{"finding_id": fid, "back": "rectification", "note": "演练照片"}, "file", "演练.png", uiPNG(t))
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), page+"/rectification") {
		t.Fatalf("upload: %s (Location %q)", r, r.Header.Get("Location"))
	}
	body = uiHTML(t, school.get(r.Header.Get("Location")), http.StatusOK)
	uiWant(t, "after upload", body, "已上传 1 个佐证材料", "演练照片", "可以提交整改报告")
	ev := regexp.MustCompile(`<a class="thumb" href="(`+page+`/evidence/(\d+))"`).FindAllStringSubmatch(body, -1)
	if len(ev) < 2 {
		t.Fatalf("thumbnails %v, want the demo photo and the new one", ev)
	}
	img := ev[len(ev)-1]
	r = school.get(img[1])
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" || !bytes.Equal(r.Body, uiPNG(t)) {
		t.Fatalf("GET %s: %d %s", img[1], r.StatusCode, r.Header.Get("Content-Type"))
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("evidence CSP %q, want sandbox", csp)
	}
	office := e.browser(t)
	office.webLogin("hbw.office", demo.Password)
	if r := office.get(img[1]); r.StatusCode != http.StatusOK {
		t.Errorf("the district office cannot see the school's evidence: %d", r.StatusCode)
	}
	wd := e.browser(t)
	wd.webLogin("school.wd1", demo.Password)
	uiHTML(t, wd.get(img[1]), http.StatusNotFound)
	wrongCase := uiCasePath(ids["永昌小学办学条件综合督导"]) + "/evidence/" + img[2]
	uiHTML(t, school.get(wrongCase), http.StatusNotFound)

	// A document that is not what it claims is refused with the reason on the page.
	r = uiUpload(t, school, page+"/evidence", map[string]string{"finding_id": fid, "back": "rectification"}, "document", "报告.pdf", []byte("MZ\x90\x00 not a pdf"))
	body = uiHTML(t, r, http.StatusUnsupportedMediaType)
	uiWant(t, "bad document", body, `role="alert"`, "整改填报")

	// The district office may read but not rectify for its school.
	body = uiHTML(t, office.get(page+"/rectification"), http.StatusOK)
	uiWant(t, "office on the rectification page", body, "当前不能填报整改")
	uiNot(t, "office on the rectification page", body, `/measures"`, `data-action="submit_rectification"`)

	body = uiFollow(t, school, page+"/actions/submit_rectification", url.Values{})
	uiWant(t, "submitted", body, "整改报告已提交，等待复查", "待复查")

	// Recheck: a failed verdict needs a reason and a new date, beside its fields.
	sup2 := e.browser(t)
	sup2.webLogin("city.supervisor2", demo.Password)
	body = uiHTML(t, sup2.get(page+"/recheck"), http.StatusOK)
	var results []string
	for _, m := range regexp.MustCompile(`name="result_(\d+)" value="pass"`).FindAllStringSubmatch(body, -1) {
		results = append(results, m[1])
	}
	if len(results) != 2 {
		t.Fatalf("recheck verdicts for %v, want 2 findings", results)
	}
	form := url.Values{"result_" + results[0]: {"pass"}, "result_" + results[1]: {"fail"}}
	r = uiPost(sup2, page+"/actions/recheck", form)
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "fail without reason", body, "复查未通过，须说明理由", "复查未通过，须给出新的整改期限", `value="fail" checked`)
	form.Set("comment_"+results[1], "演练记录仍缺少签到表。")
	form.Set("new_due_"+results[1], string(domain.DateOf(e.clock.Now()).AddDays(14)))
	body = uiFollow(t, sup2, page+"/actions/recheck", form)
	uiWant(t, "rechecked", body, "复查完成，未通过的问题已退回整改", "整改中", "演练记录仍缺少签到表", "复查退回")
	uiHTML(t, sup2.get(page+"/recheck"), http.StatusForbidden)
}

// TestUIAdmin: the admin adds an org, a user and a grant; nobody else reaches these pages.
func TestUIAdmin(t *testing.T) {
	e := newEnv(t, app.Options{})
	admin := e.browser(t)
	admin.webLogin("admin", demo.Password)
	body := uiHTML(t, admin.get("/admin/orgs"), http.StatusOK)
	uiWant(t, "org tree", body, "机构树", "海勃湾区第一小学（示例）", `<option value="wuhai/hbw/">`)
	r := uiPost(admin, "/admin/orgs", url.Values{"parent": {"wuhai/hbw/"}, "code": {"S 11"}, "name": {"海勃湾区第十一小学"}, "kind": {"school"}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "bad code", body, "机构代码须为", `value="海勃湾区第十一小学"`)
	body = uiFollow(t, admin, "/admin/orgs", url.Values{"parent": {"wuhai/hbw/"}, "code": {"s011"}, "name": {"海勃湾区第十一小学"}, "kind": {"school"}})
	uiWant(t, "new org", body, "已新增机构「海勃湾区第十一小学」", "s011")

	r = uiPost(admin, "/admin/users", url.Values{"username": {"school.hbw11"}, "name": {"十一小 联络员"}, "password": {"short"}, "org": {"wuhai/hbw/s011/"}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "weak password", body, "密码须为8至72个字符", `value="school.hbw11"`)
	uiNot(t, "weak password", body, `value="short"`)
	body = uiFollow(t, admin, "/admin/users", url.Values{"username": {"school.hbw11"}, "name": {"十一小 联络员"}, "password": {"Shiyi2026x"}, "org": {"wuhai/hbw/s011/"}})
	uiWant(t, "new user", body, "已新增用户「十一小 联络员」", "未授权")
	r = uiPost(admin, "/admin/grants", url.Values{"username": {"nobody"}, "role": {"school"}, "org": {"wuhai/hbw/s011/"}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "unknown user", body, "没有这个用户名")
	body = uiFollow(t, admin, "/admin/grants", url.Values{"username": {"school.hbw11"}, "role": {"school"}, "org": {"wuhai/hbw/s011/"}})
	uiWant(t, "granted", body, "已授予「school.hbw11」学校角色", "学校 · 海勃湾区第十一小学")

	newbie := e.browser(t)
	newbie.webLogin("school.hbw11", "Shiyi2026x")
	uiWant(t, "new user's home", uiHTML(t, newbie.get("/"), http.StatusOK), "十一小 联络员", "海勃湾区第十一小学")

	for _, user := range []string{"city.director", "auditor", "school.hbw1"} {
		b := e.browser(t)
		b.webLogin(user, demo.Password)
		for _, p := range []string{"/admin/orgs", "/admin/users"} {
			uiHTML(t, b.get(p), http.StatusForbidden)
		}
		uiHTML(t, uiPost(b, "/admin/grants", url.Values{"username": {user}, "role": {"admin"}, "org": {"wuhai/"}}), http.StatusForbidden)
	}
}

// TestUIFlashIsOnce: the message after a redirect shows once, and only to the browser that acted.
func TestUIFlashIsOnce(t *testing.T) {
	e := newEnv(t, app.Options{})
	id := uiCases(t, e)[uiOpening(t, e)]
	// The case starts on the day its notice named (R20).
	tok, _ := e.login(t, "city.supervisor", demo.Password)
	var planned struct {
		PlannedOn string `json:"planned_on"`
	}
	decode(t, e.api(t, http.MethodGet, "/api/v1/cases/"+strconv.FormatInt(id, 10), tok, ""), &planned)
	e.clock.Set(domain.Date(planned.PlannedOn).Time().Add(9 * time.Hour))
	sup := e.browser(t)
	sup.webLogin("city.supervisor", demo.Password)
	body := uiFollow(t, sup, uiCasePath(id)+"/actions/start", nil)
	uiWant(t, "after start", body, "已开始督导", "督导中")
	uiNot(t, "second visit", uiHTML(t, sup.get(uiCasePath(id)), http.StatusOK), "已开始督导，可以记录问题")
	// A flash cookie the server did not sign is not shown at all (issue 13: it was shown, escaped, so
	// anyone who could set a cookie could put words in the site's mouth).
	b := e.browser(t)
	b.webLogin("city.supervisor", demo.Password)
	u, _ := url.Parse(e.srv.URL)
	b.Jar.SetCookies(u, []*http.Cookie{{Name: "dudao_flash", Value: base64.RawURLEncoding.EncodeToString([]byte("k<script>alert(1)</script>请拨打客服电话")), Path: "/"}})
	body = uiHTML(t, b.get("/"), http.StatusOK)
	uiNot(t, "forged flash", body, "<script>alert(1)", "alert(1)", "请拨打客服电话")
	// A signed one altered in transit is not shown either.
	sup.Jar.SetCookies(u, []*http.Cookie{{Name: "dudao_flash", Value: "", Path: "/", MaxAge: -1}})
	r := uiPost(sup, "/notifications/read-all", nil)
	signed := setCookie(r, "dudao_flash")
	if signed == nil || !strings.Contains(signed.Value, ".") {
		t.Fatalf("no signed flash after a write: %v", r.Header["Set-Cookie"])
	}
	payload, sig, _ := strings.Cut(signed.Value, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	altered := base64.RawURLEncoding.EncodeToString(append(raw, []byte("请拨打客服电话")...)) + "." + sig
	sup.Jar.SetCookies(u, []*http.Cookie{{Name: "dudao_flash", Value: altered, Path: "/"}})
	uiNot(t, "altered flash", uiHTML(t, sup.get("/"), http.StatusOK), "请拨打客服电话")
}

// TestUIErrorPages: friendly pages for 403, 404 and 500 with a way back.
func TestUIErrorPages(t *testing.T) {
	e := newEnv(t, app.Options{})
	b := e.browser(t)
	b.webLogin("school.hbw1", demo.Password)
	body := uiHTML(t, b.get("/cases/999999"), http.StatusNotFound)
	uiWant(t, "404", body, "页面不存在", "不在您的管辖范围内", `href="/"`, "返回上一页", `class="mainnav"`)
	body = uiHTML(t, b.get("/cases/new"), http.StatusForbidden)
	uiWant(t, "403", body, "无权访问", "您无权新建督导案件", "联系本单位督导室或系统管理员")
	anon := e.browser(t)
	body = uiHTML(t, anon.get("/no-such-page"), http.StatusNotFound)
	uiWant(t, "anonymous 404", body, `href="/login"`)
	uiNot(t, "anonymous 404", body, `class="mainnav"`)
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	r := b.get("/")
	body = uiHTML(t, r, http.StatusInternalServerError)
	uiWant(t, "500", body, "系统出错了", "请求编号", r.Header.Get("X-Request-Id"))
}
