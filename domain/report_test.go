package domain

import (
	"testing"
)

func TestValidatePeriod(t *testing.T) {
	for _, tc := range []struct {
		from, to Date
		bad      []string // fields named in the error, none when valid
	}{
		{"2026-01-01", "2026-12-31", nil},
		{"2026-03-05", "2026-03-05", nil}, // one day
		{"2016-01-01", "2026-01-01", nil}, // ten years
		{"2026-02-30", "2026-12-31", []string{"from"}},
		{"2026-01-01", "26-12-31", []string{"to"}},
		{"", "", []string{"from", "to"}},
		{"2026-12-31", "2026-01-01", []string{"to"}}, // from after to
		{"2010-01-01", "2026-01-01", []string{"to"}}, // longer than ten years
	} {
		err := ValidatePeriod(tc.from, tc.to)
		if len(tc.bad) == 0 {
			if err != nil {
				t.Errorf("ValidatePeriod(%s, %s) = %v, want nil", tc.from, tc.to, err)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Code != EINVALID {
			t.Errorf("ValidatePeriod(%s, %s) = %v, want an EINVALID field error", tc.from, tc.to, err)
			continue
		}
		if len(e.Fields) != len(tc.bad) {
			t.Errorf("ValidatePeriod(%s, %s) fields = %v, want %v", tc.from, tc.to, e.Fields, tc.bad)
		}
		for _, f := range tc.bad {
			if e.Fields[f] == "" {
				t.Errorf("ValidatePeriod(%s, %s): no message for %s in %v", tc.from, tc.to, f, e.Fields)
			}
		}
	}
}

func TestOnTimeRates(t *testing.T) {
	if _, ok := (ReportOrgFigures{}).OnTimeRate(); ok {
		t.Error("an org with nothing due has no on-time rate")
	}
	if r, ok := (ReportOrgFigures{DueInPeriod: 4, RectifiedOnTime: 1}).OnTimeRate(); !ok || r != 0.25 {
		t.Errorf("rate = %v, %v; want 0.25", r, ok)
	}
	if _, ok := (ReportInspector{Visits: 3}).OnTimeRate(); ok {
		t.Error("an inspector with no report due has no on-time rate")
	}
	if r, ok := (ReportInspector{ReportsDue: 4, IssuedOnTime: 3}).OnTimeRate(); !ok || r != 0.75 {
		t.Errorf("inspector rate = %v, %v; want 0.75", r, ok)
	}
}

func TestSumTotals(t *testing.T) {
	r := AccountabilityReport{Orgs: []ReportOrgFigures{
		{CasesIssued: 2, Findings: SeverityCounts{1, 2, 3}, DueInPeriod: 3, RectifiedOnTime: 1, OverdueNow: 2, OldestOverdueDays: 40, Reopened: 1, Accountability: 1},
		{CasesIssued: 1, Findings: SeverityCounts{0, 1, 0}, DueInPeriod: 1, RectifiedOnTime: 1, OverdueNow: 1, OldestOverdueDays: 90, Incentives: 2},
	}}
	r.SumTotals()
	want := ReportOrgFigures{Org: ReportOrg{Name: "合计"}, CasesIssued: 3, Findings: SeverityCounts{1, 3, 3}, DueInPeriod: 4, RectifiedOnTime: 2,
		OverdueNow: 3, OldestOverdueDays: 90, Reopened: 1, Accountability: 1, Incentives: 2}
	if r.Totals != want {
		t.Errorf("totals = %+v, want %+v", r.Totals, want)
	}
	if r.Totals.Findings.Total() != 7 {
		t.Errorf("total findings = %d, want 7", r.Totals.Findings.Total())
	}
}

func TestLabels(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ReportFormCount{TargetType: "unit"}.TargetTypeLabel(), "单位"},
		{ReportFormCount{TargetType: "person"}.TargetTypeLabel(), "个人"},
		{ReportFormCount{}.FormLabel(), "（未填写）"},
		{ReportIncentiveCount{Kind: "commendation"}.KindLabel(), "表彰"},
		{ReportIncentiveCount{Kind: "resource"}.KindLabel(), "资源倾斜"},
	} {
		if tc.got != tc.want {
			t.Errorf("label %q, want %q", tc.got, tc.want)
		}
	}
}

func TestLedgerResponsibilities(t *testing.T) {
	l := Ledger{Measures: []LedgerMeasure{
		{FindingID: 1, CaseNumber: "乌督学〔2026〕1号", FindingTitle: "消防通道堆物", FindingStatus: FindingOpen, ResponsiblePerson: "王校长", ResponsibleUnit: "一小", DueOn: "2026-03-01"},
		{FindingID: 2, CaseNumber: "乌督学〔2026〕1号", FindingTitle: "食品留样缺失", FindingStatus: FindingPassed, ResponsiblePerson: "李主任", ResponsibleUnit: "一小", DueOn: "2026-02-01"},
		{FindingID: 1, CaseNumber: "乌督学〔2026〕1号", FindingTitle: "消防通道堆物", FindingStatus: FindingOpen, ResponsiblePerson: " 王校长", ResponsibleUnit: "一小 ", DueOn: "2026-04-01"},
		{FindingID: 3, CaseNumber: "乌督政〔2026〕2号", FindingTitle: "经费不足", FindingStatus: FindingFailed, ResponsiblePerson: "赵局长", ResponsibleUnit: "区教育局", DueOn: "2026-05-01"},
	}}
	got := l.Responsibilities()
	want := []LedgerResponsibility{
		{ResponsibleUnit: "一小", ResponsiblePerson: "李主任", CaseNumber: "乌督学〔2026〕1号", FindingTitle: "食品留样缺失", FindingStatus: FindingPassed, Measures: 1, LatestDue: "2026-02-01"},
		{ResponsibleUnit: "一小", ResponsiblePerson: "王校长", CaseNumber: "乌督学〔2026〕1号", FindingTitle: "消防通道堆物", FindingStatus: FindingOpen, Measures: 2, LatestDue: "2026-04-01"},
		{ResponsibleUnit: "区教育局", ResponsiblePerson: "赵局长", CaseNumber: "乌督政〔2026〕2号", FindingTitle: "经费不足", FindingStatus: FindingFailed, Measures: 1, LatestDue: "2026-05-01"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
