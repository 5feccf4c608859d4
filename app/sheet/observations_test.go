package sheet

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"dudao/domain"
)

func rowsString(rows []domain.ObservationRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%d|%s|%s|%s|%s|%s\n", r.Line, r.IndicatorCode, r.OrgCode, r.Year, r.Value, r.Note)
	}
	return b.String()
}

func fileErr(t *testing.T, err error) string {
	t.Helper()
	e, ok := err.(*domain.Error)
	if !ok || e.Code != domain.EINVALID || e.Fields["file"] == "" {
		t.Fatalf("err = %v, want an EINVALID error on the field file", err)
	}
	return e.Fields["file"]
}

func TestParseCSV(t *testing.T) {
	csvText := "\uFEFF指标代码,单位代码,年份,数值,备注\r\n" +
		"compulsory_retention_rate,hbw,2023,96.5,区统计年报\r\n" +
		"# a comment line\r\n" +
		"\r\n" +
		"compulsory_retention_rate,\"hbw/s001\",2023,97%,\"两行\r\n的备注, 带逗号\"\r\n" +
		"compulsory_enrolment,wd,2024,\"1,234.5\",\r\n" +
		",,,,\r\n" +
		"myopia_rate,hn,2024,48\r\n" // a short row: no note cell
	rows, err := ParseObservations(strings.NewReader(csvText), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := "2|compulsory_retention_rate|hbw|2023|96.5|区统计年报\n" +
		"5|compulsory_retention_rate|hbw/s001|2023|97%|两行\n的备注, 带逗号\n" +
		"7|compulsory_enrolment|wd|2024|1,234.5|\n" +
		"9|myopia_rate|hn|2024|48|\n"
	if got := rowsString(rows); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseCSVEncodingsAndHeaders(t *testing.T) {
	body := "备注;年份;指标代码/indicator_code;单位代码（org_code）;指标名称;VALUE\n" +
		"省统计;2022;compulsory_retention_rate;wd;九年义务教育巩固率;95.9\n"
	want := "2|compulsory_retention_rate|wd|2022|95.9|省统计\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(body)
	if err != nil {
		t.Fatal(err)
	}
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(body, ";", "\t"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]string{"utf-8 semicolons": body, "gb18030 (Excel on Chinese Windows)": gb, "utf-16 tabs (Excel unicode text)": u16} {
		rows, err := ParseObservations(strings.NewReader(b), "b.csv")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := rowsString(rows); got != want {
			t.Errorf("%s: rows\n%s want\n%s", name, got, want)
		}
	}
	// A title line before the header is skipped; only header, no data, is no rows and no error.
	rows, err := ParseObservations(strings.NewReader("2024年监测数据\nindicator_code,org_code,year,value\n"), "c.csv")
	if err != nil || len(rows) != 0 {
		t.Errorf("header only: %v, %v", rows, err)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty", "  \n", "文件e.csv是空的。"},
		{"old excel", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", "不支持旧版Excel文件（.xls），请在Excel中另存为.xlsx或CSV后再导入。"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "文件e.csv不是CSV或XLSX文件，或其文字编码无法识别（请使用UTF-8或GB18030）。"},
		{"missing columns", "指标代码,年份,备注\nx,2020,\n",
			"e.csv第1行（表头）缺少必需的列：单位代码/org_code、数值/value。表头应为：指标代码/indicator_code、单位代码/org_code、年份/year、数值/value、备注/note（备注可省略）。"},
		{"column twice", "指标代码,单位代码,年份,数值,year\n", "e.csv第1行（表头）中「年份」列出现了两次。"},
		{"no header", "foo,bar\n1,2\n", "e.csv没有表头行。表头应为：指标代码/indicator_code、单位代码/org_code、年份/year、数值/value、备注/note（备注可省略）。"},
		{"bad quotes", "指标代码,单位代码,年份,数值\na,b,2020,1\na,\"b,2020,1\n", "e.csv第3行CSV格式有误（引号不配对或多余）。"},
		{"broken xlsx", "PK\x03\x04not really a zip", "无法读取Excel文件e.csv（文件已损坏、加密或不是.xlsx）。"},
	}
	for _, tc := range tests {
		_, err := ParseObservations(strings.NewReader(tc.body), "e.csv")
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if got := fileErr(t, err); got != tc.want {
			t.Errorf("%s: %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// testWorkbook is an XLSX as a person might fill it: an instructions sheet first, then the data
// sheet with a title row, the header on row 3, numbers as numbers, a percentage-formatted cell, a
// gap and a comment row.
func testWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "说明"))
	must(f.SetCellStr("说明", "A1", "请在第二个工作表填写"))
	_, err := f.NewSheet("数据")
	must(err)
	must(f.SetCellStr("数据", "A1", "2024年乌达区监测数据"))
	must(f.SetSheetRow("数据", "A3", &[]any{"年份", "指标代码", "单位代码", "数值", "备注"}))
	must(f.SetSheetRow("数据", "A4", &[]any{2024, "compulsory_retention_rate", "wd", 96.25, "学籍系统"}))
	must(f.SetSheetRow("数据", "A5", &[]any{2024, "compulsory_retention_rate", "wd/s001", 0.975, nil}))
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	must(err)
	must(f.SetCellStyle("数据", "D5", "D5", pct))
	must(f.SetSheetRow("数据", "A7", &[]any{"# 下面一行待核实", nil, nil, nil, nil}))
	must(f.SetSheetRow("数据", "A8", &[]any{"2023", "compulsory_enrolment", "wd", 1.03, ""}))
	var buf bytes.Buffer
	must(f.Write(&buf))
	return buf.Bytes()
}

func TestParseXLSX(t *testing.T) {
	rows, err := ParseObservations(bytes.NewReader(testWorkbook(t)), "d.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	// Row numbers are Excel's; the percentage cell reads as Excel shows it.
	want := "4|compulsory_retention_rate|wd|2024|96.25|学籍系统\n" +
		"5|compulsory_retention_rate|wd/s001|2024|97.50%|\n" +
		"8|compulsory_enrolment|wd|2023|1.03|\n"
	if got := rowsString(rows); got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
	// What the sheet says passes the domain's checks as the person meant it: 97.5, not 0.975.
	cat, err := domain.NewIndicatorCatalog([]domain.Indicator{
		{Code: "compulsory_retention_rate", NameZh: "九年义务教育巩固率", Unit: "%", Direction: domain.HigherIsBetter},
		{Code: "compulsory_enrolment", NameZh: "义务教育在校生", Unit: "万人", Direction: domain.HigherIsBetter},
	})
	if err != nil {
		t.Fatal(err)
	}
	wd := domain.Org{ID: 2, Code: "wd", Name: "乌达区", Kind: domain.OrgDistrict, Path: "wuhai/wd/"}
	s1 := domain.Org{ID: 3, Code: "s001", Name: "乌达区第一小学", Kind: domain.OrgSchool, Path: "wuhai/wd/s001/"}
	im := domain.CheckObservationRows(rows, cat, domain.NewOrgIndex([]domain.Org{wd, s1}), "d.xlsx", domain.Actor{UserID: 1}, time.Now())
	if !im.OK() {
		t.Fatalf("import: %+v", im.Rows)
	}
	obs := im.Observations()
	if obs[0].Value != 96.25 || obs[1].Value != 97.5 || obs[1].Org.ID != s1.ID || obs[2].Year != 2023 {
		t.Errorf("observations %+v", obs)
	}
}

func TestTemplate(t *testing.T) {
	inds := []domain.Indicator{
		{Code: "preschool_enrolment", NameZh: "在园幼儿数", Category: "学前教育", Unit: "万人", Direction: domain.HigherIsBetter,
			Baseline: map[int]*float64{2020: ptr(1.67)}, Target2025: ptr(1.8), Attribute: domain.AttrExpected},
		{Code: "compulsory_retention_rate", NameZh: "九年义务教育巩固率", Category: "义务教育", Unit: "%", Direction: domain.HigherIsBetter,
			Baseline: map[int]*float64{2020: ptr(95)}, Target2025: ptr(97), Attribute: domain.AttrBinding},
		{Code: "private_compulsory_enrolment_share", NameZh: "民办义务教育在校生规模占比", Category: "义务教育", Unit: "%",
			Direction: domain.LowerIsBetter, Target2025: ptr(15), TargetOp: domain.TargetAtMost},
	}
	var buf bytes.Buffer
	if err := ObservationTemplate(&buf, inds); err != nil {
		t.Fatal(err)
	}
	// The template imports as it is: the example row is a comment, so no rows and no error.
	rows, err := ParseObservations(bytes.NewReader(buf.Bytes()), "模板.xlsx")
	if err != nil || len(rows) != 0 {
		t.Fatalf("template imports %v, %v; want no rows", rows, err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "监测数据,指标目录,填写说明" {
		t.Errorf("sheets %s", got)
	}
	head, _ := f.GetRows(DataSheet)
	if len(head) != 2 || strings.Join(head[0], ",") != "指标代码/indicator_code,单位代码/org_code,年份/year,数值/value,备注/note" {
		t.Errorf("data sheet %v", head)
	}
	// The example shows the binding indicator with its 2020 value; without the # it is a valid row.
	if len(head) == 2 && strings.Join(head[1][:4], ",") != "#compulsory_retention_rate,hbw,2024,95" {
		t.Errorf("example row %v", head[1])
	}
	cat, _ := f.GetRows(CatalogSheet)
	if len(cat) != 4 || strings.Join(cat[2], ",") != "compulsory_retention_rate,九年义务教育巩固率,义务教育,%,约束性,越高越好,95,97" ||
		strings.Join(cat[3], ",") != "private_compulsory_enrolment_share,民办义务教育在校生规模占比,义务教育,%,,越低越好,,15,<=" {
		t.Errorf("catalog sheet %v", cat)
	}
	if v, _ := f.GetCellValue(CatalogSheet, "G2", excelize.Options{RawCellValue: true}); v != "1.67" {
		t.Errorf("baseline cell %q, want the number 1.67", v)
	}
	props, err := f.GetDocProps()
	if err != nil || props.Creator != "dudao" || props.Title != "评估监测数据导入模板" {
		t.Errorf("doc props %+v, %v", props, err)
	}
	dvs, err := f.GetDataValidations(DataSheet)
	if err != nil || len(dvs) != 2 || dvs[0].Sqref != "A3:A10002" || !strings.Contains(dvs[0].Formula1, "指标目录") {
		t.Errorf("data validations %+v, %v", dvs, err)
	}
}

func ptr(v float64) *float64 { return &v }

// bigCSV and bigXLSX are 10,000-row imports.
func bigCSV() []byte {
	var b bytes.Buffer
	b.WriteString("指标代码,单位代码,年份,数值,备注\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "compulsory_retention_rate,hbw/s%03d,%d,%d.%d,第%d行\n", i%1000, 2015+i%20, 90+i%10, i%10, i)
	}
	return b.Bytes()
}

func bigXLSX(tb testing.TB) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"指标代码", "单位代码", "年份", "数值", "备注"})
	for i := 0; i < 10000; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, []any{"compulsory_retention_rate", fmt.Sprintf("hbw/s%03d", i%1000), 2015 + i%20, 90 + float64(i%100)/10, fmt.Sprintf("第%d行", i)})
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestParse10000Rows parses 10,000-row files and logs the time (no timed assertion: the machine is
// shared; the benchmarks below give the figure).
func TestParse10000Rows(t *testing.T) {
	for name, b := range map[string][]byte{"csv": bigCSV(), "xlsx": bigXLSX(t)} {
		start := time.Now()
		rows, err := ParseObservations(bytes.NewReader(b), "big."+name)
		took := time.Since(start)
		if err != nil || len(rows) != 10000 || rows[9999].Line != 10001 || rows[9999].Note != "第9999行" {
			t.Fatalf("%s: %d rows, %v", name, len(rows), err)
		}
		t.Logf("%s: 10,000 rows (%d KB) parsed in %v", name, len(b)/1024, took)
	}
}

func BenchmarkParseCSV10000(b *testing.B) {
	data := bigCSV()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseObservations(bytes.NewReader(data), "big.csv"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseXLSX10000(b *testing.B) {
	data := bigXLSX(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseObservations(bytes.NewReader(data), "big.xlsx"); err != nil {
			b.Fatal(err)
		}
	}
}
