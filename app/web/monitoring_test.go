package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dudao/app/demo"
	"dudao/cmd/system/systemtest"
)

// 评估监测 over HTTP on both engines: the catalog, entering and correcting values, attainment against
// the target and the trajectory with written-down answers, the case proposed exactly once whatever is
// imported or ticked again, imports that land whole or not at all, the reports, and who may do what.

func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%q not found", pattern)
	}
	return m[1]
}

type monAttainment struct {
	Code        string   `json:"code"`
	Value       *float64 `json:"value"`
	Target      *float64 `json:"target"`
	Expected    *float64 `json:"expected"`
	Status      string   `json:"status"`
	TargetGap   *float64 `json:"target_gap"`
	ExpectedGap *float64 `json:"expected_gap"`
}

type monObservation struct {
	ID      int64   `json:"id"`
	Value   float64 `json:"value"`
	Version int     `json:"version"`
	Source  string  `json:"source"`
	Sample  bool    `json:"sample"`
	Org     caseOrg `json:"org"`
}

type monProposal struct {
	ID             int64    `json:"id"`
	Key            string   `json:"key"`
	Status         string   `json:"status"`
	Title          string   `json:"title"`
	Facts          string   `json:"facts"`
	TargetOrg      caseOrg  `json:"target_org"`
	OwnerOrg       caseOrg  `json:"owner_org"`
	CaseID         *int64   `json:"case_id"`
	AllowedActions []string `json:"allowed_actions"`
}

func (e *caseEnv) monAttainment(t *testing.T, username, orgPath string, year int) map[string]monAttainment {
	t.Helper()
	var out struct {
		Items []monAttainment `json:"items"`
		Total int             `json:"total"`
	}
	e.decode(t, e.mustCall(t, username, http.MethodGet, fmt.Sprintf("/api/v1/monitoring/attainment?org_id=%d&year=%d", e.org(t, orgPath).ID, year), nil, http.StatusOK), &out)
	if out.Total != 77 || len(out.Items) != 77 {
		t.Fatalf("attainment of %s lists %d indicators, want the catalog's 77", orgPath, out.Total)
	}
	m := map[string]monAttainment{}
	for _, a := range out.Items {
		m[a.Code] = a
	}
	return m
}

// monImport posts an import file to the API as username.
func (e *caseEnv) monImport(t *testing.T, username, name string, content []byte) caseResp {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/observations/import", &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r, err := e.do(username, req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func monCSV(rows ...string) []byte {
	return []byte("指标代码/indicator_code,单位代码/org_code,年份/year,数值/value,备注/note\n" + strings.Join(rows, "\n") + "\n")
}

func (e *caseEnv) monObservations(t *testing.T) int64 {
	t.Helper()
	return e.queryInt(t, "SELECT COUNT(*) FROM observations")
}

func f64(v float64) *float64 { return &v }

func monEq(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func TestMonCatalogAndValues(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "monitor", "school.hbw1", "admin", "hbw.office", "wd.office", "city.director")
		var cat struct {
			Items []map[string]any `json:"items"`
			Total int              `json:"total"`
		}
		e.decode(t, e.mustCall(t, "monitor", http.MethodGet, "/api/v1/indicators", nil, http.StatusOK), &cat)
		if cat.Total != 77 || len(cat.Items) != 77 {
			t.Fatalf("catalog: %d indicators, want 77", cat.Total)
		}
		var ret map[string]any
		for _, it := range cat.Items {
			if it["code"] == "compulsory_retention_rate" {
				ret = it
			}
		}
		// The names and values of seed-data.json.
		if ret["name_zh"] != "九年义务教育巩固率" || ret["unit"] != "%" || ret["target_2025"] != 97.0 || ret["attribute"] != "约束性" ||
			ret["direction"] != "higher_is_better" || fmt.Sprint(ret["baseline"]) != "map[2015:93 2020:95]" {
			t.Errorf("compulsory_retention_rate: %v", ret)
		}
		e.mustCall(t, "school.hbw1", http.MethodGet, "/api/v1/indicators", nil, http.StatusOK)
		e.wantError(t, e.call(t, "admin", http.MethodGet, "/api/v1/indicators", nil), http.StatusForbidden, "")

		// A value entered, then corrected: 201 with its address, then 200 with version 2.
		s001 := e.org(t, "wuhai/hbw/s001/")
		in := map[string]any{"indicator_code": "upper_secondary_gross_enrolment_rate", "org_id": s001.ID, "year": 2023, "value": 97.9}
		r := e.mustCall(t, "monitor", http.MethodPost, "/api/v1/observations", in, http.StatusCreated)
		var o monObservation
		e.decode(t, e.mustCall(t, "monitor", http.MethodGet, r.Header.Get("Location"), nil, http.StatusOK), &o)
		if o.Value != 97.9 || o.Version != 1 || o.Source != "手工填报" || o.Sample || o.Org.ID != s001.ID {
			t.Errorf("entered: %+v", o)
		}
		in["value"] = 98.4
		e.decode(t, e.mustCall(t, "monitor", http.MethodPost, "/api/v1/observations", in, http.StatusOK), &o)
		if o.Value != 98.4 || o.Version != 2 {
			t.Errorf("corrected: %+v", o)
		}
		e.wantError(t, e.call(t, "monitor", http.MethodPatch, fmt.Sprintf("/api/v1/observations/%d", o.ID), map[string]any{"value": 98.5, "version": 1}), http.StatusConflict, "")
		e.wantError(t, e.call(t, "monitor", http.MethodPost, "/api/v1/observations", map[string]any{"indicator_code": "compulsory_retention_rate",
			"org_id": s001.ID, "year": 2023, "value": 101}), http.StatusUnprocessableEntity, "value")
		e.wantError(t, e.call(t, "monitor", http.MethodPost, "/api/v1/observations", map[string]any{"indicator_code": "no_such",
			"org_id": s001.ID, "year": 2023, "value": 1}), http.StatusUnprocessableEntity, "indicator_code")

		// Who may: the monitor and a district office over its own district; a school may not; another
		// district's values are not there for it.
		e.wantError(t, e.call(t, "school.hbw1", http.MethodPost, "/api/v1/observations", in), http.StatusForbidden, "")
		e.mustCall(t, "hbw.office", http.MethodPost, "/api/v1/observations", in, http.StatusOK)
		e.wantError(t, e.call(t, "wd.office", http.MethodPost, "/api/v1/observations", in), http.StatusUnprocessableEntity, "org_id")
		e.wantError(t, e.call(t, "wd.office", http.MethodGet, fmt.Sprintf("/api/v1/observations/%d", o.ID), nil), http.StatusNotFound, "")
		e.wantError(t, e.call(t, "wd.office", http.MethodGet, fmt.Sprintf("/api/v1/monitoring/attainment?org_id=%d", s001.ID), nil), http.StatusNotFound, "")
		e.wantError(t, e.call(t, "school.hbw1", http.MethodGet, "/api/v1/monitoring/attainment", nil), http.StatusForbidden, "")
		var list struct {
			Items []monObservation `json:"items"`
			Total int              `json:"total"`
		}
		e.decode(t, e.mustCall(t, "wd.office", http.MethodGet, "/api/v1/observations?per_page=200&indicator_code=compulsory_retention_rate", nil, http.StatusOK), &list)
		for _, x := range list.Items {
			if !strings.HasPrefix(x.Org.Path, "wuhai/wd/") {
				t.Errorf("wd.office lists %s's value", x.Org.Path)
			}
		}
		if list.Total != 6 { // the demo's 示例 values of 乌达区, 2020–2025
			t.Errorf("wd.office lists %d values of the binding indicator, want 6", list.Total)
		}
	})
}

// TestMonAttainmentAndProposalOnce: written-down answers for an attained, an on-track and a behind
// indicator; the binding indicator behind its trajectory proposes a case against that school once,
// however often the data comes again or the scheduler runs; a director opens the case from it.
func TestMonAttainmentAndProposalOnce(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "monitor", "hbw.director", "city.director", "hbw.supervisor", "hbw.office")
		e.mustCall(t, "monitor", http.MethodPost, "/api/v1/observations", map[string]any{"indicator_code": "upper_secondary_gross_enrolment_rate",
			"org_id": e.org(t, "wuhai/hbw/s001/").ID, "year": 2023, "value": 98.2}, http.StatusCreated)
		r := e.monImport(t, "monitor", "学校2023.csv", monCSV(
			"compulsory_retention_rate,hbw/s001,2023,96.5,",
			"compulsory_retention_rate,hbw/s002,2023,95.9,",
		))
		if r.Status != http.StatusOK {
			t.Fatalf("import: %s", r)
		}
		var res struct{ Created, Proposals int }
		e.decode(t, r, &res)
		if res.Created != 2 || res.Proposals != 1 {
			t.Errorf("import: %+v, want 2 created and 1 proposal", res)
		}

		// 2023 lies 3/5 of the way from 2020 to 2025.
		s1 := e.monAttainment(t, "monitor", "wuhai/hbw/s001/", 2023)
		for code, want := range map[string]monAttainment{
			// 高中阶段毛入学率 97 → 98: 98.2 meets the target itself.
			"upper_secondary_gross_enrolment_rate": {Value: f64(98.2), Target: f64(98), Expected: f64(97.6), Status: "attained", TargetGap: f64(-0.2), ExpectedGap: f64(-0.6)},
			// 九年义务教育巩固率 95 → 97: the trajectory stands at 96.2; 96.5 is ahead of it, short of 97.
			"compulsory_retention_rate": {Value: f64(96.5), Target: f64(97), Expected: f64(96.2), Status: "on_track", TargetGap: f64(0.5), ExpectedGap: f64(-0.3)},
			// 学前三年毛入园率 97 → 98: no value entered for the school.
			"preschool_gross_enrolment_rate": {Target: f64(98), Expected: f64(97.6), Status: "no_data"},
		} {
			got := s1[code]
			if got.Status != want.Status || !monEq(got.Value, want.Value) || !monEq(got.Target, want.Target) || !monEq(got.Expected, want.Expected) ||
				!monEq(got.TargetGap, want.TargetGap) || !monEq(got.ExpectedGap, want.ExpectedGap) {
				t.Errorf("%s: %+v, want %+v", code, got, want)
			}
		}
		behind := e.monAttainment(t, "monitor", "wuhai/hbw/s002/", 2023)["compulsory_retention_rate"]
		if behind.Status != "behind" || !monEq(behind.ExpectedGap, f64(0.3)) || !monEq(behind.TargetGap, f64(1.1)) {
			t.Errorf("95.9 in 2023: %+v, want behind by 0.3 (target 1.1 away)", behind)
		}

		// Proposed once: the same value again, a corrected value still behind, two scheduler passes.
		key := "monitoring:compulsory_retention_rate:wuhai/hbw/s002/:2023"
		count := func() int64 { return e.queryInt(t, "SELECT COUNT(*) FROM case_proposals WHERE proposal_key = ?", key) }
		if n := count(); n != 1 {
			t.Fatalf("%d proposals for %s, want 1", n, key)
		}
		e.decode(t, e.monImport(t, "monitor", "学校2023（重报）.csv", monCSV("compulsory_retention_rate,hbw/s002,2023,95.9,")), &res)
		e.decode(t, e.monImport(t, "monitor", "学校2023（更正）.csv", monCSV("compulsory_retention_rate,hbw/s002,2023,95.7,复核")), &res)
		if res.Proposals != 0 {
			t.Errorf("a corrected value proposed %d more", res.Proposals)
		}
		acc := &accEnv{caseEnv: e, app: e.Env.App, mail: e.Mail}
		for i := 0; i < 2; i++ {
			if rep := acc.tick(t); rep.CaseProposals != 0 {
				t.Errorf("tick %d proposed %d cases", i+1, rep.CaseProposals)
			}
		}
		if n := count(); n != 1 {
			t.Errorf("%d proposals after re-imports and ticks, want 1", n)
		}
		// The directors over the office are told, once each.
		for _, d := range []string{"hbw.director", "city.director"} {
			if n := e.queryInt(t, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'case_proposed' AND dedup_key = ?",
				e.user(t, d).ID, "case_proposed:"+key); n != 1 {
				t.Errorf("%s has %d notices of the proposal, want 1", d, n)
			}
		}

		var props struct {
			Items []monProposal `json:"items"`
			Total int           `json:"total"`
		}
		e.decode(t, e.mustCall(t, "hbw.director", http.MethodGet, "/api/v1/monitoring/proposals?status=open", nil, http.StatusOK), &props)
		var p monProposal
		for _, x := range props.Items {
			if x.Key == key {
				p = x
			}
		}
		if p.ID == 0 || p.TargetOrg.Path != "wuhai/hbw/s002/" || p.OwnerOrg.Path != "wuhai/hbw/" || strings.Join(p.AllowedActions, ",") != "accept,dismiss" ||
			!strings.Contains(p.Facts, "按规划进度应达到96.2%") {
			t.Fatalf("proposal as hbw.director: %+v (of %d)", p, props.Total)
		}
		e.decode(t, e.mustCall(t, "hbw.office", http.MethodGet, fmt.Sprintf("/api/v1/monitoring/proposals/%d", p.ID), nil, http.StatusOK), &p)
		if len(p.AllowedActions) != 0 {
			t.Errorf("the district office may %v", p.AllowedActions)
		}
		e.wantError(t, e.call(t, "hbw.office", http.MethodPost, fmt.Sprintf("/api/v1/monitoring/proposals/%d/actions/accept", p.ID),
			map[string]any{"inspector_ids": []int64{e.user(t, "hbw.supervisor").ID}}), http.StatusForbidden, "")
		// A 专项 visit (the default) needs a team of three (R7).
		e.login(t, "hbw.supervisor2", "city.supervisor3")
		team := []int64{e.user(t, "hbw.supervisor").ID, e.user(t, "hbw.supervisor2").ID, e.user(t, "city.supervisor3").ID}
		r = e.mustCall(t, "hbw.director", http.MethodPost, fmt.Sprintf("/api/v1/monitoring/proposals/%d/actions/accept", p.ID),
			map[string]any{"inspector_ids": team}, http.StatusCreated)
		c := e.caseOf(t, e.mustCall(t, "hbw.director", http.MethodGet, r.Header.Get("Location"), nil, http.StatusOK))
		if c.Type != "monitoring" || c.TargetOrg.Path != "wuhai/hbw/s002/" || c.OwnerOrg.Path != "wuhai/hbw/" || c.Status != "planned" {
			t.Errorf("case opened from the proposal: %+v", c)
		}
		e.wantError(t, e.call(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/monitoring/proposals/%d/actions/dismiss", p.ID),
			map[string]any{"reason": "已立案"}), http.StatusConflict, "")
		e.decode(t, e.mustCall(t, "monitor", http.MethodGet, fmt.Sprintf("/api/v1/monitoring/proposals/%d", p.ID), nil, http.StatusOK), &p)
		if p.Status != "accepted" || p.CaseID == nil || *p.CaseID != c.ID {
			t.Errorf("after accepting: %+v", p)
		}
		// The demo's lagging district proposed its two cases to the city.
		e.decode(t, e.mustCall(t, "city.director", http.MethodGet, "/api/v1/monitoring/proposals?per_page=200", nil, http.StatusOK), &props)
		wd := 0
		for _, x := range props.Items {
			if x.TargetOrg.Path == "wuhai/wd/" {
				wd++
			}
		}
		if wd != 2 {
			t.Errorf("%d proposals for 乌达区 from the demo, want 2 (2022 and 2023)", wd)
		}
	})
}

// TestMonImport: a file with one bad row among many changes nothing and names the row; a good file
// lands whole; a second import of it changes nothing.
func TestMonImport(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "monitor", "school.hbw1")
		var rows []string
		for i, code := range []string{"s001", "s002", "s003", "s004", "s005", "s006", "s007", "s008", "s009", "s010"} {
			for y := 2021; y <= 2025; y++ {
				rows = append(rows, fmt.Sprintf("student_fitness_pass_rate,hbw/%s,%d,%d.5,", code, y, 86+i%3+y-2021))
			}
		}
		good := monCSV(rows...) // 50 rows, lines 2–51
		bad := append([]string{}, rows...)
		bad[25] = "student_fitness_pass_rat,hbw/s006,2021,88.5,"                      // line 27
		bad = append(bad, "student_fitness_pass_rate,hbw/s001,2021,120,", "x,y,z,1,") // lines 52, 53
		before := e.monObservations(t)
		r := e.monImport(t, "monitor", "体质健康.csv", monCSV(bad...))
		ae := e.wantError(t, r, http.StatusUnprocessableEntity, "第27行")
		if !strings.Contains(ae.Error.Fields["第27行"], "student_fitness_pass_rat") || !strings.Contains(ae.Error.Fields["第52行"], "不能超过100") ||
			!strings.Contains(ae.Error.Fields["第53行"], "指标代码") || !strings.Contains(ae.Error.Fields["第2行"], "与第52行") || len(ae.Error.Fields) != 4 {
			t.Errorf("refusal fields: %v", ae.Error.Fields)
		}
		if !strings.Contains(ae.Error.Message, "未导入任何数据") {
			t.Errorf("refusal message: %q", ae.Error.Message)
		}
		if after := e.monObservations(t); after != before {
			t.Fatalf("a refused import changed %d values", after-before)
		}
		r = e.monImport(t, "monitor", "体质健康.csv", good)
		var res struct{ Rows, Created, Corrected, Unchanged int }
		e.decode(t, r, &res)
		if r.Status != http.StatusOK || res.Rows != 50 || res.Created != 50 {
			t.Fatalf("good file: %s", r)
		}
		if after := e.monObservations(t); after != before+50 {
			t.Errorf("%d values after a good file of 50, want %d", after, before+50)
		}
		if n := e.queryInt(t, "SELECT COUNT(*) FROM audit_events WHERE action = 'observation.record' AND detail LIKE ?", "导入：体质健康.csv 第%"); n != 50 {
			t.Errorf("%d audit events name the file's rows, want 50", n)
		}
		e.decode(t, e.monImport(t, "monitor", "体质健康.csv", good), &res)
		if res.Created != 0 || res.Corrected != 0 || res.Unchanged != 50 {
			t.Errorf("the same file again: %+v, want 50 unchanged", res)
		}
		// The school may not import; a file naming an org out of the importer's scope is refused by row.
		e.wantError(t, e.monImport(t, "school.hbw1", "x.csv", good), http.StatusForbidden, "")
		e.wantError(t, e.monImport(t, "monitor", "空.csv", []byte("")), http.StatusUnprocessableEntity, "file")
		e.wantError(t, e.monImport(t, "monitor", "x.csv", monCSV("student_fitness_pass_rate,baotou,2021,90,")), http.StatusUnprocessableEntity, "第2行")
	})
}

// TestMonImportTenThousand: 10,000 rows through the page's upload (as htmx sends it) land in seconds,
// with the steps shown; the time is logged.
func TestMonImportTenThousand(t *testing.T) {
	systemtest.Engines(t, caseOptions, func(t *testing.T, se *systemtest.Env) {
		e := wrapCaseEnv(se)
		e.login(t, "monitor")
		var orgs []string
		for _, o := range []string{"wuhai", "hbw", "wd", "hn", "yz", "lz", "sz", "zjx", "zyxy", "mzxx", "esy", "ycxx"} {
			orgs = append(orgs, o)
		}
		for _, d := range []string{"hbw", "wd", "hn"} {
			for i := 1; i <= 10; i++ {
				orgs = append(orgs, fmt.Sprintf("%s/s%03d", d, i))
			}
		}
		var inds []string
		var tmp struct {
			Items []struct {
				Code string `json:"code"`
			} `json:"items"`
		}
		e.decode(t, e.mustCall(t, "monitor", http.MethodGet, "/api/v1/indicators", nil, http.StatusOK), &tmp)
		for _, it := range tmp.Items {
			inds = append(inds, it.Code)
		}
		var b strings.Builder
		b.WriteString("指标代码,单位代码,年份,数值,备注\n")
		n := 0
	fill:
		for _, y := range []int{2021, 2022, 2023, 2024} {
			for _, o := range orgs {
				for _, code := range inds {
					fmt.Fprintf(&b, "%s,%s,%d,%d,\n", code, o, y, 40+(n%50))
					if n++; n == 10000 {
						break fill
					}
				}
			}
		}
		before := e.monObservations(t)
		br := &browser{Browser: se.Browser(t), t: t}
		br.webLogin("monitor", demo.Password)
		page := uiHTML(t, br.get("/monitoring/import"), http.StatusOK)
		uiWant(t, "import page", page, `hx-post="/monitoring/import"`, `<progress id="import-progress"`, "/static/monitoring.js", "下载导入模板")
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("_csrf", br.cookie("dudao_csrf"))
		fw, _ := mw.CreateFormFile("file", "全市2021-2024.csv")
		fw.Write([]byte(b.String()))
		mw.Close()
		start := time.Now()
		r := br.req(http.MethodPost, "/monitoring/import", &body, http.Header{"Content-Type": {mw.FormDataContentType()}, "HX-Request": {"true"}})
		took := time.Since(start)
		t.Logf("%s: 10,000 rows imported in %s", se.Engine, took.Round(time.Millisecond))
		frag := string(r.Body)
		if r.StatusCode != http.StatusOK || !strings.Contains(frag, `id="import-result"`) || strings.Contains(frag, "<html") {
			t.Fatalf("upload: %d %.500s", r.StatusCode, frag)
		}
		uiWant(t, "result fragment", frag, "导入完成", "读取文件「全市2021-2024.csv」：10000 行", "10000 行全部合格", "写入（一个事务）")
		if after := e.monObservations(t); after-before < 9000 { // the demo's values among them are corrected, not added
			t.Errorf("%d values added by 10,000 rows", after-before)
		}
		if took > 60*time.Second {
			t.Errorf("10,000 rows took %s; want seconds", took)
		}
	})
}

// TestMonReports: the three reports of the plan's cycle as pages with charts, as PDF and as Excel.
func TestMonReports(t *testing.T) {
	e := wrapEnv(systemtest.New(t, caseOptions)) // the clock at T0: 2 March 2026
	ce := wrapCaseEnv(e.Env)
	ce.login(t, "monitor", "school.hbw1")
	var rep struct {
		Title string    `json:"title"`
		Year  int       `json:"year"`
		Orgs  []caseOrg `json:"orgs"`
		Rows  []struct {
			Code  string          `json:"code"`
			Cells []monAttainment `json:"cells"`
		} `json:"rows"`
		Counts []map[string]int `json:"counts"`
		Sample bool             `json:"sample"`
	}
	for kind, year := range map[string]int{"midterm": 2023, "final": 2025, "annual": 2024} {
		ce.decode(t, ce.mustCall(t, "monitor", http.MethodGet, "/api/v1/reports/monitoring?kind="+kind+"&year=2024", nil, http.StatusOK), &rep)
		if rep.Year != year || len(rep.Orgs) != 4 || rep.Orgs[0].Path != "wuhai/" || !rep.Sample || len(rep.Counts) != 4 {
			t.Errorf("%s: year %d, orgs %v, sample %v", kind, rep.Year, rep.Orgs, rep.Sample)
		}
		wd := -1
		for i, o := range rep.Orgs {
			if o.Path == "wuhai/wd/" {
				wd = i
			}
		}
		for _, row := range rep.Rows {
			if row.Code == "compulsory_retention_rate" && kind == "midterm" {
				// 乌达区 in 2023: 96.0 against the trajectory's 96.2.
				if wd < 0 || row.Cells[wd].Status != "behind" || !monEq(row.Cells[wd].Value, f64(96)) {
					t.Errorf("midterm, 乌达区 (column %d): %+v", wd, row.Cells)
				}
			}
		}
	}
	ce.wantError(t, ce.call(t, "monitor", http.MethodGet, "/api/v1/reports/monitoring?kind=decade", nil), http.StatusUnprocessableEntity, "kind")
	ce.wantError(t, ce.call(t, "monitor", http.MethodGet, "/api/v1/reports/monitoring?kind=annual&year=2019", nil), http.StatusUnprocessableEntity, "year")
	ce.wantError(t, ce.call(t, "school.hbw1", http.MethodGet, "/api/v1/reports/monitoring", nil), http.StatusForbidden, "")

	b := e.browser(t)
	b.webLogin("monitor", demo.Password)
	page := uiHTML(t, b.get("/monitoring/report?kind=midterm"), http.StatusOK)
	uiCheckPage(t, "report", page)
	uiWant(t, "midterm report", page, "中期评估报告", `id="chart-status"`, `id="chart-series"`, `id="monitoring-data"`, "/static/monitoring.js",
		"/monitoring/report.pdf?", "/monitoring/report.xlsx?", "规划未写明中期评估的年份")
	pdf := b.get("/monitoring/report.pdf?kind=final")
	if pdf.StatusCode != http.StatusOK || !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("PDF: %d %q", pdf.StatusCode, pdf.Header.Get("Content-Type"))
	}
	x := b.get("/monitoring/report.xlsx?kind=annual&year=2025")
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	defer f.Close()
	props, err := f.GetDocProps()
	// The workbook names dudao and the office, and the day it was made — not the library's defaults.
	if err != nil || !strings.Contains(props.Creator, "dudao") || !strings.Contains(props.Description, "教育督导") ||
		!strings.HasPrefix(props.Created, "2026-03-01T16:00:00") {
		t.Errorf("workbook properties: %+v %v", props, err)
	}
	if sheets := f.GetSheetList(); strings.Join(sheets, ",") != "汇总,指标达成,约束性指标,说明" {
		t.Errorf("sheets %v", sheets)
	}
	// The report's date is a date cell: Excel's serial number 46083 (days since 1899-12-30), shown as a date.
	if raw, _ := f.GetCellValue("说明", "B6", excelize.Options{RawCellValue: true}); raw != "46083" {
		t.Errorf("the date cell holds %q, want the serial 46083 of 2026-03-02", raw)
	}
	if v, _ := f.GetCellValue("说明", "B6"); v != "2026-03-02" {
		t.Errorf("the date reads %q", v)
	}
}

// TestMonPages: the monitoring pages render for the monitor and stay on this site; the monitor's home
// shows the indicators behind their trajectory and what to enter next; a value entered on the page
// lands.
func TestMonPages(t *testing.T) {
	e := wrapEnv(systemtest.New(t, caseOptions)) // the clock at T0: 2 March 2026
	b := e.browser(t)
	b.webLogin("monitor", demo.Password)
	home := uiHTML(t, b.get("/"), http.StatusOK)
	uiWant(t, "monitor home", home, "滞后于规划进度的指标", "乌达区", "进度目标", "待填报（2025年数据）", "评估监测立案建议待处理")
	for _, p := range []string{"/monitoring", "/monitoring?org_id=2&year=2023", "/monitoring/import", "/monitoring/report?kind=final"} {
		uiCheckPage(t, p, uiHTML(t, b.get(p), http.StatusOK))
	}
	page := uiHTML(t, b.get("/monitoring"), http.StatusOK)
	uiWant(t, "monitoring", page, "2025年指标达成情况", "九年义务教育巩固率", "填报监测数据", "评估监测立案建议", `data-chart=`)
	city := regexpFind(t, page, `<option value="(\d+)" selected>乌海市</option>`)
	form := map[string][]string{"indicator_code": {"myopia_rate"}, "org_id": {city}, "year": {"2025"}, "value": {"52.3"}}
	after := uiFollow(t, b, "/monitoring/observations", form)
	if ok, text := uiFlash(t, after); !ok || !strings.Contains(text, "52.3") {
		t.Errorf("flash %q", text)
	}
	form["value"] = []string{"一百"}
	if r := uiPost(b, "/monitoring/observations", form); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "应为数字") {
		t.Errorf("a value that is not a number: %d", r.StatusCode)
	}
	tpl := b.get("/monitoring/template.xlsx")
	if f, err := excelize.OpenReader(bytes.NewReader(tpl.Body)); err != nil {
		t.Errorf("template: %v", err)
	} else {
		f.Close()
	}
	// A director decides proposals from their page.
	d := e.browser(t)
	d.webLogin("city.director", demo.Password)
	mon := uiHTML(t, d.get("/monitoring"), http.StatusOK)
	href := regexpFind(t, mon, `href="(/monitoring/proposals/\d+)"`)
	prop := uiHTML(t, d.get(href), http.StatusOK)
	uiCheckPage(t, href, prop)
	uiWant(t, "proposal", prop, "九年义务教育巩固率", "开立评估监测案件", "不予立案")
	ctx := context.Background()
	if _, err := e.app.Tick(ctx); err != nil {
		t.Fatal(err)
	}
}
