package storage

// migrationMonitoring holds the third arm of 三位一体 and the 督查 stream (SPEC §3):
//   - frameworks: versions of the 评估指标体系, (code, version) unique, the item tree as JSON (a tree
//     read and written whole, never queried by item);
//   - case_scores: a case's scored framework, one per case, the result kept as computed (JSON) with
//     the framework version it was computed with, so a later version never changes it;
//   - observations: one value per (org, indicator, year): the unique index is the import's upsert key,
//     and its leading org_path serves the scope ranges and the list's sort;
//   - case_proposals: the 评估监测 cases proposed by indicators behind their trajectory, proposal_key
//     unique so that the same data proposes once;
//   - tasks and task_reports: the 督办 ledger and its periodic progress reports (定期调度).
var migrationMonitoring = migration{9, "frameworks, case scores, observations, case proposals, 督办 tasks", `
CREATE TABLE frameworks (
	id {{id}},
	code VARCHAR(32) NOT NULL,
	version INTEGER NOT NULL,
	name VARCHAR(400) NOT NULL,
	applies_type VARCHAR(16) NOT NULL,
	applies_kinds VARCHAR(200) NOT NULL DEFAULT '',
	pass_mark DOUBLE PRECISION NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	items TEXT NOT NULL,
	status VARCHAR(16) NOT NULL,
	owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
	owner_path VARCHAR(512) NOT NULL,
	revision INTEGER NOT NULL,
	created_by BIGINT NOT NULL DEFAULT 0,
	created_at {{ts}} NOT NULL,
	published_by BIGINT NOT NULL DEFAULT 0,
	published_at {{ts}},
	retired_by BIGINT NOT NULL DEFAULT 0,
	retired_at {{ts}},
	UNIQUE (code, version)
);
CREATE TABLE case_scores (
	case_id BIGINT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
	framework_id BIGINT NOT NULL REFERENCES frameworks(id),
	framework_code VARCHAR(32) NOT NULL,
	framework_version INTEGER NOT NULL,
	framework_name VARCHAR(400) NOT NULL,
	total DOUBLE PRECISION NOT NULL,
	passed BOOLEAN NOT NULL,
	complete BOOLEAN NOT NULL,
	result TEXT NOT NULL,
	scored_by BIGINT NOT NULL,
	scored_at {{ts}} NOT NULL
);
CREATE INDEX case_scores_framework ON case_scores(framework_id);
CREATE TABLE observations (
	id {{id}},
	indicator_code VARCHAR(64) NOT NULL,
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	org_path VARCHAR(512) NOT NULL,
	year INTEGER NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	sample BOOLEAN NOT NULL DEFAULT FALSE,
	entered_by BIGINT NOT NULL DEFAULT 0,
	entered_at {{ts}} NOT NULL,
	version INTEGER NOT NULL
);
CREATE UNIQUE INDEX observations_key ON observations(org_path, indicator_code, year);
CREATE INDEX observations_indicator ON observations(indicator_code, org_path, year);
CREATE TABLE case_proposals (
	id {{id}},
	proposal_key VARCHAR(600) NOT NULL UNIQUE,
	indicator_code VARCHAR(64) NOT NULL,
	indicator_name VARCHAR(400) NOT NULL,
	unit VARCHAR(32) NOT NULL,
	year INTEGER NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	expected DOUBLE PRECISION NOT NULL,
	target DOUBLE PRECISION NOT NULL,
	title VARCHAR(600) NOT NULL,
	facts TEXT NOT NULL,
	owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
	owner_path VARCHAR(512) NOT NULL,
	target_org_id BIGINT NOT NULL REFERENCES orgs(id),
	target_path VARCHAR(512) NOT NULL,
	status VARCHAR(16) NOT NULL,
	version INTEGER NOT NULL,
	case_id BIGINT REFERENCES cases(id),
	proposed_at {{ts}} NOT NULL,
	decided_by BIGINT NOT NULL DEFAULT 0,
	decided_at {{ts}},
	reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_proposals_target ON case_proposals(target_path, id);
CREATE INDEX case_proposals_owner ON case_proposals(owner_path, id);
CREATE TABLE tasks (
	id {{id}},
	title VARCHAR(400) NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	source_kind VARCHAR(16) NOT NULL,
	source_ref VARCHAR(400) NOT NULL DEFAULT '',
	source_line INTEGER NOT NULL DEFAULT 0,
	owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
	owner_path VARCHAR(512) NOT NULL,
	target_org_id BIGINT NOT NULL REFERENCES orgs(id),
	target_path VARCHAR(512) NOT NULL,
	due_on VARCHAR(10) NOT NULL,
	due_text VARCHAR(100) NOT NULL DEFAULT '',
	is_public BOOLEAN NOT NULL DEFAULT FALSE,
	sample BOOLEAN NOT NULL DEFAULT FALSE,
	status VARCHAR(16) NOT NULL,
	version INTEGER NOT NULL,
	percent INTEGER NOT NULL DEFAULT 0,
	returns INTEGER NOT NULL DEFAULT 0,
	return_reason TEXT NOT NULL DEFAULT '',
	created_by BIGINT NOT NULL DEFAULT 0,
	created_at {{ts}} NOT NULL,
	reported_by BIGINT NOT NULL DEFAULT 0,
	reported_at {{ts}},
	verified_by BIGINT NOT NULL DEFAULT 0,
	verified_at {{ts}},
	done_by BIGINT NOT NULL DEFAULT 0,
	done_at {{ts}},
	done_comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tasks_target ON tasks(target_path, due_on, id);
CREATE INDEX tasks_owner ON tasks(owner_path, due_on, id);
CREATE INDEX tasks_due ON tasks(due_on, id);
CREATE INDEX tasks_open_due ON tasks(status, due_on);
CREATE TABLE task_reports (
	id {{id}},
	task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
	is_final BOOLEAN NOT NULL,
	period VARCHAR(100) NOT NULL,
	text TEXT NOT NULL,
	percent INTEGER NOT NULL,
	by_user BIGINT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX task_reports_task ON task_reports(task_id, id)
`}
