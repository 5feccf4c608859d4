package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// idemPost is one kind of POST, ready to be sent: who sends it, where, and how to make its body (a
// fresh multipart boundary on every call, as a phone's retry would have).
type idemPost struct {
	user        string
	path        string
	body        func() (contentType string, body []byte)
	wantCreated bool // a 201 naming what it made
}

func idemJSON(v any) func() (string, []byte) {
	b, _ := json.Marshal(v)
	return func() (string, []byte) { return "application/json", b }
}

// idemKinds are the kinds of POST of the API, each with a setup that brings a fresh case (or record)
// to the state the POST needs, so that every variant starts from its own.
func idemKinds(e *caseEnv) map[string]func(t *testing.T) idemPost {
	tg := caseMatrixTargets[0] // school.hbw1's school, by the city office
	png := casePNG
	return map[string]func(t *testing.T) idemPost{
		"open case": func(t *testing.T) idemPost {
			return idemPost{user: "city.supervisor", path: "/api/v1/cases", wantCreated: true, body: idemJSON(e.unannounced(map[string]any{
				"type": "school", "kind": "special", "target_org_id": e.org(t, tg.path).ID, "title": "专项督导：重试", "inspector_ids": e.team(t, "city.supervisor")}))}
		},
		"transition": func(t *testing.T) idemPost {
			b := e.build(t, tg, "planned")
			return idemPost{user: tg.opener, path: casePath(b.id, "/actions/start"), body: idemJSON(map[string]any{})}
		},
		"finding": func(t *testing.T) idemPost {
			b := e.build(t, tg, "inspecting")
			return idemPost{user: tg.opener, path: casePath(b.id, "/findings"), wantCreated: true,
				body: idemJSON(map[string]any{"title": "灭火器过期", "severity": "major"})}
		},
		"evidence": func(t *testing.T) idemPost {
			b := e.build(t, tg, "inspecting")
			file := png(t)
			return idemPost{user: tg.opener, path: casePath(b.id, "/evidence"), wantCreated: true, body: func() (string, []byte) {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf) // a new random boundary each time
				_ = mw.WriteField("finding_id", strconv.FormatInt(b.f1, 10))
				fw, _ := mw.CreateFormFile("file", "photo.png")
				_, _ = fw.Write(file)
				_ = mw.Close()
				return mw.FormDataContentType(), buf.Bytes()
			}}
		},
		"objection": func(t *testing.T) idemPost {
			b := e.build(t, tg, "feedback")
			return idemPost{user: tg.rectifier, path: casePath(b.id, "/objections"), wantCreated: true,
				body: idemJSON(map[string]any{"finding_id": b.f1, "text": "该问题已整改，请核实。"})}
		},
		"ruling": func(t *testing.T) idemPost {
			b := e.build(t, tg, "feedback")
			return idemPost{user: tg.director, path: casePath(b.id, fmt.Sprintf("/objections/%d/ruling", b.o1)),
				body: idemJSON(map[string]any{"upheld": true, "reason": "属实。"})}
		},
		"measure": func(t *testing.T) idemPost {
			b := e.build(t, tg, "rectifying")
			return idemPost{user: tg.rectifier, path: casePath(b.id, fmt.Sprintf("/findings/%d/measures", b.f2)), wantCreated: true,
				body: idemJSON(caseMeasure(e.clock.Today()))}
		},
		"accountability": func(t *testing.T) idemPost {
			b := e.build(t, tg, "rectifying")
			return idemPost{user: "city.supervisor", path: "/api/v1/accountability", wantCreated: true, body: idemJSON(map[string]any{
				"target_type": "unit", "target_org_id": b.targetOrgID, "case_id": b.id, "trigger": "duty", "facts": "逾期未整改。"})}
		},
		"accountability step": func(t *testing.T) idemPost {
			b := e.build(t, tg, "rectifying")
			var acc struct {
				ID int64 `json:"id"`
			}
			e.decode(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/accountability", map[string]any{
				"target_type": "unit", "target_org_id": b.targetOrgID, "case_id": b.id, "trigger": "duty", "facts": "逾期未整改。"}, http.StatusCreated), &acc)
			return idemPost{user: "city.director", path: fmt.Sprintf("/api/v1/accountability/%d/actions/notice", acc.ID),
				body: idemJSON(map[string]any{"notice_text": "拟对你单位问责，请于期限内陈述申辩。"})}
		},
		"incentive": func(t *testing.T) idemPost {
			return idemPost{user: "city.supervisor", path: "/api/v1/incentives", wantCreated: true, body: idemJSON(map[string]any{
				"kind": "commendation", "target_org_id": e.org(t, tg.path).ID, "reason": "整改迅速彻底。"})}
		},
	}
}

var idemSeq atomic.Int64

func idemKey() string { return fmt.Sprintf("retry-%d-%d", idemSeq.Add(1), idemSeq.Load()*7919) }

// idemSend sends p with the Idempotency-Key key.
func idemSend(t *testing.T, e *caseEnv, p idemPost, key string) (caseResp, error) {
	ct, body := p.body()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+p.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Idempotency-Key", key)
	return e.do(p.user, req)
}

// TestIdempotencyKeys: SPEC §4.1 — every kind of POST retried with one Idempotency-Key, in sequence and
// concurrently, writes once (one audit event, one change of the tables) and answers every retry with
// the first answer; the same key with another body is 422 and writes nothing; each 201 names what it
// made, and its Location answers it.
func TestIdempotencyKeys(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		e.login(t, "city.supervisor", "city.director", "school.hbw1")
		kinds := idemKinds(e)
		for name, setup := range kinds {
			t.Run(name, func(t *testing.T) {
				for _, concurrent := range []bool{false, true} {
					p := setup(t)
					key := idemKey()
					before := e.snapshot(t)
					audits := e.queryInt(t, "SELECT COUNT(*) FROM audit_events")
					var answers []caseAnswer
					if concurrent {
						answers = caseConcurrently(4, func(int) (caseResp, error) { return idemSend(t, e, p, key) })
					} else {
						for range 3 {
							r, err := idemSend(t, e, p, key)
							answers = append(answers, caseAnswer{r, err})
						}
					}
					first := answers[0]
					if first.err != nil || first.Status >= 300 {
						t.Fatalf("concurrent=%v: first answer %v %s", concurrent, first.err, first.caseResp)
					}
					replayed := 0
					for i, a := range answers {
						if a.err != nil || a.Status != first.Status || !bytes.Equal(a.Body, first.Body) ||
							a.Header.Get("Location") != first.Header.Get("Location") {
							t.Errorf("concurrent=%v: answer %d %v %s differs from %s", concurrent, i, a.err, a.caseResp, first.caseResp)
						}
						if a.Header.Get("Idempotent-Replayed") == "true" {
							replayed++
						}
					}
					if replayed != len(answers)-1 {
						t.Errorf("concurrent=%v: %d answers marked replayed, want %d", concurrent, replayed, len(answers)-1)
					}
					if n := e.queryInt(t, "SELECT COUNT(*) FROM audit_events"); n != audits+1 {
						t.Errorf("concurrent=%v: %d audit events written, want 1", concurrent, n-audits)
					}
					after := e.snapshot(t)
					if before == after && name != "accountability" && name != "accountability step" && name != "incentive" {
						t.Errorf("concurrent=%v: nothing was written", concurrent)
					}
					if p.wantCreated {
						idemWantCreated(t, e, p.user, first.caseResp)
					}
					// The same key for another request: refused, nothing written.
					other := p
					other.body = idemJSON(map[string]any{"title": "另一个请求"})
					mark := e.snapshot(t)
					r, err := idemSend(t, e, other, key)
					if err != nil {
						t.Fatal(err)
					}
					e.wantError(t, r, http.StatusUnprocessableEntity, "Idempotency-Key")
					if e.snapshot(t) != mark {
						t.Errorf("a refused reuse of the key changed data: %s", mark.diff(e.snapshot(t)))
					}
				}
			})
		}
	})
}

// idemWantCreated checks a 201: Location names the new item, the body names it (its own id, or
// created_id on its parent), and GET Location answers that item.
func idemWantCreated(t *testing.T, e *caseEnv, user string, r caseResp) {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.Status != http.StatusCreated || !strings.HasPrefix(loc, "/api/v1/") {
		t.Fatalf("answer %s with Location %q, want 201 and a Location under /api/v1/", r, loc)
	}
	var body struct {
		ID        int64  `json:"id"`
		CreatedID *int64 `json:"created_id"`
	}
	e.decode(t, r, &body)
	want := body.ID
	if body.CreatedID != nil {
		want = *body.CreatedID
	}
	if !strings.HasSuffix(loc, "/"+strconv.FormatInt(want, 10)) {
		t.Errorf("Location %q does not end with the created id %d", loc, want)
	}
	if strings.HasPrefix(loc, "/api/v1/evidence/") {
		return // a download, not JSON
	}
	var got struct {
		ID int64 `json:"id"`
	}
	e.decode(t, e.mustCall(t, user, http.MethodGet, loc, nil, http.StatusOK), &got)
	if got.ID != want {
		t.Errorf("GET %s answers id %d, want %d", loc, got.ID, want)
	}
}
