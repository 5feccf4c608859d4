package domain

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue 12: the case as paperwork. These tests use the test calendar of calendar_test.go (the 2026
// National Day week off, 1–7 October; 20 September and 10 October worked).

var (
	teamMate1 = caseActor(12, caseCity, RoleSupervisor)
	teamMate2 = caseActor(13, caseCity, RoleSupervisor)
	team3     = []int64{inspector.UserID, teamMate1.UserID, teamMate2.UserID}
)

func at(date string, hour int) time.Time {
	d := Date(date).Time()
	return d.Add(time.Duration(hour) * time.Hour)
}

func paperRules(t *testing.T) Rules {
	r := testRules()
	r.Calendar = testCalendar(t)
	r.HigherOffice = "内蒙古自治区人民政府教育督导委员会办公室"
	return r
}

var testPaper = Paper{Names: map[int64]string{10: "王督学", 12: "李督学", 13: "赵督学", 20: "张主任", 21: "刘主任"}}

// openPaperCase opens special case #100 (乌督学〔2026〕12号) with the given team, announced or not.
func openPaperCase(t *testing.T, r Rules, now time.Time, team []int64, unannounced bool) *Case {
	t.Helper()
	c, err := NewCase(inspector, caseCity, caseSchoolOrg, CaseSchool, KindSpecial, "校园安全专项督导", team, "", now)
	if err != nil {
		t.Fatal(err)
	}
	reason := ""
	if unannounced {
		reason = "举报线索需现场核实"
	}
	if err := c.Procedure(r, unannounced, reason); err != nil {
		t.Fatal(err)
	}
	c.ID = 100
	c.AssignNumber(12)
	return c
}

func TestProcedureBeforeTheVisit(t *testing.T) {
	r := paperRules(t)
	now := at("2026-08-31", 9) // a Monday
	one, err := NewCase(inspector, caseCity, caseSchoolOrg, CaseSchool, KindSpecial, "专项督导", []int64{10}, "", now)
	if err != nil {
		t.Fatal(err)
	}
	// R7: a team of three for a 专项 case; a routine visit may be one 责任督学.
	wantFields(t, one.Procedure(r, false, ""), "inspector_ids")
	routine, _ := NewCase(inspector, caseCity, caseSchoolOrg, CaseSchool, KindRoutine, "经常性督导", []int64{10}, "", now)
	must(t, routine.Procedure(r, false, ""))
	if routine.NeedsNotice(r) {
		t.Error("a routine visit needs no notice")
	}
	// R47: unannounced only with a reason, and a reason only when unannounced.
	c, _ := NewCase(inspector, caseCity, caseSchoolOrg, CaseSchool, KindSpecial, "专项督导", team3, "", now)
	wantFields(t, c.Procedure(r, true, " "), "unannounced_reason")
	wantFields(t, c.Procedure(r, false, "理由"), "unannounced_reason")

	c = openPaperCase(t, r, now, team3, false)
	// R20: no visit without a notice sent 30 days ahead.
	wantCode(t, c.Check(ActStart, inspector, now, r), ECONFLICT)
	if slices.Contains(c.AllowedActions(inspector, now, r, nil), ActStart) {
		t.Error("start is allowed before the notice")
	}
	notice := NoticeInput{VisitOn: "2026-09-29", Scope: "校园安全管理制度落实情况。", Documents: "安全台账。"}
	wantFields(t, c.SendNotice(inspector, now, r, notice, testPaper), "visit_on") // 29 days ahead
	notice.VisitOn = "2026-10-05"
	wantFields(t, c.SendNotice(inspector, now, r, notice, testPaper), "visit_on") // a holiday
	notice.VisitOn, notice.SelfEvaluationDue = "2026-10-08", "2026-10-03"         // the due day moves to the 8th: not before the visit
	wantFields(t, c.SendNotice(inspector, now, r, notice, testPaper), "self_evaluation_due")
	wantCode(t, c.SendNotice(principal, now, r, NoticeInput{VisitOn: "2026-10-08", Scope: "x"}, testPaper), EFORBIDDEN)
	if len(c.Documents) != 0 || c.NoticeSentAt != nil {
		t.Fatalf("a refused notice left %d documents", len(c.Documents))
	}
	notice.SelfEvaluationDue = "2026-09-27" // a Sunday: moves to Monday 28 September
	must(t, c.SendNotice(inspector, now, r, notice, testPaper))
	if c.PlannedOn != "2026-10-08" || c.SelfEvaluationDue != "2026-09-28" || c.NoticeSentAt == nil || !c.NoticeSentAt.Equal(now) {
		t.Errorf("after the notice: planned %s, self-evaluation due %s, sent %v", c.PlannedOn, c.SelfEvaluationDue, c.NoticeSentAt)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "已顺延至2026-09-28") {
		t.Errorf("notes = %q, want the moved self-evaluation day", c.Notes)
	}
	d := c.Documents[0]
	text := docText(t, d)
	for _, want := range []string{"乌督学通〔2026〕12号", "教育督导通知", "乌海市人民政府教育督导委员会办公室", "海勃湾区第十二小学", "2026年10月8日",
		"王督学、李督学、赵督学", "校园安全管理制度落实情况", "安全台账", "2026年9月28日前", "自评报告"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q: %s", want, text)
		}
	}

	// Before the visit the target uploads its 自评报告; nobody else uploads anything.
	e, err := c.AttachEvidence(principal, now, Evidence{SHA256: "se", Size: 1, ContentType: "application/pdf"})
	must(t, err)
	if e.Purpose != PurposeSelfEvaluation || len(c.FilesFor(PurposeSelfEvaluation)) != 1 {
		t.Errorf("self-evaluation file: %+v", e)
	}
	wantCode(t, c.CanAttach(inspector, now, nil, nil), EFORBIDDEN)

	// The visit begins on the day the notice named.
	wantCode(t, c.StartVisit(inspector, at("2026-10-07", 9), r), ECONFLICT)
	must(t, c.StartVisit(inspector, at("2026-10-08", 9), r))

	// An unannounced case starts at once and sends no notice.
	u := openPaperCase(t, r, now, team3, true)
	wantCode(t, u.CanSendNotice(inspector), ECONFLICT)
	must(t, u.StartVisit(inspector, now, r))
}

// docText is a document's content as one string.
func docText(t *testing.T, d CaseDocument) string {
	t.Helper()
	b, err := d.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	var c DocContent
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	var parts []string
	parts = append(parts, c.Issuer, c.Title, c.Number, c.Addressee, c.Signer, c.SignedBy, c.Date, c.Correction)
	parts = append(parts, c.Lead...)
	parts = append(parts, c.CopyTo...)
	for _, f := range c.Facts {
		parts = append(parts, f.Label+"："+f.Value)
	}
	for _, s := range c.Sections {
		parts = append(parts, s.Heading)
		parts = append(parts, s.Paragraphs...)
		for _, it := range s.Items {
			parts = append(parts, it.Title)
			for _, l := range it.Lines {
				parts = append(parts, l.Label+"："+l.Value)
			}
		}
	}
	return strings.Join(parts, "\n")
}

// inReview brings an unannounced special case to review on the given day: a major and a minor finding
// (ids 1 and 2), and the photo of the inspection (sha "before") on finding 1; the target objects to
// finding 2 and the director rejects it.
func inReview(t *testing.T, r Rules, day string) *Case {
	t.Helper()
	now := at(day, 9)
	c := openPaperCase(t, r, now, team3, true)
	must(t, c.StartVisit(inspector, now, r))
	f1, err := c.AddFinding(inspector, now, r, FindingInput{Title: "消防通道堆放杂物", Description: "东侧通道堆放桌椅。", Severity: SeverityMajor,
		Category: "校园安全", Requirement: "立即清理并建立巡查制度。"})
	must(t, err)
	f1.ID = 1
	f2, err := c.AddFinding(inspector, now, r, FindingInput{Title: "晨检记录不全", Severity: SeverityMinor})
	must(t, err)
	f2.ID = 2
	one := int64(1)
	_, err = c.AttachEvidence(inspector, now, Evidence{FindingID: &one, SHA256: "before", Size: 1, ContentType: "image/png"})
	must(t, err)
	must(t, c.SendPreliminary(inspector, now.Add(time.Hour), r, "学校安全管理总体规范。", testPaper))
	two := int64(2)
	o, err := c.FileObjection(principal, now.Add(2*time.Hour), &two, "晨检记录已补齐。")
	must(t, err)
	o.ID = 7
	must(t, c.RuleObjection(director, now.Add(3*time.Hour), 7, false, "记录仍缺三天。"))
	must(t, c.Acknowledge(principal, now.Add(4*time.Hour)))
	must(t, c.SubmitForReview(inspector, now.Add(5*time.Hour)))
	return c
}

// Deadlines typed by the issuer, the rechecker and the target move off weekends and holidays, and the
// step says so; a measure due after its finding's deadline needs a reason.
func TestTypedDeadlinesMoveOffHolidays(t *testing.T) {
	r := paperRules(t)
	c := inReview(t, r, "2026-09-24")
	issued := at("2026-09-28", 10)
	wantFields(t, c.IssueOpinion(director, issued, r, IssueParams{DueDates: map[int64]Date{1: "2026-09-27"}}), "due_dates") // before today
	must(t, c.IssueOpinion(director, issued, r, IssueParams{DueDates: map[int64]Date{1: "2026-10-03"}, Evaluation: "总体良好。",
		CopyTo: []string{"海勃湾区教育局"}, Paper: testPaper}))
	if f := c.Finding(1); f.DueOn != "2026-10-08" {
		t.Errorf("due date typed on a holiday = %s, want 2026-10-08", f.DueOn)
	}
	if f := c.Finding(2); f.DueOn != "2026-10-28" { // minor: 30 days, a Wednesday
		t.Errorf("default due date = %s, want 2026-10-28", f.DueOn)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "2026-10-03为非工作日，已顺延至2026-10-08") {
		t.Errorf("notes = %q", c.Notes)
	}

	day := at("2026-09-29", 9)
	m, err := c.AddMeasure(principal, day, r, 1, MeasureInput{Description: "清理通道。", ResponsiblePerson: "王校长", DueOn: "2026-10-04"})
	must(t, err)
	if m.DueOn != "2026-10-08" || len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "已顺延至2026-10-08") {
		t.Errorf("measure due %s (notes %q), want 2026-10-08", m.DueOn, c.Notes)
	}
	_, err = c.AddMeasure(principal, day, r, 1, MeasureInput{Description: "改造通道。", ResponsiblePerson: "王校长", DueOn: "2026-10-09"})
	wantFields(t, err, "late_reason")
	m, err = c.AddMeasure(principal, day, r, 1, MeasureInput{Description: "改造通道。", ResponsiblePerson: "王校长", DueOn: "2026-10-09",
		LateReason: "需等待施工队进场。"})
	must(t, err)
	if m.LateReason != "需等待施工队进场。" {
		t.Errorf("late reason = %q", m.LateReason)
	}

	rectifyBy(t, c, r, 1, day)
	rectifyBy(t, c, r, 2, day.Add(time.Minute))
	must(t, c.SubmitRectification(principal, day.Add(2*time.Minute)))
	recheck := at("2026-09-30", 9)
	must(t, c.Recheck(rechecker, recheck, r, []RecheckResult{{FindingID: 1, Passed: false, Comment: "仍有杂物。", NewDueOn: "2026-10-02"},
		{FindingID: 2, Passed: true}}))
	if f := c.Finding(1); f.DueOn != "2026-10-08" || c.Rechecks[len(c.Rechecks)-2].NewDueOn != "2026-10-08" {
		t.Errorf("new due date typed on a holiday = %s, want 2026-10-08", f.DueOn)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "新整改期限2026-10-02为非工作日") {
		t.Errorf("notes = %q", c.Notes)
	}
}

// After a failed recheck the target resubmits only with new material: not the file it sent before,
// not a copy of the inspector's own photo of the problem.
func TestFailedFindingNeedsNewMaterial(t *testing.T) {
	r := paperRules(t)
	c := inReview(t, r, "2026-09-14")
	must(t, c.IssueOpinion(director, at("2026-09-15", 9), r, IssueParams{Paper: testPaper}))
	one := int64(1)
	day := at("2026-09-16", 9)
	_, err := c.AddMeasure(principal, day, r, 1, MeasureInput{Description: "清理通道。", ResponsiblePerson: "王校长", DueOn: "2026-09-18"})
	must(t, err)
	// The inspector's photo uploaded again is no proof of rectification.
	_, err = c.AttachEvidence(principal, day, Evidence{FindingID: &one, SHA256: "before", Size: 1, ContentType: "image/png"})
	must(t, err)
	if c.HasRectificationEvidence(*c.Finding(1)) {
		t.Error("a copy of the inspection photo counts as rectification evidence")
	}
	_, err = c.AttachEvidence(principal, day, Evidence{FindingID: &one, SHA256: "after-1", Size: 1, ContentType: "image/png"})
	must(t, err)
	rectifyBy(t, c, r, 2, day)
	must(t, c.SubmitRectification(principal, day.Add(time.Minute)))
	failedAt := at("2026-09-17", 9)
	must(t, c.Recheck(rechecker, failedAt, r, []RecheckResult{{FindingID: 1, Passed: false, Comment: "仍有杂物。", NewDueOn: "2026-09-25"},
		{FindingID: 2, Passed: true}}))

	again := failedAt.Add(time.Hour)
	err = c.SubmitRectification(principal, again)
	wantFields(t, err, "findings")
	if !strings.Contains(err.(*Error).Fields["findings"], "复查后新的整改佐证材料") {
		t.Errorf("resubmission without new material: %v", err)
	}
	for _, sha := range []string{"after-1", "before"} { // the same files again
		_, err = c.AttachEvidence(principal, again, Evidence{FindingID: &one, SHA256: sha, Size: 1, ContentType: "image/png"})
		must(t, err)
		wantFields(t, c.SubmitRectification(principal, again), "findings")
	}
	_, err = c.AttachEvidence(principal, again, Evidence{FindingID: &one, SHA256: "after-2", Size: 1, ContentType: "image/png"})
	must(t, err)
	must(t, c.SubmitRectification(principal, again.Add(time.Minute)))
}

// The R16 ladder: 复查 within 15 days of the 意见书, decided within 30; 复核 by the next-higher office
// within 15 days of that decision, decided within 20; each day moved off weekends and holidays.
func TestReviewLadder(t *testing.T) {
	r := paperRules(t)
	issued := at("2026-09-16", 10) // +15 = 1 October, a holiday: moves to Thursday 8 October
	if got := r.ReviewApplyBy(issued); got != "2026-10-08" {
		t.Errorf("ReviewApplyBy = %s, want 2026-10-08", got)
	}
	if got := r.ReviewDecideBy(at("2026-10-08", 9)); got != "2026-11-09" { // +30 = Saturday 7 November
		t.Errorf("ReviewDecideBy = %s, want 2026-11-09", got)
	}
	if got := r.RereviewApplyBy(at("2026-10-20", 9)); got != "2026-11-04" {
		t.Errorf("RereviewApplyBy = %s, want 2026-11-04", got)
	}
	if got := r.RereviewDecideBy(at("2026-11-04", 9)); got != "2026-11-24" {
		t.Errorf("RereviewDecideBy = %s, want 2026-11-24", got)
	}

	c := inReview(t, r, "2026-09-14")
	_, err := NewReviewRequest(principal, c, ReviewFirst, nil, nil, "不服。", at("2026-09-15", 9), r)
	wantCode(t, err, ECONFLICT) // nothing issued yet
	must(t, c.IssueOpinion(director, issued, r, IssueParams{Paper: testPaper}))

	_, err = NewReviewRequest(officeUser, c, ReviewFirst, nil, nil, "不服。", at("2026-09-20", 9), r)
	wantCode(t, err, EFORBIDDEN) // only the target itself
	_, err = NewReviewRequest(principal, c, ReviewFirst, nil, nil, "不服。", at("2026-10-09", 9), r)
	wantCode(t, err, ECONFLICT) // the window closed on the 8th
	_, err = NewReviewRequest(principal, c, ReviewHigher, nil, &caseCity, "不服。", at("2026-09-20", 9), r)
	wantCode(t, err, ECONFLICT) // 复核 needs a decided 复查 first
	_, err = NewReviewRequest(principal, c, ReviewFirst, nil, nil, " ", at("2026-09-20", 9), r)
	wantFields(t, err, "reason")

	q, err := NewReviewRequest(principal, c, ReviewFirst, nil, nil, "问题一已于督导前整改。", at("2026-10-08", 16), r)
	must(t, err)
	q.ID = 1
	if q.Kind != ReviewFirst || q.OwnerOrg.ID != caseCity.ID || q.TargetOrg.ID != caseSchoolOrg.ID || q.DecideBy != "2026-11-09" || q.Status != ReviewApplied {
		t.Errorf("复查 = %+v", q)
	}
	if p, _ := q.Permission(OpApplyReview); p.Any[0].Side != AtTarget {
		t.Error("applying is not authorised at the target")
	}
	if p, _ := q.Permission(OpDecideReview); p.Any[0].Side != AtOwner || p.Any[0].Act != "decide" {
		t.Error("deciding is not authorised at the deciding office")
	}
	existing := []ReviewRequest{*q}
	_, err = NewReviewRequest(principal, c, ReviewFirst, existing, nil, "再次申请。", at("2026-10-08", 17), r)
	wantCode(t, err, ECONFLICT) // one 复查 per case
	if q.Late(at("2026-11-09", 18)) || !q.Late(at("2026-11-10", 9)) {
		t.Error("a 复查 is late from the day after its decision's clock")
	}
	wantCode(t, q.Decide(officeUser, at("2026-10-20", 9), ReviewUpheld, "理由"), EFORBIDDEN) // not the deciding office
	wantFields(t, q.Decide(director, at("2026-10-20", 9), "maybe", "理由"), "outcome")
	must(t, q.Decide(director, at("2026-10-20", 9), ReviewUpheld, "经复查，维持原督导意见。"))
	wantCode(t, q.Decide(director, at("2026-10-21", 9), ReviewChanged, "改判"), ECONFLICT)
	existing = []ReviewRequest{*q}

	_, err = NewReviewRequest(principal, c, ReviewHigher, existing, nil, "不服复查决定。", at("2026-10-21", 9), r)
	if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "内蒙古自治区人民政府教育督导委员会办公室") {
		t.Errorf("复核 with no higher office in the tree: %v", err)
	}
	_, err = NewReviewRequest(principal, c, ReviewHigher, existing, &caseCity, "不服复查决定。", at("2026-11-05", 9), r)
	wantCode(t, err, ECONFLICT) // the 复核 window closed on 4 November
	h, err := NewReviewRequest(principal, c, ReviewHigher, existing, &caseDistrict, "不服复查决定。", at("2026-11-04", 9), r)
	must(t, err)
	if h.OwnerOrg.ID != caseDistrict.ID || h.PriorID == nil || *h.PriorID != 1 || h.DecideBy != "2026-11-24" {
		t.Errorf("复核 = %+v", h)
	}
}

// The 意见书 holds what R9 asks, and it is fixed: a failed recheck does not change it; a correction is a
// new document that names what it corrects.
func TestOpinionDocument(t *testing.T) {
	r := paperRules(t)
	c := inReview(t, r, "2026-09-14")
	must(t, c.IssueOpinion(director, at("2026-09-15", 9), r, IssueParams{Evaluation: "学校安全工作总体规范。",
		CopyTo: []string{"海勃湾区教育局"}, Requirements: map[int64]string{2: "每日晨检并登记。"}, Paper: testPaper}))
	if len(c.Documents) != 3 || c.Documents[0].Kind != DocPreliminary || c.Documents[1].Kind != DocOpinion || c.Documents[2].Kind != DocReport {
		t.Fatalf("documents = %+v, want the preliminary opinion, the 意见书 and the 督导报告", c.Documents)
	}
	opinion := docText(t, c.Documents[1])
	for _, want := range []string{"乌海市人民政府教育督导委员会办公室", "乌督学〔2026〕12号", "海勃湾区第十二小学", "学校安全工作总体规范。",
		"消防通道堆放杂物", "整改要求和建议：立即清理并建立巡查制度。", "整改期限：2026年10月15日前", "晨检记录不全", "整改要求和建议：每日晨检并登记。",
		"申辩不成立", "记录仍缺三天", "海勃湾区教育局", "张主任", "2026年9月15日", "2026年9月30日前向乌海市人民政府教育督导委员会办公室申请复查"} {
		if !strings.Contains(opinion, want) {
			t.Errorf("意见书 lacks %q:\n%s", want, opinion)
		}
	}
	report := docText(t, c.Documents[2])
	for _, want := range []string{"教育督导报告", "乌督学报〔2026〕12号", "乌海市人民政府", "内蒙古自治区人民政府教育督导委员会办公室", "王督学、李督学、赵督学", "四不两直"} {
		if !strings.Contains(report, want) {
			t.Errorf("督导报告 lacks %q:\n%s", want, report)
		}
	}
	before, _ := c.Documents[1].Canonical()

	rectifyBy(t, c, r, 1, at("2026-09-16", 9))
	rectifyBy(t, c, r, 2, at("2026-09-16", 10))
	must(t, c.SubmitRectification(principal, at("2026-09-16", 11)))
	must(t, c.Recheck(rechecker, at("2026-09-17", 9), r, []RecheckResult{{FindingID: 1, Passed: false, Comment: "仍有杂物。", NewDueOn: "2026-10-20"}, {FindingID: 2, Passed: true}}))
	if after, _ := c.Documents[1].Canonical(); string(after) != string(before) {
		t.Error("a failed recheck changed the issued 意见书")
	}
	for i := range c.Documents {
		c.Documents[i].ID = int64(40 + i) // as storage numbers them
	}
	correct := func(id int64, reason string) error {
		_, err := c.CorrectOpinion(director, at("2026-09-18", 9), r, id, reason, testPaper)
		return err
	}
	wantFields(t, correct(41, " "), "reason")
	wantCode(t, correct(42, "更正报告。"), ECONFLICT) // the 督导报告 is not the 意见书
	wantCode(t, correct(99, "更正。"), ENOTFOUND)
	d, err := c.CorrectOpinion(director, at("2026-09-18", 9), r, 41, "复查后调整整改期限。", testPaper)
	must(t, err)
	if d.CorrectsID == nil || *d.CorrectsID != 41 || d.Number != "乌督学〔2026〕12号（更正1）" || c.LatestDocument(DocOpinion) != d {
		t.Fatalf("correction = %+v", d)
	}
	corrected := docText(t, *d)
	for _, want := range []string{"教育督导意见书（更正）", "本文件更正乌督学〔2026〕12号", "复查后调整整改期限", "整改期限：2026年10月20日前"} {
		if !strings.Contains(corrected, want) {
			t.Errorf("correction lacks %q:\n%s", want, corrected)
		}
	}
}

// Whoever must act next is told; a critical finding reaches the director and the office above at once.
func TestCaseNotices(t *testing.T) {
	r := paperRules(t)
	now := at("2026-09-14", 9)
	parent := int64(99)
	owner := caseDistrict
	owner.ParentID = &parent
	dirOfDistrict := caseActor(22, caseDistrict, RoleDirector)
	supOfDistrict := caseActor(14, caseDistrict, RoleSupervisor)
	c, err := NewCase(supOfDistrict, owner, caseSchoolOrg, CaseSchool, KindRoutine, "经常性督导", []int64{14}, "", now)
	must(t, err)
	c.ID = 5
	opened := c.Notices(OpOpenCase, supOfDistrict, now, r)
	if len(opened) != 1 || !slices.Equal(opened[0].To.Users, []int64{14}) || opened[0].Message.Link != "/cases/5" {
		t.Errorf("open tells %+v", opened)
	}
	must(t, c.Start(supOfDistrict, now))
	_, err = c.AddFinding(supOfDistrict, now, r, FindingInput{Title: "教学楼外墙脱落", Severity: SeverityCritical, Category: "校园安全"})
	must(t, err)
	ns := c.Notices(OpAddFinding, supOfDistrict, now, r)
	if len(ns) != 2 || ns[0].Message.Kind != NotifySafety || ns[0].To.Holders[0] != (RoleAt{RoleDirector, owner.ID}) ||
		ns[1].To.Holders[0] != (RoleAt{RoleDirector, parent}) {
		t.Errorf("a critical finding tells %+v", ns)
	}
	minor, err := c.AddFinding(supOfDistrict, now, r, FindingInput{Title: "台账不全", Severity: SeverityMinor})
	must(t, err)
	minor.ID = 2
	if ns := c.Notices(OpAddFinding, supOfDistrict, now, r); len(ns) != 0 {
		t.Errorf("a minor finding tells %+v", ns)
	}
	_, err = c.UpdateFinding(supOfDistrict, now, r, 2, FindingInput{Title: "台账不全，消防器材过期", Severity: SeverityCritical})
	must(t, err)
	if ns := c.Notices(OpUpdateFinding, supOfDistrict, now, r); len(ns) != 2 {
		t.Errorf("a finding made critical tells %+v", ns)
	}
	_, err = c.UpdateFinding(supOfDistrict, now, r, 2, FindingInput{Title: "消防器材过期", Severity: SeverityCritical})
	must(t, err)
	if ns := c.Notices(OpUpdateFinding, supOfDistrict, now, r); len(ns) != 0 {
		t.Errorf("editing a critical finding tells again: %+v", ns)
	}
	must(t, c.IssueOpinion(supOfDistrict, now, r, IssueParams{Paper: testPaper}))
	ns = c.Notices(ActIssue.Op(), dirOfDistrict, now, r)
	if len(ns) != 1 || !slices.Equal(ns[0].To.Members, []int64{caseSchoolOrg.ID}) || ns[0].To.Covering[0] != (RoleOver{RoleDistrictOffice, caseSchoolOrg.Path}) {
		t.Errorf("issue tells %+v", ns)
	}
	key := ns[0].Message.Key
	c.Version++
	if c.Notices(ActIssue.Op(), dirOfDistrict, now, r)[0].Message.Key == key {
		t.Error("two steps of a case share a notification key: the second would reach nobody")
	}
}

// rectifyBy gives finding id a measure due on its deadline and a new photo.
func rectifyBy(t *testing.T, c *Case, r Rules, id int64, now time.Time) {
	t.Helper()
	_, err := c.AddMeasure(principal, now, r, id, MeasureInput{Description: "按要求整改。", ResponsiblePerson: "王校长", DueOn: c.Finding(id).DueOn})
	must(t, err)
	fid := id
	_, err = c.AttachEvidence(principal, now, Evidence{FindingID: &fid, SHA256: now.Format(time.RFC3339Nano), Size: 1, ContentType: "image/png"})
	must(t, err)
}
