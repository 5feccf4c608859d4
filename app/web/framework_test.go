package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"dudao/app/demo"
	"dudao/cmd/system/systemtest"
)

// Frameworks and the scoring of an inspection, over HTTP on both engines, with the right answers
// written down: the weighted total, the veto, the finding a failed item becomes, and a new version of a
// framework that leaves the scores made with the old one as they were.

type fwJSON struct {
	ID             int64    `json:"id"`
	Code           string   `json:"code"`
	Name           string   `json:"name"`
	Version        int      `json:"version"`
	Status         string   `json:"status"`
	Revision       int      `json:"revision"`
	AllowedActions []string `json:"allowed_actions"`
	CanRevise      bool     `json:"can_revise"`
}

type fwScoring struct {
	CaseID           int64    `json:"case_id"`
	FrameworkID      int64    `json:"framework_id"`
	FrameworkCode    string   `json:"framework_code"`
	FrameworkVersion int      `json:"framework_version"`
	Total            float64  `json:"total"`
	Passed           bool     `json:"passed"`
	Complete         bool     `json:"complete"`
	Missing          []string `json:"missing"`
	Failed           []string `json:"failed"`
	VetoFailed       []string `json:"veto_failed"`
	FindingItems     []string `json:"finding_items"`
}

// fwScores are scores of items "1", "2", … in order; nil is left out.
func fwScores(values ...any) []map[string]any {
	var out []map[string]any
	for i, v := range values {
		switch x := v.(type) {
		case nil:
		case map[string]any:
			out = append(out, x)
		default:
			out = append(out, map[string]any{"code": strconv.Itoa(i + 1), "score": x})
		}
	}
	return out
}

func (e *caseEnv) fwByCode(t *testing.T, username, code string, version int) fwJSON {
	t.Helper()
	var list struct {
		Items []fwJSON `json:"items"`
		Total int      `json:"total"`
	}
	e.decode(t, e.mustCall(t, username, http.MethodGet, "/api/v1/frameworks", nil, http.StatusOK), &list)
	for _, f := range list.Items {
		if f.Code == code && f.Version == version {
			return f
		}
	}
	t.Fatalf("no framework %s version %d among %+v", code, version, list.Items)
	return fwJSON{}
}

// fwRoutineVisit opens a 责任督学's routine visit of a 海勃湾区 school and starts it.
func (e *caseEnv) fwRoutineVisit(t *testing.T, title string) caseJSON {
	t.Helper()
	c := e.caseOf(t, e.mustCall(t, "hbw.supervisor", http.MethodPost, "/api/v1/cases", map[string]any{"type": "school", "kind": "routine",
		"target_org_id": e.org(t, "wuhai/hbw/s001/").ID, "title": title, "inspector_ids": []int64{e.user(t, "hbw.supervisor").ID}}, http.StatusCreated))
	e.act(t, "hbw.supervisor", c.ID, "start", nil, http.StatusOK)
	return c
}

func (e *caseEnv) fwScore(t *testing.T, username string, caseID, frameworkID int64, scores []map[string]any, want int) fwScoring {
	t.Helper()
	var s fwScoring
	r := e.mustCall(t, username, http.MethodPut, casePath(caseID, "/scoring"), map[string]any{"framework_id": frameworkID, "scores": scores}, want)
	if want == http.StatusOK {
		e.decode(t, r, &s)
	}
	return s
}

func TestFwScoring(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "city.director", "hbw.supervisor", "school.hbw1", "auditor")
		const sup = "hbw.supervisor"
		r25 := e.fwByCode(t, sup, "zrdx-r25", 1)
		duzheng := e.fwByCode(t, sup, "duzheng-district", 1)
		if r25.Status != "published" || duzheng.Status != "published" {
			t.Fatalf("shipped frameworks: %+v %+v, want both published", r25, duzheng)
		}

		// The eight standing matters (R25): weight 12.5 each, out of 10, 6 to pass.
		c1 := e.fwRoutineVisit(t, "责任督学经常性督导（3月）")
		s := e.fwScore(t, sup, c1.ID, r25.ID, fwScores(10, 8, 6, 4, 10, 10, 9), http.StatusOK)
		// 12.5 × (10+8+6+4+10+10+9) / 10 = 71.25, the eighth not yet scored.
		if s.Total != 71.25 || s.Complete || s.Passed || len(s.Missing) != 1 || s.Missing[0] != "8" {
			t.Errorf("seven of eight scored: %+v; want 71.25, incomplete, missing 8", s)
		}
		s = e.fwScore(t, sup, c1.ID, r25.ID, fwScores(10, 8, 6, 4, 10, 10, 9, 7), http.StatusOK)
		// 12.5 × 64 / 10 = 80; item 4 is below 6 and fails, the whole passes (no veto item).
		if s.Total != 80 || !s.Complete || !s.Passed || strings.Join(s.Failed, ",") != "4" || s.FrameworkVersion != 1 || s.FrameworkCode != "zrdx-r25" {
			t.Errorf("all scored: %+v; want 80, passed, item 4 failed, version 1", s)
		}

		// A failed item becomes a finding in one step, once.
		r := e.mustCall(t, sup, http.MethodPost, casePath(c1.ID, "/scoring/items/4/finding"), nil, http.StatusCreated)
		var made struct {
			CreatedID int64 `json:"created_id"`
		}
		e.decode(t, r, &made)
		if loc := r.Header.Get("Location"); loc != casePath(c1.ID, fmt.Sprintf("/findings/%d", made.CreatedID)) {
			t.Errorf("Location %q, want the new finding", loc)
		}
		var f struct {
			Title    string `json:"title"`
			Severity string `json:"severity"`
			Category string `json:"category"`
			ItemCode string `json:"item_code"`
		}
		e.decode(t, e.mustCall(t, sup, http.MethodGet, r.Header.Get("Location"), nil, http.StatusOK), &f)
		// 4 of 10 is below half the maximum: 较重 (major); the item's category.
		if f.Title != "学生学习、体育锻炼、课业负担" || f.Severity != "major" || f.Category != "课程教学" || f.ItemCode != "zrdx-r25:4" {
			t.Errorf("finding from item 4: %+v", f)
		}
		e.wantError(t, e.call(t, sup, http.MethodPost, casePath(c1.ID, "/scoring/items/4/finding"), nil), http.StatusConflict, "")
		e.wantError(t, e.call(t, sup, http.MethodPost, casePath(c1.ID, "/scoring/items/3/finding"), nil), http.StatusConflict, "")
		e.wantError(t, e.call(t, sup, http.MethodPost, casePath(c1.ID, "/scoring/items/99/finding"), nil), http.StatusNotFound, "")
		var got fwScoring
		e.decode(t, e.mustCall(t, "school.hbw1", http.MethodGet, casePath(c1.ID, "/scoring"), nil, http.StatusOK), &got)
		if got.Total != 80 || strings.Join(got.FindingItems, ",") != "4" {
			t.Errorf("the school reads %+v", got)
		}
		// The inspected school reads the scoring but may not score; a framework for 督政 does not fit a school visit.
		e.wantError(t, e.call(t, "school.hbw1", http.MethodPut, casePath(c1.ID, "/scoring"),
			map[string]any{"framework_id": r25.ID, "scores": fwScores(10)}), http.StatusForbidden, "")
		e.wantError(t, e.call(t, sup, http.MethodPut, casePath(c1.ID, "/scoring"),
			map[string]any{"framework_id": duzheng.ID, "scores": fwScores(10)}), http.StatusConflict, "")
		e.wantError(t, e.call(t, sup, http.MethodPut, casePath(c1.ID, "/scoring"),
			map[string]any{"framework_id": r25.ID, "scores": fwScores(11)}), http.StatusUnprocessableEntity, "scores.1")

		// An office's own framework with a veto item (a 一票否决 check that weighs nothing).
		def := map[string]any{"code": "campus-safety", "name": "校园安全专项检查", "applies_to": map[string]any{"type": "school", "kinds": []string{"routine"}},
			"pass_mark": 60, "items": []map[string]any{
				{"code": "A", "title": "安全制度", "weight": 60, "max_score": 10, "category": "校园安全"},
				{"code": "B", "title": "安全设施", "weight": 40, "max_score": 10, "category": "校园安全"},
				{"code": "V", "title": "重大安全隐患", "weight": 0, "max_score": 1, "veto": true, "category": "校园安全"}}}
		var v1 fwJSON
		r = e.mustCall(t, "city.director", http.MethodPost, "/api/v1/frameworks", def, http.StatusCreated)
		e.decode(t, r, &v1)
		if v1.Status != "draft" || v1.Version != 1 || r.Header.Get("Location") != fmt.Sprintf("/api/v1/frameworks/%d", v1.ID) {
			t.Fatalf("created %+v at %q", v1, r.Header.Get("Location"))
		}
		e.wantError(t, e.call(t, sup, http.MethodPost, "/api/v1/frameworks", def), http.StatusForbidden, "")
		c2 := e.fwRoutineVisit(t, "校园安全专项检查（试用）")
		veto := []map[string]any{{"code": "A", "score": 10}, {"code": "B", "score": 5}, {"code": "V", "fail": true}}
		// A draft is the city office's own: to the district's inspector it does not exist yet.
		e.wantError(t, e.call(t, sup, http.MethodPut, casePath(c2.ID, "/scoring"), map[string]any{"framework_id": v1.ID, "scores": veto}),
			http.StatusUnprocessableEntity, "framework_id")
		e.mustCall(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/frameworks/%d/actions/publish", v1.ID), map[string]any{"version": v1.Revision}, http.StatusOK)
		s = e.fwScore(t, sup, c2.ID, v1.ID, veto, http.StatusOK)
		// (60 × 10/10 + 40 × 5/10) / 100 = 80 points, above the pass mark, but the veto item failed: the whole fails.
		if s.Total != 80 || s.Passed || strings.Join(s.Failed, ",") != "B,V" || strings.Join(s.VetoFailed, ",") != "V" {
			t.Errorf("veto: %+v; want 80, failed B and V, veto V, not passed", s)
		}
		r = e.mustCall(t, sup, http.MethodPost, casePath(c2.ID, "/scoring/items/V/finding"), nil, http.StatusCreated)
		e.decode(t, e.mustCall(t, sup, http.MethodGet, r.Header.Get("Location"), nil, http.StatusOK), &f)
		if f.Severity != "critical" || f.ItemCode != "campus-safety:V" {
			t.Errorf("finding from the veto item: %+v, want critical", f)
		}

		// Version 2 weighs A and B equally; version 1 is retired. Old scores stay as they were.
		var v2 fwJSON
		r = e.mustCall(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/frameworks/%d/revisions", v1.ID), nil, http.StatusCreated)
		e.decode(t, r, &v2)
		if v2.Version != 2 || v2.Status != "draft" || v2.ID == v1.ID {
			t.Fatalf("revision: %+v", v2)
		}
		e.wantError(t, e.call(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/frameworks/%d/revisions", v1.ID), nil), http.StatusConflict, "")
		def["items"].([]map[string]any)[0]["weight"], def["items"].([]map[string]any)[1]["weight"] = 50, 50
		e.wantError(t, e.call(t, "city.director", http.MethodPatch, fmt.Sprintf("/api/v1/frameworks/%d", v1.ID), def), http.StatusConflict, "")
		e.mustCall(t, "city.director", http.MethodPatch, fmt.Sprintf("/api/v1/frameworks/%d", v2.ID), def, http.StatusOK)
		e.mustCall(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/frameworks/%d/actions/publish", v2.ID), nil, http.StatusOK)
		e.mustCall(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/frameworks/%d/actions/retire", v1.ID), nil, http.StatusOK)
		e.decode(t, e.mustCall(t, sup, http.MethodGet, casePath(c2.ID, "/scoring"), nil, http.StatusOK), &got)
		if got.Total != 80 || got.FrameworkVersion != 1 || got.FrameworkID != v1.ID {
			t.Errorf("case scored with version 1 after version 2: %+v; want 80 with version 1", got)
		}
		c3 := e.fwRoutineVisit(t, "校园安全专项检查")
		e.fwScore(t, sup, c3.ID, v1.ID, veto, http.StatusConflict) // retired: not for a new inspection
		s = e.fwScore(t, sup, c3.ID, v2.ID, veto, http.StatusOK)
		// (50 × 10/10 + 50 × 5/10) / 100 = 75 with version 2.
		if s.Total != 75 || s.FrameworkVersion != 2 {
			t.Errorf("version 2: %+v; want 75", s)
		}
		// The inspection that began with version 1 finishes with it, retired or not.
		s = e.fwScore(t, sup, c2.ID, v1.ID, []map[string]any{{"code": "A", "score": 10}, {"code": "B", "score": 6}, {"code": "V", "fail": false}}, http.StatusOK)
		if s.Total != 84 || !s.Passed || len(s.Failed) != 0 || s.FrameworkVersion != 1 {
			t.Errorf("rescored with version 1: %+v; want 84, passed", s)
		}
		e.mustCall(t, "auditor", http.MethodGet, fmt.Sprintf("/api/v1/frameworks/%d", v1.ID), nil, http.StatusOK)
		e.wantError(t, e.call(t, "auditor", http.MethodPost, fmt.Sprintf("/api/v1/frameworks/%d/actions/retire", v2.ID), nil), http.StatusForbidden, "")
		// Once the visit is issued, the scoring is part of the record.
		e.act(t, sup, c1.ID, "issue", nil, http.StatusOK)
		e.wantError(t, e.call(t, sup, http.MethodPut, casePath(c1.ID, "/scoring"),
			map[string]any{"framework_id": r25.ID, "scores": fwScores(10, 10, 10, 10, 10, 10, 10, 10)}), http.StatusConflict, "")
	})
}

// TestFwChecklistPage: the inspection form's checklist on a phone: the eight standing matters with a
// score field each, saved from the form, a failed item turned into a finding with one button; the case
// page loads the checklist's card.
func TestFwChecklistPage(t *testing.T) {
	e := wrapEnv(systemtest.New(t, caseOptions)) // the clock at T0: 2 March 2026
	ce := wrapCaseEnv(e.Env)
	ce.login(t, "hbw.supervisor")
	c := ce.fwRoutineVisit(t, "责任督学经常性督导（手机）")
	b := e.browser(t)
	b.webLogin("hbw.supervisor", demo.Password)
	path := uiCasePath(c.ID) + "/checklist"
	body := uiHTML(t, b.get(path), http.StatusOK)
	uiCheckPage(t, path, body)
	uiWant(t, "checklist", body, "责任督学经常性督导八项事项", "校务管理与制度执行", "校风、教风、学风", `name="score_8"`, `inputmode="decimal"`, "保存评分")
	form := url.Values{"framework_id": {regexpFind(t, body, `name="framework_id" value="(\d+)"`)}}
	for i, v := range []string{"9", "9", "8", "3", "9", "10", "8", "9"} {
		form.Set(fmt.Sprintf("score_%d", i+1), v)
	}
	form.Set("note_4", "作业总量偏大")
	page := uiFollow(t, b, path, form)
	if ok, text := uiFlash(t, page); !ok || !strings.Contains(text, "81.25分（合格）") { // 12.5 × 65 / 10
		t.Errorf("flash %q, want the total 81.25", text)
	}
	uiWant(t, "scored checklist", page, "不合格项目", "形成问题")
	page = uiFollow(t, b, path+"/items/4/finding", url.Values{})
	uiWant(t, "after the finding", page, "已形成问题")
	casePage := uiHTML(t, b.get(uiCasePath(c.ID)), http.StatusOK)
	uiWant(t, "case page", casePage, `hx-get="/cases/`+strconv.FormatInt(c.ID, 10)+`/checklist/summary"`, "学生学习、体育锻炼、课业负担")
	card := b.get(path + "/summary")
	uiWant(t, "card", string(card.Body), `id="checklist"`, "81.25分（合格）", "1项不合格")
	// A score that is not a number is refused beside its item.
	form.Set("score_2", "九")
	r := uiPost(b, path, form)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "得分应为数字") {
		t.Errorf("bad score: %d", r.StatusCode)
	}
}
