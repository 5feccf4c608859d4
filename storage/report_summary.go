package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"dudao/domain"
)

// Three more facts for the accountability report (issue 9), each kept where the report reads it:
//
//   - findings.passed_on, the civil date (CST) of the finding's first passing recheck, written in the
//     transaction that records the recheck. "Rectified on time" is then a comparison of two columns of
//     the due-date index instead of a probe into rechecks per finding due.
//   - report_issued, each target org's cases issued and their findings by severity (withdrawn ones
//     left out) in each calendar year (CST) of issue, kept in the same transactions as the next. A
//     region's year reads ~5,000 rows (~10 ms) where two sections grouped 50,000 cases and 200,000
//     findings (~120 ms); a period that is not whole years reads the cases and findings as before.
//   - report_recurring, how many findings (withdrawn ones left out) each target org has in each
//     category, by the case's year and the calendar year (CST) of the 意见书's issue, kept in the
//     transaction that issues, withdraws or removes a finding (saveChildren). A year grain is what the
//     recurring section can answer exactly for a whole-year period (its look-back starts on 1 January),
//     and it compresses: at province scale a school's ~40 findings a year fall in ~8 categories, so a
//     row stands for ~5 findings (2M findings, 420k rows); a month grain would keep 1.2M rows, a day
//     grain 1.4M. The report reads it for the whole calendar years of its window and the findings for
//     the part of a year the period cuts (the year to date, say).
//
// report_recurring's key is the section's GROUP BY followed by the year it counts distinct, so the plan is
// SEARCH report_recurring USING PRIMARY KEY (target_path>? AND target_path<?): one range of the
// scope, already grouped, no temporary B-tree for the GROUP BY. At province scale, a region's 2025
// reads 420k small rows in ~100 ms where the findings' plan grouped 600k wide index entries in ~530 ms.
var migrationReportSummary = migration{17, "report: passing recheck dates, issued and recurring counts kept by year", `
ALTER TABLE findings ADD COLUMN passed_on VARCHAR(10) NOT NULL DEFAULT '';
DROP INDEX report_findings_due_at;
CREATE TABLE report_recurring (
	target_path VARCHAR(512) {{bytes}} NOT NULL,
	target_org_id BIGINT NOT NULL,
	category VARCHAR(32) NOT NULL,
	case_year INTEGER NOT NULL,
	issue_year INTEGER NOT NULL,
	findings INTEGER NOT NULL,
	PRIMARY KEY (target_path, target_org_id, category, case_year, issue_year)
){{norowid}};
CREATE TABLE report_issued (
	issue_year INTEGER NOT NULL,
	target_path VARCHAR(512) {{bytes}} NOT NULL,
	target_org_id BIGINT NOT NULL,
	cases INTEGER NOT NULL,
	minor INTEGER NOT NULL,
	major INTEGER NOT NULL,
	critical INTEGER NOT NULL,
	PRIMARY KEY (issue_year, target_path, target_org_id)
){{norowid}};
`}

// reportDuePassedIndex serves "due in the period / rectified on time": a range on due_on, everything
// else read from the index entry. Plan: SEARCH f USING COVERING INDEX report_findings_due_passed
// (due_on>? AND due_on<?), then a temporary B-tree for the GROUP BY of the few columns.
const reportDuePassedIndex = "CREATE INDEX report_findings_due_passed ON findings(due_on, status, target_org_id, target_path, passed_on)"

// fillReportSummary is migration 17's fill: the dates of passing rechecks already held, the index
// made after them, and the kept counts from the cases and findings.
func (db *DB) fillReportSummary(ctx context.Context) error {
	conn := db.conn(ctx)
	if err := conn.Exec("UPDATE findings SET passed_on = " + db.passedOnSQL("findings.id") +
		" WHERE id IN (SELECT finding_id FROM rechecks WHERE passed)").Error; err != nil {
		return fmt.Errorf("storage: fill passed_on: %w", err)
	}
	if err := conn.Exec(reportDuePassedIndex).Error; err != nil {
		return err
	}
	return db.rebuildReportCounts(ctx)
}

// passedOnSQL is the SQL for the CST date of the first passing recheck of the finding whose id is
// the column id, ” when it has none.
func (db *DB) passedOnSQL(id string) string {
	return "COALESCE((SELECT MIN(" + db.cstDate("r.at") + ") FROM rechecks r WHERE r.finding_id = " + id + " AND r.passed), '')"
}

// cstYear is the SQL for the calendar year in CST of a timestamp column, as an integer.
func (db *DB) cstYear(col string) string {
	if db.dialect == Postgres {
		return "CAST(EXTRACT(YEAR FROM " + col + " AT TIME ZONE INTERVAL '+08:00') AS INTEGER)"
	}
	return "CAST(strftime('%Y', " + col + ", '+8 hours') AS INTEGER)"
}

// rebuildReportCounts recomputes report_recurring and report_issued from the cases and findings
// (after a bulk load), in key order so that their B-trees are written left to right.
func (db *DB) rebuildReportCounts(ctx context.Context) error {
	conn := db.conn(ctx)
	year := db.cstYear("issued_at")
	sev := func(s string) string { return "CASE WHEN severity = '" + s + "' THEN 1 ELSE 0 END" }
	for _, q := range []string{"DELETE FROM report_recurring", "DELETE FROM report_issued",
		`INSERT INTO report_recurring (target_path, target_org_id, category, case_year, issue_year, findings)
		SELECT target_path, target_org_id, category, case_year, ` + year + `, COUNT(*)
		FROM findings WHERE issued_at IS NOT NULL AND status <> 'withdrawn'
		GROUP BY target_path, target_org_id, category, case_year, ` + year + `
		ORDER BY ` + db.byteOrder("target_path") + `, target_org_id, category, case_year, 5`,
		`INSERT INTO report_issued (issue_year, target_path, target_org_id, cases, minor, major, critical)
		SELECT issue_year, target_path, target_org_id, SUM(cases), SUM(minor), SUM(major), SUM(critical)
		FROM (SELECT ` + year + ` AS issue_year, target_path, target_org_id, 1 AS cases, 0 AS minor, 0 AS major, 0 AS critical
				FROM cases WHERE issued_at IS NOT NULL
			UNION ALL
			SELECT ` + year + `, target_path, target_org_id, 0, ` + sev("minor") + `, ` + sev("major") + `, ` + sev("critical") + `
				FROM findings WHERE issued_at IS NOT NULL AND status <> 'withdrawn') t
		GROUP BY issue_year, target_path, target_org_id
		ORDER BY issue_year, ` + db.byteOrder("target_path") + `, target_org_id`} {
		if err := conn.Exec(q).Error; err != nil {
			return fmt.Errorf("storage: rebuild the report's kept counts: %w", err)
		}
	}
	return nil
}

// recurringKey is a row of report_recurring.
type recurringKey struct {
	path                string
	orgID               int64
	category            string
	caseYear, issueYear int
}

// issuedKey is a row of report_issued; issuedCounts its counts.
type issuedKey struct {
	issueYear int
	path      string
	orgID     int64
}

type issuedCounts struct{ cases, minor, major, critical int }

func (c issuedCounts) zero() bool { return c == issuedCounts{} }

// reportDelta is how a write moves the report's kept counts: what the stored case and findings
// counted is taken away, what they count now added.
type reportDelta struct {
	recurring map[recurringKey]int
	issued    map[issuedKey]issuedCounts
}

func newReportDelta() reportDelta {
	return reportDelta{recurring: map[recurringKey]int{}, issued: map[issuedKey]issuedCounts{}}
}

// issue counts n cases issued at issuedAt (nil: not issued).
func (d reportDelta) issue(path string, orgID int64, issuedAt *time.Time, n int) {
	if issuedAt == nil {
		return
	}
	k := issuedKey{issuedAt.In(domain.CST).Year(), path, orgID}
	c := d.issued[k]
	c.cases += n
	d.issued[k] = c
}

// finding counts n findings of a case issued at issuedAt, withdrawn ones left out.
func (d reportDelta) finding(path string, orgID int64, caseYear int, issuedAt *time.Time, category, severity, status string, n int) {
	if issuedAt == nil || status == string(domain.FindingWithdrawn) {
		return
	}
	year := issuedAt.In(domain.CST).Year()
	d.recurring[recurringKey{path, orgID, category, caseYear, year}] += n
	k := issuedKey{year, path, orgID}
	c := d.issued[k]
	switch domain.Severity(severity) {
	case domain.SeverityMinor:
		c.minor += n
	case domain.SeverityMajor:
		c.major += n
	case domain.SeverityCritical:
		c.critical += n
	}
	d.issued[k] = c
}

// apply writes the changes to the kept rows, each table in key order so that concurrent writers on
// PostgreSQL never wait on each other in a cycle; a row that falls to zero is removed.
func (d reportDelta) apply(ctx context.Context, db *DB) error {
	conn := db.conn(ctx)
	rkeys := make([]recurringKey, 0, len(d.recurring))
	for k, n := range d.recurring {
		if n != 0 {
			rkeys = append(rkeys, k)
		}
	}
	slices.SortFunc(rkeys, func(a, b recurringKey) int {
		return cmp.Or(strings.Compare(a.path, b.path), cmp.Compare(a.orgID, b.orgID), strings.Compare(a.category, b.category),
			cmp.Compare(a.caseYear, b.caseYear), cmp.Compare(a.issueYear, b.issueYear))
	})
	for _, k := range rkeys {
		n := d.recurring[k]
		err := conn.Exec(`INSERT INTO report_recurring (target_path, target_org_id, category, case_year, issue_year, findings)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (target_path, target_org_id, category, case_year, issue_year)
			DO UPDATE SET findings = report_recurring.findings + excluded.findings`,
			k.path, k.orgID, k.category, k.caseYear, k.issueYear, n).Error
		if err == nil && n < 0 {
			err = conn.Exec(`DELETE FROM report_recurring WHERE target_path = ? AND target_org_id = ? AND category = ?
				AND case_year = ? AND issue_year = ? AND findings <= 0`, k.path, k.orgID, k.category, k.caseYear, k.issueYear).Error
		}
		if err != nil {
			return translate(err, "报表", "keep recurring problems")
		}
	}
	ikeys := make([]issuedKey, 0, len(d.issued))
	for k, c := range d.issued {
		if !c.zero() {
			ikeys = append(ikeys, k)
		}
	}
	slices.SortFunc(ikeys, func(a, b issuedKey) int {
		return cmp.Or(cmp.Compare(a.issueYear, b.issueYear), strings.Compare(a.path, b.path), cmp.Compare(a.orgID, b.orgID))
	})
	for _, k := range ikeys {
		c := d.issued[k]
		err := conn.Exec(`INSERT INTO report_issued (issue_year, target_path, target_org_id, cases, minor, major, critical)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (issue_year, target_path, target_org_id)
			DO UPDATE SET cases = report_issued.cases + excluded.cases, minor = report_issued.minor + excluded.minor,
				major = report_issued.major + excluded.major, critical = report_issued.critical + excluded.critical`,
			k.issueYear, k.path, k.orgID, c.cases, c.minor, c.major, c.critical).Error
		if err == nil && (c.cases < 0 || c.minor < 0 || c.major < 0 || c.critical < 0) {
			err = conn.Exec(`DELETE FROM report_issued WHERE issue_year = ? AND target_path = ? AND target_org_id = ?
				AND cases = 0 AND minor = 0 AND major = 0 AND critical = 0`, k.issueYear, k.path, k.orgID).Error
		}
		if err != nil {
			return translate(err, "报表", "keep issued cases")
		}
	}
	return nil
}

// fromFindingsKey in a context makes the report read the findings for every period, as it does for
// those report_recurring cannot answer: the tests compare both ways.
type fromFindingsKey struct{}

// wholeYears tells whether q's period is whole calendar years (1 January to 31 December), the
// periods report_recurring answers, and which.
func wholeYears(q domain.ReportQuery) (from, to int, ok bool) {
	f, t := q.From.Time(), q.To.Time()
	if f.Month() != time.January || f.Day() != 1 || t.Month() != time.December || t.Day() != 31 {
		return 0, 0, false
	}
	return f.Year(), t.Year(), true
}

// recurringFromSummary is the recurring section's SQL, with its arguments: the same figures as the
// findings' query (findings issued from 1 January of firstYear to the end of the period, on cases of
// firstYear or later, at least one of them issued in the period), read from report_recurring for
// each calendar year of that window that lies wholly before the period or wholly in it, and from
// the findings for the rest: the year the period starts in when it starts after 1 January, and the
// year it ends in when it ends before 31 December. For whole years that is nothing, and the plan is
// one range of the table's key, grouped as it is read; otherwise the rows of both are grouped
// together in a temporary B-tree.
func (db *DB) recurringFromSummary(q domain.ReportQuery, firstYear int) (string, []any) {
	p := periodOf(q)
	jan1 := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, domain.CST) }
	startYear, endYear := p.start.In(domain.CST).Year(), p.end.In(domain.CST).Year()
	startCut := !p.start.Equal(jan1(startYear))
	// Whole years: [firstYear, endYear-1], less the year the period starts in when it cuts it.
	cut := 0
	if startCut {
		cut = startYear
	}
	sScope, sArgs := db.scopeWhere("s.target_path", []domain.Jurisdiction{q.Scope})
	kept := `SELECT s.target_path, s.target_org_id, s.category, s.case_year, s.findings,
			CASE WHEN s.issue_year >= ? THEN s.findings ELSE 0 END AS in_period
		FROM report_recurring s
		WHERE ` + sScope + ` AND s.issue_year >= ? AND s.issue_year < ? AND s.issue_year <> ? AND s.case_year >= ?`
	keptArgs := append(append([]any{startYear}, sArgs...), firstYear, endYear, cut, firstYear)
	// The parts of years cut by the period, from the findings.
	var cuts [][2]time.Time
	if startCut {
		to := jan1(startYear + 1)
		if p.end.Before(to) {
			to = p.end
		}
		cuts = append(cuts, [2]time.Time{jan1(startYear), to})
	}
	if !p.end.Equal(jan1(endYear)) && (!startCut || endYear > startYear) {
		cuts = append(cuts, [2]time.Time{jan1(endYear), p.end})
	}
	if len(cuts) == 0 {
		return `SELECT s.target_org_id AS org_id, s.category, MIN(s.case_year) AS first_year, MAX(s.case_year) AS last_year,
				COUNT(DISTINCT s.case_year) AS years, SUM(s.findings) AS findings
			FROM report_recurring s
			WHERE ` + sScope + ` AND s.issue_year >= ? AND s.issue_year < ? AND s.case_year >= ?
			GROUP BY s.target_path, s.target_org_id, s.category
			HAVING COUNT(DISTINCT s.case_year) > 1 AND SUM(CASE WHEN s.issue_year >= ? THEN s.findings ELSE 0 END) > 0`,
			append(sArgs, firstYear, endYear, firstYear, startYear)
	}
	fScope, fArgs := db.scopeFilter("f.target_path", []domain.Jurisdiction{q.Scope})
	parts, args := []string{kept}, keptArgs
	for _, c := range cuts {
		parts = append(parts, `SELECT f.target_path, f.target_org_id, f.category, f.case_year, 1,
				CASE WHEN f.issued_at >= ? THEN 1 ELSE 0 END
			FROM findings f
			WHERE f.issued_at >= ? AND f.issued_at < ? AND f.case_year >= ? AND f.status <> 'withdrawn' AND `+fScope)
		args = append(append(args, p.start, c[0].UTC(), c[1].UTC(), firstYear), fArgs...)
	}
	return `SELECT t.target_org_id AS org_id, t.category, MIN(t.case_year) AS first_year, MAX(t.case_year) AS last_year,
			COUNT(DISTINCT t.case_year) AS years, SUM(t.findings) AS findings
		FROM (` + strings.Join(parts, " UNION ALL ") + `) t
		GROUP BY t.target_path, t.target_org_id, t.category
		HAVING COUNT(DISTINCT t.case_year) > 1 AND SUM(t.in_period) > 0`, args
}

// issuedFromSummary is the SQL of the issued cases' and severities' sections over report_issued for
// the whole years [fromYear, toYear], with its arguments. Plan: SEARCH s USING PRIMARY KEY
// (issue_year>? AND issue_year<?), the scope a filter on the few thousand rows of a year.
func (db *DB) issuedFromSummary(scope domain.Jurisdiction, fromYear, toYear int) (string, []any) {
	where, args := db.scopeWhere("s.target_path", []domain.Jurisdiction{scope})
	return `SELECT s.target_org_id AS org_id, SUM(s.cases) AS cases, SUM(s.minor) AS minor, SUM(s.major) AS major,
			SUM(s.critical) AS critical
		FROM report_issued s
		WHERE s.issue_year >= ? AND s.issue_year <= ? AND ` + where + `
		GROUP BY s.target_org_id`, append([]any{fromYear, toYear}, args...)
}
