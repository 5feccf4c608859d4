package policies

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"dudao/domain"
)

func TestIndicatorCatalog(t *testing.T) {
	c, err := Indicators()
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 77 {
		t.Fatalf("%d indicators, want the plan's 77", c.Len())
	}
	// What the plan's catalog holds, counted in the file: one binding indicator (表2), fourteen
	// expected ones, the rest stated in prose without an attribute; three improve downwards.
	count := func(f func(domain.Indicator) string) map[string]int {
		m := map[string]int{}
		for _, i := range c.All() {
			m[f(i)]++
		}
		return m
	}
	checks := []struct {
		what string
		got  map[string]int
		want map[string]int
	}{
		{"attribute", count(func(i domain.Indicator) string { return string(i.Attribute) }), map[string]int{"约束性": 1, "预期性": 14, "": 62}},
		{"direction", count(func(i domain.Indicator) string { return string(i.Direction) }), map[string]int{"higher_is_better": 74, "lower_is_better": 3}},
		{"target_op", count(func(i domain.Indicator) string { return string(i.TargetOp) }), map[string]int{"": 52, ">=": 23, "=": 1, "<=": 1}},
		{"has target", count(func(i domain.Indicator) string { return fmt.Sprint(i.Target2025 != nil) }), map[string]int{"true": 45, "false": 32}},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s: %v, want %v", ck.what, ck.got, ck.want)
		}
	}
	r, ok := c.Get("compulsory_retention_rate")
	if !ok || !r.Binding() || r.Unit != "%" || *r.Baseline[2020] != 95 || *r.Target2025 != 97 || r.Source != "表1 (line 342); 表2 (line 578)" {
		t.Errorf("the binding indicator: %+v", r)
	}
	if v, ok := r.Expected(2022); !ok || v != 95.8 {
		t.Errorf("retention expected in 2022 = %v, want 95.8", v)
	}
	p, _ := c.Get("preschool_gross_enrolment_rate")
	if p.RegionStandard == nil || *p.RegionStandard != (domain.RegionStandard{Value: 95, Op: ">=", Line: 1224}) || p.Baseline[2015] != nil {
		t.Errorf("preschool_gross_enrolment_rate: %+v", p)
	}
	m, _ := c.Get("teacher_mental_health_training_cert_rate")
	if !reflect.DeepEqual(m.Milestones, map[int]float64{2021: 30, 2022: 60, 2023: 100}) {
		t.Errorf("milestones %v", m.Milestones)
	}
}

// TestIndicatorsAnswerTheFileAsItIs: encoding the loaded catalog gives back every field of the file
// under its own name with its value, so GET /api/v1/indicators can answer them as they are (a null
// note reads as "").
func TestIndicatorsAnswerTheFileAsItIs(t *testing.T) {
	var file struct {
		Indicators []map[string]any `json:"indicators"`
	}
	if err := json.Unmarshal(indicatorsJSON, &file); err != nil {
		t.Fatal(err)
	}
	c, err := Indicators()
	if err != nil {
		t.Fatal(err)
	}
	for n, ind := range c.All() {
		b, _ := json.Marshal(ind)
		var got map[string]any
		_ = json.Unmarshal(b, &got)
		want := file.Indicators[n]
		if want["note"] == nil {
			want["note"] = ""
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", ind.Code, got, want)
		}
	}
}

func TestParseIndicatorsRefuses(t *testing.T) {
	ind := `{"code":"a_rate","name_zh":"甲率","category":"甲","unit":"%","baseline":{"2020":1},"target_2025":2,"target_op":null,"attribute":null,"direction":"higher_is_better","milestones":{},"region_standard":null,"note":null,"source":"x"}`
	tests := map[string]string{
		"duplicate code": `{"indicators":[` + ind + `,` + ind + `]}`,
		"unknown field":  `{"indicators":[` + strings.Replace(ind, `"note"`, `"notes"`, 1) + `]}`,
		"direction":      `{"indicators":[` + strings.Replace(ind, "higher_is_better", "maintain", 1) + `]}`,
		"attribute":      `{"indicators":[` + strings.Replace(ind, `"attribute":null`, `"attribute":"指导性"`, 1) + `]}`,
		"trailing data":  `{"indicators":[` + ind + `]} {}`,
	}
	for name, doc := range tests {
		if _, err := ParseIndicators([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if c, err := ParseIndicators([]byte(`{"indicators":[` + ind + `]}`)); err != nil || c.Len() != 1 {
		t.Errorf("a good one-entry catalog: %v", err)
	}
}

func TestShippedFrameworks(t *testing.T) {
	r, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	fws, err := Frameworks(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(fws) != 2 {
		t.Fatalf("%d frameworks, want 2", len(fws))
	}
	by := domain.Actor{UserID: 1, Org: domain.Org{ID: 1, Code: "wuhai", Name: "乌海市", Kind: domain.OrgCity, Path: "wuhai/"}}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CST)
	byCode := map[string]*domain.Framework{}
	for _, s := range fws {
		f, err := domain.NewFramework(by, s.FrameworkInput, r, now)
		if err != nil {
			t.Fatalf("%s: %v", s.Code, err)
		}
		if err := f.Publish(by, now); err != nil {
			t.Fatal(err)
		}
		byCode[s.Code] = f
		// Full marks everywhere, every veto check passed: 100 and passed, whatever the tree.
		var full []domain.ItemScore
		var weights float64
		var vetoes []string
		var walk func([]domain.FrameworkItem)
		walk = func(items []domain.FrameworkItem) {
			for _, it := range items {
				if it.Leaf() {
					m := it.MaxScore
					full = append(full, domain.ItemScore{Code: it.Code, Score: &m})
					weights += it.Weight
					if it.Veto {
						vetoes = append(vetoes, it.Code)
					}
				}
				walk(it.Children)
			}
		}
		walk(f.Items)
		if weights != 100 {
			t.Errorf("%s: leaf weights sum to %v, want 100", s.Code, weights)
		}
		res, err := f.Score(full)
		if err != nil || res.Total != 100 || !res.Passed {
			t.Errorf("%s full marks: %v passed %v, %v", s.Code, res.Total, res.Passed, err)
		}
		if s.Code == "duzheng-district" {
			if len(vetoes) == 0 {
				t.Fatal("the 督政 framework has no veto item")
			}
			full[len(full)-len(vetoes)].Fail = true
			res, _ := f.Score(full)
			if res.Passed || res.Total != 100 || len(res.VetoFailed) != 1 {
				t.Errorf("督政 with a failed veto item: total %v passed %v veto %v", res.Total, res.Passed, res.VetoFailed)
			}
		}
	}

	// R25: the eight standing matters of 责任督学, for routine visits to schools.
	z := byCode["zrdx-r25"]
	if z == nil || z.CanUse(domain.CaseSchool, domain.KindRoutine) != nil || z.CanUse(domain.CaseSchool, domain.KindComprehensive) == nil {
		t.Fatalf("zrdx-r25: %+v", z)
	}
	var titles []string
	for _, it := range z.Items {
		titles = append(titles, it.Title)
	}
	want := "校务管理与制度执行 招生、收费、择校 课程开设与课堂教学 学生学习、体育锻炼、课业负担 教师师德与专业发展 校园及周边安全与交通安全 食堂、食品、饮水、宿舍卫生 校风、教风、学风"
	if strings.Join(titles, " ") != want {
		t.Errorf("R25 items %v", titles)
	}
	d := byCode["duzheng-district"]
	if d == nil || d.CanUse(domain.CaseGovernment, domain.KindComprehensive) != nil || d.CanUse(domain.CaseSchool, domain.KindRoutine) == nil {
		t.Fatalf("duzheng-district: %+v", d)
	}
	// A failed safety item becomes a finding a case accepts, under its rules category.
	res, _ := z.Score([]domain.ItemScore{{Code: "6", Score: ptr(3)}})
	in, err := z.FindingFor(res, "6")
	if err != nil || in.Category != "校园安全" || in.Severity != domain.SeverityMajor || in.ItemCode != "zrdx-r25:6" || !r.ValidCategory(in.Category) {
		t.Errorf("finding from item 6: %+v, %v", in, err)
	}
}

func TestParseFrameworksRefuses(t *testing.T) {
	r, _ := DefaultRules()
	one := `{"code":"x","version":1,"name":"甲","applies_to":{"type":"school"},"pass_mark":60,"source":"","items":[{"code":"1","title":"甲","weight":10,"max_score":10}]}`
	tests := map[string]string{
		"twice":          `{"frameworks":[` + one + `,` + one + `]}`,
		"no version":     `{"frameworks":[` + strings.Replace(one, `"version":1`, `"version":0`, 1) + `]}`,
		"unknown field":  `{"frameworks":[` + strings.Replace(one, `"pass_mark"`, `"passmark"`, 1) + `]}`,
		"bad category":   `{"frameworks":[` + strings.Replace(one, `"max_score":10`, `"max_score":10,"category":"天气"`, 1) + `]}`,
		"no frameworks":  `{"frameworks":[]}`,
		"parent weights": `{"frameworks":[` + strings.Replace(one, `{"code":"1","title":"甲","weight":10,"max_score":10}`, `{"code":"1","title":"甲","weight":5,"children":[{"code":"1.1","title":"乙","weight":10,"max_score":10}]}`, 1) + `]}`,
	}
	for name, doc := range tests {
		if _, err := ParseFrameworks([]byte(doc), r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if fs, err := ParseFrameworks([]byte(`{"frameworks":[`+one+`]}`), r); err != nil || len(fs) != 1 || fs[0].Version != 1 {
		t.Errorf("a good file: %v", err)
	}
}

func ptr(v float64) *float64 { return &v }
