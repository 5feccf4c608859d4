package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestCaseConcurrency checks SPEC §2.2: of concurrent transitions on one case exactly one wins and the
// rest get 409 with no audit event of their own; concurrent openers get numbers without duplicates or
// gaps; a stale version is 409.
func TestCaseConcurrency(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "city.supervisor", "city.supervisor2", "city.director", "school.hbw1")
		s001 := e.org(t, "wuhai/hbw/s001/")
		city := e.org(t, "wuhai/")

		t.Run("numbers", func(t *testing.T) {
			// 评估监测 cases, of which the demo holds none: numbers 1..50 (were there some, numbering
			// would continue after them).
			base := e.queryInt(t, "SELECT COALESCE(MAX(last_seq), 0) FROM case_counters WHERE owner_org_id = ? AND type = ? AND year = ?", city.ID, "monitoring", 2026)
			before := e.snapshot(t)
			const n = 50
			openers := []caseUser{e.user(t, "city.supervisor"), e.user(t, "city.supervisor2")}
			answers := caseConcurrently(n, func(i int) (caseResp, error) {
				u := openers[i%2]
				return e.send(u.Username, http.MethodPost, "/api/v1/cases", map[string]any{
					"type": "monitoring", "kind": "random", "target_org_id": s001.ID, "title": fmt.Sprintf("义务教育质量监测第%d组", i+1),
					"inspector_ids": []int64{u.ID},
				})
			})
			var seqs []int
			numbers := map[string]bool{}
			for i, r := range answers {
				if r.err != nil || r.Status != http.StatusCreated {
					t.Errorf("opener %d: %v %s", i, r.err, r.caseResp)
					continue
				}
				c := e.caseOf(t, r.caseResp)
				if numbers[c.Number] {
					t.Errorf("number %s given twice", c.Number)
				}
				numbers[c.Number] = true
				if !strings.HasPrefix(c.Number, "乌监测〔2026〕") {
					t.Errorf("number %q, want 乌监测〔2026〕N号", c.Number)
				}
				seqs = append(seqs, caseSeq(t, c.Number))
			}
			slices.Sort(seqs)
			want := make([]int, n)
			for i := range want {
				want[i] = int(base) + i + 1
			}
			if !slices.Equal(seqs, want) {
				t.Errorf("numbers %v, want %d..%d without gaps", seqs, base+1, base+n)
			} else {
				t.Logf("%d concurrent openers got numbers %d..%d", n, base+1, base+n)
			}
			after := e.snapshot(t)
			if got := after.counts[0] - before.counts[0]; got != n {
				t.Errorf("%d cases stored, want %d", got, n)
			}
		})

		// race sends the same transition ten times at once and wants one 200, nine 409 and one event.
		race := func(t *testing.T, id int64, action string, users ...string) {
			t.Helper()
			before := e.snapshot(t)
			answers := caseConcurrently(10, func(i int) (caseResp, error) {
				return e.send(users[i%len(users)], http.MethodPost, casePath(id, "/actions/"+action), map[string]any{})
			})
			ok, conflict := 0, 0
			for _, r := range answers {
				switch {
				case r.err != nil:
					t.Errorf("%s: %v", action, r.err)
				case r.Status == http.StatusOK:
					ok++
				case r.Status == http.StatusConflict:
					conflict++
					e.wantError(t, r.caseResp, http.StatusConflict, "")
				default:
					t.Errorf("%s: unexpected answer %s", action, r.caseResp)
				}
			}
			if ok != 1 || conflict != 9 {
				t.Errorf("%s ×10 at once: %d × 200 and %d × 409, want 1 and 9", action, ok, conflict)
			}
			if n := caseAuditCount(t, e, id, "case."+action); n != 1 {
				t.Errorf("%d audit events case.%s, want 1", n, action)
			}
			after := e.snapshot(t)
			if d := after.counts[7] - before.counts[7]; d != 1 {
				t.Errorf("the audit log grew by %d events, want 1", d)
			}
			if d := after.counts[1] - before.counts[1]; d != 1 {
				t.Errorf("case versions grew by %d, want 1", d)
			}
		}

		t.Run("transitions", func(t *testing.T) {
			e.login(t, "city.supervisor3")
			c := e.caseOf(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/cases", e.unannounced(map[string]any{
				"type": "school", "kind": "special", "target_org_id": s001.ID, "title": "并发测试",
				"inspector_ids": []int64{e.user(t, "city.supervisor").ID, e.user(t, "city.supervisor2").ID, e.user(t, "city.supervisor3").ID},
			}), http.StatusCreated))
			race(t, c.ID, "start", "city.supervisor", "city.supervisor2")
			e.mustCall(t, "city.supervisor", http.MethodPost, casePath(c.ID, "/findings"), map[string]any{"title": "并发问题", "severity": "major"}, http.StatusCreated)
			race(t, c.ID, "submit_preliminary", "city.supervisor", "city.supervisor2")
			race(t, c.ID, "acknowledge", "school.hbw1")
			race(t, c.ID, "submit_for_review", "city.supervisor", "city.supervisor2")
			race(t, c.ID, "issue", "city.director")
			if got := e.getCase(t, "city.director", c.ID); got.Status != "rectifying" || got.Version != 7 {
				t.Errorf("after the races: status %s version %d, want rectifying 7", got.Status, got.Version)
			}
		})

		t.Run("stale version", func(t *testing.T) {
			c := e.caseOf(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/cases", e.unannounced(map[string]any{
				"type": "school", "kind": "special", "target_org_id": s001.ID, "title": "版本测试",
				"inspector_ids": e.team(t, "city.supervisor"),
			}), http.StatusCreated))
			c = e.caseOf(t, e.act(t, "city.supervisor", c.ID, "start", map[string]any{"version": c.Version}, http.StatusOK))
			seen := c.Version
			c = e.caseOf(t, e.mustCall(t, "city.supervisor2", http.MethodPost, casePath(c.ID, "/findings"), map[string]any{"title": "他人新增的问题", "severity": "minor"}, http.StatusCreated))
			if c.Version != seen+1 {
				t.Fatalf("version after a finding = %d, want %d", c.Version, seen+1)
			}
			before := e.snapshot(t)
			for _, v := range []int{seen, seen - 1, c.Version + 5} {
				r := e.call(t, "city.supervisor", http.MethodPost, casePath(c.ID, "/actions/submit_preliminary"), map[string]any{"version": v})
				e.wantError(t, r, http.StatusConflict, "")
			}
			if d := before.diff(e.snapshot(t)); d != "" {
				t.Errorf("stale versions changed: %s", d)
			}
			c = e.caseOf(t, e.act(t, "city.supervisor", c.ID, "submit_preliminary", map[string]any{"version": c.Version}, http.StatusOK))
			if c.Status != "feedback" {
				t.Errorf("with the current version: status %s", c.Status)
			}
		})
	})
}

type caseAnswer struct {
	caseResp
	err error
}

// caseConcurrently runs n requests at once (released together) and returns their answers in order.
func caseConcurrently(n int, fn func(i int) (caseResp, error)) []caseAnswer {
	out := make([]caseAnswer, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := fn(i)
			out[i] = caseAnswer{r, err}
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// caseAuditCount counts the case's audit events with the given action, as the city director reads them.
func caseAuditCount(t testing.TB, e *caseEnv, id int64, action string) int {
	t.Helper()
	var out struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	r := e.mustCall(t, "city.director", http.MethodGet, casePath(id, "/audit"), nil, http.StatusOK)
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range out.Items {
		if ev.Action == action {
			n++
		}
	}
	return n
}
