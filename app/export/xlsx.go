package export

import (
	"bytes"
	"fmt"
	"time"

	"github.com/xuri/excelize/v2" // v2.11.1

	"dudao/domain"
)

// workbook writes sections as sheets with the stream writer, so a region-wide ledger of hundreds of
// thousands of rows does not have to sit in memory as cell objects.
type workbook struct {
	f                     *excelize.File
	header, rate, totalSt int
	dateSt                int
	first                 bool
}

func newWorkbook() (*workbook, error) {
	f := excelize.NewFile()
	w := &workbook{f: f, first: true}
	var err error
	if w.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E6E9EE"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	}); err != nil {
		return nil, err
	}
	pct := "0.0%"
	if w.rate, err = f.NewStyle(&excelize.Style{CustomNumFmt: &pct}); err != nil {
		return nil, err
	}
	if w.totalSt, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	ymd := "yyyy-mm-dd"
	if w.dateSt, err = f.NewStyle(&excelize.Style{CustomNumFmt: &ymd}); err != nil {
		return nil, err
	}
	return w, nil
}

// sheet writes one section: the header row in Chinese, then its rows; numbers stay numbers and rates
// are fractions formatted as percentages.
func (w *workbook) sheet(sec section) error {
	name := sec.sheet
	if w.first {
		if err := w.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
		w.first = false
	} else if _, err := w.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, c := range sec.columns {
		if c.xlsx > 0 {
			if err := sw.SetColWidth(i+1, i+1, c.xlsx); err != nil {
				return err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(sec.columns))
	for i, c := range sec.columns {
		head[i] = excelize.Cell{StyleID: w.header, Value: c.header}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	n := 1
	write := func(cells []cell, style int) error {
		n++
		vals := make([]any, len(cells))
		for i, c := range cells {
			v := excelize.Cell{StyleID: style}
			switch c.kind {
			case cellInt:
				v.Value = int(c.num)
			case cellRate:
				v.Value = c.num
				v.StyleID = w.rate
			case cellEmpty:
				v.Value = nil
			case cellFloat:
				v.Value = c.num
			case cellDate:
				v.Value = c.date
				v.StyleID = w.dateSt
			default:
				v.Value = c.text
			}
			vals[i] = v
		}
		ref, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, vals)
	}
	for _, r := range sec.rows {
		if err := write(r, 0); err != nil {
			return err
		}
	}
	if sec.total != nil {
		t := append([]cell{}, sec.total...)
		t[0] = txt("合计")
		if err := write(t, w.totalSt); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// Author is how a workbook names the program that wrote it.
const Author = "dudao 教育督导管理系统"

// properties name the workbook's author (dudao) and the office it was made for, in place of the
// spreadsheet library's defaults, with its title, subject and the day it was made (the report's date;
// the library would say 2006).
func (w *workbook) properties(title, subject, office string, made domain.Date) error {
	if office == "" {
		office = "dudao"
	}
	var when string
	if t, err := time.ParseInLocation("2006-01-02", string(made), domain.CST); err == nil {
		when = t.UTC().Format(time.RFC3339)
	}
	if err := w.f.SetDocProps(&excelize.DocProperties{Creator: Author, LastModifiedBy: Author, Title: title, Subject: subject,
		Description: office + "，由 dudao 教育督导管理系统生成", Keywords: "dudao," + subject, Category: subject, Language: "zh-CN",
		Created: when, Modified: when}); err != nil {
		return fmt.Errorf("export: properties: %w", err)
	}
	if err := w.f.SetAppProps(&excelize.AppProperties{Application: "dudao", Company: office}); err != nil {
		return fmt.Errorf("export: properties: %w", err)
	}
	return nil
}

func (w *workbook) bytes() ([]byte, error) {
	defer w.f.Close()
	var buf bytes.Buffer
	if err := w.f.Write(&buf); err != nil {
		return nil, fmt.Errorf("export: write xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// keyValueSheet writes a two-column sheet (项目, 内容) of report facts.
func (w *workbook) keyValueSheet(name string, rows [][2]string) error {
	sec := section{sheet: name, columns: []column{{"项目", 1, 16}, {"内容", 4, 100}}}
	for _, r := range rows {
		sec.rows = append(sec.rows, []cell{txt(r[0]), txt(r[1])})
	}
	return w.sheet(sec)
}

// AccountabilityXLSX writes the accountability report with one sheet per section and a closing sheet
// with its scope, period and the rules of each figure.
func AccountabilityXLSX(r domain.AccountabilityReport) ([]byte, error) {
	w, err := newWorkbook()
	if err != nil {
		return nil, fmt.Errorf("export: new workbook: %w", err)
	}
	if err := w.properties("教育督导问责情况报告（"+r.Scope.Name+"，"+string(r.From)+"至"+string(r.To)+"）", "教育督导问责情况报告", r.Office, r.Today); err != nil {
		w.f.Close()
		return nil, err
	}
	for _, sec := range accountabilitySections(r) {
		if err := w.sheet(sec); err != nil {
			w.f.Close()
			return nil, fmt.Errorf("export: sheet %s: %w", sec.sheet, err)
		}
	}
	facts := [][2]string{
		{"报告", "教育督导问责情况报告"},
		{"统计范围", r.Scope.Name + "（含所辖单位）"},
		{"统计期间", string(r.From) + " 至 " + string(r.To)},
		{"统计日期", string(r.Today)},
	}
	for i, d := range append(ReportDefinitions(), r.Notes...) {
		facts = append(facts, [2]string{fmt.Sprintf("说明%d", i+1), d})
	}
	if err := w.keyValueSheet("说明", facts); err != nil {
		w.f.Close()
		return nil, fmt.Errorf("export: sheet 说明: %w", err)
	}
	return w.bytes()
}

// LedgerXLSX writes the 问题清单, 措施清单 and 责任清单 as three sheets.
func LedgerXLSX(l domain.Ledger) ([]byte, error) {
	w, err := newWorkbook()
	if err != nil {
		return nil, fmt.Errorf("export: new workbook: %w", err)
	}
	if err := w.properties("督导台账（"+l.Scope.Name+"，"+string(l.From)+"至"+string(l.To)+"）", "督导台账", l.Office, l.Today); err != nil {
		w.f.Close()
		return nil, err
	}
	for _, sec := range ledgerSections(l) {
		if err := w.sheet(sec); err != nil {
			w.f.Close()
			return nil, fmt.Errorf("export: sheet %s: %w", sec.sheet, err)
		}
	}
	return w.bytes()
}
