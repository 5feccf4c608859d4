package web_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"dudao/cmd/system/systemtest"
	"dudao/domain"
	"dudao/domain/domaintest"
	"dudao/storage"
)

// The acceptance tests of the case API drive dudao as the one test harness builds it, on a fresh
// database of each engine (a SQLite file, and PostgreSQL when DUDAO_TEST_PG names a server) holding the
// demo, with an injected clock that only moves when a test moves it.

// caseT0 is the clock's start: Monday 2 March 2026, 09:00 in Wuhai, a working day.
var caseT0 = systemtest.T0

// caseOptions build the case tests' environments: the demo, the clock at caseT0.
var caseOptions = systemtest.Options{Start: caseT0, Demo: true}

// caseEngines runs fn once per engine, each in a subtest of its own with a fresh database.
func caseEngines(t *testing.T, fn func(t *testing.T, e *caseEnv)) {
	systemtest.Engines(t, caseOptions, func(t *testing.T, se *systemtest.Env) { fn(t, wrapCaseEnv(se)) })
}

// caseUser is a demo user as the login answer describes it.
type caseUser = systemtest.User

// caseOrg is an org as GET /api/v1/orgs lists it.
type caseOrg = systemtest.Org

// caseEnv is one server over one fresh database.
type caseEnv struct {
	*systemtest.Env
	engine  string
	db      *storage.DB
	raw     *sql.DB // the same database, for counting rows and tampering
	srv     *httptest.Server
	http    *http.Client
	blobDir string
	clock   *domaintest.Clock
}

// caseUsernames are the sixteen demo users.
var caseUsernames = systemtest.Users

func newCaseEnv(t *testing.T, engine string) *caseEnv {
	t.Helper()
	o := caseOptions
	o.Engine = engine
	return wrapCaseEnv(systemtest.New(t, o))
}

func wrapCaseEnv(se *systemtest.Env) *caseEnv {
	return &caseEnv{Env: se, engine: se.Engine, db: se.DB, raw: se.Raw, srv: se.Srv, http: se.HTTP, blobDir: se.EvidenceDir, clock: se.Clock}
}

// login logs the given users in, a few at a time, once per env.
func (e *caseEnv) login(t testing.TB, usernames ...string) {
	t.Helper()
	e.Login(t, usernames...)
}

func (e *caseEnv) user(t testing.TB, username string) caseUser {
	t.Helper()
	return e.User(t, username)
}

func (e *caseEnv) org(t testing.TB, path string) caseOrg {
	t.Helper()
	return e.Org(t, path)
}

// caseResp is an answer with its body read.
type caseResp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r caseResp) String() string {
	b := r.Body
	if len(b) > 600 {
		b = append(b[:600:600], "…"...)
	}
	return fmt.Sprintf("%d %s", r.Status, b)
}

func respOf(r systemtest.Response) caseResp {
	if r.Response == nil {
		return caseResp{}
	}
	return caseResp{Status: r.StatusCode, Header: r.Header, Body: r.Body}
}

// send sends body (nil for none, a string or []byte as it is, anything else as JSON) as username
// ("" for nobody).
func (e *caseEnv) send(username, method, path string, body any) (caseResp, error) {
	r, err := e.Send(username, method, path, body, nil)
	return respOf(r), err
}

func (e *caseEnv) do(username string, req *http.Request) (caseResp, error) {
	req.Header.Set("Accept", "application/json")
	if username != "" {
		req.Header.Set("Authorization", "Bearer "+e.Token(username))
	}
	r, err := e.Do(req)
	return respOf(r), err
}

func (e *caseEnv) call(t testing.TB, username, method, path string, body any) caseResp {
	t.Helper()
	return respOf(e.Call(t, username, method, path, body, nil))
}

// mustCall sends the request and fails t unless the answer has status want.
func (e *caseEnv) mustCall(t testing.TB, username, method, path string, body any, want int) caseResp {
	t.Helper()
	r := e.call(t, username, method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s as %s: got %s, want %d", method, path, username, r, want)
	}
	return r
}

func (e *caseEnv) decode(t testing.TB, r caseResp, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// caseFindingJSON, caseJSON ... mirror the fixed shapes of SPEC §4.1 (and the extra fields these tests read).
type caseFindingJSON struct {
	ID          int64   `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Severity    string  `json:"severity"`
	Category    string  `json:"category"`
	Status      string  `json:"status"`
	DueOn       *string `json:"due_on"`
	Measures    []struct {
		ID                int64  `json:"id"`
		Description       string `json:"description"`
		ResponsiblePerson string `json:"responsible_person"`
		DueOn             string `json:"due_on"`
	} `json:"measures"`
	Evidence []caseEvidenceJSON `json:"evidence"`
}

type caseEvidenceJSON struct {
	ID          int64  `json:"id"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	FindingID   *int64 `json:"finding_id"`
	Reused      bool   `json:"reused"`
	Purpose     string `json:"purpose"`
	ReusedWhere string `json:"reused_where"`
}

type caseJSON struct {
	ID                int64             `json:"id"`
	Number            string            `json:"number"`
	Type              string            `json:"type"`
	Kind              string            `json:"kind"`
	Status            string            `json:"status"`
	Version           int               `json:"version"`
	OwnerOrg          caseOrg           `json:"owner_org"`
	TargetOrg         caseOrg           `json:"target_org"`
	Title             string            `json:"title"`
	InspectorIDs      []int64           `json:"inspector_ids"`
	ObjectionDeadline *string           `json:"objection_deadline"`
	Acknowledged      bool              `json:"acknowledged"`
	IssuedAt          *string           `json:"issued_at"`
	ClosedAt          *string           `json:"closed_at"`
	RecheckFailures   int               `json:"recheck_failures"`
	Findings          []caseFindingJSON `json:"findings"`
	Objections        []struct {
		ID        int64  `json:"id"`
		FindingID *int64 `json:"finding_id"`
		Text      string `json:"text"`
		Status    string `json:"status"`
		Reason    string `json:"reason"`
	} `json:"objections"`
	Rechecks []struct {
		ID        int64   `json:"id"`
		FindingID int64   `json:"finding_id"`
		Round     int     `json:"round"`
		Passed    bool    `json:"passed"`
		Comment   string  `json:"comment"`
		NewDueOn  *string `json:"new_due_on"`
	} `json:"rechecks"`
	Evidence       []caseEvidenceJSON `json:"evidence"`
	AllowedActions []string           `json:"allowed_actions"`
}

func (c caseJSON) finding(t testing.TB, id int64) caseFindingJSON {
	t.Helper()
	for _, f := range c.Findings {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("case %d has no finding %d: %+v", c.ID, id, c.Findings)
	return caseFindingJSON{}
}

// caseOf decodes a case answer.
func (e *caseEnv) caseOf(t testing.TB, r caseResp) caseJSON {
	t.Helper()
	var c caseJSON
	e.decode(t, r, &c)
	if c.ID == 0 {
		t.Fatalf("answer is not a case: %s", r)
	}
	return c
}

func (e *caseEnv) getCase(t testing.TB, username string, id int64) caseJSON {
	t.Helper()
	return e.caseOf(t, e.mustCall(t, username, http.MethodGet, casePath(id, ""), nil, http.StatusOK))
}

// act takes a transition and fails t unless the answer has status want.
func (e *caseEnv) act(t testing.TB, username string, id int64, action string, params any, want int) caseResp {
	t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	return e.mustCall(t, username, http.MethodPost, casePath(id, "/actions/"+action), params, want)
}

// wantAllowed checks the allowed_actions the case answers for username.
func (e *caseEnv) wantAllowed(t testing.TB, username string, id int64, want ...string) {
	t.Helper()
	got := e.getCase(t, username, id).AllowedActions
	if want == nil {
		want = []string{}
	}
	if got == nil || !slices.Equal(got, want) {
		t.Errorf("case %d: allowed_actions for %s = %q, want %q", id, username, got, want)
	}
}

func casePath(id int64, rest string) string {
	return "/api/v1/cases/" + strconv.FormatInt(id, 10) + rest
}

// caseAPIError is the error shape of SPEC §4.1.
type caseAPIError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// wantError checks an error answer: its status, a Chinese message and, when field is not "", that
// fields names it (with a Chinese text).
func (e *caseEnv) wantError(t testing.TB, r caseResp, status int, field string) caseAPIError {
	t.Helper()
	var ae caseAPIError
	if r.Status != status {
		t.Errorf("got %s, want status %d", r, status)
		return ae
	}
	if err := json.Unmarshal(r.Body, &ae); err != nil || ae.Error.Code == "" {
		t.Errorf("error answer %s is not {\"error\": {\"code\", \"message\"}}", r)
		return ae
	}
	if !caseHasHan(ae.Error.Message) {
		t.Errorf("error message %q has no Chinese", ae.Error.Message)
	}
	if field != "" {
		msg, ok := ae.Error.Fields[field]
		if !ok {
			t.Errorf("error fields %v do not name %q (answer %s)", ae.Error.Fields, field, r)
		} else if !caseHasHan(msg) {
			t.Errorf("error fields[%q] = %q has no Chinese", field, msg)
		}
	}
	return ae
}

func caseHasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

var casePNGSeq atomic.Int64

// casePNG is a real, tiny PNG whose pixels differ on every call, so that each upload is a new file.
func casePNG(t testing.TB) []byte {
	t.Helper()
	n := casePNGSeq.Add(1)
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		img.Set(i%3, i/3, color.NRGBA{R: byte(n >> (8 * (i % 4))), G: byte(i * 40), B: byte(n >> 32), A: 255})
	}
	img.Set(2, 1, color.NRGBA{R: byte(n), G: byte(n >> 8), B: byte(n >> 16), A: byte(n >> 24)})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload sends a multipart evidence upload: the file, and fields such as finding_id or note.
func (e *caseEnv) upload(t testing.TB, username string, id int64, filename string, content []byte, fields map[string]string) caseResp {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+casePath(id, "/evidence"), &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r, err := e.do(username, req)
	if err != nil {
		t.Fatalf("upload to case %d as %s: %v", id, username, err)
	}
	return r
}

// uploadPNG uploads a fresh PNG to a finding (0: to the case) and fails t unless it is stored.
func (e *caseEnv) uploadPNG(t testing.TB, username string, id, findingID int64) caseEvidenceJSON {
	t.Helper()
	fields := map[string]string{}
	if findingID != 0 {
		fields["finding_id"] = strconv.FormatInt(findingID, 10)
	}
	r := e.upload(t, username, id, "photo.png", casePNG(t), fields)
	if r.Status != http.StatusCreated {
		t.Fatalf("upload to case %d as %s: got %s, want 201", id, username, r)
	}
	var ev caseEvidenceJSON
	e.decode(t, r, &ev)
	return ev
}

// rebind writes ? placeholders as PostgreSQL wants them.
func (e *caseEnv) rebind(q string) string {
	if e.engine != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (e *caseEnv) exec(t testing.TB, q string, args ...any) int64 {
	t.Helper()
	res, err := e.raw.Exec(e.rebind(q), args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *caseEnv) queryInt(t testing.TB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.raw.QueryRow(e.rebind(q), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// caseSnapshot is everything a refused request must leave as it was: the rows of the case tables,
// the sum of the cases' versions, the audit log's length, the numbering counters and the blob files.
type caseSnapshot struct {
	counts [10]int64
	blobs  string
}

const caseSnapshotSQL = `SELECT
	(SELECT COUNT(*) FROM cases), (SELECT COALESCE(SUM(version), 0) FROM cases),
	(SELECT COUNT(*) FROM findings), (SELECT COUNT(*) FROM measures), (SELECT COUNT(*) FROM evidence),
	(SELECT COUNT(*) FROM objections), (SELECT COUNT(*) FROM rechecks), (SELECT COUNT(*) FROM audit_events),
	(SELECT COUNT(*) FROM case_inspectors), (SELECT COALESCE(SUM(last_seq), 0) FROM case_counters)`

var caseSnapshotNames = [10]string{"cases", "sum(cases.version)", "findings", "measures", "evidence",
	"objections", "rechecks", "audit_events", "case_inspectors", "sum(case_counters.last_seq)"}

func (e *caseEnv) snapshot(t testing.TB) caseSnapshot {
	t.Helper()
	return e.snapshotOf(t, e.blobDir)
}

// snapshotOf counts the rows and lists the files under dir: the whole blob dir, or only its tmp where
// a request cannot have stored a file (walking hundreds of stored files around every request is slow).
func (e *caseEnv) snapshotOf(t testing.TB, dir string) caseSnapshot {
	t.Helper()
	var s caseSnapshot
	c := &s.counts
	if err := e.raw.QueryRow(caseSnapshotSQL).Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9]); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	s.blobs = strings.Join(e.filesUnder(t, dir), "\n")
	return s
}

// blobFiles lists every file under the blob dir, its tmp included.
func (e *caseEnv) blobFiles(t testing.TB) []string {
	t.Helper()
	return e.filesUnder(t, e.blobDir)
}

func (e *caseEnv) filesUnder(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(e.blobDir, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk blob dir: %v", err)
	}
	slices.Sort(files)
	return files
}

// diff describes how b differs from a, or "" when it does not.
func (a caseSnapshot) diff(b caseSnapshot) string {
	var out []string
	for i := range a.counts {
		if a.counts[i] != b.counts[i] {
			out = append(out, fmt.Sprintf("%s %d→%d", caseSnapshotNames[i], a.counts[i], b.counts[i]))
		}
	}
	if a.blobs != b.blobs {
		out = append(out, fmt.Sprintf("blob files [%s]→[%s]", a.blobs, b.blobs))
	}
	return strings.Join(out, ", ")
}

// caseTarget is where a case is aimed and who works it: the owner's supervisor (who opens it and is
// its inspector) and director, and a user of the target org itself.
type caseTarget struct {
	name      string
	path      string // the target org's path
	typ       string // school | government
	opener    string
	director  string
	rectifier string
}

// caseBuilt is a case brought to a state by caseEnv.build, with the ids of its parts. Part ids are 0
// when the case has no such part yet.
type caseBuilt struct {
	target             caseTarget
	id                 int64
	status             string
	ownerOrgID         int64
	ownerPath          string
	targetOrgID        int64
	targetPath         string
	inspectorID        int64
	f1, f2             int64 // f1 major, f2 minor; f2 is objected to in feedback (rejected later)
	o1                 int64
	o1Status           string
	e1                 int64 // a case-level photo taken while inspecting
	acknowledged       bool
	reviewSubmittedBy  int64
	rectSubmittedBy    int64
	rectificationReady bool // every open finding has a measure and a file
}

// caseStates are the states build can reach, in workflow order.
var caseStates = []string{"planned", "inspecting", "feedback", "review", "rectifying", "verifying"}

// build opens a case for tg and takes it along the ordinary path to state: two findings and a photo
// while inspecting; in feedback the target objects to f2; the director rejects that objection, the
// target acknowledges and the report goes to review; the director issues it; the target adds a
// measure to f1 (rectifying, not yet complete), then completes and submits (verifying). The clock
// moves a second after every write, so that times are ordered.
func (e *caseEnv) build(t testing.TB, tg caseTarget, state string) caseBuilt {
	t.Helper()
	e.login(t, tg.opener, tg.director, tg.rectifier)
	tick := func() { e.clock.Advance(time.Second) }
	op := e.user(t, tg.opener)
	target := e.org(t, tg.path)
	c := e.caseOf(t, e.mustCall(t, tg.opener, http.MethodPost, "/api/v1/cases", e.unannounced(map[string]any{
		"type": tg.typ, "kind": "special", "target_org_id": target.ID, "title": "专项督导：" + target.Name,
		"inspector_ids": e.team(t, tg.opener), "planned_on": string(e.clock.Today().AddDays(1)),
	}), http.StatusCreated))
	tick()
	b := caseBuilt{target: tg, id: c.ID, status: "planned", ownerOrgID: c.OwnerOrg.ID, ownerPath: c.OwnerOrg.Path,
		targetOrgID: c.TargetOrg.ID, targetPath: c.TargetOrg.Path, inspectorID: op.ID}
	if c.OwnerOrg.ID != op.Org.ID || c.TargetOrg.Path != tg.path {
		t.Fatalf("case %d: owner %+v, target %+v; want the opener's org and %s", c.ID, c.OwnerOrg, c.TargetOrg, tg.path)
	}
	if state == "planned" {
		return b
	}
	e.act(t, tg.opener, b.id, "start", nil, http.StatusOK)
	tick()
	for _, f := range []struct{ title, sev string }{{"安全管理制度未落实", "major"}, {"课后服务台账不全", "minor"}} {
		c = e.caseOf(t, e.mustCall(t, tg.opener, http.MethodPost, casePath(b.id, "/findings"),
			map[string]any{"title": f.title, "description": "现场查看发现。", "severity": f.sev}, http.StatusCreated))
		tick()
	}
	b.f1, b.f2 = c.Findings[0].ID, c.Findings[1].ID
	b.e1 = e.uploadPNG(t, tg.opener, b.id, 0).ID
	tick()
	b.status = "inspecting"
	if state == "inspecting" {
		return b
	}
	e.act(t, tg.opener, b.id, "submit_preliminary", nil, http.StatusOK)
	tick()
	c = e.caseOf(t, e.mustCall(t, tg.rectifier, http.MethodPost, casePath(b.id, "/objections"),
		map[string]any{"finding_id": b.f2, "text": "台账已于督导前补齐，请核实。"}, http.StatusCreated))
	tick()
	b.o1, b.o1Status, b.status = c.Objections[0].ID, "pending", "feedback"
	if state == "feedback" {
		return b
	}
	e.mustCall(t, tg.director, http.MethodPost, casePath(b.id, fmt.Sprintf("/objections/%d/ruling", b.o1)),
		map[string]any{"upheld": false, "reason": "经核实，台账仍不完整。"}, http.StatusOK)
	tick()
	e.act(t, tg.rectifier, b.id, "acknowledge", nil, http.StatusOK)
	tick()
	e.act(t, tg.opener, b.id, "submit_for_review", nil, http.StatusOK)
	tick()
	b.o1Status, b.acknowledged, b.reviewSubmittedBy, b.status = "rejected", true, op.ID, "review"
	if state == "review" {
		return b
	}
	e.act(t, tg.director, b.id, "issue", nil, http.StatusOK)
	tick()
	e.mustCall(t, tg.rectifier, http.MethodPost, casePath(b.id, fmt.Sprintf("/findings/%d/measures", b.f1)), caseMeasure(e.clock.Today()), http.StatusCreated)
	tick()
	b.status = "rectifying"
	if state == "rectifying" {
		return b
	}
	e.uploadPNG(t, tg.rectifier, b.id, b.f1)
	tick()
	e.mustCall(t, tg.rectifier, http.MethodPost, casePath(b.id, fmt.Sprintf("/findings/%d/measures", b.f2)), caseMeasure(e.clock.Today()), http.StatusCreated)
	tick()
	e.uploadPNG(t, tg.rectifier, b.id, b.f2)
	tick()
	e.act(t, tg.rectifier, b.id, "submit_rectification", nil, http.StatusOK)
	tick()
	b.rectSubmittedBy, b.status = e.user(t, tg.rectifier).ID, "verifying"
	if state != "verifying" {
		t.Fatalf("build: unknown state %q", state)
	}
	return b
}

// caseMeasure is a valid measure due ten days after today.
func caseMeasure(today domain.Date) map[string]any {
	return map[string]any{"description": "完善制度并组织全员培训。", "responsible_person": "王校长", "responsible_unit": "校办", "due_on": string(today.AddDays(10))}
}

// team is a 专项/综合 team of three led by opener (R7): the opener and two demo supervisors who are not
// among the users the matrix sends requests as.
func (e *caseEnv) team(t testing.TB, opener string) []int64 {
	t.Helper()
	mates := systemtest.Teammates(opener)
	e.login(t, append([]string{opener}, mates...)...)
	ids := []int64{e.user(t, opener).ID}
	for _, m := range mates {
		ids = append(ids, e.user(t, m).ID)
	}
	return ids
}

// unannounced marks the body of a case to open as a 四不两直 visit (R47), which needs no 督导通知.
func (e *caseEnv) unannounced(body map[string]any) map[string]any {
	for k, v := range systemtest.Unannounced {
		body[k] = v
	}
	return body
}
