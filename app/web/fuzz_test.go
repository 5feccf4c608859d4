package web_test

// Fuzz targets over HTTP (issue 13, SPEC §6: fuzzed request bodies and uploads never give a 500 or a
// wrong write). Each runs against dudao as the harness builds it, on a demo database with objects in
// the states the routes need, and checks every answer: no 500 (a panic in a handler is one), a refusal
// writes nothing (the audit log does not grow; an upload leaves no file), and no request allocates
// more than a bound. go test runs the seeds; CI runs each target for a bounded time:
//
//	go test -run '^$' -fuzz '^FuzzAPIJSON$' -fuzztime 30s ./app/web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"dudao/app/demo"
	"dudao/cmd/system/systemtest"
)

// fuzzRoute is a JSON write and the user who may make it.
type fuzzRoute struct {
	user, method, path string
	seed               any // a body it accepts
}

// fuzzSetup builds the environment and the routes for FuzzAPIJSON.
func fuzzSetup(f *testing.F) (*caseEnv, []fuzzRoute) {
	e := wrapCaseEnv(systemtest.New(f, caseOptions))
	e.login(f, "city.supervisor", "city.supervisor2", "city.director", "school.hbw1", "admin")
	tg := caseMatrixTargets[0]
	insp := e.build(f, tg, "inspecting")
	fb := e.build(f, tg, "feedback")
	rev := e.build(f, tg, "review")
	rect := e.build(f, tg, "rectifying")
	ver := e.build(f, tg, "verifying")
	s001 := e.org(f, "wuhai/hbw/s001/")
	var acc, inc struct {
		ID int64 `json:"id"`
	}
	e.decode(f, e.mustCall(f, "city.supervisor", http.MethodPost, "/api/v1/accountability", map[string]any{"target_type": "unit",
		"target_org_id": s001.ID, "trigger": "conduct", "facts": "违规收费。"}, http.StatusCreated), &acc)
	e.decode(f, e.mustCall(f, "city.supervisor", http.MethodPost, "/api/v1/incentives", map[string]any{"kind": "commendation",
		"target_org_id": s001.ID, "reason": "成效明显。"}, http.StatusCreated), &inc)
	hbw2 := e.user(f, "school.hbw1").ID
	today := string(e.clock.Today())
	results := []map[string]any{{"finding_id": ver.f1, "passed": true, "comment": "已整改。"}, {"finding_id": ver.f2, "passed": false,
		"comment": "未整改。", "new_due_on": string(e.clock.Today().AddDays(20))}}
	routes := []fuzzRoute{
		{"", http.MethodPost, "/api/v1/auth/login", map[string]any{"username": "monitor", "password": demo.Password}},
		{"city.supervisor", http.MethodPost, "/api/v1/cases", map[string]any{"type": "school", "kind": "special", "target_org_id": s001.ID,
			"title": "专项督导", "inspector_ids": []int64{insp.inspectorID}, "planned_on": today}},
		{"city.supervisor", http.MethodPost, casePath(insp.id, "/findings"), map[string]any{"title": "问题", "description": "描述", "severity": "major", "category": "校园安全"}},
		{"city.supervisor", http.MethodPatch, casePath(insp.id, fmt.Sprintf("/findings/%d", insp.f1)), map[string]any{"title": "改", "severity": "minor"}},
		{"city.supervisor", http.MethodPost, casePath(insp.id, "/actions/submit_preliminary"), map[string]any{"version": 1, "comment": "x"}},
		{"school.hbw1", http.MethodPost, casePath(fb.id, "/objections"), map[string]any{"finding_id": fb.f1, "text": "申辩"}},
		{"city.director", http.MethodPost, casePath(fb.id, fmt.Sprintf("/objections/%d/ruling", fb.o1)), map[string]any{"upheld": true, "reason": "属实"}},
		{"city.director", http.MethodPost, casePath(rev.id, "/actions/issue"), map[string]any{"due_dates": map[string]string{strconv.FormatInt(rev.f1, 10): today}}},
		{"city.director", http.MethodPost, casePath(rev.id, "/actions/return"), map[string]any{"comment": "请补充。"}},
		{"school.hbw1", http.MethodPost, casePath(rect.id, fmt.Sprintf("/findings/%d/measures", rect.f1)), caseMeasure(e.clock.Today())},
		{"city.supervisor2", http.MethodPost, casePath(ver.id, "/actions/recheck"), map[string]any{"results": results}},
		{"city.supervisor", http.MethodPost, "/api/v1/accountability", map[string]any{"target_type": "person", "target_org_id": s001.ID,
			"person_name": "张三", "trigger": "duty", "facts": "失职。"}},
		{"city.director", http.MethodPatch, accPath(acc.ID, ""), map[string]any{"trigger": "duty", "facts": "改", "version": 1}},
		{"city.director", http.MethodPost, accPath(acc.ID, "/actions/notice"), map[string]any{"notice_text": "拟批评。"}},
		{"city.supervisor", http.MethodPost, "/api/v1/incentives", map[string]any{"kind": "resource", "target_org_id": s001.ID, "reason": "好"}},
		{"city.director", http.MethodPost, fmt.Sprintf("/api/v1/incentives/%d/actions/decide", inc.ID), map[string]any{"decision": "表彰"}},
		{"school.hbw1", http.MethodPut, "/api/v1/notifications/email", map[string]any{"email": "a@example.org"}},
		{"admin", http.MethodPost, fmt.Sprintf("/api/v1/users/%d/grants", hbw2), map[string]any{"role": "monitor", "org": "wuhai/hbw/"}},
		{"admin", http.MethodPost, fmt.Sprintf("/api/v1/users/%d/password", hbw2), map[string]any{"password": "Abcdefg123"}},
	}
	return e, routes
}

// fuzzAllocBound is the most one request may allocate: two argon2id hashes (64 MiB each) and room.
const fuzzAllocBound = 256 << 20

// FuzzAPIJSON sends any body to the JSON writes, as the user who may make them.
func FuzzAPIJSON(f *testing.F) {
	e, routes := fuzzSetup(f)
	for i, r := range routes {
		b, _ := json.Marshal(r.seed)
		f.Add(uint8(i), b)
	}
	for _, odd := range []string{"", "null", "[]", `{"version":-1}`, `{"title":"\u0000"}`, `{"inspector_ids":[1e309]}`,
		`{"due_dates":{"x":"2026-02-30"}}`, `{"results":[{"finding_id":-9}]}`, `{"a":` + string(bytes.Repeat([]byte("["), 10000))} {
		f.Add(uint8(len(odd)), []byte(odd))
	}
	f.Fuzz(func(t *testing.T, n uint8, body []byte) {
		r := routes[int(n)%len(routes)]
		before := e.queryInt(t, "SELECT COUNT(*) FROM audit_events")
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		req, err := e.NewRequest(r.user, r.method, r.path, body, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Do(req)
		runtime.ReadMemStats(&m1)
		if err != nil {
			t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s as %s with %q: %s", r.method, r.path, r.user, body, res)
		}
		if res.StatusCode >= 400 && e.queryInt(t, "SELECT COUNT(*) FROM audit_events") != before {
			t.Fatalf("%s %s was refused (%d) but wrote to the audit log", r.method, r.path, res.StatusCode)
		}
		if d := m1.TotalAlloc - m0.TotalAlloc; d > fuzzAllocBound {
			t.Fatalf("%s %s with %d bytes allocated %d MB", r.method, r.path, len(body), d>>20)
		}
	})
}

// FuzzEvidenceUpload sends any file (images included), file name and fields as an evidence upload.
func FuzzEvidenceUpload(f *testing.F) {
	e := wrapCaseEnv(systemtest.New(f, caseOptions))
	b := e.build(f, caseMatrixTargets[0], "inspecting")
	f.Add(casePNG(f), "photo.png", "", strconv.FormatInt(b.f1, 10), "39.65", "106.8")
	f.Add([]byte("GIF89a\xff\xff\xff\xff\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\xff\xff\xff\xff\x00\x02\x02D\x01\x00;"), "bomb.gif", "炸弹", "", "", "")
	f.Add([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"), "../../etc/passwd", "x", "abc", "91", "")
	f.Add([]byte("<svg onload=alert(1)>"), "a.svg", "", "-1", "", "181")
	f.Add([]byte{}, "", "", "", "", "")
	f.Fuzz(func(t *testing.T, content []byte, name, note, finding, lat, lng string) {
		stored := len(e.storedBlobs(t))
		rows := e.queryInt(t, "SELECT COUNT(*) FROM evidence")
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range map[string]string{"note": note, "finding_id": finding, "lat": lat, "lng": lng} {
			if v != "" {
				_ = mw.WriteField(k, v)
			}
		}
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			return
		}
		fw.Write(content)
		mw.Close()
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+casePath(b.id, "/evidence"), &body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		res, err := e.do(b.target.opener, req)
		runtime.ReadMemStats(&m1)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status >= 500 {
			t.Fatalf("upload of %d bytes named %q: %s", len(content), name, res)
		}
		if d := m1.TotalAlloc - m0.TotalAlloc; d > fuzzAllocBound {
			t.Fatalf("an upload of %d bytes allocated %d MB", len(content), d>>20)
		}
		if tmp, _ := os.ReadDir(filepath.Join(e.blobDir, "tmp")); len(tmp) != 0 {
			t.Fatalf("%d temporary files left", len(tmp))
		}
		if res.Status == http.StatusCreated {
			return
		}
		if e.queryInt(t, "SELECT COUNT(*) FROM evidence") != rows || len(e.storedBlobs(t)) != stored {
			t.Fatalf("a refused upload (%d) left a row or a file", res.Status)
		}
	})
}
