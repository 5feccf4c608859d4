package domain

import (
	"fmt"
	"time"
)

// Coverage (挂牌督导, SPEC §3) checks the floors of 责任督学 supervision over plain inputs, with no I/O:
// schools without a 责任督学 (R21) or whose 责任督学 cannot serve; schools not visited this month (R28)
// or fewer than twice this semester (R3); inspectors over their load cap (R21), short of training
// hours this year (R38), or at the end or past the limit of their terms (R6). Each finding says, in
// words a director reads, what is wrong and which rule it breaks.

// CoverageRule names the rule a finding breaks.
type CoverageRule string

const (
	CovNoInspector     CoverageRule = "no_inspector"     // R21: the school has no 责任督学
	CovInspectorAbsent CoverageRule = "inspector_absent" // R21: its 责任督学 is suspended, out of term, gone or conflicted
	CovMonthlyVisit    CoverageRule = "monthly_visit"    // R28: no visit this calendar month
	CovSemesterVisits  CoverageRule = "semester_visits"  // R3: fewer than two this semester
	CovOverLoad        CoverageRule = "over_load"        // R21: more schools than the inspector's cap
	CovTraining        CoverageRule = "training"         // R38: under 40 hours of training this year
	CovTermLimit       CoverageRule = "term_limit"       // R6: more than three consecutive terms
	CovTermEnding      CoverageRule = "term_ending"      // R6: the term ends within TermWarningDays
	CovTermExpired     CoverageRule = "term_expired"     // R6: the term is over, neither renewed nor ended
)

// CoverageRules lists the rules in the order findings are reported.
var CoverageRules = []CoverageRule{CovNoInspector, CovInspectorAbsent, CovMonthlyVisit, CovSemesterVisits,
	CovOverLoad, CovTraining, CovTermLimit, CovTermEnding, CovTermExpired}

// Label is the Chinese name of r, as a heading.
func (r CoverageRule) Label() string {
	switch r {
	case CovNoInspector:
		return "未配备责任督学"
	case CovInspectorAbsent:
		return "责任督学不能履职"
	case CovMonthlyVisit:
		return "本月未到校督导"
	case CovSemesterVisits:
		return "本学期经常性督导不足"
	case CovOverLoad:
		return "负责学校超出上限"
	case CovTraining:
		return "年度培训学时不足"
	case CovTermLimit:
		return "超过连任届数"
	case CovTermEnding:
		return "任期即将届满"
	case CovTermExpired:
		return "任期已届满"
	}
	return string(r)
}

// CoverageFinding is one breach: of a school (SchoolID) or of an inspector (InspectorID).
type CoverageFinding struct {
	Rule        CoverageRule
	SchoolID    int64
	InspectorID int64
	Name        string // the school's or the inspector's
	Message     string
}

// Visit is one 经常性督导 visit: a routine case's visit day at a school. Cancelled cases are not visits.
type Visit struct {
	SchoolID int64
	On       Date
}

// Semester is a half of a school year, first and last day included.
type Semester struct {
	Start, End Date
	SchoolYear int  // the year the school year begins: 2025 for 2025—2026学年
	Autumn     bool // 第一学期 (autumn) or 第二学期 (spring)
}

// Label names the semester: 2025—2026学年第二学期.
func (s Semester) Label() string {
	n := "二"
	if s.Autumn {
		n = "一"
	}
	return fmt.Sprintf("%d—%d学年第%s学期", s.SchoolYear, s.SchoolYear+1, n)
}

// Contains reports whether d is one of the semester's days.
func (s Semester) Contains(d Date) bool { return !d.Before(s.Start) && !s.End.Before(d) }

// SemesterOf is the semester d falls in, cut by SpringStarts and AutumnStarts (with the defaults:
// autumn 9-1 to 1-31 of the next year, spring 2-1 to 8-31).
func (rr RegistryRules) SemesterOf(d Date) Semester {
	y := d.Time().Year()
	md := string(d)[5:]
	on := func(year int, mmdd string) Date { return Date(fmt.Sprintf("%04d-%s", year, mmdd)) }
	switch {
	case md >= rr.AutumnStarts:
		return Semester{Start: on(y, rr.AutumnStarts), End: on(y+1, rr.SpringStarts).AddDays(-1), SchoolYear: y, Autumn: true}
	case md >= rr.SpringStarts:
		return Semester{Start: on(y, rr.SpringStarts), End: on(y, rr.AutumnStarts).AddDays(-1), SchoolYear: y - 1}
	}
	return Semester{Start: on(y-1, rr.AutumnStarts), End: on(y, rr.SpringStarts).AddDays(-1), SchoolYear: y - 1, Autumn: true}
}

// CoverageInput is what coverage looks at, already scoped by the caller: the schools, their 挂牌
// records, the inspectors those name (and any others to check), and the visits of this semester at
// least.
type CoverageInput struct {
	Schools     []Org
	Assignments []Assignment
	Inspectors  []Inspector
	Visits      []Visit
}

// Coverage runs every rule at now and returns the findings, school rules first, in the order of
// CoverageRules, then of the inputs.
func Coverage(in CoverageInput, now time.Time, rr RegistryRules) []CoverageFinding {
	out := SchoolsWithoutInspector(in.Schools, in.Assignments, in.Inspectors, now)
	out = append(out, MonthlyVisitGaps(in.Schools, in.Visits, now, rr)...)
	out = append(out, SemesterVisitGaps(in.Schools, in.Visits, now, rr)...)
	out = append(out, OverLoad(in.Inspectors, in.Assignments, now)...)
	out = append(out, TrainingGaps(in.Inspectors, now, rr)...)
	out = append(out, TermAlerts(in.Inspectors, now, rr)...)
	return out
}

// SchoolsWithoutInspector finds the schools with no 责任督学 in post today (R21), and those whose
// 责任督学 cannot serve: suspended, out of term, retired, or with a declared conflict with the school.
func SchoolsWithoutInspector(schools []Org, assignments []Assignment, inspectors []Inspector, now time.Time) []CoverageFinding {
	today := DateOf(now)
	bySchool := map[int64]*Assignment{}
	for k := range assignments {
		bySchool[assignments[k].School.ID] = &assignments[k]
	}
	byID := inspectorIndex(inspectors)
	var out []CoverageFinding
	for _, s := range schools {
		var p *Posting
		if a := bySchool[s.ID]; a != nil {
			p = a.Current(today)
		}
		if p == nil {
			out = append(out, CoverageFinding{Rule: CovNoInspector, SchoolID: s.ID, Name: s.Name,
				Message: fmt.Sprintf("%s目前没有责任督学（每所学校都应有责任督学挂牌督导）。", s.Name)})
			continue
		}
		why := ""
		switch i := byID[p.InspectorID]; {
		case i == nil:
			why = "已不在督学名录库中"
		case i.Status != InspAppointed:
			why = "当前状态为「" + i.Status.Label() + "」"
		case i.Current(today) == nil:
			why = "不在任期内"
			if t := i.LastTerm(); t != nil && t.Until != "" && t.Until.Before(today) {
				why = "任期已于" + string(t.Until) + "届满"
			}
		default:
			if c, ok := i.ConflictsWith(s); ok {
				why = "已申报与" + c.Org.Name + "的回避情形（" + c.Reason + "）"
			}
		}
		if why != "" {
			out = append(out, CoverageFinding{Rule: CovInspectorAbsent, SchoolID: s.ID, InspectorID: p.InspectorID, Name: s.Name,
				Message: fmt.Sprintf("%s的责任督学%s%s，不能履行挂牌督导职责，请另行指定。", s.Name, p.Name, why)})
		}
	}
	return out
}

// MonthlyVisitGaps finds the schools with fewer than MonthlyVisits visits in the calendar month of
// now (R28: 责任督学每月至少到校督导1次). Early in a month every school shows; the message says how
// many days are left.
func MonthlyVisitGaps(schools []Org, visits []Visit, now time.Time, rr RegistryRules) []CoverageFinding {
	today := DateOf(now)
	month := string(today)[:7]
	first := Date(month + "-01")
	last := DateOf(first.Time().AddDate(0, 1, -1))
	counts := visitCounts(visits, first, today)
	var out []CoverageFinding
	for _, s := range schools {
		if n := counts[s.ID]; n < rr.MonthlyVisits {
			out = append(out, CoverageFinding{Rule: CovMonthlyVisit, SchoolID: s.ID, Name: s.Name,
				Message: fmt.Sprintf("%s本月（%d年%d月）经常性督导到校%d次，少于每月%d次；本月还剩%d天。",
					s.Name, today.Time().Year(), int(today.Time().Month()), n, rr.MonthlyVisits, today.DaysUntil(last))})
		}
	}
	return out
}

// SemesterVisitGaps finds the schools with fewer than SemesterVisits visits in the semester of now
// (R3: 经常性督导每学期不少于2次).
func SemesterVisitGaps(schools []Org, visits []Visit, now time.Time, rr RegistryRules) []CoverageFinding {
	today := DateOf(now)
	sem := rr.SemesterOf(today)
	counts := visitCounts(visits, sem.Start, today)
	var out []CoverageFinding
	for _, s := range schools {
		if n := counts[s.ID]; n < rr.SemesterVisits {
			out = append(out, CoverageFinding{Rule: CovSemesterVisits, SchoolID: s.ID, Name: s.Name,
				Message: fmt.Sprintf("%s本学期（%s，%s至%s）经常性督导%d次，少于每学期%d次；距学期结束还有%d天。",
					s.Name, sem.Label(), sem.Start, sem.End, n, rr.SemesterVisits, today.DaysUntil(sem.End))})
		}
	}
	return out
}

// visitCounts counts the visits per school from first to last (today: a visit dated later is only
// planned), both included. Two visits on one day count once: a visit is a day at the school.
func visitCounts(visits []Visit, first, last Date) map[int64]int {
	seen := map[Visit]bool{}
	counts := map[int64]int{}
	for _, v := range visits {
		if v.On.Before(first) || last.Before(v.On) || seen[v] {
			continue
		}
		seen[v] = true
		counts[v.SchoolID]++
	}
	return counts
}

// Loads counts, per inspector, the schools whose posting is in force on d.
func Loads(assignments []Assignment, d Date) map[int64]int {
	out := map[int64]int{}
	for k := range assignments {
		if p := assignments[k].Current(d); p != nil {
			out[p.InspectorID]++
		}
	}
	return out
}

// OverLoad finds the inspectors holding more schools today than their cap (R21).
func OverLoad(inspectors []Inspector, assignments []Assignment, now time.Time) []CoverageFinding {
	loads := Loads(assignments, DateOf(now))
	var out []CoverageFinding
	for _, i := range inspectors {
		if n := loads[i.ID]; n > i.LoadCap {
			out = append(out, CoverageFinding{Rule: CovOverLoad, InspectorID: i.ID, Name: i.Name,
				Message: fmt.Sprintf("%s现为%d所学校的责任督学，超过其上限%d所（每名责任督学一般负责5所左右学校）。", i.Label(), n, i.LoadCap)})
		}
	}
	return out
}

// TrainingGaps finds the inspectors on the roster with fewer training hours this year than the floor
// (R38: 每年集中培训不少于40学时). Early in a year most show; the message says how many are missing.
func TrainingGaps(inspectors []Inspector, now time.Time, rr RegistryRules) []CoverageFinding {
	year := now.In(CST).Year()
	var out []CoverageFinding
	for _, i := range inspectors {
		if !i.Status.InRegistry() {
			continue
		}
		if h := i.TrainingHours(year); h < rr.TrainingHoursPerYear {
			out = append(out, CoverageFinding{Rule: CovTraining, InspectorID: i.ID, Name: i.Name,
				Message: fmt.Sprintf("%s%d年已参加培训%d学时，不足%d学时，尚差%d学时。", i.Label(), year, h, rr.TrainingHoursPerYear, rr.TrainingHoursPerYear-h)})
		}
	}
	return out
}

// TermAlerts finds the 兼职督学 on the roster whose run of consecutive terms is longer than R6 allows,
// whose term ends within TermWarningDays, or whose term is over without renewal or exit.
func TermAlerts(inspectors []Inspector, now time.Time, rr RegistryRules) []CoverageFinding {
	today := DateOf(now)
	var out []CoverageFinding
	for k := range inspectors {
		i := &inspectors[k]
		t := i.LastTerm()
		if i.Kind != PartTime || !i.Status.InRegistry() || t == nil {
			continue
		}
		add := func(r CoverageRule, msg string, args ...any) {
			out = append(out, CoverageFinding{Rule: r, InspectorID: i.ID, Name: i.Name, Message: fmt.Sprintf(msg, args...)})
		}
		n, start := i.runBefore(t.Until.AddDays(1), rr)
		if n > rr.MaxConsecutiveTerms {
			add(CovTermLimit, "%s自%s起已连续任职%d届，超过兼职督学连续任职不得超过%d届的规定。", i.Label(), start, n, rr.MaxConsecutiveTerms)
		}
		switch left := today.DaysUntil(t.Until); {
		case left < 0:
			add(CovTermExpired, "%s的任期已于%s届满，尚未续聘或解聘。", i.Label(), t.Until)
		case left <= rr.TermWarningDays:
			next := "请及时办理续聘或解聘"
			if n >= rr.MaxConsecutiveTerms {
				next = fmt.Sprintf("已连续任职%d届，届满后不得续聘", n)
			}
			add(CovTermEnding, "%s的第%d届任期将于%s届满（还有%d天），%s。", i.Label(), n, t.Until, left, next)
		}
	}
	return out
}

// inspectorIndex maps inspectors by ID.
func inspectorIndex(inspectors []Inspector) map[int64]*Inspector {
	out := make(map[int64]*Inspector, len(inspectors))
	for k := range inspectors {
		out[inspectors[k].ID] = &inspectors[k]
	}
	return out
}
