package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/domain"
)

// rptAuthz grants report read to directors and auditors over their grants' subtrees, as policy.csv does.
type rptAuthz struct{}

func (z rptAuthz) Scopes(a domain.Actor, obj, act string) []domain.Jurisdiction {
	var out []domain.Jurisdiction
	for _, g := range a.Grants {
		if z.Allowed(a, obj, act, g.Path) {
			out = append(out, g.Path)
		}
	}
	return out
}

func (rptAuthz) Allowed(a domain.Actor, obj, act string, path domain.Jurisdiction) bool {
	for _, g := range a.Grants {
		if g.Path.Covers(path) && obj == "report" && act == "read" && (g.Role == domain.RoleDirector || g.Role == domain.RoleAuditor) {
			return true
		}
	}
	return false
}

// rptOrgs is an org tree in memory.
type rptOrgs struct{ orgs []domain.Org }

func (r rptOrgs) CreateOrg(context.Context, *domain.Org) error { return nil }
func (r rptOrgs) CountOrgs(context.Context, []domain.Jurisdiction) (int, error) {
	return len(r.orgs), nil
}

// OrgsWithin is each scope and the orgs directly under it, by path, as storage answers.
func (r rptOrgs) OrgsWithin(_ context.Context, scopes []domain.Jurisdiction, _ int) ([]domain.Org, error) {
	var out []domain.Org
	for _, o := range r.orgs {
		for _, s := range scopes {
			if o.Path == s || s.Covers(o.Path) && domain.UnitOf(s, o.Path) == o.Path {
				out = append(out, o)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b domain.Org) int { return strings.Compare(string(a.Path), string(b.Path)) })
	return out, nil
}
func (r rptOrgs) GetOrg(_ context.Context, id int64) (domain.Org, error) {
	for _, o := range r.orgs {
		if o.ID == id {
			return o, nil
		}
	}
	return domain.Org{}, domain.Errorf(domain.ENOTFOUND, "机构不存在。")
}
func (r rptOrgs) GetOrgByPath(_ context.Context, p domain.Jurisdiction) (domain.Org, error) {
	for _, o := range r.orgs {
		if o.Path == p {
			return o, nil
		}
	}
	return domain.Org{}, domain.Errorf(domain.ENOTFOUND, "机构不存在。")
}
func (r rptOrgs) ListOrgs(_ context.Context, scopes []domain.Jurisdiction) ([]domain.Org, error) {
	var out []domain.Org
	for _, o := range r.orgs {
		for _, s := range scopes {
			if s.Covers(o.Path) {
				out = append(out, o)
				break
			}
		}
	}
	return out, nil
}

// rptRepo records the query it was asked.
type rptRepo struct{ got *domain.ReportQuery }

func (r rptRepo) AccountabilityFigures(_ context.Context, q domain.ReportQuery) (domain.AccountabilityReport, error) {
	*r.got = q
	rep := domain.AccountabilityReport{From: q.From, To: q.To, Today: q.Today,
		Orgs: []domain.ReportOrgFigures{{Org: domain.ReportOrg{ID: 3, Name: "海勃湾区第一小学", Path: "wuhai/hbw/s1/"}, CasesIssued: 2,
			Findings: domain.SeverityCounts{Major: 3}, DueInPeriod: 2, RectifiedOnTime: 1}}}
	rep.SumTotals()
	return rep, nil
}

func (r rptRepo) Ledger(_ context.Context, q domain.ReportQuery) (domain.Ledger, error) {
	*r.got = q
	return domain.Ledger{From: q.From, To: q.To}, nil
}

func rptApp(t *testing.T, font string) (*app.App, *domain.ReportQuery) {
	t.Helper()
	city := domain.Org{ID: 1, Name: "乌海市", Kind: domain.OrgCity, Path: "wuhai/"}
	hbw := domain.Org{ID: 2, Name: "海勃湾区", Kind: domain.OrgDistrict, Path: "wuhai/hbw/"}
	s1 := domain.Org{ID: 3, Name: "海勃湾区第一小学", Kind: domain.OrgSchool, Path: "wuhai/hbw/s1/"}
	wd := domain.Org{ID: 4, Name: "乌达区", Kind: domain.OrgDistrict, Path: "wuhai/wd/"}
	// A city-run school whose path sorts between the districts, and a monitoring agency under the city.
	ez := domain.Org{ID: 5, Name: "乌海市第二中学", Kind: domain.OrgSchool, Path: "wuhai/ez/"}
	jc := domain.Org{ID: 6, Name: "乌海市教育评估监测中心", Kind: domain.OrgOffice, Path: "wuhai/jc/"}
	got := &domain.ReportQuery{}
	now := time.Date(2026, 6, 30, 20, 0, 0, 0, domain.CST) // 12:00 UTC; the CST date is what counts
	return app.New(app.Deps{Orgs: rptOrgs{[]domain.Org{city, hbw, s1, wd, ez, jc}}, Reports: rptRepo{got}, Authz: rptAuthz{},
		Clock: domain.ClockFunc(func() time.Time { return now })}, app.Options{FontPath: font}), got
}

func rptActor(role domain.Role, org domain.Org, grantAt domain.Org) domain.Actor {
	return domain.Actor{UserID: 9, Name: "测试", Org: org, Grants: []domain.Grant{{Role: role, OrgID: grantAt.ID, Path: grantAt.Path}}}
}

func TestReportQueryRules(t *testing.T) {
	x, got := rptApp(t, "")
	ctx := context.Background()
	hbw := domain.Org{ID: 2, Name: "海勃湾区", Kind: domain.OrgDistrict, Path: "wuhai/hbw/"}
	director := rptActor(domain.RoleDirector, hbw, hbw)

	// Defaults: this year to today (CST), the caller's own org.
	r, err := x.AccountabilityReport(ctx, director, app.ReportParams{})
	if err != nil {
		t.Fatal(err)
	}
	if *got != (domain.ReportQuery{Scope: "wuhai/hbw/", From: "2026-01-01", To: "2026-06-30", Today: "2026-06-30"}) {
		t.Errorf("query = %+v", *got)
	}
	if r.Scope.ID != 2 || r.Scope.Name != "海勃湾区" || len(r.Notes) == 0 {
		t.Errorf("report scope %+v, notes %v", r.Scope, r.Notes)
	}
	// A school under the grant.
	if _, err := x.AccountabilityReport(ctx, director, app.ReportParams{OrgID: 3, From: "2025-01-01", To: "2025-12-31"}); err != nil {
		t.Fatal(err)
	}
	if got.Scope != "wuhai/hbw/s1/" || got.From != "2025-01-01" || got.To != "2025-12-31" {
		t.Errorf("query = %+v", *got)
	}
	// Out of scope and missing orgs are both 404.
	for _, id := range []int64{1, 4, 99} {
		if _, err := x.AccountabilityReport(ctx, director, app.ReportParams{OrgID: id}); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("org %d: err = %v, want not found", id, err)
		}
	}
	// Bad period: 422.
	if _, err := x.AccountabilityReport(ctx, director, app.ReportParams{From: "2026-07-01", To: "2026-06-01"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("from after to: err = %v", err)
	}
	// A role without report read: 403, before anything else is looked at.
	school := rptActor(domain.RoleSchool, hbw, hbw)
	for _, p := range []app.ReportParams{{}, {OrgID: 99}, {From: "bad"}} {
		if _, err := x.AccountabilityReport(ctx, school, p); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("school %+v: err = %v, want forbidden", p, err)
		}
		if _, err := x.LedgerXLSX(ctx, school, p); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("school ledger %+v: err = %v, want forbidden", p, err)
		}
	}
	// A director whose grant lies elsewhere than its own org gets the grant's org by default.
	city := domain.Org{ID: 1, Name: "乌海市", Kind: domain.OrgCity, Path: "wuhai/"}
	wd := domain.Org{ID: 4, Name: "乌达区", Kind: domain.OrgDistrict, Path: "wuhai/wd/"}
	if r, err := x.AccountabilityReport(ctx, rptActor(domain.RoleDirector, city, wd), app.ReportParams{}); err != nil || r.Scope.ID != 4 {
		t.Errorf("scope = %+v, %v; want 乌达区", r.Scope, err)
	}
	// The scope choices leave schools out.
	scopes, err := x.ReportScopes(ctx, director)
	if err != nil || len(scopes) != 1 || scopes[0].ID != 2 {
		t.Errorf("scopes = %+v, %v", scopes, err)
	}
}

func TestReportDocuments(t *testing.T) {
	ctx := context.Background()
	hbw := domain.Org{ID: 2, Name: "海勃湾区", Kind: domain.OrgDistrict, Path: "wuhai/hbw/"}
	director := rptActor(domain.RoleDirector, hbw, hbw)

	x, _ := rptApp(t, "")
	doc, err := x.AccountabilityReportXLSX(ctx, director, app.ReportParams{})
	if err != nil || len(doc.Body) == 0 || doc.Filename != "问责情况报告_海勃湾区_2026-01-01_2026-06-30.xlsx" {
		t.Errorf("xlsx: %q, %d bytes, %v", doc.Filename, len(doc.Body), err)
	}
	doc, err = x.LedgerXLSX(ctx, director, app.ReportParams{})
	if err != nil || doc.Filename != "督导台账_海勃湾区_2026-01-01_2026-06-30.xlsx" {
		t.Errorf("ledger: %q, %v", doc.Filename, err)
	}

	// No font configured: the embedded one prints the PDF.
	if doc, err := x.AccountabilityReportPDF(ctx, director, app.ReportParams{}); err != nil || !strings.HasPrefix(string(doc.Body), "%PDF-") {
		t.Errorf("PDF without --font: %v", err)
	}
	// A configured font that cannot be read: ErrFontMissing; the user's message is plain, the chain
	// (for the log) names the file and the setting.
	missing := filepath.Join(t.TempDir(), "missing.ttf")
	x, _ = rptApp(t, missing)
	_, err = x.AccountabilityReportPDF(ctx, director, app.ReportParams{})
	if !errors.Is(err, app.ErrFontMissing) || domain.ErrorCode(err) != domain.EINTERNAL {
		t.Errorf("font %q: err = %v, want ErrFontMissing", missing, err)
	}
	if msg := domain.ErrorMessage(err); strings.Contains(msg, "--font") || strings.Contains(msg, missing) || !strings.Contains(msg, "管理员") {
		t.Errorf("user message %q: want plain Chinese asking for the administrator", msg)
	}
	if !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "--font") {
		t.Errorf("log text %q does not name the file and --font", err)
	}
	if !app.OpinionIssued(domain.StatusClosed) || !app.OpinionIssued(domain.StatusVerifying) || app.OpinionIssued(domain.StatusReview) {
		t.Error("OpinionIssued disagrees with the workflow")
	}
}

// TestReportListsEveryUnit: a city's report has a row for every district and city-run school directly
// under it — districts first, then schools — with zeros for a district nobody supervised in the period
// (itself a finding); a unit that is not supervised (a monitoring agency) has no row of zeros.
func TestReportListsEveryUnit(t *testing.T) {
	x, _ := rptApp(t, "")
	city := domain.Org{ID: 1, Name: "乌海市", Kind: domain.OrgCity, Path: "wuhai/"}
	r, err := x.AccountabilityReport(context.Background(), rptActor(domain.RoleDirector, city, city), app.ReportParams{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range r.Orgs {
		names = append(names, o.Org.Name)
	}
	if got := strings.Join(names, ","); got != "海勃湾区,乌达区,乌海市第二中学" {
		t.Fatalf("rows = %s, want 海勃湾区,乌达区,乌海市第二中学 (districts, then city-run schools; no agency)", got)
	}
	// 海勃湾区 holds its school's figures; 乌达区 and the school are there with zeros.
	if f := r.Orgs[0]; f.CasesIssued != 2 || f.Findings.Major != 3 || f.DueInPeriod != 2 || f.RectifiedOnTime != 1 {
		t.Errorf("海勃湾区 = %+v", f)
	}
	for _, f := range r.Orgs[1:] {
		zero := domain.ReportOrgFigures{Org: f.Org}
		if f != zero {
			t.Errorf("%s = %+v, want all zero", f.Org.Name, f)
		}
		if _, ok := f.OnTimeRate(); ok {
			t.Errorf("%s has an on-time rate with nothing due", f.Org.Name)
		}
	}
	if r.Totals.CasesIssued != 2 || r.Totals.Findings.Total() != 3 {
		t.Errorf("totals = %+v", r.Totals)
	}
}
