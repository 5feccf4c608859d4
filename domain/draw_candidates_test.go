package domain

import (
	"strings"
	"testing"
)

func TestDrawTargetCode(t *testing.T) {
	for _, c := range []struct {
		owner, path Jurisdiction
		want        string
	}{
		{"wuhai/hbw/", "wuhai/hbw/s01/", "s01"},
		{"wuhai/", "wuhai/hbw/s001/", "hbw/s001"},
		{"wuhai/", "wuhai/yz/", "yz"},
		{"wuhai/", "wuhai/", ""},
		{"wuhai/hbw/", "wuhai/wd/s001/", ""},
		{"wuhai/hbw/", "wuhai/hbw2/s001/", ""},
	} {
		if got := DrawTargetCode(c.owner, c.path); got != c.want {
			t.Errorf("DrawTargetCode(%s, %s) = %q, want %q", c.owner, c.path, got, c.want)
		}
	}
}

// A city's draw over its districts' schools: every district has an s001, and each is its own target,
// keyed by its path below the city.
func TestDrawTargetsAcrossDistricts(t *testing.T) {
	school := func(id int64, district, code string) Org {
		return Org{ID: id, Code: code, Name: district + code, Kind: OrgSchool, Path: Jurisdiction("wuhai/" + district + "/" + code + "/")}
	}
	in := DrawInput{Title: "全市双随机抽查", Scope: "wuhai/", Year: 2026, CaseType: CaseSchool, CaseKind: KindRandom, N: 2, K: 2, DefaultCap: 3,
		Targets: []Org{school(101, "wd", "s001"), school(102, "hbw", "s001"), {ID: 103, Code: "yz", Name: "市一中", Kind: OrgSchool, Path: "wuhai/yz/"}},
		Inspectors: []DrawInspectorInput{
			{UserID: 11, Code: "a", Name: "甲", OrgPath: "wuhai/"},
			{UserID: 12, Code: "b", Name: "乙", OrgPath: "wuhai/", Conflicts: []Jurisdiction{"wuhai/hbw/"}},
			{UserID: 13, Code: "c", Name: "丙", OrgPath: "wuhai/wd/s001/"},
		}}
	d, err := NewDraw(drawCityActor, in, drawT0)
	if err != nil {
		t.Fatalf("NewDraw: %v %v", err, err.(*Error).Fields)
	}
	var codes []string
	for _, tg := range d.Targets {
		codes = append(codes, tg.Code)
	}
	if strings.Join(codes, ",") != "hbw/s001,wd/s001,yz" {
		t.Fatalf("codes = %v", codes)
	}
	if !strings.Contains(string(d.Snapshot()), "t\t101\twd/s001\twds001\twuhai/wd/s001/\n") {
		t.Errorf("snapshot:\n%s", d.Snapshot())
	}
	for _, w := range []string{drawValue1, drawValue2} {
		if err := d.CommitWitness(drawCityActor, drawT0, "见证人"+w[:2], "单位", WitnessCommitment(w)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.CloseCommitments(drawCityActor, drawT0); err != nil {
		t.Fatal(err)
	}
	for k, w := range []string{drawValue1, drawValue2} {
		if err := d.Reveal(drawCityActor, drawT0, k+1, w); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Verify(); err != nil {
		t.Fatal(err)
	}
	for _, a := range d.Result.Assignments {
		for _, p := range a.Inspectors {
			if (p.Code == "b" && strings.HasPrefix(a.Target.Code, "hbw/")) || (p.Code == "c" && a.Target.Code == "wd/s001") {
				t.Errorf("%s drawn for %s, from which they must recuse", p.Code, a.Target.Code)
			}
		}
	}
	// Two orgs at one path cannot both be candidates.
	in.Targets = append(in.Targets, Org{ID: 104, Code: "s001", Name: "重复", Kind: OrgSchool, Path: "wuhai/wd/s001/"})
	if _, err := NewDraw(drawCityActor, in, drawT0); err == nil || !strings.Contains(err.(*Error).Fields["targets"], "重复") {
		t.Errorf("a duplicate path: %v", err)
	}
}
