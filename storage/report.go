package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

// The accountability report is a handful of GROUP BY queries, each starting from a range on one
// indexed date column (migration 5) and scoped by target path, merged here by target org. No query
// runs per row, so a region-wide year at province scale stays within the SPEC §6 budget.

// cstDate is the SQL for the civil date in China Standard Time ("YYYY-MM-DD") of a timestamp column,
// comparable with the date strings of due_on.
func (db *DB) cstDate(col string) string {
	if db.dialect == Postgres {
		// An interval zone is an offset east of UTC (unlike a POSIX-style '+08' text zone).
		return "to_char(" + col + " AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM-DD')"
	}
	// Timestamps are stored as "2006-01-02 15:04:05.999999999+00:00"; SQLite honours the suffix.
	return "date(" + col + ", '+8 hours')"
}

// cstDayDiff is the SQL for the number of calendar days (CST) from timestamp column a to b.
func (db *DB) cstDayDiff(a, b string) string {
	if db.dialect == Postgres {
		return "((" + b + " AT TIME ZONE INTERVAL '+08:00')::date - (" + a + " AT TIME ZONE INTERVAL '+08:00')::date)"
	}
	return "CAST(julianday(" + db.cstDate(b) + ") - julianday(" + db.cstDate(a) + ") AS INTEGER)"
}

// period is a report's period as the instants bounding it: [start, end).
type period struct {
	start, end time.Time
}

func periodOf(q domain.ReportQuery) period {
	return period{start: q.From.Time().UTC(), end: q.To.AddDays(1).Time().UTC()}
}

type reportOrgRow struct {
	ID   int64
	Name string
	Path string
	Kind string
}

func (r reportOrgRow) toDomain() domain.ReportOrg {
	return domain.ReportOrg{ID: r.ID, Name: r.Name, Path: domain.Jurisdiction(r.Path), Kind: domain.OrgKind(r.Kind)}
}

// parallel runs fns at once, each on its own pooled connection, and returns the first error. Inside
// a transaction (one connection) they run one after the other.
func (db *DB) parallel(ctx context.Context, fns ...func() error) error {
	if _, inTx := txOf(ctx); inTx {
		for _, fn := range fns {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// reportRead reads one of the report's sections into dest. On PostgreSQL, outside a transaction, it
// runs in one of its own that forbids parallel workers: the sections already run at once (parallel),
// and PostgreSQL's workers for each of them fought over the same cores. The region's year at 500,000
// cases on two cores: 845 ms with them, 407 ms without.
func (db *DB) reportRead(ctx context.Context, conn *gorm.DB, dest any, query string, args ...any) error {
	if _, inTx := txOf(ctx); inTx || db.dialect != Postgres {
		return conn.Raw(query, args...).Scan(dest).Error
	}
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL max_parallel_workers_per_gather = 0").Error; err != nil {
			return err
		}
		return tx.Raw(query, args...).Scan(dest).Error
	}, &sql.TxOptions{ReadOnly: true})
}

// AccountabilityFigures computes every section of the accountability report for q. The sections'
// queries are independent and run in parallel.
func (db *DB) AccountabilityFigures(ctx context.Context, q domain.ReportQuery) (domain.AccountabilityReport, error) {
	out := domain.AccountabilityReport{From: q.From, To: q.To, Today: q.Today}
	conn := db.conn(ctx)
	p := periodOf(q)
	scopeSQL, scopeArgs := db.scopeFilter("c.target_path", []domain.Jurisdiction{q.Scope})
	with := func(args ...any) []any { return append(args, scopeArgs...) }
	// The findings' sections read the facts kept on each finding (report_facts.go), not its case.
	fScope, fArgs := db.scopeFilter("f.target_path", []domain.Jurisdiction{q.Scope})
	withF := func(args ...any) []any { return append(args, fArgs...) }
	query := func(dest any, what, sql string, args ...any) func() error {
		return func() error {
			if err := db.reportRead(ctx, conn, dest, sql, args...); err != nil {
				return translate(err, "报表", "report "+what)
			}
			return nil
		}
	}

	var orgRows []reportOrgRow
	orgScope, orgArgs := db.scopeWhere("path", []domain.Jurisdiction{q.Scope})

	// Cases issued in the period, and their findings by severity (two queries: counting cases through
	// the join would need COUNT(DISTINCT)).
	var issued []struct {
		OrgID int64
		Cases int
	}
	issuedSQL := `SELECT c.target_org_id AS org_id, COUNT(*) AS cases
		FROM cases c
		WHERE c.issued_at >= ? AND c.issued_at < ? AND ` + scopeSQL + `
		GROUP BY c.target_org_id`
	var severities []struct {
		OrgID                  int64
		Minor, Major, Critical int
	}
	severitiesSQL := `SELECT f.target_org_id AS org_id,
			SUM(CASE WHEN f.severity = 'minor' THEN 1 ELSE 0 END) AS minor,
			SUM(CASE WHEN f.severity = 'major' THEN 1 ELSE 0 END) AS major,
			SUM(CASE WHEN f.severity = 'critical' THEN 1 ELSE 0 END) AS critical
		FROM findings f
		WHERE f.issued_at >= ? AND f.issued_at < ? AND f.status <> 'withdrawn' AND ` + fScope + `
		GROUP BY f.target_org_id`

	// Findings due in the period (up to today) and those passed at a recheck on or before the due date:
	// passed_on is the date of the first passing recheck, kept on the finding (report_summary.go).
	var due []struct {
		OrgID  int64
		Due    int
		OnTime int
	}
	dueTo := min(q.To, q.Today)
	dueSQL := `SELECT f.target_org_id AS org_id, COUNT(*) AS due,
			COALESCE(SUM(CASE WHEN f.status = 'passed' AND f.passed_on <> '' AND f.passed_on <= f.due_on THEN 1 ELSE 0 END), 0) AS on_time
		FROM findings f
		WHERE f.due_on >= ? AND f.due_on <= ? AND f.status <> 'withdrawn' AND ` + fScope + `
		GROUP BY f.target_org_id`

	// Overdue now, as of today, whenever the case was issued.
	var overdue []struct {
		OrgID  int64
		N      int
		Oldest string
	}
	overdueSQL := `SELECT f.target_org_id AS org_id, COUNT(*) AS n, MIN(f.due_on) AS oldest
		FROM findings f
		WHERE f.status IN ('open', 'failed') AND f.due_on <> '' AND f.due_on < ? AND ` + fScope + `
		GROUP BY f.target_org_id`

	// Reopened: findings that failed a recheck held in the period.
	var reopened []struct {
		OrgID int64
		N     int
	}
	reopenedSQL := `SELECT c.target_org_id AS org_id, COUNT(DISTINCT r.finding_id) AS n
		FROM rechecks r JOIN cases c ON c.id = r.case_id
		WHERE r.at >= ? AND r.at < ? AND NOT r.passed AND ` + scopeSQL + `
		GROUP BY c.target_org_id`

	// 问责 decided in the period, by form; "published" decisions were decided first.
	aScope, aArgs := db.scopeFilter("a.target_path", []domain.Jurisdiction{q.Scope})
	var forms []struct {
		OrgID      int64
		TargetType string
		Form       string
		N          int
	}
	formsSQL := `SELECT a.target_org_id AS org_id, a.target_type, COALESCE(a.form, '') AS form, COUNT(*) AS n
		FROM accountabilities a
		WHERE a.status IN ('decided', 'published') AND a.decided_at >= ? AND a.decided_at < ? AND ` + aScope + `
		GROUP BY a.target_org_id, a.target_type, a.form`

	// Incentives decided in the period, by kind.
	iScope, iArgs := db.scopeFilter("i.target_path", []domain.Jurisdiction{q.Scope})
	var incentives []struct {
		OrgID int64
		Kind  string
		N     int
	}
	incentivesSQL := `SELECT i.target_org_id AS org_id, i.kind, COUNT(*) AS n
		FROM incentives i
		WHERE i.status IN ('decided', 'published') AND i.decided_at >= ? AND i.decided_at < ? AND ` + iScope + `
		GROUP BY i.target_org_id, i.kind`

	// Recurring problems: the same org and category in more than one year of the look-back window,
	// at least one of them on a case issued in the period.
	var recurring []struct {
		OrgID               int64
		Category            string
		FirstYear, LastYear int
		Years               int
		Findings            int
		Total               int
	}
	firstYear := q.From.Time().Year() - domain.RecurringLookbackYears
	recurringSQL := `SELECT f.target_org_id AS org_id, f.category, MIN(f.case_year) AS first_year, MAX(f.case_year) AS last_year,
			COUNT(DISTINCT f.case_year) AS years, COUNT(*) AS findings
		FROM findings f
		WHERE f.issued_at >= ? AND f.issued_at < ? AND f.case_year >= ? AND f.status <> 'withdrawn' AND ` + fScope + `
		GROUP BY f.target_org_id, f.category
		HAVING COUNT(DISTINCT f.case_year) > 1 AND SUM(CASE WHEN f.issued_at >= ? THEN 1 ELSE 0 END) > 0`
	recurringArgs := append(withF(time.Date(firstYear, 1, 1, 0, 0, 0, 0, domain.CST).UTC(), p.end, firstYear), p.start)
	// The whole years of the look-back read the counts kept by year instead, and the findings only
	// the part of a year the period cuts (report_summary.go).
	if ctx.Value(fromFindingsKey{}) == nil {
		recurringSQL, recurringArgs = db.recurringFromSummary(q, firstYear)
	}
	// A region's look-back holds some 39,000 recurring pairs and the report lists the RecurringShown
	// with the most findings (domain.RollUp): the database picks them, in the order RollUp would (most
	// findings first, then as the report sorts orgs: by path, id, category — byte order), and says how
	// many there are; reading every pair into Go was the largest part of the report's time.
	recurringSQL = `SELECT r.org_id, r.category, r.first_year, r.last_year, r.years, r.findings, COUNT(*) OVER () AS total
		FROM (` + recurringSQL + `) r LEFT JOIN orgs o ON o.id = r.org_id
		ORDER BY r.findings DESC, ` + db.byteOrder("COALESCE(o.path, '')") + `, r.org_id, ` + db.byteOrder("r.category") + `
		LIMIT ?`
	recurringArgs = append(recurringArgs, domain.RecurringShown)

	// Inspectors: visits started in the period and how promptly their reports were issued; counted
	// per inspector first, names joined to the few result rows.
	var inspectors []struct {
		UserID       int64
		Name         string
		OrgName      string
		Visits       int
		ReportsDue   int
		Issued       int
		IssuedOnTime int
	}
	cutoff := q.Today.AddDays(-domain.ReportOnTimeDays).Time().UTC()
	inspectorsSQL := `SELECT t.user_id, u.name, o.name AS org_name, t.visits, t.reports_due, t.issued, t.issued_on_time
		FROM (SELECT ci.user_id, COUNT(*) AS visits,
				SUM(CASE WHEN c.issued_at IS NOT NULL OR c.started_at < ? THEN 1 ELSE 0 END) AS reports_due,
				SUM(CASE WHEN c.issued_at IS NOT NULL THEN 1 ELSE 0 END) AS issued,
				SUM(CASE WHEN c.issued_at IS NOT NULL AND ` + db.cstDayDiff("c.started_at", "c.issued_at") + ` <= ? THEN 1 ELSE 0 END) AS issued_on_time
			FROM cases c JOIN case_inspectors ci ON ci.case_id = c.id
			WHERE c.started_at >= ? AND c.started_at < ? AND c.status <> 'cancelled' AND ` + scopeSQL + `
			GROUP BY ci.user_id) t
		JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id`

	issuedFns := []func() error{
		query(&issued, "issued cases", issuedSQL, with(p.start, p.end)...),
		query(&severities, "findings by severity", severitiesSQL, withF(p.start, p.end)...),
	}
	var issuedKept []struct {
		OrgID                  int64
		Cases                  int
		Minor, Major, Critical int
	}
	if fromYear, toYear, ok := wholeYears(q); ok && ctx.Value(fromFindingsKey{}) == nil {
		// Whole years read both from the counts kept by year (report_summary.go).
		sql, args := db.issuedFromSummary(q.Scope, fromYear, toYear)
		issuedFns = []func() error{query(&issuedKept, "issued cases", sql, args...)}
	}

	fns := []func() error{
		query(&orgRows, "orgs", "SELECT id, name, path, kind FROM orgs WHERE "+orgScope, orgArgs...),
		issuedFns[0],
		query(&overdue, "overdue findings", overdueSQL, withF(string(q.Today))...),
		query(&reopened, "reopened findings", reopenedSQL, with(p.start, p.end)...),
		query(&forms, "accountability", formsSQL, append([]any{p.start, p.end}, aArgs...)...),
		query(&incentives, "incentives", incentivesSQL, append([]any{p.start, p.end}, iArgs...)...),
		query(&recurring, "recurring problems", recurringSQL, recurringArgs...),
		query(&inspectors, "inspectors", inspectorsSQL, with(cutoff, domain.ReportOnTimeDays, p.start, p.end)...),
	}
	fns = append(fns, issuedFns[1:]...)
	if !dueTo.Before(q.From) {
		fns = append(fns, query(&due, "due findings", dueSQL, withF(string(q.From), string(dueTo))...))
	}
	if err := db.parallel(ctx, fns...); err != nil {
		return out, err
	}

	orgs := make(map[int64]domain.ReportOrg, len(orgRows))
	for _, r := range orgRows {
		orgs[r.ID] = r.toDomain()
	}
	figures := map[int64]*domain.ReportOrgFigures{}
	fig := func(id int64) *domain.ReportOrgFigures {
		f := figures[id]
		if f == nil {
			f = &domain.ReportOrgFigures{Org: orgs[id]}
			if f.Org.ID == 0 {
				f.Org = domain.ReportOrg{ID: id, Name: "（机构已不在范围内）"}
			}
			figures[id] = f
		}
		return f
	}
	for _, r := range issuedKept {
		f := fig(r.OrgID)
		f.CasesIssued = r.Cases
		f.Findings = domain.SeverityCounts{Minor: r.Minor, Major: r.Major, Critical: r.Critical}
	}
	for _, r := range issued {
		fig(r.OrgID).CasesIssued = r.Cases
	}
	for _, r := range severities {
		fig(r.OrgID).Findings = domain.SeverityCounts{Minor: r.Minor, Major: r.Major, Critical: r.Critical}
	}
	for _, r := range due {
		f := fig(r.OrgID)
		f.DueInPeriod, f.RectifiedOnTime = r.Due, r.OnTime
	}
	for _, r := range overdue {
		f := fig(r.OrgID)
		f.OverdueNow = r.N
		f.OldestOverdueDays = domain.Date(r.Oldest).DaysUntil(q.Today)
	}
	for _, r := range reopened {
		fig(r.OrgID).Reopened = r.N
	}
	for _, r := range forms {
		f := fig(r.OrgID)
		f.Accountability += r.N
		out.Forms = append(out.Forms, domain.ReportFormCount{Org: f.Org, TargetType: r.TargetType, Form: r.Form, Count: r.N})
	}
	for _, r := range incentives {
		f := fig(r.OrgID)
		f.Incentives += r.N
		out.Incentives = append(out.Incentives, domain.ReportIncentiveCount{Org: f.Org, Kind: r.Kind, Count: r.N})
	}
	for _, r := range recurring {
		out.Recurring = append(out.Recurring, domain.ReportRecurring{Org: fig(r.OrgID).Org, Category: r.Category,
			FirstYear: r.FirstYear, LastYear: r.LastYear, Years: r.Years, Findings: r.Findings})
		if r.Total > len(recurring) {
			out.RecurringTotal = r.Total
		}
	}
	for _, r := range inspectors {
		out.Inspectors = append(out.Inspectors, domain.ReportInspector{UserID: r.UserID, Name: r.Name, OrgName: r.OrgName,
			Visits: r.Visits, ReportsDue: r.ReportsDue, Issued: r.Issued, IssuedOnTime: r.IssuedOnTime})
	}

	for _, f := range figures {
		out.Orgs = append(out.Orgs, *f)
	}
	byOrg := func(a, b domain.ReportOrg) int {
		return cmp.Or(strings.Compare(string(a.Path), string(b.Path)), cmp.Compare(a.ID, b.ID))
	}
	slices.SortFunc(out.Orgs, func(a, b domain.ReportOrgFigures) int { return byOrg(a.Org, b.Org) })
	slices.SortFunc(out.Forms, func(a, b domain.ReportFormCount) int {
		return cmp.Or(byOrg(a.Org, b.Org), strings.Compare(b.TargetType, a.TargetType), strings.Compare(a.Form, b.Form))
	})
	slices.SortFunc(out.Incentives, func(a, b domain.ReportIncentiveCount) int {
		return cmp.Or(byOrg(a.Org, b.Org), strings.Compare(a.Kind, b.Kind))
	})
	slices.SortFunc(out.Recurring, func(a, b domain.ReportRecurring) int {
		return cmp.Or(byOrg(a.Org, b.Org), strings.Compare(a.Category, b.Category))
	})
	slices.SortFunc(out.Inspectors, func(a, b domain.ReportInspector) int {
		return cmp.Or(cmp.Compare(b.Visits, a.Visits), strings.Compare(a.OrgName, b.OrgName), cmp.Compare(a.UserID, b.UserID))
	})
	out.SumTotals()
	return out, nil
}

// Ledger lists the findings (withdrawn ones left out) and measures of the cases issued in the period
// whose target lies in scope, in order of issue.
func (db *DB) Ledger(ctx context.Context, q domain.ReportQuery) (domain.Ledger, error) {
	out := domain.Ledger{From: q.From, To: q.To}
	conn := db.conn(ctx)
	p := periodOf(q)
	scopeSQL, scopeArgs := db.scopeFilter("c.target_path", []domain.Jurisdiction{q.Scope})
	args := append([]any{p.start, p.end}, scopeArgs...)

	var findings []struct {
		FindingID int64
		CaseID    int64
		Number    string
		OrgID     int64
		OrgName   string
		OrgPath   string
		OrgKind   string
		Title     string
		Category  string
		Severity  string
		Status    string
		DueOn     string
	}
	err := conn.Raw(`SELECT f.id AS finding_id, c.id AS case_id, c.number, o.id AS org_id, o.name AS org_name, o.path AS org_path,
			o.kind AS org_kind, f.title, f.category, f.severity, f.status, f.due_on
		FROM cases c JOIN findings f ON f.case_id = c.id JOIN orgs o ON o.id = c.target_org_id
		WHERE c.issued_at >= ? AND c.issued_at < ? AND f.status <> 'withdrawn' AND `+scopeSQL+`
		ORDER BY c.issued_at, c.id, f.id`, args...).Scan(&findings).Error
	if err != nil {
		return out, translate(err, "台账", "ledger findings")
	}
	out.Findings = make([]domain.LedgerFinding, len(findings))
	for i, r := range findings {
		out.Findings[i] = domain.LedgerFinding{FindingID: r.FindingID, CaseID: r.CaseID, CaseNumber: r.Number,
			Target: domain.ReportOrg{ID: r.OrgID, Name: r.OrgName, Path: domain.Jurisdiction(r.OrgPath), Kind: domain.OrgKind(r.OrgKind)},
			Title:  r.Title, Category: r.Category, Severity: domain.Severity(r.Severity), Status: domain.FindingStatus(r.Status),
			DueOn: domain.Date(r.DueOn)}
	}

	var measures []struct {
		FindingID         int64
		Number            string
		FindingTitle      string
		FindingStatus     string
		Description       string
		ResponsiblePerson string
		ResponsibleUnit   string
		DueOn             string
		OrgName           string
	}
	err = conn.Raw(`SELECT m.finding_id, c.number, f.title AS finding_title, f.status AS finding_status, m.description,
			m.responsible_person, m.responsible_unit, m.due_on, o.name AS org_name
		FROM cases c JOIN findings f ON f.case_id = c.id JOIN measures m ON m.case_id = c.id AND m.finding_id = f.id
			JOIN orgs o ON o.id = c.target_org_id
		WHERE c.issued_at >= ? AND c.issued_at < ? AND f.status <> 'withdrawn' AND `+scopeSQL+`
		ORDER BY c.issued_at, c.id, f.id, m.id`, args...).Scan(&measures).Error
	if err != nil {
		return out, translate(err, "台账", "ledger measures")
	}
	out.Measures = make([]domain.LedgerMeasure, len(measures))
	for i, r := range measures {
		unit := strings.TrimSpace(r.ResponsibleUnit)
		if unit == "" {
			unit = r.OrgName // the target answers for its own measures unless another unit is named
		}
		out.Measures[i] = domain.LedgerMeasure{FindingID: r.FindingID, CaseNumber: r.Number, FindingTitle: r.FindingTitle,
			FindingStatus: domain.FindingStatus(r.FindingStatus), Description: r.Description, ResponsiblePerson: r.ResponsiblePerson,
			ResponsibleUnit: unit, DueOn: domain.Date(r.DueOn)}
	}
	return out, nil
}
