package storage

// migrationReport adds what the accountability report needs to aggregate fast: each section starts
// from a range on one date column (issue, start, due date, recheck time) and reads the rest of what it
// groups by from the index, without touching the wide rows (descriptions, comments).
var migrationReport = migration{5, "report indexes", `
CREATE INDEX report_cases_issued ON cases(issued_at, target_org_id, target_path, year);
CREATE INDEX report_cases_started ON cases(started_at, status, target_path, issued_at);
CREATE INDEX report_findings_case ON findings(case_id, status, severity, category);
CREATE INDEX report_findings_due ON findings(due_on, status, case_id);
CREATE INDEX report_rechecks_finding ON rechecks(finding_id, passed, at);
CREATE INDEX report_rechecks_at ON rechecks(at, passed, case_id, finding_id);
`}
