package domain

import (
	"strings"
	"testing"
	"time"
)

// planT0 is Monday 5 January 2026, 10:00 in Wuhai.
var planT0 = time.Date(2026, 1, 5, 10, 0, 0, 0, CST)

func newTestPlan(t *testing.T) *Plan {
	t.Helper()
	p, err := NewPlan(regSupervisor, regDist, 2026, planT0)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	p.ID = 9
	items := []PlanItemInput{
		{Target: regSchool1, Type: CaseSchool, Kind: KindComprehensive, Year: 2026, Month: 4},
		{Target: regSchool2, Type: CaseSchool, Kind: KindSpecial, Year: 2026, Quarter: 3, Note: "校园安全专项"},
		{Target: regSchool2, Type: CaseSchool, Kind: KindComprehensive, Year: 2027, Quarter: 2},
		{Target: regSchool3, Type: CaseSchool, Kind: KindComprehensive, Year: 2028},
	}
	for _, in := range items {
		if _, err := p.AddItem(regSupervisor, planT0, in); err != nil {
			t.Fatalf("AddItem %+v: %v", in, err)
		}
	}
	for k := range p.Items {
		p.Items[k].ID = int64(k + 1)
	}
	return p
}

func planIn(t *testing.T, st PlanStatus) *Plan {
	t.Helper()
	p := newTestPlan(t)
	if st == PlanDraft {
		return p
	}
	if err := p.Approve(regDirector, planT0); err != nil {
		t.Fatal(err)
	}
	if st == PlanPublished {
		if err := p.Publish(regDirector, planT0); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestPlanTransitionTable walks every (status, step) pair.
func TestPlanTransitionTable(t *testing.T) {
	want := map[PlanStatus]map[PlanAction]PlanStatus{
		PlanDraft:     {PlanApprove: PlanApproved},
		PlanApproved:  {PlanReturn: PlanDraft, PlanPublish: PlanPublished},
		PlanPublished: {},
	}
	for _, st := range PlanStatuses {
		for _, act := range PlanActions {
			to, ok := want[st][act]
			if got := st.Can(act); got != ok {
				t.Errorf("%s.Can(%s) = %v, want %v", st, act, got, ok)
			}
			p := planIn(t, st)
			before := *p
			var err error
			switch act {
			case PlanApprove:
				err = p.Approve(regDirector, planT0)
			case PlanReturn:
				err = p.Return(regDirector, planT0, "请补充督政事项。")
			case PlanPublish:
				err = p.Publish(regDirector, planT0)
			}
			switch {
			case ok && err != nil:
				t.Errorf("%s --%s--> : err = %v, want success", st, act, err)
			case ok && p.Status != to:
				t.Errorf("%s --%s--> %s, want %s", st, act, p.Status, to)
			case ok && p.Version != before.Version+1:
				t.Errorf("%s --%s-->: version %d, want %d", st, act, p.Version, before.Version+1)
			case !ok && ErrorCode(err) != ECONFLICT:
				t.Errorf("%s --%s--> : err = %v, want ECONFLICT", st, act, err)
			case !ok && (p.Status != before.Status || p.Version != before.Version):
				t.Errorf("%s --%s--> refused but changed the plan", st, act)
			}
		}
	}
}

// A plan is approved only with items, each of the first year scheduled to a month or a quarter.
func TestPlanApproveNeedsSchedule(t *testing.T) {
	p, err := NewPlan(regSupervisor, regDist, 2026, planT0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Approve(regDirector, planT0); ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "还没有督导事项") {
		t.Errorf("approving an empty plan: %v", err)
	}
	if _, err := p.AddItem(regSupervisor, planT0, PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindComprehensive, Year: 2026}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddItem(regSupervisor, planT0, PlanItemInput{Target: regSchool2, Type: CaseSchool, Kind: KindComprehensive, Year: 2027}); err != nil {
		t.Fatal(err)
	}
	err = p.Approve(regDirector, planT0)
	if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "实督第一年（2026年）的督导事项须排定月份或季度，尚未排定：第一小学综合督导。") {
		t.Errorf("approving with an unscheduled first-year item: %v", err)
	}
	p.Items[0].Month = 5
	if err := p.Approve(regDirector, planT0); err != nil {
		t.Errorf("a later year needs no month: %v", err)
	}
}

func TestPlanItems(t *testing.T) {
	p := newTestPlan(t)
	if s, ok := p.Stage(2027); !ok || s != StagePrearrange || s.Label() != "预排第二年" {
		t.Errorf("Stage(2027) = %v %v", s, ok)
	}
	if _, ok := p.Stage(2029); ok {
		t.Error("2029 is outside a 2026 plan")
	}
	if w := []string{p.Items[0].When(), p.Items[1].When(), p.Items[3].When()}; w[0] != "2026年4月" || w[1] != "2026年第三季度" || w[2] != "2028年" {
		t.Errorf("When: %v", w)
	}
	tests := []struct {
		name  string
		in    PlanItemInput
		field string
	}{
		{"year before", PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindSpecial, Year: 2025}, "year"},
		{"year after", PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindSpecial, Year: 2029}, "year"},
		{"month and quarter", PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindSpecial, Year: 2026, Month: 4, Quarter: 2}, "quarter"},
		{"month 13", PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindSpecial, Year: 2026, Month: 13}, "month"},
		{"outside the office", PlanItemInput{Target: regCitySch, Type: CaseSchool, Kind: KindSpecial, Year: 2026, Month: 4}, "target_org_id"},
		{"the office itself", PlanItemInput{Target: regDist, Type: CaseGovernment, Kind: KindSpecial, Year: 2026, Month: 4}, "target_org_id"},
		{"kind", PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: "audit", Year: 2026, Month: 4}, "kind"},
		{"twice the same", PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindComprehensive, Year: 2026, Month: 10}, "target_org_id"},
	}
	for _, tt := range tests {
		v := len(p.Items)
		_, err := p.AddItem(regSupervisor, planT0, tt.in)
		if e, _ := err.(*Error); e == nil || e.Fields[tt.field] == "" || len(p.Items) != v {
			t.Errorf("%s: %v, want a field error on %s", tt.name, err, tt.field)
		}
	}
	// The type fits the target: 督政 of governments, 督学 of schools.
	city, _ := NewPlan(regSupervisor, regCity, 2026, planT0)
	for _, tt := range []struct {
		in   PlanItemInput
		says string
	}{
		{PlanItemInput{Target: regOtherD, Type: CaseSchool, Kind: KindSpecial, Year: 2026}, "督学的对象应为学校"},
		{PlanItemInput{Target: regCitySch, Type: CaseGovernment, Kind: KindSpecial, Year: 2026}, "督政的对象应为区（县）或市"},
	} {
		if _, err := city.AddItem(regSupervisor, planT0, tt.in); err == nil || err.(*Error).Fields["target_org_id"] != tt.says+"。" {
			t.Errorf("%+v: %v, want %q", tt.in, err, tt.says)
		}
	}
	if _, err := city.AddItem(regSupervisor, planT0, PlanItemInput{Target: regOtherD, Type: CaseGovernment, Kind: KindComprehensive, Year: 2026}); err != nil {
		t.Errorf("督政 of a district by the city: %v", err)
	}
	// The duplicate rule holds for items not yet saved (no ID), and spares routine visits.
	q, _ := NewPlan(regSupervisor, regDist, 2026, planT0)
	dup := PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindSpecial, Year: 2026, Month: 3}
	if _, err := q.AddItem(regSupervisor, planT0, dup); err != nil {
		t.Fatal(err)
	}
	if _, err := q.AddItem(regSupervisor, planT0, dup); err == nil || !strings.Contains(err.Error(), "督导事项信息有误") {
		t.Errorf("an unsaved duplicate: %v", err)
	}
	routine := PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindRoutine, Year: 2026, Month: 3}
	for range 2 {
		if _, err := q.AddItem(regSupervisor, planT0, routine); err != nil {
			t.Errorf("routine visits recur: %v", err)
		}
	}
	// Updating an item into itself is no duplicate; into another one is.
	in := PlanItemInput{Target: regSchool1, Type: CaseSchool, Kind: KindComprehensive, Year: 2026, Month: 5}
	if _, err := p.UpdateItem(regSupervisor, planT0, 1, in); err != nil || p.Items[0].Month != 5 {
		t.Errorf("moving item 1 to May: %v", err)
	}
	in.Target, in.Kind = regSchool2, KindSpecial
	if _, err := p.UpdateItem(regSupervisor, planT0, 1, in); err == nil {
		t.Error("item 1 made a twin of item 2")
	}
	if _, err := p.UpdateItem(regSupervisor, planT0, 99, in); ErrorCode(err) != ENOTFOUND {
		t.Errorf("updating a missing item: %v", err)
	}
	if err := p.RemoveItem(regSupervisor, planT0, 4); err != nil || len(p.Items) != 3 {
		t.Errorf("removing item 4: %v, %d items", err, len(p.Items))
	}
}

// Items change only in a draft, and the messages say what to do instead.
func TestPlanEditOnlyInDraft(t *testing.T) {
	in := PlanItemInput{Target: regSchool3, Type: CaseSchool, Kind: KindSpecial, Year: 2026, Month: 6}
	for st, says := range map[PlanStatus]string{PlanApproved: "退回修改后", PlanPublished: "下一年度滚动编制"} {
		p := planIn(t, st)
		v := p.Version
		_, err := p.AddItem(regSupervisor, planT0, in)
		if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: add: %v, want ECONFLICT saying %q", st, err, says)
		}
		if err := p.RemoveItem(regSupervisor, planT0, 1); ErrorCode(err) != ECONFLICT || p.Version != v || len(p.Items) != 4 {
			t.Errorf("%s: remove: %v", st, err)
		}
	}
}

// Rolling: next year's plan takes the second and third years of the published one; its second year
// becomes the first.
func TestPlanRoll(t *testing.T) {
	p := planIn(t, PlanApproved)
	if _, err := p.Roll(regSupervisor, planT0); ErrorCode(err) != ECONFLICT {
		t.Errorf("rolling an unpublished plan: %v", err)
	}
	if err := p.Publish(regDirector, planT0); err != nil {
		t.Fatal(err)
	}
	dec := time.Date(2026, 12, 20, 9, 0, 0, 0, CST)
	next, err := p.Roll(regSupervisor, dec)
	if err != nil {
		t.Fatal(err)
	}
	if next.StartYear != 2027 || next.Status != PlanDraft || next.RolledFrom == nil || *next.RolledFrom != 9 || next.Version != 1 {
		t.Errorf("rolled plan %+v", next)
	}
	if len(next.Items) != 2 || next.Items[0].Target.ID != regSchool2.ID || next.Items[1].Target.ID != regSchool3.ID {
		t.Fatalf("rolled items %+v, want 第二小学 (2027) and 第三中学 (2028)", next.Items)
	}
	for _, it := range next.Items {
		if it.ID != 0 {
			t.Errorf("carried item keeps ID %d", it.ID)
		}
	}
	if s, _ := next.Stage(next.Items[0].Year); s != StageExecute {
		t.Errorf("the old second year is now %v, want 实督第一年", s)
	}
	if s, _ := next.Stage(next.Items[1].Year); s != StagePrearrange {
		t.Errorf("the old third year is now %v, want 预排第二年", s)
	}
	if next.Label() != "海勃湾区教育督导计划（2027—2029年）" {
		t.Errorf("label %q", next.Label())
	}
	// A plan two years old cannot be rolled into the past.
	if _, err := p.Roll(regSupervisor, time.Date(2028, 1, 5, 9, 0, 0, 0, CST)); err == nil || err.(*Error).Fields["start_year"] == "" {
		t.Errorf("rolling into 2027 in 2028: %v", err)
	}
}

func TestNewPlanValidation(t *testing.T) {
	for _, tt := range []struct {
		office Org
		year   int
		field  string
	}{
		{regDist, 2025, "start_year"},
		{regDist, 2028, "start_year"},
		{regSchool1, 2026, "office_org_id"},
	} {
		if _, err := NewPlan(regSupervisor, tt.office, tt.year, planT0); err == nil || err.(*Error).Fields[tt.field] == "" {
			t.Errorf("%s %d: %v, want a field error on %s", tt.office.Name, tt.year, err, tt.field)
		}
	}
	if _, err := NewPlan(regSupervisor, regDist, 2027, planT0); err != nil {
		t.Errorf("next year's plan: %v", err)
	}
}
