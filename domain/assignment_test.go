package domain

import (
	"strings"
	"testing"
	"time"
)

// asgT0 is Monday 12 January 2026, 10:00 in Wuhai.
var asgT0 = time.Date(2026, 1, 12, 10, 0, 0, 0, CST)

// appointed is a 兼职督学 of 海勃湾区 in term 2024-03-01 … 2027-02-28, working at 第三中学.
func appointed(t *testing.T, id int64, code, name string) *Inspector {
	t.Helper()
	in := InspectorInput{UserID: 300 + id, Code: code, Name: name, Unit: regSchool3, Kind: PartTime, CertNo: "NM-" + code}
	i, err := ImportInspector(regDirector, regDist, in, []Term{{From: "2024-03-01", Until: "2027-02-28"}}, DefaultRegistryRules(), asgT0)
	if err != nil {
		t.Fatalf("ImportInspector: %v", err)
	}
	i.ID = id
	return i
}

var signIn = PostingInput{Phone: "13904731234", SignNumber: "海督挂〔2026〕1号"}

func TestNewAssignment(t *testing.T) {
	zhang := appointed(t, 1, "hbw-001", "张三")
	a, err := NewAssignment(regDirector, regDist, regSchool1, zhang, 4, signIn, asgT0)
	if err != nil {
		t.Fatal(err)
	}
	p := a.Current("2026-01-12")
	if p == nil || p.InspectorID != 1 || p.From != "2026-01-12" || p.Until != "" || p.Name != "张三" || a.Version != 1 {
		t.Fatalf("posting %+v version %d", p, a.Version)
	}
	if a.Current("2026-01-11") != nil {
		t.Error("the posting covers the day before it began")
	}
	s, ok := a.SignOn("2026-01-12")
	if !ok || s.School != "第一小学" || s.Inspector != "张三" || s.Phone != "13904731234" || s.Office != "海勃湾区" || s.SignNumber != "海督挂〔2026〕1号" {
		t.Errorf("sign %+v", s)
	}
	// R25: the default duties are the eight standing matters.
	if !strings.HasPrefix(s.Duties, "对学校以下事项实施经常性督导：（一）校务管理和制度执行情况；") ||
		!strings.HasSuffix(s.Duties, "（八）校风、教风和学风建设情况。") {
		t.Errorf("default duties %q", s.Duties)
	}
	h := a.Head()
	if h.Object != "assignment" || h.Owner.ID != regDist.ID || h.Target.ID != regSchool1.ID || h.AuditPath() != regSchool1.Path {
		t.Errorf("head %+v", h)
	}
}

// Each refusal of a 责任督学 says why, in words a director reads.
func TestAssignmentRefusals(t *testing.T) {
	rr := DefaultRegistryRules()
	zhang := appointed(t, 1, "hbw-001", "张三")

	suspended := appointed(t, 2, "hbw-002", "李四")
	if err := suspended.Suspend(regDirector, asgT0, "接受调查。"); err != nil {
		t.Fatal(err)
	}
	recommended, err := NewInspector(regSupervisor, regDist, InspectorInput{UserID: 303, Code: "hbw-003", Name: "王五", Unit: regSchool3, Kind: PartTime}, rr, asgT0)
	if err != nil {
		t.Fatal(err)
	}
	conflicted := appointed(t, 4, "hbw-004", "赵六")
	if _, err := conflicted.DeclareConflict(regDirector, asgT0, regSchool1, "配偶任该校校长。"); err != nil {
		t.Fatal(err)
	}
	cityInsp := appointed(t, 5, "wh-005", "钱七")
	cityInsp.Office = regCity

	tests := []struct {
		name   string
		office Org
		school Org
		insp   *Inspector
		load   int
		in     PostingInput
		field  string
		says   []string
	}{
		{"not appointed", regDist, regSchool1, recommended, 0, signIn, "inspector_id", []string{"王五", "已推荐", "只有已聘任且在任期内的督学"}},
		{"suspended", regDist, regSchool1, suspended, 0, signIn, "inspector_id", []string{"李四", "暂停履职"}},
		{"out of term", regDist, regSchool1, zhang, 0, PostingInput{From: "2027-03-01", Phone: "13904731234"}, "inspector_id", []string{"任期已于2027-02-28届满"}},
		{"conflicted", regDist, regSchool1, conflicted, 0, signIn, "inspector_id", []string{"赵六", "回避", "配偶任该校校长"}},
		{"own school", regDist, regSchool3, zhang, 0, signIn, "inspector_id", []string{"回避", "本人工作单位"}},
		{"at the cap", regDist, regSchool1, zhang, 5, signIn, "inspector_id", []string{"已担任5所学校的责任督学", "上限5所"}},
		{"another registry's inspector", regDist, regSchool1, appointedElsewhere(t), 0, signIn, "inspector_id", []string{"乌达区督学名录库", "不在其管辖范围之内"}},
		{"no inspector", regDist, regSchool1, nil, 0, signIn, "inspector_id", []string{"请选择责任督学"}},
		{"not a school", regCity, regDist, zhang, 0, signIn, "school_org_id", []string{"对象应为学校"}},
		{"school outside the office", regDist, regCitySch, cityInsp, 0, signIn, "school_org_id", []string{"管辖范围"}},
		{"school office", regSchool2, regSchool1, zhang, 0, signIn, "office_org_id", []string{"教育督导部门指定"}},
		{"phone", regDist, regSchool1, zhang, 0, PostingInput{Phone: "12345"}, "phone", []string{"11位手机号码或带区号的固定电话"}},
		{"sign number", regDist, regSchool1, zhang, 0, PostingInput{Phone: "0473-2012345", SignNumber: "No. 1"}, "sign_number", []string{"挂牌编号"}},
		{"date", regDist, regSchool1, zhang, 0, PostingInput{From: "2026-1-12", Phone: "0473-2012345"}, "from", []string{"YYYY-MM-DD"}},
	}
	for _, tt := range tests {
		_, err := NewAssignment(regDirector, tt.office, tt.school, tt.insp, tt.load, tt.in, asgT0)
		e, _ := err.(*Error)
		if e == nil || e.Code != EINVALID || e.Fields[tt.field] == "" {
			t.Errorf("%s: %v, want a field error on %s", tt.name, err, tt.field)
			continue
		}
		for _, w := range tt.says {
			if !strings.Contains(e.Fields[tt.field], w) {
				t.Errorf("%s: %q does not say %q", tt.name, e.Fields[tt.field], w)
			}
		}
	}
	// Under the cap is fine; a city inspector may serve a district school (the city covers it).
	if _, err := NewAssignment(regDirector, regDist, regSchool1, zhang, 4, signIn, asgT0); err != nil {
		t.Errorf("load 4 of 5: %v", err)
	}
	if _, err := NewAssignment(regDirector, regDist, regSchool1, cityInsp, 0, signIn, asgT0); err != nil {
		t.Errorf("a city inspector at a district school: %v", err)
	}
}

func appointedElsewhere(t *testing.T) *Inspector {
	i := appointed(t, 6, "wd-006", "孙八")
	i.Office = regOtherD
	return i
}

// A school has one 责任督学 at a time: a second is refused until the first posting ends, or the
// two are swapped in one step (Reassign).
func TestOneInspectorPerSchool(t *testing.T) {
	zhang, li := appointed(t, 1, "hbw-001", "张三"), appointed(t, 2, "hbw-002", "李四")
	a, err := NewAssignment(regDirector, regDist, regSchool1, zhang, 0, signIn, asgT0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Assign(regDirector, asgT0, li, 0, signIn)
	if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "第一小学已有责任督学张三（自2026-01-12起）") || !strings.Contains(err.Error(), "更换责任督学") {
		t.Errorf("a second 责任督学: %v", err)
	}
	if got := a.AllowedActions(nil); len(got) != 3 || slicesHas(got, AsgAssign) {
		t.Errorf("allowed with one in post: %v, want reassign, end, sign", got)
	}

	// Reassign: the old posting ends the day before the new one starts.
	later := asgT0.Add(30 * 24 * time.Hour)
	if _, err := a.Reassign(regDirector, later, zhang, 0, PostingInput{From: "2026-03-01", Phone: "13904731234"}, "定期交流。"); err == nil || err.(*Error).Fields["inspector_id"] == "" {
		t.Errorf("reassigning to the same inspector: %v", err)
	}
	if _, err := a.Reassign(regDirector, later, li, 0, PostingInput{From: "2026-01-12", Phone: "13904731234"}, "定期交流。"); err == nil || err.(*Error).Fields["from"] == "" {
		t.Errorf("reassigning from the first day of the old posting: %v", err)
	}
	if _, err := a.Reassign(regDirector, later, li, 0, PostingInput{From: "2026-03-01", Phone: "13904731234"}, ""); err == nil || err.(*Error).Fields["reason"] == "" {
		t.Errorf("reassigning without a reason: %v", err)
	}
	v := a.Version
	p, err := a.Reassign(regDirector, later, li, 0, PostingInput{From: "2026-03-01", Phone: "0473-3012345"}, "定期交流。")
	if err != nil {
		t.Fatal(err)
	}
	if a.Postings[0].Until != "2026-02-28" || a.Postings[0].EndReason != "定期交流。" || p.InspectorID != 2 || p.From != "2026-03-01" || a.Version != v+1 {
		t.Errorf("after reassign: %+v", a.Postings)
	}
	if a.Current("2026-02-28").InspectorID != 1 || a.Current("2026-03-01").InspectorID != 2 {
		t.Error("the postings should hand over between 28 February and 1 March")
	}

	// End, then assign afresh after the end.
	if err := a.End(regDirector, later, "2026-02-01", "调离。"); err == nil || err.(*Error).Fields["on"] == "" {
		t.Errorf("ending before the posting began: %v", err)
	}
	if err := a.End(regDirector, later, "2026-06-30", "调离。"); err != nil {
		t.Fatal(err)
	}
	if err := a.End(regDirector, later, "2026-06-30", "调离。"); ErrorCode(err) != ECONFLICT {
		t.Errorf("ending twice: %v, want ECONFLICT", err)
	}
	if _, err := a.Assign(regDirector, later, zhang, 0, PostingInput{From: "2026-06-30", Phone: "13904731234"}); err == nil || err.(*Error).Fields["from"] == "" {
		t.Errorf("a new posting overlapping the ended one: %v", err)
	}
	if _, err := a.Assign(regDirector, later, zhang, 0, PostingInput{From: "2026-07-01", Phone: "13904731234"}); err != nil {
		t.Errorf("a new posting after the end: %v", err)
	}
	if n := len(a.Postings); n != 3 || a.Current("2026-06-30").InspectorID != 2 || a.Current("2026-07-01").InspectorID != 1 {
		t.Errorf("postings %+v", a.Postings)
	}
}

func TestUpdateSign(t *testing.T) {
	zhang := appointed(t, 1, "hbw-001", "张三")
	a, err := NewAssignment(regDirector, regDist, regSchool1, zhang, 0, signIn, asgT0)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.UpdateSign(regDirector, asgT0, SignInput{Phone: "电话"}); err == nil || err.(*Error).Fields["phone"] == "" {
		t.Errorf("a phone that is no number: %v", err)
	}
	if err := a.UpdateSign(regDirector, asgT0, SignInput{Phone: " 0473 301 2345 "}); err != nil || a.Open().Phone != "04733012345" {
		t.Errorf("spaces are dropped: %v, %q", err, a.Open().Phone)
	}
	if err := a.UpdateSign(regDirector, asgT0, SignInput{Phone: "0473-3012345-801", Duties: "重点：校园安全。", SignNumber: "HBW-01"}); err != nil {
		t.Fatal(err)
	}
	s, _ := a.SignOn(DateOf(asgT0))
	if s.Phone != "0473-3012345-801" || s.Duties != "重点：校园安全。" || s.SignNumber != "HBW-01" {
		t.Errorf("sign %+v", s)
	}
	if err := a.End(regDirector, asgT0, "", "调离。"); err != nil {
		t.Fatal(err)
	}
	if err := a.UpdateSign(regDirector, asgT0, SignInput{Phone: "13904731234"}); ErrorCode(err) != ECONFLICT {
		t.Errorf("changing the sign with nobody in post: %v, want ECONFLICT", err)
	}
}

func TestValidPhone(t *testing.T) {
	for s, want := range map[string]bool{
		"13904731234": true, "0473-2012345": true, "04732012345": true, "010-12345678": true, "0473-2012345-801": true,
		"12345678901": false, "1390473123": false, "2012345": false, "0473-012345": false, "+8613904731234": false, "": false,
	} {
		if got := ValidPhone(s); got != want {
			t.Errorf("ValidPhone(%q) = %v, want %v", s, got, want)
		}
	}
}
