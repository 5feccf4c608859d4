package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// Issue 12, the case as paperwork: the 督导通知 before a 专项/综合 visit, the documents of a case as
// issued (HTML and the stored PDF), the correction of an 意见书 and the 复查/复核 requests of R16, in
// the API and in the pages.

type noticeRequest struct {
	VisitOn           string `json:"visit_on" form:"visit_on" label:"督导日期" validate:"required,datetime=2006-01-02"`
	Scope             string `json:"scope" form:"scope" label:"督导内容" validate:"required,max=2000"`
	Documents         string `json:"documents" form:"documents" label:"需准备的材料" validate:"max=2000"`
	SelfEvaluationDue string `json:"self_evaluation_due" form:"self_evaluation_due" label:"自评报告提交期限" validate:"omitempty,datetime=2006-01-02"`
	Version           *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

func (r noticeRequest) toDomainNotice() domain.NoticeInput {
	return domain.NoticeInput{VisitOn: domain.Date(r.VisitOn), Scope: r.Scope, Documents: r.Documents, SelfEvaluationDue: domain.Date(r.SelfEvaluationDue)}
}

type documentCorrectionRequest struct {
	Reason string `json:"reason" form:"reason" label:"更正事由" validate:"required,max=2000"`
}

type reviewRequest struct {
	Kind   string `json:"kind" form:"kind" label:"申请类型" validate:"required,oneof=review rereview"`
	Reason string `json:"reason" form:"reason" label:"申请理由" validate:"required,max=2000"`
}

type reviewDecisionRequest struct {
	Outcome  string `json:"outcome" form:"outcome" label:"决定" validate:"required,oneof=upheld changed"`
	Decision string `json:"decision" form:"decision" label:"决定理由" validate:"required,max=2000"`
	Version  *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

type documentJSON struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	KindLabel  string `json:"kind_label"`
	Number     string `json:"number"`
	Title      string `json:"title"`
	SHA256     string `json:"sha256"`
	IssuedBy   int64  `json:"issued_by"`
	IssuedAt   string `json:"issued_at"`
	CorrectsID *int64 `json:"corrects_id"`
	Reason     string `json:"reason,omitempty"`
	URL        string `json:"url"`
	PDFURL     string `json:"pdf_url,omitempty"`
	// HTML and Content come with a single document, not with the case.
	HTML    string             `json:"html,omitempty"`
	Content *domain.DocContent `json:"content,omitempty"`
}

func docURL(caseID, docID int64) string { return caseURL(caseID, "documents", docID) }

func toDocumentJSON(caseID int64, d domain.CaseDocument) documentJSON {
	j := documentJSON{ID: d.ID, Kind: string(d.Kind), KindLabel: d.Kind.Label(), Number: d.Number, Title: d.Title, SHA256: d.SHA256,
		IssuedBy: d.IssuedBy, IssuedAt: rfc(d.IssuedAt), CorrectsID: d.CorrectsID, Reason: d.Reason, URL: docURL(caseID, d.ID)}
	if d.Kind.Printed() {
		j.PDFURL = j.URL + "/pdf"
	}
	return j
}

type reviewJSON struct {
	ID         int64   `json:"id"`
	CaseID     int64   `json:"case_id"`
	CaseNumber string  `json:"case_number"`
	Kind       string  `json:"kind"`
	KindLabel  string  `json:"kind_label"`
	OwnerOrg   orgJSON `json:"owner_org"`
	TargetOrg  orgJSON `json:"target_org"`
	PriorID    *int64  `json:"prior_id"`
	Reason     string  `json:"reason"`
	Status     string  `json:"status"`
	Version    int     `json:"version"`
	AppliedBy  int64   `json:"applied_by"`
	AppliedAt  string  `json:"applied_at"`
	DecideBy   string  `json:"decide_by"`
	Late       bool    `json:"late"`
	Outcome    string  `json:"outcome,omitempty"`
	Decision   string  `json:"decision,omitempty"`
	DecidedAt  *string `json:"decided_at,omitempty"`
	MayDecide  bool    `json:"may_decide"`
}

func (s *Server) toReviewJSON(v app.ReviewView) reviewJSON {
	q := v.Request
	return reviewJSON{ID: q.ID, CaseID: q.CaseID, CaseNumber: q.CaseNumber, Kind: string(q.Kind), KindLabel: q.Kind.Label(),
		OwnerOrg: toOrgJSON(q.OwnerOrg), TargetOrg: toOrgJSON(q.TargetOrg), PriorID: q.PriorID, Reason: q.Reason, Status: string(q.Status),
		Version: q.Version, AppliedBy: q.AppliedBy, AppliedAt: rfc(q.AppliedAt), DecideBy: string(q.DecideBy), Late: q.Late(s.app.Now()),
		Outcome: string(q.Outcome), Decision: q.Decision, DecidedAt: rfcPtr(q.DecidedAt), MayDecide: v.MayDecide}
}

func (s *Server) apiSendNotice(c echo.Context) error {
	var req noticeRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.SendNotice(c.Request().Context(), a, id, req.toDomainNotice(), req.Version)
	if err != nil {
		return err
	}
	d := v.Case.LatestDocument(domain.DocNotice)
	return createdPart(c, v, d.ID, docURL(id, d.ID))
}

func (s *Server) apiListDocuments(c echo.Context) error {
	return getByID(c, s.app.GetCase, func(v app.CaseView) map[string]any {
		items := []documentJSON{}
		for _, d := range v.Case.Documents {
			items = append(items, toDocumentJSON(v.Case.ID, d))
		}
		return map[string]any{"items": items}
	})
}

func (s *Server) apiGetDocument(c echo.Context) error {
	ids, err := pathIDs(c, "id", "did")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	d, err := s.app.CaseDocument(c.Request().Context(), a, ids[0], ids[1])
	if err != nil {
		return err
	}
	j := toDocumentJSON(ids[0], d)
	j.HTML, j.Content = d.HTML, d.Content
	return c.JSON(http.StatusOK, j)
}

// documentPDF serves a document's PDF as it was issued, for the API and the pages alike.
func (s *Server) documentPDF(c echo.Context) error {
	ids, err := pathIDs(c, "id", "did")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	doc, err := s.app.CaseDocumentPDF(c.Request().Context(), a, ids[0], ids[1])
	return s.sendReportDocument(c, doc, err)
}

func (s *Server) apiCorrectDocument(c echo.Context) error {
	var req documentCorrectionRequest
	ids, err := pathIDs(c, "id", "did")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, d, err := s.app.CorrectOpinion(c.Request().Context(), a, ids[0], ids[1], req.Reason)
	if err != nil {
		return err
	}
	return createdPart(c, v, d.ID, docURL(ids[0], d.ID))
}

func (s *Server) apiApplyReview(c echo.Context) error {
	var req reviewRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ApplyReview(c.Request().Context(), a, id, domain.ReviewKind(req.Kind), req.Reason)
	if err != nil {
		return err
	}
	return created(c, "/api/v1/reviews/"+strconv.FormatInt(v.Request.ID, 10), s.toReviewJSON(v))
}

func (s *Server) apiListReviews(c echo.Context) error {
	v, _, err := s.casePart(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	vs, err := s.app.CaseReviews(c.Request().Context(), a, v.Case)
	if err != nil {
		return err
	}
	items := []reviewJSON{}
	for _, v := range vs {
		items = append(items, s.toReviewJSON(v))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) apiGetReview(c echo.Context) error {
	return getByID(c, s.app.GetReview, s.toReviewJSON) // /reviews/:id
}

func (s *Server) apiDecideReview(c echo.Context) error {
	var req reviewDecisionRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.DecideReview(c.Request().Context(), a, id, domain.ReviewOutcome(req.Outcome), req.Decision, req.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.toReviewJSON(v))
}

// Pages.

const tmplDocument = "cases/document.html"

// documentPage shows a document of a case as it was issued.
type documentPage struct {
	frame
	Case        caseView
	Doc         documentView
	Paper       template.HTML // the stored rendering, made by package export from the document's content
	Corrected   *documentView // the document this one corrects
	CorrectedBy []documentView
	CanCorrect  bool
	Form        uiForm
}

func (documentPage) template() string { return tmplDocument }

type documentView struct {
	ID                      int64
	Href, PDFHref           string
	Kind, KindLabel         string
	Number, Title, IssuedAt string
	By, SHA256, Short       string
	Reason                  string
	Correction, Superseded  bool
}

func toDocumentView(caseID int64, d domain.CaseDocument, who func(int64) string) documentView {
	v := documentView{ID: d.ID, Href: caseHref(caseID) + "/documents/" + strconv.FormatInt(d.ID, 10), Kind: string(d.Kind),
		KindLabel: d.Kind.Label(), Number: d.Number, Title: d.Title, IssuedAt: cst(d.IssuedAt), By: who(d.IssuedBy), SHA256: d.SHA256,
		Reason: d.Reason, Correction: d.CorrectsID != nil}
	if len(d.SHA256) >= 12 {
		v.Short = d.SHA256[:12]
	}
	if d.Kind.Printed() {
		v.PDFHref = v.Href + "/pdf"
	}
	return v
}

func (s *Server) uiDocument(c echo.Context) error {
	ids, err := pathIDs(c, "id", "did")
	if err != nil {
		return err
	}
	return s.showDocument(c, ids[0], ids[1], uiForm{}, "", http.StatusOK)
}

func (s *Server) showDocument(c echo.Context, caseID, docID int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	d, err := s.app.CaseDocument(ctx, a, caseID, docID)
	if err != nil {
		return err
	}
	v, cv, _, err := s.loadCase(ctx, a, caseID)
	if err != nil {
		return err
	}
	who := cv.who
	p := documentPage{frame: s.frame(c, d.Kind.Label()+" "+d.Number), Case: cv, Doc: toDocumentView(caseID, d, who),
		Paper: template.HTML(d.HTML), Form: form} // safe: escaped by html/template in package export when issued
	p.Alert = alert
	for _, o := range v.Case.Documents {
		if d.CorrectsID != nil && o.ID == *d.CorrectsID {
			dv := toDocumentView(caseID, o, who)
			p.Corrected = &dv
		}
		if o.CorrectsID != nil && *o.CorrectsID == d.ID {
			p.CorrectedBy = append(p.CorrectedBy, toDocumentView(caseID, o, who))
		}
	}
	latest := v.Case.LatestDocument(domain.DocOpinion)
	p.CanCorrect = d.Kind == domain.DocOpinion && latest != nil && latest.ID == d.ID && s.app.PaperAbilities(a, v.Case, nil).CorrectOpinion
	return s.render(c, status, p)
}

func (s *Server) uiCorrectDocument(c echo.Context) error {
	ids, err := pathIDs(c, "id", "did")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req documentCorrectionRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error {
		return s.showDocument(c, ids[0], ids[1], f, alert, status)
	}
	// As a form post: to the new document when it is issued, else the form again or the page with why.
	if verr == nil {
		var made *domain.CaseDocument
		if _, made, err = s.app.CorrectOpinion(c.Request().Context(), a, ids[0], ids[1], req.Reason); err == nil {
			return s.redirectWith(c, caseHref(ids[0])+"/documents/"+strconv.FormatInt(made.ID, 10), true, "已签发"+made.Number+"。")
		}
	} else {
		err = verr
	}
	if f, ok := refusedForm("correct", values, err); ok {
		return again(f, "", http.StatusUnprocessableEntity)
	}
	if alert, status, ok := alertFor(err); ok {
		return again(uiForm{}, alert, status)
	}
	return err
}

func (s *Server) uiSendNotice(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req noticeRequest
	values, verr := bindForm(c, &req)
	return s.act(c, "notice", values, caseHref(id)+"#notice", s.caseAgain(c, id), func() (string, error) {
		if verr != nil {
			return "", verr
		}
		v, err := s.app.SendNotice(c.Request().Context(), a, id, req.toDomainNotice(), req.Version)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace("督导通知已发送被督导单位，督导日期为" + string(v.Case.PlannedOn) + "。" + strings.Join(v.Case.Notes, "")), nil
	})
}

func (s *Server) uiApplyReview(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req reviewRequest
	values, verr := bindForm(c, &req)
	return s.act(c, "review-"+req.Kind, values, caseHref(id)+"#reviews", s.caseAgain(c, id), func() (string, error) {
		if verr != nil {
			return "", verr
		}
		v, err := s.app.ApplyReview(c.Request().Context(), a, id, domain.ReviewKind(req.Kind), req.Reason)
		if err != nil {
			return "", err
		}
		return v.Request.Kind.Label() + "申请已提交，" + v.Request.OwnerOrg.OfficeName() + "应于" + s.app.DueLabel(v.Request.DecideBy) + "前作出决定。", nil
	})
}

func (s *Server) uiDecideReview(c echo.Context) error {
	ids, err := pathIDs(c, "id", "rid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req reviewDecisionRequest
	values, verr := bindForm(c, &req)
	return s.act(c, "decide-"+strconv.FormatInt(ids[1], 10), values, caseHref(ids[0])+"#reviews", s.caseAgain(c, ids[0]), func() (string, error) {
		if verr != nil {
			return "", verr
		}
		v, err := s.app.GetReview(c.Request().Context(), a, ids[1])
		if err != nil {
			return "", err
		}
		if v.Request.CaseID != ids[0] {
			return "", domain.Errorf(domain.ENOTFOUND, "复查复核申请不存在。")
		}
		if v, err = s.app.DecideReview(c.Request().Context(), a, ids[1], domain.ReviewOutcome(req.Outcome), req.Decision, req.Version); err != nil {
			return "", err
		}
		msg := "已作出" + v.Request.Kind.Label() + "决定：" + v.Request.Outcome.Label() + "。"
		if v.Request.Outcome == domain.ReviewChanged {
			msg += "请据此签发督导意见书更正。"
		}
		return msg, nil
	})
}

// casePaper fills what the case page shows of the paperwork: the user's abilities, the 复查/复核
// requests with their forms, the notice's rules and the R16 windows.
func (s *Server) casePaper(c echo.Context, a domain.Actor, v app.CaseView, p *casePage) error {
	ctx := c.Request().Context()
	reviews, err := s.app.CaseReviews(ctx, a, v.Case)
	if err != nil {
		return err
	}
	var qs []domain.ReviewRequest
	for _, rv := range reviews {
		q := rv.Request
		qs = append(qs, *q)
		r := reviewView{ID: q.ID, KindLabel: q.Kind.Label(), Office: q.OwnerOrg.OfficeName(), Reason: q.Reason, AppliedAt: cst(q.AppliedAt),
			By: p.Case.who(q.AppliedBy), DecideBy: s.app.DueLabel(q.DecideBy), Status: string(q.Status), StatusLabel: q.Status.Label(),
			Late: q.Late(s.app.Now()), Decided: q.Status == domain.ReviewDecided, MayDecide: rv.MayDecide, OutcomeLabel: q.Outcome.Label(),
			Decision: q.Decision, DecidedAt: cstPtr(q.DecidedAt), FormID: "decide-" + strconv.FormatInt(q.ID, 10), Version: q.Version}
		p.Reviews = append(p.Reviews, r)
	}
	p.Paper = s.app.PaperAbilities(a, v.Case, qs)
	rules := s.app.Rules()
	if v.Case.NeedsNotice(rules) {
		p.EarliestVisit = string(rules.EarliestVisit(s.app.Now()))
		p.NoticeHint = "按规定，" + v.Case.Kind.Label() + "须于实施" + strconv.Itoa(rules.NoticeDays) + "日前书面通知被督导单位，督导日期最早为" + p.EarliestVisit + "。"
	}
	if d, ok := domain.ApplyBy(v.Case, domain.ReviewFirst, qs, rules); ok {
		p.ReviewApplyBy = s.app.DueLabel(d)
	}
	if d, ok := domain.ApplyBy(v.Case, domain.ReviewHigher, qs, rules); ok {
		p.RereviewApplyBy = s.app.DueLabel(d)
	}
	return nil
}

// ObjectionForm is the upload form of an attachment to one of the target's objections.
func (p casePage) ObjectionForm(o objectionView) evidenceFormView {
	return evidenceFormView{CaseID: p.Case.ID, ObjectionID: o.ID, FormID: o.AttachForm, CSRF: p.CSRF, Form: p.Form}
}

// SelfEvaluationForm is the upload form of the target's 自评报告.
func (p casePage) SelfEvaluationForm() evidenceFormView {
	return evidenceFormView{CaseID: p.Case.ID, FormID: "self-evaluation", CSRF: p.CSRF, Form: p.Form, DocumentsOnly: true}
}

// reviewFormView is the form of a 复查 or 复核 application on the case page.
type reviewFormView struct {
	P           casePage
	Kind, Label string
}

// ReviewForm is the application form of kind ("review" or "rereview").
func (p casePage) ReviewForm(kind string) reviewFormView {
	return reviewFormView{P: p, Kind: kind, Label: "申请" + domain.ReviewKind(kind).Label()}
}
