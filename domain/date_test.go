package domain

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	good := []string{"2026-01-01", "2026-12-31", "2028-02-29", "1999-09-09"}
	for _, s := range good {
		d, err := ParseDate(s)
		if err != nil || d != Date(s) || !d.Valid() {
			t.Errorf("ParseDate(%q) = %q, %v; want it back", s, d, err)
		}
	}
	bad := []string{"2026-13-01", "2026-2-1", "2026-02-1", "", "abc", "2026-02-30", "2027-02-29",
		"2026-00-10", "2026-01-00", " 2026-01-01", "2026-01-01 ", "20260101", "2026/01/01", "26-01-01",
		"2026-01-01T00:00:00Z"}
	for _, s := range bad {
		d, err := ParseDate(s)
		if err == nil {
			t.Errorf("ParseDate(%q) = %q, want an error", s, d)
			continue
		}
		if ErrorCode(err) != EINVALID || ErrorMessage(err) != "日期格式应为YYYY-MM-DD。" {
			t.Errorf("ParseDate(%q) error = %v (%s), want EINVALID with the format message", s, err, ErrorCode(err))
		}
		if Date(s).Valid() {
			t.Errorf("Date(%q).Valid() = true", s)
		}
	}
}

func TestDateOf(t *testing.T) {
	tests := []struct {
		t    time.Time
		want Date
	}{
		{time.Date(2026, 9, 28, 15, 59, 59, 0, time.UTC), "2026-09-28"},
		{time.Date(2026, 9, 28, 16, 0, 0, 0, time.UTC), "2026-09-29"}, // midnight in Beijing
		{time.Date(2026, 9, 29, 23, 59, 0, 0, CST), "2026-09-29"},
		{time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), "2027-01-01"},
	}
	for _, tt := range tests {
		if got := DateOf(tt.t); got != tt.want {
			t.Errorf("DateOf(%v) = %s, want %s", tt.t, got, tt.want)
		}
	}
}

func TestDateTime(t *testing.T) {
	got := Date("2026-10-13").Time()
	if want := time.Date(2026, 10, 12, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Time() = %v, want %v", got, want)
	}
	if got.Location() != CST {
		t.Errorf("Time() location = %v, want CST", got.Location())
	}
	if !Date("2026-2-1").Time().IsZero() {
		t.Error("Time() of an invalid date should be zero")
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		d    Date
		n    int
		want Date
	}{
		{"2026-09-29", 0, "2026-09-29"},
		{"2026-09-29", 7, "2026-10-06"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2028-02-28", 1, "2028-02-29"},
		{"2027-02-28", 1, "2027-03-01"},
		{"2026-03-01", -1, "2026-02-28"},
		{"2026-01-01", 365, "2027-01-01"},
	}
	for _, tt := range tests {
		got := tt.d.AddDays(tt.n)
		if got != tt.want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.d, tt.n, got, tt.want)
		}
		if days := tt.d.DaysUntil(got); days != tt.n {
			t.Errorf("%s.DaysUntil(%s) = %d, want %d", tt.d, got, days, tt.n)
		}
		if (tt.n > 0) != tt.d.Before(got) || (tt.n < 0) != got.Before(tt.d) {
			t.Errorf("Before is inconsistent for %s and %s", tt.d, got)
		}
	}
	if got := Date("2028-01-01").DaysUntil("2029-01-01"); got != 366 {
		t.Errorf("days in 2028 = %d, want 366", got)
	}
	if got := Date("bad").AddDays(3); got != "bad" {
		t.Errorf("AddDays on an invalid date = %q, want it unchanged", got)
	}
	if got := Date("bad").DaysUntil("2026-01-01"); got != 0 {
		t.Errorf("DaysUntil from an invalid date = %d, want 0", got)
	}
	if got := Date("2026-10-10").Weekday(); got != time.Saturday {
		t.Errorf("2026-10-10 is a %v, want Saturday", got)
	}
}
