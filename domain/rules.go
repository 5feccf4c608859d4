package domain

import "time"

// Severity is how grave a finding is (SPEC §2).
type Severity string

const (
	SeverityMinor    Severity = "minor"    // 一般
	SeverityMajor    Severity = "major"    // 较重
	SeverityCritical Severity = "critical" // 重大/安全隐患
)

// Date is a civil date "YYYY-MM-DD" in China Standard Time. Stored as that string, so it sorts and
// compares the same in Go, SQLite and PostgreSQL.
type Date string

// Rules are the clocks and thresholds of supervision, loaded from policies/rules.json
// (overridable at deploy). Each default cites its source there.
type Rules struct {
	// STUB: to be filled in (fields, calendar).
}

// ObjectionDeadline is the instant the objection window opened at from closes
// (5 working days by default, R8): midnight CST after the last working day of the window.
func (r Rules) ObjectionDeadline(from time.Time) time.Time { return from.AddDate(0, 0, 7) }

// DueDate is the rectification deadline of a finding of severity sev issued at issued (R15).
func (r Rules) DueDate(sev Severity, issued time.Time) Date {
	return Date(issued.AddDate(0, 0, 30).Format("2006-01-02"))
}

// RecheckDue is the date a recheck is due after a rectification was submitted at submitted.
func (r Rules) RecheckDue(submitted time.Time) Date {
	return Date(submitted.AddDate(0, 0, 15).Format("2006-01-02"))
}
