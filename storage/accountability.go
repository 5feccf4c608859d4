package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

// ProceedingCols (exported so that GORM flattens it into the rows that embed it) are the columns of every record that is proposed, then decided and published, or
// dropped (domain.Proceeding): 问责 and 激励.
type ProceedingCols struct {
	TargetOrgID int64
	TargetPath  string
	OwnerOrgID  *int64
	OwnerPath   string
	CaseID      *int64
	ProposedBy  int64
	ProposedAt  time.Time
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

// proceedingSaved are the columns a step may change.
var proceedingSaved = []string{"decided_by", "decided_at", "published_by", "published_at", "drop_reason", "dropped_by",
	"dropped_at", "version", "updated_at"}

func proceedingFromDomain(p domain.Proceeding) ProceedingCols {
	var owner *int64
	if p.OwnerOrg.ID != 0 {
		id := p.OwnerOrg.ID
		owner = &id
	}
	return ProceedingCols{TargetOrgID: p.TargetOrg.ID, TargetPath: string(p.TargetOrg.Path), OwnerOrgID: owner,
		OwnerPath: string(p.OwnerOrg.Path), CaseID: p.CaseID, ProposedBy: p.ProposedBy, ProposedAt: p.ProposedAt.UTC(),
		DecidedBy: p.DecidedBy, DecidedAt: utcPtr(p.DecidedAt), PublishedBy: p.PublishedBy, PublishedAt: utcPtr(p.PublishedAt),
		DropReason: p.DropReason, DroppedBy: p.DroppedBy, DroppedAt: utcPtr(p.DroppedAt), Version: p.Version,
		UpdatedAt: time.Now().UTC()}
}

func (r ProceedingCols) toDomain(orgs map[int64]domain.Org, numbers map[int64]string) domain.Proceeding {
	p := domain.Proceeding{TargetOrg: orgs[r.TargetOrgID], CaseID: r.CaseID, Version: r.Version, ProposedBy: r.ProposedBy,
		ProposedAt: r.ProposedAt, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, PublishedBy: r.PublishedBy,
		PublishedAt: r.PublishedAt, DropReason: r.DropReason, DroppedBy: r.DroppedBy, DroppedAt: r.DroppedAt}
	if r.OwnerOrgID != nil {
		p.OwnerOrg = orgs[*r.OwnerOrgID]
	}
	if r.CaseID != nil {
		p.CaseNumber = numbers[*r.CaseID]
	}
	return p
}

type accountabilityRow struct {
	ID int64
	ProceedingCols
	TargetType        string
	PersonName        string
	PersonTitle       string
	FindingID         *int64
	Trigger           string
	Cause             string
	Facts             string
	Status            string
	Form              string
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
	EffectiveOn       string
	OpenKey           *string
	AutoKey           *string
}

func (accountabilityRow) TableName() string { return "accountabilities" }

func accNullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func accFromDomain(a *domain.Accountability) accountabilityRow {
	return accountabilityRow{
		ID: a.ID, ProceedingCols: proceedingFromDomain(a.Proceeding), TargetType: string(a.TargetType),
		PersonName: a.PersonName, PersonTitle: a.PersonTitle, FindingID: a.FindingID, Trigger: string(a.Trigger),
		Cause: string(a.Cause), Facts: a.Facts, Status: string(a.Status), Form: a.Form,
		NoticeText: a.NoticeText, NoticedBy: a.NoticedBy, NoticedAt: utcPtr(a.NoticedAt), StatementDeadline: utcPtr(a.StatementDeadline),
		StatementText: a.StatementText, StatementBy: a.StatementBy, StatementAt: utcPtr(a.StatementAt),
		Situation: a.Situation, DecisionFacts: a.DecisionFacts, LegalBasis: a.LegalBasis, EffectiveOn: string(a.EffectiveOn),
		OpenKey: accNullable(a.OpenKey()), AutoKey: accNullable(a.AutoKey),
	}
}

func (r accountabilityRow) toDomain(orgs map[int64]domain.Org, numbers map[int64]string) domain.Accountability {
	a := domain.Accountability{
		ID: r.ID, Proceeding: r.ProceedingCols.toDomain(orgs, numbers), TargetType: domain.TargetType(r.TargetType),
		PersonName: r.PersonName, PersonTitle: r.PersonTitle, FindingID: r.FindingID, Trigger: domain.Trigger(r.Trigger),
		Cause: domain.Cause(r.Cause), Facts: r.Facts, Status: domain.AccStatus(r.Status), Form: r.Form,
		NoticeText: r.NoticeText, NoticedBy: r.NoticedBy, NoticedAt: r.NoticedAt,
		StatementDeadline: r.StatementDeadline, StatementText: r.StatementText, StatementBy: r.StatementBy, StatementAt: r.StatementAt,
		Situation: r.Situation, DecisionFacts: r.DecisionFacts, LegalBasis: r.LegalBasis, EffectiveOn: domain.Date(r.EffectiveOn),
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
	ID int64
	ProceedingCols
	Kind     string
	Reason   string
	Status   string
	Decision string
}

func (incentiveRow) TableName() string { return "incentives" }

func incFromDomain(i *domain.Incentive) incentiveRow {
	return incentiveRow{ID: i.ID, ProceedingCols: proceedingFromDomain(i.Proceeding), Kind: string(i.Kind), Reason: i.Reason,
		Status: string(i.Status), Decision: i.Decision}
}

func (r incentiveRow) toDomain(orgs map[int64]domain.Org, numbers map[int64]string) domain.Incentive {
	return domain.Incentive{ID: r.ID, Proceeding: r.ProceedingCols.toDomain(orgs, numbers), Kind: domain.IncKind(r.Kind),
		Reason: r.Reason, Status: domain.IncStatus(r.Status), Decision: r.Decision}
}

// proceedingRefs loads what the rows of a proceeding refer to: their orgs and their cases' numbers.
func (db *DB) proceedingRefs(ctx context.Context, rows []ProceedingCols) (map[int64]domain.Org, map[int64]string, error) {
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
		return nil, nil, err
	}
	numbers, err := db.accCaseNumbers(ctx, caseIDs)
	return orgs, numbers, err
}

// saveProceeding writes the row's columns (the shared ones and own) if the stored version is still
// expected; a lost race is ECONFLICT.
func (db *DB) saveProceeding(ctx context.Context, model, row any, id int64, expected int, what, label string, own ...string) error {
	res := db.conn(ctx).Model(model).Where("id = ? AND version = ?", id, expected).
		Select(append(own, proceedingSaved...)).Updates(row)
	if res.Error != nil {
		return translate(res.Error, what, "save "+what)
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", label)
	}
	return nil
}

// migrationProceedingsOrder orders 问责 and 激励 records newest first over the whole table, with each
// one's target path, so that a wide scope's page walks them in list order, checking the scope on the
// index alone, instead of sorting its scope (see listProceedings).
var migrationProceedingsOrder = migration{16, "问责 and 激励 records newest first", `
CREATE INDEX accountabilities_proposed ON accountabilities(proposed_at, id, target_path);
CREATE INDEX incentives_proposed ON incentives(proposed_at, id, target_path)
`}

// listProceedings reads one page of rows of table in scope, newest first, with the total.
//
// The total is counted on the scope's path range (SEARCH p USING COVERING INDEX …_target_path, ≈ 1 ms
// for the 20,000 records of a province's ten years). The page's ids are read one of two ways, whichever
// meets fewer index entries, and then its rows by id (SEARCH r USING INTEGER PRIMARY KEY (rowid=?),
// those few sorted again):
//   - the scope's path range, sorted: SEARCH p USING COVERING INDEX …_target_path (target_path>? AND
//     target_path<?), USE TEMP B-TREE FOR ORDER BY — it meets the whole scope (total entries), few for
//     a school, and a small scope's deep page costs no more than its first;
//   - the whole table newest first, the scope checked on the way: SCAN p USING COVERING INDEX
//     …_proposed (or, with a status, SEARCH p USING INDEX accountabilities_open (status=?), in the same
//     order), no sort, stopping at the page's end — it meets about (offset+per) × table/total entries,
//     the page itself for a wide scope.
//
// The table's size is its highest id (one index probe). With a condition the index cannot answer (a
// status, or the notice the inspected side waits for) the entries met are read from their rows. Sorting
// the scope's whole rows took ≈ 3 ms for a province's first page and 20 to 60 ms for its fiftieth, 10 to
// 20 ms for a city's fiftieth; now ≈ 1.3 ms each, most of it the count.
func (db *DB) listProceedings(ctx context.Context, table string, scopes []domain.Jurisdiction, status string, targetOrgID int64,
	perPage, page int, more func(q *gorm.DB) *gorm.DB, dest any) (int, error) {
	var total int64
	if err := db.proceedingsQuery(ctx, table, scopes, status, targetOrgID, more, false).Count(&total).Error; err != nil {
		return 0, translate(err, table, "count "+table)
	}
	per, pg := accPageOf(perPage, page)
	offset := (pg - 1) * per
	walk := false
	if total > 0 {
		var size *int64
		if err := db.conn(ctx).Table(table).Select("MAX(id)").Scan(&size).Error; err != nil {
			return 0, translate(err, table, "size of "+table)
		}
		walk = size != nil && int64(offset+per)*(*size) < total*total
	}
	var ids []int64
	if err := db.proceedingIDs(ctx, table, scopes, status, targetOrgID, more, walk, per, offset).Pluck("p.id", &ids).Error; err != nil {
		return 0, translate(err, table, "list "+table)
	}
	if len(ids) == 0 {
		return int(total), nil
	}
	if err := db.conn(ctx).Table(table+" AS r").Where("r.id IN ?", ids).Order("r.proposed_at DESC, r.id DESC").Find(dest).Error; err != nil {
		return 0, translate(err, table, "list "+table)
	}
	return int(total), nil
}

// proceedingIDs is one page's ids, newest first: read on the scope's range or by the walk in list order.
func (db *DB) proceedingIDs(ctx context.Context, table string, scopes []domain.Jurisdiction, status string, targetOrgID int64,
	more func(q *gorm.DB) *gorm.DB, walk bool, per, offset int) *gorm.DB {
	return db.proceedingsQuery(ctx, table, scopes, status, targetOrgID, more, walk).
		Select("p.id").Order("p.proposed_at DESC, p.id DESC").Limit(per).Offset(offset)
}

// proceedingsQuery is the rows of table (aliased p) in scope with the filters: the scope's path range
// drives it, or, for a walk in list order, is only checked on the way (scopeFilter).
func (db *DB) proceedingsQuery(ctx context.Context, table string, scopes []domain.Jurisdiction, status string, targetOrgID int64,
	more func(q *gorm.DB) *gorm.DB, walk bool) *gorm.DB {
	// The handling office always lies above the record's target, so the target's path says it all.
	tw, targs := db.scopeWhere("p.target_path", scopes)
	if walk {
		tw, targs = db.scopeFilter("p.target_path", scopes)
	}
	q := db.conn(ctx).Table(table+" AS p").Where(tw, targs...)
	if status != "" {
		q = q.Where("p.status = ?", status)
	}
	if targetOrgID != 0 {
		q = q.Where("p.target_org_id = ?", targetOrgID)
	}
	if more != nil {
		q = more(q)
	}
	return q
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
	row := accFromDomain(a)
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		if domain.ErrorCode(translate(err, "", "")) == domain.ECONFLICT {
			return &domain.Error{Code: domain.ECONFLICT, Message: "该案件（问题）已有同一情形、同一对象的问责建议在办理中。", Err: err}
		}
		return translate(err, "问责记录", "create accountability")
	}
	a.ID = row.ID
	return db.saveInterviews(ctx, a)
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
	return fillProceedings(ctx, db, rows)
}

// proceedingRow is a row that embeds ProceedingCols and turns into its domain record.
type proceedingRow[D any] interface {
	cols() ProceedingCols
	toDomain(orgs map[int64]domain.Org, numbers map[int64]string) D
}

func (r accountabilityRow) cols() ProceedingCols { return r.ProceedingCols }
func (r incentiveRow) cols() ProceedingCols      { return r.ProceedingCols }

// fillProceedings turns rows into records, with what they refer to loaded in one query each.
func fillProceedings[D any, R proceedingRow[D]](ctx context.Context, db *DB, rows []R) ([]D, error) {
	cols := make([]ProceedingCols, len(rows))
	for i, r := range rows {
		cols[i] = r.cols()
	}
	orgs, numbers, err := db.proceedingRefs(ctx, cols)
	if err != nil {
		return nil, err
	}
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(orgs, numbers)
	}
	return out, nil
}

// SaveAccountability writes the record if its stored version is still expectedVersion, and its new
// interviews. A lost race is ECONFLICT.
func (db *DB) SaveAccountability(ctx context.Context, a *domain.Accountability, expectedVersion int) error {
	row := accFromDomain(a)
	if err := db.saveProceeding(ctx, &accountabilityRow{}, &row, a.ID, expectedVersion, "问责记录", a.Label(),
		"trigger", "facts", "status", "form", "notice_text", "noticed_by", "noticed_at", "statement_deadline",
		"statement_text", "statement_by", "statement_at", "situation", "decision_facts", "legal_basis",
		"effective_on", "open_key"); err != nil {
		return err
	}
	return db.saveInterviews(ctx, a)
}

// ListAccountability returns one page of records in scope, newest first.
func (db *DB) ListAccountability(ctx context.Context, f domain.AccountabilityFilter) ([]domain.Accountability, int, error) {
	var rows []accountabilityRow
	total, err := db.listProceedings(ctx, "accountabilities", f.Scopes, string(f.Status), f.TargetOrgID, f.PerPage, f.Page,
		db.accListFilters(f), &rows)
	if err != nil {
		return nil, 0, err
	}
	out, err := db.fillAccountability(ctx, rows)
	return out, total, err
}

// accListFilters are the 问责 list's own conditions, beside the scope, status and target.
func (db *DB) accListFilters(f domain.AccountabilityFilter) func(q *gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if f.CaseID != 0 {
			q = q.Where("p.case_id = ?", f.CaseID)
		}
		// Records not yet noticed are listed only under the caller's proposal scopes (the
		// supervision side's); a filter only, never what drives the plan.
		if !coveredBy(f.Scopes, f.ProposalScopes) {
			pw, pargs := db.scopeFilter("p.target_path", f.ProposalScopes)
			q = q.Where("(p.noticed_at IS NOT NULL OR "+pw+")", pargs...)
		}
		return q
	}
}

// coveredBy reports whether every one of scopes lies under one of within.
func coveredBy(scopes, within []domain.Jurisdiction) bool {
	for _, s := range scopes {
		in := false
		for _, w := range within {
			if w.Covers(s) || w == "" {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
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
	return fillProceedings(ctx, db, rows)
}

// SaveIncentive writes the incentive if its stored version is still expectedVersion.
func (db *DB) SaveIncentive(ctx context.Context, i *domain.Incentive, expectedVersion int) error {
	row := incFromDomain(i)
	return db.saveProceeding(ctx, &incentiveRow{}, &row, i.ID, expectedVersion, "激励记录", i.Label(), "status", "decision")
}

// ListIncentives returns one page of incentives in scope, newest first.
func (db *DB) ListIncentives(ctx context.Context, f domain.IncentiveFilter) ([]domain.Incentive, int, error) {
	var rows []incentiveRow
	total, err := db.listProceedings(ctx, "incentives", f.Scopes, string(f.Status), f.TargetOrgID, f.PerPage, f.Page, nil, &rows)
	if err != nil {
		return nil, 0, err
	}
	out, err := db.fillIncentives(ctx, rows)
	return out, total, err
}

var _ domain.AccountabilityRepo = (*DB)(nil)

// migrationPendingAccountability lets the count of 问责 records awaiting a director's step
// (pendingAccWhere) read the index alone. It walked accountabilities_open's range of the open statuses
// and read each record's row for its owner and its statement dates: a region at the province holds
// 16,000 open records, 11 ms of SQLite per home page (the page counted twice: once for its list, once
// for the menu's badge), and PostgreSQL scanned the table. SEARCH p USING COVERING INDEX
// accountabilities_pending (status=?).
var migrationPendingAccountability = migration{18, "问责 records awaiting a director, counted on an index", `
CREATE INDEX accountabilities_pending ON accountabilities(status, owner_path, statement_at, statement_deadline)
`}

// pendingAccWhere selects the records awaiting a director's step (domain.Accountability.AwaitsDirector)
// owned under scopes: the open statuses drive the plan (accountabilities_open), the owner's path filters.
func (db *DB) pendingAccWhere(q *gorm.DB, scopes []domain.Jurisdiction, now time.Time) *gorm.DB {
	ow, oargs := db.scopeFilter("p.owner_path", scopes)
	return q.Where("p.status IN ('proposed', 'noticed', 'decided')").Where(ow, oargs...).
		Where("(p.status <> 'noticed' OR p.statement_at IS NOT NULL OR p.statement_deadline IS NULL OR p.statement_deadline <= ?)", now.UTC())
}

// PendingAccountability counts, in one query, the records awaiting a director's step and lists the
// oldest limit of them.
func (db *DB) PendingAccountability(ctx context.Context, scopes []domain.Jurisdiction, now time.Time, limit int) (domain.AccPending, []domain.Accountability, error) {
	var p domain.AccPending
	if len(scopes) == 0 {
		return p, nil, nil
	}
	var counts []struct {
		Status string
		N      int
	}
	if err := db.pendingAccWhere(db.conn(ctx).Table("accountabilities AS p"), scopes, now).
		Select("p.status, COUNT(*) AS n").Group("p.status").Find(&counts).Error; err != nil {
		return p, nil, translate(err, "问责记录", "count pending accountability")
	}
	for _, c := range counts {
		switch domain.AccStatus(c.Status) {
		case domain.AccProposed:
			p.ToNotice = c.N
		case domain.AccNoticed:
			p.ToDecide = c.N
		case domain.AccDecided:
			p.ToPublish = c.N
		}
	}
	if limit <= 0 || p.Total() == 0 {
		return p, nil, nil
	}
	var rows []accountabilityRow
	if err := db.pendingAccWhere(db.conn(ctx).Table("accountabilities AS p"), scopes, now).
		Select("p.*").Order("p.proposed_at, p.id").Limit(limit).Find(&rows).Error; err != nil {
		return p, nil, translate(err, "问责记录", "list pending accountability")
	}
	list, err := db.fillAccountability(ctx, rows)
	return p, list, err
}
