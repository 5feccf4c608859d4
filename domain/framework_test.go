package domain

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var fwT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, CST)

var (
	fwCity     = Org{ID: 1, Code: "wuhai", Name: "乌海市", Kind: OrgCity, Path: "wuhai/"}
	fwDirector = Actor{UserID: 11, Org: fwCity}
)

// fwInput is a small framework: two weighted groups (60 + 40 = 100) and a weightless veto check.
//
//	A  办学条件 60:  A1 40 (max 10)   A2 20 (max 10)
//	B  安全管理 40:  B1 40 (max 5, pass 3)
//	V  否决项   0:   V1 0 (veto)
func fwInput() FrameworkInput {
	return FrameworkInput{
		Code: "test", Name: "测试指标体系", AppliesTo: Applicability{Type: CaseSchool, Kinds: []CaseKind{KindRoutine}}, PassMark: 60,
		Items: []FrameworkItem{
			{Code: "A", Title: "办学条件", Weight: 60, Children: []FrameworkItem{
				{Code: "A1", Title: "校舍安全", Weight: 40, MaxScore: 10, Category: "校园安全"},
				{Code: "A2", Title: "食堂卫生", Weight: 20, MaxScore: 10, Category: "食品卫生"},
			}},
			{Code: "B", Title: "安全管理", Weight: 40, Children: []FrameworkItem{
				{Code: "B1", Title: "安全巡查", Weight: 40, MaxScore: 5, PassScore: fp(3)},
			}},
			{Code: "V", Title: "否决项", Weight: 0, Children: []FrameworkItem{
				{Code: "V1", Title: "发生重大安全责任事故", Weight: 0, MaxScore: 1, Veto: true, Category: "校园安全"},
			}},
		},
	}
}

func publishedFw(t *testing.T) *Framework {
	t.Helper()
	f, err := NewFramework(fwDirector, fwInput(), testRules(), fwT0)
	if err != nil {
		t.Fatalf("NewFramework: %v", err)
	}
	f.ID = 5
	if err := f.Publish(fwDirector, fwT0); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return f
}

func scores(kv ...any) []ItemScore {
	var out []ItemScore
	for i := 0; i < len(kv); i += 2 {
		s := ItemScore{Code: kv[i].(string)}
		switch v := kv[i+1].(type) {
		case float64:
			s.Score = fp(v)
		case int:
			s.Score = fp(float64(v))
		case string: // "fail" marks the item failed without a score; "seen" lists it unscored
			s.Fail = v == "fail"
		}
		out = append(out, s)
	}
	return out
}

func TestFrameworkScoreWeights(t *testing.T) {
	f := publishedFw(t)
	tests := []struct {
		name     string
		scores   []ItemScore
		total    float64
		passed   bool
		complete bool
		failed   string
		veto     string
		missing  string
	}{
		// 40×8/10 + 20×5/10 + 40×4/5 = 32 + 10 + 32
		{"weighted sum", scores("A1", 8, "A2", 5, "B1", 4, "V1", "seen"), 74, true, true, "A2", "", ""},
		{"full marks", scores("A1", 10, "A2", 10, "B1", 5, "V1", "seen"), 100, true, true, "", "", ""},
		// 40×5/10 + 20×5/10 + 40×2/5 = 20 + 10 + 16 = 46 < 60
		{"below the pass mark", scores("A1", 5, "A2", 5, "B1", 2, "V1", "seen"), 46, false, true, "A1 A2 B1", "", ""},
		// one veto failure fails the whole, however good the rest
		{"veto", scores("A1", 10, "A2", 10, "B1", 5, "V1", "fail"), 100, false, true, "V1", "V1", ""},
		{"veto by score", scores("A1", 10, "A2", 10, "B1", 5, "V1", 0), 100, false, true, "V1", "V1", ""},
		// an unscored leaf counts nothing and the result cannot pass until it is scored
		{"incomplete", scores("A1", 8, "A2", 7), 46, false, false, "", "", "B1 V1"},
		// marked failed without a score: no points, failed
		{"marked failed", scores("A1", "fail", "A2", 10, "B1", 5, "V1", "seen"), 60, true, true, "A1", "", ""},
		// marked failed with a score: the points count, the item fails
		{"marked failed with a score", append([]ItemScore{{Code: "A1", Score: fp(9), Fail: true}}, scores("A2", 10, "B1", 5, "V1", "seen")...),
			96, true, true, "A1", "", ""},
	}
	for _, tc := range tests {
		res, err := f.Score(tc.scores)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if res.Total != tc.total || res.Passed != tc.passed || res.Complete != tc.complete || strings.Join(res.Failed, " ") != tc.failed ||
			strings.Join(res.VetoFailed, " ") != tc.veto || strings.Join(res.Missing, " ") != tc.missing {
			t.Errorf("%s: total %v passed %v complete %v failed %q veto %q missing %q; want %v %v %v %q %q %q", tc.name,
				res.Total, res.Passed, res.Complete, res.Failed, res.VetoFailed, res.Missing,
				tc.total, tc.passed, tc.complete, tc.failed, tc.veto, tc.missing)
		}
		if res.FrameworkCode != "test" || res.FrameworkVersion != 1 || res.FrameworkID != 5 {
			t.Errorf("%s: result names %s v%d #%d", tc.name, res.FrameworkCode, res.FrameworkVersion, res.FrameworkID)
		}
	}
	// Parents sum their children.
	res, _ := f.Score(scores("A1", 8, "A2", 5, "B1", 4, "V1", "seen"))
	pts := map[string]float64{}
	for _, it := range res.Items {
		pts[it.Code] = it.Points
	}
	if pts["A"] != 42 || pts["A1"] != 32 || pts["A2"] != 10 || pts["B"] != 32 || pts["V"] != 0 || len(res.Items) != 7 {
		t.Errorf("item points %v", pts)
	}
}

func TestFrameworkScoreNormalised(t *testing.T) {
	in := FrameworkInput{Code: "half", Name: "五十分制", AppliesTo: Applicability{Type: CaseGovernment}, PassMark: 60,
		Items: []FrameworkItem{{Code: "1", Title: "甲", Weight: 30, MaxScore: 10}, {Code: "2", Title: "乙", Weight: 20, MaxScore: 4}}}
	f, err := NewFramework(fwDirector, in, testRules(), fwT0)
	if err != nil {
		t.Fatal(err)
	}
	// (30×7/10 + 20×3/4) / 50 × 100 = (21 + 15) × 2 = 72
	res, err := f.Score(scores("1", 7, "2", 3))
	if err != nil || res.Total != 72 || !res.Passed {
		t.Errorf("total %v passed %v err %v, want 72 true", res.Total, res.Passed, err)
	}
}

func TestFrameworkScoreRefuses(t *testing.T) {
	f := publishedFw(t)
	_, err := f.Score(append(scores("A", 5, "Z9", 1, "A1", 11, "A2", 3, "A2", 4), ItemScore{Code: "B1", Score: fp(-1)}))
	e, _ := err.(*Error)
	if e == nil || e.Code != EINVALID {
		t.Fatalf("err = %v", err)
	}
	want := map[string]string{
		"scores.A":  "「办学条件」是上级指标，只对末级指标评分。",
		"scores.Z9": "评估项目Z9不在《测试指标体系》第1版中。",
		"scores.A1": "「校舍安全」的得分应在0至10之间。",
		"scores.A2": "「食堂卫生」重复评分。",
		"scores.B1": "「安全巡查」的得分应在0至5之间。",
	}
	if !reflect.DeepEqual(e.Fields, want) {
		t.Errorf("fields %v\nwant %v", e.Fields, want)
	}
}

func TestFindingFor(t *testing.T) {
	f := publishedFw(t)
	res, err := f.Score(append(scores("A1", 4, "A2", 5, "B1", "fail"), ItemScore{Code: "V1", Fail: true, Note: "3月发生食物中毒事件。"}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code     string
		severity Severity
		category string
		desc     string
	}{
		// 4 of 10 is below half the maximum: major
		{"A1", SeverityMajor, "校园安全", "《测试指标体系》第1版 A1「校舍安全」得分4（满分10，合格分6）。"},
		// 5 of 10 is below the pass score but not below half: minor
		{"A2", SeverityMinor, "食品卫生", "《测试指标体系》第1版 A2「食堂卫生」得分5（满分10，合格分6）。"},
		// marked failed without a score: major
		{"B1", SeverityMajor, "", "《测试指标体系》第1版 B1「安全巡查」，督学判定为不合格。"},
		// a failed veto item: critical
		{"V1", SeverityCritical, "校园安全", "《测试指标体系》第1版 V1「发生重大安全责任事故」，督学判定为不合格，属一票否决项。3月发生食物中毒事件。"},
	}
	for _, tc := range tests {
		in, err := f.FindingFor(res, tc.code)
		if err != nil {
			t.Errorf("%s: %v", tc.code, err)
			continue
		}
		it := f.Item(tc.code)
		if in.Title != it.Title || in.Severity != tc.severity || in.Category != tc.category || in.ItemCode != "test:"+tc.code || in.Description != tc.desc {
			t.Errorf("%s: %+v", tc.code, in)
		}
		// The input is one a case accepts as it is.
		if _, err := in.finding(testRules()); err != nil {
			t.Errorf("%s: a case refuses the finding: %v", tc.code, err)
		}
	}
	ok, _ := f.Score(scores("A1", 9, "A2", 9, "B1", 5, "V1", "seen"))
	if _, err := f.FindingFor(ok, "A1"); ErrorCode(err) != ECONFLICT {
		t.Errorf("a passed item became a finding: %v", err)
	}
	if _, err := f.FindingFor(ok, "A"); ErrorCode(err) != ECONFLICT {
		t.Errorf("a parent became a finding: %v", err)
	}
	if _, err := f.FindingFor(ok, "nope"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("an unknown item: %v", err)
	}
}

// TestFrameworkVersionKeepsOldScores: a published version does not change; its next version is a new
// record with its own weights, and a result made with version 1 stays what it was.
func TestFrameworkVersionKeepsOldScores(t *testing.T) {
	r := testRules()
	v1 := publishedFw(t)
	given := scores("A1", 8, "A2", 5, "B1", 4, "V1", "seen")
	old, err := v1.Score(given)
	if err != nil || old.Total != 74 {
		t.Fatalf("v1 score %v, %v", old.Total, err)
	}
	kept := v1.Input()

	if err := v1.Edit(fwDirector, fwT0, r, fwInput()); ErrorCode(err) != ECONFLICT {
		t.Errorf("editing a published version: %v", err)
	}
	v2, err := v1.Revise(fwDirector, fwT0.Add(time.Hour))
	if err != nil || v2.Version != 2 || v2.Status != FwDraft || v2.Code != "test" || v2.OwnerOrg.ID != fwCity.ID {
		t.Fatalf("Revise = %+v, %v", v2, err)
	}
	in := v2.Input()
	in.Items[0].Weight, in.Items[0].Children[0].Weight = 40, 20 // A1 now weighs 20
	in.Items[1].Weight, in.Items[1].Children[0].Weight = 60, 60 // B1 now weighs 60
	in.Items[0].Children[1].Title = "食堂及饮水卫生"
	if err := v2.Edit(fwDirector, fwT0, r, in); err != nil {
		t.Fatalf("Edit v2: %v", err)
	}
	if err := v2.Publish(fwDirector, fwT0); err != nil {
		t.Fatal(err)
	}
	other := scores("A1", 10, "A2", 5, "B1", 2, "V1", "seen")
	o1, _ := v1.Score(other) // 40 + 10 + 16 = 66
	o2, _ := v2.Score(other) // 20 + 10 + 24 = 54
	if o1.Total != 66 || o2.Total != 54 || !o1.Passed || o2.Passed {
		t.Errorf("v1 %v (passed %v), v2 %v (passed %v); want 66 passed, 54 failed", o1.Total, o1.Passed, o2.Total, o2.Passed)
	}
	if o2.FrameworkVersion != 2 || o1.FrameworkVersion != 1 {
		t.Errorf("versions recorded %d and %d", o1.FrameworkVersion, o2.FrameworkVersion)
	}
	// Version 1 is what it was: same items, same score for the same sheet.
	if !reflect.DeepEqual(v1.Input(), kept) {
		t.Errorf("v1 changed when v2 was edited")
	}
	again, _ := v1.Score(given)
	if !reflect.DeepEqual(again, old) {
		t.Errorf("v1 rescored differently:\n%+v\n%+v", again, old)
	}
	if LatestPublished([]*Framework{v1, v2}) != v2 {
		t.Error("latest published is not v2")
	}
	if err := v2.Retire(fwDirector, fwT0); err != nil || LatestPublished([]*Framework{v1, v2}) != v1 {
		t.Errorf("after retiring v2, latest published should be v1: %v", err)
	}
	if _, err := v1.FindingFor(o2, "A1"); ErrorCode(err) != ECONFLICT {
		t.Errorf("a v2 result was read against v1: %v", err)
	}
}

func TestFrameworkTransitionTable(t *testing.T) {
	want := map[FrameworkStatus]map[FrameworkAction]FrameworkStatus{
		FwDraft:     {FwEdit: FwDraft, FwPublish: FwPublished},
		FwPublished: {FwRetire: FwRetired},
		FwRetired:   {},
	}
	r := testRules()
	for _, st := range FrameworkStatuses {
		for _, act := range FrameworkActions {
			to, ok := want[st][act]
			if st.Can(act) != ok {
				t.Errorf("%s.Can(%s) = %v, want %v", st, act, !ok, ok)
			}
			f, err := NewFramework(fwDirector, fwInput(), r, fwT0)
			if err != nil {
				t.Fatal(err)
			}
			f.Status = st
			var stepErr error
			switch act {
			case FwEdit:
				stepErr = f.Edit(fwDirector, fwT0, r, fwInput())
			case FwPublish:
				stepErr = f.Publish(fwDirector, fwT0)
			case FwRetire:
				stepErr = f.Retire(fwDirector, fwT0)
			}
			switch {
			case ok && (stepErr != nil || f.Status != to || f.Revision != 2):
				t.Errorf("%s --%s--> %s (rev %d), %v; want %s", st, act, f.Status, f.Revision, stepErr, to)
			case !ok && (ErrorCode(stepErr) != ECONFLICT || f.Status != st || f.Revision != 1):
				t.Errorf("%s --%s--> %v, status %s; want a conflict and no change", st, act, stepErr, f.Status)
			}
			if p, found := f.Permission(act.Op()); !found || p.Object != "framework" || p.Any[0].Act != string(act) || p.Any[0].Side != AtOwner {
				t.Errorf("permission of %s = %+v", act, p)
			}
		}
	}
	if _, err := (&Framework{Status: FwDraft}).Revise(fwDirector, fwT0); ErrorCode(err) != ECONFLICT {
		t.Errorf("revising a draft: %v", err)
	}
}

func TestFrameworkValidation(t *testing.T) {
	in := fwInput()
	in.Code = "Bad Code"
	in.PassMark = 120
	in.Items[0].Weight = 50                   // children sum to 60
	in.Items[0].Children[1].Category = "未知类别" // not a rules category
	in.Items[1].Children[0].Weight = 0        // weightless but not a veto
	in.Items[1].Weight = 0                    //
	in.Items[1].Children[0].PassScore = fp(6) // above its maximum 5
	in.Items[2].Veto = true                   // veto on a parent
	in.Items = append(in.Items, FrameworkItem{Code: "A1", Title: "重复", Weight: 1, MaxScore: 1})
	_, err := NewFramework(fwDirector, in, testRules(), fwT0)
	e, _ := err.(*Error)
	if e == nil {
		t.Fatalf("accepted: %v", err)
	}
	for _, k := range []string{"code", "pass_mark", "items.A.weight", "items.A2.category", "items.B1.weight", "items.B1.pass_score", "items.V.veto", "items.A1.code"} {
		if e.Fields[k] == "" {
			t.Errorf("no error on %s: %v", k, e.Fields)
		}
	}
	if len(e.Fields) != 8 {
		t.Errorf("fields %v", e.Fields)
	}
}

func TestFrameworkCanUse(t *testing.T) {
	f, _ := NewFramework(fwDirector, fwInput(), testRules(), fwT0)
	if err := f.CanUse(CaseSchool, KindRoutine); ErrorCode(err) != ECONFLICT {
		t.Errorf("a draft in use: %v", err)
	}
	_ = f.Publish(fwDirector, fwT0)
	if err := f.CanUse(CaseSchool, KindRoutine); err != nil {
		t.Errorf("published routine framework: %v", err)
	}
	if err := f.CanUse(CaseSchool, KindSpecial); ErrorCode(err) != ECONFLICT {
		t.Errorf("used for a special inspection: %v", err)
	}
	if err := f.CanUse(CaseGovernment, KindRoutine); ErrorCode(err) != ECONFLICT {
		t.Errorf("used for 督政: %v", err)
	}
}
