package domain

import (
	"strings"
	"testing"
	"time"
)

// accCalendar has the National Day holiday week (1–7 October 2026) and a 调休 Saturday (10 October).
func accCalendar(t *testing.T) Calendar {
	t.Helper()
	c, err := ParseCalendar(strings.NewReader(`
2026-10-01 holiday 国庆节
2026-10-02 holiday 国庆节
2026-10-03 holiday 国庆节
2026-10-04 holiday 国庆节
2026-10-05 holiday 国庆节
2026-10-06 holiday 国庆节
2026-10-07 holiday 国庆节
2026-10-10 workday 国庆节调休
`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func accRules(t *testing.T) Rules {
	r := testRules()
	r.Calendar = accCalendar(t)
	return r
}

var (
	accCity   = Org{ID: 1, Code: "wuhai", Name: "乌海市", Kind: OrgCity, Path: "wuhai/"}
	accDist   = Org{ID: 2, Code: "hbw", Name: "海勃湾区", Kind: OrgDistrict, Path: "wuhai/hbw/"}
	accSchool = Org{ID: 3, Code: "s1", Name: "第一小学", Kind: OrgSchool, Path: "wuhai/hbw/s1/"}
	accOther  = Org{ID: 4, Code: "s2", Name: "第二小学", Kind: OrgSchool, Path: "wuhai/hbw/s2/"}
)

func accActor(id int64, org Org, role Role) Actor {
	return Actor{UserID: id, Name: role.Label(), Org: org, Grants: []Grant{{UserID: id, Role: role, OrgID: org.ID, Path: org.Path}}}
}

var (
	accSupervisor = accActor(10, accCity, RoleSupervisor)
	accDirector   = accActor(11, accCity, RoleDirector)
	accDistDir    = accActor(12, accDist, RoleDirector)
	accPrincipal  = accActor(13, accSchool, RoleSchool)
	accOffice     = accActor(14, accDist, RoleDistrictOffice)
)

// accT0 is Tuesday 29 September 2026, 10:00 in Wuhai.
var accT0 = time.Date(2026, 9, 29, 10, 0, 0, 0, CST)

func newTestAcc(t *testing.T) *Accountability {
	t.Helper()
	a, err := NewAccountability(accSupervisor, AccountabilityInput{TargetType: TargetUnit, TargetOrg: accSchool, Trigger: TriggerConduct,
		Facts: "违规补课，经查属实。"}, CauseManual, accT0)
	if err != nil {
		t.Fatalf("NewAccountability: %v", err)
	}
	a.ID = 7
	return a
}

// accIn brings a fresh record to status st along the ordinary path; the clock is returned where it stands.
func accIn(t *testing.T, st AccStatus) (*Accountability, time.Time) {
	t.Helper()
	r := accRules(t)
	a := newTestAcc(t)
	now := accT0
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("bringing the record to %s: %v", st, err)
		}
		now = now.Add(time.Hour)
	}
	switch st {
	case AccProposed:
		return a, now
	case AccDropped:
		step(a.Drop(accDirector, now, "经核实不属于问责情形。"))
		return a, now
	}
	step(a.Notice(accDirector, now, r, "经查，你校存在违规补课问题，拟予以约谈。"))
	if st == AccNoticed {
		return a, now
	}
	step(a.FileStatement(accPrincipal, now, "已停止补课并退费。"))
	step(a.Decide(accDirector, now, Decision{Situation: "基本情况", Facts: "事实", LegalBasis: "《教育督导问责办法》", Form: FormInterview, EffectiveOn: DateOf(now)}))
	if st == AccDecided {
		return a, now
	}
	step(a.Publish(accDirector, now))
	return a, now
}

// TestAccTransitionTable walks every (state, action) pair: the table says which are allowed, and each
// method, called properly by the right person, succeeds exactly then, leading where the table says;
// otherwise it is a 409 and changes nothing.
func TestAccTransitionTable(t *testing.T) {
	want := map[AccStatus]map[AccAction]AccStatus{
		AccProposed:  {AccEdit: AccProposed, AccNotice: AccNoticed, AccDrop: AccDropped},
		AccNoticed:   {AccStatement: AccNoticed, AccDecide: AccDecided, AccDrop: AccDropped},
		AccDecided:   {AccPublish: AccPublished, AccInterview: AccDecided},
		AccPublished: {AccInterview: AccPublished},
		AccDropped:   {},
	}
	r := accRules(t)
	for _, st := range AccStatuses {
		for _, act := range AccActions {
			to, ok := want[st][act]
			if got := st.Can(act); got != ok {
				t.Errorf("%s.Can(%s) = %v, want %v", st, act, got, ok)
			}
			a, now := accIn(t, st)
			if st == AccNoticed && act == AccDecide {
				now = *a.StatementDeadline // the window has closed without a statement
			}
			before := *a
			var err error
			switch act {
			case AccEdit:
				err = a.Edit(accSupervisor, now, TriggerSafety, "补充事实。")
			case AccNotice:
				err = a.Notice(accDirector, now, r, "告知书。")
			case AccStatement:
				err = a.FileStatement(accPrincipal, now, "申辩。")
			case AccDecide:
				err = a.Decide(accDirector, now, Decision{Situation: "情况", Facts: "事实", LegalBasis: "依据", Form: "公开批评", EffectiveOn: DateOf(now)})
			case AccPublish:
				err = a.Publish(accDirector, now)
			case AccDrop:
				err = a.Drop(accDirector, now, "理由。")
			case AccInterview:
				_, err = a.RecordInterview(accDirector, now, DateOf(now), "校长、督学", "约谈记录。")
			}
			switch {
			case ok && err != nil:
				t.Errorf("%s --%s--> : err = %v, want success", st, act, err)
			case ok && a.Status != to:
				t.Errorf("%s --%s--> %s, want %s", st, act, a.Status, to)
			case ok && a.Version != before.Version+1:
				t.Errorf("%s --%s-->: version %d, want %d", st, act, a.Version, before.Version+1)
			case !ok && ErrorCode(err) != ECONFLICT:
				t.Errorf("%s --%s--> : err = %v, want ECONFLICT", st, act, err)
			case !ok && (a.Status != before.Status || a.Version != before.Version):
				t.Errorf("%s --%s--> refused but changed the record", st, act)
			}
		}
	}
}

// TestStatementWindowCalendar: the 陈述申辩 window counts working days of the calendar — the holiday
// week does not count, the 调休 Saturday does — and closes at midnight CST after its last day.
func TestStatementWindowCalendar(t *testing.T) {
	r := accRules(t)
	tests := []struct {
		noticed time.Time
		last    Date
	}{
		// Tue 29 Sep: 30 Sep, (1–7 Oct holiday), 8, 9, 10 (调休 Saturday), 12 Oct.
		{time.Date(2026, 9, 29, 10, 0, 0, 0, CST), "2026-10-12"},
		// 30 Sep 23:30 in Wuhai is 15:30 UTC the same day: 8, 9, 10, 12, 13 Oct.
		{time.Date(2026, 9, 30, 15, 30, 0, 0, time.UTC), "2026-10-13"},
		// 30 Sep 16:30 UTC is already 1 Oct in Wuhai, a holiday: 8, 9, 10, 12, 13 Oct.
		{time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC), "2026-10-13"},
		// Fri 9 Oct: 10 (调休), 12, 13, 14, 15 Oct.
		{time.Date(2026, 10, 9, 17, 0, 0, 0, CST), "2026-10-15"},
		// Sat 10 Oct, itself a working day that does not count: 12–16 Oct.
		{time.Date(2026, 10, 10, 9, 0, 0, 0, CST), "2026-10-16"},
	}
	for _, tt := range tests {
		a := newTestAcc(t)
		if err := a.Notice(accDirector, tt.noticed, r, "告知。"); err != nil {
			t.Fatal(err)
		}
		if got := a.LastStatementDay(); got != tt.last {
			t.Errorf("noticed %v: last statement day %s, want %s", tt.noticed, got, tt.last)
		}
		closes := tt.last.AddDays(1).Time()
		if !a.StatementDeadline.Equal(closes) {
			t.Errorf("noticed %v: deadline %v, want %v", tt.noticed, a.StatementDeadline, closes)
		}
		if !a.StatementWindowOpen(closes.Add(-time.Second)) || a.StatementWindowOpen(closes) {
			t.Errorf("noticed %v: window should be open until %v and closed from it", tt.noticed, closes)
		}
		late := a.FileStatement(accPrincipal, closes, "迟到的申辩。")
		if ErrorCode(late) != ECONFLICT || !strings.Contains(late.Error(), string(tt.last)) {
			t.Errorf("statement at the deadline: err = %v, want ECONFLICT naming %s", late, tt.last)
		}
	}
	// The same notice without the calendar closes on 6 October: the calendar matters.
	plain := testRules()
	a := newTestAcc(t)
	if err := a.Notice(accDirector, accT0, plain, "告知。"); err != nil || a.LastStatementDay() != "2026-10-06" {
		t.Errorf("plain week: last day %s (%v), want 2026-10-06", a.LastStatementDay(), err)
	}
}

func TestAccDuties(t *testing.T) {
	r := accRules(t)
	a, now := accIn(t, AccNoticed)
	// Only the object's own users make the statement; a district office above it may not.
	for _, by := range []Actor{accOffice, accDirector, accActor(20, accOther, RoleSchool)} {
		if err := a.FileStatement(by, now, "申辩。"); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("statement by %s at %s: err = %v, want EFORBIDDEN", by.Name, by.Org.Name, err)
		}
	}
	// No decision while the window is open and the object has not spoken.
	d := Decision{Situation: "情况", Facts: "事实", LegalBasis: "依据", Form: "约谈", EffectiveOn: DateOf(now)}
	if err := a.Decide(accDirector, now, d); ErrorCode(err) != ECONFLICT {
		t.Errorf("decide within the window: err = %v, want ECONFLICT", err)
	}
	// A director below the handling office may not decide, even after the window.
	after := a.StatementDeadline.Add(time.Minute)
	d.EffectiveOn = DateOf(after)
	// That only a director over the handling office decides is the authorizer's: the record asks for
	// "decide" at its owner, which policy.csv gives directors alone.
	if p, ok := a.Permission(AccDecide.Op()); !ok || p.Object != "accountability" || len(p.Any) != 1 ||
		p.Any[0] != (Right{Act: "decide", Side: AtOwner}) || a.Head().Path(AtOwner) != a.OwnerOrg.Path {
		t.Errorf("decide needs %+v at %s, want decide at the owner %s", p, a.Head().Path(AtOwner), a.OwnerOrg.Path)
	}
	if p, _ := a.Permission(AccStatement.Op()); p.Any[0] != (Right{Act: "statement", Side: AtTarget}) {
		t.Errorf("statement needs %+v, want statement at the target", p)
	}
	if _, ok := a.Permission("accountability.approve"); ok {
		t.Error("an unknown step has a permission")
	}
	// The statement is made once.
	b, now2 := accIn(t, AccNoticed)
	if err := b.FileStatement(accPrincipal, now2, "申辩。"); err != nil {
		t.Fatal(err)
	}
	if err := b.FileStatement(accPrincipal, now2, "再次申辩。"); ErrorCode(err) != ECONFLICT {
		t.Errorf("second statement: err = %v, want ECONFLICT", err)
	}
	// After the statement the director may decide at once.
	if err := b.Decide(accDirector, now2, Decision{Situation: "情况", Facts: "事实", LegalBasis: "依据", Form: "督导通报", EffectiveOn: DateOf(now2)}); err != nil {
		t.Errorf("decide after the statement: %v", err)
	}
	_ = r
}

func TestAccDecisionFields(t *testing.T) {
	a, now := accIn(t, AccNoticed)
	now = a.StatementDeadline.Add(time.Hour)
	err := a.Decide(accDirector, now, Decision{Form: "处分", EffectiveOn: DateOf(now).AddDays(-1)})
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		t.Fatalf("empty decision: err = %v, want EINVALID", err)
	}
	for _, f := range []string{"situation", "facts", "legal_basis", "form", "effective_on"} {
		if e.Fields[f] == "" {
			t.Errorf("empty decision: fields %v do not name %s", e.Fields, f)
		}
	}
	if a.Status != AccNoticed {
		t.Errorf("refused decision changed the status to %s", a.Status)
	}
	// Forms follow the object: 处分 is for persons (R53), 行政处罚 for units (R52).
	p, err := NewAccountability(accSupervisor, AccountabilityInput{TargetType: TargetPerson, TargetOrg: accSchool, PersonName: "张三",
		PersonTitle: "校长", Trigger: TriggerConduct, Facts: "事实。"}, CauseManual, accT0)
	if err != nil {
		t.Fatal(err)
	}
	r := accRules(t)
	if err := p.Notice(accDirector, accT0, r, "告知。"); err != nil {
		t.Fatal(err)
	}
	later := p.StatementDeadline.Add(time.Hour)
	bad := p.Decide(accDirector, later, Decision{Situation: "情况", Facts: "事实", LegalBasis: "依据", Form: "行政处罚", EffectiveOn: DateOf(later)})
	if be, ok := bad.(*Error); !ok || be.Fields["form"] == "" {
		t.Errorf("行政处罚 for a person: err = %v, want a form field error", bad)
	}
	if err := p.Decide(accDirector, later, Decision{Situation: "情况", Facts: "事实", LegalBasis: "依据", Form: "处分", EffectiveOn: DateOf(later)}); err != nil {
		t.Errorf("处分 for a person: %v", err)
	}
}

// TestDecisionImmutable: once decided, nothing the decision states can change.
func TestDecisionImmutable(t *testing.T) {
	r := accRules(t)
	for _, st := range []AccStatus{AccDecided, AccPublished} {
		a, now := accIn(t, st)
		snapshot := *a
		errs := []error{
			a.Edit(accSupervisor, now, TriggerDuty, "改写事实。"),
			a.Notice(accDirector, now, r, "再次告知。"),
			a.FileStatement(accPrincipal, now, "申辩。"),
			a.Decide(accDirector, now, Decision{Situation: "新", Facts: "新", LegalBasis: "新", Form: "公开批评", EffectiveOn: DateOf(now)}),
			a.Drop(accDirector, now, "撤销。"),
		}
		for i, err := range errs {
			if ErrorCode(err) != ECONFLICT {
				t.Errorf("%s: change %d: err = %v, want ECONFLICT", st, i, err)
			}
		}
		if a.Form != snapshot.Form || a.Situation != snapshot.Situation || a.EffectiveOn != snapshot.EffectiveOn ||
			a.Facts != snapshot.Facts || a.Version != snapshot.Version {
			t.Errorf("%s: the decision changed", st)
		}
	}
}

func TestInterviewOnlyForInterviewForm(t *testing.T) {
	a, now := accIn(t, AccNoticed)
	if err := a.FileStatement(accPrincipal, now, "申辩。"); err != nil {
		t.Fatal(err)
	}
	if err := a.Decide(accDirector, now, Decision{Situation: "情况", Facts: "事实", LegalBasis: "依据", Form: "公开批评", EffectiveOn: DateOf(now)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RecordInterview(accDirector, now, DateOf(now), "校长", "记录。"); ErrorCode(err) != ECONFLICT {
		t.Errorf("interview under 公开批评: err = %v, want ECONFLICT", err)
	}
	b, now := accIn(t, AccDecided) // 约谈
	if _, err := b.RecordInterview(accDirector, now, DateOf(now).AddDays(1), "校长", "记录。"); ErrorCode(err) != EINVALID {
		t.Errorf("interview dated tomorrow: err = %v, want EINVALID", err)
	}
	iv, err := b.RecordInterview(accDirector, now, DateOf(now), "校长、分管副校长", "指出问题，提出整改要求。")
	if err != nil || iv == nil || len(b.Interviews) != 1 || b.Interviews[0].Attendees != "校长、分管副校长" {
		t.Errorf("interview: %v, %+v", err, b.Interviews)
	}
}

func TestNewAccountabilityChecks(t *testing.T) {
	tests := []struct {
		name  string
		by    Actor
		in    AccountabilityInput
		field string
	}{
		{"no facts", accSupervisor, AccountabilityInput{TargetType: TargetUnit, TargetOrg: accSchool, Trigger: TriggerDuty}, "facts"},
		{"bad trigger", accSupervisor, AccountabilityInput{TargetType: TargetUnit, TargetOrg: accSchool, Trigger: "overdue", Facts: "x"}, "trigger"},
		{"person without a name", accSupervisor, AccountabilityInput{TargetType: TargetPerson, TargetOrg: accSchool, Trigger: TriggerDuty, Facts: "x"}, "person_name"},
		{"unit with a name", accSupervisor, AccountabilityInput{TargetType: TargetUnit, TargetOrg: accSchool, PersonName: "张三", Trigger: TriggerDuty, Facts: "x"}, "person_name"},
		{"bad type", accSupervisor, AccountabilityInput{TargetType: "group", TargetOrg: accSchool, Trigger: TriggerDuty, Facts: "x"}, "target_type"},
		{"own org", accSupervisor, AccountabilityInput{TargetType: TargetUnit, TargetOrg: accCity, Trigger: TriggerDuty, Facts: "x"}, "target_org_id"},
		{"outside", accActor(30, accDist, RoleSupervisor), AccountabilityInput{TargetType: TargetUnit, TargetOrg: Org{ID: 9, Name: "乌达区", Path: "wuhai/wd/"}, Trigger: TriggerDuty, Facts: "x"}, "target_org_id"},
	}
	for _, tt := range tests {
		_, err := NewAccountability(tt.by, tt.in, CauseManual, accT0)
		if e, ok := err.(*Error); !ok || e.Code != EINVALID || e.Fields[tt.field] == "" {
			t.Errorf("%s: err = %v, want a field error on %s", tt.name, err, tt.field)
		}
	}
	// With a case the case's owner handles it, and the target is the case's.
	c := &Case{ID: 5, Number: "乌督学〔2026〕1号", OwnerOrg: accCity, TargetOrg: accSchool, Status: StatusRectifying,
		Findings: []Finding{{ID: 50, Title: "消防通道堵塞", Severity: SeverityCritical, DueOn: "2026-09-01", Status: FindingOpen}}}
	fid := int64(50)
	a, err := NewAccountability(accActor(31, accDist, RoleSupervisor), AccountabilityInput{TargetType: TargetUnit, TargetOrg: accSchool, Case: c,
		FindingID: &fid, Trigger: TriggerSafety, Facts: "x"}, CauseManual, accT0)
	if err != nil || a.OwnerOrg.ID != accCity.ID || *a.CaseID != 5 || a.OpenKey() != "5:50:safety_refusal:unit:" {
		t.Errorf("with a case: %+v, %v", a, err)
	}
	other := int64(51)
	if _, err := NewAccountability(accSupervisor, AccountabilityInput{TargetType: TargetUnit, TargetOrg: accOther, Case: c, FindingID: &other,
		Trigger: TriggerSafety, Facts: "x"}, CauseManual, accT0); ErrorCode(err) != EINVALID {
		t.Errorf("another org and a stranger finding: err = %v, want EINVALID", err)
	}
	// Once decided the record no longer holds the open key.
	a.Status = AccDecided
	if a.OpenKey() != "" {
		t.Errorf("decided record keeps open key %q", a.OpenKey())
	}
}

func TestAutoAccountability(t *testing.T) {
	r := accRules(t)
	c := &Case{ID: 5, Number: "乌督学〔2026〕1号", OwnerOrg: accCity, TargetOrg: accSchool, Status: StatusRectifying, RecheckFailures: 2,
		Findings: []Finding{{ID: 50, Title: "消防通道堵塞", Severity: SeverityCritical, DueOn: "2026-09-01", Status: FindingOpen}}}
	now := time.Date(2026, 9, 20, 9, 0, 0, 0, CST)
	a := NewAutoAccountability(c, &c.Findings[0], CauseOverdue, now, r)
	if a.ProposedBy != 0 || a.Trigger != TriggerSafety || a.AutoKey != "overdue:f50:2026-09-01" || a.OwnerOrg.ID != accCity.ID ||
		!strings.Contains(a.Facts, "已逾期19日") || a.Status != AccProposed {
		t.Errorf("overdue proposal: %+v", a)
	}
	b := NewAutoAccountability(c, nil, CauseSendBacks, now, r)
	if b.AutoKey != "send_backs:c5:2" || b.FindingID != nil || !strings.Contains(b.Facts, "复查2次未通过") {
		t.Errorf("send-back proposal: %+v", b)
	}
	gov := &Case{ID: 6, OwnerOrg: accCity, TargetOrg: accDist}
	if NewAutoAccountability(gov, nil, CauseSendBacks, now, r).Trigger != TriggerDuty {
		t.Error("a government's proposal should be under 履行教育职责不到位")
	}
}

func TestAccFlags(t *testing.T) {
	r := accRules(t)
	a := newTestAcc(t)
	if f := a.Flags(accT0, r, AccFacts{DecidedInYear: 1}); f.Aggravating || f.Stale {
		t.Errorf("one decision, fresh proposal: %+v", f)
	}
	if f := a.Flags(accT0, r, AccFacts{DecidedInYear: 2}); !f.Aggravating || len(f.Reasons) != 1 {
		t.Errorf("two decisions in a year: %+v", f)
	}
	if f := a.Flags(accT0, r, AccFacts{UnrectifiedAfter: true}); !f.Aggravating || !strings.Contains(f.Reasons[0], "未整改") {
		t.Errorf("unrectified after 问责: %+v", f)
	}
	// R55: stale past ProposalDecisionDays (60) after the proposal, while undecided only. Day 60 is
	// Saturday 28 November, so the period runs to Monday 30 November (SPEC §2.3).
	for day, want := range map[int]bool{60: false, 61: false, 62: false, 63: true} {
		if got := a.Flags(accT0.AddDate(0, 0, day), r, AccFacts{}).Stale; got != want {
			t.Errorf("stale on day %d = %v, want %v", day, got, want)
		}
	}
	d, _ := accIn(t, AccDecided)
	if d.Flags(accT0.AddDate(1, 0, 0), r, AccFacts{}).Stale {
		t.Error("a decided record is never stale")
	}
}

// TestIncTransitionTable walks every (state, action) pair of incentives.
func TestIncTransitionTable(t *testing.T) {
	want := map[IncStatus]map[IncAction]IncStatus{
		IncProposed:  {IncDecide: IncDecided, IncDrop: IncDropped},
		IncDecided:   {IncPublish: IncPublished},
		IncPublished: {},
		IncDropped:   {},
	}
	bring := func(st IncStatus) *Incentive {
		i, err := NewIncentive(accSupervisor, IncentiveInput{Kind: IncCommendation, TargetOrg: accSchool, Reason: "整改迅速、成效明显。"}, accT0)
		if err != nil {
			t.Fatal(err)
		}
		switch st {
		case IncDecided, IncPublished:
			if err := i.Decide(accDirector, accT0, "授予督导整改先进单位。"); err != nil {
				t.Fatal(err)
			}
			if st == IncPublished {
				if err := i.Publish(accDirector, accT0); err != nil {
					t.Fatal(err)
				}
			}
		case IncDropped:
			if err := i.Drop(accDirector, accT0, "不符合条件。"); err != nil {
				t.Fatal(err)
			}
		}
		return i
	}
	for _, st := range IncStatuses {
		for _, act := range IncActions {
			to, ok := want[st][act]
			if st.Can(act) != ok {
				t.Errorf("%s.Can(%s) = %v, want %v", st, act, !ok, ok)
			}
			i := bring(st)
			v := i.Version
			var err error
			switch act {
			case IncDecide:
				err = i.Decide(accDirector, accT0, "决定。")
			case IncPublish:
				err = i.Publish(accDirector, accT0)
			case IncDrop:
				err = i.Drop(accDirector, accT0, "理由。")
			}
			switch {
			case ok && (err != nil || i.Status != to || i.Version != v+1):
				t.Errorf("%s --%s-->: %s v%d, %v; want %s", st, act, i.Status, i.Version, err, to)
			case !ok && (ErrorCode(err) != ECONFLICT || i.Status != st || i.Version != v):
				t.Errorf("%s --%s-->: err = %v, want ECONFLICT and no change", st, act, err)
			}
		}
	}
	i := bring(IncProposed)
	if p, ok := i.Permission(IncDecide.Op()); !ok || p.Any[0] != (Right{Act: "decide", Side: AtOwner}) {
		t.Errorf("incentive decide needs %+v, want decide at the owner", p)
	}
	if _, err := NewIncentive(accSupervisor, IncentiveInput{Kind: "money", TargetOrg: accSchool}, accT0); ErrorCode(err) != EINVALID {
		t.Errorf("bad incentive: err = %v, want EINVALID", err)
	}
}

func TestAccLabels(t *testing.T) {
	for _, tr := range Triggers {
		if tr.Label() == string(tr) || !tr.Valid() {
			t.Errorf("trigger %s has no label", tr)
		}
	}
	if len(Triggers) != 6 {
		t.Errorf("R50 has six categories, the list has %d", len(Triggers))
	}
	for _, st := range AccStatuses {
		if st.Label() == string(st) {
			t.Errorf("status %s has no label", st)
		}
	}
	for _, act := range AccActions {
		if act.Label() == string(act) {
			t.Errorf("action %s has no label", act)
		}
	}
	if len(UnitForms) != 5 || len(PersonForms) != 6 || FormLabel("移交") != "移交监察机关或司法机关" {
		t.Error("forms differ from R52/R53")
	}
}
