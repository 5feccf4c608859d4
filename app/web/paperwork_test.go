package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/cmd/system/systemtest"
	"dudao/domain"
)

// Issue 12: a 督学 case walked as a supervision office runs it, over HTTP, on both engines.

// ppWatched are the users whose inboxes the walk watches: everyone near the case, and some who are not.
var ppWatched = []string{"city.supervisor", "city.supervisor2", "city.supervisor3", "city.supervisor4", "city.director",
	"school.hbw1", "hbw.office", "hbw.director", "hbw.supervisor", "school.hbw2", "auditor", "monitor"}

type ppNotification struct {
	Kind   string `json:"kind"`
	Title  string `json:"title"`
	Link   string `json:"link"`
	CaseID *int64 `json:"case_id"`
}

type ppInbox struct {
	Items []ppNotification `json:"items"`
	Total int              `json:"total"`
}

// ppInboxes reads each watched user's inbox.
func (e *caseEnv) ppInboxes(t *testing.T) map[string]ppInbox {
	t.Helper()
	out := map[string]ppInbox{}
	for _, u := range ppWatched {
		var in ppInbox
		e.decode(t, e.mustCall(t, u, http.MethodGet, "/api/v1/notifications?per_page=50", nil, http.StatusOK), &in)
		out[u] = in
	}
	return out
}

// ppTold checks that the step just taken told exactly the users want, once each, with a message of
// kind about the case, and nobody else among the watched users.
func (e *caseEnv) ppTold(t *testing.T, before map[string]ppInbox, step string, caseID int64, kind string, want ...string) map[string]ppInbox {
	t.Helper()
	after := e.ppInboxes(t)
	var got []string
	for _, u := range ppWatched {
		n := after[u].Total - before[u].Total
		if n == 0 {
			continue
		}
		got = append(got, u)
		if n != 1 {
			t.Errorf("%s: %s got %d notifications, want 1", step, u, n)
		}
		newest := after[u].Items
		found := false
		for _, x := range newest[:min(n, len(newest))] {
			if x.Kind == kind && x.CaseID != nil && *x.CaseID == caseID && x.Link == fmt.Sprintf("/cases/%d", caseID) && caseHasHan(x.Title) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %s has no %s notification linking to case %d: %+v", step, u, kind, caseID, newest[:min(n, len(newest))])
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s told %v, want %v", step, got, want)
	}
	return after
}

type ppDocument struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Number     string `json:"number"`
	SHA256     string `json:"sha256"`
	CorrectsID *int64 `json:"corrects_id"`
	URL        string `json:"url"`
	PDFURL     string `json:"pdf_url"`
	HTML       string `json:"html"`
}

type ppCase struct {
	caseJSON
	Unannounced        bool         `json:"unannounced"`
	SelfEvaluationDue  *string      `json:"self_evaluation_due"`
	PreliminaryOpinion string       `json:"preliminary_opinion"`
	Documents          []ppDocument `json:"documents"`
	Notes              []string     `json:"notes"`
	CreatedID          *int64       `json:"created_id"`
	Objections         []struct {
		ID          int64              `json:"id"`
		Status      string             `json:"status"`
		Attachments []caseEvidenceJSON `json:"attachments"`
	} `json:"objections"`
}

func (e *caseEnv) ppCaseOf(t *testing.T, r caseResp) ppCase {
	t.Helper()
	var c ppCase
	e.decode(t, r, &c)
	if c.ID == 0 {
		t.Fatalf("not a case: %s", r)
	}
	return c
}

func (c ppCase) doc(t *testing.T, kind string) ppDocument {
	t.Helper()
	var out *ppDocument
	for i := range c.Documents {
		if c.Documents[i].Kind == kind {
			out = &c.Documents[i]
		}
	}
	if out == nil {
		t.Fatalf("case %d has no %s document: %+v", c.ID, kind, c.Documents)
	}
	return *out
}

// ppUpload uploads content to the case with fields and answers the evidence.
func (e *caseEnv) ppUpload(t *testing.T, username string, id int64, content []byte, fields map[string]string, want int) caseEvidenceJSON {
	t.Helper()
	r := e.upload(t, username, id, "photo.png", content, fields)
	if r.Status != want {
		t.Fatalf("upload as %s with %v: got %s, want %d", username, fields, r, want)
	}
	var ev caseEvidenceJSON
	if want == http.StatusCreated {
		e.decode(t, r, &ev)
	}
	return ev
}

func (e *caseEnv) ppGetBytes(t *testing.T, username, path string) []byte {
	t.Helper()
	r := e.mustCall(t, username, http.MethodGet, path, nil, http.StatusOK)
	return r.Body
}

// TestCasePaperworkWalk walks a 专项 case with a notice, a self-evaluation, a team of three, an
// objection with an attachment, the issue, a failed recheck, a resubmission with new material and the
// closing, and checks who is told at each step (in the app, and by email) and that the 意见书 is the
// document as issued.
func TestCasePaperworkWalk(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		const sup, sup2, sup3, sup4, dir, school, office = "city.supervisor", "city.supervisor2", "city.supervisor3", "city.supervisor4",
			"city.director", "school.hbw1", "hbw.office"
		e.login(t, ppWatched...)
		s001 := e.org(t, "wuhai/hbw/s001/")
		e.mustCall(t, school, http.MethodPut, "/api/v1/notifications/email", map[string]string{"email": "principal@hbw1.example"}, http.StatusOK)
		team := e.team(t, sup)
		open := map[string]any{"type": "school", "kind": "special", "target_org_id": s001.ID, "title": "春季学期校园安全专项督导"}

		// R7: a 专项 case needs three 督学; R47: unannounced only with a reason.
		one := map[string]any{"inspector_ids": []int64{team[0]}}
		for k, v := range open {
			one[k] = v
		}
		e.wantError(t, e.call(t, sup, http.MethodPost, "/api/v1/cases", one), http.StatusUnprocessableEntity, "inspector_ids")
		open["inspector_ids"] = team
		noReason := map[string]any{"unannounced": true}
		for k, v := range open {
			noReason[k] = v
		}
		e.wantError(t, e.call(t, sup, http.MethodPost, "/api/v1/cases", noReason), http.StatusUnprocessableEntity, "unannounced_reason")

		// Open: the team hears of it.
		inbox := e.ppInboxes(t)
		c := e.ppCaseOf(t, e.mustCall(t, sup, http.MethodPost, "/api/v1/cases", open, http.StatusCreated))
		id := c.ID
		inbox = e.ppTold(t, inbox, "open", id, "case_opened", sup3, sup4)

		// R20: no visit without a notice sent 30 days ahead.
		e.wantError(t, e.act(t, sup, id, "start", nil, http.StatusConflict), http.StatusConflict, "")
		e.wantError(t, e.call(t, sup, http.MethodPost, casePath(id, "/notice"), map[string]any{"visit_on": "2026-03-31", "scope": "校园安全。"}),
			http.StatusUnprocessableEntity, "visit_on")
		e.wantError(t, e.call(t, school, http.MethodPost, casePath(id, "/notice"), map[string]any{"visit_on": "2026-04-01", "scope": "校园安全。"}),
			http.StatusForbidden, "")
		r := e.mustCall(t, sup, http.MethodPost, casePath(id, "/notice"), map[string]any{"visit_on": "2026-04-01",
			"scope": "校园安全管理制度落实、消防设施和应急演练情况。", "documents": "安全管理制度、隐患排查台账、演练记录。",
			"self_evaluation_due": "2026-03-21"}, http.StatusCreated)
		c = e.ppCaseOf(t, r)
		notice := c.doc(t, "notice")
		if loc := r.Header.Get("Location"); c.CreatedID == nil || *c.CreatedID != notice.ID || loc != notice.URL {
			t.Errorf("notice: created_id %v, Location %q; want the notice %d at %s", c.CreatedID, loc, notice.ID, notice.URL)
		}
		if c.SelfEvaluationDue == nil || *c.SelfEvaluationDue != "2026-03-23" || len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "已顺延至2026-03-23") {
			t.Errorf("self-evaluation due %v, notes %q; want Saturday 21 March moved to Monday 23 March", caseDeref(c.SelfEvaluationDue), c.Notes)
		}
		inbox = e.ppTold(t, inbox, "notice", id, "case_notice", school)
		var nd ppDocument
		e.decode(t, e.mustCall(t, school, http.MethodGet, casePath(id, fmt.Sprintf("/documents/%d", notice.ID)), nil, http.StatusOK), &nd)
		for _, want := range []string{"教育督导通知", "2026年4月1日", "市督学 王敏、市督学 赵芳、市督学 刘洋", "隐患排查台账", "2026年3月23日前"} {
			if !strings.Contains(nd.HTML, want) {
				t.Errorf("the notice the school reads lacks %q", want)
			}
		}

		// Before the visit the school uploads its 自评报告; the team hears of it.
		e.ppUpload(t, sup, id, casePNG(t), nil, http.StatusForbidden)
		self := e.ppUpload(t, school, id, casePNG(t), map[string]string{"note": "自评报告"}, http.StatusCreated)
		if self.Purpose != "self_evaluation" {
			t.Errorf("self-evaluation purpose = %q", self.Purpose)
		}
		inbox = e.ppTold(t, inbox, "self-evaluation", id, "self_evaluation", sup, sup3, sup4)

		// The visit begins on the day of the notice, by any of the team.
		e.clock.Set(time.Date(2026, 3, 31, 9, 0, 0, 0, domain.CST))
		e.wantError(t, e.act(t, sup3, id, "start", nil, http.StatusConflict), http.StatusConflict, "")
		e.clock.Set(time.Date(2026, 4, 1, 9, 0, 0, 0, domain.CST))
		e.act(t, sup3, id, "start", nil, http.StatusOK)
		inbox = e.ppTold(t, inbox, "start", id, "")

		c = e.ppCaseOf(t, e.mustCall(t, sup, http.MethodPost, casePath(id, "/findings"), map[string]any{"title": "消防通道堆放杂物",
			"description": "教学楼东侧消防通道堆放桌椅。", "severity": "major", "category": "校园安全", "requirement": "立即清理通道，建立每日巡查制度。"}, http.StatusCreated))
		f1 := c.Findings[0].ID
		inbox = e.ppTold(t, inbox, "major finding", id, "")
		c = e.ppCaseOf(t, e.mustCall(t, sup, http.MethodPost, casePath(id, "/findings"), map[string]any{"title": "晨午检记录不全", "severity": "minor"}, http.StatusCreated))
		f2 := c.Findings[1].ID
		c = e.ppCaseOf(t, e.mustCall(t, sup, http.MethodPost, casePath(id, "/findings"), map[string]any{"title": "教学楼外墙瓷砖脱落",
			"description": "外墙瓷砖大面积松动，危及学生安全。", "severity": "critical", "category": "校园安全"}, http.StatusCreated))
		f3 := c.Findings[2].ID
		// R34: a critical finding reaches the director at once (the city office is the top of the tree).
		inbox = e.ppTold(t, inbox, "critical finding", id, "safety_hazard", dir)
		before := casePNG(t) // the inspector's photo of the problem
		e.ppUpload(t, sup, id, before, map[string]string{"finding_id": strconv.FormatInt(f1, 10)}, http.StatusCreated)

		// The preliminary opinion is a document the school reads.
		c = e.ppCaseOf(t, e.act(t, sup, id, "submit_preliminary", map[string]any{"comment": "学校重视安全工作，但消防和校舍安全存在隐患。"}, http.StatusOK))
		inbox = e.ppTold(t, inbox, "preliminary", id, "case_preliminary", school)
		prelim := c.doc(t, "preliminary")
		if c.PreliminaryOpinion == "" || prelim.PDFURL != "" {
			t.Errorf("preliminary opinion %q, pdf %q", c.PreliminaryOpinion, prelim.PDFURL)
		}
		e.decode(t, e.mustCall(t, school, http.MethodGet, casePath(id, fmt.Sprintf("/documents/%d", prelim.ID)), nil, http.StatusOK), &nd)
		for _, want := range []string{"初步督导意见", "学校重视安全工作，但消防和校舍安全存在隐患。", "晨午检记录不全", "2026年4月9日（含）前"} {
			if !strings.Contains(nd.HTML, want) {
				t.Errorf("the preliminary opinion the school reads lacks %q", want)
			}
		}

		// The school objects to f2 with an attachment; the director rules.
		c = e.ppCaseOf(t, e.mustCall(t, school, http.MethodPost, casePath(id, "/objections"), map[string]any{"finding_id": f2, "text": "晨午检记录已补齐。"}, http.StatusCreated))
		oid := c.Objections[0].ID
		inbox = e.ppTold(t, inbox, "objection", id, "objection_filed", dir)
		e.ppUpload(t, sup, id, casePNG(t), map[string]string{"objection_id": strconv.FormatInt(oid, 10)}, http.StatusForbidden)
		e.ppUpload(t, school, id, casePNG(t), nil, http.StatusConflict) // in feedback only to an objection
		att := e.ppUpload(t, school, id, casePNG(t), map[string]string{"objection_id": strconv.FormatInt(oid, 10), "note": "晨午检记录本照片"}, http.StatusCreated)
		c = e.ppCaseOf(t, e.mustCall(t, school, http.MethodGet, casePath(id, ""), nil, http.StatusOK))
		if att.Purpose != "objection" || len(c.Objections[0].Attachments) != 1 || c.Objections[0].Attachments[0].ID != att.ID {
			t.Errorf("objection attachments = %+v", c.Objections[0].Attachments)
		}
		inbox = e.ppTold(t, inbox, "objection attachment", id, "")
		e.mustCall(t, dir, http.MethodPost, casePath(id, fmt.Sprintf("/objections/%d/ruling", oid)), map[string]any{"upheld": false, "reason": "记录仍缺三天。"}, http.StatusOK)
		inbox = e.ppTold(t, inbox, "ruling", id, "objection_ruled", school)
		e.act(t, school, id, "acknowledge", nil, http.StatusOK)
		inbox = e.ppTold(t, inbox, "acknowledge", id, "case_acknowledged", sup, sup3, sup4)
		e.act(t, sup, id, "submit_for_review", nil, http.StatusOK)
		inbox = e.ppTold(t, inbox, "submit for review", id, "case_for_review", dir)

		// Issue: a due date typed on a holiday moves; the school and its district office are told.
		e.clock.Set(time.Date(2026, 4, 2, 10, 0, 0, 0, domain.CST))
		c = e.ppCaseOf(t, e.act(t, dir, id, "issue", map[string]any{"due_dates": map[string]string{strconv.FormatInt(f1, 10): "2026-04-05"},
			"evaluation": "学校重视校园安全工作，制度基本健全，但消防通道管理和校舍安全存在隐患。", "copy_to": []string{"海勃湾区教育局"},
			"requirements": map[string]string{strconv.FormatInt(f3, 10): "立即设置警戒区，三日内完成外墙排险。"}}, http.StatusOK))
		inbox = e.ppTold(t, inbox, "issue", id, "case_issued", school, office)
		if got := caseDeref(c.caseJSON.finding(t, f1).DueOn); got != "2026-04-07" || len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "2026-04-05为非工作日，已顺延至2026-04-07") {
			t.Errorf("f1 due %s, notes %q; want the holiday 5 April moved to 7 April, said so", got, c.Notes)
		}
		mails := e.Mail.To("principal@hbw1.example")
		if len(mails) == 0 || !strings.Contains(mails[len(mails)-1].Subject, "督导意见书") || !strings.Contains(mails[len(mails)-1].Body, fmt.Sprintf("/cases/%d", id)) {
			t.Errorf("emails to the school: %+v, want the 意见书 with a link to the case", mails)
		}
		opinion, report := c.doc(t, "opinion"), c.doc(t, "report")
		if opinion.Number != c.Number || !strings.Contains(report.Number, "报") {
			t.Errorf("documents: opinion %+v, report %+v", opinion, report)
		}
		issuedPDF := e.ppGetBytes(t, school, casePath(id, "/opinion.pdf"))
		if !bytes.Equal(issuedPDF, e.ppGetBytes(t, dir, casePath(id, fmt.Sprintf("/documents/%d/pdf", opinion.ID)))) {
			t.Error("opinion.pdf is not the issued document")
		}
		sum := sha256.Sum256(issuedPDF)
		if hex.EncodeToString(sum[:]) != opinion.SHA256 {
			t.Errorf("the PDF's sha256 is not the document's %s", opinion.SHA256)
		}
		var audit struct {
			Items []struct {
				Action string `json:"action"`
				Detail string `json:"detail"`
			} `json:"items"`
		}
		e.decode(t, e.mustCall(t, dir, http.MethodGet, casePath(id, "/audit"), nil, http.StatusOK), &audit)
		issueAudited := false
		for _, ev := range audit.Items {
			if ev.Action == "case.issue" && strings.Contains(ev.Detail, "sha256="+opinion.SHA256) && strings.Contains(ev.Detail, "sha256="+report.SHA256) {
				issueAudited = true
			}
		}
		if !issueAudited {
			t.Errorf("the issue's audit event does not carry the documents' sha256: %+v", audit.Items)
		}
		text := rptPDFText(t, issuedPDF)
		for _, want := range []string{"乌海市人民政府教育督导委员会办公室", "教育督导意见书", c.Number, "海勃湾区第一小学", "总体评价",
			"学校重视校园安全工作，制度基本健全", "消防通道堆放杂物", "立即清理通道，建立每日巡查制度。", "2026年4月7日前",
			"教学楼外墙瓷砖脱落", "立即设置警戒区，三日内完成外墙排险。", "2026年4月9日前", "晨午检记录不全", "2026年5月6日前",
			"申辩不成立", "记录仍缺三天", "抄送：海勃湾区教育局", "签发日期", "2026年4月2日"} {
			if !strings.Contains(text, want) {
				t.Errorf("the 意见书 PDF lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "2026-04-07") {
			t.Error("the 意见书 prints an ISO date")
		}
		reportText := rptPDFText(t, e.ppGetBytes(t, dir, casePath(id, fmt.Sprintf("/documents/%d/pdf", report.ID))))
		for _, want := range []string{"教育督导报告", "乌海市人民政府", "抄送：内蒙古自治区人民政府教育督导委员会办公室", "市督学王敏、市督学赵芳、市督学刘洋"} {
			if !strings.Contains(reportText, want) {
				t.Errorf("the 督导报告 lacks %q:\n%s", want, reportText)
			}
		}

		// Rectification: a measure past its finding's deadline needs a reason; the inspector's own photo
		// uploaded again is flagged with where it was seen first.
		e.clock.Set(time.Date(2026, 4, 3, 9, 0, 0, 0, domain.CST))
		measure := func(fid int64, due, late string, want int) {
			t.Helper()
			body := map[string]any{"description": "逐项整改。", "responsible_person": "王校长", "due_on": due}
			if late != "" {
				body["late_reason"] = late
			}
			e.mustCall(t, school, http.MethodPost, casePath(id, fmt.Sprintf("/findings/%d/measures", fid)), body, want)
		}
		measure(f3, "2026-04-10", "", http.StatusUnprocessableEntity)
		measure(f3, "2026-04-09", "", http.StatusCreated)
		measure(f1, "2026-04-07", "", http.StatusCreated)
		measure(f2, "2026-05-08", "需补购记录本并培训。", http.StatusCreated)
		reused := e.ppUpload(t, school, id, before, map[string]string{"finding_id": strconv.FormatInt(f1, 10)}, http.StatusCreated)
		if !reused.Reused || !strings.Contains(reused.ReusedWhere, c.Number) || !strings.Contains(reused.ReusedWhere, "消防通道堆放杂物") {
			t.Errorf("the inspector's photo uploaded again: reused %v, where %q", reused.Reused, reused.ReusedWhere)
		}
		e.wantError(t, e.act(t, school, id, "submit_rectification", nil, http.StatusUnprocessableEntity), http.StatusUnprocessableEntity, "findings")
		for _, f := range []int64{f1, f2, f3} {
			e.uploadPNG(t, school, id, f)
		}
		inbox = e.ppTold(t, inbox, "rectification material", id, "")
		e.act(t, school, id, "submit_rectification", nil, http.StatusOK)
		inbox = e.ppTold(t, inbox, "submit rectification", id, "case_rectified", sup, sup2, sup3, sup4)

		// A failed recheck: the school and its district office are told; the issued 意见书 does not change.
		e.clock.Set(time.Date(2026, 4, 7, 9, 0, 0, 0, domain.CST))
		c = e.ppCaseOf(t, e.act(t, sup2, id, "recheck", map[string]any{"results": []map[string]any{
			{"finding_id": f1, "passed": false, "comment": "通道仍有杂物。", "new_due_on": "2026-04-18"},
			{"finding_id": f2, "passed": true}, {"finding_id": f3, "passed": true}}}, http.StatusOK))
		inbox = e.ppTold(t, inbox, "failed recheck", id, "case_rechecked", school, office)
		if got := caseDeref(c.caseJSON.finding(t, f1).DueOn); got != "2026-04-20" {
			t.Errorf("new due date typed on a Saturday = %s, want Monday 2026-04-20", got)
		}
		if after := e.ppGetBytes(t, school, casePath(id, "/opinion.pdf")); !bytes.Equal(after, issuedPDF) {
			t.Error("a failed recheck changed the issued 意见书")
		}
		if got := e.ppCaseOf(t, e.mustCall(t, school, http.MethodGet, casePath(id, ""), nil, http.StatusOK)).doc(t, "opinion"); got.SHA256 != opinion.SHA256 {
			t.Errorf("the 意见书's sha256 changed: %s", got.SHA256)
		}

		// Resubmission needs new material for the failed finding: not the files it had.
		e.clock.Set(time.Date(2026, 4, 8, 9, 0, 0, 0, domain.CST))
		r = e.act(t, school, id, "submit_rectification", nil, http.StatusUnprocessableEntity)
		if ae := e.wantError(t, r, http.StatusUnprocessableEntity, "findings"); !strings.Contains(ae.Error.Fields["findings"], "复查后新的整改佐证材料") {
			t.Errorf("resubmission without new material: %s", r)
		}
		e.ppUpload(t, school, id, before, map[string]string{"finding_id": strconv.FormatInt(f1, 10)}, http.StatusCreated)
		e.act(t, school, id, "submit_rectification", nil, http.StatusUnprocessableEntity)
		e.uploadPNG(t, school, id, f1)
		e.act(t, school, id, "submit_rectification", nil, http.StatusOK)
		inbox = e.ppTold(t, inbox, "resubmission", id, "case_rectified", sup, sup2, sup3, sup4)

		// The recheck passes and the case closes.
		c = e.ppCaseOf(t, e.act(t, sup2, id, "recheck", map[string]any{"results": []map[string]any{{"finding_id": f1, "passed": true, "comment": "已清理。"}}}, http.StatusOK))
		if c.Status != "closed" {
			t.Fatalf("after the second recheck: %s", c.Status)
		}
		inbox = e.ppTold(t, inbox, "closing recheck", id, "case_rechecked", school, office)

		// A correction is a new document, linked to the one it corrects, which stays as it was.
		e.wantError(t, e.call(t, sup, http.MethodPost, casePath(id, fmt.Sprintf("/documents/%d/corrections", opinion.ID)), map[string]any{"reason": "调整期限。"}),
			http.StatusForbidden, "")
		e.wantError(t, e.call(t, dir, http.MethodPost, casePath(id, fmt.Sprintf("/documents/%d/corrections", report.ID)), map[string]any{"reason": "调整期限。"}),
			http.StatusConflict, "")
		r = e.mustCall(t, dir, http.MethodPost, casePath(id, fmt.Sprintf("/documents/%d/corrections", opinion.ID)), map[string]any{"reason": "复查后调整问题一的整改期限。"}, http.StatusCreated)
		c = e.ppCaseOf(t, r)
		corr := c.doc(t, "opinion")
		if corr.CorrectsID == nil || *corr.CorrectsID != opinion.ID || corr.Number != c.Number+"（更正1）" || r.Header.Get("Location") != corr.URL {
			t.Errorf("correction = %+v (Location %s)", corr, r.Header.Get("Location"))
		}
		e.ppTold(t, inbox, "correction", id, "document_corrected", school, office)
		if !bytes.Equal(e.ppGetBytes(t, dir, casePath(id, fmt.Sprintf("/documents/%d/pdf", opinion.ID))), issuedPDF) {
			t.Error("the corrected 意见书 changed")
		}
		corrText := rptPDFText(t, e.ppGetBytes(t, school, casePath(id, "/opinion.pdf")))
		for _, want := range []string{"教育督导意见书（更正）", "本文件更正" + c.Number, "2026年4月20日前"} {
			if !strings.Contains(corrText, want) {
				t.Errorf("the correction lacks %q:\n%s", want, corrText)
			}
		}
	})
}

// The R16 ladder over HTTP: 复查 to the office that issued the 意见书, then 复核 to the one above it,
// each told to whoever decides or applied; a decision past its clock is reminded once.
func TestReviewLadderHTTP(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		tg := caseMatrixTargets[1] // school.hbw2's school, by the 海勃湾区 office: the city office is above it
		e.login(t, "hbw.director", "city.director", "school.hbw2", "hbw.office", "school.hbw1")
		b := e.build(t, tg, "rectifying")
		type review struct {
			ID        int64   `json:"id"`
			Kind      string  `json:"kind"`
			Status    string  `json:"status"`
			DecideBy  string  `json:"decide_by"`
			MayDecide bool    `json:"may_decide"`
			OwnerOrg  caseOrg `json:"owner_org"`
			Version   int     `json:"version"`
		}
		count := func(user, kind string) int64 {
			return e.queryInt(t, "SELECT COUNT(*) FROM notifications WHERE case_id = ? AND kind = ? AND user_id = ?", b.id, kind, e.user(t, user).ID)
		}
		e.wantError(t, e.call(t, "school.hbw2", http.MethodPost, casePath(b.id, "/reviews"), map[string]any{"kind": "rereview", "reason": "不服。"}), http.StatusConflict, "")
		e.wantError(t, e.call(t, "hbw.office", http.MethodPost, casePath(b.id, "/reviews"), map[string]any{"kind": "review", "reason": "不服。"}), http.StatusForbidden, "")
		e.wantError(t, e.call(t, "school.hbw1", http.MethodPost, casePath(b.id, "/reviews"), map[string]any{"kind": "review", "reason": "不服。"}), http.StatusNotFound, "")
		r := e.mustCall(t, "school.hbw2", http.MethodPost, casePath(b.id, "/reviews"), map[string]any{"kind": "review", "reason": "问题一已于督导前整改完毕。"}, http.StatusCreated)
		var q review
		e.decode(t, r, &q)
		today := e.clock.Today()
		if q.Kind != "review" || q.Status != "applied" || q.OwnerOrg.Path != "wuhai/hbw/" || r.Header.Get("Location") != fmt.Sprintf("/api/v1/reviews/%d", q.ID) ||
			domain.Date(q.DecideBy).Before(today.AddDays(30)) {
			t.Errorf("复查 = %+v (Location %s)", q, r.Header.Get("Location"))
		}
		if count("hbw.director", "review_applied") != 1 || count("city.director", "review_applied") != 0 {
			t.Error("the 复查 application did not reach the deciding office's directors alone")
		}
		e.wantError(t, e.call(t, "school.hbw2", http.MethodPost, casePath(b.id, "/reviews"), map[string]any{"kind": "review", "reason": "再次申请。"}), http.StatusConflict, "")

		// Late: one reminder to the deciding office, however often the scheduler runs.
		e.clock.Set(domain.Date(q.DecideBy).AddDays(1).Time().Add(9 * time.Hour))
		for range 2 {
			if _, err := e.App.Tick(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if n := count("hbw.director", "review_late"); n != 1 {
			t.Errorf("late 复查 reminders to the district director = %d, want 1", n)
		}
		e.wantError(t, e.call(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/reviews/%d/decision", q.ID), map[string]any{"outcome": "upheld", "decision": "维持。"}),
			http.StatusForbidden, "") // the city reads it, but 复查 is the district office's to decide
		e.mustCall(t, "hbw.director", http.MethodPost, fmt.Sprintf("/api/v1/reviews/%d/decision", q.ID), map[string]any{"outcome": "upheld", "decision": "经复查，维持原督导意见。"}, http.StatusOK)
		if count("school.hbw2", "review_decided") != 1 {
			t.Error("the school was not told of the 复查 decision")
		}

		r = e.mustCall(t, "school.hbw2", http.MethodPost, casePath(b.id, "/reviews"), map[string]any{"kind": "rereview", "reason": "不服复查决定。"}, http.StatusCreated)
		var h review
		e.decode(t, r, &h)
		if h.OwnerOrg.Path != "wuhai/" || h.Status != "applied" {
			t.Errorf("复核 = %+v, want it decided by the city office", h)
		}
		if count("city.director", "review_applied") != 1 {
			t.Error("the 复核 application did not reach the city office's directors")
		}
		var list struct {
			Items []review `json:"items"`
		}
		e.decode(t, e.mustCall(t, "city.director", http.MethodGet, casePath(b.id, "/reviews"), nil, http.StatusOK), &list)
		if len(list.Items) != 2 || list.Items[0].Status != "decided" || !list.Items[1].MayDecide {
			t.Errorf("reviews as the city director = %+v", list.Items)
		}
		e.mustCall(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/reviews/%d/decision", h.ID), map[string]any{"outcome": "changed", "decision": "问题一撤销。", "version": h.Version}, http.StatusOK)
		e.wantError(t, e.call(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/reviews/%d/decision", h.ID), map[string]any{"outcome": "upheld", "decision": "再议。"}), http.StatusConflict, "")
		e.wantError(t, e.call(t, "school.hbw1", http.MethodGet, fmt.Sprintf("/api/v1/reviews/%d", h.ID), nil), http.StatusNotFound, "")
	})
}

// The monitor role reads 评估监测 cases in its scope, and no other case.
func TestMonitorReadsMonitoringCases(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "city.supervisor", "monitor")
		hbw := e.org(t, "wuhai/hbw/")
		m := e.caseOf(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/cases", map[string]any{"type": "monitoring", "kind": "followup",
			"target_org_id": hbw.ID, "title": "义务教育巩固率监测回头看", "inspector_ids": []int64{e.user(t, "city.supervisor").ID}}, http.StatusCreated))
		got := e.getCase(t, "monitor", m.ID)
		if got.Type != "monitoring" || len(got.AllowedActions) != 0 {
			t.Errorf("the monitor reads %+v", got)
		}
		var list struct {
			Items []caseJSON `json:"items"`
			Total int        `json:"total"`
		}
		var monitoring int // the demo's 评估监测 cases and this one
		if err := e.raw.QueryRow("SELECT COUNT(*) FROM cases WHERE type = 'monitoring'").Scan(&monitoring); err != nil {
			t.Fatal(err)
		}
		e.decode(t, e.mustCall(t, "monitor", http.MethodGet, "/api/v1/cases?per_page=200", nil, http.StatusOK), &list)
		if len(list.Items) != monitoring || list.Total != monitoring || list.Items[0].ID != m.ID {
			t.Errorf("the monitor lists %+v, want the %d 评估监测 cases, newest first", list, monitoring)
		}
		for _, c := range list.Items {
			if c.Type != "monitoring" {
				t.Errorf("the monitor lists %s case %d", c.Type, c.ID)
			}
		}
		e.decode(t, e.mustCall(t, "monitor", http.MethodGet, "/api/v1/cases?type=school", nil, http.StatusOK), &list)
		if len(list.Items) != 0 {
			t.Errorf("the monitor lists school cases: %+v", list.Items)
		}
		e.decode(t, e.mustCall(t, "city.supervisor", http.MethodGet, "/api/v1/cases?type=school&per_page=1", nil, http.StatusOK), &list)
		e.wantError(t, e.call(t, "monitor", http.MethodGet, casePath(list.Items[0].ID, ""), nil), http.StatusNotFound, "")
		e.wantError(t, e.act(t, "monitor", m.ID, "start", nil, http.StatusForbidden), http.StatusForbidden, "")
		e.wantError(t, e.call(t, "monitor", http.MethodGet, casePath(m.ID, "/audit"), nil), http.StatusForbidden, "")

		b := e.Browser(t)
		b.Login("monitor", "Dudao@2026")
		page := b.Get("/cases?type=monitoring")
		if page.StatusCode != http.StatusOK || !strings.Contains(string(page.Body), "义务教育巩固率监测回头看") {
			t.Errorf("the monitor's case list page: %d", page.StatusCode)
		}
		if home := b.Get("/"); !strings.Contains(string(home.Body), `href="/cases?type=monitoring"`) {
			t.Error("the monitor's home does not link its cases")
		}
	})
}

// The admin is warned before the holiday calendar runs out, and deadlines past its end are shown as
// estimates (SPEC §2.3).
func TestCalendarWarningAndEstimates(t *testing.T) {
	e := wrapCaseEnv(systemtest.New(t, systemtest.Options{Start: time.Date(2026, 11, 16, 9, 0, 0, 0, domain.CST), Demo: true}))
	b := e.Browser(t)
	b.Login("admin", "Dudao@2026")
	if home := string(b.Get("/").Body); !strings.Contains(home, "节假日日历只到2026-12-31") || !strings.Contains(home, `id="calendar-warning"`) {
		t.Error("the admin home does not warn that the calendar ends on 2026-12-31")
	}
	sup := e.Browser(t)
	sup.Login("city.supervisor", "Dudao@2026")
	if strings.Contains(string(sup.Get("/").Body), "节假日日历") {
		t.Error("the warning is shown to a supervisor, who cannot act on it")
	}

	// Issued on 16 December, a minor finding is due 30 days later, in 2027, which the calendar does not cover.
	e.clock.Set(time.Date(2026, 12, 16, 9, 0, 0, 0, domain.CST))
	bt := e.build(t, caseMatrixTargets[0], "rectifying")
	c := e.getCase(t, "city.director", bt.id)
	due := caseDeref(c.finding(t, bt.f2).DueOn)
	if !strings.HasPrefix(due, "2027-") {
		t.Fatalf("f2 due %s, want a date in 2027", due)
	}
	dir := e.Browser(t)
	dir.Login("city.director", "Dudao@2026")
	if page := string(dir.Get(uiCasePath(bt.id)).Body); !strings.Contains(page, due+"（估算）") {
		t.Errorf("the case page does not mark %s as an estimate", due)
	}
	b = e.Browser(t) // the session of a month ago has expired
	b.Login("admin", "Dudao@2026")
	if home := string(b.Get("/").Body); !strings.Contains(home, "节假日日历只到2026-12-31（还剩15天）") {
		t.Error("the warning does not count the days left")
	}
}

// The paperwork in the pages: opening a 专项 case (refused without a team of three), sending its
// notice, issuing an 意见书 with an evaluation, requirements and 抄送, reading it, correcting it, and
// the R16 application and decision, each posted as a browser would.
func TestPaperworkPages(t *testing.T) {
	e := newEnv(t, app.Options{})
	ids := uiCases(t, e)
	s001 := strconv.FormatInt(e.orgIDs(t)["wuhai/hbw/s001/"], 10)
	docLink := regexp.MustCompile(`href="(/cases/\d+/documents/(\d+))"`)

	sup := e.browser(t)
	sup.webLogin("city.supervisor", demo.Password)
	form := url.Values{"type": {"school"}, "kind": {"special"}, "target_org_id": {s001}, "title": {"页面测试：校园安全专项督导"},
		"inspector_ids": {uiUserID(t, e, "city.supervisor")}}
	uiWant(t, "a team of one", uiHTML(t, uiPost(sup, "/cases", form), http.StatusUnprocessableEntity), "须由3名以上督学组成督导小组")
	form["inspector_ids"] = []string{uiUserID(t, e, "city.supervisor"), uiUserID(t, e, "city.supervisor3"), uiUserID(t, e, "city.supervisor4")}
	r := uiPost(sup, "/cases", form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("open: %d\n%s", r.StatusCode, r.Body)
	}
	casePage := r.Header.Get("Location")
	body := uiHTML(t, sup.get(casePage), http.StatusOK)
	uiWant(t, "a new 专项 case", body, "发出督导通知", "督导日期最早为")
	visit := e.app.Rules().Calendar.NextWorkingDay(e.app.Today().AddDays(40))
	body = uiFollow(t, sup, casePage+"/notice", url.Values{"visit_on": {string(visit)}, "scope": {"校园安全管理。"},
		"documents": {"安全台账。"}, "self_evaluation_due": {string(visit.AddDays(-7))}})
	uiWant(t, "after the notice", body, "督导通知已发送被督导单位", "督导通知已于", "重新发出督导通知")
	m := docLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the case page links no document:\n%s", body)
	}
	uiWant(t, "the notice", uiHTML(t, sup.get(m[1]), http.StatusOK), "教育督导通知", "校园安全管理。", "下载 PDF", "SHA-256")

	// The director issues the 市一中 case with an evaluation, a requirement and two units to copy.
	dir := e.browser(t)
	dir.webLogin("city.director", demo.Password)
	yz := uiCasePath(ids["市一中食堂食品安全专项督导"])
	fid := regexp.MustCompile(`name="due_(\d+)"`).FindStringSubmatch(uiHTML(t, dir.get(yz), http.StatusOK))
	if fid == nil {
		t.Fatal("the issue form has no due date field")
	}
	body = uiFollow(t, dir, yz+"/actions/issue", url.Values{"evaluation": {"食堂管理总体规范，留样制度执行不严。"},
		"req_" + fid[1]: {"建立留样台账，专人每日检查。"}, "copy_to": {"市市场监督管理局\n海勃湾区教育局"}})
	uiWant(t, "after the issue", body, "督导意见书已签发", "督导意见书", "督导报告")
	var opinion string
	for _, m := range docLink.FindAllStringSubmatch(body, -1) {
		if strings.Contains(body[strings.Index(body, m[0]):strings.Index(body, m[0])+200], "督导意见书") {
			opinion = m[1]
		}
	}
	if opinion == "" {
		t.Fatalf("no link to the 意见书:\n%s", body)
	}
	page := uiHTML(t, dir.get(opinion), http.StatusOK)
	uiWant(t, "the 意见书", page, "乌海市人民政府教育督导委员会办公室", "食堂管理总体规范，留样制度执行不严。", "建立留样台账，专人每日检查。",
		"抄送：市市场监督管理局，海勃湾区教育局。", "签发更正")
	body = uiFollow(t, dir, opinion+"/corrections", url.Values{"reason": {"补充抄送单位。"}})
	uiWant(t, "the correction", body, "（更正1）", "补充抄送单位。", "本文件更正")

	// The school applies for 复查 of its 意见书; the city director decides.
	school := e.browser(t)
	school.webLogin("school.yz", demo.Password)
	body = uiHTML(t, school.get(yz), http.StatusOK)
	uiWant(t, "the school's case page", body, "申请复查", "复查与复核")
	body = uiFollow(t, school, yz+"/reviews", url.Values{"kind": {"review"}, "reason": {"留样记录缺失系系统故障所致。"}})
	uiWant(t, "after applying", body, "复查申请已提交", "留样记录缺失系系统故障所致。", "待决定")
	rid := regexp.MustCompile(`/reviews/(\d+)/decision`).FindStringSubmatch(uiHTML(t, dir.get(yz), http.StatusOK))
	if rid == nil {
		t.Fatal("the director sees no decision form")
	}
	body = uiFollow(t, dir, yz+"/reviews/"+rid[1]+"/decision", url.Values{"outcome": {"upheld"}, "decision": {"经复查，维持原督导意见。"}})
	uiWant(t, "after deciding", body, "已作出复查决定：维持原督导意见", "经复查，维持原督导意见。")
}
