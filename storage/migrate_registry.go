package storage

// migrationRegistry holds the inspector registry (督学名录库: profiles with their terms, training file
// and declared conflicts), the 责任督学挂牌 records (one per school, its postings one after another),
// the rolling supervision plans (one per office and start year) and the 双随机 draws.
//
// A draw keeps its own frozen copy of everything a replay needs (the candidate lists, the witnesses,
// the result, as JSON), so that verifying it never reads live orgs or users; it is never deleted.
// cases_kind_started serves the coverage rules' visits (routine cases by the day they started).
var migrationRegistry = migration{8, "inspector registry, 挂牌, plans, draws", `
CREATE TABLE inspectors (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users(id),
	code VARCHAR(32) NOT NULL UNIQUE,
	name VARCHAR(100) NOT NULL,
	office_org_id BIGINT NOT NULL REFERENCES orgs(id),
	office_path VARCHAR(512) NOT NULL,
	unit_org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind VARCHAR(16) NOT NULL,
	cert_no VARCHAR(32) NOT NULL DEFAULT '',
	load_cap INTEGER NOT NULL,
	status VARCHAR(16) NOT NULL,
	recommendation TEXT NOT NULL DEFAULT '',
	review_note TEXT NOT NULL DEFAULT '',
	publicized_on VARCHAR(10) NOT NULL DEFAULT '',
	publicity_until VARCHAR(10) NOT NULL DEFAULT '',
	status_reason TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL,
	created_by BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL,
	UNIQUE (office_org_id, user_id)
);
CREATE INDEX inspectors_office_path ON inspectors(office_path, code);
CREATE INDEX inspectors_user ON inspectors(user_id);
CREATE TABLE inspector_terms (
	inspector_id BIGINT NOT NULL REFERENCES inspectors(id) ON DELETE CASCADE,
	pos INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	from_on VARCHAR(10) NOT NULL,
	until_on VARCHAR(10) NOT NULL DEFAULT '',
	PRIMARY KEY (inspector_id, pos)
);
CREATE TABLE inspector_trainings (
	id {{id}},
	inspector_id BIGINT NOT NULL REFERENCES inspectors(id) ON DELETE CASCADE,
	year INTEGER NOT NULL,
	hours INTEGER NOT NULL,
	course VARCHAR(400) NOT NULL,
	provider VARCHAR(400) NOT NULL DEFAULT '',
	recorded_by BIGINT NOT NULL,
	recorded_at {{ts}} NOT NULL
);
CREATE INDEX inspector_trainings_inspector ON inspector_trainings(inspector_id);
CREATE TABLE inspector_conflicts (
	id {{id}},
	inspector_id BIGINT NOT NULL REFERENCES inspectors(id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	reason TEXT NOT NULL,
	declared_by BIGINT NOT NULL,
	declared_at {{ts}} NOT NULL,
	UNIQUE (inspector_id, org_id)
);
CREATE TABLE assignments (
	id {{id}},
	office_org_id BIGINT NOT NULL REFERENCES orgs(id),
	office_path VARCHAR(512) NOT NULL,
	school_org_id BIGINT NOT NULL UNIQUE REFERENCES orgs(id),
	school_path VARCHAR(512) NOT NULL,
	version INTEGER NOT NULL,
	created_by BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE INDEX assignments_school_path ON assignments(school_path);
CREATE TABLE assignment_postings (
	id {{id}},
	assignment_id BIGINT NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
	inspector_id BIGINT NOT NULL REFERENCES inspectors(id),
	inspector_code VARCHAR(32) NOT NULL,
	user_id BIGINT NOT NULL,
	from_on VARCHAR(10) NOT NULL,
	until_on VARCHAR(10) NOT NULL DEFAULT '',
	end_reason TEXT NOT NULL DEFAULT '',
	name VARCHAR(100) NOT NULL,
	phone VARCHAR(32) NOT NULL,
	duties TEXT NOT NULL,
	sign_number VARCHAR(64) NOT NULL DEFAULT '',
	assigned_by BIGINT NOT NULL,
	assigned_at {{ts}} NOT NULL,
	ended_by BIGINT NOT NULL DEFAULT 0,
	ended_at {{ts}}
);
CREATE INDEX assignment_postings_assignment ON assignment_postings(assignment_id);
CREATE INDEX assignment_postings_inspector ON assignment_postings(inspector_id, from_on);
CREATE TABLE plans (
	id {{id}},
	office_org_id BIGINT NOT NULL REFERENCES orgs(id),
	office_path VARCHAR(512) NOT NULL,
	start_year INTEGER NOT NULL,
	rolled_from BIGINT REFERENCES plans(id),
	status VARCHAR(16) NOT NULL,
	version INTEGER NOT NULL,
	return_comment TEXT NOT NULL DEFAULT '',
	created_by BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	approved_by BIGINT NOT NULL DEFAULT 0,
	approved_at {{ts}},
	published_by BIGINT NOT NULL DEFAULT 0,
	published_at {{ts}},
	updated_at {{ts}} NOT NULL,
	UNIQUE (office_org_id, start_year)
);
CREATE INDEX plans_office_path ON plans(office_path, start_year);
CREATE TABLE plan_items (
	id {{id}},
	plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
	target_org_id BIGINT NOT NULL REFERENCES orgs(id),
	type VARCHAR(16) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	year INTEGER NOT NULL,
	quarter INTEGER NOT NULL DEFAULT 0,
	month INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_items_plan ON plan_items(plan_id);
CREATE TABLE draws (
	id {{id}},
	owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
	owner_path VARCHAR(512) NOT NULL,
	title VARCHAR(400) NOT NULL,
	status VARCHAR(16) NOT NULL,
	version INTEGER NOT NULL,
	scope VARCHAR(512) NOT NULL,
	year INTEGER NOT NULL,
	case_type VARCHAR(16) NOT NULL,
	case_kind VARCHAR(16) NOT NULL,
	filters TEXT NOT NULL,
	n INTEGER NOT NULL,
	k INTEGER NOT NULL,
	default_cap INTEGER NOT NULL,
	targets TEXT NOT NULL,
	inspectors TEXT NOT NULL,
	created_by BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	commitment VARCHAR(64) NOT NULL,
	witnesses TEXT NOT NULL,
	closed_by BIGINT NOT NULL DEFAULT 0,
	closed_at {{ts}},
	seed VARCHAR(64) NOT NULL DEFAULT '',
	result TEXT,
	completed_at {{ts}},
	cancel_reason TEXT NOT NULL DEFAULT '',
	cancelled_by BIGINT NOT NULL DEFAULT 0,
	cancelled_at {{ts}},
	updated_at {{ts}} NOT NULL
);
CREATE INDEX draws_owner_path ON draws(owner_path, created_at);
CREATE TABLE draw_cases (
	draw_id BIGINT NOT NULL REFERENCES draws(id),
	target_org_id BIGINT NOT NULL REFERENCES orgs(id),
	case_id BIGINT NOT NULL REFERENCES cases(id),
	PRIMARY KEY (draw_id, target_org_id)
);
CREATE INDEX cases_kind_started ON cases(kind, started_at)
`}
