package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"dudao/storage"
)

// TestHarness generates a tiny province, checks that its audit chain verifies, measures every group
// for a moment in-process, and checks that every measurement answered and that the chain still
// verifies after the run's writes (dudao's and the floor's).
func TestHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a dataset and serves it")
	}
	ctx := context.Background()
	cfg, err := parseFlags([]string{"--scale", "0.001", "--duration", "200ms", "--clients", "4", "--inproc",
		"--data", t.TempDir()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log := testWriter{t}
	ds, err := openDataset(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.close(ctx)
	verify(t, ds.pristine)

	srv, err := startServers(ctx, ds.run, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := measure(ctx, cfg, srv, ds, log)
	if err := srv.stop(); err != nil {
		t.Error(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.write(&out)
	t.Log("\n" + out.String())
	seen := map[string]bool{}
	for _, r := range rep.rows {
		seen[r.group] = true
		if r.failed() {
			t.Errorf("%s as %s failed: %s / floor %v", r.name, r.as, r.app.firstErr, r.floor)
		}
	}
	for _, g := range groups {
		if !seen[g] {
			t.Errorf("no measurement of %s", g)
		}
	}
	if !strings.Contains(out.String(), "peak RSS") {
		t.Error("no RSS in the table")
	}
	verify(t, ds.run)

	// A kept dataset is found again, not made anew.
	ds2, err := openDataset(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	if ds2.pristine != ds.pristine {
		t.Errorf("kept dataset %s, found %s", ds.pristine, ds2.pristine)
	}
}

// verify runs what `dudao audit verify` runs on the database at dsn.
func verify(t *testing.T, dsn string) {
	t.Helper()
	db, err := storage.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id, why, err := db.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id != 0 {
		t.Fatalf("audit chain broken at event %d of %s: %s", id, dsn, why)
	}
}

// TestProvinceIsDeterministic: the same seed and scale draw the same cases.
func TestProvinceIsDeterministic(t *testing.T) {
	asOf := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	draw := func() []*genCase {
		p := newProvince(0.002, asOf)
		rng := rand.New(rand.NewPCG(seed, uint64(p.casesPerYear())))
		return p.yearCases(rng, 2026, map[counterKey]int{})
	}
	a, b := draw(), draw()
	if len(a) != 100 || len(a) != len(b) {
		t.Fatalf("drew %d and %d cases, want 100", len(a), len(b))
	}
	statuses := map[string]int{}
	for i := range a {
		if a[i].number != b[i].number || a[i].title != b[i].title || a[i].status != b[i].status || len(a[i].events) != len(b[i].events) {
			t.Fatalf("case %d differs: %s %s / %s %s", i, a[i].number, a[i].status, b[i].number, b[i].status)
		}
		statuses[string(a[i].status)]++
		for j := 1; j < len(a[i].events); j++ {
			if a[i].events[j].at.Before(a[i].events[j-1].at.Add(-30 * 24 * time.Hour)) {
				t.Errorf("case %d: event %d long before the one it follows", i, j)
			}
		}
		if last := a[i].events[len(a[i].events)-1].at; last.After(asOf) {
			t.Errorf("case %d: an event after the dataset's end: %s", i, last)
		}
	}
	if len(statuses) < 4 {
		t.Errorf("the current year should hold a mix of statuses: %v", statuses)
	}
}

// TestLoad: the load generator counts what it sent, measures latencies, and stops by itself.
func TestLoad(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond)
		if r.URL.Path == "/bad" {
			http.Error(w, "no", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	hc := newClient(4, 5*time.Second)
	mk := func(path string) func(c, i int) (*http.Request, bool) {
		return func(c, i int) (*http.Request, bool) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			return req, true
		}
	}
	start := time.Now()
	r := run(context.Background(), hc, load{clients: 4, duration: 200 * time.Millisecond, warmup: 20 * time.Millisecond, next: mk("/")})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a 220 ms load took %s", took)
	}
	if r.n < 50 || r.errs != 0 || r.pct(0.5) < time.Millisecond || r.pct(0.99) < r.pct(0.5) || r.rps() <= 0 {
		t.Errorf("n %d errs %d p50 %s p99 %s rps %.0f", r.n, r.errs, r.pct(0.5), r.pct(0.99), r.rps())
	}
	r = run(context.Background(), hc, load{clients: 2, duration: 50 * time.Millisecond, next: mk("/bad"), max: 10})
	if r.n != 0 || r.errs == 0 || r.errs > 12 || !strings.Contains(r.firstErr, "500") {
		t.Errorf("bad answers: n %d errs %d first %q", r.n, r.errs, r.firstErr)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestParseWrk reads wrk's summary.
func TestParseWrk(t *testing.T) {
	out := `Running 2s test @ http://127.0.0.1:41234/api/v1/cases?per_page=50
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    37.80ms   10.11ms  98.03ms   80.00%
    Req/Sec   211.50     30.00   260.00     70.00%
  Latency Distribution
     50%   36.12ms
     75%   41.00ms
     90%   50.00ms
     99%   80.50ms
  846 requests in 2.00s, 12.10MB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 6
Requests/sec:    422.12
Transfer/sec:      6.05MB
`
	r := parseWrk([]byte(out))
	if r.n != 840 || r.errs != 6 || r.timeouts != 3 || r.elapsed != 2*time.Second || r.pct(0.5) != 36120*time.Microsecond || r.pct(0.99) != 80500*time.Microsecond {
		t.Errorf("parsed %+v", r)
	}
}

// TestRemoveStaleParts: a dead run's part files go, a live run's stay.
func TestRemoveStaleParts(t *testing.T) {
	dir := t.TempDir()
	pristine := dir + "/p.db"
	live := fmt.Sprintf("%s.part%d", pristine, os.Getpid())
	dead := pristine + ".part999999999"
	for _, f := range []string{live, live + "-wal", dead, dead + "-wal", pristine + ".other"} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removeStaleParts(pristine)
	for f, want := range map[string]bool{live: true, live + "-wal": true, dead: false, dead + "-wal": false, pristine + ".other": true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", f, err == nil, want)
		}
	}
}
