package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// migration is one numbered, append-only schema step. Its SQL is the common subset of SQLite and
// PostgreSQL, with {{id}} (an auto-increment primary key), {{ts}} (a timestamp) and {{blob}} spelled per dialect.
// Never edit a migration that has shipped: add the next one.
type migration struct {
	version int
	name    string
	sql     string
}

var migrations = []migration{
	{1, "orgs, users, grants, sessions, login failures, audit log", `
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
CREATE TABLE audit_events (
	id {{id}},
	at {{ts}} NOT NULL,
	actor_id BIGINT NOT NULL,
	actor_name VARCHAR(100) NOT NULL,
	action VARCHAR(64) NOT NULL,
	object_type VARCHAR(32) NOT NULL,
	object_id BIGINT NOT NULL,
	object_path VARCHAR(512) NOT NULL,
	before_digest VARCHAR(64) NOT NULL,
	after_digest VARCHAR(64) NOT NULL,
	detail TEXT NOT NULL,
	request_id VARCHAR(64) NOT NULL,
	prev_hash VARCHAR(64) NOT NULL,
	hash VARCHAR(64) NOT NULL UNIQUE
);
CREATE INDEX audit_object ON audit_events(object_type, object_id);
CREATE INDEX audit_path ON audit_events(object_path);
`},
}

func (db *DB) render(sql string) string {
	r := strings.NewReplacer(
		"{{id}}", map[Dialect]string{SQLite: "INTEGER PRIMARY KEY AUTOINCREMENT", Postgres: "BIGSERIAL PRIMARY KEY"}[db.dialect],
		"{{ts}}", map[Dialect]string{SQLite: "DATETIME", Postgres: "TIMESTAMPTZ"}[db.dialect],
		"{{blob}}", map[Dialect]string{SQLite: "BLOB", Postgres: "BYTEA"}[db.dialect],
	)
	return r.Replace(sql)
}

// LatestVersion is the schema version this build expects.
func LatestVersion() int { return migrations[len(migrations)-1].version }

// Migrate applies every pending migration, each in its own transaction with its version row.
// On PostgreSQL an advisory lock keeps two nodes from migrating at once.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	g := db.gorm.WithContext(ctx)
	if err := g.Exec(db.render(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at {{ts}} NOT NULL)`)).Error; err != nil {
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
			for _, stmt := range splitSQL(db.render(m.sql)) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%q: %w", firstLine(stmt), err)
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
	var v *int
	err := db.gorm.WithContext(ctx).Raw("SELECT MAX(version) FROM schema_migrations").Scan(&v).Error
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
