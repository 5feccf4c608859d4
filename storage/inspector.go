package storage

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

// The inspector registry: a profile row, its terms (rewritten with the profile), its training file and
// its declared conflicts (lines added and removed by id).

type registryInspectorRow struct {
	ID             int64
	UserID         int64
	Code           string
	Name           string
	OfficeOrgID    int64
	OfficePath     string
	UnitOrgID      int64
	Kind           string
	CertNo         string
	LoadCap        int
	Status         string
	Recommendation string
	ReviewNote     string
	PublicizedOn   string
	PublicityUntil string
	StatusReason   string
	Version        int
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (registryInspectorRow) TableName() string { return "inspectors" }

type termRow struct {
	InspectorID int64 `gorm:"primaryKey"`
	Pos         int   `gorm:"primaryKey"`
	Seq         int
	FromOn      string
	UntilOn     string
}

func (termRow) TableName() string { return "inspector_terms" }

type trainingRow struct {
	ID          int64
	InspectorID int64
	Year        int
	Hours       int
	Course      string
	Provider    string
	RecordedBy  int64
	RecordedAt  time.Time
}

func (trainingRow) TableName() string { return "inspector_trainings" }

type conflictRow struct {
	ID          int64
	InspectorID int64
	OrgID       int64
	Reason      string
	DeclaredBy  int64
	DeclaredAt  time.Time
}

func (conflictRow) TableName() string { return "inspector_conflicts" }

func inspectorFromDomain(i *domain.Inspector) registryInspectorRow {
	return registryInspectorRow{ID: i.ID, UserID: i.UserID, Code: i.Code, Name: i.Name, OfficeOrgID: i.Office.ID,
		OfficePath: string(i.Office.Path), UnitOrgID: i.Unit.ID, Kind: string(i.Kind), CertNo: i.CertNo, LoadCap: i.LoadCap,
		Status: string(i.Status), Recommendation: i.Recommendation, ReviewNote: i.ReviewNote, PublicizedOn: string(i.PublicizedOn),
		PublicityUntil: string(i.PublicityUntil), StatusReason: i.StatusReason, Version: i.Version, CreatedBy: i.CreatedBy,
		CreatedAt: i.CreatedAt.UTC(), UpdatedAt: time.Now().UTC()}
}

func (r registryInspectorRow) toDomain(orgs map[int64]domain.Org) domain.Inspector {
	return domain.Inspector{ID: r.ID, UserID: r.UserID, Code: r.Code, Name: r.Name, Office: orgs[r.OfficeOrgID], Unit: orgs[r.UnitOrgID],
		Kind: domain.InspectorKind(r.Kind), CertNo: r.CertNo, LoadCap: r.LoadCap, Status: domain.InspStatus(r.Status),
		Recommendation: r.Recommendation, ReviewNote: r.ReviewNote, PublicizedOn: domain.Date(r.PublicizedOn),
		PublicityUntil: domain.Date(r.PublicityUntil), StatusReason: r.StatusReason, Version: r.Version, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt}
}

// inspectorSaved are the columns a step may change; the code, the user and the office never do.
var inspectorSaved = []string{"name", "unit_org_id", "kind", "cert_no", "load_cap", "status", "recommendation", "review_note",
	"publicized_on", "publicity_until", "status_reason", "version", "updated_at"}

// CreateInspector inserts a profile with its terms, training and conflicts. A code or a (registry,
// user) pair already taken is ECONFLICT.
func (db *DB) CreateInspector(ctx context.Context, i *domain.Inspector) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := inspectorFromDomain(i)
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		if domain.ErrorCode(translate(err, "", "")) == domain.ECONFLICT {
			return &domain.Error{Code: domain.ECONFLICT, Message: "督学编号已被使用，或该用户已在本督学名录库中。", Err: err,
				Fields: map[string]string{"code": "督学编号已被使用，或该用户已在本督学名录库中。"}}
		}
		return translate(err, "督学", "create inspector")
	}
	i.ID = row.ID
	return db.saveInspectorParts(ctx, i)
}

// saveInspectorParts rewrites the terms and inserts or deletes the lines of the training file and the
// conflicts so that the stored ones are i's.
func (db *DB) saveInspectorParts(ctx context.Context, i *domain.Inspector) error {
	conn := db.conn(ctx)
	if err := conn.Where("inspector_id = ?", i.ID).Delete(&termRow{}).Error; err != nil {
		return translate(err, "任期", "delete terms")
	}
	if len(i.Terms) > 0 {
		rows := make([]termRow, len(i.Terms))
		for k, t := range i.Terms {
			rows[k] = termRow{InspectorID: i.ID, Pos: k + 1, Seq: t.Seq, FromOn: string(t.From), UntilOn: string(t.Until)}
		}
		if err := conn.Create(&rows).Error; err != nil {
			return translate(err, "任期", "insert terms")
		}
	}
	var keepT []int64
	for _, t := range i.Trainings {
		if t.ID != 0 {
			keepT = append(keepT, t.ID)
		}
	}
	if err := deleteOthers(conn, &trainingRow{}, i.ID, keepT); err != nil {
		return translate(err, "培训记录", "delete trainings")
	}
	for k := range i.Trainings {
		t := &i.Trainings[k]
		if t.ID != 0 {
			continue
		}
		row := trainingRow{InspectorID: i.ID, Year: t.Year, Hours: t.Hours, Course: t.Course, Provider: t.Provider,
			RecordedBy: t.RecordedBy, RecordedAt: t.RecordedAt.UTC()}
		if err := conn.Create(&row).Error; err != nil {
			return translate(err, "培训记录", "insert training")
		}
		t.ID = row.ID
	}
	var keepC []int64
	for _, c := range i.Conflicts {
		if c.ID != 0 {
			keepC = append(keepC, c.ID)
		}
	}
	if err := deleteOthers(conn, &conflictRow{}, i.ID, keepC); err != nil {
		return translate(err, "回避记录", "delete conflicts")
	}
	for k := range i.Conflicts {
		c := &i.Conflicts[k]
		if c.ID != 0 {
			continue
		}
		row := conflictRow{InspectorID: i.ID, OrgID: c.Org.ID, Reason: c.Reason, DeclaredBy: c.DeclaredBy, DeclaredAt: c.DeclaredAt.UTC()}
		if err := conn.Create(&row).Error; err != nil {
			return translate(err, "回避记录", "insert conflict")
		}
		c.ID = row.ID
	}
	return nil
}

// deleteOthers deletes the rows of model belonging to the inspector whose id is not in keep.
func deleteOthers(conn *gorm.DB, model any, inspectorID int64, keep []int64) error {
	q := conn.Where("inspector_id = ?", inspectorID)
	if len(keep) > 0 {
		q = q.Where("id NOT IN ?", keep)
	}
	return q.Delete(model).Error
}

// GetInspector loads one profile with its parts.
func (db *DB) GetInspector(ctx context.Context, id int64) (*domain.Inspector, error) {
	var row registryInspectorRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "督学", "get inspector")
	}
	list, err := db.fillInspectors(ctx, []registryInspectorRow{row})
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// SaveInspector writes the profile if its stored version is still expectedVersion, and its parts.
func (db *DB) SaveInspector(ctx context.Context, i *domain.Inspector, expectedVersion int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := inspectorFromDomain(i)
	res := db.conn(ctx).Model(&registryInspectorRow{}).Where("id = ? AND version = ?", i.ID, expectedVersion).
		Select(inspectorSaved).Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "督学", "save inspector")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", i.Label())
	}
	return db.saveInspectorParts(ctx, i)
}

// ListInspectors lists profiles by office path and code (the index inspectors_office_path), one page
// when PerPage is set, with their parts read in one query per part.
func (db *DB) ListInspectors(ctx context.Context, f domain.InspectorFilter) ([]domain.Inspector, int, error) {
	q := db.conn(ctx).Model(&registryInspectorRow{})
	switch {
	case f.Scopes != nil:
		w, args := db.scopeWhere("office_path", f.Scopes)
		q = q.Where(w, args...)
	case len(f.IDs) > 0:
		q = q.Where("id IN ?", f.IDs)
	case len(f.UserIDs) > 0:
		q = q.Where("user_id IN ?", f.UserIDs)
	default:
		return nil, 0, nil
	}
	if f.OfficeID != 0 {
		q = q.Where("office_org_id = ?", f.OfficeID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		like := "%" + escapeLike(s) + "%"
		q = q.Where(`(name LIKE ? ESCAPE '\' OR code LIKE ? ESCAPE '\')`, like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "督学", "count inspectors")
	}
	q = q.Order(db.byteOrder("office_path")).Order(db.byteOrder("code"))
	if f.PerPage > 0 {
		q = q.Limit(f.PerPage).Offset((max(f.Page, 1) - 1) * f.PerPage)
	}
	var rows []registryInspectorRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "督学", "list inspectors")
	}
	out, err := db.fillInspectors(ctx, rows)
	return out, int(total), err
}

// fillInspectors turns rows into profiles with their orgs, terms, training and conflicts.
func (db *DB) fillInspectors(ctx context.Context, rows []registryInspectorRow) ([]domain.Inspector, error) {
	if len(rows) == 0 {
		return []domain.Inspector{}, nil
	}
	ids := make([]int64, len(rows))
	var orgIDs []int64
	for k, r := range rows {
		ids[k] = r.ID
		orgIDs = append(orgIDs, r.OfficeOrgID, r.UnitOrgID)
	}
	conn := db.conn(ctx)
	var terms []termRow
	if err := conn.Where("inspector_id IN ?", ids).Order("inspector_id, pos").Find(&terms).Error; err != nil {
		return nil, translate(err, "任期", "load terms")
	}
	var trainings []trainingRow
	if err := conn.Where("inspector_id IN ?", ids).Order("inspector_id, id").Find(&trainings).Error; err != nil {
		return nil, translate(err, "培训记录", "load trainings")
	}
	var conflicts []conflictRow
	if err := conn.Where("inspector_id IN ?", ids).Order("inspector_id, id").Find(&conflicts).Error; err != nil {
		return nil, translate(err, "回避记录", "load conflicts")
	}
	for _, c := range conflicts {
		orgIDs = append(orgIDs, c.OrgID)
	}
	orgs, err := db.accOrgs(ctx, orgIDs...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Inspector, len(rows))
	at := make(map[int64]*domain.Inspector, len(rows))
	for k, r := range rows {
		out[k] = r.toDomain(orgs)
		at[r.ID] = &out[k]
	}
	for _, t := range terms {
		i := at[t.InspectorID]
		i.Terms = append(i.Terms, domain.Term{Seq: t.Seq, From: domain.Date(t.FromOn), Until: domain.Date(t.UntilOn)})
	}
	for _, t := range trainings {
		i := at[t.InspectorID]
		i.Trainings = append(i.Trainings, domain.Training{ID: t.ID, Year: t.Year, Hours: t.Hours, Course: t.Course, Provider: t.Provider,
			RecordedBy: t.RecordedBy, RecordedAt: t.RecordedAt})
	}
	for _, c := range conflicts {
		i := at[c.InspectorID]
		i.Conflicts = append(i.Conflicts, domain.Conflict{ID: c.ID, Org: orgs[c.OrgID], Reason: c.Reason, DeclaredBy: c.DeclaredBy, DeclaredAt: c.DeclaredAt})
	}
	return out, nil
}

// uniqueIDs drops zeros and repeats, keeping the order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
