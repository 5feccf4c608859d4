package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// Request bodies of the case API and of the case forms of the UI. Validator tags check shape; the
// domain checks meaning.
type openCaseRequest struct {
	Type         string  `json:"type" form:"type" label:"案件类型" validate:"required,oneof=government school monitoring"`
	Kind         string  `json:"kind" form:"kind" label:"督导方式" validate:"required,oneof=comprehensive special routine random followup"`
	TargetOrgID  int64   `json:"target_org_id" form:"target_org_id" label:"被督导对象" validate:"required,gt=0"`
	Title        string  `json:"title" form:"title" label:"案件标题" validate:"required,max=200"`
	InspectorIDs []int64 `json:"inspector_ids" form:"inspector_ids" label:"督学" validate:"required,min=1,max=20,dive,gt=0"`
	PlannedOn    string  `json:"planned_on" form:"planned_on" label:"计划日期" validate:"omitempty,datetime=2006-01-02"`
	// Issue 12: a 四不两直 visit (R47) has no 督导通知 and says why.
	Unannounced       bool   `json:"unannounced" form:"unannounced" label:"四不两直"`
	UnannouncedReason string `json:"unannounced_reason" form:"unannounced_reason" label:"不发通知的理由" validate:"max=2000"`
}

type findingRequest struct {
	Title       string `json:"title" form:"title" label:"问题标题" validate:"required,max=200"`
	Description string `json:"description" form:"description" label:"问题描述" validate:"max=2000"`
	Severity    string `json:"severity" form:"severity" label:"严重程度" validate:"required,oneof=minor major critical"`
	Category    string `json:"category" form:"category" label:"问题类别" validate:"max=32"`
	ItemCode    string `json:"item_code" form:"item_code" label:"指标代码" validate:"max=64"`
	Requirement string `json:"requirement" form:"requirement" label:"整改要求和建议" validate:"max=2000"` // issue 12 (R9)
}

func (r openCaseRequest) toOpenCaseInput() app.OpenCaseInput {
	return app.OpenCaseInput{Type: domain.CaseType(r.Type), Kind: domain.CaseKind(r.Kind), TargetOrgID: r.TargetOrgID, Title: r.Title,
		InspectorIDs: r.InspectorIDs, PlannedOn: domain.Date(r.PlannedOn), Unannounced: r.Unannounced, UnannouncedReason: r.UnannouncedReason}
}

func (r findingRequest) toDomainFinding() domain.FindingInput {
	return domain.FindingInput{Title: r.Title, Description: r.Description, Severity: domain.Severity(r.Severity), Category: r.Category, ItemCode: r.ItemCode,
		Requirement: r.Requirement}
}

type objectionRequest struct {
	FindingID *int64 `json:"finding_id" form:"finding_id" label:"问题" validate:"omitempty,gt=0"`
	Text      string `json:"text" form:"text" label:"申辩内容" validate:"required,max=2000"`
}

type rulingRequest struct {
	Upheld *bool  `json:"upheld" form:"upheld" label:"裁定结果" validate:"required"`
	Reason string `json:"reason" form:"reason" label:"理由" validate:"max=2000"`
}

type measureRequest struct {
	Description       string `json:"description" form:"description" label:"整改措施" validate:"required,max=2000"`
	ResponsiblePerson string `json:"responsible_person" form:"responsible_person" label:"责任人" validate:"required,max=50"`
	ResponsibleUnit   string `json:"responsible_unit" form:"responsible_unit" label:"责任单位" validate:"max=100"`
	DueOn             string `json:"due_on" form:"due_on" label:"完成期限" validate:"required,datetime=2006-01-02"`
	LateReason        string `json:"late_reason" form:"late_reason" label:"超出整改期限的理由" validate:"max=2000"` // issue 12
}

func (r measureRequest) toDomainMeasure() domain.MeasureInput {
	return domain.MeasureInput{Description: r.Description, ResponsiblePerson: r.ResponsiblePerson, ResponsibleUnit: r.ResponsibleUnit, DueOn: domain.Date(r.DueOn),
		LateReason: r.LateReason}
}

type recheckResultRequest struct {
	FindingID int64  `json:"finding_id" form:"finding_id" label:"问题" validate:"required,gt=0"`
	Passed    *bool  `json:"passed" form:"passed" label:"复查结论" validate:"required"`
	Comment   string `json:"comment" form:"comment" label:"复查意见" validate:"max=2000"`
	NewDueOn  string `json:"new_due_on" form:"new_due_on" label:"新的整改期限" validate:"omitempty,datetime=2006-01-02"`
}

type actionRequest struct {
	Comment  string                 `json:"comment" form:"comment" label:"意见" validate:"max=2000"`
	Version  *int                   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
	DueDates map[string]string      `json:"due_dates" label:"整改期限" validate:"omitempty,max=500,dive,keys,numeric,endkeys,datetime=2006-01-02"`
	Results  []recheckResultRequest `json:"results" label:"复查结果" validate:"omitempty,max=500,dive"`
	// issue: the 总体评价, the 抄送 and the 整改要求和建议 per finding id (R9; issue 12).
	Evaluation   string            `json:"evaluation" form:"evaluation" label:"总体评价" validate:"max=2000"`
	CopyTo       []string          `json:"copy_to" label:"抄送" validate:"omitempty,max=20,dive,max=100"`
	Requirements map[string]string `json:"requirements" label:"整改要求和建议" validate:"omitempty,max=500,dive,keys,numeric,endkeys,max=2000"`

	// What a form needs to judge its per-finding fields (not sent by clients).
	action domain.Action
	today  domain.Date
}

// decodeForm reads what the transition forms send per finding: the due dates (due_<finding
// id>) and the recheck's verdicts (result_<finding id> = pass or fail, with comment_<id> and
// new_due_<id>), each refused beside its own field; the domain checks them all again.
func (r *actionRequest) decodeForm(v url.Values) map[string]string {
	bad := map[string]string{}
	if (r.action == domain.ActReturn || r.action == domain.ActCancel) && strings.TrimSpace(r.Comment) == "" {
		bad["comment"] = map[bool]string{true: "请填写退回意见。", false: "请填写撤销理由。"}[r.action == domain.ActReturn]
	}
	for key, vals := range v {
		id, ok := strings.CutPrefix(key, "due_")
		if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			continue
		}
		d := domain.Date(strings.TrimSpace(vals[0]))
		switch {
		case !d.Valid():
			bad[key] = "日期格式应为YYYY-MM-DD。"
		case d.Before(r.today):
			bad[key] = "整改期限不能早于今天。"
		}
		if r.DueDates == nil {
			r.DueDates = map[string]string{}
		}
		r.DueDates[id] = string(d)
	}
	if cc := strings.TrimSpace(v.Get("copy_to")); cc != "" { // the form's 抄送: one unit a line, or separated by 、，,
		r.CopyTo = strings.FieldsFunc(cc, func(c rune) bool { return strings.ContainsRune("\n\r、，,；;", c) })
	}
	for key, vals := range v {
		if id, ok := strings.CutPrefix(key, "req_"); ok && len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
			if _, err := strconv.ParseInt(id, 10, 64); err == nil {
				if r.Requirements == nil {
					r.Requirements = map[string]string{}
				}
				r.Requirements[id] = vals[0]
			}
		}
	}
	if r.action != domain.ActRecheck {
		return bad
	}
	for key, vals := range v {
		id, ok := strings.CutPrefix(key, "result_")
		if !ok || len(vals) == 0 {
			continue
		}
		fid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue
		}
		passed := vals[0] == "pass"
		res := recheckResultRequest{FindingID: fid, Passed: &passed, Comment: strings.TrimSpace(v.Get("comment_" + id)),
			NewDueOn: strings.TrimSpace(v.Get("new_due_" + id))}
		if vals[0] != "pass" && vals[0] != "fail" {
			bad[key] = "请选择复查结论。"
		}
		if vals[0] == "fail" {
			if res.Comment == "" {
				bad["comment_"+id] = "复查未通过，须说明理由。"
			}
			switch d := domain.Date(res.NewDueOn); {
			case d == "":
				bad["new_due_"+id] = "复查未通过，须给出新的整改期限。"
			case !d.Valid():
				bad["new_due_"+id] = "日期格式应为YYYY-MM-DD。"
			case d.Before(r.today):
				bad["new_due_"+id] = "新的整改期限不能早于今天。"
			}
		}
		r.Results = append(r.Results, res)
	}
	return bad
}

func (r actionRequest) toActInput() (app.ActInput, error) {
	in := app.ActInput{Comment: r.Comment, Version: r.Version, Evaluation: r.Evaluation, CopyTo: r.CopyTo}
	for k, v := range r.Requirements {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return in, domain.FieldError("提交的内容有误，请按提示修改。", map[string]string{"requirements": "整改要求和建议须以问题编号为键。"})
		}
		if in.Requirements == nil {
			in.Requirements = map[int64]string{}
		}
		in.Requirements[id] = v
	}
	if len(r.DueDates) > 0 {
		in.DueDates = map[int64]domain.Date{}
		for k, v := range r.DueDates {
			id, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				return in, domain.FieldError("提交的内容有误，请按提示修改。", map[string]string{"due_dates": "整改期限须以问题编号为键。"})
			}
			in.DueDates[id] = domain.Date(v)
		}
	}
	for _, res := range r.Results {
		in.Results = append(in.Results, domain.RecheckResult{FindingID: res.FindingID, Passed: *res.Passed, Comment: res.Comment, NewDueOn: domain.Date(res.NewDueOn)})
	}
	return in, nil
}

// JSON answers.
type measureJSON struct {
	ID                int64  `json:"id"`
	FindingID         int64  `json:"finding_id"`
	Description       string `json:"description"`
	ResponsiblePerson string `json:"responsible_person"`
	ResponsibleUnit   string `json:"responsible_unit"`
	DueOn             string `json:"due_on"`
	CreatedAt         string `json:"created_at"`
	LateReason        string `json:"late_reason,omitempty"`
}

type evidenceJSON struct {
	ID          int64    `json:"id"`
	SHA256      string   `json:"sha256"`
	Size        int64    `json:"size"`
	ContentType string   `json:"content_type"`
	FindingID   *int64   `json:"finding_id"`
	Reused      bool     `json:"reused"`
	Note        string   `json:"note"`
	CapturedAt  *string  `json:"captured_at"`
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	UploadedBy  int64    `json:"uploaded_by"`
	UploadedAt  string   `json:"uploaded_at"`
	URL         string   `json:"url"`
	// Issue 12: what the file was uploaded for, the objection it supports, and where a reused one was
	// seen first.
	Purpose     string `json:"purpose,omitempty"`
	ObjectionID *int64 `json:"objection_id,omitempty"`
	ReusedOf    *int64 `json:"reused_of,omitempty"`
	ReusedWhere string `json:"reused_where,omitempty"`
}

type findingJSON struct {
	ID            int64          `json:"id"`
	Title         string         `json:"title"`
	Description   string         `json:"description"`
	Severity      string         `json:"severity"`
	SeverityLabel string         `json:"severity_label"`
	Category      string         `json:"category"`
	ItemCode      string         `json:"item_code"`
	Requirement   string         `json:"requirement"`
	Status        string         `json:"status"`
	StatusLabel   string         `json:"status_label"`
	DueOn         *string        `json:"due_on"`
	Measures      []measureJSON  `json:"measures"`
	Evidence      []evidenceJSON `json:"evidence"`
}

type objectionJSON struct {
	ID        int64   `json:"id"`
	FindingID *int64  `json:"finding_id"`
	Text      string  `json:"text"`
	Status    string  `json:"status"`
	Reason    string  `json:"reason"`
	FiledBy   int64   `json:"filed_by"`
	FiledAt   string  `json:"filed_at"`
	RuledAt   *string `json:"ruled_at"`
	// Attachments are the files the target gave with its objection (issue 12).
	Attachments []evidenceJSON `json:"attachments"`
}

type recheckJSON struct {
	ID        int64   `json:"id"`
	FindingID int64   `json:"finding_id"`
	Round     int     `json:"round"`
	Passed    bool    `json:"passed"`
	Comment   string  `json:"comment"`
	NewDueOn  *string `json:"new_due_on"`
	By        int64   `json:"by"`
	At        string  `json:"at"`
}

type caseJSON struct {
	ID                int64           `json:"id"`
	Number            string          `json:"number"`
	Type              string          `json:"type"`
	TypeLabel         string          `json:"type_label"`
	Kind              string          `json:"kind"`
	KindLabel         string          `json:"kind_label"`
	Status            string          `json:"status"`
	StatusLabel       string          `json:"status_label"`
	Version           int             `json:"version"`
	OwnerOrg          orgJSON         `json:"owner_org"`
	TargetOrg         orgJSON         `json:"target_org"`
	Title             string          `json:"title"`
	InspectorIDs      []int64         `json:"inspector_ids"`
	PlannedOn         *string         `json:"planned_on"`
	CreatedAt         string          `json:"created_at"`
	StartedAt         *string         `json:"started_at,omitempty"`
	PreliminaryAt     *string         `json:"preliminary_at,omitempty"`
	ObjectionDeadline *string         `json:"objection_deadline,omitempty"`
	Acknowledged      bool            `json:"acknowledged"`
	IssuedAt          *string         `json:"issued_at,omitempty"`
	ClosedAt          *string         `json:"closed_at,omitempty"`
	RecheckFailures   int             `json:"recheck_failures"`
	CancelReason      string          `json:"cancel_reason,omitempty"`
	ReturnComment     string          `json:"return_comment,omitempty"`
	Findings          []findingJSON   `json:"findings"`
	Objections        []objectionJSON `json:"objections"`
	Rechecks          []recheckJSON   `json:"rechecks"`
	Evidence          []evidenceJSON  `json:"evidence"`
	AllowedActions    []string        `json:"allowed_actions"`
	CreatedID         *int64          `json:"created_id,omitempty"` // the part a 201 made

	// Issue 12: the procedure before the visit, the opinion's words, the case's documents, and what the
	// last step adjusted on its own (a deadline moved off a holiday).
	Unannounced        bool           `json:"unannounced"`
	UnannouncedReason  string         `json:"unannounced_reason,omitempty"`
	NoticeSentAt       *string        `json:"notice_sent_at,omitempty"`
	SelfEvaluationDue  *string        `json:"self_evaluation_due,omitempty"`
	PreliminaryOpinion string         `json:"preliminary_opinion,omitempty"`
	Evaluation         string         `json:"evaluation,omitempty"`
	CopyTo             []string       `json:"copy_to"`
	Documents          []documentJSON `json:"documents"`
	Notes              []string       `json:"notes,omitempty"`
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func rfcPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := rfc(*t)
	return &s
}

func datePtr(d domain.Date) *string {
	if d == "" {
		return nil
	}
	s := string(d)
	return &s
}

func toEvidenceJSON(e domain.Evidence) evidenceJSON {
	return evidenceJSON{ID: e.ID, SHA256: e.SHA256, Size: e.Size, ContentType: e.ContentType, FindingID: e.FindingID, Reused: e.Reused,
		Note: e.Note, CapturedAt: rfcPtr(e.CapturedAt), Lat: e.Lat, Lng: e.Lng, UploadedBy: e.UploadedBy, UploadedAt: rfc(e.UploadedAt),
		URL: "/api/v1/evidence/" + strconv.FormatInt(e.ID, 10), Purpose: string(e.Purpose), ObjectionID: e.ObjectionID, ReusedOf: e.ReusedOf,
		ReusedWhere: e.ReusedWhere}
}

// toCaseJSON renders a case; with full, its parts too (the list leaves them out).
func toCaseJSON(c *domain.Case, allowed []domain.Action, full bool) caseJSON {
	j := caseJSON{ID: c.ID, Number: c.Number, Type: string(c.Type), TypeLabel: c.Type.Label(), Kind: string(c.Kind), KindLabel: c.Kind.Label(),
		Status: string(c.Status), StatusLabel: c.Status.Label(), Version: c.Version, OwnerOrg: toOrgJSON(c.OwnerOrg), TargetOrg: toOrgJSON(c.TargetOrg),
		Title: c.Title, InspectorIDs: c.InspectorIDs, PlannedOn: datePtr(c.PlannedOn), CreatedAt: rfc(c.CreatedAt), StartedAt: rfcPtr(c.StartedAt),
		PreliminaryAt: rfcPtr(c.PreliminaryAt), ObjectionDeadline: rfcPtr(c.ObjectionDeadline), Acknowledged: c.Acknowledged,
		IssuedAt: rfcPtr(c.IssuedAt), ClosedAt: rfcPtr(c.ClosedAt), RecheckFailures: c.RecheckFailures, CancelReason: c.CancelReason,
		ReturnComment: c.ReturnComment, Findings: []findingJSON{}, Objections: []objectionJSON{}, Rechecks: []recheckJSON{},
		Evidence: []evidenceJSON{}, AllowedActions: []string{},
		Unannounced: c.Unannounced, UnannouncedReason: c.UnannouncedReason, NoticeSentAt: rfcPtr(c.NoticeSentAt),
		SelfEvaluationDue: datePtr(c.SelfEvaluationDue), PreliminaryOpinion: c.PreliminaryOpinion, Evaluation: c.Evaluation,
		CopyTo: append([]string{}, c.CopyTo...), Documents: []documentJSON{}, Notes: c.Notes}
	if j.InspectorIDs == nil {
		j.InspectorIDs = []int64{}
	}
	for _, a := range allowed {
		j.AllowedActions = append(j.AllowedActions, string(a))
	}
	if !full {
		return j
	}
	for _, f := range c.Findings {
		j.Findings = append(j.Findings, toFindingJSON(f))
	}
	for _, e := range c.Evidence {
		j.Evidence = append(j.Evidence, toEvidenceJSON(e))
	}
	for _, o := range c.Objections {
		oj := toObjectionJSON(o)
		for _, e := range c.ObjectionFiles(o.ID) {
			oj.Attachments = append(oj.Attachments, toEvidenceJSON(e))
		}
		j.Objections = append(j.Objections, oj)
	}
	for _, d := range c.Documents {
		j.Documents = append(j.Documents, toDocumentJSON(c.ID, d))
	}
	for _, r := range c.Rechecks {
		j.Rechecks = append(j.Rechecks, recheckJSON{ID: r.ID, FindingID: r.FindingID, Round: r.Round, Passed: r.Passed, Comment: r.Comment,
			NewDueOn: datePtr(r.NewDueOn), By: r.By, At: rfc(r.At)})
	}
	return j
}

func toFindingJSON(f domain.Finding) findingJSON {
	fj := findingJSON{ID: f.ID, Title: f.Title, Description: f.Description, Severity: string(f.Severity), SeverityLabel: f.Severity.Label(),
		Category: f.Category, ItemCode: f.ItemCode, Requirement: f.Requirement, Status: string(f.Status), StatusLabel: f.Status.Label(), DueOn: datePtr(f.DueOn),
		Measures: []measureJSON{}, Evidence: []evidenceJSON{}}
	for _, m := range f.Measures {
		fj.Measures = append(fj.Measures, toMeasureJSON(m))
	}
	for _, e := range f.Evidence {
		fj.Evidence = append(fj.Evidence, toEvidenceJSON(e))
	}
	return fj
}

func toMeasureJSON(m domain.Measure) measureJSON {
	return measureJSON{ID: m.ID, FindingID: m.FindingID, Description: m.Description, ResponsiblePerson: m.ResponsiblePerson,
		ResponsibleUnit: m.ResponsibleUnit, DueOn: string(m.DueOn), CreatedAt: rfc(m.CreatedAt), LateReason: m.LateReason}
}

func toObjectionJSON(o domain.Objection) objectionJSON {
	return objectionJSON{ID: o.ID, FindingID: o.FindingID, Text: o.Text, Status: string(o.Status), Reason: o.Reason,
		FiledBy: o.FiledBy, FiledAt: rfc(o.FiledAt), RuledAt: rfcPtr(o.RuledAt), Attachments: []evidenceJSON{}}
}

func viewJSON(v app.CaseView) caseJSON { return toCaseJSON(v.Case, v.Allowed, true) }

// created answers a write that made something: 201, with Location pointing at what was made, and the
// item itself or its parent naming it in created_id (SPEC §4.1).
func created(c echo.Context, location string, body any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return c.JSON(http.StatusCreated, body)
}

func caseURL(id int64, parts ...any) string {
	u := "/api/v1/cases/" + strconv.FormatInt(id, 10)
	for _, p := range parts {
		u += fmt.Sprint("/", p)
	}
	return u
}

// createdPart answers the case with the new part's id.
func createdPart(c echo.Context, v app.CaseView, id int64, location string) error {
	j := viewJSON(v)
	j.CreatedID = &id
	return created(c, location, j)
}

func (s *Server) apiOpenCase(c echo.Context) error {
	var req openCaseRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	cs, err := s.app.OpenCase(c.Request().Context(), a, req.toOpenCaseInput())
	if err != nil {
		return err
	}
	v, err := s.app.GetCase(c.Request().Context(), a, cs.ID)
	if err != nil {
		return err
	}
	return created(c, caseURL(cs.ID), viewJSON(v))
}

// caseFilter reads the list filters of GET /api/v1/cases; a bad value is 422 naming the parameter.
func caseFilter(c echo.Context) (domain.CaseFilter, error) {
	q := c.QueryParams()
	f := domain.CaseFilter{Status: domain.Status(q.Get("status")), Type: domain.CaseType(q.Get("type")), Kind: domain.CaseKind(q.Get("kind")), Q: q.Get("q")}
	fields := map[string]string{}
	if f.Status != "" && !f.Status.Valid() {
		fields["status"] = "状态无效。"
	}
	if f.Type != "" && !f.Type.Valid() {
		fields["type"] = "案件类型无效。"
	}
	if f.Kind != "" && !f.Kind.Valid() {
		fields["kind"] = "督导方式无效。"
	}
	if len([]rune(f.Q)) > 100 {
		fields["q"] = "关键词不超过100个字。"
	}
	intParam := func(name string, min, max int) int {
		s := q.Get(name)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < min || n > max {
			fields[name] = "应为 " + strconv.Itoa(min) + " 到 " + strconv.Itoa(max) + " 之间的整数。"
		}
		return n
	}
	f.Page = intParam("page", 1, 1_000_000)
	if f.Cursor = q.Get("cursor"); len(f.Cursor) > 200 {
		fields["cursor"] = "翻页标记无效，请从第一页重新浏览。"
	}
	f.PerPage = intParam("per_page", 1, 200)
	if s := q.Get("target_org_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fields["target_org_id"] = "被督导对象编号无效。"
		}
		f.TargetOrgID = n
	}
	if s := q.Get("overdue"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			fields["overdue"] = "应为 true 或 false。"
		}
		f.Overdue = b
	}
	for _, p := range []struct {
		name string
		dst  *domain.Date
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := q.Get(p.name); s != "" {
			d, err := domain.ParseDate(s)
			if err != nil {
				fields[p.name] = "日期格式应为YYYY-MM-DD。"
			}
			*p.dst = d
		}
	}
	if len(fields) > 0 {
		return f, domain.FieldError("查询条件有误。", fields)
	}
	return f, nil
}

func (s *Server) apiListCases(c echo.Context) error {
	f, err := caseFilter(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	res, err := s.app.ListCases(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	out := make([]caseJSON, len(res.Items))
	for i := range res.Items {
		out[i] = toCaseJSON(&res.Items[i], nil, false)
	}
	page, per := max(f.Page, 1), f.PerPage
	if per == 0 {
		per = 20
	}
	var next *string
	if res.Next != "" {
		next = &res.Next
	}
	// total is exact unless total_exact is false: then at least that many (a list shows "1,000+").
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": res.Total, "total_exact": res.Exact, "page": page,
		"per_page": per, "next": next})
}

// pathIDs reads positive integer ids from the path in order; anything else is ENOTFOUND.
func pathIDs(c echo.Context, names ...string) ([]int64, error) {
	ids := make([]int64, len(names))
	for i, n := range names {
		id, err := pathID(c, n)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}

// caseReply answers a case write with the case as the caller now sees it.
func caseReply(c echo.Context, status int, v app.CaseView, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(status, viewJSON(v))
}

func (s *Server) apiGetCase(c echo.Context) error {
	return getByID(c, s.app.GetCase, viewJSON)
}

func (s *Server) apiAddFinding(c echo.Context) error {
	var req findingRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, f, err := s.app.AddFinding(c.Request().Context(), a, id, req.toDomainFinding())
	if err != nil {
		return err
	}
	return createdPart(c, v, f.ID, caseURL(id, "findings", f.ID))
}

// casePart loads the case of the path's :id as the caller sees it, with the other path ids.
func (s *Server) casePart(c echo.Context, names ...string) (app.CaseView, []int64, error) {
	ids, err := pathIDs(c, append([]string{"id"}, names...)...)
	if err != nil {
		return app.CaseView{}, nil, err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetCase(c.Request().Context(), a, ids[0])
	return v, ids, err
}

func (s *Server) apiGetFinding(c echo.Context) error {
	v, ids, err := s.casePart(c, "fid")
	if err != nil {
		return err
	}
	f := v.Case.Finding(ids[1])
	if f == nil {
		return domain.Errorf(domain.ENOTFOUND, "问题不存在。")
	}
	return c.JSON(http.StatusOK, toFindingJSON(*f))
}

func (s *Server) apiGetMeasure(c echo.Context) error {
	v, ids, err := s.casePart(c, "fid", "mid")
	if err != nil {
		return err
	}
	if f := v.Case.Finding(ids[1]); f != nil {
		for _, m := range f.Measures {
			if m.ID == ids[2] {
				return c.JSON(http.StatusOK, toMeasureJSON(m))
			}
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "整改措施不存在。")
}

func (s *Server) apiGetObjection(c echo.Context) error {
	v, ids, err := s.casePart(c, "oid")
	if err != nil {
		return err
	}
	o := v.Case.Objection(ids[1])
	if o == nil {
		return domain.Errorf(domain.ENOTFOUND, "申辩不存在。")
	}
	return c.JSON(http.StatusOK, toObjectionJSON(*o))
}

func (s *Server) apiUpdateFinding(c echo.Context) error {
	var req findingRequest
	ids, err := pathIDs(c, "id", "fid")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.UpdateFinding(c.Request().Context(), a, ids[0], ids[1], req.toDomainFinding())
	return caseReply(c, http.StatusOK, v, err)
}

func (s *Server) apiRemoveFinding(c echo.Context) error {
	ids, err := pathIDs(c, "id", "fid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.RemoveFinding(c.Request().Context(), a, ids[0], ids[1])
	return caseReply(c, http.StatusOK, v, err)
}

func (s *Server) apiFileObjection(c echo.Context) error {
	var req objectionRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, o, err := s.app.FileObjection(c.Request().Context(), a, id, req.FindingID, req.Text)
	if err != nil {
		return err
	}
	return createdPart(c, v, o.ID, caseURL(id, "objections", o.ID))
}

func (s *Server) apiRuleObjection(c echo.Context) error {
	var req rulingRequest
	ids, err := pathIDs(c, "id", "oid")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.RuleObjection(c.Request().Context(), a, ids[0], ids[1], *req.Upheld, req.Reason)
	return caseReply(c, http.StatusOK, v, err)
}

func (s *Server) apiAddMeasure(c echo.Context) error {
	var req measureRequest
	ids, err := pathIDs(c, "id", "fid")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, m, err := s.app.AddMeasure(c.Request().Context(), a, ids[0], ids[1], req.toDomainMeasure())
	if err != nil {
		return err
	}
	return createdPart(c, v, m.ID, caseURL(ids[0], "findings", ids[1], "measures", m.ID))
}

func (s *Server) apiAct(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	act := domain.Action(c.Param("action")) // an unknown one is refused by the write path
	var req actionRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	in, err := req.toActInput()
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.Act(c.Request().Context(), a, id, act, in)
	return caseReply(c, http.StatusOK, v, err)
}

// uploadOverhead is what a multipart body may carry beyond the file itself (fields, boundaries).
const uploadOverhead = 1 << 20

func (s *Server) apiUploadEvidence(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxUploadBytes+uploadOverhead)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return domain.Errorf(domain.ETOOLARGE, "文件超过大小上限（%d MB）。", s.cfg.MaxUploadBytes>>20)
		}
		return domain.Errorf(domain.EBADREQUEST, "上传内容应为 multipart/form-data，文件字段名为 file。")
	}
	defer r.MultipartForm.RemoveAll()
	fh, err := c.FormFile("file")
	if err != nil {
		return domain.FieldError("佐证材料信息有误。", map[string]string{"file": "请选择要上传的文件。"})
	}
	in, err := evidenceInput(c, fh)
	if err != nil {
		return err
	}
	f, err := fh.Open()
	if err != nil {
		return domain.Errorf(domain.EBADREQUEST, "文件读取失败，请重新上传。")
	}
	defer f.Close()
	in.Body = f
	a, _ := actorOf(c)
	_, ev, err := s.app.UploadEvidence(r.Context(), a, id, in)
	if err != nil {
		return err
	}
	return created(c, "/api/v1/evidence/"+strconv.FormatInt(ev.ID, 10), toEvidenceJSON(*ev))
}

// sentFilename is the file name as the client sent it: mime/multipart keeps only its last element,
// which would hide a "../" name from the check that refuses it.
func sentFilename(fh *multipart.FileHeader) string {
	if _, params, err := mime.ParseMediaType(fh.Header.Get("Content-Disposition")); err == nil {
		if name, ok := params["filename"]; ok {
			return name
		}
	}
	return fh.Filename
}

func evidenceInput(c echo.Context, fh *multipart.FileHeader) (app.EvidenceInput, error) {
	in := app.EvidenceInput{Filename: sentFilename(fh), Note: c.FormValue("note")}
	fields := map[string]string{}
	if s := c.FormValue("finding_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fields["finding_id"] = "问题编号无效。"
		}
		in.FindingID = &n
	}
	if s := c.FormValue("objection_id"); s != "" { // an attachment of the target's objection (issue 12)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fields["objection_id"] = "申辩编号无效。"
		}
		in.ObjectionID = &n
	}
	if s := c.FormValue("captured_at"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			fields["captured_at"] = "拍摄时间格式应为 RFC 3339，如 2026-05-01T09:30:00+08:00。"
		}
		in.CapturedAt = &t
	}
	for _, p := range []struct {
		name string
		dst  **float64
	}{{"lat", &in.Lat}, {"lng", &in.Lng}} {
		if s := strings.TrimSpace(c.FormValue(p.name)); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				fields[p.name] = "应为数字。"
			}
			*p.dst = &v
		}
	}
	if len(fields) > 0 {
		return in, domain.FieldError("佐证材料信息有误。", fields)
	}
	return in, nil
}

func (s *Server) apiDownloadEvidence(c echo.Context) error {
	id, err := pathID(c, "eid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	e, f, err := s.app.OpenEvidence(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	defer f.Close()
	serveEvidence(c, e, f)
	return nil
}

// serveEvidence sends a stored file as the type sniffed at upload, inline but sandboxed: a file is
// shown, never run, and stays in the browser's private cache.
func serveEvidence(c echo.Context, e domain.Evidence, f io.ReadSeeker) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, e.ContentType)
	h.Set("Content-Disposition", "inline")
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; media-src 'self'; sandbox")
	http.ServeContent(c.Response(), c.Request(), "", e.UploadedAt, f)
}

type auditJSON struct {
	ID         int64  `json:"id"`
	At         string `json:"at"`
	ActorID    int64  `json:"actor_id"`
	ActorName  string `json:"actor_name"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectID   int64  `json:"object_id"`
	Detail     string `json:"detail"`
	Before     string `json:"before_digest"`
	After      string `json:"after_digest"`
	RequestID  string `json:"request_id"`
	PrevHash   string `json:"prev_hash"`
	Hash       string `json:"hash"`
}

func toAuditJSON(events []domain.AuditEvent) []auditJSON {
	out := make([]auditJSON, len(events))
	for i, e := range events {
		out[i] = auditJSON{ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano), ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
			ObjectType: e.ObjectType, ObjectID: e.ObjectID, Detail: e.Detail, Before: e.Before, After: e.After, RequestID: e.RequestID,
			PrevHash: e.PrevHash, Hash: e.Hash}
	}
	return out
}

func (s *Server) apiCaseAudit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	events, err := s.app.CaseAudit(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": toAuditJSON(events)})
}

func (s *Server) apiListAudit(c echo.Context) error {
	// Out of range is 422, like the case list's; an unchecked page overflowed the offset and answered page 1.
	fields := map[string]string{}
	intParam := func(name string, max int) int {
		v := c.QueryParam(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > max {
			fields[name] = "应为 1 到 " + strconv.Itoa(max) + " 之间的整数。"
		}
		return n
	}
	page, per := intParam("page", 1_000_000), intParam("per_page", 200)
	if len(fields) > 0 {
		return domain.FieldError("查询条件有误。", fields)
	}
	a, _ := actorOf(c)
	events, total, err := s.app.ListAudit(c.Request().Context(), a, page, per)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": toAuditJSON(events), "total": total, "page": max(page, 1)})
}
