package domain

// A calendar file lists the days that break the Monday–Friday week: public holidays (法定节假日, including
// the weekend days inside a holiday block) and the weekend days worked instead (调休上班). One day per line:
//
//	# comment; a # anywhere starts a comment
//	2026-10-01 holiday 国庆节
//	2026-09-20 workday 国庆节调休
//
// The name is optional and may contain spaces. A date may appear only once, and a workday must fall on a
// Saturday or Sunday (a weekday is a working day already, so listing one is a mistake).

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// Calendar says which days are working days: Monday to Friday unless a holiday, Saturday and Sunday only
// when listed as 调休 workdays. The zero Calendar knows no holidays. A Calendar is immutable once built.
type Calendar struct {
	holidays map[Date]string // date -> holiday name
	workdays map[Date]string // date -> name of the holiday it makes up for
	years    map[int]bool    // years with at least one entry
}

// NewCalendar builds a calendar from holidays and make-up workdays (names left empty).
func NewCalendar(holidays, workdays []Date) Calendar {
	c := Calendar{holidays: map[Date]string{}, workdays: map[Date]string{}, years: map[int]bool{}}
	for _, d := range holidays {
		c.holidays[d] = ""
		c.years[d.Time().Year()] = true
	}
	for _, d := range workdays {
		c.workdays[d] = ""
		c.years[d.Time().Year()] = true
	}
	return c
}

// ParseCalendar reads a calendar file in the format described at the top of this file.
func ParseCalendar(r io.Reader) (Calendar, error) {
	c := NewCalendar(nil, nil)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			return Calendar{}, Errorf(EINVALID, "日历第%d行应为“日期 holiday|workday 名称”。", n)
		}
		d, err := ParseDate(fields[0])
		if err != nil {
			return Calendar{}, Errorf(EINVALID, "日历第%d行：日期格式应为YYYY-MM-DD。", n)
		}
		if _, dup := c.holidays[d]; dup {
			return Calendar{}, Errorf(EINVALID, "日历第%d行：%s重复出现。", n, d)
		}
		if _, dup := c.workdays[d]; dup {
			return Calendar{}, Errorf(EINVALID, "日历第%d行：%s重复出现。", n, d)
		}
		name := strings.Join(fields[2:], " ")
		switch fields[1] {
		case "holiday":
			c.holidays[d] = name
		case "workday":
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return Calendar{}, Errorf(EINVALID, "日历第%d行：调休上班日%s不是周末。", n, d)
			}
			c.workdays[d] = name
		default:
			return Calendar{}, Errorf(EINVALID, "日历第%d行：类型应为holiday或workday。", n)
		}
		c.years[d.Time().Year()] = true
	}
	if err := sc.Err(); err != nil {
		return Calendar{}, err
	}
	return c, nil
}

// Merge combines calendars (one file per year, say). A date listed in two of them is an error.
func (c Calendar) Merge(others ...Calendar) (Calendar, error) {
	m := NewCalendar(nil, nil)
	for _, x := range append([]Calendar{c}, others...) {
		for d, name := range x.holidays {
			if m.listed(d) {
				return Calendar{}, Errorf(EINVALID, "日历中%s重复出现。", d)
			}
			m.holidays[d] = name
		}
		for d, name := range x.workdays {
			if m.listed(d) {
				return Calendar{}, Errorf(EINVALID, "日历中%s重复出现。", d)
			}
			m.workdays[d] = name
		}
		for y := range x.years {
			m.years[y] = true
		}
	}
	return m, nil
}

func (c Calendar) listed(d Date) bool {
	_, h := c.holidays[d]
	_, w := c.workdays[d]
	return h || w
}

// IsWorkingDay reports whether d is a working day.
func (c Calendar) IsWorkingDay(d Date) bool {
	if _, ok := c.holidays[d]; ok {
		return false
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		_, ok := c.workdays[d]
		return ok
	}
	return true
}

// Holiday is the name of the holiday on d, if d is one.
func (c Calendar) Holiday(d Date) (name string, ok bool) {
	name, ok = c.holidays[d]
	return name, ok
}

// Covers reports whether the calendar lists any day of year; a year it does not cover counts every
// weekday as a working day, so the admin should add the next year's file when the State Council
// publishes it.
func (c Calendar) Covers(year int) bool { return c.years[year] }

// End is the last day the calendar covers, 31 December of its last year; false when it covers none.
func (c Calendar) End() (Date, bool) {
	last := 0
	for y := range c.years {
		last = max(last, y)
	}
	if last == 0 {
		return "", false
	}
	return Date(fmt.Sprintf("%04d-12-31", last)), true
}

// Estimated reports whether d lies in a year the calendar does not cover. There the week is taken to
// be Monday to Friday, as the holidays and 调休 are not known, so a deadline that falls on d, or is
// counted across it, is an estimate (估算) and must be shown as one (SPEC §2.3: never silently count
// past the calendar's end). Counting does not stop there: supervision goes on while the admin adds
// the year, and CoverageWarning says it is missing from 60 days before.
func (c Calendar) Estimated(d Date) bool {
	return d.Valid() && !c.Covers(d.Time().Year())
}

// Label is d as printed next to a deadline: "2027-01-05", or "2027-01-05（估算）" when Estimated.
func (c Calendar) Label(d Date) string {
	if c.Estimated(d) {
		return string(d) + "（估算）"
	}
	return string(d)
}

// CalendarWarningDays: the admin is warned this many days before the calendar runs out (SPEC §2.3).
const CalendarWarningDays = 60

// CoverageWarning is the warning for the admin at now, in Chinese, when the calendar runs out within
// CalendarWarningDays (ok is true), or when it does not cover the current year at all.
func (c Calendar) CoverageWarning(now time.Time) (msg string, ok bool) {
	today := DateOf(now)
	year := today.Time().Year()
	if !c.Covers(year) {
		return fmt.Sprintf("节假日日历未包含%d年：工作日暂按周一至周五估算，期限标为“估算”。请系统管理员添加%d年的节假日与调休安排。", year, year), true
	}
	end := Date(fmt.Sprintf("%04d-12-31", year))
	for c.Covers(end.Time().Year() + 1) { // the covered run that holds today
		end = Date(fmt.Sprintf("%04d-12-31", end.Time().Year()+1))
	}
	left := today.DaysUntil(end)
	if left > CalendarWarningDays {
		return "", false
	}
	next := end.Time().Year() + 1
	return fmt.Sprintf("节假日日历只到%s（还剩%d天）。国务院公布%d年节假日安排后，请系统管理员及时添加；此前落在%d年的期限按周一至周五估算，并标为“估算”。",
		end, left, next, next), true
}

// NextWorkingDay is d when d is a working day, else the first working day after it: where a deadline
// counted in calendar days that falls on a weekend or a holiday moves (a 调休 Saturday is a working day
// and keeps it).
func (c Calendar) NextWorkingDay(d Date) Date {
	if !d.Valid() {
		return d
	}
	for !c.IsWorkingDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// AddWorkingDays is the n-th working day after d (d itself does not count, working or not);
// for n < 0 the |n|-th working day before d; d when n is 0.
func (c Calendar) AddWorkingDays(d Date, n int) Date {
	if !d.Valid() {
		return d
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days after a up to and including b, so that
// WorkingDaysBetween(d, AddWorkingDays(d, n)) == n. It is negative when b is before a.
func (c Calendar) WorkingDaysBetween(a, b Date) int {
	if !a.Valid() || !b.Valid() {
		return 0
	}
	if b.Before(a) {
		return -c.WorkingDaysBetween(b, a)
	}
	n := 0
	for d := a.AddDays(1); !b.Before(d); d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}
