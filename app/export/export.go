// Package export renders dudao's reports as documents people download: PDF (the 督导意见书 and the
// accountability report, with a Chinese TrueType font embedded) and Excel (the accountability report
// and the 问题/措施/责任清单 ledger). It turns domain values into bytes and does no other I/O.
package export

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"dudao/domain"
)

// ErrBadFont is returned when the font given for a PDF cannot be used (missing glyph tables, a .ttc
// collection instead of a single TrueType file, …).
var ErrBadFont = errors.New("export: unusable font")

// Content types of the documents.
const (
	ContentTypePDF  = "application/pdf"
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// cellKind says how a cell is written: Excel keeps numbers as numbers and rates as fractions shown in
// percent; PDF prints them all as text.
type cellKind int

const (
	cellText cellKind = iota
	cellInt
	cellRate
	cellEmpty
	cellFloat // a measured value (monitoring): a number in Excel, as short as it reads in print
	cellDate  // a date: a date cell in Excel
)

type cell struct {
	kind cellKind
	text string
	num  float64
	date time.Time
}

func txt(s string) cell { return cell{kind: cellText, text: s} }
func num(n int) cell    { return cell{kind: cellInt, num: float64(n)} }

// date is a civil date: a date cell in Excel (it sorts and filters as a date), YYYY-MM-DD in print; an
// empty or malformed one is an empty cell.
func date(d domain.Date) cell {
	t, err := time.Parse("2006-01-02", string(d))
	if d == "" || err != nil {
		return cell{kind: cellEmpty}
	}
	return cell{kind: cellDate, date: t}
}

// rate is a fraction shown as a percentage, or an empty cell ("—" in print) when there is none.
func rate(r float64, ok bool) cell {
	if !ok {
		return cell{kind: cellEmpty}
	}
	return cell{kind: cellRate, num: r}
}

// String is the cell as printed.
func (c cell) String() string {
	switch c.kind {
	case cellInt:
		return strconv.Itoa(int(c.num))
	case cellRate:
		return FormatRate(c.num)
	case cellEmpty:
		return "—"
	case cellFloat:
		return strconv.FormatFloat(c.num, 'f', -1, 64)
	case cellDate:
		return c.date.Format("2006-01-02")
	}
	return c.text
}

// FormatRate prints a fraction as a percentage with one decimal, e.g. 0.3333 → "33.3%".
func FormatRate(r float64) string { return fmt.Sprintf("%.1f%%", r*100) }

// column is a table column: its Chinese header, its share of the width in print, and its width in Excel.
type column struct {
	header string
	width  float64 // relative width in print
	xlsx   float64 // Excel column width in characters
}

// section is one table of a report: a PDF section with a heading, an Excel sheet.
type section struct {
	title   string // heading in print
	sheet   string // Excel sheet name (≤ 31 characters)
	columns []column
	rows    [][]cell
	total   []cell // an optional closing row (合计)
}

// accountabilitySections lays the report out as tables, the same for PDF and Excel.
func accountabilitySections(r domain.AccountabilityReport) []section {
	orgs := section{title: "一、被督导单位情况", sheet: "单位汇总", columns: []column{
		{"被督导单位", 3.2, 28}, {"签发案件", 1, 10}, {"一般问题", 1, 10}, {"较重问题", 1, 10}, {"重大问题", 1, 10},
		{"问题合计", 1, 10}, {"到期问题", 1, 10}, {"按期整改", 1, 10}, {"按期整改率", 1.2, 12}, {"逾期未改", 1, 10},
		{"最长逾期天数", 1.3, 14}, {"复查未通过", 1.2, 12}, {"问责", 0.9, 8}, {"激励", 0.9, 8},
	}}
	row := func(f domain.ReportOrgFigures) []cell {
		return []cell{txt(f.Org.Name), num(f.CasesIssued), num(f.Findings.Minor), num(f.Findings.Major), num(f.Findings.Critical),
			num(f.Findings.Total()), num(f.DueInPeriod), num(f.RectifiedOnTime), rate(f.OnTimeRate()), num(f.OverdueNow),
			num(f.OldestOverdueDays), num(f.Reopened), num(f.Accountability), num(f.Incentives)}
	}
	for _, f := range r.Orgs {
		orgs.rows = append(orgs.rows, row(f))
	}
	if len(r.Orgs) > 0 {
		orgs.total = row(r.Totals)
	}

	forms := section{title: "二、问责情况（按问责形式）", sheet: "问责形式", columns: []column{
		{"被问责单位", 3, 28}, {"问责对象", 1, 10}, {"问责形式", 2, 18}, {"次数", 1, 8},
	}}
	for _, f := range r.Forms {
		forms.rows = append(forms.rows, []cell{txt(f.Org.Name), txt(f.TargetTypeLabel()), txt(f.FormLabel()), num(f.Count)})
	}

	incentives := section{title: "三、激励情况", sheet: "激励", columns: []column{
		{"受激励单位", 3, 28}, {"激励方式", 2, 14}, {"次数", 1, 8},
	}}
	for _, i := range r.Incentives {
		incentives.rows = append(incentives.rows, []cell{txt(i.Org.Name), txt(i.KindLabel()), num(i.Count)})
	}

	recurring := section{title: "四、反复出现的问题", sheet: "反复问题", columns: []column{
		{"被督导单位", 3, 28}, {"问题类别", 1.5, 12}, {"最早年度", 1, 10}, {"最近年度", 1, 10}, {"出现年数", 1, 10}, {"问题数", 1, 10},
	}}
	for _, p := range r.Recurring {
		recurring.rows = append(recurring.rows, []cell{txt(p.Org.Name), txt(p.Category), num(p.FirstYear), num(p.LastYear), num(p.Years), num(p.Findings)})
	}

	inspectors := section{title: "五、督学履职情况", sheet: "督学履职", columns: []column{
		{"督学", 1.5, 14}, {"所属单位", 2.5, 24}, {"督导次数", 1, 10}, {"应报报告", 1, 10}, {"已签发", 1, 10},
		{"按期签发", 1, 10}, {"按期签发率", 1.2, 12}, {"培训学时", 1, 10}, {"应达学时", 1, 10},
	}}
	for _, i := range r.Inspectors {
		hours, required := cell{kind: cellEmpty}, cell{kind: cellEmpty}
		if i.TrainingHours != nil { // R38: from the registry's training file
			hours, required = num(*i.TrainingHours), num(i.TrainingRequired)
		}
		inspectors.rows = append(inspectors.rows, []cell{txt(i.Name), txt(i.OrgName), num(i.Visits), num(i.ReportsDue), num(i.Issued),
			num(i.IssuedOnTime), rate(i.OnTimeRate()), hours, required})
	}
	return []section{orgs, forms, incentives, recurring, inspectors}
}

// ledgerSections lays the ledger out as its three 清单.
func ledgerSections(l domain.Ledger) []section {
	findings := section{title: "问题清单", sheet: "问题清单", columns: []column{
		{"案件编号", 2, 22}, {"被督导单位", 2, 26}, {"问题", 3, 40}, {"问题类别", 1, 12}, {"严重程度", 1, 10},
		{"状态", 1, 12}, {"整改期限", 1, 12},
	}}
	for _, f := range l.Findings {
		findings.rows = append(findings.rows, []cell{txt(f.CaseNumber), txt(f.Target.Name), txt(f.Title), txt(f.Category),
			txt(f.Severity.Label()), txt(f.Status.Label()), date(f.DueOn)})
	}
	measures := section{title: "措施清单", sheet: "措施清单", columns: []column{
		{"案件编号", 2, 22}, {"问题", 3, 36}, {"整改措施", 4, 50}, {"责任人", 1, 12}, {"责任单位", 2, 24}, {"完成期限", 1, 12},
	}}
	for _, m := range l.Measures {
		measures.rows = append(measures.rows, []cell{txt(m.CaseNumber), txt(m.FindingTitle), txt(m.Description),
			txt(m.ResponsiblePerson), txt(m.ResponsibleUnit), date(m.DueOn)})
	}
	resp := section{title: "责任清单", sheet: "责任清单", columns: []column{
		{"责任单位", 2, 24}, {"责任人", 1, 12}, {"案件编号", 2, 22}, {"问题", 3, 36}, {"问题状态", 1, 12},
		{"措施数", 1, 8}, {"最晚完成期限", 1, 14},
	}}
	for _, r := range l.Responsibilities() {
		resp.rows = append(resp.rows, []cell{txt(r.ResponsibleUnit), txt(r.ResponsiblePerson), txt(r.CaseNumber), txt(r.FindingTitle),
			txt(r.FindingStatus.Label()), num(r.Measures), date(r.LatestDue)})
	}
	return []section{findings, measures, resp}
}

// Table is a section of a report as printed text, for a web page to show what the PDF and the
// workbook hold.
type Table struct {
	Title   string
	Headers []string
	Numeric []bool // per column: right-aligned figures
	Rows    [][]string
	Total   []string // nil when the table has no 合计 row
}

// AccountabilityTables lays the report out as the same tables as its PDF and workbook.
func AccountabilityTables(r domain.AccountabilityReport) []Table {
	secs := accountabilitySections(r)
	out := make([]Table, len(secs))
	for i, s := range secs {
		t := Table{Title: s.title, Headers: make([]string, len(s.columns)), Numeric: make([]bool, len(s.columns))}
		for j, c := range s.columns {
			t.Headers[j] = c.header
		}
		printed := func(cells []cell) []string {
			row := make([]string, len(cells))
			for j, c := range cells {
				row[j] = c.String()
				if c.kind != cellText {
					t.Numeric[j] = true
				}
			}
			return row
		}
		for _, r := range s.rows {
			t.Rows = append(t.Rows, printed(r))
		}
		if s.total != nil {
			t.Total = printed(s.total)
			t.Total[0] = "合计"
		}
		out[i] = t
	}
	return out
}
