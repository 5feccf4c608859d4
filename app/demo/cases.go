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

// loadCases puts demo cases in every state across the three districts and the city-run schools.
func loadCases(ctx context.Context, x *app.App) (int, error) {
	s := &caseScript{ctx: ctx, x: x, actors: map[string]domain.Actor{}}
	const sup, sup2, dir = "city.supervisor", "city.supervisor2", "city.director"
	// A 专项/综合 visit has a team of three (R7); city.supervisor2 stays off it, free to recheck.
	team := []string{sup, "city.supervisor3", "city.supervisor4"}
	n := 0

	// planned: 乌达区, a spring term opening check, announced by a 督导通知 35 days ahead (R20) that asks
	// for a 自评报告 ten days before the visit.
	id := s.open(sup, "wuhai/wd/s001/", domain.CaseSchool, domain.KindSpecial, "2026年春季学期开学工作专项督导", team...)
	if s.err == nil {
		cal := x.Rules().Calendar
		visit := cal.NextWorkingDay(x.Today().AddDays(35))
		if _, err := x.SendNotice(s.ctx, s.actor(sup), id, domain.NoticeInput{VisitOn: visit,
			Scope: "开学准备、校园安全、课后服务和“双减”落实情况。", Documents: "开学工作方案、安全隐患排查台账、课后服务安排。",
			SelfEvaluationDue: visit.AddDays(-10)}, nil); err != nil {
			s.err = fmt.Errorf("demo: notice of case %d: %w", id, err)
		}
	}
	n++

	// inspecting: 海南区 kindergarten, seismic reinforcement named in the plan; a safety lead checked
	// unannounced (四不两直, R47).
	id = s.openUnannounced(sup, "wuhai/hn/esy/", domain.CaseSchool, domain.KindSpecial, "幼儿园校舍抗震加固专项督导",
		"校舍安全隐患线索需现场核实，按“四不两直”方式开展。", team...)
	s.act(sup, id, domain.ActStart, app.ActInput{})
	s.finding(sup, id, domain.SeverityCritical, "校园安全", "部分校舍未完成抗震加固", "按乌震领办发﹝2021﹞2号要求应完成加固，现场查看东侧活动室未施工。")
	n++

	// feedback: 乌达区永昌小学, the objection window is open.
	id = s.openUnannounced(sup, "wuhai/wd/ycxx/", domain.CaseSchool, domain.KindComprehensive, "永昌小学办学条件综合督导",
		"群众反映办学条件问题，按“四不两直”方式直奔现场。", team...)
	s.act(sup, id, domain.ActStart, app.ActInput{})
	s.finding(sup, id, domain.SeverityMajor, "办学条件", "功能教室配备不足", "科学实验室仪器配备未达标准。")
	s.finding(sup, id, domain.SeverityMinor, "课程教学", "课后服务记录不完整", "")
	s.act(sup, id, domain.ActSubmitPreliminary, app.ActInput{})
	n++

	// review: 市一中 (city-run), acknowledged, awaiting the director.
	id = s.openUnannounced(sup, "wuhai/yz/", domain.CaseSchool, domain.KindSpecial, "市一中食堂食品安全专项督导",
		"食品安全专项督查，按“四不两直”方式随机进校。", team...)
	s.act(sup, id, domain.ActStart, app.ActInput{})
	s.finding(sup, id, domain.SeverityMajor, "食品卫生", "食品留样记录缺失", "抽查近两周留样记录，缺少3天。")
	s.act(sup, id, domain.ActSubmitPreliminary, app.ActInput{})
	s.act("school.yz", id, domain.ActAcknowledge, app.ActInput{})
	s.act(sup, id, domain.ActSubmitForReview, app.ActInput{})
	n++

	// rectifying: 海勃湾区 school, issued with two findings, one already has its measure and photo.
	id = s.openUnannounced(sup, "wuhai/hbw/s001/", domain.CaseSchool, domain.KindSpecial, "校园安全专项督导",
		"校园安全专项督查，按“四不两直”方式随机进校。", team...)
	s.act(sup, id, domain.ActStart, app.ActInput{})
	f1 := s.finding(sup, id, domain.SeverityCritical, "校园安全", "消防通道堆放杂物", "教学楼东侧消防通道堆放桌椅。")
	f2 := s.finding(sup, id, domain.SeverityMinor, "校园安全", "应急疏散演练记录不全", "")
	s.act(sup, id, domain.ActSubmitPreliminary, app.ActInput{Comment: "学校安全管理制度基本健全，但消防通道管理和应急演练记录存在薄弱环节。"})
	s.act("school.hbw1", id, domain.ActAcknowledge, app.ActInput{})
	s.act(sup, id, domain.ActSubmitForReview, app.ActInput{})
	s.act(dir, id, domain.ActIssue, app.ActInput{Evaluation: "学校重视校园安全工作，安全管理制度基本健全，但消防安全管理存在隐患，应急演练记录不规范。",
		CopyTo: []string{"海勃湾区教育局"}, Requirements: map[int64]string{
			f1: "立即清理消防通道，建立每日巡查制度，明确责任人。",
			f2: "按学期制定应急疏散演练计划，完整记录每次演练的时间、人员和评估。",
		}})
	s.rectify("school.hbw1", id, f1, "清理消防通道杂物，安排专人每日巡查。", "王校长", color.RGBA{200, 120, 60, 255})
	n++

	// verifying: 督政 on 海勃湾区, rectified by the district office itself.
	id = s.openUnannounced(sup, "wuhai/hbw/", domain.CaseGovernment, domain.KindComprehensive, "海勃湾区履行教育职责督导评价",
		"年度履职评价实地核查，按“四不两直”方式开展。", team...)
	s.act(sup, id, domain.ActStart, app.ActInput{})
	f1 = s.finding(sup, id, domain.SeverityMajor, "经费保障", "教师培训经费未达公用经费5%", "2025年度教师培训经费占比4.1%。")
	s.act(sup, id, domain.ActSubmitPreliminary, app.ActInput{})
	s.act("hbw.office", id, domain.ActAcknowledge, app.ActInput{})
	s.act(sup, id, domain.ActSubmitForReview, app.ActInput{})
	s.act(dir, id, domain.ActIssue, app.ActInput{})
	s.rectify("hbw.office", id, f1, "追加培训经费预算并出具拨付文件。", "区教育局计财股", color.RGBA{60, 140, 200, 255})
	s.act("hbw.office", id, domain.ActSubmitRectification, app.ActInput{})
	n++

	// closed: a 责任督学's routine visit in 海勃湾区, issued on the spot, rectified and rechecked.
	id = s.open("hbw.supervisor", "wuhai/hbw/s002/", domain.CaseSchool, domain.KindRoutine, "责任督学经常性督导（11月）", "hbw.supervisor")
	s.act("hbw.supervisor", id, domain.ActStart, app.ActInput{})
	f1 = s.finding("hbw.supervisor", id, domain.SeverityMinor, "校园安全", "校门口护栏松动", "")
	s.act("hbw.supervisor", id, domain.ActIssue, app.ActInput{})
	s.rectify("school.hbw2", id, f1, "更换校门口护栏固定件。", "李主任", color.RGBA{90, 180, 90, 255})
	s.act("school.hbw2", id, domain.ActSubmitRectification, app.ActInput{})
	s.act(sup2, id, domain.ActRecheck, app.ActInput{Results: []domain.RecheckResult{{FindingID: f1, Passed: true, Comment: "现场复查，护栏已加固。"}}})
	n++

	// closed without findings: a random check of 市一中 (city-run) that found nothing to rectify.
	id = s.open(sup, "wuhai/yz/", domain.CaseSchool, domain.KindRandom, "双随机抽查：招生收费", sup)
	s.act(sup, id, domain.ActStart, app.ActInput{})
	s.act(sup, id, domain.ActSubmitPreliminary, app.ActInput{})
	s.act("school.yz", id, domain.ActAcknowledge, app.ActInput{})
	s.act(sup, id, domain.ActSubmitForReview, app.ActInput{})
	s.act(dir, id, domain.ActIssue, app.ActInput{})
	n++

	// cancelled: 乌达区, merged into another inspection.
	id = s.open(sup, "wuhai/wd/s002/", domain.CaseSchool, domain.KindSpecial, "课后服务专项督导", team...)
	s.act(dir, id, domain.ActCancel, app.ActInput{Comment: "已并入全区课后服务综合督导。"})
	n++
	return n, s.err
}
