package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"dudao/domain"
)

// The 双随机 draws. A draw keeps its frozen candidate lists, its witnesses and its result as JSON in
// its own row, in the shapes below (the stored format: change it only with a migration), so that a
// replay reads nothing else: not the live orgs, not the users. The owner's path is frozen too (it is
// part of the snapshot); only the owner's name is read from the orgs, for display.

type drawRow struct {
	ID           int64
	OwnerOrgID   int64
	OwnerPath    string
	Title        string
	Status       string
	Version      int
	Scope        string
	Year         int
	CaseType     string
	CaseKind     string
	Filters      string
	N            int
	K            int
	DefaultCap   int
	Targets      string
	Inspectors   string
	CreatedBy    int64
	CreatedAt    time.Time
	Commitment   string
	Witnesses    string
	ClosedBy     int64
	ClosedAt     *time.Time
	Seed         string
	Result       *string
	CompletedAt  *time.Time
	CancelReason string
	CancelledBy  int64
	CancelledAt  *time.Time
	UpdatedAt    time.Time
}

func (drawRow) TableName() string { return "draws" }

type drawCaseRow struct {
	DrawID      int64 `gorm:"primaryKey"`
	TargetOrgID int64 `gorm:"primaryKey"`
	CaseID      int64
}

func (drawCaseRow) TableName() string { return "draw_cases" }

type drawTargetJSON struct {
	OrgID int64  `json:"org_id"`
	Code  string `json:"code"`
	Name  string `json:"name"`
	Path  string `json:"path"`
}

type drawInspectorJSON struct {
	UserID    int64    `json:"user_id"`
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	OrgPath   string   `json:"org_path"`
	Load      int      `json:"load"`
	Cap       int      `json:"cap"`
	Conflicts []string `json:"conflicts"`
}

type drawWitnessJSON struct {
	Seq         int        `json:"seq"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	Commitment  string     `json:"commitment"`
	CommittedBy int64      `json:"committed_by"`
	CommittedAt time.Time  `json:"committed_at"`
	Value       string     `json:"value"`
	RevealedBy  int64      `json:"revealed_by"`
	RevealedAt  *time.Time `json:"revealed_at"`
}

type drawPickJSON struct {
	UserID int64  `json:"user_id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	MAC    string `json:"mac"`
}

type drawAssignmentJSON struct {
	Rank       int            `json:"rank"`
	Target     drawTargetJSON `json:"target"`
	MAC        string         `json:"mac"`
	Inspectors []drawPickJSON `json:"inspectors"`
}

type drawSkipJSON struct {
	Rank       int            `json:"rank"`
	Target     drawTargetJSON `json:"target"`
	MAC        string         `json:"mac"`
	Eligible   int            `json:"eligible"`
	Conflicted int            `json:"conflicted"`
	AtCap      int            `json:"at_cap"`
	Reason     string         `json:"reason"`
}

type drawResultJSON struct {
	Assignments []drawAssignmentJSON `json:"assignments"`
	Skipped     []drawSkipJSON       `json:"skipped"`
}

func targetToJSON(t domain.DrawTarget) drawTargetJSON {
	return drawTargetJSON{OrgID: t.OrgID, Code: t.Code, Name: t.Name, Path: string(t.Path)}
}

func (t drawTargetJSON) toDomain() domain.DrawTarget {
	return domain.DrawTarget{OrgID: t.OrgID, Code: t.Code, Name: t.Name, Path: domain.Jurisdiction(t.Path)}
}

func drawFromDomain(d *domain.Draw) (drawRow, error) {
	targets := make([]drawTargetJSON, len(d.Targets))
	for k, t := range d.Targets {
		targets[k] = targetToJSON(t)
	}
	inspectors := make([]drawInspectorJSON, len(d.Inspectors))
	for k, in := range d.Inspectors {
		cs := make([]string, len(in.Conflicts))
		for j, c := range in.Conflicts {
			cs[j] = string(c)
		}
		inspectors[k] = drawInspectorJSON{UserID: in.UserID, Code: in.Code, Name: in.Name, OrgPath: string(in.OrgPath), Load: in.Load, Cap: in.Cap, Conflicts: cs}
	}
	witnesses := make([]drawWitnessJSON, len(d.Witnesses))
	for k, w := range d.Witnesses {
		witnesses[k] = drawWitnessJSON{Seq: w.Seq, Name: w.Name, Role: w.Role, Commitment: w.Commitment, CommittedBy: w.CommittedBy,
			CommittedAt: w.CommittedAt.UTC(), Value: w.Value, RevealedBy: w.RevealedBy, RevealedAt: utcPtr(w.RevealedAt)}
	}
	row := drawRow{ID: d.ID, OwnerOrgID: d.OwnerOrg.ID, OwnerPath: string(d.OwnerOrg.Path), Title: d.Title, Status: string(d.Status), Version: d.Version,
		Scope: string(d.Scope), Year: d.Year, CaseType: string(d.CaseType), CaseKind: string(d.CaseKind), Filters: d.Filters, N: d.N, K: d.K,
		DefaultCap: d.DefaultCap, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(), Commitment: d.Commitment, ClosedBy: d.ClosedBy,
		ClosedAt: utcPtr(d.ClosedAt), Seed: d.Seed, CompletedAt: utcPtr(d.CompletedAt), CancelReason: d.CancelReason, CancelledBy: d.CancelledBy,
		CancelledAt: utcPtr(d.CancelledAt), UpdatedAt: time.Now().UTC()}
	var err error
	if row.Targets, err = jsonText(targets); err != nil {
		return row, err
	}
	if row.Inspectors, err = jsonText(inspectors); err != nil {
		return row, err
	}
	if row.Witnesses, err = jsonText(witnesses); err != nil {
		return row, err
	}
	if d.Result != nil {
		res := drawResultJSON{Assignments: []drawAssignmentJSON{}, Skipped: []drawSkipJSON{}}
		for _, a := range d.Result.Assignments {
			picks := make([]drawPickJSON, len(a.Inspectors))
			for j, p := range a.Inspectors {
				picks[j] = drawPickJSON{UserID: p.UserID, Code: p.Code, Name: p.Name, MAC: p.MAC}
			}
			res.Assignments = append(res.Assignments, drawAssignmentJSON{Rank: a.Rank, Target: targetToJSON(a.Target), MAC: a.MAC, Inspectors: picks})
		}
		for _, s := range d.Result.Skipped {
			res.Skipped = append(res.Skipped, drawSkipJSON{Rank: s.Rank, Target: targetToJSON(s.Target), MAC: s.MAC, Eligible: s.Eligible,
				Conflicted: s.Conflicted, AtCap: s.AtCap, Reason: s.Reason})
		}
		text, err := jsonText(res)
		if err != nil {
			return row, err
		}
		row.Result = &text
	}
	return row, nil
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("storage: encode draw: %w", err)
	}
	return string(b), nil
}

func (r drawRow) toDomain(owner domain.Org) (domain.Draw, error) {
	owner.Path = domain.Jurisdiction(r.OwnerPath) // frozen with the snapshot
	d := domain.Draw{ID: r.ID, OwnerOrg: owner, Title: r.Title, Status: domain.DrawStatus(r.Status), Version: r.Version,
		Scope: domain.Jurisdiction(r.Scope), Year: r.Year, CaseType: domain.CaseType(r.CaseType), CaseKind: domain.CaseKind(r.CaseKind),
		Filters: r.Filters, N: r.N, K: r.K, DefaultCap: r.DefaultCap, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.In(domain.CST),
		Commitment: r.Commitment, ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt, Seed: r.Seed, CompletedAt: r.CompletedAt,
		CancelReason: r.CancelReason, CancelledBy: r.CancelledBy, CancelledAt: r.CancelledAt}
	fail := func(what string, err error) (domain.Draw, error) {
		return domain.Draw{}, fmt.Errorf("storage: draw %d: decode %s: %w", r.ID, what, err)
	}
	var targets []drawTargetJSON
	if err := json.Unmarshal([]byte(r.Targets), &targets); err != nil {
		return fail("targets", err)
	}
	for _, t := range targets {
		d.Targets = append(d.Targets, t.toDomain())
	}
	var inspectors []drawInspectorJSON
	if err := json.Unmarshal([]byte(r.Inspectors), &inspectors); err != nil {
		return fail("inspectors", err)
	}
	for _, in := range inspectors {
		var cs []domain.Jurisdiction
		for _, c := range in.Conflicts {
			cs = append(cs, domain.Jurisdiction(c))
		}
		d.Inspectors = append(d.Inspectors, domain.DrawInspector{UserID: in.UserID, Code: in.Code, Name: in.Name, OrgPath: domain.Jurisdiction(in.OrgPath),
			Load: in.Load, Cap: in.Cap, Conflicts: cs})
	}
	var witnesses []drawWitnessJSON
	if err := json.Unmarshal([]byte(r.Witnesses), &witnesses); err != nil {
		return fail("witnesses", err)
	}
	for _, w := range witnesses {
		d.Witnesses = append(d.Witnesses, domain.DrawWitness{Seq: w.Seq, Name: w.Name, Role: w.Role, Commitment: w.Commitment,
			CommittedBy: w.CommittedBy, CommittedAt: w.CommittedAt, Value: w.Value, RevealedBy: w.RevealedBy, RevealedAt: w.RevealedAt})
	}
	if r.Result != nil {
		var res drawResultJSON
		if err := json.Unmarshal([]byte(*r.Result), &res); err != nil {
			return fail("result", err)
		}
		out := domain.DrawResult{Assignments: []domain.DrawAssignment{}, Skipped: []domain.DrawSkip{}}
		for _, a := range res.Assignments {
			picks := make([]domain.DrawPick, len(a.Inspectors))
			for j, p := range a.Inspectors {
				picks[j] = domain.DrawPick{UserID: p.UserID, Code: p.Code, Name: p.Name, MAC: p.MAC}
			}
			out.Assignments = append(out.Assignments, domain.DrawAssignment{Rank: a.Rank, Target: a.Target.toDomain(), MAC: a.MAC, Inspectors: picks})
		}
		for _, s := range res.Skipped {
			out.Skipped = append(out.Skipped, domain.DrawSkip{Rank: s.Rank, Target: s.Target.toDomain(), MAC: s.MAC, Eligible: s.Eligible,
				Conflicted: s.Conflicted, AtCap: s.AtCap, Reason: s.Reason})
		}
		d.Result = &out
	}
	return d, nil
}

// CreateDraw inserts a draw.
func (db *DB) CreateDraw(ctx context.Context, d *domain.Draw) error {
	row, err := drawFromDomain(d)
	if err != nil {
		return err
	}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "随机抽取", "create draw")
	}
	d.ID = row.ID
	return nil
}

// GetDraw loads one draw.
func (db *DB) GetDraw(ctx context.Context, id int64) (*domain.Draw, error) {
	var row drawRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "随机抽取", "get draw")
	}
	list, err := db.fillDraws(ctx, []drawRow{row})
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// SaveDraw writes what the steps change (the witnesses, the stamps, the seed and the result) if the
// stored version is still expectedVersion. The frozen snapshot is never rewritten.
func (db *DB) SaveDraw(ctx context.Context, d *domain.Draw, expectedVersion int) error {
	row, err := drawFromDomain(d)
	if err != nil {
		return err
	}
	res := db.conn(ctx).Model(&drawRow{}).Where("id = ? AND version = ?", d.ID, expectedVersion).
		Select("status", "version", "witnesses", "closed_by", "closed_at", "seed", "result", "completed_at", "cancel_reason",
			"cancelled_by", "cancelled_at", "updated_at").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "随机抽取", "save draw")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", d.Label())
	}
	return nil
}

// ListDraws lists the draws of the offices under the filter's scopes, newest first (the index
// draws_owner_path), with the total.
func (db *DB) ListDraws(ctx context.Context, f domain.DrawFilter) ([]domain.Draw, int, error) {
	w, args := db.scopeWhere("owner_path", f.Scopes)
	q := db.conn(ctx).Model(&drawRow{}).Where(w, args...)
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "随机抽取", "count draws")
	}
	per := f.PerPage
	if per <= 0 {
		per = 20
	}
	var rows []drawRow
	if err := q.Order("created_at DESC, id DESC").Limit(per).Offset((max(f.Page, 1) - 1) * per).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "随机抽取", "list draws")
	}
	out, err := db.fillDraws(ctx, rows)
	return out, int(total), err
}

func (db *DB) fillDraws(ctx context.Context, rows []drawRow) ([]domain.Draw, error) {
	ids := make([]int64, len(rows))
	for k, r := range rows {
		ids[k] = r.OwnerOrgID
	}
	orgs, err := db.accOrgs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Draw, len(rows))
	for k, r := range rows {
		if out[k], err = r.toDomain(orgs[r.OwnerOrgID]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AddDrawCases records the cases a completed draw opened, by target org.
func (db *DB) AddDrawCases(ctx context.Context, drawID int64, caseByTarget map[int64]int64) error {
	if len(caseByTarget) == 0 {
		return nil
	}
	rows := make([]drawCaseRow, 0, len(caseByTarget))
	for t, c := range caseByTarget {
		rows = append(rows, drawCaseRow{DrawID: drawID, TargetOrgID: t, CaseID: c})
	}
	return translate(db.conn(ctx).Create(&rows).Error, "抽取案件", "add draw cases")
}

// DrawCases are the cases a draw opened, by target org.
func (db *DB) DrawCases(ctx context.Context, drawID int64) (map[int64]int64, error) {
	var rows []drawCaseRow
	if err := db.conn(ctx).Where("draw_id = ?", drawID).Find(&rows).Error; err != nil {
		return nil, translate(err, "抽取案件", "get draw cases")
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.TargetOrgID] = r.CaseID
	}
	return out, nil
}
