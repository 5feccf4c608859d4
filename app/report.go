package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"dudao/app/export"
	"dudao/domain"
)

// ErrFontMissing marks a PDF that cannot be made because the configured font (Options.FontPath, the
// --font setting) is missing or unusable. The user sees a plain message; the wrapped chain, for the
// log, names the file and the setting.
var ErrFontMissing = errors.New("app: PDF font unavailable")

// Document is a generated file to download.
type Document struct {
	Filename    string
	ContentType string
	Body        []byte
}

// ReportParams ask for a report; zero values take defaults: from the first day of this year to today,
// over the caller's own org.
type ReportParams struct {
	From, To domain.Date
	OrgID    int64
}

// reportScopes are the jurisdictions where the actor may read reports.
func (x *App) reportScopes(a domain.Actor) []domain.Jurisdiction {
	return x.scopes(a, "report", "read")
}

// reportQuery checks who asks and what: a role without report read anywhere is EFORBIDDEN, a bad
// period EINVALID, an org that is missing or outside the caller's report scope ENOTFOUND.
func (x *App) reportQuery(ctx context.Context, a domain.Actor, p ReportParams) (domain.ReportQuery, domain.Org, error) {
	scopes := x.reportScopes(a)
	if len(scopes) == 0 {
		return domain.ReportQuery{}, domain.Org{}, domain.Errorf(domain.EFORBIDDEN, "您无权查看督导报表。")
	}
	today := domain.DateOf(x.d.Clock.Now())
	if p.From == "" {
		p.From = domain.Date(today[:4] + "-01-01")
	}
	if p.To == "" {
		p.To = today
	}
	if err := domain.ValidatePeriod(p.From, p.To); err != nil {
		return domain.ReportQuery{}, domain.Org{}, err
	}
	notFound := domain.Errorf(domain.ENOTFOUND, "机构不存在或不在您的报表查看范围内。")
	var org domain.Org
	var err error
	switch {
	case p.OrgID != 0:
		org, err = x.d.Orgs.GetOrg(ctx, p.OrgID)
	case x.d.Authz.Allowed(a, "report", "read", a.Org.Path):
		org = a.Org
	default: // the caller's own org is not where its report grant lies: take the first such scope
		org, err = x.d.Orgs.GetOrgByPath(ctx, scopes[0])
	}
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.ReportQuery{}, domain.Org{}, notFound
		}
		return domain.ReportQuery{}, domain.Org{}, err
	}
	if !x.d.Authz.Allowed(a, "report", "read", org.Path) {
		return domain.ReportQuery{}, domain.Org{}, notFound
	}
	return domain.ReportQuery{Scope: org.Path, From: p.From, To: p.To, Today: today}, org, nil
}

// AccountabilityReport computes the accountability report (SPEC §3) for the caller.
func (x *App) AccountabilityReport(ctx context.Context, a domain.Actor, p ReportParams) (domain.AccountabilityReport, error) {
	q, org, err := x.reportQuery(ctx, a, p)
	if err != nil {
		return domain.AccountabilityReport{}, err
	}
	r, err := x.d.Reports.AccountabilityFigures(ctx, q)
	if err != nil {
		return domain.AccountabilityReport{}, err
	}
	r.Scope = domain.ReportOrg{ID: org.ID, Name: org.Name, Path: org.Path, Kind: org.Kind}
	r.Office = org.OfficeName()
	// One row per unit directly under the scope (its own report shows what lies under it).
	units, err := x.d.Orgs.OrgsWithin(ctx, []domain.Jurisdiction{org.Path}, 10000)
	if err != nil {
		return domain.AccountabilityReport{}, err
	}
	rows := make([]domain.ReportOrg, len(units))
	for i, u := range units {
		rows[i] = domain.ReportOrg{ID: u.ID, Name: u.Name, Path: u.Path, Kind: u.Kind}
	}
	r.RollUp(rows)
	if err := x.addTrainingHours(ctx, &r, q); err != nil {
		return domain.AccountabilityReport{}, err
	}
	r.Notes = append(r.Notes, domain.TrainingHoursNote(x.d.Rules.Registry.TrainingHoursPerYear))
	return r, nil
}

// addTrainingHours gives each inspector of the report the hours of their training file in the years
// the period touches (R38), and adds the registry's inspectors kept by offices in the scope who made
// no visit in the period, so that an idle inspector shows too.
func (x *App) addTrainingHours(ctx context.Context, r *domain.AccountabilityReport, q domain.ReportQuery) error {
	if x.d.Registry == nil { // an app built without the registry (a unit test's) has no training file
		return nil
	}
	from, to := q.From.Time().Year(), q.To.Time().Year()
	required := (to - from + 1) * x.d.Rules.Registry.TrainingHoursPerYear
	hours := func(i domain.Inspector) int {
		n := 0
		for y := from; y <= to; y++ {
			n += i.TrainingHours(y)
		}
		return n
	}
	users := make([]int64, len(r.Inspectors))
	for k, i := range r.Inspectors {
		users[k] = i.UserID
	}
	return x.inTx(ctx, func(ctx context.Context) error {
		visitors, _, err := x.d.Registry.ListInspectors(ctx, domain.InspectorFilter{UserIDs: users})
		if err != nil {
			return err
		}
		kept, _, err := x.d.Registry.ListInspectors(ctx, domain.InspectorFilter{Scopes: []domain.Jurisdiction{q.Scope}})
		if err != nil {
			return err
		}
		byUser := map[int64]int{} // a user with profiles in two registries counts the fuller file
		for _, i := range append(visitors, kept...) {
			if h, seen := byUser[i.UserID]; !seen || hours(i) > h {
				byUser[i.UserID] = hours(i)
			}
		}
		listed := map[int64]bool{}
		for k := range r.Inspectors {
			row := &r.Inspectors[k]
			listed[row.UserID] = true
			if h, ok := byUser[row.UserID]; ok {
				row.TrainingHours, row.TrainingRequired = &h, required
			}
		}
		for _, i := range kept {
			if listed[i.UserID] || !i.Status.InRegistry() {
				continue
			}
			listed[i.UserID] = true
			h := byUser[i.UserID]
			r.Inspectors = append(r.Inspectors, domain.ReportInspector{UserID: i.UserID, Name: i.Name, OrgName: i.Office.Name,
				TrainingHours: &h, TrainingRequired: required})
		}
		return nil
	})
}

// reportFilename is e.g. 问责情况报告_海勃湾区_2026-01-01_2026-12-31.pdf; names never carry path separators.
func reportFilename(what string, r domain.ReportOrg, from, to domain.Date, ext string) string {
	name := strings.NewReplacer("/", "_", `\`, "_").Replace(r.Name)
	return fmt.Sprintf("%s_%s_%s_%s.%s", what, name, from, to, ext)
}

// AccountabilityReportPDF renders the report as PDF with the configured Chinese font, or the embedded one.
func (x *App) AccountabilityReportPDF(ctx context.Context, a domain.Actor, p ReportParams) (Document, error) {
	r, err := x.AccountabilityReport(ctx, a, p)
	if err != nil {
		return Document{}, err
	}
	font, err := x.pdfFont()
	if err != nil {
		return Document{}, err
	}
	b, err := export.AccountabilityPDF(r, font)
	if err != nil {
		return Document{}, x.fontError(err)
	}
	return Document{Filename: reportFilename("问责情况报告", r.Scope, r.From, r.To, "pdf"), ContentType: export.ContentTypePDF, Body: b}, nil
}

// AccountabilityReportXLSX renders the report as an Excel workbook, one sheet per section.
func (x *App) AccountabilityReportXLSX(ctx context.Context, a domain.Actor, p ReportParams) (Document, error) {
	r, err := x.AccountabilityReport(ctx, a, p)
	if err != nil {
		return Document{}, err
	}
	b, err := export.AccountabilityXLSX(r)
	if err != nil {
		return Document{}, err
	}
	return Document{Filename: reportFilename("问责情况报告", r.Scope, r.From, r.To, "xlsx"), ContentType: export.ContentTypeXLSX, Body: b}, nil
}

// Ledger lists the 问题清单 and 措施清单 of the cases issued in the period and scope.
func (x *App) Ledger(ctx context.Context, a domain.Actor, p ReportParams) (domain.Ledger, error) {
	q, org, err := x.reportQuery(ctx, a, p)
	if err != nil {
		return domain.Ledger{}, err
	}
	l, err := x.d.Reports.Ledger(ctx, q)
	if err != nil {
		return domain.Ledger{}, err
	}
	l.Scope = domain.ReportOrg{ID: org.ID, Name: org.Name, Path: org.Path, Kind: org.Kind}
	l.Office = org.OfficeName()
	l.Today = q.Today
	return l, nil
}

// LedgerXLSX renders the ledger as an Excel workbook: 问题清单, 措施清单, 责任清单.
func (x *App) LedgerXLSX(ctx context.Context, a domain.Actor, p ReportParams) (Document, error) {
	l, err := x.Ledger(ctx, a, p)
	if err != nil {
		return Document{}, err
	}
	b, err := export.LedgerXLSX(l)
	if err != nil {
		return Document{}, err
	}
	return Document{Filename: reportFilename("督导台账", l.Scope, l.From, l.To, "xlsx"), ContentType: export.ContentTypeXLSX, Body: b}, nil
}

// OpinionIssued reports whether a case in status s has an issued 督导意见书.
func OpinionIssued(s domain.Status) bool {
	return s == domain.StatusRectifying || s == domain.StatusVerifying || s == domain.StatusClosed
}

// CaseOpinionPDF renders the 督导意见书 of an issued case, for whoever may read the case (out of scope
// is ENOTFOUND, as for the case itself). A case not yet issued is ECONFLICT.
func (x *App) CaseOpinionPDF(ctx context.Context, a domain.Actor, id int64) (Document, error) {
	v, err := x.GetCase(ctx, a, id)
	if err != nil {
		return Document{}, err
	}
	c := v.Case
	if !OpinionIssued(c.Status) || c.IssuedAt == nil {
		return Document{}, domain.Errorf(domain.ECONFLICT, "案件%s当前状态为%s，尚未签发督导意见书。", c.Number, c.Status.Label())
	}
	// The 意见书 as it was issued (or as last corrected), byte for byte (issue 12). A case issued before
	// documents were kept has none: its opinion is printed from the case as it stands.
	if d := c.LatestDocument(domain.DocOpinion); d != nil {
		return x.CaseDocumentPDF(ctx, a, c.ID, d.ID)
	}
	in := export.OpinionInput{Case: c}
	for _, uid := range c.InspectorIDs {
		u, err := x.d.Users.GetUser(ctx, uid)
		if err != nil {
			return Document{}, err
		}
		in.Inspectors = append(in.Inspectors, u.Name)
	}
	if c.IssuedBy != 0 {
		u, err := x.d.Users.GetUser(ctx, c.IssuedBy)
		if err != nil {
			return Document{}, err
		}
		in.IssuedBy = u.Name
	}
	font, err := x.pdfFont()
	if err != nil {
		return Document{}, err
	}
	b, err := export.OpinionPDF(in, font)
	if err != nil {
		return Document{}, x.fontError(err)
	}
	name := strings.NewReplacer("/", "_", `\`, "_").Replace(c.Number)
	return Document{Filename: "督导意见书_" + name + ".pdf", ContentType: export.ContentTypePDF, Body: b}, nil
}

// fontMessage is what a user sees when the operator's font cannot be used; the details, and how to
// fix them, go to the log through the wrapped error.
const fontMessage = "无法生成PDF文件：服务器的字体设置有误，请联系系统管理员。"

// fontHint tells the operator, in the log, how to fix the font.
const fontHint = "set --font (DUDAO_FONT) to a readable single-file TrueType font (.ttf, not a .ttc collection), or leave it empty to use the embedded font"

// pdfFont reads the configured font, or is nil (the embedded font) when none is configured. It is read
// per document: the file is in the page cache after the first time, and a font put in place while the
// service runs is picked up without a restart.
func (x *App) pdfFont() ([]byte, error) {
	if x.opt.FontPath == "" {
		return nil, nil
	}
	b, err := os.ReadFile(x.opt.FontPath)
	if err != nil {
		return nil, &domain.Error{Code: domain.EINTERNAL, Message: fontMessage, Err: fmt.Errorf("%w: %v; %s", ErrFontMissing, err, fontHint)}
	}
	return b, nil
}

// fontError turns a font the PDF library refused into the same message.
func (x *App) fontError(err error) error {
	if errors.Is(err, export.ErrBadFont) {
		return &domain.Error{Code: domain.EINTERNAL, Message: fontMessage, Err: fmt.Errorf("%w: --font %s: %v; %s", ErrFontMissing, x.opt.FontPath, err, fontHint)}
	}
	return err
}

// ReportScopes lists the orgs the caller may take as a report's scope, ordered by path: every org
// under its report grants except schools (a school's report is asked for by org_id; a select of
// thousands of schools helps nobody).
func (x *App) ReportScopes(ctx context.Context, a domain.Actor) ([]domain.Org, error) {
	scopes := x.reportScopes(a)
	if len(scopes) == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看督导报表。")
	}
	orgs, err := x.d.Orgs.ListOrgs(ctx, scopes)
	if err != nil {
		return nil, err
	}
	out := orgs[:0]
	for _, o := range orgs {
		if o.Kind != domain.OrgSchool {
			out = append(out, o)
		}
	}
	return out, nil
}
