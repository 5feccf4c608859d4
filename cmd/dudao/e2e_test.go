//go:build unix

package main

// The end-to-end test: the real binary, built once, run as separate processes on a loopback port and
// driven over HTTP and through its command line, against a SQLite file in a temporary folder.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	_ "github.com/mattn/go-sqlite3"
)

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// dudaoBinary builds the command once per test run (with cgo, which SQLite needs).
func dudaoBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "dudao-e2e-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "dudao")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Env = childEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// childEnv is the test's environment without DUDAO_* settings, so a developer's shell cannot steer
// the processes under test.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DUDAO_") {
			env = append(env, kv)
		}
	}
	return env
}

// demoFile is app/demo/wuhai.json, read from the source tree so the test follows the demo data.
type demoFile struct {
	Password string `json:"password"`
	Orgs     []struct {
		Code   string `json:"code"`
		Name   string `json:"name"`
		Kind   string `json:"kind"`
		Parent string `json:"parent"`
	} `json:"orgs"`
	Users []struct {
		Username string `json:"username"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Org      string `json:"org"`
	} `json:"users"`
}

func readDemo(t *testing.T) demoFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "app", "demo", "wuhai.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d demoFile
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("wuhai.json: %v", err)
	}
	if d.Password == "" || len(d.Orgs) == 0 || len(d.Users) == 0 {
		t.Fatal("wuhai.json has no password, orgs or users")
	}
	return d
}

// paths lists every org path of the demo, in file order.
func (d demoFile) paths() []string {
	out := make([]string, len(d.Orgs))
	for i, o := range d.Orgs {
		out[i] = o.Parent + o.Code + "/"
	}
	return out
}

// subtree is the demo org paths at or under root, sorted.
func (d demoFile) subtree(root string) []string {
	var out []string
	for _, p := range d.paths() {
		if strings.HasPrefix(p, root) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one running "dudao serve".
type server struct {
	base           string
	addr           string
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{}
	waitErr        error
}

// startedLine is what serve prints once it listens, with the address it listens on.
var startedLine = regexp.MustCompile(`dudao 已启动: http://(\S+)`)

// startServer runs "dudao serve" with the data folder dir on port 0 of loopback — the system picks a
// free port at the moment of binding and serve says which, so no port is chosen ahead and taken by
// other local traffic in between — and waits until /readyz answers 200.
func startServer(t *testing.T, bin, dir string, extra ...string) *server {
	t.Helper()
	s := &server{done: make(chan struct{})}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, extra...)
	s.cmd = exec.Command(bin, args...)
	s.cmd.Env = childEnv()
	s.cmd.Stdout = &s.stdout
	s.cmd.Stderr = &s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			t.Fatalf("dudao serve exited before it was ready: %v\nstdout:\n%s\nstderr:\n%s", s.waitErr, s.stdout.String(), s.stderr.String())
		default:
		}
		if s.addr == "" {
			if m := startedLine.FindStringSubmatch(s.stdout.String()); m != nil {
				s.addr, s.base = m[1], "http://"+m[1]
			}
		}
		var err error
		if s.addr != "" {
			var resp *http.Response
			resp, err = client.Get(s.base + "/readyz")
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return s
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("dudao serve did not say where it listens, or /readyz did not answer 200, within 60 s (last: %v)\nstdout:\n%s\nstderr:\n%s",
				err, s.stdout.String(), s.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGTERM and expects a graceful exit with status 0 within 15 s.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("dudao serve did not stop within 15 s of SIGTERM\nstdout:\n%s\nstderr:\n%s", s.stdout.String(), s.stderr.String())
	}
	if s.waitErr != nil {
		t.Errorf("dudao serve exited with %v after SIGTERM, want status 0\nstdout:\n%s\nstderr:\n%s", s.waitErr, s.stdout.String(), s.stderr.String())
	}
	if out := s.stdout.String(); !strings.Contains(out, "服务已停止") {
		t.Errorf("stdout after SIGTERM lacks 服务已停止:\n%s", out)
	}
}

// runCLI runs one dudao command to completion and returns its output and exit code.
func runCLI(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("dudao %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// The API's JSON shapes, as far as this test reads them.
type apiOrg struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	Kind     string `json:"kind"`
	ParentID *int64 `json:"parent_id"`
}

type apiUser struct {
	ID       int64    `json:"id"`
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Org      apiOrg   `json:"org"`
	Roles    []string `json:"roles"`
}

type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

type client struct {
	base string
	http *http.Client
}

func newClient(s *server) *client {
	return &client{base: s.base, http: &http.Client{Timeout: 10 * time.Second}}
}

// do sends one request and returns the status and body.
func (c *client) do(t *testing.T, method, path, auth, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// getJSON GETs path with a bearer token, expects 200 and decodes the answer into v.
func (c *client) getJSON(t *testing.T, path, token string, v any) {
	t.Helper()
	status, b := c.do(t, http.MethodGet, path, "Bearer "+token, "", "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200: %s", path, status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
}

func loginBody(username, password string) string {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return string(b)
}

// login logs in over the API and returns the token and the user of the answer.
func (c *client) login(t *testing.T, username, password string) (string, apiUser) {
	t.Helper()
	status, b := c.do(t, http.MethodPost, "/api/v1/auth/login", "", "application/json", loginBody(username, password))
	if status != http.StatusOK {
		t.Fatalf("login %s: status %d, want 200: %s", username, status, b)
	}
	var res struct {
		Token string  `json:"token"`
		User  apiUser `json:"user"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("login %s: %v: %s", username, err, b)
	}
	if res.Token == "" {
		t.Fatalf("login %s: no token: %s", username, b)
	}
	if res.User.Username != username {
		t.Errorf("login %s: answer names user %q", username, res.User.Username)
	}
	return res.Token, res.User
}

func (c *client) orgs(t *testing.T, token string) []apiOrg {
	t.Helper()
	var res struct {
		Items []apiOrg `json:"items"`
	}
	c.getJSON(t, "/api/v1/orgs", token, &res)
	return res.Items
}

func orgPaths(orgs []apiOrg) []string {
	out := make([]string, len(orgs))
	for i, o := range orgs {
		out[i] = o.Path
	}
	slices.Sort(out)
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// wantError checks an API error answer: its status, its code and a Chinese message.
func wantError(t *testing.T, what string, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d: %s", what, status, wantStatus, body)
		return
	}
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Errorf("%s: body is not an error object: %v: %s", what, err, body)
		return
	}
	if e.Error.Code != wantCode {
		t.Errorf("%s: error code %q, want %q: %s", what, e.Error.Code, wantCode, body)
	}
	if !hasHan(e.Error.Message) {
		t.Errorf("%s: error message %q is not Chinese", what, e.Error.Message)
	}
}

// checkScope checks that username, holding its demo role at its demo org, sees exactly that org's
// subtree, and the shape of each kind of scope.
func checkScope(t *testing.T, d demoFile, username, role, org string, got []apiOrg) {
	t.Helper()
	paths := orgPaths(got)
	if want := d.subtree(org); !slices.Equal(paths, want) {
		t.Errorf("%s sees orgs %v, want the subtree of %s: %v", username, paths, org, want)
	}
	depth := strings.Count(org, "/")
	switch {
	case role == "school":
		if len(got) != 1 || got[0].Path != org {
			t.Errorf("school user %s sees %v, want only its own org %s", username, paths, org)
		}
	case depth == 1: // the city
		if len(got) != len(d.Orgs) {
			t.Errorf("city user %s sees %d orgs, want all %d", username, len(got), len(d.Orgs))
		}
		for _, p := range []string{"wuhai/", "wuhai/hbw/", "wuhai/wd/", "wuhai/hn/", "wuhai/yz/"} {
			if !slices.Contains(paths, p) {
				t.Errorf("city user %s does not see %s", username, p)
			}
		}
		for _, o := range got {
			if o.Path == "wuhai/yz/" && o.Name != "乌海市第一中学" {
				t.Errorf("wuhai/yz/ is named %q, want 乌海市第一中学", o.Name)
			}
		}
	case depth == 2: // a district
		if len(got) < 9 {
			t.Errorf("district user %s sees %d orgs, want the district and at least 8 schools", username, len(got))
		}
		if !slices.Contains(paths, org) {
			t.Errorf("district user %s does not see its district %s", username, org)
		}
		for _, p := range paths {
			if !strings.HasPrefix(p, org) {
				t.Errorf("district user %s sees %s outside %s", username, p, org)
			}
		}
	default:
		t.Errorf("demo user %s has an org %s this test does not classify", username, org)
	}
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := dudaoBinary(t)
	d := readDemo(t)
	dir := t.TempDir()
	usersOf := func(pred func(role, org string) bool) []string {
		var out []string
		for _, u := range d.Users {
			if pred(u.Role, u.Org) {
				out = append(out, u.Username)
			}
		}
		return out
	}
	// The test should cover every kind of scope; if the demo stops having one, say so.
	for what, n := range map[string]int{
		"school": len(usersOf(func(r, _ string) bool { return r == "school" })),
		"city":   len(usersOf(func(r, o string) bool { return r != "school" && o == "wuhai/" })),
		"district": len(usersOf(func(r, o string) bool {
			return r != "school" && strings.Count(o, "/") == 2
		})),
	} {
		if n == 0 {
			t.Fatalf("wuhai.json has no %s users", what)
		}
	}

	var orgByPath map[string]apiOrg

	// First start: an empty folder, migrated and loaded with the demo.
	srv := startServer(t, bin, dir, "--demo")
	t.Run("start-up output", func(t *testing.T) {
		out := srv.stdout.String()
		var cfgLine string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "dudao 配置:") {
				cfgLine = l
			}
		}
		if cfgLine == "" {
			t.Fatalf("stdout lacks the resolved config (dudao 配置:):\n%s", out)
		}
		for _, want := range []string{"addr=127.0.0.1:0", "data=" + dir, "demo=true"} {
			if !strings.Contains(cfgLine, want) {
				t.Errorf("config line %q lacks %q", cfgLine, want)
			}
		}
		if !strings.Contains(out, d.Password) {
			t.Errorf("stdout lacks the demo password %s:\n%s", d.Password, out)
		}
		for _, u := range d.Users {
			if !strings.Contains(out, u.Username) {
				t.Errorf("stdout lacks demo login %s", u.Username)
			}
		}
	})

	c := newClient(srv)
	t.Run("every demo user", func(t *testing.T) {
		for _, u := range d.Users {
			token, lu := c.login(t, u.Username, d.Password)
			if lu.Org.Path != u.Org || !slices.Equal(lu.Roles, []string{u.Role}) {
				t.Errorf("login %s: org %s roles %v, want %s %v", u.Username, lu.Org.Path, lu.Roles, u.Org, []string{u.Role})
			}
			var me apiUser
			c.getJSON(t, "/api/v1/me", token, &me)
			if me.Username != u.Username || me.Name != u.Name || me.Org.Path != u.Org || !slices.Equal(me.Roles, []string{u.Role}) {
				t.Errorf("/me for %s = %+v, want username %s name %s org %s roles [%s]", u.Username, me, u.Username, u.Name, u.Org, u.Role)
			}
			got := c.orgs(t, token)
			checkScope(t, d, u.Username, u.Role, u.Org, got)
			if u.Username == "admin" {
				orgByPath = map[string]apiOrg{}
				for _, o := range got {
					orgByPath[o.Path] = o
				}
			}
		}
		if orgByPath == nil {
			t.Fatal("no admin among the demo users")
		}
	})
	if orgByPath == nil {
		t.FailNow()
	}

	t.Run("org tree", func(t *testing.T) {
		if len(orgByPath) != len(d.Orgs) {
			t.Errorf("admin sees %d distinct paths, want %d", len(orgByPath), len(d.Orgs))
		}
		for _, o := range d.Orgs {
			p := o.Parent + o.Code + "/"
			got, ok := orgByPath[p]
			if !ok {
				continue // reported by the scope check
			}
			if got.Code != o.Code || got.Name != o.Name || got.Kind != o.Kind {
				t.Errorf("org %s = %+v, want code %s name %s kind %s", p, got, o.Code, o.Name, o.Kind)
			}
			switch {
			case o.Parent == "" && got.ParentID != nil:
				t.Errorf("root org %s has parent_id %d", p, *got.ParentID)
			case o.Parent != "" && (got.ParentID == nil || *got.ParentID != orgByPath[o.Parent].ID):
				t.Errorf("org %s has parent_id %v, want the id %d of %s", p, got.ParentID, orgByPath[o.Parent].ID, o.Parent)
			}
		}
	})

	t.Run("bad input", func(t *testing.T) {
		status, b := c.do(t, http.MethodPost, "/api/v1/auth/login", "", "application/json", loginBody("admin", "not-the-password"))
		wantError(t, "wrong password", status, b, http.StatusUnauthorized, "unauthenticated")
		status, b = c.do(t, http.MethodPost, "/api/v1/auth/login", "", "application/json", loginBody("nobody.here", d.Password))
		wantError(t, "unknown user", status, b, http.StatusUnauthorized, "unauthenticated")

		status, b = c.do(t, http.MethodGet, "/api/v1/me", "Bearer forged", "", "")
		wantError(t, "forged token", status, b, http.StatusUnauthorized, "unauthenticated")
		status, b = c.do(t, http.MethodGet, "/api/v1/me", "", "", "")
		wantError(t, "no token", status, b, http.StatusUnauthorized, "unauthenticated")
		status, b = c.do(t, http.MethodGet, "/api/v1/orgs", "", "", "")
		wantError(t, "no token on /orgs", status, b, http.StatusUnauthorized, "unauthenticated")

		status, b = c.do(t, http.MethodPost, "/api/v1/auth/login", "", "application/json", `{"username": "admin", "password": `)
		wantError(t, "malformed JSON", status, b, http.StatusBadRequest, "bad_request")

		// A school sees its own org, but any other id is 404 — never 403 — so ids cannot be probed.
		token, me := c.login(t, "school.hbw1", d.Password)
		status, b = c.do(t, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d", me.Org.ID), "Bearer "+token, "", "")
		if status != http.StatusOK {
			t.Errorf("school.hbw1 reading its own org: status %d: %s", status, b)
		}
		for _, p := range []string{"wuhai/hn/", "wuhai/hbw/", "wuhai/", "wuhai/hbw/s002/"} {
			status, b = c.do(t, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d", orgByPath[p].ID), "Bearer "+token, "", "")
			wantError(t, "school.hbw1 reading "+p, status, b, http.StatusNotFound, "not_found")
		}
		status, b = c.do(t, http.MethodGet, "/api/v1/orgs/999999", "Bearer "+token, "", "")
		wantError(t, "a missing org", status, b, http.StatusNotFound, "not_found")

		token, _ = c.login(t, "hbw.office", d.Password)
		status, b = c.do(t, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d", orgByPath["wuhai/hbw/s001/"].ID), "Bearer "+token, "", "")
		if status != http.StatusOK {
			t.Errorf("hbw.office reading a school of its district: status %d: %s", status, b)
		}
		status, b = c.do(t, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d", orgByPath["wuhai/wd/ycxx/"].ID), "Bearer "+token, "", "")
		wantError(t, "hbw.office reading a school of 乌达区", status, b, http.StatusNotFound, "not_found")

		// Logging out revokes the token.
		status, b = c.do(t, http.MethodPost, "/api/v1/auth/logout", "Bearer "+token, "", "")
		if status != http.StatusNoContent {
			t.Errorf("logout: status %d, want 204: %s", status, b)
		}
		status, b = c.do(t, http.MethodGet, "/api/v1/me", "Bearer "+token, "", "")
		wantError(t, "a revoked token", status, b, http.StatusUnauthorized, "unauthenticated")
	})
	srv.stop(t)

	t.Run("audit verify", func(t *testing.T) {
		out, errOut, code := runCLI(t, bin, "audit", "verify", "--data", dir)
		if code != 0 || !strings.Contains(out, "审计日志哈希链完整") {
			t.Errorf("audit verify: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
	})

	// The demo's completed 双随机 draw replays; a changed result fails with exit 1 (issue 10).
	t.Run("draw verify", func(t *testing.T) {
		out, errOut, code := runCLI(t, bin, "draw", "verify", "1", "--data", dir)
		if code != 0 || !strings.Contains(out, "核验通过") || !strings.Contains(out, "种子") {
			t.Fatalf("draw verify 1: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "dudao.db")+"?_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var result string
		if err := db.QueryRow(`SELECT result FROM draws WHERE id = 1`).Scan(&result); err != nil {
			t.Fatal(err)
		}
		forged := regexp.MustCompile(`"rank":1,`).ReplaceAllString(result, `"rank":9,`)
		if _, err := db.Exec(`UPDATE draws SET result = ? WHERE id = 1`, forged); err != nil {
			t.Fatal(err)
		}
		out, errOut, code = runCLI(t, bin, "draw", "verify", "1", "--data", dir)
		if code != 1 || !strings.Contains(errOut, "核验不通过") || !strings.Contains(errOut, "抽取结果不符") {
			t.Errorf("draw verify of a changed result: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if _, err := db.Exec(`UPDATE draws SET result = ? WHERE id = 1`, result); err != nil {
			t.Fatal(err)
		}
		if _, errOut, code := runCLI(t, bin, "draw", "verify", "999", "--data", dir); code != 1 || !hasHan(errOut) {
			t.Errorf("draw verify of an unknown draw: exit %d, stderr %s", code, errOut)
		}
	})

	t.Run("user commands", func(t *testing.T) {
		out, errOut, code := runCLI(t, bin, "user", "add", "--username", "t.one", "--name", "测试", "--org", "wuhai/hbw/", "--password", "Abcdefg1", "--data", dir)
		if code != 0 {
			t.Fatalf("user add: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		out, errOut, code = runCLI(t, bin, "user", "grant", "--username", "t.one", "--role", "supervisor", "--org", "wuhai/hbw/", "--data", dir)
		if code != 0 {
			t.Fatalf("user grant: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}

		out, errOut, code = runCLI(t, bin, "user", "add", "--username", "t.weak", "--name", "弱密码", "--org", "wuhai/hbw/", "--password", "abc", "--data", dir)
		if code == 0 || !hasHan(errOut) {
			t.Errorf("user add with a weak password: exit %d, want non-zero with a Chinese message\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		out, errOut, code = runCLI(t, bin, "user", "add", "--username", "t.one", "--name", "重名", "--org", "wuhai/hbw/", "--password", "Abcdefg1", "--data", dir)
		if code == 0 || !hasHan(errOut) {
			t.Errorf("user add of an existing username: exit %d, want non-zero with a Chinese message\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		out, errOut, code = runCLI(t, bin, "user", "grant", "--username", "t.one", "--role", "emperor", "--org", "wuhai/hbw/", "--data", dir)
		if code == 0 || !hasHan(errOut) {
			t.Errorf("user grant of an unknown role: exit %d, want non-zero with a Chinese message\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		out, errOut, code = runCLI(t, bin, "user", "grant", "--username", "t.one", "--role", "supervisor", "--org", "wuhai/nowhere/", "--data", dir)
		if code == 0 {
			t.Errorf("user grant at an unknown org: exit 0\nstdout:\n%s\nstderr:\n%s", out, errOut)
		}
	})

	// Second start, without --demo: everything comes from the SQLite file.
	srv = startServer(t, bin, dir)
	c = newClient(srv)
	t.Run("restart without demo", func(t *testing.T) {
		out := srv.stdout.String()
		if strings.Contains(out, d.Password) || strings.Contains(out, "演示账号") {
			t.Errorf("without --demo the demo logins were printed:\n%s", out)
		}
		for _, u := range d.Users {
			var me apiUser
			token, _ := c.login(t, u.Username, d.Password)
			c.getJSON(t, "/api/v1/me", token, &me)
			if me.Username != u.Username || me.Org.Path != u.Org {
				t.Errorf("/me for %s after restart = %+v", u.Username, me)
			}
		}
		token, me := c.login(t, "t.one", "Abcdefg1")
		if me.Org.Path != "wuhai/hbw/" || !slices.Equal(me.Roles, []string{"supervisor"}) {
			t.Errorf("t.one: org %s roles %v, want wuhai/hbw/ [supervisor]", me.Org.Path, me.Roles)
		}
		checkScope(t, d, "t.one", "supervisor", "wuhai/hbw/", c.orgs(t, token))
	})
	srv.stop(t)

	// Third start, --demo again on the loaded folder: nothing is loaded twice.
	srv = startServer(t, bin, dir, "--demo")
	c = newClient(srv)
	t.Run("demo again", func(t *testing.T) {
		if out := srv.stdout.String(); !strings.Contains(out, "演示数据已存在") {
			t.Errorf("second --demo start does not say 演示数据已存在:\n%s", out)
		}
		token, _ := c.login(t, "admin", d.Password)
		got := c.orgs(t, token)
		if len(got) != len(d.Orgs) {
			t.Errorf("after a second --demo start admin sees %d orgs, want %d", len(got), len(d.Orgs))
		}
		if paths := orgPaths(got); len(slices.Compact(paths)) != len(got) {
			t.Errorf("duplicate org paths after a second --demo start: %v", orgPaths(got))
		}
		c.login(t, "t.one", "Abcdefg1")
	})
	srv.stop(t)

	t.Run("audit tampering", func(t *testing.T) {
		if out, errOut, code := runCLI(t, bin, "audit", "verify", "--data", dir); code != 0 || !strings.Contains(out, "审计日志哈希链完整") {
			t.Fatalf("audit verify before tampering: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "dudao.db")+"?_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM audit_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 3 {
			t.Fatalf("only %d audit events after loading the demo and logging in", n)
		}
		// Tamper with an event in the middle, so neither the first nor the last is what verify names.
		var id int64
		if err := db.QueryRow(`SELECT id FROM audit_events ORDER BY id LIMIT 1 OFFSET ?`, n/2).Scan(&id); err != nil {
			t.Fatal(err)
		}
		res, err := db.Exec(`UPDATE audit_events SET detail = detail || '（已篡改）' WHERE id = ?`, id)
		if err != nil {
			t.Fatal(err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			t.Fatalf("tampering changed %d rows", k)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}

		out, errOut, code := runCLI(t, bin, "audit", "verify", "--data", dir)
		if code == 0 {
			t.Fatalf("audit verify of a tampered log exited 0\nstdout:\n%s\nstderr:\n%s", out, errOut)
		}
		named := regexp.MustCompile(`#(\d+)`).FindAllStringSubmatch(out+errOut, -1)
		if len(named) == 0 || named[0][1] != fmt.Sprint(id) {
			t.Errorf("audit verify should name event #%d\nstdout:\n%s\nstderr:\n%s", id, out, errOut)
		}
		if strings.Contains(out, "审计日志哈希链完整") {
			t.Errorf("audit verify of a tampered log still says the chain is intact:\n%s", out)
		}
	})
}
