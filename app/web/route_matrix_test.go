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
	// 问责 and 激励 records of the city office about that school: the same.
	accReaders = caseReaders
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
}

// matrix is the running environment with a logged-in API client and a browser per actor.
type matrix struct {
	e   *caseEnv
	t   *testing.T
	br  map[string]*systemtest.Browser
	seq atomic.Int64
	ids map[string]int64 // user ids by username
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
		return &mobj{params: map[string]string{"id": id(m.propose())}, readers: accReaders}
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
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// caseObj builds a case of the city office aimed at school.hbw1's school in state.
func (m *matrix) caseObj(state string) *mobj {
	b := m.e.build(m.t, caseMatrixTargets[0], state)
	p := map[string]string{"id": id(b.id), "fid": id(b.f1), "eid": id(b.e1), "oid": id(b.o1)}
	if state == "rectifying" || state == "verifying" {
		var c caseJSON
		m.e.decode(m.t, m.e.mustCall(m.t, "city.director", http.MethodGet, casePath(b.id, ""), nil, http.StatusOK), &c)
		for _, f := range c.Findings {
			for _, ms := range f.Measures {
				p["fid"], p["mid"] = id(f.ID), id(ms.ID)
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

	"GET /api/v1/accountability":                      {ok: loggedIn},
	"POST /api/v1/accountability":                     {ok: supervisors, body: proposeBody},
	"GET /api/v1/accountability/:id":                  {obj: "acc:proposed", ok: accReaders},
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
	"GET /api/v1/users":                               {ok: userReaders},
	"GET /api/v1/users/:id":                           {obj: "user", ok: userReaders},
	"POST /api/v1/users/:id/disable":                  {obj: "user", ok: []string{"admin"}},
	"POST /api/v1/users/:id/enable":                   {obj: "user:disabled", ok: []string{"admin"}},
	"POST /api/v1/users/:id/password":                 {obj: "user", ok: []string{"admin"}, body: func(*matrix, *mobj) any { return map[string]any{"password": "Mima2026x"} }},
	"POST /api/v1/users/:id/grants":                   {obj: "user", ok: []string{"admin"}, body: func(*matrix, *mobj) any { return map[string]any{"role": "monitor", "org": "wuhai/hbw/"} }},
	"DELETE /api/v1/users/:id/grants/:gid":            {obj: "user", ok: []string{"admin"}},

	"GET /login":                                          {public: true},
	"POST /login":                                         {public: true, fresh: true, body: func(*matrix, *mobj) any { return url.Values{"username": {"monitor"}, "password": {demo.Password}} }},
	"POST /logout":                                        {ok: loggedIn, fresh: true},
	"GET /":                                               {ok: loggedIn},
	"GET /ui/nav":                                         {ok: loggedIn},
	"GET /cases":                                          {ok: caseUsers},
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
	"GET /accountability":                                 {ok: loggedIn},
	"POST /accountability":                                {ok: supervisors, body: form(proposeBody)},
	"POST /accountability/incentives":                     {ok: supervisors, body: form(incentiveBody)},
	"GET /accountability/incentives/:id":                  {obj: "incentive", ok: accReaders},
	"POST /accountability/incentives/:id/actions/:action": {obj: "incentive", ok: []string{"city.director"}, body: form(decideIncBody)},
	"GET /accountability/:id":                             {obj: "acc:proposed", ok: accReaders},
	"POST /accountability/:id/actions/:action":            {obj: "acc:proposed", ok: []string{"city.director"}, body: form(noticeBody)},
	"POST /accountability/:id/interviews":                 {obj: "acc:interview", ok: []string{"city.director", "city.supervisor", "city.supervisor2"}, body: form(interviewBody)},
	"GET /notifications":                                  {ok: loggedIn},
	"POST /notifications/read-all":                        {ok: loggedIn},
	"POST /notifications/email":                           {ok: loggedIn, body: func(*matrix, *mobj) any { return url.Values{"email": {"x@example.org"}} }},
	"POST /notifications/:id/read":                        {obj: "notification", ok: []string{"school.hbw1"}},
	"GET /reports/accountability":                         {ok: reportReaders},
	"GET /reports/accountability.pdf":                     {ok: reportReaders},
	"GET /reports/accountability.xlsx":                    {ok: reportReaders},
	"GET /reports/ledger.xlsx":                            {ok: reportReaders},
	"GET /admin/orgs":                                     {ok: []string{"admin"}},
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

// uploadBody marks an evidence upload: a fresh PNG, sent as multipart.
type uploadMarker struct{}

func uploadBody(*matrix, *mobj) any { return uploadMarker{} }

// actionOf is the step a row's :action stands for.
func actionOf(key string) string {
	switch {
	case strings.Contains(key, "/accountability/incentives/") || strings.Contains(key, "/incentives/"):
		return "decide"
	case strings.Contains(key, "/accountability/"):
		return "notice"
	}
	return "start"
}

var pathParam = regexp.MustCompile(`:([a-z]+)`)

func TestRouteMatrix(t *testing.T) {
	e := newCaseEnv(t, "sqlite")
	m := &matrix{e: e, t: t, br: map[string]*systemtest.Browser{}, ids: map[string]int64{}}
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
	if _, up := body.(uploadMarker); up {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "photo.png")
		fw.Write(casePNG(t))
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
	if _, up := body.(uploadMarker); up {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("_csrf", tok)
		fw, _ := mw.CreateFormFile("file", "photo.png")
		fw.Write(casePNG(t))
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
