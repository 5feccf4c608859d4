package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/app/export"
	"dudao/domain"
)

const tmplReportAccountability = "reports/accountability.html"

// reportParams reads from, to and org_id; a bad value is 422 naming the parameter in Chinese. The
// period's meaning (from not after to) is the domain's.
func reportParams(c echo.Context) (app.ReportParams, error) {
	var p app.ReportParams
	fields := map[string]string{}
	for _, q := range []struct {
		name, label string
		dst         *domain.Date
	}{{"from", "开始日期", &p.From}, {"to", "结束日期", &p.To}} {
		if v := strings.TrimSpace(c.QueryParam(q.name)); v != "" {
			d, err := domain.ParseDate(v)
			if err != nil {
				fields[q.name] = q.label + "格式应为YYYY-MM-DD。"
			}
			*q.dst = d
		}
	}
	if v := strings.TrimSpace(c.QueryParam("org_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fields["org_id"] = "统计范围（机构编号）应为正整数。"
		}
		p.OrgID = id
	}
	if len(fields) > 0 {
		return p, domain.FieldError("查询条件有误。", fields)
	}
	if p.From != "" && p.To != "" {
		if err := domain.ValidatePeriod(p.From, p.To); err != nil {
			return p, err
		}
	}
	return p, nil
}

// JSON answers of the accountability report.
type reportOrgJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Path string `json:"path"`
}

type reportSeverityJSON struct {
	Minor    int `json:"minor"`
	Major    int `json:"major"`
	Critical int `json:"critical"`
	Total    int `json:"total"`
}

type reportFiguresJSON struct {
	Org               *reportOrgJSON     `json:"org,omitempty"`
	CasesIssued       int                `json:"cases_issued"`
	Findings          reportSeverityJSON `json:"findings"`
	DueInPeriod       int                `json:"due_in_period"`
	RectifiedOnTime   int                `json:"rectified_on_time"`
	OnTimeRate        *float64           `json:"on_time_rate"`
	OverdueNow        int                `json:"overdue_now"`
	OldestOverdueDays int                `json:"oldest_overdue_days"`
	Reopened          int                `json:"reopened"`
	Accountability    int                `json:"accountability"`
	Incentives        int                `json:"incentives"`
}

type reportFormJSON struct {
	Org             reportOrgJSON `json:"org"`
	TargetType      string        `json:"target_type"`
	TargetTypeLabel string        `json:"target_type_label"`
	Form            string        `json:"form"`
	FormLabel       string        `json:"form_label"`
	Count           int           `json:"count"`
}

type reportIncentiveJSON struct {
	Org       reportOrgJSON `json:"org"`
	Kind      string        `json:"kind"`
	KindLabel string        `json:"kind_label"`
	Count     int           `json:"count"`
}

type reportRecurringJSON struct {
	Org       reportOrgJSON `json:"org"`
	Category  string        `json:"category"`
	FirstYear int           `json:"first_year"`
	LastYear  int           `json:"last_year"`
	Years     int           `json:"years"`
	Findings  int           `json:"findings"`
}

type reportInspectorJSON struct {
	UserID       int64    `json:"user_id"`
	Name         string   `json:"name"`
	OrgName      string   `json:"org_name"`
	Visits       int      `json:"visits"`
	ReportsDue   int      `json:"reports_due"`
	Issued       int      `json:"issued"`
	IssuedOnTime int      `json:"issued_on_time"`
	OnTimeRate   *float64 `json:"on_time_rate"`
	// R38, from the registry's training file; null for someone not in the registry.
	TrainingHours    *int `json:"training_hours"`
	TrainingRequired int  `json:"training_required"`
}

type reportAccountabilityJSON struct {
	Scope       reportOrgJSON         `json:"scope"`
	From        string                `json:"from"`
	To          string                `json:"to"`
	Today       string                `json:"today"`
	Orgs        []reportFiguresJSON   `json:"orgs"`
	Totals      reportFiguresJSON     `json:"totals"`
	Forms       []reportFormJSON      `json:"accountability_by_form"`
	Incentives  []reportIncentiveJSON `json:"incentives"`
	Recurring   []reportRecurringJSON `json:"recurring"`
	Inspectors  []reportInspectorJSON `json:"inspectors"`
	Notes       []string              `json:"notes"`
	Definitions []string              `json:"definitions"`
	Downloads   map[string]string     `json:"downloads"`
}

func toReportOrgJSON(o domain.ReportOrg) reportOrgJSON {
	return reportOrgJSON{ID: o.ID, Name: o.Name, Path: string(o.Path)}
}

func reportRatePtr(r float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	return &r
}

func toReportFiguresJSON(f domain.ReportOrgFigures, withOrg bool) reportFiguresJSON {
	j := reportFiguresJSON{CasesIssued: f.CasesIssued,
		Findings:    reportSeverityJSON{Minor: f.Findings.Minor, Major: f.Findings.Major, Critical: f.Findings.Critical, Total: f.Findings.Total()},
		DueInPeriod: f.DueInPeriod, RectifiedOnTime: f.RectifiedOnTime, OnTimeRate: reportRatePtr(f.OnTimeRate()), OverdueNow: f.OverdueNow,
		OldestOverdueDays: f.OldestOverdueDays, Reopened: f.Reopened, Accountability: f.Accountability, Incentives: f.Incentives}
	if withOrg {
		o := toReportOrgJSON(f.Org)
		j.Org = &o
	}
	return j
}

// reportQueryString is the query that reproduces a report, for its download links.
func reportQueryString(r domain.ReportOrg, from, to domain.Date) string {
	return url.Values{"from": {string(from)}, "to": {string(to)}, "org_id": {strconv.FormatInt(r.ID, 10)}}.Encode()
}

func toReportAccountabilityJSON(r domain.AccountabilityReport, prefix string) reportAccountabilityJSON {
	q := reportQueryString(r.Scope, r.From, r.To)
	j := reportAccountabilityJSON{Scope: toReportOrgJSON(r.Scope), From: string(r.From), To: string(r.To), Today: string(r.Today),
		Orgs: []reportFiguresJSON{}, Totals: toReportFiguresJSON(r.Totals, false), Forms: []reportFormJSON{}, Incentives: []reportIncentiveJSON{},
		Recurring: []reportRecurringJSON{}, Inspectors: []reportInspectorJSON{}, Notes: append([]string{}, r.Notes...),
		Definitions: export.ReportDefinitions(),
		Downloads: map[string]string{
			"pdf":    prefix + "/reports/accountability.pdf?" + q,
			"xlsx":   prefix + "/reports/accountability.xlsx?" + q,
			"ledger": prefix + "/reports/ledger.xlsx?" + q,
		}}
	for _, f := range r.Orgs {
		j.Orgs = append(j.Orgs, toReportFiguresJSON(f, true))
	}
	for _, f := range r.Forms {
		j.Forms = append(j.Forms, reportFormJSON{Org: toReportOrgJSON(f.Org), TargetType: f.TargetType, TargetTypeLabel: f.TargetTypeLabel(),
			Form: f.Form, FormLabel: f.FormLabel(), Count: f.Count})
	}
	for _, i := range r.Incentives {
		j.Incentives = append(j.Incentives, reportIncentiveJSON{Org: toReportOrgJSON(i.Org), Kind: i.Kind, KindLabel: i.KindLabel(), Count: i.Count})
	}
	for _, p := range r.Recurring {
		j.Recurring = append(j.Recurring, reportRecurringJSON{Org: toReportOrgJSON(p.Org), Category: p.Category, FirstYear: p.FirstYear,
			LastYear: p.LastYear, Years: p.Years, Findings: p.Findings})
	}
	for _, i := range r.Inspectors {
		j.Inspectors = append(j.Inspectors, reportInspectorJSON{UserID: i.UserID, Name: i.Name, OrgName: i.OrgName, Visits: i.Visits,
			ReportsDue: i.ReportsDue, Issued: i.Issued, IssuedOnTime: i.IssuedOnTime, OnTimeRate: reportRatePtr(i.OnTimeRate()),
			TrainingHours: i.TrainingHours, TrainingRequired: i.TrainingRequired})
	}
	return j
}

func (s *Server) apiAccountabilityReport(c echo.Context) error {
	p, err := reportParams(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	r, err := s.app.AccountabilityReport(c.Request().Context(), a, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReportAccountabilityJSON(r, "/api/v1"))
}

func (s *Server) reportAccountabilityPDF(c echo.Context) error {
	p, err := reportParams(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	doc, err := s.app.AccountabilityReportPDF(c.Request().Context(), a, p)
	return s.sendReportDocument(c, doc, err)
}

func (s *Server) reportAccountabilityXLSX(c echo.Context) error {
	p, err := reportParams(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	doc, err := s.app.AccountabilityReportXLSX(c.Request().Context(), a, p)
	return s.sendReportDocument(c, doc, err)
}

func (s *Server) reportLedgerXLSX(c echo.Context) error {
	p, err := reportParams(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	doc, err := s.app.LedgerXLSX(c.Request().Context(), a, p)
	return s.sendReportDocument(c, doc, err)
}

func (s *Server) reportOpinionPDF(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	doc, err := s.app.CaseOpinionPDF(c.Request().Context(), a, id)
	return s.sendReportDocument(c, doc, err)
}

// sendReportDocument answers with a generated file: PDFs open in the browser, workbooks download. An
// unusable PDF font (--font) is the operator's to fix: the log says how, the 500 asks the user to tell them.
func (s *Server) sendReportDocument(c echo.Context, doc app.Document, err error) error {
	if err != nil {
		if errors.Is(err, app.ErrFontMissing) {
			return s.reportFontUnavailable(c, err)
		}
		return err
	}
	disposition := "attachment"
	if doc.ContentType == export.ContentTypePDF {
		disposition = "inline"
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType(disposition, map[string]string{"filename": doc.Filename}))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, doc.ContentType, doc.Body)
}

// reportFontUnavailable logs the font problem with its request id and answers 500 with the user message.
func (s *Server) reportFontUnavailable(c echo.Context, err error) error {
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	s.log.Error("pdf font unavailable", "request_id", rid, "path", c.Request().URL.Path, "err", err)
	msg := domain.ErrorMessage(err) + "（请求编号 " + rid + "）"
	if wantsJSON(c) {
		return c.JSON(http.StatusInternalServerError, errorBody{Error: errorDetail{Code: domain.EINTERNAL, Message: msg, RequestID: rid}})
	}
	return s.render(c, http.StatusInternalServerError, errorPage{Base: s.base(c, errorTitle(http.StatusInternalServerError)),
		Status: http.StatusInternalServerError, Message: msg})
}

// reportAccountabilityPage is the report page: the query form, the charts' data, the tables and the downloads.
type reportAccountabilityPage struct {
	frame
	From, To    string
	OrgID       int64
	Scopes      []reportScopeOption
	Error       string
	Fields      map[string]string
	Report      *domain.AccountabilityReport
	Tables      []export.Table
	Definitions []string
	Charts      reportChartData
	Downloads   map[string]string
	// Units link to the report of each row's unit: the rows hold whole subtrees.
	Units []reportUnitLink
}

type reportUnitLink struct {
	Href, Name string
	Cases      int
}

func (reportAccountabilityPage) template() string { return tmplReportAccountability }

type reportScopeOption struct {
	ID       int64
	Label    string // the name, indented by its depth below the caller's scope
	Selected bool
}

// reportChartData feeds the charts drawn by static/reports.js: findings by severity per org (stacked)
// and the on-time rate per org in percent (null where nothing fell due).
type reportChartData struct {
	Orgs     []string   `json:"orgs"`
	Minor    []int      `json:"minor"`
	Major    []int      `json:"major"`
	Critical []int      `json:"critical"`
	OnTime   []*float64 `json:"on_time"`
}

func reportChartOf(r domain.AccountabilityReport) reportChartData {
	d := reportChartData{Orgs: []string{}, Minor: []int{}, Major: []int{}, Critical: []int{}, OnTime: []*float64{}}
	for _, f := range r.Orgs {
		d.Orgs = append(d.Orgs, f.Org.Name)
		d.Minor = append(d.Minor, f.Findings.Minor)
		d.Major = append(d.Major, f.Findings.Major)
		d.Critical = append(d.Critical, f.Findings.Critical)
		var pct *float64
		if rate, ok := f.OnTimeRate(); ok {
			v := float64(int(rate*1000+0.5)) / 10
			pct = &v
		}
		d.OnTime = append(d.OnTime, pct)
	}
	return d
}

func (s *Server) reportAccountabilityView(c echo.Context) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	scopes, err := s.app.ReportScopes(ctx, a)
	if err != nil {
		return err
	}
	pg := reportAccountabilityPage{frame: s.frame(c, "问责情况报告"), From: c.QueryParam("from"), To: c.QueryParam("to")}
	p, err := reportParams(c)
	var r domain.AccountabilityReport
	if err == nil {
		r, err = s.app.AccountabilityReport(ctx, a, p)
	}
	status := http.StatusOK
	if err != nil {
		if domain.ErrorCode(err) != domain.EINVALID {
			return err
		}
		var de *domain.Error
		errors.As(err, &de)
		pg.Error, pg.Fields, status = de.Message, de.Fields, http.StatusUnprocessableEntity
		pg.OrgID = p.OrgID
	} else {
		pg.Report, pg.Tables, pg.Charts, pg.Definitions = &r, export.AccountabilityTables(r), reportChartOf(r), export.ReportDefinitions()
		pg.From, pg.To, pg.OrgID = string(r.From), string(r.To), r.Scope.ID
		pg.Downloads = toReportAccountabilityJSON(r, "").Downloads
		for _, u := range r.Orgs {
			if u.Org.Path != r.Scope.Path && u.Org.Kind != domain.OrgSchool {
				q := url.Values{"org_id": {strconv.FormatInt(u.Org.ID, 10)}, "from": {string(r.From)}, "to": {string(r.To)}}
				pg.Units = append(pg.Units, reportUnitLink{Href: "/reports/accountability?" + q.Encode(), Name: u.Org.Name, Cases: u.CasesIssued})
			}
		}
	}
	base := 0
	if len(scopes) > 0 {
		base = scopes[0].Path.Depth()
	}
	found := false
	for _, o := range scopes {
		sel := o.ID == pg.OrgID
		found = found || sel
		pg.Scopes = append(pg.Scopes, reportScopeOption{ID: o.ID, Label: strings.Repeat("　", max(0, o.Path.Depth()-base)) + o.Name, Selected: sel})
	}
	if !found && pg.Report != nil { // a school asked for by org_id
		pg.Scopes = append(pg.Scopes, reportScopeOption{ID: r.Scope.ID, Label: r.Scope.Name, Selected: true})
	}
	return s.render(c, status, pg)
}
