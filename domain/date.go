package domain

import "time"

// CST is China Standard Time. A fixed zone (China has no daylight saving) so that no tzdata is needed.
var CST = time.FixedZone("CST", 8*3600)

const dateLayout = "2006-01-02"

// ParseDate reads a civil date written strictly as YYYY-MM-DD ("2026-2-1" and "2026-13-01" are rejected).
func ParseDate(s string) (Date, error) {
	// time.Parse is strict here: fixed-width fields, and day in range for the month.
	if _, err := time.ParseInLocation(dateLayout, s, CST); err != nil {
		return "", Errorf(EINVALID, "日期格式应为YYYY-MM-DD。")
	}
	return Date(s), nil
}

// DateOf is the civil date in China Standard Time of the instant t.
func DateOf(t time.Time) Date {
	return Date(t.In(CST).Format(dateLayout))
}

// Valid reports whether d is a well-formed YYYY-MM-DD date.
func (d Date) Valid() bool {
	_, err := ParseDate(string(d))
	return err == nil
}

func (d Date) String() string { return string(d) }

// Time is midnight CST at the start of d; the zero Time if d is not valid.
func (d Date) Time() time.Time {
	t, err := time.ParseInLocation(dateLayout, string(d), CST)
	if err != nil {
		return time.Time{}
	}
	return t
}

// AddDays is the date n calendar days after d (before it when n < 0). An invalid d is returned unchanged.
func (d Date) AddDays(n int) Date {
	t := d.Time()
	if t.IsZero() {
		return d
	}
	return DateOf(t.AddDate(0, 0, n))
}

// Before reports whether d is earlier than o. Valid dates compare as strings.
func (d Date) Before(o Date) bool { return d < o }

// DaysUntil is the number of calendar days from d to o: 1 when o is the day after d, negative when o is earlier.
// It is 0 if either date is invalid.
func (d Date) DaysUntil(o Date) int {
	a, b := d.Time(), o.Time()
	if a.IsZero() || b.IsZero() {
		return 0
	}
	// CST has no daylight saving, so every day is exactly 24 hours.
	return int(b.Sub(a) / (24 * time.Hour))
}

// Weekday is the day of the week of d (Sunday for an invalid d).
func (d Date) Weekday() time.Weekday {
	t := d.Time()
	if t.IsZero() {
		return time.Sunday
	}
	return t.Weekday()
}
