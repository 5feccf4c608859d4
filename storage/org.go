package storage

import (
	"context"
	"time"

	"dudao/domain"
)

type orgRow struct {
	ID        int64
	Code      string
	Name      string
	Kind      string
	ParentID  *int64
	Path      string
	CreatedAt time.Time
	FullName  string // migration 11
}

func (orgRow) TableName() string { return "orgs" }

func (r orgRow) toDomain() domain.Org {
	return domain.Org{ID: r.ID, Code: r.Code, Name: r.Name, Kind: domain.OrgKind(r.Kind), ParentID: r.ParentID, Path: domain.Jurisdiction(r.Path), FullName: r.FullName}
}

func orgFromDomain(o domain.Org) orgRow {
	return orgRow{ID: o.ID, Code: o.Code, Name: o.Name, Kind: string(o.Kind), ParentID: o.ParentID, Path: string(o.Path), FullName: o.FullName}
}

// CreateOrg inserts o and sets its ID.
func (db *DB) CreateOrg(ctx context.Context, o *domain.Org) error {
	row := orgFromDomain(*o)
	row.CreatedAt = time.Now().UTC()
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "机构", "create org")
	}
	o.ID = row.ID
	return nil
}

// GetOrg loads one org by id.
func (db *DB) GetOrg(ctx context.Context, id int64) (domain.Org, error) {
	var row orgRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.Org{}, translate(err, "机构", "get org")
	}
	return row.toDomain(), nil
}

// GetOrgByPath loads one org by its jurisdiction path.
func (db *DB) GetOrgByPath(ctx context.Context, path domain.Jurisdiction) (domain.Org, error) {
	var row orgRow
	if err := db.conn(ctx).Where("path = ?", string(path)).Take(&row).Error; err != nil {
		return domain.Org{}, translate(err, "机构", "get org by path")
	}
	return row.toDomain(), nil
}

// ListOrgs returns the orgs under any of scopes, ordered by path.
func (db *DB) ListOrgs(ctx context.Context, scopes []domain.Jurisdiction) ([]domain.Org, error) {
	where, args := db.scopeWhere("path", scopes)
	var rows []orgRow
	if err := db.conn(ctx).Where(where, args...).Order(db.byteOrder("path")).Find(&rows).Error; err != nil {
		return nil, translate(err, "机构", "list orgs")
	}
	out := make([]domain.Org, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// CountOrgs counts the orgs under any of scopes (an index range each).
func (db *DB) CountOrgs(ctx context.Context, scopes []domain.Jurisdiction) (int, error) {
	where, args := db.scopeWhere("path", scopes)
	var n int64
	if err := db.conn(ctx).Model(&orgRow{}).Where(where, args...).Count(&n).Error; err != nil {
		return 0, translate(err, "机构", "count orgs")
	}
	return int(n), nil
}

// OrgsWithin returns the orgs at the given paths and their direct children, up to limit, ordered by path.
func (db *DB) OrgsWithin(ctx context.Context, paths []domain.Jurisdiction, limit int) ([]domain.Org, error) {
	ps := make([]string, len(paths))
	for i, p := range paths {
		ps[i] = string(p)
	}
	var rows []orgRow
	err := db.conn(ctx).Where("path IN ? OR parent_id IN (SELECT id FROM orgs WHERE path IN ?)", ps, ps).
		Order(db.byteOrder("path")).Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "机构", "list orgs within")
	}
	out := make([]domain.Org, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
