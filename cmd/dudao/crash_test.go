//go:build unix

package main

// Crash and backup, against the real binary (issue 13). TestCrashKill runs dudao serve under
// concurrent writes (case transitions and evidence uploads), kills it with SIGKILL at random moments,
// restarts it, and finally checks that every write the server acknowledged is there, the database
// passes its integrity check, the audit chain and its signed checkpoints verify, and — once dudao
// sweep has removed what the kills left — no file lacks its row and no row its file.
// DUDAO_TEST_CRASH sets the number of kills (CI: 25); without it the test kills three times.
// TestBackupOnline takes dudao backup while the server is under write load and restores it.

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"dudao/storage/storagetest"
)

// crashPNG is a small PNG, different for every n.
func crashPNG(n int64) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		img.Set(i%4, i/4, color.NRGBA{R: byte(n >> (8 * (i % 8))), G: byte(i), B: byte(n), A: 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// acked is what the server acknowledged: the least version each case reached and each evidence file.
type acked struct {
	mu       sync.Mutex
	cases    map[int64]int    // case id → version acknowledged
	evidence map[int64]string // evidence id → sha256
	writes   atomic.Int64
	sent     atomic.Int64
}

func (a *acked) caseAt(id int64, version int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if version > a.cases[id] {
		a.cases[id] = version
	}
	a.writes.Add(1)
}

// crashClient drives the API of one server life as a few users, with tokens that outlive restarts.
type crashClient struct {
	base   string
	http   *http.Client
	tokens map[string]string
	ack    *acked
	seq    *atomic.Int64
	target int64 // the org cases are aimed at
	me     int64 // city.supervisor's id, the inspector
}

// call sends a JSON request; ok is false when the server did not answer (killed).
func (c *crashClient) call(user, method, path string, body any) (int, []byte, bool) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	req.Header.Set("Content-Type", "application/json")
	c.ack.sent.Add(1)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, false
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err == nil
}

func (c *crashClient) upload(user string, caseID int64, content []byte) (int, []byte, bool) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "photo.png")
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/cases/%d/evidence", c.base, caseID), &b)
	req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	req.Header.Set("Content-Type", mw.FormDataContentType())
	c.ack.sent.Add(1)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, false
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, body, err == nil
}

type crashCase struct {
	ID       int64 `json:"id"`
	Version  int   `json:"version"`
	Findings []struct {
		ID int64 `json:"id"`
	} `json:"findings"`
}

// openAndWork takes one case along its first steps, recording each acknowledged step; it stops at the
// first request the server did not answer. Unexpected statuses fail t.
func (c *crashClient) openAndWork(t *testing.T, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		n := c.seq.Add(1)
		st, b, ok := c.call("city.supervisor", http.MethodPost, "/api/v1/cases", map[string]any{"type": "school", "kind": "random",
			"target_org_id": c.target, "title": "崩溃测试第" + strconv.FormatInt(n, 10) + "号", "inspector_ids": []int64{c.me}})
		if !ok {
			return
		}
		var cs crashCase
		if st != http.StatusCreated || json.Unmarshal(b, &cs) != nil {
			t.Errorf("open a case: %d %s", st, b)
			return
		}
		c.ack.caseAt(cs.ID, cs.Version)
		steps := []func() (int, []byte, bool){
			func() (int, []byte, bool) {
				return c.call("city.supervisor", http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/actions/start", cs.ID), map[string]any{})
			},
			func() (int, []byte, bool) {
				return c.call("city.supervisor", http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/findings", cs.ID),
					map[string]any{"title": "消防通道堵塞", "description": "现场发现。", "severity": "major"})
			},
			func() (int, []byte, bool) { return c.upload("city.supervisor", cs.ID, crashPNG(c.seq.Add(1))) },
			func() (int, []byte, bool) { return c.upload("city.supervisor", cs.ID, crashPNG(c.seq.Add(1))) },
			func() (int, []byte, bool) {
				return c.call("city.supervisor", http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/actions/submit_preliminary", cs.ID), map[string]any{})
			},
		}
		for i, step := range steps {
			st, b, ok := step()
			if !ok {
				return
			}
			switch {
			case st == http.StatusCreated && (i == 2 || i == 3):
				var ev struct {
					ID     int64  `json:"id"`
					SHA256 string `json:"sha256"`
				}
				if json.Unmarshal(b, &ev) != nil || ev.ID == 0 {
					t.Errorf("upload answer: %s", b)
					return
				}
				c.ack.mu.Lock()
				c.ack.evidence[ev.ID] = ev.SHA256
				c.ack.mu.Unlock()
				c.ack.writes.Add(1)
			case st == http.StatusOK || st == http.StatusCreated:
				var got crashCase
				if json.Unmarshal(b, &got) != nil || got.ID != cs.ID {
					t.Errorf("step %d answer: %s", i, b)
					return
				}
				c.ack.caseAt(cs.ID, got.Version)
			default:
				t.Errorf("case %d step %d: %d %s", cs.ID, i, st, b)
				return
			}
		}
	}
}

// crashEngine is where a crash run keeps its data.
type crashEngine struct {
	name  string
	extra []string // serve's flags naming the database
	raw   func(t *testing.T) *sql.DB
}

func TestCrashKill(t *testing.T) {
	kills := 3
	if s := os.Getenv("DUDAO_TEST_CRASH"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("DUDAO_TEST_CRASH=%q: want a number of kills", s)
		}
		kills = n
	}
	bin := dudaoBinary(t)
	for _, name := range storagetest.Names {
		t.Run(name, func(t *testing.T) {
			eng := storagetest.New(t, name)
			if eng.Skip != "" {
				t.Skip(eng.Skip)
			}
			dir := t.TempDir()
			var extra []string
			n := kills
			if name == "postgres" {
				extra = []string{"--db", eng.DSN}
				n = max(kills/2, 2) // the server process dies; PostgreSQL does not
			}
			crashRun(t, bin, dir, extra, n, func(t *testing.T) *sql.DB {
				if name == "sqlite" {
					db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "dudao.db")+"?_busy_timeout=10000")
					if err != nil {
						t.Fatal(err)
					}
					return db
				}
				db, err := sql.Open(eng.RawDriver, eng.RawDSN)
				if err != nil {
					t.Fatal(err)
				}
				return db
			})
		})
	}
}

func crashRun(t *testing.T, bin, dir string, dbFlags []string, kills int, raw func(t *testing.T) *sql.DB) {
	flags := append([]string{"--checkpoint-every", "150ms"}, dbFlags...)
	srv := startServer(t, bin, dir, append([]string{"--demo"}, flags...)...)
	c := newClient(srv)
	tokens := map[string]string{}
	var me int64
	for _, u := range []string{"city.supervisor", "city.director"} {
		tok, user := c.login(t, u, readDemo(t).Password)
		tokens[u] = tok
		if u == "city.supervisor" {
			me = user.ID
		}
	}
	var target int64
	for _, o := range c.orgs(t, tokens["city.director"]) {
		if o.Path == "wuhai/hbw/s001/" {
			target = o.ID
		}
	}
	if target == 0 {
		t.Fatal("no org wuhai/hbw/s001/")
	}
	ack := &acked{cases: map[int64]int{}, evidence: map[int64]string{}}
	var seq atomic.Int64
	seq.Store(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	start := time.Now()
	for k := 0; k <= kills; k++ {
		cc := &crashClient{base: srv.base, http: &http.Client{Timeout: 20 * time.Second}, tokens: tokens, ack: ack, seq: &seq, target: target, me: me}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cc.openAndWork(t, stop)
			}()
		}
		if k == kills { // the last life ends gracefully
			time.Sleep(500 * time.Millisecond)
			close(stop)
			wg.Wait()
			srv.stop(t)
			break
		}
		time.Sleep(time.Duration(200+rng.IntN(1300)) * time.Millisecond)
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-srv.done
		close(stop)
		wg.Wait()
		if t.Failed() {
			t.Fatalf("after kill %d: stdout:\n%s\nstderr:\n%s", k+1, srv.stdout.String(), srv.stderr.String())
		}
		srv = startServer(t, bin, dir, flags...)
		checkAcked(t, srv, tokens["city.director"], ack)
	}
	t.Logf("%d kills in %v: %d requests sent, %d writes acknowledged (%d cases, %d evidence files)",
		kills, time.Since(start).Round(time.Second), ack.sent.Load(), ack.writes.Load(), len(ack.cases), len(ack.evidence))

	// After the last, graceful stop: the chain and its checkpoints, the database's own check, and — once
	// the sweep has taken what the kills left — files and rows match exactly.
	all := append([]string{"--data", dir}, dbFlags...)
	if out, errOut, code := runCLI(t, bin, append([]string{"audit", "verify"}, all...)...); code != 0 || !strings.Contains(out, "签名检查点") {
		t.Fatalf("audit verify: exit %d\n%s%s", code, out, errOut)
	}
	db := raw(t)
	defer db.Close()
	if !strings.HasPrefix(dbFlags0(dbFlags), "postgres") {
		var res string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
			t.Fatalf("integrity_check: %q %v", res, err)
		}
	}
	out, errOut, code := runCLI(t, bin, append([]string{"sweep", "--sweep-grace", "0s"}, all...)...)
	if code != 0 {
		t.Fatalf("sweep: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("the sweep after the last kill: %s", strings.TrimSpace(out))
	checkFilesMatchRows(t, db, filepath.Join(dir, "evidence"))
}

func dbFlags0(f []string) string {
	if len(f) == 2 {
		return f[1]
	}
	return ""
}

// checkAcked fails t unless every acknowledged write is in the restarted server.
func checkAcked(t *testing.T, srv *server, token string, ack *acked) {
	t.Helper()
	c := newClient(srv)
	ack.mu.Lock()
	defer ack.mu.Unlock()
	for id, v := range ack.cases {
		var cs crashCase
		c.getJSON(t, fmt.Sprintf("/api/v1/cases/%d", id), token, &cs)
		if cs.Version < v {
			t.Fatalf("case %d: version %d after the restart, but version %d was acknowledged", id, cs.Version, v)
		}
	}
	for id, sum := range ack.evidence {
		st, b := c.do(t, http.MethodGet, fmt.Sprintf("/api/v1/evidence/%d", id), "Bearer "+token, "", "")
		h := sha256.Sum256(b)
		if st != http.StatusOK || hex.EncodeToString(h[:]) != sum {
			t.Fatalf("evidence %d: status %d, sha %x; want 200 and %s", id, st, h, sum)
		}
	}
}

// checkFilesMatchRows fails t unless every evidence row's file is stored, every stored file is named
// by a row, and no temporary file is left.
func checkFilesMatchRows(t *testing.T, db *sql.DB, evidence string) {
	t.Helper()
	rows, err := db.Query("SELECT DISTINCT sha256 FROM evidence")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		named[s] = true
	}
	rows.Close()
	stored := map[string]bool{}
	temps := 0
	err = filepath.WalkDir(evidence, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if filepath.Base(filepath.Dir(p)) == "tmp" {
			temps++
		} else {
			stored[d.Name()] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for s := range stored {
		if !named[s] {
			t.Errorf("orphan file %s: no row names it", s)
		}
	}
	for s := range named {
		if !stored[s] {
			t.Errorf("orphan row: evidence %s has no file", s)
		}
	}
	if temps != 0 {
		t.Errorf("%d temporary files left", temps)
	}
	t.Logf("%d evidence files, each with its row", len(stored))
}

// TestBackupOnline: dudao backup while the server takes writes gives a copy that restores into an
// empty folder with its evidence, whose audit chain verifies; a restore does not overwrite a database
// without --force, and with it records the restore in the anchor log.
func TestBackupOnline(t *testing.T) {
	bin := dudaoBinary(t)
	dir := t.TempDir()
	srv := startServer(t, bin, dir, "--demo")
	c := newClient(srv)
	tokens := map[string]string{}
	var me int64
	for _, u := range []string{"city.supervisor", "city.director"} {
		tok, user := c.login(t, u, readDemo(t).Password)
		tokens[u] = tok
		if u == "city.supervisor" {
			me = user.ID
		}
	}
	var target int64
	for _, o := range c.orgs(t, tokens["city.director"]) {
		if o.Path == "wuhai/hbw/s001/" {
			target = o.ID
		}
	}
	ack := &acked{cases: map[int64]int{}, evidence: map[int64]string{}}
	var seq atomic.Int64
	seq.Store(time.Now().UnixNano())
	cc := &crashClient{base: srv.base, http: &http.Client{Timeout: 20 * time.Second}, tokens: tokens, ack: ack, seq: &seq, target: target, me: me}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc.openAndWork(t, stop)
		}()
	}
	time.Sleep(300 * time.Millisecond)
	file := filepath.Join(t.TempDir(), "dudao-backup.tar")
	out, errOut, code := runCLI(t, bin, "backup", "--data", dir, file)
	if code != 0 {
		t.Fatalf("backup under load: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("%s (while %d writes had been acknowledged)", strings.TrimSpace(out), ack.writes.Load())
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	srv.stop(t)

	restored := t.TempDir()
	out, errOut, code = runCLI(t, bin, "restore", "--data", restored, file)
	if code != 0 || !strings.Contains(out, "哈希链完整") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code := runCLI(t, bin, "audit", "verify", "--data", restored); code != 0 {
		t.Fatalf("audit verify of the restored copy: exit %d\n%s%s", code, out, errOut)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(restored, "dudao.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("restored integrity_check: %q %v", res, err)
	}
	checkFilesMatchRows(t, db, filepath.Join(restored, "evidence"))
	// The restored server serves what the backup held.
	srv = startServer(t, bin, restored)
	if tok, _ := newClient(srv).login(t, "city.director", readDemo(t).Password); tok == "" {
		t.Fatal("no login on the restored copy")
	}
	srv.stop(t)

	// Over the live folder: refused without --force; with it the old database is kept aside and the
	// checkpoints taken after the backup are superseded, on record.
	if out, errOut, code := runCLI(t, bin, "restore", "--data", dir, file); code == 0 || !strings.Contains(errOut, "--force") {
		t.Fatalf("restore over a database without --force: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code := runCLI(t, bin, "restore", "--force", "--data", dir, file); code != 0 {
		t.Fatalf("restore --force: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, bin, "audit", "verify", "--data", dir)
	if code != 0 {
		t.Fatalf("audit verify after restore --force: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("after restore --force: %s", strings.TrimSpace(out))
	matches, _ := filepath.Glob(filepath.Join(dir, "dudao.db.before-restore-*"))
	if len(matches) == 0 {
		t.Error("the replaced database was not kept aside")
	}
}

// TestCLIAccountsAndAnchor: the command line cuts a user off and lets it in again, takes a role back,
// signs a printable checkpoint, and audit verify then finds the newest events deleted from the SQLite
// file (before issue 13 it answered 审计日志哈希链完整).
func TestCLIAccountsAndAnchor(t *testing.T) {
	bin := dudaoBinary(t)
	dir := t.TempDir()
	if out, errOut, code := runCLI(t, bin, "seed", "demo", "--data", dir); code != 0 {
		t.Fatalf("seed demo: exit %d\n%s%s", code, out, errOut)
	}
	run := func(wantCode int, want string, args ...string) string {
		t.Helper()
		out, errOut, code := runCLI(t, bin, append(args, "--data", dir)...)
		if code != wantCode || !strings.Contains(out+errOut, want) {
			t.Fatalf("dudao %s: exit %d, want %d with %q\n%s%s", strings.Join(args, " "), code, wantCode, want, out, errOut)
		}
		return out
	}
	run(0, "已停用用户 school.yz", "user", "disable", "--username", "school.yz")
	run(1, "已是停用状态", "user", "disable", "--username", "school.yz")
	run(0, "已启用用户 school.yz", "user", "enable", "--username", "school.yz")
	run(0, "已撤销 school.yz", "user", "revoke", "--username", "school.yz", "--role", "school", "--org", "wuhai/yz/")
	run(1, "没有", "user", "revoke", "--username", "school.yz", "--role", "school", "--org", "wuhai/yz/")
	run(1, "系统管理员不能同时担任", "user", "grant", "--username", "admin", "--role", "director", "--org", "wuhai/")
	out := run(0, "核对命令", "audit", "checkpoint")
	expect := regexp.MustCompile(`--expect (\d+:[0-9a-f]{64})`).FindStringSubmatch(out)
	if expect == nil {
		t.Fatalf("no --expect in the printed checkpoint:\n%s", out)
	}
	run(0, "哈希链完整", "audit", "verify", "--expect", expect[1])

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "dudao.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	run(1, "最新的审计事件被删除", "audit", "verify")
}
