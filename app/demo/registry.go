package demo

import (
	"context"
	"fmt"

	"dudao/app"
	"dudao/domain"
)

// The demo's inspector registry, 挂牌, draws and plan, built through the use cases as the demo users:
// the city's and 海勃湾区's 督学名录库 (the demo supervisors, and generated 兼职督学 marked 示例), a 责任督学
// for every school but two of 海南区 (so that coverage has something to show), a completed 双随机 draw
// with two witnesses that opened its planned cases, one still taking witnesses, and the plans.

// partTimer is a generated 兼职督学: an account at the office's org with the supervisor grant there,
// working at a school (which they must recuse from).
type partTimer struct {
	username, name, office, unit, code string
}

var partTimers = []partTimer{
	{"wd.pt1", "兼职督学 赵丽（示例）", "wuhai/", "wuhai/wd/s003/", "wh-jz-001"},
	{"wd.pt2", "兼职督学 钱峰（示例）", "wuhai/", "wuhai/wd/s006/", "wh-jz-002"},
	{"hn.pt1", "兼职督学 孙悦（示例）", "wuhai/", "wuhai/hn/s003/", "wh-jz-003"},
	{"hn.pt2", "兼职督学 周凯（示例）", "wuhai/", "wuhai/hn/s006/", "wh-jz-004"},
	{"hbw.pt1", "兼职督学 吴静（示例）", "wuhai/hbw/", "wuhai/hbw/s003/", "hbw-jz-001"},
	{"hbw.pt2", "兼职督学 郑涛（示例）", "wuhai/hbw/", "wuhai/hbw/s006/", "hbw-jz-002"},
	{"hbw.pt3", "兼职督学 冯敏（示例）", "wuhai/hbw/", "wuhai/hbw/s008/", "hbw-jz-003"},
}

// regScript builds the registry part of the demo; the first error stops it.
type regScript struct {
	*caseScript
	today domain.Date
	ids   map[string]int64 // inspector profile id by username
}

func (s *regScript) date(days int) domain.Date { return s.today.AddDays(days) }

// termUntil is the last day of a 3-year term from from (R6).
func termUntil(from domain.Date) domain.Date { return domain.DateOf(from.Time().AddDate(3, 0, -1)) }

// enter puts username in the registry of the director's office, appointed with terms.
func (s *regScript) enter(director, username, code, unit string, kind domain.InspectorKind, cert string, terms []domain.Term) {
	if s.err != nil {
		return
	}
	v, err := s.x.RecommendInspector(s.ctx, s.actor(director), app.InspectorInput{UserID: s.actor(username).UserID, Code: code,
		UnitOrgID: s.org(unit).ID, Kind: kind, CertNo: cert, Terms: terms, Recommendation: "演示数据：系统启用前已聘任。"})
	if err != nil {
		s.err = fmt.Errorf("demo: inspector %s: %w", username, err)
		return
	}
	s.ids[username] = v.Inspector.ID
}

func (s *regScript) train(by, username string, year, hours int, course string) {
	if s.err != nil {
		return
	}
	if _, _, err := s.x.AddTraining(s.ctx, s.actor(by), s.ids[username], domain.TrainingInput{Year: year, Hours: hours, Course: course, Provider: "乌海市教育局"}); err != nil {
		s.err = fmt.Errorf("demo: training of %s: %w", username, err)
	}
}

// assign names username the 责任督学 of each school, from 90 days ago.
func (s *regScript) assign(director, username, phone string, schools ...string) {
	for _, path := range schools {
		if s.err != nil {
			return
		}
		_, err := s.x.CreateAssignment(s.ctx, s.actor(director), s.org(path).ID,
			app.PostingInput{InspectorID: s.ids[username], Posting: domain.PostingInput{From: s.date(-90), Phone: phone}})
		if err != nil {
			s.err = fmt.Errorf("demo: 挂牌 %s at %s: %w", username, path, err)
		}
	}
}

func (s *regScript) drawStep(username string, id int64, act domain.DrawAction, p domain.DrawActParams) app.DrawView {
	if s.err != nil {
		return app.DrawView{}
	}
	v, err := s.x.ActDraw(s.ctx, s.actor(username), id, act, app.DrawActInput{DrawActParams: p})
	if err != nil {
		s.err = fmt.Errorf("demo: draw %d %s: %w", id, act, err)
	}
	return v
}

func (s *regScript) planItem(username string, id int64, target string, t domain.CaseType, k domain.CaseKind, year, quarter, month int, note string) {
	if s.err != nil {
		return
	}
	_, _, err := s.x.AddPlanItem(s.ctx, s.actor(username), id, app.PlanItemInput{TargetOrgID: s.org(target).ID, Type: t, Kind: k, Year: year,
		Quarter: quarter, Month: month, Note: note})
	if err != nil {
		s.err = fmt.Errorf("demo: plan item %s: %w", target, err)
	}
}

// loadRegistry builds the registry part of the demo and says how many cases its draw opened.
func loadRegistry(ctx context.Context, x *app.App) (int, error) {
	s := &regScript{caseScript: &caseScript{ctx: ctx, x: x, actors: map[string]domain.Actor{}}, today: x.Today(), ids: map[string]int64{}}
	const cityDir, hbwDir = "city.director", "hbw.director"
	for _, p := range partTimers {
		if _, err := x.CreateUser(ctx, app.System, app.UserInput{Username: p.username, Name: p.name, Password: Password, OrgPath: domain.Jurisdiction(p.office)}); err != nil {
			return 0, fmt.Errorf("demo: user %s: %w", p.username, err)
		}
		if _, err := x.GrantRole(ctx, app.System, p.username, domain.RoleSupervisor, domain.Jurisdiction(p.office)); err != nil {
			return 0, fmt.Errorf("demo: grant %s: %w", p.username, err)
		}
	}

	// 督学名录库: the full-time supervisors since before the system, the part-timers in their terms (R6).
	s.enter(cityDir, "city.supervisor", "wh-zz-001", "wuhai/", domain.FullTime, "WHDX-2023-001", []domain.Term{{From: s.date(-1100)}})
	s.enter(cityDir, "city.supervisor2", "wh-zz-002", "wuhai/", domain.FullTime, "WHDX-2024-002", []domain.Term{{From: s.date(-700)}})
	s.enter(hbwDir, "hbw.supervisor", "hbw-zz-001", "wuhai/hbw/", domain.FullTime, "HBWDX-2023-001", []domain.Term{{From: s.date(-1000)}})
	one := func(from domain.Date) []domain.Term { return []domain.Term{{From: from, Until: termUntil(from)}} }
	for _, p := range partTimers[:6] {
		director := cityDir
		if p.office == "wuhai/hbw/" {
			director = hbwDir
		}
		terms := one(s.date(-400))
		if p.username == "hn.pt2" { // in the last year of a third term in a row: coverage warns, no renewal (R6)
			t3 := s.date(30).Time().AddDate(-3, 0, 0)
			from3 := domain.DateOf(t3)
			from2 := domain.DateOf(t3.AddDate(-3, 0, 0))
			from1 := domain.DateOf(t3.AddDate(-6, 0, 0))
			terms = []domain.Term{{From: from1, Until: termUntil(from1)}, {From: from2, Until: termUntil(from2)}, {From: from3, Until: termUntil(from3)}}
		}
		s.enter(director, p.username, p.code, p.unit, domain.PartTime, "DX-"+p.code, terms)
	}
	// A recommendation going through 推荐 → 审核 → 公示 (R33).
	if s.err == nil {
		p := partTimers[6]
		v, err := x.RecommendInspector(ctx, s.actor("hbw.supervisor"), app.InspectorInput{UserID: s.actor(p.username).UserID, Code: p.code,
			UnitOrgID: s.org(p.unit).ID, Kind: domain.PartTime, Recommendation: "从事小学教学管理工作二十年，熟悉校园安全和课后服务工作。"})
		if err == nil {
			_, err = x.ActInspector(ctx, s.actor(hbwDir), v.Inspector.ID, domain.InspApprove, app.InspActInput{Note: "符合《督学管理暂行办法》任职条件。"})
		}
		if err == nil {
			_, err = x.ActInspector(ctx, s.actor(hbwDir), v.Inspector.ID, domain.InspPublicize, app.InspActInput{})
		}
		if err != nil {
			s.err = fmt.Errorf("demo: recommendation: %w", err)
		}
	}

	// The training file (R38): most above 40 学时 this year, two short of it.
	year := s.today.Time().Year()
	for _, t := range []struct {
		by, user string
		hours    int
	}{{cityDir, "city.supervisor", 48}, {cityDir, "city.supervisor2", 40}, {hbwDir, "hbw.supervisor", 42}, {cityDir, "wd.pt1", 40},
		{cityDir, "wd.pt2", 24}, {cityDir, "hn.pt1", 44}, {cityDir, "hn.pt2", 40}, {hbwDir, "hbw.pt1", 40}, {hbwDir, "hbw.pt2", 16}} {
		s.train(t.by, t.user, year, t.hours, "责任督学挂牌督导业务培训")
		s.train(t.by, t.user, year-1, 40, "年度督学集中培训")
	}
	// Declared conflicts (R14, R17): a close relative heads a school; a former post.
	if s.err == nil {
		if _, _, err := x.DeclareConflict(ctx, s.actor("hbw.supervisor"), s.ids["hbw.pt1"], s.org("wuhai/hbw/s004/").ID, "近亲属任该校校长"); err != nil {
			s.err = fmt.Errorf("demo: conflict: %w", err)
		}
		if _, _, err := x.DeclareConflict(ctx, s.actor("city.supervisor"), s.ids["city.supervisor2"], s.org("wuhai/yz/").ID, "曾在该校任职，离任未满三年"); err != nil && s.err == nil {
			s.err = fmt.Errorf("demo: conflict: %w", err)
		}
	}

	// 挂牌 (R21): about five schools each; 海南区's s006 and s010 are left without, for coverage.
	s.assign(cityDir, "city.supervisor", "0473-3101001", "wuhai/yz/", "wuhai/lz/", "wuhai/sz/", "wuhai/zjx/", "wuhai/zyxy/")
	s.assign(cityDir, "city.supervisor2", "0473-3101002", "wuhai/mzxx/", "wuhai/wd/ycxx/", "wuhai/wd/s001/", "wuhai/wd/s002/", "wuhai/wd/s004/")
	s.assign(cityDir, "wd.pt1", "13904730001", "wuhai/wd/s005/", "wuhai/wd/s006/", "wuhai/wd/s007/", "wuhai/wd/s008/", "wuhai/wd/s009/")
	s.assign(cityDir, "wd.pt2", "13904730002", "wuhai/wd/s003/", "wuhai/wd/s010/")
	s.assign(cityDir, "hn.pt1", "13904730003", "wuhai/hn/esy/", "wuhai/hn/s001/", "wuhai/hn/s002/", "wuhai/hn/s004/", "wuhai/hn/s005/")
	s.assign(cityDir, "hn.pt2", "13904730004", "wuhai/hn/s003/", "wuhai/hn/s007/", "wuhai/hn/s008/", "wuhai/hn/s009/")
	s.assign(hbwDir, "hbw.supervisor", "0473-2201001", "wuhai/hbw/s001/", "wuhai/hbw/s002/", "wuhai/hbw/s003/", "wuhai/hbw/s004/", "wuhai/hbw/s005/")
	s.assign(hbwDir, "hbw.pt1", "13904730005", "wuhai/hbw/s006/", "wuhai/hbw/s007/", "wuhai/hbw/s008/")
	s.assign(hbwDir, "hbw.pt2", "13904730006", "wuhai/hbw/s009/", "wuhai/hbw/s010/")

	// A completed 双随机 draw of the city's schools, two witnesses, three targets, two inspectors each.
	n := 0
	if s.err == nil {
		v, err := x.CreateDraw(ctx, s.actor("city.supervisor"), app.DrawCreateInput{Title: term(s.today) + "学校办学行为双随机抽查（示例）",
			CaseType: domain.CaseSchool, N: 3, K: 2})
		if err != nil {
			return 0, fmt.Errorf("demo: draw: %w", err)
		}
		id := v.Draw.ID
		values := []string{"6-2-5-1-3-3-4-6-2-1-5-5-2-6-4-1", "K7pQ2vX9mL4tR8wZ"}
		s.drawStep("city.supervisor", id, domain.DrawCommitWitness, domain.DrawActParams{WitnessName: "刘某（示例）",
			WitnessRole: "市纪委监委派驻市教育局纪检监察组", Commitment: domain.WitnessCommitment(values[0])})
		s.drawStep("city.supervisor", id, domain.DrawCommitWitness, domain.DrawActParams{WitnessName: "陈某（示例）",
			WitnessRole: "乌海市第一中学家长委员会", Commitment: domain.WitnessCommitment(values[1])})
		s.drawStep("city.supervisor2", id, domain.DrawCloseCommitments, domain.DrawActParams{})
		s.drawStep("city.supervisor2", id, domain.DrawReveal, domain.DrawActParams{Seq: 2, Value: values[1]})
		done := s.drawStep("city.supervisor2", id, domain.DrawReveal, domain.DrawActParams{Seq: 1, Value: values[0]})
		n = len(done.Cases)

		// 海勃湾区's draw, still taking witnesses.
		if s.err == nil {
			v, err := x.CreateDraw(ctx, s.actor("hbw.supervisor"), app.DrawCreateInput{Title: fmt.Sprintf("%d年海勃湾区校园安全双随机抽查（示例）", year),
				CaseType: domain.CaseSchool, CaseKind: domain.KindSpecial, N: 2, K: 2})
			if err != nil {
				return n, fmt.Errorf("demo: hbw draw: %w", err)
			}
			s.drawStep("hbw.supervisor", v.Draw.ID, domain.DrawCommitWitness, domain.DrawActParams{WitnessName: "王某（示例）",
				WitnessRole: "海勃湾区人大代表", Commitment: domain.WitnessCommitment("q3F8-x2Lm-9Pz4-Wt7c")})
		}
	}

	// The city's rolling plan from this year, published; 海勃湾区's, drafted.
	if s.err == nil {
		v, err := x.CreatePlan(ctx, s.actor("city.supervisor"), year)
		if err != nil {
			return n, fmt.Errorf("demo: plan: %w", err)
		}
		id := v.Plan.ID
		s.planItem("city.supervisor", id, "wuhai/hbw/", domain.CaseGovernment, domain.KindComprehensive, year, 2, 0, "履行教育职责督导评价")
		s.planItem("city.supervisor", id, "wuhai/wd/", domain.CaseGovernment, domain.KindComprehensive, year, 3, 0, "履行教育职责督导评价")
		s.planItem("city.supervisor", id, "wuhai/yz/", domain.CaseSchool, domain.KindSpecial, year, 0, 5, "食堂食品安全")
		s.planItem("city.supervisor", id, "wuhai/hn/", domain.CaseGovernment, domain.KindComprehensive, year+1, 2, 0, "履行教育职责督导评价")
		s.planItem("city.supervisor", id, "wuhai/hn/", domain.CaseMonitoring, domain.KindSpecial, year+2, 0, 0, "县域义务教育优质均衡发展监测")
		if s.err == nil {
			_, err = x.ActPlan(ctx, s.actor(cityDir), id, domain.PlanApprove, nil, "")
		}
		if err == nil {
			_, err = x.ActPlan(ctx, s.actor(cityDir), id, domain.PlanPublish, nil, "")
		}
		if err != nil && s.err == nil {
			s.err = fmt.Errorf("demo: plan steps: %w", err)
		}
		hv, err := x.CreatePlan(ctx, s.actor("hbw.supervisor"), year)
		if err != nil && s.err == nil {
			s.err = fmt.Errorf("demo: hbw plan: %w", err)
		}
		if err == nil {
			s.planItem("hbw.supervisor", hv.Plan.ID, "wuhai/hbw/s005/", domain.CaseSchool, domain.KindComprehensive, year, 0, 10, "")
			s.planItem("hbw.supervisor", hv.Plan.ID, "wuhai/hbw/s009/", domain.CaseSchool, domain.KindSpecial, year+1, 0, 0, "课后服务")
		}
	}
	return n, s.err
}
