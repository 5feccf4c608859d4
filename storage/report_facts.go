package storage

import (
	"context"
	"fmt"
)

// The accountability report reads a year of findings at region scope (some 200,000 at province
// scale). Joining each to its case was most of its cost, so a finding keeps what the report groups and
// filters it by — its case's target org and path, the case's year and the instant the 意见书 was issued
// — written with the finding and at issue, in the case's own transaction. The report's sections then
// each read one covering index range of findings: issued in the period, or due in it, or overdue now.
var migrationReportFacts = migration{10, "report facts kept on findings", `
ALTER TABLE findings ADD COLUMN target_org_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN target_path VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN case_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN issued_at {{ts}};
UPDATE findings SET target_org_id = (SELECT c.target_org_id FROM cases c WHERE c.id = findings.case_id),
	target_path = (SELECT c.target_path FROM cases c WHERE c.id = findings.case_id),
	case_year = (SELECT c.year FROM cases c WHERE c.id = findings.case_id),
	issued_at = (SELECT c.issued_at FROM cases c WHERE c.id = findings.case_id);
CREATE INDEX report_findings_issued ON findings(issued_at, status, target_org_id, severity, category, case_year, target_path);
CREATE INDEX report_findings_due_at ON findings(due_on, status, target_org_id, target_path, id);
CREATE INDEX report_findings_open ON findings(status, due_on, target_org_id, target_path)
`}

// reportFactIndexes are the report's indexes over the facts, dropped and made again around a rebuild:
// migration 10's, with its due-date index replaced by migration 17's (report_summary.go).
var reportFactIndexes = []string{
	"CREATE INDEX report_findings_issued ON findings(issued_at, status, target_org_id, severity, category, case_year, target_path)",
	reportDuePassedIndex,
	"CREATE INDEX report_findings_open ON findings(status, due_on, target_org_id, target_path)",
}

// rebuildReportFacts copies the cases' facts onto their findings, with the date of each finding's
// first passing recheck, and recomputes the report's kept counts (after a bulk load).
func (db *DB) rebuildReportFacts(ctx context.Context) error {
	err := db.withoutIndexes(ctx, reportFactIndexes, func() error {
		return db.conn(ctx).Exec(`UPDATE findings SET target_org_id = (SELECT c.target_org_id FROM cases c WHERE c.id = findings.case_id),
			target_path = (SELECT c.target_path FROM cases c WHERE c.id = findings.case_id),
			case_year = (SELECT c.year FROM cases c WHERE c.id = findings.case_id),
			issued_at = (SELECT c.issued_at FROM cases c WHERE c.id = findings.case_id),
			passed_on = ` + db.passedOnSQL("findings.id")).Error
	})
	if err == nil {
		err = db.rebuildReportCounts(ctx)
	}
	if err != nil {
		return fmt.Errorf("storage: rebuild report facts: %w", err)
	}
	return nil
}
