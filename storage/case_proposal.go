package storage

import (
	"context"
	"time"

	"dudao/domain"
)

// The 评估监测 cases proposed by indicators behind their trajectory.

type caseProposalRow struct {
	ID            int64
	ProposalKey   string
	IndicatorCode string
	IndicatorName string
	Unit          string
	Year          int
	Value         float64
	Expected      float64
	Target        float64
	Title         string
	Facts         string
	OwnerOrgID    int64
	OwnerPath     string
	TargetOrgID   int64
	TargetPath    string
	Status        string
	Version       int
	CaseID        *int64
	ProposedAt    time.Time
	DecidedBy     int64
	DecidedAt     *time.Time
	Reason        string
}

func (caseProposalRow) TableName() string { return "case_proposals" }

func proposalFromDomain(p *domain.CaseProposal) caseProposalRow {
	return caseProposalRow{ID: p.ID, ProposalKey: p.Key, IndicatorCode: p.IndicatorCode, IndicatorName: p.IndicatorName, Unit: p.Unit,
		Year: p.Year, Value: p.Value, Expected: p.Expected, Target: p.Target, Title: p.Title, Facts: p.Facts, OwnerOrgID: p.OwnerOrg.ID,
		OwnerPath: string(p.OwnerOrg.Path), TargetOrgID: p.TargetOrg.ID, TargetPath: string(p.TargetOrg.Path), Status: string(p.Status),
		Version: p.Version, CaseID: p.CaseID, ProposedAt: p.ProposedAt.UTC(), DecidedBy: p.DecidedBy, DecidedAt: utcPtr(p.DecidedAt), Reason: p.Reason}
}

func (db *DB) proposalsOf(ctx context.Context, rows []caseProposalRow) ([]domain.CaseProposal, error) {
	var orgIDs, caseIDs []int64
	for _, r := range rows {
		orgIDs = append(orgIDs, r.OwnerOrgID, r.TargetOrgID)
		if r.CaseID != nil {
			caseIDs = append(caseIDs, *r.CaseID)
		}
	}
	orgs, err := db.accOrgs(ctx, orgIDs...)
	if err != nil {
		return nil, err
	}
	numbers, err := db.accCaseNumbers(ctx, caseIDs)
	if err != nil {
		return nil, err
	}
	out := make([]domain.CaseProposal, len(rows))
	for i, r := range rows {
		out[i] = domain.CaseProposal{ID: r.ID, Key: r.ProposalKey, IndicatorCode: r.IndicatorCode, IndicatorName: r.IndicatorName, Unit: r.Unit,
			Year: r.Year, Value: r.Value, Expected: r.Expected, Target: r.Target, Title: r.Title, Facts: r.Facts, OwnerOrg: orgs[r.OwnerOrgID],
			TargetOrg: orgs[r.TargetOrgID], Status: domain.ProposalStatus(r.Status), Version: r.Version, CaseID: r.CaseID,
			ProposedAt: r.ProposedAt, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, Reason: r.Reason}
		if r.CaseID != nil {
			out[i].CaseNumber = numbers[*r.CaseID]
		}
	}
	return out, nil
}

// CreateCaseProposal inserts a proposal; a second with the same key is ECONFLICT.
func (db *DB) CreateCaseProposal(ctx context.Context, p *domain.CaseProposal) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := proposalFromDomain(p)
	row.ID = 0
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "立案建议", "create case proposal")
	}
	p.ID = row.ID
	return nil
}

// GetCaseProposal reads one.
func (db *DB) GetCaseProposal(ctx context.Context, id int64) (*domain.CaseProposal, error) {
	var row caseProposalRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "立案建议", "get case proposal")
	}
	out, err := db.proposalsOf(ctx, []caseProposalRow{row})
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// SaveCaseProposal writes a decision if the stored version is still expected.
func (db *DB) SaveCaseProposal(ctx context.Context, p *domain.CaseProposal, expected int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := proposalFromDomain(p)
	res := db.conn(ctx).Model(&caseProposalRow{}).Where("id = ? AND version = ?", p.ID, expected).
		Select("status", "version", "case_id", "decided_by", "decided_at", "reason").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "立案建议", "save case proposal")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人处理，请刷新后重试。", p.Label())
	}
	return nil
}

// ListCaseProposals reads one page in scope, newest first.
func (db *DB) ListCaseProposals(ctx context.Context, f domain.CaseProposalFilter) ([]domain.CaseProposal, int, error) {
	// The office that keeps a record always lies above its unit, so the unit's path says it all.
	tw, targs := db.monScope("target_path", f.Scopes)
	q := db.conn(ctx).Model(&caseProposalRow{}).Where(tw, targs...)
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "立案建议", "count case proposals")
	}
	per, page := f.PerPage, max(f.Page, 1)
	if per <= 0 {
		per = 20
	}
	var rows []caseProposalRow
	if err := q.Order("id DESC").Limit(per).Offset((page - 1) * per).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "立案建议", "list case proposals")
	}
	out, err := db.proposalsOf(ctx, rows)
	return out, int(total), err
}

// CaseProposalKeys reports which keys are taken, in one query.
func (db *DB) CaseProposalKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(keys); start += 500 {
		var got []string
		if err := db.conn(ctx).Model(&caseProposalRow{}).Where("proposal_key IN ?", keys[start:min(start+500, len(keys))]).
			Pluck("proposal_key", &got).Error; err != nil {
			return nil, translate(err, "立案建议", "find case proposal keys")
		}
		for _, k := range got {
			out[k] = true
		}
	}
	return out, nil
}

var _ domain.CaseProposalRepo = (*DB)(nil)
