package domain

import (
	"strings"
	"testing"
	"time"
)

var (
	regCity    = Org{ID: 101, Code: "wuhai", Name: "乌海市", Kind: OrgCity, Path: "wuhai/"}
	regDist    = Org{ID: 102, Code: "hbw", Name: "海勃湾区", Kind: OrgDistrict, Path: "wuhai/hbw/"}
	regSchool1 = Org{ID: 111, Code: "s1", Name: "第一小学", Kind: OrgSchool, Path: "wuhai/hbw/s1/"}
	regSchool2 = Org{ID: 112, Code: "s2", Name: "第二小学", Kind: OrgSchool, Path: "wuhai/hbw/s2/"}
	regSchool3 = Org{ID: 113, Code: "s3", Name: "第三中学", Kind: OrgSchool, Path: "wuhai/hbw/s3/"}
	regCitySch = Org{ID: 120, Code: "yz", Name: "乌海市第一中学", Kind: OrgSchool, Path: "wuhai/yz/"}
	regOtherD  = Org{ID: 103, Code: "wd", Name: "乌达区", Kind: OrgDistrict, Path: "wuhai/wd/"}

	regDirector   = accActor(21, regDist, RoleDirector)
	regSupervisor = accActor(22, regDist, RoleSupervisor)
	regSelf       = accActor(30, regSchool3, RoleSupervisor) // the inspector, who teaches at 第三中学
)

// regT0 is Tuesday 29 September 2026, 10:00 in Wuhai, just before the National Day week of accCalendar.
var regT0 = time.Date(2026, 9, 29, 10, 0, 0, 0, CST)

func regInput(kind InspectorKind) InspectorInput {
	return InspectorInput{UserID: 30, Code: "hbw-007", Name: "张三", Unit: regSchool3, Kind: kind,
		Recommendation: "第三中学推荐：从事教学管理二十年。"}
}

func newRegInspector(t *testing.T, kind InspectorKind) *Inspector {
	t.Helper()
	i, err := NewInspector(regSupervisor, regDist, regInput(kind), DefaultRegistryRules(), regT0)
	if err != nil {
		t.Fatalf("NewInspector: %v", err)
	}
	i.ID = 5
	return i
}

// inspIn brings a fresh 兼职 profile to status st along the ordinary path and returns the clock
// where it stands: the 公示 of 29 September ends on 12 October (accCalendar), the appointment is on
// 13 October.
func inspIn(t *testing.T, st InspStatus) (*Inspector, time.Time) {
	t.Helper()
	rr, cal := DefaultRegistryRules(), accCalendar(t)
	i := newRegInspector(t, PartTime)
	now := regT0
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("bringing the profile to %s: %v", st, err)
		}
	}
	if st == InspRecommended {
		return i, now
	}
	if st == InspRejected {
		step(i.Reject(regDirector, now, "推荐材料不全。"))
		return i, now
	}
	step(i.Approve(regDirector, now, "符合条件。"))
	if st == InspApproved {
		return i, now
	}
	step(i.Publicize(regDirector, now, rr, cal))
	now = time.Date(2026, 10, 13, 9, 0, 0, 0, CST)
	if st == InspPublicized {
		return i, now
	}
	step(i.Appoint(regDirector, now, rr, AppointInput{CertNo: "NM-HBW-2026-007"}))
	switch st {
	case InspSuspended:
		step(i.Suspend(regDirector, now, "接受调查期间暂停履职。"))
	case InspRetired:
		step(i.Retire(regDirector, now, "本人申请退出。"))
	}
	return i, now
}

// TestInspTransitionTable walks every (status, step) pair: the table says which are allowed, and each
// method, called properly by the office, succeeds exactly then, leading where the table says;
// otherwise it is a 409 and changes nothing.
func TestInspTransitionTable(t *testing.T) {
	want := map[InspStatus]map[InspAction]InspStatus{
		InspRecommended: {InspApprove: InspApproved, InspReject: InspRejected},
		InspApproved:    {InspPublicize: InspPublicized, InspReject: InspRejected},
		InspPublicized:  {InspAppoint: InspAppointed, InspReject: InspRejected},
		InspAppointed:   {InspRenew: InspAppointed, InspSuspend: InspSuspended, InspRetire: InspRetired},
		InspSuspended:   {InspResume: InspAppointed, InspRetire: InspRetired},
		InspRejected:    {InspRecommend: InspRecommended},
		InspRetired:     {InspRecommend: InspRecommended},
	}
	rr, cal := DefaultRegistryRules(), accCalendar(t)
	for _, st := range InspStatuses {
		for _, act := range InspActions {
			to, ok := want[st][act]
			if got := st.Can(act); got != ok {
				t.Errorf("%s.Can(%s) = %v, want %v", st, act, got, ok)
			}
			i, now := inspIn(t, st)
			before := *i
			var err error
			switch act {
			case InspApprove:
				err = i.Approve(regDirector, now, "")
			case InspReject:
				err = i.Reject(regDirector, now, "公示期间收到实名反映，经核实属实。")
			case InspPublicize:
				err = i.Publicize(regDirector, now, rr, cal)
			case InspAppoint:
				err = i.Appoint(regDirector, now, rr, AppointInput{CertNo: "NM-HBW-2026-007"})
			case InspRenew:
				err = i.Renew(regDirector, now, rr, "")
			case InspSuspend:
				err = i.Suspend(regDirector, now, "理由。")
			case InspResume:
				err = i.Resume(regDirector, now)
			case InspRetire:
				err = i.Retire(regDirector, now, "理由。")
			case InspRecommend:
				err = i.Recommend(regDirector, now, "")
			}
			switch {
			case ok && err != nil:
				t.Errorf("%s --%s--> : err = %v, want success", st, act, err)
			case ok && i.Status != to:
				t.Errorf("%s --%s--> %s, want %s", st, act, i.Status, to)
			case ok && i.Version != before.Version+1:
				t.Errorf("%s --%s-->: version %d, want %d", st, act, i.Version, before.Version+1)
			case !ok && ErrorCode(err) != ECONFLICT:
				t.Errorf("%s --%s--> : err = %v, want ECONFLICT", st, act, err)
			case !ok && (i.Status != before.Status || i.Version != before.Version):
				t.Errorf("%s --%s--> refused but changed the profile", st, act)
			}
		}
	}
}

func TestNewInspectorValidation(t *testing.T) {
	rr := DefaultRegistryRules()
	tests := []struct {
		name   string
		office Org
		edit   func(*InspectorInput)
		fields []string
	}{
		{"ok", regDist, func(*InspectorInput) {}, nil},
		{"cert given early is fine", regDist, func(in *InspectorInput) { in.CertNo = "NM-2026-0012" }, nil},
		{"school keeps no registry", regSchool1, func(*InspectorInput) {}, []string{"office_org_id"}},
		{"no user", regDist, func(in *InspectorInput) { in.UserID = 0 }, []string{"user_id"}},
		{"code with a bar would break draw keys", regDist, func(in *InspectorInput) { in.Code = "hbw|7" }, []string{"code"}},
		{"code empty", regDist, func(in *InspectorInput) { in.Code = " " }, []string{"code"}},
		{"code too long", regDist, func(in *InspectorInput) { in.Code = strings.Repeat("a", 33) }, []string{"code"}},
		{"cert with a space", regDist, func(in *InspectorInput) { in.CertNo = "NM 2026" }, []string{"cert_no"}},
		{"cert in Chinese", regDist, func(in *InspectorInput) { in.CertNo = "督学001" }, []string{"cert_no"}},
		{"cert too long", regDist, func(in *InspectorInput) { in.CertNo = strings.Repeat("1", 33) }, []string{"cert_no"}},
		{"kind", regDist, func(in *InspectorInput) { in.Kind = "visiting" }, []string{"kind"}},
		{"cap", regDist, func(in *InspectorInput) { in.LoadCap = -1 }, []string{"load_cap"}},
		{"name and unit", regDist, func(in *InspectorInput) { in.Name, in.Unit = "", Org{} }, []string{"name", "unit_org_id"}},
	}
	for _, tt := range tests {
		in := regInput(PartTime)
		tt.edit(&in)
		i, err := NewInspector(regSupervisor, tt.office, in, rr, regT0)
		if tt.fields == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			} else if i.Status != InspRecommended || i.LoadCap != 5 || i.Version != 1 {
				t.Errorf("%s: status %s cap %d version %d, want recommended, the default cap 5, 1", tt.name, i.Status, i.LoadCap, i.Version)
			}
			continue
		}
		e, _ := err.(*Error)
		if e == nil || e.Code != EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", tt.name, err)
			continue
		}
		for _, f := range tt.fields {
			if e.Fields[f] == "" {
				t.Errorf("%s: no message on %s (%v)", tt.name, f, e.Fields)
			}
		}
		if len(e.Fields) != len(tt.fields) {
			t.Errorf("%s: fields %v, want only %v", tt.name, e.Fields, tt.fields)
		}
	}
}

// The 公示 lasts 5 working days, the day of publication not counting: from Tuesday 29 September the
// holiday week does not count and the 调休 Saturday does, so it ends on Monday 12 October; the
// appointment is possible from the 13th, and its term cannot start earlier.
func TestPublicityBeforeAppointment(t *testing.T) {
	rr := DefaultRegistryRules()
	i, _ := inspIn(t, InspPublicized)
	if i.PublicizedOn != "2026-09-29" || i.PublicityUntil != "2026-10-12" {
		t.Fatalf("公示 %s to %s, want 2026-09-29 to 2026-10-12", i.PublicizedOn, i.PublicityUntil)
	}
	lastDay := time.Date(2026, 10, 12, 17, 0, 0, 0, CST)
	err := i.Appoint(regDirector, lastDay, rr, AppointInput{CertNo: "NM-1"})
	if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "2026-10-12") {
		t.Errorf("appoint on the last day of the 公示: %v, want ECONFLICT naming 2026-10-12", err)
	}
	if slicesHas(i.AllowedActions(regDirector, lastDay, rr, nil), InspAppoint) {
		t.Error("appoint is offered during the 公示")
	}
	next := time.Date(2026, 10, 13, 9, 0, 0, 0, CST)
	err = i.Appoint(regDirector, next, rr, AppointInput{From: "2026-10-12", CertNo: "NM-1"})
	if e, _ := err.(*Error); e == nil || e.Fields["from"] == "" {
		t.Errorf("a term starting inside the 公示: %v, want a field error on from", err)
	}
	if err := i.Appoint(regDirector, next, rr, AppointInput{}); err == nil || err.(*Error).Fields["cert_no"] == "" {
		t.Errorf("appointing without a 督学证号: %v, want a field error on cert_no", err)
	}
	if err := i.Appoint(regDirector, next, rr, AppointInput{CertNo: "NM-HBW-1"}); err != nil {
		t.Fatal(err)
	}
	want := Term{Seq: 1, From: "2026-10-13", Until: "2029-10-12"}
	if len(i.Terms) != 1 || i.Terms[0] != want || i.CertNo != "NM-HBW-1" {
		t.Errorf("terms %+v cert %q, want [%+v] NM-HBW-1", i.Terms, i.CertNo, want)
	}
	if !i.InService("2026-10-13") || i.InService("2026-10-12") || !i.InService("2029-10-12") || i.InService("2029-10-13") {
		t.Error("in service should be exactly 2026-10-13 … 2029-10-12")
	}

	// A 专职督学 has no fixed term, and no renewal.
	f := newRegInspector(t, FullTime)
	now := regT0
	for _, err := range []error{f.Approve(regDirector, now, ""), f.Publicize(regDirector, now, rr, accCalendar(t)),
		f.Appoint(regDirector, next, rr, AppointInput{CertNo: "NM-2"})} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if f.Terms[0].Until != "" || !f.InService("2040-01-01") {
		t.Errorf("full-time term %+v, want open", f.Terms[0])
	}
	if err := f.Renew(regDirector, next, rr, ""); ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "专职督学") {
		t.Errorf("renewing a 专职督学: %v, want ECONFLICT", err)
	}
}

func slicesHas[T comparable](s []T, x T) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// threeTerms is a 兼职督学 in the third of three consecutive terms: 2017-03-01 … 2026-02-28.
func threeTerms(t *testing.T, now time.Time) *Inspector {
	t.Helper()
	in := regInput(PartTime)
	in.CertNo = "NM-HBW-2017-007"
	i, err := ImportInspector(regDirector, regDist, in, []Term{
		{From: "2017-03-01", Until: "2020-02-29"},
		{From: "2020-03-01", Until: "2023-02-28"},
		{From: "2023-03-01", Until: "2026-02-28"},
	}, DefaultRegistryRules(), now)
	if err != nil {
		t.Fatalf("ImportInspector: %v", err)
	}
	return i
}

// R6: a 兼职督学 serves at most three terms in a row. A fourth consecutive term is refused, whether by
// renewal or by a new appointment after leaving; a break of a full year (TermGapDays, 365) between
// terms ends the run, and the count starts again.
func TestTermLimit(t *testing.T) {
	rr := DefaultRegistryRules()
	now := time.Date(2026, 1, 10, 9, 0, 0, 0, CST)
	i := threeTerms(t, now)
	if seqs := []int{i.Terms[0].Seq, i.Terms[1].Seq, i.Terms[2].Seq}; seqs[0] != 1 || seqs[1] != 2 || seqs[2] != 3 {
		t.Errorf("imported seqs %v, want 1 2 3", seqs)
	}
	if i.Status != InspAppointed || !i.InService("2026-01-10") {
		t.Errorf("imported: status %s, in service %v", i.Status, i.InService("2026-01-10"))
	}

	err := i.Renew(regDirector, now, rr, "")
	if ErrorCode(err) != ECONFLICT {
		t.Fatalf("fourth consecutive term: %v, want ECONFLICT", err)
	}
	for _, w := range []string{"不得超过3届", "2017-03-01", "2026-02-28", "连续第4届", "2027-03-01"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not say %q", err.Error(), w)
		}
	}
	if slicesHas(i.AllowedActions(regDirector, now, rr, nil), InspRenew) {
		t.Error("renew is offered for a fourth consecutive term")
	}
	// 364 days of break are not enough; 365 are.
	if err := i.Renew(regDirector, now, rr, "2027-02-28"); ErrorCode(err) != ECONFLICT {
		t.Errorf("renewal after a 364-day break: %v, want ECONFLICT", err)
	}
	if err := i.Renew(regDirector, now, rr, "2027-03-01"); err != nil {
		t.Fatalf("renewal after a 365-day break: %v", err)
	}
	if got := i.LastTerm(); *got != (Term{Seq: 1, From: "2027-03-01", Until: "2030-02-28"}) {
		t.Errorf("term after the break %+v, want a first term 2027-03-01 … 2030-02-28", *got)
	}

	// With two terms served, the third is allowed and numbered 3.
	j := threeTerms(t, now)
	j.Terms = j.Terms[1:] // 2020-03-01 … 2026-02-28
	if err := j.Renew(regDirector, now, rr, ""); err != nil || j.LastTerm().Seq != 3 || j.LastTerm().From != "2026-03-01" {
		t.Errorf("third term: %v, %+v", err, j.LastTerm())
	}

	// Leaving and coming back through the whole procedure does not reset the count either.
	k := threeTerms(t, now)
	steps := []error{
		k.Retire(regDirector, now, "工作调动。"),
		k.Recommend(regDirector, now.Add(24*time.Hour), "重新推荐。"),
		k.Approve(regDirector, now.Add(48*time.Hour), ""),
		k.Publicize(regDirector, now.Add(48*time.Hour), rr, Calendar{}),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	if k.Terms[2].Until != "2026-01-10" {
		t.Errorf("retiring cut the term to %s, want 2026-01-10", k.Terms[2].Until)
	}
	later := time.Date(2026, 3, 2, 9, 0, 0, 0, CST)
	if err := k.Appoint(regDirector, later, rr, AppointInput{}); ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "连续第4届") {
		t.Errorf("re-appointment less than a year after leaving: %v, want the R6 refusal", err)
	}
	if slicesHas(k.AllowedActions(regDirector, later, rr, nil), InspAppoint) {
		t.Error("appoint is offered for a fourth consecutive term")
	}
	if err := k.Appoint(regDirector, later, rr, AppointInput{From: "2027-01-11"}); err != nil {
		t.Fatalf("appointment from a year and a day after leaving: %v", err)
	}
	if k.LastTerm().Seq != 1 || k.Status != InspAppointed {
		t.Errorf("after the break: seq %d status %s, want 1 appointed", k.LastTerm().Seq, k.Status)
	}

	// An import of four terms in a row is refused.
	in := regInput(PartTime)
	in.CertNo = "NM-1"
	_, err = ImportInspector(regDirector, regDist, in, []Term{
		{From: "2014-03-01", Until: "2017-02-28"}, {From: "2017-03-01", Until: "2020-02-29"},
		{From: "2020-03-01", Until: "2023-02-28"}, {From: "2023-03-01", Until: "2026-02-28"},
	}, rr, now)
	if e, _ := err.(*Error); e == nil || !strings.Contains(e.Fields["terms"], "不得超过3届") {
		t.Errorf("importing four consecutive terms: %v, want a field error on terms", err)
	}
	// A 专职督学 has no such limit.
	in.Kind = FullTime
	if _, err := ImportInspector(regDirector, regDist, in, []Term{
		{From: "2008-03-01", Until: "2011-02-28"}, {From: "2011-03-01", Until: "2014-02-28"},
		{From: "2014-03-01", Until: "2017-02-28"}, {From: "2017-03-01"},
	}, rr, now); err != nil {
		t.Errorf("a 专职督学's history: %v", err)
	}
}

func TestImportInspectorTerms(t *testing.T) {
	rr := DefaultRegistryRules()
	now := time.Date(2026, 1, 10, 9, 0, 0, 0, CST)
	in := regInput(PartTime)
	in.CertNo = "NM-1"
	tests := []struct {
		name  string
		terms []Term
	}{
		{"none", nil},
		{"future", []Term{{From: "2026-03-01", Until: "2029-02-28"}}},
		{"open part-time", []Term{{From: "2024-03-01"}}},
		{"longer than 3 years", []Term{{From: "2023-03-01", Until: "2026-03-01"}}},
		{"overlap", []Term{{From: "2020-03-01", Until: "2023-02-28"}, {From: "2023-02-28", Until: "2026-02-27"}}},
		{"ends before it starts", []Term{{From: "2023-03-01", Until: "2023-02-01"}}},
	}
	for _, tt := range tests {
		_, err := ImportInspector(regDirector, regDist, in, tt.terms, rr, now)
		if e, _ := err.(*Error); e == nil || e.Fields["terms"] == "" {
			t.Errorf("%s: %v, want a field error on terms", tt.name, err)
		}
	}
	noCert := regInput(PartTime)
	if _, err := ImportInspector(regDirector, regDist, noCert, []Term{{From: "2024-03-01", Until: "2027-02-28"}}, rr, now); err == nil || err.(*Error).Fields["cert_no"] == "" {
		t.Errorf("import without a 督学证号: %v", err)
	}
}

// R38: training hours are summed per year from the training file.
func TestTrainingHours(t *testing.T) {
	i, now := inspIn(t, InspAppointed)
	for _, in := range []TrainingInput{
		{Year: 2025, Hours: 16, Course: "新任督学岗前培训", Provider: "自治区教育督导室"},
		{Year: 2026, Hours: 24, Course: "挂牌督导实务"},
		{Year: 2026, Hours: 20, Course: "校园安全专题", Provider: "市教育局"},
	} {
		if _, err := i.AddTraining(regSupervisor, now, in); err != nil {
			t.Fatal(err)
		}
	}
	for year, want := range map[int]int{2024: 0, 2025: 16, 2026: 44} {
		if got := i.TrainingHours(year); got != want {
			t.Errorf("hours in %d = %d, want %d", year, got, want)
		}
	}
	bad := []struct {
		in    TrainingInput
		field string
	}{
		{TrainingInput{Year: 2027, Hours: 8, Course: "x"}, "year"},
		{TrainingInput{Year: 2026, Hours: 0, Course: "x"}, "hours"},
		{TrainingInput{Year: 2026, Hours: 401, Course: "x"}, "hours"},
		{TrainingInput{Year: 2026, Hours: 8, Course: " "}, "course"},
	}
	for _, b := range bad {
		v := i.Version
		_, err := i.AddTraining(regSupervisor, now, b.in)
		if e, _ := err.(*Error); e == nil || e.Fields[b.field] == "" || i.Version != v {
			t.Errorf("%+v: %v, want a field error on %s and no change", b.in, err, b.field)
		}
	}
	for k := range i.Trainings {
		i.Trainings[k].ID = int64(k + 1) // as storage would
	}
	if err := i.RemoveTraining(regDirector, now, 3); err != nil || i.TrainingHours(2026) != 24 {
		t.Errorf("after removing the 20 hours: %v, %d hours, want 24", err, i.TrainingHours(2026))
	}
	if err := i.RemoveTraining(regDirector, now, 3); ErrorCode(err) != ENOTFOUND {
		t.Errorf("removing it again: %v, want ENOTFOUND", err)
	}
}

// Conflicts (回避): a declared one covers the unit and every unit under it; the inspector's own unit
// is always one; only the office withdraws one, never the inspector.
func TestConflicts(t *testing.T) {
	i, now := inspIn(t, InspAppointed)
	if _, err := i.DeclareConflict(regSelf, now, regSchool1, "配偶任该校校长。"); err != nil {
		t.Fatal(err)
	}
	if _, err := i.DeclareConflict(regSelf, now, regSchool1, "又一次。"); err == nil || err.(*Error).Fields["org_id"] == "" {
		t.Errorf("declaring the same unit twice: %v", err)
	}
	if _, err := i.DeclareConflict(regSelf, now, regSchool2, ""); err == nil || err.(*Error).Fields["reason"] == "" {
		t.Errorf("a conflict without a reason: %v", err)
	}
	tests := []struct {
		target Org
		want   bool
		reason string
	}{
		{regSchool1, true, "配偶任该校校长。"},
		{regSchool2, false, ""},
		{regSchool3, true, "本人工作单位"},
		{regDist, false, ""}, // a conflict with a school does not reach up to its district
	}
	for _, tt := range tests {
		c, ok := i.ConflictsWith(tt.target)
		if ok != tt.want || c.Reason != tt.reason {
			t.Errorf("ConflictsWith(%s) = %q %v, want %q %v", tt.target.Name, c.Reason, ok, tt.reason, tt.want)
		}
	}
	if _, err := i.DeclareConflict(regDirector, now, regOtherD, "近亲属任乌达区教育局局长。"); err != nil {
		t.Fatal(err)
	}
	wdSchool := Org{ID: 130, Name: "乌达区第一小学", Kind: OrgSchool, Path: "wuhai/wd/s1/"}
	if _, ok := i.ConflictsWith(wdSchool); !ok {
		t.Error("a conflict with a district should reach its schools")
	}
	i.Conflicts[0].ID, i.Conflicts[1].ID = 1, 2
	if err := i.WithdrawConflict(regSelf, now, 1); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("the inspector withdrawing their own conflict: %v, want EFORBIDDEN", err)
	}
	if err := i.WithdrawConflict(regDirector, now, 1); err != nil {
		t.Fatal(err)
	}
	if _, ok := i.ConflictsWith(regSchool1); ok {
		t.Error("the withdrawn conflict still applies")
	}
}

// Nobody decides about their own profile.
func TestInspectorSelf(t *testing.T) {
	rr := DefaultRegistryRules()
	i, now := inspIn(t, InspRecommended)
	if err := i.Approve(regSelf, now, ""); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("approving oneself: %v, want EFORBIDDEN", err)
	}
	if got := i.AllowedActions(regSelf, now, rr, nil); len(got) != 0 {
		t.Errorf("allowed to oneself: %v, want none", got)
	}
	if err := i.Edit(regSelf, now, regInput(PartTime), rr); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("editing oneself: %v, want EFORBIDDEN", err)
	}
}

func TestInspectorEdit(t *testing.T) {
	rr := DefaultRegistryRules()
	i, now := inspIn(t, InspAppointed)
	in := regInput(PartTime)
	in.Name, in.LoadCap, in.CertNo = "张三丰", 6, "NM-HBW-2026-008"
	in.Code, in.UserID = "changed", 99 // neither changes
	if err := i.Edit(regDirector, now, in, rr); err != nil {
		t.Fatal(err)
	}
	if i.Name != "张三丰" || i.LoadCap != 6 || i.Code != "hbw-007" || i.UserID != 30 {
		t.Errorf("after edit: %+v", i)
	}
	in.Kind = FullTime
	if err := i.Edit(regDirector, now, in, rr); err == nil || err.(*Error).Fields["kind"] == "" {
		t.Errorf("changing the kind after a term: %v", err)
	}
	in.Kind, in.CertNo = PartTime, ""
	if err := i.Edit(regDirector, now, in, rr); err == nil || err.(*Error).Fields["cert_no"] == "" {
		t.Errorf("dropping the certificate of an appointed inspector: %v", err)
	}
}

// Retiring cuts the current term and drops a renewal not yet begun.
func TestRetireCutsTerms(t *testing.T) {
	rr := DefaultRegistryRules()
	now := time.Date(2026, 1, 10, 9, 0, 0, 0, CST)
	i := threeTerms(t, now)
	i.Terms = i.Terms[1:] // two terms: 2020 and 2023
	if err := i.Renew(regDirector, now, rr, ""); err != nil {
		t.Fatal(err)
	}
	if err := i.Retire(regDirector, now, "退休。"); err != nil {
		t.Fatal(err)
	}
	if len(i.Terms) != 2 || i.LastTerm().Until != "2026-01-10" {
		t.Errorf("terms after retiring %+v, want two, the last ending 2026-01-10", i.Terms)
	}
	if i.InService("2026-01-11") || i.StatusReason != "退休。" {
		t.Errorf("retired: in service %v, reason %q", i.InService("2026-01-11"), i.StatusReason)
	}
}

func TestRegistryRulesValidate(t *testing.T) {
	if err := DefaultRegistryRules().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	rr := DefaultRegistryRules()
	rr.TermYears, rr.SpringStarts, rr.AutumnStarts = 0, "02-29", "13-01"
	e, _ := rr.Validate().(*Error)
	if e == nil || e.Fields["term_years"] == "" || e.Fields["spring_starts"] == "" || e.Fields["autumn_starts"] == "" {
		t.Errorf("bad rules: %v", e)
	}
	rr = DefaultRegistryRules()
	rr.SpringStarts, rr.AutumnStarts = "09-01", "02-01"
	if e, _ := rr.Validate().(*Error); e == nil || e.Fields["autumn_starts"] == "" {
		t.Errorf("semesters in the wrong order: %v", e)
	}
	for k := range map[string]bool{"publicity_working_days": true, "term_years": true, "max_consecutive_terms": true,
		"term_gap_days": true, "default_load_cap": true, "training_hours_per_year": true, "monthly_visits": true, "semester_visits": true} {
		if DefaultRegistryRules().Sources[k] == "" {
			t.Errorf("no source for %s", k)
		}
	}
}

// Every step of the three records names the casbin right it needs, at the owner; the policy lines
// the lead adds must grant exactly these actions.
func TestRegistryPermissions(t *testing.T) {
	type rec struct {
		r    Record
		ops  []Op
		acts []string
	}
	var inspOps []Op
	for _, a := range InspActions {
		inspOps = append(inspOps, a.Op())
	}
	var asgOps []Op
	for _, a := range AsgActions {
		asgOps = append(asgOps, a.Op())
	}
	var planOps []Op
	for _, a := range PlanActions {
		planOps = append(planOps, a.Op())
	}
	recs := map[string]rec{
		"inspector": {&Inspector{}, append(inspOps, OpCreateInspector, OpImportInspector, OpEditInspector, OpAddTraining, OpRemoveTraining, OpDeclareConflict, OpWithdrawConflict),
			[]string{"recommend", "import", "edit", "approve", "reject", "publicize", "appoint", "renew", "suspend", "resume", "retire", "training.write", "conflict.declare", "conflict.withdraw"}},
		"assignment": {&Assignment{}, append(asgOps, OpCreateAssignment), []string{"assign"}},
		"plan":       {&Plan{}, append(planOps, OpCreatePlan, OpRollPlan, OpAddPlanItem, OpUpdatePlanItem, OpRemovePlanItem), []string{"create", "edit", "approve", "return", "publish"}},
	}
	for object, r := range recs {
		if r.r.Head().Object != object {
			t.Errorf("%T: head object %q, want %q", r.r, r.r.Head().Object, object)
		}
		used := map[string]bool{}
		for _, op := range r.ops {
			p, ok := r.r.Permission(op)
			if !ok || p.Object != object || len(p.Any) != 1 || p.Any[0].Side != AtOwner || p.Label == "" {
				t.Errorf("%s: Permission(%s) = %+v, %v", object, op, p, ok)
				continue
			}
			used[p.Any[0].Act] = true
		}
		for _, a := range r.acts {
			if !used[a] {
				t.Errorf("%s: no step needs %q", object, a)
			}
		}
		if len(used) != len(r.acts) {
			t.Errorf("%s: actions %v, want %v", object, used, r.acts)
		}
		if _, ok := r.r.Permission("case.issue"); ok {
			t.Errorf("%s answers for a case step", object)
		}
	}
}
