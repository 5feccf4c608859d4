package storage

import (
	"context"
	"time"

	"dudao/domain"
)

// The rolling three-year supervision plans: one row per office and start year (a unique key keeps it
// so), with their items.

type planRow struct {
	ID            int64
	OfficeOrgID   int64
	OfficePath    string
	StartYear     int
	RolledFrom    *int64
	Status        string
	Version       int
	ReturnComment string
	CreatedBy     int64
	CreatedAt     time.Time
	ApprovedBy    int64
	ApprovedAt    *time.Time
	PublishedBy   int64
	PublishedAt   *time.Time
	UpdatedAt     time.Time
}

func (planRow) TableName() string { return "plans" }

type planItemRow struct {
	ID          int64
	PlanID      int64
	TargetOrgID int64
	Type        string
	Kind        string
	Year        int
	Quarter     int
	Month       int
	Note        string
}

func (planItemRow) TableName() string { return "plan_items" }

func planFromDomain(p *domain.Plan) planRow {
	return planRow{ID: p.ID, OfficeOrgID: p.Office.ID, OfficePath: string(p.Office.Path), StartYear: p.StartYear, RolledFrom: p.RolledFrom,
		Status: string(p.Status), Version: p.Version, ReturnComment: p.ReturnComment, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt.UTC(),
		ApprovedBy: p.ApprovedBy, ApprovedAt: utcPtr(p.ApprovedAt), PublishedBy: p.PublishedBy, PublishedAt: utcPtr(p.PublishedAt),
		UpdatedAt: time.Now().UTC()}
}

// CreatePlan inserts a plan with its items. A second plan of the office from the same year is
// ECONFLICT.
func (db *DB) CreatePlan(ctx context.Context, p *domain.Plan) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := planFromDomain(p)
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		if domain.ErrorCode(translate(err, "", "")) == domain.ECONFLICT {
			return &domain.Error{Code: domain.ECONFLICT, Message: p.Label() + "已存在，请在原计划上修改。", Err: err,
				Fields: map[string]string{"start_year": "本单位该年度起始的督导计划已存在。"}}
		}
		return translate(err, "督导计划", "create plan")
	}
	p.ID = row.ID
	return db.savePlanItems(ctx, p)
}

// savePlanItems deletes the items no longer in the plan, rewrites the others and inserts the new ones.
func (db *DB) savePlanItems(ctx context.Context, p *domain.Plan) error {
	conn := db.conn(ctx)
	var keep []int64
	for _, it := range p.Items {
		if it.ID != 0 {
			keep = append(keep, it.ID)
		}
	}
	q := conn.Where("plan_id = ?", p.ID)
	if len(keep) > 0 {
		q = q.Where("id NOT IN ?", keep)
	}
	if err := q.Delete(&planItemRow{}).Error; err != nil {
		return translate(err, "督导事项", "delete plan items")
	}
	for k := range p.Items {
		it := &p.Items[k]
		row := planItemRow{ID: it.ID, PlanID: p.ID, TargetOrgID: it.Target.ID, Type: string(it.Type), Kind: string(it.Kind), Year: it.Year,
			Quarter: it.Quarter, Month: it.Month, Note: it.Note}
		if it.ID == 0 {
			if err := conn.Create(&row).Error; err != nil {
				return translate(err, "督导事项", "insert plan item")
			}
			it.ID = row.ID
			continue
		}
		err := conn.Model(&planItemRow{}).Where("id = ? AND plan_id = ?", it.ID, p.ID).
			Select("target_org_id", "type", "kind", "year", "quarter", "month", "note").Updates(&row).Error
		if err != nil {
			return translate(err, "督导事项", "update plan item")
		}
	}
	return nil
}

// GetPlan loads one plan with its items.
func (db *DB) GetPlan(ctx context.Context, id int64) (*domain.Plan, error) {
	var row planRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "督导计划", "get plan")
	}
	list, err := db.fillPlans(ctx, []planRow{row})
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// SavePlan writes the plan if its stored version is still expectedVersion, and its items.
func (db *DB) SavePlan(ctx context.Context, p *domain.Plan, expectedVersion int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := planFromDomain(p)
	res := db.conn(ctx).Model(&planRow{}).Where("id = ? AND version = ?", p.ID, expectedVersion).
		Select("status", "version", "return_comment", "approved_by", "approved_at", "published_by", "published_at", "updated_at").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "督导计划", "save plan")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", p.Label())
	}
	return db.savePlanItems(ctx, p)
}

// ListPlans lists the plans of the offices under scopes, newest start year first.
func (db *DB) ListPlans(ctx context.Context, scopes []domain.Jurisdiction) ([]domain.Plan, error) {
	w, args := db.scopeWhere("office_path", scopes)
	var rows []planRow
	if err := db.conn(ctx).Where(w, args...).Order("start_year DESC").Order(db.byteOrder("office_path")).Find(&rows).Error; err != nil {
		return nil, translate(err, "督导计划", "list plans")
	}
	return db.fillPlans(ctx, rows)
}

func (db *DB) fillPlans(ctx context.Context, rows []planRow) ([]domain.Plan, error) {
	if len(rows) == 0 {
		return []domain.Plan{}, nil
	}
	ids := make([]int64, len(rows))
	var orgIDs []int64
	for k, r := range rows {
		ids[k] = r.ID
		orgIDs = append(orgIDs, r.OfficeOrgID)
	}
	var items []planItemRow
	if err := db.conn(ctx).Where("plan_id IN ?", ids).Order("plan_id, id").Find(&items).Error; err != nil {
		return nil, translate(err, "督导事项", "load plan items")
	}
	for _, it := range items {
		orgIDs = append(orgIDs, it.TargetOrgID)
	}
	orgs, err := db.accOrgs(ctx, orgIDs...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Plan, len(rows))
	at := make(map[int64]*domain.Plan, len(rows))
	for k, r := range rows {
		out[k] = domain.Plan{ID: r.ID, Office: orgs[r.OfficeOrgID], StartYear: r.StartYear, RolledFrom: r.RolledFrom, Status: domain.PlanStatus(r.Status),
			Version: r.Version, ReturnComment: r.ReturnComment, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ApprovedBy: r.ApprovedBy,
			ApprovedAt: r.ApprovedAt, PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt}
		at[r.ID] = &out[k]
	}
	for _, it := range items {
		p := at[it.PlanID]
		p.Items = append(p.Items, domain.PlanItem{ID: it.ID, Target: orgs[it.TargetOrgID], Type: domain.CaseType(it.Type), Kind: domain.CaseKind(it.Kind),
			Year: it.Year, Quarter: it.Quarter, Month: it.Month, Note: it.Note})
	}
	return out, nil
}
