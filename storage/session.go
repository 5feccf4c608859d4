package storage

import (
	"context"
	"fmt"
	"time"

	"dudao/domain"
)

type sessionRow struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    int64
	Kind      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// CreateSession stores a session by the hash of its token.
func (db *DB) CreateSession(ctx context.Context, s domain.Session) error {
	row := sessionRow{TokenHash: s.TokenHash, UserID: s.UserID, Kind: s.Kind, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()}
	return translate(db.conn(ctx).Create(&row).Error, "会话", "create session")
}

// GetSession loads a session by token hash.
func (db *DB) GetSession(ctx context.Context, tokenHash string) (domain.Session, error) {
	var row sessionRow
	if err := db.conn(ctx).Where("token_hash = ?", tokenHash).Take(&row).Error; err != nil {
		return domain.Session{}, translate(err, "会话", "get session")
	}
	return domain.Session{TokenHash: row.TokenHash, UserID: row.UserID, Kind: row.Kind, CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}, nil
}

// DeleteSession revokes a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return translate(db.conn(ctx).Where("token_hash = ?", tokenHash).Delete(&sessionRow{}).Error, "会话", "delete session")
}

// DeleteExpiredSessions removes sessions past their expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	return translate(db.conn(ctx).Where("expires_at < ?", now.UTC()).Delete(&sessionRow{}).Error, "会话", "delete expired sessions")
}

type loginFailureRow struct {
	ID       int64
	Username string
	Addr     string
	At       time.Time
}

func (loginFailureRow) TableName() string { return "login_failures" }

// RecordFailure notes one failed login.
func (db *DB) RecordFailure(ctx context.Context, username, addr string, at time.Time) error {
	row := loginFailureRow{Username: username, Addr: addr, At: at.UTC()}
	return translate(db.conn(ctx).Create(&row).Error, "登录记录", "record login failure")
}

// CountFailures counts failures since a time, by username and by address.
func (db *DB) CountFailures(ctx context.Context, username, addr string, since time.Time) (byUser, byAddr int, err error) {
	var u, a int64
	c := db.conn(ctx)
	if err := c.Model(&loginFailureRow{}).Where("username = ? AND at >= ?", username, since.UTC()).Count(&u).Error; err != nil {
		return 0, 0, translate(err, "登录记录", "count failures by user")
	}
	if err := c.Model(&loginFailureRow{}).Where("addr = ? AND at >= ?", addr, since.UTC()).Count(&a).Error; err != nil {
		return 0, 0, translate(err, "登录记录", "count failures by addr")
	}
	return int(u), int(a), nil
}

// NoteAttempt records a failure and counts, in the caller's transaction, serialised per username.
func (db *DB) NoteAttempt(ctx context.Context, username, addr string, at, since time.Time) (byUser, byAddr int, err error) {
	if err := db.mustTx(ctx); err != nil {
		return 0, 0, err
	}
	if db.dialect == Postgres {
		if err := db.conn(ctx).Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "login:"+username).Error; err != nil {
			return 0, 0, fmt.Errorf("storage: login lock: %w", err)
		}
	}
	if err := db.RecordFailure(ctx, username, addr, at); err != nil {
		return 0, 0, err
	}
	return db.CountFailures(ctx, username, addr, since)
}

// ClearFailures forgets a user's failures after a successful login.
func (db *DB) ClearFailures(ctx context.Context, username string) error {
	return translate(db.conn(ctx).Where("username = ?", username).Delete(&loginFailureRow{}).Error, "登录记录", "clear failures")
}

var _ domain.SessionRepo = (*DB)(nil)
var _ domain.LoginAttempts = (*DB)(nil)
var _ domain.OrgRepo = (*DB)(nil)
var _ domain.UserRepo = (*DB)(nil)
