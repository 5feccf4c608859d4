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

func (r sessionRow) toDomain() domain.Session {
	return domain.Session{TokenHash: r.TokenHash, UserID: r.UserID, Kind: r.Kind, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
}

// sessionHolderRow is a session row with its user's and org's rows, their columns prefixed.
type sessionHolderRow struct {
	Session sessionRow `gorm:"embedded"`
	User    userRow    `gorm:"embedded;embeddedPrefix:u_"`
	Org     orgRow     `gorm:"embedded;embeddedPrefix:o_"`
	// One of the user's grants, or none (NULL) for a user without any.
	GrantID    *int64  `gorm:"column:g_id"`
	GrantRole  *string `gorm:"column:g_role"`
	GrantOrgID *int64  `gorm:"column:g_org_id"`
	GrantPath  *string `gorm:"column:g_path"`
}

// GetSessionHolder reads a session with its user, the user's org and the user's grants in one query
// (primary-key lookups, then the grants' user index), one row per grant: every authenticated request
// needs all four, which were four round trips before any of the request's own work (on PostgreSQL
// half of a list page's statements).
func (db *DB) GetSessionHolder(ctx context.Context, tokenHash string) (domain.SessionHolder, error) {
	var rows []sessionHolderRow
	err := db.conn(ctx).Table("sessions AS s").
		Select("s.token_hash, s.user_id, s.kind, s.created_at, s.expires_at, "+
			columnsAs("u", "u_", "id", "username", "name", "org_id", "password_hash", "active", "created_at")+", "+
			orgColumns("o", "o_")+", "+columnsAs("g", "g_", "id", "role", "org_id", "path")).
		Joins("JOIN users u ON u.id = s.user_id").Joins("JOIN orgs o ON o.id = u.org_id").
		Joins("LEFT JOIN grants g ON g.user_id = u.id").
		Where("s.token_hash = ?", tokenHash).Order("g.id").Find(&rows).Error
	if err != nil {
		return domain.SessionHolder{}, translate(err, "会话", "get session holder")
	}
	if len(rows) == 0 {
		return domain.SessionHolder{}, &domain.Error{Code: domain.ENOTFOUND, Message: "会话不存在。"}
	}
	r := rows[0]
	var grants []domain.Grant
	for _, g := range rows {
		if g.GrantID != nil {
			grants = append(grants, grantRow{ID: *g.GrantID, UserID: r.User.ID, Role: *g.GrantRole, OrgID: *g.GrantOrgID, Path: *g.GrantPath}.toDomain())
		}
	}
	return domain.SessionHolder{Session: r.Session.toDomain(), User: r.User.toDomain(), Org: r.Org.toDomain(), Grants: grants}, nil
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
