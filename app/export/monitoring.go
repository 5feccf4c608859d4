package export

import (
	"fmt"
	"time"

	"dudao/domain"
)

// The reports of the plan's monitoring cycle (年度监测, 中期评估, 终期总结): the same tables in PDF and
// Excel.

func fval(v *float64) cell {
	if v == nil {
		return cell{kind: cellEmpty}
	}
	return cell{kind: cellFloat, num: *v}
}

// monitoringSections lays the report out: the status counts per org, every indicator per org in the
// year, and the binding indicators year by year.
func monitoringSections(r domain.MonitoringReport) []section {
	sum := section{title: "一、指标达成情况汇总", sheet: "汇总", columns: []column{{"单位", 3, 24}}}
	for _, st := range domain.AttainmentStatuses {
		sum.columns = append(sum.columns, column{st.Label(), 1, 10})
	}
	for _, c := range r.Counts {
		row := []cell{txt(c.Org.Name)}
		for _, st := range domain.AttainmentStatuses {
			row = append(row, num(c.By[st]))
		}
		sum.rows = append(sum.rows, row)
	}

	ind := section{title: fmt.Sprintf("二、各指标达成情况（%d年）", r.Year), sheet: "指标达成", columns: []column{
		{"指标", 4, 40}, {"单位", 1, 8}, {"属性", 1, 8}, {"地区", 1.6, 14}, {"2020年基线", 1.1, 12}, {fmt.Sprintf("%d年数值", r.Year), 1.1, 12},
		{"进度目标", 1.1, 12}, {"2025年目标", 1.1, 12}, {"状态", 1, 10}, {"差距", 1, 10}, {"示例", 0.7, 6},
	}}
	for _, row := range r.Rows {
		var base *float64
		if b, ok := row.Indicator.BaselineValue(domain.BaselineYear); ok {
			base = &b
		}
		for i, a := range row.Cells {
			gap := cell{kind: cellEmpty}
			if a.ExpectedGap != nil {
				gap = fval(a.ExpectedGap)
			} else if a.TargetGap != nil {
				gap = fval(a.TargetGap)
			}
			sample := ""
			if row.Sample[i] {
				sample = "示例"
			}
			attr := string(row.Indicator.Attribute)
			ind.rows = append(ind.rows, []cell{txt(row.Indicator.NameZh), txt(row.Indicator.Unit), txt(attr), txt(r.Orgs[i].Name),
				fval(base), fval(a.Value), fval(a.Expected), fval(a.Target), txt(a.Status.Label()), gap, txt(sample)})
		}
	}

	bind := section{title: "三、约束性指标进展", sheet: "约束性指标", columns: []column{{"指标", 4, 40}, {"年份", 1, 8}, {"进度目标", 1.2, 12}}}
	for _, o := range r.Orgs {
		bind.columns = append(bind.columns, column{o.Name, 1.4, 14})
	}
	for _, s := range r.Series {
		for k, y := range s.Years {
			row := []cell{txt(s.Indicator.NameZh), num(y), fval(s.Expected[k])}
			for i := range r.Orgs {
				row = append(row, fval(s.Values[i][k]))
			}
			bind.rows = append(bind.rows, row)
		}
	}
	return []section{sum, ind, bind}
}

// MonitoringPDF prints a monitoring report: title, scope and year, the tables, the notes, page numbers.
// font is a single-file TrueType font, or nil for the embedded one.
func MonitoringPDF(r domain.MonitoringReport, font []byte) ([]byte, error) {
	d, err := newDoc("L", font, r.Title+" · 统计日期 "+string(r.Today))
	if err != nil {
		return nil, err
	}
	d.SetTitle(r.Title, true)
	d.AddPage()
	d.SetFont(fontFamily, "", 16)
	for _, l := range d.wrap(r.Title, d.contentWidth()) {
		d.CellFormat(0, 10, l, "", 1, "C", false, 0, "")
	}
	d.SetFont(fontFamily, "", 10)
	d.CellFormat(0, 6, clean(fmt.Sprintf("统计范围：%s及所辖各区    监测年份：%d年    统计日期：%s", r.Scope.Name, r.Year, r.Today)), "", 1, "C", false, 0, "")
	d.Ln(2)
	for _, sec := range monitoringSections(r) {
		d.heading(sec.title, 12, 20)
		d.table(sec)
	}
	d.heading("说明", 12, 20)
	for i, n := range r.Notes {
		d.paragraph(fmt.Sprintf("%d. %s", i+1, n), 9)
	}
	return d.bytes()
}

// MonitoringXLSX writes a monitoring report: a sheet per table and a sheet with its scope, year and
// notes; figures are numbers, the date a date, and the workbook names dudao as its author.
func MonitoringXLSX(r domain.MonitoringReport) ([]byte, error) {
	w, err := newWorkbook()
	if err != nil {
		return nil, fmt.Errorf("export: new workbook: %w", err)
	}
	if err := w.properties(r.Title, "评估监测"+r.Kind.Label(), r.Scope.OfficeName(), r.Today); err != nil {
		w.f.Close()
		return nil, err
	}
	for _, sec := range monitoringSections(r) {
		if err := w.sheet(sec); err != nil {
			w.f.Close()
			return nil, fmt.Errorf("export: sheet %s: %w", sec.sheet, err)
		}
	}
	today, err := time.Parse("2006-01-02", string(r.Today))
	if err != nil {
		w.f.Close()
		return nil, fmt.Errorf("export: report date %q: %w", r.Today, err)
	}
	facts := section{sheet: "说明", columns: []column{{"项目", 1, 16}, {"内容", 4, 100}}, rows: [][]cell{
		{txt("报告"), txt(r.Title)},
		{txt("报告类型"), txt(r.Kind.Label())},
		{txt("统计范围"), txt(r.Scope.Name + "及所辖各区")},
		{txt("监测年份"), num(r.Year)},
		{txt("统计日期"), {kind: cellDate, date: today}},
	}}
	for i, n := range r.Notes {
		facts.rows = append(facts.rows, []cell{txt(fmt.Sprintf("说明%d", i+1)), txt(n)})
	}
	if err := w.sheet(facts); err != nil {
		w.f.Close()
		return nil, fmt.Errorf("export: sheet 说明: %w", err)
	}
	return w.bytes()
}
