package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// caseMatrixTargets are the target positions the matrix aims cases at: school.hbw1's school and
// 市一中 and a 乌达区 school and 海勃湾区 itself (督政), all by the city office, and school.hbw2's school
// (the sibling of school.hbw1's) by the 海勃湾区 office, so that a district owner is covered too.
var caseMatrixTargets = []caseTarget{
	{name: "hbw-s001-by-city", path: "wuhai/hbw/s001/", typ: "school", opener: "city.supervisor", director: "city.director", rectifier: "school.hbw1"},
	{name: "hbw-s002-by-hbw", path: "wuhai/hbw/s002/", typ: "school", opener: "hbw.supervisor", director: "hbw.director", rectifier: "school.hbw2"},
	{name: "wd-ycxx-by-city", path: "wuhai/wd/ycxx/", typ: "school", opener: "city.supervisor", director: "city.director", rectifier: "school.wd1"},
	{name: "yz-by-city", path: "wuhai/yz/", typ: "school", opener: "city.supervisor", director: "city.director", rectifier: "school.yz"},
	{name: "hbw-district-by-city", path: "wuhai/hbw/", typ: "government", opener: "city.supervisor", director: "city.director", rectifier: "hbw.office"},
}

// caseActions are the transitions of SPEC §2.1 in workflow order (the order of allowed_actions).
var caseActions = []string{"start", "submit_preliminary", "acknowledge", "submit_for_review", "return", "issue",
	"submit_rectification", "recheck", "cancel"}

// caseEndpoints are every case endpoint the matrix sends; "action:x" is POST …/actions/x.
var caseEndpoints = func() []string {
	eps := []string{"get", "audit", "download", "add_finding", "patch_finding", "delete_finding", "objection", "ruling", "measure", "upload"}
	for _, a := range caseActions {
		eps = append(eps, "action:"+a)
	}
	return eps
}()

// casePolicy is SPEC §1's "may" column for cases, in the authorizer's action names, within each
// grant's jurisdiction. Evidence is split by purpose as the role table describes it: supervisors
// record evidence while inspecting, the target's users upload rectification evidence.
var casePolicy = map[string][]string{
	"director":        {"read", "audit.read", "return", "issue", "issue_routine", "cancel", "objection.rule"},
	"supervisor":      {"read", "start", "submit_preliminary", "submit_for_review", "issue_routine", "recheck", "finding.write", "evidence.inspect"},
	"district_office": {"read", "acknowledge", "submit_rectification", "objection.file", "measure.write", "evidence.rectify"},
	"school":          {"read", "acknowledge", "submit_rectification", "objection.file", "measure.write", "evidence.rectify"},
	"auditor":         {"read", "audit.read"},
}

// may reports whether one of u's grants lets it do act on something lying at path.
func userMay(u caseUser, act, path string) bool {
	for _, g := range u.Grants {
		if slices.Contains(casePolicy[g.Role], act) && strings.HasPrefix(path, g.Path) {
			return true
		}
	}
	return false
}

// holds reports whether u holds role through a grant covering path.
func userHolds(u caseUser, role, path string) bool {
	for _, g := range u.Grants {
		if g.Role == role && strings.HasPrefix(path, g.Path) {
			return true
		}
	}
	return false
}

// caseEdges is the transition table of SPEC §2.1 for a non-routine case: the actions each state allows.
var caseEdges = map[string][]string{
	"planned":    {"start", "cancel"},
	"inspecting": {"submit_preliminary", "cancel"},
	"feedback":   {"acknowledge", "submit_for_review"},
	"review":     {"return", "issue"},
	"rectifying": {"submit_rectification"},
	"verifying":  {"recheck"},
}

// caseCell is what one request should get.
type caseCell struct {
	want    int  // the status SPEC §1 and §2.1 call for
	allowed bool // an action the caller may take now, so it belongs in allowed_actions
}

// caseExpect decides what u should get from endpoint ep on case b. Checks come in the order the
// API makes them: out of scope is 404; then the role at the right org (the owner's for supervisory
// acts, the target's for rectification) is 403; then a wrong state is 409; then the duty rules of
// SPEC §1 (on the team, of the target org itself, not the author, independent recheck) are 403;
// then what is missing from the case is 409 or 422.
func caseExpect(u caseUser, ep string, b caseBuilt) caseCell {
	O, T, st := b.ownerPath, b.targetPath, b.status
	if !userMay(u, "read", T) && !userMay(u, "read", O) {
		return caseCell{want: http.StatusNotFound}
	}
	team := u.Org.ID == b.ownerOrgID || u.ID == b.inspectorID
	ofTarget := u.Org.ID == b.targetOrgID
	first := func(ok int, refusals ...caseRefusal) int {
		for _, r := range refusals {
			if r.if_ {
				return r.status
			}
		}
		return ok
	}
	switch ep {
	case "get", "download":
		return caseCell{want: http.StatusOK}
	case "audit":
		return caseCell{want: first(http.StatusOK, caseRefuse(!userMay(u, "audit.read", T) && !userMay(u, "audit.read", O), http.StatusForbidden))}
	case "add_finding", "patch_finding", "delete_finding":
		ok := http.StatusOK
		if ep == "add_finding" {
			ok = http.StatusCreated
		}
		return caseCell{want: first(ok,
			caseRefuse(!userMay(u, "finding.write", O), http.StatusForbidden),
			caseRefuse(st != "inspecting", http.StatusConflict),
			caseRefuse(!team, http.StatusForbidden))}
	case "objection":
		return caseCell{want: first(http.StatusCreated,
			caseRefuse(!userMay(u, "objection.file", T), http.StatusForbidden),
			caseRefuse(st != "feedback" || b.acknowledged, http.StatusConflict),
			caseRefuse(!ofTarget, http.StatusForbidden))}
	case "ruling":
		return caseCell{want: first(http.StatusOK,
			caseRefuse(!userMay(u, "objection.rule", O), http.StatusForbidden),
			caseRefuse(st != "feedback" && st != "review", http.StatusConflict),
			caseRefuse(!userHolds(u, "director", O), http.StatusForbidden),
			caseRefuse(b.o1 == 0, http.StatusNotFound),
			caseRefuse(b.o1Status != "pending", http.StatusConflict))}
	case "measure":
		return caseCell{want: first(http.StatusCreated,
			caseRefuse(!userMay(u, "measure.write", T), http.StatusForbidden),
			caseRefuse(st != "rectifying", http.StatusConflict),
			caseRefuse(!ofTarget, http.StatusForbidden))}
	case "upload":
		upload := func(inspect, rectify func(path string) bool) int {
			switch st {
			case "inspecting":
				return first(http.StatusCreated, caseRefuse(!inspect(O), http.StatusForbidden), caseRefuse(!team, http.StatusForbidden))
			case "rectifying":
				return first(http.StatusCreated, caseRefuse(!rectify(T), http.StatusForbidden), caseRefuse(!ofTarget, http.StatusForbidden))
			}
			// In any other state, whoever holds either right learns the state is wrong; others are refused.
			return first(http.StatusConflict, caseRefuse(!inspect(O) && !rectify(T), http.StatusForbidden))
		}
		inspect := func(p string) bool { return userMay(u, "evidence.inspect", p) }
		rectify := func(p string) bool { return userMay(u, "evidence.rectify", p) }
		return caseCell{want: upload(inspect, rectify)}
	}

	act, _ := strings.CutPrefix(ep, "action:")
	P := O
	if act == "acknowledge" || act == "submit_rectification" {
		P = T
	}
	roleOK := userMay(u, act, P)
	if act == "issue" && st == "inspecting" {
		roleOK = userMay(u, "issue_routine", P) || userMay(u, "issue", P)
	}
	refusal := first(0,
		caseRefuse(!roleOK, http.StatusForbidden),
		caseRefuse(!slices.Contains(caseEdges[st], act), http.StatusConflict),
		caseRefuse(P == T && !ofTarget, http.StatusForbidden))
	if refusal == 0 {
		switch act {
		case "start":
			refusal = first(0, caseRefuse(u.ID != b.inspectorID, http.StatusForbidden))
		case "submit_preliminary":
			refusal = first(0, caseRefuse(!team, http.StatusForbidden))
		case "acknowledge":
			refusal = first(0, caseRefuse(b.acknowledged, http.StatusConflict))
		case "submit_for_review":
			refusal = first(0, caseRefuse(!team, http.StatusForbidden), caseRefuse(!b.acknowledged, http.StatusConflict))
		case "issue":
			refusal = first(0, caseRefuse(!userHolds(u, "director", O), http.StatusForbidden), caseRefuse(u.ID == b.reviewSubmittedBy, http.StatusForbidden))
		case "recheck":
			refusal = first(0, caseRefuse(u.ID == b.rectSubmittedBy, http.StatusForbidden), caseRefuse(u.ID == b.inspectorID, http.StatusForbidden))
		}
	}
	if refusal != 0 {
		return caseCell{want: refusal}
	}
	// Allowed now; what the case still lacks is the action's own business.
	c := caseCell{want: http.StatusOK, allowed: true}
	switch {
	case act == "issue" && b.o1Status == "pending":
		c.want = http.StatusConflict
	case act == "submit_rectification" && !b.rectificationReady:
		c.want = http.StatusUnprocessableEntity
	}
	return c
}

type caseRefusal struct {
	if_    bool
	status int
}

func caseRefuse(cond bool, status int) caseRefusal { return caseRefusal{cond, status} }

// matrixRequest sends endpoint ep of case b as username, with a valid body.
func (e *caseEnv) matrixRequest(t testing.TB, username, ep string, b caseBuilt) caseResp {
	t.Helper()
	const missing = 987654321 // a part the case does not have yet
	or := func(id int64) int64 {
		if id == 0 {
			return missing
		}
		return id
	}
	id := b.id
	switch ep {
	case "get":
		return e.call(t, username, http.MethodGet, casePath(id, ""), nil)
	case "audit":
		return e.call(t, username, http.MethodGet, casePath(id, "/audit"), nil)
	case "download":
		return e.call(t, username, http.MethodGet, fmt.Sprintf("/api/v1/evidence/%d", b.e1), nil)
	case "add_finding":
		return e.call(t, username, http.MethodPost, casePath(id, "/findings"), map[string]any{"title": "矩阵新增问题", "severity": "minor"})
	case "patch_finding":
		return e.call(t, username, http.MethodPatch, casePath(id, fmt.Sprintf("/findings/%d", or(b.f1))), map[string]any{"title": "矩阵修改问题", "severity": "critical"})
	case "delete_finding":
		return e.call(t, username, http.MethodDelete, casePath(id, fmt.Sprintf("/findings/%d", or(b.f2))), nil)
	case "objection":
		body := map[string]any{"text": "矩阵申辩：情况与事实不符。"}
		if b.f1 != 0 {
			body["finding_id"] = b.f1
		}
		return e.call(t, username, http.MethodPost, casePath(id, "/objections"), body)
	case "ruling":
		return e.call(t, username, http.MethodPost, casePath(id, fmt.Sprintf("/objections/%d/ruling", or(b.o1))), map[string]any{"upheld": false, "reason": "申辩理由不成立。"})
	case "measure":
		return e.call(t, username, http.MethodPost, casePath(id, fmt.Sprintf("/findings/%d/measures", or(b.f1))), caseMeasure(e.clock.Today()))
	case "upload":
		fields := map[string]string{}
		if b.f1 != 0 {
			fields["finding_id"] = strconv.FormatInt(b.f1, 10)
		}
		return e.upload(t, username, id, "photo.png", casePNG(t), fields)
	}
	act, _ := strings.CutPrefix(ep, "action:")
	params := map[string]any{}
	switch act {
	case "return", "cancel":
		params["comment"] = "矩阵意见：请补充材料。"
	case "recheck":
		var results []map[string]any
		for _, f := range []int64{b.f1, b.f2} {
			if f != 0 {
				results = append(results, map[string]any{"finding_id": f, "passed": true, "comment": "已整改到位。"})
			}
		}
		params["results"] = results
	}
	return e.call(t, username, http.MethodPost, casePath(id, "/actions/"+act), params)
}

// TestCaseMatrix sends every case endpoint as every demo user to cases in every state, aimed at
// every kind of target, and checks each answer against SPEC §1 and §2.1; a refused request must
// leave the database, the audit log and the blob dir exactly as they were.
func TestCaseMatrix(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, caseUsernames...)
		for _, tg := range caseMatrixTargets {
			t.Run(tg.name, func(t *testing.T) {
				for _, st := range caseStates {
					t.Run(st, func(t *testing.T) { caseRunMatrix(t, e, tg, st) })
				}
			})
		}
	})
}

func caseRunMatrix(t *testing.T, e *caseEnv, tg caseTarget, st string) {
	b := e.build(t, tg, st)
	dirty, fresh := false, false
	var snap caseSnapshot
	sent := 0
	for _, name := range caseUsernames {
		u := e.user(t, name)
		for _, ep := range caseEndpoints {
			if ep == "download" && b.e1 == 0 {
				continue // nothing uploaded before inspecting
			}
			if dirty {
				// A request that succeeded changed the case: start again from a fresh one.
				b, dirty, fresh = e.build(t, tg, st), false, false
			}
			// Only an upload can store a file; around other requests the blob dir's tmp is enough.
			dir := filepath.Join(e.blobDir, "tmp")
			if ep == "upload" {
				dir, fresh = e.blobDir, false
			}
			if !fresh {
				snap, fresh = e.snapshotOf(t, dir), true
			}
			cell := caseExpect(u, ep, b)
			r := e.matrixRequest(t, name, ep, b)
			sent++
			got := r.Status
			write := ep != "get" && ep != "audit" && ep != "download"
			where := fmt.Sprintf("%s %s on case %d (%s)", name, ep, b.id, st)

			if got != cell.want {
				switch {
				case cell.want == http.StatusNotFound && got != http.StatusNotFound:
					t.Errorf("%s: out of scope, got %s, want 404", where, r)
				case got/100 == 2 && cell.want/100 != 2:
					t.Errorf("%s: must be refused (%d), got %s", where, cell.want, r)
				case got == http.StatusNotFound:
					t.Errorf("%s: 404 for a user who can see the case, want %d: %s", where, cell.want, r)
				default:
					t.Errorf("%s: got %s, want %d", where, r, cell.want)
				}
			}
			if write && got/100 == 2 {
				dirty = true
				continue
			}
			if ep == "upload" {
				fresh = false // the next snapshot lists the tmp dir only
			}
			after := e.snapshotOf(t, dir)
			if d := snap.diff(after); d != "" {
				t.Errorf("%s answered %d but changed: %s", where, got, d)
				snap = after
			}
			if got >= 400 {
				var ae caseAPIError
				if err := json.Unmarshal(r.Body, &ae); err != nil || ae.Error.Code == "" || !caseHasHan(ae.Error.Message) {
					t.Errorf("%s: error answer without a Chinese message: %s", where, r)
				}
			}
			if ep == "get" && got == http.StatusOK {
				c := e.caseOf(t, r)
				if c.ID != b.id || c.Status != st {
					t.Errorf("%s: case %d in %s, want %d in %s", where, c.ID, c.Status, b.id, st)
				}
				want := []string{}
				for _, a := range caseActions {
					if caseExpect(u, "action:"+a, b).allowed {
						want = append(want, a)
					}
				}
				if !slices.Equal(c.AllowedActions, want) {
					t.Errorf("%s: allowed_actions = %q, want %q", where, c.AllowedActions, want)
				}
			}
		}
	}
	if sent < len(caseUsernames)*(len(caseEndpoints)-1) {
		t.Fatalf("only %d requests sent", sent)
	}
}
