package systemtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"dudao/app/demo"
)

// Users are the sixteen demo users of SPEC §4.3.
var Users = []string{"admin", "city.director", "city.supervisor", "city.supervisor2", "hbw.director",
	"hbw.supervisor", "hbw.office", "wd.office", "hn.office", "school.yz", "school.hbw1", "school.hbw2",
	"school.wd1", "school.hn1", "monitor", "auditor"}

// Teammates are the demo supervisors who, with an opener of the given office, make the team of three
// a 专项/综合 case needs (R7), leaving city.supervisor2 free to recheck: demo users beyond SPEC §4.3's.
func Teammates(opener string) []string {
	if strings.HasPrefix(opener, "hbw.") {
		return []string{"hbw.supervisor2", "city.supervisor3"}
	}
	return []string{"city.supervisor3", "city.supervisor4"}
}

// Unannounced is what a test case that skips the 督导通知 sends when it is opened: a 四不两直 visit
// (R47) with its reason.
var Unannounced = map[string]any{"unannounced": true, "unannounced_reason": "按“四不两直”方式开展（测试）。"}

// Grant is one grant of a logged-in user, as the login answer gives it.
type Grant struct {
	Role string `json:"role"`
	Path string `json:"path"`
}

// User is a user as the login answer describes it.
type User struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Org      struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Path string `json:"path"`
	} `json:"org"`
	Roles  []string `json:"roles"`
	Grants []Grant  `json:"grants"`
}

// Org is an org as GET /api/v1/orgs lists it.
type Org struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	Kind     string `json:"kind"`
	ParentID *int64 `json:"parent_id"`
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body []byte
}

func (r Response) String() string {
	b := r.Body
	if len(b) > 600 {
		b = append(b[:600:600], "…"...)
	}
	return fmt.Sprintf("%d %s", r.StatusCode, b)
}

// Do sends req as it is and reads the answer.
func (e *Env) Do(req *http.Request) (Response, error) {
	res, err := e.HTTP.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return Response{Response: res, Body: b}, err
}

// NewRequest builds a request to the server: body nil for none, a string or []byte as it is (JSON
// unless header says otherwise), anything else encoded as JSON; as username ("" for nobody, who must be
// logged in first).
func (e *Env) NewRequest(username, method, path string, body any, header http.Header) (*http.Request, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	case io.Reader:
		r = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.Srv.URL+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if username != "" {
		req.Header.Set("Authorization", "Bearer "+e.Token(username))
	}
	return req, nil
}

// Send is NewRequest then Do.
func (e *Env) Send(username, method, path string, body any, header http.Header) (Response, error) {
	req, err := e.NewRequest(username, method, path, body, header)
	if err != nil {
		return Response{}, err
	}
	return e.Do(req)
}

// Call sends a request as username and fails t when it cannot be sent.
func (e *Env) Call(t testing.TB, username, method, path string, body any, header http.Header) Response {
	t.Helper()
	r, err := e.Send(username, method, path, body, header)
	if err != nil {
		t.Fatalf("%s %s as %s: %v", method, path, username, err)
	}
	return r
}

// MustCall sends the request and fails t unless the answer has status want.
func (e *Env) MustCall(t testing.TB, username, method, path string, body any, want int) Response {
	t.Helper()
	r := e.Call(t, username, method, path, body, nil)
	if r.StatusCode != want {
		t.Fatalf("%s %s as %s: got %s, want %d", method, path, username, r, want)
	}
	return r
}

// Decode decodes a JSON answer into v and fails t when it is not JSON.
func Decode(t testing.TB, r Response, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON: %s", ct, r)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// Token is username's bearer token; the user must have been logged in with Login.
func (e *Env) Token(username string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tokens[username]
}

// SetToken replaces username's token (a test that logs in by hand hands it over).
func (e *Env) SetToken(username, token string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tokens[username] = token
}

// Login logs the demo users in over the API, a few at a time (argon2id is slow and large), once per
// environment, and learns the orgs the city director sees.
func (e *Env) Login(t testing.TB, usernames ...string) {
	t.Helper()
	var todo []string
	e.mu.Lock()
	for _, u := range usernames {
		if _, ok := e.tokens[u]; !ok {
			todo = append(todo, u)
		}
	}
	e.mu.Unlock()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	errs := make(chan string, len(todo))
	for _, name := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r, err := e.Send("", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": name, "password": demo.Password}, nil)
			if err != nil || r.StatusCode != http.StatusOK {
				errs <- fmt.Sprintf("login %s: %v %s", name, err, r)
				return
			}
			var out struct {
				Token string `json:"token"`
				User  User   `json:"user"`
			}
			if err := json.Unmarshal(r.Body, &out); err != nil || out.Token == "" || out.User.ID == 0 {
				errs <- fmt.Sprintf("login %s: bad answer %s", name, r)
				return
			}
			e.mu.Lock()
			e.tokens[name], e.users[name] = out.Token, out.User
			e.mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
	e.mu.Lock()
	haveOrgs := len(e.orgs) > 0
	e.mu.Unlock()
	if haveOrgs {
		return
	}
	if !slices.Contains(usernames, "city.director") {
		e.Login(t, "city.director")
		return
	}
	var out struct {
		Items []Org `json:"items"`
	}
	Decode(t, e.MustCall(t, "city.director", http.MethodGet, "/api/v1/orgs", nil, http.StatusOK), &out)
	e.mu.Lock()
	for _, o := range out.Items {
		e.orgs[o.Path] = o
	}
	e.mu.Unlock()
}

// User is a logged-in user as the login answer described it.
func (e *Env) User(t testing.TB, username string) User {
	t.Helper()
	e.mu.Lock()
	u, ok := e.users[username]
	e.mu.Unlock()
	if !ok {
		t.Fatalf("user %s is not logged in", username)
	}
	return u
}

// Org is the org at path, as the city director lists it (after a Login).
func (e *Env) Org(t testing.TB, path string) Org {
	t.Helper()
	e.mu.Lock()
	o, ok := e.orgs[path]
	e.mu.Unlock()
	if !ok {
		t.Fatalf("org %s is not among GET /api/v1/orgs", path)
	}
	return o
}

// Browser is a user agent for the HTML UI: it keeps cookies and does not follow redirects.
type Browser struct {
	t      testing.TB
	e      *Env
	Jar    *cookiejar.Jar
	Client *http.Client
}

// Browser opens a browser on the environment.
func (e *Env) Browser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, e: e, Jar: jar, Client: &http.Client{
		Transport:     e.HTTP.Transport,
		Jar:           jar,
		CheckRedirect: e.HTTP.CheckRedirect,
		Timeout:       e.HTTP.Timeout,
	}}
}

// Req sends a request with the browser's cookies.
func (b *Browser) Req(method, path string, body io.Reader, header http.Header) Response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.e.Srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return Response{Response: res, Body: out}
}

// Get loads a page.
func (b *Browser) Get(path string) Response {
	b.t.Helper()
	return b.Req(http.MethodGet, path, nil, nil)
}

// Post submits a form.
func (b *Browser) Post(path string, form url.Values, header http.Header) Response {
	b.t.Helper()
	h := http.Header{}
	for k, vs := range header {
		h[k] = vs
	}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Req(http.MethodPost, path, strings.NewReader(form.Encode()), h)
}

// Raw sends a form post straight through the transport, so that a Location the client library would
// refuse to parse still reaches the test.
func (b *Browser) Raw(path string, form url.Values) Response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.Srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range b.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	res, err := b.Client.Transport.RoundTrip(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	b.Jar.SetCookies(req.URL, res.Cookies())
	return Response{Response: res, Body: body}
}

// Cookie is the value the browser holds for name, "" when none.
func (b *Browser) Cookie(name string) string {
	u, _ := url.Parse(b.e.Srv.URL)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// CSRFField matches the hidden CSRF field of every form; its group is the token.
var CSRFField = regexp.MustCompile(`<input type="hidden" name="_csrf" value="([^"]*)">`)

// CSRF is the form token of the page at path (the login page when path is "").
func (b *Browser) CSRF(path string) string {
	b.t.Helper()
	if path == "" {
		path = "/login"
	}
	r := b.Get(path)
	if r.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: %s", path, r)
	}
	m := CSRFField.FindSubmatch(r.Body)
	if m == nil || len(m[1]) == 0 {
		b.t.Fatalf("no _csrf field on %s:\n%s", path, r.Body)
	}
	return string(m[1])
}

// Login signs in through the form and fails t unless it is redirected with a session.
func (b *Browser) Login(username, password string) {
	b.t.Helper()
	tok := b.CSRF("")
	r := b.Post("/login", url.Values{"_csrf": {tok}, "username": {username}, "password": {password}}, nil)
	if r.StatusCode != http.StatusSeeOther || b.Cookie("dudao_session") == "" {
		b.t.Fatalf("web login %s: %s", username, r)
	}
}
