package domain

import (
	"testing"
	"time"
)

// testRules differ per severity so that a mix-up between them shows.
func testRules() Rules {
	return Rules{
		ObjectionWorkingDays:      5,
		DueDays:                   map[Severity]int{SeverityCritical: 7, SeverityMajor: 20, SeverityMinor: 30},
		RecheckDueDays:            15,
		AccountabilityOverdueDays: 15,
		AccountabilitySendBacks:   2,
		ProposalDecisionDays:      60,
		StatementWorkingDays:      5,
		IndependentRecheck:        true,
		Categories:                []string{"校园安全", "食品卫生", "其他"},
		DefaultCategory:           "其他",
		Registry:                  DefaultRegistryRules(),
		ProcedureKinds:            []CaseKind{KindComprehensive, KindSpecial},
		TeamMinSize:               3,
		NoticeDays:                30,
		ReviewApplyDays:           15,
		ReviewDecideDays:          30,
		RereviewApplyDays:         15,
		RereviewDecideDays:        20,
	}
}

func TestDueDate(t *testing.T) {
	r := testRules()
	morning := time.Date(2026, 9, 29, 10, 0, 0, 0, CST)
	earlyUTC := time.Date(2026, 9, 28, 20, 0, 0, 0, time.UTC) // 29 Sep 04:00 in Beijing
	tests := []struct {
		sev    Severity
		issued time.Time
		want   Date
	}{
		{SeverityCritical, morning, "2026-10-06"},
		{SeverityMajor, morning, "2026-10-19"},
		{SeverityMinor, morning, "2026-10-29"},
		{SeverityCritical, earlyUTC, "2026-10-06"},
		{SeverityMinor, time.Date(2026, 12, 15, 9, 0, 0, 0, CST), "2027-01-14"},
		{Severity("unknown"), morning, "2026-10-29"}, // falls back to minor
	}
	for _, tt := range tests {
		if got := r.DueDate(tt.sev, tt.issued); got != tt.want {
			t.Errorf("DueDate(%s, %v) = %s, want %s", tt.sev, tt.issued, got, tt.want)
		}
	}
}

func TestRecheckDue(t *testing.T) {
	r := testRules()
	tests := []struct {
		submitted time.Time
		want      Date
	}{
		{time.Date(2026, 9, 29, 10, 0, 0, 0, CST), "2026-10-14"},
		{time.Date(2026, 9, 28, 16, 0, 0, 0, time.UTC), "2026-10-14"},
		{time.Date(2026, 9, 28, 15, 0, 0, 0, time.UTC), "2026-10-13"},
	}
	for _, tt := range tests {
		if got := r.RecheckDue(tt.submitted); got != tt.want {
			t.Errorf("RecheckDue(%v) = %s, want %s", tt.submitted, got, tt.want)
		}
	}
}

func TestAccountabilityThresholds(t *testing.T) {
	r := testRules()
	at := func(d Date) time.Time { return d.Time().Add(9 * time.Hour) }
	due := Date("2026-10-06")
	tests := []struct {
		now     Date
		overdue int
		propose bool
	}{
		{"2026-10-05", 0, false},
		{"2026-10-06", 0, false}, // the due date itself is on time
		{"2026-10-07", 1, false},
		{"2026-10-21", 15, false}, // 15 days is not more than 15
		{"2026-10-22", 16, true},
	}
	for _, tt := range tests {
		if got := r.DaysOverdue(due, at(tt.now)); got != tt.overdue {
			t.Errorf("DaysOverdue(%s, %s) = %d, want %d", due, tt.now, got, tt.overdue)
		}
		if got := r.ProposeForOverdue(due, at(tt.now)); got != tt.propose {
			t.Errorf("ProposeForOverdue(%s, %s) = %v, want %v", due, tt.now, got, tt.propose)
		}
	}
	for n, want := range []bool{false, false, true, true} {
		if got := r.ProposeForSendBacks(n); got != want {
			t.Errorf("ProposeForSendBacks(%d) = %v, want %v", n, got, want)
		}
	}
	completed := Date("2026-01-01")
	if r.ProposalOverdue(completed, at(completed.AddDays(60))) {
		t.Error("a proposal 60 days after completion is not yet late")
	}
	if !r.ProposalOverdue(completed, at(completed.AddDays(61))) {
		t.Error("a proposal 61 days after completion is late (R55)")
	}
}

func TestCategories(t *testing.T) {
	r := testRules()
	for s, want := range map[string]bool{"校园安全": true, "其他": true, "体育": false, "": false} {
		if got := r.ValidCategory(s); got != want {
			t.Errorf("ValidCategory(%q) = %v, want %v", s, got, want)
		}
	}
	if got := r.CategoryOrDefault("  "); got != "其他" {
		t.Errorf("CategoryOrDefault(blank) = %q, want 其他", got)
	}
	if got := r.CategoryOrDefault(" 食品卫生 "); got != "食品卫生" {
		t.Errorf("CategoryOrDefault = %q, want 食品卫生", got)
	}
}

func TestRulesValidate(t *testing.T) {
	if err := testRules().Validate(); err != nil {
		t.Fatalf("valid rules: %v", err)
	}
	tests := []struct {
		field  string
		mutate func(*Rules)
	}{
		{"objection_working_days", func(r *Rules) { r.ObjectionWorkingDays = 0 }},
		{"recheck_due_days", func(r *Rules) { r.RecheckDueDays = -1 }},
		{"registry.term_years", func(r *Rules) { r.Registry.TermYears = 0 }},
		{"accountability_overdue_days", func(r *Rules) { r.AccountabilityOverdueDays = 0 }},
		{"accountability_send_backs", func(r *Rules) { r.AccountabilitySendBacks = 0 }},
		{"proposal_decision_days", func(r *Rules) { r.ProposalDecisionDays = 0 }},
		{"due_days", func(r *Rules) { delete(r.DueDays, SeverityMajor) }},
		{"due_days", func(r *Rules) { r.DueDays[SeverityCritical] = 0 }},
		{"due_days", func(r *Rules) { r.DueDays["grave"] = 3 }},
		{"categories", func(r *Rules) { r.Categories = nil; r.DefaultCategory = "" }},
		{"categories", func(r *Rules) { r.Categories = append(r.Categories, "其他") }},
		{"categories", func(r *Rules) { r.Categories = append(r.Categories, " ") }},
		{"default_category", func(r *Rules) { r.DefaultCategory = "杂项" }},
	}
	for _, tt := range tests {
		r := testRules()
		tt.mutate(&r)
		err := r.Validate()
		if ErrorCode(err) != EINVALID {
			t.Errorf("%s broken: err = %v, want EINVALID", tt.field, err)
			continue
		}
		if e := err.(*Error); e.Fields[tt.field] == "" {
			t.Errorf("%s broken: fields %v do not name it", tt.field, e.Fields)
		}
	}
}

func TestSeverity(t *testing.T) {
	for _, s := range []Severity{SeverityMinor, SeverityMajor, SeverityCritical} {
		if !s.Valid() || s.Label() == string(s) {
			t.Errorf("%s: Valid=%v Label=%q", s, s.Valid(), s.Label())
		}
	}
	if Severity("grave").Valid() || Severity("").Valid() {
		t.Error("unknown severities must not be valid")
	}
}
