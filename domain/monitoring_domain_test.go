package domain

import (
	"strings"
	"testing"
)

// A case scored against a framework: only while inspecting, by the team, with a usable version (or
// the one the case began with); a failed item becomes a finding once.
func TestCaseScoring(t *testing.T) {
	fw := publishedFw(t)
	hbw := Org{ID: 2, Code: "hbw", Name: "海勃湾区", Kind: OrgDistrict, Path: "wuhai/hbw/", ParentID: &fwCity.ID}
	school := Org{ID: 4, Code: "s001", Name: "第一小学", Kind: OrgSchool, Path: "wuhai/hbw/s001/"}
	sup := Actor{UserID: 21, Org: hbw}
	c, err := NewCase(sup, hbw, school, CaseSchool, KindRoutine, "经常性督导", []int64{21}, "", fwT0)
	if err != nil {
		t.Fatal(err)
	}
	full := scores("A1", 10, "A2", 5, "B1", 2, "V1", "seen")
	if _, err := c.Score(sup, fwT0, fw, full); ErrorCode(err) != ECONFLICT {
		t.Errorf("scoring a planned case: %v, want ECONFLICT", err)
	}
	c.Status = StatusInspecting
	if _, err := c.Score(Actor{UserID: 99, Org: school}, fwT0, fw, full); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("scoring by the school: %v, want EFORBIDDEN", err)
	}
	v := c.Version
	s, err := c.Score(sup, fwT0, fw, full)
	if err != nil || c.Version != v+1 || s.FrameworkVersion != fw.Version || s.ScoredBy != 21 {
		t.Fatalf("Score: %+v %v (version %d → %d)", s, err, v, c.Version)
	}
	// 40×10/10 + 20×5/10 + 40×2/5 = 66 of 100; A2 (5 < 6) and B1 (2 < 3) fail; no veto failed.
	if s.Total != 66 || !s.Passed || strings.Join(s.Failed, ",") != "A2,B1" || s.ScoringLabel() != "66分（合格）" {
		t.Errorf("result %+v %q", s.ScoreResult, s.ScoringLabel())
	}
	f, err := c.FindingFromItem(sup, fwT0, testRules(), fw, "B1")
	if err != nil || f.ItemCode != "test:B1" || f.Severity != SeverityMajor || f.Status != FindingOpen { // 2 < 5/2
		t.Fatalf("finding from B1: %+v %v", f, err)
	}
	if _, err := c.FindingFromItem(sup, fwT0, testRules(), fw, "B1"); ErrorCode(err) != ECONFLICT {
		t.Errorf("B1 twice: %v, want ECONFLICT", err)
	}
	if _, err := c.FindingFromItem(sup, fwT0, testRules(), fw, "A1"); ErrorCode(err) != ECONFLICT {
		t.Errorf("a passed item: %v, want ECONFLICT", err)
	}
	// A retired version finishes the inspection it began; it starts no new one.
	if err := fw.Retire(fwDirector, fwT0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Score(sup, fwT0, fw, scores("A1", 10, "A2", 10, "B1", 5, "V1", "fail")); err != nil {
		t.Errorf("rescoring with the retired version in use: %v", err)
	}
	if !strings.Contains(c.Scoring.ScoringLabel(), "一票否决") {
		t.Errorf("a failed veto item: %q", c.Scoring.ScoringLabel())
	}
	other, _ := NewCase(sup, hbw, school, CaseSchool, KindRoutine, "另一次", []int64{21}, "", fwT0)
	other.Status = StatusInspecting
	if _, err := other.Score(sup, fwT0, fw, full); ErrorCode(err) != ECONFLICT {
		t.Errorf("a new inspection with a retired version: %v, want ECONFLICT", err)
	}
	special, _ := NewCase(sup, hbw, school, CaseSchool, KindSpecial, "专项", []int64{21}, "", fwT0)
	special.Status = StatusInspecting
	if err := special.CanScore(sup, publishedFw(t)); ErrorCode(err) != ECONFLICT {
		t.Errorf("a routine framework on a special inspection: %v, want ECONFLICT", err)
	}
	if p, ok := c.Permission(OpScoreCase); !ok || p.Any[0].Act != "finding.write" || p.Any[0].Side != AtOwner {
		t.Errorf("the scoring's permission: %+v", p)
	}
}

// The proposal's table: open takes accept or dismiss; both are final.
func TestCaseProposalSteps(t *testing.T) {
	cat := testCatalog(t)
	hbw := obsHBW
	hbw.ParentID = &obsCity.ID
	att := indRetention.Assess(hbw, 2023, fp(95.9))
	props := MonitoringProposals(cat, []Attainment{att})
	if len(props) != 1 {
		t.Fatalf("proposals %+v", props)
	}
	if _, err := NewCaseProposal(props[0], obsWD, fwT0); ErrorCode(err) != EINVALID {
		t.Errorf("an office not over the org: %v", err)
	}
	if _, err := NewCaseProposal(props[0], hbw, fwT0); ErrorCode(err) != EINVALID {
		t.Errorf("the org itself as its office: %v", err)
	}
	mk := func() *CaseProposal {
		p, err := NewCaseProposal(props[0], obsCity, fwT0)
		if err != nil || p.Status != ProposalOpen || p.Value != 95.9 || p.Expected != 96.2 || p.Target != 97 || p.Version != 1 {
			t.Fatalf("proposal %+v %v", p, err)
		}
		p.ID = 7
		return p
	}
	dir := Actor{UserID: 11, Org: obsCity}
	p := mk()
	if h := p.Head(); h.Object != "monitoring" || h.Owner.ID != obsCity.ID || h.Target.ID != hbw.ID {
		t.Errorf("head %+v", h)
	}
	if got := p.AllowedActions(dir, fwT0, nil); len(got) != 2 {
		t.Errorf("open: %v", got)
	}
	wrong := &Case{ID: 3, Type: CaseSchool, TargetOrg: hbw}
	if err := p.Accept(dir, fwT0, wrong); ErrorCode(err) != EINVALID || p.Status != ProposalOpen {
		t.Errorf("accepting with a 督学 case: %v", err)
	}
	right := &Case{ID: 3, Number: "乌监测〔2026〕1号", Type: CaseMonitoring, TargetOrg: hbw}
	if err := p.Accept(dir, fwT0, right); err != nil || p.Status != ProposalAccepted || *p.CaseID != 3 || p.Version != 2 {
		t.Fatalf("accept: %v %+v", err, p)
	}
	for _, act := range ProposalActions {
		if err := p.Check(act, dir, fwT0); ErrorCode(err) != ECONFLICT {
			t.Errorf("accepted, %s: %v", act, err)
		}
	}
	p = mk()
	if err := p.Dismiss(dir, fwT0, "  "); ErrorCode(err) != EINVALID {
		t.Errorf("dismiss without a reason: %v", err)
	}
	if err := p.Dismiss(dir, fwT0, "该校已制定控辍保学专项方案"); err != nil || p.Status != ProposalDismissed || p.DecidedBy != 11 {
		t.Fatalf("dismiss: %v %+v", err, p)
	}
	if err := p.Accept(dir, fwT0, right); ErrorCode(err) != ECONFLICT {
		t.Errorf("dismissed, accept: %v", err)
	}
}

// The report: every indicator with a target or a value, per org, in the report's year; the binding
// indicator's course with its trajectory; the kinds' years.
func TestBuildMonitoringReport(t *testing.T) {
	cat := testCatalog(t)
	obs := []Observation{
		{IndicatorCode: "compulsory_retention_rate", Org: obsCity, Year: 2020, Value: 95},
		{IndicatorCode: "compulsory_retention_rate", Org: obsCity, Year: 2023, Value: 96.4},
		{IndicatorCode: "compulsory_retention_rate", Org: obsHBW, Year: 2023, Value: 95.9, Sample: true},
		{IndicatorCode: "compulsory_retention_rate", Org: obsHBW, Year: 2024, Value: 99}, // after the report's year: left out
		{IndicatorCode: "education_expenditure_gdp_share", Org: obsCity, Year: 2023, Value: 4.1},
	}
	r := BuildMonitoringReport(cat, ReportMidterm, 2023, obsCity, []Org{obsCity, obsHBW}, obs, "2026-03-02")
	if !strings.Contains(r.Title, "2023年中期评估报告") || !r.Sample || len(r.Orgs) != 2 {
		t.Errorf("report %q sample %v", r.Title, r.Sample)
	}
	// Six indicators have a target; the seventh has a value.
	if len(r.Rows) != 7 {
		t.Fatalf("%d rows, want 7", len(r.Rows))
	}
	ret := r.Rows[0]
	if ret.Cells[0].Status != AttOnTrack || ret.Cells[1].Status != AttBehind || !ret.Sample[1] || ret.Sample[0] {
		t.Errorf("the binding indicator: %+v %v", ret.Cells, ret.Sample)
	}
	if r.Counts[0].By[AttOnTrack] != 1 || r.Counts[0].By[AttNoTarget] != 1 || r.Counts[1].By[AttBehind] != 1 || r.Counts[1].By[AttNoData] != 5 {
		t.Errorf("counts %v %v", r.Counts[0].By, r.Counts[1].By)
	}
	if len(r.Series) != 1 || len(r.Series[0].Years) != 4 || *r.Series[0].Expected[3] != 96.2 || *r.Series[0].Values[0][0] != 95 ||
		r.Series[0].Values[1][0] != nil || *r.Series[0].Values[1][3] != 95.9 {
		t.Errorf("series %+v", r.Series)
	}
	for kind, want := range map[MonitoringReportKind]int{ReportMidterm: 2023, ReportFinal: 2025} {
		if y, err := kind.ReportYear(2021, "2026-03-02"); err != nil || y != want {
			t.Errorf("%s: %d %v", kind, y, err)
		}
	}
	if y, err := ReportAnnual.ReportYear(0, "2026-03-02"); err != nil || y != 2025 {
		t.Errorf("annual by default: %d %v, want last year", y, err)
	}
	for _, bad := range []int{2020, 2036} {
		if _, err := ReportAnnual.ReportYear(bad, "2026-03-02"); ErrorCode(err) != EINVALID {
			t.Errorf("annual %d: %v", bad, err)
		}
	}
	if _, err := MonitoringReportKind("decade").ReportYear(0, "2026-03-02"); ErrorCode(err) != EINVALID {
		t.Errorf("unknown kind: %v", err)
	}
}

// The overdue task's reminder: to whoever reports at the unit and the assigning office's directors,
// keyed by task and due date.
func TestTaskOverdueMessage(t *testing.T) {
	k, err := NewTask(Actor{UserID: 1, Org: obsCity}, TaskInput{Title: "报送课后服务开展情况", TargetOrg: obsHBW1, DueOn: "2026-03-01", DueText: "3月1日前"}, fwT0)
	if err != nil {
		t.Fatal(err)
	}
	k.ID = 9
	m := TaskOverdueMessage(k, 1)
	if m.Kind != NotifyTaskOverdue || m.Key != "task-overdue:t9:2026-03-01" || m.Link != "/tasks/9" || !strings.Contains(m.Body, "已逾期1日") ||
		!strings.Contains(m.Body, "2026-03-01（3月1日前）") {
		t.Errorf("message %+v", m)
	}
	a := TaskOverdueAudience(k)
	if len(a.Members) != 0 || len(a.Holders) != 4 || a.Holders[3] != (RoleAt{RoleDirector, obsCity.ID}) || a.Holders[0] != (RoleAt{RoleSchool, obsHBW1.ID}) {
		t.Errorf("audience %+v", a)
	}
	if NotifyTaskOverdue.Label() != "督办事项逾期" || NotifyCaseProposed.Label() != "评估监测立案建议" {
		t.Errorf("labels")
	}
}
