package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/domain"
)

// specUsers are the demo logins of SPEC §4.3.
var specUsers = []string{"admin", "city.director", "city.supervisor", "city.supervisor2", "hbw.director",
	"hbw.supervisor", "hbw.office", "wd.office", "hn.office", "school.yz", "school.hbw1", "school.hbw2",
	"school.wd1", "school.hn1", "monitor", "auditor"}

type loginAnswer struct {
	Token string   `json:"token"`
	User  userJSON `json:"user"`
}

type userJSON struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Org      struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Path string `json:"path"`
	} `json:"org"`
	Roles []string `json:"roles"`
}

// hasKeys fails t unless the JSON object m holds every key.
func hasKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no %q: %v", what, k, m)
		}
	}
}

// TestAPIEveryDemoUser logs every demo user in over the API, checks the login answer against the demo
// file, /me against the login answer, the org scope of /orgs and /orgs/{id}, logs out, and finally
// checks the audit chain those logins and logouts wrote.
func TestAPIEveryDemoUser(t *testing.T) {
	e := newEnv(t, app.Options{})
	users, orgs := demoData(t)
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	// SPEC §4.3's users, and the supervisors who make 专项/综合 teams of three (R7; issue 12).
	want := append(append([]string{}, specUsers...), "city.supervisor3", "city.supervisor4", "hbw.supervisor2")
	slices.Sort(want)
	got := slices.Sorted(slices.Values(names))
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("demo users %v, want those of SPEC §4.3 and the teams' %v", got, want)
	}
	if len(orgs) != 42 {
		t.Fatalf("demo file holds %d orgs, want 42", len(orgs))
	}
	byPath := map[string]demoOrg{}
	for _, o := range orgs {
		byPath[o.Path()] = o
	}
	ids := e.orgIDs(t)
	if len(ids) != len(orgs) {
		t.Fatalf("database holds %d orgs, the demo file %d", len(ids), len(orgs))
	}
	hbwSchools := 0
	for _, o := range orgs {
		if o.Parent == "wuhai/hbw/" {
			hbwSchools++
		}
	}

	type login struct {
		userID    int64
		requestID string
	}
	logins := map[string]login{}
	logouts := map[string]string{}
	for _, u := range users {
		t.Run(u.Username, func(t *testing.T) {
			token, r := e.login(t, u.Username, demo.Password)

			// The login answer, by the names SPEC §4.1 fixes.
			var raw map[string]any
			decode(t, r, &raw)
			hasKeys(t, "login answer", raw, "token", "user")
			rawUser, _ := raw["user"].(map[string]any)
			hasKeys(t, "user", rawUser, "id", "username", "name", "org", "roles")
			rawOrg, _ := rawUser["org"].(map[string]any)
			hasKeys(t, "user.org", rawOrg, "id", "name", "path")
			var got loginAnswer
			decode(t, r, &got)
			uj := got.User
			if uj.ID <= 0 || uj.Username != u.Username || uj.Name != u.Name {
				t.Errorf("user %+v, want username %s name %s", uj, u.Username, u.Name)
			}
			if uj.Org.ID != ids[u.Org] || uj.Org.Path != u.Org || uj.Org.Name != byPath[u.Org].Name {
				t.Errorf("org %+v, want id %d path %s name %s", uj.Org, ids[u.Org], u.Org, byPath[u.Org].Name)
			}
			if !reflect.DeepEqual(uj.Roles, []string{u.Role}) {
				t.Errorf("roles %v, want [%s]", uj.Roles, u.Role)
			}
			logins[u.Username] = login{userID: uj.ID, requestID: r.Header.Get("X-Request-Id")}

			// /me answers the same user as the login.
			me := e.api(t, http.MethodGet, "/api/v1/me", token, "")
			if me.StatusCode != http.StatusOK {
				t.Fatalf("GET /me: %s", me)
			}
			var meRaw map[string]any
			decode(t, me, &meRaw)
			if !reflect.DeepEqual(meRaw, rawUser) {
				t.Errorf("GET /me = %s\nlogin user = %v", me.Body, rawUser)
			}

			// /orgs lists exactly the orgs under the user's own org.
			lr := e.api(t, http.MethodGet, "/api/v1/orgs", token, "")
			if lr.StatusCode != http.StatusOK {
				t.Fatalf("GET /orgs: %s", lr)
			}
			var list struct {
				Items []map[string]any `json:"items"`
			}
			decode(t, lr, &list)
			var gotPaths, wantPaths []string
			for _, o := range orgs {
				if strings.HasPrefix(o.Path(), u.Org) {
					wantPaths = append(wantPaths, o.Path())
				}
			}
			for _, it := range list.Items {
				hasKeys(t, "org item", it, "id", "code", "name", "path", "kind", "parent_id")
				p, _ := it["path"].(string)
				gotPaths = append(gotPaths, p)
				want, ok := byPath[p]
				if !ok {
					t.Errorf("unknown org %v", it)
					continue
				}
				if it["code"] != want.Code || it["name"] != want.Name || it["kind"] != want.Kind {
					t.Errorf("org %v, want code %s name %s kind %s", it, want.Code, want.Name, want.Kind)
				}
				if id, _ := it["id"].(float64); int64(id) != ids[p] {
					t.Errorf("org %s: id %v, want %d", p, it["id"], ids[p])
				}
				if want.Parent == "" {
					if it["parent_id"] != nil {
						t.Errorf("root org %s: parent_id %v, want null", p, it["parent_id"])
					}
				} else if pid, _ := it["parent_id"].(float64); int64(pid) != ids[want.Parent] {
					t.Errorf("org %s: parent_id %v, want %d", p, it["parent_id"], ids[want.Parent])
				}
			}
			slices.Sort(gotPaths)
			slices.Sort(wantPaths)
			if !reflect.DeepEqual(gotPaths, wantPaths) {
				t.Errorf("orgs in scope\n got %v\nwant %v", gotPaths, wantPaths)
			}
			switch {
			case u.Role == string(domain.RoleSchool):
				if len(list.Items) != 1 || list.Items[0]["path"] != u.Org {
					t.Errorf("a school sees exactly its own school; got %v", gotPaths)
				}
			case u.Username == "hbw.office":
				if len(list.Items) != 1+hbwSchools {
					t.Errorf("hbw.office sees %d orgs, want 海勃湾区 and its %d schools", len(list.Items), hbwSchools)
				}
				seen := false
				for _, it := range list.Items {
					p, _ := it["path"].(string)
					if !strings.HasPrefix(p, "wuhai/hbw/") {
						t.Errorf("hbw.office sees %s outside 海勃湾区", p)
					}
					seen = seen || it["name"] == "海勃湾区"
				}
				if !seen {
					t.Error("hbw.office does not see 海勃湾区 itself")
				}
			case u.Org == "wuhai/":
				if len(list.Items) != 42 {
					t.Errorf("a city user sees %d orgs, want all 42", len(list.Items))
				}
			}

			// /orgs/{id}: 200 in scope; out of scope answers exactly like a missing id, so ids cannot be probed.
			missing := e.api(t, http.MethodGet, "/api/v1/orgs/999999", token, "")
			wantError(t, missing, http.StatusNotFound, domain.ENOTFOUND)
			for _, o := range orgs {
				r := e.api(t, http.MethodGet, "/api/v1/orgs/"+strconv.FormatInt(ids[o.Path()], 10), token, "")
				if strings.HasPrefix(o.Path(), u.Org) {
					if r.StatusCode != http.StatusOK {
						t.Errorf("GET org %s in scope: %s", o.Path(), r)
						continue
					}
					var one map[string]any
					decode(t, r, &one)
					hasKeys(t, "org", one, "id", "code", "name", "path", "kind", "parent_id")
					if one["path"] != o.Path() || one["name"] != o.Name {
						t.Errorf("GET org %s = %s", o.Path(), r.Body)
					}
					continue
				}
				wantError(t, r, http.StatusNotFound, domain.ENOTFOUND)
				if !bytes.Equal(r.Body, missing.Body) {
					t.Errorf("out-of-scope org %s answers %s, a missing one %s", o.Path(), r.Body, missing.Body)
				}
			}
			for _, bad := range []string{"abc", "0", "-1", "1.5", "1e3", "99999999999999999999"} {
				wantError(t, e.api(t, http.MethodGet, "/api/v1/orgs/"+bad, token, ""), http.StatusNotFound, domain.ENOTFOUND)
			}

			// Logout revokes the token.
			out := e.api(t, http.MethodPost, "/api/v1/auth/logout", token, "")
			if out.StatusCode != http.StatusNoContent {
				t.Fatalf("logout: %s", out)
			}
			logouts[u.Username] = out.Header.Get("X-Request-Id")
			for _, p := range []string{"/api/v1/me", "/api/v1/orgs"} {
				wantError(t, e.api(t, http.MethodGet, p, token, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
			}
			wantError(t, e.api(t, http.MethodPost, "/api/v1/auth/logout", token, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
		})
	}

	// The audit chain holds one auth.login and one auth.logout per user, each with its request id.
	ctx := context.Background()
	if id, why, err := e.db.Verify(ctx); err != nil || id != 0 {
		t.Fatalf("audit chain broken at event %d (%s): %v", id, why, err)
	}
	events, total, err := e.db.List(ctx, domain.AuditFilter{PerPage: 10000})
	if err != nil || total != len(events) {
		t.Fatalf("list audit: %d of %d: %v", len(events), total, err)
	}
	gotLogins := map[string]bool{}
	gotLogouts := map[string]bool{}
	for _, ev := range events {
		switch ev.Action {
		case "auth.login":
			for name, l := range logins {
				if ev.ActorID == l.userID {
					if ev.RequestID != l.requestID || ev.RequestID == "" || ev.Detail != app.SessionAPI || ev.ObjectID != l.userID {
						t.Errorf("auth.login of %s: %+v, want request id %q and detail api", name, ev, l.requestID)
					}
					gotLogins[name] = true
				}
			}
		case "auth.logout":
			for name, l := range logins {
				if ev.ActorID == l.userID {
					if ev.RequestID != logouts[name] || ev.RequestID == "" {
						t.Errorf("auth.logout of %s: request id %q, want %q", name, ev.RequestID, logouts[name])
					}
					gotLogouts[name] = true
				}
			}
		}
	}
	if len(gotLogins) != len(users) || len(gotLogouts) != len(users) {
		t.Errorf("audit holds auth.login for %d and auth.logout for %d of %d users", len(gotLogins), len(gotLogouts), len(users))
	}
}

// TestAPILoginErrors checks every way a login can go wrong, and that each answer has the error shape.
func TestAPILoginErrors(t *testing.T) {
	e := newEnv(t, app.Options{})
	post := func(t *testing.T, body string) response {
		t.Helper()
		return e.api(t, http.MethodPost, "/api/v1/auth/login", "", body)
	}

	wrong := post(t, loginBody("city.director", "not-the-password"))
	we := wantError(t, wrong, http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	unknown := post(t, loginBody("nobody.here", demo.Password))
	ue := wantError(t, unknown, http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	if we.Error.Message != ue.Error.Message || !bytes.Equal(wrong.Body, unknown.Body) {
		t.Errorf("wrong password and unknown user must answer alike:\n%s\n%s", wrong.Body, unknown.Body)
	}
	if setCookie(wrong, "dudao_session") != nil {
		t.Error("a failed API login sets a session cookie")
	}

	cases := []struct {
		name, body string
		status     int
		code       string
		fields     []string
	}{
		{"malformed JSON", `{"username":`, 400, domain.EBADREQUEST, nil},
		{"not JSON", `username=admin&password=x`, 400, domain.EBADREQUEST, nil},
		{"trailing garbage", `{"username":"admin","password":"x"} {}`, 400, domain.EBADREQUEST, nil},
		{"an array", `[]`, 400, domain.EBADREQUEST, nil},
		{"empty body", ``, 400, domain.EBADREQUEST, nil},
		{"wrong type", `{"username":1}`, 422, domain.EINVALID, []string{"username"}},
		{"wrong types", `{"username":"admin","password":true}`, 422, domain.EINVALID, []string{"password"}},
		{"empty object", `{}`, 422, domain.EINVALID, []string{"username", "password"}},
		{"blank username", `{"username":"  ","password":"x"}`, 422, domain.EINVALID, []string{"username"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r response
			if c.body == "" {
				r = e.do(t, http.MethodPost, "/api/v1/auth/login", nil, http.Header{"Content-Type": {"application/json"}})
			} else {
				r = post(t, c.body)
			}
			got := wantError(t, r, c.status, c.code)
			var keys []string
			for k := range got.Error.Fields {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			want := slices.Clone(c.fields)
			slices.Sort(want)
			if !reflect.DeepEqual(keys, want) {
				t.Errorf("fields %v, want %v: %s", got.Error.Fields, c.fields, r.Body)
			}
		})
	}

	t.Run("body over 1 MiB", func(t *testing.T) {
		r := e.do(t, http.MethodPost, "/api/v1/auth/login", bytes.NewReader(bigJSON()), http.Header{"Content-Type": {"application/json"}})
		wantError(t, r, http.StatusRequestEntityTooLarge, domain.ETOOLARGE)
	})
	t.Run("chunked body over 1 MiB", func(t *testing.T) {
		// No Content-Length: the limit must hold while the body is read.
		body := io.MultiReader(bytes.NewReader(bigJSON()))
		r := e.do(t, http.MethodPost, "/api/v1/auth/login", body, http.Header{"Content-Type": {"application/json"}})
		wantError(t, r, http.StatusRequestEntityTooLarge, domain.ETOOLARGE)
	})
	t.Run("unknown API route", func(t *testing.T) {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			wantError(t, e.api(t, m, "/api/v1/no-such-thing", "", ""), http.StatusNotFound, domain.ENOTFOUND)
		}
		wantError(t, e.do(t, http.MethodGet, "/api/v1/no/such/thing?x=1", nil, nil), http.StatusNotFound, domain.ENOTFOUND)
		// The right path with the wrong method is still a JSON error.
		wantError(t, e.api(t, http.MethodGet, "/api/v1/auth/login", "", ""), http.StatusNotFound, domain.ENOTFOUND)
	})

	// None of the above locked anyone out: the right password still works.
	e.login(t, "city.director", demo.Password)
}

// TestAPITokens checks what does not count as a bearer token.
func TestAPITokens(t *testing.T) {
	e := newEnv(t, app.Options{})
	token, _ := e.login(t, "hbw.director", demo.Password)

	for name, h := range map[string]string{
		"missing":        "",
		"garbage":        "Bearer garbage",
		"empty bearer":   "Bearer ",
		"basic":          "Basic " + token,
		"token only":     token,
		"token too long": "Bearer " + strings.Repeat("x", 300),
	} {
		t.Run(name, func(t *testing.T) {
			hdr := http.Header{}
			if h != "" {
				hdr.Set("Authorization", h)
			}
			wantError(t, e.do(t, http.MethodGet, "/api/v1/me", nil, hdr), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
		})
	}
	// The real token works, and keeps working until it expires by the injected clock.
	if r := e.api(t, http.MethodGet, "/api/v1/me", token, ""); r.StatusCode != http.StatusOK {
		t.Fatalf("GET /me with the token: %s", r)
	}
	t.Run("web session as bearer", func(t *testing.T) {
		b := e.browser(t)
		b.webLogin("hbw.director", demo.Password)
		session := b.cookie("dudao_session")
		wantError(t, e.api(t, http.MethodGet, "/api/v1/me", session, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
		// …and the session itself still works in the browser.
		if r := b.get("/"); r.StatusCode != http.StatusOK {
			t.Errorf("home page with the session: %s", r)
		}
	})
	t.Run("api token as session cookie", func(t *testing.T) {
		r := e.do(t, http.MethodGet, "/", nil, http.Header{"Cookie": {"dudao_session=" + token}})
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("GET / with an API token as cookie: %s (Location %q)", r, r.Header.Get("Location"))
		}
	})
	t.Run("expired", func(t *testing.T) {
		e.clock.Advance(12*time.Hour + time.Second)
		wantError(t, e.api(t, http.MethodGet, "/api/v1/me", token, ""), http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	})
}

// TestLoginThrottleConcurrent: guesses sent at once count as much as guesses sent one by one, so ten
// parallel wrong passwords get at most five answers of 401 and the rest 429.
func TestLoginThrottleConcurrent(t *testing.T) {
	e := newEnv(t, app.Options{})
	const n = 10
	codes := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.http.Post(e.srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(loginBody("city.director", "guess-"+strconv.Itoa(i))))
			if err != nil {
				errs[i] = err
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			codes[i] = res.StatusCode
		}()
	}
	wg.Wait()
	checked := 0
	for i, c := range codes {
		switch {
		case errs[i] != nil:
			t.Fatalf("request %d: %v", i, errs[i])
		case c == http.StatusUnauthorized:
			checked++
		case c != http.StatusTooManyRequests:
			t.Errorf("request %d: status %d, want 401 or 429", i, c)
		}
	}
	// However the race went, the user is locked now.
	wantError(t, e.api(t, http.MethodPost, "/api/v1/auth/login", "", loginBody("city.director", demo.Password)), http.StatusTooManyRequests, domain.ETOOMANY)
	if checked > 5 {
		t.Errorf("%d of %d parallel guesses had their password checked; at most 5 may be", checked, n)
	}
}

// TestLoginThrottlePerAddress: failures from one address count across usernames, and forwarding
// headers a client makes up do not give it a new address.
func TestLoginThrottlePerAddress(t *testing.T) {
	e := newEnv(t, app.Options{MaxFailuresPerAddr: 3})
	for i := range 3 {
		hdr := http.Header{"Content-Type": {"application/json"}, "X-Forwarded-For": {"203.0.113." + strconv.Itoa(i+1)},
			"X-Real-Ip": {"198.51.100." + strconv.Itoa(i+1)}}
		r := e.do(t, http.MethodPost, "/api/v1/auth/login", strings.NewReader(loginBody("guess"+strconv.Itoa(i), "x")), hdr)
		wantError(t, r, http.StatusUnauthorized, domain.EUNAUTHENTICATED)
	}
	hdr := http.Header{"Content-Type": {"application/json"}, "X-Forwarded-For": {"192.0.2.77"}}
	r := e.do(t, http.MethodPost, "/api/v1/auth/login", strings.NewReader(loginBody("admin", demo.Password)), hdr)
	wantError(t, r, http.StatusTooManyRequests, domain.ETOOMANY)

	e.clock.Advance(15*time.Minute + time.Second)
	e.login(t, "admin", demo.Password)
}

// TestLoginAnswerShape decodes the login answer strictly enough to catch a renamed field.
func TestLoginAnswerShape(t *testing.T) {
	e := newEnv(t, app.Options{})
	_, r := e.login(t, "school.hbw1", demo.Password)
	var a struct {
		Token     string          `json:"token"`
		ExpiresAt string          `json:"expires_at"`
		User      json.RawMessage `json:"user"`
	}
	decode(t, r, &a)
	exp, err := time.Parse(time.RFC3339, a.ExpiresAt)
	if err != nil {
		t.Fatalf("expires_at %q is not RFC 3339: %v", a.ExpiresAt, err)
	}
	if want := t0.Add(12 * time.Hour); !exp.Equal(want) {
		t.Errorf("expires_at %s, want %s (12h after the injected clock)", exp, want)
	}
	if len(a.Token) < 40 {
		t.Errorf("token %q is too short to be unguessable", a.Token)
	}
	if strings.Contains(string(r.Body), "password") || strings.Contains(string(r.Body), "argon2") {
		t.Errorf("login answer mentions the password hash: %s", r.Body)
	}
}
