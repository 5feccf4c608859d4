package domain

import (
	"slices"
	"strings"
	"time"
)

// Severity is how grave a finding is (SPEC §2).
type Severity string

const (
	SeverityMinor    Severity = "minor"    // 一般
	SeverityMajor    Severity = "major"    // 较重
	SeverityCritical Severity = "critical" // 重大/安全隐患
)

// Valid reports whether s is one of the three severities.
func (s Severity) Valid() bool {
	return s == SeverityMinor || s == SeverityMajor || s == SeverityCritical
}

// Label is the Chinese name of s.
func (s Severity) Label() string {
	switch s {
	case SeverityMinor:
		return "一般"
	case SeverityMajor:
		return "较重"
	case SeverityCritical:
		return "重大"
	}
	return string(s)
}

// Date is a civil date "YYYY-MM-DD" in China Standard Time. Stored as that string, so it sorts and
// compares the same in Go, SQLite and PostgreSQL. Helpers are in date.go.
type Date string

// Rules are the clocks and thresholds of supervision, loaded from policies/rules.json
// (overridable at deploy). Each default cites its source in Sources, keyed by the JSON field name.
type Rules struct {
	// ObjectionWorkingDays is how long the target may object to the feedback (申辩), in working days (R8).
	ObjectionWorkingDays int `json:"objection_working_days"`
	// DueDays is the rectification deadline by severity, in calendar days from issue (R9, R15).
	DueDays map[Severity]int `json:"due_days"`
	// RecheckDueDays is how long the supervisor has to recheck a submitted rectification, in calendar days
	// (a local period, SPEC §2.3; the agency must verify rectification, R10).
	RecheckDueDays int `json:"recheck_due_days"`
	// AccountabilityOverdueDays: 问责 is proposed when a finding is overdue by more than this many days
	// (a local threshold, SPEC §2.3; not rectifying per the 意见书 is sanctionable, R13).
	AccountabilityOverdueDays int `json:"accountability_overdue_days"`
	// AccountabilitySendBacks: 问责 is proposed when recheck has sent a case back this many times
	// (a local threshold, SPEC §2.3; R13).
	AccountabilitySendBacks int `json:"accountability_send_backs"`
	// ProposalDecisionDays: a 问责 proposal not decided this many days after the supervision's completion is flagged (R55).
	ProposalDecisionDays int `json:"proposal_decision_days"`
	// StatementWorkingDays is how long the object of a 问责 notice may make its 陈述申辩, in working days
	// (R56 requires hearing it; the period is a local setting).
	StatementWorkingDays int `json:"statement_working_days"`
	// IndependentRecheck: the recheck must be done by someone other than the finding's author (SPEC §1).
	IndependentRecheck bool `json:"independent_recheck"`
	// Categories are the finding categories; DefaultCategory (one of them) is used when none is given.
	Categories      []string `json:"categories"`
	DefaultCategory string   `json:"default_category"`
	// ProcedureKinds are the kinds of supervision run under the 专项/综合 procedure (R7, R20): a team of
	// TeamMinSize 督学 and a written 督导通知 NoticeDays ahead of the visit, unless marked unannounced
	// (四不两直, R47). Empty switches the procedure off.
	ProcedureKinds []CaseKind `json:"procedure_kinds"`
	// TeamMinSize is the smallest 督导小组 of a ProcedureKinds case (R7: at least 3 督学).
	TeamMinSize int `json:"team_min_size"`
	// NoticeDays: the 督导通知 of a ProcedureKinds case is sent at least this many days before the
	// visit (R20: 30 days, "except in special circumstances").
	NoticeDays int `json:"notice_days"`
	// The R16 ladder: the target may apply for 复查 within ReviewApplyDays of the 意见书, decided
	// within ReviewDecideDays; then for 复核 by the next-higher office within RereviewApplyDays of the
	// 复查 decision, decided within RereviewDecideDays. Calendar days, moved to the next working day.
	ReviewApplyDays    int `json:"review_apply_days"`
	ReviewDecideDays   int `json:"review_decide_days"`
	RereviewApplyDays  int `json:"rereview_apply_days"`
	RereviewDecideDays int `json:"rereview_decide_days"`
	// HigherOffice is the supervision office above the root of the org tree (the region's), which the
	// tree does not hold: the 抄送 of a root office's 督导报告 (R11) and where its 复核 goes (R16).
	HigherOffice string `json:"higher_office"`
	// Sources cites, per JSON field name, where each value comes from.
	Sources map[string]string `json:"sources"`

	// Registry are the clocks and thresholds of the inspector registry, 挂牌 and coverage (R3, R6, R21,
	// R28, R33, R38), with their own sources.
	Registry RegistryRules `json:"registry"`

	// Calendar gives the working days; attached by the loader, not read from JSON.
	Calendar Calendar `json:"-"`
}

// ObjectionDeadline is the instant the objection window opened at from closes
// (5 working days by default, R8): midnight CST after the last working day of the window.
// The day of from does not count.
func (r Rules) ObjectionDeadline(from time.Time) time.Time {
	return r.Calendar.AddWorkingDays(DateOf(from), r.ObjectionWorkingDays).AddDays(1).Time()
}

// StatementDeadline is the instant the 陈述申辩 window of a 问责 notice given at from closes (R56):
// midnight CST after the last working day of the window. The day of the notice does not count.
func (r Rules) StatementDeadline(from time.Time) time.Time {
	return r.Calendar.AddWorkingDays(DateOf(from), r.StatementWorkingDays).AddDays(1).Time()
}

// DueDate is the rectification deadline of a finding of severity sev issued at issued (R15): the last
// day on which rectification is on time, DueDays calendar days after the issue, moved to the next
// working day when that is a weekend or a holiday (SPEC §2.3). An unknown severity gets the minor
// deadline.
func (r Rules) DueDate(sev Severity, issued time.Time) Date {
	days, ok := r.DueDays[sev]
	if !ok {
		days = r.DueDays[SeverityMinor]
	}
	return r.Calendar.NextWorkingDay(DateOf(issued).AddDays(days))
}

// RecheckDue is the date a recheck is due after a rectification was submitted at submitted:
// RecheckDueDays calendar days later, moved to the next working day like DueDate.
func (r Rules) RecheckDue(submitted time.Time) Date {
	return r.Calendar.NextWorkingDay(DateOf(submitted).AddDays(r.RecheckDueDays))
}

// RecheckLate reports whether a rectification submitted at submitted and not yet rechecked is late at
// now: from the day after RecheckDue.
func (r Rules) RecheckLate(submitted, now time.Time) bool {
	return r.RecheckDue(submitted).Before(DateOf(now))
}

// DaysOverdue is how many days past due is at now: 0 on or before the due date, 1 on the day after.
func (r Rules) DaysOverdue(due Date, now time.Time) int {
	return max(0, due.DaysUntil(DateOf(now)))
}

// ProposeForOverdue reports whether a finding due on due and still open at now calls for a 问责 proposal
// (overdue by more than AccountabilityOverdueDays).
func (r Rules) ProposeForOverdue(due Date, now time.Time) bool {
	return r.DaysOverdue(due, now) > r.AccountabilityOverdueDays
}

// ProposeForSendBacks reports whether a case sent back by recheck sendBacks times calls for a 问责 proposal.
func (r Rules) ProposeForSendBacks(sendBacks int) bool {
	return sendBacks >= r.AccountabilitySendBacks
}

// ProposalOverdue reports whether a 问责 proposal for a supervision completed on completed and still
// undecided at now is to be flagged (R55): from the day after ProposalDecisionDays calendar days,
// moved to the next working day like DueDate.
func (r Rules) ProposalOverdue(completed Date, now time.Time) bool {
	return r.Calendar.NextWorkingDay(completed.AddDays(r.ProposalDecisionDays)).Before(DateOf(now))
}

// UnderProcedure reports whether cases of kind k follow the 专项/综合 procedure (R7, R20).
func (r Rules) UnderProcedure(k CaseKind) bool { return slices.Contains(r.ProcedureKinds, k) }

// EarliestVisit is the first visit day a 督导通知 sent at sent may announce: NoticeDays later (R20).
func (r Rules) EarliestVisit(sent time.Time) Date { return DateOf(sent).AddDays(r.NoticeDays) }

// due is the day n calendar days after d, moved to the next working day (SPEC §2.3).
func (r Rules) due(d Date, n int) Date { return r.Calendar.NextWorkingDay(d.AddDays(n)) }

// ReviewApplyBy is the last day the target may apply for 复查 of an opinion issued at issued (R16).
func (r Rules) ReviewApplyBy(issued time.Time) Date { return r.due(DateOf(issued), r.ReviewApplyDays) }

// ReviewDecideBy is the day by which a 复查 applied for at applied is to be decided (R16).
func (r Rules) ReviewDecideBy(applied time.Time) Date {
	return r.due(DateOf(applied), r.ReviewDecideDays)
}

// RereviewApplyBy is the last day the target may apply for 复核 of a 复查 decided at decided (R16).
func (r Rules) RereviewApplyBy(decided time.Time) Date {
	return r.due(DateOf(decided), r.RereviewApplyDays)
}

// RereviewDecideBy is the day by which a 复核 applied for at applied is to be decided (R16).
func (r Rules) RereviewDecideBy(applied time.Time) Date {
	return r.due(DateOf(applied), r.RereviewDecideDays)
}

// ValidCategory reports whether s is one of the finding categories.
func (r Rules) ValidCategory(s string) bool {
	return slices.Contains(r.Categories, s)
}

// CategoryOrDefault is s with surrounding space trimmed, or the default category when s is blank.
func (r Rules) CategoryOrDefault(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return r.DefaultCategory
	}
	return s
}

// Validate checks that the rules can drive the clocks: positive periods, a deadline for every
// severity, and a non-empty category list containing the default.
func (r Rules) Validate() error {
	bad := map[string]string{}
	positive := func(field string, v int) {
		if v <= 0 {
			bad[field] = "应为正整数。"
		}
	}
	positive("objection_working_days", r.ObjectionWorkingDays)
	positive("recheck_due_days", r.RecheckDueDays)
	positive("accountability_overdue_days", r.AccountabilityOverdueDays)
	positive("accountability_send_backs", r.AccountabilitySendBacks)
	positive("proposal_decision_days", r.ProposalDecisionDays)
	positive("statement_working_days", r.StatementWorkingDays)
	for _, sev := range []Severity{SeverityCritical, SeverityMajor, SeverityMinor} {
		if r.DueDays[sev] <= 0 {
			bad["due_days"] = "每个严重程度（critical、major、minor）都应有正的整改天数。"
		}
	}
	for sev := range r.DueDays {
		if !sev.Valid() {
			bad["due_days"] = "严重程度" + string(sev) + "未定义。"
		}
	}
	positive("review_apply_days", r.ReviewApplyDays)
	positive("review_decide_days", r.ReviewDecideDays)
	positive("rereview_apply_days", r.RereviewApplyDays)
	positive("rereview_decide_days", r.RereviewDecideDays)
	if r.TeamMinSize < 1 {
		bad["team_min_size"] = "应为正整数（1 即不限人数）。"
	}
	if r.NoticeDays < 0 {
		bad["notice_days"] = "不能为负数。"
	}
	for _, k := range r.ProcedureKinds {
		if !k.Valid() {
			bad["procedure_kinds"] = "督导方式" + string(k) + "未定义。"
		}
	}
	seen := map[string]bool{}
	for _, c := range r.Categories {
		if strings.TrimSpace(c) == "" || seen[c] {
			bad["categories"] = "问题类别不能为空或重复。"
		}
		seen[c] = true
	}
	if len(r.Categories) == 0 {
		bad["categories"] = "至少应有一个问题类别。"
	}
	if !seen[r.DefaultCategory] {
		bad["default_category"] = "默认类别应在问题类别之中。"
	}
	if err := r.Registry.Validate(); err != nil {
		if de, ok := err.(*Error); ok {
			for k, v := range de.Fields {
				bad["registry."+k] = v
			}
		}
	}
	if len(bad) > 0 {
		return FieldError("督导规则配置有误。", bad)
	}
	return nil
}
