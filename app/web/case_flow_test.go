package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"dudao/domain"
)

// caseNumberRe is a case number of the city's office: 乌督学〔2026〕12号.
var caseNumberRe = regexp.MustCompile(`^(乌|海勃)(督学|督政|监测)〔(\d{4})〕([1-9]\d*)号$`)

// caseFullRun is what caseRunSchoolPath leaves behind for further checks.
type caseFullRun struct {
	id             int64
	f1, f2         int64
	evidence       []int64
	evidenceBytes  [][]byte
	wantAuditTrail []string
}

// TestCaseFullPath walks cases along the whole workflow of SPEC §2.1 over HTTP: a 督学 case with an
// upheld objection and a failed recheck, a 督政 case rectified by the district itself, and routine
// visits issued on the spot.
func TestCaseFullPath(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "city.director", "city.supervisor", "city.supervisor2", "hbw.director", "hbw.supervisor",
			"hbw.office", "school.hbw1", "school.wd1", "auditor")
		t.Run("school", func(t *testing.T) { caseRunSchoolPath(t, e) })
		t.Run("government", func(t *testing.T) { caseRunGovernmentPath(t, e) })
		t.Run("routine", func(t *testing.T) { caseRunRoutinePath(t, e) })
	})
}

// caseRunSchoolPath: city.supervisor inspects school.hbw1's school, the school objects to one finding
// and the director upholds it, the report is issued after the objection window, the first
// rectification fails at an independent recheck and the second passes.
func caseRunSchoolPath(t *testing.T, e *caseEnv) caseFullRun {
	e.login(t, "city.director", "city.supervisor", "city.supervisor2", "school.hbw1", "school.wd1")
	const sup, sup2, dir, school, other = "city.supervisor", "city.supervisor2", "city.director", "school.hbw1", "school.wd1"
	run := caseFullRun{}
	s001 := e.org(t, "wuhai/hbw/s001/")

	// Open: planned, numbered by the city office.
	team := e.team(t, sup)
	c := e.caseOf(t, e.mustCall(t, sup, http.MethodPost, "/api/v1/cases", e.unannounced(map[string]any{
		"type": "school", "kind": "special", "target_org_id": s001.ID, "title": "春季学期食品安全专项督导",
		"inspector_ids": team, "planned_on": string(e.clock.Today()),
	}), http.StatusCreated))
	run.id = c.ID
	m := caseNumberRe.FindStringSubmatch(c.Number)
	if m == nil || m[1] != "乌" || m[2] != "督学" || m[3] != "2026" {
		t.Errorf("number = %q, want 乌督学〔2026〕N号", c.Number)
	}
	if c.Status != "planned" || c.Version != 1 || c.Type != "school" || c.Kind != "special" ||
		c.OwnerOrg.Path != "wuhai/" || c.TargetOrg.Path != "wuhai/hbw/s001/" || !slices.Equal(c.InspectorIDs, team) {
		t.Errorf("opened case = %+v", c)
	}
	if !slices.Equal(c.AllowedActions, []string{"start"}) {
		t.Errorf("allowed_actions for the opener = %q, want [start]", c.AllowedActions)
	}
	e.wantAllowed(t, dir, c.ID, "cancel")
	e.wantAllowed(t, school, c.ID)
	e.wantError(t, e.call(t, other, http.MethodGet, casePath(c.ID, ""), nil), http.StatusNotFound, "")
	e.clock.Advance(time.Minute)

	// Inspect: two findings.
	c = e.caseOf(t, e.act(t, sup, c.ID, "start", nil, http.StatusOK))
	if c.Status != "inspecting" || c.Version != 2 {
		t.Errorf("after start: status %s version %d", c.Status, c.Version)
	}
	if !slices.Equal(c.AllowedActions, []string{"submit_preliminary"}) {
		t.Errorf("inspecting: allowed_actions for the inspector = %q, want [submit_preliminary]", c.AllowedActions)
	}
	c = e.caseOf(t, e.mustCall(t, sup, http.MethodPost, casePath(c.ID, "/findings"), map[string]any{
		"title": "食堂后厨生熟区域未分开", "description": "现场查看，生熟食品共用操作台。", "severity": "critical", "category": "食品卫生",
	}, http.StatusCreated))
	c = e.caseOf(t, e.mustCall(t, sup, http.MethodPost, casePath(c.ID, "/findings"), map[string]any{
		"title": "晨午检记录不全", "severity": "minor",
	}, http.StatusCreated))
	if len(c.Findings) != 2 {
		t.Fatalf("findings = %+v, want 2", c.Findings)
	}
	run.f1, run.f2 = c.Findings[0].ID, c.Findings[1].ID
	f1, f2 := c.finding(t, run.f1), c.finding(t, run.f2)
	if f1.Severity != "critical" || f1.Category != "食品卫生" || f1.Status != "open" || f1.DueOn != nil ||
		f2.Severity != "minor" || f2.Category != "其他" || f2.Status != "open" {
		t.Errorf("findings = %+v", c.Findings)
	}
	e.wantAllowed(t, dir, c.ID, "cancel")
	e.wantAllowed(t, school, c.ID)
	e.wantAllowed(t, sup2, c.ID, "submit_preliminary") // a supervisor of the owner org is on the team
	e.clock.Advance(time.Minute)

	// Feedback: the objection window runs five working days after today (Mon 2 Mar → Mon 9 Mar inclusive).
	c = e.caseOf(t, e.act(t, sup, c.ID, "submit_preliminary", nil, http.StatusOK))
	if c.Status != "feedback" || c.ObjectionDeadline == nil || *c.ObjectionDeadline != "2026-03-09T16:00:00Z" {
		t.Errorf("after submit_preliminary: status %s, objection_deadline %v; want feedback, 2026-03-09T16:00:00Z (midnight CST after 9 Mar)",
			c.Status, caseDeref(c.ObjectionDeadline))
	}
	e.wantAllowed(t, school, c.ID, "acknowledge")
	e.wantAllowed(t, sup, c.ID)
	e.wantAllowed(t, sup2, c.ID)
	e.wantAllowed(t, dir, c.ID)
	e.wantError(t, e.act(t, sup, c.ID, "submit_for_review", nil, http.StatusConflict), http.StatusConflict, "")

	// The school objects to finding 2, and the director upholds it: the finding is withdrawn.
	c = e.caseOf(t, e.mustCall(t, school, http.MethodPost, casePath(c.ID, "/objections"),
		map[string]any{"finding_id": run.f2, "text": "晨午检记录已按要求补齐，附件为记录本照片。"}, http.StatusCreated))
	if len(c.Objections) != 1 || c.Objections[0].Status != "pending" || c.Objections[0].FindingID == nil || *c.Objections[0].FindingID != run.f2 {
		t.Fatalf("objections = %+v", c.Objections)
	}
	oid := c.Objections[0].ID
	e.wantError(t, e.mustCall(t, sup, http.MethodPost, casePath(c.ID, fmt.Sprintf("/objections/%d/ruling", oid)),
		map[string]any{"upheld": true}, http.StatusForbidden), http.StatusForbidden, "")
	c = e.caseOf(t, e.mustCall(t, dir, http.MethodPost, casePath(c.ID, fmt.Sprintf("/objections/%d/ruling", oid)),
		map[string]any{"upheld": true, "reason": "经核实，记录已补齐。"}, http.StatusOK))
	if c.Objections[0].Status != "upheld" || c.finding(t, run.f2).Status != "withdrawn" || c.finding(t, run.f1).Status != "open" {
		t.Errorf("after the ruling: objections %+v, findings %+v", c.Objections, c.Findings)
	}

	// The window closes: the school can no longer object or acknowledge; the supervisor may submit.
	e.clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, domain.CST))
	e.wantAllowed(t, school, c.ID)
	e.wantAllowed(t, sup, c.ID, "submit_for_review")
	e.wantError(t, e.mustCall(t, school, http.MethodPost, casePath(c.ID, "/objections"),
		map[string]any{"text": "再申辩"}, http.StatusConflict), http.StatusConflict, "")
	c = e.caseOf(t, e.act(t, sup, c.ID, "submit_for_review", nil, http.StatusOK))
	if c.Status != "review" {
		t.Errorf("after submit_for_review: status %s", c.Status)
	}
	e.wantAllowed(t, dir, c.ID, "return", "issue")
	e.wantAllowed(t, sup, c.ID)
	e.wantAllowed(t, sup2, c.ID)
	e.wantAllowed(t, school, c.ID)
	e.clock.Advance(time.Minute)

	// Issue: the critical finding is due in 7 days; the withdrawn one gets no date.
	c = e.caseOf(t, e.act(t, dir, c.ID, "issue", nil, http.StatusOK))
	if c.Status != "rectifying" || c.IssuedAt == nil {
		t.Errorf("after issue: status %s issued_at %v", c.Status, caseDeref(c.IssuedAt))
	}
	if d := c.finding(t, run.f1).DueOn; d == nil || *d != "2026-03-17" {
		t.Errorf("critical finding due_on = %v, want 2026-03-17 (7 days after 10 Mar)", caseDeref(d))
	}
	if d := c.finding(t, run.f2).DueOn; d != nil {
		t.Errorf("withdrawn finding due_on = %v, want none", *d)
	}
	e.wantAllowed(t, school, c.ID, "submit_rectification")
	e.wantAllowed(t, sup, c.ID)
	e.wantAllowed(t, dir, c.ID)
	e.clock.Advance(time.Hour)

	// Rectify: nothing to submit yet; then a measure and a photo for finding 1.
	e.wantError(t, e.act(t, school, c.ID, "submit_rectification", nil, http.StatusUnprocessableEntity), http.StatusUnprocessableEntity, "findings")
	c = e.caseOf(t, e.mustCall(t, school, http.MethodPost, casePath(c.ID, fmt.Sprintf("/findings/%d/measures", run.f1)), map[string]any{
		"description": "后厨按生熟分区改造并张贴标识。", "responsible_person": "张校长", "responsible_unit": "后勤处", "due_on": "2026-03-16",
	}, http.StatusCreated))
	if ms := c.finding(t, run.f1).Measures; len(ms) != 1 || ms[0].DueOn != "2026-03-16" || ms[0].ResponsiblePerson != "张校长" {
		t.Errorf("measures = %+v", ms)
	}
	pngBytes := casePNG(t)
	r := e.upload(t, school, c.ID, "后厨整改.png", pngBytes, map[string]string{
		"finding_id": strconv.FormatInt(run.f1, 10), "note": "整改后后厨照片", "captured_at": "2026-03-10T09:30:00+08:00", "lat": "39.6553", "lng": "106.7942",
	})
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %s", r)
	}
	var ev caseEvidenceJSON
	e.decode(t, r, &ev)
	sum := sha256.Sum256(pngBytes)
	if ev.ID == 0 || ev.SHA256 != hex.EncodeToString(sum[:]) || ev.Size != int64(len(pngBytes)) || ev.ContentType != "image/png" ||
		ev.FindingID == nil || *ev.FindingID != run.f1 || ev.Reused {
		t.Errorf("evidence answer = %+v, want sha256 %x, size %d, image/png, finding %d, not reused", ev, sum, len(pngBytes), run.f1)
	}
	if _, err := os.Stat(filepath.Join(e.blobDir, ev.SHA256[:2], ev.SHA256[2:4], ev.SHA256)); err != nil {
		t.Errorf("stored file: %v", err)
	}
	run.evidence = append(run.evidence, ev.ID)
	run.evidenceBytes = append(run.evidenceBytes, pngBytes)
	caseWantDownload(t, e, ev.ID, pngBytes, school, dir)
	e.wantError(t, e.call(t, other, http.MethodGet, fmt.Sprintf("/api/v1/evidence/%d", ev.ID), nil), http.StatusNotFound, "")
	e.clock.Advance(time.Hour)

	c = e.caseOf(t, e.act(t, school, c.ID, "submit_rectification", nil, http.StatusOK))
	if c.Status != "verifying" || c.finding(t, run.f1).Status != "submitted" || c.finding(t, run.f2).Status != "withdrawn" {
		t.Errorf("after submit_rectification: status %s findings %+v", c.Status, c.Findings)
	}
	e.wantAllowed(t, sup2, c.ID, "recheck")
	e.wantAllowed(t, sup, c.ID) // an inspector of the case may not recheck it (independent_recheck)
	e.wantAllowed(t, dir, c.ID)
	e.wantAllowed(t, school, c.ID)
	passed := map[string]any{"results": []map[string]any{{"finding_id": run.f1, "passed": true, "comment": "已整改"}}}
	e.wantError(t, e.act(t, sup, c.ID, "recheck", passed, http.StatusForbidden), http.StatusForbidden, "")
	e.wantError(t, e.act(t, school, c.ID, "recheck", passed, http.StatusForbidden), http.StatusForbidden, "")
	e.clock.Advance(time.Hour)

	// Recheck fails: back to rectifying with a new date.
	c = e.caseOf(t, e.act(t, sup2, c.ID, "recheck", map[string]any{"results": []map[string]any{
		{"finding_id": run.f1, "passed": false, "comment": "熟食区标识仍未张贴。", "new_due_on": "2026-03-31"},
	}}, http.StatusOK))
	f1 = c.finding(t, run.f1)
	if c.Status != "rectifying" || f1.Status != "failed" || f1.DueOn == nil || *f1.DueOn != "2026-03-31" || c.RecheckFailures != 1 ||
		len(c.Rechecks) != 1 || c.Rechecks[0].Passed || c.Rechecks[0].Round != 1 || c.Rechecks[0].NewDueOn == nil || *c.Rechecks[0].NewDueOn != "2026-03-31" {
		t.Errorf("after failed recheck: status %s finding %+v rechecks %+v failures %d", c.Status, f1, c.Rechecks, c.RecheckFailures)
	}
	e.wantAllowed(t, school, c.ID, "submit_rectification")
	e.wantAllowed(t, sup2, c.ID)
	e.clock.Advance(time.Hour)

	// Rectify again and pass.
	e.mustCall(t, school, http.MethodPost, casePath(c.ID, fmt.Sprintf("/findings/%d/measures", run.f1)), map[string]any{
		"description": "熟食区张贴标识并每日巡查。", "responsible_person": "李主任", "due_on": "2026-03-20",
	}, http.StatusCreated)
	png2 := casePNG(t)
	r = e.upload(t, school, c.ID, "标识.png", png2, map[string]string{"finding_id": strconv.FormatInt(run.f1, 10)})
	if r.Status != http.StatusCreated {
		t.Fatalf("second upload: %s", r)
	}
	e.decode(t, r, &ev)
	run.evidence = append(run.evidence, ev.ID)
	run.evidenceBytes = append(run.evidenceBytes, png2)
	e.clock.Advance(time.Hour)
	c = e.caseOf(t, e.act(t, school, c.ID, "submit_rectification", nil, http.StatusOK))
	if c.Status != "verifying" || len(c.finding(t, run.f1).Measures) != 2 || len(c.finding(t, run.f1).Evidence) != 2 {
		t.Errorf("after the second submit: status %s finding %+v", c.Status, c.finding(t, run.f1))
	}
	e.clock.Advance(time.Hour)
	c = e.caseOf(t, e.act(t, sup2, c.ID, "recheck", passed, http.StatusOK))
	if c.Status != "closed" || c.ClosedAt == nil || c.finding(t, run.f1).Status != "passed" || len(c.Rechecks) != 2 || c.Rechecks[1].Round != 2 || !c.Rechecks[1].Passed {
		t.Errorf("after passed recheck: status %s closed_at %v finding %+v rechecks %+v", c.Status, caseDeref(c.ClosedAt), c.finding(t, run.f1), c.Rechecks)
	}
	if !caseNumberRe.MatchString(c.Number) {
		t.Errorf("number changed to %q", c.Number)
	}
	for _, u := range []string{sup, sup2, dir, school} {
		e.wantAllowed(t, u, c.ID)
	}
	e.wantError(t, e.mustCall(t, school, http.MethodPost, casePath(c.ID, fmt.Sprintf("/findings/%d/measures", run.f1)),
		caseMeasure(e.clock.Today()), http.StatusConflict), http.StatusConflict, "")
	caseWantDownload(t, e, run.evidence[1], png2, school, dir, sup2)

	run.wantAuditTrail = []string{"case.open", "case.start", "finding.add", "finding.add", "case.submit_preliminary",
		"objection.file", "objection.rule", "case.submit_for_review", "case.issue", "measure.add", "evidence.upload",
		"case.submit_rectification", "case.recheck", "measure.add", "evidence.upload", "case.submit_rectification", "case.recheck"}
	return run
}

// caseWantDownload checks that each user downloads exactly the uploaded bytes.
func caseWantDownload(t *testing.T, e *caseEnv, id int64, want []byte, users ...string) {
	t.Helper()
	for _, u := range users {
		r := e.call(t, u, http.MethodGet, fmt.Sprintf("/api/v1/evidence/%d", id), nil)
		if r.Status != http.StatusOK || !bytes.Equal(r.Body, want) || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("download evidence %d as %s: %d %s, %d bytes (want 200 image/png, the %d uploaded bytes)",
				id, u, r.Status, r.Header.Get("Content-Type"), len(r.Body), len(want))
		}
	}
}

// caseRunGovernmentPath: a 督政 case aimed at 海勃湾区 is rectified by the district's own office.
func caseRunGovernmentPath(t *testing.T, e *caseEnv) {
	const sup, sup2, dir, office = "city.supervisor", "city.supervisor2", "city.director", "hbw.office"
	e.login(t, sup, sup2, dir, office, "hbw.director", "hbw.supervisor", "school.hbw1")
	hbw := e.org(t, "wuhai/hbw/")
	c := e.caseOf(t, e.mustCall(t, sup, http.MethodPost, "/api/v1/cases", e.unannounced(map[string]any{
		"type": "government", "kind": "comprehensive", "target_org_id": hbw.ID, "title": "海勃湾区履行教育职责督导",
		"inspector_ids": e.team(t, sup),
	}), http.StatusCreated))
	if m := caseNumberRe.FindStringSubmatch(c.Number); m == nil || m[1] != "乌" || m[2] != "督政" || m[3] != "2026" {
		t.Errorf("number = %q, want 乌督政〔2026〕N号", c.Number)
	}
	if c.TargetOrg.Path != "wuhai/hbw/" || c.Type != "government" {
		t.Errorf("target %+v type %s", c.TargetOrg, c.Type)
	}
	e.wantError(t, e.call(t, "school.hbw1", http.MethodGet, casePath(c.ID, ""), nil), http.StatusNotFound, "")
	e.act(t, sup, c.ID, "start", nil, http.StatusOK)
	e.mustCall(t, sup, http.MethodPost, casePath(c.ID, "/findings"), map[string]any{"title": "教师编制配备不足", "severity": "major", "category": "办学条件"}, http.StatusCreated)
	c = e.caseOf(t, e.mustCall(t, sup, http.MethodPost, casePath(c.ID, "/findings"), map[string]any{"title": "校舍安全隐患排查不到位", "severity": "critical", "category": "校园安全"}, http.StatusCreated))
	g1, g2 := c.Findings[0].ID, c.Findings[1].ID
	e.clock.Advance(time.Minute)
	e.act(t, sup, c.ID, "submit_preliminary", nil, http.StatusOK)
	e.wantAllowed(t, office, c.ID, "acknowledge")
	e.wantAllowed(t, "hbw.director", c.ID) // of the target org, but a director does not rectify
	e.wantAllowed(t, sup, c.ID)
	c = e.caseOf(t, e.act(t, office, c.ID, "acknowledge", nil, http.StatusOK))
	if !c.Acknowledged {
		t.Errorf("acknowledged = false after acknowledge")
	}
	e.wantAllowed(t, office, c.ID)
	e.wantAllowed(t, sup, c.ID, "submit_for_review") // the target waived the rest of the window
	e.act(t, sup, c.ID, "submit_for_review", nil, http.StatusOK)
	e.clock.Advance(time.Minute)
	c = e.caseOf(t, e.act(t, dir, c.ID, "issue", nil, http.StatusOK))
	today := e.clock.Today()
	if d := c.finding(t, g1).DueOn; d == nil || *d != string(today.AddDays(30)) {
		t.Errorf("major finding due_on = %v, want %s (30 days)", caseDeref(d), today.AddDays(30))
	}
	if d := c.finding(t, g2).DueOn; d == nil || *d != string(today.AddDays(7)) {
		t.Errorf("critical finding due_on = %v, want %s (7 days)", caseDeref(d), today.AddDays(7))
	}
	e.wantAllowed(t, office, c.ID, "submit_rectification")
	e.wantAllowed(t, "hbw.director", c.ID)
	e.clock.Advance(time.Hour)
	for _, f := range []int64{g1, g2} {
		m := caseMeasure(e.clock.Today())
		m["due_on"] = *c.finding(t, f).DueOn // not after the finding's own deadline (the critical one is due in 7 days)
		e.mustCall(t, office, http.MethodPost, casePath(c.ID, fmt.Sprintf("/findings/%d/measures", f)), m, http.StatusCreated)
		e.uploadPNG(t, office, c.ID, f)
	}
	e.clock.Advance(time.Hour)
	c = e.caseOf(t, e.act(t, office, c.ID, "submit_rectification", nil, http.StatusOK))
	if c.Status != "verifying" {
		t.Errorf("after submit_rectification: %s", c.Status)
	}
	e.wantAllowed(t, sup2, c.ID, "recheck")
	e.clock.Advance(time.Hour)
	c = e.caseOf(t, e.act(t, sup2, c.ID, "recheck", map[string]any{"results": []map[string]any{
		{"finding_id": g1, "passed": true, "comment": "已补充编制"}, {"finding_id": g2, "passed": true},
	}}, http.StatusOK))
	if c.Status != "closed" || c.finding(t, g1).Status != "passed" || c.finding(t, g2).Status != "passed" {
		t.Errorf("after recheck: status %s findings %+v", c.Status, c.Findings)
	}
}

// caseRunRoutinePath: a 责任督学's routine visit is issued on the spot (R28), skipping feedback and review.
func caseRunRoutinePath(t *testing.T, e *caseEnv) {
	const sup, school = "hbw.supervisor", "school.hbw1"
	e.login(t, sup, school, "hbw.director", "city.director")
	s001 := e.org(t, "wuhai/hbw/s001/")
	open := func(title string) caseJSON {
		c := e.caseOf(t, e.mustCall(t, sup, http.MethodPost, "/api/v1/cases", map[string]any{
			"type": "school", "kind": "routine", "target_org_id": s001.ID, "title": title, "inspector_ids": []int64{e.user(t, sup).ID},
		}, http.StatusCreated))
		if m := caseNumberRe.FindStringSubmatch(c.Number); m == nil || m[1] != "海勃" || m[2] != "督学" || m[3] != "2026" {
			t.Errorf("number = %q, want 海勃督学〔2026〕N号 (the district office's)", c.Number)
		}
		if c.OwnerOrg.Path != "wuhai/hbw/" || c.Kind != "routine" {
			t.Errorf("owner %+v kind %s", c.OwnerOrg, c.Kind)
		}
		e.act(t, sup, c.ID, "start", nil, http.StatusOK)
		return c
	}

	c := open("责任督学挂牌督导（三月）")
	c = e.caseOf(t, e.mustCall(t, sup, http.MethodPost, casePath(c.ID, "/findings"), map[string]any{"title": "课间巡查不到位", "severity": "minor"}, http.StatusCreated))
	if !slices.Equal(c.AllowedActions, []string{"submit_preliminary", "issue"}) {
		t.Errorf("routine inspecting: allowed_actions = %q, want [submit_preliminary issue]", c.AllowedActions)
	}
	e.wantAllowed(t, school, c.ID)
	e.clock.Advance(time.Minute)
	c = e.caseOf(t, e.act(t, sup, c.ID, "issue", nil, http.StatusOK))
	if c.Status != "rectifying" || c.IssuedAt == nil {
		t.Errorf("after on-the-spot issue: status %s", c.Status)
	}
	if d := c.Findings[0].DueOn; d == nil || *d != string(e.clock.Today().AddDays(30)) {
		t.Errorf("minor finding due_on = %v, want %s", caseDeref(d), e.clock.Today().AddDays(30))
	}
	e.wantAllowed(t, school, c.ID, "submit_rectification")

	c2 := open("责任督学挂牌督导（无问题）")
	c2 = e.caseOf(t, e.act(t, sup, c2.ID, "issue", nil, http.StatusOK))
	if c2.Status != "closed" || c2.ClosedAt == nil {
		t.Errorf("on-the-spot issue without findings: status %s closed_at %v, want closed", c2.Status, caseDeref(c2.ClosedAt))
	}
	if n1, n2 := caseSeq(t, c.Number), caseSeq(t, c2.Number); n2 != n1+1 {
		t.Errorf("numbers %q then %q are not consecutive", c.Number, c2.Number)
	}
}

func caseSeq(t testing.TB, number string) int {
	t.Helper()
	m := caseNumberRe.FindStringSubmatch(number)
	if m == nil {
		t.Fatalf("number %q is not like 乌督学〔2026〕12号", number)
	}
	n, _ := strconv.Atoi(m[4])
	return n
}

func caseDeref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestCaseAuditChain checks the audit trail a full path leaves: who may read it, that it lists the
// case's events in order, and that the hash chain verifies until one event is tampered with.
func TestCaseAuditChain(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "auditor", "hbw.director", "hbw.office", "monitor")
		run := caseRunSchoolPath(t, e)
		ctx := context.Background()
		if id, reason, err := e.db.Verify(ctx); err != nil || id != 0 {
			t.Fatalf("Verify after the full path = %d %q %v, want 0", id, reason, err)
		}

		type event struct {
			ID       int64  `json:"id"`
			Action   string `json:"action"`
			ActorID  int64  `json:"actor_id"`
			ObjectID int64  `json:"object_id"`
			Hash     string `json:"hash"`
		}
		var out struct {
			Items []event `json:"items"`
		}
		e.decode(t, e.mustCall(t, "city.director", http.MethodGet, casePath(run.id, "/audit"), nil, http.StatusOK), &out)
		// Newest first, as every list of the API.
		var actions []string
		for i, ev := range out.Items {
			if i > 0 && ev.ID >= out.Items[i-1].ID {
				t.Errorf("audit events not in order (newest first): %d after %d", ev.ID, out.Items[i-1].ID)
			}
			if ev.ObjectID != run.id || ev.Hash == "" {
				t.Errorf("event %+v: not of case %d or without hash", ev, run.id)
			}
			actions = append(actions, ev.Action)
		}
		slices.Reverse(actions)
		if !slices.Equal(actions, run.wantAuditTrail) {
			t.Errorf("audit actions, oldest first = %q\nwant %q", actions, run.wantAuditTrail)
		}
		byAction := map[string]event{}
		for _, ev := range out.Items {
			byAction[ev.Action] = ev
		}
		for action, who := range map[string]string{"case.open": "city.supervisor", "case.issue": "city.director",
			"objection.file": "school.hbw1", "objection.rule": "city.director", "case.recheck": "city.supervisor2"} {
			if got := byAction[action].ActorID; got != e.user(t, who).ID {
				t.Errorf("%s by user %d, want %s (%d)", action, got, who, e.user(t, who).ID)
			}
		}

		for _, u := range []string{"auditor", "hbw.director"} {
			var o2 struct {
				Items []event `json:"items"`
			}
			e.decode(t, e.mustCall(t, u, http.MethodGet, casePath(run.id, "/audit"), nil, http.StatusOK), &o2)
			if len(o2.Items) != len(out.Items) {
				t.Errorf("%s reads %d audit events, the city director %d", u, len(o2.Items), len(out.Items))
			}
		}
		for u, want := range map[string]int{"school.hbw1": http.StatusForbidden, "hbw.office": http.StatusForbidden,
			"city.supervisor": http.StatusForbidden, "school.wd1": http.StatusNotFound, "monitor": http.StatusNotFound} {
			e.wantError(t, e.call(t, u, http.MethodGet, casePath(run.id, "/audit"), nil), want, "")
		}

		issue := byAction["case.issue"]
		if n := e.exec(t, "UPDATE audit_events SET detail = detail || ? WHERE id = ?", "（已篡改）", issue.ID); n != 1 {
			t.Fatalf("tamper: %d rows", n)
		}
		id, reason, err := e.db.Verify(ctx)
		if err != nil || id != issue.ID || !caseHasHan(reason) {
			t.Errorf("Verify after tampering with event %d = %d %q %v, want %d and a reason", issue.ID, id, reason, err, issue.ID)
		}
	})
}
