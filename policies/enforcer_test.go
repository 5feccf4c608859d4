package policies

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"dudao/domain"
)

// pair is one (object, action) the enforcer is asked about.
type pair struct{ obj, act string }

func (p pair) String() string { return p.obj + " " + p.act }

// allPairs is every (object, action) the application asks the enforcer about.
var allPairs = []pair{
	{"org", "read"}, {"org", "create"},
	{"user", "read"}, {"user", "create"}, {"user", "grant"},
	{"audit", "read"}, {"report", "read"},
	{"case", "read"}, {"case", "create"}, {"case", "start"}, {"case", "submit_preliminary"},
	{"case", "acknowledge"}, {"case", "submit_for_review"}, {"case", "return"}, {"case", "issue"},
	{"case", "issue_routine"}, {"case", "submit_rectification"}, {"case", "recheck"}, {"case", "cancel"},
	{"case", "finding.write"}, {"case", "objection.file"}, {"case", "objection.rule"},
	{"case", "measure.write"}, {"case", "evidence.inspect"}, {"case", "evidence.rectify"}, {"case", "audit.read"},
	{"accountability", "read"}, {"accountability", "propose"}, {"accountability", "edit"}, {"accountability", "notice"},
	{"accountability", "statement"}, {"accountability", "decide"}, {"accountability", "publish"}, {"accountability", "drop"}, {"accountability", "interview"},
	{"incentive", "read"}, {"incentive", "propose"}, {"incentive", "decide"}, {"incentive", "publish"}, {"incentive", "drop"},
	// a 问责 record before its written notice (R56): the supervision side's working file.
	{"accountability", "proposal.read"},
	// inspector registry, 挂牌, plans, draws (issue 10)
	{"inspector", "read"}, {"inspector", "recommend"}, {"inspector", "import"}, {"inspector", "edit"}, {"inspector", "approve"},
	{"inspector", "reject"}, {"inspector", "publicize"}, {"inspector", "appoint"}, {"inspector", "renew"}, {"inspector", "suspend"},
	{"inspector", "resume"}, {"inspector", "retire"}, {"inspector", "training.write"}, {"inspector", "conflict.declare"},
	{"inspector", "conflict.withdraw"},
	{"assignment", "read"}, {"assignment", "assign"},
	{"plan", "read"}, {"plan", "create"}, {"plan", "edit"}, {"plan", "approve"}, {"plan", "return"}, {"plan", "publish"},
	{"draw", "read"}, {"draw", "create"}, {"draw", "commit_witness"}, {"draw", "close_commitments"}, {"draw", "reveal"}, {"draw", "cancel"},
	// Issue 12.
	{"case", "notice.send"}, {"monitoring_case", "read"},
	{"review_request", "read"}, {"review_request", "apply"}, {"review_request", "decide"},
}

// roleMay is SPEC §1 written out by hand: what each role may do within its own jurisdiction.
// It is deliberately not read from policy.csv, so that the policy is checked against the spec.
var roleMay = map[domain.Role][]pair{
	// orgs, users, grants; no case decisions.
	domain.RoleAdmin: {
		{"org", "read"}, {"org", "create"},
		{"user", "read"}, {"user", "create"}, {"user", "grant"},
	},
	// approve/return reports, issue 意见书, rule on objections, read accountability and audit.
	domain.RoleDirector: {
		{"org", "read"}, {"user", "read"}, {"audit", "read"}, {"report", "read"},
		{"case", "read"}, {"case", "create"}, {"case", "return"}, {"case", "issue"},
		{"case", "cancel"}, {"case", "objection.rule"}, {"case", "audit.read"},
		// a director of the office may give a routine visit's opinion on the spot too (R28).
		{"case", "issue_routine"},
		// decide 问责 and 激励 (R56: approved by the 督导委员会主任), notice, publish, drop, record 约谈.
		{"accountability", "read"}, {"accountability", "notice"}, {"accountability", "decide"}, {"accountability", "publish"},
		{"accountability", "drop"}, {"accountability", "interview"},
		// change a proposal's trigger and facts before the notice, and read it before then (R56).
		{"accountability", "edit"}, {"accountability", "proposal.read"},
		{"incentive", "read"}, {"incentive", "decide"}, {"incentive", "publish"}, {"incentive", "drop"},
		// decide who serves (R33, R6, R17), who is a school's 责任督学 (R21), the plan; cancel a draw;
		// and take a draw's steps, which the office's head may run too.
		{"inspector", "read"}, {"inspector", "recommend"}, {"inspector", "import"}, {"inspector", "edit"}, {"inspector", "approve"},
		{"inspector", "reject"}, {"inspector", "publicize"}, {"inspector", "appoint"}, {"inspector", "renew"}, {"inspector", "suspend"},
		{"inspector", "resume"}, {"inspector", "retire"}, {"inspector", "training.write"}, {"inspector", "conflict.declare"},
		{"inspector", "conflict.withdraw"},
		{"assignment", "read"}, {"assignment", "assign"},
		{"plan", "read"}, {"plan", "approve"}, {"plan", "return"}, {"plan", "publish"},
		{"draw", "read"}, {"draw", "create"}, {"draw", "commit_witness"}, {"draw", "close_commitments"}, {"draw", "reveal"}, {"draw", "cancel"},
		// send the 督导通知 of the office's visits (R20); decide 复查 and, for the office below, 复核 (R16).
		{"case", "notice.send"}, {"review_request", "read"}, {"review_request", "decide"},
	},
	// plan, inspect, record findings and evidence, draft reports, recheck; routine cases issue on the spot (R28).
	domain.RoleSupervisor: {
		{"org", "read"},
		{"case", "read"}, {"case", "create"}, {"case", "start"}, {"case", "submit_preliminary"},
		{"case", "submit_for_review"}, {"case", "issue_routine"}, {"case", "recheck"},
		{"case", "finding.write"}, {"case", "evidence.inspect"},
		// propose 问责 and 激励; record the 约谈 they attend.
		{"accountability", "read"}, {"accountability", "propose"}, {"accountability", "edit"}, {"accountability", "interview"},
		{"accountability", "proposal.read"},
		{"incentive", "read"}, {"incentive", "propose"},
		// plan and draw; recommend colleagues, keep the training file, declare a 回避 (R17); read 挂牌.
		{"inspector", "read"}, {"inspector", "recommend"}, {"inspector", "training.write"}, {"inspector", "conflict.declare"},
		{"assignment", "read"},
		{"plan", "read"}, {"plan", "create"}, {"plan", "edit"},
		{"draw", "read"}, {"draw", "create"}, {"draw", "commit_witness"}, {"draw", "close_commitments"}, {"draw", "reveal"},
		// send the 督导通知 before a 专项/综合 visit (R7, R20); read the target's 复查/复核 requests.
		{"case", "notice.send"}, {"review_request", "read"},
	},
	// the inspected side: see, acknowledge, object, rectify with measures and evidence.
	// and, held accountable, read its own records once noticed and make its 陈述申辩 (R56).
	domain.RoleDistrictOffice: {
		{"org", "read"},
		{"case", "read"}, {"case", "acknowledge"}, {"case", "submit_rectification"},
		{"case", "objection.file"}, {"case", "measure.write"}, {"case", "evidence.rectify"},
		{"accountability", "read"}, {"accountability", "statement"}, {"incentive", "read"},
		// its schools' 挂牌 (R22)
		{"assignment", "read"},
		// apply for 复查, then 复核, of its own 意见书 (R16).
		{"review_request", "read"}, {"review_request", "apply"},
	},
	domain.RoleSchool: {
		{"org", "read"},
		{"case", "read"}, {"case", "acknowledge"}, {"case", "submit_rectification"},
		{"case", "objection.file"}, {"case", "measure.write"}, {"case", "evidence.rectify"},
		{"accountability", "read"}, {"accountability", "statement"}, {"incentive", "read"},
		// its own 挂牌 (R22)
		{"assignment", "read"},
		{"review_request", "read"}, {"review_request", "apply"},
	},
	// monitoring data, and the 评估监测 cases in its scope (issue 12); no other case, no user access.
	domain.RoleMonitor: {
		{"org", "read"}, {"monitoring_case", "read"},
	},
	// read everything in scope, including the audit log; change nothing.
	domain.RoleAuditor: {
		{"org", "read"}, {"user", "read"}, {"audit", "read"}, {"report", "read"},
		{"case", "read"}, {"case", "audit.read"},
		{"accountability", "read"}, {"accountability", "proposal.read"}, {"incentive", "read"},
		{"inspector", "read"}, {"assignment", "read"}, {"plan", "read"}, {"draw", "read"},
		{"accountability", "read"}, {"incentive", "read"}, {"review_request", "read"},
	},
}

func mayDo(role domain.Role, p pair) bool {
	for _, q := range roleMay[role] {
		if q == p {
			return true
		}
	}
	return false
}

// position is a place an object can lie, named by how it relates to the orgs the grants sit at.
type position struct {
	name string
	path domain.Jurisdiction
}

func (p position) String() string { return fmt.Sprintf("%s (%s)", p.path, p.name) }

var positions = []position{
	{"city", "wuhai/"},
	{"district", "wuhai/hbw/"},
	{"district school", "wuhai/hbw/s012/"},
	{"school's child", "wuhai/hbw/s012/k01/"},
	{"deeper descendant", "wuhai/hbw/s012/k01/g3/"},
	{"sibling school", "wuhai/hbw/s013/"},
	{"school look-alike", "wuhai/hbw/s0120/"},
	{"sibling district", "wuhai/wd/"},
	{"sibling district's school", "wuhai/wd/s001/"},
	{"other district's school", "wuhai/hn/s003/"},
	{"city-run school", "wuhai/yz/"},
	{"district look-alike", "wuhai/hbw2/"},
	{"look-alike district's school", "wuhai/hbwx/s001/"},
	{"city look-alike", "wuhai2/"},
}

// covers says by hand which positions a grant at each org reaches; TestScopeCovers checks that
// domain.Jurisdiction.Covers, which the matrix relies on, agrees.
var covers = map[domain.Jurisdiction][]domain.Jurisdiction{
	"wuhai/": {
		"wuhai/", "wuhai/hbw/", "wuhai/hbw/s012/", "wuhai/hbw/s012/k01/", "wuhai/hbw/s012/k01/g3/",
		"wuhai/hbw/s013/", "wuhai/hbw/s0120/", "wuhai/wd/", "wuhai/wd/s001/", "wuhai/hn/s003/",
		"wuhai/yz/", "wuhai/hbw2/", "wuhai/hbwx/s001/",
	},
	"wuhai/hbw/": {
		"wuhai/hbw/", "wuhai/hbw/s012/", "wuhai/hbw/s012/k01/", "wuhai/hbw/s012/k01/g3/",
		"wuhai/hbw/s013/", "wuhai/hbw/s0120/",
	},
	"wuhai/hbw/s012/": {
		"wuhai/hbw/s012/", "wuhai/hbw/s012/k01/", "wuhai/hbw/s012/k01/g3/",
	},
	"wuhai/wd/s001/": {
		"wuhai/wd/s001/",
	},
}

// placements puts each role's grant where a real holder sits: city roles at the city, a district
// director, supervisor or auditor at the district too, the district office at its district, the
// school at a school.
var placements = map[domain.Role][]domain.Jurisdiction{
	domain.RoleAdmin:          {"wuhai/"},
	domain.RoleDirector:       {"wuhai/", "wuhai/hbw/"},
	domain.RoleSupervisor:     {"wuhai/", "wuhai/hbw/"},
	domain.RoleDistrictOffice: {"wuhai/hbw/"},
	domain.RoleSchool:         {"wuhai/hbw/s012/"},
	domain.RoleMonitor:        {"wuhai/"},
	domain.RoleAuditor:        {"wuhai/", "wuhai/hbw/"},
}

func actor(grants ...domain.Grant) domain.Actor {
	a := domain.Actor{UserID: 7, Username: "u7", Grants: grants}
	if len(grants) > 0 {
		a.Org = domain.Org{ID: 1, Code: "x", Path: grants[0].Path}
	}
	return a
}

func newEnforcer(t *testing.T) *Enforcer {
	t.Helper()
	en, err := NewEnforcer()
	if err != nil {
		t.Fatalf("NewEnforcer: %v", err)
	}
	return en
}

// TestRoleTable keeps the hand-written tables consistent with each other and with domain.Roles,
// so that a typo in them cannot make the matrix vacuous.
func TestRoleTable(t *testing.T) {
	known := map[pair]bool{}
	for _, p := range allPairs {
		if known[p] {
			t.Errorf("pair %s listed twice", p)
		}
		known[p] = true
	}
	if len(roleMay) != len(domain.Roles) || len(placements) != len(domain.Roles) {
		t.Errorf("tables have %d roles and %d placements, domain has %d", len(roleMay), len(placements), len(domain.Roles))
	}
	for _, r := range domain.Roles {
		if _, ok := roleMay[r]; !ok {
			t.Errorf("role %s missing from the role table", r)
		}
		if len(placements[r]) == 0 {
			t.Errorf("role %s has no placement", r)
		}
		for _, p := range roleMay[r] {
			if !known[p] {
				t.Errorf("role %s: %s is not in allPairs", r, p)
			}
		}
	}
}

func TestScopeCovers(t *testing.T) {
	for grant, want := range covers {
		in := map[domain.Jurisdiction]bool{}
		for _, p := range want {
			in[p] = true
		}
		for _, pos := range positions {
			if got := grant.Covers(pos.path); got != in[pos.path] {
				t.Errorf("grant at %s covers %s = %v, want %v", grant, pos, got, in[pos.path])
			}
		}
	}
	for _, ps := range placements {
		for _, p := range ps {
			if _, ok := covers[p]; !ok {
				t.Errorf("placement %s has no hand-written coverage", p)
			}
		}
	}
}

// TestEnforcerMatrix asks the enforcer every role × (object, action) × position with one grant.
func TestEnforcerMatrix(t *testing.T) {
	en := newEnforcer(t)
	for _, role := range domain.Roles {
		t.Run(string(role), func(t *testing.T) {
			for _, at := range placements[role] {
				a := actor(domain.Grant{ID: 1, UserID: 7, Role: role, Path: at})
				for _, pos := range positions {
					for _, p := range allPairs {
						want := at.Covers(pos.path) && mayDo(role, p)
						if got := en.Allowed(a, p.obj, p.act, pos.path); got != want {
							t.Errorf("%s at %s: %s %s on %s = %v, want %v", role, at, p.act, p.obj, pos, got, want)
						}
					}
				}
			}
		})
	}
}

func TestEnforcerNoGrants(t *testing.T) {
	en := newEnforcer(t)
	for _, a := range []domain.Actor{
		{},
		{UserID: 9, Username: "nobody", Org: domain.Org{ID: 1, Code: "wuhai", Path: "wuhai/"}},
	} {
		for _, pos := range positions {
			for _, p := range allPairs {
				if en.Allowed(a, p.obj, p.act, pos.path) {
					t.Errorf("no grants (user %d): %s %s on %s = true, want false", a.UserID, p.act, p.obj, pos)
				}
			}
		}
	}
}

func TestEnforcerUnknownRole(t *testing.T) {
	en := newEnforcer(t)
	a := actor(domain.Grant{Role: "guest", Path: "wuhai/"}, domain.Grant{Role: "Admin", Path: "wuhai/"})
	for _, pos := range positions {
		for _, p := range allPairs {
			if en.Allowed(a, p.obj, p.act, pos.path) {
				t.Errorf("unknown roles at wuhai/: %s %s on %s = true, want false", p.act, p.obj, pos)
			}
		}
	}
}

// TestEnforcerTwoGrants: a user holding two grants gets the union of what each gives where it
// reaches, and nothing of one role where only the other reaches.
func TestEnforcerTwoGrants(t *testing.T) {
	en := newEnforcer(t)
	grants := []domain.Grant{
		{ID: 1, UserID: 7, Role: domain.RoleSupervisor, Path: "wuhai/hbw/"},
		{ID: 2, UserID: 7, Role: domain.RoleSchool, Path: "wuhai/wd/s001/"},
	}
	a := actor(grants...)
	name := "supervisor at wuhai/hbw/ + school at wuhai/wd/s001/"
	t.Run("matrix", func(t *testing.T) {
		for _, pos := range positions {
			for _, p := range allPairs {
				want := false
				for _, g := range grants {
					want = want || (g.Path.Covers(pos.path) && mayDo(g.Role, p))
				}
				if got := en.Allowed(a, p.obj, p.act, pos.path); got != want {
					t.Errorf("%s: %s %s on %s = %v, want %v", name, p.act, p.obj, pos, got, want)
				}
			}
		}
	})
	t.Run("named", func(t *testing.T) {
		for _, c := range []struct {
			act  string
			path domain.Jurisdiction
			want bool
		}{
			{"recheck", "wuhai/hbw/s012/", true},
			{"recheck", "wuhai/wd/s001/", false},
			{"submit_rectification", "wuhai/wd/s001/", true},
			{"submit_rectification", "wuhai/hbw/s012/", false},
			{"evidence.inspect", "wuhai/hbw/s012/", true},
			{"evidence.rectify", "wuhai/wd/s001/", true},
			{"read", "wuhai/wd/", false},
			{"issue", "wuhai/hbw/s012/", false},
			{"accountability:propose", "wuhai/hbw/s012/", true},
			{"accountability:propose", "wuhai/wd/s001/", false},
			{"accountability:statement", "wuhai/wd/s001/", true},
			{"accountability:statement", "wuhai/hbw/s012/", false},
			{"accountability:decide", "wuhai/hbw/", false},
			{"accountability:read", "wuhai/wd/", false},
		} {
			obj, act := "case", c.act
			if o, x, ok := strings.Cut(c.act, ":"); ok {
				obj, act = o, x
			}
			if got := en.Allowed(a, obj, act, c.path); got != c.want {
				t.Errorf("%s: %s %s on %s = %v, want %v", name, act, obj, c.path, got, c.want)
			}
		}
	})
}

func TestRoleAllows(t *testing.T) {
	en := newEnforcer(t)
	for _, role := range domain.Roles {
		t.Run(string(role), func(t *testing.T) {
			for _, p := range allPairs {
				if got, want := en.RoleAllows(role, p.obj, p.act), mayDo(role, p); got != want {
					t.Errorf("%s anywhere: %s %s = %v, want %v", role, p.act, p.obj, got, want)
				}
			}
		})
	}
	for _, p := range allPairs {
		if en.RoleAllows("guest", p.obj, p.act) {
			t.Errorf("guest anywhere: %s %s = true, want false", p.act, p.obj)
		}
	}
}

// TestPolicyHasNothingElse fails when policy.csv grants something the role table above does not
// list: a new line in the policy needs its row here, checked against SPEC §1.
func TestPolicyHasNothingElse(t *testing.T) {
	en := newEnforcer(t)
	rules, err := en.e.GetPolicy()
	if err != nil {
		t.Fatalf("GetPolicy: %v", err)
	}
	var extra []string
	for _, r := range rules {
		if len(r) != 3 || !mayDo(domain.Role(r[0]), pair{r[1], r[2]}) {
			extra = append(extra, fmt.Sprint(r))
		}
	}
	sort.Strings(extra)
	for _, x := range extra {
		t.Errorf("policy.csv grants %s, which the role table (SPEC §1) does not", x)
	}
}

// TestFastPathEqualsCasbin: Allowed answers from the role's kept answer and the grant's path; casbin's
// own Enforce (with keyMatch on the grant's path) must give the same answer for every role, object,
// action, grant position and object position, or the shortcut has drifted from the model.
func TestFastPathEqualsCasbin(t *testing.T) {
	en, err := NewEnforcer()
	if err != nil {
		t.Fatal(err)
	}
	pairs := append([]pair{}, allPairs...)
	pairs = append(pairs, pair{"case", "no-such-act"}, pair{"no-such-object", "read"})
	n := 0
	for _, role := range domain.Roles {
		for _, at := range positions[:6] { // the grants sit at the city, a district, a school and below
			g := domain.Grant{Role: role, Path: at.path}
			for _, obj := range positions {
				for _, p := range pairs {
					fast := en.Allowed(domain.Actor{Grants: []domain.Grant{g}}, p.obj, p.act, obj.path)
					if slow := en.enforce(g, p.obj, p.act, obj.path); fast != slow {
						t.Errorf("%s at %s, %s on %s: fast path %v, casbin %v", role, at, p, obj, fast, slow)
					}
					n++
				}
			}
		}
	}
	if n < 10000 {
		t.Fatalf("only %d questions compared", n)
	}
}
