package policies

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dudao/domain"
)

func TestDefaultRules(t *testing.T) {
	r, err := DefaultRules()
	if err != nil {
		t.Fatalf("DefaultRules: %v", err)
	}
	if err := r.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	// SPEC §2.3 and the regulations it cites.
	if r.ObjectionWorkingDays != 5 || r.RecheckDueDays != 15 || r.AccountabilityOverdueDays != 15 ||
		r.AccountabilitySendBacks != 2 || r.ProposalDecisionDays != 60 || !r.IndependentRecheck {
		t.Errorf("defaults differ from SPEC §2.3: %+v", r)
	}
	want := map[domain.Severity]int{domain.SeverityCritical: 7, domain.SeverityMajor: 30, domain.SeverityMinor: 30}
	for sev, days := range want {
		if r.DueDays[sev] != days {
			t.Errorf("due_days[%s] = %d, want %d", sev, r.DueDays[sev], days)
		}
	}
	cats := []string{"校园安全", "食品卫生", "招生收费", "课程教学", "师德师风", "经费保障", "办学条件", "其他"}
	if len(r.Categories) != len(cats) {
		t.Errorf("categories = %v, want %v", r.Categories, cats)
	}
	for _, c := range cats {
		if !r.ValidCategory(c) {
			t.Errorf("category %s missing", c)
		}
	}
	if r.DefaultCategory != "其他" {
		t.Errorf("default category = %q, want 其他", r.DefaultCategory)
	}

	// Every value cites its source.
	b, err := rulesFiles.ReadFile("rules.json")
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for k := range keys {
		if k != "sources" && r.Sources[k] == "" {
			t.Errorf("rules.json: %s has no source", k)
		}
	}
}

func TestDefaultCalendar(t *testing.T) {
	r, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	c := r.Calendar
	for _, y := range []int{2025, 2026} {
		if !c.Covers(y) {
			t.Errorf("embedded calendar does not cover %d", y)
		}
	}
	tests := []struct {
		d       domain.Date
		working bool
	}{
		{"2025-01-01", false}, {"2025-01-26", true}, {"2025-02-04", false}, {"2025-02-08", true},
		{"2025-04-27", true}, {"2025-06-02", false}, {"2025-09-28", true}, {"2025-10-08", false},
		{"2025-10-11", true}, {"2025-10-09", true},
		{"2026-01-02", false}, {"2026-01-04", true}, {"2026-02-14", true}, {"2026-02-23", false},
		{"2026-02-24", true}, {"2026-02-28", true}, {"2026-04-06", false}, {"2026-05-05", false},
		{"2026-05-09", true}, {"2026-06-19", false}, {"2026-09-20", true}, {"2026-09-25", false},
		{"2026-10-07", false}, {"2026-10-08", true}, {"2026-10-10", true}, {"2026-10-11", false},
	}
	for _, tt := range tests {
		if got := c.IsWorkingDay(tt.d); got != tt.working {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.d, got, tt.working)
		}
	}
	from := time.Date(2026, 9, 29, 10, 0, 0, 0, domain.CST)
	if got, want := r.ObjectionDeadline(from), time.Date(2026, 10, 13, 0, 0, 0, 0, domain.CST); !got.Equal(want) {
		t.Errorf("ObjectionDeadline(2026-09-29) = %v, want %v", got, want)
	}
	// Spring Festival 2026: 5 working days after Thu 12 Feb are 13, 14 (调休 Sat), 24, 25, 26 Feb.
	from = time.Date(2026, 2, 12, 15, 0, 0, 0, domain.CST)
	if got, want := r.ObjectionDeadline(from), time.Date(2026, 2, 27, 0, 0, 0, 0, domain.CST); !got.Equal(want) {
		t.Errorf("ObjectionDeadline(2026-02-12) = %v, want %v", got, want)
	}
}

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadRulesOverride(t *testing.T) {
	dir := t.TempDir()
	rules := write(t, dir, "rules.json", `{
		"objection_working_days": 10,
		"due_days": {"critical": 3},
		"recheck_due_days": 20,
		"sources": {"recheck_due_days": "市教育督导委员会办公室通知"}
	}`)
	cal := write(t, dir, "cal.txt", "2026-10-01 holiday 国庆节\n2026-10-10 workday 调休\n")

	r, err := LoadRules(rules, cal)
	if err != nil {
		t.Fatalf("LoadRules: %v", err)
	}
	if r.ObjectionWorkingDays != 10 || r.RecheckDueDays != 20 || r.DueDays[domain.SeverityCritical] != 3 {
		t.Errorf("override not applied: %+v", r)
	}
	if r.DueDays[domain.SeverityMajor] != 30 || r.AccountabilityOverdueDays != 15 || len(r.Categories) != 8 {
		t.Errorf("values the override does not name should keep their defaults: %+v", r)
	}
	if r.Sources["objection_working_days"] != overrideSource || r.Sources["due_days"] != overrideSource {
		t.Errorf("overridden values without a source should be cited as overrides: %v", r.Sources)
	}
	if r.Sources["recheck_due_days"] != "市教育督导委员会办公室通知" {
		t.Errorf("the override's own source was lost: %q", r.Sources["recheck_due_days"])
	}
	if r.Sources["proposal_decision_days"] == overrideSource || r.Sources["proposal_decision_days"] == "" {
		t.Errorf("an untouched value should keep its default source: %q", r.Sources["proposal_decision_days"])
	}
	// The calendar file replaces the embedded ones.
	if r.Calendar.IsWorkingDay("2026-10-01") || !r.Calendar.IsWorkingDay("2026-10-02") || !r.Calendar.IsWorkingDay("2026-10-10") {
		t.Error("calendar override not applied")
	}
	if r.Calendar.Covers(2025) {
		t.Error("calendar override should replace the embedded calendars")
	}

	// Only one of the two overridden: the other is the embedded default.
	r, err = LoadRules("", cal)
	if err != nil || r.ObjectionWorkingDays != 5 || !r.Calendar.IsWorkingDay("2026-10-02") {
		t.Errorf("LoadRules(\"\", cal) = %+v, %v", r, err)
	}
	r, err = LoadRules(rules, "")
	if err != nil || r.ObjectionWorkingDays != 10 || r.Calendar.IsWorkingDay("2026-10-02") {
		t.Errorf("LoadRules(rules, \"\") = %+v, %v", r, err)
	}
}

func TestLoadRulesCalendarDir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "cn-2026.txt", "2026-10-01 holiday 国庆节\n")
	write(t, dir, "cn-2027.txt", "2027-01-01 holiday 元旦\n")
	write(t, dir, "README.md", "not a calendar\n")
	r, err := LoadRules("", dir)
	if err != nil {
		t.Fatalf("LoadRules: %v", err)
	}
	if r.Calendar.IsWorkingDay("2026-10-01") || r.Calendar.IsWorkingDay("2027-01-01") || !r.Calendar.Covers(2027) {
		t.Error("both calendar files should be loaded")
	}
}

func TestLoadRulesErrors(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.txt", "2026-10-01 holiday 国庆节\n")
	dupDir := filepath.Join(dir, "dup")
	emptyDir := filepath.Join(dir, "empty")
	for _, d := range []string{dupDir, emptyDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	write(t, dupDir, "a.txt", "2026-10-01 holiday 国庆节\n")
	write(t, dupDir, "b.txt", "2026-10-01 holiday 国庆节\n")

	tests := []struct {
		name            string
		rules, cal      string
		wantInvalidCode bool
	}{
		{"broken JSON", write(t, dir, "broken.json", `{"objection_working_days": 5,`), "", false},
		{"not an object", write(t, dir, "array.json", `[1, 2]`), "", false},
		{"unknown field", write(t, dir, "typo.json", `{"objection_workdays": 5}`), "", false},
		{"wrong type", write(t, dir, "type.json", `{"objection_working_days": "five"}`), "", false},
		{"invalid value", write(t, dir, "zero.json", `{"objection_working_days": 0}`), "", true},
		{"unknown severity", write(t, dir, "sev.json", `{"due_days": {"grave": 3}}`), "", true},
		{"default not a category", write(t, dir, "cat.json", `{"categories": ["校园安全"]}`), "", true},
		{"missing rules file", filepath.Join(dir, "nope.json"), "", false},
		{"missing calendar", "", filepath.Join(dir, "nope.txt"), false},
		{"broken calendar", "", write(t, dir, "bad.txt", "2026-10-09 workday 调休\n"), true},
		{"calendar bad date", "", write(t, dir, "bad2.txt", "2026-10-1 holiday 国庆节\n"), true},
		{"date in two calendar files", "", dupDir, true},
		{"empty calendar dir", "", emptyDir, false},
	}
	for _, tt := range tests {
		_, err := LoadRules(tt.rules, tt.cal)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if tt.wantInvalidCode && domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: code %s, want EINVALID (%v)", tt.name, domain.ErrorCode(err), err)
		}
	}
	if _, err := LoadRules("", good); err != nil {
		t.Errorf("a good calendar file: %v", err)
	}
}
