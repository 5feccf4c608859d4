package domain

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The worked example of docs/draw.md: 海勃湾区 draws 3 of 6 schools, 2 inspectors each, from 5
// inspectors; witness values chosen once and kept. The expected bytes and hex values below were
// computed by this implementation and checked against an independent one in Python (hashlib, hmac)
// written from the specification of docs/draw.md §4; the doc's own verifier (§6) gives the same.

var (
	drawOffice     = Org{ID: 2, Code: "hbw", Name: "海勃湾区", Kind: OrgDistrict, Path: "wuhai/hbw/"}
	drawCity       = Org{ID: 1, Code: "wuhai", Name: "乌海市", Kind: OrgCity, Path: "wuhai/"}
	drawSupervisor = Actor{UserID: 21, Name: "督学", Org: drawOffice, Grants: []Grant{{UserID: 21, Role: RoleSupervisor, OrgID: 2, Path: "wuhai/hbw/"}}}
	drawDirector   = Actor{UserID: 22, Name: "主任", Org: drawOffice, Grants: []Grant{{UserID: 22, Role: RoleDirector, OrgID: 2, Path: "wuhai/hbw/"}}}
	drawCityActor  = Actor{UserID: 23, Name: "市督学", Org: drawCity, Grants: []Grant{{UserID: 23, Role: RoleSupervisor, OrgID: 1, Path: "wuhai/"}}}
	drawT0         = time.Date(2026, 3, 2, 9, 30, 0, 0, CST)

	drawValue1 = "3615524163254614" // 16 dice rolls
	drawValue2 = "Me7mv8hTLFCq3RdL" // a random string
)

func drawSchool(id int64, code, name string) Org {
	return Org{ID: id, Code: code, Name: name, Kind: OrgSchool, Path: Jurisdiction("wuhai/hbw/" + code + "/")}
}

func goldenDrawInput() DrawInput {
	return DrawInput{
		Title: "2026年春季海勃湾区中小学双随机抽查", Scope: "wuhai/hbw/", Year: 2026, CaseType: CaseSchool, CaseKind: KindRandom,
		Filters: "学段：小学、初中；办学性质：公办", N: 3, K: 2, DefaultCap: 2,
		// deliberately not in code order: the snapshot sorts them
		Targets: []Org{drawSchool(106, "s06", "示例第二中学"), drawSchool(101, "s01", "示例第一小学"), drawSchool(102, "s02", "示例第二小学"),
			drawSchool(103, "s03", "示例第三小学"), drawSchool(104, "s04", "示例第四小学"), drawSchool(105, "s05", "示例第一中学")},
		Inspectors: []DrawInspectorInput{
			{UserID: 35, Code: "hbw-dx-05", Name: "赵敏", OrgPath: "wuhai/hbw/", Load: 2},
			{UserID: 31, Code: "hbw-dx-01", Name: "张伟", OrgPath: "wuhai/hbw/"},
			{UserID: 32, Code: "hbw-dx-02", Name: "王芳", OrgPath: "wuhai/hbw/s03/"},
			{UserID: 33, Code: "hbw-dx-03", Name: "李娜", OrgPath: "wuhai/hbw/", Load: 1, Conflicts: []Jurisdiction{"wuhai/hbw/s01/"}},
			{UserID: 34, Code: "hbw-dx-04", Name: "刘洋", OrgPath: "wuhai/", Cap: 1, Conflicts: []Jurisdiction{"wuhai/hbw/s03/", "wuhai/hbw/s03/"}},
		},
	}
}

const (
	goldenCommitment = "23ceeac3eaa725ce4e710a68bae08e6f368316607e2d62514f9df2d3f7616e21"
	goldenWitness1   = "6a2a57561637abab6a18101994ec12e888b22d5bd20c455829b1162c8fd3f873" // SHA-256 of drawValue1
	goldenWitness2   = "da9565a948a1599488c8cadcc9fc10f7ec7cc97094a6e00c74bebdb626d3e2aa" // SHA-256 of drawValue2
	goldenSeed       = "6e5d82bf46b9b66fe5ec8a180a3b5f5b7fa75808675864b16b678e9941c3e6d1"
)

var goldenSnapshot = strings.Join([]string{
	"dudao-draw/1",
	"title\t2026年春季海勃湾区中小学双随机抽查",
	"owner\twuhai/hbw/",
	"scope\twuhai/hbw/",
	"year\t2026",
	"case_type\tschool",
	"case_kind\trandom",
	"filters\t学段：小学、初中；办学性质：公办",
	"n\t3",
	"k\t2",
	"default_cap\t2",
	"created_at\t2026-03-02T09:30:00+08:00",
	"targets\t6",
	"t\t101\ts01\t示例第一小学\twuhai/hbw/s01/",
	"t\t102\ts02\t示例第二小学\twuhai/hbw/s02/",
	"t\t103\ts03\t示例第三小学\twuhai/hbw/s03/",
	"t\t104\ts04\t示例第四小学\twuhai/hbw/s04/",
	"t\t105\ts05\t示例第一中学\twuhai/hbw/s05/",
	"t\t106\ts06\t示例第二中学\twuhai/hbw/s06/",
	"inspectors\t5",
	"i\t31\thbw-dx-01\t张伟\twuhai/hbw/\t0\t2\t",
	"i\t32\thbw-dx-02\t王芳\twuhai/hbw/s03/\t0\t2\t",
	"i\t33\thbw-dx-03\t李娜\twuhai/hbw/\t1\t2\twuhai/hbw/s01/",
	"i\t34\thbw-dx-04\t刘洋\twuhai/\t0\t1\twuhai/hbw/s03/",
	"i\t35\thbw-dx-05\t赵敏\twuhai/hbw/\t2\t2\t",
	"",
}, "\n")

func newGoldenDraw(t *testing.T) *Draw {
	t.Helper()
	d, err := NewDraw(drawSupervisor, goldenDrawInput(), drawT0.Add(400*time.Millisecond))
	if err != nil {
		t.Fatalf("NewDraw: %v", err)
	}
	d.ID = 1
	return d
}

// drawTo brings the golden draw to status st along the ordinary path: two witnesses commit (so that
// committed may close), close, reveal both, or cancel.
func drawTo(t *testing.T, st DrawStatus) (*Draw, time.Time) {
	t.Helper()
	d := newGoldenDraw(t)
	now := drawT0
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("bringing the draw to %s: %v", st, err)
		}
		now = now.Add(time.Minute)
	}
	step(d.CommitWitness(drawSupervisor, now, "王静", "市纪委监委驻市教育局纪检监察组干部", WitnessCommitment(drawValue1)))
	step(d.CommitWitness(drawSupervisor, now, "孙磊", "示例第一小学家长委员会代表", WitnessCommitment(drawValue2)))
	switch st {
	case DrawCancelled:
		step(d.Cancel(drawDirector, now, "候选名单有误，重新组织。"))
	case DrawRevealing, DrawCompleted:
		step(d.CloseCommitments(drawSupervisor, now))
		if st == DrawCompleted {
			step(d.Reveal(drawSupervisor, now, 1, drawValue1))
			step(d.Reveal(drawSupervisor, now, 2, drawValue2))
		}
	}
	if d.Status != st {
		t.Fatalf("draw is %s, want %s", d.Status, st)
	}
	return d, now
}

func TestDrawGolden(t *testing.T) {
	d, _ := drawTo(t, DrawCompleted)
	if got := string(d.Snapshot()); got != goldenSnapshot {
		t.Errorf("snapshot:\n%s\nwant:\n%s", got, goldenSnapshot)
	}
	if d.Commitment != goldenCommitment {
		t.Errorf("commitment = %s, want %s", d.Commitment, goldenCommitment)
	}
	for i, want := range []string{goldenWitness1, goldenWitness2} {
		if got := d.Witnesses[i].Commitment; got != want {
			t.Errorf("witness %d commitment = %s, want %s", i+1, got, want)
		}
	}
	if d.Seed != goldenSeed {
		t.Errorf("seed = %s, want %s", d.Seed, goldenSeed)
	}
	type pick struct{ code, mac string }
	type row struct {
		rank    int
		target  string
		mac     string
		picks   []pick
		skipped string // the reason, for a skipped target
	}
	want := []row{
		{1, "s01", "3bc6f8f5763161dd58f43ed1abef65566845ad62af4841e774e94fda79792444",
			[]pick{{"hbw-dx-02", "948382c448dfbaae0638d54e3f74135ec15f9c71385c80c8e1f144222a17c07c"}, {"hbw-dx-01", "adee3c334876c8504948280024fb30c111df5679fba7c318d1225c9291c4969f"}}, ""},
		{2, "s04", "47134a21ff0a3d24f354fc236b2693dbb42181ae03a79ff7185eecc312882c1d",
			[]pick{{"hbw-dx-01", "09cbc7b55aeb03c79a8cd274bf1ef257f7b2a9ee8262e706147a788fc0623663"}, {"hbw-dx-02", "4da0fc827a798822bac62df8b89fdc7438bddf5d08265d224c24d5d2d188962e"}}, ""},
		{3, "s03", "ab041137b84e1544e9f15823357a6954c04b8eface77b2640ea3ec67356c5096", nil,
			"回避后未达工作量上限的督学仅1人，不足2人（须回避2人，已达工作量上限2人）。"},
		{4, "s06", "b3067b751da7569aeeeb41ac336a9860b6b78908296da18f12794bafe30a376d",
			[]pick{{"hbw-dx-03", "727ee2aa17c2bed83188bfc4bdf02cd4f7cf15ad5bec26c9eb71e8eb26fa741d"}, {"hbw-dx-04", "c05054e2ecefbebc4cb2c83e8de240c858e06e9d2d5711758fa13ed51c484e76"}}, ""},
	}
	var got []row
	for _, a := range d.Result.Assignments {
		r := row{rank: a.Rank, target: a.Target.Code, mac: a.MAC}
		for _, p := range a.Inspectors {
			r.picks = append(r.picks, pick{p.Code, p.MAC})
		}
		got = append(got, r)
	}
	for _, s := range d.Result.Skipped {
		got = append(got, row{rank: s.Rank, target: s.Target.Code, mac: s.MAC, skipped: s.Reason})
	}
	slices.SortFunc(got, func(a, b row) int { return a.rank - b.rank })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("result:\n%+v\nwant:\n%+v", got, want)
	}
	if s := d.Result.Skipped[0]; s.Eligible != 1 || s.Conflicted != 2 || s.AtCap != 2 {
		t.Errorf("skip counts = %d eligible, %d conflicted, %d at cap; want 1, 2, 2", s.Eligible, s.Conflicted, s.AtCap)
	}
	if err := d.Verify(); err != nil {
		t.Errorf("Verify of the untouched draw: %v", err)
	}
	seed, _ := hex.DecodeString(goldenSeed)
	for msg, want := range goldenOtherMACs {
		if got := hex.EncodeToString(drawMAC(seed, msg)); got != want {
			t.Errorf("HMAC(seed, %q) = %s, want %s", msg, got, want)
		}
	}
}

// goldenOtherMACs are the MACs docs/draw.md shows beyond the result: the targets not reached and the
// inspectors not picked.
var goldenOtherMACs = map[string]string{
	"s05":           "b966dda8f3e91bbbe5fbebbb951ffc1011f12e8699419d83f672b716e9e0ec40",
	"s02":           "efd083de5f2552107a3c57945c4daeb71a8e7e23108211788d87495c25007c0b",
	"s01|hbw-dx-04": "c7def83ab1b3dafb77454e90c6037bf2487a3f3d2eb869371bca50fe4fdb7dfc",
	"s04|hbw-dx-04": "5f8421815778c19d439625983f239d55c1a273c84890e6fe9cea1bfad42d61a0",
	"s04|hbw-dx-03": "a8e5e20d08cc23e8252c85cfae79f721d6440b6cddac842bc53dc2608c3c6763",
}

// TestDrawDocWorkedExample keeps docs/draw.md's worked example the one this code computes: it shows
// the snapshot, the values and the reason, and every hex digest in it is one this draw produces.
func TestDrawDocWorkedExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/draw.md")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := drawTo(t, DrawCompleted)
	known := map[string]bool{d.Commitment: true, d.Seed: true, d.Witnesses[0].Commitment: true, d.Witnesses[1].Commitment: true}
	for _, a := range d.Result.Assignments {
		known[a.MAC] = true
		for _, p := range a.Inspectors {
			known[p.MAC] = true
		}
	}
	for _, s := range d.Result.Skipped {
		known[s.MAC] = true
	}
	seed, _ := hex.DecodeString(d.Seed)
	for msg := range goldenOtherMACs {
		known[hex.EncodeToString(drawMAC(seed, msg))] = true
	}
	digests := regexp.MustCompile(`[0-9a-f]{64}`).FindAllString(string(doc), -1)
	for _, h := range digests {
		if !known[h] {
			t.Errorf("docs/draw.md shows %s, which this draw does not produce", h)
		}
	}
	for h := range known {
		if !slices.Contains(digests, h) {
			t.Errorf("docs/draw.md does not show %s", h)
		}
	}
	for _, s := range []string{goldenSnapshot, drawValue1, drawValue2, "回避后未达工作量上限的督学仅1人，不足2人（须回避2人，已达工作量上限2人）。"} {
		if !bytes.Contains(doc, []byte(s)) {
			t.Errorf("docs/draw.md does not show %q", s)
		}
	}
}

// cloneDraw copies d deeply enough that changing the copy's lists leaves d alone.
func cloneDraw(d *Draw) *Draw {
	c := *d
	c.Targets = slices.Clone(d.Targets)
	c.Inspectors = slices.Clone(d.Inspectors)
	for i := range c.Inspectors {
		c.Inspectors[i].Conflicts = slices.Clone(c.Inspectors[i].Conflicts)
	}
	c.Witnesses = slices.Clone(d.Witnesses)
	if d.Result != nil {
		r := DrawResult{Assignments: slices.Clone(d.Result.Assignments), Skipped: slices.Clone(d.Result.Skipped)}
		for i := range r.Assignments {
			r.Assignments[i].Inspectors = slices.Clone(r.Assignments[i].Inspectors)
		}
		c.Result = &r
	}
	return &c
}

// TestDrawVerifyDetectsEveryChange: any single change to a published input, a witness value, the seed
// or the result makes the replay fail, and the message names what differs.
func TestDrawVerifyDetectsEveryChange(t *testing.T) {
	done, _ := drawTo(t, DrawCompleted)
	other := "Zq8rT3vN6wK2pL9x" // a well-formed value nobody committed to
	tests := []struct {
		name   string
		change func(d *Draw)
		want   string
	}{
		{"n", func(d *Draw) { d.N = 2 }, "快照承诺值不符"},
		{"k", func(d *Draw) { d.K = 3 }, "快照承诺值不符"},
		{"default cap", func(d *Draw) { d.DefaultCap = 3 }, "快照承诺值不符"},
		{"filters", func(d *Draw) { d.Filters = "学段：小学" }, "快照承诺值不符"},
		{"scope", func(d *Draw) { d.Scope = "wuhai/" }, "快照承诺值不符"},
		{"year", func(d *Draw) { d.Year = 2027 }, "快照承诺值不符"},
		{"case type", func(d *Draw) { d.CaseType = CaseMonitoring }, "快照承诺值不符"},
		{"case kind", func(d *Draw) { d.CaseKind = KindSpecial }, "快照承诺值不符"},
		{"title", func(d *Draw) { d.Title += "（二）" }, "快照承诺值不符"},
		{"owner", func(d *Draw) { d.OwnerOrg = drawCity }, "快照承诺值不符"},
		{"created at", func(d *Draw) { d.CreatedAt = d.CreatedAt.Add(time.Second) }, "快照承诺值不符"},
		{"target name", func(d *Draw) { d.Targets[2].Name = "示例第三小学（分校）" }, "快照承诺值不符"},
		{"target code", func(d *Draw) { d.Targets[2].Code = "s33" }, "快照承诺值不符"},
		{"target path", func(d *Draw) { d.Targets[2].Path = "wuhai/wd/s03/" }, "快照承诺值不符"},
		{"target id", func(d *Draw) { d.Targets[2].OrgID = 999 }, "快照承诺值不符"},
		{"target removed", func(d *Draw) { d.Targets = slices.Delete(d.Targets, 2, 3) }, "快照承诺值不符"},
		{"target added", func(d *Draw) {
			d.Targets = append(d.Targets, DrawTarget{OrgID: 107, Code: "s07", Name: "示例第三中学", Path: "wuhai/hbw/s07/"})
		}, "快照承诺值不符"},
		{"targets reordered", func(d *Draw) { d.Targets[0], d.Targets[1] = d.Targets[1], d.Targets[0] }, "快照承诺值不符"},
		{"inspector load", func(d *Draw) { d.Inspectors[4].Load = 0 }, "快照承诺值不符"},
		{"inspector cap", func(d *Draw) { d.Inspectors[3].Cap = 2 }, "快照承诺值不符"},
		{"inspector conflict dropped", func(d *Draw) { d.Inspectors[3].Conflicts = nil }, "快照承诺值不符"},
		{"inspector org", func(d *Draw) { d.Inspectors[1].OrgPath = "wuhai/hbw/" }, "快照承诺值不符"},
		{"inspector name", func(d *Draw) { d.Inspectors[0].Name = "张玮" }, "快照承诺值不符"},
		{"inspector code", func(d *Draw) { d.Inspectors[0].Code = "hbw-dx-00" }, "快照承诺值不符"},
		{"inspector user", func(d *Draw) { d.Inspectors[0].UserID = 99 }, "快照承诺值不符"},
		{"inspector removed", func(d *Draw) { d.Inspectors = d.Inspectors[:4] }, "快照承诺值不符"},
		{"commitment", func(d *Draw) { d.Commitment = strings.Repeat("0", 64) }, "快照承诺值不符"},
		{"witness value", func(d *Draw) { d.Witnesses[0].Value = other }, "见证人1（王静）的随机值与其承诺值不符"},
		{"witness value and commitment", func(d *Draw) {
			d.Witnesses[1].Value, d.Witnesses[1].Commitment = other, WitnessCommitment(other)
		}, "种子不符"},
		{"witnesses reordered", func(d *Draw) {
			d.Witnesses[0], d.Witnesses[1] = d.Witnesses[1], d.Witnesses[0]
			d.Witnesses[0].Seq, d.Witnesses[1].Seq = 1, 2
		}, "种子不符"},
		{"witness dropped", func(d *Draw) { d.Witnesses = d.Witnesses[:1] }, "见证人仅1名"},
		{"witness unrevealed", func(d *Draw) { d.Witnesses[1].Value, d.Witnesses[1].RevealedAt = "", nil }, "有见证人的随机值未揭示"},
		{"seed", func(d *Draw) { d.Seed = strings.Repeat("ab", 32) }, "种子不符"},
		{"result nil", func(d *Draw) { d.Result = nil }, "没有记录结果"},
		{"assignment inspector", func(d *Draw) {
			d.Result.Assignments[0].Inspectors[1] = DrawPick{UserID: 34, Code: "hbw-dx-04", Name: "刘洋", MAC: d.Result.Assignments[0].Inspectors[1].MAC}
		}, "示例第一小学（s01）的督学重算为王芳（hbw-dx-02）、张伟（hbw-dx-01），记录为王芳（hbw-dx-02）、刘洋（hbw-dx-04）"},
		{"assignment target", func(d *Draw) { d.Result.Assignments[2].Target = d.Targets[4] }, "第3个抽中对象重算为示例第二中学（s06）"},
		{"assignment dropped", func(d *Draw) { d.Result.Assignments = d.Result.Assignments[:2] }, "重算抽中3个对象，记录为2个"},
		{"assignment mac", func(d *Draw) { d.Result.Assignments[1].MAC = strings.Repeat("0", 64) }, "示例第四小学（s04）或其督学的排序值（HMAC）与重算不符"},
		{"pick mac", func(d *Draw) { d.Result.Assignments[2].Inspectors[0].MAC = strings.Repeat("0", 64) }, "示例第二中学（s06）或其督学的排序值"},
		{"k out of range", func(d *Draw) { d.K = -1 }, "抽取参数无效（N=3，K=-1）"},
		{"skip dropped", func(d *Draw) { d.Result.Skipped = nil }, "重算跳过1个对象，记录为0个"},
		{"skip counts", func(d *Draw) { d.Result.Skipped[0].Eligible = 2 }, "可派人数"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := cloneDraw(done)
			tt.change(d)
			err := d.Verify()
			if err == nil {
				t.Fatal("Verify passed a changed draw")
			}
			if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Verify = %v, want ECONFLICT naming %q", err, tt.want)
			}
		})
	}
	if err := done.Verify(); err != nil {
		t.Errorf("the original was changed by the table: %v", err)
	}
}

// TestDrawVerifyBeforeCompletion: a draw in progress replays its commitment and the values so far.
func TestDrawVerifyBeforeCompletion(t *testing.T) {
	d, now := drawTo(t, DrawRevealing)
	if err := d.Reveal(drawSupervisor, now, 2, drawValue2); err != nil {
		t.Fatal(err)
	}
	if err := d.Verify(); err != nil {
		t.Errorf("Verify of a half-revealed draw: %v", err)
	}
	c := cloneDraw(d)
	c.Inspectors[0].Load = 1
	if err := c.Verify(); err == nil || !strings.Contains(err.Error(), "快照承诺值不符") {
		t.Errorf("Verify with a changed load = %v, want the commitment named", err)
	}
	c = cloneDraw(d)
	c.Seed = goldenSeed
	if err := c.Verify(); err == nil || !strings.Contains(err.Error(), "尚未完成") {
		t.Errorf("Verify of an unfinished draw with a seed = %v", err)
	}
}

func TestDrawSeed(t *testing.T) {
	a, _ := DrawSeed(goldenCommitment, []string{drawValue1, drawValue2})
	b, _ := DrawSeed(goldenCommitment, []string{drawValue2, drawValue1})
	if hex.EncodeToString(a) != goldenSeed || bytes.Equal(a, b) {
		t.Errorf("seed = %x (want %s); swapped values give %x, want another", a, goldenSeed, b)
	}
	// The commitment is bound in: the same values in another draw give another seed.
	c, _ := DrawSeed(strings.Repeat("0", 64), []string{drawValue1, drawValue2})
	if bytes.Equal(a, c) {
		t.Error("the seed does not depend on the commitment")
	}
	// Length prefixes: moving a character from one value to the next changes the seed.
	d, _ := DrawSeed(goldenCommitment, []string{drawValue1 + "M", drawValue2[1:]})
	if bytes.Equal(a, d) {
		t.Error("the seed does not separate the values")
	}
	for _, bad := range []string{"", "xyz", strings.ToUpper(goldenCommitment), goldenCommitment[:62]} {
		if _, err := DrawSeed(bad, nil); ErrorCode(err) != EINVALID {
			t.Errorf("DrawSeed(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

// TestDrawRevealOrder: values may be revealed in any order; the seed takes them in the order the
// witnesses registered.
func TestDrawRevealOrder(t *testing.T) {
	d, now := drawTo(t, DrawRevealing)
	if err := d.Reveal(drawDirector, now, 2, drawValue2); err != nil {
		t.Fatal(err)
	}
	if d.Status != DrawRevealing || d.Seed != "" || d.Result != nil {
		t.Fatalf("after one of two values: status %s, seed %q", d.Status, d.Seed)
	}
	if err := d.Reveal(drawSupervisor, now, 1, drawValue1); err != nil {
		t.Fatal(err)
	}
	if d.Status != DrawCompleted || d.Seed != goldenSeed || d.CompletedAt == nil || d.Drawn() != 3 {
		t.Errorf("after the last value: status %s, seed %s, drawn %d; want completed, %s, 3", d.Status, d.Seed, d.Drawn(), goldenSeed)
	}
}

func TestDrawTransitionTable(t *testing.T) {
	want := map[DrawStatus]map[DrawAction]DrawStatus{
		DrawCommitted: {DrawCommitWitness: DrawCommitted, DrawCloseCommitments: DrawRevealing, DrawCancel: DrawCancelled},
		DrawRevealing: {DrawReveal: DrawRevealing, DrawCancel: DrawCancelled},
		DrawCompleted: {},
		DrawCancelled: {},
	}
	for _, st := range DrawStatuses {
		for _, act := range DrawActions {
			to, ok := want[st][act]
			if got := st.Can(act); got != ok {
				t.Errorf("%s.Can(%s) = %v, want %v", st, act, got, ok)
			}
			d, now := drawTo(t, st)
			before := cloneDraw(d)
			var err error
			switch act {
			case DrawCommitWitness:
				err = d.CommitWitness(drawSupervisor, now, "周洁", "公证员", WitnessCommitment("pX4nR7tK2wM9qL5v"))
			case DrawCloseCommitments:
				err = d.CloseCommitments(drawSupervisor, now)
			case DrawReveal:
				err = d.Reveal(drawSupervisor, now, 1, drawValue1)
			case DrawCancel:
				err = d.Cancel(drawDirector, now, "见证人未能到场。")
			}
			switch {
			case ok && err != nil:
				t.Errorf("%s --%s-->: err = %v, want success", st, act, err)
			case ok && d.Status != to:
				t.Errorf("%s --%s--> %s, want %s", st, act, d.Status, to)
			case ok && d.Version != before.Version+1:
				t.Errorf("%s --%s-->: version %d, want %d", st, act, d.Version, before.Version+1)
			case !ok && ErrorCode(err) != ECONFLICT:
				t.Errorf("%s --%s-->: err = %v, want ECONFLICT", st, act, err)
			case !ok && !reflect.DeepEqual(d, before):
				t.Errorf("%s --%s--> refused but changed the draw", st, act)
			}
		}
	}
	// Completion is no user's step: only the last reveal takes it (TestDrawRevealOrder).
	d, _ := drawTo(t, DrawRevealing)
	if DrawAction("complete").Valid() || ErrorCode(d.Check("complete", drawSupervisor)) != ECONFLICT {
		t.Error("complete is offered as a user's step")
	}
}

func TestDrawAllowedActions(t *testing.T) {
	d, _ := drawTo(t, DrawCommitted)
	if got := d.AllowedActions(drawSupervisor, nil); !slices.Equal(got, []DrawAction{DrawCommitWitness, DrawCloseCommitments, DrawCancel}) {
		t.Errorf("committed with two witnesses: %v", got)
	}
	noCancel := func(a DrawAction) bool { return a != DrawCancel }
	if got := d.AllowedActions(drawSupervisor, noCancel); !slices.Equal(got, []DrawAction{DrawCommitWitness, DrawCloseCommitments}) {
		t.Errorf("without the cancel right: %v", got)
	}
	fresh := newGoldenDraw(t)
	if got := fresh.AllowedActions(drawSupervisor, nil); !slices.Equal(got, []DrawAction{DrawCommitWitness, DrawCancel}) {
		t.Errorf("committed without witnesses: %v", got)
	}
	// The ceremony is the running office's own; cancelling is for whom the authorizer lets.
	if got := d.AllowedActions(drawCityActor, nil); !slices.Equal(got, []DrawAction{DrawCancel}) {
		t.Errorf("a user of another org: %v", got)
	}
	done, _ := drawTo(t, DrawCompleted)
	if got := done.AllowedActions(drawDirector, nil); len(got) != 0 {
		t.Errorf("completed: %v", got)
	}
}

func TestDrawWitnessRules(t *testing.T) {
	t.Run("fewer than two witnesses cannot close", func(t *testing.T) {
		d := newGoldenDraw(t)
		if err := d.CommitWitness(drawSupervisor, drawT0, "王静", "纪检监察组", WitnessCommitment(drawValue1)); err != nil {
			t.Fatal(err)
		}
		if err := d.CloseCommitments(drawSupervisor, drawT0); ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "至少须有2名见证人") {
			t.Errorf("close with one witness: %v", err)
		}
	})
	t.Run("no witness after closing", func(t *testing.T) {
		d, now := drawTo(t, DrawRevealing)
		err := d.CommitWitness(drawSupervisor, now, "周洁", "公证员", WitnessCommitment("pX4nR7tK2wM9qL5v"))
		if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "已截止见证人登记") || len(d.Witnesses) != 2 {
			t.Errorf("commit after close: %v, %d witnesses", err, len(d.Witnesses))
		}
	})
	t.Run("duplicates and bad commitments", func(t *testing.T) {
		d, now := drawTo(t, DrawCommitted)
		for _, c := range []struct{ name, role, commitment, field string }{
			{"王静", "家长代表", WitnessCommitment("pX4nR7tK2wM9qL5v"), "name"},
			{"周洁", "公证员", WitnessCommitment(drawValue2), "commitment"},
			{"周洁", "公证员", "abc", "commitment"},
			{"周洁", "公证员", strings.Repeat("g", 64), "commitment"},
			{"", "公证员", WitnessCommitment("pX4nR7tK2wM9qL5v"), "name"},
			{"周洁", "", WitnessCommitment("pX4nR7tK2wM9qL5v"), "role"},
			{"周\n洁", "公证员", WitnessCommitment("pX4nR7tK2wM9qL5v"), "name"},
		} {
			err := d.CommitWitness(drawSupervisor, now, c.name, c.role, c.commitment)
			var e *Error
			if ErrorCode(err) != EINVALID || !errors.As(err, &e) || e.Fields[c.field] == "" {
				t.Errorf("commit %q %q %q: %v, want a message on %s", c.name, c.role, c.commitment, err, c.field)
			}
		}
		if len(d.Witnesses) != 2 || d.Version != 3 {
			t.Errorf("refused commitments changed the draw: %d witnesses, version %d", len(d.Witnesses), d.Version)
		}
		// An upper-case hash is the same number: stored in lower case.
		if err := d.CommitWitness(drawSupervisor, now, " 周洁 ", "公证员", strings.ToUpper(WitnessCommitment("pX4nR7tK2wM9qL5v"))); err != nil {
			t.Fatal(err)
		}
		if w := d.Witness(3); w.Name != "周洁" || w.Commitment != WitnessCommitment("pX4nR7tK2wM9qL5v") || w.Seq != 3 {
			t.Errorf("third witness = %+v", *w)
		}
	})
	t.Run("wrong value changes nothing", func(t *testing.T) {
		d, now := drawTo(t, DrawRevealing)
		before := cloneDraw(d)
		err := d.Reveal(drawSupervisor, now, 1, drawValue2)
		var e *Error
		if ErrorCode(err) != EINVALID || !errors.As(err, &e) || !strings.Contains(e.Fields["value"], "与见证人王静登记的承诺值") {
			t.Errorf("reveal with the other witness's value: %v", err)
		}
		if !reflect.DeepEqual(d, before) {
			t.Error("a refused reveal changed the draw")
		}
	})
	t.Run("malformed values", func(t *testing.T) {
		d, now := drawTo(t, DrawRevealing)
		for _, v := range []string{"", "1234567", "361552416325461", drawValue1 + " ", "3615 524163254614", "三六一五五二四一六三二五四六一四", strings.Repeat("a", 129)} {
			if err := d.Reveal(drawSupervisor, now, 1, v); ErrorCode(err) != EINVALID {
				t.Errorf("reveal %q: %v, want EINVALID", v, err)
			}
		}
		if err := CheckWitnessValue(strings.Repeat("x", 128)); err != nil {
			t.Errorf("a 128-character value: %v", err)
		}
		for _, seq := range []int{0, 3} {
			if err := d.Reveal(drawSupervisor, now, seq, drawValue1); ErrorCode(err) != EINVALID {
				t.Errorf("reveal of witness %d: %v, want EINVALID", seq, err)
			}
		}
		if d.Witnesses[0].Revealed() || d.Version != 4 {
			t.Error("refused reveals changed the draw")
		}
	})
	t.Run("a value is revealed once", func(t *testing.T) {
		d, now := drawTo(t, DrawRevealing)
		if err := d.Reveal(drawSupervisor, now, 1, drawValue1); err != nil {
			t.Fatal(err)
		}
		if err := d.Reveal(drawSupervisor, now, 1, drawValue1); ErrorCode(err) != ECONFLICT {
			t.Errorf("second reveal: %v, want ECONFLICT", err)
		}
	})
	t.Run("another org's user runs no ceremony", func(t *testing.T) {
		d, now := drawTo(t, DrawCommitted)
		if err := d.CommitWitness(drawCityActor, now, "周洁", "公证员", WitnessCommitment("pX4nR7tK2wM9qL5v")); ErrorCode(err) != EFORBIDDEN {
			t.Errorf("commit by a city user: %v, want EFORBIDDEN", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		d, now := drawTo(t, DrawCompleted)
		err := d.Cancel(drawDirector, now, "结果不理想。")
		if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "已完成") || d.Status != DrawCompleted {
			t.Errorf("cancel after completion: %v", err)
		}
		d, now = drawTo(t, DrawRevealing)
		if err := d.Cancel(drawDirector, now, "  "); ErrorCode(err) != EINVALID || d.Status != DrawRevealing {
			t.Errorf("cancel without a reason: %v", err)
		}
		if err := d.Cancel(drawDirector, now, " 见证人孙磊未能到场揭示。 "); err != nil {
			t.Fatal(err)
		}
		if d.CancelReason != "见证人孙磊未能到场揭示。" || d.CancelledBy != drawDirector.UserID || d.CancelledAt == nil {
			t.Errorf("cancelled draw: reason %q, by %d", d.CancelReason, d.CancelledBy)
		}
		if err := d.Verify(); err != nil {
			t.Errorf("a cancelled draw still replays its commitment: %v", err)
		}
	})
}

func TestNewDrawChecks(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *DrawInput)
		field  string
	}{
		{"no title", func(in *DrawInput) { in.Title = " " }, "title"},
		{"title with a line break", func(in *DrawInput) { in.Title = "春季\n抽查" }, "title"},
		{"filters with a tab", func(in *DrawInput) { in.Filters = "学段\t小学" }, "filters"},
		{"scope outside the office", func(in *DrawInput) { in.Scope = "wuhai/wd/" }, "scope"},
		{"malformed scope", func(in *DrawInput) { in.Scope = "wuhai/hbw" }, "scope"},
		{"year", func(in *DrawInput) { in.Year = 26 }, "year"},
		{"case type", func(in *DrawInput) { in.CaseType = "x" }, "case_type"},
		{"routine visits are not drawn", func(in *DrawInput) { in.CaseKind = KindRoutine }, "case_kind"},
		{"n zero", func(in *DrawInput) { in.N = 0 }, "n"},
		{"n above the candidates", func(in *DrawInput) { in.N = 7 }, "n"},
		{"k of one (R66)", func(in *DrawInput) { in.K = 1 }, "k"},
		{"k above the inspectors", func(in *DrawInput) { in.K = 6 }, "k"},
		{"k above the maximum", func(in *DrawInput) { in.K = DrawMaxK + 1 }, "k"},
		{"default cap", func(in *DrawInput) { in.DefaultCap = 0 }, "default_cap"},
		{"no targets", func(in *DrawInput) { in.Targets = nil }, "targets"},
		{"duplicate target", func(in *DrawInput) { in.Targets[1] = in.Targets[0] }, "targets"},
		{"target outside the scope", func(in *DrawInput) {
			in.Targets[0] = Org{ID: 201, Code: "w01", Name: "乌达示例小学", Kind: OrgSchool, Path: "wuhai/wd/w01/"}
		}, "targets"},
		{"the office itself", func(in *DrawInput) { in.Scope, in.Targets[0] = "wuhai/hbw/", drawOffice }, "targets"},
		{"a district for a school case", func(in *DrawInput) {
			in.Scope = "wuhai/hbw/"
			in.Targets[0] = Org{ID: 9, Code: "sub", Name: "街道", Kind: OrgDistrict, Path: "wuhai/hbw/sub/"}
		}, "targets"},
		{"target path not ending in its code", func(in *DrawInput) { in.Targets[0].Path = "wuhai/hbw/s99/" }, "targets"},
		{"no inspectors", func(in *DrawInput) { in.Inspectors = nil }, "inspectors"},
		{"duplicate inspector code", func(in *DrawInput) { in.Inspectors[1].Code = in.Inspectors[0].Code }, "inspectors"},
		{"duplicate inspector user", func(in *DrawInput) { in.Inspectors[1].UserID = in.Inspectors[0].UserID }, "inspectors"},
		{"inspector code with a bar", func(in *DrawInput) { in.Inspectors[0].Code = "a|b" }, "inspectors"},
		{"inspector without org", func(in *DrawInput) { in.Inspectors[0].OrgPath = "" }, "inspectors"},
		{"negative load", func(in *DrawInput) { in.Inspectors[0].Load = -1 }, "inspectors"},
		{"cap above the maximum", func(in *DrawInput) { in.Inspectors[0].Cap = DrawMaxCap + 1 }, "inspectors"},
		{"malformed conflict", func(in *DrawInput) { in.Inspectors[0].Conflicts = []Jurisdiction{"s01"} }, "inspectors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goldenDrawInput()
			tt.change(&in)
			d, err := NewDraw(drawSupervisor, in, drawT0)
			var e *Error
			if d != nil || ErrorCode(err) != EINVALID || !errors.As(err, &e) || e.Fields[tt.field] == "" {
				t.Errorf("NewDraw = %v, want a message on %s", err, tt.field)
			}
		})
	}
	// A city office may draw across districts, and a k of DrawMaxK is allowed.
	in := goldenDrawInput()
	in.Scope = "wuhai/"
	d, err := NewDraw(drawCityActor, in, drawT0)
	if err != nil || d.Status != DrawCommitted || d.Version != 1 || d.OwnerOrg.ID != drawCity.ID || d.Commitment == goldenCommitment {
		t.Errorf("a city draw: %v", err)
	}
	if d.Inspectors[3].Cap != 1 || d.Inspectors[0].Cap != 2 || len(d.Inspectors[3].Conflicts) != 1 {
		t.Errorf("caps and conflicts: %+v", d.Inspectors)
	}
}

func TestDrawPermissionsAndHead(t *testing.T) {
	d := newGoldenDraw(t)
	for op, act := range map[Op]string{OpCreateDraw: "create", "draw.commit_witness": "commit_witness",
		"draw.close_commitments": "close_commitments", "draw.reveal": "reveal", "draw.cancel": "cancel"} {
		p, ok := d.Permission(op)
		if !ok || p.Object != "draw" || len(p.Any) != 1 || p.Any[0] != (Right{Act: act, Side: AtOwner}) || p.Label == "" {
			t.Errorf("Permission(%s) = %+v, %v", op, p, ok)
		}
	}
	for _, a := range DrawActions {
		if _, ok := d.Permission(a.Op()); !ok {
			t.Errorf("no permission for %s", a.Op())
		}
	}
	if _, ok := d.Permission("draw.complete"); ok {
		t.Error("draw.complete has a permission")
	}
	h := d.Head()
	if h.Object != "draw" || h.ID != 1 || h.Version != 1 || h.Owner.ID != drawOffice.ID || h.Target != (Org{}) ||
		h.Label != "随机抽取#1（2026年春季海勃湾区中小学双随机抽查）" || h.AuditPath() != "wuhai/hbw/" {
		t.Errorf("Head = %+v", h)
	}
}

func TestDrawConflicts(t *testing.T) {
	s03 := DrawTarget{Code: "s03", Path: "wuhai/hbw/s03/"}
	hbw := DrawTarget{Code: "hbw", Path: "wuhai/hbw/"}
	tests := []struct {
		in   DrawInspector
		t    DrawTarget
		want bool
	}{
		{DrawInspector{OrgPath: "wuhai/hbw/s03/"}, s03, true},                                       // works at the target
		{DrawInspector{OrgPath: "wuhai/hbw/s03/k1/"}, s03, true},                                    // works under it
		{DrawInspector{OrgPath: "wuhai/hbw/s03/"}, hbw, true},                                       // a district's own school's teacher
		{DrawInspector{OrgPath: "wuhai/hbw/"}, s03, false},                                          // the office above
		{DrawInspector{OrgPath: "wuhai/hbw/s030/"}, s03, false},                                     // a prefix of a code is not a path
		{DrawInspector{OrgPath: "wuhai/", Conflicts: []Jurisdiction{"wuhai/hbw/s03/"}}, s03, true},  // declared
		{DrawInspector{OrgPath: "wuhai/", Conflicts: []Jurisdiction{"wuhai/hbw/"}}, s03, true},      // a declared district covers its schools
		{DrawInspector{OrgPath: "wuhai/", Conflicts: []Jurisdiction{"wuhai/hbw/s03/"}}, hbw, false}, // a school's conflict is not its district's
		{DrawInspector{OrgPath: "wuhai/", Conflicts: []Jurisdiction{"wuhai/hbw/s01/", "wuhai/wd/"}}, s03, false},
	}
	for i, tt := range tests {
		if got := tt.in.ConflictsWith(tt.t); got != tt.want {
			t.Errorf("%d: %+v ConflictsWith %s = %v, want %v", i, tt.in, tt.t.Path, got, tt.want)
		}
	}
}

// randomDraw is a roster of 1–12 schools in three districts and 2–8 inspectors sitting at the city, a
// district or a school, with loads, caps and declared conflicts, all from rng.
func randomDraw(t *testing.T, rng *rand.Rand) *Draw {
	t.Helper()
	districts := []string{"hbw", "wd", "hn"}
	var schools []Org
	for i := range 15 {
		dist := districts[i%3]
		code := dist[:1] + string(rune('a'+i))
		schools = append(schools, Org{ID: int64(100 + i), Code: code, Name: "学校" + code, Kind: OrgSchool,
			Path: Jurisdiction("wuhai/" + dist + "/" + code + "/")})
	}
	places := []Jurisdiction{"wuhai/", "wuhai/hbw/", "wuhai/wd/", "wuhai/hn/"}
	for _, s := range schools {
		places = append(places, s.Path)
	}
	rng.Shuffle(len(schools), func(i, j int) { schools[i], schools[j] = schools[j], schools[i] })
	in := DrawInput{Title: "随机", Scope: "wuhai/", Year: 2026, CaseType: CaseSchool, CaseKind: KindRandom,
		DefaultCap: 1 + rng.IntN(3), Targets: schools[:1+rng.IntN(12)]}
	for i := range 2 + rng.IntN(7) {
		ins := DrawInspectorInput{UserID: int64(i + 1), Code: "dx" + string(rune('a'+i)), Name: "督学",
			OrgPath: places[rng.IntN(len(places))], Load: rng.IntN(3), Cap: rng.IntN(4)}
		for range rng.IntN(3) {
			ins.Conflicts = append(ins.Conflicts, places[1+rng.IntN(len(places)-1)])
		}
		in.Inspectors = append(in.Inspectors, ins)
	}
	in.N = 1 + rng.IntN(len(in.Targets))
	in.K = 2 + rng.IntN(min(3, len(in.Inspectors)-1))
	d, err := NewDraw(drawCityActor, in, drawT0)
	if err != nil {
		t.Fatalf("NewDraw: %v", err)
	}
	return d
}

// TestDrawProperties replays 2,000 random draws with a separate reading of the rules: targets in
// HMAC order; a target is staffed when at least K inspectors are free of conflict and under their cap
// at its turn, with the K of lowest HMAC, else skipped; stop at N. So no conflicted inspector is
// assigned, no cap is exceeded, every assigned target has K, every skipped one really had fewer than
// K at its turn, and min(N, what the procedure reaches) are drawn.
func TestDrawProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 10))
	mac := func(seed []byte, msg string) []byte {
		h := hmac.New(sha256.New, seed)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	conflicted := func(in DrawInspector, target Jurisdiction) bool {
		if strings.HasPrefix(string(in.OrgPath), string(target)) {
			return true
		}
		for _, c := range in.Conflicts {
			if strings.HasPrefix(string(target), string(c)) {
				return true
			}
		}
		return false
	}
	skips, partial := 0, 0
	for n := range 2000 {
		d := randomDraw(t, rng)
		seed := make([]byte, 32)
		for i := range seed {
			seed[i] = byte(rng.UintN(256))
		}
		res := runDraw(d, seed)

		order := slices.Clone(d.Targets)
		slices.SortFunc(order, func(a, b DrawTarget) int { return bytes.Compare(mac(seed, a.Code), mac(seed, b.Code)) })
		load := map[string]int{}
		for _, in := range d.Inspectors {
			load[in.Code] = in.Load
		}
		ai, si, reached := 0, 0, 0
		for r, tg := range order {
			if ai == d.N {
				break
			}
			reached++
			var free []DrawInspector
			nConf, nCap := 0, 0
			for _, in := range d.Inspectors {
				switch {
				case conflicted(in, tg.Path):
					nConf++
				case load[in.Code] >= in.Cap:
					nCap++
				default:
					free = append(free, in)
				}
			}
			switch {
			case ai < len(res.Assignments) && res.Assignments[ai].Rank == r+1:
				a := res.Assignments[ai]
				ai++
				if a.Target != tg || len(free) < d.K || len(a.Inspectors) != d.K {
					t.Fatalf("draw %d: rank %d assigned %s with %d of %d free; want %s", n, r+1, a.Target.Code, len(a.Inspectors), len(free), tg.Code)
				}
				slices.SortFunc(free, func(x, y DrawInspector) int {
					return bytes.Compare(mac(seed, tg.Code+"|"+x.Code), mac(seed, tg.Code+"|"+y.Code))
				})
				for p, pick := range a.Inspectors {
					in := free[p]
					if pick.Code != in.Code || pick.UserID != in.UserID {
						t.Fatalf("draw %d: %s pick %d = %s, want %s", n, tg.Code, p, pick.Code, in.Code)
					}
					if conflicted(in, tg.Path) || load[in.Code] >= in.Cap {
						t.Fatalf("draw %d: %s got %s, who is conflicted or full", n, tg.Code, in.Code)
					}
					load[in.Code]++
				}
			case si < len(res.Skipped) && res.Skipped[si].Rank == r+1:
				s := res.Skipped[si]
				si++
				skips++
				if s.Target != tg || len(free) >= d.K || s.Eligible != len(free) || s.Conflicted != nConf || s.AtCap != nCap {
					t.Fatalf("draw %d: rank %d skipped %s with %d free (%d conflicted, %d full), K %d", n, r+1, s.Target.Code, len(free), nConf, nCap, d.K)
				}
				if !strings.Contains(s.Reason, "仅"+strconv.Itoa(len(free))+"人，不足"+strconv.Itoa(d.K)+"人") {
					t.Fatalf("draw %d: reason %q", n, s.Reason)
				}
			default:
				t.Fatalf("draw %d: rank %d (%s) was reached but is neither assigned nor skipped", n, r+1, tg.Code)
			}
		}
		if ai != len(res.Assignments) || si != len(res.Skipped) {
			t.Fatalf("draw %d: result has entries beyond the targets reached", n)
		}
		// min(N, what the procedure reaches): fewer than N only when every candidate was tried.
		if len(res.Assignments) > d.N || len(res.Assignments) < d.N && reached != len(d.Targets) {
			t.Fatalf("draw %d: drew %d of N=%d after reaching %d of %d", n, len(res.Assignments), d.N, reached, len(d.Targets))
		}
		if len(res.Assignments) < d.N {
			partial++
		}
		assigned := map[string]int{}
		for _, a := range res.Assignments {
			for _, p := range a.Inspectors {
				assigned[p.Code]++
			}
		}
		for _, in := range d.Inspectors {
			if assigned[in.Code] > max(0, in.Cap-in.Load) {
				t.Fatalf("draw %d: %s had %d of cap %d and got %d more", n, in.Code, in.Load, in.Cap, assigned[in.Code])
			}
		}
	}
	// The rosters must exercise both branches, or the property says little.
	if skips < 100 || partial < 50 {
		t.Errorf("only %d skips and %d partial draws in 2,000 rosters", skips, partial)
	}
}

// TestDrawImpossible: with two inspectors, one of whom must recuse from every target, nothing can be
// drawn, and each target's reason says why.
func TestDrawImpossible(t *testing.T) {
	in := goldenDrawInput()
	in.N, in.K = 2, 2
	in.Inspectors = []DrawInspectorInput{
		{UserID: 31, Code: "hbw-dx-01", Name: "张伟", OrgPath: "wuhai/hbw/"},
		{UserID: 36, Code: "hbw-dx-06", Name: "钱程", OrgPath: "wuhai/", Conflicts: []Jurisdiction{"wuhai/hbw/"}},
	}
	d, err := NewDraw(drawSupervisor, in, drawT0)
	if err != nil {
		t.Fatal(err)
	}
	res := runDraw(d, make([]byte, 32))
	if len(res.Assignments) != 0 || len(res.Skipped) != 6 {
		t.Fatalf("drew %d, skipped %d; want 0 and all 6", len(res.Assignments), len(res.Skipped))
	}
	for _, s := range res.Skipped {
		if s.Reason != "回避后未达工作量上限的督学仅1人，不足2人（须回避1人，已达工作量上限0人）。" {
			t.Errorf("%s: %s", s.Target.Code, s.Reason)
		}
	}
}

// TestDrawFairness: over 2,000 seeds, each of 10 targets is drawn first about equally often, whatever
// its code: the ranking favours no place in the list.
func TestDrawFairness(t *testing.T) {
	in := goldenDrawInput()
	in.Targets = nil
	for i := range 10 {
		code := "s1" + string(rune('0'+i))
		in.Targets = append(in.Targets, drawSchool(int64(200+i), code, "学校"+code))
	}
	in.N = 1
	d, err := NewDraw(drawSupervisor, in, drawT0)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	count := map[string]int{}
	for range 2000 {
		seed := make([]byte, 32)
		for i := range seed {
			seed[i] = byte(rng.UintN(256))
		}
		count[runDraw(d, seed).Assignments[0].Target.Code]++
	}
	for _, tg := range d.Targets {
		// 200 expected; ±60 is beyond four standard deviations (sqrt(2000·0.1·0.9) ≈ 13.4).
		if c := count[tg.Code]; c < 140 || c > 260 {
			t.Errorf("%s drawn first %d times of 2000", tg.Code, c)
		}
	}
}
