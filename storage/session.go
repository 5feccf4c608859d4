package storage

import (
	"context"
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
	Client   string
	Trusted  bool
	At       time.Time
}

func (loginFailureRow) TableName() string { return "login_failures" }

var _ domain.SessionRepo = (*DB)(nil)
var _ domain.OrgRepo = (*DB)(nil)
var _ domain.UserRepo = (*DB)(nil)
