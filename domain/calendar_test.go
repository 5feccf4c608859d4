package domain

import (
	"fmt"
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

// A deadline counted in calendar days that lands on a weekend or holiday moves to the next working
// day; a 调休 working weekend day keeps it (SPEC §2.3).
func TestNextWorkingDay(t *testing.T) {
	c := testCalendar(t)
	for d, want := range map[Date]Date{
		"2026-09-30": "2026-09-30", // Wednesday
		"2026-09-19": "2026-09-20", // Saturday, then the 调休 Sunday
		"2026-10-01": "2026-10-08", // the holiday week
		"2026-10-03": "2026-10-08", // a Saturday inside it
		"2026-10-10": "2026-10-10", // Saturday, 调休
		"2026-10-11": "2026-10-12", // Sunday
	} {
		if got := c.NextWorkingDay(d); got != want {
			t.Errorf("NextWorkingDay(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestDeadlinesMoveToTheNextWorkingDay(t *testing.T) {
	r := testRules()
	r.Calendar = testCalendar(t)
	at := func(d Date) time.Time { return d.Time().Add(10 * time.Hour) }
	tests := []struct {
		name string
		got  Date
		want Date
	}{
		{"critical due in the holiday", r.DueDate(SeverityCritical, at("2026-09-26")), "2026-10-08"},     // +7 = Sat 3 Oct
		{"critical due on the 调休 Saturday", r.DueDate(SeverityCritical, at("2026-10-03")), "2026-10-10"}, // +7 = Sat 10 Oct
		{"critical due on a Sunday", r.DueDate(SeverityCritical, at("2026-10-04")), "2026-10-12"},        // +7 = Sun 11 Oct
		{"minor due on a weekday", r.DueDate(SeverityMinor, at("2026-09-08")), "2026-10-08"},             // +30 = Thu 8 Oct
		{"recheck due in the holiday", r.RecheckDue(at("2026-09-20")), "2026-10-08"},                     // +15 = Mon 5 Oct
		{"recheck due on a weekday", r.RecheckDue(at("2026-10-08")), "2026-10-23"},                       // +15 = Fri 23 Oct
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, tt.got, tt.want)
		}
	}
	// Late only after the moved due date.
	sub := at("2026-09-20")
	for now, want := range map[Date]bool{"2026-10-05": false, "2026-10-08": false, "2026-10-09": true} {
		if got := r.RecheckLate(sub, at(now)); got != want {
			t.Errorf("RecheckLate on %s = %v, want %v", now, got, want)
		}
	}
}

func TestCalendarEnd(t *testing.T) {
	if end, ok := testCalendar(t).End(); !ok || end != "2026-12-31" {
		t.Errorf("End = %s, %v; want 2026-12-31", end, ok)
	}
	two, _ := testCalendar(t).Merge(NewCalendar([]Date{"2027-01-01"}, nil))
	if end, ok := two.End(); !ok || end != "2027-12-31" {
		t.Errorf("End of two years = %s, %v", end, ok)
	}
	if _, ok := (Calendar{}).End(); ok {
		t.Error("the zero Calendar has an end")
	}
}

// The admin is warned from 60 days before the calendar runs out, and after.
func TestCoverageWarning(t *testing.T) {
	c := testCalendar(t) // 2026 only
	at := func(d Date) time.Time { return d.Time().Add(9 * time.Hour) }
	if msg, ok := c.CoverageWarning(at("2026-10-31")); ok {
		t.Errorf("61 days before the end: %q", msg)
	}
	for _, d := range []Date{"2026-11-01", "2026-12-31"} {
		msg, ok := c.CoverageWarning(at(d))
		left := d.DaysUntil("2026-12-31")
		if !ok || !strings.Contains(msg, "节假日日历只到2026-12-31") || !strings.Contains(msg, fmt.Sprintf("还剩%d天", left)) || !strings.Contains(msg, "2027年") {
			t.Errorf("on %s: %q, %v", d, msg, ok)
		}
	}
	for _, d := range []Date{"2027-01-01", "2027-06-30"} {
		if msg, ok := c.CoverageWarning(at(d)); !ok || !strings.Contains(msg, "未包含2027年") || !strings.Contains(msg, "估算") {
			t.Errorf("past the end, on %s: %q, %v", d, msg, ok)
		}
	}
	// With the next year added there is nothing to say in November.
	two, _ := c.Merge(NewCalendar([]Date{"2027-01-01"}, nil))
	if msg, ok := two.CoverageWarning(at("2026-11-01")); ok {
		t.Errorf("with 2027 added: %q", msg)
	}
	if _, ok := (Calendar{}).CoverageWarning(at("2026-06-01")); !ok {
		t.Error("an empty calendar gives no warning")
	}
}

// Past its end the calendar counts Monday to Friday and says the result is an estimate.
func TestCountingPastTheEndIsAnEstimate(t *testing.T) {
	r := testRules()
	r.Calendar = testCalendar(t)
	due := r.DueDate(SeverityCritical, Date("2026-12-26").Time().Add(10*time.Hour)) // +7 = Saturday 2 January 2027
	if due != "2027-01-04" || !r.Calendar.Estimated(due) || r.Calendar.Label(due) != "2027-01-04（估算）" {
		t.Errorf("due %s, estimated %v, label %q; want Monday 2027-01-04 marked 估算", due, r.Calendar.Estimated(due), r.Calendar.Label(due))
	}
	// 30, 31 December, then 1 (a Friday, counted as working: the calendar does not know 元旦 yet), 4, 5 January.
	last := r.Calendar.AddWorkingDays("2026-12-29", 5)
	if last != "2027-01-05" || !r.Calendar.Estimated(last) {
		t.Errorf("AddWorkingDays across the end = %s (estimated %v)", last, r.Calendar.Estimated(last))
	}
	if in := Date("2026-12-31"); r.Calendar.Estimated(in) || r.Calendar.Label(in) != "2026-12-31" {
		t.Errorf("a covered day is marked: %q", r.Calendar.Label(in))
	}
	msg := OverdueMessage(OverdueFinding{CaseNumber: "乌督学〔2026〕9号", Title: "x", Severity: SeverityCritical, DueOn: due}, Date("2027-01-06").Time(), r)
	if !strings.Contains(msg.Body, "整改期限为2027-01-04（估算）") {
		t.Errorf("reminder does not say the due date is an estimate: %s", msg.Body)
	}
}
