package storage

import (
	"context"
	"time"

	"dudao/domain"
)

type accountabilityRow struct {
	ID                int64
	TargetType        string
	TargetOrgID       int64
	TargetPath        string
	PersonName        string
	PersonTitle       string
	OwnerOrgID        *int64
	OwnerPath         string
	CaseID            *int64
	FindingID         *int64
	Trigger           string
	Cause             string
	Facts             string
	Status            string
	Form              string
	ProposedBy        int64
	ProposedAt        time.Time
	NoticeText        string
	NoticedBy         int64
	NoticedAt         *time.Time
	StatementDeadline *time.Time
	StatementText     string
	StatementBy       int64
	StatementAt       *time.Time
	Situation         string
	DecisionFacts     string
	LegalBasis        string
	DecidedBy         int64
	DecidedAt         *time.Time
	EffectiveOn       string
	PublishedBy       int64
	PublishedAt       *time.Time
	DropReason        string
	DroppedBy         int64
	DroppedAt         *time.Time
	OpenKey           *string
	AutoKey           *string
	Version           int
	UpdatedAt         time.Time
}

func (accountabilityRow) TableName() string { return "accountabilities" }

func accNullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func accFromDomain(a *domain.Accountability) accountabilityRow {
	var owner *int64
	if a.OwnerOrg.ID != 0 {
		id := a.OwnerOrg.ID
		owner = &id
	}
	return accountabilityRow{
		ID: a.ID, TargetType: string(a.TargetType), TargetOrgID: a.TargetOrg.ID, TargetPath: string(a.TargetOrg.Path),
		PersonName: a.PersonName, PersonTitle: a.PersonTitle, OwnerOrgID: owner, OwnerPath: string(a.OwnerOrg.Path),
		CaseID: a.CaseID, FindingID: a.FindingID, Trigger: string(a.Trigger), Cause: string(a.Cause), Facts: a.Facts,
		Status: string(a.Status), Form: a.Form, ProposedBy: a.ProposedBy, ProposedAt: a.ProposedAt.UTC(),
		NoticeText: a.NoticeText, NoticedBy: a.NoticedBy, NoticedAt: utcPtr(a.NoticedAt), StatementDeadline: utcPtr(a.StatementDeadline),
		StatementText: a.StatementText, StatementBy: a.StatementBy, StatementAt: utcPtr(a.StatementAt),
		Situation: a.Situation, DecisionFacts: a.DecisionFacts, LegalBasis: a.LegalBasis, DecidedBy: a.DecidedBy,
		DecidedAt: utcPtr(a.DecidedAt), EffectiveOn: string(a.EffectiveOn), PublishedBy: a.PublishedBy, PublishedAt: utcPtr(a.PublishedAt),
		DropReason: a.DropReason, DroppedBy: a.DroppedBy, DroppedAt: utcPtr(a.DroppedAt),
		OpenKey: accNullable(a.OpenKey()), AutoKey: accNullable(a.AutoKey), Version: a.Version,
	}
}

func (r accountabilityRow) toDomain(orgs map[int64]domain.Org) domain.Accountability {
	a := domain.Accountability{
		ID: r.ID, TargetType: domain.TargetType(r.TargetType), TargetOrg: orgs[r.TargetOrgID], PersonName: r.PersonName,
		PersonTitle: r.PersonTitle, CaseID: r.CaseID, FindingID: r.FindingID, Trigger: domain.Trigger(r.Trigger),
		Cause: domain.Cause(r.Cause), Facts: r.Facts, Status: domain.AccStatus(r.Status), Form: r.Form, Version: r.Version,
		ProposedBy: r.ProposedBy, ProposedAt: r.ProposedAt, NoticeText: r.NoticeText, NoticedBy: r.NoticedBy, NoticedAt: r.NoticedAt,
		StatementDeadline: r.StatementDeadline, StatementText: r.StatementText, StatementBy: r.StatementBy, StatementAt: r.StatementAt,
		Situation: r.Situation, DecisionFacts: r.DecisionFacts, LegalBasis: r.LegalBasis, EffectiveOn: domain.Date(r.EffectiveOn),
		DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt,
		DropReason: r.DropReason, DroppedBy: r.DroppedBy, DroppedAt: r.DroppedAt,
	}
	if r.OwnerOrgID != nil {
		a.OwnerOrg = orgs[*r.OwnerOrgID]
	}
	if r.AutoKey != nil {
		a.AutoKey = *r.AutoKey
	}
	return a
}

type interviewRow struct {
	ID               int64
	AccountabilityID int64
	HeldOn           string
	Attendees        string
	Minutes          string
	RecordedBy       int64
	RecordedAt       time.Time
}

func (interviewRow) TableName() string { return "accountability_interviews" }

type incentiveRow struct {
	ID          int64
	TargetOrgID int64
	TargetPath  string
	OwnerOrgID  *int64
	OwnerPath   string
	Kind        string
	CaseID      *int64
	Reason      string
	Status      string
	ProposedBy  int64
	ProposedAt  time.Time
	Decision    string
	DecidedBy   int64
	DecidedAt   *time.Time
	PublishedBy int64
	PublishedAt *time.Time
	DropReason  string
	DroppedBy   int64
	DroppedAt   *time.Time
	Version     int
	UpdatedAt   time.Time
}

func (incentiveRow) TableName() string { return "incentives" }

func incFromDomain(i *domain.Incentive) incentiveRow {
	var owner *int64
	if i.OwnerOrg.ID != 0 {
		id := i.OwnerOrg.ID
		owner = &id
	}
	return incentiveRow{ID: i.ID, TargetOrgID: i.TargetOrg.ID, TargetPath: string(i.TargetOrg.Path), OwnerOrgID: owner,
		OwnerPath: string(i.OwnerOrg.Path), Kind: string(i.Kind), CaseID: i.CaseID, Reason: i.Reason, Status: string(i.Status),
		ProposedBy: i.ProposedBy, ProposedAt: i.ProposedAt.UTC(), Decision: i.Decision, DecidedBy: i.DecidedBy,
		DecidedAt: utcPtr(i.DecidedAt), PublishedBy: i.PublishedBy, PublishedAt: utcPtr(i.PublishedAt),
		DropReason: i.DropReason, DroppedBy: i.DroppedBy, DroppedAt: utcPtr(i.DroppedAt), Version: i.Version}
}

func (r incentiveRow) toDomain(orgs map[int64]domain.Org) domain.Incentive {
	i := domain.Incentive{ID: r.ID, TargetOrg: orgs[r.TargetOrgID], Kind: domain.IncKind(r.Kind), CaseID: r.CaseID,
		Reason: r.Reason, Status: domain.IncStatus(r.Status), Version: r.Version, ProposedBy: r.ProposedBy, ProposedAt: r.ProposedAt,
		Decision: r.Decision, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt,
		DropReason: r.DropReason, DroppedBy: r.DroppedBy, DroppedAt: r.DroppedAt}
	if r.OwnerOrgID != nil {
		i.OwnerOrg = orgs[*r.OwnerOrgID]
	}
	return i
}

// orgsByID loads the orgs with the given ids (zeros and repeats ignored).
func (db *DB) accOrgs(ctx context.Context, ids ...int64) (map[int64]domain.Org, error) {
	seen := map[int64]bool{}
	var list []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			list = append(list, id)
		}
	}
	out := map[int64]domain.Org{}
	if len(list) == 0 {
		return out, nil
	}
	var rows []orgRow
	if err := db.conn(ctx).Where("id IN ?", list).Find(&rows).Error; err != nil {
		return nil, translate(err, "机构", "load orgs")
	}
	for _, r := range rows {
		out[r.ID] = r.toDomain()
	}
	return out, nil
}

// caseNumbers maps case ids to their numbers.
func (db *DB) accCaseNumbers(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID     int64
		Number string
	}
	if err := db.conn(ctx).Table("cases").Select("id, number").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, translate(err, "案件", "load case numbers")
	}
	for _, r := range rows {
		out[r.ID] = r.Number
	}
	return out, nil
}

// CreateAccountability inserts a record with its interviews.
func (db *DB) CreateAccountability(ctx context.Context, a *domain.Accountability) error {
	return db.WithinTx(ctx, func(ctx context.Context) error {
		row := accFromDomain(a)
		row.UpdatedAt = time.Now().UTC()
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			if domain.ErrorCode(translate(err, "", "")) == domain.ECONFLICT {
				return &domain.Error{Code: domain.ECONFLICT, Message: "该案件（问题）已有同一情形、同一对象的问责建议在办理中。", Err: err}
			}
			return translate(err, "问责记录", "create accountability")
		}
		a.ID = row.ID
		return db.saveInterviews(ctx, a)
	})
}

func (db *DB) saveInterviews(ctx context.Context, a *domain.Accountability) error {
	for i := range a.Interviews {
		iv := &a.Interviews[i]
		iv.AccountabilityID = a.ID
		if iv.ID != 0 {
			continue
		}
		row := interviewRow{AccountabilityID: a.ID, HeldOn: string(iv.HeldOn), Attendees: iv.Attendees, Minutes: iv.Minutes,
			RecordedBy: iv.RecordedBy, RecordedAt: iv.RecordedAt.UTC()}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			return translate(err, "约谈记录", "insert interview")
		}
		iv.ID = row.ID
	}
	return nil
}

// GetAccountability loads one record with its orgs, case number and interviews.
func (db *DB) GetAccountability(ctx context.Context, id int64) (*domain.Accountability, error) {
	var row accountabilityRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "问责记录", "get accountability")
	}
	list, err := db.fillAccountability(ctx, []accountabilityRow{row})
	if err != nil {
		return nil, err
	}
	a := &list[0]
	var ivs []interviewRow
	if err := db.conn(ctx).Where("accountability_id = ?", id).Order("id").Find(&ivs).Error; err != nil {
		return nil, translate(err, "约谈记录", "get interviews")
	}
	for _, r := range ivs {
		a.Interviews = append(a.Interviews, domain.Interview{ID: r.ID, AccountabilityID: r.AccountabilityID, HeldOn: domain.Date(r.HeldOn),
			Attendees: r.Attendees, Minutes: r.Minutes, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt})
	}
	return a, nil
}

func (db *DB) fillAccountability(ctx context.Context, rows []accountabilityRow) ([]domain.Accountability, error) {
	var orgIDs, caseIDs []int64
	for _, r := range rows {
		orgIDs = append(orgIDs, r.TargetOrgID)
		if r.OwnerOrgID != nil {
			orgIDs = append(orgIDs, *r.OwnerOrgID)
		}
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
	out := make([]domain.Accountability, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(orgs)
		if r.CaseID != nil {
			out[i].CaseNumber = numbers[*r.CaseID]
		}
	}
	return out, nil
}

// SaveAccountability writes the record if its stored version is still expectedVersion, and its new
// interviews. A lost race is ECONFLICT.
func (db *DB) SaveAccountability(ctx context.Context, a *domain.Accountability, expectedVersion int) error {
	return db.WithinTx(ctx, func(ctx context.Context) error {
		row := accFromDomain(a)
		row.UpdatedAt = time.Now().UTC()
		res := db.conn(ctx).Model(&accountabilityRow{}).Where("id = ? AND version = ?", a.ID, expectedVersion).
			Select("trigger", "facts", "status", "form", "notice_text", "noticed_by", "noticed_at", "statement_deadline",
				"statement_text", "statement_by", "statement_at", "situation", "decision_facts", "legal_basis", "decided_by",
				"decided_at", "effective_on", "published_by", "published_at", "drop_reason", "dropped_by", "dropped_at",
				"open_key", "version", "updated_at").
			Updates(&row)
		if res.Error != nil {
			return translate(res.Error, "问责记录", "save accountability")
		}
		if res.RowsAffected == 0 {
			return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", a.Label())
		}
		return db.saveInterviews(ctx, a)
	})
}

// ListAccountability returns one page of records in scope, newest first.
func (db *DB) ListAccountability(ctx context.Context, f domain.AccountabilityFilter) ([]domain.Accountability, int, error) {
	tw, targs := scopeWhere("a.target_path", f.Scopes)
	ow, oargs := scopeWhere("a.owner_path", f.Scopes)
	q := db.conn(ctx).Table("accountabilities AS a").Where("("+tw+" OR "+ow+")", append(targs, oargs...)...)
	if f.Status != "" {
		q = q.Where("a.status = ?", string(f.Status))
	}
	if f.TargetOrgID != 0 {
		q = q.Where("a.target_org_id = ?", f.TargetOrgID)
	}
	if f.CaseID != 0 {
		q = q.Where("a.case_id = ?", f.CaseID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "问责记录", "count accountability")
	}
	per, page := accPageOf(f.PerPage, f.Page)
	var rows []accountabilityRow
	if err := q.Select("a.*").Order("a.proposed_at DESC, a.id DESC").Limit(per).Offset((page - 1) * per).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "问责记录", "list accountability")
	}
	out, err := db.fillAccountability(ctx, rows)
	return out, int(total), err
}

func accPageOf(perPage, page int) (int, int) {
	if perPage <= 0 {
		perPage = 20
	}
	return perPage, max(page, 1)
}

// AccountabilityFacts counts, per org, the decided 问责 of the 12 months before now, and whether a
// decided one is about a case that still has findings to rectify (R54).
func (db *DB) AccountabilityFacts(ctx context.Context, orgIDs []int64, now time.Time) (map[int64]domain.AccFacts, error) {
	out := map[int64]domain.AccFacts{}
	if len(orgIDs) == 0 {
		return out, nil
	}
	since := now.In(domain.CST).AddDate(0, -domain.AggravatingYear, 0).UTC()
	var counts []struct {
		TargetOrgID int64
		N           int
	}
	err := db.conn(ctx).Table("accountabilities").Select("target_org_id, COUNT(*) AS n").
		Where("target_org_id IN ? AND status IN ('decided', 'published') AND decided_at >= ? AND decided_at <= ?", orgIDs, since, now.UTC()).
		Group("target_org_id").Scan(&counts).Error
	if err != nil {
		return nil, translate(err, "问责记录", "count decided accountability")
	}
	for _, c := range counts {
		f := out[c.TargetOrgID]
		f.DecidedInYear = c.N
		out[c.TargetOrgID] = f
	}
	var unrectified []int64
	err = db.conn(ctx).Table("accountabilities AS a").Distinct("a.target_org_id").
		Where("a.target_org_id IN ? AND a.status IN ('decided', 'published') AND a.case_id IS NOT NULL", orgIDs).
		Where("EXISTS (SELECT 1 FROM findings f WHERE f.case_id = a.case_id AND f.status IN ('open', 'failed'))").
		Pluck("a.target_org_id", &unrectified).Error
	if err != nil {
		return nil, translate(err, "问责记录", "find unrectified after accountability")
	}
	for _, id := range unrectified {
		f := out[id]
		f.UnrectifiedAfter = true
		out[id] = f
	}
	return out, nil
}

// AccountabilityKeyTaken reports whether a record has autoKey, or an open one openKey ("" skips a key).
func (db *DB) AccountabilityKeyTaken(ctx context.Context, autoKey, openKey string) (bool, error) {
	if autoKey == "" && openKey == "" {
		return false, nil
	}
	var n int64
	err := db.conn(ctx).Model(&accountabilityRow{}).Where("auto_key = ? OR open_key = ?", accNullable(autoKey), accNullable(openKey)).Count(&n).Error
	if err != nil {
		return false, translate(err, "问责记录", "check accountability keys")
	}
	return n > 0, nil
}

// UndecidedAccountability lists the proposed or noticed records proposed before the given time.
func (db *DB) UndecidedAccountability(ctx context.Context, proposedBefore time.Time) ([]domain.Accountability, error) {
	var rows []accountabilityRow
	if err := db.conn(ctx).Where("status IN ('proposed', 'noticed') AND proposed_at < ?", proposedBefore.UTC()).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "问责记录", "list undecided accountability")
	}
	return db.fillAccountability(ctx, rows)
}

// CreateIncentive inserts an incentive.
func (db *DB) CreateIncentive(ctx context.Context, i *domain.Incentive) error {
	row := incFromDomain(i)
	row.UpdatedAt = time.Now().UTC()
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "激励记录", "create incentive")
	}
	i.ID = row.ID
	return nil
}

// GetIncentive loads one incentive.
func (db *DB) GetIncentive(ctx context.Context, id int64) (*domain.Incentive, error) {
	var row incentiveRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "激励记录", "get incentive")
	}
	list, err := db.fillIncentives(ctx, []incentiveRow{row})
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

func (db *DB) fillIncentives(ctx context.Context, rows []incentiveRow) ([]domain.Incentive, error) {
	var orgIDs, caseIDs []int64
	for _, r := range rows {
		orgIDs = append(orgIDs, r.TargetOrgID)
		if r.OwnerOrgID != nil {
			orgIDs = append(orgIDs, *r.OwnerOrgID)
		}
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
	out := make([]domain.Incentive, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(orgs)
		if r.CaseID != nil {
			out[i].CaseNumber = numbers[*r.CaseID]
		}
	}
	return out, nil
}

// SaveIncentive writes the incentive if its stored version is still expectedVersion.
func (db *DB) SaveIncentive(ctx context.Context, i *domain.Incentive, expectedVersion int) error {
	row := incFromDomain(i)
	row.UpdatedAt = time.Now().UTC()
	res := db.conn(ctx).Model(&incentiveRow{}).Where("id = ? AND version = ?", i.ID, expectedVersion).
		Select("status", "decision", "decided_by", "decided_at", "published_by", "published_at", "drop_reason", "dropped_by",
			"dropped_at", "version", "updated_at").
		Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "激励记录", "save incentive")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", i.Label())
	}
	return nil
}

// ListIncentives returns one page of incentives in scope, newest first.
func (db *DB) ListIncentives(ctx context.Context, f domain.IncentiveFilter) ([]domain.Incentive, int, error) {
	tw, targs := scopeWhere("i.target_path", f.Scopes)
	ow, oargs := scopeWhere("i.owner_path", f.Scopes)
	q := db.conn(ctx).Table("incentives AS i").Where("("+tw+" OR "+ow+")", append(targs, oargs...)...)
	if f.Status != "" {
		q = q.Where("i.status = ?", string(f.Status))
	}
	if f.TargetOrgID != 0 {
		q = q.Where("i.target_org_id = ?", f.TargetOrgID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "激励记录", "count incentives")
	}
	per, page := accPageOf(f.PerPage, f.Page)
	var rows []incentiveRow
	if err := q.Select("i.*").Order("i.proposed_at DESC, i.id DESC").Limit(per).Offset((page - 1) * per).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "激励记录", "list incentives")
	}
	out, err := db.fillIncentives(ctx, rows)
	return out, int(total), err
}

var _ domain.AccountabilityRepo = (*DB)(nil)
