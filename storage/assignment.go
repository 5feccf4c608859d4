package storage

import (
	"context"
	"time"

	"dudao/domain"
)

// The 责任督学挂牌 records: one row per school (a unique key keeps it so), its postings one after
// another.

type assignmentRow struct {
	ID          int64
	OfficeOrgID int64
	OfficePath  string
	SchoolOrgID int64
	SchoolPath  string
	Version     int
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (assignmentRow) TableName() string { return "assignments" }

type postingRow struct {
	ID            int64
	AssignmentID  int64
	InspectorID   int64
	InspectorCode string
	UserID        int64
	FromOn        string
	UntilOn       string
	EndReason     string
	Name          string
	Phone         string
	Duties        string
	SignNumber    string
	AssignedBy    int64
	AssignedAt    time.Time
	EndedBy       int64
	EndedAt       *time.Time
}

func (postingRow) TableName() string { return "assignment_postings" }

func postingFromDomain(assignmentID int64, p domain.Posting) postingRow {
	return postingRow{ID: p.ID, AssignmentID: assignmentID, InspectorID: p.InspectorID, InspectorCode: p.InspectorCode, UserID: p.UserID,
		FromOn: string(p.From), UntilOn: string(p.Until), EndReason: p.EndReason, Name: p.Name, Phone: p.Phone, Duties: p.Duties,
		SignNumber: p.SignNumber, AssignedBy: p.AssignedBy, AssignedAt: p.AssignedAt.UTC(), EndedBy: p.EndedBy, EndedAt: utcPtr(p.EndedAt)}
}

func (r postingRow) toDomain() domain.Posting {
	return domain.Posting{ID: r.ID, InspectorID: r.InspectorID, InspectorCode: r.InspectorCode, UserID: r.UserID, From: domain.Date(r.FromOn),
		Until: domain.Date(r.UntilOn), EndReason: r.EndReason, Name: r.Name, Phone: r.Phone, Duties: r.Duties, SignNumber: r.SignNumber,
		AssignedBy: r.AssignedBy, AssignedAt: r.AssignedAt, EndedBy: r.EndedBy, EndedAt: r.EndedAt}
}

// CreateAssignment inserts a school's record with its postings. A second record for the school is
// ECONFLICT.
func (db *DB) CreateAssignment(ctx context.Context, a *domain.Assignment) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	now := time.Now().UTC()
	row := assignmentRow{OfficeOrgID: a.Office.ID, OfficePath: string(a.Office.Path), SchoolOrgID: a.School.ID, SchoolPath: string(a.School.Path),
		Version: a.Version, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: now}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		if domain.ErrorCode(translate(err, "", "")) == domain.ECONFLICT {
			return &domain.Error{Code: domain.ECONFLICT, Message: a.School.Name + "已有责任督学挂牌记录，请在该记录上指定或更换责任督学。", Err: err}
		}
		return translate(err, "挂牌记录", "create assignment")
	}
	a.ID = row.ID
	return db.savePostings(ctx, a)
}

// savePostings inserts the new postings and rewrites the others (a school has a handful).
func (db *DB) savePostings(ctx context.Context, a *domain.Assignment) error {
	conn := db.conn(ctx)
	for k := range a.Postings {
		p := &a.Postings[k]
		row := postingFromDomain(a.ID, *p)
		if p.ID == 0 {
			if err := conn.Create(&row).Error; err != nil {
				return translate(err, "挂牌", "insert posting")
			}
			p.ID = row.ID
			continue
		}
		err := conn.Model(&postingRow{}).Where("id = ? AND assignment_id = ?", p.ID, a.ID).
			Select("until_on", "end_reason", "phone", "duties", "sign_number", "ended_by", "ended_at").Updates(&row).Error
		if err != nil {
			return translate(err, "挂牌", "update posting")
		}
	}
	return nil
}

// GetAssignment loads one record with its postings.
func (db *DB) GetAssignment(ctx context.Context, id int64) (*domain.Assignment, error) {
	var row assignmentRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "挂牌记录", "get assignment")
	}
	list, err := db.fillAssignments(ctx, []assignmentRow{row})
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// SaveAssignment writes the record if its stored version is still expectedVersion, and its postings.
func (db *DB) SaveAssignment(ctx context.Context, a *domain.Assignment, expectedVersion int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	res := db.conn(ctx).Model(&assignmentRow{}).Where("id = ? AND version = ?", a.ID, expectedVersion).
		Updates(map[string]any{"version": a.Version, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return translate(res.Error, "挂牌记录", "save assignment")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", a.Label())
	}
	return db.savePostings(ctx, a)
}

// ListAssignments lists the records of the schools under scopes by school path, with their postings.
func (db *DB) ListAssignments(ctx context.Context, scopes []domain.Jurisdiction) ([]domain.Assignment, error) {
	w, args := db.scopeWhere("school_path", scopes)
	var rows []assignmentRow
	if err := db.conn(ctx).Where(w, args...).Order(db.byteOrder("school_path")).Find(&rows).Error; err != nil {
		return nil, translate(err, "挂牌记录", "list assignments")
	}
	return db.fillAssignments(ctx, rows)
}

func (db *DB) fillAssignments(ctx context.Context, rows []assignmentRow) ([]domain.Assignment, error) {
	if len(rows) == 0 {
		return []domain.Assignment{}, nil
	}
	ids := make([]int64, len(rows))
	var orgIDs []int64
	for k, r := range rows {
		ids[k] = r.ID
		orgIDs = append(orgIDs, r.OfficeOrgID, r.SchoolOrgID)
	}
	var postings []postingRow
	if err := db.conn(ctx).Where("assignment_id IN ?", ids).Order("assignment_id, id").Find(&postings).Error; err != nil {
		return nil, translate(err, "挂牌", "load postings")
	}
	orgs, err := db.accOrgs(ctx, orgIDs...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Assignment, len(rows))
	at := make(map[int64]*domain.Assignment, len(rows))
	for k, r := range rows {
		out[k] = domain.Assignment{ID: r.ID, Office: orgs[r.OfficeOrgID], School: orgs[r.SchoolOrgID], Version: r.Version,
			CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
		at[r.ID] = &out[k]
	}
	for _, p := range postings {
		a := at[p.AssignmentID]
		a.Postings = append(a.Postings, p.toDomain())
	}
	return out, nil
}

// PostingLoads counts, per inspector, the postings in force on d.
func (db *DB) PostingLoads(ctx context.Context, inspectorIDs []int64, d domain.Date) (map[int64]int, error) {
	out := map[int64]int{}
	ids := uniqueIDs(inspectorIDs)
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		InspectorID int64
		N           int
	}
	err := db.conn(ctx).Model(&postingRow{}).Select("inspector_id, COUNT(*) AS n").
		Where("inspector_id IN ? AND from_on <= ? AND (until_on = '' OR until_on >= ?)", ids, string(d), string(d)).
		Group("inspector_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "挂牌", "count postings")
	}
	for _, r := range rows {
		out[r.InspectorID] = r.N
	}
	return out, nil
}
