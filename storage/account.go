package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"dudao/domain"
)

// migrationSecurity (issue 13) adds what cutting accounts off and fair login throttling need: the
// server's own secrets (shared by every app node), the known devices of users, login failures keyed by
// (username, client) with whether the client was a known device, and an index to end a user's sessions.
var migrationSecurity = migration{12, "server keys, known devices, login failures by client", `
CREATE TABLE server_keys (
	name VARCHAR(32) PRIMARY KEY,
	secret {{blob}} NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE TABLE known_devices (
	token_hash VARCHAR(64) PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at {{ts}} NOT NULL,
	expires_at {{ts}} NOT NULL
);
CREATE INDEX known_devices_user ON known_devices(user_id);
CREATE INDEX sessions_user ON sessions(user_id);
ALTER TABLE login_failures ADD COLUMN client VARCHAR(80) NOT NULL DEFAULT '';
ALTER TABLE login_failures ADD COLUMN trusted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX login_failures_pair ON login_failures(username, client, at);
CREATE INDEX login_failures_at ON login_failures(at)
`}

// SetUserActive disables or enables a user.
func (db *DB) SetUserActive(ctx context.Context, userID int64, active bool) error {
	res := db.conn(ctx).Model(&userRow{}).Where("id = ?", userID).Update("active", active)
	if res.Error != nil {
		return translate(res.Error, "用户", "set user active")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ENOTFOUND, "用户不存在。")
	}
	return nil
}

// GetGrant loads one grant.
func (db *DB) GetGrant(ctx context.Context, grantID int64) (domain.Grant, error) {
	var row grantRow
	if err := db.conn(ctx).Where("id = ?", grantID).Take(&row).Error; err != nil {
		return domain.Grant{}, translate(err, "授权", "get grant")
	}
	return row.toDomain(), nil
}

// RemoveGrant deletes one grant.
func (db *DB) RemoveGrant(ctx context.Context, grantID int64) error {
	res := db.conn(ctx).Where("id = ?", grantID).Delete(&grantRow{})
	if res.Error != nil {
		return translate(res.Error, "授权", "remove grant")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ENOTFOUND, "授权不存在。")
	}
	return nil
}

// DeleteUserSessions ends every session and token of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	res := db.conn(ctx).Where("user_id = ?", userID).Delete(&sessionRow{})
	if res.Error != nil {
		return 0, translate(res.Error, "会话", "delete user sessions")
	}
	return int(res.RowsAffected), nil
}

type deviceRow struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (deviceRow) TableName() string { return "known_devices" }

// maxDevices is how many known devices a user keeps: a client that never shows its device token makes
// a new one at every login, and the oldest are forgotten.
const maxDevices = 20

// AddDevice remembers a device of a user, and forgets that user's expired ones and all but the newest
// maxDevices.
func (db *DB) AddDevice(ctx context.Context, d domain.Device) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	c := db.conn(ctx)
	if err := c.Where("user_id = ? AND expires_at < ?", d.UserID, d.CreatedAt.UTC()).Delete(&deviceRow{}).Error; err != nil {
		return translate(err, "设备", "delete expired devices")
	}
	row := deviceRow{TokenHash: d.TokenHash, UserID: d.UserID, CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}
	if err := c.Create(&row).Error; err != nil {
		return translate(err, "设备", "add device")
	}
	err := c.Exec(`DELETE FROM known_devices WHERE user_id = ? AND token_hash NOT IN
		(SELECT token_hash FROM known_devices WHERE user_id = ? ORDER BY created_at DESC, token_hash LIMIT ?)`, d.UserID, d.UserID, maxDevices).Error
	return translate(err, "设备", "forget old devices")
}

// GetDevice loads a known device by the hash of its token.
func (db *DB) GetDevice(ctx context.Context, tokenHash string) (domain.Device, error) {
	var row deviceRow
	if err := db.conn(ctx).Where("token_hash = ?", tokenHash).Take(&row).Error; err != nil {
		return domain.Device{}, translate(err, "设备", "get device")
	}
	return domain.Device{TokenHash: row.TokenHash, UserID: row.UserID, CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}, nil
}

// DeleteUserDevices forgets every known device of a user.
func (db *DB) DeleteUserDevices(ctx context.Context, userID int64) error {
	return translate(db.conn(ctx).Where("user_id = ?", userID).Delete(&deviceRow{}).Error, "设备", "delete user devices")
}

type serverKeyRow struct {
	Name      string `gorm:"primaryKey"`
	Secret    []byte
	CreatedAt time.Time
}

func (serverKeyRow) TableName() string { return "server_keys" }

// ServerKey returns the secret named name, storing fresh when there is none: of two nodes starting at
// once, the first insert wins and both read it.
func (db *DB) ServerKey(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	c := db.conn(ctx)
	row := serverKeyRow{Name: name, Secret: fresh, CreatedAt: time.Now().UTC()}
	if err := c.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return nil, fmt.Errorf("storage: store server key %s: %w", name, err)
	}
	var got serverKeyRow
	if err := c.Where("name = ?", name).Take(&got).Error; err != nil {
		return nil, fmt.Errorf("storage: read server key %s: %w", name, err)
	}
	return got.Secret, nil
}

// loginLockBase keys the per-username advisory locks of login throttling on PostgreSQL.
const loginLockBase = "login:"

// CountLoginFailures counts what judges a login attempt, serialised per username (PostgreSQL takes an
// advisory lock until the transaction ends; SQLite's write transactions are serial already).
func (db *DB) CountLoginFailures(ctx context.Context, q domain.LoginQuery) (domain.LoginCounts, error) {
	if err := db.mustTx(ctx); err != nil {
		return domain.LoginCounts{}, err
	}
	c := db.conn(ctx)
	if db.dialect == Postgres {
		if err := c.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", loginLockBase+q.Username).Error; err != nil {
			return domain.LoginCounts{}, fmt.Errorf("storage: login lock: %w", err)
		}
	}
	var out domain.LoginCounts
	var pair []loginFailureRow
	if err := c.Where("username = ? AND client = ? AND at >= ?", q.Username, q.Client, q.PairSince.UTC()).
		Order("at DESC").Find(&pair).Error; err != nil {
		return out, translate(err, "登录记录", "count pair failures")
	}
	out.Pair = len(pair)
	if len(pair) > 0 {
		out.PairLast = pair[0].At.UTC()
	}
	var n int64
	if err := c.Model(&loginFailureRow{}).Where("username = ? AND trusted = ? AND at >= ?", q.Username, false, q.AccountSince.UTC()).
		Count(&n).Error; err != nil {
		return out, translate(err, "登录记录", "count account failures")
	}
	out.Account = int(n)
	if err := c.Model(&loginFailureRow{}).Where("addr = ? AND trusted = ? AND at >= ?", q.Addr, false, q.AddrSince.UTC()).
		Count(&n).Error; err != nil {
		return out, translate(err, "登录记录", "count address failures")
	}
	out.Addr = int(n)
	return out, nil
}

// RecordLoginFailure notes one failed attempt.
func (db *DB) RecordLoginFailure(ctx context.Context, f domain.LoginFailure) error {
	row := loginFailureRow{Username: f.Username, Addr: f.Addr, Client: f.Client, Trusted: f.Trusted, At: f.At.UTC()}
	return translate(db.conn(ctx).Create(&row).Error, "登录记录", "record login failure")
}

// ClearLoginFailures forgets the failures of one username from one client.
func (db *DB) ClearLoginFailures(ctx context.Context, username, client string) error {
	return translate(db.conn(ctx).Where("username = ? AND client = ?", username, client).Delete(&loginFailureRow{}).Error,
		"登录记录", "clear login failures")
}

// DeleteLoginFailuresBefore forgets failures older than before.
func (db *DB) DeleteLoginFailuresBefore(ctx context.Context, before time.Time) error {
	return translate(db.conn(ctx).Where("at < ?", before.UTC()).Delete(&loginFailureRow{}).Error, "登录记录", "delete old login failures")
}

var _ domain.AccountRepo = (*DB)(nil)
var _ domain.LoginThrottle = (*DB)(nil)
