package web_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestCaseBadInput sends requests that must be refused with the status of SPEC §4.1, a Chinese message,
// the offending field named, and nothing left behind: no row, no audit event, no file.
func TestCaseBadInput(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		const sup, sup2, school = "city.supervisor", "city.supervisor2", "school.hbw1"
		e.login(t, sup, sup2, "city.director", school)
		tg := caseMatrixTargets[0] // school.hbw1's school, by the city office
		inspecting := e.build(t, tg, "inspecting")
		rectifying := e.build(t, tg, "rectifying")
		verifying := e.build(t, tg, "verifying")
		review := e.build(t, tg, "review")
		s001 := e.org(t, "wuhai/hbw/s001/")
		supID := e.user(t, sup).ID
		team := e.team(t, sup)
		openBody := func(change map[string]any) map[string]any {
			b := e.unannounced(map[string]any{"type": "school", "kind": "special", "target_org_id": s001.ID, "title": "专项督导", "inspector_ids": team})
			for k, v := range change {
				b[k] = v
			}
			return b
		}
		long := strings.Repeat("督", 100_000)
		const unknown = 987654321

		for _, tc := range []struct {
			name   string
			send   func(t *testing.T) caseResp
			status int
			field  string
		}{
			{"malformed JSON", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", `{"type": "school", "kind": `)
			}, http.StatusBadRequest, ""},
			{"JSON that is not an object", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, casePath(inspecting.id, "/findings"), `["title"]`)
			}, http.StatusBadRequest, ""},
			{"wrong type", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", `{"type":"school","kind":"special","target_org_id":"x","title":"t","inspector_ids":[`+strconv.FormatInt(supID, 10)+`]}`)
			}, http.StatusUnprocessableEntity, "target_org_id"},
			{"unknown type", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", openBody(map[string]any{"type": "foo"}))
			}, http.StatusUnprocessableEntity, "type"},
			{"unknown severity", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, casePath(inspecting.id, "/findings"), map[string]any{"title": "问题", "severity": "huge"})
			}, http.StatusUnprocessableEntity, "severity"},
			{"100000-character title", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", openBody(map[string]any{"title": long}))
			}, http.StatusUnprocessableEntity, "title"},
			{"100000-character finding title", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, casePath(inspecting.id, "/findings"), map[string]any{"title": long, "severity": "minor"})
			}, http.StatusUnprocessableEntity, "title"},
			{"100000-character description", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, casePath(inspecting.id, "/findings"), map[string]any{"title": "问题", "description": long, "severity": "minor"})
			}, http.StatusUnprocessableEntity, "description"},
			{"planned date in the past", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", openBody(map[string]any{"planned_on": string(e.clock.Today().AddDays(-1))}))
			}, http.StatusUnprocessableEntity, "planned_on"},
			{"planned date not a date", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", openBody(map[string]any{"planned_on": "2026-02-30"}))
			}, http.StatusUnprocessableEntity, "planned_on"},
			{"measure due date in the past", func(t *testing.T) caseResp {
				m := caseMeasure(e.clock.Today())
				m["due_on"] = string(e.clock.Today().AddDays(-1))
				return e.call(t, school, http.MethodPost, casePath(rectifying.id, fmt.Sprintf("/findings/%d/measures", rectifying.f1)), m)
			}, http.StatusUnprocessableEntity, "due_on"},
			{"unknown case", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodGet, casePath(unknown, ""), nil)
			}, http.StatusNotFound, ""},
			{"finding on an unknown case", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, casePath(unknown, "/findings"), map[string]any{"title": "问题", "severity": "minor"})
			}, http.StatusNotFound, ""},
			{"action on an unknown case", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, casePath(unknown, "/actions/start"), map[string]any{})
			}, http.StatusNotFound, ""},
			{"measure on an unknown finding", func(t *testing.T) caseResp {
				return e.call(t, school, http.MethodPost, casePath(rectifying.id, fmt.Sprintf("/findings/%d/measures", unknown)), caseMeasure(e.clock.Today()))
			}, http.StatusNotFound, ""},
			{"evidence for an unknown finding", func(t *testing.T) caseResp {
				return e.upload(t, school, rectifying.id, "photo.png", casePNG(t), map[string]string{"finding_id": strconv.Itoa(unknown)})
			}, http.StatusUnprocessableEntity, "finding_id"},
			{"unknown target org", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", openBody(map[string]any{"target_org_id": unknown}))
			}, http.StatusUnprocessableEntity, "target_org_id"},
			{"unknown inspector", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", openBody(map[string]any{"inspector_ids": []int64{unknown}}))
			}, http.StatusUnprocessableEntity, "inspector_ids"},
			{"inspector who is not a supervisor", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, "/api/v1/cases", openBody(map[string]any{"inspector_ids": []int64{e.user(t, school).ID}}))
			}, http.StatusUnprocessableEntity, "inspector_ids"},
			{"a director naming themself, who is no supervisor", func(t *testing.T) caseResp {
				return e.call(t, "city.director", http.MethodPost, "/api/v1/cases", openBody(map[string]any{"inspector_ids": append([]int64{e.user(t, "city.director").ID}, team[1:]...)}))
			}, http.StatusUnprocessableEntity, "inspector_ids"},
			{"random binary named x.png", func(t *testing.T) caseResp {
				junk := make([]byte, 4096)
				r := rand.New(rand.NewPCG(1, 2))
				for i := range junk {
					junk[i] = byte(r.Uint32())
				}
				return e.upload(t, school, rectifying.id, "x.png", junk, map[string]string{"finding_id": strconv.FormatInt(rectifying.f1, 10)})
			}, http.StatusUnsupportedMediaType, ""},
			{"PNG magic bytes on a binary", func(t *testing.T) caseResp {
				fake := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0xde, 0xad}, 2000)...)
				return e.upload(t, school, rectifying.id, "x.png", fake, map[string]string{"finding_id": strconv.FormatInt(rectifying.f1, 10)})
			}, http.StatusUnsupportedMediaType, ""},
			{"25 MB upload", func(t *testing.T) caseResp {
				return caseUploadStream(t, e, school, rectifying.id, rectifying.f1, 25<<20)
			}, http.StatusRequestEntityTooLarge, ""},
			{"upload without a file", func(t *testing.T) caseResp {
				var b bytes.Buffer
				mw := multipart.NewWriter(&b)
				_ = mw.WriteField("note", "没有文件")
				_ = mw.Close()
				req, _ := http.NewRequest(http.MethodPost, e.srv.URL+casePath(rectifying.id, "/evidence"), &b)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				r, err := e.do(school, req)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}, http.StatusUnprocessableEntity, "file"},
			{"unknown action", func(t *testing.T) caseResp {
				return e.call(t, sup, http.MethodPost, casePath(inspecting.id, "/actions/fly"), map[string]any{})
			}, http.StatusNotFound, ""},
			{"recheck without results", func(t *testing.T) caseResp {
				return e.call(t, sup2, http.MethodPost, casePath(verifying.id, "/actions/recheck"), map[string]any{})
			}, http.StatusUnprocessableEntity, "results"},
			{"recheck with empty results", func(t *testing.T) caseResp {
				return e.call(t, sup2, http.MethodPost, casePath(verifying.id, "/actions/recheck"), map[string]any{"results": []any{}})
			}, http.StatusUnprocessableEntity, "results"},
			{"failed recheck without a new due date", func(t *testing.T) caseResp {
				return e.call(t, sup2, http.MethodPost, casePath(verifying.id, "/actions/recheck"), map[string]any{"results": []map[string]any{
					{"finding_id": verifying.f1, "passed": false, "comment": "未整改"}, {"finding_id": verifying.f2, "passed": true},
				}})
			}, http.StatusUnprocessableEntity, "results"},
			{"return without a comment", func(t *testing.T) caseResp {
				return e.call(t, "city.director", http.MethodPost, casePath(review.id, "/actions/return"), map[string]any{})
			}, http.StatusUnprocessableEntity, "comment"},
			{"cancel without a comment", func(t *testing.T) caseResp {
				return e.call(t, "city.director", http.MethodPost, casePath(inspecting.id, "/actions/cancel"), map[string]any{"comment": "  "})
			}, http.StatusUnprocessableEntity, "comment"},
			{"action with a body of the wrong shape", func(t *testing.T) caseResp {
				return e.call(t, sup2, http.MethodPost, casePath(verifying.id, "/actions/recheck"), `{"results": {"finding_id": 1}}`)
			}, http.StatusUnprocessableEntity, "results"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := e.snapshot(t)
				e.wantError(t, tc.send(t), tc.status, tc.field)
				if d := before.diff(e.snapshot(t)); d != "" {
					t.Errorf("a refused request left something behind: %s", d)
				}
			})
		}

		t.Run("file name with a path", func(t *testing.T) {
			before := e.snapshot(t)
			r := e.upload(t, school, rectifying.id, "../../etc/passwd.png", casePNG(t), map[string]string{"finding_id": strconv.FormatInt(rectifying.f1, 10)})
			e.wantError(t, r, http.StatusUnprocessableEntity, "file")
			if d := before.diff(e.snapshot(t)); d != "" {
				t.Errorf("a refused request left something behind: %s", d)
			}
		})
		t.Run("file name with a backslash path", func(t *testing.T) {
			before := e.snapshot(t)
			r := e.upload(t, school, rectifying.id, `..\..\windows\x.png`, casePNG(t), map[string]string{"finding_id": strconv.FormatInt(rectifying.f1, 10)})
			e.wantError(t, r, http.StatusUnprocessableEntity, "file")
			if d := before.diff(e.snapshot(t)); d != "" {
				t.Errorf("a refused request left something behind: %s", d)
			}
		})
	})
}

// caseUploadStream uploads a PNG padded to size bytes, written as it is sent: the body never sits in
// memory whole.
func caseUploadStream(t *testing.T, e *caseEnv, username string, id, findingID, size int64) caseResp {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	head := casePNG(t)
	go func() {
		err := func() error {
			if err := mw.WriteField("finding_id", strconv.FormatInt(findingID, 10)); err != nil {
				return err
			}
			fw, err := mw.CreateFormFile("file", "big.png")
			if err != nil {
				return err
			}
			if _, err := fw.Write(head); err != nil {
				return err
			}
			chunk := make([]byte, 64<<10)
			for left := size - int64(len(head)); left > 0; left -= int64(len(chunk)) {
				if _, err := fw.Write(chunk[:min(int64(len(chunk)), left)]); err != nil {
					return err
				}
			}
			return mw.Close()
		}()
		pw.CloseWithError(err) // nil closes normally; the server hanging up stops the writes
	}()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+casePath(id, "/evidence"), pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r, err := e.do(username, req)
	if err != nil {
		t.Fatalf("25 MB upload: %v", err)
	}
	return r
}
