package web_test

// Accounts can be cut off (SPEC §1, issue 13): disabling a user, resetting a password or revoking a
// grant takes effect on the very next request, through the API and the admin pages alike, each audited;
// nobody grants themselves a role and an admin never holds director, supervisor or auditor.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"dudao/app"
	"dudao/app/demo"
	"dudao/domain"
)

type accountAnswer struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Active   bool   `json:"active"`
	Grants   []struct {
		ID        int64  `json:"id"`
		Role      string `json:"role"`
		Path      string `json:"path"`
		Effective bool   `json:"effective"`
	} `json:"grants"`
}

// accountOf finds a user in GET /api/v1/users as admin.
func (e *env) accountOf(t *testing.T, adminToken, username string) accountAnswer {
	t.Helper()
	var out struct {
		Items []accountAnswer `json:"items"`
	}
	decode(t, e.api(t, http.MethodGet, "/api/v1/users", adminToken, ""), &out)
	for _, u := range out.Items {
		if u.Username == username {
			return u
		}
	}
	t.Fatalf("GET /api/v1/users lacks %s", username)
	return accountAnswer{}
}

// auditActions lists the actions of the audit events on a user, oldest first.
func (e *env) auditActions(t *testing.T, userID int64) []string {
	t.Helper()
	rows, err := e.Raw.Query("SELECT action FROM audit_events WHERE object_type = 'user' AND object_id = $1 ORDER BY id", userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// wantCode checks the status and the error code of a refusal (wantError's leak check would take the
// code "forbidden" itself for a leak).
func wantCode(t *testing.T, r response, status int, code string) {
	t.Helper()
	var e apiError
	decode(t, r, &e)
	if r.StatusCode != status || e.Error.Code != code || !hasHan(e.Error.Message) {
		t.Fatalf("%s, want %d %s with a Chinese message", r, status, code)
	}
}

// firstCase is the id of the first case token lists, and how many it lists.
func (e *env) firstCase(t *testing.T, token string) (int64, int) {
	t.Helper()
	var out struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	decode(t, e.api(t, http.MethodGet, "/api/v1/cases", token, ""), &out)
	if len(out.Items) == 0 {
		return 0, out.Total
	}
	return out.Items[0].ID, out.Total
}

func wantAudited(t *testing.T, e *env, userID int64, actions ...string) {
	t.Helper()
	got := strings.Join(e.auditActions(t, userID), " ")
	for _, a := range actions {
		if !strings.Contains(got, a) {
			t.Errorf("user %d: no audit event %s among %s", userID, a, got)
		}
	}
	if id, reason, err := e.db.Verify(context.Background()); err != nil || id != 0 {
		t.Errorf("audit chain: broken at %d (%s) %v", id, reason, err)
	}
}

// TestAccountDisableEndsSessions: a disabled user's token and browser session die at once, the user
// cannot log in, and enabling lets it in again. Before issue 13 there was no way to disable a user.
func TestAccountDisableEndsSessions(t *testing.T) {
	e := newEnv(t, app.Options{})
	admin, _ := e.login(t, "admin", demo.Password)
	token, _ := e.login(t, "hbw.office", demo.Password)
	b := e.browser(t)
	b.webLogin("hbw.office", demo.Password)
	u := e.accountOf(t, admin, "hbw.office")
	path := "/api/v1/users/" + strconv.FormatInt(u.ID, 10)

	var got accountAnswer
	r := e.api(t, http.MethodPost, path+"/disable", admin, "")
	decode(t, r, &got)
	if r.StatusCode != http.StatusOK || got.Active {
		t.Fatalf("disable: %s", r)
	}
	wantCode(t, e.api(t, http.MethodGet, "/api/v1/me", token, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	wantRedirect(t, b.get("/"), "/login")
	wantCode(t, e.api(t, http.MethodPost, "/api/v1/auth/login", "", loginBody("hbw.office", demo.Password)), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	wantCode(t, e.api(t, http.MethodPost, path+"/disable", admin, ""), http.StatusConflict, domain.ECONFLICT)

	r = e.api(t, http.MethodPost, path+"/enable", admin, "")
	decode(t, r, &got)
	if r.StatusCode != http.StatusOK || !got.Active {
		t.Fatalf("enable: %s", r)
	}
	e.login(t, "hbw.office", demo.Password)
	wantAudited(t, e, u.ID, "user.disable", "user.enable")

	// Nobody disables themselves; only who manages users disables anyone.
	me := e.accountOf(t, admin, "admin")
	wantCode(t, e.api(t, http.MethodPost, "/api/v1/users/"+strconv.FormatInt(me.ID, 10)+"/disable", admin, ""), http.StatusForbidden, domain.EFORBIDDEN)
	director, _ := e.login(t, "city.director", demo.Password)
	wantCode(t, e.api(t, http.MethodPost, path+"/disable", director, ""), http.StatusForbidden, domain.EFORBIDDEN)
	school, _ := e.login(t, "school.hbw1", demo.Password)
	wantCode(t, e.api(t, http.MethodPost, path+"/disable", school, ""), http.StatusNotFound, domain.ENOTFOUND)
	wantCode(t, e.api(t, http.MethodGet, "/api/v1/users", school, ""), http.StatusForbidden, domain.EFORBIDDEN)
}

// TestAccountPasswordResetEndsSessions: after a reset the old token, the browser session and the old
// password are dead and the new password works. Before issue 13 a reset left every token working.
func TestAccountPasswordResetEndsSessions(t *testing.T) {
	e := newEnv(t, app.Options{})
	admin, _ := e.login(t, "admin", demo.Password)
	token, _ := e.login(t, "school.hbw1", demo.Password)
	b := e.browser(t)
	b.webLogin("school.hbw1", demo.Password)
	u := e.accountOf(t, admin, "school.hbw1")
	path := "/api/v1/users/" + strconv.FormatInt(u.ID, 10) + "/password"

	wantCode(t, e.api(t, http.MethodPost, path, admin, `{"password":"short"}`), http.StatusUnprocessableEntity, domain.EINVALID)
	if r := e.api(t, http.MethodPost, path, admin, `{"password":"Xinmima2026"}`); r.StatusCode != http.StatusOK {
		t.Fatalf("reset: %s", r)
	}
	wantCode(t, e.api(t, http.MethodGet, "/api/v1/me", token, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	wantRedirect(t, b.get("/"), "/login")
	wantCode(t, e.api(t, http.MethodPost, "/api/v1/auth/login", "", loginBody("school.hbw1", demo.Password)), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	mine, _ := e.login(t, "school.hbw1", "Xinmima2026")

	// A user changing its own password ends its own token too.
	if r := e.api(t, http.MethodPost, path, mine, `{"password":"Zaihuan2026"}`); r.StatusCode != http.StatusNoContent {
		t.Fatalf("own reset: %s", r)
	}
	wantCode(t, e.api(t, http.MethodGet, "/api/v1/me", mine, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	e.login(t, "school.hbw1", "Zaihuan2026")
	wantAudited(t, e, u.ID, "user.passwd")
}

// TestAccountRevokeGrant: a revoked grant stops working on the next request, without logging in
// again. Before issue 13 grants could only be taken back in the database.
func TestAccountRevokeGrant(t *testing.T) {
	e := newEnv(t, app.Options{})
	admin, _ := e.login(t, "admin", demo.Password)
	token, _ := e.login(t, "city.supervisor", demo.Password)
	caseID, _ := e.firstCase(t, token)
	if caseID == 0 {
		t.Fatal("city.supervisor lists no case")
	}
	u := e.accountOf(t, admin, "city.supervisor")
	if len(u.Grants) != 1 || u.Grants[0].Role != "supervisor" {
		t.Fatalf("grants of city.supervisor: %+v", u.Grants)
	}
	path := "/api/v1/users/" + strconv.FormatInt(u.ID, 10) + "/grants/" + strconv.FormatInt(u.Grants[0].ID, 10)
	auditor, _ := e.login(t, "auditor", demo.Password)
	wantCode(t, e.api(t, http.MethodDelete, path, auditor, ""), http.StatusForbidden, domain.EFORBIDDEN)
	var got accountAnswer
	r := e.api(t, http.MethodDelete, path, admin, "")
	decode(t, r, &got)
	if r.StatusCode != http.StatusOK || len(got.Grants) != 0 {
		t.Fatalf("revoke: %s", r)
	}
	wantCode(t, e.api(t, http.MethodGet, casePath(caseID, ""), token, ""), http.StatusNotFound, domain.ENOTFOUND)
	if _, n := e.firstCase(t, token); n != 0 {
		t.Errorf("after the revoke city.supervisor still lists %d cases", n)
	}
	wantCode(t, e.api(t, http.MethodDelete, path, admin, ""), http.StatusNotFound, domain.ENOTFOUND)
	wantAudited(t, e, u.ID, "user.revoke")
}

// TestAccountGrantRules: nobody grants themselves a role, an admin never becomes director, supervisor
// or auditor (nor they admin), and a conflicting grant already in the database is ignored at login.
// Before issue 13 admin could grant itself director and then issue cases.
func TestAccountGrantRules(t *testing.T) {
	e := newEnv(t, app.Options{})
	admin, _ := e.login(t, "admin", demo.Password)
	me := e.accountOf(t, admin, "admin")
	grant := func(userID int64, role, org string) response {
		return e.api(t, http.MethodPost, "/api/v1/users/"+strconv.FormatInt(userID, 10)+"/grants", admin, `{"role":"`+role+`","org":"`+org+`"}`)
	}
	for _, role := range []string{"director", "auditor", "school", "admin"} {
		wantCode(t, grant(me.ID, role, "wuhai/"), http.StatusForbidden, domain.EFORBIDDEN)
	}
	director := e.accountOf(t, admin, "city.director")
	le := wantError(t, grant(director.ID, "admin", "wuhai/"), http.StatusUnprocessableEntity, domain.EINVALID)
	if !strings.Contains(le.Error.Fields["role"], "系统管理员") {
		t.Errorf("conflict message %q", le.Error.Fields["role"])
	}
	// A second admin may not be made director, supervisor or auditor either.
	if _, err := e.app.CreateUser(context.Background(), app.System, app.UserInput{Username: "it2", Name: "信息科", Password: "Xinxike2026",
		OrgPath: "wuhai/"}); err != nil {
		t.Fatal(err)
	}
	it2 := e.accountOf(t, admin, "it2")
	if r := grant(it2.ID, "admin", "wuhai/"); r.StatusCode != http.StatusCreated || !strings.HasSuffix(r.Header.Get("Location"), "/users/"+strconv.FormatInt(it2.ID, 10)) {
		t.Fatalf("grant admin to it2: %s", r)
	}
	for _, role := range []string{"director", "supervisor", "auditor"} {
		wantCode(t, grant(it2.ID, role, "wuhai/hbw/"), http.StatusUnprocessableEntity, domain.EINVALID)
	}
	if r := grant(it2.ID, "monitor", "wuhai/"); r.StatusCode != http.StatusCreated {
		t.Errorf("admin may also be a monitor: %s", r)
	}

	// A conflicting grant written into the database by hand is on record but not in effect.
	var wuhai int64
	if err := e.Raw.QueryRow("SELECT id FROM orgs WHERE path = 'wuhai/'").Scan(&wuhai); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Raw.Exec("INSERT INTO grants (user_id, role, org_id, path, created_at) VALUES ($1, 'director', $2, 'wuhai/', CURRENT_TIMESTAMP)", me.ID, wuhai); err != nil {
		t.Fatal(err)
	}
	_, r := e.login(t, "admin", demo.Password)
	var login struct {
		User struct {
			Roles []string `json:"roles"`
		} `json:"user"`
	}
	decode(t, r, &login)
	if strings.Join(login.User.Roles, ",") != "admin" {
		t.Errorf("admin with a hand-made director grant logs in with roles %v, want admin only", login.User.Roles)
	}
	if r := e.api(t, http.MethodGet, "/api/v1/audit", admin, ""); r.StatusCode != http.StatusForbidden {
		t.Errorf("admin reads the audit log: %s", r)
	}
	if _, n := e.firstCase(t, admin); n != 0 {
		t.Errorf("admin lists %d cases as director", n)
	}
	for _, g := range e.accountOf(t, admin, "admin").Grants {
		if g.Role == "director" && g.Effective {
			t.Error("the hand-made director grant is listed as effective")
		}
	}
}

// TestAccountAdminPage: the admin page disables, enables, resets a password and revokes a grant
// through forms, with the same effects.
func TestAccountAdminPage(t *testing.T) {
	e := newEnv(t, app.Options{})
	admin, _ := e.login(t, "admin", demo.Password)
	u := e.accountOf(t, admin, "wd.office")
	id := strconv.FormatInt(u.ID, 10)
	token, _ := e.login(t, "wd.office", demo.Password)
	b := e.browser(t)
	b.webLogin("admin", demo.Password)
	page := uiHTML(t, b.get("/admin/users"), http.StatusOK)
	for _, want := range []string{`action="/admin/users/` + id + `/disable"`, `action="/admin/users/` + id + `/password"`,
		`action="/admin/users/` + id + `/grants/` + strconv.FormatInt(u.Grants[0].ID, 10) + `/revoke"`} {
		if !strings.Contains(page, want) {
			t.Errorf("admin page lacks %s", want)
		}
	}
	me := e.accountOf(t, admin, "admin")
	if strings.Contains(page, `action="/admin/users/`+strconv.FormatInt(me.ID, 10)+`/disable"`) {
		t.Error("the admin page offers to disable oneself")
	}

	body := uiFollow(t, b, "/admin/users/"+id+"/disable", nil)
	uiWant(t, "after disable", body, "已停用该用户")
	wantCode(t, e.api(t, http.MethodGet, "/api/v1/me", token, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	uiWant(t, "after enable", uiFollow(t, b, "/admin/users/"+id+"/enable", nil), "已启用该用户")

	r := uiPost(b, "/admin/users/"+id+"/password", url.Values{"password": {"short"}})
	body = uiHTML(t, r, http.StatusUnprocessableEntity)
	uiWant(t, "refused reset", body, "密码须为8至72个字符")
	uiNot(t, "refused reset", body, `value="short"`)
	token, _ = e.login(t, "wd.office", demo.Password)
	uiWant(t, "after reset", uiFollow(t, b, "/admin/users/"+id+"/password", url.Values{"password": {"Wudaqu2026"}}), "已重设密码")
	wantCode(t, e.api(t, http.MethodGet, "/api/v1/me", token, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)

	token, _ = e.login(t, "wd.office", "Wudaqu2026")
	if _, n := e.firstCase(t, token); n == 0 {
		t.Fatal("wd.office lists no case")
	}
	uiWant(t, "after revoke", uiFollow(t, b, "/admin/users/"+id+"/grants/"+strconv.FormatInt(u.Grants[0].ID, 10)+"/revoke", nil), "已撤销该授权")
	if _, n := e.firstCase(t, token); n != 0 {
		t.Errorf("after the revoke wd.office still lists %d cases", n)
	}
	// Self-grant through the form is refused too.
	r = uiPost(b, "/admin/grants", url.Values{"username": {"admin"}, "role": {"director"}, "org": {"wuhai/"}})
	uiWant(t, "self grant", uiHTML(t, r, http.StatusForbidden), "不能给自己授予角色")
	wantAudited(t, e, u.ID, "user.disable", "user.enable", "user.passwd", "user.revoke")
}
