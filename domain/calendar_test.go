package domain

import (
	"strings"
	"testing"
	"time"
)

// testCalendar: the 2026 National Day week off, made up on Sunday 20 September and Saturday 10 October.
const testCalendarText = `
# test calendar
2026-09-20 workday 国庆节调休
2026-10-01 holiday 国庆节
2026-10-02 holiday 国庆节
2026-10-03 holiday 国庆节
2026-10-04 holiday 国庆节
2026-10-05 holiday 国庆节
2026-10-06 holiday 国庆节
2026-10-07 holiday 国庆节   # the last day off
2026-10-10 workday 国庆节调休
`

func testCalendar(t *testing.T) Calendar {
	t.Helper()
	c, err := ParseCalendar(strings.NewReader(testCalendarText))
	if err != nil {
		t.Fatalf("ParseCalendar: %v", err)
	}
	return c
}

func TestIsWorkingDay(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		d    Date
		want bool
	}{
		{"2026-09-18", true},  // Friday
		{"2026-09-19", false}, // Saturday
		{"2026-09-20", true},  // Sunday, 调休
		{"2026-09-30", true},  // Wednesday
		{"2026-10-01", false}, // Thursday, holiday
		{"2026-10-03", false}, // Saturday, holiday
		{"2026-10-07", false}, // Wednesday, holiday
		{"2026-10-08", true},  // Thursday
		{"2026-10-10", true},  // Saturday, 调休
		{"2026-10-11", false}, // Sunday
		{"2026-10-12", true},  // Monday
	}
	for _, tt := range tests {
		if got := c.IsWorkingDay(tt.d); got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.d, got, tt.want)
		}
	}
	if name, ok := c.Holiday("2026-10-07"); !ok || name != "国庆节" {
		t.Errorf("Holiday(2026-10-07) = %q, %v; want 国庆节 (comment stripped)", name, ok)
	}
	var zero Calendar
	if !zero.IsWorkingDay("2026-10-01") || zero.IsWorkingDay("2026-10-10") {
		t.Error("the zero Calendar should be a plain Monday–Friday week")
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		d    Date
		n    int
		want Date
	}{
		{"2026-09-29", 0, "2026-09-29"},
		{"2026-09-29", 1, "2026-09-30"},
		{"2026-09-29", 2, "2026-10-08"}, // skips the holiday week
		{"2026-09-29", 3, "2026-10-09"},
		{"2026-09-29", 4, "2026-10-10"}, // 调休 Saturday counts
		{"2026-09-29", 5, "2026-10-12"}, // Sunday 11th does not
		{"2026-10-03", 1, "2026-10-08"}, // from inside the holiday
		{"2026-09-18", 1, "2026-09-20"}, // Friday -> 调休 Sunday
		{"2026-09-18", 2, "2026-09-21"},
		{"2026-11-06", 1, "2026-11-09"}, // an ordinary weekend
		{"2026-10-08", -1, "2026-09-30"},
		{"2026-10-12", -2, "2026-10-09"},
	}
	for _, tt := range tests {
		if got := c.AddWorkingDays(tt.d, tt.n); got != tt.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.d, tt.n, got, tt.want)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		a, b Date
		want int
	}{
		{"2026-09-29", "2026-09-29", 0},
		{"2026-09-29", "2026-10-07", 1},
		{"2026-09-29", "2026-10-12", 5},
		{"2026-09-29", "2026-10-13", 6},
		{"2026-10-12", "2026-09-29", -5},
		{"2026-09-18", "2026-09-21", 2},
	}
	for _, tt := range tests {
		if got := c.WorkingDaysBetween(tt.a, tt.b); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	for d := Date("2026-09-15"); d.Before("2026-10-15"); d = d.AddDays(1) {
		for n := 0; n <= 25; n++ {
			if got := c.WorkingDaysBetween(d, c.AddWorkingDays(d, n)); got != n {
				t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(%s, %d)) = %d", d, d, n, got)
			}
		}
	}
}

func TestNewCalendar(t *testing.T) {
	c := NewCalendar([]Date{"2026-10-01"}, []Date{"2026-10-10"})
	if c.IsWorkingDay("2026-10-01") || !c.IsWorkingDay("2026-10-10") || !c.IsWorkingDay("2026-10-02") {
		t.Error("NewCalendar did not record its holidays and workdays")
	}
	if !c.Covers(2026) || c.Covers(2027) {
		t.Error("Covers should report exactly the years listed")
	}
}

func TestParseCalendarErrors(t *testing.T) {
	tests := []struct {
		name, text, line string
	}{
		{"bad date", "2026-10-01 holiday\n2026-10-2 holiday 国庆节\n", "第2行"},
		{"bad kind", "2026-10-01 vacation 国庆节\n", "第1行"},
		{"missing kind", "# c\n\n2026-10-01\n", "第3行"},
		{"workday on a weekday", "2026-10-09 workday 调休\n", "第1行"},
		{"duplicate", "2026-10-01 holiday 国庆节\n2026-10-01 holiday 国庆节\n", "第2行"},
		{"holiday and workday", "2026-10-10 holiday x\n2026-10-10 workday y\n", "第2行"},
	}
	for _, tt := range tests {
		_, err := ParseCalendar(strings.NewReader(tt.text))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.line) {
			t.Errorf("%s: error %v, want EINVALID naming %s", tt.name, err, tt.line)
		}
	}
}

func TestCalendarMerge(t *testing.T) {
	a := NewCalendar([]Date{"2025-10-01"}, nil)
	b := NewCalendar([]Date{"2026-10-01"}, []Date{"2026-10-10"})
	m, err := a.Merge(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.IsWorkingDay("2025-10-01") || m.IsWorkingDay("2026-10-01") || !m.IsWorkingDay("2026-10-10") {
		t.Error("Merge lost an entry")
	}
	if !m.Covers(2025) || !m.Covers(2026) {
		t.Error("Merge lost a year")
	}
	if _, err := m.Merge(NewCalendar(nil, []Date{"2026-10-01"})); ErrorCode(err) != EINVALID {
		t.Errorf("Merge of a date listed twice: err = %v, want EINVALID", err)
	}
	if !a.IsWorkingDay("2026-10-01") {
		t.Error("Merge changed its receiver")
	}
}

func TestObjectionDeadlineUsesCST(t *testing.T) {
	r := Rules{ObjectionWorkingDays: 5, Calendar: testCalendar(t)}
	tests := []struct {
		from time.Time
		want time.Time
	}{
		// 5 working days after Tue 29 Sep: 30 Sep, 8, 9, 10 (调休), 12 Oct -> closes at the start of 13 Oct.
		{time.Date(2026, 9, 29, 10, 0, 0, 0, CST), time.Date(2026, 10, 13, 0, 0, 0, 0, CST)},
		{time.Date(2026, 9, 28, 16, 30, 0, 0, time.UTC), time.Date(2026, 10, 13, 0, 0, 0, 0, CST)}, // 29 Sep 00:30 in Beijing
		// 28 Sep 23:59 in Beijing: 29, 30 Sep, 8, 9, 10 Oct -> 11 Oct.
		{time.Date(2026, 9, 28, 15, 59, 0, 0, time.UTC), time.Date(2026, 10, 11, 0, 0, 0, 0, CST)},
	}
	for _, tt := range tests {
		if got := r.ObjectionDeadline(tt.from); !got.Equal(tt.want) {
			t.Errorf("ObjectionDeadline(%v) = %v, want %v", tt.from, got, tt.want)
		}
	}
	// Without the holidays the same window would close on 7 October: the calendar matters.
	plain := Rules{ObjectionWorkingDays: 5}
	if got, want := plain.ObjectionDeadline(tests[0].from), time.Date(2026, 10, 7, 0, 0, 0, 0, CST); !got.Equal(want) {
		t.Errorf("plain-week ObjectionDeadline = %v, want %v", got, want)
	}
}
