package storage

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

type caseRow struct {
	ID                       int64
	Number                   string
	Year                     int
	Seq                      int
	Type                     string
	Kind                     string
	OwnerOrgID               int64
	OwnerPath                string
	TargetOrgID              int64
	TargetPath               string
	Title                    string
	PlannedOn                string
	Status                   string
	Version                  int
	CreatedBy                int64
	CreatedAt                time.Time
	StartedAt                *time.Time
	PreliminaryAt            *time.Time
	IssuedAt                 *time.Time
	ClosedAt                 *time.Time
	ObjectionDeadline        *time.Time
	Acknowledged             bool
	ReviewSubmittedBy        int64
	IssuedBy                 int64
	RectificationSubmittedBy int64
	RecheckFailures          int
	CancelReason             string
	ReturnComment            string
	UpdatedAt                time.Time
	// Issue 12 (migration 11): the procedure before the visit and what the 意见书 says.
	Unannounced        bool
	UnannouncedReason  string
	NoticeSentAt       *time.Time
	SelfEvaluationDue  string
	PreliminaryOpinion string
	Evaluation         string
	CopyTo             string // JSON array
}

func (caseRow) TableName() string { return "cases" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func caseFromDomain(c *domain.Case) caseRow {
	return caseRow{
		ID: c.ID, Number: c.Number, Year: c.Year, Seq: c.Seq, Type: string(c.Type), Kind: string(c.Kind),
		OwnerOrgID: c.OwnerOrg.ID, OwnerPath: string(c.OwnerOrg.Path), TargetOrgID: c.TargetOrg.ID, TargetPath: string(c.TargetOrg.Path),
		Title: c.Title, PlannedOn: string(c.PlannedOn), Status: string(c.Status), Version: c.Version,
		CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC(), StartedAt: utcPtr(c.StartedAt), PreliminaryAt: utcPtr(c.PreliminaryAt),
		IssuedAt: utcPtr(c.IssuedAt), ClosedAt: utcPtr(c.ClosedAt), ObjectionDeadline: utcPtr(c.ObjectionDeadline),
		Acknowledged: c.Acknowledged, ReviewSubmittedBy: c.ReviewSubmittedBy, IssuedBy: c.IssuedBy,
		RectificationSubmittedBy: c.RectificationSubmittedBy, RecheckFailures: c.RecheckFailures,
		CancelReason: c.CancelReason, ReturnComment: c.ReturnComment,
		Unannounced: c.Unannounced, UnannouncedReason: c.UnannouncedReason, NoticeSentAt: utcPtr(c.NoticeSentAt),
		SelfEvaluationDue: string(c.SelfEvaluationDue), PreliminaryOpinion: c.PreliminaryOpinion, Evaluation: c.Evaluation,
		CopyTo: stringsJSON(c.CopyTo),
	}
}

func (r caseRow) toDomain(owner, target domain.Org) domain.Case {
	return domain.Case{
		ID: r.ID, Number: r.Number, Year: r.Year, Seq: r.Seq, Type: domain.CaseType(r.Type), Kind: domain.CaseKind(r.Kind),
		OwnerOrg: owner, TargetOrg: target, Title: r.Title, PlannedOn: domain.Date(r.PlannedOn), Status: domain.Status(r.Status),
		Version: r.Version, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, PreliminaryAt: r.PreliminaryAt,
		IssuedAt: r.IssuedAt, ClosedAt: r.ClosedAt, ObjectionDeadline: r.ObjectionDeadline, Acknowledged: r.Acknowledged,
		ReviewSubmittedBy: r.ReviewSubmittedBy, IssuedBy: r.IssuedBy, RectificationSubmittedBy: r.RectificationSubmittedBy,
		RecheckFailures: r.RecheckFailures, CancelReason: r.CancelReason, ReturnComment: r.ReturnComment,
		Unannounced: r.Unannounced, UnannouncedReason: r.UnannouncedReason, NoticeSentAt: r.NoticeSentAt,
		SelfEvaluationDue: domain.Date(r.SelfEvaluationDue), PreliminaryOpinion: r.PreliminaryOpinion, Evaluation: r.Evaluation,
		CopyTo: jsonStrings(r.CopyTo),
	}
}

type findingRow struct {
	ID          int64
	CaseID      int64
	Title       string
	Description string
	Severity    string
	Category    string
	ItemCode    string
	DueOn       string
	Status      string
	// What the report groups and filters by, kept from the case (report_facts.go).
	TargetOrgID int64
	TargetPath  string
	CaseYear    int
	IssuedAt    *time.Time
	Requirement string
}

func (findingRow) TableName() string { return "findings" }

type measureRow struct {
	ID                int64
	CaseID            int64
	FindingID         int64
	Description       string
	ResponsiblePerson string
	ResponsibleUnit   string
	DueOn             string
	CreatedBy         int64
	CreatedAt         time.Time
	LateReason        string
}

func (measureRow) TableName() string { return "measures" }

type evidenceRow struct {
	ID          int64
	CaseID      int64
	FindingID   *int64
	SHA256      string `gorm:"column:sha256"`
	Size        int64
	ContentType string
	Note        string
	CapturedAt  *time.Time
	Lat, Lng    *float64
	UploadedBy  int64
	UploadedAt  time.Time
	Reused      bool
	ObjectionID *int64
	Purpose     string
	ReusedOf    *int64
	ReusedWhere string
}

func (evidenceRow) TableName() string { return "evidence" }

func (r evidenceRow) toDomain() domain.Evidence {
	return domain.Evidence{ID: r.ID, CaseID: r.CaseID, FindingID: r.FindingID, SHA256: r.SHA256, Size: r.Size, ContentType: r.ContentType,
		Note: r.Note, CapturedAt: r.CapturedAt, Lat: r.Lat, Lng: r.Lng, UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt, Reused: r.Reused,
		ObjectionID: r.ObjectionID, Purpose: domain.EvidencePurpose(r.Purpose), ReusedOf: r.ReusedOf, ReusedWhere: r.ReusedWhere}
}

type objectionRow struct {
	ID        int64
	CaseID    int64
	FindingID *int64
	Text      string
	Status    string
	Reason    string
	FiledBy   int64
	FiledAt   time.Time
	RuledBy   int64
	RuledAt   *time.Time
}

func (objectionRow) TableName() string { return "objections" }

type recheckRow struct {
	ID        int64
	CaseID    int64
	FindingID int64
	Round     int
	Passed    bool
	Comment   string
	NewDueOn  string
	ByUser    int64
	At        time.Time
}

func (recheckRow) TableName() string { return "rechecks" }

type inspectorRow struct {
	CaseID int64
	UserID int64
}

func (inspectorRow) TableName() string { return "case_inspectors" }

// CreateCase allocates the case's number (unique per owner org, type and year, without gaps from
// concurrent openers: the counter row is updated in the caller's transaction) and inserts the case.
func (db *DB) CreateCase(ctx context.Context, c *domain.Case) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	conn := db.conn(ctx)
	var seq int
	err := conn.Raw(`INSERT INTO case_counters (owner_org_id, type, year, last_seq) VALUES (?, ?, ?, 1)
		ON CONFLICT (owner_org_id, type, year) DO UPDATE SET last_seq = case_counters.last_seq + 1
		RETURNING last_seq`, c.OwnerOrg.ID, string(c.Type), c.Year).Scan(&seq).Error
	if err != nil {
		return translate(err, "案件编号", "allocate case number")
	}
	c.AssignNumber(seq)
	row := caseFromDomain(c)
	row.UpdatedAt = time.Now().UTC()
	if err := conn.Create(&row).Error; err != nil {
		return translate(err, "案件", "create case")
	}
	c.ID = row.ID
	if len(c.InspectorIDs) > 0 {
		rows := make([]inspectorRow, len(c.InspectorIDs))
		for i, u := range c.InspectorIDs {
			rows[i] = inspectorRow{CaseID: c.ID, UserID: u}
		}
		if err := conn.Create(&rows).Error; err != nil {
			return translate(err, "督导组成员", "insert inspectors")
		}
	}
	if err := db.addCaseScopes(ctx, c); err != nil {
		return err
	}
	if err := db.addCaseGrams(ctx, c); err != nil {
		return err
	}
	return db.saveChildren(ctx, c, nil, 0)
}

// caseHead is a case's row with which of its parts it has. The parts are eight tables; a case has
// few of them for most of its life (a planned case none), and each read was a statement of its own —
// on the write path, while holding SQLite's one writer, and on PostgreSQL a round trip each. One
// primary-key read now says which to read, each answer an index probe (the tables' case_id indexes),
// and brings the owner's and target's org rows (two primary-key lookups) that were a statement more.
type caseHead struct {
	Case          caseRow `gorm:"embedded"`
	Owner         orgRow  `gorm:"embedded;embeddedPrefix:oo_"`
	Target        orgRow  `gorm:"embedded;embeddedPrefix:tt_"`
	HasInspectors bool
	HasFindings   bool
	HasMeasures   bool
	HasEvidence   bool
	HasObjections bool
	HasRechecks   bool
	HasDocuments  bool
	HasScore      bool
}

// caseHasParts selects caseHead's Has columns for the case row read as cases.
var caseHasParts = func() string {
	var parts []string
	for _, p := range []struct{ col, table string }{{"has_inspectors", "case_inspectors"}, {"has_findings", "findings"},
		{"has_measures", "measures"}, {"has_evidence", "evidence"}, {"has_objections", "objections"}, {"has_rechecks", "rechecks"},
		{"has_documents", "case_documents"}, {"has_score", "case_scores"}} {
		parts = append(parts, "EXISTS (SELECT 1 FROM "+p.table+" AS p WHERE p.case_id = cases.id) AS "+p.col)
	}
	return strings.Join(parts, ", ")
}()

// GetCase loads the whole aggregate: the case row with its orgs and which parts it has, then the parts
// it has.
func (db *DB) GetCase(ctx context.Context, id int64) (*domain.Case, error) {
	conn := db.conn(ctx)
	var head caseHead
	if err := conn.Table("cases").Select("cases.*, "+caseHasParts+", "+orgColumns("oo", "oo_")+", "+orgColumns("tt", "tt_")).
		Joins(db.caseOrgJoins()).Where("cases.id = ?", id).Take(&head).Error; err != nil {
		return nil, translate(err, "案件", "get case")
	}
	c := head.Case.toDomain(head.Owner.toDomain(), head.Target.toDomain())

	var insp []inspectorRow
	var frows []findingRow
	var mrows []measureRow
	var erows []evidenceRow
	var orows []objectionRow
	var rrows []recheckRow
	var drows []documentRow
	for _, q := range []struct {
		dest any
		what string
		has  bool
	}{{&insp, "inspectors", head.HasInspectors}, {&frows, "findings", head.HasFindings}, {&mrows, "measures", head.HasMeasures},
		{&erows, "evidence", head.HasEvidence}, {&orows, "objections", head.HasObjections}, {&rrows, "rechecks", head.HasRechecks},
		{&drows, "documents", head.HasDocuments}} {
		if !q.has {
			continue
		}
		order := "id"
		if q.what == "inspectors" {
			order = "user_id"
		}
		cq := conn.Where("case_id = ?", id)
		if q.what == "documents" {
			cq = cq.Select(documentMetaColumns) // the bodies are loaded on request
		}
		if err := cq.Order(order).Find(q.dest).Error; err != nil {
			return nil, translate(err, "案件", "get case "+q.what)
		}
	}
	for _, r := range insp {
		c.InspectorIDs = append(c.InspectorIDs, r.UserID)
	}
	idx := map[int64]int{}
	for i, r := range frows {
		idx[r.ID] = i
		c.Findings = append(c.Findings, domain.Finding{ID: r.ID, CaseID: r.CaseID, Title: r.Title, Description: r.Description,
			Severity: domain.Severity(r.Severity), Category: r.Category, ItemCode: r.ItemCode, DueOn: domain.Date(r.DueOn), Status: domain.FindingStatus(r.Status),
			Requirement: r.Requirement})
	}
	for _, r := range mrows {
		if i, ok := idx[r.FindingID]; ok {
			c.Findings[i].Measures = append(c.Findings[i].Measures, domain.Measure{ID: r.ID, FindingID: r.FindingID, Description: r.Description,
				ResponsiblePerson: r.ResponsiblePerson, ResponsibleUnit: r.ResponsibleUnit, DueOn: domain.Date(r.DueOn), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
				LateReason: r.LateReason})
		}
	}
	for _, r := range erows {
		if r.FindingID != nil {
			if i, ok := idx[*r.FindingID]; ok {
				c.Findings[i].Evidence = append(c.Findings[i].Evidence, r.toDomain())
				continue
			}
		}
		c.Evidence = append(c.Evidence, r.toDomain())
	}
	for _, r := range orows {
		c.Objections = append(c.Objections, domain.Objection{ID: r.ID, CaseID: r.CaseID, FindingID: r.FindingID, Text: r.Text,
			Status: domain.ObjectionStatus(r.Status), Reason: r.Reason, FiledBy: r.FiledBy, FiledAt: r.FiledAt, RuledBy: r.RuledBy, RuledAt: r.RuledAt})
	}
	for _, r := range rrows {
		c.Rechecks = append(c.Rechecks, domain.Recheck{ID: r.ID, CaseID: r.CaseID, FindingID: r.FindingID, Round: r.Round, Passed: r.Passed,
			Comment: r.Comment, NewDueOn: domain.Date(r.NewDueOn), By: r.ByUser, At: r.At})
	}
	if head.HasScore {
		if err := db.loadScoring(ctx, &c); err != nil { // frameworks: the case's scoring (framework.go)
			return nil, err
		}
	}
	for _, r := range drows {
		c.Documents = append(c.Documents, r.toDomain())
	}
	return &c, nil
}

// SaveCase writes the case row if its stored version is still expectedVersion, then its new and
// changed parts. A lost race is ECONFLICT; on PostgreSQL the row lock makes the loser wait and then
// see the winner's version.
func (db *DB) SaveCase(ctx context.Context, c *domain.Case, expectedVersion int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	// The status of the version the caller loaded, to move the case in its scopes and counts: if the
	// row changes after this read, the versioned update below finds nothing and the save is refused.
	// Whether it was issued tells whether its findings count in the report's kept figures; how many
	// findings it has, whether the save removes some.
	var was []struct {
		Status    string
		StartedAt *time.Time
		IssuedAt  *time.Time
		Findings  int
	}
	if err := db.conn(ctx).Model(&caseRow{}).
		Select("status, started_at, issued_at, (SELECT COUNT(*) FROM findings AS f WHERE f.case_id = cases.id) AS findings").
		Where("id = ? AND version = ?", c.ID, expectedVersion).Scan(&was).Error; err != nil {
		return translate(err, "案件", "read case status")
	}
	if len(was) == 0 {
		return domain.Errorf(domain.ECONFLICT, "案件%s已被他人修改，请刷新后重试。", c.Number)
	}
	row := caseFromDomain(c)
	row.UpdatedAt = time.Now().UTC()
	cols := []string{"title", "planned_on", "version", "preliminary_at", "closed_at",
		"objection_deadline", "acknowledged", "review_submitted_by", "issued_by", "rectification_submitted_by",
		"recheck_failures", "cancel_reason", "return_comment", "updated_at",
		"unannounced", "unannounced_reason", "notice_sent_at", "self_evaluation_due", "preliminary_opinion", "evaluation", "copy_to"}
	// The indexed columns are set only when they change: SQLite rewrites an index's entry for every
	// column of it an UPDATE sets, to the same value or not, and these three are in five indexes.
	if string(c.Status) != was[0].Status {
		cols = append(cols, "status")
	}
	if !sameTime(c.StartedAt, was[0].StartedAt) {
		cols = append(cols, "started_at")
	}
	if !sameTime(c.IssuedAt, was[0].IssuedAt) {
		cols = append(cols, "issued_at")
	}
	res := db.conn(ctx).Model(&caseRow{}).Where("id = ? AND version = ?", c.ID, expectedVersion).Select(cols).Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "案件", "save case")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "案件%s已被他人修改，请刷新后重试。", c.Number)
	}
	if err := db.moveCaseStatus(ctx, c, domain.Status(was[0].Status)); err != nil {
		return err
	}
	return db.saveChildren(ctx, c, was[0].IssuedAt, was[0].Findings)
}

// findingChanges lists the columns a save changes in a stored finding. A finding's columns are in the
// eight indexes of findings, which SQLite rewrites for every column an UPDATE sets: a step that leaves
// a case's findings as they were (most do) writes none of them.
func findingChanges(was, now findingRow) []string {
	var cols []string
	for _, c := range []struct {
		col     string
		changed bool
	}{{"title", was.Title != now.Title}, {"description", was.Description != now.Description}, {"severity", was.Severity != now.Severity},
		{"category", was.Category != now.Category}, {"item_code", was.ItemCode != now.ItemCode}, {"due_on", was.DueOn != now.DueOn},
		{"status", was.Status != now.Status}, {"requirement", was.Requirement != now.Requirement},
		{"issued_at", !sameTime(was.IssuedAt, now.IssuedAt)}} {
		if c.changed {
			cols = append(cols, c.col)
		}
	}
	return cols
}

// sameTime reports whether a and b are both unset or the same instant.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// saveChildren inserts parts without an ID and updates those whose fields may change; wasIssued
// is when the stored case was issued (nil: not issued, or a new case), and stored how many findings it
// has (the findings of c with an ID that are not among them were removed); a stored finding is
// updated in the columns the save changes, if any. It keeps the report's facts with them
// (report_summary.go): the kept counts, moved by what the case and its findings counted before and
// count now, and each finding's first passing recheck date.
func (db *DB) saveChildren(ctx context.Context, c *domain.Case, wasIssued *time.Time, stored int) error {
	conn := db.conn(ctx)
	kept := newReportDelta()
	// The stored findings: what the report counted for them, and what a save changes in each.
	before := map[int64]findingRow{}
	if stored > 0 {
		var rows []findingRow
		if err := conn.Where("case_id = ?", c.ID).Find(&rows).Error; err != nil {
			return translate(err, "问题", "read stored findings")
		}
		for _, r := range rows {
			before[r.ID] = r
			kept.finding(r.TargetPath, r.TargetOrgID, r.CaseYear, r.IssuedAt, r.Category, r.Severity, r.Status, -1)
		}
	}
	kept.issue(string(c.TargetOrg.Path), c.TargetOrg.ID, wasIssued, -1)
	kept.issue(string(c.TargetOrg.Path), c.TargetOrg.ID, c.IssuedAt, 1)
	keep, loaded := make([]int64, 0, len(c.Findings)), 0
	for i := range c.Findings {
		if c.Findings[i].ID != 0 {
			loaded++
		}
	}
	for i := range c.Findings {
		f := &c.Findings[i]
		kept.finding(string(c.TargetOrg.Path), c.TargetOrg.ID, c.Year, c.IssuedAt, f.Category, string(f.Severity), string(f.Status), 1)
		f.CaseID = c.ID
		fr := findingRow{ID: f.ID, CaseID: c.ID, Title: f.Title, Description: f.Description, Severity: string(f.Severity),
			Category: f.Category, ItemCode: f.ItemCode, DueOn: string(f.DueOn), Status: string(f.Status), Requirement: f.Requirement,
			TargetOrgID: c.TargetOrg.ID, TargetPath: string(c.TargetOrg.Path), CaseYear: c.Year, IssuedAt: utcPtr(c.IssuedAt)}
		if f.ID == 0 {
			if err := conn.Create(&fr).Error; err != nil {
				return translate(err, "问题", "insert finding")
			}
			f.ID = fr.ID
		} else if cols := findingChanges(before[f.ID], fr); len(cols) > 0 {
			if err := conn.Model(&findingRow{}).Where("id = ? AND case_id = ?", f.ID, c.ID).Select(cols).Updates(&fr).Error; err != nil {
				return translate(err, "问题", "update finding")
			}
		}
		keep = append(keep, f.ID)
		for j := range f.Measures {
			m := &f.Measures[j]
			m.FindingID = f.ID
			if m.ID != 0 {
				continue
			}
			mr := measureRow{CaseID: c.ID, FindingID: f.ID, Description: m.Description, ResponsiblePerson: m.ResponsiblePerson,
				ResponsibleUnit: m.ResponsibleUnit, DueOn: string(m.DueOn), CreatedBy: m.CreatedBy, CreatedAt: m.CreatedAt.UTC(), LateReason: m.LateReason}
			if err := conn.Create(&mr).Error; err != nil {
				return translate(err, "整改措施", "insert measure")
			}
			m.ID = mr.ID
		}
		for j := range f.Evidence {
			fid := f.ID
			f.Evidence[j].FindingID = &fid
			if err := db.insertEvidence(conn, c.ID, &f.Evidence[j]); err != nil {
				return err
			}
		}
	}
	if stored > loaded { // some stored findings are not in c any more: delete them
		del := conn.Where("case_id = ?", c.ID)
		if len(keep) > 0 {
			del = del.Where("id NOT IN ?", keep)
		}
		if err := del.Delete(&findingRow{}).Error; err != nil {
			return translate(err, "问题", "delete removed findings")
		}
	}
	if err := kept.apply(ctx, db); err != nil {
		return err
	}
	for j := range c.Evidence {
		if err := db.insertEvidence(conn, c.ID, &c.Evidence[j]); err != nil {
			return err
		}
	}
	for i := range c.Objections {
		o := &c.Objections[i]
		or := objectionRow{ID: o.ID, CaseID: c.ID, FindingID: o.FindingID, Text: o.Text, Status: string(o.Status), Reason: o.Reason,
			FiledBy: o.FiledBy, FiledAt: o.FiledAt.UTC(), RuledBy: o.RuledBy, RuledAt: utcPtr(o.RuledAt)}
		if o.ID == 0 {
			if err := conn.Create(&or).Error; err != nil {
				return translate(err, "申辩", "insert objection")
			}
			o.ID = or.ID
		} else if o.Status != domain.ObjectionPending {
			if err := conn.Model(&objectionRow{}).Where("id = ? AND case_id = ?", o.ID, c.ID).
				Select("status", "reason", "ruled_by", "ruled_at").Updates(&or).Error; err != nil {
				return translate(err, "申辩", "update objection")
			}
		}
	}
	for i := range c.Rechecks {
		r := &c.Rechecks[i]
		if r.ID != 0 {
			continue
		}
		rr := recheckRow{CaseID: c.ID, FindingID: r.FindingID, Round: r.Round, Passed: r.Passed, Comment: r.Comment,
			NewDueOn: string(r.NewDueOn), ByUser: r.By, At: r.At.UTC()}
		if err := conn.Create(&rr).Error; err != nil {
			return translate(err, "复查记录", "insert recheck")
		}
		r.ID = rr.ID
		if r.Passed {
			on := r.At.In(domain.CST).Format(time.DateOnly)
			if err := conn.Model(&findingRow{}).Where("id = ? AND case_id = ? AND (passed_on = '' OR passed_on > ?)", r.FindingID, c.ID, on).
				Update("passed_on", on).Error; err != nil {
				return translate(err, "问题", "record passing recheck date")
			}
		}
	}
	if err := db.saveScoring(ctx, c); err != nil { // frameworks: the case's scoring (framework.go)
		return err
	}
	return db.insertDocuments(ctx, c)
}

func (db *DB) insertEvidence(conn *gorm.DB, caseID int64, e *domain.Evidence) error {
	e.CaseID = caseID
	if e.ID != 0 {
		return nil
	}
	er := evidenceRow{CaseID: caseID, FindingID: e.FindingID, SHA256: e.SHA256, Size: e.Size, ContentType: e.ContentType, Note: e.Note,
		CapturedAt: utcPtr(e.CapturedAt), Lat: e.Lat, Lng: e.Lng, UploadedBy: e.UploadedBy, UploadedAt: e.UploadedAt.UTC(), Reused: e.Reused,
		ObjectionID: e.ObjectionID, Purpose: string(e.Purpose), ReusedOf: e.ReusedOf, ReusedWhere: e.ReusedWhere}
	if err := conn.Create(&er).Error; err != nil {
		return translate(err, "佐证材料", "insert evidence")
	}
	e.ID = er.ID
	return nil
}

// ListCases returns one page of cases in scope, newest first, without their parts: the page's ids
// from the scopes' index ranges (after the cursor, or at the page's offset), then those cases by id.
func (db *DB) ListCases(ctx context.Context, f domain.CaseFilter) (domain.CasePage, error) {
	per := f.PerPage
	if per <= 0 {
		per = 20
	}
	var after *caseCursor
	offset := 0
	if f.Cursor != "" {
		c, err := parseCaseCursor(f.Cursor)
		if err != nil {
			return domain.CasePage{}, err
		}
		after = &c
	} else if f.Page > 1 {
		offset = (f.Page - 1) * per
	}
	f, err := db.rootScopes(ctx, f)
	if err != nil {
		return domain.CasePage{}, err
	}
	walks, err := db.walks(ctx, f)
	if err != nil {
		return domain.CasePage{}, err
	}
	ids, next, err := db.caseIDsPage(ctx, f, walks, per, after, offset)
	if err != nil {
		return domain.CasePage{}, err
	}
	page := domain.CasePage{Next: next}
	if page.Total, page.Exact, err = db.caseTotal(ctx, f, walks); err != nil {
		return domain.CasePage{}, err
	}
	page.Items, err = db.casesByID(ctx, ids)
	return page, err
}

// rootScopes replaces the scope "" (everything, for the system) by the roots of the org tree.
func (db *DB) rootScopes(ctx context.Context, f domain.CaseFilter) (domain.CaseFilter, error) {
	if !containsPath(f.Scopes, "") {
		return f, nil
	}
	var roots []string
	if err := db.conn(ctx).Table("orgs").Where("parent_id IS NULL").Pluck("path", &roots).Error; err != nil {
		return f, translate(err, "机构", "root orgs")
	}
	f.Scopes = nil
	for _, r := range roots {
		f.Scopes = append(f.Scopes, domain.Jurisdiction(r))
	}
	return f, nil
}

// caseOrgJoins joins a case's owner (oo) and target (tt) orgs to cases, two primary-key lookups per
// case. PostgreSQL, given plain joins, merge-joined the owner along orgs' primary key from its first row
// (117 rows read for an office made early, the whole table for one made last) and hashed the whole orgs
// table for a page of cases (a sequential scan, ≈ 5 ms, and as long again to plan each time);
// subqueries it cannot pull up (OFFSET 0) are one primary-key lookup each.
func (db *DB) caseOrgJoins() string {
	if db.dialect == Postgres {
		return "CROSS JOIN LATERAL (SELECT * FROM orgs o WHERE o.id = cases.owner_org_id OFFSET 0) AS oo " +
			"CROSS JOIN LATERAL (SELECT * FROM orgs o WHERE o.id = cases.target_org_id OFFSET 0) AS tt"
	}
	return "JOIN orgs oo ON oo.id = cases.owner_org_id JOIN orgs tt ON tt.id = cases.target_org_id"
}

// casesByID loads cases (without parts) in the order of ids, with their owner and target orgs, in one
// query (a page's second query for its orgs was a fifth of the list's time on SQLite).
func (db *DB) casesByID(ctx context.Context, ids []int64) ([]domain.Case, error) {
	if len(ids) == 0 {
		return []domain.Case{}, nil
	}
	rs, err := db.conn(ctx).Table("cases").Select(listedCaseColumns).Joins(db.caseOrgJoins()).Where("cases.id IN ?", ids).Rows()
	if err != nil {
		return nil, translate(err, "案件", "load listed cases")
	}
	defer rs.Close()
	rows := make([]caseWithOrgsRow, 0, len(ids))
	for rs.Next() {
		var r caseWithOrgsRow
		if err := rs.Scan(append(append(r.Case.dests(), r.Owner.dests()...), r.Target.dests()...)...); err != nil {
			return nil, translate(err, "案件", "load listed cases")
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		return nil, translate(err, "案件", "load listed cases")
	}
	ordered := inIDOrder(ids, rows, func(r *caseWithOrgsRow) int64 { return r.Case.ID })
	out := make([]domain.Case, len(ordered))
	for i, r := range ordered {
		out[i] = r.Case.toDomain(r.Owner.toDomain(), r.Target.toDomain())
	}
	return out, nil
}

// inIDOrder returns rows in the order of ids (an id no row has is left out): a query by "id IN"
// answers in whatever order its plan reads them.
func inIDOrder[R any](ids []int64, rows []R, id func(*R) int64) []*R {
	byID := make(map[int64]*R, len(rows))
	for i := range rows {
		byID[id(&rows[i])] = &rows[i]
	}
	out := make([]*R, 0, len(ids))
	for _, k := range ids {
		if r, ok := byID[k]; ok {
			out = append(out, r)
		}
	}
	return out
}

// caseWithOrgsRow is a case row with its owner's and target's org rows, scanned by casesByID from
// listedCaseColumns in that order.
type caseWithOrgsRow struct {
	Case   caseRow
	Owner  orgRow
	Target orgRow
}

// listedCaseColumns is what casesByID selects: the case's columns, then its owner's and target's.
var listedCaseColumns = "cases." + strings.Join(caseColumns, ", cases.") + ", " + orgColumns("oo", "oo_") + ", " + orgColumns("tt", "tt_")

// orgColumns selects the org row of alias a with its columns renamed by prefix.
func orgColumns(a, prefix string) string {
	return columnsAs(a, prefix, orgRowColumns...)
}

// A page of the case list reads its rows by hand (casesByID): gorm's reflection over 52 columns of 50
// rows, a pointer made for every field, was 27 % of a list request's time on PostgreSQL and most of
// what the list spent beyond its floor. caseColumns and orgRowColumns are the columns of caseRow and
// orgRow in their fields' order, and dests the fields in that order; TestRowColumnsMatch holds them to
// gorm's own reading of the structs.
var caseColumns = []string{"id", "number", "year", "seq", "type", "kind", "owner_org_id", "owner_path", "target_org_id",
	"target_path", "title", "planned_on", "status", "version", "created_by", "created_at", "started_at", "preliminary_at",
	"issued_at", "closed_at", "objection_deadline", "acknowledged", "review_submitted_by", "issued_by",
	"rectification_submitted_by", "recheck_failures", "cancel_reason", "return_comment", "updated_at", "unannounced",
	"unannounced_reason", "notice_sent_at", "self_evaluation_due", "preliminary_opinion", "evaluation", "copy_to"}

func (r *caseRow) dests() []any {
	return []any{&r.ID, &r.Number, &r.Year, &r.Seq, &r.Type, &r.Kind, &r.OwnerOrgID, &r.OwnerPath, &r.TargetOrgID,
		&r.TargetPath, &r.Title, &r.PlannedOn, &r.Status, &r.Version, &r.CreatedBy, &r.CreatedAt, &r.StartedAt, &r.PreliminaryAt,
		&r.IssuedAt, &r.ClosedAt, &r.ObjectionDeadline, &r.Acknowledged, &r.ReviewSubmittedBy, &r.IssuedBy,
		&r.RectificationSubmittedBy, &r.RecheckFailures, &r.CancelReason, &r.ReturnComment, &r.UpdatedAt, &r.Unannounced,
		&r.UnannouncedReason, &r.NoticeSentAt, &r.SelfEvaluationDue, &r.PreliminaryOpinion, &r.Evaluation, &r.CopyTo}
}

var orgRowColumns = []string{"id", "code", "name", "kind", "parent_id", "path", "created_at", "full_name"}

func (r *orgRow) dests() []any {
	return []any{&r.ID, &r.Code, &r.Name, &r.Kind, &r.ParentID, &r.Path, &r.CreatedAt, &r.FullName}
}

// columnsAs selects cols of alias a renamed by prefix, for a row embedded with that prefix.
func columnsAs(a, prefix string, cols ...string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = a + "." + c + " AS " + prefix + c
	}
	return strings.Join(out, ", ")
}

// casesOf turns rows into cases with their orgs, loaded in one query.
func (db *DB) casesOf(ctx context.Context, rows []caseRow) ([]domain.Case, error) {
	ids := make([]int64, 0, 2*len(rows))
	for _, r := range rows {
		ids = append(ids, r.OwnerOrgID, r.TargetOrgID)
	}
	orgs, err := db.accOrgs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Case, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(orgs[r.OwnerOrgID], orgs[r.TargetOrgID])
	}
	return out, nil
}

// summaryRow is a case row with the counts of its parts and its inspectors, read in the same query.
type summaryRow struct {
	Case           caseRow `gorm:"embedded"`
	FindingCount   int
	SubmittedCount int
	PendingCount   int
	OverdueCount   int
	OldestOverdue  *string
	InspectorList  *string
}

// CaseSummaries reads the first f.PerPage cases of the filter with their counts: the ids from the
// scopes' index ranges, then those cases with their parts counted, in one query.
func (db *DB) CaseSummaries(ctx context.Context, f domain.CaseFilter) ([]domain.CaseSummary, error) {
	per := f.PerPage
	if per <= 0 {
		per = 20
	}
	f, err := db.rootScopes(ctx, f)
	if err != nil {
		return nil, err
	}
	walks, err := db.walks(ctx, f)
	if err != nil {
		return nil, err
	}
	ids, _, err := db.caseIDsPage(ctx, f, walks, per, nil, 0)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	agg := "(SELECT group_concat(ci.user_id) FROM case_inspectors ci WHERE ci.case_id = c.id)"
	if db.dialect == Postgres {
		agg = "(SELECT string_agg(ci.user_id::text, ',') FROM case_inspectors ci WHERE ci.case_id = c.id)"
	}
	today := string(f.Today)
	var rows []summaryRow
	err = db.conn(ctx).Table("cases AS c").Where("c.id IN ?", ids).Select(`c.*,
		(SELECT COUNT(*) FROM findings f1 WHERE f1.case_id = c.id) AS finding_count,
		(SELECT COUNT(*) FROM findings f2 WHERE f2.case_id = c.id AND f2.status = 'submitted') AS submitted_count,
		(SELECT COUNT(*) FROM objections o1 WHERE o1.case_id = c.id AND o1.status = 'pending') AS pending_count,
		(SELECT COUNT(*) FROM findings f3 WHERE f3.case_id = c.id AND f3.status IN ('open', 'failed') AND f3.due_on <> '' AND f3.due_on < ?) AS overdue_count,
		(SELECT MIN(f4.due_on) FROM findings f4 WHERE f4.case_id = c.id AND f4.status IN ('open', 'failed') AND f4.due_on <> '' AND f4.due_on < ?) AS oldest_overdue,
		`+agg+` AS inspector_list`, today, today).
		Order("c.created_at DESC, c.id DESC").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "案件", "case summaries")
	}
	plain := make([]caseRow, len(rows))
	for i, r := range rows {
		plain[i] = r.Case
	}
	cases, err := db.casesOf(ctx, plain)
	if err != nil {
		return nil, err
	}
	out := make([]domain.CaseSummary, len(rows))
	for i, r := range rows {
		s := domain.CaseSummary{Case: cases[i], FindingCount: r.FindingCount, SubmittedCount: r.SubmittedCount,
			PendingObjectionCount: r.PendingCount, OverdueCount: r.OverdueCount}
		if r.OldestOverdue != nil {
			s.OldestOverdue = domain.Date(*r.OldestOverdue)
		}
		if r.InspectorList != nil {
			for _, p := range strings.Split(*r.InspectorList, ",") {
				if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil {
					s.InspectorIDs = append(s.InspectorIDs, id)
				}
			}
			slices.Sort(s.InspectorIDs)
		}
		out[i] = s
	}
	return out, nil
}

// CaseCounts reads how many cases the scopes hold by status (kept counts), and counts those overdue
// as of today up to ListCap.
func (db *DB) CaseCounts(ctx context.Context, scopes []domain.Jurisdiction, today domain.Date) (map[domain.Status]int, int, error) {
	f, err := db.rootScopes(ctx, domain.CaseFilter{Scopes: scopes})
	if err != nil {
		return nil, 0, err
	}
	var rows []struct {
		Status string
		N      int
	}
	if err := db.writeKept(ctx); err != nil {
		return nil, 0, err
	}
	if err := db.conn(ctx).Table("case_counts").Where("scope_path IN ?", pathStrings(foldScopes(f.Scopes))).
		Select("status, SUM(n) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, 0, translate(err, "案件", "read case counts")
	}
	by := map[domain.Status]int{}
	for _, r := range rows {
		by[domain.Status(r.Status)] = r.N
	}
	f.Overdue, f.Today = true, today
	walks, err := db.walks(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	overdue, _, err := db.caseTotal(ctx, f, walks)
	return by, overdue, err
}

// migrationCaseTarget indexes a unit's own cases by status. A school's or a district office's home
// asks for its findings in rectification (FindingsToRectify): without it SQLite walked every case in
// rectification in the whole database (cases_status) to keep the unit's — 18,000 of them at province
// scale, ≈ 100 ms a home page. With it the plan is SEARCH c USING INDEX cases_target_status
// (target_org_id=? AND status=?), then the findings of those cases by findings_case_due.
var migrationCaseTarget = migration{14, "cases by target and status", `
CREATE INDEX cases_target_status ON cases(target_org_id, status)
`}

// FindingsToRectify lists the findings the target org still has to rectify in cases being rectified.
func (db *DB) FindingsToRectify(ctx context.Context, targetOrgID int64, limit int) ([]domain.FindingDue, int, error) {
	// CROSS JOIN keeps SQLite's loops in this order: the unit's cases first (a handful), then their
	// findings; left to itself it may start from every open finding in the database.
	q := db.conn(ctx).Table("cases AS c CROSS JOIN findings AS f").
		Where("f.case_id = c.id AND c.target_org_id = ? AND c.status = 'rectifying' AND f.status IN ('open', 'failed')", targetOrgID)
	return findingsDue(q, false, limit, "findings to rectify")
}

// FindingsToChase reads the cases being rectified under the scopes from case_scopes (one index range of
// case_scopes_status per scope: the cases in rectification there, not the scope's history) and their
// open findings through findings_case_due; only those are sorted.
func (db *DB) FindingsToChase(ctx context.Context, scopes []domain.Jurisdiction, exceptOrgID int64, limit int) ([]domain.FindingDue, int, error) {
	if len(scopes) == 0 {
		return nil, 0, nil
	}
	q := db.conn(ctx).Table("case_scopes AS cs").Joins("JOIN cases c ON c.id = cs.case_id").Joins("JOIN findings f ON f.case_id = cs.case_id").
		Joins("JOIN orgs o ON o.id = c.target_org_id").
		Where("cs.scope_path IN ? AND cs.status = 'rectifying' AND f.status IN ('open', 'failed') AND c.target_org_id <> ?",
			pathStrings(foldScopes(scopes)), exceptOrgID)
	return findingsDue(q, true, limit, "findings to chase")
}

// findingsDue counts the findings q selects (over cases c and findings f, and orgs o when target) and
// lists up to limit of them, earliest due first (those without a due date last).
func findingsDue(q *gorm.DB, target bool, limit int, what string) ([]domain.FindingDue, int, error) {
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "问题", "count "+what)
	}
	if limit <= 0 {
		return nil, int(total), nil
	}
	var rows []struct {
		CaseID     int64
		CaseNumber string
		CaseTitle  string
		FindingID  int64
		Title      string
		Status     string
		DueOn      string
		TargetName string
	}
	sel := "c.id AS case_id, c.number AS case_number, c.title AS case_title, f.id AS finding_id, f.title AS title, f.status AS status, f.due_on AS due_on"
	if target {
		sel += ", o.name AS target_name"
	}
	if err := q.Select(sel).Order("CASE WHEN f.due_on = '' THEN 1 ELSE 0 END, f.due_on, f.id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "问题", "list "+what)
	}
	out := make([]domain.FindingDue, len(rows))
	for i, r := range rows {
		out[i] = domain.FindingDue{CaseID: r.CaseID, CaseNumber: r.CaseNumber, CaseTitle: r.CaseTitle, FindingID: r.FindingID,
			Title: r.Title, Status: domain.FindingStatus(r.Status), DueOn: domain.Date(r.DueOn), TargetName: r.TargetName}
	}
	return out, int(total), nil
}

// GetEvidence loads one evidence record.
func (db *DB) GetEvidence(ctx context.Context, id int64) (domain.Evidence, error) {
	var r evidenceRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.Evidence{}, translate(err, "佐证材料", "get evidence")
	}
	return r.toDomain(), nil
}

var _ domain.CaseRepo = (*DB)(nil)
