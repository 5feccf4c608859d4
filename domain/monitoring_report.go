package domain

import (
	"fmt"
	"slices"
)

// The plan's monitoring cycle (规划年度监测、中期评估和终期总结, lines 2205–2207 and 3229): every
// indicator of the catalog for an org and the districts under it, in one year, against the 2025
// target and the trajectory from the 2020 baseline; the binding indicators' course year by year.

// MonitoringReportKind is which report of the cycle.
type MonitoringReportKind string

const (
	ReportAnnual  MonitoringReportKind = "annual"  // 年度监测报告
	ReportMidterm MonitoringReportKind = "midterm" // 中期评估报告
	ReportFinal   MonitoringReportKind = "final"   // 终期总结报告
)

// MonitoringReportKinds lists the kinds in the cycle's order.
var MonitoringReportKinds = []MonitoringReportKind{ReportAnnual, ReportMidterm, ReportFinal}

// MidtermYear is the year of the mid-term evaluation. The plan does not state it (it says only
// "中期评估"); 2023 is the middle of 2021–2025.
const MidtermYear = 2023

// Valid reports whether k is a known kind.
func (k MonitoringReportKind) Valid() bool { return slices.Contains(MonitoringReportKinds, k) }

// Label is the Chinese name of k.
func (k MonitoringReportKind) Label() string {
	switch k {
	case ReportAnnual:
		return "年度监测报告"
	case ReportMidterm:
		return "中期评估报告"
	case ReportFinal:
		return "终期总结报告"
	}
	return string(k)
}

// ReportYear is the year a report of kind k covers: the mid-term and final reports have theirs; an
// annual one covers the year asked for (0: last year as of today), within the plan period and the
// years observations may have.
func (k MonitoringReportKind) ReportYear(asked int, today Date) (int, error) {
	switch k {
	case ReportMidterm:
		return MidtermYear, nil
	case ReportFinal:
		return TargetYear, nil
	case ReportAnnual:
		if asked == 0 {
			asked = min(max(today.Time().Year()-1, BaselineYear+1), ObservationMaxYear)
		}
		if asked <= BaselineYear || asked > ObservationMaxYear {
			return 0, FieldError("查询条件有误。", map[string]string{"year": fmt.Sprintf("年度监测的年份应在%d至%d之间。", BaselineYear+1, ObservationMaxYear)})
		}
		return asked, nil
	}
	return 0, FieldError("查询条件有误。", map[string]string{"kind": "报告类型应为年度监测（annual）、中期评估（midterm）或终期总结（final）。"})
}

// MonitoringReport is one report of the cycle.
type MonitoringReport struct {
	Kind   MonitoringReportKind
	Title  string
	Year   int
	Scope  Org
	Orgs   []Org // the columns: the scope first, then the districts under it
	Today  Date
	Rows   []MonitoringRow
	Counts []StatusCount // per org, in Orgs order
	Series []IndicatorSeries
	Sample bool // some values shown are 示例 (demonstration data)
	Notes  []string
}

// MonitoringRow is one indicator of the report: its attainment per org in the report's year.
type MonitoringRow struct {
	Indicator Indicator
	Cells     []Attainment // per org, in Orgs order
	Sample    []bool       // per org: the value is 示例
}

// StatusCount counts one org's indicators by status.
type StatusCount struct {
	Org Org
	By  map[AttainmentStatus]int
}

// IndicatorSeries is an indicator's course from the baseline to the report's year: the value of each
// org by year, and where the trajectory stood.
type IndicatorSeries struct {
	Indicator Indicator
	Years     []int
	Expected  []*float64
	Values    [][]*float64 // per org (Orgs order), per year
}

// BuildMonitoringReport assesses obs (the orgs' observations from the baseline to year) for the
// report. Rows are the indicators with a 2025 target or with a value in the span, in catalog order;
// series are drawn for the binding (约束性) indicators, the ones the plan holds the city to.
func BuildMonitoringReport(cat *IndicatorCatalog, kind MonitoringReportKind, year int, scope Org, orgs []Org, obs []Observation, today Date) MonitoringReport {
	r := MonitoringReport{Kind: kind, Year: year, Scope: scope, Orgs: orgs, Today: today}
	r.Title = fmt.Sprintf("%s“十四五”教育事业发展规划%d年%s", scope.Name, year, kind.Label())
	if kind == ReportAnnual {
		r.Title = fmt.Sprintf("%s“十四五”教育事业发展规划%d年度监测报告", scope.Name, year)
	}
	type key struct {
		code string
		org  int64
		year int
	}
	values := map[key]Observation{}
	has := map[string]bool{}
	for _, o := range obs {
		if o.Year > year {
			continue
		}
		values[key{o.IndicatorCode, o.Org.ID, o.Year}] = o
		has[o.IndicatorCode] = true
	}
	r.Counts = make([]StatusCount, len(orgs))
	for i, o := range orgs {
		r.Counts[i] = StatusCount{Org: o, By: map[AttainmentStatus]int{}}
	}
	for _, ind := range cat.All() {
		if ind.Target2025 == nil && !has[ind.Code] {
			continue
		}
		row := MonitoringRow{Indicator: ind, Cells: make([]Attainment, len(orgs)), Sample: make([]bool, len(orgs))}
		for i, org := range orgs {
			var v *float64
			if o, ok := values[key{ind.Code, org.ID, year}]; ok {
				x := o.Value
				v = &x
				row.Sample[i] = o.Sample
				r.Sample = r.Sample || o.Sample
			}
			row.Cells[i] = ind.Assess(org, year, v)
			r.Counts[i].By[row.Cells[i].Status]++
		}
		r.Rows = append(r.Rows, row)
		if !ind.Binding() {
			continue
		}
		s := IndicatorSeries{Indicator: ind, Values: make([][]*float64, len(orgs))}
		for y := BaselineYear; y <= year; y++ {
			s.Years = append(s.Years, y)
			var e *float64
			if x, ok := ind.Expected(y); ok {
				x = roundGap(x)
				e = &x
			}
			s.Expected = append(s.Expected, e)
			for i, org := range orgs {
				var v *float64
				if o, ok := values[key{ind.Code, org.ID, y}]; ok {
					x := o.Value
					v = &x
				}
				s.Values[i] = append(s.Values[i], v)
			}
		}
		r.Series = append(r.Series, s)
	}
	r.Notes = []string{
		fmt.Sprintf("按进度目标：以%d年基线为起点、%d年目标为终点的直线进度（规划给出阶段目标的，以阶段目标为准）；%d年及以后为%d年目标本身。", BaselineYear, TargetYear, TargetYear, TargetYear),
		"已达标：达到或优于2025年目标；按进度：尚未达标但达到或优于当年进度目标；滞后：未达到当年进度目标；未达标：无基线可计算进度且未达到目标；无数据：当年未填报；无目标：规划未给出2025年目标。",
		"约束性指标滞后于进度的，系统向上级督导部门提出评估监测立案建议。",
	}
	if kind == ReportMidterm {
		r.Notes = append(r.Notes, fmt.Sprintf("规划未写明中期评估的年份，本报告取规划期（2021—2025年）的中间年份%d年。", MidtermYear))
	}
	if r.Sample {
		r.Notes = append(r.Notes, "标注“示例”的数值为演示数据，不是规划所载或实际填报的数据。")
	}
	return r
}
