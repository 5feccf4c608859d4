package domain

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSemesterOf(t *testing.T) {
	rr := DefaultRegistryRules()
	tests := []struct {
		d          Date
		start, end Date
		label      string
	}{
		{"2025-09-01", "2025-09-01", "2026-01-31", "2025—2026学年第一学期"},
		{"2026-01-31", "2025-09-01", "2026-01-31", "2025—2026学年第一学期"},
		{"2026-02-01", "2026-02-01", "2026-08-31", "2025—2026学年第二学期"},
		{"2026-08-31", "2026-02-01", "2026-08-31", "2025—2026学年第二学期"},
		{"2026-09-01", "2026-09-01", "2027-01-31", "2026—2027学年第一学期"},
		{"2028-02-29", "2028-02-01", "2028-08-31", "2027—2028学年第二学期"},
	}
	for _, tt := range tests {
		s := rr.SemesterOf(tt.d)
		if s.Start != tt.start || s.End != tt.end || s.Label() != tt.label || !s.Contains(tt.d) {
			t.Errorf("SemesterOf(%s) = %s … %s %s, want %s … %s %s", tt.d, s.Start, s.End, s.Label(), tt.start, tt.end, tt.label)
		}
	}
	// A later spring start (a long winter break) moves the cut, and a leap day stays in autumn.
	rr.SpringStarts = "03-01"
	if s := rr.SemesterOf("2028-02-29"); s.Start != "2027-09-01" || s.End != "2028-02-29" || !s.Autumn {
		t.Errorf("with spring from 03-01: %+v", s)
	}
}

var (
	covA = Org{ID: 201, Name: "甲校", Kind: OrgSchool, Path: "wuhai/hbw/a/"}
	covB = Org{ID: 202, Name: "乙校", Kind: OrgSchool, Path: "wuhai/hbw/b/"}
	covC = Org{ID: 203, Name: "丙校", Kind: OrgSchool, Path: "wuhai/hbw/c/"}
)

func ruleFor(fs []CoverageFinding, schoolID, inspectorID int64) []CoverageFinding {
	var out []CoverageFinding
	for _, f := range fs {
		if (schoolID != 0 && f.SchoolID == schoolID) || (inspectorID != 0 && f.InspectorID == inspectorID) {
			out = append(out, f)
		}
	}
	return out
}

// R28, across a month boundary: a school visited on 28 January is covered in January and not in
// February; the month is Wuhai's, whatever the zone of the clock.
func TestMonthlyVisits(t *testing.T) {
	rr := DefaultRegistryRules()
	schools := []Org{covA, covB}
	visits := []Visit{{SchoolID: covA.ID, On: "2026-01-28"}, {SchoolID: covB.ID, On: "2025-12-31"}}
	tests := []struct {
		now       time.Time
		flagA     bool
		monthWord string
		daysLeft  string
	}{
		{time.Date(2026, 1, 28, 8, 0, 0, 0, CST), false, "", ""},
		{time.Date(2026, 1, 31, 23, 30, 0, 0, CST), false, "", ""},
		{time.Date(2026, 2, 1, 0, 30, 0, 0, CST), true, "2026年2月", "本月还剩27天"},
		{time.Date(2026, 1, 31, 16, 30, 0, 0, time.UTC), true, "2026年2月", "本月还剩27天"}, // 1 February 00:30 in Wuhai
		{time.Date(2026, 1, 27, 23, 0, 0, 0, CST), true, "2026年1月", "本月还剩4天"},
	}
	for _, tt := range tests {
		fs := MonthlyVisitGaps(schools, visits, tt.now, rr)
		a := ruleFor(fs, covA.ID, 0)
		if got := len(a) == 1; got != tt.flagA {
			t.Errorf("%v: 甲校 flagged %v, want %v (%v)", tt.now, got, tt.flagA, fs)
			continue
		}
		if tt.flagA {
			m := a[0].Message
			if a[0].Rule != CovMonthlyVisit || !strings.Contains(m, tt.monthWord) || !strings.Contains(m, tt.daysLeft) {
				t.Errorf("%v: message %q, want %s, %s", tt.now, m, tt.monthWord, tt.daysLeft)
			}
		}
		if len(ruleFor(fs, covB.ID, 0)) != 1 {
			t.Errorf("%v: 乙校, last visited 31 December, should be flagged", tt.now)
		}
	}
	rr.MonthlyVisits = 2
	if fs := MonthlyVisitGaps(schools, visits, time.Date(2026, 1, 29, 8, 0, 0, 0, CST), rr); len(ruleFor(fs, covA.ID, 0)) != 1 {
		t.Error("with a floor of two a month, one visit is not enough")
	}
}

// R3, across a semester boundary: two visits in the autumn semester satisfy it until 31 January and
// do not count in the spring semester; two visits on one day are one visit.
func TestSemesterVisits(t *testing.T) {
	rr := DefaultRegistryRules()
	schools := []Org{covA, covB, covC}
	visits := []Visit{
		{SchoolID: covA.ID, On: "2026-01-28"},
		{SchoolID: covB.ID, On: "2025-10-10"}, {SchoolID: covB.ID, On: "2025-12-01"},
		{SchoolID: covC.ID, On: "2025-10-10"}, {SchoolID: covC.ID, On: "2025-10-10"},
	}
	flagged := func(now time.Time) []int64 {
		var ids []int64
		for _, f := range SemesterVisitGaps(schools, visits, now, rr) {
			ids = append(ids, f.SchoolID)
		}
		return ids
	}
	lastAutumn := time.Date(2026, 1, 31, 12, 0, 0, 0, CST)
	if got := flagged(lastAutumn); !slices.Equal(got, []int64{covA.ID, covC.ID}) {
		t.Errorf("31 January: flagged %v, want 甲校 (one visit) and 丙校 (two on one day)", got)
	}
	firstSpring := time.Date(2026, 2, 1, 9, 0, 0, 0, CST)
	if got := flagged(firstSpring); !slices.Equal(got, []int64{covA.ID, covB.ID, covC.ID}) {
		t.Errorf("1 February: flagged %v, want all three", got)
	}
	fs := SemesterVisitGaps(schools, visits, firstSpring, rr)
	if m := fs[1].Message; !strings.Contains(m, "乙校本学期（2025—2026学年第二学期，2026-02-01至2026-08-31）经常性督导0次，少于每学期2次") ||
		!strings.Contains(m, "还有211天") {
		t.Errorf("message %q", m)
	}
	// Spring visits count in spring.
	visits = append(visits, Visit{SchoolID: covB.ID, On: "2026-03-02"}, Visit{SchoolID: covB.ID, On: "2026-04-07"})
	if got := flagged(time.Date(2026, 4, 8, 9, 0, 0, 0, CST)); slices.Contains(got, covB.ID) {
		t.Errorf("乙校 with two spring visits is flagged: %v", got)
	}
}

// Schools without a 责任督学 (R21): none ever, a posting that has ended, and those whose 责任督学
// cannot serve — suspended, out of term, gone from the registry, or conflicted with the school.
func TestSchoolsWithoutInspector(t *testing.T) {
	now := time.Date(2026, 1, 12, 10, 0, 0, 0, CST)
	zhang, li, zhao, expired := appointed(t, 1, "hbw-001", "张三"), appointed(t, 2, "hbw-002", "李四"), appointed(t, 3, "hbw-003", "赵六"), appointed(t, 4, "hbw-004", "周九")
	if err := li.Suspend(regDirector, now, "接受调查。"); err != nil {
		t.Fatal(err)
	}
	expired.Terms[0].Until = "2026-01-11"
	gone := appointed(t, 5, "hbw-005", "吴十")

	schools := []Org{
		{ID: 301, Name: "一校", Kind: OrgSchool, Path: "wuhai/hbw/x1/"}, // served by 张三
		{ID: 302, Name: "二校", Kind: OrgSchool, Path: "wuhai/hbw/x2/"}, // never had one
		{ID: 303, Name: "三校", Kind: OrgSchool, Path: "wuhai/hbw/x3/"}, // posting ended yesterday
		{ID: 304, Name: "四校", Kind: OrgSchool, Path: "wuhai/hbw/x4/"}, // 李四, suspended
		{ID: 305, Name: "五校", Kind: OrgSchool, Path: "wuhai/hbw/x5/"}, // 赵六, who declared a conflict after
		{ID: 306, Name: "六校", Kind: OrgSchool, Path: "wuhai/hbw/x6/"}, // 周九, term over
		{ID: 307, Name: "七校", Kind: OrgSchool, Path: "wuhai/hbw/x7/"}, // 吴十, not in the list
		{ID: 308, Name: "八校", Kind: OrgSchool, Path: "wuhai/hbw/x8/"}, // posting starts next month
	}
	var asgs []Assignment
	post := func(s Org, i *Inspector, from Date) *Assignment {
		a, err := NewAssignment(regDirector, regDist, s, i, 0, PostingInput{From: from, Phone: "13904731234"}, now.Add(-100*24*time.Hour))
		if err != nil {
			t.Fatalf("posting %s at %s: %v", i.Name, s.Name, err)
		}
		asgs = append(asgs, *a)
		return &asgs[len(asgs)-1]
	}
	post(schools[0], zhang, "2025-10-01")
	ended := post(schools[2], zhang, "2025-10-01")
	if err := ended.End(regDirector, now, "2026-01-11", "调离。"); err != nil {
		t.Fatal(err)
	}
	post(schools[4], zhao, "2025-10-01")
	if _, err := zhao.DeclareConflict(regDirector, now, schools[4], "其子在该校就读。"); err != nil {
		t.Fatal(err)
	}
	post(schools[6], gone, "2025-10-01")
	post(schools[7], zhang, "2026-02-01")
	// 李四 and 周九 were posted while they could serve.
	asgs = append(asgs, Assignment{School: schools[3], Postings: []Posting{{InspectorID: 2, Name: "李四", From: "2025-10-01"}}},
		Assignment{School: schools[5], Postings: []Posting{{InspectorID: 4, Name: "周九", From: "2025-10-01"}}})

	fs := SchoolsWithoutInspector(schools, asgs, []Inspector{*zhang, *li, *zhao, *expired}, now)
	want := map[int64]struct {
		rule CoverageRule
		says string
	}{
		302: {CovNoInspector, "二校目前没有责任督学（每所学校都应有责任督学"},
		303: {CovNoInspector, "三校目前没有责任督学"},
		304: {CovInspectorAbsent, "四校的责任督学李四当前状态为「暂停履职」"},
		305: {CovInspectorAbsent, "五校的责任督学赵六已申报与五校的回避情形（其子在该校就读。）"},
		306: {CovInspectorAbsent, "六校的责任督学周九任期已于2026-01-11届满"},
		307: {CovInspectorAbsent, "七校的责任督学吴十已不在督学名录库中"},
		308: {CovNoInspector, "八校目前没有责任督学"},
	}
	if len(fs) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(fs), len(want), fs)
	}
	for _, f := range fs {
		w, ok := want[f.SchoolID]
		if !ok || f.Rule != w.rule || !strings.Contains(f.Message, w.says) {
			t.Errorf("finding %+v, want %s saying %q", f, w.rule, w.says)
		}
	}
}

// R21: more schools than the cap is flagged; exactly the cap is not; ended postings do not count.
func TestOverLoad(t *testing.T) {
	now := time.Date(2026, 1, 12, 10, 0, 0, 0, CST)
	zhang, li := appointed(t, 1, "hbw-001", "张三"), appointed(t, 2, "hbw-002", "李四")
	var asgs []Assignment
	for n := range 6 {
		asgs = append(asgs, Assignment{School: Org{ID: int64(400 + n)}, Postings: []Posting{{InspectorID: 1, From: "2025-09-01"}}})
	}
	for n := range 6 {
		until := Date("")
		if n == 5 {
			until = "2025-12-31"
		}
		asgs = append(asgs, Assignment{School: Org{ID: int64(500 + n)}, Postings: []Posting{{InspectorID: 2, From: "2025-09-01", Until: until}}})
	}
	if got := Loads(asgs, DateOf(now)); got[1] != 6 || got[2] != 5 {
		t.Errorf("loads %v, want 张三 6, 李四 5", got)
	}
	fs := OverLoad([]Inspector{*zhang, *li}, asgs, now)
	if len(fs) != 1 || fs[0].InspectorID != 1 || fs[0].Rule != CovOverLoad || !strings.Contains(fs[0].Message, "现为6所学校的责任督学，超过其上限5所") {
		t.Errorf("findings %v, want 张三 only", fs)
	}
	zhang.LoadCap = 6
	if fs := OverLoad([]Inspector{*zhang, *li}, asgs, now); len(fs) != 0 {
		t.Errorf("with a cap of 6: %v", fs)
	}
}

// R38: under 40 hours in the calendar year of now is flagged, for inspectors on the roster only.
func TestTrainingGaps(t *testing.T) {
	rr := DefaultRegistryRules()
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, CST)
	short, enough, lastYear := appointed(t, 1, "hbw-001", "张三"), appointed(t, 2, "hbw-002", "李四"), appointed(t, 3, "hbw-003", "赵六")
	add := func(i *Inspector, year, hours int) {
		if _, err := i.AddTraining(regDirector, now, TrainingInput{Year: year, Hours: hours, Course: "培训"}); err != nil {
			t.Fatal(err)
		}
	}
	add(short, 2026, 24)
	add(short, 2026, 15)
	add(enough, 2026, 40)
	add(lastYear, 2025, 80)
	recommended, _ := NewInspector(regSupervisor, regDist, InspectorInput{UserID: 9, Code: "new", Name: "新人", Unit: regSchool1, Kind: PartTime}, rr, now)
	fs := TrainingGaps([]Inspector{*short, *enough, *lastYear, *recommended}, now, rr)
	if len(fs) != 2 || fs[0].InspectorID != 1 || fs[1].InspectorID != 3 {
		t.Fatalf("findings %v, want 张三 and 赵六", fs)
	}
	if m := fs[0].Message; !strings.Contains(m, "2026年已参加培训39学时，不足40学时，尚差1学时") {
		t.Errorf("message %q", m)
	}
	// On 1 January the new year starts from nothing.
	if fs := TrainingGaps([]Inspector{*enough}, time.Date(2027, 1, 1, 0, 0, 0, 0, CST), rr); len(fs) != 1 {
		t.Errorf("李四 on 1 January 2027: %v, want flagged", fs)
	}
}

// R6 alerts: a term ending within 60 days (60 is in, 61 is out), one at the limit that cannot be
// renewed, one already over, and a run longer than the rules allow.
func TestTermAlerts(t *testing.T) {
	rr := DefaultRegistryRules()
	now := time.Date(2026, 1, 10, 9, 0, 0, 0, CST)
	import1 := func(id int64, kind InspectorKind, terms ...Term) Inspector {
		in := InspectorInput{UserID: 300 + id, Code: "c" + string(rune('0'+id)), Name: "督" + string(rune('0'+id)), Unit: regSchool3, Kind: kind, CertNo: "NM-1"}
		i, err := ImportInspector(regDirector, regDist, in, terms, rr, now)
		if err != nil {
			t.Fatalf("import %d: %v", id, err)
		}
		i.ID = id
		return *i
	}
	inspectors := []Inspector{
		import1(1, PartTime, Term{From: "2023-03-12", Until: "2026-03-11"}), // 60 days left
		import1(2, PartTime, Term{From: "2023-03-13", Until: "2026-03-12"}), // 61 days left
		import1(3, PartTime, Term{From: "2017-03-01", Until: "2020-02-29"}, Term{From: "2020-03-01", Until: "2023-02-28"}, Term{From: "2023-03-01", Until: "2026-02-28"}),
		import1(4, PartTime, Term{From: "2023-01-10", Until: "2026-01-09"}), // over yesterday
		import1(5, FullTime, Term{From: "2010-01-01"}),
	}
	fs := TermAlerts(inspectors, now, rr)
	want := []struct {
		id   int64
		rule CoverageRule
		says string
	}{
		{1, CovTermEnding, "第1届任期将于2026-03-11届满（还有60天），请及时办理续聘或解聘"},
		{3, CovTermEnding, "第3届任期将于2026-02-28届满（还有49天），已连续任职3届，届满后不得续聘"},
		{4, CovTermExpired, "任期已于2026-01-09届满，尚未续聘或解聘"},
	}
	if len(fs) != len(want) {
		t.Fatalf("findings %v, want %d", fs, len(want))
	}
	for k, w := range want {
		if fs[k].InspectorID != w.id || fs[k].Rule != w.rule || !strings.Contains(fs[k].Message, w.says) {
			t.Errorf("finding %d: %+v, want %d %s saying %q", k, fs[k], w.id, w.rule, w.says)
		}
	}
	// Rules tightened to two terms: the third consecutive term is over the limit.
	rr.MaxConsecutiveTerms = 2
	fs = TermAlerts(inspectors[2:3], now, rr)
	if len(fs) != 2 || fs[0].Rule != CovTermLimit || !strings.Contains(fs[0].Message, "自2017-03-01起已连续任职3届，超过兼职督学连续任职不得超过2届的规定") {
		t.Errorf("with a limit of two: %v", fs)
	}
	// Suspended inspectors stay on the roster; retired ones do not.
	inspectors[3].Status = InspRetired
	if fs := TermAlerts(inspectors[3:4], now, DefaultRegistryRules()); len(fs) != 0 {
		t.Errorf("a retired inspector is flagged: %v", fs)
	}
}

// Coverage runs every rule, school rules first, in the order of CoverageRules.
func TestCoverageOrder(t *testing.T) {
	rr := DefaultRegistryRules()
	now := time.Date(2026, 1, 10, 9, 0, 0, 0, CST)
	i := appointed(t, 1, "hbw-001", "张三")
	i.Terms[0].Until = "2026-02-01"
	a, err := NewAssignment(regDirector, regDist, covA, i, 0, PostingInput{From: "2025-12-01", Phone: "13904731234"}, now)
	if err != nil {
		t.Fatal(err)
	}
	fs := Coverage(CoverageInput{Schools: []Org{covA, covB}, Assignments: []Assignment{*a}, Inspectors: []Inspector{*i}}, now, rr)
	var rules []CoverageRule
	for _, f := range fs {
		rules = append(rules, f.Rule)
	}
	want := []CoverageRule{CovNoInspector, CovMonthlyVisit, CovMonthlyVisit, CovSemesterVisits, CovSemesterVisits, CovTraining, CovTermEnding}
	if !slices.Equal(rules, want) {
		t.Errorf("rules %v, want %v", rules, want)
	}
	for _, f := range fs {
		if f.Message == "" || f.Rule.Label() == string(f.Rule) {
			t.Errorf("finding without words: %+v", f)
		}
	}
}
