package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"image/color"
	"math"

	"dudao/app"
	"dudao/domain"
)

// The demo's frameworks, monitoring data and 督办 ledger, built through the use cases as the demo users:
//   - the shipped frameworks (the eight standing matters of 责任督学, R25, and the 督政 framework),
//     created and published by the city's director;
//   - the plan's own figures for the city (表1, 表2: the 2015 and 2020 baselines), entered by the system
//     with the plan as their source, and values for 2020–2025 of the city and its three districts for
//     the indicators below, entered by the monitor and marked 示例, so that every chart has content: one
//     district (乌达区) lags on the binding 九年义务教育巩固率 in 2022 and 2023, which proposes two
//     评估监测 cases; the others keep pace or run ahead;
//   - the ledger of ledger.json: the plan's 15 projects and 31 dated tasks assigned by the city's
//     director, with their demo steps replayed as the users who take them.

// demoSeries is the binding indicator's course, written down: 2021–2025 against the trajectory
// 95.4, 95.8, 96.2, 96.6, 97 from the plan's 2020 baseline of 95 to its 2025 target of 97.
var demoSeries = map[string]map[domain.Jurisdiction][]float64{
	"compulsory_retention_rate": {
		"wuhai/":     {0, 95.5, 95.8, 96.3, 96.7, 97.1}, // 2020 is the plan's own figure
		"wuhai/hbw/": {95.6, 96.0, 96.3, 96.6, 96.9, 97.3},
		"wuhai/wd/":  {95.0, 95.4, 95.6, 96.0, 96.7, 97.0}, // behind in 2022 (95.8) and 2023 (96.2)
		"wuhai/hn/":  {95.2, 95.5, 95.9, 96.3, 96.7, 97.2},
	},
}

// demoIndicator is an indicator the demo fills: its assumed 2020 level where the plan states none, and
// whether the districts report it (the high schools are the city's).
type demoIndicator struct {
	code      string
	start     float64 // the 2020 level assumed for the demo when the plan gives no baseline
	districts bool
}

var demoIndicators = []demoIndicator{
	{"preschool_gross_enrolment_rate", 0, true},
	{"inclusive_kindergarten_coverage", 93.5, true},
	{"public_kindergarten_enrolment_share", 52, true},
	{"quality_public_kindergarten_share", 12, true},
	{"kindergarten_teacher_bachelor_share", 72, true},
	{"compulsory_teacher_bachelor_ratio", 0, true},
	{"private_compulsory_enrolment_share", 13, true},
	{"upper_secondary_gross_enrolment_rate", 0, false},
	{"student_fitness_pass_rate", 86, true},
	{"student_fitness_good_excellent_rate", 22, true},
	{"schools_with_sports_brand_share", 70, true},
	{"common_language_popularisation_rate", 84, true},
	{"teachers_with_psych_counselling_competence", 12, true},
	{"high_school_per_student_public_funds", 820, false},
	{"digital_terminal_annual_renewal_rate", 15, false},
}

// demoPace is how fast each org moves toward the targets: 海勃湾区 ahead, 乌达区 behind.
var demoPace = map[domain.Jurisdiction]float64{"wuhai/": 1, "wuhai/hbw/": 1.15, "wuhai/wd/": 0.8, "wuhai/hn/": 1}

// demoValue is the 示例 value of an indicator for an org in a year: from its 2020 level toward the
// target at the org's pace and an indicator's own (0.9–1.11, from its code), rounded as the unit is
// reported; a percentage never passes 100.
func demoValue(ind domain.Indicator, start float64, org domain.Jurisdiction, year int) float64 {
	h := fnv.New32a()
	h.Write([]byte(ind.Code))
	pace := demoPace[org] * (0.9 + float64(h.Sum32()%4)*0.07)
	if org != "wuhai/" {
		start += (*ind.Target2025 - start) * map[domain.Jurisdiction]float64{"wuhai/hbw/": 0.15, "wuhai/wd/": -0.2, "wuhai/hn/": 0}[org]
	}
	v := start + (*ind.Target2025-start)*pace*float64(year-domain.BaselineYear)/5
	if ind.Direction == domain.LowerIsBetter && start <= *ind.Target2025 { // within its cap already: keeps falling a little
		v = start - 0.2*pace*float64(year-domain.BaselineYear)
	}
	if ind.Percent() {
		v = math.Min(v, 100)
	}
	if ind.Unit == "元/生/年" {
		return math.Round(v)
	}
	return math.Round(v*10) / 10
}

// loadMonitoring loads the demo's frameworks, monitoring data and ledger.
func loadMonitoring(ctx context.Context, x *app.App) error {
	s := &caseScript{ctx: ctx, x: x, actors: map[string]domain.Actor{}}
	director, monitor := s.actor("city.director"), s.actor("monitor")
	if s.err != nil {
		return s.err
	}

	if _, err := x.PublishShipped(ctx, director); err != nil {
		return fmt.Errorf("demo: frameworks: %w", err)
	}
	cat := x.Catalog()
	if cat == nil {
		return fmt.Errorf("demo: no indicator catalog")
	}
	city := s.org("wuhai/")
	orgs := []domain.Org{city, s.org("wuhai/hbw/"), s.org("wuhai/wd/"), s.org("wuhai/hn/")}
	if s.err != nil {
		return s.err
	}
	planned := map[string]bool{}
	for _, o := range cat.PlanObservations(city, x.Now()) {
		planned[fmt.Sprintf("%s|%d", o.IndicatorCode, o.Year)] = true
		if _, _, err := x.RecordObservation(ctx, app.System, app.ObservationInput{IndicatorCode: o.IndicatorCode, OrgID: city.ID, Year: o.Year,
			Value: o.Value, Source: o.Source}); err != nil {
			return fmt.Errorf("demo: plan figure %s %d: %w", o.IndicatorCode, o.Year, err)
		}
	}
	record := func(code string, org domain.Org, year int, v float64) error {
		if org.ID == city.ID && planned[fmt.Sprintf("%s|%d", code, year)] {
			return nil // the plan's own figure stands
		}
		_, _, err := x.RecordObservation(ctx, monitor, app.ObservationInput{IndicatorCode: code, OrgID: org.ID, Year: year, Value: v,
			Source: "示例数据", Sample: true})
		if err != nil {
			return fmt.Errorf("demo: %s %s %d: %w", code, org.Path, year, err)
		}
		return nil
	}
	for code, byOrg := range demoSeries {
		for _, org := range orgs {
			for i, v := range byOrg[org.Path] {
				if v != 0 {
					if err := record(code, org, domain.BaselineYear+i, v); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, d := range demoIndicators {
		ind, ok := cat.Get(d.code)
		if !ok || ind.Target2025 == nil {
			return fmt.Errorf("demo: indicator %s has no 2025 target", d.code)
		}
		start := d.start
		if b, ok := ind.BaselineValue(domain.BaselineYear); ok {
			start = b
		}
		for _, org := range orgs {
			if org.ID != city.ID && !d.districts {
				continue
			}
			for y := domain.BaselineYear; y <= domain.TargetYear; y++ {
				if err := record(d.code, org, y, demoValue(ind, start, org.Path, y)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// loadMonitoringCase schedules the director's handling of the cases the monitoring data proposes:
// 乌达区's first year behind on a binding indicator is taken up as a 评估监测 case (announced, inspected,
// rectified and rechecked); the later year's proposal still waits for the director.
func loadMonitoringCase(s *story) {
	const sup, sup2, dir = "city.supervisor", "city.supervisor2", "city.director"
	team := []string{sup, "city.supervisor3", "city.supervisor4"}
	mc := &demoCase{}
	visit := s.cal.NextWorkingDay(s.day(monitoringDay - 5).AddDays(31))
	s.on(monitoringDay-5, func() {
		if s.err != nil {
			return
		}
		list, _, err := s.x.ListProposals(s.ctx, s.actor(dir), domain.CaseProposalFilter{Status: domain.ProposalOpen, PerPage: 20})
		if err != nil || len(list) < 2 {
			s.err = fmt.Errorf("demo: monitoring proposals: %d, %v", len(list), err)
			return
		}
		first := list[0].Proposal
		for _, v := range list[1:] {
			if v.Proposal.Year < first.Year {
				first = v.Proposal
			}
		}
		var ids []int64
		for _, u := range team {
			ids = append(ids, s.actor(u).UserID)
		}
		_, c, err := s.x.AcceptProposal(s.ctx, s.actor(dir), first.ID, app.AcceptInput{InspectorIDs: ids})
		if err != nil {
			s.err = fmt.Errorf("demo: accept proposal %d: %w", first.ID, err)
			return
		}
		mc.id = c.ID
		s.cases++
		s.notice(sup, mc.id, visit, "九年义务教育巩固率低于规划进度的原因和控辍保学工作落实情况。", "控辍保学工作台账、学籍变动记录。")
	})
	s.at(visit, func() {
		s.act(sup, mc.id, domain.ActStart, app.ActInput{})
		mc.find(s.caseScript, sup, domain.SeverityMajor, "其他", "控辍保学台账更新不及时", "部分转学学生去向未核实，学籍变动记录滞后。")
		s.act(sup, mc.id, domain.ActSubmitPreliminary, app.ActInput{})
		s.act("wd.office", mc.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, mc.id, domain.ActSubmitForReview, app.ActInput{})
	})
	s.at(s.cal.NextWorkingDay(visit.AddDays(3)), func() { s.act(dir, mc.id, domain.ActIssue, app.ActInput{}) })
	s.at(s.cal.NextWorkingDay(visit.AddDays(20)), func() {
		s.rectify("wd.office", mc.id, mc.f[0], "逐人核实转学学生去向，建立学籍变动月报制度。", "区教育局基础教育股", color.RGBA{150, 110, 200, 255})
		s.act("wd.office", mc.id, domain.ActSubmitRectification, app.ActInput{})
	})
	s.at(s.cal.NextWorkingDay(visit.AddDays(26)), func() {
		s.recheck(sup2, mc.id, domain.RecheckResult{FindingID: mc.f[0], Passed: true, Comment: "台账已逐人核实，月报制度已建立。"})
	})
}

// loadLedger assigns the demo ledger's tasks as the city's director and replays their steps.
func loadLedger(ctx context.Context, x *app.App, s *caseScript) error {
	l, err := DemoLedger()
	if err != nil {
		return err
	}
	owner := s.actor("city.director")
	if owner.Org.Path != l.Owner {
		return fmt.Errorf("demo: the ledger's office is %s, city.director sits at %s", l.Owner, owner.Org.Path)
	}
	for _, lt := range l.Tasks {
		target := s.org(string(lt.Target))
		if s.err != nil {
			return s.err
		}
		in := lt.Input
		v, err := x.CreateTask(ctx, owner, app.TaskInput{Title: in.Title, Description: in.Description, Source: in.Source, TargetOrgID: target.ID,
			DueOn: in.DueOn, DueText: in.DueText, Public: in.Public, Sample: in.Sample})
		if err != nil {
			return fmt.Errorf("demo: task %s: %w", in.Title, err)
		}
		for _, st := range lt.Steps {
			by := s.actor(st.By)
			if s.err != nil {
				return s.err
			}
			if _, err := x.ActTask(ctx, by, v.Task.ID, st.Action, app.TaskActInput{Period: st.Period, Text: st.Text, Percent: st.Percent,
				Comment: st.Comment}); err != nil {
				return fmt.Errorf("demo: task %s: %s by %s: %w", in.Title, st.Action, st.By, err)
			}
		}
	}
	return nil
}
