package domain

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Rules of the accountability report (SPEC §3 "Reports") where the SPEC leaves the detail open.
const (
	// ReportOnTimeDays: an inspection's report counts as issued on time when the 意见书 is issued within
	// this many calendar days of the start of the visit. R28 asks for the report "promptly" after a visit
	// and R35(2) makes writing and submitting it a measure of the inspector; 30 days mirrors the 30-day
	// period for the rectification report of R15. A local rule.
	ReportOnTimeDays = 30
	// RecurringLookbackYears: a problem recurs when the same target org has findings of the same category
	// in the period and in another calendar year, looking back this many years before the period's first
	// year: a problem found again at the next visit or the one after (回头看 usually comes within a year or
	// two). Two years also bounds the scan: at province scale each year back adds about 200k findings to
	// group. A local rule.
	RecurringLookbackYears = 2
	// RecurringShown is how many recurring problems a report lists, those with the most findings first:
	// a region's report would otherwise list tens of thousands; a unit's own report lists its own.
	RecurringShown = 200
	// MaxReportYears caps the length of a report's period: ten years is the whole history the
	// province-scale benchmark assumes (SPEC §6).
	MaxReportYears = 10
)

// ReportQuery selects the accountability report and the ledger: a scope (a jurisdiction path, every
// org under it counts), a period of civil dates in CST, both ends included, and the day the report is
// made (overdue figures are as of Today).
type ReportQuery struct {
	Scope    Jurisdiction
	From, To Date
	Today    Date
}

// ValidatePeriod checks a report period: both dates well-formed, from not after to, at most
// MaxReportYears long. Field names are the query parameters.
func ValidatePeriod(from, to Date) error {
	fields := map[string]string{}
	if !from.Valid() {
		fields["from"] = "开始日期格式应为YYYY-MM-DD。"
	}
	if !to.Valid() {
		fields["to"] = "结束日期格式应为YYYY-MM-DD。"
	}
	if len(fields) == 0 {
		switch {
		case to.Before(from):
			fields["to"] = "结束日期不能早于开始日期。"
		case from.AddDays(366 * MaxReportYears).Before(to):
			fields["to"] = "统计期间不能超过10年。"
		}
	}
	if len(fields) > 0 {
		return FieldError("统计期间有误。", fields)
	}
	return nil
}

// ReportOrg names an org in a report.
type ReportOrg struct {
	ID   int64
	Name string
	Path Jurisdiction
	Kind OrgKind
}

// SeverityCounts counts findings by severity.
type SeverityCounts struct {
	Minor, Major, Critical int
}

// Total is the number of findings of every severity.
func (s SeverityCounts) Total() int { return s.Minor + s.Major + s.Critical }

// ReportOrgFigures are one target org's figures in the accountability report.
type ReportOrgFigures struct {
	Org ReportOrg
	// CasesIssued: the org's cases whose 意见书 was issued in the period.
	CasesIssued int
	// Findings: the findings of those cases by severity (findings withdrawn after an objection left out).
	Findings SeverityCounts
	// DueInPeriod: findings whose due date lies in the period and is not after today (a deadline still
	// to come cannot be missed yet). The due date is the finding's current one: a failed recheck sets a new one.
	DueInPeriod int
	// RectifiedOnTime: of those, the findings passed at a recheck held on or before their due date.
	RectifiedOnTime int
	// OverdueNow: findings still to be rectified (open, or failed at recheck) whose due date is before
	// today, whenever the case was issued; OldestOverdueDays is how many days the oldest one is late.
	OverdueNow        int
	OldestOverdueDays int
	// Reopened: findings that failed a recheck held in the period.
	Reopened int
	// Accountability: 问责 decided (or decided and published) in the period, any form, units and persons.
	Accountability int
	// Incentives: 激励 decided (or decided and published) in the period.
	Incentives int
}

// OnTimeRate is RectifiedOnTime / DueInPeriod; ok is false when nothing fell due.
func (f ReportOrgFigures) OnTimeRate() (rate float64, ok bool) {
	if f.DueInPeriod == 0 {
		return 0, false
	}
	return float64(f.RectifiedOnTime) / float64(f.DueInPeriod), true
}

// add sums o into f (for the totals row); the oldest overdue is the larger.
func (f *ReportOrgFigures) add(o ReportOrgFigures) {
	f.CasesIssued += o.CasesIssued
	f.Findings.Minor += o.Findings.Minor
	f.Findings.Major += o.Findings.Major
	f.Findings.Critical += o.Findings.Critical
	f.DueInPeriod += o.DueInPeriod
	f.RectifiedOnTime += o.RectifiedOnTime
	f.OverdueNow += o.OverdueNow
	f.OldestOverdueDays = max(f.OldestOverdueDays, o.OldestOverdueDays)
	f.Reopened += o.Reopened
	f.Accountability += o.Accountability
	f.Incentives += o.Incentives
}

// ReportFormCount counts the 问责 decided in the period against one org in one form.
type ReportFormCount struct {
	Org        ReportOrg
	TargetType string // "unit" (R52) or "person" (R53)
	Form       string // the form's code as stored with the decision
	Count      int
}

// TargetTypeLabel is the Chinese name of the kind of object held accountable.
func (c ReportFormCount) TargetTypeLabel() string {
	switch c.TargetType {
	case "unit":
		return "单位"
	case "person":
		return "个人"
	}
	return c.TargetType
}

// FormLabel is the Chinese name of the form (R52, R53); a code it does not know is shown as stored.
func (c ReportFormCount) FormLabel() string {
	if c.Form == "" {
		return "（未填写）"
	}
	return c.Form
}

// ReportIncentiveCount counts the incentives decided in the period for one org of one kind.
type ReportIncentiveCount struct {
	Org   ReportOrg
	Kind  string // "commendation" or "resource"
	Count int
}

// KindLabel is the Chinese name of the incentive kind.
func (c ReportIncentiveCount) KindLabel() string {
	switch c.Kind {
	case "commendation":
		return "表彰"
	case "resource":
		return "资源倾斜"
	}
	return c.Kind
}

// ReportRecurring is a problem that recurs: the same target org and finding category in more than one
// calendar year (the case's year, as in its number), one of them in the period.
type ReportRecurring struct {
	Org                 ReportOrg
	Category            string
	FirstYear, LastYear int
	Years               int // distinct calendar years with such findings
	Findings            int // findings of this org and category over those years
}

// ReportInspector are one inspector's figures: the visits (cases they were assigned to whose
// inspection started in the period, cancelled ones left out) and how promptly their reports were issued.
type ReportInspector struct {
	UserID  int64
	Name    string
	OrgName string
	Visits  int
	// ReportsDue: visits whose report is issued, or whose ReportOnTimeDays have passed by today.
	ReportsDue int
	Issued     int
	// IssuedOnTime: visits whose 意见书 was issued within ReportOnTimeDays of the start.
	IssuedOnTime int
	// TrainingHours are the hours of the inspector's training file (R38) in the calendar years the
	// period touches; nil when the inspector has no profile in the registry.
	TrainingHours *int
	// TrainingRequired is the floor over those years (R38: 40 学时 a year).
	TrainingRequired int
}

// OnTimeRate is IssuedOnTime / ReportsDue; ok is false when no report was due yet.
func (r ReportInspector) OnTimeRate() (rate float64, ok bool) {
	if r.ReportsDue == 0 {
		return 0, false
	}
	return float64(r.IssuedOnTime) / float64(r.ReportsDue), true
}

// AccountabilityReport is the director's report over a period and scope (SPEC §3).
type AccountabilityReport struct {
	Scope      ReportOrg
	Office     string // the office the report is made by (the scope's OfficeName), named in its files
	From, To   Date
	Today      Date
	Orgs       []ReportOrgFigures // by path
	Totals     ReportOrgFigures   // the sum over Orgs
	Forms      []ReportFormCount
	Incentives []ReportIncentiveCount
	Recurring  []ReportRecurring
	// RecurringTotal is how many recurring problems there are when Recurring holds only the
	// RecurringShown with the most findings (0: Recurring holds them all).
	RecurringTotal int
	Inspectors     []ReportInspector
	// Notes say what the report leaves out and why, in Chinese.
	Notes []string
}

// TrainingHoursNote says where the inspectors' training hours come from and what they are held to:
// hoursPerYear a year, the floor of 《督学管理暂行办法》 (the rules' training_hours_per_year).
func TrainingHoursNote(hoursPerYear int) string {
	return fmt.Sprintf("督学培训学时取自督学名录库中的培训档案，按报告期所跨的自然年度合计，与《督学管理暂行办法》规定的督学每年参加集中培训不少于%d学时的要求比较；未列入督学名录库的人员不统计培训学时。", hoursPerYear)
}

// SumTotals fills Totals from Orgs.
func (r *AccountabilityReport) SumTotals() {
	t := ReportOrgFigures{Org: ReportOrg{Name: "合计"}}
	for _, o := range r.Orgs {
		t.add(o)
	}
	r.Totals = t
}

// LedgerFinding is one line of the 问题清单.
type LedgerFinding struct {
	FindingID  int64
	CaseID     int64
	CaseNumber string
	Target     ReportOrg
	Title      string
	Category   string
	Severity   Severity
	Status     FindingStatus
	DueOn      Date
}

// LedgerMeasure is one line of the 措施清单; ResponsibleUnit falls back to the target's name.
type LedgerMeasure struct {
	FindingID         int64
	CaseNumber        string
	FindingTitle      string
	FindingStatus     FindingStatus
	Description       string
	ResponsiblePerson string
	ResponsibleUnit   string
	DueOn             Date
}

// Ledger is the 问题清单 and 措施清单 of the cases issued in a period and scope; the 责任清单 is a view
// over its measures (Responsibilities).
type Ledger struct {
	Scope    ReportOrg
	Office   string // the office the ledger is kept by (the scope's OfficeName), named in its files
	From, To Date
	Today    Date            // the day it is made
	Findings []LedgerFinding // by case number order of issue, then finding
	Measures []LedgerMeasure
}

// LedgerResponsibility is one line of the 责任清单: who answers for which finding and where it stands.
type LedgerResponsibility struct {
	ResponsibleUnit   string
	ResponsiblePerson string
	CaseNumber        string
	FindingTitle      string
	FindingStatus     FindingStatus
	Measures          int
	LatestDue         Date
}

// Responsibilities groups the measures by responsible unit, person and finding, ordered by unit and person.
func (l Ledger) Responsibilities() []LedgerResponsibility {
	type key struct {
		unit, person string
		finding      int64
	}
	idx := map[key]int{}
	var out []LedgerResponsibility
	for _, m := range l.Measures {
		k := key{strings.TrimSpace(m.ResponsibleUnit), strings.TrimSpace(m.ResponsiblePerson), m.FindingID}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, LedgerResponsibility{ResponsibleUnit: k.unit, ResponsiblePerson: k.person, CaseNumber: m.CaseNumber,
				FindingTitle: m.FindingTitle, FindingStatus: m.FindingStatus})
		}
		out[i].Measures++
		if out[i].LatestDue.Before(m.DueOn) {
			out[i].LatestDue = m.DueOn
		}
	}
	// A stable sort keeps the ledger's finding order within one person.
	slices.SortStableFunc(out, func(a, b LedgerResponsibility) int {
		if c := strings.Compare(a.ResponsibleUnit, b.ResponsibleUnit); c != 0 {
			return c
		}
		return strings.Compare(a.ResponsiblePerson, b.ResponsiblePerson)
	})
	return out
}

// ReportRepo answers the aggregate queries of the accountability report and the ledgers. Both are
// computed in the database with GROUP BY and scoped by path, never row by row.
type ReportRepo interface {
	// AccountabilityFigures fills every section of the report but Scope and Notes.
	AccountabilityFigures(ctx context.Context, q ReportQuery) (AccountabilityReport, error)
	// Ledger lists the findings and measures of the cases issued in the period.
	Ledger(ctx context.Context, q ReportQuery) (Ledger, error)
}

// reportRowRank orders the rows of a report: administrative units (cities, districts) first, then
// schools, then anything else.
func reportRowRank(k OrgKind) int {
	switch k {
	case OrgRegion, OrgCity, OrgDistrict:
		return 0
	case OrgSchool:
		return 1
	}
	return 2
}

// UnitOf is the row of a report over scope that the org at path belongs to: the org directly under
// the scope on its path (which stands for its whole subtree), or the scope itself.
func UnitOf(scope, path Jurisdiction) Jurisdiction {
	if !scope.Covers(path) || path == scope {
		return scope
	}
	rest := string(path)[len(scope):]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return scope + Jurisdiction(rest[:i+1])
	}
	return path
}

// RollUp gathers a report's figures, found per target org, into its rows: the scope itself (when it
// has figures of its own) and every district and school directly under it, zeros included — a unit
// nobody supervised in the period is itself a finding. A region's report lists its cities, a city's its
// districts and then its city-run schools, a district's its schools; a row's own report shows what is
// under it. Other units (a monitoring agency, say) are not supervised and have a row only when they
// have figures. Within a kind the rows go by path. The 问责 and 激励 counts are gathered the same way;
// recurring problems stay with the org they recur at.
func (r *AccountabilityReport) RollUp(units []ReportOrg) {
	scope := r.Scope.Path
	byPath := make(map[Jurisdiction]*ReportOrgFigures, len(units))
	var order []Jurisdiction
	for _, u := range units {
		if u.Path == scope || u.Path == "" || byPath[u.Path] != nil {
			continue
		}
		byPath[u.Path] = &ReportOrgFigures{Org: u}
		order = append(order, u.Path)
	}
	var own *ReportOrgFigures
	touched := map[Jurisdiction]bool{}
	for _, f := range r.Orgs {
		key := UnitOf(scope, f.Org.Path)
		row := byPath[key]
		if row == nil {
			if own == nil {
				own = &ReportOrgFigures{Org: r.Scope}
			}
			row = own
		}
		touched[key] = true
		row.add(f)
	}
	slices.SortStableFunc(order, func(a, b Jurisdiction) int {
		if c := reportRowRank(byPath[a].Org.Kind) - reportRowRank(byPath[b].Org.Kind); c != 0 {
			return c
		}
		return strings.Compare(string(a), string(b))
	})
	var out []ReportOrgFigures
	if own != nil {
		out = append(out, *own)
	}
	for _, p := range order {
		if reportRowRank(byPath[p].Org.Kind) > 1 && !touched[p] {
			continue
		}
		out = append(out, *byPath[p])
	}
	r.Orgs = out
	unit := func(o ReportOrg) ReportOrg {
		if row := byPath[UnitOf(scope, o.Path)]; row != nil {
			return row.Org
		}
		return r.Scope
	}
	forms := map[[3]string]*ReportFormCount{}
	var formOrder [][3]string
	for _, c := range r.Forms {
		u := unit(c.Org)
		k := [3]string{string(u.Path), c.TargetType, c.Form}
		if forms[k] == nil {
			forms[k] = &ReportFormCount{Org: u, TargetType: c.TargetType, Form: c.Form}
			formOrder = append(formOrder, k)
		}
		forms[k].Count += c.Count
	}
	r.Forms = r.Forms[:0]
	for _, k := range formOrder {
		r.Forms = append(r.Forms, *forms[k])
	}
	if n := max(len(r.Recurring), r.RecurringTotal); n > RecurringShown {
		slices.SortStableFunc(r.Recurring, func(a, b ReportRecurring) int { return b.Findings - a.Findings })
		r.Recurring = r.Recurring[:min(len(r.Recurring), RecurringShown)]
		slices.SortStableFunc(r.Recurring, func(a, b ReportRecurring) int { return strings.Compare(string(a.Org.Path), string(b.Org.Path)) })
		r.Notes = append(r.Notes, fmt.Sprintf("屡查屡犯问题共%d项，此处列出问题数最多的%d项；查看下级单位的报告可见其全部。", n, RecurringShown))
	}
	incs := map[[2]string]*ReportIncentiveCount{}
	var incOrder [][2]string
	for _, c := range r.Incentives {
		u := unit(c.Org)
		k := [2]string{string(u.Path), c.Kind}
		if incs[k] == nil {
			incs[k] = &ReportIncentiveCount{Org: u, Kind: c.Kind}
			incOrder = append(incOrder, k)
		}
		incs[k].Count += c.Count
	}
	r.Incentives = r.Incentives[:0]
	for _, k := range incOrder {
		r.Incentives = append(r.Incentives, *incs[k])
	}
	r.SumTotals()
}
