package web

import (
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// Page templates of the case UI.
const (
	tmplCaseList      = "cases/list.html"
	tmplCaseNew       = "cases/new.html"
	tmplCase          = "cases/show.html"
	tmplFindingEdit   = "cases/finding_edit.html"
	tmplRectification = "cases/rectification.html"
	tmplRecheck       = "cases/recheck.html"
)

// caseView is a case as the pages show it: labels in Chinese, times in Wuhai's time, people by name.
type caseView struct {
	ID                                int64
	Href                              string
	Number, Title                     string
	Type, TypeLabel, Kind, KindLabel  string
	Status, StatusLabel               string
	Owner, Target                     string
	Inspectors                        string
	PlannedOn, CreatedAt              string
	StartedAt, PreliminaryAt          string
	IssuedAt, ClosedAt                string
	ObjectionUntil                    string
	WindowOpen, Acknowledged          bool
	CancelReason, ReturnComment       string
	Version                           int
	Outstanding, PendingObjections    int
	Findings                          []findingView
	Objections                        []objectionView
	Evidence                          []evidenceView // files not tied to a finding
	Timeline                          []timelineItem
	Steps                             []stepView
	Cancelled, Closed, AuditTimeline  bool
	RecheckFailures                   int
	FindingCount, ToRectify, Rechecks int

	// Issue 12: the procedure before the visit, the opinion's words, the case's documents.
	Unannounced                     bool
	UnannouncedReason, NoticeSentAt string
	SelfEvaluationDue               string
	PreliminaryOpinion              string
	Documents                       []documentView
	SelfEvaluation                  []evidenceView
	Preliminary                     *documentView // the one the target reads now
	names                           map[int64]string
}

// who names a user of the case.
func (v caseView) who(id int64) string {
	if n := v.names[id]; n != "" {
		return n
	}
	if id == 0 {
		return ""
	}
	return "用户#" + strconv.FormatInt(id, 10)
}

type findingView struct {
	ID                                       int64
	Anchor                                   string
	Title, Description                       string
	Severity, SeverityLabel, Category        string
	ItemCode                                 string
	Status, StatusLabel                      string
	DueOn, DueNote                           string
	Requirement                              string // 整改要求和建议 (issue 12)
	DueDate                                  string // DueOn as a form's date value (DueOn may say （估算）)
	Urgent, ToRectify, Submitted, Withdrawn  bool
	DefaultDue                               string // the due date the issue will set by default
	Measures                                 []measureView
	Evidence                                 []evidenceView
	Rechecks                                 []recheckView
	HasMeasure, HasRectificationEvidence     bool
	MeasureForm, EvidenceForm, RecheckPrefix string
}

type measureView struct {
	Description, Person, Unit, DueOn, By, At string
	LateReason                               string
}

type evidenceView struct {
	ID                                 int64
	URL, TypeLabel, Size, Note, By, At string
	Image, Reused                      bool
	ReusedWhere                        string // where a reused file was seen first (issue 12)
}

type objectionView struct {
	ID                                 int64
	Finding, Text, Status, StatusLabel string
	Reason, By, At, RuledAt            string
	Pending                            bool
	FormID                             string
	Attachments                        []evidenceView // issue 12
	AttachForm                         string
}

type recheckView struct {
	Round                     int
	Passed                    bool
	Comment, NewDueOn, By, At string
}

type timelineItem struct {
	at                  time.Time
	When, Title, Detail string
	Who, Tone           string
}

type stepView struct {
	Label, Short, State string // State: done, current, todo
}

// caseFlags are what the user may do on the page: transitions from allowed_actions, the rest from
// the same checks the writes make. Computed here, never in a template.
type caseFlags struct {
	Start, SubmitPreliminary, Acknowledge, SubmitForReview, Return, Issue, SubmitRectification, Recheck, Cancel bool
	EditFindings, FileObjection, RuleObjections, AddMeasures, AttachEvidence, ReadAudit                         bool
	Rectify, Any                                                                                                bool
}

func flagsOf(v app.CaseView, ab app.CaseAbilities) caseFlags {
	f := caseFlags{EditFindings: ab.EditFindings, FileObjection: ab.FileObjection, RuleObjections: ab.RuleObjections,
		AddMeasures: ab.AddMeasures, AttachEvidence: ab.AttachEvidence, ReadAudit: ab.ReadAudit}
	for _, a := range v.Allowed {
		switch a {
		case domain.ActStart:
			f.Start = true
		case domain.ActSubmitPreliminary:
			f.SubmitPreliminary = true
		case domain.ActAcknowledge:
			f.Acknowledge = true
		case domain.ActSubmitForReview:
			f.SubmitForReview = true
		case domain.ActReturn:
			f.Return = true
		case domain.ActIssue:
			f.Issue = true
		case domain.ActSubmitRectification:
			f.SubmitRectification = true
		case domain.ActRecheck:
			f.Recheck = true
		case domain.ActCancel:
			f.Cancel = true
		}
	}
	f.Rectify = f.AddMeasures || f.SubmitRectification
	f.Any = len(v.Allowed) > 0 || f.EditFindings || f.FileObjection || f.RuleObjections || f.Rectify
	return f
}

// casePage is the case: its course, findings, objections, files and the user's buttons.
type casePage struct {
	frame
	Case       caseView
	Can        caseFlags
	Form       uiForm
	Quick      []quickAction
	Categories []string
	Severities []option
	Objectable []option // findings the target may object to
	IssueOpen  []findingView
	DueHint    string
	Today      string

	// Issue 12: what the user may do with the paperwork, the 复查/复核 requests, the notice's rules.
	Paper                          app.PaperAbilities
	Reviews                        []reviewView
	NoticeHint                     string
	EarliestVisit                  string
	ReviewApplyBy, RereviewApplyBy string
}

// reviewView is a 复查/复核 request as the case page shows it.
type reviewView struct {
	ID                                       int64
	KindLabel, Office, Reason, AppliedAt, By string
	DecideBy, Status, StatusLabel            string
	Late, Decided, MayDecide                 bool
	OutcomeLabel, Decision, DecidedAt        string
	FormID                                   string
	Version                                  int
}

func (casePage) template() string { return tmplCase }

// dueHint says how the rules set rectification deadlines by default (R15), from the rules in force.
func dueHint(r domain.Rules) string {
	var parts []string
	for _, sev := range []domain.Severity{domain.SeverityCritical, domain.SeverityMajor, domain.SeverityMinor} {
		parts = append(parts, fmt.Sprintf("%s %d 天", sev.Label(), r.DueDays[sev]))
	}
	return "整改期限默认按严重程度自签发之日起计算（" + strings.Join(parts, "，") + "），可逐项调整。"
}

// quickAction is a transition that needs nothing but a click.
type quickAction struct {
	Action, Label, Hint string
}

type findingEditPage struct {
	frame
	Case       caseView
	Finding    findingView
	Form       uiForm
	Categories []string
	Severities []option
}

func (findingEditPage) template() string { return tmplFindingEdit }

// rectificationPage is where the target enters measures and files and submits its report.
type rectificationPage struct {
	frame
	Case    caseView
	Can     caseFlags
	Form    uiForm
	Open    []findingView
	Settled []findingView
	Ready   bool // every finding to rectify has a measure and a file
	Today   string
	Missing []string
}

func (rectificationPage) template() string { return tmplRectification }

// recheckPage is where a supervisor gives a verdict on each submitted finding.
type recheckPage struct {
	frame
	Case     caseView
	Can      caseFlags
	Form     uiForm
	Findings []findingView
	Today    string
}

func (recheckPage) template() string { return tmplRecheck }

// caseListPage is the list with its filters and pages.
type caseListPage struct {
	frame
	Status, Type, Kind, Q  string
	Overdue                bool
	Statuses, Types, Kinds []option
	Items                  []caseRowView
	Total, Page, Pages     int
	TotalLabel             string // "1000+" when the count stopped at its cap
	PrevHref, NextHref     string
	Pager                  []pageLink
	CanOpen                bool
	Errors                 map[string]string
	Filtered               bool
}

func (caseListPage) template() string { return tmplCaseList }

type caseRowView struct {
	Href, Number, Title, TypeLabel, KindLabel string
	Status, StatusLabel, Owner, Target        string
	CreatedAt, PlannedOn                      string
}

type pageLink struct {
	Href    string
	Label   string
	Current bool
}

type caseNewPage struct {
	frame
	Form       uiForm
	Types      []option
	Kinds      []option
	Targets    []optGroup
	Inspectors []option
	Today      string
	// ProcedureHint says what a 专项/综合 case needs (R7, R20, R47; issue 12).
	ProcedureHint string
}

func (caseNewPage) template() string { return tmplCaseNew }

const casesPerPage = 20

func statusOptions() []option {
	var out []option
	for _, s := range domain.Statuses {
		out = append(out, option{string(s), s.Label()})
	}
	return out
}

func typeOptions() []option {
	var out []option
	for _, t := range domain.CaseTypes {
		out = append(out, option{string(t), t.Label()})
	}
	return out
}

func kindOptions() []option {
	var out []option
	for _, k := range domain.CaseKinds {
		out = append(out, option{string(k), k.Label()})
	}
	return out
}

func severityOptions() []option {
	return []option{{string(domain.SeverityMinor), domain.SeverityMinor.Label()}, {string(domain.SeverityMajor), domain.SeverityMajor.Label()},
		{string(domain.SeverityCritical), domain.SeverityCritical.Label() + "（含安全隐患）"}}
}

func (s *Server) uiCaseList(c echo.Context) error {
	a, _ := actorOf(c)
	if !s.app.MayReadCases(a) {
		return domain.Errorf(domain.EFORBIDDEN, "您的角色不办理督导案件。")
	}
	q := c.QueryParams()
	p := caseListPage{frame: s.frame(c, "督导案件"), Status: q.Get("status"), Type: q.Get("type"), Kind: q.Get("kind"), Q: q.Get("q"),
		Overdue: q.Get("overdue") == "true", Statuses: statusOptions(), Types: typeOptions(), Kinds: kindOptions(), CanOpen: s.app.MayOpenCases(a)}
	p.Filtered = p.Status != "" || p.Type != "" || p.Kind != "" || p.Q != "" || p.Overdue
	f, err := caseFilter(c)
	if err != nil {
		de, ok := err.(*domain.Error)
		if !ok || de.Code != domain.EINVALID {
			return err
		}
		p.Errors = de.Fields
		return s.render(c, http.StatusUnprocessableEntity, p)
	}
	f.PerPage = casesPerPage
	if f.Page == 0 {
		f.Page = 1
	}
	res, err := s.app.ListCases(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	for _, cs := range res.Items {
		p.Items = append(p.Items, caseRowView{Href: caseHref(cs.ID), Number: cs.Number, Title: cs.Title, TypeLabel: cs.Type.Label(),
			KindLabel: cs.Kind.Label(), Status: string(cs.Status), StatusLabel: cs.Status.Label(), Owner: cs.OwnerOrg.Name,
			Target: cs.TargetOrg.Name, CreatedAt: cst(cs.CreatedAt), PlannedOn: string(cs.PlannedOn)})
	}
	p.Total, p.Page = res.Total, f.Page
	p.TotalLabel = strconv.Itoa(res.Total)
	if !res.Exact {
		p.TotalLabel = strconv.Itoa(res.Total) + "+"
	}
	p.Pages = max(1, (res.Total+casesPerPage-1)/casesPerPage)
	if !res.Exact || f.Cursor != "" {
		p.Pages = 0 // beyond the count, or reached by cursor: only previous and next
	}
	link := func(page int, cursor string) string {
		v := url.Values{}
		for _, k := range []string{"status", "type", "kind", "q"} {
			if s := q.Get(k); s != "" {
				v.Set(k, s)
			}
		}
		if p.Overdue {
			v.Set("overdue", "true")
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		if len(v) == 0 {
			return "/cases"
		}
		return "/cases?" + v.Encode()
	}
	if p.Page > 1 && f.Cursor == "" {
		p.PrevHref = link(p.Page-1, "")
	}
	if res.Next != "" {
		// The next page continues after this one by its cursor, however deep the list goes.
		p.NextHref = link(p.Page+1, res.Next)
	}
	for i := max(1, p.Page-3); i <= min(p.Pages, p.Page+3); i++ {
		p.Pager = append(p.Pager, pageLink{Href: link(i, ""), Label: strconv.Itoa(i), Current: i == p.Page})
	}
	return s.render(c, http.StatusOK, p)
}

func (s *Server) uiCaseNew(c echo.Context) error {
	a, _ := actorOf(c)
	values := url.Values{"type": {"school"}, "kind": {"special"}, "planned_on": {string(domain.DateOf(s.app.Now()))}}
	if a.Has(domain.RoleSupervisor) {
		values.Set("inspector_ids", strconv.FormatInt(a.UserID, 10))
	}
	return s.showCaseNew(c, uiForm{ID: "open", Values: values}, http.StatusOK)
}

func (s *Server) showCaseNew(c echo.Context, form uiForm, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	if !s.app.MayOpenCases(a) {
		return domain.Errorf(domain.EFORBIDDEN, "您无权新建督导案件。")
	}
	inspectors, err := s.app.ListInspectors(ctx, a)
	if err != nil {
		return err
	}
	orgs, err := s.app.ListOrgs(ctx, a)
	if err != nil {
		return err
	}
	p := caseNewPage{frame: s.frame(c, "新建督导案件"), Form: form, Types: typeOptions(), Kinds: kindOptions(), Today: string(domain.DateOf(s.app.Now()))}
	if r := s.app.Rules(); len(r.ProcedureKinds) > 0 {
		var kinds []string
		for _, k := range r.ProcedureKinds {
			kinds = append(kinds, k.Label())
		}
		p.ProcedureHint = fmt.Sprintf("%s须由%d名以上督学组成督导组，并于实施%d日前书面通知被督导单位；“四不两直”暗访可不提前通知，但须说明理由。",
			strings.Join(kinds, "、"), r.TeamMinSize, r.NoticeDays)
	}
	p.Targets = unitGroups(orgs, func(o domain.Org) bool { return o.ID != a.Org.ID && a.Org.Path.Covers(o.Path) })
	for _, i := range inspectors {
		p.Inspectors = append(p.Inspectors, option{strconv.FormatInt(i.UserID, 10), i.Name + " · " + i.OrgName})
	}
	return s.render(c, status, p)
}

func (s *Server) uiCaseOpen(c echo.Context) error {
	a, _ := actorOf(c)
	var req openCaseRequest
	values, err := bindForm(c, &req)
	if err == nil {
		var cs *domain.Case
		cs, err = s.app.OpenCase(c.Request().Context(), a, req.toOpenCaseInput())
		if err == nil {
			return s.redirectWith(c, caseHref(cs.ID), true, "已新建督导案件"+cs.Number+"。")
		}
	}
	if f, ok := refusedForm("open", values, err); ok {
		return s.showCaseNew(c, f, http.StatusUnprocessableEntity)
	}
	if alert, status, ok := alertFor(err); ok {
		p := uiForm{ID: "open", Values: values, Message: alert}
		return s.showCaseNew(c, p, status)
	}
	return err
}

// loadCase loads a case for a page with everything the page shows about it.
func (s *Server) loadCase(ctx context.Context, a domain.Actor, id int64) (app.CaseView, caseView, caseFlags, error) {
	v, err := s.app.GetCase(ctx, a, id)
	if err != nil {
		return v, caseView{}, caseFlags{}, err
	}
	ab := s.app.Abilities(a, v.Case)
	names, err := s.app.CaseUserNames(ctx, a, v.Case)
	if err != nil {
		return v, caseView{}, caseFlags{}, err
	}
	var audit []domain.AuditEvent
	if ab.ReadAudit {
		if audit, err = s.app.CaseAudit(ctx, a, id); err != nil && domain.ErrorCode(err) != domain.EFORBIDDEN {
			return v, caseView{}, caseFlags{}, err
		}
	}
	cv := s.toCaseView(v.Case, names, audit)
	cv.names = names
	return v, cv, flagsOf(v, ab), nil
}

func (s *Server) toCaseView(c *domain.Case, names map[int64]string, audit []domain.AuditEvent) caseView {
	now := s.app.Now()
	today := domain.DateOf(now)
	who := func(id int64) string {
		if n := names[id]; n != "" {
			return n
		}
		if id == 0 {
			return ""
		}
		return "用户#" + strconv.FormatInt(id, 10)
	}
	v := caseView{ID: c.ID, Href: caseHref(c.ID), Number: c.Number, Title: c.Title, Type: string(c.Type), TypeLabel: c.Type.Label(),
		Kind: string(c.Kind), KindLabel: c.Kind.Label(), Status: string(c.Status), StatusLabel: c.Status.Label(),
		Owner: c.OwnerOrg.Name, Target: c.TargetOrg.Name, PlannedOn: string(c.PlannedOn), CreatedAt: cst(c.CreatedAt),
		StartedAt: cstPtr(c.StartedAt), PreliminaryAt: cstPtr(c.PreliminaryAt), IssuedAt: cstPtr(c.IssuedAt), ClosedAt: cstPtr(c.ClosedAt),
		WindowOpen: c.ObjectionWindowOpen(now), Acknowledged: c.Acknowledged, CancelReason: c.CancelReason, ReturnComment: c.ReturnComment,
		Version: c.Version, Outstanding: c.Outstanding(), PendingObjections: c.PendingObjections(), Cancelled: c.Status == domain.StatusCancelled,
		Closed: c.Status == domain.StatusClosed, RecheckFailures: c.RecheckFailures, FindingCount: len(c.Findings)}
	if c.ObjectionDeadline != nil {
		v.ObjectionUntil = lastDay(*c.ObjectionDeadline)
	}
	var insp []string
	for _, id := range c.InspectorIDs {
		insp = append(insp, who(id))
	}
	v.Inspectors = strings.Join(insp, "、")
	findingTitle := map[int64]string{}
	for _, f := range c.Findings {
		findingTitle[f.ID] = f.Title
		fv := findingView{ID: f.ID, Anchor: "finding-" + strconv.FormatInt(f.ID, 10), Title: f.Title, Description: f.Description,
			Severity: string(f.Severity), SeverityLabel: f.Severity.Label(), Category: f.Category, ItemCode: f.ItemCode,
			Status: string(f.Status), StatusLabel: f.Status.Label(), DueOn: string(f.DueOn), ToRectify: f.Status.ToRectify(),
			Submitted: f.Status == domain.FindingSubmitted, Withdrawn: f.Status == domain.FindingWithdrawn,
			MeasureForm: "measure-" + strconv.FormatInt(f.ID, 10), EvidenceForm: "evidence-" + strconv.FormatInt(f.ID, 10),
			RecheckPrefix: strconv.FormatInt(f.ID, 10), HasMeasure: len(f.Measures) > 0}
		if c.IssuedAt == nil && f.Status == domain.FindingOpen {
			fv.StatusLabel = "已记录" // not yet to be rectified: the opinion is not issued
		}
		fv.Requirement, fv.DueDate = f.Requirement, string(f.DueOn)
		if f.DueOn != "" {
			fv.DueOn = s.app.DueLabel(f.DueOn) // （估算） past the holiday calendar's end
		}
		if fv.ToRectify && f.DueOn != "" {
			fv.DueNote, fv.Urgent = dueNote(f.DueOn, today)
			fv.DueNote = strings.Replace(fv.DueNote, string(f.DueOn), fv.DueOn, 1) // marked （估算） past the calendar's end
		}
		if f.Status == domain.FindingOpen && (c.Status == domain.StatusReview || c.Status == domain.StatusInspecting) {
			fv.DefaultDue = string(s.app.Rules().DueDate(f.Severity, now))
		}
		for _, m := range f.Measures {
			fv.Measures = append(fv.Measures, measureView{Description: m.Description, Person: m.ResponsiblePerson, Unit: m.ResponsibleUnit,
				DueOn: s.app.DueLabel(m.DueOn), By: who(m.CreatedBy), At: cst(m.CreatedAt), LateReason: m.LateReason})
		}
		for _, e := range f.Evidence {
			fv.Evidence = append(fv.Evidence, evidenceOf(c.ID, e, who))
		}
		fv.HasRectificationEvidence = c.HasRectificationEvidence(f)
		for _, r := range c.Rechecks {
			if r.FindingID == f.ID {
				fv.Rechecks = append(fv.Rechecks, recheckView{Round: r.Round, Passed: r.Passed, Comment: r.Comment, NewDueOn: s.app.DueLabel(r.NewDueOn), By: who(r.By), At: cst(r.At)})
			}
		}
		if fv.ToRectify {
			v.ToRectify++
		}
		v.Findings = append(v.Findings, fv)
	}
	v.Rechecks = len(c.Rechecks)
	for _, e := range c.FilesFor(domain.PurposeInspection) {
		v.Evidence = append(v.Evidence, evidenceOf(c.ID, e, who))
	}
	for _, e := range c.FilesFor(domain.PurposeSelfEvaluation) {
		v.SelfEvaluation = append(v.SelfEvaluation, evidenceOf(c.ID, e, who))
	}
	v.Unannounced, v.UnannouncedReason, v.NoticeSentAt = c.Unannounced, c.UnannouncedReason, cstPtr(c.NoticeSentAt)
	if c.SelfEvaluationDue != "" {
		v.SelfEvaluationDue = s.app.DueLabel(c.SelfEvaluationDue)
	}
	v.PreliminaryOpinion = c.PreliminaryOpinion
	for _, d := range c.Documents {
		v.Documents = append(v.Documents, toDocumentView(c.ID, d, who))
	}
	for i := range v.Documents {
		d := &v.Documents[i]
		for _, o := range c.Documents {
			if o.CorrectsID != nil && *o.CorrectsID == d.ID {
				d.Superseded = true
			}
		}
		if domain.DocKind(d.Kind) == domain.DocPreliminary {
			v.Preliminary = d
		}
	}
	for _, o := range c.Objections {
		ov := objectionView{ID: o.ID, Text: o.Text, Status: string(o.Status), StatusLabel: o.Status.Label(), Reason: o.Reason,
			By: who(o.FiledBy), At: cst(o.FiledAt), RuledAt: cstPtr(o.RuledAt), Pending: o.Status == domain.ObjectionPending,
			FormID: "ruling-" + strconv.FormatInt(o.ID, 10), Finding: "整体意见", AttachForm: "objection-file-" + strconv.FormatInt(o.ID, 10)}
		for _, e := range c.ObjectionFiles(o.ID) {
			ov.Attachments = append(ov.Attachments, evidenceOf(c.ID, e, who))
		}
		if o.FindingID != nil {
			ov.Finding = findingTitle[*o.FindingID]
		}
		v.Objections = append(v.Objections, ov)
	}
	v.Steps = stepsOf(c)
	if len(audit) > 0 {
		v.AuditTimeline = true
		for _, e := range audit {
			item := timelineItem{at: e.At, When: cst(e.At), Title: auditLabel(e.Action), Detail: e.Detail, Who: e.ActorName, Tone: auditTone(e.Action)}
			if e.Action == "evidence.upload" && len(e.Detail) == 64 {
				item.Detail = "" // the file's digest is the audit log's, not the reader's
			}
			v.Timeline = append(v.Timeline, item)
		}
	} else {
		v.Timeline = timelineOf(c, who, findingTitle)
	}
	// Newest first; steps recorded at the same instant keep their order, reversed.
	slices.Reverse(v.Timeline)
	sort.SliceStable(v.Timeline, func(i, j int) bool { return v.Timeline[i].at.After(v.Timeline[j].at) })
	return v
}

func evidenceOf(caseID int64, e domain.Evidence, who func(int64) string) evidenceView {
	ev := evidenceView{ID: e.ID, URL: caseHref(caseID) + "/evidence/" + strconv.FormatInt(e.ID, 10), Size: humanSize(e.Size), Note: e.Note,
		By: who(e.UploadedBy), At: cst(e.UploadedAt), Reused: e.Reused, Image: strings.HasPrefix(e.ContentType, "image/"), ReusedWhere: e.ReusedWhere}
	switch {
	case ev.Image:
		ev.TypeLabel = "图片"
	case e.ContentType == "application/pdf":
		ev.TypeLabel = "PDF 文档"
	case strings.Contains(e.ContentType, "word"), e.ContentType == "application/msword":
		ev.TypeLabel = "Word 文档"
	case strings.Contains(e.ContentType, "excel"), strings.Contains(e.ContentType, "sheet"):
		ev.TypeLabel = "Excel 表格"
	case strings.Contains(e.ContentType, "powerpoint"), strings.Contains(e.ContentType, "presentation"):
		ev.TypeLabel = "演示文稿"
	default:
		ev.TypeLabel = "文件"
	}
	return ev
}

// stepsOf is the case's course as a progress line; a routine visit has no feedback or review.
func stepsOf(c *domain.Case) []stepView {
	order := []domain.Status{domain.StatusPlanned, domain.StatusInspecting, domain.StatusFeedback, domain.StatusReview,
		domain.StatusRectifying, domain.StatusVerifying, domain.StatusClosed}
	if c.Kind == domain.KindRoutine {
		order = []domain.Status{domain.StatusPlanned, domain.StatusInspecting, domain.StatusRectifying, domain.StatusVerifying, domain.StatusClosed}
	}
	cur := -1
	for i, st := range order {
		if st == c.Status {
			cur = i
		}
	}
	if c.Status == domain.StatusCancelled {
		cur = 1
		if c.StartedAt == nil {
			cur = 0
		}
	}
	var out []stepView
	for i, st := range order {
		state := "todo"
		switch {
		case i < cur, i == cur && c.Status == domain.StatusClosed:
			state = "done"
		case i == cur:
			state = "current"
		}
		out = append(out, stepView{Label: st.Label(), Short: stepShort[st], State: state})
	}
	return out
}

// stepShort are the two-character step names that fit a phone's width.
var stepShort = map[domain.Status]string{
	domain.StatusPlanned: "计划", domain.StatusInspecting: "督导", domain.StatusFeedback: "反馈", domain.StatusReview: "审核",
	domain.StatusRectifying: "整改", domain.StatusVerifying: "复查", domain.StatusClosed: "办结",
}

// timelineOf is the course of a case from its own timestamps, for those who may not read its audit log.
func timelineOf(c *domain.Case, who func(int64) string, findingTitle map[int64]string) []timelineItem {
	var out []timelineItem
	add := func(t *time.Time, title, detail, by, tone string) {
		if t != nil && !t.IsZero() {
			out = append(out, timelineItem{at: *t, When: cst(*t), Title: title, Detail: detail, Who: by, Tone: tone})
		}
	}
	created := c.CreatedAt
	add(&created, "立案", c.Number+" "+c.Title, who(c.CreatedBy), "info")
	add(c.StartedAt, "开始督导", "", "", "info")
	if c.PreliminaryAt != nil {
		d := ""
		if c.ObjectionDeadline != nil {
			d = "申辩期至 " + lastDay(*c.ObjectionDeadline)
		}
		add(c.PreliminaryAt, "反馈初步督导意见", d, "", "warn")
	}
	for _, o := range c.Objections {
		filed := o.FiledAt
		add(&filed, "提出申辩", o.Text, who(o.FiledBy), "warn")
		add(o.RuledAt, "裁定申辩："+o.Status.Label(), o.Reason, who(o.RuledBy), "info")
	}
	add(c.IssuedAt, "签发督导意见书", "", who(c.IssuedBy), "info")
	for _, f := range c.Findings {
		for _, m := range f.Measures {
			at := m.CreatedAt
			add(&at, "填报整改措施", findingTitle[f.ID]+"："+m.Description, who(m.CreatedBy), "info")
		}
		for _, e := range f.Evidence {
			at := e.UploadedAt
			add(&at, "上传佐证材料", findingTitle[f.ID], who(e.UploadedBy), "info")
		}
	}
	for _, r := range c.Rechecks {
		at := r.At
		verdict, tone := "复查通过", "ok"
		if !r.Passed {
			verdict, tone = "复查未通过", "danger"
		}
		add(&at, verdict, findingTitle[r.FindingID]+" "+r.Comment, who(r.By), tone)
	}
	add(c.ClosedAt, "办结", "", "", "ok")
	if c.Status == domain.StatusCancelled { // the case keeps no time of cancelling: it is the last step
		last := c.CreatedAt
		for _, it := range out {
			if it.at.After(last) {
				last = it.at
			}
		}
		out = append(out, timelineItem{at: last.Add(time.Nanosecond), Title: "撤销案件", Detail: c.CancelReason, Tone: "muted"})
	}
	return out
}

var auditLabels = map[string]string{
	"case.open": "立案", "case.start": "开始督导", "case.submit_preliminary": "反馈初步督导意见", "case.acknowledge": "确认初步督导意见",
	"case.submit_for_review": "提交审核", "case.return": "退回修改", "case.issue": "签发督导意见书", "case.submit_rectification": "提交整改报告",
	"case.recheck": "复查", "case.cancel": "撤销案件", "finding.add": "记录问题", "finding.update": "修改问题", "finding.remove": "删除问题",
	"objection.file": "提出申辩", "objection.rule": "裁定申辩", "measure.add": "填报整改措施", "evidence.upload": "上传佐证材料",
	"notice.send": "发出督导通知", "document.correct": "更正督导意见书", // issue 12
}

func auditLabel(action string) string {
	if l, ok := auditLabels[action]; ok {
		return l
	}
	return "其他操作"
}

func auditTone(action string) string {
	switch action {
	case "case.submit_preliminary", "objection.file", "case.return":
		return "warn"
	case "case.cancel":
		return "muted"
	case "case.recheck":
		return "ok"
	}
	return "info"
}

func (s *Server) uiCaseShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showCase(c, id, uiForm{}, "", http.StatusOK)
}

// showCase renders the case page, with a refused form or an alert when a write was just refused.
func (s *Server) showCase(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	v, cv, can, err := s.loadCase(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	p := casePage{frame: s.frame(c, cv.Number+" "+cv.Title), Case: cv, Can: can, Form: form, Categories: s.app.Rules().Categories,
		Severities: severityOptions(), Today: string(domain.DateOf(s.app.Now())), DueHint: dueHint(s.app.Rules())}
	p.Alert = alert
	if err := s.casePaper(c, a, v, &p); err != nil {
		return err
	}
	for _, act := range v.Allowed {
		switch act {
		case domain.ActStart:
			p.Quick = append(p.Quick, quickAction{string(act), act.Label(), "进入现场督导，开始记录问题。"})
		case domain.ActSubmitPreliminary:
			p.Quick = append(p.Quick, quickAction{string(act), act.Label(), "将问题清单作为初步督导意见发送被督导单位，并开始申辩期。"})
		case domain.ActAcknowledge:
			p.Quick = append(p.Quick, quickAction{string(act), act.Label(), "确认后即放弃剩余申辩期。"})
		case domain.ActSubmitForReview:
			p.Quick = append(p.Quick, quickAction{string(act), act.Label(), "提交督导室主任审核签发。"})
		}
	}
	for _, f := range cv.Findings {
		if !f.Withdrawn {
			p.Objectable = append(p.Objectable, option{strconv.FormatInt(f.ID, 10), f.Title})
		}
		if f.Status == string(domain.FindingOpen) {
			p.IssueOpen = append(p.IssueOpen, f)
		}
	}
	return s.render(c, status, p)
}

// act runs a write and answers as a form post should: a redirect with a message when it worked, the
// form again with its messages when what was entered was refused, the page with an alert when the
// write is not allowed or no longer possible, the error page otherwise.
func (s *Server) act(c echo.Context, formID string, values url.Values, back string, again func(uiForm, string, int) error, write func() (string, error)) error {
	msg, err := write()
	if err == nil {
		return s.redirectWith(c, back, true, msg)
	}
	if f, ok := refusedForm(formID, values, err); ok {
		return again(f, "", http.StatusUnprocessableEntity)
	}
	if alert, status, ok := alertFor(err); ok {
		return again(uiForm{}, alert, status)
	}
	return err
}

func (s *Server) caseAgain(c echo.Context, id int64) func(uiForm, string, int) error {
	return func(f uiForm, alert string, status int) error { return s.showCase(c, id, f, alert, status) }
}

// actDone is the message after a transition, saying where the case went.
func actDone(act domain.Action, v app.CaseView) string {
	c := v.Case
	switch act {
	case domain.ActStart:
		return "已开始督导，可以记录问题和上传现场材料。"
	case domain.ActSubmitPreliminary:
		if c.ObjectionDeadline != nil {
			return "初步督导意见已反馈被督导单位，申辩期至" + lastDay(*c.ObjectionDeadline) + "。"
		}
		return "初步督导意见已反馈被督导单位。"
	case domain.ActAcknowledge:
		return "已确认初步督导意见。"
	case domain.ActSubmitForReview:
		return "已提交审核，等待督导室主任签发。"
	case domain.ActReturn:
		return "已退回修改，案件回到督导中。"
	case domain.ActIssue:
		if c.Status == domain.StatusClosed {
			return "督导意见书已签发；没有需要整改的问题，案件已办结。"
		}
		return "督导意见书已签发，案件进入整改。"
	case domain.ActSubmitRectification:
		return "整改报告已提交，等待复查。"
	case domain.ActRecheck:
		if c.Status == domain.StatusClosed {
			return "复查完成，全部问题整改到位，案件已办结。"
		}
		return "复查完成，未通过的问题已退回整改。"
	case domain.ActCancel:
		return "案件已撤销。"
	}
	return "操作成功。"
}

func (s *Server) uiCaseAct(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	act := domain.Action(c.Param("action")) // an unknown one is refused by the write path
	a, _ := actorOf(c)
	formID := "act-" + string(act)
	again := s.caseAgain(c, id)
	switch act {
	case domain.ActRecheck:
		again = func(f uiForm, alert string, status int) error { return s.showRecheck(c, id, f, alert, status) }
	case domain.ActSubmitRectification:
		again = func(f uiForm, alert string, status int) error { return s.showRectification(c, id, f, alert, status) }
	}
	req := actionRequest{action: act, today: s.app.Today()}
	values, verr := bindForm(c, &req)
	if values == nil {
		return verr
	}
	return s.act(c, formID, values, caseHref(id), again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		in, err := req.toActInput()
		if err != nil {
			return "", err
		}
		v, err := s.app.Act(c.Request().Context(), a, id, act, in)
		if err != nil {
			return "", err
		}
		return actDone(act, v) + strings.Join(v.Case.Notes, ""), nil // a deadline moved off a holiday says so
	})
}

func (s *Server) uiFindingAdd(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req findingRequest
	values, verr := bindForm(c, &req)
	return s.act(c, "finding", values, caseHref(id)+"#findings", s.caseAgain(c, id), func() (string, error) {
		if verr != nil {
			return "", verr
		}
		_, f, err := s.app.AddFinding(c.Request().Context(), a, id, req.toDomainFinding())
		if err != nil {
			return "", err
		}
		return "已记录问题「" + f.Title + "」。", nil
	})
}

func (s *Server) uiFindingEdit(c echo.Context) error {
	ids, err := pathIDs(c, "id", "fid")
	if err != nil {
		return err
	}
	return s.showFindingEdit(c, ids[0], ids[1], uiForm{}, "", http.StatusOK)
}

func (s *Server) showFindingEdit(c echo.Context, id, fid int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	v, cv, can, err := s.loadCase(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	f := v.Case.Finding(fid)
	if f == nil {
		return domain.Errorf(domain.ENOTFOUND, "问题不存在。")
	}
	if !can.EditFindings {
		if err := v.Case.CanEditFindings(a); err != nil {
			return err
		}
		return domain.Errorf(domain.EFORBIDDEN, "您无权编辑本案的问题清单。")
	}
	if form.ID == "" {
		form = uiForm{ID: "finding-edit", Values: url.Values{"title": {f.Title}, "description": {f.Description}, "severity": {string(f.Severity)},
			"category": {f.Category}, "item_code": {f.ItemCode}, "requirement": {f.Requirement}}}
	}
	var fv findingView
	for _, x := range cv.Findings {
		if x.ID == fid {
			fv = x
		}
	}
	p := findingEditPage{frame: s.frame(c, "修改问题"), Case: cv, Finding: fv, Form: form, Categories: s.app.Rules().Categories, Severities: severityOptions()}
	p.Alert = alert
	return s.render(c, status, p)
}

func (s *Server) uiFindingUpdate(c echo.Context) error {
	ids, err := pathIDs(c, "id", "fid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req findingRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error {
		return s.showFindingEdit(c, ids[0], ids[1], f, alert, status)
	}
	return s.act(c, "finding-edit", values, caseHref(ids[0])+"#finding-"+strconv.FormatInt(ids[1], 10), again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		if _, err := s.app.UpdateFinding(c.Request().Context(), a, ids[0], ids[1], req.toDomainFinding()); err != nil {
			return "", err
		}
		return "已修改问题「" + strings.TrimSpace(req.Title) + "」。", nil
	})
}

func (s *Server) uiFindingRemove(c echo.Context) error {
	ids, err := pathIDs(c, "id", "fid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	return s.act(c, "finding-remove", nil, caseHref(ids[0])+"#findings", s.caseAgain(c, ids[0]), func() (string, error) {
		if _, err := s.app.RemoveFinding(c.Request().Context(), a, ids[0], ids[1]); err != nil {
			return "", err
		}
		return "已删除问题。", nil
	})
}

func (s *Server) uiObjectionFile(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req objectionRequest
	values, verr := bindForm(c, &req)
	return s.act(c, "objection", values, caseHref(id)+"#objections", s.caseAgain(c, id), func() (string, error) {
		if verr != nil {
			return "", verr
		}
		if _, _, err := s.app.FileObjection(c.Request().Context(), a, id, req.FindingID, req.Text); err != nil {
			return "", err
		}
		return "申辩已提交，等待督导室主任裁定。", nil
	})
}

func (s *Server) uiObjectionRule(c echo.Context) error {
	ids, err := pathIDs(c, "id", "oid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req rulingRequest
	values, verr := bindForm(c, &req)
	return s.act(c, "ruling-"+strconv.FormatInt(ids[1], 10), values, caseHref(ids[0])+"#objections", s.caseAgain(c, ids[0]), func() (string, error) {
		if verr != nil {
			return "", verr
		}
		upheld := *req.Upheld
		if _, err := s.app.RuleObjection(c.Request().Context(), a, ids[0], ids[1], upheld, req.Reason); err != nil {
			return "", err
		}
		if upheld {
			return "已裁定：申辩成立，相关问题已撤回。", nil
		}
		return "已裁定：申辩不成立。", nil
	})
}

func (s *Server) uiRectification(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showRectification(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showRectification(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	_, cv, can, err := s.loadCase(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	p := rectificationPage{frame: s.frame(c, "整改填报 "+cv.Number), Case: cv, Can: can, Form: form, Today: string(domain.DateOf(s.app.Now()))}
	p.Alert = alert
	p.Ready = true
	for _, f := range cv.Findings {
		if f.ToRectify {
			p.Open = append(p.Open, f)
			if !f.HasMeasure {
				p.Missing = append(p.Missing, "「"+f.Title+"」尚无整改措施")
			}
			if !f.HasRectificationEvidence {
				p.Missing = append(p.Missing, "「"+f.Title+"」尚无整改佐证材料")
			}
		} else if !f.Withdrawn {
			p.Settled = append(p.Settled, f)
		}
	}
	p.Ready = len(p.Missing) == 0 && len(p.Open) > 0
	return s.render(c, status, p)
}

func (s *Server) uiMeasureAdd(c echo.Context) error {
	ids, err := pathIDs(c, "id", "fid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req measureRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error {
		return s.showRectification(c, ids[0], f, alert, status)
	}
	back := caseHref(ids[0]) + "/rectification#finding-" + strconv.FormatInt(ids[1], 10)
	return s.act(c, "measure-"+strconv.FormatInt(ids[1], 10), values, back, again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		v, _, err := s.app.AddMeasure(c.Request().Context(), a, ids[0], ids[1], req.toDomainMeasure())
		if err != nil {
			return "", err
		}
		return "已添加整改措施。" + strings.Join(v.Case.Notes, ""), nil
	})
}

func (s *Server) uiRecheck(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showRecheck(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showRecheck(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	_, cv, can, err := s.loadCase(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	if !can.Recheck && alert == "" {
		return domain.Errorf(domain.EFORBIDDEN, "您现在不能复查本案：复查须在案件待复查时，由未参与本案督导、未提交整改的督学进行。")
	}
	p := recheckPage{frame: s.frame(c, "复查 "+cv.Number), Case: cv, Can: can, Form: form, Today: string(domain.DateOf(s.app.Now()))}
	p.Alert = alert
	for _, f := range cv.Findings {
		if f.Submitted {
			p.Findings = append(p.Findings, f)
		}
	}
	return s.render(c, status, p)
}

// uiEvidenceUpload takes the photos and documents of one form: the camera input and the document
// input may each carry a file.
func (s *Server) uiEvidenceUpload(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	form, err := c.MultipartForm()
	if err != nil {
		return domain.Errorf(domain.EBADREQUEST, "上传内容有误，请重新选择文件。")
	}
	defer form.RemoveAll()
	values := url.Values(form.Value)
	formID, anchor := "evidence", "#evidence"
	page := caseHref(id)
	again := s.caseAgain(c, id)
	if values.Get("back") == "rectification" {
		page += "/rectification"
		again = func(f uiForm, alert string, status int) error { return s.showRectification(c, id, f, alert, status) }
	}
	var findingID *int64
	if raw := values.Get("finding_id"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			return domain.Errorf(domain.ENOTFOUND, "问题不存在。")
		}
		findingID = &n
		anchor = "#finding-" + raw
		if values.Get("back") == "rectification" {
			formID = "evidence-" + raw
		}
	}
	var objectionID *int64 // an attachment of the target's objection (issue 12)
	if raw := values.Get("objection_id"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			return domain.Errorf(domain.ENOTFOUND, "申辩不存在。")
		}
		objectionID, formID, anchor = &n, "objection-file-"+raw, "#objections"
	}
	if values.Get("form") == "self-evaluation" {
		formID, anchor = "self-evaluation", "#notice"
	}
	back := page + anchor
	var files []*multipart.FileHeader
	files = append(files, form.File["file"]...)
	files = append(files, form.File["document"]...)
	return s.act(c, formID, values, back, again, func() (string, error) {
		if len(files) == 0 {
			return "", domain.FieldError("请选择要上传的照片或文件。", map[string]string{"file": "请拍照或选择图片，或选择一个文档。"})
		}
		for _, fh := range files {
			f, err := fh.Open()
			if err != nil {
				return "", domain.Errorf(domain.EBADREQUEST, "文件读取失败，请重新上传。")
			}
			_, _, err = s.app.UploadEvidence(c.Request().Context(), a, id, app.EvidenceInput{FindingID: findingID, ObjectionID: objectionID,
				Note: values.Get("note"), Filename: sentFilename(fh), Body: f})
			f.Close()
			if err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("已上传 %d 个佐证材料。", len(files)), nil
	})
}

// uiEvidence serves a case's file to the signed-in user, authorised like its case.
func (s *Server) uiEvidence(c echo.Context) error {
	ids, err := pathIDs(c, "id", "eid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	e, f, err := s.app.OpenEvidence(c.Request().Context(), a, ids[1])
	if err != nil {
		return err
	}
	defer f.Close()
	if e.CaseID != ids[0] {
		return domain.Errorf(domain.ENOTFOUND, "佐证材料不存在。")
	}
	serveEvidence(c, e, f)
	return nil
}

// evidenceFormView is one upload form: for the case (FindingID 0, with a choice of finding) or for
// one finding, returning to the case page or to the rectification page (Back).
type evidenceFormView struct {
	CaseID    int64
	FindingID int64
	FormID    string
	Back      string
	CSRF      string
	Form      uiForm
	Findings  []option
	// Issue 12: an attachment of an objection, or the 自评报告 (a document, no camera).
	ObjectionID   int64
	DocumentsOnly bool
}

// EvidenceForm is the upload form of the case page.
func (p casePage) EvidenceForm(findingID int64) evidenceFormView {
	v := evidenceFormView{CaseID: p.Case.ID, FindingID: findingID, FormID: "evidence", CSRF: p.CSRF, Form: p.Form}
	if findingID != 0 {
		v.FormID = "evidence-" + strconv.FormatInt(findingID, 10)
	} else {
		v.Findings = p.Objectable
	}
	return v
}

// EvidenceForm is the upload form of one finding on the rectification page.
func (p rectificationPage) EvidenceForm(findingID int64) evidenceFormView {
	return evidenceFormView{CaseID: p.Case.ID, FindingID: findingID, FormID: "evidence-" + strconv.FormatInt(findingID, 10),
		Back: "rectification", CSRF: p.CSRF, Form: p.Form}
}
