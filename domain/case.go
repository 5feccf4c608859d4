package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// CaseType is which of the three statutory duties (三位一体) a case serves (SPEC §2).
type CaseType string

const (
	CaseGovernment CaseType = "government" // 督政: a district or city government's education duties
	CaseSchool     CaseType = "school"     // 督学: a school's management
	CaseMonitoring CaseType = "monitoring" // 评估监测
)

// CaseTypes lists every case type in display order.
var CaseTypes = []CaseType{CaseGovernment, CaseSchool, CaseMonitoring}

// Valid reports whether t is a known case type.
func (t CaseType) Valid() bool {
	switch t {
	case CaseGovernment, CaseSchool, CaseMonitoring:
		return true
	}
	return false
}

// Label is the Chinese name of t.
func (t CaseType) Label() string {
	switch t {
	case CaseGovernment:
		return "督政"
	case CaseSchool:
		return "督学"
	case CaseMonitoring:
		return "评估监测"
	}
	return string(t)
}

// numberWord is the word a case number carries for t (乌督政, 乌督学, 乌监测).
func (t CaseType) numberWord() string {
	if t == CaseMonitoring {
		return "监测"
	}
	return t.Label()
}

// CaseKind is how a supervision is run (SPEC §2).
type CaseKind string

const (
	KindComprehensive CaseKind = "comprehensive" // 综合督导
	KindSpecial       CaseKind = "special"       // 专项督导
	KindRoutine       CaseKind = "routine"       // 经常性督导（挂牌督导，责任督学的日常督导）
	KindRandom        CaseKind = "random"        // 双随机抽查
	KindFollowup      CaseKind = "followup"      // 回头看
)

// CaseKinds lists every case kind in display order.
var CaseKinds = []CaseKind{KindComprehensive, KindSpecial, KindRoutine, KindRandom, KindFollowup}

// Valid reports whether k is a known case kind.
func (k CaseKind) Valid() bool {
	switch k {
	case KindComprehensive, KindSpecial, KindRoutine, KindRandom, KindFollowup:
		return true
	}
	return false
}

// Label is the Chinese name of k.
func (k CaseKind) Label() string {
	switch k {
	case KindComprehensive:
		return "综合督导"
	case KindSpecial:
		return "专项督导"
	case KindRoutine:
		return "经常性督导"
	case KindRandom:
		return "双随机抽查"
	case KindFollowup:
		return "回头看"
	}
	return string(k)
}

// FindingStatus is where one line of the 问题清单 stands.
type FindingStatus string

const (
	FindingOpen      FindingStatus = "open"      // to be rectified
	FindingWithdrawn FindingStatus = "withdrawn" // dropped after an upheld objection
	FindingSubmitted FindingStatus = "submitted" // rectification submitted, awaiting recheck
	FindingPassed    FindingStatus = "passed"    // recheck passed
	FindingFailed    FindingStatus = "failed"    // recheck failed: to be rectified again by a new date
)

// FindingStatuses lists every finding status in display order.
var FindingStatuses = []FindingStatus{FindingOpen, FindingWithdrawn, FindingSubmitted, FindingPassed, FindingFailed}

// Valid reports whether s is a known finding status.
func (s FindingStatus) Valid() bool {
	switch s {
	case FindingOpen, FindingWithdrawn, FindingSubmitted, FindingPassed, FindingFailed:
		return true
	}
	return false
}

// Label is the Chinese name of s.
func (s FindingStatus) Label() string {
	switch s {
	case FindingOpen:
		return "待整改"
	case FindingWithdrawn:
		return "已撤回"
	case FindingSubmitted:
		return "待复查"
	case FindingPassed:
		return "复查通过"
	case FindingFailed:
		return "复查未通过"
	}
	return string(s)
}

// ToRectify reports whether the target still has to rectify a finding in status s (open, or failed at recheck).
func (s FindingStatus) ToRectify() bool { return s == FindingOpen || s == FindingFailed }

// Outstanding reports whether a finding in status s keeps its case from closing.
func (s FindingStatus) Outstanding() bool { return s.ToRectify() || s == FindingSubmitted }

// ObjectionStatus is where an objection (申辩) stands.
type ObjectionStatus string

const (
	ObjectionPending  ObjectionStatus = "pending"  // awaiting the director's ruling
	ObjectionUpheld   ObjectionStatus = "upheld"   // accepted: the finding is withdrawn
	ObjectionRejected ObjectionStatus = "rejected" // rejected, with a reason
)

// Valid reports whether s is a known objection status.
func (s ObjectionStatus) Valid() bool {
	switch s {
	case ObjectionPending, ObjectionUpheld, ObjectionRejected:
		return true
	}
	return false
}

// Label is the Chinese name of s.
func (s ObjectionStatus) Label() string {
	switch s {
	case ObjectionPending:
		return "待裁定"
	case ObjectionUpheld:
		return "申辩成立"
	case ObjectionRejected:
		return "申辩不成立"
	}
	return string(s)
}

// Case is a supervision case (督导案件), the aggregate every finding, objection, measure, piece of
// evidence and recheck belongs to. Its state changes only through the guarded methods of case_status.go
// and the methods below, none of which does I/O; each change bumps Version.
type Case struct {
	ID        int64
	Number    string // 乌督学〔2026〕12号, allocated by storage (AssignNumber)
	Year      int
	Seq       int
	Type      CaseType
	Kind      CaseKind
	OwnerOrg  Org // the supervision office that opened the case
	TargetOrg Org // the inspected unit
	Title     string

	InspectorIDs []int64
	PlannedOn    Date // "" when not planned for a day
	Status       Status
	Version      int

	CreatedBy         int64
	CreatedAt         time.Time
	StartedAt         *time.Time
	PreliminaryAt     *time.Time
	IssuedAt          *time.Time
	ClosedAt          *time.Time
	ObjectionDeadline *time.Time // the instant the objection window closes; set by SubmitPreliminary

	Acknowledged             bool  // the target confirmed the preliminary opinion, waiving the rest of the window
	ReviewSubmittedBy        int64 // the author of the report, who may not issue it
	IssuedBy                 int64
	RectificationSubmittedBy int64 // who may not recheck it
	RecheckFailures          int   // how many times recheck sent the case back to rectifying

	CancelReason  string
	ReturnComment string // the director's comment when the report was last returned

	Findings   []Finding
	Objections []Objection
	Rechecks   []Recheck
	// Evidence holds files not tied to a finding; a finding's files are in its own Evidence.
	Evidence []Evidence
	// Scoring is the framework the inspection was scored with, nil when none (case_scoring.go).
	Scoring *Scoring

	// Issue 12: the case as paperwork. The 专项/综合 procedure (R7, R20, R47): an unannounced
	// (四不两直) case has no 督导通知 and says why; otherwise NoticeSentAt is when the latest notice went
	// out and SelfEvaluationDue the day a requested 自评报告 is due ("" when none was asked for).
	Unannounced        bool
	UnannouncedReason  string
	NoticeSentAt       *time.Time
	SelfEvaluationDue  Date
	PreliminaryOpinion string   // the team's own words in the 初步督导意见 (R8)
	Evaluation         string   // the 总体评价 of the 意见书 (R9), entered at issue
	CopyTo             []string // the 意见书's 抄送, entered at issue
	// Documents are the case's documents as issued (notice, preliminary opinion, 意见书, 督导报告 and
	// corrections), oldest first. A loaded case holds their metadata only; new ones carry Content until
	// saved.
	Documents []CaseDocument
	// Notes say what the last step adjusted on its own (a deadline moved off a holiday), for the caller
	// to show; they are not stored.
	Notes []string
	// touched is the finding the last step added, or made critical, for whom to tell; not stored.
	touched *Finding
}

// Finding is one line of the 问题清单.
type Finding struct {
	ID          int64
	CaseID      int64
	Title       string
	Description string
	Severity    Severity
	Category    string
	ItemCode    string // optional framework item code
	// Requirement is the 整改要求和建议 of the 意见书 for this problem (R9): entered with the finding,
	// editable until issue.
	Requirement string
	DueOn       Date // set when the case is issued, moved by a failed recheck
	Status      FindingStatus
	Measures    []Measure
	Evidence    []Evidence
}

// Measure is a rectification measure (措施) with who answers for it (责任人, 责任单位).
type Measure struct {
	ID                int64
	FindingID         int64
	Description       string
	ResponsiblePerson string
	ResponsibleUnit   string
	DueOn             Date
	// LateReason says why the measure is due after its finding's deadline; required then.
	LateReason string
	CreatedBy  int64
	CreatedAt  time.Time
}

// Evidence is the metadata of an uploaded file; the file itself is stored by its sha256 (SPEC §2.2).
type Evidence struct {
	ID          int64
	CaseID      int64
	FindingID   *int64
	SHA256      string
	Size        int64
	ContentType string
	Note        string
	CapturedAt  *time.Time // as the client claims
	Lat, Lng    *float64
	UploadedBy  int64
	UploadedAt  time.Time // server time
	Reused      bool      // the same file was seen before, on this case or another one
	// ObjectionID names the objection a file supports (an attachment of the 申辩).
	ObjectionID *int64
	Purpose     EvidencePurpose
	// ReusedOf is the first upload of the same file and ReusedWhere where it was seen (the case and
	// the item), as found at upload.
	ReusedOf    *int64
	ReusedWhere string
}

// EvidencePurpose says what a file was uploaded for, by the step the case was in.
type EvidencePurpose string

const (
	PurposeSelfEvaluation EvidencePurpose = "self_evaluation" // the target's 自评报告 before the visit (R7)
	PurposeInspection     EvidencePurpose = "inspection"      // the team's record of the visit
	PurposeObjection      EvidencePurpose = "objection"       // an attachment of the target's 申辩
	PurposeRectification  EvidencePurpose = "rectification"   // the target's proof of rectification
)

// Label is the Chinese name of p.
func (p EvidencePurpose) Label() string {
	switch p {
	case PurposeSelfEvaluation:
		return "自评报告"
	case PurposeInspection:
		return "督导现场材料"
	case PurposeObjection:
		return "申辩附件"
	case PurposeRectification:
		return "整改佐证材料"
	}
	return "材料"
}

// EvidenceSighting is the first upload of a file: where a file uploaded again was seen before.
type EvidenceSighting struct {
	EvidenceID   int64
	CaseID       int64
	CaseNumber   string
	FindingTitle string // "" for a file of the case as a whole
	Purpose      EvidencePurpose
	UploadedAt   time.Time
}

// Where says in Chinese where the file was seen first: the case and the item.
func (s EvidenceSighting) Where() string {
	item := s.Purpose.Label()
	if s.FindingTitle != "" {
		item = "问题「" + s.FindingTitle + "」的" + item
	}
	return fmt.Sprintf("首见于案件%s%s（%s上传）", s.CaseNumber, item, DateOf(s.UploadedAt))
}

// Objection is the target's 申辩 against the preliminary opinion or one finding of it.
type Objection struct {
	ID        int64
	CaseID    int64
	FindingID *int64 // nil: against the opinion as a whole
	Text      string
	Status    ObjectionStatus
	Reason    string // the ruling's reason
	FiledBy   int64
	FiledAt   time.Time
	RuledBy   int64
	RuledAt   *time.Time
}

// Recheck is the result of rechecking one finding in one round.
type Recheck struct {
	ID        int64
	CaseID    int64
	FindingID int64
	Round     int
	Passed    bool
	Comment   string
	NewDueOn  Date // for a failed finding
	By        int64
	At        time.Time
}

const (
	maxTitle = 200
	maxText  = 2000
)

// NewCase opens a planned case owned by the actor's org. Numbering is left to storage (AssignNumber),
// which must allocate without duplicates under concurrency. Whether the inspectors are supervisors in
// scope is the caller's to check; here they only have to be given.
func NewCase(by Actor, owner, target Org, t CaseType, k CaseKind, title string, inspectorIDs []int64, plannedOn Date, now time.Time) (*Case, error) {
	if by.Org.ID != owner.ID {
		return nil, Errorf(EFORBIDDEN, "只能以本单位（%s）的名义开立督导案件。", by.Org.Name)
	}
	fields := map[string]string{}
	title = strings.TrimSpace(title)
	if n := utf8.RuneCountInString(title); n == 0 || n > maxTitle {
		fields["title"] = "标题为必填项，且不超过200个字。"
	}
	if !t.Valid() {
		fields["type"] = "督导类型应为督政、督学或评估监测。"
	}
	if !k.Valid() {
		fields["kind"] = "督导方式应为综合督导、专项督导、经常性督导、双随机抽查或回头看。"
	}
	switch {
	case !owner.Path.Covers(target.Path) || owner.ID == target.ID:
		fields["target_org_id"] = "被督导单位须在本单位管辖范围之内，且不能是本单位。"
	case t == CaseGovernment && target.Kind != OrgDistrict && target.Kind != OrgCity:
		fields["target_org_id"] = "督政案件的被督导单位应为区（县）或市。"
	case t == CaseSchool && target.Kind != OrgSchool:
		fields["target_org_id"] = "督学案件的被督导单位应为学校。"
	case t == CaseMonitoring && target.Kind != OrgDistrict && target.Kind != OrgCity && target.Kind != OrgSchool:
		fields["target_org_id"] = "评估监测案件的被督导单位应为区（县）、市或学校。"
	}
	var inspectors []int64
	seen := map[int64]bool{}
	badID := false
	for _, id := range inspectorIDs {
		if id <= 0 {
			badID = true
			continue
		}
		if !seen[id] {
			seen[id] = true
			inspectors = append(inspectors, id)
		}
	}
	switch {
	case badID:
		fields["inspector_ids"] = "督学编号无效。"
	case len(inspectors) == 0:
		fields["inspector_ids"] = "请至少指定一名督学。"
	}
	if plannedOn != "" {
		switch {
		case !plannedOn.Valid():
			fields["planned_on"] = "计划日期格式应为YYYY-MM-DD。"
		case plannedOn.Before(DateOf(now)):
			fields["planned_on"] = "计划日期不能早于今天。"
		}
	}
	if len(fields) > 0 {
		return nil, FieldError("督导案件信息有误。", fields)
	}
	return &Case{
		Year:         now.In(CST).Year(),
		Type:         t,
		Kind:         k,
		OwnerOrg:     owner,
		TargetOrg:    target,
		Title:        title,
		InspectorIDs: inspectors,
		PlannedOn:    plannedOn,
		Status:       StatusPlanned,
		Version:      1,
		CreatedBy:    by.UserID,
		CreatedAt:    now,
	}, nil
}

// FormatCaseNumber is a case's human number, e.g. 乌督学〔2026〕12号: the owner's short name (the first
// character of a city's or region's name, the first two otherwise), the type word, the year and the
// sequence number within the owner, type and year.
func FormatCaseNumber(owner Org, t CaseType, year, seq int) string {
	n := 2
	if owner.Kind == OrgCity || owner.Kind == OrgRegion {
		n = 1
	}
	r := []rune(owner.Name)
	if len(r) > n {
		r = r[:n]
	}
	return fmt.Sprintf("%s%s〔%d〕%d号", string(r), t.numberWord(), year, seq)
}

// AssignNumber gives the case sequence number seq of its owner, type and year.
func (c *Case) AssignNumber(seq int) {
	c.Seq = seq
	c.Number = FormatCaseNumber(c.OwnerOrg, c.Type, c.Year, seq)
}

// IsInspector reports whether user is one of the case's inspectors.
func (c *Case) IsInspector(userID int64) bool {
	for _, id := range c.InspectorIDs {
		if id == userID {
			return true
		}
	}
	return false
}

// Finding returns the finding with the given id, or nil.
func (c *Case) Finding(id int64) *Finding {
	for i := range c.Findings {
		if c.Findings[i].ID == id {
			return &c.Findings[i]
		}
	}
	return nil
}

// Objection returns the objection with the given id, or nil.
func (c *Case) Objection(id int64) *Objection {
	for i := range c.Objections {
		if c.Objections[i].ID == id {
			return &c.Objections[i]
		}
	}
	return nil
}

// Outstanding counts the findings that keep the case from closing (open, submitted or failed).
func (c *Case) Outstanding() int {
	n := 0
	for _, f := range c.Findings {
		if f.Status.Outstanding() {
			n++
		}
	}
	return n
}

// PendingObjections counts the objections not yet ruled on.
func (c *Case) PendingObjections() int {
	n := 0
	for _, o := range c.Objections {
		if o.Status == ObjectionPending {
			n++
		}
	}
	return n
}

// ObjectionWindowOpen reports whether the target may still object at now: the preliminary opinion has
// been sent, the deadline has not passed and the target has not waived the rest of the window.
func (c *Case) ObjectionWindowOpen(now time.Time) bool {
	return c.Status == StatusFeedback && c.ObjectionDeadline != nil && now.Before(*c.ObjectionDeadline) && !c.Acknowledged
}

// onTeam reports whether by works the inspection: one of its inspectors or a user of the owner org.
func (c *Case) onTeam(by Actor) bool {
	return by.Org.ID == c.OwnerOrg.ID || c.IsInspector(by.UserID)
}

// ofTarget reports whether by's own org is the target (not merely above it: SPEC §1).
func (c *Case) ofTarget(by Actor) bool { return by.Org.ID == c.TargetOrg.ID }

func (c *Case) label() string {
	if c.Number != "" {
		return c.Number
	}
	if c.ID != 0 {
		return fmt.Sprintf("#%d", c.ID)
	}
	return ""
}

// wrongState is the error for doing what (a Chinese verb phrase) in the case's current state.
func (c *Case) wrongState(what string) *Error {
	return Errorf(ECONFLICT, "案件%s当前状态为「%s」，不能%s。", c.label(), c.Status.Label(), what)
}

// FindingInput is what an inspector records of a finding.
type FindingInput struct {
	Title       string
	Description string
	Severity    Severity
	Category    string // "" for the rules' default
	ItemCode    string
	Requirement string // 整改要求和建议 (R9), optional
}

// finding checks in and returns the finding it describes, or the field errors.
func (in FindingInput) finding(r Rules) (Finding, error) {
	fields := map[string]string{}
	f := Finding{
		Title:       strings.TrimSpace(in.Title),
		Description: strings.TrimSpace(in.Description),
		Severity:    in.Severity,
		Category:    r.CategoryOrDefault(in.Category),
		ItemCode:    strings.TrimSpace(in.ItemCode),
		Requirement: strings.TrimSpace(in.Requirement),
	}
	if n := utf8.RuneCountInString(f.Title); n == 0 || n > maxTitle {
		fields["title"] = "问题标题为必填项，且不超过200个字。"
	}
	if utf8.RuneCountInString(f.Description) > maxText {
		fields["description"] = "问题描述不超过2000个字。"
	}
	if !f.Severity.Valid() {
		fields["severity"] = "严重程度应为一般、较重或重大。"
	}
	if !r.ValidCategory(f.Category) {
		fields["category"] = "问题类别无效。"
	}
	if utf8.RuneCountInString(f.Requirement) > maxText {
		fields["requirement"] = "整改要求和建议不超过2000个字。"
	}
	if len(f.ItemCode) > 64 {
		fields["item_code"] = "指标代码不超过64个字符。"
	}
	if len(fields) > 0 {
		return Finding{}, FieldError("问题信息有误。", fields)
	}
	return f, nil
}

// CanEditFindings reports whether by may record, change or remove findings now: while inspecting,
// by an inspector of the case or a user of the owner org (roles are the authorizer's).
func (c *Case) CanEditFindings(by Actor) error {
	if c.Status != StatusInspecting {
		return c.wrongState("编辑问题清单")
	}
	if !c.onTeam(by) {
		return Errorf(EFORBIDDEN, "只有本案督导组成员或%s的人员才能编辑问题清单。", c.OwnerOrg.Name)
	}
	return nil
}

// AddFinding records a finding. The result points into c; storage fills in its ID when the case is saved.
func (c *Case) AddFinding(by Actor, now time.Time, r Rules, in FindingInput) (*Finding, error) {
	if err := c.CanEditFindings(by); err != nil {
		return nil, err
	}
	f, err := in.finding(r)
	if err != nil {
		return nil, err
	}
	f.CaseID = c.ID
	f.Status = FindingOpen
	c.Findings = append(c.Findings, f)
	c.Version++
	c.touched = &c.Findings[len(c.Findings)-1]
	return c.touched, nil
}

// UpdateFinding replaces what was recorded of a finding; its status, measures and evidence stay.
func (c *Case) UpdateFinding(by Actor, now time.Time, r Rules, findingID int64, in FindingInput) (*Finding, error) {
	if err := c.CanEditFindings(by); err != nil {
		return nil, err
	}
	f := c.Finding(findingID)
	if f == nil {
		return nil, Errorf(ENOTFOUND, "问题不存在。")
	}
	nf, err := in.finding(r)
	if err != nil {
		return nil, err
	}
	c.touched = nil
	became := nf.Severity == SeverityCritical && f.Severity != SeverityCritical
	f.Title, f.Description, f.Severity, f.Category, f.ItemCode = nf.Title, nf.Description, nf.Severity, nf.Category, nf.ItemCode
	f.Requirement = nf.Requirement
	c.Version++
	if became { // told once, when it becomes critical (R34)
		c.touched = f
	}
	return f, nil
}

// RemoveFinding deletes a finding recorded in error. One that an objection or a file refers to stays,
// so that the record of the objection and the evidence is kept: edit it instead.
func (c *Case) RemoveFinding(by Actor, now time.Time, findingID int64) error {
	if err := c.CanEditFindings(by); err != nil {
		return err
	}
	i := -1
	for j := range c.Findings {
		if c.Findings[j].ID == findingID {
			i = j
		}
	}
	if i < 0 {
		return Errorf(ENOTFOUND, "问题不存在。")
	}
	for _, o := range c.Objections {
		if o.FindingID != nil && *o.FindingID == findingID {
			return Errorf(ECONFLICT, "问题「%s」已有申辩记录，不能删除，可以修改。", c.Findings[i].Title)
		}
	}
	if len(c.Findings[i].Evidence) > 0 {
		return Errorf(ECONFLICT, "问题「%s」已有佐证材料，不能删除，可以修改。", c.Findings[i].Title)
	}
	c.Findings = append(c.Findings[:i], c.Findings[i+1:]...)
	c.Version++
	return nil
}

// CanFileObjection reports whether by may object now: in feedback, before the deadline, before the target
// acknowledged, and only a user of the target org itself.
func (c *Case) CanFileObjection(by Actor, now time.Time) error {
	if c.Status != StatusFeedback {
		return c.wrongState("提出申辩")
	}
	if c.Acknowledged {
		return Errorf(ECONFLICT, "被督导单位已确认初步督导意见，不能再提出申辩。")
	}
	if c.ObjectionDeadline == nil || !now.Before(*c.ObjectionDeadline) {
		return Errorf(ECONFLICT, "申辩期已届满，不能再提出申辩。")
	}
	if !c.ofTarget(by) {
		return Errorf(EFORBIDDEN, "只有被督导单位（%s）本单位的用户才能提出申辩。", c.TargetOrg.Name)
	}
	return nil
}

// FileObjection records the target's objection to the whole opinion (findingID nil) or to one finding.
// The result points into c; storage fills in its ID when the case is saved.
func (c *Case) FileObjection(by Actor, now time.Time, findingID *int64, text string) (*Objection, error) {
	if err := c.CanFileObjection(by, now); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n == 0 || n > maxText {
		fields["text"] = "申辩内容为必填项，且不超过2000个字。"
	}
	var fid *int64
	if findingID != nil {
		f := c.Finding(*findingID)
		if f == nil || f.Status == FindingWithdrawn {
			fields["finding_id"] = "所申辩的问题不存在或已撤回。"
		} else {
			id := f.ID
			fid = &id
		}
	}
	if len(fields) > 0 {
		return nil, FieldError("申辩信息有误。", fields)
	}
	c.Objections = append(c.Objections, Objection{
		CaseID:    c.ID,
		FindingID: fid,
		Text:      text,
		Status:    ObjectionPending,
		FiledBy:   by.UserID,
		FiledAt:   now,
	})
	c.Version++
	return &c.Objections[len(c.Objections)-1], nil
}

// CanRuleObjections reports whether objections may be ruled on now: until the opinion is issued (that
// only a director over the owner rules is the authorizer's).
func (c *Case) CanRuleObjections(by Actor) error {
	if c.Status != StatusFeedback && c.Status != StatusReview {
		return c.wrongState("裁定申辩")
	}
	return nil
}

// RuleObjection decides an objection. An upheld objection against a finding withdraws the finding;
// a rejected one needs a reason.
func (c *Case) RuleObjection(by Actor, now time.Time, objectionID int64, upheld bool, reason string) error {
	if err := c.CanRuleObjections(by); err != nil {
		return err
	}
	o := c.Objection(objectionID)
	if o == nil {
		return Errorf(ENOTFOUND, "申辩不存在。")
	}
	if o.Status != ObjectionPending {
		return Errorf(ECONFLICT, "该申辩已裁定为「%s」，不能重复裁定。", o.Status.Label())
	}
	reason = strings.TrimSpace(reason)
	if !upheld && reason == "" {
		return FieldError("请填写驳回理由。", map[string]string{"reason": "驳回申辩须说明理由。"})
	}
	if utf8.RuneCountInString(reason) > maxText {
		return FieldError("裁定信息有误。", map[string]string{"reason": "理由不超过2000个字。"})
	}
	o.Status = ObjectionRejected
	if upheld {
		o.Status = ObjectionUpheld
		if o.FindingID != nil {
			if f := c.Finding(*o.FindingID); f != nil {
				f.Status = FindingWithdrawn
			}
		}
	}
	o.Reason = reason
	o.RuledBy = by.UserID
	o.RuledAt = &now
	c.Version++
	return nil
}

// MeasureInput is a rectification measure as the target enters it.
type MeasureInput struct {
	Description       string
	ResponsiblePerson string
	ResponsibleUnit   string
	DueOn             Date
	LateReason        string // why it is due after the finding's deadline; required then
}

// CanAddMeasures reports whether by may add rectification measures now: while rectifying, a user of the
// target org itself.
func (c *Case) CanAddMeasures(by Actor) error {
	if c.Status != StatusRectifying {
		return c.wrongState("填报整改措施")
	}
	if !c.ofTarget(by) {
		return Errorf(EFORBIDDEN, "只有被督导单位（%s）本单位的用户才能填报整改措施。", c.TargetOrg.Name)
	}
	return nil
}

// AddMeasure adds a rectification measure to a finding still to be rectified. A due date on a weekend
// or holiday moves to the next working day (and c.Notes says so); one after the finding's own deadline
// needs a stated reason. The result points into c; storage fills in its ID when the case is saved.
func (c *Case) AddMeasure(by Actor, now time.Time, r Rules, findingID int64, in MeasureInput) (*Measure, error) {
	if err := c.CanAddMeasures(by); err != nil {
		return nil, err
	}
	c.Notes = nil
	f := c.Finding(findingID)
	if f == nil {
		return nil, Errorf(ENOTFOUND, "问题不存在。")
	}
	if !f.Status.ToRectify() {
		return nil, Errorf(ECONFLICT, "问题「%s」当前为「%s」，不能再填报整改措施。", f.Title, f.Status.Label())
	}
	m := Measure{
		FindingID:         f.ID,
		Description:       strings.TrimSpace(in.Description),
		ResponsiblePerson: strings.TrimSpace(in.ResponsiblePerson),
		ResponsibleUnit:   strings.TrimSpace(in.ResponsibleUnit),
		DueOn:             in.DueOn,
		LateReason:        strings.TrimSpace(in.LateReason),
		CreatedBy:         by.UserID,
		CreatedAt:         now,
	}
	fields := map[string]string{}
	if n := utf8.RuneCountInString(m.Description); n == 0 || n > maxText {
		fields["description"] = "整改措施为必填项，且不超过2000个字。"
	}
	if n := utf8.RuneCountInString(m.ResponsiblePerson); n == 0 || n > 50 {
		fields["responsible_person"] = "责任人为必填项，且不超过50个字。"
	}
	if utf8.RuneCountInString(m.ResponsibleUnit) > 100 {
		fields["responsible_unit"] = "责任单位不超过100个字。"
	}
	switch {
	case !m.DueOn.Valid():
		fields["due_on"] = "完成期限为必填项，格式为YYYY-MM-DD。"
	case m.DueOn.Before(DateOf(now)):
		fields["due_on"] = "完成期限不能早于今天。"
	default:
		if d := r.Calendar.NextWorkingDay(m.DueOn); d != m.DueOn {
			c.Notes = append(c.Notes, fmt.Sprintf("完成期限%s为非工作日，已顺延至%s。", m.DueOn, d))
			m.DueOn = d
		}
		if f.DueOn != "" && f.DueOn.Before(m.DueOn) && m.LateReason == "" {
			fields["late_reason"] = fmt.Sprintf("完成期限%s晚于该问题的整改期限%s，须说明理由。", m.DueOn, f.DueOn)
		}
	}
	if utf8.RuneCountInString(m.LateReason) > maxText {
		fields["late_reason"] = "理由不超过2000个字。"
	}
	if len(fields) > 0 {
		c.Notes = nil
		return nil, FieldError("整改措施信息有误。", fields)
	}
	f.Measures = append(f.Measures, m)
	c.Version++
	return &f.Measures[len(f.Measures)-1], nil
}

// CanAttachEvidence reports whether by may upload a file to the case, or to one of its findings, now
// (see CanAttach; no objection named, time unknown).
func (c *Case) CanAttachEvidence(by Actor, findingID *int64) error {
	return c.CanAttach(by, time.Time{}, findingID, nil)
}

// CanAttach reports whether by may upload a file at now to the case, one of its findings or one of
// its objections: the target's own users its 自评报告 before the visit when one was asked for (R7);
// the inspection team (an inspector of the case or a user of the owner org) while inspecting; the
// target's own users an attachment to their pending objection while the window is open; and the
// target's own users rectification proof while rectifying, then only to a finding still to be
// rectified.
func (c *Case) CanAttach(by Actor, now time.Time, findingID, objectionID *int64) error {
	var f *Finding
	if findingID != nil {
		if f = c.Finding(*findingID); f == nil {
			return FieldError("佐证材料信息有误。", map[string]string{"finding_id": "问题不存在。"})
		}
	}
	if objectionID != nil {
		o := c.Objection(*objectionID)
		switch {
		case o == nil:
			return FieldError("申辩附件信息有误。", map[string]string{"objection_id": "申辩不存在。"})
		case f != nil:
			return FieldError("申辩附件信息有误。", map[string]string{"finding_id": "申辩附件附在申辩上，不另指定问题。"})
		case c.Status != StatusFeedback:
			return c.wrongState("上传申辩附件")
		case !c.ofTarget(by):
			return Errorf(EFORBIDDEN, "只有被督导单位（%s）本单位的用户才能为申辩上传附件。", c.TargetOrg.Name)
		case o.Status != ObjectionPending:
			return Errorf(ECONFLICT, "该申辩已裁定为「%s」，不能再上传附件。", o.Status.Label())
		case !now.IsZero() && !c.ObjectionWindowOpen(now):
			return Errorf(ECONFLICT, "申辩期已届满，不能再上传申辩附件。")
		}
		return nil
	}
	switch c.Status {
	case StatusPlanned:
		if c.SelfEvaluationDue == "" {
			return Errorf(ECONFLICT, "案件%s尚未开始督导，本案也未要求提交自评报告，现在不能上传材料。", c.label())
		}
		if !c.ofTarget(by) {
			return Errorf(EFORBIDDEN, "只有被督导单位（%s）本单位的用户才能提交自评报告。", c.TargetOrg.Name)
		}
		if f != nil {
			return FieldError("自评报告信息有误。", map[string]string{"finding_id": "自评报告不归属具体问题。"})
		}
	case StatusInspecting:
		if !c.onTeam(by) {
			return Errorf(EFORBIDDEN, "只有本案督导组成员或%s的人员才能在督导中上传材料。", c.OwnerOrg.Name)
		}
	case StatusRectifying:
		if !c.ofTarget(by) {
			return Errorf(EFORBIDDEN, "只有被督导单位（%s）本单位的用户才能上传整改佐证材料。", c.TargetOrg.Name)
		}
		if f != nil && !f.Status.ToRectify() {
			return Errorf(ECONFLICT, "问题「%s」当前为「%s」，不能再上传整改佐证材料。", f.Title, f.Status.Label())
		}
	case StatusFeedback:
		return Errorf(ECONFLICT, "案件%s当前状态为「%s」，只能为本单位未裁定的申辩上传附件（请指定申辩）。", c.label(), c.Status.Label())
	default:
		return c.wrongState("上传佐证材料")
	}
	return nil
}

// AttachEvidence adds the metadata of a stored file (SHA256, Size, ContentType, Note, CapturedAt, Lat, Lng,
// and where it was seen before, as the caller found them) to the case, to the finding e.FindingID names
// or to the objection e.ObjectionID names; its purpose follows from the case's state. The result points
// into c; storage fills in its ID when the case is saved.
func (c *Case) AttachEvidence(by Actor, now time.Time, e Evidence) (*Evidence, error) {
	if err := c.CanAttach(by, now, e.FindingID, e.ObjectionID); err != nil {
		return nil, err
	}
	e.CaseID = c.ID
	e.UploadedBy = by.UserID
	e.UploadedAt = now
	e.Note = strings.TrimSpace(e.Note)
	if utf8.RuneCountInString(e.Note) > maxText {
		return nil, FieldError("佐证材料信息有误。", map[string]string{"note": "说明不超过2000个字。"})
	}
	switch c.Status {
	case StatusPlanned:
		e.Purpose = PurposeSelfEvaluation
	case StatusInspecting:
		e.Purpose = PurposeInspection
	case StatusFeedback:
		e.Purpose = PurposeObjection
	default:
		e.Purpose = PurposeRectification
	}
	e.Reused = e.ReusedOf != nil
	c.Version++
	if e.FindingID == nil {
		c.Evidence = append(c.Evidence, e)
		return &c.Evidence[len(c.Evidence)-1], nil
	}
	f := c.Finding(*e.FindingID)
	fid := f.ID
	e.FindingID = &fid
	f.Evidence = append(f.Evidence, e)
	return &f.Evidence[len(f.Evidence)-1], nil
}

// ObjectionFiles are the attachments of an objection.
func (c *Case) ObjectionFiles(objectionID int64) []Evidence {
	var out []Evidence
	for _, e := range c.Evidence {
		if e.ObjectionID != nil && *e.ObjectionID == objectionID {
			out = append(out, e)
		}
	}
	return out
}

// FilesFor are the case-level files uploaded for purpose p (self-evaluation, inspection).
func (c *Case) FilesFor(p EvidencePurpose) []Evidence {
	var out []Evidence
	for _, e := range c.Evidence {
		if e.ObjectionID == nil && (e.Purpose == p || (e.Purpose == "" && p == PurposeInspection)) {
			out = append(out, e)
		}
	}
	return out
}

// seenBefore reports whether a file with sha was in the case (anywhere) at or before t.
func (c *Case) seenBefore(sha string, t time.Time) bool {
	seen := func(es []Evidence) bool {
		for _, e := range es {
			if e.SHA256 == sha && !e.UploadedAt.After(t) {
				return true
			}
		}
		return false
	}
	if seen(c.Evidence) {
		return true
	}
	for _, f := range c.Findings {
		if seen(f.Evidence) {
			return true
		}
	}
	return false
}
