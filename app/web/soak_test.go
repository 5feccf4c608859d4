package web_test

// TestSoak (issue 13): mixed traffic — reads and writes of the API, pages in browsers, uploads,
// logins and logouts — from several clients for DUDAO_TEST_SOAK (a duration; CI: 3m; without it 5s,
// a smoke run), with no unexpected answer and, after a warm-up, no growth of goroutines or of the heap
// beyond a bound. Loopback only; it stops by itself.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dudao/app/demo"
	"dudao/cmd/system/systemtest"
)

func TestSoak(t *testing.T) {
	d := 5 * time.Second
	if s := os.Getenv("DUDAO_TEST_SOAK"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d <= 0 {
			t.Fatalf("DUDAO_TEST_SOAK=%q: want a duration", s)
		}
	}
	e := wrapCaseEnv(systemtest.New(t, caseOptions))
	users := []string{"city.supervisor", "city.supervisor2", "city.director", "hbw.director", "hbw.office", "school.hbw1", "auditor", "monitor", "admin"}
	e.login(t, users...)
	s001 := e.org(t, "wuhai/hbw/s001/")
	inspector := e.user(t, "city.supervisor").ID
	browsers := map[string]*systemtest.Browser{}
	for _, u := range []string{"city.director", "school.hbw1", "admin"} {
		b := e.Browser(t)
		b.Login(u, demo.Password)
		browsers[u] = b
	}

	type result struct {
		n        int
		statuses map[int]int
		bad      []string
		lat      []time.Duration
	}
	var mu sync.Mutex
	total := result{statuses: map[int]int{}}
	var cases []int64
	var casesMu sync.Mutex
	var seq atomic.Int64

	// One step of traffic: a request and the statuses it may answer.
	step := func(rng *rand.Rand) (string, int, []int) {
		casesMu.Lock()
		var c int64
		if len(cases) > 0 {
			c = cases[rng.IntN(len(cases))]
		}
		casesMu.Unlock()
		call := func(user, method, path string, body any) int {
			r, err := e.Send(user, method, path, body, nil)
			if err != nil {
				return -1
			}
			return r.StatusCode
		}
		switch k := rng.IntN(20); {
		case k < 6:
			u := users[rng.IntN(len(users))]
			return "list", call(u, http.MethodGet, "/api/v1/cases?per_page=20&page="+strconv.Itoa(1+rng.IntN(3)), nil), []int{200}
		case k < 9 && c != 0:
			u := users[rng.IntN(len(users))]
			return "case", call(u, http.MethodGet, casePath(c, ""), nil), []int{200, 404}
		case k < 11:
			n := seq.Add(1)
			r, err := e.Send("city.supervisor", http.MethodPost, "/api/v1/cases", map[string]any{"type": "school", "kind": "random",
				"target_org_id": s001.ID, "title": "持续测试" + strconv.FormatInt(n, 10), "inspector_ids": []int64{inspector}}, nil)
			if err != nil {
				return "open", -1, nil
			}
			var cs struct {
				ID int64 `json:"id"`
			}
			if r.StatusCode == http.StatusCreated {
				_ = jsonUnmarshal(r.Body, &cs)
				if call("city.supervisor", http.MethodPost, casePath(cs.ID, "/actions/start"), map[string]any{}) == 200 {
					casesMu.Lock()
					cases = append(cases, cs.ID)
					if len(cases) > 200 {
						cases = cases[len(cases)-200:]
					}
					casesMu.Unlock()
				}
			}
			return "open", r.StatusCode, []int{201}
		case k < 13 && c != 0:
			return "finding", call("city.supervisor", http.MethodPost, casePath(c, "/findings"),
				map[string]any{"title": "问题", "description": "描述", "severity": "minor"}), []int{201, 409}
		case k < 14 && c != 0:
			r := e.upload(t, "city.supervisor", c, "p.png", casePNG(t), nil)
			return "upload", r.Status, []int{201, 409}
		case k < 16:
			u := []string{"city.director", "school.hbw1", "admin"}[rng.IntN(3)]
			p := []string{"/", "/notifications", "/cases"}[rng.IntN(3)]
			if u == "admin" {
				p = []string{"/", "/admin/users", "/admin/orgs", "/notifications"}[rng.IntN(4)]
			}
			return "page", browsers[u].Get(p).StatusCode, []int{200}
		case k < 17:
			return "audit", call("auditor", http.MethodGet, "/api/v1/audit?per_page=50", nil), []int{200}
		case k < 18:
			return "read-all", call("school.hbw1", http.MethodPost, "/api/v1/notifications/read-all", nil), []int{200}
		case k < 19:
			return "me", call(users[rng.IntN(len(users))], http.MethodGet, "/api/v1/me", nil), []int{200}
		default:
			// A login and a logout (argon2id: the heaviest request there is), now and then.
			if rng.IntN(4) != 0 {
				return "orgs", call("hbw.office", http.MethodGet, "/api/v1/orgs", nil), []int{200}
			}
			r, err := e.Send("", http.MethodPost, "/api/v1/auth/login", map[string]any{"username": "monitor", "password": demo.Password}, nil)
			if err != nil || r.StatusCode != 200 {
				return "login", r.StatusCode, []int{200}
			}
			var out struct {
				Token string `json:"token"`
			}
			_ = jsonUnmarshal(r.Body, &out)
			req, _ := http.NewRequest(http.MethodPost, e.Srv.URL+"/api/v1/auth/logout", nil)
			req.Header.Set("Authorization", "Bearer "+out.Token)
			lr, err := e.Do(req)
			if err != nil {
				return "logout", -1, nil
			}
			return "logout", lr.StatusCode, []int{204}
		}
	}

	run := func(ctx context.Context, clients int) {
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
				local := result{statuses: map[int]int{}}
				for ctx.Err() == nil {
					start := time.Now()
					what, st, ok := step(rng)
					local.lat = append(local.lat, time.Since(start))
					local.n++
					local.statuses[st]++
					if !containsInt(ok, st) {
						local.bad = append(local.bad, fmt.Sprintf("%s: %d", what, st))
					}
				}
				mu.Lock()
				total.n += local.n
				for k, v := range local.statuses {
					total.statuses[k] += v
				}
				total.bad = append(total.bad, local.bad...)
				total.lat = append(total.lat, local.lat...)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	const clients = 8
	warm := min(d/5, 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), warm)
	run(ctx, clients)
	cancel()
	idle := func() {
		e.HTTP.Transport.(*http.Transport).CloseIdleConnections()
		for _, b := range browsers {
			b.Client.CloseIdleConnections()
		}
	}
	idle()
	g0, h0 := settle()
	ctx, cancel = context.WithTimeout(context.Background(), d)
	run(ctx, clients)
	cancel()
	idle()
	g1, h1 := settle()

	sort.Slice(total.lat, func(i, j int) bool { return total.lat[i] < total.lat[j] })
	p := func(q float64) time.Duration {
		return total.lat[int(q*float64(len(total.lat)-1))].Round(time.Millisecond)
	}
	t.Logf("soak: %d clients, %v after a %v warm-up: %d requests (%.0f/s), statuses %v, p50 %v p99 %v; goroutines %d → %d, heap %d → %d MB",
		clients, d, warm, total.n, float64(total.n)/(d+warm).Seconds(), total.statuses, p(0.5), p(0.99), g0, g1, h0>>20, h1>>20)
	if len(total.bad) > 0 {
		t.Errorf("%d unexpected answers, e.g. %v", len(total.bad), total.bad[:min(10, len(total.bad))])
	}
	if g1 > g0+20 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	if h1 > h0+64<<20 && h1 > 2*h0 {
		t.Errorf("the heap grew from %d MB to %d MB", h0>>20, h1>>20)
	}
}

// settle lets idle connections close and the collector run, then counts goroutines and live heap.
func settle() (int, uint64) {
	time.Sleep(200 * time.Millisecond)
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtime.NumGoroutine(), m.HeapAlloc
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
