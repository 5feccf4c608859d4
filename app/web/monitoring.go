package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/app/export"
	"dudao/domain"
)

// 评估监测: the indicator catalog, observations (entered, corrected, imported), attainment, the case
// proposals of indicators behind their trajectory, and the reports of the plan's monitoring cycle.

const (
	tmplMonitoring       = "monitoring/index.html"
	tmplMonitoringImport = "monitoring/import.html"
	tmplMonitoringReport = "monitoring/report.html"
	tmplProposal         = "monitoring/proposal.html"
)

// Requests.
type observationRequest struct {
	IndicatorCode string   `json:"indicator_code" form:"indicator_code" label:"指标" validate:"required,max=64"`
	OrgID         int64    `json:"org_id" form:"org_id" label:"单位" validate:"required,gt=0"`
	Year          int      `json:"year" form:"year" label:"年份" validate:"required,gte=2015,lte=2035"`
	Value         *float64 `json:"value" form:"value" label:"数值" validate:"required"`
	Note          string   `json:"note" form:"note" label:"备注" validate:"max=500"`
	Version       *int     `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

type correctionRequest struct {
	Value   *float64 `json:"value" form:"value" label:"数值" validate:"required"`
	Note    string   `json:"note" form:"note" label:"备注" validate:"max=500"`
	Version *int     `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

type acceptRequest struct {
	InspectorIDs []int64 `json:"inspector_ids" form:"inspector_ids" label:"督学" validate:"required,min=1,max=20,dive,gt=0"`
	Kind         string  `json:"kind" form:"kind" label:"督导方式" validate:"omitempty,oneof=comprehensive special routine random followup"`
	Title        string  `json:"title" form:"title" label:"案件标题" validate:"max=200"`
	PlannedOn    string  `json:"planned_on" form:"planned_on" label:"计划日期" validate:"omitempty,datetime=2006-01-02"`
	Version      *int    `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

type dismissRequest struct {
	Reason  string `json:"reason" form:"reason" label:"不予立案的理由" validate:"required,max=2000"`
	Version *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

// JSON answers.
type observationJSON struct {
	ID            int64   `json:"id"`
	IndicatorCode string  `json:"indicator_code"`
	Org           orgJSON `json:"org"`
	Year          int     `json:"year"`
	Value         float64 `json:"value"`
	Source        string  `json:"source"`
	Note          string  `json:"note"`
	Sample        bool    `json:"sample"`
	EnteredBy     int64   `json:"entered_by"`
	EnteredAt     string  `json:"entered_at"`
	Version       int     `json:"version"`
}

func toObservationJSON(o *domain.Observation) observationJSON {
	return observationJSON{ID: o.ID, IndicatorCode: o.IndicatorCode, Org: toOrgJSON(o.Org), Year: o.Year, Value: o.Value, Source: o.Source,
		Note: o.Note, Sample: o.Sample, EnteredBy: o.EnteredBy, EnteredAt: rfc(o.EnteredAt), Version: o.Version}
}

func observationURL(id int64) string { return "/api/v1/observations/" + strconv.FormatInt(id, 10) }

type attainmentJSON struct {
	Code        string   `json:"code"`
	NameZh      string   `json:"name_zh"`
	Unit        string   `json:"unit"`
	Attribute   *string  `json:"attribute"`
	Direction   string   `json:"direction"`
	Year        int      `json:"year"`
	Value       *float64 `json:"value"`
	Target      *float64 `json:"target"`
	Expected    *float64 `json:"expected"`
	Status      string   `json:"status"`
	StatusLabel string   `json:"status_label"`
	TargetGap   *float64 `json:"target_gap"`
	ExpectedGap *float64 `json:"expected_gap"`
	Sample      bool     `json:"sample"`
}

func toAttainmentJSON(r app.AttainmentRow) attainmentJSON {
	j := attainmentJSON{Code: r.Indicator.Code, NameZh: r.Indicator.NameZh, Unit: r.Indicator.Unit, Direction: string(r.Indicator.Direction),
		Year: r.Year, Value: r.Value, Target: r.Target, Expected: r.Expected, Status: string(r.Status), StatusLabel: r.Status.Label(),
		TargetGap: r.TargetGap, ExpectedGap: r.ExpectedGap, Sample: r.Sample}
	if r.Indicator.Attribute != "" {
		at := string(r.Indicator.Attribute)
		j.Attribute = &at
	}
	return j
}

type proposalJSON struct {
	ID             int64    `json:"id"`
	Key            string   `json:"key"`
	IndicatorCode  string   `json:"indicator_code"`
	IndicatorName  string   `json:"indicator_name"`
	Unit           string   `json:"unit"`
	Year           int      `json:"year"`
	Value          float64  `json:"value"`
	Expected       float64  `json:"expected"`
	Target         float64  `json:"target"`
	Title          string   `json:"title"`
	Facts          string   `json:"facts"`
	OwnerOrg       orgJSON  `json:"owner_org"`
	TargetOrg      orgJSON  `json:"target_org"`
	Status         string   `json:"status"`
	StatusLabel    string   `json:"status_label"`
	Version        int      `json:"version"`
	CaseID         *int64   `json:"case_id"`
	CaseNumber     string   `json:"case_number,omitempty"`
	Reason         string   `json:"reason,omitempty"`
	ProposedAt     string   `json:"proposed_at"`
	DecidedAt      *string  `json:"decided_at"`
	AllowedActions []string `json:"allowed_actions"`
	CreatedID      *int64   `json:"created_id,omitempty"`
}

func toProposalJSON(v app.ProposalView) proposalJSON {
	p := v.Proposal
	j := proposalJSON{ID: p.ID, Key: p.Key, IndicatorCode: p.IndicatorCode, IndicatorName: p.IndicatorName, Unit: p.Unit, Year: p.Year,
		Value: p.Value, Expected: p.Expected, Target: p.Target, Title: p.Title, Facts: p.Facts, OwnerOrg: toOrgJSON(p.OwnerOrg),
		TargetOrg: toOrgJSON(p.TargetOrg), Status: string(p.Status), StatusLabel: p.Status.Label(), Version: p.Version, CaseID: p.CaseID,
		CaseNumber: p.CaseNumber, Reason: p.Reason, ProposedAt: rfc(p.ProposedAt), DecidedAt: rfcPtr(p.DecidedAt), AllowedActions: []string{}}
	for _, a := range v.Allowed {
		j.AllowedActions = append(j.AllowedActions, string(a))
	}
	return j
}

// queryInts reads optional positive integer query parameters; a bad one is 422 naming it.
func queryInts(c echo.Context, names ...string) (map[string]int64, error) {
	out := map[string]int64{}
	fields := map[string]string{}
	for _, n := range names {
		s := strings.TrimSpace(c.QueryParam(n))
		if s == "" {
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 || v > 1_000_000_000 {
			fields[n] = "应为正整数。"
			continue
		}
		out[n] = v
	}
	if len(fields) > 0 {
		return nil, domain.FieldError("查询条件有误。", fields)
	}
	return out, nil
}

func (s *Server) apiListIndicators(c echo.Context) error {
	a, _ := actorOf(c)
	inds, err := s.app.Indicators(a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": inds, "total": len(inds)})
}

func (s *Server) apiGetIndicator(c echo.Context) error {
	a, _ := actorOf(c)
	ind, err := s.app.Indicator(a, c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ind)
}

func (s *Server) apiRecordObservation(c echo.Context) error {
	var req observationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	o, made, err := s.app.RecordObservation(c.Request().Context(), a, app.ObservationInput{IndicatorCode: req.IndicatorCode, OrgID: req.OrgID,
		Year: req.Year, Value: *req.Value, Note: req.Note, Version: req.Version})
	if err != nil {
		return err
	}
	if made {
		return created(c, observationURL(o.ID), toObservationJSON(o))
	}
	return c.JSON(http.StatusOK, toObservationJSON(o))
}

func (s *Server) apiListObservations(c echo.Context) error {
	q, err := queryInts(c, "org_id", "year", "page", "per_page")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	f := domain.ObservationFilter{IndicatorCode: strings.TrimSpace(c.QueryParam("indicator_code")), OrgID: q["org_id"], Year: int(q["year"]),
		Page: int(q["page"]), PerPage: int(q["per_page"])}
	items, total, err := s.app.ListObservations(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	out := make([]observationJSON, len(items))
	for i := range items {
		out[i] = toObservationJSON(&items[i])
	}
	per := f.PerPage
	if per <= 0 {
		per = 20
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": total, "page": max(f.Page, 1), "per_page": min(per, 200)})
}

func (s *Server) apiGetObservation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	o, err := s.app.GetObservation(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toObservationJSON(o))
}

func (s *Server) apiCorrectObservation(c echo.Context) error {
	var req correctionRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	o, err := s.app.CorrectObservation(c.Request().Context(), a, id, *req.Value, req.Note, req.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toObservationJSON(o))
}

// importFile reads the uploaded file field of an import; a body over the cap is 413.
func (s *Server) importFile(c echo.Context) (string, []byte, error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxUploadBytes+uploadOverhead)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, domain.Errorf(domain.ETOOLARGE, "文件超过大小上限（%d MB），请分批导入。", s.cfg.MaxUploadBytes>>20)
		}
		return "", nil, domain.Errorf(domain.EBADREQUEST, "上传内容应为 multipart/form-data，文件字段名为 file。")
	}
	defer r.MultipartForm.RemoveAll()
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, domain.FieldError("导入文件有误。", map[string]string{"file": "请选择要导入的文件（.xlsx 或 .csv）。"})
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, domain.Errorf(domain.EBADREQUEST, "文件读取失败，请重新上传。")
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return "", nil, domain.Errorf(domain.EBADREQUEST, "文件读取失败，请重新上传。")
	}
	name := sentFilename(fh)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		name = "上传文件"
	}
	return name, buf.Bytes(), nil
}

type importJSON struct {
	File      string `json:"file"`
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Corrected int    `json:"corrected"`
	Unchanged int    `json:"unchanged"`
	Proposals int    `json:"proposals"`
	TookMS    int64  `json:"took_ms"`
}

func (s *Server) apiImportObservations(c echo.Context) error {
	name, body, err := s.importFile(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	res, err := s.app.ImportObservations(c.Request().Context(), a, name, bytes.NewReader(body), nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, importJSON{File: res.File, Rows: res.Rows, Created: res.Created, Corrected: res.Corrected,
		Unchanged: res.Unchanged, Proposals: res.Proposals, TookMS: res.Took.Milliseconds()})
}

func (s *Server) apiObservationTemplate(c echo.Context) error {
	a, _ := actorOf(c)
	var buf bytes.Buffer
	if err := s.app.ObservationTemplate(a, &buf); err != nil {
		return err
	}
	return s.sendReportDocument(c, app.Document{Filename: "监测数据导入模板.xlsx", ContentType: export.ContentTypeXLSX, Body: buf.Bytes()}, nil)
}

func (s *Server) apiAttainment(c echo.Context) error {
	q, err := queryInts(c, "org_id", "year")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	t, err := s.app.Attainment(c.Request().Context(), a, q["org_id"], int(q["year"]))
	if err != nil {
		return err
	}
	items := make([]attainmentJSON, len(t.Rows))
	for i, r := range t.Rows {
		items[i] = toAttainmentJSON(r)
	}
	counts := map[string]int{}
	for _, st := range domain.AttainmentStatuses {
		counts[string(st)] = t.Counts[st]
	}
	return c.JSON(http.StatusOK, map[string]any{"org": toOrgJSON(t.Org), "year": t.Year, "items": items, "total": len(items), "counts": counts})
}

func (s *Server) apiListProposals(c echo.Context) error {
	q, err := queryInts(c, "page", "per_page")
	if err != nil {
		return err
	}
	st := domain.ProposalStatus(c.QueryParam("status"))
	if st != "" && !st.Valid() {
		return domain.FieldError("查询条件有误。", map[string]string{"status": "状态应为 open、accepted 或 dismissed。"})
	}
	a, _ := actorOf(c)
	f := domain.CaseProposalFilter{Status: st, Page: int(q["page"]), PerPage: int(q["per_page"])}
	list, total, err := s.app.ListProposals(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	items := make([]proposalJSON, len(list))
	for i, v := range list {
		items[i] = toProposalJSON(v)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total})
}

func (s *Server) apiGetProposal(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetProposal(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toProposalJSON(v))
}

func (s *Server) apiActProposal(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	switch domain.ProposalAction(c.Param("action")) {
	case domain.ProposalAccept:
		var req acceptRequest
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		v, cs, err := s.app.AcceptProposal(ctx, a, id, req.toAcceptInput())
		if err != nil {
			return err
		}
		j := toProposalJSON(v)
		j.CreatedID = &cs.ID
		return created(c, caseURL(cs.ID), j)
	case domain.ProposalDismiss:
		var req dismissRequest
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		v, err := s.app.DismissProposal(ctx, a, id, req.Reason, req.Version)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toProposalJSON(v))
	}
	return domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", c.Param("action"))
}

func (r acceptRequest) toAcceptInput() app.AcceptInput {
	return app.AcceptInput{Kind: domain.CaseKind(r.Kind), Title: r.Title, InspectorIDs: r.InspectorIDs, PlannedOn: domain.Date(r.PlannedOn), Version: r.Version}
}

// monitoringParams reads kind, year and org_id of a report; a bad one is 422.
func monitoringParams(c echo.Context) (domain.MonitoringReportKind, int, int64, error) {
	q, err := queryInts(c, "year", "org_id")
	if err != nil {
		return "", 0, 0, err
	}
	kind := domain.MonitoringReportKind(c.QueryParam("kind"))
	if kind == "" {
		kind = domain.ReportAnnual
	}
	if !kind.Valid() {
		return "", 0, 0, domain.FieldError("查询条件有误。", map[string]string{"kind": "报告类型应为年度监测（annual）、中期评估（midterm）或终期总结（final）。"})
	}
	return kind, int(q["year"]), q["org_id"], nil
}

func (s *Server) apiMonitoringReport(c echo.Context) error {
	kind, year, org, err := monitoringParams(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	r, err := s.app.MonitoringReport(c.Request().Context(), a, kind, year, org)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMonitoringReportJSON(r, "/api/v1"))
}

func (s *Server) reportMonitoringPDF(c echo.Context) error {
	kind, year, org, err := monitoringParams(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	doc, err := s.app.MonitoringReportPDF(c.Request().Context(), a, kind, year, org)
	return s.sendReportDocument(c, doc, err)
}

func (s *Server) reportMonitoringXLSX(c echo.Context) error {
	kind, year, org, err := monitoringParams(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	doc, err := s.app.MonitoringReportXLSX(c.Request().Context(), a, kind, year, org)
	return s.sendReportDocument(c, doc, err)
}

type monitoringRowJSON struct {
	Code      string           `json:"code"`
	NameZh    string           `json:"name_zh"`
	Unit      string           `json:"unit"`
	Attribute *string          `json:"attribute"`
	Cells     []attainmentJSON `json:"cells"` // per org, in the report's orgs order
}

type monitoringReportJSON struct {
	Kind      string              `json:"kind"`
	KindLabel string              `json:"kind_label"`
	Title     string              `json:"title"`
	Year      int                 `json:"year"`
	Scope     orgJSON             `json:"scope"`
	Orgs      []orgJSON           `json:"orgs"`
	Today     string              `json:"today"`
	Rows      []monitoringRowJSON `json:"rows"`
	Counts    []map[string]int    `json:"counts"` // per org: status → indicators
	Sample    bool                `json:"sample"`
	Notes     []string            `json:"notes"`
	Downloads map[string]string   `json:"downloads"`
}

func monitoringQuery(r domain.MonitoringReport) string {
	v := url.Values{"kind": {string(r.Kind)}, "org_id": {strconv.FormatInt(r.Scope.ID, 10)}}
	if r.Kind == domain.ReportAnnual {
		v.Set("year", strconv.Itoa(r.Year))
	}
	return v.Encode()
}

func toMonitoringReportJSON(r domain.MonitoringReport, prefix string) monitoringReportJSON {
	q := monitoringQuery(r)
	j := monitoringReportJSON{Kind: string(r.Kind), KindLabel: r.Kind.Label(), Title: r.Title, Year: r.Year, Scope: toOrgJSON(r.Scope),
		Today: string(r.Today), Sample: r.Sample, Notes: append([]string{}, r.Notes...), Rows: []monitoringRowJSON{},
		Downloads: map[string]string{"pdf": prefix + "/reports/monitoring.pdf?" + q, "xlsx": prefix + "/reports/monitoring.xlsx?" + q}}
	for _, o := range r.Orgs {
		j.Orgs = append(j.Orgs, toOrgJSON(o))
	}
	for _, row := range r.Rows {
		rj := monitoringRowJSON{Code: row.Indicator.Code, NameZh: row.Indicator.NameZh, Unit: row.Indicator.Unit}
		if row.Indicator.Attribute != "" {
			at := string(row.Indicator.Attribute)
			rj.Attribute = &at
		}
		for i, cell := range row.Cells {
			rj.Cells = append(rj.Cells, toAttainmentJSON(app.AttainmentRow{Indicator: row.Indicator, Attainment: cell, Sample: row.Sample[i]}))
		}
		j.Rows = append(j.Rows, rj)
	}
	for _, sc := range r.Counts {
		m := map[string]int{}
		for _, st := range domain.AttainmentStatuses {
			m[string(st)] = sc.By[st]
		}
		j.Counts = append(j.Counts, m)
	}
	return j
}

// Pages.

type orgOption struct {
	ID       int64
	Label    string
	Selected bool
}

type attainmentView struct {
	Code, Name, Unit, Attribute, Category string
	Binding                               bool
	Value, Target, Expected, Gap          string
	Status, StatusLabel                   string
	Sample                                bool
	Href                                  string
	Org                                   string
}

// attainmentColors are the status colours of the badges (monitoring.css) and of the charts, kept in step.
var attainmentColors = map[domain.AttainmentStatus]string{
	domain.AttAttained: "#2b8a3e", domain.AttOnTrack: "#1f6feb", domain.AttBehind: "#c92a2a",
	domain.AttBelowTarget: "#d9480f", domain.AttNoData: "#9aa5b1", domain.AttNoTarget: "#ced4da",
}

func valueStr(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmtNum(*v)
}

func toAttainmentView(r app.AttainmentRow) attainmentView {
	v := attainmentView{Code: r.Indicator.Code, Name: r.Indicator.NameZh, Unit: r.Indicator.Unit, Attribute: string(r.Indicator.Attribute),
		Category: r.Indicator.Category, Binding: r.Indicator.Binding(), Value: valueStr(r.Value), Target: valueStr(r.Target),
		Expected: valueStr(r.Expected), Status: string(r.Status), StatusLabel: r.Status.Label(), Sample: r.Sample, Org: r.Org.Name}
	if r.ExpectedGap != nil && *r.ExpectedGap > 0 {
		v.Gap = "差" + fmtNum(*r.ExpectedGap)
	} else if r.TargetGap != nil && *r.TargetGap > 0 {
		v.Gap = "距目标" + fmtNum(*r.TargetGap)
	}
	if r.Target != nil && r.Indicator.TargetOp != "" {
		v.Target = string(r.Indicator.TargetOp) + " " + v.Target
	}
	return v
}

type monitoringPage struct {
	frame
	Orgs       []orgOption
	Years      []int
	Year       int
	Org        string
	Rows       []attainmentView
	Stats      []statTile
	Chart      string
	CanWrite   bool
	Indicators []option
	WriteOrgs  []option
	Form       uiForm
	Proposals  []proposalRowView
	Reports    []reportLink
	CanDecide  bool
}

func (monitoringPage) template() string { return tmplMonitoring }

type reportLink struct{ Href, Label string }

type proposalRowView struct {
	Href, Title, Org, Indicator, Status, StatusLabel, ProposedAt, Case string
	Year                                                               int
}

func toProposalRow(v app.ProposalView) proposalRowView {
	p := v.Proposal
	return proposalRowView{Href: "/monitoring/proposals/" + strconv.FormatInt(p.ID, 10), Title: p.Title, Org: p.TargetOrg.Name,
		Indicator: p.IndicatorName, Status: string(p.Status), StatusLabel: p.Status.Label(), ProposedAt: cst(p.ProposedAt), Case: p.CaseNumber, Year: p.Year}
}

func (s *Server) uiMonitoring(c echo.Context) error {
	return s.showMonitoring(c, uiForm{}, http.StatusOK)
}

func (s *Server) showMonitoring(c echo.Context, form uiForm, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	q, err := queryInts(c, "org_id", "year")
	if err != nil {
		q = map[string]int64{}
	}
	t, err := s.app.Attainment(ctx, a, q["org_id"], int(q["year"]))
	if err != nil {
		return err
	}
	p := monitoringPage{frame: s.frame(c, "评估监测"), Year: t.Year, Org: t.Org.Name, Form: form, CanWrite: s.app.MayAnywhere(a, "observation", "write"),
		CanDecide: s.app.MayAnywhere(a, "monitoring", "decide")}
	for y := s.app.Today().Time().Year(); y >= domain.BaselineYear; y-- {
		p.Years = append(p.Years, y)
	}
	orgs, err := s.app.ListOrgs(ctx, a)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.Kind == domain.OrgSchool && o.ID != t.Org.ID {
			continue
		}
		if s.app.MayMonitor(a, o) {
			p.Orgs = append(p.Orgs, orgOption{ID: o.ID, Label: o.Name, Selected: o.ID == t.Org.ID})
		}
		if p.CanWrite && s.app.MayEnterObservations(a, o) {
			p.WriteOrgs = append(p.WriteOrgs, option{strconv.FormatInt(o.ID, 10), o.Name})
		}
	}
	for _, r := range t.Rows {
		if r.Indicator.Target2025 == nil && r.Value == nil {
			continue
		}
		v := toAttainmentView(r)
		v.Href = fmt.Sprintf("/monitoring?org_id=%d&year=%d#ind-%s", t.Org.ID, t.Year, r.Indicator.Code)
		p.Rows = append(p.Rows, v)
	}
	for _, st := range []domain.AttainmentStatus{domain.AttAttained, domain.AttOnTrack, domain.AttBehind, domain.AttNoData} {
		tone := map[domain.AttainmentStatus]string{domain.AttAttained: "ok", domain.AttOnTrack: "info", domain.AttBehind: "danger", domain.AttNoData: "warn"}[st]
		p.Stats = append(p.Stats, statTile{Label: st.Label(), Value: t.Counts[st], Href: "#attainment", Tone: tone})
	}
	d := chartData{Title: fmt.Sprintf("%s%d年指标达成情况", t.Org.Name, t.Year)}
	for _, st := range domain.AttainmentStatuses {
		d.Items = append(d.Items, chartItem{Name: st.Label(), Value: t.Counts[st], Color: attainmentColors[st], Href: "#attainment"})
	}
	b, _ := json.Marshal(d)
	p.Chart = string(b)
	if p.CanWrite {
		inds, err := s.app.Indicators(a)
		if err != nil {
			return err
		}
		for _, ind := range inds {
			p.Indicators = append(p.Indicators, option{ind.Code, ind.NameZh + "（" + ind.Unit + "）"})
		}
	}
	if s.app.MayAnywhere(a, "monitoring", "read") {
		list, _, err := s.app.ListProposals(ctx, a, domain.CaseProposalFilter{PerPage: 20})
		if err != nil {
			return err
		}
		for _, v := range list {
			p.Proposals = append(p.Proposals, toProposalRow(v))
		}
	}
	for _, k := range domain.MonitoringReportKinds {
		href := fmt.Sprintf("/monitoring/report?kind=%s&org_id=%d", k, t.Org.ID)
		label := k.Label()
		if k == domain.ReportAnnual {
			href += fmt.Sprintf("&year=%d", t.Year)
			label = fmt.Sprintf("%d年%s", t.Year, k.Label())
		}
		p.Reports = append(p.Reports, reportLink{Href: href, Label: label})
	}
	return s.render(c, status, p)
}

func (s *Server) uiObservationRecord(c echo.Context) error {
	var req observationRequest
	values, verr := bindForm(c, &req)
	if values == nil {
		return verr
	}
	a, _ := actorOf(c)
	back := "/monitoring"
	if req.OrgID > 0 && req.Year > 0 {
		back = fmt.Sprintf("/monitoring?org_id=%d&year=%d", req.OrgID, req.Year)
	}
	again := func(f uiForm, alert string, status int) error {
		f.ID = "obs"
		if alert != "" {
			f.Message = alert
		}
		return s.showMonitoring(c, f, status)
	}
	return s.act(c, "obs", values, back, again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		o, made, err := s.app.RecordObservation(c.Request().Context(), a, app.ObservationInput{IndicatorCode: req.IndicatorCode, OrgID: req.OrgID,
			Year: req.Year, Value: *req.Value, Note: req.Note})
		if err != nil {
			return "", err
		}
		what := "已更正"
		if made {
			what = "已填报"
		}
		return fmt.Sprintf("%s%s%d年「%s」：%s。", what, o.Org.Name, o.Year, o.IndicatorCode, fmtNum(o.Value)), nil
	})
}

// The import page.

type importRowView struct {
	Line    int
	Reasons string
}

type importResultView struct {
	Done      bool
	File      string
	Rows      int
	Created   int
	Corrected int
	Unchanged int
	Proposals int
	Took      string
	Message   string
	Bad       []importRowView
	More      int // bad rows not listed
}

type importPage struct {
	frame
	Result *importResultView
}

func (importPage) template() string { return tmplMonitoringImport }

// importShown is how many bad rows the page lists.
const importShown = 500

func (s *Server) uiImportPage(c echo.Context) error {
	a, _ := actorOf(c)
	if !s.app.MayAnywhere(a, "observation", "write") {
		return domain.Errorf(domain.EFORBIDDEN, "您无权导入监测数据。")
	}
	return s.render(c, http.StatusOK, importPage{frame: s.frame(c, "导入监测数据")})
}

// uiImport runs an upload from the page: with htmx it answers the result fragment (the page shows
// the upload's progress while it runs), without it the whole page.
func (s *Server) uiImport(c echo.Context) error {
	a, _ := actorOf(c)
	res := &importResultView{}
	name, body, err := s.importFile(c)
	status := http.StatusOK
	if err == nil {
		var r app.ImportResult
		r, err = s.app.ImportObservations(c.Request().Context(), a, name, bytes.NewReader(body), nil)
		res.File, res.Rows, res.Created, res.Corrected, res.Unchanged, res.Proposals = r.File, r.Rows, r.Created, r.Corrected, r.Unchanged, r.Proposals
		res.Took = fmt.Sprintf("%.1f 秒", r.Took.Seconds())
		for i, b := range r.Bad {
			if i == importShown {
				res.More = len(r.Bad) - importShown
				break
			}
			res.Bad = append(res.Bad, importRowView{Line: b.Line, Reasons: strings.Join(b.Reasons, "")})
		}
		sort.Slice(res.Bad, func(i, j int) bool { return res.Bad[i].Line < res.Bad[j].Line })
	}
	if err != nil {
		de, ok := err.(*domain.Error)
		if !ok || (de.Code != domain.EINVALID && de.Code != domain.ETOOLARGE && de.Code != domain.EFORBIDDEN) {
			return err
		}
		res.Message, status = de.Message, statusOf[de.Code]
		if f := de.Fields["file"]; f != "" {
			res.Message += f
		}
	} else {
		res.Done = true
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		return s.renderFragment(c, status, tmplMonitoringImport, "import-result", res)
	}
	return s.render(c, status, importPage{frame: s.frame(c, "导入监测数据"), Result: res})
}

func (s *Server) uiObservationTemplate(c echo.Context) error { return s.apiObservationTemplate(c) }

// The report page.

type monitoringReportPage struct {
	frame
	Report    *domain.MonitoringReport
	Kind      string
	Year      int
	Years     []int
	Kinds     []option
	Orgs      []orgOption
	Headers   []string
	Rows      []reportRowView
	Charts    string // JSON of reportCharts, for the data-charts attribute
	Downloads map[string]string
	Error     string
}

func (monitoringReportPage) template() string { return tmplMonitoringReport }

type reportRowView struct {
	Code, Name, Unit, Attribute, Target, Baseline string
	Cells                                         []attainmentView
}

// reportCharts is what static/monitoring.js draws: status counts per org (stacked), and each binding
// indicator's course per org with the trajectory.
type reportCharts struct {
	Orgs     []string            `json:"orgs"`
	Statuses []reportChartStatus `json:"statuses"`
	Series   []reportChartSeries `json:"series"`
}

type reportChartStatus struct {
	Name   string `json:"name"`
	Color  string `json:"color"`
	Counts []int  `json:"counts"`
}

type reportChartSeries struct {
	Title    string       `json:"title"`
	Unit     string       `json:"unit"`
	Years    []int        `json:"years"`
	Expected []*float64   `json:"expected"`
	Values   [][]*float64 `json:"values"`
}

func reportChartsOf(r domain.MonitoringReport) string {
	d := reportCharts{Orgs: []string{}, Statuses: []reportChartStatus{}, Series: []reportChartSeries{}}
	for _, o := range r.Orgs {
		d.Orgs = append(d.Orgs, o.Name)
	}
	for _, st := range domain.AttainmentStatuses {
		cs := reportChartStatus{Name: st.Label(), Color: attainmentColors[st]}
		for _, c := range r.Counts {
			cs.Counts = append(cs.Counts, c.By[st])
		}
		d.Statuses = append(d.Statuses, cs)
	}
	for _, s := range r.Series {
		d.Series = append(d.Series, reportChartSeries{Title: s.Indicator.NameZh + "（约束性）", Unit: s.Indicator.Unit, Years: s.Years,
			Expected: s.Expected, Values: s.Values})
	}
	b, _ := json.Marshal(d)
	return string(b)
}

func (s *Server) uiMonitoringReport(c echo.Context) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	p := monitoringReportPage{frame: s.frame(c, "评估监测报告")}
	for _, k := range domain.MonitoringReportKinds {
		p.Kinds = append(p.Kinds, option{string(k), k.Label()})
	}
	for y := s.app.Today().Time().Year(); y > domain.BaselineYear; y-- {
		p.Years = append(p.Years, y)
	}
	kind, year, orgID, err := monitoringParams(c)
	p.Kind, p.Year = string(kind), year
	var r domain.MonitoringReport
	if err == nil {
		r, err = s.app.MonitoringReport(ctx, a, kind, year, orgID)
	}
	status := http.StatusOK
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		p.Error, status = domain.ErrorMessage(err), http.StatusUnprocessableEntity
		if de, ok := err.(*domain.Error); ok {
			for _, v := range de.Fields {
				p.Error += v
			}
		}
	} else {
		p.Report, p.Year, p.Charts = &r, r.Year, reportChartsOf(r)
		p.Title = r.Title
		p.Downloads = map[string]string{"pdf": "/monitoring/report.pdf?" + monitoringQuery(r), "xlsx": "/monitoring/report.xlsx?" + monitoringQuery(r)}
		for _, o := range r.Orgs {
			p.Headers = append(p.Headers, o.Name)
		}
		for _, row := range r.Rows {
			rv := reportRowView{Code: row.Indicator.Code, Name: row.Indicator.NameZh, Unit: row.Indicator.Unit, Attribute: string(row.Indicator.Attribute),
				Target: valueStr(row.Indicator.Target2025)}
			if b, ok := row.Indicator.BaselineValue(domain.BaselineYear); ok {
				rv.Baseline = fmtNum(b)
			} else {
				rv.Baseline = "—"
			}
			for i, cell := range row.Cells {
				rv.Cells = append(rv.Cells, toAttainmentView(app.AttainmentRow{Indicator: row.Indicator, Attainment: cell, Sample: row.Sample[i]}))
			}
			p.Rows = append(p.Rows, rv)
		}
	}
	orgs, err := s.app.ListOrgs(ctx, a)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.Kind != domain.OrgSchool && s.app.MayMonitor(a, o) {
			p.Orgs = append(p.Orgs, orgOption{ID: o.ID, Label: o.Name, Selected: p.Report != nil && o.ID == p.Report.Scope.ID})
		}
	}
	return s.render(c, status, p)
}

// The proposal page.

type proposalPage struct {
	frame
	P          proposalJSON
	CanAccept  bool
	CanDismiss bool
	Inspectors []option
	Kinds      []option
	Form       uiForm
	CaseHref   string
}

func (proposalPage) template() string { return tmplProposal }

func (s *Server) showProposal(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	v, err := s.app.GetProposal(ctx, a, id)
	if err != nil {
		return err
	}
	p := proposalPage{frame: s.frame(c, v.Proposal.Title), P: toProposalJSON(v), Form: form, Kinds: kindOptions()}
	p.Alert = alert
	if v.Proposal.CaseID != nil {
		p.CaseHref = caseHref(*v.Proposal.CaseID)
	}
	for _, act := range v.Allowed {
		switch act {
		case domain.ProposalAccept:
			p.CanAccept = s.app.MayOpenCases(a)
		case domain.ProposalDismiss:
			p.CanDismiss = true
		}
	}
	if p.CanAccept {
		inspectors, err := s.app.ListInspectors(ctx, a)
		if err != nil {
			return err
		}
		for _, i := range inspectors {
			if i.Path.Covers(v.Proposal.TargetOrg.Path) {
				p.Inspectors = append(p.Inspectors, option{strconv.FormatInt(i.UserID, 10), i.Name + " · " + i.OrgName})
			}
		}
	}
	return s.render(c, status, p)
}

func (s *Server) uiProposalShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showProposal(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) uiProposalAct(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	back := "/monitoring/proposals/" + strconv.FormatInt(id, 10)
	again := func(f uiForm, alert string, status int) error { return s.showProposal(c, id, f, alert, status) }
	switch act := domain.ProposalAction(c.Param("action")); act {
	case domain.ProposalAccept:
		var req acceptRequest
		values, verr := bindForm(c, &req)
		if values == nil {
			return verr
		}
		return s.act(c, "accept", values, back, again, func() (string, error) {
			if verr != nil {
				return "", verr
			}
			_, cs, err := s.app.AcceptProposal(ctx, a, id, req.toAcceptInput())
			if err != nil {
				return "", err
			}
			return "已据此开立评估监测案件" + cs.Number + "。", nil
		})
	case domain.ProposalDismiss:
		var req dismissRequest
		values, verr := bindForm(c, &req)
		if values == nil {
			return verr
		}
		return s.act(c, "dismiss", values, back, again, func() (string, error) {
			if verr != nil {
				return "", verr
			}
			if _, err := s.app.DismissProposal(ctx, a, id, req.Reason, req.Version); err != nil {
				return "", err
			}
			return "已决定不予立案。", nil
		})
	}
	return domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", c.Param("action"))
}

// The home page's monitoring part.

type monitorHome struct {
	Scope       string
	Year        int
	BehindTotal int
	Behind      []monitorItem
	ToEnter     []monitorMissing
	Missing     int
	Proposals   int
	CanWrite    bool
}

type monitorItem struct {
	attainmentView
	Year int
}

type monitorMissing struct {
	Href, Org, First string
	Count            int
}

// homeMonitorCap is how many items each monitoring list of the home page shows.
const homeMonitorCap = 8

// homeMonitoring fills the monitoring part of the home of whoever reads monitoring and no cases (the
// monitor): the indicators behind their trajectory and what to enter next.
func (s *Server) homeMonitoring(ctx context.Context, a domain.Actor, p *homePage) error {
	if p.ReadsCases {
		return nil
	}
	h, ok, err := s.app.MonitoringHome(ctx, a)
	if err != nil || !ok {
		return err
	}
	m := &monitorHome{Scope: h.Org.Name, Year: h.Year, BehindTotal: len(h.Behind), Proposals: h.Proposal, CanWrite: s.app.MayAnywhere(a, "observation", "write")}
	for i, r := range h.Behind {
		if i == homeMonitorCap {
			break
		}
		v := monitorItem{attainmentView: toAttainmentView(r), Year: r.Year}
		v.Href = fmt.Sprintf("/monitoring?org_id=%d&year=%d#ind-%s", r.Org.ID, r.Year, r.Indicator.Code)
		m.Behind = append(m.Behind, v)
	}
	for _, miss := range h.ToEnter {
		m.Missing += len(miss.Indicators)
		var names []string
		for i, ind := range miss.Indicators {
			if i == 3 {
				names = append(names, "……")
				break
			}
			names = append(names, ind.NameZh)
		}
		m.ToEnter = append(m.ToEnter, monitorMissing{Href: fmt.Sprintf("/monitoring?org_id=%d&year=%d#enter", miss.Org.ID, h.Year),
			Org: miss.Org.Name, First: strings.Join(names, "、"), Count: len(miss.Indicators)})
	}
	p.Monitor = m
	return nil
}
