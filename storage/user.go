package storage

import (
	"context"
	"time"

	"dudao/domain"
)

type userRow struct {
	ID           int64
	Username     string
	Name         string
	OrgID        int64
	PasswordHash string
	Active       bool
	CreatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) toDomain() domain.User {
	return domain.User{ID: r.ID, Username: r.Username, Name: r.Name, OrgID: r.OrgID, PasswordHash: r.PasswordHash, Active: r.Active}
}

type grantRow struct {
	ID        int64
	UserID    int64
	Role      string
	OrgID     int64
	Path      string
	CreatedAt time.Time
}

func (grantRow) TableName() string { return "grants" }

func (r grantRow) toDomain() domain.Grant {
	return domain.Grant{ID: r.ID, UserID: r.UserID, Role: domain.Role(r.Role), OrgID: r.OrgID, Path: domain.Jurisdiction(r.Path)}
}

// CreateUser inserts u and sets its ID.
func (db *DB) CreateUser(ctx context.Context, u *domain.User) error {
	row := userRow{Username: u.Username, Name: u.Name, OrgID: u.OrgID, PasswordHash: u.PasswordHash, Active: u.Active, CreatedAt: time.Now().UTC()}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "用户", "create user")
	}
	u.ID = row.ID
	return nil
}

// GetUser loads a user by id.
func (db *DB) GetUser(ctx context.Context, id int64) (domain.User, error) {
	var row userRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.User{}, translate(err, "用户", "get user")
	}
	return row.toDomain(), nil
}

// GetUserByUsername loads a user by login name.
func (db *DB) GetUserByUsername(ctx context.Context, username string) (domain.User, error) {
	var row userRow
	if err := db.conn(ctx).Where("username = ?", username).Take(&row).Error; err != nil {
		return domain.User{}, translate(err, "用户", "get user by name")
	}
	return row.toDomain(), nil
}

// SetPassword replaces a user's password hash.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	res := db.conn(ctx).Model(&userRow{}).Where("id = ?", userID).Update("password_hash", hash)
	if res.Error != nil {
		return translate(res.Error, "用户", "set password")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ENOTFOUND, "用户不存在。")
	}
	return nil
}

// ListUsers returns the users whose org lies under any of scopes.
func (db *DB) ListUsers(ctx context.Context, scopes []domain.Jurisdiction) ([]domain.User, error) {
	where, args := db.scopeWhere("orgs.path", scopes)
	var rows []userRow
	err := db.conn(ctx).Table("users").Select("users.*").Joins("JOIN orgs ON orgs.id = users.org_id").
		Where(where, args...).Order(db.byteOrder("orgs.path") + ", users.username").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "用户", "list users")
	}
	out := make([]domain.User, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// AddGrant inserts g and sets its ID; the path is copied from the org.
func (db *DB) AddGrant(ctx context.Context, g *domain.Grant) error {
	row := grantRow{UserID: g.UserID, Role: string(g.Role), OrgID: g.OrgID, Path: string(g.Path), CreatedAt: time.Now().UTC()}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "授权", "add grant")
	}
	g.ID = row.ID
	return nil
}

// Grants lists a user's grants.
func (db *DB) Grants(ctx context.Context, userID int64) ([]domain.Grant, error) {
	var rows []grantRow
	if err := db.conn(ctx).Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "授权", "list grants")
	}
	out := make([]domain.Grant, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// GrantsOf returns the grants of many users at once, by user.
func (db *DB) GrantsOf(ctx context.Context, userIDs []int64) (map[int64][]domain.Grant, error) {
	out := map[int64][]domain.Grant{}
	for i := 0; i < len(userIDs); i += 1000 {
		var rows []grantRow
		part := userIDs[i:min(i+1000, len(userIDs))]
		if err := db.conn(ctx).Where("user_id IN ?", part).Order("id").Find(&rows).Error; err != nil {
			return nil, translate(err, "授权", "list grants")
		}
		for _, r := range rows {
			out[r.UserID] = append(out[r.UserID], r.toDomain())
		}
	}
	return out, nil
}

// UserNames maps user ids to their names, in one query.
func (db *DB) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := db.conn(ctx).Table("users").Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, translate(err, "用户", "user names")
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
