package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// migration is one numbered, append-only schema step. Its SQL is the common subset of SQLite and
// PostgreSQL, with {{id}} (an auto-increment primary key), {{ts}} (a timestamp) and {{blob}} spelled per dialect
// (or SQLite's alone, for a step onPostgres gives PostgreSQL's own).
// Never edit a migration that has shipped: add the next one.
type migration struct {
	version int
	name    string
	sql     string
}

// onPostgres holds, by migration version, what PostgreSQL runs instead of a step's SQL: for steps
// SQLite can only take by copying a table.
var onPostgres = map[int]string{
	migrationAuditHashIndex.version: "ALTER TABLE audit_events DROP CONSTRAINT audit_events_hash_key",
}

// fills compute in Go, by migration version, what a step's SQL cannot (rows derived from existing
// data); each runs in its step's transaction, after the SQL.
var fills = map[int]func(db *DB, ctx context.Context) error{
	migrationCaseSearch.version:    (*DB).rebuildCaseGrams,
	migrationReportSummary.version: (*DB).fillReportSummary,
}

var migrationCore = migration{1, "orgs, users, grants, sessions, login failures, audit log", `
CREATE TABLE orgs (
	id {{id}},
	code VARCHAR(32) NOT NULL,
	name VARCHAR(200) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	parent_id BIGINT REFERENCES orgs(id),
	path VARCHAR(512) NOT NULL UNIQUE,
	created_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX orgs_parent_code ON orgs(parent_id, code);
CREATE TABLE users (
	id {{id}},
	username VARCHAR(64) NOT NULL UNIQUE,
	name VARCHAR(100) NOT NULL,
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	password_hash VARCHAR(255) NOT NULL,
	active BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{ts}} NOT NULL
);
CREATE INDEX users_org ON users(org_id);
CREATE TABLE grants (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role VARCHAR(32) NOT NULL,
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	path VARCHAR(512) NOT NULL,
	created_at {{ts}} NOT NULL,
	UNIQUE (user_id, role, org_id)
);
CREATE INDEX grants_path ON grants(path);
CREATE TABLE sessions (
	token_hash VARCHAR(64) PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind VARCHAR(8) NOT NULL,
	created_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE TABLE login_failures (
	id {{id}},
	username VARCHAR(64) NOT NULL,
	addr VARCHAR(64) NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_addr ON login_failures(addr, at);
CREATE TABLE audit_events (` + auditColumns + ` UNIQUE
);
CREATE INDEX audit_object ON audit_events(object_type, object_id);
CREATE INDEX audit_path ON audit_events(object_path);
`}

var migrationCases = migration{2, "cases, findings, measures, evidence, objections, rechecks, case numbers", `
CREATE TABLE cases (
	id {{id}},
	number VARCHAR(64) NOT NULL,
	year INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	type VARCHAR(16) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
	owner_path VARCHAR(512) NOT NULL,
	target_org_id BIGINT NOT NULL REFERENCES orgs(id),
	target_path VARCHAR(512) NOT NULL,
	title VARCHAR(400) NOT NULL,
	planned_on VARCHAR(10) NOT NULL DEFAULT '',
	status VARCHAR(16) NOT NULL,
	version INTEGER NOT NULL,
	created_by BIGINT NOT NULL,
	created_at {{ts}} NOT NULL,
	started_at {{ts}},
	preliminary_at {{ts}},
	issued_at {{ts}},
	closed_at {{ts}},
	objection_deadline {{ts}},
	acknowledged BOOLEAN NOT NULL DEFAULT FALSE,
	review_submitted_by BIGINT NOT NULL DEFAULT 0,
	issued_by BIGINT NOT NULL DEFAULT 0,
	rectification_submitted_by BIGINT NOT NULL DEFAULT 0,
	recheck_failures INTEGER NOT NULL DEFAULT 0,
	cancel_reason TEXT NOT NULL DEFAULT '',
	return_comment TEXT NOT NULL DEFAULT '',
	updated_at {{ts}} NOT NULL,
	UNIQUE (owner_org_id, type, year, seq)
);
CREATE INDEX cases_target_path ON cases(target_path, created_at);
CREATE INDEX cases_owner_path ON cases(owner_path, created_at);
CREATE INDEX cases_status ON cases(status);
CREATE TABLE case_counters (
	owner_org_id BIGINT NOT NULL,
	type VARCHAR(16) NOT NULL,
	year INTEGER NOT NULL,
	last_seq INTEGER NOT NULL,
	PRIMARY KEY (owner_org_id, type, year)
);
CREATE TABLE case_inspectors (
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	user_id BIGINT NOT NULL REFERENCES users(id),
	PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_inspectors_user ON case_inspectors(user_id);
CREATE TABLE findings (
	id {{id}},
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	title VARCHAR(400) NOT NULL,
	description TEXT NOT NULL,
	severity VARCHAR(16) NOT NULL,
	category VARCHAR(32) NOT NULL,
	item_code VARCHAR(64) NOT NULL DEFAULT '',
	due_on VARCHAR(10) NOT NULL DEFAULT '',
	status VARCHAR(16) NOT NULL
);
CREATE INDEX findings_case ON findings(case_id);
CREATE INDEX findings_due ON findings(status, due_on);
CREATE TABLE measures (
	id {{id}},
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	finding_id BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
	description TEXT NOT NULL,
	responsible_person VARCHAR(100) NOT NULL,
	responsible_unit VARCHAR(200) NOT NULL DEFAULT '',
	due_on VARCHAR(10) NOT NULL,
	created_by BIGINT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE INDEX measures_case ON measures(case_id);
CREATE TABLE evidence (
	id {{id}},
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	finding_id BIGINT REFERENCES findings(id) ON DELETE SET NULL,
	sha256 VARCHAR(64) NOT NULL,
	size BIGINT NOT NULL,
	content_type VARCHAR(100) NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	captured_at {{ts}},
	lat DOUBLE PRECISION,
	lng DOUBLE PRECISION,
	uploaded_by BIGINT NOT NULL,
	uploaded_at {{ts}} NOT NULL,
	reused BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX evidence_case ON evidence(case_id);
CREATE INDEX evidence_sha ON evidence(sha256);
CREATE TABLE objections (
	id {{id}},
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	finding_id BIGINT REFERENCES findings(id) ON DELETE SET NULL,
	text TEXT NOT NULL,
	status VARCHAR(16) NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	filed_by BIGINT NOT NULL,
	filed_at {{ts}} NOT NULL,
	ruled_by BIGINT NOT NULL DEFAULT 0,
	ruled_at {{ts}}
);
CREATE INDEX objections_case ON objections(case_id);
CREATE TABLE rechecks (
	id {{id}},
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	finding_id BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
	round INTEGER NOT NULL,
	passed BOOLEAN NOT NULL,
	comment TEXT NOT NULL DEFAULT '',
	new_due_on VARCHAR(10) NOT NULL DEFAULT '',
	by_user BIGINT NOT NULL,
	at {{ts}} NOT NULL
);
CREATE INDEX rechecks_case ON rechecks(case_id);
`}

// migrations in order; each lives beside the storage code it serves.
var migrations = []migration{migrationCore, migrationCases, migrationAccountability, migrationNotification, migrationReport,
	migrationIdempotency, migrationCaseScopes,
	migrationRegistry,   // 8: inspectors, 挂牌, plans, draws (issue 10)
	migrationMonitoring, // 9: frameworks, monitoring and the 督办 ledger (issue 11)
	migrationReportFacts,
	migrationPaperwork,             // 11: the case as paperwork (issue 12)
	migrationSecurity,              // 12: accounts, login throttling, server keys (issue 13)
	migrationCaseSearch,            // 13: bigrams of case titles and numbers, for text search
	migrationCaseTarget,            // 14: a school's cases by status, for its home
	migrationPendingObjections,     // 15: the objections awaiting a ruling, for a director's home
	migrationProceedingsOrder,      // 16: 问责 and 激励 newest first, for a wide scope's list
	migrationReportSummary,         // 17: the report's counts kept at issue
	migrationPendingAccountability, // 18: 问责 awaiting a director, counted on an index
	migrationAuditHashIndex,        // 19: no unique index on the audit chain's hashes
}

func (db *DB) render(sql string) string {
	r := strings.NewReplacer(
		"{{id}}", map[Dialect]string{SQLite: "INTEGER PRIMARY KEY AUTOINCREMENT", Postgres: "BIGSERIAL PRIMARY KEY"}[db.dialect],
		"{{ts}}", map[Dialect]string{SQLite: "DATETIME", Postgres: "TIMESTAMPTZ"}[db.dialect],
		"{{blob}}", map[Dialect]string{SQLite: "BLOB", Postgres: "BYTEA"}[db.dialect],
		// {{bytes}} makes a text column compare byte by byte, as paths must (SQLite always does).
		"{{bytes}}", map[Dialect]string{SQLite: "", Postgres: `COLLATE "C"`}[db.dialect],
		// {{norowid}} stores a table in its primary key's order (SQLite; PostgreSQL has no rowid).
		"{{norowid}}", map[Dialect]string{SQLite: " WITHOUT ROWID", Postgres: ""}[db.dialect],
	)
	return r.Replace(sql)
}

// LatestVersion is the schema version this build expects.
func LatestVersion() int { return migrations[len(migrations)-1].version }

// Migrate applies every pending migration, each in its own transaction with its version row.
// On PostgreSQL an advisory lock keeps two nodes from migrating at once.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	g := db.gorm.WithContext(ctx)
	// Under the same lock as the steps: PostgreSQL's CREATE TABLE IF NOT EXISTS races with itself.
	err = g.Transaction(func(tx *gorm.DB) error {
		if db.dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7240001)").Error; err != nil {
				return err
			}
		}
		return tx.Exec(db.render(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at {{ts}} NOT NULL)`)).Error
	})
	if err != nil {
		return nil, fmt.Errorf("storage: create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		err := g.Transaction(func(tx *gorm.DB) error {
			if db.dialect == Postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(7240001)").Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			sql := m.sql
			if pg, ok := onPostgres[m.version]; ok && db.dialect == Postgres {
				sql = pg
			}
			for _, stmt := range splitSQL(db.render(sql)) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%q: %w", firstLine(stmt), err)
				}
			}
			if fill := fills[m.version]; fill != nil {
				if err := fill(db, context.WithValue(ctx, txKey{}, tx)); err != nil {
					return err
				}
			}
			applied = append(applied, fmt.Sprintf("%03d %s", m.version, m.name))
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, time.Now().UTC()).Error
		})
		if err != nil {
			return applied, fmt.Errorf("storage: migration %03d %s: %w", m.version, m.name, err)
		}
	}
	return applied, nil
}

// SchemaVersion is the highest applied migration, 0 on an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	g := db.gorm.WithContext(ctx)
	if !g.Migrator().HasTable("schema_migrations") {
		return 0, nil
	}
	var v *int
	err := g.Raw("SELECT MAX(version) FROM schema_migrations").Scan(&v).Error
	if err != nil {
		return 0, fmt.Errorf("storage: schema version: %w", err)
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

func splitSQL(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if strings.TrimSpace(p) != "" {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
