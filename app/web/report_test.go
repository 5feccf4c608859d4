package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"dudao/cmd/system"
	"dudao/cmd/system/systemtest"
	"dudao/domain"
	"dudao/templates"
)

// The reports through the real router: the accountability report as JSON, PDF and Excel, the
// 督导意见书 PDF, the ledger workbook and the report page, over a copy of the demo database.

// rptNewEnv is newEnv with the reports wired as cmd wires them, and the given PDF font ("" for the embedded one).
func rptNewEnv(t *testing.T, font string) *env {
	t.Helper()
	return wrapEnv(systemtest.New(t, systemtest.Options{Start: t0, Demo: true, Settings: func(s *system.Settings) { s.App.FontPath = font }}))
}

// rptReport is the JSON answer as a client reads it.
type rptReport struct {
	Scope struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"scope"`
	From  string           `json:"from"`
	To    string           `json:"to"`
	Today string           `json:"today"`
	Orgs  []rptOrgFigures  `json:"orgs"`
	Total rptOrgFigures    `json:"totals"`
	Forms []map[string]any `json:"accountability_by_form"`
	Insp  []struct {
		Name         string   `json:"name"`
		OrgName      string   `json:"org_name"`
		Visits       int      `json:"visits"`
		ReportsDue   int      `json:"reports_due"`
		Issued       int      `json:"issued"`
		IssuedOnTime int      `json:"issued_on_time"`
		OnTimeRate   *float64 `json:"on_time_rate"`
	} `json:"inspectors"`
	Notes     []string          `json:"notes"`
	Downloads map[string]string `json:"downloads"`
}

type rptOrgFigures struct {
	Org *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Path string `json:"path"`
	} `json:"org"`
	CasesIssued int `json:"cases_issued"`
	Findings    struct {
		Minor, Major, Critical, Total int
	} `json:"findings"`
	DueInPeriod       int      `json:"due_in_period"`
	RectifiedOnTime   int      `json:"rectified_on_time"`
	OnTimeRate        *float64 `json:"on_time_rate"`
	OverdueNow        int      `json:"overdue_now"`
	OldestOverdueDays int      `json:"oldest_overdue_days"`
	Reopened          int      `json:"reopened"`
	Accountability    int      `json:"accountability"`
	Incentives        int      `json:"incentives"`
}

// cells is the row as the 单位汇总 sheet holds it; the rate as a number or "" when there is none.
func (f rptOrgFigures) cells(name string) []string {
	rate := ""
	if f.OnTimeRate != nil {
		rate = strconv.FormatFloat(*f.OnTimeRate, 'g', -1, 64)
	}
	n := strconv.Itoa
	return []string{name, n(f.CasesIssued), n(f.Findings.Minor), n(f.Findings.Major), n(f.Findings.Critical), n(f.Findings.Total),
		n(f.DueInPeriod), n(f.RectifiedOnTime), rate, n(f.OverdueNow), n(f.OldestOverdueDays), n(f.Reopened), n(f.Accountability), n(f.Incentives)}
}

func rptGetReport(t *testing.T, e *env, token, query string) rptReport {
	t.Helper()
	r := e.api(t, http.MethodGet, "/api/v1/reports/accountability?"+query, token, "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET report: %s", r)
	}
	var out rptReport
	decode(t, r, &out)
	return out
}

// rptWantForbidden checks a 403 in the error shape with a Chinese message. (wantError's leak check
// would flag the code "forbidden" itself.)
func rptWantForbidden(t *testing.T, r response) {
	t.Helper()
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403: %s", r.StatusCode, r.Body)
	}
	var ae apiError
	decode(t, r, &ae)
	if ae.Error.Code != domain.EFORBIDDEN || !hasHan(ae.Error.Message) {
		t.Errorf("error = %+v", ae.Error)
	}
}

func rptToday() string { return string(domain.DateOf(t0)) }

// rptExpect is what the demo's cases say a report over a scope and period must count.
type rptExpect struct {
	cases                     map[domain.Jurisdiction]int // issued, by the report's row
	total, findings, critical int
}

// rptIssued reads the demo's cases one by one and counts those whose 意见书 was issued in the period
// under scope, by row (domain.UnitOf), with their findings (withdrawn ones left out).
func rptIssued(t *testing.T, e *env, scope domain.Jurisdiction, from, to domain.Date) rptExpect {
	t.Helper()
	ctx := context.Background()
	auditor, err := e.app.ActorFor(ctx, "auditor") // reads every case of the city
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.app.ListCases(ctx, auditor, domain.CaseFilter{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	x := rptExpect{cases: map[domain.Jurisdiction]int{}}
	for _, s := range page.Items {
		v, err := e.app.GetCase(ctx, auditor, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := v.Case
		if c.IssuedAt == nil || !scope.Covers(c.TargetOrg.Path) {
			continue
		}
		if d := domain.DateOf(*c.IssuedAt); d.Before(from) || to.Before(d) {
			continue
		}
		x.cases[domain.UnitOf(scope, c.TargetOrg.Path)]++
		x.total++
		for _, f := range c.Findings {
			if f.Status != domain.FindingWithdrawn {
				x.findings++
				if f.Severity == domain.SeverityCritical {
					x.critical++
				}
			}
		}
	}
	return x
}

func TestRptAccountabilityReportAccess(t *testing.T) {
	e := rptNewEnv(t, "")
	ids := e.orgIDs(t)
	dir, _ := e.login(t, "city.director", "Dudao@2026")
	period := "from=" + rptToday()[:4] + "-01-01&to=" + rptToday()

	// The city's director: 200 over the whole city, default scope its own org.
	rep := rptGetReport(t, e, dir, period)
	if rep.Scope.ID != ids["wuhai/"] || rep.From != rptToday()[:4]+"-01-01" || rep.To != rptToday() || rep.Today != rptToday() {
		t.Errorf("scope %+v, period %s…%s, today %s", rep.Scope, rep.From, rep.To, rep.Today)
	}
	// A city's report has a row per unit directly under it — each district and city-run school, zeros
	// included — holding the figures of its whole subtree: the demo's cases issued in the period, as
	// the cases themselves say.
	want := rptIssued(t, e, "wuhai/", domain.Date(rptToday()[:4]+"-01-01"), domain.Date(rptToday()))
	issued := map[string]int{}
	for _, o := range rep.Orgs {
		issued[o.Org.Path] = o.CasesIssued
	}
	for _, path := range []string{"wuhai/hbw/", "wuhai/yz/", "wuhai/wd/", "wuhai/hn/"} {
		if got, ok := issued[path]; !ok || got != want.cases[domain.Jurisdiction(path)] {
			t.Errorf("cases issued at %s = %d (listed %v), want %d (rows %+v)", path, got, ok, want.cases[domain.Jurisdiction(path)], issued)
		}
	}
	if want.total == 0 {
		t.Error("the demo issued no case this year")
	}
	for _, path := range []string{"wuhai/hbw/s001/", "wuhai/hbw/s002/"} {
		if _, ok := issued[path]; ok {
			t.Errorf("the city's report lists the school %s itself; its district's row holds it", path)
		}
	}
	if rep.Total.CasesIssued != want.total || rep.Total.Findings.Total != want.findings || rep.Total.Findings.Critical != want.critical {
		t.Errorf("totals = %+v, want %+v", rep.Total, want)
	}
	if len(rep.Notes) == 0 || !strings.Contains(strings.Join(rep.Notes, ""), "培训学时") {
		t.Errorf("the report does not say where training hours come from: %v", rep.Notes)
	}

	// The default period is this year to date.
	if def := rptGetReport(t, e, dir, ""); def.From != rptToday()[:4]+"-01-01" || def.To != rptToday() {
		t.Errorf("default period %s…%s", def.From, def.To)
	}

	// A district's director: its own district by default; another district is out of scope (404).
	hbw, _ := e.login(t, "hbw.director", "Dudao@2026")
	inHbw := rptIssued(t, e, "wuhai/hbw/", domain.Date(rptToday()[:4]+"-01-01"), domain.Date(rptToday()))
	if r := rptGetReport(t, e, hbw, ""); r.Scope.ID != ids["wuhai/hbw/"] || r.Total.CasesIssued != inHbw.total {
		t.Errorf("海勃湾区 director's report: scope %+v, totals %+v, want %+v", r.Scope, r.Total, inHbw)
	} else {
		// The district's own row first; then a row per school.
		rows := map[domain.Jurisdiction]int{}
		for _, o := range r.Orgs {
			rows[domain.Jurisdiction(o.Org.Path)] = o.CasesIssued
		}
		if r.Orgs[0].Org.Path != "wuhai/hbw/" || len(rows) < 10 {
			t.Errorf("海勃湾区 director's rows %+v", rows)
		}
		for path, n := range inHbw.cases {
			if rows[path] != n {
				t.Errorf("海勃湾区 director's row %s: %d issued, want %d", path, rows[path], n)
			}
		}
	}
	for _, q := range []string{"org_id=" + strconv.FormatInt(ids["wuhai/wd/"], 10), "org_id=" + strconv.FormatInt(ids["wuhai/"], 10), "org_id=999999"} {
		wantError(t, e.api(t, http.MethodGet, "/api/v1/reports/accountability?"+q, hbw, ""), http.StatusNotFound, domain.ENOTFOUND)
	}
	// …and a school inside it is in scope.
	s001 := rptIssued(t, e, "wuhai/hbw/s001/", domain.Date(rptToday()[:4]+"-01-01"), domain.Date(rptToday()))
	if r := rptGetReport(t, e, hbw, "org_id="+strconv.FormatInt(ids["wuhai/hbw/s001/"], 10)); len(r.Orgs) != 1 || r.Orgs[0].Findings.Total != s001.findings ||
		s001.findings == 0 {
		t.Errorf("one school's report = %+v, want %d findings", r.Orgs, s001.findings)
	}

	// The auditor reads reports; roles without report read get 403, whatever the org.
	aud, _ := e.login(t, "auditor", "Dudao@2026")
	rptGetReport(t, e, aud, "")
	for _, u := range []string{"school.hbw1", "city.supervisor", "hbw.office", "monitor", "admin"} {
		tok, _ := e.login(t, u, "Dudao@2026")
		for _, path := range []string{"/api/v1/reports/accountability", "/api/v1/reports/accountability.pdf",
			"/api/v1/reports/accountability.xlsx", "/api/v1/reports/ledger.xlsx"} {
			rptWantForbidden(t, e.api(t, http.MethodGet, path+"?org_id="+strconv.FormatInt(ids["wuhai/hbw/s001/"], 10), tok, ""))
		}
	}
	// No token: 401.
	wantError(t, e.api(t, http.MethodGet, "/api/v1/reports/accountability", "", ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)

	// Bad parameters: 422 naming each field in Chinese.
	for q, fields := range map[string][]string{
		"from=2026-13-01&to=2026-12-31":          {"from"},
		"from=2026-01-01&to=31.12.2026":          {"to"},
		"from=2026-12-31&to=2026-01-01":          {"to"},
		"from=2010-01-01&to=2026-01-01":          {"to"},
		"from=2026-02-30&to=x&org_id=-3":         {"from", "to", "org_id"},
		"org_id=abc":                             {"org_id"},
		"from=2026-01-01&to=2026-12-31&org_id=0": {"org_id"},
	} {
		for _, path := range []string{"/api/v1/reports/accountability", "/api/v1/reports/accountability.xlsx", "/api/v1/reports/ledger.xlsx"} {
			ae := wantError(t, e.api(t, http.MethodGet, path+"?"+q, dir, ""), http.StatusUnprocessableEntity, domain.EINVALID)
			for _, f := range fields {
				if !hasHan(ae.Error.Fields[f]) {
					t.Errorf("%s?%s: no Chinese message for %s: %+v", path, q, f, ae.Error.Fields)
				}
			}
			if len(ae.Error.Fields) != len(fields) {
				t.Errorf("%s?%s: fields %v, want %v", path, q, ae.Error.Fields, fields)
			}
		}
	}
}

// TestRptExcelMatchesJSON re-reads the workbook cell by cell and compares it with the JSON report.
func TestRptExcelMatchesJSON(t *testing.T) {
	e := rptNewEnv(t, "")
	dir, _ := e.login(t, "city.director", "Dudao@2026")
	q := "from=" + rptToday()[:4] + "-01-01&to=" + rptToday()
	rep := rptGetReport(t, e, dir, q)
	if len(rep.Orgs) == 0 {
		t.Fatal("the demo report has no rows to compare")
	}
	r := e.api(t, http.MethodGet, "/api/v1/reports/accountability.xlsx?"+q, dir, "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET xlsx: %s", r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "单位汇总,问责形式,激励,反复问题,督学履职,说明" {
		t.Errorf("sheets = %s", got)
	}
	rows, err := f.GetRows("单位汇总", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rep.Orgs)+2 {
		t.Fatalf("单位汇总 has %d rows, want header + %d orgs + 合计", len(rows), len(rep.Orgs))
	}
	compare := func(row int, got []string, want []string) {
		t.Helper()
		for len(got) < len(want) {
			got = append(got, "")
		}
		for i := range want {
			if got[i] == want[i] {
				continue
			}
			a, errA := strconv.ParseFloat(got[i], 64)
			b, errB := strconv.ParseFloat(want[i], 64)
			if errA == nil && errB == nil && math.Abs(a-b) < 1e-12 {
				continue
			}
			t.Errorf("单位汇总 row %d column %d (%s) = %q, JSON says %q", row+1, i+1, rows[0][i], got[i], want[i])
		}
	}
	for i, o := range rep.Orgs {
		compare(i+1, rows[i+1], o.cells(o.Org.Name))
	}
	compare(len(rows)-1, rows[len(rows)-1], rep.Total.cells("合计"))
	// Figures are numbers, not text.
	if typ, err := f.GetCellType("单位汇总", "B2"); err != nil || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		t.Errorf("B2 is stored as %v, want a number", typ)
	}
	insp, _ := f.GetRows("督学履职", excelize.Options{RawCellValue: true})
	if len(insp) != len(rep.Insp)+1 {
		t.Fatalf("督学履职 has %d rows, want header + %d", len(insp), len(rep.Insp))
	}
	for i, in := range rep.Insp {
		want := []string{in.Name, in.OrgName, strconv.Itoa(in.Visits), strconv.Itoa(in.ReportsDue), strconv.Itoa(in.Issued), strconv.Itoa(in.IssuedOnTime)}
		if got := insp[i+1][:6]; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("督学履职 row %d = %v, JSON says %v", i+2, got, want)
		}
	}
}

// rptPDFText extracts a PDF's text, or skips t when pdftotext is missing.
func rptPDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 40)])
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("PDF text check skipped: pdftotext (poppler-utils) is not on PATH")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

func TestRptAccountabilityPDF(t *testing.T) {
	e := rptNewEnv(t, "")
	dir, _ := e.login(t, "city.director", "Dudao@2026")
	q := "from=" + rptToday()[:4] + "-01-01&to=" + rptToday()
	rep := rptGetReport(t, e, dir, q)
	r := e.api(t, http.MethodGet, "/api/v1/reports/accountability.pdf?"+q, dir, "")
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET pdf: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	text := rptPDFText(t, r.Body)
	for _, want := range []string{"教育督导问责情况报告", "乌海市", rep.From + "至" + rep.To, "第1页/共"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}
	// Every org row prints as name, cases, minor, major, critical, total, due, on time…
	for _, o := range append(rep.Orgs, rep.Total) {
		name := "合计"
		if o.Org != nil {
			name = o.Org.Name
		}
		want := fmt.Sprintf("%s%d%d%d%d%d%d%d", name, o.CasesIssued, o.Findings.Minor, o.Findings.Major, o.Findings.Critical,
			o.Findings.Total, o.DueInPeriod, o.RectifiedOnTime)
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks the row %q:\n%s", want, text)
		}
	}
	for _, in := range rep.Insp {
		if want := fmt.Sprintf("%s%s%d%d%d%d", strings.Join(strings.Fields(in.Name), ""), in.OrgName, in.Visits, in.ReportsDue, in.Issued, in.IssuedOnTime); !strings.Contains(text, want) {
			t.Errorf("PDF lacks the inspector row %q", want)
		}
	}
	rptNoInternalCodes(t, "PDF", text)
}

// rptInternalCode matches what users do not know: an org's path (wuhai/hbw/) or a rule's code (R38),
// a word of its own, not letters inside a random token (a CSRF token "R1MAMi…" is base64url).
var rptInternalCode = regexp.MustCompile(`wuhai/|(?:^|[^A-Za-z0-9_-])R[0-9]+(?:$|[^A-Za-z0-9_-])`)

// rptNoInternalCodes fails when text a user reads shows an internal code.
func rptNoInternalCodes(t *testing.T, what, text string) {
	t.Helper()
	if m := rptInternalCode.FindStringIndex(text); m != nil {
		from, to := max(0, m[0]-60), min(len(text), m[1]+60)
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
		t.Errorf("%s shows an internal code %q: …%s…", what, text[m[0]:m[1]], text[from:to])
	}
}

func TestRptFontMissing(t *testing.T) {
	e := rptNewEnv(t, filepath.Join(t.TempDir(), "no-such-font.ttf"))
	dir, _ := e.login(t, "city.director", "Dudao@2026")
	r := e.api(t, http.MethodGet, "/api/v1/reports/accountability.pdf", dir, "")
	if r.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500: %s", r.StatusCode, r.Body)
	}
	var ae apiError
	decode(t, r, &ae)
	if ae.Error.Code != domain.EINTERNAL || strings.Contains(ae.Error.Message, "--font") || !strings.Contains(ae.Error.Message, "管理员") ||
		ae.Error.RequestID == "" {
		t.Errorf("error = %+v, want a plain Chinese message and a request id", ae.Error)
	}
	if strings.Contains(string(r.Body), "no-such-font") {
		t.Errorf("the answer shows the server's file path: %s", r.Body)
	}
	// The Excel export needs no font.
	if r := e.api(t, http.MethodGet, "/api/v1/reports/accountability.xlsx", dir, ""); r.StatusCode != http.StatusOK {
		t.Errorf("xlsx without a font: %s", r)
	}
}

// rptCaseID finds a demo case by status as the city's director lists them.
func rptCaseID(t *testing.T, e *env, token, status string) (int64, string) {
	t.Helper()
	r := e.api(t, http.MethodGet, "/api/v1/cases?status="+status, token, "")
	var list struct {
		Items []struct {
			ID     int64  `json:"id"`
			Number string `json:"number"`
		} `json:"items"`
	}
	decode(t, r, &list)
	if len(list.Items) == 0 {
		t.Fatalf("no %s case in the demo: %s", status, r)
	}
	return list.Items[0].ID, list.Items[0].Number
}

func TestRptOpinionPDF(t *testing.T) {
	e := rptNewEnv(t, "")
	dir, _ := e.login(t, "city.director", "Dudao@2026")
	id, number := rptCaseID(t, e, dir, "rectifying")
	path := "/api/v1/cases/" + strconv.FormatInt(id, 10) + "/opinion.pdf"
	r := e.api(t, http.MethodGet, path, dir, "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET opinion: %s", r)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") {
		t.Errorf("Content-Disposition %q", cd)
	}
	text := rptPDFText(t, r.Body)
	for _, want := range []string{"教育督导意见书", number, "乌海市", "签发单位（盖章）"} {
		if !strings.Contains(text, want) {
			t.Errorf("opinion lacks %q:\n%s", want, text)
		}
	}
	// The target's own school may read it; a school elsewhere may not see the case (404).
	own, _ := e.login(t, "school.hbw1", "Dudao@2026")
	if r := e.api(t, http.MethodGet, path, own, ""); r.StatusCode != http.StatusOK || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Errorf("the target's school: %d", r.StatusCode)
	}
	other, _ := e.login(t, "school.wd1", "Dudao@2026")
	wantError(t, e.api(t, http.MethodGet, path, other, ""), http.StatusNotFound, domain.ENOTFOUND)
	wantError(t, e.api(t, http.MethodGet, "/api/v1/cases/99999999/opinion.pdf", dir, ""), http.StatusNotFound, domain.ENOTFOUND)
	wantError(t, e.api(t, http.MethodGet, "/api/v1/cases/abc/opinion.pdf", dir, ""), http.StatusNotFound, domain.ENOTFOUND)
	// Not issued yet: 409.
	for _, status := range []string{"planned", "inspecting", "feedback", "review"} {
		pid, _ := rptCaseID(t, e, dir, status)
		wantError(t, e.api(t, http.MethodGet, "/api/v1/cases/"+strconv.FormatInt(pid, 10)+"/opinion.pdf", dir, ""), http.StatusConflict, domain.ECONFLICT)
	}
	// Closed cases keep their opinion.
	cid, cnum := rptCaseID(t, e, dir, "closed")
	r = e.api(t, http.MethodGet, "/api/v1/cases/"+strconv.FormatInt(cid, 10)+"/opinion.pdf", dir, "")
	if r.StatusCode != http.StatusOK || !strings.Contains(rptPDFText(t, r.Body), cnum) {
		t.Errorf("closed case's opinion: %d", r.StatusCode)
	}
}

func TestRptLedgerXLSX(t *testing.T) {
	e := rptNewEnv(t, "")
	dir, _ := e.login(t, "city.director", "Dudao@2026")
	r := e.api(t, http.MethodGet, "/api/v1/reports/ledger.xlsx", dir, "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET ledger: %s", r)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "问题清单,措施清单,责任清单" {
		t.Errorf("sheets = %s", got)
	}
	findings, _ := f.GetRows("问题清单")
	if len(findings) < 2 || strings.Join(findings[0], ",") != "案件编号,被督导单位,问题,问题类别,严重程度,状态,整改期限" {
		t.Fatalf("问题清单 = %v", findings)
	}
	// The demo's cases issued this year, and their findings; the 消防通道 one is critical and still to rectify.
	want := rptIssued(t, e, "wuhai/", domain.Date(rptToday()[:4]+"-01-01"), domain.Date(rptToday()))
	if len(findings) != want.findings+1 || want.findings == 0 {
		t.Errorf("问题清单 has %d findings, want %d", len(findings)-1, want.findings)
	}
	var fire []string
	for _, row := range findings[1:] {
		if strings.Contains(row[2], "消防通道") {
			fire = row
		}
	}
	if fire == nil || fire[1] == "" || fire[3] != "校园安全" || fire[4] != "重大" || fire[6] == "" {
		t.Errorf("消防通道 line = %v", fire)
	}
	measures, _ := f.GetRows("措施清单")
	resp, _ := f.GetRows("责任清单")
	if len(measures) < 2 || len(resp) < 2 {
		t.Fatalf("措施清单 %v, 责任清单 %v", measures, resp)
	}
	found := false
	for _, row := range resp[1:] {
		if len(row) >= 5 && row[1] == "王校长" && strings.Contains(row[3], "消防通道") {
			found = true
		}
	}
	if !found {
		t.Errorf("责任清单 lacks 王校长 → 消防通道: %v", resp)
	}
	// A district director's ledger leaves other districts out.
	hbw, _ := e.login(t, "hbw.director", "Dudao@2026")
	r = e.api(t, http.MethodGet, "/api/v1/reports/ledger.xlsx", hbw, "")
	g, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	rows, _ := g.GetRows("问题清单")
	for _, row := range rows[1:] {
		if strings.Contains(row[1], "一中") {
			t.Errorf("海勃湾区's ledger lists %v", row)
		}
	}
}

// TestRptPage is the web page: form, charts' data block, tables and download links.
func TestRptPage(t *testing.T) {
	if _, err := fs.Stat(templates.FS, "reports/accountability.html"); err != nil {
		t.Fatalf("the report page's template is not embedded: %v", err)
	}
	e := rptNewEnv(t, "")
	b := e.browser(t)
	b.webLogin("city.director", "Dudao@2026")
	r := b.get("/reports/accountability")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET page: %s", r)
	}
	page := string(r.Body)
	for _, want := range []string{`<script type="application/json" id="report-data">`, `id="chart-severity"`, `id="chart-ontime"`,
		`/static/reports.js`, `/static/vendor/echarts-6.1.0.min.js`, "一、被督导单位情况", "五、督学履职情况", "海勃湾区",
		`href="/reports/accountability.pdf?`, `href="/reports/accountability.xlsx?`, `href="/reports/ledger.xlsx?`, `name="from"`, `name="org_id"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, " style=") || strings.Contains(page, "<style") {
		t.Error("the page has inline style, which the CSP refuses")
	}
	rptNoInternalCodes(t, "the report page", page)
	// The data block is JSON the script can read.
	i := strings.Index(page, `id="report-data">`)
	j := strings.Index(page[i:], "</script>")
	var data struct {
		Orgs  []string `json:"orgs"`
		Minor []int    `json:"minor"`
	}
	if err := json.Unmarshal([]byte(page[i+len(`id="report-data">`):i+j]), &data); err != nil || len(data.Orgs) == 0 || len(data.Orgs) != len(data.Minor) {
		t.Errorf("report-data = %q (%v)", page[i:i+j], err)
	}
	// Bad dates are shown on the page, 422.
	r = b.get("/reports/accountability?" + url.Values{"from": {"2026-12-31"}, "to": {"2026-01-01"}}.Encode())
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "结束日期不能早于开始日期") {
		t.Errorf("bad period: %d", r.StatusCode)
	}
	// The downloads work with the session cookie.
	r = b.get("/reports/accountability.xlsx")
	if r.StatusCode != http.StatusOK {
		t.Errorf("xlsx from the page: %s", r)
	}
	// A school's user is refused.
	s := e.browser(t)
	s.webLogin("school.hbw1", "Dudao@2026")
	if r := s.get("/reports/accountability"); r.StatusCode != http.StatusForbidden {
		t.Errorf("school on the report page: %d", r.StatusCode)
	}
}
