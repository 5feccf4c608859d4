package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func fp(v float64) *float64 { return &v }

// Indicators shaped like the plan's: the one binding indicator (表2 line 578), a lower-is-better
// one, one without a 2020 baseline, one with an interim milestone, an exact 100% target, one with
// no target at all.
var (
	indRetention = Indicator{Code: "compulsory_retention_rate", NameZh: "九年义务教育巩固率", Category: "义务教育", Unit: "%",
		Baseline: map[int]*float64{2015: fp(93), 2020: fp(95)}, Target2025: fp(97), Attribute: AttrBinding, Direction: HigherIsBetter}
	indMyopia = Indicator{Code: "myopia_rate", NameZh: "儿童青少年近视率", Category: "学生发展", Unit: "%",
		Baseline: map[int]*float64{2020: fp(50)}, Target2025: fp(45), TargetOp: TargetAtMost, Direction: LowerIsBetter}
	indInclusive = Indicator{Code: "inclusive_kindergarten_coverage", NameZh: "普惠性幼儿园覆盖率", Category: "学前教育", Unit: "%",
		Baseline: map[int]*float64{2015: nil, 2020: nil}, Target2025: fp(95), TargetOp: TargetAtLeast, Direction: HigherIsBetter}
	indQualityKG = Indicator{Code: "quality_public_kindergarten_share", NameZh: "公办优质幼儿园占比", Category: "学前教育", Unit: "%",
		Baseline: map[int]*float64{}, Target2025: fp(30), TargetOp: TargetAtLeast, Direction: HigherIsBetter, Milestones: map[int]float64{2022: 20}}
	indBalanced = Indicator{Code: "compulsory_quality_balanced_district_ratio", NameZh: "义务教育优质均衡区比例", Category: "义务教育", Unit: "%",
		Target2025: fp(100), TargetOp: TargetExactly, Direction: HigherIsBetter, Milestones: map[int]float64{2022: 33.4}}
	indNoTarget = Indicator{Code: "education_expenditure_gdp_share", NameZh: "教育支出占GDP比重", Category: "教育经费", Unit: "%",
		Direction: HigherIsBetter}
	indEnrolment = Indicator{Code: "compulsory_enrolment", NameZh: "义务教育在校生", Category: "义务教育", Unit: "万人",
		Baseline: map[int]*float64{2020: fp(4.36)}, Target2025: fp(4.6), Attribute: AttrExpected, Direction: HigherIsBetter}
)

func testCatalog(t *testing.T) *IndicatorCatalog {
	t.Helper()
	c, err := NewIndicatorCatalog([]Indicator{indRetention, indMyopia, indInclusive, indQualityKG, indBalanced, indNoTarget, indEnrolment})
	if err != nil {
		t.Fatalf("NewIndicatorCatalog: %v", err)
	}
	return c
}

var (
	obsCity = Org{ID: 1, Code: "wuhai", Name: "乌海市", Kind: OrgCity, Path: "wuhai/"}
	obsHBW  = Org{ID: 2, Code: "hbw", Name: "海勃湾区", Kind: OrgDistrict, Path: "wuhai/hbw/"}
	obsWD   = Org{ID: 3, Code: "wd", Name: "乌达区", Kind: OrgDistrict, Path: "wuhai/wd/"}
	obsHBW1 = Org{ID: 4, Code: "s001", Name: "海勃湾区第一小学", Kind: OrgSchool, Path: "wuhai/hbw/s001/"}
	obsWD1  = Org{ID: 5, Code: "s001", Name: "乌达区第一小学", Kind: OrgSchool, Path: "wuhai/wd/s001/"}
)

func TestExpectedTrajectory(t *testing.T) {
	tests := []struct {
		ind  Indicator
		year int
		want float64
		ok   bool
	}{
		// expected(y) = b2020 + (t2025 − b2020)·(y − 2020)/5
		{indRetention, 2020, 95, true},
		{indRetention, 2022, 95.8, true},
		{indRetention, 2024, 96.6, true},
		{indRetention, 2025, 97, true},
		{indRetention, 2030, 97, true}, // the target holds after 2025
		{indRetention, 2019, 0, false}, // before the baseline there is no trajectory
		{indMyopia, 2023, 47, true},
		{indInclusive, 2023, 0, false}, // no 2020 baseline
		{indInclusive, 2025, 95, true},
		{indQualityKG, 2022, 20, true},        // the stated milestone
		{indQualityKG, 2023, 23.333333, true}, // on the line from the milestone to the target
		{indQualityKG, 2021, 0, false},        // before the first known point
		{indBalanced, 2024, 77.8, true},       // 33.4 + (100 − 33.4)·2/3
		{indNoTarget, 2023, 0, false},         // no target, no trajectory
		{indEnrolment, 2021, 4.408, true},     // 4.36 + 0.24/5
		{indEnrolment, TargetYear, 4.6, true},
	}
	for _, tc := range tests {
		got, ok := tc.ind.Expected(tc.year)
		if ok != tc.ok || (ok && roundGap(got) != roundGap(tc.want)) {
			t.Errorf("%s expected(%d) = %v, %v; want %v, %v", tc.ind.Code, tc.year, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAssess(t *testing.T) {
	type want struct {
		status      AttainmentStatus
		expected    *float64
		targetGap   *float64
		expectedGap *float64
	}
	tests := []struct {
		name  string
		ind   Indicator
		year  int
		value *float64
		want  want
	}{
		{"on track, higher is better", indRetention, 2022, fp(96), want{AttOnTrack, fp(95.8), fp(1), fp(-0.2)}},
		{"exactly on the line", indRetention, 2022, fp(95.8), want{AttOnTrack, fp(95.8), fp(1.2), fp(0)}},
		{"behind, higher is better", indRetention, 2022, fp(95.5), want{AttBehind, fp(95.8), fp(1.5), fp(0.3)}},
		{"attained early, higher is better", indRetention, 2023, fp(97.2), want{AttAttained, fp(96.2), fp(-0.2), fp(-1)}},
		{"attained at the target itself", indRetention, 2025, fp(97), want{AttAttained, fp(97), fp(0), fp(0)}},
		{"short in 2025 is behind", indRetention, 2025, fp(96.9), want{AttBehind, fp(97), fp(0.1), fp(0.1)}},
		{"on track, lower is better", indMyopia, 2023, fp(46.5), want{AttOnTrack, fp(47), fp(1.5), fp(-0.5)}},
		{"behind, lower is better", indMyopia, 2023, fp(48), want{AttBehind, fp(47), fp(3), fp(1)}},
		{"attained, lower is better", indMyopia, 2023, fp(44.9), want{AttAttained, fp(47), fp(-0.1), fp(-2.1)}},
		{"missing baseline: below target, pace unknown", indInclusive, 2023, fp(93), want{AttBelowTarget, nil, fp(2), nil}},
		{"missing baseline: attained", indInclusive, 2023, fp(96), want{AttAttained, nil, fp(-1), nil}},
		{"missing baseline: short in 2025 is behind", indInclusive, 2025, fp(93), want{AttBehind, fp(95), fp(2), fp(2)}},
		{"milestone year behind", indQualityKG, 2022, fp(19), want{AttBehind, fp(20), fp(11), fp(1)}},
		{"between milestone and target on track", indQualityKG, 2023, fp(24), want{AttOnTrack, fp(23.333333), fp(6), fp(-0.666667)}},
		{"exact target reached", indBalanced, 2024, fp(100), want{AttAttained, fp(77.8), fp(0), fp(-22.2)}},
		{"exact target behind", indBalanced, 2024, fp(66.6), want{AttBehind, fp(77.8), fp(33.4), fp(11.2)}},
		{"no data", indRetention, 2023, nil, want{AttNoData, fp(96.2), nil, nil}},
		{"no target", indNoTarget, 2023, fp(3.1), want{AttNoTarget, nil, nil, nil}},
	}
	eq := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	show := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmtNum(*p)
	}
	for _, tc := range tests {
		a := tc.ind.Assess(obsHBW, tc.year, tc.value)
		if a.Status != tc.want.status || !eq(a.Expected, tc.want.expected) || !eq(a.TargetGap, tc.want.targetGap) || !eq(a.ExpectedGap, tc.want.expectedGap) {
			t.Errorf("%s: got %s expected=%s target_gap=%s expected_gap=%s; want %s %s %s %s", tc.name,
				a.Status, show(a.Expected), show(a.TargetGap), show(a.ExpectedGap),
				tc.want.status, show(tc.want.expected), show(tc.want.targetGap), show(tc.want.expectedGap))
		}
		if a.Unit != tc.ind.Unit || a.Org.ID != obsHBW.ID || a.Year != tc.year {
			t.Errorf("%s: attainment is about %s/%d/%s, want %s/%d/%s", tc.name, a.Org.Name, a.Year, a.Unit, obsHBW.Name, tc.year, tc.ind.Unit)
		}
	}
}

func TestMonitoringProposals(t *testing.T) {
	cat := testCatalog(t)
	atts := []Attainment{
		indRetention.Assess(obsHBW, 2022, fp(95.5)),  // binding, behind: propose
		indRetention.Assess(obsWD, 2022, fp(96)),     // binding, on track
		indRetention.Assess(obsCity, 2023, fp(97.1)), // binding, attained
		indRetention.Assess(obsWD, 2023, nil),        // binding, no data
		indEnrolment.Assess(obsHBW, 2022, fp(4.0)),   // expected (预期性) and behind: no case
		indMyopia.Assess(obsHBW, 2023, fp(48)),       // no attribute and behind: no case
		indRetention.Assess(obsHBW, 2022, fp(95.6)),  // the same org and year again, another value
		indRetention.Assess(obsHBW, 2019, fp(90)),    // before the trajectory: below target, pace unknown
	}
	got := MonitoringProposals(cat, atts)
	if len(got) != 1 {
		t.Fatalf("proposals = %+v, want exactly one", got)
	}
	p := got[0]
	if p.Key != "monitoring:compulsory_retention_rate:wuhai/hbw/:2022" || p.Org.ID != obsHBW.ID || p.Year != 2022 || p.Indicator.Code != indRetention.Code {
		t.Errorf("proposal = %+v", p)
	}
	// The key is the dedup key: a corrected value for the same indicator, org and year proposes the
	// same key, so an app that keeps the keys it has used proposes once.
	again := MonitoringProposals(cat, []Attainment{indRetention.Assess(obsHBW, 2022, fp(94))})
	if len(again) != 1 || again[0].Key != p.Key || MonitoringKey(indRetention.Code, obsHBW, 2022) != p.Key {
		t.Errorf("re-imported value proposes %+v, want the key %s", again, p.Key)
	}
	if other := MonitoringKey(indRetention.Code, obsHBW, 2023); other == p.Key {
		t.Errorf("another year has the same key %s", other)
	}
	wantFacts := "约束性指标「九年义务教育巩固率」：海勃湾区2022年为95.5%，按规划进度应达到95.8%（2025年目标97%），差0.3%。"
	if p.Facts != wantFacts || p.Title != "海勃湾区2022年九年义务教育巩固率滞后于规划进度" {
		t.Errorf("title %q facts %q", p.Title, p.Facts)
	}
}

func TestCatalogValidation(t *testing.T) {
	bad := indRetention
	bad.Direction = "maintain"
	bad.TargetOp = "~"
	bad.Attribute = "重要"
	dupe := indMyopia
	wrongWay := indInclusive
	wrongWay.TargetOp = TargetAtMost // 以内 on a higher-is-better indicator
	_, err := NewIndicatorCatalog([]Indicator{bad, indMyopia, dupe, wrongWay})
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		t.Fatalf("err = %v, want a field error", err)
	}
	for _, k := range []string{"compulsory_retention_rate.direction", "compulsory_retention_rate.target_op", "compulsory_retention_rate.attribute",
		"myopia_rate.code", "inclusive_kindergarten_coverage.target_op"} {
		if e.Fields[k] == "" {
			t.Errorf("no error on %s: %v", k, e.Fields)
		}
	}
	if _, err := NewIndicatorCatalog(nil); err == nil {
		t.Error("an empty catalog was accepted")
	}
}

func TestIndicatorJSON(t *testing.T) {
	// The API answers the catalog's own field names; nulls stay null.
	b, err := json.Marshal(indInclusive)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"code": "inclusive_kindergarten_coverage", "name_zh": "普惠性幼儿园覆盖率", "category": "学前教育", "unit": "%",
		"baseline": map[string]any{"2015": nil, "2020": nil}, "target_2025": 95.0, "target_op": ">=", "attribute": nil,
		"direction": "higher_is_better", "milestones": nil, "region_standard": nil, "note": "", "source": ""}
	for k, v := range want {
		if got, ok := m[k]; !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	var back Indicator
	if err := json.Unmarshal(b, &back); err != nil || back.Target2025 == nil || *back.Target2025 != 95 || back.TargetOp != TargetAtLeast {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

func TestOrgIndex(t *testing.T) {
	x := NewOrgIndex([]Org{obsCity, obsHBW, obsWD, obsHBW1, obsWD1})
	tests := []struct {
		ref    string
		want   int64
		reason string
	}{
		{"hbw", obsHBW.ID, ""},
		{" HBW ", obsHBW.ID, ""},
		{"hbw/s001", obsHBW1.ID, ""},
		{"wuhai/wd/s001/", obsWD1.ID, ""},
		{"wuhai", obsCity.ID, ""},
		{"s001", 0, "单位代码「s001」对应多个单位，请写出上级代码，如「wuhai/hbw/s001」「wuhai/wd/s001」。"},
		{"hn", 0, "单位代码「hn」不存在或不在您的填报范围内。"},
		{"", 0, "单位代码为空。"},
	}
	for _, tc := range tests {
		o, why := x.Resolve(tc.ref)
		if o.ID != tc.want || why != tc.reason {
			t.Errorf("Resolve(%q) = %d %q, want %d %q", tc.ref, o.ID, why, tc.want, tc.reason)
		}
	}
}

func TestCheckObservationRows(t *testing.T) {
	cat := testCatalog(t)
	orgs := NewOrgIndex([]Org{obsCity, obsHBW, obsWD, obsHBW1, obsWD1})
	by := Actor{UserID: 9, Org: obsCity}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, CST)
	rows := []ObservationRow{
		{Line: 2, IndicatorCode: "compulsory_retention_rate", OrgCode: "hbw", Year: "2023", Value: "96.5", Note: "区统计年报"},
		{Line: 3, IndicatorCode: "no_such_indicator", OrgCode: "hbw", Year: "2023", Value: "1"},
		{Line: 4, IndicatorCode: "compulsory_retention_rate", OrgCode: "zz", Year: "2023", Value: "96"},
		{Line: 5, IndicatorCode: "compulsory_retention_rate", OrgCode: "s001", Year: "2023", Value: "96"},
		{Line: 6, IndicatorCode: "compulsory_retention_rate", OrgCode: "wd", Year: "2040", Value: "96"},
		{Line: 7, IndicatorCode: "compulsory_retention_rate", OrgCode: "wd", Year: "二〇二三", Value: "96"},
		{Line: 8, IndicatorCode: "compulsory_retention_rate", OrgCode: "wd", Year: "2022", Value: "九十六"},
		{Line: 9, IndicatorCode: "compulsory_enrolment", OrgCode: "wd", Year: "2022", Value: "-1"},
		{Line: 10, IndicatorCode: "compulsory_retention_rate", OrgCode: "wd", Year: "2021", Value: "101"},
		{Line: 11, IndicatorCode: "compulsory_enrolment", OrgCode: "wd", Year: "2021", Value: "1.2%"},
		{Line: 12, IndicatorCode: "compulsory_retention_rate", OrgCode: "hbw", Year: "2023", Value: "97"}, // duplicates line 2
		{Line: 13, IndicatorCode: " Compulsory_Retention_Rate ", OrgCode: "hbw/s001", Year: "2024年", Value: "９６.５％"},
		{Line: 14, IndicatorCode: "compulsory_enrolment", OrgCode: "wuhai", Year: "2024.0", Value: "4.41"},
		{Line: 15, IndicatorCode: "", OrgCode: "", Year: "", Value: ""},
	}
	im := CheckObservationRows(rows, cat, orgs, "2024年监测.xlsx", by, now)
	want := map[int][]string{
		2:  {"与第12行的指标、单位和年份重复。"},
		3:  {"指标代码「no_such_indicator」不在指标目录中。"},
		4:  {"单位代码「zz」不存在或不在您的填报范围内。"},
		5:  {"单位代码「s001」对应多个单位，请写出上级代码，如「wuhai/hbw/s001」「wuhai/wd/s001」。"},
		6:  {"年份2040不在2015至2035之间。"},
		7:  {"年份「二〇二三」不是整数年份。"},
		8:  {"数值「九十六」不是数字。"},
		9:  {"数值不能为负数（单位：万人）。"},
		10: {"单位为%，数值不能超过100。"},
		11: {"数值「1.2%」带有百分号，但该指标的单位是万人。"},
		12: {"与第2行的指标、单位和年份重复。"},
		13: nil,
		14: nil,
		15: {"指标代码为空。", "单位代码为空。", "年份为空。"},
	}
	if len(im.Rows) != len(rows) {
		t.Fatalf("%d verdicts for %d rows", len(im.Rows), len(rows))
	}
	for _, rc := range im.Rows {
		w := want[rc.Line]
		if strings.Join(rc.Reasons, "|") != strings.Join(w, "|") {
			t.Errorf("line %d: reasons %q, want %q", rc.Line, rc.Reasons, w)
		}
		if (rc.Observation == nil) != (len(w) > 0) {
			t.Errorf("line %d: observation %v with reasons %q", rc.Line, rc.Observation, rc.Reasons)
		}
	}
	if im.Valid != 2 || im.Invalid != 12 || im.OK() {
		t.Errorf("valid %d invalid %d OK %v, want 2, 12, false", im.Valid, im.Invalid, im.OK())
	}
	o := im.Rows[11].Observation
	if o == nil || o.IndicatorCode != "compulsory_retention_rate" || o.Org.ID != obsHBW1.ID || o.Year != 2024 || o.Value != 96.5 ||
		o.Source != "导入：2024年监测.xlsx 第13行" || o.EnteredBy != 9 || !o.EnteredAt.Equal(now) {
		t.Errorf("line 13 observation = %+v", o)
	}
	if o := im.Rows[12].Observation; o == nil || o.Year != 2024 || o.Value != 4.41 || o.Org.ID != obsCity.ID {
		t.Errorf("line 14 observation = %+v", o)
	}

	ok := CheckObservationRows(rows[11:13], cat, orgs, "f.csv", by, now)
	if !ok.OK() || len(ok.Observations()) != 2 {
		t.Errorf("two good rows: %+v", ok)
	}
	if empty := CheckObservationRows(nil, cat, orgs, "f.csv", by, now); empty.OK() {
		t.Error("a file without rows is OK")
	}
}

func TestNewObservation(t *testing.T) {
	cat := testCatalog(t)
	by := Actor{UserID: 3, Org: obsHBW}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, CST)
	_, err := NewObservation(by, cat, ObservationInput{IndicatorCode: "compulsory_retention_rate", Org: obsHBW, Year: 2014, Value: 120}, now)
	e, _ := err.(*Error)
	if e == nil || e.Fields["year"] == "" || e.Fields["value"] != "单位为%，数值不能超过100。" {
		t.Errorf("err = %v", err)
	}
	o, err := NewObservation(by, cat, ObservationInput{IndicatorCode: "compulsory_retention_rate", Org: obsHBW, Year: 2024, Value: 96.1}, now)
	if err != nil || o.Source != "手工填报" || o.Version != 1 {
		t.Fatalf("NewObservation = %+v, %v", o, err)
	}
	if h := o.Head(); h.Object != "observation" || h.Path(AtOwner) != obsHBW.Path {
		t.Errorf("head = %+v", h)
	}
	if p, ok := o.Permission(OpRecordObservation); !ok || p.Object != "observation" || p.Any[0].Act != "write" {
		t.Errorf("permission = %+v", p)
	}
	later := now.Add(24 * time.Hour)
	if err := o.Correct(Actor{UserID: 4, Org: obsHBW}, later, cat, 96.3, "", "复核更正"); err != nil || o.Value != 96.3 || o.Version != 2 || o.EnteredBy != 4 {
		t.Errorf("Correct: %+v, %v", o, err)
	}
	if err := o.Correct(by, later, cat, -1, "", ""); ErrorCode(err) != EINVALID || o.Value != 96.3 {
		t.Errorf("a bad correction: %v, value now %v", err, o.Value)
	}
}

func TestPlanObservations(t *testing.T) {
	cat := testCatalog(t)
	obs := cat.PlanObservations(obsCity, time.Date(2026, 1, 1, 0, 0, 0, 0, CST))
	// 93 (2015) and 95 (2020) of the retention rate, 50 of myopia, 4.36 of enrolment; nulls give none.
	var got []string
	for _, o := range obs {
		got = append(got, o.IndicatorCode+":"+fmtNum(float64(o.Year))+"="+fmtNum(o.Value))
	}
	want := "compulsory_retention_rate:2015=93 compulsory_retention_rate:2020=95 myopia_rate:2020=50 compulsory_enrolment:2020=4.36"
	if strings.Join(got, " ") != want {
		t.Errorf("plan observations %v, want %s", got, want)
	}
}
