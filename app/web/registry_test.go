package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/cmd/system/systemtest"
	"dudao/domain"
)

// The inspector registry, 挂牌, draws and coverage over HTTP, on the demo of both engines.

type regDraw struct {
	ID         int64  `json:"id"`
	Status     string `json:"status"`
	Version    int    `json:"version"`
	Commitment string `json:"commitment"`
	Inputs     struct {
		Targets []struct {
			OrgID int64  `json:"org_id"`
			Code  string `json:"code"`
			Name  string `json:"name"`
		} `json:"targets"`
		Inspectors []struct {
			UserID int64  `json:"user_id"`
			Code   string `json:"code"`
		} `json:"inspectors"`
		Snapshot string `json:"snapshot"`
	} `json:"inputs"`
	Witnesses []struct {
		Seq        int     `json:"seq"`
		Commitment string  `json:"commitment"`
		Value      *string `json:"value"`
	} `json:"witnesses"`
	Seed   *string `json:"seed"`
	Result *struct {
		Assignments []struct {
			Rank   int `json:"rank"`
			Target struct {
				OrgID int64  `json:"org_id"`
				Code  string `json:"code"`
			} `json:"target"`
			Inspectors []struct {
				UserID int64  `json:"user_id"`
				Code   string `json:"code"`
			} `json:"inspectors"`
			CaseID *int64 `json:"case_id"`
		} `json:"assignments"`
		Skipped []json.RawMessage `json:"skipped"`
	} `json:"result"`
	AllowedActions []string `json:"allowed_actions"`
}

type regVerification struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

func regSHA(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (e *caseEnv) regVerify(t *testing.T, id int64) regVerification {
	t.Helper()
	var v regVerification
	e.decode(t, e.mustCall(t, "auditor", http.MethodGet, fmt.Sprintf("/api/v1/draws/%d/verify", id), nil, http.StatusOK), &v)
	return v
}

// TestDrawEndToEnd: a draw over the API from its creation to its planned cases, replayed by verify; a
// tampered row fails verify and says what differs; the public sees the same inputs without login.
func TestDrawEndToEnd(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "city.supervisor", "city.supervisor2", "city.director", "auditor", "hbw.supervisor", "school.hbw1")
		wd := e.org(t, "wuhai/wd/")

		// Created: the candidate lists frozen, the commitment the SHA-256 of the published snapshot.
		body := map[string]any{"title": "乌达区春季双随机抽查", "scope_org_id": wd.ID, "case_type": "school", "n": 3, "k": 2}
		req, _ := e.NewRequest("city.supervisor", http.MethodPost, "/api/v1/draws", body, http.Header{"Idempotency-Key": {"draw-wd-1"}})
		first, err := e.Do(req)
		if err != nil || first.StatusCode != http.StatusCreated {
			t.Fatalf("create: %v %s", err, first)
		}
		req, _ = e.NewRequest("city.supervisor", http.MethodPost, "/api/v1/draws", body, http.Header{"Idempotency-Key": {"draw-wd-1"}})
		again, _ := e.Do(req)
		if again.StatusCode != http.StatusCreated || again.Header.Get("Location") != first.Header.Get("Location") {
			t.Errorf("a retry with the same key: %s, Location %q vs %q", again, again.Header.Get("Location"), first.Header.Get("Location"))
		}
		var d regDraw
		systemtest.Decode(t, first, &d)
		if n := e.queryInt(t, "SELECT COUNT(*) FROM draws WHERE title = ?", "乌达区春季双随机抽查"); n != 1 {
			t.Errorf("%d draws after a retried create, want 1", n)
		}
		if first.Header.Get("Location") != fmt.Sprintf("/api/v1/draws/%d", d.ID) || d.Status != "committed" {
			t.Fatalf("created %+v at %s", d, first.Header.Get("Location"))
		}
		if len(d.Inputs.Targets) != 11 || regSHA(d.Inputs.Snapshot) != d.Commitment {
			t.Fatalf("11 schools of 乌达区 expected, and the commitment to hash the snapshot: %d targets, %s vs %s",
				len(d.Inputs.Targets), regSHA(d.Inputs.Snapshot), d.Commitment)
		}
		var codes []string
		for _, in := range d.Inputs.Inspectors {
			codes = append(codes, in.Code)
		}
		// the city's registry in service today; hbw's own stays out
		if want := []string{"wh-jz-001", "wh-jz-002", "wh-jz-003", "wh-jz-004", "wh-zz-001", "wh-zz-002"}; !slices.Equal(codes, want) {
			t.Errorf("candidate inspectors %v, want %v", codes, want)
		}
		var pub regDraw
		r := e.mustCall(t, "", http.MethodGet, fmt.Sprintf("/api/v1/public/draws/%d", d.ID), nil, http.StatusOK)
		e.decode(t, r, &pub)
		if pub.Commitment != d.Commitment || pub.Inputs.Snapshot != d.Inputs.Snapshot {
			t.Errorf("the public sees another draw")
		}
		snap := e.mustCall(t, "", http.MethodGet, fmt.Sprintf("/api/v1/public/draws/%d/snapshot", d.ID), nil, http.StatusOK)
		if regSHA(string(snap.Body)) != d.Commitment {
			t.Errorf("the snapshot download does not hash to the commitment")
		}

		// Who may see and take steps: another office and a school do not see it; the auditor reads, acts not.
		path := fmt.Sprintf("/api/v1/draws/%d", d.ID)
		e.mustCall(t, "hbw.supervisor", http.MethodGet, path, nil, http.StatusNotFound)
		e.mustCall(t, "school.hbw1", http.MethodGet, path, nil, http.StatusNotFound)
		e.mustCall(t, "auditor", http.MethodGet, path, nil, http.StatusOK)
		e.mustCall(t, "auditor", http.MethodPost, path+"/actions/commit_witness", map[string]any{"name": "甲", "role": "乙", "commitment": regSHA("x")}, http.StatusForbidden)
		e.mustCall(t, "city.supervisor", http.MethodPost, path+"/actions/cancel", map[string]any{"reason": "试"}, http.StatusForbidden)
		e.mustCall(t, "city.supervisor", http.MethodPost, path+"/actions/close_commitments", map[string]any{}, http.StatusConflict) // no witness yet

		// The ceremony: two witnesses commit, registration closes, the values are revealed.
		values := []string{"1-6-2-5-3-4-4-3-5-2-6-1", "zq8-Rt5-Lm2-Vx9-Kp"}
		for k, v := range values {
			e.mustCall(t, "city.supervisor", http.MethodPost, path+"/actions/commit_witness",
				map[string]any{"name": fmt.Sprintf("见证人%d", k+1), "role": "纪检监察组", "commitment": regSHA(v)}, http.StatusOK)
		}
		e.mustCall(t, "city.supervisor2", http.MethodPost, path+"/actions/close_commitments", map[string]any{}, http.StatusOK)
		e.mustCall(t, "city.supervisor", http.MethodPost, path+"/actions/commit_witness",
			map[string]any{"name": "迟到者", "role": "家长", "commitment": regSHA("late-value-123456")}, http.StatusConflict)
		bad := e.mustCall(t, "city.supervisor", http.MethodPost, path+"/actions/reveal", map[string]any{"seq": 1, "value": values[1]}, http.StatusUnprocessableEntity)
		e.wantError(t, bad, http.StatusUnprocessableEntity, "value")
		e.mustCall(t, "city.supervisor", http.MethodPost, path+"/actions/reveal", map[string]any{"seq": 2, "value": values[1]}, http.StatusOK)
		if v := e.regVerify(t, d.ID); !v.OK {
			t.Errorf("verify while revealing: %+v", v)
		}
		r = e.mustCall(t, "city.supervisor2", http.MethodPost, path+"/actions/reveal", map[string]any{"seq": 1, "value": values[0]}, http.StatusOK)
		e.decode(t, r, &d)
		if d.Status != "completed" || d.Seed == nil || d.Result == nil || len(d.Result.Assignments) != 3 || len(d.AllowedActions) != 0 {
			t.Fatalf("completed draw: %s", r)
		}

		// Each target drawn has its planned case, of the draw's type and kind, with the inspectors drawn.
		for _, a := range d.Result.Assignments {
			if a.CaseID == nil || len(a.Inspectors) != 2 || !strings.HasPrefix(a.Target.Code, "wd/") {
				t.Fatalf("assignment %+v", a)
			}
			c := e.getCase(t, "city.supervisor", *a.CaseID)
			var users []int64
			for _, i := range a.Inspectors {
				users = append(users, i.UserID)
			}
			if c.Status != "planned" || c.Kind != "random" || c.Type != "school" || c.TargetOrg.ID != a.Target.OrgID || c.OwnerOrg.Path != "wuhai/" {
				t.Errorf("case %d: %+v", *a.CaseID, c)
			}
			slices.Sort(users)
			got := slices.Sorted(slices.Values(c.InspectorIDs))
			if !slices.Equal(got, users) {
				t.Errorf("case %d inspectors %v, want the drawn %v", *a.CaseID, got, users)
			}
			if n := e.queryInt(t, "SELECT COUNT(*) FROM notifications WHERE case_id = ? AND kind = 'draw_assigned'", *a.CaseID); n != 2 {
				t.Errorf("case %d: %d drawn inspectors told, want 2", *a.CaseID, n)
			}
		}
		if n := e.queryInt(t, "SELECT COUNT(*) FROM draw_cases WHERE draw_id = ?", d.ID); n != 3 {
			t.Errorf("%d draw cases recorded, want 3", n)
		}
		if n := e.queryInt(t, "SELECT COUNT(*) FROM audit_events WHERE object_type = 'draw' AND object_id = ?", d.ID); n != 6 {
			t.Errorf("%d audit events of the draw, want 6 (create, 2 witnesses, close, 2 reveals)", n)
		}
		if v := e.regVerify(t, d.ID); !v.OK || !strings.Contains(v.Message, "核验通过") {
			t.Fatalf("verify of an untouched draw: %+v", v)
		}
		if v, err := e.App.VerifyDraw(t.Context(), app.System, d.ID); err != nil || !v.OK {
			t.Errorf("the command line's verify: %+v, %v", v, err)
		}

		// Tampering: the result (another inspector), a candidate's name (the snapshot), and the snapshot
		// with its commitment rewritten together (caught by the audit log).
		result := e.queryString(t, "SELECT result FROM draws WHERE id = ?", d.ID)
		targets := e.queryString(t, "SELECT targets FROM draws WHERE id = ?", d.ID)
		first0, second0 := d.Result.Assignments[0].Inspectors[0].Code, d.Result.Assignments[0].Inspectors[1].Code
		swapped := strings.Replace(result, `"code":"`+first0+`"`, `"code":"`+second0+`"`, 1)
		e.exec(t, "UPDATE draws SET result = ? WHERE id = ?", swapped, d.ID)
		if v := e.regVerify(t, d.ID); v.OK || !strings.Contains(v.Message, "抽取结果不符") {
			t.Errorf("a changed result: %+v", v)
		}
		e.exec(t, "UPDATE draws SET result = ? WHERE id = ?", result, d.ID)
		name := d.Inputs.Targets[0].Name
		e.exec(t, "UPDATE draws SET targets = ? WHERE id = ?", strings.Replace(targets, name, name+"X", 1), d.ID)
		if v := e.regVerify(t, d.ID); v.OK || !strings.Contains(v.Message, "快照承诺值不符") {
			t.Errorf("a changed candidate: %+v", v)
		}
		forged := strings.Replace(d.Inputs.Snapshot, name, name+"X", 1)
		e.exec(t, "UPDATE draws SET targets = ?, result = ?, commitment = ? WHERE id = ?", strings.Replace(targets, name, name+"X", 1),
			strings.ReplaceAll(result, name, name+"X"), regSHA(forged), d.ID)
		v := e.regVerify(t, d.ID)
		if v.OK || !strings.Contains(v.Message, "审计日志") {
			t.Errorf("a snapshot rewritten with its commitment: %+v", v)
		}
		if cli, _ := e.App.VerifyDraw(t.Context(), app.System, d.ID); cli.OK {
			t.Errorf("the command line's verify passes a forged draw")
		}
	})
}

func (e *caseEnv) queryString(t testing.TB, q string, args ...any) string {
	t.Helper()
	var s string
	if err := e.raw.QueryRow(e.rebind(q), args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

type regCoverage struct {
	Today    string         `json:"today"`
	Schools  int            `json:"schools"`
	Counts   map[string]int `json:"counts"`
	Findings []struct {
		Rule     string `json:"rule"`
		SchoolID *int64 `json:"school_id"`
		Name     string `json:"name"`
		Message  string `json:"message"`
	} `json:"findings"`
}

// has reports whether rule holds a finding about name.
func (c regCoverage) has(rule, name string) bool {
	return slices.ContainsFunc(c.Findings, func(f struct {
		Rule     string `json:"rule"`
		SchoolID *int64 `json:"school_id"`
		Name     string `json:"name"`
		Message  string `json:"message"`
	}) bool {
		return f.Rule == rule && strings.HasPrefix(f.Name, name)
	})
}

// TestCoverageRules: the coverage rules with the clock moved across a month's end, a semester's end
// and a year's end; what each role sees.
func TestCoverageRules(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "hbw.director", "hbw.supervisor", "city.director", "school.hbw1", "hbw.office", "monitor")
		school := "海勃湾区第一小学"
		cov := func(user string) regCoverage {
			t.Helper()
			var c regCoverage
			e.decode(t, e.mustCall(t, user, http.MethodGet, "/api/v1/coverage", nil, http.StatusOK), &c)
			return c
		}
		visit := func() {
			t.Helper()
			var c struct {
				ID int64 `json:"id"`
			}
			e.decode(t, e.mustCall(t, "hbw.supervisor", http.MethodPost, "/api/v1/cases", map[string]any{"type": "school", "kind": "routine",
				"target_org_id": e.org(t, "wuhai/hbw/s001/").ID, "title": "责任督学经常性督导", "inspector_ids": []int64{e.user(t, "hbw.supervisor").ID}},
				http.StatusCreated), &c)
			e.act(t, "hbw.supervisor", c.ID, "start", map[string]any{}, http.StatusOK)
		}
		at := func(s string) { e.clock.Set(mustTime(t, s)) }

		// 2 March 2026 (the spring semester from 1 February): no visit yet at 第一小学.
		c := cov("hbw.director")
		if c.Schools != 10 || !c.has("monthly_visit", school) || !c.has("semester_visits", school) || c.has("no_inspector", school) {
			t.Fatalf("at the start: %+v", c)
		}
		// 海南区 s006 and s010 have no 责任督学 in the demo; the city sees them, 海勃湾区 does not.
		if cc := cov("city.director"); cc.Counts["no_inspector"] != 2 || !cc.has("no_inspector", "海南区第六幼儿园") {
			t.Errorf("the city's schools without a 责任督学: %v", cc.Counts)
		}
		visit() // the first visit, 2 March
		c = cov("hbw.director")
		if c.has("monthly_visit", school) || !c.has("semester_visits", school) {
			t.Errorf("after one visit in March: monthly %v, semester %v", c.has("monthly_visit", school), c.has("semester_visits", school))
		}
		at("2026-03-31 18:00")
		if c = cov("hbw.director"); c.has("monthly_visit", school) {
			t.Errorf("31 March: the March visit counts")
		}
		at("2026-04-01 08:00") // a new month: the rule applies again; the semester still counts one
		if c = cov("hbw.director"); !c.has("monthly_visit", school) || !c.has("semester_visits", school) {
			t.Errorf("1 April: monthly %v, semester %v", c.has("monthly_visit", school), c.has("semester_visits", school))
		}
		visit() // the second visit of the semester
		if c = cov("hbw.director"); c.has("monthly_visit", school) || c.has("semester_visits", school) {
			t.Errorf("after the April visit: monthly %v, semester %v", c.has("monthly_visit", school), c.has("semester_visits", school))
		}
		at("2026-08-31 18:00") // the spring semester's last day: August has no visit, the semester has two
		if c = cov("hbw.director"); !c.has("monthly_visit", school) || c.has("semester_visits", school) {
			t.Errorf("31 August: monthly %v, semester %v", c.has("monthly_visit", school), c.has("semester_visits", school))
		}
		at("2026-09-01 08:00") // the autumn semester starts from nought
		if c = cov("hbw.director"); !c.has("semester_visits", school) {
			t.Errorf("1 September: the autumn semester has no visit yet")
		}

		// Training (R38) counts by calendar year: 郑涛 has 16 hours in 2026, 张磊 42; on 1 January both start again.
		at("2026-12-31 18:00")
		c = cov("hbw.director")
		if !c.has("training", "兼职督学 郑涛") || c.has("training", "海勃湾区督学 张磊") {
			t.Errorf("31 December: training findings %+v", c.Findings)
		}
		at("2027-01-01 08:00")
		if c = cov("hbw.director"); !c.has("training", "海勃湾区督学 张磊") {
			t.Errorf("1 January: 张磊's 2027 hours are none yet")
		}

		// Who sees what: a school its own school, a district office its district's, no inspectors;
		// the monitor has no business here.
		if c = cov("school.hbw1"); c.Schools != 1 || c.Counts["training"] != 0 {
			t.Errorf("school.hbw1: %d schools, %v", c.Schools, c.Counts)
		}
		if c = cov("hbw.office"); c.Schools != 10 || c.Counts["training"] != 0 {
			t.Errorf("hbw.office: %d schools, %v", c.Schools, c.Counts)
		}
		e.mustCall(t, "monitor", http.MethodGet, "/api/v1/coverage", nil, http.StatusForbidden)
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, domain.CST)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRegistryPermissions: who may read and do what on the registry, 挂牌, plans and draws; reads out
// of scope are 404, steps a role may not take 403.
func TestRegistryPermissions(t *testing.T) {
	e := newCaseEnv(t, "sqlite")
	e.login(t, "city.director", "city.supervisor", "hbw.director", "hbw.supervisor", "hbw.office", "school.hbw1", "auditor", "monitor")
	var list struct {
		Items []struct {
			ID     int64  `json:"id"`
			Code   string `json:"code"`
			UserID int64  `json:"user_id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	e.decode(t, e.mustCall(t, "city.director", http.MethodGet, "/api/v1/inspectors", nil, http.StatusOK), &list)
	if list.Total != 10 {
		t.Errorf("the city reads %d profiles, want 10 (its own 6 and 海勃湾区's 4)", list.Total)
	}
	ids := map[string]int64{}
	for _, i := range list.Items {
		ids[i.Code] = i.ID
	}
	e.decode(t, e.mustCall(t, "hbw.director", http.MethodGet, "/api/v1/inspectors", nil, http.StatusOK), &list)
	if list.Total != 4 {
		t.Errorf("海勃湾区 reads %d profiles, want its 4", list.Total)
	}
	insp := func(code string) string { return "/api/v1/inspectors/" + strconv.FormatInt(ids[code], 10) }

	// inspectors, by table: user, method, path, body, status
	type call struct {
		user, method, path string
		body               any
		want               int
	}
	calls := []call{
		{"school.hbw1", http.MethodGet, "/api/v1/inspectors", nil, http.StatusForbidden},
		{"hbw.office", http.MethodGet, "/api/v1/inspectors", nil, http.StatusForbidden},
		{"auditor", http.MethodGet, "/api/v1/inspectors", nil, http.StatusOK},
		{"hbw.director", http.MethodGet, insp("wh-zz-001"), nil, http.StatusNotFound},
		{"city.supervisor", http.MethodGet, insp("hbw-jz-001"), nil, http.StatusOK},
		{"school.hbw1", http.MethodPost, "/api/v1/inspectors", map[string]any{"unit_org_id": 1, "kind": "part_time", "code": "x-1", "user_id": 1}, http.StatusForbidden},
		{"city.supervisor", http.MethodPost, insp("wh-jz-002") + "/actions/suspend", map[string]any{"reason": "试"}, http.StatusForbidden},
		{"auditor", http.MethodPost, insp("wh-jz-002") + "/trainings", map[string]any{"year": 2026, "hours": 8, "course": "课"}, http.StatusForbidden},
		{"city.supervisor", http.MethodPost, insp("wh-jz-002") + "/trainings", map[string]any{"year": 2026, "hours": 8, "course": "校园安全专题"}, http.StatusCreated},
		{"city.director", http.MethodPost, insp("wh-jz-002") + "/actions/suspend", map[string]any{"reason": "涉嫌违反工作纪律，暂停履职接受调查。"}, http.StatusOK},
		{"city.director", http.MethodPost, insp("wh-jz-002") + "/actions/resume", map[string]any{}, http.StatusOK},
		// editing a profile is the director's
		{"city.supervisor", http.MethodPatch, insp("wh-jz-001"), map[string]any{"unit_org_id": 1, "kind": "part_time", "name": "赵丽", "cert_no": "X"}, http.StatusForbidden},
		// plans: supervisors draft, directors decide; a district office reads none
		{"hbw.office", http.MethodGet, "/api/v1/plans", nil, http.StatusForbidden},
		{"city.supervisor", http.MethodPost, "/api/v1/plans", map[string]any{"start_year": 2027}, http.StatusCreated},
		{"city.supervisor", http.MethodPost, "/api/v1/plans", map[string]any{"start_year": 2027}, http.StatusConflict},
		{"hbw.director", http.MethodPost, "/api/v1/plans", map[string]any{"start_year": 2027}, http.StatusForbidden},
		// draws
		{"school.hbw1", http.MethodGet, "/api/v1/draws", nil, http.StatusForbidden},
		{"school.hbw1", http.MethodGet, "/api/v1/draws/1", nil, http.StatusNotFound},
		{"hbw.supervisor", http.MethodGet, "/api/v1/draws/1", nil, http.StatusNotFound},
		{"", http.MethodGet, "/api/v1/public/draws/1", nil, http.StatusOK},
		{"", http.MethodGet, "/api/v1/draws/1", nil, http.StatusUnauthorized},
		{"auditor", http.MethodGet, "/api/v1/draws/1/verify", nil, http.StatusOK},
		// cancelling is a director's, over the running office: 海勃湾区's draw lies under the city
		{"hbw.supervisor", http.MethodPost, "/api/v1/draws/2/actions/cancel", map[string]any{"reason": "试"}, http.StatusForbidden},
		{"city.director", http.MethodPost, "/api/v1/draws/2/actions/cancel", map[string]any{"reason": "候选名单有误，重新组织。"}, http.StatusOK},
		{"city.director", http.MethodGet, "/api/v1/draws/2/verify", nil, http.StatusOK},
		{"monitor", http.MethodGet, "/api/v1/coverage", nil, http.StatusForbidden},
	}
	for _, c := range calls {
		r := e.Call(t, c.user, c.method, c.path, c.body, nil)
		if r.StatusCode != c.want {
			t.Errorf("%s %s as %q: got %s, want %d", c.method, c.path, c.user, r, c.want)
		}
	}

	// 挂牌: a school reads its own record only; assigning is a director's.
	var schools struct {
		Items []struct {
			School       systemtest.Org `json:"school"`
			AssignmentID *int64         `json:"assignment_id"`
			Sign         *struct {
				Inspector string `json:"inspector"`
			} `json:"sign"`
		} `json:"items"`
	}
	e.decode(t, e.mustCall(t, "school.hbw1", http.MethodGet, "/api/v1/assignments", nil, http.StatusOK), &schools)
	if len(schools.Items) != 1 || schools.Items[0].School.Path != "wuhai/hbw/s001/" || schools.Items[0].Sign == nil || schools.Items[0].Sign.Inspector != "海勃湾区督学 张磊" {
		t.Fatalf("school.hbw1's 挂牌: %+v", schools.Items)
	}
	own := *schools.Items[0].AssignmentID
	e.decode(t, e.mustCall(t, "hbw.office", http.MethodGet, "/api/v1/assignments", nil, http.StatusOK), &schools)
	if len(schools.Items) != 10 {
		t.Errorf("hbw.office reads %d schools, want 10", len(schools.Items))
	}
	var other int64
	for _, s := range schools.Items {
		if s.School.Path == "wuhai/hbw/s002/" {
			other = *s.AssignmentID
		}
	}
	e.mustCall(t, "school.hbw1", http.MethodGet, fmt.Sprintf("/api/v1/assignments/%d", own), nil, http.StatusOK)
	e.mustCall(t, "school.hbw1", http.MethodGet, fmt.Sprintf("/api/v1/assignments/%d", other), nil, http.StatusNotFound)
	e.mustCall(t, "hbw.supervisor", http.MethodPost, fmt.Sprintf("/api/v1/assignments/%d/actions/sign", own),
		map[string]any{"phone": "13900001111"}, http.StatusForbidden)
	e.mustCall(t, "hbw.director", http.MethodPost, fmt.Sprintf("/api/v1/assignments/%d/actions/sign", own),
		map[string]any{"phone": "13900001111", "sign_number": "HBW-001"}, http.StatusOK)
	var sign struct {
		Phone      string `json:"phone"`
		SignNumber string `json:"sign_number"`
	}
	e.decode(t, e.mustCall(t, "", http.MethodGet, fmt.Sprintf("/api/v1/public/signs/%d", own), nil, http.StatusOK), &sign)
	if sign.Phone != "13900001111" || sign.SignNumber != "HBW-001" {
		t.Errorf("public sign %+v", sign)
	}
	// Reassigning to an inspector who must recuse (吴静 declared 第四小学) or is at their cap is refused.
	var s4 int64
	for _, s := range schools.Items {
		if s.School.Path == "wuhai/hbw/s004/" {
			s4 = *s.AssignmentID
		}
	}
	r := e.mustCall(t, "hbw.director", http.MethodPost, fmt.Sprintf("/api/v1/assignments/%d/actions/reassign", s4),
		map[string]any{"inspector_id": ids["hbw-jz-001"], "phone": "13900001111", "reason": "定期交流"}, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.Body), "回避") {
		t.Errorf("a conflicted 责任督学: %s", r)
	}
}

// TestRegistryPages: the pages render for the roles that use them, a form writes through the write
// path, and the printable sign needs no login.
func TestRegistryPages(t *testing.T) {
	e := newCaseEnv(t, "sqlite")
	b := e.Browser(t)
	b.Login("city.director", "Dudao@2026")
	for path, want := range map[string]string{
		"/inspectors": "督学名录库", "/assignments": "责任督学挂牌", "/coverage": "挂牌督导覆盖情况", "/plans": "督导计划",
		"/draws": "双随机抽取", "/draws/1": "核验通过", "/plans/1": "实督第一年", "/assignments/1": "历任责任督学", "/inspectors/1": "培训档案",
	} {
		r := b.Get(path)
		if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), want) {
			t.Errorf("GET %s: %d, want 200 with %q", path, r.StatusCode, want)
		}
	}
	nav := string(b.Get("/").Body)
	for _, l := range []string{"督学名录", "责任督学挂牌", "覆盖情况", "督导计划", "双随机抽取"} {
		if !strings.Contains(nav, l) {
			t.Errorf("the navigation lacks %s", l)
		}
	}
	// A training line through the form, back to the profile with a message.
	tok := b.CSRF("/inspectors/1")
	r := b.Post("/inspectors/1/trainings", url.Values{"_csrf": {tok}, "year": {"2026"}, "hours": {"8"}, "course": {"督导案例研讨"}}, nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/inspectors/1" {
		t.Fatalf("training form: %s", r)
	}
	if page := string(b.Get("/inspectors/1").Body); !strings.Contains(page, "督导案例研讨") || !strings.Contains(page, "培训记录已登记") {
		t.Errorf("the profile does not show the new line and its message")
	}
	// A refused form comes back with the message beside its field.
	r = b.Post("/inspectors/1/trainings", url.Values{"_csrf": {tok}, "year": {"2026"}, "hours": {"0"}, "course": {"x"}}, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "学时") {
		t.Errorf("a refused training form: %d", r.StatusCode)
	}
	// The sign is public; a school's user reads the 挂牌 list and not the registry.
	anon := e.Browser(t)
	if r := anon.Get("/public/signs/1"); r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), "责任督学公示牌") {
		t.Errorf("public sign: %d", r.StatusCode)
	}
	sch := e.Browser(t)
	sch.Login("school.hbw1", "Dudao@2026")
	if r := sch.Get("/assignments"); r.StatusCode != http.StatusOK {
		t.Errorf("school.hbw1 /assignments: %d", r.StatusCode)
	}
	if r := sch.Get("/inspectors"); r.StatusCode != http.StatusForbidden {
		t.Errorf("school.hbw1 /inspectors: %d, want 403", r.StatusCode)
	}
}

// TestTrainingHoursInReport: the accountability report's inspectors carry the hours of their training
// file for the period's years (R38), and registry inspectors without a visit are listed too.
func TestTrainingHoursInReport(t *testing.T) {
	e := newCaseEnv(t, "sqlite")
	e.login(t, "city.director")
	var rep struct {
		Inspectors []struct {
			Name             string `json:"name"`
			Visits           int    `json:"visits"`
			TrainingHours    *int   `json:"training_hours"`
			TrainingRequired int    `json:"training_required"`
		} `json:"inspectors"`
	}
	e.decode(t, e.mustCall(t, "city.director", http.MethodGet, "/api/v1/reports/accountability?from=2026-01-01&to=2026-12-31", nil, http.StatusOK), &rep)
	got := map[string]string{}
	for _, i := range rep.Inspectors {
		h := "—"
		if i.TrainingHours != nil {
			h = fmt.Sprintf("%d/%d", *i.TrainingHours, i.TrainingRequired)
		}
		got[i.Name] = fmt.Sprintf("%d visits, %s", i.Visits, h)
	}
	// Her visits: the demo's cases naming her whose inspection started in 2026, cancelled ones left out.
	ctx := context.Background()
	wang, err := e.App.ActorFor(ctx, "city.supervisor")
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := e.App.ActorFor(ctx, "auditor") // reads every case of the city
	if err != nil {
		t.Fatal(err)
	}
	cases, err := e.App.ListCases(ctx, auditor, domain.CaseFilter{InspectorID: wang.UserID, PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	visits := 0
	for _, c := range cases.Items {
		if c.StartedAt != nil && c.StartedAt.In(domain.CST).Year() == 2026 && c.Status != domain.StatusCancelled {
			visits++
		}
	}
	if visits == 0 {
		t.Fatal("no demo case of 2026 names 王敏")
	}
	for name, want := range map[string]string{
		"市督学 王敏":      fmt.Sprintf("%d visits, 48/40", visits), // her file holds 48 学时
		"兼职督学 郑涛（示例）": "0 visits, 16/40",                       // in the registry, no visit: listed all the same
	} {
		if got[name] != want {
			t.Errorf("%s: %q, want %q (all: %v)", name, got[name], want, got)
		}
	}
	// Over two years the floor doubles and both years' lines count.
	e.decode(t, e.mustCall(t, "city.director", http.MethodGet, "/api/v1/reports/accountability?from=2025-01-01&to=2026-12-31", nil, http.StatusOK), &rep)
	for _, i := range rep.Inspectors {
		if i.Name == "兼职督学 郑涛（示例）" && (i.TrainingHours == nil || *i.TrainingHours != 56 || i.TrainingRequired != 80) {
			t.Errorf("two years of 郑涛: %+v", i)
		}
	}
}
