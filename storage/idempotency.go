package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"dudao/domain"
)

// migrationIdempotency keeps the first answer to each POST sent with an Idempotency-Key, per user.
// The primary key is what makes a retry and its original serialise: the second INSERT of the same key
// waits for the first transaction and then finds the row.
var migrationIdempotency = migration{6, "idempotency keys", `
CREATE TABLE idempotency_keys (
	user_id BIGINT NOT NULL,
	idem_key VARCHAR(200) NOT NULL,
	fingerprint VARCHAR(64) NOT NULL,
	status INTEGER NOT NULL DEFAULT 0,
	location VARCHAR(500) NOT NULL DEFAULT '',
	content_type VARCHAR(100) NOT NULL DEFAULT '',
	body {{blob}},
	created_at {{ts}} NOT NULL,
	PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at)
`}

type idempotencyRow struct {
	UserID      int64  `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Fingerprint string
	Status      int
	Location    string
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// ClaimIdempotency inserts the key unless it is there; false when it was (on PostgreSQL after waiting
// for a concurrent claim's transaction to end).
func (db *DB) ClaimIdempotency(ctx context.Context, rec domain.Idempotency) (bool, error) {
	if err := db.mustTx(ctx); err != nil {
		return false, err
	}
	row := idempotencyRow{UserID: rec.UserID, IdemKey: rec.Key, Fingerprint: rec.Fingerprint, CreatedAt: rec.CreatedAt.UTC()}
	res := db.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, translate(res.Error, "请求", "claim idempotency key")
	}
	return res.RowsAffected == 1, nil
}

// GetIdempotency reads a kept answer.
func (db *DB) GetIdempotency(ctx context.Context, userID int64, key string) (domain.Idempotency, error) {
	var r idempotencyRow
	if err := db.conn(ctx).Where("user_id = ? AND idem_key = ?", userID, key).Take(&r).Error; err != nil {
		return domain.Idempotency{}, translate(err, "请求", "get idempotency key")
	}
	return domain.Idempotency{UserID: r.UserID, Key: r.IdemKey, Fingerprint: r.Fingerprint, Status: r.Status, Location: r.Location,
		ContentType: r.ContentType, Body: r.Body, CreatedAt: r.CreatedAt}, nil
}

// CompleteIdempotency stores the answer of a claimed key.
func (db *DB) CompleteIdempotency(ctx context.Context, rec domain.Idempotency) error {
	err := db.conn(ctx).Model(&idempotencyRow{}).Where("user_id = ? AND idem_key = ?", rec.UserID, rec.Key).
		Updates(map[string]any{"status": rec.Status, "location": rec.Location, "content_type": rec.ContentType, "body": rec.Body}).Error
	return translate(err, "请求", "complete idempotency key")
}

// DeleteIdempotencyBefore drops the answers kept since before t.
func (db *DB) DeleteIdempotencyBefore(ctx context.Context, t time.Time) error {
	return translate(db.conn(ctx).Where("created_at < ?", t.UTC()).Delete(&idempotencyRow{}).Error, "请求", "expire idempotency keys")
}

var _ domain.IdempotencyRepo = (*DB)(nil)
