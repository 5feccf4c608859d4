package export

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dudao/domain"
)

// pdfText extracts a PDF's text with pdftotext (poppler-utils), or skips t when it is not installed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("PDF text check skipped: pdftotext (poppler-utils) is not on PATH")
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// squeeze drops the spaces pdftotext puts between table cells, so a row reads as one string.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

func sampleReport() domain.AccountabilityReport {
	trainingHours := 36
	hbw := domain.ReportOrg{ID: 2, Name: "海勃湾区", Path: "wuhai/hbw/"}
	s1 := domain.ReportOrg{ID: 5, Name: "海勃湾区第一小学", Path: "wuhai/hbw/s1/"}
	s3 := domain.ReportOrg{ID: 7, Name: "乌达区第三小学", Path: "wuhai/wd/s3/"}
	r := domain.AccountabilityReport{
		Scope: domain.ReportOrg{ID: 1, Name: "乌海市", Path: "wuhai/"}, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30",
		Orgs: []domain.ReportOrgFigures{
			{Org: hbw, CasesIssued: 1, Findings: domain.SeverityCounts{Minor: 1, Major: 1}, DueInPeriod: 2, RectifiedOnTime: 1},
			{Org: s1, CasesIssued: 3, Findings: domain.SeverityCounts{Minor: 4, Major: 2, Critical: 1}, DueInPeriod: 3, RectifiedOnTime: 1,
				OverdueNow: 2, OldestOverdueDays: 181, Reopened: 1, Incentives: 1},
			{Org: s3, CasesIssued: 1, Accountability: 2},
		},
		Forms:      []domain.ReportFormCount{{Org: s3, TargetType: "unit", Form: "约谈", Count: 1}, {Org: s3, TargetType: "person", Form: "通报批评", Count: 1}},
		Incentives: []domain.ReportIncentiveCount{{Org: s1, Kind: "commendation", Count: 1}},
		Recurring:  []domain.ReportRecurring{{Org: s1, Category: "校园安全", FirstYear: 2025, LastYear: 2026, Years: 2, Findings: 2}},
		Inspectors: []domain.ReportInspector{{UserID: 9, Name: "李督学", OrgName: "海勃湾区", Visits: 4, ReportsDue: 4, Issued: 3, IssuedOnTime: 2,
			TrainingHours: &trainingHours, TrainingRequired: 40}},
		Notes: []string{domain.TrainingHoursNote(40)},
	}
	r.SumTotals()
	return r
}

// The PDF tests print with the embedded font (a nil font), as a server without --font does.

func TestAccountabilityPDF(t *testing.T) {
	b, err := AccountabilityPDF(sampleReport(), nil)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	flat := squeeze(text)
	mustContain := []string{
		"教育督导问责情况报告", "乌海市", "2026-01-01至2026-12-31", "2026-06-30",
		"一、被督导单位情况", "二、问责情况", "三、激励情况", "四、反复出现的问题", "五、督学履职情况", "说明",
		// name, cases, minor, major, critical, total, due, on time, rate, overdue, oldest days, reopened, 问责, 激励
		"海勃湾区111022150.0%00000",
		"海勃湾区第一小学342173133.3%2181101",
		"乌达区第三小学1000000—00020",
		"合计553195240.0%2181121",
		"乌达区第三小学单位约谈1", "乌达区第三小学个人通报批评1", "海勃湾区第一小学表彰1",
		"海勃湾区第一小学校园安全2025202622",
		"李督学海勃湾区443250.0%",
		"督学培训学时",
		"第1页/共",
	}
	for _, want := range mustContain {
		if !strings.Contains(flat, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
}

func TestOpinionPDF(t *testing.T) {
	issued := time.Date(2026, 2, 20, 10, 0, 0, 0, domain.CST)
	started := time.Date(2026, 2, 1, 9, 0, 0, 0, domain.CST)
	c := &domain.Case{ID: 1, Number: "乌督学〔2026〕7号", Type: domain.CaseSchool, Kind: domain.KindSpecial,
		OwnerOrg: domain.Org{Name: "乌海市"}, TargetOrg: domain.Org{Name: "海勃湾区第一小学"}, Title: "校园安全专项督导",
		Status: domain.StatusRectifying, StartedAt: &started, IssuedAt: &issued,
		Findings: []domain.Finding{
			{Title: "消防通道堆放杂物", Description: "教学楼东侧消防通道堆放桌椅，" + strings.Repeat("影响疏散", 30) + "。", Severity: domain.SeverityCritical, Category: "校园安全", DueOn: "2026-02-27", Status: domain.FindingOpen},
			{Title: "撤回的问题", Severity: domain.SeverityMinor, Category: "其他", Status: domain.FindingWithdrawn},
			{Title: "食品留样记录缺失", Severity: domain.SeverityMajor, Category: "食品卫生", DueOn: "2026-03-22", Status: domain.FindingOpen},
		}}
	b, err := OpinionPDF(OpinionInput{Case: c, Inspectors: []string{"张督学", "李督学"}, IssuedBy: "王主任"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b)
	flat := squeeze(text)
	for _, want := range []string{"教育督导意见书", "乌督学〔2026〕7号", "海勃湾区第一小学", "校园安全专项督导", "张督学、李督学",
		"2026年2月1日", "2026年2月20日", "消防通道堆放杂物", "重大", "2026-02-27", "食品留样记录缺失", "较重", "食品卫生", "2026-03-22",
		"签发单位（盖章）：乌海市", "签发人：王主任", "教学楼东侧消防通道堆放桌椅", "响疏散。"} {
		if !strings.Contains(flat, want) {
			t.Errorf("opinion text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(flat, "撤回的问题") {
		t.Error("a withdrawn finding is printed in the opinion")
	}
	c.IssuedAt = nil
	if _, err := OpinionPDF(OpinionInput{Case: c}, nil); err == nil {
		t.Error("an opinion of a case never issued was printed")
	}
}

// A font that is given is used, not silently replaced by the embedded one: a bad one fails.
func TestPDFWithBadFont(t *testing.T) {
	for name, font := range map[string][]byte{"empty": {}, "not a font": []byte("这不是字体文件"),
		"a collection":     append([]byte("ttcf\x00\x02\x00\x00"), make([]byte, 64)...),
		"a truncated font": append([]byte{0, 1, 0, 0}, make([]byte, 64)...)} {
		_, err := AccountabilityPDF(sampleReport(), font)
		if !errors.Is(err, ErrBadFont) {
			t.Errorf("%s: err = %v, want ErrBadFont", name, err)
		}
	}
}

func TestWrapKeepsEveryCharacter(t *testing.T) {
	d, err := newDoc("P", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	d.AddPage()
	d.SetFont(fontFamily, "", 10)
	s := "这是一个很长很长的中文句子，用于测试没有空格时的自动换行 and some latin words 12345 乌督学〔2026〕12号" + string(rune(0x1F600))
	lines := d.wrap(s, 30)
	if len(lines) < 3 {
		t.Fatalf("wrapped into %d lines, want several: %q", len(lines), lines)
	}
	joined := strings.Join(lines, "")
	if squeeze(joined) != squeeze(strings.ReplaceAll(s, string(rune(0x1F600)), "□")) {
		t.Errorf("wrap lost or changed characters:\n got %q\nfrom %q", joined, s)
	}
	for _, l := range lines {
		if w := d.GetStringWidth(l); w > 30.01 && len([]rune(l)) > 1 {
			t.Errorf("line %q is %.1f mm wide, want ≤ 30", l, w)
		}
	}
}

// cellValues reads a sheet back as raw values (numbers unformatted).
func cellValues(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	return rows
}

func TestAccountabilityXLSX(t *testing.T) {
	r := sampleReport()
	b, err := AccountabilityXLSX(r)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), "单位汇总,问责形式,激励,反复问题,督学履职,说明"; got != want {
		t.Errorf("sheets = %s, want %s", got, want)
	}
	rows := cellValues(t, f, "单位汇总")
	if got := strings.Join(rows[0], ","); got != "被督导单位,签发案件,一般问题,较重问题,重大问题,问题合计,到期问题,按期整改,按期整改率,逾期未改,最长逾期天数,复查未通过,问责,激励" {
		t.Errorf("header = %s", got)
	}
	if got := strings.Join(rows[2], ","); got != "海勃湾区第一小学,3,4,2,1,7,3,1,"+rows[2][8]+",2,181,1,0,1" {
		t.Errorf("row = %s", got)
	}
	if v, err := strconv.ParseFloat(rows[2][8], 64); err != nil || math.Abs(v-1.0/3) > 1e-12 {
		t.Errorf("rate cell = %q, want the fraction 1/3", rows[2][8])
	}
	if got := strings.Join(rows[3], ","); got != "乌达区第三小学,1,0,0,0,0,0,0,,0,0,0,2,0" {
		t.Errorf("row without a rate = %s", got)
	}
	if rows[4][0] != "合计" || rows[4][1] != "5" {
		t.Errorf("totals row = %v", rows[4])
	}
	// numbers are stored as numbers, not text
	if typ, _ := f.GetCellType("单位汇总", "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("B2 cell type = %v, want a number", typ)
	}
	if v, _ := f.GetCellValue("单位汇总", "I3"); v != "33.3%" {
		t.Errorf("rate shown as %q, want 33.3%%", v)
	}
	if got := strings.Join(cellValues(t, f, "反复问题")[1], ","); got != "海勃湾区第一小学,校园安全,2025,2026,2,2" {
		t.Errorf("recurring row = %s", got)
	}
	if got := strings.Join(cellValues(t, f, "督学履职")[1], ","); got != "李督学,海勃湾区,4,4,3,2,0.5,36,40" {
		t.Errorf("inspector row = %s", got)
	}
	if got := strings.Join(cellValues(t, f, "问责形式")[2], ","); got != "乌达区第三小学,个人,通报批评,1" {
		t.Errorf("form row = %s", got)
	}
	// No internal code anywhere a reader looks: not an org's path, not a rule's code. The notes say
	// where training hours come from in words.
	var all strings.Builder
	for _, sheet := range f.GetSheetList() {
		for _, row := range cellValues(t, f, sheet) {
			all.WriteString(strings.Join(row, "\t") + "\n")
		}
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	all.WriteString(props.Title + props.Subject + props.Description + props.Keywords)
	if m := internalCode.FindString(all.String()); m != "" {
		t.Errorf("the workbook shows the internal code %q:\n%s", m, all.String())
	}
	if !strings.Contains(all.String(), "督学管理暂行办法") || !strings.Contains(all.String(), "不少于40学时") {
		t.Errorf("the notes do not say what training hours are held to:\n%s", all.String())
	}
}

// internalCode matches what users do not know: an org's path (wuhai/hbw/) or a rule's code (R38).
var internalCode = regexp.MustCompile(`wuhai/|(?:^|[^A-Za-z0-9])R[0-9]+`)

func TestLedgerXLSX(t *testing.T) {
	l := domain.Ledger{
		Scope: domain.ReportOrg{Name: "海勃湾区"}, Office: "海勃湾区教育局", From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30",
		Findings: []domain.LedgerFinding{{FindingID: 1, CaseNumber: "乌督学〔2026〕1号", Target: domain.ReportOrg{Name: "海勃湾区第一小学"},
			Title: "消防通道堆放杂物", Category: "校园安全", Severity: domain.SeverityCritical, Status: domain.FindingOpen, DueOn: "2026-03-01"}},
		Measures: []domain.LedgerMeasure{{FindingID: 1, CaseNumber: "乌督学〔2026〕1号", FindingTitle: "消防通道堆放杂物", FindingStatus: domain.FindingOpen,
			Description: "清理杂物", ResponsiblePerson: "王校长", ResponsibleUnit: "海勃湾区第一小学", DueOn: "2026-02-25"}},
	}
	b, err := LedgerXLSX(l)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "问题清单,措施清单,责任清单" {
		t.Errorf("sheets = %s", got)
	}
	for sheet, want := range map[string]string{
		"问题清单": "乌督学〔2026〕1号,海勃湾区第一小学,消防通道堆放杂物,校园安全,重大,待整改,2026-03-01",
		"措施清单": "乌督学〔2026〕1号,消防通道堆放杂物,清理杂物,王校长,海勃湾区第一小学,2026-02-25",
		"责任清单": "海勃湾区第一小学,王校长,乌督学〔2026〕1号,消防通道堆放杂物,待整改," + strconv.Itoa(1) + ",2026-02-25",
	} {
		rows, err := f.GetRows(sheet) // as shown: dates in their number format
		if err != nil {
			t.Fatalf("sheet %s: %v", sheet, err)
		}
		if len(rows) != 2 {
			t.Errorf("%s: %d rows, want header and 1", sheet, len(rows))
			continue
		}
		if got := strings.Join(rows[1], ","); got != want {
			t.Errorf("%s row = %s, want %s", sheet, got, want)
		}
	}
	// Due dates are date cells — a serial number with a date format, which sorts and filters as a date —
	// not text.
	for _, c := range []struct{ sheet, cell, want string }{{"问题清单", "G2", "2026-03-01"}, {"措施清单", "F2", "2026-02-25"}, {"责任清单", "G2", "2026-02-25"}} {
		if typ, err := f.GetCellType(c.sheet, c.cell); err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("%s!%s cell type = %v (%v), want a date number", c.sheet, c.cell, typ, err)
		}
		raw, err := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Errorf("%s!%s raw value %q is not a number: the date is stored as text", c.sheet, c.cell, raw)
			continue
		}
		d, err := excelize.ExcelDateToTime(serial, false)
		if err != nil || d.Format("2006-01-02") != c.want {
			t.Errorf("%s!%s = serial %v = %v (%v), want %s", c.sheet, c.cell, serial, d, err, c.want)
		}
		styleID, err := f.GetCellStyle(c.sheet, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(styleID)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, "yy") {
			t.Errorf("%s!%s number format = %v, want a date format", c.sheet, c.cell, st.CustomNumFmt)
		}
	}
	// The workbook names dudao and the office as its author, not the spreadsheet library.
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(props.Creator, "dudao") || strings.Contains(strings.ToLower(props.Creator), "excelize") {
		t.Errorf("Creator = %q, want dudao", props.Creator)
	}
	if !strings.Contains(props.Description, "海勃湾区教育局") || !strings.Contains(props.Title, "督导台账") {
		t.Errorf("Title %q / Description %q: want the ledger and the office (海勃湾区教育局)", props.Title, props.Description)
	}
	// Made on 2026-06-30 in CST: 16:00 UTC the day before, not the library's 2006.
	if !strings.HasPrefix(props.Created, "2026-06-29T16:00:00") || props.Modified != props.Created {
		t.Errorf("Created %q, Modified %q: want the day the ledger was made", props.Created, props.Modified)
	}
	app, err := f.GetAppProps()
	if err != nil {
		t.Fatal(err)
	}
	if app.Company != "海勃湾区教育局" || app.Application != "dudao" {
		t.Errorf("app properties = %+v, want Application dudao, Company 海勃湾区教育局", app)
	}
}
