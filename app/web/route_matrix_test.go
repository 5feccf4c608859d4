package web_test

// TestRouteMatrix is SPEC §6's "role × action × scope matrix over HTTP for every endpoint", generated
// from the router's own route list (issue 13): every route the server registers must have a row in
// routeRows, and every row a route, or the test fails. Each row is tried as every actor of
// matrixActors — one user of each role, users outside the object's scope, and nobody — and each
// answer must be what the row says:
//
//   - an actor in ok succeeds (API: 2xx; pages: 200, or the 303 of post/redirect/get);
//   - nobody gets 401 from the API and is sent to the login page by the UI;
//   - an actor who cannot see the row's object gets 404 (reads out of scope are 404, SPEC §1);
//   - anyone else gets 403;
//
// and a refused request writes nothing (the audit log does not grow). Writes that are allowed get an
// object of their own, built afresh; refused ones share the row's object.
//
// Adding a route: add a row keyed "METHOD /path" with the object it acts on (a builder of
// matrixObjects, or "" for none), who may succeed, and a body builder for writes. A new kind of object
// (an inspector, a draw, an indicator, a task …) is one more entry in matrixObjects: a function that
// builds it through the API as its rightful users would, returning its path parameters and who can see
// it. The workflow rules behind a single action (owner vs target, separation of duties, every state)
// are TestCaseMatrix's and the accountability tests'; this one proves that no route is left unguarded.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"dudao/app"
	"dudao/app/demo"
	"dudao/cmd/system/systemtest"
	"dudao/domain"
)

// matrixActors are who tries each route: "" is nobody (no token, no session).
var matrixActors = []string{"", "admin", "city.director", "hbw.director", "city.supervisor", "city.supervisor2", "hbw.office",
	"wd.office", "school.hbw1", "school.wd1", "monitor", "auditor"}

// loggedIn is every actor but nobody.
var loggedIn = matrixActors[1:]

// Who sees the objects the builders make.
var (
	// a case of the city office (city.supervisor its inspector) aimed at school.hbw1's school (海勃湾区):
	// the city, the district, the school, the auditor.
	caseReaders = []string{"city.director", "hbw.director", "city.supervisor", "city.supervisor2", "hbw.office", "school.hbw1", "auditor"}
	// 问责 and 激励 records of the city office about that school, once the school has been told: the same.
	accReaders = caseReaders
	// a 问责 proposal not yet noticed: the supervision side only (R56), not the school or its district office.
	proposalReaders = []string{"city.director", "hbw.director", "city.supervisor", "city.supervisor2", "auditor"}
	// school.hbw2, a user of a 海勃湾区 school: those who read users there.
	userReaders = []string{"admin", "city.director", "hbw.director", "auditor"}
	// the org wuhai/hbw/s001/: everyone whose grant covers it.
	orgReaders = []string{"admin", "city.director", "hbw.director", "city.supervisor", "city.supervisor2", "hbw.office", "school.hbw1", "monitor", "auditor"}
	// who reads cases at all: the case pages are theirs.
	caseUsers = []string{"city.director", "hbw.director", "city.supervisor", "city.supervisor2", "hbw.office", "wd.office", "school.hbw1", "school.wd1", "auditor"}
	// who opens cases.
	openers = []string{"city.director", "hbw.director", "city.supervisor", "city.supervisor2"}
	// the supervisors over the case's owner (the city): they record findings and evidence while it is
	// inspected (not only its own inspectors: TestCaseMatrix has the workflow's rules), and propose 问责
	// and 激励.
	supervisors = []string{"city.supervisor", "city.supervisor2"}
)

// mobj is an object a row acts on: the values of its route's path parameters and who can see it.
type mobj struct {
	params  map[string]string
	readers []string // nil: no object, so a refusal is 403
}

// routeRow is one route's expectations.
type routeRow struct {
	obj  string   // the key of matrixObjects, "" for none
	ok   []string // who succeeds
	body func(m *matrix, o *mobj) any
	// public: no login needed; everyone, nobody included, gets what ok users get.
	public bool
	// fresh: the request ends or replaces the caller's session (logout, login): it is made with a
	// session of its own.
	fresh bool
	// status overrides what success is, when not the usual for the kind of route.
	status int
	// answers are what actors neither in ok nor refused get, by actor: a body naming an org outside
	// the actor's jurisdiction is bad input (422), as everywhere.
	answers map[string]int
}

// matrix is the running environment with a logged-in API client and a browser per actor.
type matrix struct {
	e   *caseEnv
	t   *testing.T
	br  map[string]*systemtest.Browser
	seq atomic.Int64
	ids map[string]int64 // user ids by username
	// cache keeps what is made once per matrix: a demo record's id, an inspector every 挂牌 names.
	cache map[string]int64
}

func (m *matrix) uniq() string { return strconv.FormatInt(m.seq.Add(1), 10) }

// matrixObjects build the objects rows act on, afresh each call.
var matrixObjects = map[string]func(m *matrix) *mobj{
	"org": func(m *matrix) *mobj {
		return &mobj{params: map[string]string{"id": id(m.e.org(m.t, "wuhai/hbw/s001/").ID)}, readers: orgReaders}
	},
	"case:planned":    func(m *matrix) *mobj { return m.caseObj("planned") },
	"case:inspecting": func(m *matrix) *mobj { return m.caseObj("inspecting") },
	"case:feedback":   func(m *matrix) *mobj { return m.caseObj("feedback") },
	"case:rectifying": func(m *matrix) *mobj { return m.caseObj("rectifying") },
	"case:verifying":  func(m *matrix) *mobj { return m.caseObj("verifying") },
	"acc:proposed": func(m *matrix) *mobj {
		return &mobj{params: map[string]string{"id": id(m.propose())}, readers: proposalReaders}
	},
	"acc:interview": func(m *matrix) *mobj {
		a := m.propose()
		e, t := m.e, m.t
		e.mustCall(t, "city.director", http.MethodPost, accPath(a, "/actions/notice"), map[string]any{"notice_text": "拟约谈。"}, http.StatusOK)
		e.mustCall(t, "school.hbw1", http.MethodPost, accPath(a, "/actions/statement"), map[string]any{"text": "无异议。"}, http.StatusOK)
		e.mustCall(t, "city.director", http.MethodPost, accPath(a, "/actions/decide"), map[string]any{"situation": "情况", "facts": "事实",
			"legal_basis": "依据", "form": "约谈", "effective_on": string(e.clock.Today())}, http.StatusOK)
		var got struct {
			CreatedID int64 `json:"created_id"`
		}
		e.decode(t, e.mustCall(t, "city.director", http.MethodPost, accPath(a, "/interviews"), m.interview(), http.StatusCreated), &got)
		return &mobj{params: map[string]string{"id": id(a), "iid": id(got.CreatedID)}, readers: accReaders}
	},
	"incentive": func(m *matrix) *mobj {
		var inc struct {
			ID int64 `json:"id"`
		}
		m.e.decode(m.t, m.e.mustCall(m.t, "city.supervisor", http.MethodPost, "/api/v1/incentives", map[string]any{"kind": "commendation",
			"target_org_id": m.e.org(m.t, "wuhai/hbw/s001/").ID, "reason": "整改迅速。"}, http.StatusCreated), &inc)
		return &mobj{params: map[string]string{"id": id(inc.ID)}, readers: accReaders}
	},
	"notification": func(m *matrix) *mobj {
		a := m.propose() // the notice goes to the school
		m.e.mustCall(m.t, "city.director", http.MethodPost, accPath(a, "/actions/notice"), map[string]any{"notice_text": "拟批评。"}, http.StatusOK)
		var nid int64
		q := "SELECT id FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT 1"
		if err := m.e.raw.QueryRow(m.e.rebind(q), m.ids["school.hbw1"]).Scan(&nid); err != nil {
			m.t.Fatalf("no notification for school.hbw1: %v", err)
		}
		return &mobj{params: map[string]string{"id": id(nid)}, readers: []string{"school.hbw1"}}
	},
	"user":          func(m *matrix) *mobj { return m.userObj(true) },
	"user:disabled": func(m *matrix) *mobj { return m.userObj(false) },

	// Issue 10: the registry, 挂牌, plans, draws.
	"inspector":      func(m *matrix) *mobj { return m.inspectorObj() },
	"assignment":     func(m *matrix) *mobj { return m.assignmentObj() },
	"plan:draft":     func(m *matrix) *mobj { return m.planObj(false) },
	"plan:published": func(m *matrix) *mobj { return m.planObj(true) },
	"draw":           func(m *matrix) *mobj { return m.drawObj() },
	// Frameworks, scoring, monitoring, the 督办 ledger.
	"framework:draft":     func(m *matrix) *mobj { return m.frameworkObj(false) },
	"framework:published": func(m *matrix) *mobj { return m.frameworkObj(true) },
	"case:scored":         func(m *matrix) *mobj { return m.scoredCaseObj() },
	// The catalog lies at no jurisdiction: who may not read it at all is refused (403), as for the list.
	"indicator":   func(m *matrix) *mobj { return &mobj{params: map[string]string{"code": "compulsory_retention_rate"}} },
	"observation": func(m *matrix) *mobj { return m.observationObj() },
	"proposal":    func(m *matrix) *mobj { return m.proposalObj() },
	"task":        func(m *matrix) *mobj { return m.taskObj() },
	// Issue 12: the case as paperwork.
	"case:announced": func(m *matrix) *mobj { return m.announcedCaseObj() },
	"review":         func(m *matrix) *mobj { return m.reviewObj(false) },
	"case:review":    func(m *matrix) *mobj { return m.reviewObj(true) },
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// caseObj builds a case of the city office aimed at school.hbw1's school in state.
func (m *matrix) caseObj(state string) *mobj {
	b := m.e.build(m.t, caseMatrixTargets[0], state)
	p := map[string]string{"id": id(b.id), "fid": id(b.f1), "eid": id(b.e1), "oid": id(b.o1)}
	if state == "rectifying" || state == "verifying" {
		var c struct {
			caseJSON
			Documents []struct {
				ID   int64  `json:"id"`
				Kind string `json:"kind"`
			} `json:"documents"`
		}
		m.e.decode(m.t, m.e.mustCall(m.t, "city.director", http.MethodGet, casePath(b.id, ""), nil, http.StatusOK), &c)
		for _, f := range c.Findings {
			for _, ms := range f.Measures {
				p["fid"], p["mid"] = id(f.ID), id(ms.ID)
			}
		}
		for _, d := range c.Documents {
			if d.Kind == "opinion" {
				p["did"] = id(d.ID) // the 意见书 as issued
			}
		}
	}
	return &mobj{params: p, readers: caseReaders}
}

func (m *matrix) propose() int64 {
	var a accJSON
	m.e.decode(m.t, m.e.mustCall(m.t, "city.supervisor", http.MethodPost, "/api/v1/accountability", map[string]any{"target_type": "unit",
		"target_org_id": m.e.org(m.t, "wuhai/hbw/s001/").ID, "trigger": "conduct", "facts": "违规组织有偿补课。"}, http.StatusCreated), &a)
	return a.ID
}

func (m *matrix) interview() map[string]any {
	return map[string]any{"held_on": string(m.e.clock.Today()), "attendees": "校长、督学", "minutes": "约谈记录。"}
}

// userObj makes a user of school.hbw2's school with a school grant (through the use cases, as the
// command line would: the API creates no users), disabled when !active.
func (m *matrix) userObj(active bool) *mobj {
	ctx := context.Background()
	name := "mx" + m.uniq()
	u, err := m.e.App.CreateUser(ctx, app.System, app.UserInput{Username: name, Name: "矩阵用户", Password: "Mima2026x", OrgPath: "wuhai/hbw/s002/"})
	if err == nil {
		_, err = m.e.App.GrantRole(ctx, app.System, name, domain.RoleSchool, "wuhai/hbw/s002/")
	}
	if err == nil && !active {
		err = m.e.App.DisableUser(ctx, app.System, u.ID)
	}
	if err != nil {
		m.t.Fatal(err)
	}
	return &mobj{params: map[string]string{"id": id(u.ID)}, readers: userReaders}
}

// The readers and users of the objects of issues 10–12.
var (
	// a registry profile, a plan, a draft framework or a draw of the city office (or of a district
	// under the city that no other actor belongs to): who reads them at the city.
	cityReaders = []string{"city.director", "city.supervisor", "city.supervisor2", "auditor"}
	// who keeps the city's registry day to day (training lines, declared 回避) and takes a draw's steps:
	// the city office's directors and supervisors.
	cityKeepers = []string{"city.director", "city.supervisor", "city.supervisor2"}
	// who reads the registry, plans and draws at all.
	registryUsers = []string{"city.director", "hbw.director", "city.supervisor", "city.supervisor2", "auditor"}
	// the directors: the city's and 海勃湾区's.
	directors = []string{"city.director", "hbw.director"}
	// values, monitoring and case proposals of a 海勃湾区 school: the supervision side over it, its
	// district office, the monitor, the auditor (not the school: SPEC §1 gives it no monitoring).
	monitoringReaders = []string{"city.director", "hbw.director", "city.supervisor", "city.supervisor2", "hbw.office", "monitor", "auditor"}
	// who reads monitoring at all.
	monitoringUsers = []string{"city.director", "hbw.director", "city.supervisor", "city.supervisor2", "hbw.office", "wd.office", "monitor", "auditor"}
	// who enters values for a 海勃湾区 school: the monitor and that district's office (SPEC §1).
	observers = []string{"monitor", "hbw.office"}
	// who enters values at all.
	dataEntry = []string{"hbw.office", "wd.office", "monitor"}
	// the indicator catalog: every case-working role and the monitor.
	indicatorReaders = []string{"city.director", "hbw.director", "city.supervisor", "city.supervisor2", "hbw.office", "wd.office",
		"school.hbw1", "school.wd1", "monitor", "auditor"}
	// who sends a case's 督导通知: the team, and the owner office's people (its director among them).
	noticeSenders = []string{"city.director", "city.supervisor", "city.supervisor2"}
)

// outOfDistrict: 乌达区's office enters values too, but not for a 海勃湾区 school, which its body
// names: bad input (the org is not in its jurisdiction), as every body naming an org out of scope.
var outOfDistrict = map[string]int{"wd.office": http.StatusUnprocessableEntity}

// field is a number of a JSON answer: "id", "created_id".
func (m *matrix) field(r caseResp, name string) int64 {
	m.t.Helper()
	var v map[string]any
	m.e.decode(m.t, r, &v)
	n, ok := v[name].(float64)
	if !ok {
		m.t.Fatalf("the answer has no %s: %s", name, r)
	}
	return int64(n)
}

// freshUser is a new user with role at the org at path (through the use cases, as the command line
// would: the API creates no users).
func (m *matrix) freshUser(path string, role domain.Role) domain.User {
	m.t.Helper()
	ctx := context.Background()
	name := "mx" + m.uniq()
	u, err := m.e.App.CreateUser(ctx, app.System, app.UserInput{Username: name, Name: "矩阵用户" + name, Password: "Mima2026x", OrgPath: domain.Jurisdiction(path)})
	if err == nil {
		_, err = m.e.App.GrantRole(ctx, app.System, name, role, domain.Jurisdiction(path))
	}
	if err != nil {
		m.t.Fatal(err)
	}
	return u
}

// freshOrg is a new org of kind under parent, as the admin's command line would make it.
func (m *matrix) freshOrg(parent string, kind domain.OrgKind) domain.Org {
	m.t.Helper()
	n := m.uniq()
	o, err := m.e.App.CreateOrg(context.Background(), app.System, app.OrgInput{ParentPath: domain.Jurisdiction(parent), Code: "mx" + n,
		Name: "矩阵测试单位" + n, Kind: kind})
	if err != nil {
		m.t.Fatal(err)
	}
	return o
}

// cached runs make once per matrix and keeps its answer under key.
func (m *matrix) cached(key string, make func() int64) int64 {
	if v, ok := m.cache[key]; ok {
		return v
	}
	v := make()
	m.cache[key] = v
	return v
}

// recommendation recommends userID to the registry (推荐, R33): part-time, working at 海勃湾区第三小学.
func (m *matrix) recommendation(userID int64) map[string]any {
	return map[string]any{"user_id": userID, "code": "mx-" + m.uniq(), "unit_org_id": m.e.org(m.t, "wuhai/hbw/s003/").ID, "kind": "part_time",
		"recommendation": "熟悉学校管理工作。"}
}

// inspectorObj is a new profile in the city's registry, recommended by a city supervisor, with a
// training line and a declared 回避.
func (m *matrix) inspectorObj() *mobj {
	e, t := m.e, m.t
	u := m.freshUser("wuhai/", domain.RoleSupervisor)
	iid := m.field(e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/inspectors", m.recommendation(u.ID), http.StatusCreated), "id")
	path := "/api/v1/inspectors/" + id(iid)
	tid := m.field(e.mustCall(t, "city.supervisor", http.MethodPost, path+"/trainings", trainingBody(m, nil), http.StatusCreated), "created_id")
	cid := m.field(e.mustCall(t, "city.supervisor", http.MethodPost, path+"/conflicts",
		map[string]any{"org_id": e.org(t, "wuhai/hbw/s004/").ID, "reason": "近亲属在该校任职"}, http.StatusCreated), "created_id")
	return &mobj{params: map[string]string{"id": id(iid), "tid": id(tid), "cid": id(cid)}, readers: cityReaders}
}

// assignmentObj is the 挂牌 record of school.hbw1's school (the demo's, kept by 海勃湾区): its sign
// changes as often as one likes, so every write may use it.
func (m *matrix) assignmentObj() *mobj {
	aid := m.cached("assignment", func() int64 {
		var list struct {
			Items []struct {
				AssignmentID *int64 `json:"assignment_id"`
			} `json:"items"`
		}
		m.e.decode(m.t, m.e.mustCall(m.t, "school.hbw1", http.MethodGet, "/api/v1/assignments", nil, http.StatusOK), &list)
		if len(list.Items) != 1 || list.Items[0].AssignmentID == nil {
			m.t.Fatalf("school.hbw1's 挂牌: %+v", list.Items)
		}
		return *list.Items[0].AssignmentID
	})
	return &mobj{params: map[string]string{"id": id(aid)}, readers: caseReaders}
}

// asgInspector is an inspector of the city's registry with room for many schools: appointed before
// the system (imported by the city director), so that every new 挂牌 can name them.
func (m *matrix) asgInspector() int64 {
	return m.cached("asgInspector", func() int64 {
		u := m.freshUser("wuhai/", domain.RoleSupervisor)
		body := map[string]any{"user_id": u.ID, "code": "mx-asg", "unit_org_id": m.e.org(m.t, "wuhai/").ID, "kind": "full_time", "cert_no": "MX-ASG-001",
			"load_cap": 50, "terms": []map[string]any{{"from": string(m.e.clock.Today().AddDays(-100))}}}
		return m.field(m.e.mustCall(m.t, "city.director", http.MethodPost, "/api/v1/inspectors", body, http.StatusCreated), "id")
	})
}

// planObj is a plan of a new district office under the city (each office has one plan per start
// year, so a fresh plan needs an office of its own), drafted by that office's supervisor with one item
// for this year, the item a city supervisor's; published by the city director when published.
func (m *matrix) planObj(published bool) *mobj {
	e, t := m.e, m.t
	ctx := context.Background()
	district := m.freshOrg("wuhai/", domain.OrgDistrict)
	school := m.freshOrg(string(district.Path), domain.OrgSchool)
	u := m.freshUser(string(district.Path), domain.RoleSupervisor)
	a, err := e.App.ActorFor(ctx, u.Username)
	if err != nil {
		t.Fatal(err)
	}
	year := e.clock.Now().In(domain.CST).Year()
	v, err := e.App.CreatePlan(ctx, a, year)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/plans/" + id(v.Plan.ID)
	iid := m.field(e.mustCall(t, "city.supervisor", http.MethodPost, path+"/items", map[string]any{"target_org_id": school.ID, "type": "school",
		"kind": "comprehensive", "year": year, "month": 10}, http.StatusCreated), "created_id")
	if published {
		e.mustCall(t, "city.director", http.MethodPost, path+"/actions/approve", map[string]any{}, http.StatusOK)
		e.mustCall(t, "city.director", http.MethodPost, path+"/actions/publish", map[string]any{}, http.StatusOK)
	}
	return &mobj{params: map[string]string{"id": id(v.Plan.ID), "iid": id(iid), "school": id(school.ID), "year": strconv.Itoa(year)}, readers: cityReaders}
}

// drawObj is a 双随机 draw of the city office's schools, just created (taking witnesses).
func (m *matrix) drawObj() *mobj {
	did := m.field(m.e.mustCall(m.t, "city.supervisor", http.MethodPost, "/api/v1/draws", drawBody(m, nil), http.StatusCreated), "id")
	return &mobj{params: map[string]string{"id": id(did)}, readers: cityReaders}
}

// frameworkObj is a framework of the city office, drafted by the city director, published when
// published: then whoever reads frameworks under the city reads it.
func (m *matrix) frameworkObj(published bool) *mobj {
	body := frameworkBody(m, nil).(map[string]any)
	fid := m.field(m.e.mustCall(m.t, "city.director", http.MethodPost, "/api/v1/frameworks", body, http.StatusCreated), "id")
	o := &mobj{params: map[string]string{"id": id(fid), "code": body["code"].(string)}, readers: cityReaders}
	if published {
		m.e.mustCall(m.t, "city.director", http.MethodPost, "/api/v1/frameworks/"+id(fid)+"/actions/publish", map[string]any{}, http.StatusOK)
		o.readers = caseUsers
	}
	return o
}

// r25 is the shipped framework of the 8 standing matters of 责任督学 (R25) for routine visits.
func (m *matrix) r25() int64 {
	return m.cached("r25", func() int64 { return m.e.fwByCode(m.t, "city.director", "zrdx-r25", 1).ID })
}

// scoredCaseObj is a routine visit of school.hbw1's school by a city supervisor, inspecting, scored
// with R25's eight matters, item 4 failed.
func (m *matrix) scoredCaseObj() *mobj {
	e, t := m.e, m.t
	c := e.caseOf(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/cases", map[string]any{"type": "school", "kind": "routine",
		"target_org_id": e.org(t, "wuhai/hbw/s001/").ID, "title": "经常性督导" + m.uniq(), "inspector_ids": []int64{m.ids["city.supervisor"]}}, http.StatusCreated))
	e.act(t, "city.supervisor", c.ID, "start", nil, http.StatusOK)
	e.mustCall(t, "city.supervisor", http.MethodPut, casePath(c.ID, "/scoring"), scoringBody(m, nil), http.StatusOK)
	return &mobj{params: map[string]string{"id": id(c.ID), "code": "4"}, readers: caseReaders}
}

// obsKey is the next (school, year) of 海勃湾区 no value has been entered for by the matrix.
func (m *matrix) obsKey() (domain.Jurisdiction, int) {
	n, _ := strconv.Atoi(m.uniq())
	return domain.Jurisdiction(fmt.Sprintf("wuhai/hbw/s%03d/", 1+n%10)), 2015 + (n/10)%11
}

// observationObj is a value of 高中阶段毛入学率 for a 海勃湾区 school, entered by the monitor.
func (m *matrix) observationObj() *mobj {
	r := m.e.call(m.t, "monitor", http.MethodPost, "/api/v1/observations", observationBody(m, nil))
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		m.t.Fatalf("observation: %s", r)
	}
	return &mobj{params: map[string]string{"id": id(m.field(r, "id"))}, readers: monitoringReaders}
}

// proposalObj is a case proposal for a 海勃湾区 school, made by the system when the monitor entered
// a value of the binding 九年义务教育巩固率 well behind its trajectory; it lies with 海勃湾区's office.
func (m *matrix) proposalObj() *mobj {
	e, t := m.e, m.t
	for range 50 {
		n, _ := strconv.Atoi(m.uniq())
		path, year := fmt.Sprintf("wuhai/hbw/s%03d/", 1+n%10), 2021+(n/10)%5
		r := e.call(t, "monitor", http.MethodPost, "/api/v1/observations", map[string]any{"indicator_code": "compulsory_retention_rate",
			"org_id": e.org(t, path).ID, "year": year, "value": 90})
		if r.Status != http.StatusCreated && r.Status != http.StatusOK {
			t.Fatalf("observation: %s", r)
		}
		var pid int64
		q := "SELECT id FROM case_proposals WHERE proposal_key = ? AND status = 'open'"
		if err := e.raw.QueryRow(e.rebind(q), fmt.Sprintf("monitoring:compulsory_retention_rate:%s:%d", path, year)).Scan(&pid); err == nil {
			return &mobj{params: map[string]string{"id": id(pid)}, readers: monitoringReaders}
		}
	}
	t.Fatal("no case proposal made")
	return nil
}

// taskObj is a 督办 task the city director assigned to school.hbw1's school.
func (m *matrix) taskObj() *mobj {
	tid := m.field(m.e.mustCall(m.t, "city.director", http.MethodPost, "/api/v1/tasks", taskBody(m, nil), http.StatusCreated), "id")
	return &mobj{params: map[string]string{"id": id(tid)}, readers: caseReaders}
}

// announcedCaseObj is a planned 专项 visit of school.hbw1's school by a city team of three, to be
// announced by a 督导通知 (R20).
func (m *matrix) announcedCaseObj() *mobj {
	e, t := m.e, m.t
	c := e.caseOf(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/cases", map[string]any{"type": "school", "kind": "special",
		"target_org_id": e.org(t, "wuhai/hbw/s001/").ID, "title": "专项督导" + m.uniq(), "inspector_ids": e.team(t, "city.supervisor")}, http.StatusCreated))
	return &mobj{params: map[string]string{"id": id(c.ID)}, readers: caseReaders}
}

// reviewObj is school.hbw1's application for 复查 of its 意见书 (R16), to the city office that issued
// it; its path parameters are the case's and the request's when inCase, else the request's alone.
func (m *matrix) reviewObj(inCase bool) *mobj {
	c := m.caseObj("rectifying")
	rid := m.field(m.e.mustCall(m.t, "school.hbw1", http.MethodPost, "/api/v1/cases/"+c.params["id"]+"/reviews", reviewBody(m, nil), http.StatusCreated), "id")
	if inCase {
		return &mobj{params: map[string]string{"id": c.params["id"], "rid": id(rid)}, readers: caseReaders}
	}
	return &mobj{params: map[string]string{"id": id(rid)}, readers: caseReaders}
}

// routeRows: one row per route of the router. Keep them in the order of routes.go.
var routeRows = map[string]routeRow{
	"GET /healthz":                                      {public: true},
	"GET /readyz":                                       {public: true},
	"GET /metrics":                                      {public: true}, // from loopback; TestMetricsNotPublic covers everyone else
	"GET /static/*":                                     {public: true},
	"POST /api/v1/auth/login":                           {public: true, body: func(m *matrix, o *mobj) any { return map[string]any{"username": "monitor", "password": demo.Password} }},
	"GET /api/v1/openapi.json":                          {public: true},
	"POST /api/v1/auth/logout":                          {ok: loggedIn, fresh: true},
	"GET /api/v1/me":                                    {ok: loggedIn},
	"GET /api/v1/orgs":                                  {ok: loggedIn},
	"GET /api/v1/orgs/:id":                              {obj: "org", ok: orgReaders},
	"POST /api/v1/cases":                                {ok: openers, body: openCaseBody},
	"GET /api/v1/cases":                                 {ok: loggedIn},
	"GET /api/v1/cases/:id":                             {obj: "case:planned", ok: caseReaders},
	"POST /api/v1/cases/:id/actions/:action":            {obj: "case:planned", ok: []string{"city.supervisor"}},
	"POST /api/v1/cases/:id/findings":                   {obj: "case:inspecting", ok: supervisors, body: findingBody},
	"GET /api/v1/cases/:id/findings/:fid":               {obj: "case:inspecting", ok: caseReaders},
	"PATCH /api/v1/cases/:id/findings/:fid":             {obj: "case:inspecting", ok: supervisors, body: findingBody},
	"DELETE /api/v1/cases/:id/findings/:fid":            {obj: "case:inspecting", ok: supervisors},
	"POST /api/v1/cases/:id/findings/:fid/measures":     {obj: "case:rectifying", ok: []string{"school.hbw1"}, body: measureBody},
	"GET /api/v1/cases/:id/findings/:fid/measures/:mid": {obj: "case:rectifying", ok: caseReaders},
	"POST /api/v1/cases/:id/objections":                 {obj: "case:feedback", ok: []string{"school.hbw1"}, body: objectionBody},
	"GET /api/v1/cases/:id/objections/:oid":             {obj: "case:feedback", ok: caseReaders},
	"POST /api/v1/cases/:id/objections/:oid/ruling":     {obj: "case:feedback", ok: []string{"city.director"}, body: rulingBody},
	"POST /api/v1/cases/:id/evidence":                   {obj: "case:inspecting", ok: supervisors, body: uploadBody},
	"GET /api/v1/evidence/:eid":                         {obj: "case:inspecting", ok: caseReaders},
	"GET /api/v1/cases/:id/audit":                       {obj: "case:planned", ok: []string{"city.director", "hbw.director", "auditor"}},
	"GET /api/v1/cases/:id/opinion.pdf":                 {obj: "case:rectifying", ok: caseReaders},
	"GET /api/v1/audit":                                 {ok: []string{"city.director", "hbw.director", "auditor"}},
	// Issue 12: the notice, the documents as issued and their correction, 复查/复核 (R16).
	"POST /api/v1/cases/:id/notice":                     {obj: "case:announced", ok: noticeSenders, body: caseNoticeBody},
	"GET /api/v1/cases/:id/documents":                   {obj: "case:rectifying", ok: caseReaders},
	"GET /api/v1/cases/:id/documents/:did":              {obj: "case:rectifying", ok: caseReaders},
	"GET /api/v1/cases/:id/documents/:did/pdf":          {obj: "case:rectifying", ok: caseReaders},
	"POST /api/v1/cases/:id/documents/:did/corrections": {obj: "case:rectifying", ok: []string{"city.director"}, body: docCorrectionBody},
	"GET /api/v1/cases/:id/reviews":                     {obj: "case:rectifying", ok: caseReaders},
	"POST /api/v1/cases/:id/reviews":                    {obj: "case:rectifying", ok: []string{"school.hbw1"}, body: reviewBody},
	"GET /api/v1/reviews/:id":                           {obj: "review", ok: caseReaders},
	"POST /api/v1/reviews/:id/decision":                 {obj: "review", ok: []string{"city.director"}, body: decisionBody},

	"GET /api/v1/accountability":                      {ok: loggedIn},
	"POST /api/v1/accountability":                     {ok: supervisors, body: proposeBody},
	"GET /api/v1/accountability/:id":                  {obj: "acc:proposed", ok: proposalReaders},
	"PATCH /api/v1/accountability/:id":                {obj: "acc:proposed", ok: []string{"city.director", "city.supervisor", "city.supervisor2"}, body: editAccBody},
	"POST /api/v1/accountability/:id/actions/:action": {obj: "acc:proposed", ok: []string{"city.director"}, body: noticeBody},
	"POST /api/v1/accountability/:id/interviews":      {obj: "acc:interview", ok: []string{"city.director", "city.supervisor", "city.supervisor2"}, body: interviewBody},
	"GET /api/v1/accountability/:id/interviews/:iid":  {obj: "acc:interview", ok: accReaders},
	"GET /api/v1/incentives":                          {ok: loggedIn},
	"POST /api/v1/incentives":                         {ok: supervisors, body: incentiveBody},
	"GET /api/v1/incentives/:id":                      {obj: "incentive", ok: accReaders},
	"POST /api/v1/incentives/:id/actions/:action":     {obj: "incentive", ok: []string{"city.director"}, body: decideIncBody},
	"GET /api/v1/notifications":                       {ok: loggedIn},
	"POST /api/v1/notifications/read-all":             {ok: loggedIn},
	"POST /api/v1/notifications/:id/read":             {obj: "notification", ok: []string{"school.hbw1"}},
	"GET /api/v1/notifications/email":                 {ok: loggedIn},
	"PUT /api/v1/notifications/email":                 {ok: loggedIn, body: func(*matrix, *mobj) any { return map[string]any{"email": "x@example.org"} }},
	"GET /api/v1/reports/accountability":              {ok: reportReaders},
	"GET /api/v1/reports/accountability.pdf":          {ok: reportReaders},
	"GET /api/v1/reports/accountability.xlsx":         {ok: reportReaders},
	"GET /api/v1/reports/ledger.xlsx":                 {ok: reportReaders},

	// Issue 10: the registry, 挂牌, plans, draws, coverage; the sign and a draw's record are public.
	"GET /api/v1/inspectors":                       {ok: registryUsers},
	"POST /api/v1/inspectors":                      {ok: openers, body: recommendBody},
	"GET /api/v1/inspectors/:id":                   {obj: "inspector", ok: cityReaders},
	"PATCH /api/v1/inspectors/:id":                 {obj: "inspector", ok: []string{"city.director"}, body: inspectorEditBody},
	"POST /api/v1/inspectors/:id/actions/:action":  {obj: "inspector", ok: []string{"city.director"}, body: approveBody},
	"POST /api/v1/inspectors/:id/trainings":        {obj: "inspector", ok: cityKeepers, body: trainingBody},
	"GET /api/v1/inspectors/:id/trainings/:tid":    {obj: "inspector", ok: cityReaders},
	"DELETE /api/v1/inspectors/:id/trainings/:tid": {obj: "inspector", ok: cityKeepers},
	"POST /api/v1/inspectors/:id/conflicts":        {obj: "inspector", ok: cityKeepers, body: conflictBody},
	"GET /api/v1/inspectors/:id/conflicts/:cid":    {obj: "inspector", ok: cityReaders},
	"DELETE /api/v1/inspectors/:id/conflicts/:cid": {obj: "inspector", ok: []string{"city.director"}},
	"GET /api/v1/assignments":                      {ok: caseUsers},
	"POST /api/v1/assignments":                     {ok: directors, body: assignBody},
	"GET /api/v1/assignments/:id":                  {obj: "assignment", ok: caseReaders},
	"POST /api/v1/assignments/:id/actions/:action": {obj: "assignment", ok: directors, body: signBody},
	"GET /api/v1/plans":                            {ok: registryUsers},
	"POST /api/v1/plans":                           {ok: supervisors, body: planBody},
	"GET /api/v1/plans/:id":                        {obj: "plan:draft", ok: cityReaders},
	"POST /api/v1/plans/:id/actions/:action":       {obj: "plan:draft", ok: []string{"city.director"}, body: emptyBody},
	"POST /api/v1/plans/:id/roll":                  {obj: "plan:published", ok: supervisors},
	"POST /api/v1/plans/:id/items":                 {obj: "plan:draft", ok: supervisors, body: planItemBody},
	"GET /api/v1/plans/:id/items/:iid":             {obj: "plan:draft", ok: cityReaders},
	"PATCH /api/v1/plans/:id/items/:iid":           {obj: "plan:draft", ok: supervisors, body: planItemEditBody},
	"DELETE /api/v1/plans/:id/items/:iid":          {obj: "plan:draft", ok: supervisors},
	"GET /api/v1/draws":                            {ok: registryUsers},
	"POST /api/v1/draws":                           {ok: openers, body: drawBody},
	"GET /api/v1/draws/:id":                        {obj: "draw", ok: cityReaders},
	"POST /api/v1/draws/:id/actions/:action":       {obj: "draw", ok: cityKeepers, body: witnessBody},
	"GET /api/v1/draws/:id/verify":                 {obj: "draw", ok: cityReaders},
	"GET /api/v1/coverage":                         {ok: caseUsers},
	"GET /api/v1/public/draws/:id":                 {obj: "draw", public: true},
	"GET /api/v1/public/draws/:id/snapshot":        {obj: "draw", public: true},
	"GET /api/v1/public/signs/:id":                 {obj: "assignment", public: true},

	// Frameworks and scoring, the indicator catalog, observations, monitoring, the 督办 ledger.
	"GET /api/v1/frameworks":                                {ok: caseUsers},
	"POST /api/v1/frameworks":                               {ok: directors, body: frameworkBody},
	"GET /api/v1/frameworks/:id":                            {obj: "framework:draft", ok: cityReaders},
	"PATCH /api/v1/frameworks/:id":                          {obj: "framework:draft", ok: []string{"city.director"}, body: frameworkBody},
	"POST /api/v1/frameworks/:id/actions/:action":           {obj: "framework:draft", ok: []string{"city.director"}},
	"POST /api/v1/frameworks/:id/revisions":                 {obj: "framework:published", ok: []string{"city.director"}},
	"GET /api/v1/cases/:id/scoring":                         {obj: "case:scored", ok: caseReaders},
	"PUT /api/v1/cases/:id/scoring":                         {obj: "case:scored", ok: supervisors, body: scoringBody},
	"POST /api/v1/cases/:id/scoring/items/:code/finding":    {obj: "case:scored", ok: supervisors},
	"GET /api/v1/indicators":                                {ok: indicatorReaders},
	"GET /api/v1/indicators/:code":                          {obj: "indicator", ok: indicatorReaders},
	"GET /api/v1/observations":                              {ok: monitoringUsers},
	"POST /api/v1/observations":                             {ok: observers, body: observationBody, answers: outOfDistrict},
	"GET /api/v1/observations/template.xlsx":                {ok: indicatorReaders}, // the catalog, laid out for an import
	"POST /api/v1/observations/import":                      {ok: observers, body: importBody, answers: outOfDistrict},
	"GET /api/v1/observations/:id":                          {obj: "observation", ok: monitoringReaders},
	"PATCH /api/v1/observations/:id":                        {obj: "observation", ok: observers, body: correctionBody},
	"GET /api/v1/monitoring/attainment":                     {ok: monitoringUsers},
	"GET /api/v1/monitoring/proposals":                      {ok: monitoringUsers},
	"GET /api/v1/monitoring/proposals/:id":                  {obj: "proposal", ok: monitoringReaders},
	"POST /api/v1/monitoring/proposals/:id/actions/:action": {obj: "proposal", ok: directors, body: dismissBody},
	"GET /api/v1/reports/monitoring":                        {ok: monitoringUsers},
	"GET /api/v1/reports/monitoring.pdf":                    {ok: monitoringUsers},
	"GET /api/v1/reports/monitoring.xlsx":                   {ok: monitoringUsers},
	"GET /api/v1/tasks":                                     {ok: caseUsers},
	"POST /api/v1/tasks":                                    {ok: directors, body: taskBody},
	"GET /api/v1/tasks/:id":                                 {obj: "task", ok: caseReaders},
	"PATCH /api/v1/tasks/:id":                               {obj: "task", ok: []string{"city.director"}, body: taskEditBody},
	"POST /api/v1/tasks/:id/actions/:action":                {obj: "task", ok: []string{"school.hbw1"}, body: progressBody},

	"GET /api/v1/users":                    {ok: userReaders},
	"GET /api/v1/users/:id":                {obj: "user", ok: userReaders},
	"POST /api/v1/users/:id/disable":       {obj: "user", ok: []string{"admin"}},
	"POST /api/v1/users/:id/enable":        {obj: "user:disabled", ok: []string{"admin"}},
	"POST /api/v1/users/:id/password":      {obj: "user", ok: []string{"admin"}, body: func(*matrix, *mobj) any { return map[string]any{"password": "Mima2026x"} }},
	"POST /api/v1/users/:id/grants":        {obj: "user", ok: []string{"admin"}, body: func(*matrix, *mobj) any { return map[string]any{"role": "monitor", "org": "wuhai/hbw/"} }},
	"DELETE /api/v1/users/:id/grants/:gid": {obj: "user", ok: []string{"admin"}},

	"GET /login":                                          {public: true},
	"POST /login":                                         {public: true, fresh: true, body: func(*matrix, *mobj) any { return url.Values{"username": {"monitor"}, "password": {demo.Password}} }},
	"POST /logout":                                        {ok: loggedIn, fresh: true},
	"GET /":                                               {ok: loggedIn},
	"GET /ui/nav":                                         {ok: loggedIn},
	"GET /cases":                                          {ok: append(slices.Clone(caseUsers), "monitor")}, // the monitor: its 评估监测 cases
	"GET /cases/new":                                      {ok: openers},
	"POST /cases":                                         {ok: openers, body: form(openCaseBody)},
	"GET /cases/:id":                                      {obj: "case:planned", ok: caseReaders},
	"POST /cases/:id/actions/:action":                     {obj: "case:planned", ok: []string{"city.supervisor"}},
	"POST /cases/:id/findings":                            {obj: "case:inspecting", ok: supervisors, body: form(findingBody)},
	"GET /cases/:id/findings/:fid/edit":                   {obj: "case:inspecting", ok: supervisors},
	"POST /cases/:id/findings/:fid":                       {obj: "case:inspecting", ok: supervisors, body: form(findingBody)},
	"POST /cases/:id/findings/:fid/delete":                {obj: "case:inspecting", ok: supervisors},
	"POST /cases/:id/objections":                          {obj: "case:feedback", ok: []string{"school.hbw1"}, body: form(objectionBody)},
	"POST /cases/:id/objections/:oid/ruling":              {obj: "case:feedback", ok: []string{"city.director"}, body: form(rulingBody)},
	"GET /cases/:id/rectification":                        {obj: "case:rectifying", ok: caseReaders},
	"POST /cases/:id/findings/:fid/measures":              {obj: "case:rectifying", ok: []string{"school.hbw1"}, body: form(measureBody)},
	"GET /cases/:id/recheck":                              {obj: "case:verifying", ok: []string{"city.supervisor2"}},
	"GET /cases/:id/evidence/:eid":                        {obj: "case:inspecting", ok: caseReaders},
	"GET /cases/:id/opinion.pdf":                          {obj: "case:rectifying", ok: caseReaders},
	"POST /cases/:id/evidence":                            {obj: "case:inspecting", ok: supervisors, body: uploadBody},
	"POST /cases/:id/notice":                              {obj: "case:announced", ok: noticeSenders, body: form(caseNoticeBody)},
	"GET /cases/:id/documents/:did":                       {obj: "case:rectifying", ok: caseReaders},
	"GET /cases/:id/documents/:did/pdf":                   {obj: "case:rectifying", ok: caseReaders},
	"POST /cases/:id/documents/:did/corrections":          {obj: "case:rectifying", ok: []string{"city.director"}, body: form(docCorrectionBody)},
	"POST /cases/:id/reviews":                             {obj: "case:rectifying", ok: []string{"school.hbw1"}, body: form(reviewBody)},
	"POST /cases/:id/reviews/:rid/decision":               {obj: "case:review", ok: []string{"city.director"}, body: form(decisionBody)},
	"GET /accountability":                                 {ok: loggedIn},
	"POST /accountability":                                {ok: supervisors, body: form(proposeBody)},
	"POST /accountability/incentives":                     {ok: supervisors, body: form(incentiveBody)},
	"GET /accountability/incentives/:id":                  {obj: "incentive", ok: accReaders},
	"POST /accountability/incentives/:id/actions/:action": {obj: "incentive", ok: []string{"city.director"}, body: form(decideIncBody)},
	"GET /accountability/:id":                             {obj: "acc:proposed", ok: proposalReaders},
	"POST /accountability/:id/actions/:action":            {obj: "acc:proposed", ok: []string{"city.director"}, body: form(noticeBody)},
	"POST /accountability/:id/interviews":                 {obj: "acc:interview", ok: []string{"city.director", "city.supervisor", "city.supervisor2"}, body: form(interviewBody)},
	"GET /notifications":                                  {ok: loggedIn},
	"GET /audit":                                          {ok: []string{"city.director", "hbw.director", "auditor"}},
	"POST /notifications/read-all":                        {ok: loggedIn},
	"POST /notifications/email":                           {ok: loggedIn, body: func(*matrix, *mobj) any { return url.Values{"email": {"x@example.org"}} }},
	"POST /notifications/:id/read":                        {obj: "notification", ok: []string{"school.hbw1"}},
	"GET /reports/accountability":                         {ok: reportReaders},
	"GET /reports/accountability.pdf":                     {ok: reportReaders},
	"GET /reports/accountability.xlsx":                    {ok: reportReaders},
	"GET /reports/ledger.xlsx":                            {ok: reportReaders},

	"GET /inspectors":                                {ok: registryUsers},
	"POST /inspectors":                               {ok: openers, body: form(recommendBody)},
	"GET /inspectors/:id":                            {obj: "inspector", ok: cityReaders},
	"POST /inspectors/:id":                           {obj: "inspector", ok: []string{"city.director"}, body: form(inspectorEditBody)},
	"POST /inspectors/:id/actions/:action":           {obj: "inspector", ok: []string{"city.director"}, body: form(approveBody)},
	"POST /inspectors/:id/trainings":                 {obj: "inspector", ok: cityKeepers, body: form(trainingBody)},
	"POST /inspectors/:id/trainings/:tid/delete":     {obj: "inspector", ok: cityKeepers},
	"POST /inspectors/:id/conflicts":                 {obj: "inspector", ok: cityKeepers, body: form(conflictBody)},
	"POST /inspectors/:id/conflicts/:cid/delete":     {obj: "inspector", ok: []string{"city.director"}},
	"GET /assignments":                               {ok: caseUsers},
	"POST /assignments":                              {ok: directors, body: form(assignBody)},
	"GET /assignments/:id":                           {obj: "assignment", ok: caseReaders},
	"POST /assignments/:id/actions/:action":          {obj: "assignment", ok: directors, body: form(signBody)},
	"GET /public/signs/:id":                          {obj: "assignment", public: true},
	"GET /plans":                                     {ok: registryUsers},
	"POST /plans":                                    {ok: supervisors, body: form(planBody)},
	"GET /plans/:id":                                 {obj: "plan:draft", ok: cityReaders},
	"POST /plans/:id/actions/:action":                {obj: "plan:draft", ok: []string{"city.director"}},
	"POST /plans/:id/roll":                           {obj: "plan:published", ok: supervisors},
	"POST /plans/:id/items":                          {obj: "plan:draft", ok: supervisors, body: form(planItemBody)},
	"POST /plans/:id/items/:iid/delete":              {obj: "plan:draft", ok: supervisors},
	"GET /draws":                                     {ok: registryUsers},
	"POST /draws":                                    {ok: openers, body: form(drawBody)},
	"GET /draws/:id":                                 {obj: "draw", ok: cityReaders},
	"POST /draws/:id/actions/:action":                {obj: "draw", ok: cityKeepers, body: form(witnessBody)},
	"GET /coverage":                                  {ok: caseUsers},
	"GET /frameworks":                                {ok: caseUsers},
	"GET /frameworks/:id":                            {obj: "framework:draft", ok: cityReaders},
	"POST /frameworks/:id/actions/:action":           {obj: "framework:draft", ok: []string{"city.director"}},
	"POST /frameworks/:id/revisions":                 {obj: "framework:published", ok: []string{"city.director"}},
	"GET /cases/:id/checklist":                       {obj: "case:scored", ok: caseReaders},
	"POST /cases/:id/checklist":                      {obj: "case:scored", ok: supervisors, body: checklistForm},
	"GET /cases/:id/checklist/summary":               {obj: "case:scored", ok: caseReaders},
	"POST /cases/:id/checklist/items/:code/finding":  {obj: "case:scored", ok: supervisors},
	"GET /monitoring":                                {ok: monitoringUsers},
	"POST /monitoring/observations":                  {ok: observers, body: form(observationBody), answers: outOfDistrict},
	"GET /monitoring/import":                         {ok: dataEntry},
	"POST /monitoring/import":                        {ok: observers, body: importBody, answers: outOfDistrict, status: http.StatusOK}, // the page shows the result in place
	"GET /monitoring/template.xlsx":                  {ok: indicatorReaders},
	"GET /monitoring/report":                         {ok: monitoringUsers},
	"GET /monitoring/report.pdf":                     {ok: monitoringUsers},
	"GET /monitoring/report.xlsx":                    {ok: monitoringUsers},
	"GET /monitoring/proposals/:id":                  {obj: "proposal", ok: monitoringReaders},
	"POST /monitoring/proposals/:id/actions/:action": {obj: "proposal", ok: directors, body: form(dismissBody)},
	"GET /tasks":                                     {ok: caseUsers},
	"POST /tasks":                                    {ok: directors, body: form(taskBody)},
	"GET /tasks/:id":                                 {obj: "task", ok: caseReaders},
	"POST /tasks/:id/actions/:action":                {obj: "task", ok: []string{"school.hbw1"}, body: form(progressBody)},
	"GET /admin/orgs":                                {ok: []string{"admin"}},
	"POST /admin/orgs": {ok: []string{"admin"}, body: func(m *matrix, _ *mobj) any {
		return url.Values{"parent": {"wuhai/hbw/"}, "code": {"mx" + m.uniq()}, "name": {"矩阵测试学校"}, "kind": {"school"}}
	}},
	"GET /admin/users": {ok: []string{"admin"}},
	"POST /admin/users": {ok: []string{"admin"}, body: func(m *matrix, _ *mobj) any {
		return url.Values{"username": {"mxu" + m.uniq()}, "name": {"矩阵用户"}, "password": {"Mima2026x"}, "org": {"wuhai/hbw/s002/"}}
	}},
	"POST /admin/grants": {ok: []string{"admin"}, body: func(m *matrix, _ *mobj) any {
		return url.Values{"username": {"school.hbw2"}, "role": {"school"}, "org": {"wuhai/hbw/s001/"}}
	}},
	"POST /admin/users/:id/disable":            {obj: "user", ok: []string{"admin"}},
	"POST /admin/users/:id/enable":             {obj: "user:disabled", ok: []string{"admin"}},
	"POST /admin/users/:id/password":           {obj: "user", ok: []string{"admin"}, body: func(*matrix, *mobj) any { return url.Values{"password": {"Mima2026x"}} }},
	"POST /admin/users/:id/grants/:gid/revoke": {obj: "user", ok: []string{"admin"}},
}

var reportReaders = []string{"city.director", "hbw.director", "auditor"}

// The bodies of the writes. form turns a JSON body builder into a form's.
func form(f func(m *matrix, o *mobj) any) func(m *matrix, o *mobj) any {
	return func(m *matrix, o *mobj) any {
		v := url.Values{}
		for k, x := range f(m, o).(map[string]any) {
			switch x := x.(type) {
			case []int64:
				for _, n := range x {
					v.Add(k, id(n))
				}
			default:
				v.Set(k, fmt.Sprint(x))
			}
		}
		return v
	}
}

func openCaseBody(m *matrix, _ *mobj) any {
	return map[string]any{"type": "school", "kind": "random", "target_org_id": m.e.org(m.t, "wuhai/hbw/s001/").ID,
		"title": "矩阵测试" + m.uniq(), "inspector_ids": []int64{m.ids["city.supervisor"]}}
}

func findingBody(*matrix, *mobj) any {
	return map[string]any{"title": "食堂证照过期", "description": "现场发现。", "severity": "major"}
}

func measureBody(m *matrix, _ *mobj) any { return caseMeasure(m.e.clock.Today()) }

func objectionBody(_ *matrix, o *mobj) any {
	fid, _ := strconv.ParseInt(o.params["fid"], 10, 64)
	return map[string]any{"finding_id": fid, "text": "已整改，请核实。"}
}

func rulingBody(*matrix, *mobj) any {
	return map[string]any{"upheld": false, "reason": "经核实未整改。"}
}

func proposeBody(m *matrix, _ *mobj) any {
	return map[string]any{"target_type": "unit", "target_org_id": m.e.org(m.t, "wuhai/hbw/s001/").ID, "trigger": "conduct", "facts": "违规收费。"}
}

func editAccBody(*matrix, *mobj) any {
	return map[string]any{"trigger": "duty", "facts": "履职不力。"}
}

func noticeBody(*matrix, *mobj) any { return map[string]any{"notice_text": "拟予以公开批评。"} }

func interviewBody(m *matrix, _ *mobj) any { return m.interview() }

func incentiveBody(m *matrix, _ *mobj) any {
	return map[string]any{"kind": "commendation", "target_org_id": m.e.org(m.t, "wuhai/hbw/s001/").ID, "reason": "成效明显。"}
}

func decideIncBody(*matrix, *mobj) any { return map[string]any{"decision": "授予先进单位。"} }

// The bodies of issues 10–12.

func recommendBody(m *matrix, _ *mobj) any {
	return m.recommendation(m.freshUser("wuhai/", domain.RoleSupervisor).ID)
}

func inspectorEditBody(m *matrix, _ *mobj) any {
	return map[string]any{"unit_org_id": m.e.org(m.t, "wuhai/hbw/s003/").ID, "kind": "part_time", "name": "矩阵督学", "load_cap": 4}
}

func emptyBody(*matrix, *mobj) any { return map[string]any{} }

func approveBody(*matrix, *mobj) any {
	return map[string]any{"note": "符合《督学管理暂行办法》任职条件。"}
}

func trainingBody(*matrix, *mobj) any {
	return map[string]any{"year": 2026, "hours": 8, "course": "督导案例研讨", "provider": "乌海市教育局"}
}

func conflictBody(m *matrix, _ *mobj) any {
	return map[string]any{"org_id": m.e.org(m.t, "wuhai/hbw/s005/").ID, "reason": "曾在该校任职，离任未满三年"}
}

// assignBody names the first 责任督学 of a new 海勃湾区 school.
func assignBody(m *matrix, _ *mobj) any {
	return map[string]any{"school_org_id": m.freshOrg("wuhai/hbw/", domain.OrgSchool).ID, "inspector_id": m.asgInspector(), "phone": "0473-2201999"}
}

func signBody(m *matrix, _ *mobj) any {
	return map[string]any{"phone": "0473-22" + fmt.Sprintf("%05d", m.seq.Add(1)), "sign_number": "HBW-S001"}
}

// planBody is the city office's plan from next year. The office has one plan per start year, and
// only this year's and next year's may be started: an earlier row's plan for next year is moved out
// of the way first, so that each supervisor's create is really tried.
func planBody(m *matrix, _ *mobj) any {
	next := m.e.clock.Now().In(domain.CST).Year() + 1
	m.e.exec(m.t, "UPDATE plans SET start_year = 1000 + id WHERE office_org_id = ? AND start_year = ?", m.e.org(m.t, "wuhai/").ID, next)
	return map[string]any{"start_year": next}
}

func planItemBody(_ *matrix, o *mobj) any {
	y, _ := strconv.Atoi(o.params["year"])
	school, _ := strconv.ParseInt(o.params["school"], 10, 64)
	return map[string]any{"target_org_id": school, "type": "school", "kind": "special", "year": y + 1, "quarter": 2, "note": "课后服务"}
}

func planItemEditBody(_ *matrix, o *mobj) any {
	y, _ := strconv.Atoi(o.params["year"])
	school, _ := strconv.ParseInt(o.params["school"], 10, 64)
	return map[string]any{"target_org_id": school, "type": "school", "kind": "comprehensive", "year": y, "month": 11}
}

func drawBody(m *matrix, _ *mobj) any {
	return map[string]any{"title": "矩阵双随机抽查" + m.uniq(), "case_type": "school", "n": 1, "k": 2}
}

func witnessBody(m *matrix, _ *mobj) any {
	return map[string]any{"name": "见证人" + m.uniq(), "role": "家长委员会", "commitment": regSHA("mx-witness-value-" + m.uniq())}
}

// frameworkBody is a framework of one item for 专项 school visits; a draft's edit keeps its code.
func frameworkBody(m *matrix, o *mobj) any {
	code := "mx-" + m.uniq()
	if o != nil && o.params["code"] != "" {
		code = o.params["code"]
	}
	return map[string]any{"code": code, "name": "矩阵测试指标体系", "applies_to": map[string]any{"type": "school", "kinds": []string{"special"}},
		"pass_mark": 60, "items": []map[string]any{{"code": "A", "title": "安全制度", "weight": 100, "max_score": 10, "category": "校园安全"}}}
}

func scoringBody(m *matrix, _ *mobj) any {
	return map[string]any{"framework_id": m.r25(), "scores": fwScores(10, 8, 6, 4, 10, 10, 9, 7)}
}

// checklistForm is the checklist's form with the same scores.
func checklistForm(m *matrix, _ *mobj) any {
	v := url.Values{"framework_id": {id(m.r25())}}
	for i, s := range []string{"10", "8", "6", "4", "10", "10", "9", "7"} {
		v.Set(fmt.Sprintf("score_%d", i+1), s)
	}
	return v
}

// observationBody is a value of 高中阶段毛入学率 for a 海勃湾区 school and a year the matrix has not
// entered yet.
func observationBody(m *matrix, _ *mobj) any {
	path, year := m.obsKey()
	return map[string]any{"indicator_code": "upper_secondary_gross_enrolment_rate", "org_id": m.e.org(m.t, string(path)).ID, "year": year, "value": 97.5}
}

func correctionBody(*matrix, *mobj) any { return map[string]any{"value": 97.8, "note": "复核更正"} }

// importBody is a CSV of one such value, as a multipart upload.
func importBody(m *matrix, _ *mobj) any {
	path, year := m.obsKey()
	return fileUpload{name: "监测数据.csv", data: monCSV(fmt.Sprintf("upper_secondary_gross_enrolment_rate,%s,%d,97.6,",
		strings.TrimSuffix(strings.TrimPrefix(string(path), "wuhai/"), "/"), year))}
}

func dismissBody(*matrix, *mobj) any {
	return map[string]any{"reason": "已纳入年度专项督导统筹安排。"}
}

func taskBody(m *matrix, _ *mobj) any {
	return map[string]any{"title": "完成校舍消防设施维修" + m.uniq(), "source_kind": "other", "target_org_id": m.e.org(m.t, "wuhai/hbw/s001/").ID,
		"due_on": string(m.e.clock.Today().AddDays(30))}
}

func taskEditBody(m *matrix, _ *mobj) any {
	return map[string]any{"title": "完成校舍消防设施维修改造", "due_on": string(m.e.clock.Today().AddDays(45))}
}

func progressBody(*matrix, *mobj) any {
	return map[string]any{"period": "2026年3月", "text": "已完成消防设施排查。", "percent": 30}
}

// caseNoticeBody is a 督导通知 of a visit 40 days on (R20: at least 30).
func caseNoticeBody(m *matrix, _ *mobj) any {
	visit := m.e.App.Rules().Calendar.NextWorkingDay(m.e.clock.Today().AddDays(40))
	return map[string]any{"visit_on": string(visit), "scope": "校园安全管理制度落实情况。", "documents": "安全管理台账。"}
}

func docCorrectionBody(*matrix, *mobj) any {
	return map[string]any{"reason": "复查后调整问题一的整改期限。"}
}

func reviewBody(*matrix, *mobj) any {
	return map[string]any{"kind": "review", "reason": "问题一已于督导前整改完毕。"}
}

func decisionBody(*matrix, *mobj) any {
	return map[string]any{"outcome": "upheld", "decision": "经复查，维持原督导意见。"}
}

// fileUpload is a body sent as multipart: one file, as the field "file".
type fileUpload struct {
	name string
	data []byte
}

// uploadBody is an evidence upload: a fresh PNG.
func uploadBody(m *matrix, _ *mobj) any { return fileUpload{name: "photo.png", data: casePNG(m.t)} }

// actionOf is the step a row's :action stands for: a real step of the row's object in the state its
// builder leaves it.
func actionOf(key string) string {
	switch {
	case strings.Contains(key, "/accountability/incentives/") || strings.Contains(key, "/incentives/"):
		return "decide"
	case strings.Contains(key, "/accountability/"):
		return "notice"
	case strings.Contains(key, "/inspectors/"):
		return "approve" // a recommendation passes review (审核, R33)
	case strings.Contains(key, "/assignments/"):
		return "sign" // the sign at the school gate changes (R22)
	case strings.Contains(key, "/plans/"):
		return "approve" // a draft plan is approved
	case strings.Contains(key, "/draws/"):
		return "commit_witness" // a witness commits to a value
	case strings.Contains(key, "/frameworks/"):
		return "publish" // a draft framework is published
	case strings.Contains(key, "/monitoring/proposals/"):
		return "dismiss" // a case proposal is declined
	case strings.Contains(key, "/tasks/"):
		return "progress" // the responsible unit reports progress
	}
	return "start"
}

var pathParam = regexp.MustCompile(`:([a-z]+)`)

func TestRouteMatrix(t *testing.T) {
	e := newCaseEnv(t, "sqlite")
	m := &matrix{e: e, t: t, br: map[string]*systemtest.Browser{}, ids: map[string]int64{}, cache: map[string]int64{}}
	e.login(t, loggedIn...)
	for _, u := range loggedIn {
		m.ids[u] = e.user(t, u).ID
		b := e.Browser(t)
		b.Login(u, demo.Password)
		m.br[u] = b
	}

	// The router and the table name the same routes.
	served := map[string]bool{}
	for _, r := range e.Sys.Web.Routes() {
		if strings.HasSuffix(r.Path, "/*") && r.Path != "/static/*" || strings.HasPrefix(r.Method, "echo_") {
			continue // the API's catch-all 404, echo's own not-found entries
		}
		served[r.Method+" "+r.Path] = true
	}
	var keys []string
	for k := range served {
		if _, ok := routeRows[k]; !ok {
			t.Errorf("route %s has no row in routeRows: say who may use it (see the comment at the top)", k)
		}
		keys = append(keys, k)
	}
	for k := range routeRows {
		if !served[k] {
			t.Errorf("routeRows has %s, which the server does not serve", k)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	slices.Sort(keys)
	cells := 0
	for _, key := range keys {
		row := routeRows[key]
		t.Run(strings.ReplaceAll(key, "/", "|"), func(t *testing.T) {
			m.t = t
			var shared *mobj
			for _, actor := range matrixActors {
				allowed := row.public || slices.Contains(row.ok, actor)
				o := &mobj{params: map[string]string{}}
				if row.obj != "" {
					if allowed && !strings.HasPrefix(key, "GET ") || shared == nil {
						o = matrixObjects[row.obj](m)
						if !(allowed && !strings.HasPrefix(key, "GET ")) {
							shared = o
						}
					} else {
						o = shared
					}
				}
				got, where := m.send(t, key, row, actor, o)
				want := m.expect(key, row, actor, o)
				cells++
				if !want.match(got, where) {
					t.Errorf("%s as %q (%v): got %d %s, want %s", key, actor, o.params, got, where, want)
				}
			}
		})
	}
	t.Logf("%d routes × %d actors: %d requests", len(keys), len(matrixActors), cells)
}

// want is an expected answer.
type want struct {
	status []int
	login  bool // a redirect to the login page
}

func (w want) match(status int, where string) bool {
	if w.login {
		return status == http.StatusSeeOther && strings.HasPrefix(where, "/login")
	}
	return slices.Contains(w.status, status)
}

func (w want) String() string {
	if w.login {
		return "303 to /login"
	}
	return fmt.Sprint(w.status)
}

func (m *matrix) expect(key string, row routeRow, actor string, o *mobj) want {
	api := strings.Contains(key, " /api/")
	get := strings.HasPrefix(key, "GET ")
	if st, ok := row.answers[actor]; ok {
		return want{status: []int{st}}
	}
	if row.public || slices.Contains(row.ok, actor) {
		switch {
		case row.status != 0:
			return want{status: []int{row.status}}
		case api:
			return want{status: []int{http.StatusOK, http.StatusCreated, http.StatusNoContent}}
		case key == "GET /login" && actor != "":
			return want{status: []int{http.StatusSeeOther}} // signed in already: sent home
		case get:
			return want{status: []int{http.StatusOK}}
		}
		return want{status: []int{http.StatusSeeOther}}
	}
	if actor == "" {
		if api {
			return want{status: []int{http.StatusUnauthorized}}
		}
		return want{login: true}
	}
	if o.readers != nil && !slices.Contains(o.readers, actor) {
		return want{status: []int{http.StatusNotFound}}
	}
	return want{status: []int{http.StatusForbidden}}
}

// send makes the row's request as actor and returns the status and, for a redirect, its Location.
// A refused request must leave the audit log as it was.
func (m *matrix) send(t *testing.T, key string, row routeRow, actor string, o *mobj) (int, string) {
	method, pattern, _ := strings.Cut(key, " ")
	path := pathParam.ReplaceAllStringFunc(pattern, func(p string) string {
		name := p[1:]
		if name == "action" {
			return actionOf(key)
		}
		if name == "gid" {
			return m.grantOf(t, o)
		}
		v, ok := o.params[name]
		if !ok {
			t.Fatalf("%s: the object has no %s", key, name)
		}
		return v
	})
	path = strings.Replace(path, "/static/*", "/static/app.css", 1)
	var body any
	if row.body != nil {
		body = row.body(m, o)
	}
	before := m.auditCount(t)
	var status int
	var where string
	if strings.Contains(key, " /api/") {
		status, where = m.sendAPI(t, method, path, actor, body, row.fresh)
	} else {
		status, where = m.sendUI(t, method, path, actor, body, row.fresh)
	}
	if status >= 400 && m.auditCount(t) != before {
		t.Errorf("%s as %q was refused (%d) but wrote to the audit log", key, actor, status)
	}
	return status, where
}

func (m *matrix) auditCount(t *testing.T) int64 {
	return m.e.queryInt(t, "SELECT COUNT(*) FROM audit_events")
}

// grantOf is the id of the object user's first grant.
func (m *matrix) grantOf(t *testing.T, o *mobj) string {
	var gid int64
	if err := m.e.raw.QueryRow(m.e.rebind("SELECT id FROM grants WHERE user_id = ? ORDER BY id LIMIT 1"), o.params["id"]).Scan(&gid); err != nil {
		t.Fatalf("no grant of user %s: %v", o.params["id"], err)
	}
	return id(gid)
}

func (m *matrix) sendAPI(t *testing.T, method, path, actor string, body any, fresh bool) (int, string) {
	h := http.Header{"Accept": {"application/json"}}
	token := ""
	if actor != "" {
		token = m.e.Token(actor)
		if fresh {
			var out struct {
				Token string `json:"token"`
			}
			m.e.decode(t, m.e.mustCall(t, "", http.MethodPost, "/api/v1/auth/login", map[string]any{"username": actor, "password": demo.Password}, http.StatusOK), &out)
			token = out.Token
		}
	}
	var req *http.Request
	if f, up := body.(fileUpload); up {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", f.name)
		fw.Write(f.data)
		mw.Close()
		req, _ = http.NewRequest(method, m.e.srv.URL+path, &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
	} else {
		var err error
		req, err = m.e.NewRequest("", method, path, body, h)
		if err != nil {
			t.Fatal(err)
		}
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r, err := m.e.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r.StatusCode, r.Header.Get("Location")
}

func (m *matrix) sendUI(t *testing.T, method, path, actor string, body any, fresh bool) (int, string) {
	b := m.br[actor]
	if actor == "" {
		b = m.e.Browser(t) // nobody stays nobody, whatever the last anonymous request did
	}
	if fresh && actor != "" {
		b = m.e.Browser(t)
		b.Login(actor, demo.Password)
	}
	if method == http.MethodGet {
		r := b.Get(path)
		return r.StatusCode, r.Header.Get("Location")
	}
	tok := b.Cookie("dudao_csrf")
	if actor == "" {
		tok = b.CSRF("")
	}
	if f, up := body.(fileUpload); up {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("_csrf", tok)
		fw, _ := mw.CreateFormFile("file", f.name)
		fw.Write(f.data)
		mw.Close()
		r := b.Req(method, path, &buf, http.Header{"Content-Type": {mw.FormDataContentType()}})
		return r.StatusCode, r.Header.Get("Location")
	}
	v, _ := body.(url.Values)
	if v == nil {
		v = url.Values{}
	}
	v.Set("_csrf", tok)
	r := b.Post(path, v, nil)
	return r.StatusCode, r.Header.Get("Location")
}

var _ = json.Marshal
