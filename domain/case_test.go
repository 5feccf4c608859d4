package domain

import (
	"errors"
	"fmt"
	"testing"
	"time"
	"unicode"
)

// The case fixtures: the city office inspects a school of 海勃湾区.
var (
	caseCity      = Org{ID: 1, Code: "wuhai", Name: "乌海市", Kind: OrgCity, Path: "wuhai/"}
	caseDistrict  = Org{ID: 2, Code: "hbw", Name: "海勃湾区", Kind: OrgDistrict, Path: "wuhai/hbw/"}
	caseSchoolOrg = Org{ID: 3, Code: "s012", Name: "海勃湾区第十二小学", Kind: OrgSchool, Path: "wuhai/hbw/s012/"}
	caseOtherDist = Org{ID: 4, Code: "wd", Name: "乌达区", Kind: OrgDistrict, Path: "wuhai/wd/"}

	// caseNow is a Monday; with 5 working days and no holidays the objection window closes at
	// midnight starting Tuesday 10 March.
	caseNow  = time.Date(2026, 3, 2, 10, 0, 0, 0, CST)
	caseLate = time.Date(2026, 3, 11, 9, 0, 0, 0, CST) // after the window

	inspector  = caseActor(10, caseCity, RoleSupervisor)  // the case's inspector
	rechecker  = caseActor(11, caseCity, RoleSupervisor)  // a supervisor outside the inspection team
	director   = caseActor(20, caseCity, RoleDirector)    // issues
	director2  = caseActor(21, caseCity, RoleDirector)    // another director
	principal  = caseActor(30, caseSchoolOrg, RoleSchool) // the target's own user
	officeUser = caseActor(40, caseDistrict, RoleDistrictOffice)
)

func caseActor(id int64, org Org, role Role) Actor {
	return Actor{UserID: id, Name: role.Label(), Org: org, Grants: []Grant{{UserID: id, Role: role, OrgID: org.ID, Path: org.Path}}}
}

// caseRules are the defaults of SPEC §2.3 with an empty calendar and independent recheck on.
func caseRules() Rules {
	return Rules{
		ObjectionWorkingDays:      5,
		DueDays:                   map[Severity]int{SeverityCritical: 7, SeverityMajor: 30, SeverityMinor: 30},
		RecheckDueDays:            15,
		AccountabilityOverdueDays: 15,
		AccountabilitySendBacks:   2,
		ProposalDecisionDays:      60,
		IndependentRecheck:        true,
		Categories:                []string{"校园安全", "食品卫生", "招生收费", "课程教学", "师德师风", "经费保障", "办学条件", "其他"},
		DefaultCategory:           "其他",
	}
}

// newTestCase opens case #100 of the given kind against the school, with the inspector, numbered 12.
func newTestCase(t *testing.T, k CaseKind) *Case {
	t.Helper()
	c, err := NewCase(inspector, caseCity, caseSchoolOrg, CaseSchool, k, "春季学期专项督导", []int64{inspector.UserID}, "2026-03-02", caseNow)
	if err != nil {
		t.Fatalf("NewCase: %v", err)
	}
	c.ID = 100
	c.AssignNumber(12)
	return c
}

// addTestFinding records a finding and gives it the id storage would.
func addTestFinding(t *testing.T, c *Case, id int64, title string, sev Severity) *Finding {
	t.Helper()
	f, err := c.AddFinding(inspector, caseNow, caseRules(), FindingInput{Title: title, Description: "现场查看发现。", Severity: sev})
	if err != nil {
		t.Fatalf("AddFinding: %v", err)
	}
	f.ID = id
	return f
}

// rectifyTestFinding gives a finding a measure and a file, as the school would.
func rectifyTestFinding(t *testing.T, c *Case, id int64, now time.Time) {
	t.Helper()
	if _, err := c.AddMeasure(principal, now, Rules{}, id, MeasureInput{Description: "更换消毒柜，建立台账。", ResponsiblePerson: "王校长", ResponsibleUnit: "总务处", DueOn: DateOf(now).AddDays(10)}); err != nil {
		t.Fatalf("AddMeasure: %v", err)
	}
	fid := id
	// A new photo each time: one already in the case is no proof of rectification.
	sha := fmt.Sprintf("%064x", now.UnixNano())
	if _, err := c.AttachEvidence(principal, now, Evidence{FindingID: &fid, SHA256: sha, Size: 10, ContentType: "image/jpeg"}); err != nil {
		t.Fatalf("AttachEvidence: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// wantFields fails unless err is an EINVALID naming exactly these fields, each with a Chinese message.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("error = %v, want EINVALID with fields %v", err, fields)
	}
	if len(e.Fields) != len(fields) {
		t.Errorf("fields = %v, want exactly %v", e.Fields, fields)
	}
	for _, f := range fields {
		msg, ok := e.Fields[f]
		if !ok {
			t.Errorf("field %q missing in %v", f, e.Fields)
			continue
		}
		if !chinese(msg) {
			t.Errorf("field %q message %q is not Chinese", f, msg)
		}
	}
	if !chinese(e.Message) {
		t.Errorf("message %q is not Chinese", e.Message)
	}
}

func chinese(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func TestNewCase(t *testing.T) {
	c := newTestCase(t, KindSpecial)
	if c.Status != StatusPlanned || c.Version != 1 || c.Year != 2026 || c.CreatedBy != inspector.UserID || !c.CreatedAt.Equal(caseNow) {
		t.Errorf("new case = %+v", c)
	}
	if c.Number != "乌督学〔2026〕12号" || c.Seq != 12 {
		t.Errorf("number = %q seq %d", c.Number, c.Seq)
	}
	// Trimmed title, deduplicated inspectors, no planned date.
	c, err := NewCase(director, caseCity, caseDistrict, CaseGovernment, KindComprehensive, "  履行教育职责督导  ", []int64{10, 11, 10}, "", caseNow)
	must(t, err)
	if c.Title != "履行教育职责督导" || len(c.InspectorIDs) != 2 || c.PlannedOn != "" {
		t.Errorf("case = %+v", c)
	}
}

func TestNewCaseValidation(t *testing.T) {
	longTitle := ""
	for range 201 {
		longTitle += "题"
	}
	tests := []struct {
		name      string
		target    Org
		typ       CaseType
		kind      CaseKind
		title     string
		ids       []int64
		planned   Date
		wantField []string
	}{
		{"blank title", caseSchoolOrg, CaseSchool, KindSpecial, "  ", []int64{10}, "", []string{"title"}},
		{"long title", caseSchoolOrg, CaseSchool, KindSpecial, longTitle, []int64{10}, "", []string{"title"}},
		{"bad type and kind", caseSchoolOrg, "audit", "weekly", "督导", []int64{10}, "", []string{"type", "kind"}},
		{"target is the owner", caseCity, CaseGovernment, KindSpecial, "督导", []int64{10}, "", []string{"target_org_id"}},
		{"government case on a school", caseSchoolOrg, CaseGovernment, KindSpecial, "督导", []int64{10}, "", []string{"target_org_id"}},
		{"school case on a district", caseDistrict, CaseSchool, KindSpecial, "督导", []int64{10}, "", []string{"target_org_id"}},
		{"no inspector", caseSchoolOrg, CaseSchool, KindSpecial, "督导", nil, "", []string{"inspector_ids"}},
		{"bad inspector id", caseSchoolOrg, CaseSchool, KindSpecial, "督导", []int64{0}, "", []string{"inspector_ids"}},
		{"planned in the past", caseSchoolOrg, CaseSchool, KindSpecial, "督导", []int64{10}, "2026-03-01", []string{"planned_on"}},
		{"planned malformed", caseSchoolOrg, CaseSchool, KindSpecial, "督导", []int64{10}, "2026-3-9", []string{"planned_on"}},
		{"everything", caseCity, "x", "y", "", nil, "昨天", []string{"title", "type", "kind", "target_org_id", "inspector_ids", "planned_on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCase(inspector, caseCity, tt.target, tt.typ, tt.kind, tt.title, tt.ids, tt.planned, caseNow)
			wantFields(t, err, tt.wantField...)
		})
	}

	// The district's office cannot open a case for the city, nor reach outside its jurisdiction.
	districtSup := caseActor(50, caseDistrict, RoleSupervisor)
	_, err := NewCase(districtSup, caseCity, caseSchoolOrg, CaseSchool, KindSpecial, "督导", []int64{50}, "", caseNow)
	wantCode(t, err, EFORBIDDEN)
	_, err = NewCase(districtSup, caseDistrict, caseOtherDist, CaseGovernment, KindSpecial, "督导", []int64{50}, "", caseNow)
	wantFields(t, err, "target_org_id")
	// Planned for today is fine, late in the day in CST even when UTC is still yesterday.
	_, err = NewCase(inspector, caseCity, caseSchoolOrg, CaseSchool, KindSpecial, "督导", []int64{10}, "2026-03-02", time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC))
	must(t, err)
}

func TestFormatCaseNumber(t *testing.T) {
	region := Org{Name: "内蒙古自治区", Kind: OrgRegion}
	tests := []struct {
		owner Org
		typ   CaseType
		want  string
	}{
		{caseCity, CaseSchool, "乌督学〔2026〕12号"},
		{caseCity, CaseGovernment, "乌督政〔2026〕12号"},
		{caseCity, CaseMonitoring, "乌监测〔2026〕12号"},
		{caseDistrict, CaseSchool, "海勃督学〔2026〕12号"},
		{region, CaseGovernment, "内督政〔2026〕12号"},
		{Org{Name: "区", Kind: OrgDistrict}, CaseSchool, "区督学〔2026〕12号"},
	}
	for _, tt := range tests {
		if got := FormatCaseNumber(tt.owner, tt.typ, 2026, 12); got != tt.want {
			t.Errorf("FormatCaseNumber(%s, %s) = %q, want %q", tt.owner.Name, tt.typ, got, tt.want)
		}
	}
}

func TestLabelsAreChinese(t *testing.T) {
	check := func(value, label string, valid bool) {
		t.Helper()
		if !valid || !chinese(label) {
			t.Errorf("%q: valid %v, label %q", value, valid, label)
		}
	}
	for _, v := range CaseTypes {
		check(string(v), v.Label(), v.Valid())
	}
	for _, v := range CaseKinds {
		check(string(v), v.Label(), v.Valid())
	}
	for _, v := range Statuses {
		check(string(v), v.Label(), v.Valid())
	}
	for _, v := range Actions {
		check(string(v), v.Label(), v.Valid())
	}
	for _, v := range FindingStatuses {
		check(string(v), v.Label(), v.Valid())
	}
	for _, v := range []ObjectionStatus{ObjectionPending, ObjectionUpheld, ObjectionRejected} {
		check(string(v), v.Label(), v.Valid())
	}
	if CaseType("x").Valid() || CaseKind("x").Valid() || Status("x").Valid() || Action("x").Valid() ||
		FindingStatus("x").Valid() || ObjectionStatus("x").Valid() {
		t.Error("an unknown value is valid")
	}
	if len(CaseTypes) != 3 || len(CaseKinds) != 5 || len(Statuses) != 8 || len(Actions) != 9 || len(FindingStatuses) != 5 {
		t.Error("the value lists do not match SPEC §2")
	}
}

func TestFindings(t *testing.T) {
	r := caseRules()
	c := newTestCase(t, KindSpecial)
	_, err := c.AddFinding(inspector, caseNow, r, FindingInput{Title: "食堂消毒不规范", Severity: SeverityMajor})
	wantCode(t, err, ECONFLICT) // planned
	must(t, c.Start(inspector, caseNow))

	v := c.Version
	f := addTestFinding(t, c, 1, "食堂消毒不规范", SeverityMajor)
	if f.Status != FindingOpen || f.Category != "其他" || f.CaseID != 100 || c.Version != v+1 {
		t.Errorf("finding = %+v, version %d", f, c.Version)
	}
	_, err = c.AddFinding(inspector, caseNow, r, FindingInput{Title: " ", Severity: "grave", Category: "天气"})
	wantFields(t, err, "title", "severity", "category")

	// Not on the team: a supervisor of another org who is not an inspector; the school.
	districtSup := caseActor(50, caseDistrict, RoleSupervisor)
	_, err = c.AddFinding(districtSup, caseNow, r, FindingInput{Title: "x", Severity: SeverityMinor})
	wantCode(t, err, EFORBIDDEN)
	_, err = c.AddFinding(principal, caseNow, r, FindingInput{Title: "x", Severity: SeverityMinor})
	wantCode(t, err, EFORBIDDEN)
	// An inspector from elsewhere may.
	c.InspectorIDs = append(c.InspectorIDs, districtSup.UserID)
	g, err := c.AddFinding(districtSup, caseNow, r, FindingInput{Title: "消防通道堵塞", Severity: SeverityCritical, Category: "校园安全", ItemCode: "R25-6"})
	must(t, err)
	g.ID = 2

	v = c.Version
	f, err = c.UpdateFinding(director, caseNow, r, 1, FindingInput{Title: "食堂餐具消毒不规范", Description: "消毒记录缺失。", Severity: SeverityCritical, Category: "食品卫生"})
	must(t, err)
	if f.Title != "食堂餐具消毒不规范" || f.Severity != SeverityCritical || f.Category != "食品卫生" || f.Status != FindingOpen || c.Version != v+1 {
		t.Errorf("updated = %+v", f)
	}
	_, err = c.UpdateFinding(director, caseNow, r, 99, FindingInput{Title: "x", Severity: SeverityMinor})
	wantCode(t, err, ENOTFOUND)

	// A finding with evidence stays; one without goes.
	fid := int64(2)
	_, err = c.AttachEvidence(inspector, caseNow, Evidence{FindingID: &fid, SHA256: "cd"})
	must(t, err)
	wantCode(t, c.RemoveFinding(inspector, caseNow, 2), ECONFLICT)
	wantCode(t, c.RemoveFinding(inspector, caseNow, 99), ENOTFOUND)
	v = c.Version
	must(t, c.RemoveFinding(inspector, caseNow, 1))
	if len(c.Findings) != 1 || c.Findings[0].ID != 2 || c.Version != v+1 {
		t.Errorf("after remove: %+v", c.Findings)
	}

	must(t, c.SubmitPreliminary(inspector, caseNow, r))
	_, err = c.UpdateFinding(inspector, caseNow, r, 2, FindingInput{Title: "x", Severity: SeverityMinor})
	wantCode(t, err, ECONFLICT)
}

func TestObjections(t *testing.T) {
	r := caseRules()
	c := newTestCase(t, KindSpecial)
	must(t, c.Start(inspector, caseNow))
	addTestFinding(t, c, 1, "食堂消毒不规范", SeverityMajor)
	addTestFinding(t, c, 2, "课后服务收费不规范", SeverityMinor)
	one := int64(1)

	_, err := c.FileObjection(principal, caseNow, &one, "已整改")
	wantCode(t, err, ECONFLICT) // not yet in feedback
	must(t, c.SubmitPreliminary(inspector, caseNow, r))
	if want := time.Date(2026, 3, 10, 0, 0, 0, 0, CST); !c.ObjectionDeadline.Equal(want) {
		t.Fatalf("deadline = %v, want %v", c.ObjectionDeadline, want)
	}

	// Only the target's own users; the district office does not object for its school.
	_, err = c.FileObjection(officeUser, caseNow, &one, "学校已整改")
	wantCode(t, err, EFORBIDDEN)
	_, err = c.FileObjection(principal, caseNow, &one, "  ")
	wantFields(t, err, "text")
	missing := int64(9)
	_, err = c.FileObjection(principal, caseNow, &missing, "不属实")
	wantFields(t, err, "finding_id")

	v := c.Version
	o, err := c.FileObjection(principal, caseNow, &one, "消毒柜检查当日已维修完毕，附维修单。")
	must(t, err)
	if o.Status != ObjectionPending || *o.FindingID != 1 || o.FiledBy != principal.UserID || c.Version != v+1 {
		t.Errorf("objection = %+v", o)
	}
	o.ID = 7
	o2, err := c.FileObjection(principal, caseNow, nil, "对整体评价有异议。")
	must(t, err)
	o2.ID = 8

	// The last instant before the deadline is in; the deadline itself is out.
	_, err = c.FileObjection(principal, c.ObjectionDeadline.Add(-time.Nanosecond), nil, "补充申辩")
	must(t, err)
	c.Objections[2].ID = 9
	_, err = c.FileObjection(principal, *c.ObjectionDeadline, nil, "逾期申辩")
	wantCode(t, err, ECONFLICT)

	// Rulings: by a director over the owner, a reason when rejecting, once.
	if p, _ := c.Permission(OpRuleObjection); p.Any[0] != (Right{Act: "objection.rule", Side: AtOwner}) {
		t.Errorf("a ruling needs %+v, want objection.rule at the owner (directors only)", p)
	}
	wantCode(t, c.RuleObjection(director, caseNow, 70, true, ""), ENOTFOUND)
	wantFields(t, c.RuleObjection(director, caseNow, 8, false, " "), "reason")
	must(t, c.RuleObjection(director, caseNow, 7, true, "维修单属实。"))
	if o := c.Objection(7); o.Status != ObjectionUpheld || o.RuledBy != director.UserID || o.RuledAt == nil {
		t.Errorf("ruled = %+v", o)
	}
	if c.Finding(1).Status != FindingWithdrawn || c.Finding(2).Status != FindingOpen {
		t.Errorf("findings after upheld objection: %+v", c.Findings)
	}
	wantCode(t, c.RuleObjection(director, caseNow, 7, false, "改判"), ECONFLICT)
	must(t, c.RuleObjection(director, caseNow, 8, false, "评价依据充分。"))
	if c.PendingObjections() != 1 {
		t.Errorf("pending = %d, want 1", c.PendingObjections())
	}
	// A withdrawn finding cannot be objected to again.
	_, err = c.FileObjection(principal, caseNow, &one, "再次申辩")
	wantFields(t, err, "finding_id")

	// Acknowledging waives the rest of the window.
	must(t, c.Acknowledge(principal, caseNow))
	_, err = c.FileObjection(principal, caseNow, nil, "再议")
	wantCode(t, err, ECONFLICT)
}

func TestMeasuresAndEvidence(t *testing.T) {
	r := caseRules()
	c := newTestCase(t, KindRoutine)
	must(t, c.Start(inspector, caseNow))
	addTestFinding(t, c, 1, "食堂消毒不规范", SeverityMajor)
	one := int64(1)

	// While inspecting: the team uploads, the school does not, and no measures yet.
	must(t, c.CanAttachEvidence(inspector, &one))
	must(t, c.CanAttachEvidence(director, nil))
	wantCode(t, c.CanAttachEvidence(principal, &one), EFORBIDDEN)
	nine := int64(9)
	wantFields(t, c.CanAttachEvidence(inspector, &nine), "finding_id")
	_, err := c.AddMeasure(principal, caseNow, Rules{}, 1, MeasureInput{Description: "x", ResponsiblePerson: "y", DueOn: "2026-04-01"})
	wantCode(t, err, ECONFLICT)
	e, err := c.AttachEvidence(inspector, caseNow, Evidence{SHA256: "ef", Note: " 现场照片 "})
	must(t, err)
	if e.FindingID != nil || e.UploadedBy != inspector.UserID || e.Note != "现场照片" || len(c.Evidence) != 1 {
		t.Errorf("case evidence = %+v", e)
	}
	_, err = c.AttachEvidence(inspector, caseNow, Evidence{FindingID: &one, SHA256: "photo"})
	must(t, err)

	must(t, c.Issue(inspector, caseNow, r, nil))
	wantCode(t, c.CanAttachEvidence(inspector, &one), EFORBIDDEN)
	wantCode(t, c.CanAttachEvidence(officeUser, &one), EFORBIDDEN)
	must(t, c.CanAttachEvidence(principal, &one))

	// The inspection photo does not count as rectification evidence.
	_, err = c.AddMeasure(principal, caseNow, Rules{}, 1, MeasureInput{Description: "更换消毒柜", ResponsiblePerson: "王校长", DueOn: "2026-03-20"})
	must(t, err)
	wantFields(t, c.SubmitRectification(principal, caseNow), "findings")

	_, err = c.AddMeasure(officeUser, caseNow, Rules{}, 1, MeasureInput{Description: "督促学校整改", ResponsiblePerson: "李科长", DueOn: "2026-03-20"})
	wantCode(t, err, EFORBIDDEN)
	_, err = c.AddMeasure(principal, caseNow, Rules{}, 9, MeasureInput{Description: "x", ResponsiblePerson: "y", DueOn: "2026-03-20"})
	wantCode(t, err, ENOTFOUND)
	_, err = c.AddMeasure(principal, caseNow, Rules{}, 1, MeasureInput{Description: " ", ResponsiblePerson: "", DueOn: "2026-03-01"})
	wantFields(t, err, "description", "responsible_person", "due_on")
	_, err = c.AddMeasure(principal, caseNow, Rules{}, 1, MeasureInput{Description: "x", ResponsiblePerson: "y"})
	wantFields(t, err, "due_on")

	v := c.Version
	m, err := c.AddMeasure(principal, caseNow, Rules{}, 1, MeasureInput{Description: " 建立消毒台账 ", ResponsiblePerson: "张主任", ResponsibleUnit: "后勤处", DueOn: "2026-03-02"})
	must(t, err)
	if m.FindingID != 1 || m.Description != "建立消毒台账" || m.CreatedBy != principal.UserID || c.Version != v+1 || len(c.Finding(1).Measures) != 2 {
		t.Errorf("measure = %+v", m)
	}
	later := caseNow.Add(time.Hour)
	_, err = c.AttachEvidence(principal, later, Evidence{FindingID: &one, SHA256: "fixed"})
	must(t, err)
	must(t, c.SubmitRectification(principal, later))
	if c.Finding(1).Status != FindingSubmitted {
		t.Errorf("finding = %+v", c.Finding(1))
	}
	// Nothing more while verifying.
	wantCode(t, c.CanAttachEvidence(principal, &one), ECONFLICT)
	_, err = c.AddMeasure(principal, later, Rules{}, 1, MeasureInput{Description: "x", ResponsiblePerson: "y", DueOn: "2026-04-01"})
	wantCode(t, err, ECONFLICT)
}
