package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"dudao/app"
	"dudao/domain"
)

// caseScript builds demo cases through the same use cases people use, so every demo case is one
// the rules allow and every step is in the audit log.
type caseScript struct {
	ctx    context.Context
	x      *app.App
	actors map[string]domain.Actor
	err    error
}

func (s *caseScript) actor(username string) domain.Actor {
	if a, ok := s.actors[username]; ok {
		return a
	}
	a, err := s.x.ActorFor(s.ctx, username)
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("demo: actor %s: %w", username, err)
	}
	s.actors[username] = a
	return a
}

func (s *caseScript) org(path string) domain.Org {
	o, err := s.x.OrgByPath(s.ctx, app.System, domain.Jurisdiction(path))
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("demo: org %s: %w", path, err)
	}
	return o
}

// open opens a case as username on the org at path; inspectors are usernames.
func (s *caseScript) open(username, path string, t domain.CaseType, k domain.CaseKind, title string, inspectors ...string) int64 {
	return s.openUnannounced(username, path, t, k, title, "", inspectors...)
}

// openUnannounced opens a case like open; a reason marks it a 四不两直 visit (R47), without a notice.
func (s *caseScript) openUnannounced(username, path string, t domain.CaseType, k domain.CaseKind, title, reason string, inspectors ...string) int64 {
	if s.err != nil {
		return 0
	}
	var ids []int64
	for _, u := range inspectors {
		ids = append(ids, s.actor(u).UserID)
	}
	c, err := s.x.OpenCase(s.ctx, s.actor(username), app.OpenCaseInput{Type: t, Kind: k, TargetOrgID: s.org(path).ID, Title: title, InspectorIDs: ids,
		Unannounced: reason != "", UnannouncedReason: reason})
	if err != nil {
		s.err = fmt.Errorf("demo: open %q: %w", title, err)
		return 0
	}
	return c.ID
}

func (s *caseScript) act(username string, id int64, act domain.Action, in app.ActInput) {
	if s.err != nil {
		return
	}
	if _, err := s.x.Act(s.ctx, s.actor(username), id, act, in); err != nil {
		s.err = fmt.Errorf("demo: case %d %s by %s: %w", id, act, username, err)
	}
}

func (s *caseScript) finding(username string, id int64, sev domain.Severity, category, title, desc string) int64 {
	if s.err != nil {
		return 0
	}
	_, f, err := s.x.AddFinding(s.ctx, s.actor(username), id, domain.FindingInput{Title: title, Description: desc, Severity: sev, Category: category})
	if err != nil {
		s.err = fmt.Errorf("demo: finding %q: %w", title, err)
		return 0
	}
	return f.ID
}

func (s *caseScript) rectify(username string, id, findingID int64, measure, person string, rgb color.RGBA) {
	if s.err != nil {
		return
	}
	a := s.actor(username)
	due := domain.DateOf(s.x.Now()).AddDays(20)
	// A measure is due by its finding's deadline at the latest (issue 12: later needs a stated reason).
	if v, err := s.x.GetCase(s.ctx, a, id); err == nil {
		if f := v.Case.Finding(findingID); f != nil && f.DueOn != "" && f.DueOn.Before(due) {
			due = f.DueOn
		}
	}
	if _, _, err := s.x.AddMeasure(s.ctx, a, id, findingID, domain.MeasureInput{Description: measure, ResponsiblePerson: person, DueOn: due}); err != nil {
		s.err = fmt.Errorf("demo: measure on case %d: %w", id, err)
		return
	}
	fid := findingID
	if _, _, err := s.x.UploadEvidence(s.ctx, a, id, app.EvidenceInput{FindingID: &fid, Note: "整改后现场照片", Filename: "photo.png", Body: bytes.NewReader(photo(rgb))}); err != nil {
		s.err = fmt.Errorf("demo: evidence on case %d: %w", id, err)
	}
}

// photo is a small real PNG standing in for a phone photo.
func photo(c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			shade := uint8((x + y) % 32)
			img.Set(x, y, color.RGBA{c.R - min(c.R, shade), c.G - min(c.G, shade), c.B, 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// notice sends the 督导通知 of case id as username for a visit on visit, with a 自评报告 due ten days
// before it (R7, R20).
func (s *caseScript) notice(username string, id int64, visit domain.Date, scope, documents string) {
	if s.err != nil {
		return
	}
	if _, err := s.x.SendNotice(s.ctx, s.actor(username), id, domain.NoticeInput{VisitOn: visit, Scope: scope, Documents: documents,
		SelfEvaluationDue: visit.AddDays(-10)}, nil); err != nil {
		s.err = fmt.Errorf("demo: notice of case %d: %w", id, err)
	}
}

func (s *caseScript) objection(username string, id, findingID int64, text string) {
	if s.err != nil {
		return
	}
	if _, _, err := s.x.FileObjection(s.ctx, s.actor(username), id, &findingID, text); err != nil {
		s.err = fmt.Errorf("demo: objection on case %d: %w", id, err)
	}
}

// evidence uploads another photo of the rectification of a finding (after a failed recheck: a new one).
func (s *caseScript) evidence(username string, id, findingID int64, note string, rgb color.RGBA) {
	if s.err != nil {
		return
	}
	fid := findingID
	if _, _, err := s.x.UploadEvidence(s.ctx, s.actor(username), id, app.EvidenceInput{FindingID: &fid, Note: note, Filename: "photo.png",
		Body: bytes.NewReader(photo(rgb))}); err != nil {
		s.err = fmt.Errorf("demo: evidence on case %d: %w", id, err)
	}
}

func (s *caseScript) recheck(username string, id int64, results ...domain.RecheckResult) {
	s.act(username, id, domain.ActRecheck, app.ActInput{Results: results})
}

// propose records a 问责 proposal as username and says its id.
func (s *caseScript) propose(username string, in app.ProposeInput) int64 {
	if s.err != nil {
		return 0
	}
	v, err := s.x.ProposeAccountability(s.ctx, s.actor(username), in)
	if err != nil {
		s.err = fmt.Errorf("demo: 问责 proposal: %w", err)
		return 0
	}
	return v.Record.ID
}

func (s *caseScript) accStep(username string, id int64, act domain.AccAction, in app.AccActInput) {
	if s.err != nil {
		return
	}
	if _, err := s.x.ActAccountability(s.ctx, s.actor(username), id, act, in); err != nil {
		s.err = fmt.Errorf("demo: 问责#%d %s by %s: %w", id, act, username, err)
	}
}

// incentive records an incentive proposal as username and says its id.
func (s *caseScript) incentive(username string, in app.IncentiveInput) int64 {
	if s.err != nil {
		return 0
	}
	v, err := s.x.ProposeIncentive(s.ctx, s.actor(username), in)
	if err != nil {
		s.err = fmt.Errorf("demo: incentive proposal: %w", err)
		return 0
	}
	return v.Record.ID
}

func (s *caseScript) incStep(username string, id int64, act domain.IncAction, in app.IncActInput) {
	if s.err != nil {
		return
	}
	if _, err := s.x.ActIncentive(s.ctx, s.actor(username), id, act, in); err != nil {
		s.err = fmt.Errorf("demo: 激励#%d %s by %s: %w", id, act, username, err)
	}
}

// demoCase is a case of the story as its steps learn it: its id and its findings' ids.
type demoCase struct {
	id int64
	f  []int64
}

func (c *demoCase) find(s *caseScript, username string, sev domain.Severity, category, title, desc string) {
	c.f = append(c.f, s.finding(username, c.id, sev, category, title, desc))
}

func ptr[T any](v T) *T { return &v }

// loadCases schedules the year's cases, 问责 and incentives: every state and kind of case, a failed
// recheck, findings overdue today, 问责 records in every state (one with its 约谈 held) and incentives.
// s.cases counts the cases it opens.
func loadCases(s *story) {
	const sup, sup2, dir = "city.supervisor", "city.supervisor2", "city.director"
	const hbwSup = "hbw.supervisor"
	// A 专项/综合 visit has a team of three (R7); city.supervisor2 stays off it, free to recheck.
	team := []string{sup, "city.supervisor3", "city.supervisor4"}
	opened := func() { s.cases++ }
	pass := func(c *demoCase, i int, comment string) domain.RecheckResult {
		return domain.RecheckResult{FindingID: c.f[i], Passed: true, Comment: comment}
	}
	month := func(n int) int { return int(s.day(n).Time().Month()) }

	// A year and more ago: 海勃湾区第一小学's 责任督学 finds a loose railing, rectified and rechecked. The
	// school's safety problems come back this year (a recurring problem of the report).
	p := &demoCase{}
	s.on(420, func() {
		p.id = s.open(hbwSup, "wuhai/hbw/s001/", domain.CaseSchool, domain.KindRoutine, fmt.Sprintf("责任督学经常性督导（%s）", s.day(420).Time().Format("2006年1月")), hbwSup)
		opened()
		s.act(hbwSup, p.id, domain.ActStart, app.ActInput{})
		p.find(s.caseScript, hbwSup, domain.SeverityMinor, "校园安全", "校门口护栏松动", "")
		s.act(hbwSup, p.id, domain.ActIssue, app.ActInput{})
	})
	s.on(410, func() {
		s.rectify("school.hbw1", p.id, p.f[0], "更换校门口护栏固定件。", "李主任", color.RGBA{90, 180, 90, 255})
		s.act("school.hbw1", p.id, domain.ActSubmitRectification, app.ActInput{})
	})
	s.on(405, func() { s.recheck(sup2, p.id, pass(p, 0, "现场复查，护栏已加固。")) })

	// closed: the term-opening check of 永昌小学, announced by a 督导通知 (R20) with a 自评报告, one
	// problem rectified on time; the school is commended for it.
	c1 := &demoCase{}
	visit1 := s.cal.NextWorkingDay(s.day(270).AddDays(32))
	s.on(270, func() {
		c1.id = s.open(sup, "wuhai/wd/ycxx/", domain.CaseSchool, domain.KindSpecial, term(visit1)+"学期开学工作专项督导", team...)
		opened()
		s.notice(sup, c1.id, visit1, "开学准备、校园安全、课后服务和“双减”落实情况。", "开学工作方案、安全隐患排查台账、课后服务安排。")
	})
	s.at(visit1, func() {
		s.act(sup, c1.id, domain.ActStart, app.ActInput{})
		c1.find(s.caseScript, sup, domain.SeverityMinor, "校园安全", "安全隐患排查台账未及时更新", "开学前安全隐患排查记录停留在上学期末。")
		s.act(sup, c1.id, domain.ActSubmitPreliminary, app.ActInput{Comment: "开学准备工作扎实，课后服务安排合理，安全隐患排查台账管理有待加强。"})
		s.act("school.wd1", c1.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, c1.id, domain.ActSubmitForReview, app.ActInput{})
	})
	s.at(s.cal.NextWorkingDay(visit1.AddDays(3)), func() {
		s.act(dir, c1.id, domain.ActIssue, app.ActInput{Evaluation: "学校开学准备工作扎实有序，课后服务安排合理。",
			Requirements: map[int64]string{c1.f[0]: "完善安全隐患排查台账，每周更新并由分管校长签字。"}})
	})
	s.at(s.cal.NextWorkingDay(visit1.AddDays(12)), func() {
		s.rectify("school.wd1", c1.id, c1.f[0], "重新梳理安全隐患排查台账，建立每周更新制度。", "孙副校长", color.RGBA{120, 160, 200, 255})
		s.act("school.wd1", c1.id, domain.ActSubmitRectification, app.ActInput{})
	})
	var inc1 int64
	s.at(s.cal.NextWorkingDay(visit1.AddDays(18)), func() {
		s.recheck(sup2, c1.id, pass(c1, 0, "台账已按周更新，分管校长签字齐全。"))
		inc1 = s.incentive(sup, app.IncentiveInput{Kind: domain.IncCommendation, TargetOrgID: s.org("wuhai/wd/ycxx/").ID, CaseID: ptr(c1.id),
			Reason: "开学工作专项督导发现的问题按期整改到位，整改措施扎实，建议予以通报表扬。"})
	})
	s.at(s.cal.NextWorkingDay(visit1.AddDays(25)), func() {
		s.incStep(dir, inc1, domain.IncDecide, app.IncActInput{Decision: "对乌达区永昌小学予以通报表扬。"})
		s.incStep(dir, inc1, domain.IncPublish, app.IncActInput{})
	})

	// closed: 督政 of 乌达区, announced; a critical and a major problem rectified on time; the district
	// is held to account by a 约谈 of its education bureau, decided and held.
	c2 := &demoCase{}
	visit2 := s.cal.NextWorkingDay(s.day(255).AddDays(31))
	var acc3 int64
	s.on(255, func() {
		c2.id = s.open(sup, "wuhai/wd/", domain.CaseGovernment, domain.KindComprehensive, "乌达区履行教育职责督导评价", team...)
		opened()
		s.notice(sup, c2.id, visit2, "区政府履行教育职责情况，重点是经费保障和校舍安全。", "区政府履行教育职责自评报告、教育经费拨付台账、校舍安全排查记录。")
	})
	s.at(visit2, func() {
		s.act(sup, c2.id, domain.ActStart, app.ActInput{})
		c2.find(s.caseScript, sup, domain.SeverityCritical, "校园安全", "部分学校校舍安全隐患整改不到位", "抽查3所学校，其中1所学校教学楼外墙瓷砖脱落未处置。")
		c2.find(s.caseScript, sup, domain.SeverityMajor, "经费保障", "生均公用经费拨付不及时", "上半年生均公用经费延迟两个月拨付。")
		s.act(sup, c2.id, domain.ActSubmitPreliminary, app.ActInput{})
		s.act("wd.office", c2.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, c2.id, domain.ActSubmitForReview, app.ActInput{})
	})
	issue2 := s.cal.NextWorkingDay(visit2.AddDays(2))
	s.at(issue2, func() {
		s.act(dir, c2.id, domain.ActIssue, app.ActInput{Evaluation: "区政府重视教育工作，但校舍安全和经费拨付存在明显短板。", CopyTo: []string{"乌达区人民政府"}})
		acc3 = s.propose(sup, app.ProposeInput{TargetType: domain.TargetUnit, TargetOrgID: s.org("wuhai/wd/").ID, CaseID: ptr(c2.id),
			FindingID: ptr(c2.f[0]), Trigger: domain.TriggerDuty, Facts: "督导发现区内学校校舍安全隐患长期未整改，生均公用经费拨付不及时，履行教育职责不到位。"})
	})
	s.at(s.cal.NextWorkingDay(issue2.AddDays(4)), func() {
		s.rectify("wd.office", c2.id, c2.f[0], "完成外墙瓷砖脱落处置并开展全区校舍安全排查。", "区教育局安全股", color.RGBA{200, 90, 90, 255})
		s.rectify("wd.office", c2.id, c2.f[1], "补拨上半年生均公用经费，建立按季度拨付制度。", "区教育局计财股", color.RGBA{90, 90, 200, 255})
		s.act("wd.office", c2.id, domain.ActSubmitRectification, app.ActInput{})
		s.accStep(dir, acc3, domain.AccNotice, app.AccActInput{NoticeText: "拟对乌达区教育局予以约谈问责，请于5个工作日内提出陈述申辩。"})
	})
	s.at(s.cal.NextWorkingDay(issue2.AddDays(6)), func() {
		s.recheck(sup2, c2.id, pass(c2, 0, "现场复查，外墙已修复，全区排查台账完整。"), pass(c2, 1, "经费已补拨到位。"))
	})
	decided3 := s.cal.NextWorkingDay(issue2.AddDays(16))
	s.at(decided3, func() {
		s.accStep(dir, acc3, domain.AccDecide, app.AccActInput{Decision: domain.Decision{Situation: "乌达区履行教育职责督导评价发现校舍安全隐患和经费拨付问题。",
			Facts: "校舍安全隐患长期未整改，生均公用经费延迟两个月拨付。", LegalBasis: "《教育督导问责办法》第五条、第七条",
			Form: domain.FormInterview, EffectiveOn: decided3}})
	})
	s.at(s.cal.NextWorkingDay(decided3.AddDays(5)), func() {
		if s.err != nil {
			return
		}
		if _, _, err := s.x.RecordInterview(s.ctx, s.actor(dir), acc3, s.x.Today(), "市督导办主任、乌达区教育局局长及分管副局长",
			"通报督导发现的问题，听取整改情况汇报，要求建立校舍安全和经费拨付长效机制。"); err != nil {
			s.err = fmt.Errorf("demo: 约谈 of 问责#%d: %w", acc3, err)
		}
	})

	// closed after a failed recheck: the kitchen of 海南区's 二十三中幼儿园, put right badly at first; the
	// kindergarten is reported (督导通报) after its statement, and checked again months later (回头看).
	c3 := &demoCase{}
	var acc4 int64
	s.on(240, func() {
		c3.id = s.openUnannounced(sup, "wuhai/hn/esy/", domain.CaseSchool, domain.KindSpecial, "幼儿园食堂食品安全专项督导",
			"食品安全专项督查，按“四不两直”方式随机进园。", team...)
		opened()
		s.act(sup, c3.id, domain.ActStart, app.ActInput{})
		c3.find(s.caseScript, sup, domain.SeverityCritical, "校园安全", "厨房燃气泄漏报警装置失效", "报警装置电源未接通，测试无响应。")
		c3.find(s.caseScript, sup, domain.SeverityMinor, "食品卫生", "食品添加剂未专柜存放", "")
		s.act(sup, c3.id, domain.ActSubmitPreliminary, app.ActInput{Comment: "幼儿园食堂管理制度基本健全，但燃气安全和食品添加剂管理存在薄弱环节。"})
	})
	s.on(239, func() {
		s.act("school.hn1", c3.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, c3.id, domain.ActSubmitForReview, app.ActInput{})
	})
	s.on(237, func() {
		s.act(dir, c3.id, domain.ActIssue, app.ActInput{Evaluation: "幼儿园重视食品安全工作，但厨房燃气安全存在重大隐患。",
			CopyTo: []string{"海南区教育局"}, Requirements: map[int64]string{
				c3.f[0]: "立即修复燃气泄漏报警装置，建立每日检查制度，明确责任人。",
				c3.f[1]: "设置食品添加剂专柜，专人专锁管理并做好使用记录。",
			}})
	})
	s.on(234, func() {
		s.rectify("school.hn1", c3.id, c3.f[0], "接通报警装置电源并测试。", "王园长", color.RGBA{200, 120, 60, 255})
		s.rectify("school.hn1", c3.id, c3.f[1], "购置添加剂专柜，专人管理。", "刘主任", color.RGBA{200, 200, 60, 255})
		s.act("school.hn1", c3.id, domain.ActSubmitRectification, app.ActInput{})
	})
	s.on(232, func() {
		s.recheck(sup2, c3.id, domain.RecheckResult{FindingID: c3.f[0], Comment: "复查时报警装置仍不能正常报警，探头已老化，整改不彻底。",
			NewDueOn: s.day(232).AddDays(14)}, pass(c3, 1, "添加剂已专柜存放，记录完整。"))
		acc4 = s.propose(sup, app.ProposeInput{TargetType: domain.TargetUnit, TargetOrgID: s.org("wuhai/hn/esy/").ID, CaseID: ptr(c3.id),
			FindingID: ptr(c3.f[0]), Trigger: domain.TriggerSafety, Facts: "厨房燃气泄漏报警装置失效问题经复查仍未整改到位，存在重大安全隐患。"})
	})
	s.on(228, func() {
		s.accStep(dir, acc4, domain.AccNotice, app.AccActInput{NoticeText: "拟对二十三中幼儿园予以督导通报，请于5个工作日内提出陈述申辩。"})
	})
	s.on(226, func() {
		s.accStep("school.hn1", acc4, domain.AccStatement, app.AccActInput{Text: "幼儿园已更换全部报警探头并请燃气公司检测，恳请从轻处理。"})
	})
	s.on(222, func() {
		s.evidence("school.hn1", c3.id, c3.f[0], "复查后重新整改：已更换报警探头，燃气公司检测合格", color.RGBA{60, 200, 120, 255})
		s.act("school.hn1", c3.id, domain.ActSubmitRectification, app.ActInput{})
	})
	s.on(220, func() {
		s.recheck(sup2, c3.id, pass(c3, 0, "第二次复查，报警装置测试正常，检查记录完整。"))
		s.accStep(dir, acc4, domain.AccDecide, app.AccActInput{Decision: domain.Decision{Situation: "幼儿园食堂食品安全专项督导发现燃气泄漏报警装置失效，首次复查未通过。",
			Facts: "燃气泄漏报警装置失效问题经复查仍未整改到位。", LegalBasis: "《教育督导问责办法》第五条第六项", Form: "督导通报",
			EffectiveOn: s.day(220)}})
	})
	s.on(218, func() { s.accStep(dir, acc4, domain.AccPublish, app.AccActInput{}) })

	// closed: the 双随机 check of 市一中's admissions and fees found nothing to rectify.
	c7 := &demoCase{}
	s.on(130, func() {
		c7.id = s.open(sup, "wuhai/yz/", domain.CaseSchool, domain.KindRandom, "双随机抽查：招生收费", sup)
		opened()
		s.act(sup, c7.id, domain.ActStart, app.ActInput{})
		s.act(sup, c7.id, domain.ActSubmitPreliminary, app.ActInput{})
		s.act("school.yz", c7.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, c7.id, domain.ActSubmitForReview, app.ActInput{})
	})
	s.on(128, func() { s.act(dir, c7.id, domain.ActIssue, app.ActInput{}) })

	// closed: the 回头看 of the kindergarten's kitchen a few months on: nothing found again.
	c8 := &demoCase{}
	s.on(120, func() {
		c8.id = s.open(sup, "wuhai/hn/esy/", domain.CaseSchool, domain.KindFollowup, "幼儿园食堂食品安全专项督导“回头看”", sup, "city.supervisor3")
		opened()
		s.act(sup, c8.id, domain.ActStart, app.ActInput{})
		s.act(sup, c8.id, domain.ActSubmitPreliminary, app.ActInput{Comment: "燃气报警装置运行正常，每日检查制度落实到位。"})
		s.act("school.hn1", c8.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, c8.id, domain.ActSubmitForReview, app.ActInput{})
	})
	s.on(118, func() { s.act(dir, c8.id, domain.ActIssue, app.ActInput{}) })

	// verifying: 督政 on 海勃湾区, rectified late by the district office itself, awaiting recheck.
	c4 := &demoCase{}
	s.on(200, func() {
		c4.id = s.openUnannounced(sup, "wuhai/hbw/", domain.CaseGovernment, domain.KindComprehensive, "海勃湾区履行教育职责督导评价",
			"年度履职评价实地核查，按“四不两直”方式开展。", team...)
		opened()
		s.act(sup, c4.id, domain.ActStart, app.ActInput{})
		c4.find(s.caseScript, sup, domain.SeverityMajor, "经费保障", "教师培训经费未达公用经费5%", "上年度教师培训经费占比4.1%。")
		s.act(sup, c4.id, domain.ActSubmitPreliminary, app.ActInput{})
	})
	s.on(198, func() {
		s.act("hbw.office", c4.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, c4.id, domain.ActSubmitForReview, app.ActInput{})
	})
	s.on(196, func() { s.act(dir, c4.id, domain.ActIssue, app.ActInput{}) })
	s.on(180, func() {
		s.rectify("hbw.office", c4.id, c4.f[0], "追加培训经费预算并出具拨付文件。", "区教育局计财股", color.RGBA{60, 140, 200, 255})
	})
	s.on(3, func() { s.act("hbw.office", c4.id, domain.ActSubmitRectification, app.ActInput{}) })

	// rectifying, overdue: 海勃湾区第二初级中学's after-school service; a measure entered, then nothing for
	// months. The supervisor proposes 问责 of its deputy head (told, who has answered); the scheduler, of
	// the school itself.
	c5 := &demoCase{}
	s.on(180, func() {
		c5.id = s.openUnannounced(sup, "wuhai/hbw/s002/", domain.CaseSchool, domain.KindSpecial, "课后服务规范管理专项督导",
			"群众反映课后服务收费问题，按“四不两直”方式直奔现场。", team...)
		opened()
		s.act(sup, c5.id, domain.ActStart, app.ActInput{})
		c5.find(s.caseScript, sup, domain.SeverityMajor, "招生收费", "课后服务收费未公示", "收费标准和减免政策未向家长公示。")
		c5.find(s.caseScript, sup, domain.SeverityMinor, "课程教学", "课后服务签到记录缺失", "抽查两周签到记录，缺少4天。")
		s.act(sup, c5.id, domain.ActSubmitPreliminary, app.ActInput{})
		s.act("school.hbw2", c5.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, c5.id, domain.ActSubmitForReview, app.ActInput{})
	})
	s.on(177, func() { s.act(dir, c5.id, domain.ActIssue, app.ActInput{}) })
	s.on(170, func() {
		if s.err != nil {
			return
		}
		if _, _, err := s.x.AddMeasure(s.ctx, s.actor("school.hbw2"), c5.id, c5.f[0], domain.MeasureInput{Description: "在校门口和家长群公示课后服务收费标准。",
			ResponsiblePerson: "周副校长", DueOn: s.day(170).AddDays(14)}); err != nil {
			s.err = fmt.Errorf("demo: measure on case %d: %w", c5.id, err)
		}
	})
	var acc2 int64
	s.on(20, func() {
		acc2 = s.propose(sup, app.ProposeInput{TargetType: domain.TargetPerson, TargetOrgID: s.org("wuhai/hbw/s002/").ID, PersonName: "周某",
			PersonTitle: "分管副校长", CaseID: ptr(c5.id), FindingID: ptr(c5.f[0]), Trigger: domain.TriggerConduct,
			Facts: "课后服务收费未公示问题逾期四个多月未整改，整改措施未落实。"})
	})
	s.on(12, func() {
		s.accStep(dir, acc2, domain.AccNotice, app.AccActInput{NoticeText: "拟对海勃湾区第二初级中学分管副校长周某予以约谈，请于5个工作日内提出陈述申辩。"})
	})
	s.on(9, func() {
		s.accStep("school.hbw2", acc2, domain.AccStatement, app.AccActInput{Text: "因人员调整导致整改延误，现已在校门口和家长群公示收费标准。"})
	})
	// The scheduler's daily pass finds the school's problems overdue beyond the threshold and proposes
	// 问责 of the school for each (SPEC §2.3); they wait for the director.
	s.on(6, func() {
		if s.err != nil {
			return
		}
		if _, err := s.x.Tick(s.ctx); err != nil {
			s.err = fmt.Errorf("demo: scheduler: %w", err)
		}
	})

	// cancelled: 乌达区, merged into another inspection.
	s.on(100, func() {
		id := s.open(sup, "wuhai/wd/s002/", domain.CaseSchool, domain.KindSpecial, "课后服务专项督导", team...)
		opened()
		s.act(dir, id, domain.ActCancel, app.ActInput{Comment: "已并入全区课后服务综合督导。"})
	})

	// A 问责 proposal dropped: 海南区's late report on its preschool figures, explained and put right.
	s.on(90, func() {
		id := s.propose(sup, app.ProposeInput{TargetType: domain.TargetUnit, TargetOrgID: s.org("wuhai/hn/").ID, Trigger: domain.TriggerTask,
			Facts: "学前教育普惠发展年度任务进度报送滞后。"})
		s.accStep(dir, id, domain.AccDrop, app.AccActInput{Reason: "经核实系统报送延误，任务已按期完成，不予问责。"})
	})
	// Incentives: 海南区 given resources for its preschools (decided); one proposal dropped; one new.
	s.on(60, func() {
		id := s.incentive(sup, app.IncentiveInput{Kind: domain.IncResource, TargetOrgID: s.org("wuhai/hn/").ID,
			Reason: "学前教育普惠发展成效明显，普惠性幼儿园覆盖率提前达到规划目标。"})
		s.incStep(dir, id, domain.IncDecide, app.IncActInput{Decision: "在下一年度学前教育专项资金分配中对海南区予以倾斜。"})
		id = s.incentive(sup, app.IncentiveInput{Kind: domain.IncCommendation, TargetOrgID: s.org("wuhai/yz/").ID,
			Reason: "高考本科上线率连续三年提升。"})
		s.incStep(dir, id, domain.IncDrop, app.IncActInput{Reason: "升学率不作为督导激励依据（“双减”和破除“唯分数”要求），不予表彰。"})
	})

	// Routine visits of 海勃湾区's 责任督学 this autumn, nothing found (R28).
	for i, school := range []string{"wuhai/hbw/s003/", "wuhai/hbw/s004/", "wuhai/hbw/s005/"} {
		days := 40 - 12*i
		s.on(days, func() {
			id := s.open(hbwSup, school, domain.CaseSchool, domain.KindRoutine, fmt.Sprintf("责任督学经常性督导（%d月）", month(days)), hbwSup)
			opened()
			s.act(hbwSup, id, domain.ActStart, app.ActInput{})
			s.act(hbwSup, id, domain.ActIssue, app.ActInput{})
		})
	}

	// rectifying, not yet due: 海勃湾区第一小学's safety again, two problems, one with its measure and photo.
	c6 := &demoCase{}
	s.on(45, func() {
		c6.id = s.openUnannounced(sup, "wuhai/hbw/s001/", domain.CaseSchool, domain.KindSpecial, "校园安全专项督导",
			"校园安全专项督查，按“四不两直”方式随机进校。", team...)
		opened()
		s.act(sup, c6.id, domain.ActStart, app.ActInput{})
		c6.find(s.caseScript, sup, domain.SeverityCritical, "校园安全", "消防通道堆放杂物", "教学楼东侧消防通道堆放桌椅。")
		c6.find(s.caseScript, sup, domain.SeverityMinor, "校园安全", "应急疏散演练记录不全", "")
		s.act(sup, c6.id, domain.ActSubmitPreliminary, app.ActInput{Comment: "学校安全管理制度基本健全，但消防通道管理和应急演练记录存在薄弱环节。"})
		s.act("school.hbw1", c6.id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, c6.id, domain.ActSubmitForReview, app.ActInput{})
	})
	s.on(40, func() {
		s.act(dir, c6.id, domain.ActIssue, app.ActInput{Evaluation: "学校重视校园安全工作，安全管理制度基本健全，但消防安全管理存在隐患，应急演练记录不规范。",
			CopyTo: []string{"海勃湾区教育局"}, DueDates: map[int64]domain.Date{c6.f[0]: s.today.AddDays(20), c6.f[1]: s.today.AddDays(20)},
			Requirements: map[int64]string{
				c6.f[0]: "立即清理消防通道，建立每日巡查制度，明确责任人。",
				c6.f[1]: "按学期制定应急疏散演练计划，完整记录每次演练的时间、人员和评估。",
			}})
	})
	s.on(30, func() {
		s.rectify("school.hbw1", c6.id, c6.f[0], "清理消防通道杂物，安排专人每日巡查。", "王校长", color.RGBA{200, 120, 60, 255})
	})

	// review: 市一中's canteen, acknowledged, awaiting the director.
	s.on(10, func() {
		id := s.openUnannounced(sup, "wuhai/yz/", domain.CaseSchool, domain.KindSpecial, "市一中食堂食品安全专项督导",
			"食品安全专项督查，按“四不两直”方式随机进校。", team...)
		opened()
		s.act(sup, id, domain.ActStart, app.ActInput{})
		s.finding(sup, id, domain.SeverityMajor, "食品卫生", "食品留样记录缺失", "抽查近两周留样记录，缺少3天。")
		s.act(sup, id, domain.ActSubmitPreliminary, app.ActInput{})
		s.act("school.yz", id, domain.ActAcknowledge, app.ActInput{})
		s.act(sup, id, domain.ActSubmitForReview, app.ActInput{})
	})

	// inspecting: 海南区 kindergarten, seismic reinforcement named in the plan; checked unannounced (R47).
	s.on(8, func() {
		id := s.openUnannounced(sup, "wuhai/hn/esy/", domain.CaseSchool, domain.KindSpecial, "幼儿园校舍抗震加固专项督导",
			"校舍安全隐患线索需现场核实，按“四不两直”方式开展。", team...)
		opened()
		s.act(sup, id, domain.ActStart, app.ActInput{})
		s.finding(sup, id, domain.SeverityCritical, "校园安全", "部分校舍未完成抗震加固", "按乌震领办发﹝2021﹞2号要求应完成加固，现场查看东侧活动室未施工。")
	})

	// feedback: 永昌小学's conditions; the school objects to one problem, awaiting the director's ruling.
	var feedback, objected int64
	s.on(2, func() {
		id := s.openUnannounced(sup, "wuhai/wd/ycxx/", domain.CaseSchool, domain.KindComprehensive, "永昌小学办学条件综合督导",
			"群众反映办学条件问题，按“四不两直”方式直奔现场。", team...)
		opened()
		s.act(sup, id, domain.ActStart, app.ActInput{})
		s.finding(sup, id, domain.SeverityMajor, "办学条件", "功能教室配备不足", "科学实验室仪器配备未达标准。")
		f := s.finding(sup, id, domain.SeverityMinor, "课程教学", "课后服务记录不完整", "")
		s.act(sup, id, domain.ActSubmitPreliminary, app.ActInput{})
		feedback, objected = id, f
	})
	s.on(1, func() {
		s.objection("school.wd1", feedback, objected, "课后服务记录由年级组保管，督导当天未能及时调取，现已提交完整记录。")
	})

	// planned: 乌达区, the next term-opening check, announced by a 督导通知 (R20).
	s.on(10, func() {
		visit := openingVisit(s.cal, s.day(10).AddDays(31))
		id := s.open(sup, "wuhai/wd/s001/", domain.CaseSchool, domain.KindSpecial, term(visit)+"学期开学工作专项督导", team...)
		opened()
		s.notice(sup, id, visit, "开学准备、校园安全、课后服务和“双减”落实情况。", "开学工作方案、安全隐患排查台账、课后服务安排。")
	})
	// A new incentive proposal awaits the director.
	s.on(4, func() {
		s.incentive(sup, app.IncentiveInput{Kind: domain.IncCommendation, TargetOrgID: s.org("wuhai/lz/").ID,
			Reason: "学校德育和心理健康教育工作特色鲜明，经常性督导中未发现问题，建议予以通报表扬。"})
	})
}
