package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"dudao/domain"
)

// Issue 12, the case as paperwork: the issuing office's full name, the procedure before the visit, the
// 整改要求和建议 of each finding, the reasons of late measures, what each file was uploaded for and
// where a reused one was seen first, the documents of a case as issued, and the 复查/复核 requests of
// R16.
var migrationPaperwork = migration{11, "case documents, notices, review requests, office names", `
ALTER TABLE orgs ADD COLUMN full_name VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN unannounced BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN unannounced_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN notice_sent_at {{ts}};
ALTER TABLE cases ADD COLUMN self_evaluation_due VARCHAR(10) NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN preliminary_opinion TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN evaluation TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN copy_to TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN requirement TEXT NOT NULL DEFAULT '';
ALTER TABLE measures ADD COLUMN late_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN objection_id BIGINT REFERENCES objections(id) ON DELETE SET NULL;
ALTER TABLE evidence ADD COLUMN purpose VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN reused_of BIGINT;
ALTER TABLE evidence ADD COLUMN reused_where TEXT NOT NULL DEFAULT '';
CREATE TABLE case_documents (
	id {{id}},
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	kind VARCHAR(16) NOT NULL,
	number VARCHAR(100) NOT NULL,
	title VARCHAR(200) NOT NULL,
	content TEXT NOT NULL,
	html TEXT NOT NULL,
	pdf {{blob}},
	sha256 VARCHAR(64) NOT NULL,
	issued_by BIGINT NOT NULL,
	issued_at {{ts}} NOT NULL,
	corrects_id BIGINT REFERENCES case_documents(id),
	reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_documents_case ON case_documents(case_id);
CREATE TABLE review_requests (
	id {{id}},
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	kind VARCHAR(16) NOT NULL,
	owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
	owner_path VARCHAR(512) NOT NULL,
	target_org_id BIGINT NOT NULL REFERENCES orgs(id),
	target_path VARCHAR(512) NOT NULL,
	prior_id BIGINT REFERENCES review_requests(id),
	reason TEXT NOT NULL,
	status VARCHAR(16) NOT NULL,
	version INTEGER NOT NULL,
	applied_by BIGINT NOT NULL,
	applied_at {{ts}} NOT NULL,
	decide_by VARCHAR(10) NOT NULL,
	outcome VARCHAR(16) NOT NULL DEFAULT '',
	decision TEXT NOT NULL DEFAULT '',
	decided_by BIGINT NOT NULL DEFAULT 0,
	decided_at {{ts}},
	UNIQUE (case_id, kind)
);
CREATE INDEX review_requests_due ON review_requests(status, decide_by)
`}

// stringsJSON stores a list of short texts in one column; jsonStrings reads it back ("" is none).
func stringsJSON(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	b, _ := json.Marshal(ss)
	return string(b)
}

func jsonStrings(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	if json.Unmarshal([]byte(s), &out) != nil {
		return []string{s}
	}
	return out
}

type documentRow struct {
	ID         int64
	CaseID     int64
	Kind       string
	Number     string
	Title      string
	Content    string
	HTML       string `gorm:"column:html"`
	PDF        []byte `gorm:"column:pdf"`
	SHA256     string `gorm:"column:sha256"`
	IssuedBy   int64
	IssuedAt   time.Time
	CorrectsID *int64
	Reason     string
}

func (documentRow) TableName() string { return "case_documents" }

// documentMetaColumns are what a loaded case holds of its documents: not their bodies.
var documentMetaColumns = []string{"id", "case_id", "kind", "number", "title", "sha256", "issued_by", "issued_at", "corrects_id", "reason"}

func (r documentRow) toDomain() domain.CaseDocument {
	return domain.CaseDocument{ID: r.ID, CaseID: r.CaseID, Kind: domain.DocKind(r.Kind), Number: r.Number, Title: r.Title,
		IssuedBy: r.IssuedBy, IssuedAt: r.IssuedAt, CorrectsID: r.CorrectsID, Reason: r.Reason, SHA256: r.SHA256}
}

// insertDocuments inserts the case's new documents; an issued document is never updated.
func (db *DB) insertDocuments(ctx context.Context, c *domain.Case) error {
	for i := range c.Documents {
		d := &c.Documents[i]
		if d.ID != 0 {
			continue
		}
		content, err := d.Canonical()
		if err != nil {
			return err
		}
		if d.SHA256 == "" || d.HTML == "" {
			return fmt.Errorf("storage: document %s of case %d was not rendered", d.Number, c.ID)
		}
		row := documentRow{CaseID: c.ID, Kind: string(d.Kind), Number: d.Number, Title: d.Title, Content: string(content), HTML: d.HTML,
			PDF: d.PDF, SHA256: d.SHA256, IssuedBy: d.IssuedBy, IssuedAt: d.IssuedAt.UTC(), CorrectsID: d.CorrectsID, Reason: d.Reason}
		if err := db.conn(ctx).Create(&row).Error; err != nil {
			return translate(err, "文书", "insert case document")
		}
		d.ID, d.CaseID = row.ID, c.ID
	}
	return nil
}

// GetCaseDocument loads one document of a case with its content and renderings.
func (db *DB) GetCaseDocument(ctx context.Context, caseID, docID int64) (domain.CaseDocument, error) {
	var r documentRow
	if err := db.conn(ctx).Where("id = ? AND case_id = ?", docID, caseID).Take(&r).Error; err != nil {
		return domain.CaseDocument{}, translate(err, "文书", "get case document")
	}
	d := r.toDomain()
	var content domain.DocContent
	if err := json.Unmarshal([]byte(r.Content), &content); err != nil {
		return domain.CaseDocument{}, fmt.Errorf("storage: case document %d content: %w", r.ID, err)
	}
	d.Content, d.HTML, d.PDF = &content, r.HTML, r.PDF
	return d, nil
}

// FirstSighting finds the first upload of a file, with the case and the finding it went to.
func (db *DB) FirstSighting(ctx context.Context, sha string) (domain.EvidenceSighting, bool, error) {
	var rows []struct {
		ID           int64
		CaseID       int64
		Number       string
		FindingTitle *string
		Purpose      string
		UploadedAt   time.Time
	}
	err := db.conn(ctx).Table("evidence AS e").Joins("JOIN cases c ON c.id = e.case_id").Joins("LEFT JOIN findings f ON f.id = e.finding_id").
		Where("e.sha256 = ?", sha).Order("e.id").Limit(1).
		Select("e.id AS id, e.case_id AS case_id, c.number AS number, f.title AS finding_title, e.purpose AS purpose, e.uploaded_at AS uploaded_at").
		Scan(&rows).Error
	if err != nil {
		return domain.EvidenceSighting{}, false, fmt.Errorf("storage: evidence first sighting: %w", err)
	}
	if len(rows) == 0 {
		return domain.EvidenceSighting{}, false, nil
	}
	r := rows[0]
	s := domain.EvidenceSighting{EvidenceID: r.ID, CaseID: r.CaseID, CaseNumber: r.Number, Purpose: domain.EvidencePurpose(r.Purpose), UploadedAt: r.UploadedAt}
	if r.FindingTitle != nil {
		s.FindingTitle = *r.FindingTitle
	}
	return s, true, nil
}

type reviewRow struct {
	ID          int64
	CaseID      int64
	Kind        string
	OwnerOrgID  int64
	OwnerPath   string
	TargetOrgID int64
	TargetPath  string
	PriorID     *int64
	Reason      string
	Status      string
	Version     int
	AppliedBy   int64
	AppliedAt   time.Time
	DecideBy    string
	Outcome     string
	Decision    string
	DecidedBy   int64
	DecidedAt   *time.Time
}

func (reviewRow) TableName() string { return "review_requests" }

func reviewFromDomain(q *domain.ReviewRequest) reviewRow {
	return reviewRow{ID: q.ID, CaseID: q.CaseID, Kind: string(q.Kind), OwnerOrgID: q.OwnerOrg.ID, OwnerPath: string(q.OwnerOrg.Path),
		TargetOrgID: q.TargetOrg.ID, TargetPath: string(q.TargetOrg.Path), PriorID: q.PriorID, Reason: q.Reason, Status: string(q.Status),
		Version: q.Version, AppliedBy: q.AppliedBy, AppliedAt: q.AppliedAt.UTC(), DecideBy: string(q.DecideBy), Outcome: string(q.Outcome),
		Decision: q.Decision, DecidedBy: q.DecidedBy, DecidedAt: utcPtr(q.DecidedAt)}
}

// reviewsOf turns rows into requests with their orgs and case numbers.
func (db *DB) reviewsOf(ctx context.Context, rows []reviewRow) ([]domain.ReviewRequest, error) {
	var orgIDs, caseIDs []int64
	for _, r := range rows {
		orgIDs = append(orgIDs, r.OwnerOrgID, r.TargetOrgID)
		caseIDs = append(caseIDs, r.CaseID)
	}
	orgs, err := db.accOrgs(ctx, orgIDs...)
	if err != nil {
		return nil, err
	}
	numbers, err := db.accCaseNumbers(ctx, caseIDs)
	if err != nil {
		return nil, err
	}
	out := make([]domain.ReviewRequest, len(rows))
	for i, r := range rows {
		out[i] = domain.ReviewRequest{ID: r.ID, CaseID: r.CaseID, CaseNumber: numbers[r.CaseID], Kind: domain.ReviewKind(r.Kind),
			OwnerOrg: orgs[r.OwnerOrgID], TargetOrg: orgs[r.TargetOrgID], PriorID: r.PriorID, Reason: r.Reason,
			Status: domain.ReviewStatus(r.Status), Version: r.Version, AppliedBy: r.AppliedBy, AppliedAt: r.AppliedAt,
			DecideBy: domain.Date(r.DecideBy), Outcome: domain.ReviewOutcome(r.Outcome), Decision: r.Decision, DecidedBy: r.DecidedBy,
			DecidedAt: r.DecidedAt}
	}
	return out, nil
}

// CreateReviewRequest inserts a request; a second one of the same kind for a case is ECONFLICT.
func (db *DB) CreateReviewRequest(ctx context.Context, q *domain.ReviewRequest) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := reviewFromDomain(q)
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, q.Kind.Label()+"申请", "create review request")
	}
	q.ID = row.ID
	return nil
}

// GetReviewRequest loads one request.
func (db *DB) GetReviewRequest(ctx context.Context, id int64) (*domain.ReviewRequest, error) {
	var row reviewRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "复查复核申请", "get review request")
	}
	qs, err := db.reviewsOf(ctx, []reviewRow{row})
	if err != nil {
		return nil, err
	}
	return &qs[0], nil
}

// SaveReviewRequest writes the decision if the stored version is still expectedVersion.
func (db *DB) SaveReviewRequest(ctx context.Context, q *domain.ReviewRequest, expectedVersion int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := reviewFromDomain(q)
	res := db.conn(ctx).Model(&reviewRow{}).Where("id = ? AND version = ?", q.ID, expectedVersion).
		Select("status", "version", "outcome", "decision", "decided_by", "decided_at").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "复查复核申请", "save review request")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", q.Label())
	}
	return nil
}

// CaseReviewRequests lists a case's requests, oldest first.
func (db *DB) CaseReviewRequests(ctx context.Context, caseID int64) ([]domain.ReviewRequest, error) {
	var rows []reviewRow
	if err := db.conn(ctx).Where("case_id = ?", caseID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "复查复核申请", "list case review requests")
	}
	return db.reviewsOf(ctx, rows)
}

// LateReviewRequests lists the requests awaiting a decision due before today.
func (db *DB) LateReviewRequests(ctx context.Context, today domain.Date) ([]domain.ReviewRequest, error) {
	var rows []reviewRow
	if err := db.conn(ctx).Where("status = ? AND decide_by < ?", string(domain.ReviewApplied), string(today)).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "复查复核申请", "list late review requests")
	}
	return db.reviewsOf(ctx, rows)
}

var _ domain.ReviewRepo = (*DB)(nil)

// PendingReviewRequests counts the requests awaiting a decision of the office ownerOrgID (the status
// drives the plan through review_requests_due, the office filters) and lists the limit due first.
func (db *DB) PendingReviewRequests(ctx context.Context, ownerOrgID int64, limit int) ([]domain.ReviewRequest, int, error) {
	q := db.conn(ctx).Model(&reviewRow{}).Where("status = ? AND owner_org_id = ?", string(domain.ReviewApplied), ownerOrgID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "复查复核申请", "count pending review requests")
	}
	if total == 0 || limit <= 0 {
		return nil, int(total), nil
	}
	var rows []reviewRow
	if err := q.Order("decide_by, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "复查复核申请", "list pending review requests")
	}
	list, err := db.reviewsOf(ctx, rows)
	return list, int(total), err
}
