package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// Frameworks (评估指标体系) and the scoring of an inspection against one: the API, the framework pages
// and the case's checklist (the inspection form's framework part, usable on a phone).

const (
	tmplFrameworkList = "frameworks/list.html"
	tmplFrameworkShow = "frameworks/show.html"
	tmplChecklist     = "frameworks/checklist.html"
)

// Requests.
type frameworkItemRequest struct {
	Code      string                 `json:"code" label:"项目代码" validate:"required,max=16"`
	Title     string                 `json:"title" label:"项目名称" validate:"required,max=200"`
	Weight    float64                `json:"weight" label:"权重" validate:"gte=0"`
	MaxScore  float64                `json:"max_score" label:"满分" validate:"gte=0"`
	PassScore *float64               `json:"pass_score" label:"合格分" validate:"omitempty,gte=0"`
	Veto      bool                   `json:"veto" label:"一票否决"`
	Category  string                 `json:"category" label:"问题类别" validate:"max=32"`
	Guidance  string                 `json:"guidance" label:"评估要点" validate:"max=2000"`
	Children  []frameworkItemRequest `json:"children" label:"下级指标" validate:"max=100,dive"`
}

type applicabilityRequest struct {
	Type  string   `json:"type" label:"适用的督导类型" validate:"required,oneof=government school monitoring"`
	Kinds []string `json:"kinds" label:"适用的督导方式" validate:"max=5,dive,oneof=comprehensive special routine random followup"`
}

// frameworkRequest creates a framework (POST) or replaces what a draft says (PATCH); frameworks are
// trees and are written through the API (the pages show them and take their lifecycle steps).
type frameworkRequest struct {
	Code        string                 `json:"code" label:"指标体系代码" validate:"max=32"`
	Name        string                 `json:"name" label:"指标体系名称" validate:"required,max=200"`
	AppliesTo   applicabilityRequest   `json:"applies_to" label:"适用范围"`
	PassMark    float64                `json:"pass_mark" label:"合格分数线" validate:"gte=0,lte=100"`
	Source      string                 `json:"source" label:"依据" validate:"max=2000"`
	Description string                 `json:"description" label:"说明" validate:"max=2000"`
	Items       []frameworkItemRequest `json:"items" label:"评估项目" validate:"required,min=1,max=100,dive"`
	Version     *int                   `json:"version" label:"版本号" validate:"omitempty,gt=0"`
}

func toDomainItems(in []frameworkItemRequest) []domain.FrameworkItem {
	if in == nil {
		return nil
	}
	out := make([]domain.FrameworkItem, len(in))
	for i, it := range in {
		out[i] = domain.FrameworkItem{Code: it.Code, Title: it.Title, Weight: it.Weight, MaxScore: it.MaxScore, PassScore: it.PassScore,
			Veto: it.Veto, Category: it.Category, Guidance: it.Guidance, Children: toDomainItems(it.Children)}
	}
	return out
}

func (r frameworkRequest) toFrameworkInput() domain.FrameworkInput {
	in := domain.FrameworkInput{Code: r.Code, Name: r.Name, AppliesTo: domain.Applicability{Type: domain.CaseType(r.AppliesTo.Type)},
		PassMark: r.PassMark, Source: r.Source, Description: r.Description, Items: toDomainItems(r.Items)}
	for _, k := range r.AppliesTo.Kinds {
		in.AppliesTo.Kinds = append(in.AppliesTo.Kinds, domain.CaseKind(k))
	}
	return in
}

type versionRequest struct {
	Version *int `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

type itemScoreRequest struct {
	Code  string   `json:"code" label:"项目代码" validate:"required,max=16"`
	Score *float64 `json:"score" label:"得分" validate:"omitempty,gte=0"`
	Fail  bool     `json:"fail" label:"不合格"`
	Note  string   `json:"note" label:"评分说明" validate:"max=2000"`
}

// scoringRequest scores a case (PUT /api/v1/cases/{id}/scoring, and the checklist form: score_<code>,
// fail_<code>, note_<code> per item).
type scoringRequest struct {
	FrameworkID int64              `json:"framework_id" form:"framework_id" label:"指标体系" validate:"required,gt=0"`
	Scores      []itemScoreRequest `json:"scores" label:"评分" validate:"max=500,dive"`
	Version     *int               `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

// decodeForm reads the per-item fields of the checklist form; a score that is not a number is refused
// beside its item.
func (r *scoringRequest) decodeForm(v url.Values) map[string]string {
	bad := map[string]string{}
	codes := map[string]bool{}
	for key := range v {
		for _, p := range []string{"score_", "fail_", "note_"} {
			if code, ok := strings.CutPrefix(key, p); ok && code != "" {
				codes[code] = true
			}
		}
	}
	for code := range codes {
		s := itemScoreRequest{Code: code, Fail: v.Get("fail_"+code) == "1", Note: v.Get("note_" + code)}
		if raw := strings.TrimSpace(v.Get("score_" + code)); raw != "" {
			f, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				bad["score_"+code] = "得分应为数字。"
				continue
			}
			s.Score = &f
		}
		if s.Score == nil && !v.Has("fail_"+code) && strings.TrimSpace(s.Note) == "" {
			continue // not scored yet (a weightless veto item sends fail_<code> = 0 or 1 when checked)
		}
		r.Scores = append(r.Scores, s)
	}
	return bad
}

func (r scoringRequest) toItemScores() []domain.ItemScore {
	out := make([]domain.ItemScore, len(r.Scores))
	for i, s := range r.Scores {
		out[i] = domain.ItemScore{Code: s.Code, Score: s.Score, Fail: s.Fail, Note: s.Note}
	}
	return out
}

// JSON answers.
type frameworkJSON struct {
	ID             int64                  `json:"id"`
	Code           string                 `json:"code"`
	Name           string                 `json:"name"`
	Version        int                    `json:"version"`
	AppliesTo      domain.Applicability   `json:"applies_to"`
	AppliesLabel   string                 `json:"applies_label"`
	PassMark       float64                `json:"pass_mark"`
	Source         string                 `json:"source"`
	Description    string                 `json:"description"`
	Items          []domain.FrameworkItem `json:"items"`
	Status         string                 `json:"status"`
	StatusLabel    string                 `json:"status_label"`
	Revision       int                    `json:"revision"`
	OwnerOrg       orgJSON                `json:"owner_org"`
	CreatedAt      string                 `json:"created_at"`
	PublishedAt    *string                `json:"published_at"`
	RetiredAt      *string                `json:"retired_at"`
	AllowedActions []string               `json:"allowed_actions"`
	CanRevise      bool                   `json:"can_revise"`
}

func toFrameworkJSON(v app.FrameworkView) frameworkJSON {
	f := v.Framework
	j := frameworkJSON{ID: f.ID, Code: f.Code, Name: f.Name, Version: f.Version, AppliesTo: f.AppliesTo, AppliesLabel: f.AppliesTo.Label(),
		PassMark: f.PassMark, Source: f.Source, Description: f.Description, Items: f.Items, Status: string(f.Status),
		StatusLabel: f.Status.Label(), Revision: f.Revision, OwnerOrg: toOrgJSON(f.OwnerOrg), CreatedAt: rfc(f.CreatedAt),
		PublishedAt: rfcPtr(f.PublishedAt), RetiredAt: rfcPtr(f.RetiredAt), AllowedActions: []string{}, CanRevise: v.CanRevise}
	for _, a := range v.Allowed {
		j.AllowedActions = append(j.AllowedActions, string(a))
	}
	return j
}

func frameworkURL(id int64) string { return "/api/v1/frameworks/" + strconv.FormatInt(id, 10) }

func (s *Server) apiListFrameworks(c echo.Context) error {
	a, _ := actorOf(c)
	list, err := s.app.ListFrameworks(c.Request().Context(), a)
	if err != nil {
		return err
	}
	items := make([]frameworkJSON, len(list))
	for i, v := range list {
		items[i] = toFrameworkJSON(v)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": len(items)})
}

func (s *Server) apiGetFramework(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetFramework(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFrameworkJSON(v))
}

func (s *Server) apiCreateFramework(c echo.Context) error {
	var req frameworkRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.CreateFramework(c.Request().Context(), a, req.toFrameworkInput())
	if err != nil {
		return err
	}
	return created(c, frameworkURL(v.Framework.ID), toFrameworkJSON(v))
}

func (s *Server) apiEditFramework(c echo.Context) error {
	var req frameworkRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.EditFramework(c.Request().Context(), a, id, req.toFrameworkInput(), req.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFrameworkJSON(v))
}

func (s *Server) apiActFramework(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req versionRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	a, _ := actorOf(c)
	v, err := s.app.ActFramework(c.Request().Context(), a, id, domain.FrameworkAction(c.Param("action")), req.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFrameworkJSON(v))
}

func (s *Server) apiReviseFramework(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ReviseFramework(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return created(c, frameworkURL(v.Framework.ID), toFrameworkJSON(v))
}

// scoringJSON is a case's scoring as computed when it was made.
type scoringJSON struct {
	CaseID        int64    `json:"case_id"`
	CaseVersion   int      `json:"case_version"`
	FrameworkName string   `json:"framework_name"`
	Label         string   `json:"label"`
	ScoredBy      int64    `json:"scored_by"`
	ScoredAt      string   `json:"scored_at"`
	FindingItems  []string `json:"finding_items"` // failed items already turned into findings
	domain.ScoreResult
}

func toScoringJSON(c *domain.Case) scoringJSON {
	s := c.Scoring
	j := scoringJSON{CaseID: c.ID, CaseVersion: c.Version, FrameworkName: s.FrameworkName, Label: s.ScoringLabel(), ScoredBy: s.ScoredBy,
		ScoredAt: rfc(s.ScoredAt), FindingItems: findingItems(c), ScoreResult: s.ScoreResult}
	return j
}

// findingItems are the item codes of the case's scoring that findings (not withdrawn) were made from.
func findingItems(c *domain.Case) []string {
	out := []string{}
	if c.Scoring == nil {
		return out
	}
	prefix := c.Scoring.FrameworkCode + ":"
	for _, f := range c.Findings {
		if code, ok := strings.CutPrefix(f.ItemCode, prefix); ok && f.Status != domain.FindingWithdrawn {
			out = append(out, code)
		}
	}
	return out
}

func (s *Server) apiGetScoring(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetCase(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	if v.Case.Scoring == nil {
		return domain.Errorf(domain.ENOTFOUND, "案件%s尚未评估打分。", v.Case.Number)
	}
	return c.JSON(http.StatusOK, toScoringJSON(v.Case))
}

func (s *Server) apiScoreCase(c echo.Context) error {
	var req scoringRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ScoreCase(c.Request().Context(), a, id, req.FrameworkID, req.toItemScores(), req.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toScoringJSON(v.Case))
}

func (s *Server) apiFindingFromItem(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, f, err := s.app.FindingFromItem(c.Request().Context(), a, id, c.Param("code"))
	if err != nil {
		return err
	}
	return createdPart(c, v, f.ID, caseURL(id, "findings", f.ID))
}

// Pages.

type frameworkRowView struct {
	ID                          int64
	Href                        string
	Code, Name, Applies         string
	Version                     int
	Status, StatusLabel         string
	Owner, PublishedAt          string
	Publish, Retire, CanRevise  bool
	Revision, Items, Leaves     int
	Veto                        int
	Source                      string
	PassMark                    string
	Description                 string
	CreatedAt, RetiredAt, Total string
}

type frameworkListPage struct {
	frame
	Items []frameworkRowView
}

func (frameworkListPage) template() string { return tmplFrameworkList }

type frameworkItemView struct {
	Code, Title, Guidance, Category string
	Depth                           int
	Leaf, Veto                      bool
	Weight, MaxScore, PassScore     string
}

type frameworkShowPage struct {
	frame
	F     frameworkRowView
	Items []frameworkItemView
}

func (frameworkShowPage) template() string { return tmplFrameworkShow }

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func toFrameworkRow(v app.FrameworkView) frameworkRowView {
	f := v.Framework
	r := frameworkRowView{ID: f.ID, Href: "/frameworks/" + strconv.FormatInt(f.ID, 10), Code: f.Code, Name: f.Name, Applies: f.AppliesTo.Label(),
		Version: f.Version, Status: string(f.Status), StatusLabel: f.Status.Label(), Owner: f.OwnerOrg.Name, PublishedAt: cstPtr(f.PublishedAt),
		RetiredAt: cstPtr(f.RetiredAt), CreatedAt: cst(f.CreatedAt), CanRevise: v.CanRevise, Revision: f.Revision, Source: f.Source,
		PassMark: fmtNum(f.PassMark), Description: f.Description}
	for _, a := range v.Allowed {
		switch a {
		case domain.FwPublish:
			r.Publish = true
		case domain.FwRetire:
			r.Retire = true
		}
	}
	var total float64
	var walk func(items []domain.FrameworkItem)
	walk = func(items []domain.FrameworkItem) {
		for _, it := range items {
			r.Items++
			if it.Leaf() {
				r.Leaves++
				total += it.Weight
			}
			if it.Veto {
				r.Veto++
			}
			walk(it.Children)
		}
	}
	walk(f.Items)
	r.Total = fmtNum(total)
	return r
}

func (s *Server) uiFrameworkList(c echo.Context) error {
	a, _ := actorOf(c)
	list, err := s.app.ListFrameworks(c.Request().Context(), a)
	if err != nil {
		return err
	}
	p := frameworkListPage{frame: s.frame(c, "评估指标体系")}
	for _, v := range list {
		p.Items = append(p.Items, toFrameworkRow(v))
	}
	return s.render(c, http.StatusOK, p)
}

func (s *Server) showFramework(c echo.Context, id int64, alert string, status int) error {
	a, _ := actorOf(c)
	v, err := s.app.GetFramework(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	p := frameworkShowPage{frame: s.frame(c, v.Framework.Label()), F: toFrameworkRow(v)}
	p.Alert = alert
	var walk func(items []domain.FrameworkItem, depth int)
	walk = func(items []domain.FrameworkItem, depth int) {
		for _, it := range items {
			iv := frameworkItemView{Code: it.Code, Title: it.Title, Guidance: it.Guidance, Category: it.Category, Depth: depth, Leaf: it.Leaf(),
				Veto: it.Veto, Weight: fmtNum(it.Weight)}
			if it.Leaf() {
				iv.MaxScore, iv.PassScore = fmtNum(it.MaxScore), fmtNum(it.Pass())
			}
			p.Items = append(p.Items, iv)
			walk(it.Children, depth+1)
		}
	}
	walk(v.Framework.Items, 0)
	return s.render(c, status, p)
}

func (s *Server) uiFrameworkShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showFramework(c, id, "", http.StatusOK)
}

func (s *Server) uiFrameworkAct(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req versionRequest
	values, err := bindForm(c, &req)
	if values == nil {
		return err
	}
	a, _ := actorOf(c)
	act := domain.FrameworkAction(c.Param("action"))
	again := func(_ uiForm, alert string, status int) error { return s.showFramework(c, id, alert, status) }
	return s.act(c, "fw-"+string(act), values, "/frameworks/"+strconv.FormatInt(id, 10), again, func() (string, error) {
		if err != nil {
			return "", err
		}
		v, err := s.app.ActFramework(c.Request().Context(), a, id, act, req.Version)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s已%s。", v.Framework.Label(), v.Framework.Status.Label()), nil
	})
}

func (s *Server) uiFrameworkRevise(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ReviseFramework(c.Request().Context(), a, id)
	if err != nil {
		if alert, status, ok := alertFor(err); ok {
			return s.showFramework(c, id, alert, status)
		}
		return err
	}
	return s.redirectWith(c, "/frameworks/"+strconv.FormatInt(v.Framework.ID, 10), true,
		fmt.Sprintf("已起草%s（草稿），可通过接口修改后发布；第%d版及按其作出的评分不受影响。", v.Framework.Label(), v.Framework.Version-1))
}

// The checklist page: the case's framework items to score on site.

type checkItemView struct {
	Code, Title, Guidance       string
	Depth                       int
	Leaf, Veto, Weightless      bool
	Weight, MaxScore, PassScore string
	Score, Note                 string
	Fail, Checked               bool
	Points, Error               string
	Failed, Assessed, HasResult bool
	FindingMade, CanMakeFinding bool
}

type checklistPage struct {
	frame
	Case      caseView
	Framework *frameworkRowView
	Options   []frameworkRowView
	Items     []checkItemView
	Result    *domain.Scoring
	Label     string
	CanScore  bool
	CanFind   bool
	Form      uiForm
	Version   int
}

func (checklistPage) template() string { return tmplChecklist }

func (s *Server) uiChecklist(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showChecklist(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showChecklist(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	cl, err := s.app.CaseChecklist(ctx, a, id)
	if err != nil {
		return err
	}
	_, cv, _, err := s.loadCase(ctx, a, id)
	if err != nil {
		return err
	}
	p := checklistPage{frame: s.frame(c, "评估打分 · "+cv.Number), Case: cv, Result: cl.Scoring, CanScore: cl.CanScore, CanFind: cl.CanMakeFindings,
		Form: form, Version: cl.Case.Case.Version}
	p.Alert = alert
	for _, f := range cl.Options {
		p.Options = append(p.Options, toFrameworkRow(app.FrameworkView{Framework: f}))
	}
	fw := cl.Current
	if want := c.QueryParam("framework_id"); want != "" || fw == nil {
		for _, f := range cl.Options {
			if strconv.FormatInt(f.ID, 10) == want || (want == "" && fw == nil) {
				fw = f
				break
			}
		}
	}
	if fw == nil {
		return s.render(c, status, p)
	}
	row := toFrameworkRow(app.FrameworkView{Framework: fw})
	p.Framework = &row
	given := map[string]domain.ItemScore{}
	results := map[string]domain.ItemResult{}
	if cl.Scoring != nil && cl.Scoring.FrameworkID == fw.ID {
		p.Label = cl.Scoring.ScoringLabel()
		for _, sc := range cl.Scoring.Scores {
			given[sc.Code] = sc
		}
		for _, r := range cl.Scoring.Items {
			results[r.Code] = r
		}
	} else {
		p.Result = nil
	}
	made := map[string]bool{}
	for _, code := range findingItems(cl.Case.Case) {
		made[code] = true
	}
	var walk func(items []domain.FrameworkItem, depth int)
	walk = func(items []domain.FrameworkItem, depth int) {
		for _, it := range items {
			iv := checkItemView{Code: it.Code, Title: it.Title, Guidance: it.Guidance, Depth: depth, Leaf: it.Leaf(), Veto: it.Veto,
				Weightless: it.Weight == 0, Weight: fmtNum(it.Weight)}
			if it.Leaf() {
				iv.MaxScore, iv.PassScore = fmtNum(it.MaxScore), fmtNum(it.Pass())
			}
			if g, ok := given[it.Code]; ok {
				iv.Fail, iv.Note, iv.Checked = g.Fail, g.Note, true
				if g.Score != nil {
					iv.Score = fmtNum(*g.Score)
				}
			}
			if form.ID == "score" {
				iv.Score, iv.Note, iv.Fail = form.Values.Get("score_"+it.Code), form.Values.Get("note_"+it.Code), form.Values.Get("fail_"+it.Code) == "1"
				iv.Error = form.Errors["score_"+it.Code] + form.Errors["scores."+it.Code]
			}
			if r, ok := results[it.Code]; ok {
				iv.HasResult, iv.Failed, iv.Assessed, iv.Points = true, r.Failed, r.Assessed, fmtNum(r.Points)
				iv.FindingMade = made[it.Code]
				iv.CanMakeFinding = r.Failed && !iv.FindingMade && cl.CanMakeFindings
			}
			p.Items = append(p.Items, iv)
			walk(it.Children, depth+1)
		}
	}
	walk(fw.Items, 0)
	return s.render(c, status, p)
}

func checklistHref(id int64) string { return caseHref(id) + "/checklist" }

func (s *Server) uiChecklistScore(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req scoringRequest
	values, verr := bindForm(c, &req)
	if values == nil {
		return verr
	}
	a, _ := actorOf(c)
	again := func(f uiForm, alert string, status int) error { return s.showChecklist(c, id, f, alert, status) }
	return s.act(c, "score", values, checklistHref(id), again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		v, err := s.app.ScoreCase(c.Request().Context(), a, id, req.FrameworkID, req.toItemScores(), req.Version)
		if err != nil {
			return "", err
		}
		return "评分已保存：" + v.Case.Scoring.ScoringLabel(), nil
	})
}

func (s *Server) uiChecklistFinding(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	_, f, err := s.app.FindingFromItem(c.Request().Context(), a, id, c.Param("code"))
	if err != nil {
		if alert, status, ok := alertFor(err); ok {
			return s.showChecklist(c, id, uiForm{}, alert, status)
		}
		return err
	}
	return s.redirectWith(c, checklistHref(id), true, fmt.Sprintf("已形成问题「%s」（%s），可在案件页修改。", f.Title, f.Severity.Label()))
}

// checklistSummary is the card the case page loads (htmx): the scoring, or a way to start it; nothing
// when no framework applies to the case.
type checklistSummary struct {
	CaseID           int64
	Label, Framework string
	Scored, CanScore bool
	Failed, Veto     int
}

func (s *Server) uiChecklistSummary(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	cl, err := s.app.CaseChecklist(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	sum := checklistSummary{CaseID: id, CanScore: cl.CanScore}
	if cl.Scoring != nil {
		sum.Scored, sum.Label, sum.Failed, sum.Veto = true, cl.Scoring.ScoringLabel(), len(cl.Scoring.Failed), len(cl.Scoring.VetoFailed)
		sum.Framework = fmt.Sprintf("《%s》第%d版", cl.Scoring.FrameworkName, cl.Scoring.FrameworkVersion)
	} else if len(cl.Options) > 0 {
		sum.Framework = cl.Options[0].Label()
	}
	if !sum.Scored && !sum.CanScore {
		return c.HTML(http.StatusOK, "")
	}
	return s.renderFragment(c, http.StatusOK, tmplChecklist, "checklist-summary", sum)
}
