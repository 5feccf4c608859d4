package storage

// migrationAccountability holds the accountability (问责) and incentive (激励) records. Every column the
// workflow adds beyond the report's (target, trigger, status, form, decided_at, effective_on) has a
// default, so that a row can be written with those alone. open_key keeps one open proposal per case,
// finding, trigger and object; auto_key keeps the scheduler from proposing the same thing twice.
var migrationAccountability = migration{3, "accountability and incentives", `
CREATE TABLE accountabilities (
	id {{id}},
	target_type VARCHAR(8) NOT NULL,
	target_org_id BIGINT NOT NULL REFERENCES orgs(id),
	target_path VARCHAR(512) NOT NULL,
	person_name VARCHAR(100) NOT NULL DEFAULT '',
	person_title VARCHAR(200) NOT NULL DEFAULT '',
	owner_org_id BIGINT REFERENCES orgs(id),
	owner_path VARCHAR(512) NOT NULL DEFAULT '',
	case_id BIGINT REFERENCES cases(id),
	finding_id BIGINT REFERENCES findings(id) ON DELETE SET NULL,
	trigger VARCHAR(32) NOT NULL,
	cause VARCHAR(16) NOT NULL DEFAULT 'manual',
	facts TEXT NOT NULL DEFAULT '',
	status VARCHAR(16) NOT NULL,
	form VARCHAR(32) NOT NULL DEFAULT '',
	proposed_by BIGINT NOT NULL DEFAULT 0,
	proposed_at {{ts}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
	notice_text TEXT NOT NULL DEFAULT '',
	noticed_by BIGINT NOT NULL DEFAULT 0,
	noticed_at {{ts}},
	statement_deadline {{ts}},
	statement_text TEXT NOT NULL DEFAULT '',
	statement_by BIGINT NOT NULL DEFAULT 0,
	statement_at {{ts}},
	situation TEXT NOT NULL DEFAULT '',
	decision_facts TEXT NOT NULL DEFAULT '',
	legal_basis TEXT NOT NULL DEFAULT '',
	decided_by BIGINT NOT NULL DEFAULT 0,
	decided_at {{ts}},
	effective_on VARCHAR(10) NOT NULL DEFAULT '',
	published_by BIGINT NOT NULL DEFAULT 0,
	published_at {{ts}},
	drop_reason TEXT NOT NULL DEFAULT '',
	dropped_by BIGINT NOT NULL DEFAULT 0,
	dropped_at {{ts}},
	open_key VARCHAR(400) UNIQUE,
	auto_key VARCHAR(100) UNIQUE,
	version INTEGER NOT NULL DEFAULT 1,
	updated_at {{ts}} NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX accountabilities_target_path ON accountabilities(target_path, proposed_at);
CREATE INDEX accountabilities_owner_path ON accountabilities(owner_path, proposed_at);
CREATE INDEX accountabilities_org_decided ON accountabilities(target_org_id, status, decided_at);
CREATE INDEX accountabilities_case ON accountabilities(case_id);
CREATE INDEX accountabilities_open ON accountabilities(status, proposed_at);
CREATE TABLE accountability_interviews (
	id {{id}},
	accountability_id BIGINT NOT NULL REFERENCES accountabilities(id) ON DELETE CASCADE,
	held_on VARCHAR(10) NOT NULL,
	attendees TEXT NOT NULL,
	minutes TEXT NOT NULL,
	recorded_by BIGINT NOT NULL,
	recorded_at {{ts}} NOT NULL
);
CREATE INDEX accountability_interviews_acc ON accountability_interviews(accountability_id);
CREATE TABLE incentives (
	id {{id}},
	target_org_id BIGINT NOT NULL REFERENCES orgs(id),
	target_path VARCHAR(512) NOT NULL,
	owner_org_id BIGINT REFERENCES orgs(id),
	owner_path VARCHAR(512) NOT NULL DEFAULT '',
	kind VARCHAR(16) NOT NULL,
	case_id BIGINT REFERENCES cases(id),
	reason TEXT NOT NULL DEFAULT '',
	status VARCHAR(16) NOT NULL,
	proposed_by BIGINT NOT NULL DEFAULT 0,
	proposed_at {{ts}} NOT NULL DEFAULT CURRENT_TIMESTAMP,
	decision TEXT NOT NULL DEFAULT '',
	decided_by BIGINT NOT NULL DEFAULT 0,
	decided_at {{ts}},
	published_by BIGINT NOT NULL DEFAULT 0,
	published_at {{ts}},
	drop_reason TEXT NOT NULL DEFAULT '',
	dropped_by BIGINT NOT NULL DEFAULT 0,
	dropped_at {{ts}},
	version INTEGER NOT NULL DEFAULT 1,
	updated_at {{ts}} NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX incentives_target_path ON incentives(target_path, proposed_at);
CREATE INDEX incentives_owner_path ON incentives(owner_path, proposed_at);
CREATE INDEX incentives_org_decided ON incentives(target_org_id, status, decided_at);
`}
