package storage

import (
	"context"
	"fmt"
	"math"
	"time"

	"dudao/domain"
)

type auditRow struct {
	ID           int64
	At           time.Time
	ActorID      int64
	ActorName    string
	Action       string
	ObjectType   string
	ObjectID     int64
	ObjectPath   string
	BeforeDigest string
	AfterDigest  string
	Detail       string
	RequestID    string
	PrevHash     string
	Hash         string
}

func (auditRow) TableName() string { return "audit_events" }

func (r auditRow) toDomain() domain.AuditEvent {
	return domain.AuditEvent{ID: r.ID, At: r.At.UTC(), ActorID: r.ActorID, ActorName: r.ActorName, Action: r.Action,
		ObjectType: r.ObjectType, ObjectID: r.ObjectID, ObjectPath: domain.Jurisdiction(r.ObjectPath),
		Before: r.BeforeDigest, After: r.AfterDigest, Detail: r.Detail, RequestID: r.RequestID, PrevHash: r.PrevHash, Hash: r.Hash}
}

// auditLockKey serialises appends on PostgreSQL, and the writes of the kept counts (kept.go); SQLite
// write transactions are already serial.
const auditLockKey = 7240002

// Append chains e after the last event and inserts it, inside the transaction in ctx (the caller's
// write; there must be one, so that an event is never written without its change or half-written).
func (db *DB) Append(ctx context.Context, e *domain.AuditEvent) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	c := db.conn(ctx)
	if db.dialect == Postgres {
		if err := db.lockChain(ctx); err != nil {
			return err
		}
	}
	var prev []string
	if err := c.Model(&auditRow{}).Order("id DESC").Limit(1).Pluck("hash", &prev).Error; err != nil {
		return fmt.Errorf("storage: audit last hash: %w", err)
	}
	// PostgreSQL keeps microseconds; hash what will be read back.
	e.At = e.At.UTC().Truncate(time.Microsecond)
	p := ""
	if len(prev) > 0 {
		p = prev[0]
	}
	e.Seal(p)
	row := auditRow{At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, ObjectPath: string(e.ObjectPath), BeforeDigest: e.Before, AfterDigest: e.After,
		Detail: e.Detail, RequestID: e.RequestID, PrevHash: e.PrevHash, Hash: e.Hash}
	if err := c.Create(&row).Error; err != nil {
		return fmt.Errorf("storage: append audit event: %w", err)
	}
	e.ID = row.ID
	return nil
}

// List returns events in scope, newest first, with the total count.
func (db *DB) List(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEvent, int, error) {
	q := db.conn(ctx).Model(&auditRow{})
	if f.Scopes != nil {
		where, args := db.scopeWhere("object_path", f.Scopes)
		q = q.Where(where, args...)
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != 0 {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("storage: count audit: %w", err)
	}
	per := f.PerPage
	if per <= 0 {
		per = 50
	}
	page := max(f.Page, 1)
	if page-1 > math.MaxInt32/per { // an offset past any table; (page-1)*per would overflow
		return []domain.AuditEvent{}, int(total), nil
	}
	var rows []auditRow
	if err := q.Order("id DESC").Limit(per).Offset((page - 1) * per).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("storage: list audit: %w", err)
	}
	out := make([]domain.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, int(total), nil
}

// Page walks the events newest first by their key (the primary key, in order, so no sort and no count):
// the scope and the filters are checked on the way, and the walk stops after f.PerPage events.
func (db *DB) Page(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEvent, error) {
	q := db.conn(ctx).Model(&auditRow{})
	if f.Scopes != nil {
		where, args := db.scopeFilter("object_path", f.Scopes)
		q = q.Where(where, args...)
	}
	if f.ObjectType != "" {
		col := "object_type"
		if db.dialect == SQLite { // a filter: the key's order drives the walk, not audit_object and a sort
			col = "+" + col
		}
		q = q.Where(col+" = ?", f.ObjectType)
	}
	if f.ObjectID != 0 {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if f.ActorName != "" {
		q = q.Where("actor_name = ?", f.ActorName)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	per := f.PerPage
	if per <= 0 {
		per = 50
	}
	var rows []auditRow
	if err := q.Order("id DESC").Limit(per).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("storage: page audit: %w", err)
	}
	out := make([]domain.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Verify recomputes the chain in id order and returns the first event whose prev_hash or hash is wrong.
func (db *DB) Verify(ctx context.Context) (int64, string, error) {
	prev := ""
	var lastID int64
	for {
		var rows []auditRow
		if err := db.conn(ctx).Where("id > ?", lastID).Order("id").Limit(1000).Find(&rows).Error; err != nil {
			return 0, "", fmt.Errorf("storage: read audit: %w", err)
		}
		if len(rows) == 0 {
			return 0, "", nil
		}
		for _, r := range rows {
			e := r.toDomain()
			if e.PrevHash != prev {
				return e.ID, "prev_hash 与上一事件的 hash 不符", nil
			}
			if e.ComputeHash() != e.Hash {
				return e.ID, "hash 与事件内容不符", nil
			}
			prev = e.Hash
			lastID = e.ID
		}
	}
}

var _ domain.AuditLog = (*DB)(nil)

// Head is the newest event of the chain (issue 13: what a checkpoint anchors).
func (db *DB) Head(ctx context.Context) (domain.AuditHead, error) {
	var rows []auditRow
	if err := db.conn(ctx).Select("id", "hash").Order("id DESC").Limit(1).Find(&rows).Error; err != nil {
		return domain.AuditHead{}, fmt.Errorf("storage: audit head: %w", err)
	}
	if len(rows) == 0 {
		return domain.AuditHead{}, nil
	}
	return domain.AuditHead{ID: rows[0].ID, Hash: rows[0].Hash}, nil
}

// EventHash is the stored hash of event id.
func (db *DB) EventHash(ctx context.Context, id int64) (string, bool, error) {
	var hashes []string
	if err := db.conn(ctx).Model(&auditRow{}).Where("id = ?", id).Pluck("hash", &hashes).Error; err != nil {
		return "", false, fmt.Errorf("storage: audit event %d: %w", id, err)
	}
	if len(hashes) == 0 {
		return "", false, nil
	}
	return hashes[0], true, nil
}

var _ domain.AuditHeads = (*DB)(nil)

// auditColumns are audit_events' columns, as migration 1 made them and migration 19 copies them: the
// hash last, its constraint (UNIQUE in migration 1, none since 19) left to each.
const auditColumns = `
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
	hash VARCHAR(64) NOT NULL`

// migrationAuditHashIndex drops the unique index on audit_events.hash. Nothing looks an event up by
// its hash (Verify walks the chain by id), and a hash is random, so every append dirtied one random
// page of an index as large as the log: at 3.2 million events (the province benchmark), dropping it
// took the p99 of audited writes on SQLite from 83–86 to 56–70 ms. Two events cannot share a hash
// without a broken chain, which Verify reports. SQLite cannot drop a column constraint, so the table
// is copied without it, its id sequence with it (PostgreSQL drops the constraint: onPostgres).
var migrationAuditHashIndex = migration{19, "audit log without a unique index on hashes", `
CREATE TABLE audit_events_new (` + auditColumns + `
);
INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_events_new', seq FROM sqlite_sequence WHERE name = 'audit_events';
INSERT INTO audit_events_new SELECT * FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_object ON audit_events(object_type, object_id);
CREATE INDEX audit_path ON audit_events(object_path)
`}
