package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"dudao/domain"
)

// Frameworks (评估指标体系) and the scores cases keep of them.

type frameworkRow struct {
	ID           int64
	Code         string
	Version      int
	Name         string
	AppliesType  string
	AppliesKinds string // comma-separated case kinds, "" for every kind
	PassMark     float64
	Source       string
	Description  string
	Items        string // the item tree as JSON
	Status       string
	OwnerOrgID   int64
	OwnerPath    string
	Revision     int
	CreatedBy    int64
	CreatedAt    time.Time
	PublishedBy  int64
	PublishedAt  *time.Time
	RetiredBy    int64
	RetiredAt    *time.Time
}

func (frameworkRow) TableName() string { return "frameworks" }

func frameworkFromDomain(f *domain.Framework) (frameworkRow, error) {
	items, err := json.Marshal(f.Items)
	if err != nil {
		return frameworkRow{}, fmt.Errorf("storage: framework items: %w", err)
	}
	kinds := make([]string, len(f.AppliesTo.Kinds))
	for i, k := range f.AppliesTo.Kinds {
		kinds[i] = string(k)
	}
	return frameworkRow{ID: f.ID, Code: f.Code, Version: f.Version, Name: f.Name, AppliesType: string(f.AppliesTo.Type),
		AppliesKinds: strings.Join(kinds, ","), PassMark: f.PassMark, Source: f.Source, Description: f.Description, Items: string(items),
		Status: string(f.Status), OwnerOrgID: f.OwnerOrg.ID, OwnerPath: string(f.OwnerOrg.Path), Revision: f.Revision,
		CreatedBy: f.CreatedBy, CreatedAt: f.CreatedAt.UTC(), PublishedBy: f.PublishedBy, PublishedAt: utcPtr(f.PublishedAt),
		RetiredBy: f.RetiredBy, RetiredAt: utcPtr(f.RetiredAt)}, nil
}

func (r frameworkRow) toDomain(owner domain.Org) (domain.Framework, error) {
	f := domain.Framework{ID: r.ID, Code: r.Code, Version: r.Version, Name: r.Name, AppliesTo: domain.Applicability{Type: domain.CaseType(r.AppliesType)},
		PassMark: r.PassMark, Source: r.Source, Description: r.Description, Status: domain.FrameworkStatus(r.Status), OwnerOrg: owner,
		Revision: r.Revision, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt,
		RetiredBy: r.RetiredBy, RetiredAt: r.RetiredAt}
	if r.AppliesKinds != "" {
		for _, k := range strings.Split(r.AppliesKinds, ",") {
			f.AppliesTo.Kinds = append(f.AppliesTo.Kinds, domain.CaseKind(k))
		}
	}
	if err := json.Unmarshal([]byte(r.Items), &f.Items); err != nil {
		return f, fmt.Errorf("storage: framework %d items: %w", r.ID, err)
	}
	return f, nil
}

// CreateFramework inserts a version; a second of the same code and version is ECONFLICT.
func (db *DB) CreateFramework(ctx context.Context, f *domain.Framework) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row, err := frameworkFromDomain(f)
	if err != nil {
		return err
	}
	row.ID = 0
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, fmt.Sprintf("指标体系%s第%d版", f.Code, f.Version), "create framework")
	}
	f.ID = row.ID
	return nil
}

// GetFramework reads one version.
func (db *DB) GetFramework(ctx context.Context, id int64) (*domain.Framework, error) {
	var row frameworkRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "指标体系", "get framework")
	}
	orgs, err := db.accOrgs(ctx, row.OwnerOrgID)
	if err != nil {
		return nil, err
	}
	f, err := row.toDomain(orgs[row.OwnerOrgID])
	return &f, err
}

// SaveFramework writes what a step may change if the stored revision is still expected.
func (db *DB) SaveFramework(ctx context.Context, f *domain.Framework, expected int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row, err := frameworkFromDomain(f)
	if err != nil {
		return err
	}
	res := db.conn(ctx).Model(&frameworkRow{}).Where("id = ? AND revision = ?", f.ID, expected).
		Select("name", "applies_type", "applies_kinds", "pass_mark", "source", "description", "items", "status", "revision",
			"published_by", "published_at", "retired_by", "retired_at").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "指标体系", "save framework")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", f.Label())
	}
	return nil
}

// ListFrameworks lists every version by code and version: a few standards per office.
func (db *DB) ListFrameworks(ctx context.Context) ([]domain.Framework, error) {
	var rows []frameworkRow
	if err := db.conn(ctx).Order("code, version").Find(&rows).Error; err != nil {
		return nil, translate(err, "指标体系", "list frameworks")
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.OwnerOrgID
	}
	orgs, err := db.accOrgs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Framework, len(rows))
	for i, r := range rows {
		if out[i], err = r.toDomain(orgs[r.OwnerOrgID]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var _ domain.FrameworkRepo = (*DB)(nil)

// caseScoreRow is a case's scoring: the result as computed, with its framework version.
type caseScoreRow struct {
	CaseID           int64 `gorm:"primaryKey"`
	FrameworkID      int64
	FrameworkCode    string
	FrameworkVersion int
	FrameworkName    string
	Total            float64
	Passed           bool
	Complete         bool
	Result           string
	ScoredBy         int64
	ScoredAt         time.Time
}

func (caseScoreRow) TableName() string { return "case_scores" }

// loadScoring reads the case's scoring, if any, into c.
func (db *DB) loadScoring(ctx context.Context, c *domain.Case) error {
	var rows []caseScoreRow
	if err := db.conn(ctx).Where("case_id = ?", c.ID).Limit(1).Find(&rows).Error; err != nil {
		return translate(err, "评分", "get case score")
	}
	if len(rows) == 0 {
		return nil
	}
	r := rows[0]
	s := &domain.Scoring{FrameworkName: r.FrameworkName, ScoredBy: r.ScoredBy, ScoredAt: r.ScoredAt}
	if err := json.Unmarshal([]byte(r.Result), &s.ScoreResult); err != nil {
		return fmt.Errorf("storage: case %d score: %w", c.ID, err)
	}
	c.Scoring = s
	return nil
}

// saveScoring writes the case's scoring when it has one (replacing the one stored).
func (db *DB) saveScoring(ctx context.Context, c *domain.Case) error {
	s := c.Scoring
	if s == nil {
		return nil
	}
	res, err := json.Marshal(s.ScoreResult)
	if err != nil {
		return fmt.Errorf("storage: case %d score: %w", c.ID, err)
	}
	row := caseScoreRow{CaseID: c.ID, FrameworkID: s.FrameworkID, FrameworkCode: s.FrameworkCode, FrameworkVersion: s.FrameworkVersion,
		FrameworkName: s.FrameworkName, Total: s.Total, Passed: s.Passed, Complete: s.Complete, Result: string(res),
		ScoredBy: s.ScoredBy, ScoredAt: s.ScoredAt.UTC()}
	conn := db.conn(ctx)
	if err := conn.Where("case_id = ?", c.ID).Delete(&caseScoreRow{}).Error; err != nil {
		return translate(err, "评分", "replace case score")
	}
	return translate(conn.Create(&row).Error, "评分", "save case score")
}
