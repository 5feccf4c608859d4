package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/cmd/system/systemtest"
	"dudao/domain"
)

// The deadline, escalation and accountability tests drive the real router, use cases, policy and a
// freshly migrated database with the demo loaded (SQLite, and PostgreSQL when DUDAO_TEST_PG names a
// server), moving an injected clock forward and running the scheduler pass by pass.

// accEnv is a caseEnv with the app itself, for running the scheduler, and the harness's recording
// mailer.
type accEnv struct {
	*caseEnv
	app  *app.App
	mail *systemtest.Mailer
}

// accEngines runs fn once per engine, each in a subtest of its own with a fresh database.
func accEngines(t *testing.T, fn func(t *testing.T, e *accEnv)) {
	caseEngines(t, func(t *testing.T, ce *caseEnv) { fn(t, &accEnv{caseEnv: ce, app: ce.Env.App, mail: ce.Mail}) })
}

func accNewEnv(t *testing.T, engine string) *accEnv {
	t.Helper()
	ce := newCaseEnv(t, engine)
	return &accEnv{caseEnv: ce, app: ce.Env.App, mail: ce.Mail}
}

// tick runs one scheduler pass and fails t on an error.
func (e *accEnv) tick(t *testing.T) app.TickReport {
	t.Helper()
	rep, err := e.app.Tick(context.Background())
	if err != nil {
		t.Fatalf("Tick: %v", err)
	}
	return rep
}

// accJSON mirrors the accountability answer.
type accJSON struct {
	ID         int64   `json:"id"`
	TargetType string  `json:"target_type"`
	TargetOrg  caseOrg `json:"target_org"`
	OwnerOrg   caseOrg `json:"owner_org"`
	CaseID     *int64  `json:"case_id"`
	FindingID  *int64  `json:"finding_id"`
	Trigger    string  `json:"trigger"`
	Cause      string  `json:"cause"`
	Facts      string  `json:"facts"`
	Status     string  `json:"status"`
	Version    int     `json:"version"`
	ProposedBy int64   `json:"proposed_by"`
	LastDay    *string `json:"statement_last_day"`
	Statement  string  `json:"statement_text"`
	Form       string  `json:"form"`
	Effective  *string `json:"effective_on"`
	Interviews []struct {
		HeldOn    string `json:"held_on"`
		Attendees string `json:"attendees"`
	} `json:"interviews"`
	Flags struct {
		Aggravating bool     `json:"aggravating"`
		Reasons     []string `json:"aggravating_reasons"`
		Stale       bool     `json:"stale"`
	} `json:"flags"`
	AllowedActions []string `json:"allowed_actions"`
}

type accList struct {
	Items   []accJSON `json:"items"`
	Total   int       `json:"total"`
	Page    int       `json:"page"`
	PerPage int       `json:"per_page"`
}

type accNotification struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Title  string `json:"title"`
	Link   string `json:"link"`
	CaseID *int64 `json:"case_id"`
	Read   bool   `json:"read"`
}

type accInbox struct {
	Items  []accNotification `json:"items"`
	Total  int               `json:"total"`
	Unread int               `json:"unread"`
}

func (e *accEnv) acc(t *testing.T, username string, id int64) accJSON {
	t.Helper()
	var a accJSON
	e.decode(t, e.mustCall(t, username, http.MethodGet, accPath(id, ""), nil, http.StatusOK), &a)
	return a
}

func accPath(id int64, rest string) string {
	return "/api/v1/accountability/" + strconv.FormatInt(id, 10) + rest
}

func (e *accEnv) inbox(t *testing.T, username string) accInbox {
	t.Helper()
	var in accInbox
	e.decode(t, e.mustCall(t, username, http.MethodGet, "/api/v1/notifications?per_page=200", nil, http.StatusOK), &in)
	return in
}

// countFor counts username's notifications of kind about the case.
func (in accInbox) countFor(kind string, caseID int64) int {
	n := 0
	for _, x := range in.Items {
		if x.Kind == kind && x.CaseID != nil && *x.CaseID == caseID {
			n++
		}
	}
	return n
}

// accIssuedCase opens a case on the target with one critical finding and takes it to rectifying:
// the supervisor inspects, the target acknowledges, the director issues. It returns the case and
// finding ids and the finding's due date.
func (e *accEnv) accIssuedCase(t *testing.T, targetPath, supervisor, director, rectifier string) (int64, int64, domain.Date) {
	t.Helper()
	e.login(t, supervisor, director, rectifier)
	target := e.org(t, targetPath)
	c := e.caseOf(t, e.mustCall(t, supervisor, http.MethodPost, "/api/v1/cases", e.unannounced(map[string]any{
		"type": "school", "kind": "special", "target_org_id": target.ID, "title": "校园安全专项督导：" + target.Name,
		"inspector_ids": e.team(t, supervisor),
	}), http.StatusCreated))
	e.act(t, supervisor, c.ID, "start", nil, http.StatusOK)
	c = e.caseOf(t, e.mustCall(t, supervisor, http.MethodPost, casePath(c.ID, "/findings"),
		map[string]any{"title": "消防通道堵塞", "description": "教学楼东侧消防通道堆放杂物。", "severity": "critical", "category": "校园安全"}, http.StatusCreated))
	fid := c.Findings[0].ID
	e.act(t, supervisor, c.ID, "submit_preliminary", nil, http.StatusOK)
	e.act(t, rectifier, c.ID, "acknowledge", nil, http.StatusOK)
	e.act(t, supervisor, c.ID, "submit_for_review", nil, http.StatusOK)
	c = e.caseOf(t, e.act(t, director, c.ID, "issue", nil, http.StatusOK))
	f := c.finding(t, fid)
	if c.Status != "rectifying" || f.DueOn == nil {
		t.Fatalf("issued case: status %s, due %v", c.Status, f.DueOn)
	}
	return c.ID, fid, domain.Date(*f.DueOn)
}

// TestAccDeadlinesToDecision: time runs forward over an issued case with a critical finding. Before the
// due date nothing happens; after it each person concerned is reminded once however often the
// scheduler runs; past the threshold 问责 is proposed exactly once; a director takes it through the
// notice, the target's statement and the decision, which then refuses every change; the inbox shows
// the reminders and the audit chain still verifies.
func TestAccDeadlinesToDecision(t *testing.T) {
	accEngines(t, func(t *testing.T, e *accEnv) {
		const school, supervisor, director = "school.hbw1", "city.supervisor", "city.director"
		e.login(t, school, supervisor, director, "hbw.office", "hbw.director", "school.hbw2", "auditor", "city.supervisor2")
		schoolPath := e.user(t, school).Org.Path
		// The school's user wants reminders by email too.
		e.mustCall(t, school, http.MethodPut, "/api/v1/notifications/email", map[string]string{"email": "principal@hbw1.example"}, http.StatusOK)
		caseID, findingID, due := e.accIssuedCase(t, schoolPath, supervisor, director, school)
		if want := e.clock.Today().AddDays(7); due != want {
			t.Fatalf("critical finding due %s, want %s (7 days, rules.json)", due, want)
		}
		countAcc := func() int64 {
			return e.queryInt(t, "SELECT COUNT(*) FROM accountabilities WHERE case_id = ?", caseID)
		}
		remindersFor := func() map[int64]int64 {
			rows, err := e.raw.Query(e.rebind("SELECT user_id, COUNT(*) FROM notifications WHERE case_id = ? AND kind = 'finding_overdue' GROUP BY user_id"), caseID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[int64]int64{}
			for rows.Next() {
				var u, n int64
				if err := rows.Scan(&u, &n); err != nil {
					t.Fatal(err)
				}
				out[u] = n
			}
			return out
		}

		// On the due date itself: nothing is overdue yet.
		e.clock.Set(due.Time().Add(20 * time.Hour))
		e.tick(t)
		if got := remindersFor(); len(got) != 0 || countAcc() != 0 {
			t.Fatalf("on the due date: reminders %v, proposals %d; want none", got, countAcc())
		}

		// The day after: one reminder per person, however often the scheduler runs.
		e.clock.Set(due.AddDays(1).Time().Add(9 * time.Hour))
		first := e.tick(t)
		second := e.tick(t)
		if first.Reminders == 0 || second.Reminders != 0 || second.Proposals != 0 {
			t.Errorf("ticks: first %+v, second %+v; want reminders only from the first", first, second)
		}
		got := remindersFor()
		want := map[string]bool{school: true, supervisor: true, director: true, "hbw.office": true}
		for name := range want {
			if n := got[e.user(t, name).ID]; n != 1 {
				t.Errorf("%s has %d overdue reminders for the case, want 1", name, n)
			}
		}
		for _, name := range []string{"school.hbw2", "hbw.director", "auditor"} {
			if n := got[e.user(t, name).ID]; n != 0 {
				t.Errorf("%s has %d overdue reminders for the case, want 0", name, n)
			}
		}
		for u, n := range got {
			if n != 1 {
				t.Errorf("user %d has %d reminders for one finding, want 1", u, n)
			}
		}
		// The school was told of the preliminary opinion and the 意见书 too; of the overdue finding once.
		var mails []domain.Mail
		for _, m := range e.mail.To("principal@hbw1.example") {
			if strings.Contains(m.Body, fmt.Sprintf("/cases/%d）", caseID)) && strings.Contains(m.Subject, "逾期未整改") {
				mails = append(mails, m)
			}
		}
		if len(mails) != 1 {
			t.Errorf("overdue emails to the school about the case: %+v, want one reminder", mails)
		}
		if countAcc() != 0 {
			t.Errorf("1 day overdue: %d proposals, want none until more than 15 days", countAcc())
		}

		// 15 days overdue: still no proposal; 16 days: exactly one, however often the scheduler runs.
		e.clock.Set(due.AddDays(15).Time().Add(9 * time.Hour))
		e.tick(t)
		if countAcc() != 0 {
			t.Errorf("15 days overdue: %d proposals, want 0", countAcc())
		}
		e.clock.Set(due.AddDays(16).Time().Add(9 * time.Hour))
		if rep := e.tick(t); rep.Proposals < 1 {
			t.Errorf("16 days overdue: %+v, want a proposal", rep)
		}
		e.tick(t)
		e.tick(t)
		if n := countAcc(); n != 1 {
			t.Fatalf("16 days overdue after three passes: %d proposals, want exactly 1", n)
		}
		if n := remindersFor()[e.user(t, school).ID]; n != 1 {
			t.Errorf("the school has %d overdue reminders after more passes, want still 1", n)
		}
		accID := e.queryInt(t, "SELECT id FROM accountabilities WHERE case_id = ?", caseID)
		a := e.acc(t, director, accID)
		if a.Status != "proposed" || a.Cause != "overdue" || a.ProposedBy != 0 || a.FindingID == nil || *a.FindingID != findingID ||
			a.TargetOrg.Path != schoolPath || a.OwnerOrg.Path != "wuhai/" || a.Trigger != "safety_refusal" {
			t.Errorf("proposal: %+v", a)
		}
		if !slices.Equal(a.AllowedActions, []string{"edit", "notice", "drop"}) {
			t.Errorf("director's steps on a proposal = %v, want [edit notice drop]", a.AllowedActions)
		}
		if n := e.inbox(t, director); n.countFor("accountability_proposed", caseID) != 1 {
			t.Errorf("director has %d proposal notices, want 1", n.countFor("accountability_proposed", caseID))
		}
		// Until the written notice the proposal is the supervision side's (R56): neither the school nor
		// its district office reads it; another school does not either.
		for _, u := range []string{school, "hbw.office", "school.hbw2"} {
			e.wantError(t, e.call(t, u, http.MethodGet, accPath(accID, ""), nil), http.StatusNotFound, "")
		}

		// Notice: the school may make its statement within the window.
		a = e.acc(t, director, accID)
		e.wantError(t, e.call(t, director, http.MethodPost, accPath(accID, "/actions/notice"), map[string]any{"notice_text": " "}), http.StatusUnprocessableEntity, "notice_text")
		e.wantError(t, e.call(t, supervisor, http.MethodPost, accPath(accID, "/actions/notice"), map[string]any{"notice_text": "告知。"}), http.StatusForbidden, "")
		e.decode(t, e.mustCall(t, director, http.MethodPost, accPath(accID, "/actions/notice"),
			map[string]any{"notice_text": "经查，你校消防通道堵塞问题逾期未整改，拟予以约谈。", "version": a.Version}, http.StatusOK), &a)
		if a.Status != "noticed" || a.LastDay == nil {
			t.Fatalf("after notice: %+v", a)
		}
		if e.inbox(t, school).countFor("accountability_noticed", caseID) != 1 {
			t.Error("the school was not told of the notice")
		}
		// Now the school reads it, with its statement to make.
		if s := e.acc(t, school, accID); !slices.Equal(s.AllowedActions, []string{"statement"}) {
			t.Errorf("school's steps on the noticed record = %v, want [statement]", s.AllowedActions)
		}
		decision := map[string]any{"situation": "该校为海勃湾区公办小学。", "facts": "消防通道堵塞，逾期16日未整改。",
			"legal_basis": "《教育督导条例》第二十五条；《教育督导问责办法》第六条", "form": "约谈", "effective_on": string(e.clock.Today())}
		e.wantError(t, e.call(t, director, http.MethodPost, accPath(accID, "/actions/decide"), decision), http.StatusConflict, "")
		e.wantError(t, e.call(t, supervisor, http.MethodPost, accPath(accID, "/actions/decide"), decision), http.StatusForbidden, "")
		e.wantError(t, e.call(t, "hbw.director", http.MethodPost, accPath(accID, "/actions/decide"), decision), http.StatusForbidden, "")
		e.wantError(t, e.call(t, "hbw.office", http.MethodPost, accPath(accID, "/actions/statement"), map[string]any{"text": "代为申辩。"}), http.StatusForbidden, "")
		e.wantError(t, e.call(t, "school.hbw2", http.MethodPost, accPath(accID, "/actions/statement"), map[string]any{"text": "申辩。"}), http.StatusNotFound, "")
		e.clock.Advance(time.Hour)
		e.decode(t, e.mustCall(t, school, http.MethodPost, accPath(accID, "/actions/statement"),
			map[string]any{"text": "杂物已清理，因施工延误，请从轻处理。"}, http.StatusOK), &a)
		if a.Statement == "" || a.Status != "noticed" {
			t.Errorf("after the statement: %+v", a)
		}
		e.wantError(t, e.call(t, school, http.MethodPost, accPath(accID, "/actions/statement"), map[string]any{"text": "再次申辩。"}), http.StatusConflict, "")

		// The decision: every field is required, the form must fit the object.
		bad := e.wantError(t, e.call(t, director, http.MethodPost, accPath(accID, "/actions/decide"), map[string]any{"form": "处分"}), http.StatusUnprocessableEntity, "form")
		for _, f := range []string{"situation", "facts", "legal_basis", "effective_on"} {
			if bad.Error.Fields[f] == "" {
				t.Errorf("empty decision: fields %v do not name %s", bad.Error.Fields, f)
			}
		}
		e.decode(t, e.mustCall(t, director, http.MethodPost, accPath(accID, "/actions/decide"), decision, http.StatusOK), &a)
		if a.Status != "decided" || a.Form != "约谈" || a.Effective == nil || *a.Effective != string(e.clock.Today()) {
			t.Fatalf("after the decision: %+v", a)
		}
		// Still unrectified after the 问责: aggravating (R54).
		if !a.Flags.Aggravating || len(a.Flags.Reasons) == 0 {
			t.Errorf("decided with the finding still open: flags %+v, want aggravating", a.Flags)
		}

		// The decision is immutable: every change is 409, and nothing changes.
		before := e.queryInt(t, "SELECT version FROM accountabilities WHERE id = ?", accID)
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPatch, accPath(accID, ""), map[string]any{"trigger": "duty", "facts": "改写。"}},
			{http.MethodPost, accPath(accID, "/actions/decide"), map[string]any{"situation": "新", "facts": "新", "legal_basis": "新", "form": "公开批评", "effective_on": string(e.clock.Today())}},
			{http.MethodPost, accPath(accID, "/actions/notice"), map[string]any{"notice_text": "再次告知。"}},
			{http.MethodPost, accPath(accID, "/actions/drop"), map[string]any{"reason": "撤销。"}},
		} {
			e.wantError(t, e.call(t, director, r.method, r.path, r.body), http.StatusConflict, "")
		}
		e.wantError(t, e.call(t, supervisor, http.MethodPatch, accPath(accID, ""), map[string]any{"trigger": "duty", "facts": "改写。"}), http.StatusConflict, "")
		if after := e.queryInt(t, "SELECT version FROM accountabilities WHERE id = ?", accID); after != before {
			t.Errorf("refused edits moved the version %d -> %d", before, after)
		}

		// The 约谈 is recorded; the decision is published.
		e.decode(t, e.mustCall(t, director, http.MethodPost, accPath(accID, "/interviews"),
			map[string]any{"held_on": string(e.clock.Today()), "attendees": "校长、分管安全副校长、督学", "minutes": "指出问题，限期三日内整改。"}, http.StatusCreated), &a)
		if len(a.Interviews) != 1 || a.Form != "约谈" || a.Status != "decided" {
			t.Errorf("after the interview: %+v", a)
		}
		e.decode(t, e.mustCall(t, director, http.MethodPost, accPath(accID, "/actions/publish"), map[string]any{}, http.StatusOK), &a)
		if a.Status != "published" {
			t.Errorf("after publishing: %s", a.Status)
		}
		if e.inbox(t, school).countFor("accountability_decided", caseID) != 1 {
			t.Error("the school was not told of the decision")
		}

		// The inbox: the caller's own, unread first; reading one and then all.
		in := e.inbox(t, school)
		if in.countFor("finding_overdue", caseID) != 1 || in.Unread < 3 {
			t.Fatalf("school inbox: %+v", in)
		}
		for i := 1; i < len(in.Items); i++ {
			if in.Items[i-1].Read && !in.Items[i].Read {
				t.Fatalf("inbox not unread first: %+v", in.Items)
			}
		}
		nid := in.Items[0].ID
		e.wantError(t, e.call(t, "school.hbw2", http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/read", nid), map[string]any{}), http.StatusNotFound, "")
		var n accNotification
		e.decode(t, e.mustCall(t, school, http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/read", nid), map[string]any{}, http.StatusOK), &n)
		if !n.Read {
			t.Errorf("marked read: %+v", n)
		}
		if after := e.inbox(t, school); after.Unread != in.Unread-1 {
			t.Errorf("unread %d after reading one of %d", after.Unread, in.Unread)
		}
		e.mustCall(t, school, http.MethodPost, "/api/v1/notifications/read-all", map[string]any{}, http.StatusOK)
		if after := e.inbox(t, school); after.Unread != 0 || after.Total != in.Total {
			t.Errorf("after read-all: %d unread of %d, want 0 of %d", after.Unread, after.Total, in.Total)
		}

		// Every write had its event; the scheduler's are the system's; the chain verifies.
		if n := e.queryInt(t, "SELECT COUNT(*) FROM audit_events WHERE action = 'accountability.propose' AND actor_id = 0 AND object_id = ?", accID); n != 1 {
			t.Errorf("%d system proposal events, want 1", n)
		}
		if n := e.queryInt(t, "SELECT COUNT(*) FROM audit_events WHERE action = 'scheduler.remind' AND object_type = 'case' AND object_id = ?", caseID); n != 1 {
			t.Errorf("%d reminder events for the case, want 1 (one reminder occasion)", n)
		}
		for _, act := range []string{"notice", "statement", "decide", "interview", "publish"} {
			if n := e.queryInt(t, "SELECT COUNT(*) FROM audit_events WHERE action = ? AND object_id = ?", "accountability."+act, accID); n != 1 {
				t.Errorf("%d accountability.%s events, want 1", n, act)
			}
		}
		if id, reason, err := e.db.Verify(context.Background()); err != nil || id != 0 {
			t.Errorf("audit chain: broken at %d (%s), %v", id, reason, err)
		}
	})
}

// TestAccSendBacksAndLateRecheck: a case sent back by recheck twice is proposed for 问责 once; a
// rectification left unrechecked past its period reminds the supervision office once.
func TestAccSendBacksAndLateRecheck(t *testing.T) {
	e := accNewEnv(t, "sqlite")
	const school, supervisor, director, checker = "school.hbw2", "city.supervisor", "city.director", "city.supervisor2"
	e.login(t, school, supervisor, director, checker)
	caseID, fid, _ := e.accIssuedCase(t, e.user(t, school).Org.Path, supervisor, director, school)
	submit := func() {
		t.Helper()
		e.clock.Advance(time.Minute)
		m := caseMeasure(e.clock.Today())
		m["late_reason"] = "杂物需联系外单位清运，须晚于整改期限完成。" // the critical finding is due in 7 days
		e.mustCall(t, school, http.MethodPost, casePath(caseID, fmt.Sprintf("/findings/%d/measures", fid)), m, http.StatusCreated)
		e.uploadPNG(t, school, caseID, fid)
		e.act(t, school, caseID, "submit_rectification", nil, http.StatusOK)
	}
	fail := func() {
		t.Helper()
		e.clock.Advance(time.Minute)
		e.act(t, checker, caseID, "recheck", map[string]any{"results": []map[string]any{{"finding_id": fid, "passed": false,
			"comment": "通道仍有杂物。", "new_due_on": string(e.clock.Today().AddDays(30))}}}, http.StatusOK)
	}
	submit()
	// Sixteen days without recheck (15 allowed): the office is reminded, once.
	e.clock.Advance(16 * 24 * time.Hour)
	e.tick(t)
	e.tick(t)
	late := e.queryInt(t, "SELECT COUNT(*) FROM notifications WHERE case_id = ? AND kind = 'recheck_late' AND user_id = ?", caseID, e.user(t, supervisor).ID)
	if late != 1 {
		t.Errorf("supervisor has %d late-recheck reminders, want 1", late)
	}
	if n := e.queryInt(t, "SELECT COUNT(*) FROM notifications WHERE case_id = ? AND kind = 'recheck_late' AND user_id = ?", caseID, e.user(t, school).ID); n != 0 {
		t.Errorf("the school got %d late-recheck reminders; it is the office's delay", n)
	}
	fail()
	e.tick(t)
	if n := e.queryInt(t, "SELECT COUNT(*) FROM accountabilities WHERE case_id = ? AND cause = 'send_backs'", caseID); n != 0 {
		t.Errorf("one send-back: %d proposals, want 0", n)
	}
	submit()
	fail()
	e.tick(t)
	e.tick(t)
	if n := e.queryInt(t, "SELECT COUNT(*) FROM accountabilities WHERE case_id = ? AND cause = 'send_backs' AND finding_id IS NULL AND status = 'proposed'", caseID); n != 1 {
		t.Errorf("two send-backs: %d proposals, want exactly 1", n)
	}
}

// TestAccRolesOverHTTP: only supervisors propose, only a director over the handling office decides,
// schools see their own records only, the auditor reads everything in scope, and lists are scoped.
func TestAccRolesOverHTTP(t *testing.T) {
	e := accNewEnv(t, "sqlite")
	users := []string{"city.supervisor", "city.director", "hbw.director", "hbw.supervisor", "hbw.office", "school.hbw1", "school.hbw2",
		"school.wd1", "wd.office", "auditor", "monitor", "admin"}
	e.login(t, users...)
	hbw1 := e.user(t, "school.hbw1").Org
	propose := map[string]any{"target_type": "unit", "target_org_id": hbw1.ID, "trigger": "conduct", "facts": "违规组织有偿补课，经查属实。"}
	for _, u := range []string{"city.director", "school.hbw1", "hbw.office", "auditor", "monitor", "admin"} {
		e.wantError(t, e.call(t, u, http.MethodPost, "/api/v1/accountability", propose), http.StatusForbidden, "")
	}
	bad := e.wantError(t, e.call(t, "city.supervisor", http.MethodPost, "/api/v1/accountability",
		map[string]any{"target_type": "unit", "target_org_id": hbw1.ID, "trigger": "overdue"}), http.StatusUnprocessableEntity, "trigger")
	if bad.Error.Fields["facts"] == "" {
		t.Errorf("missing facts not named: %v", bad.Error.Fields)
	}
	// A person needs a name.
	e.wantError(t, e.call(t, "city.supervisor", http.MethodPost, "/api/v1/accountability",
		map[string]any{"target_type": "person", "target_org_id": hbw1.ID, "trigger": "conduct", "facts": "x"}), http.StatusUnprocessableEntity, "person_name")
	list := func(u string) accList {
		var l accList
		e.decode(t, e.mustCall(t, u, http.MethodGet, "/api/v1/accountability?per_page=200", nil, http.StatusOK), &l)
		return l
	}
	ids := func(l accList) []int64 {
		var out []int64
		for _, x := range l.Items {
			out = append(out, x.ID)
		}
		return out
	}
	before := map[string][]int64{} // the demo's records each one lists
	for _, u := range []string{"school.hbw1", "school.hbw2", "hbw.office", "hbw.supervisor", "auditor"} {
		before[u] = ids(list(u))
	}
	// sameIDs reports whether a list holds exactly want (in any order).
	sameIDs := func(l accList, want []int64) bool {
		got, w := ids(l), slices.Clone(want)
		slices.Sort(got)
		slices.Sort(w)
		return l.Total == len(w) && slices.Equal(got, w)
	}
	var a accJSON
	e.decode(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/accountability", propose, http.StatusCreated), &a)
	if a.Status != "proposed" || a.OwnerOrg.Path != "wuhai/" || a.Cause != "manual" {
		t.Fatalf("proposal: %+v", a)
	}
	var p accJSON
	e.decode(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/accountability",
		map[string]any{"target_type": "person", "target_org_id": e.user(t, "school.hbw2").Org.ID, "person_name": "李四", "person_title": "副校长",
			"trigger": "conduct", "facts": "违规收费。"}, http.StatusCreated), &p)
	// A district supervisor proposes within the district only.
	e.wantError(t, e.call(t, "hbw.supervisor", http.MethodPost, "/api/v1/accountability",
		map[string]any{"target_type": "unit", "target_org_id": e.user(t, "school.wd1").Org.ID, "trigger": "conduct", "facts": "x"}), http.StatusUnprocessableEntity, "target_org_id")

	// Reading: in scope or 404; before the notice, the supervision side only (R56).
	for _, u := range []string{"city.director", "city.supervisor", "hbw.director", "hbw.supervisor", "auditor"} {
		e.mustCall(t, u, http.MethodGet, accPath(a.ID, ""), nil, http.StatusOK)
	}
	for _, u := range []string{"hbw.office", "school.hbw1", "school.hbw2", "school.wd1", "wd.office", "monitor", "admin"} {
		e.wantError(t, e.call(t, u, http.MethodGet, accPath(a.ID, ""), nil), http.StatusNotFound, "")
	}
	e.wantError(t, e.call(t, "school.hbw1", http.MethodGet, accPath(p.ID, ""), nil), http.StatusNotFound, "")
	e.wantError(t, e.call(t, "auditor", http.MethodGet, accPath(999999, ""), nil), http.StatusNotFound, "")
	// Before any notice the new proposals are the supervision side's: the schools and their district
	// office list what they listed before (the demo's noticed records about them), nothing new.
	for _, u := range []string{"school.hbw1", "school.hbw2", "hbw.office"} {
		l := list(u)
		if !sameIDs(l, before[u]) {
			t.Errorf("%s lists %v before any notice, want what it listed before: %v", u, ids(l), before[u])
		}
		for _, x := range l.Items {
			if u != "hbw.office" && x.TargetOrg.ID != e.user(t, u).Org.ID {
				t.Errorf("%s lists 问责#%d about %s", u, x.ID, x.TargetOrg.Name)
			}
		}
	}
	if l := list("hbw.supervisor"); !sameIDs(l, append(slices.Clone(before["hbw.supervisor"]), a.ID, p.ID)) {
		t.Errorf("hbw.supervisor lists %v, want the demo's %v and both proposals in the district", ids(l), before["hbw.supervisor"])
	}
	if l := list("auditor"); l.Total != len(before["auditor"])+2 || l.PerPage != 200 || l.Page != 1 {
		t.Errorf("auditor lists %+v, want the demo's %d records and both new ones", l, len(before["auditor"]))
	}
	for _, u := range []string{"school.wd1", "monitor", "admin"} {
		if l := list(u); l.Total != 0 || l.Items == nil {
			t.Errorf("%s lists %+v, want an empty list", u, l)
		}
	}
	e.wantError(t, e.call(t, "auditor", http.MethodGet, "/api/v1/accountability?status=bogus", nil), http.StatusUnprocessableEntity, "status")

	// Only a director over the handling office takes the office's steps; the auditor changes nothing.
	notice := map[string]any{"notice_text": "拟对你校予以公开批评。"}
	for _, u := range []string{"city.supervisor", "hbw.director", "auditor"} {
		e.wantError(t, e.call(t, u, http.MethodPost, accPath(a.ID, "/actions/notice"), notice), http.StatusForbidden, "")
	}
	for _, u := range []string{"school.hbw1", "hbw.office"} { // they do not know of it yet
		e.wantError(t, e.call(t, u, http.MethodPost, accPath(a.ID, "/actions/notice"), notice), http.StatusNotFound, "")
	}
	e.mustCall(t, "city.director", http.MethodPost, accPath(a.ID, "/actions/notice"), notice, http.StatusOK)
	e.wantError(t, e.call(t, "city.director", http.MethodPost, accPath(a.ID, "/actions/bogus"), map[string]any{}), http.StatusNotFound, "")
	// Noticed, the record is the school's and its district office's to read and list; the other
	// proposal, not noticed, stays hidden from its school.
	for _, u := range []string{"school.hbw1", "hbw.office"} {
		e.mustCall(t, u, http.MethodGet, accPath(a.ID, ""), nil, http.StatusOK)
		if l := list(u); !sameIDs(l, append(slices.Clone(before[u]), a.ID)) {
			t.Errorf("%s lists %v after the notice, want %v and %d", u, ids(l), before[u], a.ID)
		}
	}
	if l := list("school.hbw2"); !sameIDs(l, before["school.hbw2"]) {
		t.Errorf("school.hbw2 lists %v, want only what it listed before (%v): its proposal is not noticed", ids(l), before["school.hbw2"])
	}
	// After the window (5 working days) the director decides without a statement.
	e.clock.Advance(10 * 24 * time.Hour)
	dec := map[string]any{"situation": "情况", "facts": "事实", "legal_basis": "依据", "form": "公开批评", "effective_on": string(e.clock.Today())}
	for _, u := range []string{"city.supervisor", "hbw.director", "auditor", "school.hbw1"} {
		e.wantError(t, e.call(t, u, http.MethodPost, accPath(a.ID, "/actions/decide"), dec), http.StatusForbidden, "")
	}
	e.mustCall(t, "city.director", http.MethodPost, accPath(a.ID, "/actions/decide"), dec, http.StatusOK)
	// A stale version is refused.
	e.wantError(t, e.call(t, "city.director", http.MethodPost, accPath(a.ID, "/actions/publish"), map[string]any{"version": 1}), http.StatusConflict, "")

	// Incentives: supervisors propose, directors decide; schools read their own.
	var inc struct {
		ID             int64    `json:"id"`
		Status         string   `json:"status"`
		AllowedActions []string `json:"allowed_actions"`
	}
	e.wantError(t, e.call(t, "school.hbw1", http.MethodPost, "/api/v1/incentives", map[string]any{"kind": "commendation", "target_org_id": hbw1.ID, "reason": "自荐。"}), http.StatusForbidden, "")
	e.decode(t, e.mustCall(t, "city.supervisor", http.MethodPost, "/api/v1/incentives",
		map[string]any{"kind": "commendation", "target_org_id": hbw1.ID, "reason": "整改迅速，成效明显。"}, http.StatusCreated), &inc)
	e.wantError(t, e.call(t, "school.hbw2", http.MethodGet, fmt.Sprintf("/api/v1/incentives/%d", inc.ID), nil), http.StatusNotFound, "")
	e.mustCall(t, "school.hbw1", http.MethodGet, fmt.Sprintf("/api/v1/incentives/%d", inc.ID), nil, http.StatusOK)
	e.wantError(t, e.call(t, "city.supervisor", http.MethodPost, fmt.Sprintf("/api/v1/incentives/%d/actions/decide", inc.ID), map[string]any{"decision": "表彰。"}), http.StatusForbidden, "")
	e.wantError(t, e.call(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/incentives/%d/actions/decide", inc.ID), map[string]any{}), http.StatusUnprocessableEntity, "decision")
	e.decode(t, e.mustCall(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/incentives/%d/actions/decide", inc.ID),
		map[string]any{"decision": "授予2026年度督导整改先进单位。"}, http.StatusOK), &inc)
	if inc.Status != "decided" || !slices.Equal(inc.AllowedActions, []string{"publish"}) {
		t.Errorf("decided incentive: %+v", inc)
	}
	e.wantError(t, e.call(t, "city.director", http.MethodPost, fmt.Sprintf("/api/v1/incentives/%d/actions/drop", inc.ID), map[string]any{"reason": "撤回。"}), http.StatusConflict, "")
	var incs struct {
		Items []accAny `json:"items"`
		Total int      `json:"total"`
	}
	e.decode(t, e.mustCall(t, "school.hbw2", http.MethodGet, "/api/v1/incentives", nil, http.StatusOK), &incs)
	if incs.Total != 0 {
		t.Errorf("school.hbw2 lists %d incentives of another school", incs.Total)
	}
	// The report reads the same tables: the decided 问责 and incentive count for the school.
	if n := e.queryInt(t, "SELECT COUNT(*) FROM accountabilities WHERE target_org_id = ? AND status = 'decided' AND decided_at IS NOT NULL", hbw1.ID); n != 1 {
		t.Errorf("%d decided rows for the report, want 1", n)
	}
}

type accAny = map[string]any

// accBrowser is a browser on the env's server that signs in through the login form.
func (e *accEnv) accBrowser(t *testing.T, username string) *browser {
	t.Helper()
	b := wrapEnv(e.Env).browser(t)
	b.webLogin(username, demo.Password)
	return b
}

// accPageCSRF reads the CSRF field of a page.
func accPageCSRF(t *testing.T, r response) string {
	t.Helper()
	m := csrfField.FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no _csrf field on the page:\n%s", r.Body)
	}
	return string(m[1])
}

// TestAccPages: the inbox and the 问责 pages render for who may see them, and the due-process steps
// work as forms (with the CSRF field) for who may act.
func TestAccPages(t *testing.T) {
	e := accNewEnv(t, "sqlite")
	e.login(t, "city.supervisor", "city.director", "school.hbw1")
	schoolPath := e.user(t, "school.hbw1").Org.Path
	caseID, _, due := e.accIssuedCase(t, schoolPath, "city.supervisor", "city.director", "school.hbw1")
	e.clock.Set(due.AddDays(16).Time().Add(9 * time.Hour))
	e.tick(t)
	accID := e.queryInt(t, "SELECT id FROM accountabilities WHERE case_id = ?", caseID)

	school := e.accBrowser(t, "school.hbw1")
	r := school.get("/notifications")
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), "逾期未整改") || !strings.Contains(string(r.Body), `name="_csrf"`) {
		t.Fatalf("school inbox: %d\n%s", r.StatusCode, r.Body)
	}
	if strings.Contains(string(r.Body), "style=") || strings.Contains(string(r.Body), "<script>") {
		t.Error("the inbox carries inline style or script, which the CSP forbids")
	}
	tok := accPageCSRF(t, r)
	if r := school.post("/notifications/read-all", url.Values{"_csrf": {tok}}, nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("read all: %s", r)
	}
	if in := e.inbox(t, "school.hbw1"); in.Unread != 0 {
		t.Errorf("after read-all through the page: %d unread", in.Unread)
	}
	if r := school.post("/notifications/read-all", url.Values{}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("read all without the CSRF token: %d, want 403", r.StatusCode)
	}
	// Before the notice the school neither opens nor lists the proposal (R56).
	if r := school.get(fmt.Sprintf("/accountability/%d", accID)); r.StatusCode != http.StatusNotFound {
		t.Fatalf("school's page of a proposal not yet noticed: %d, want 404", r.StatusCode)
	}
	if r := school.get("/accountability"); r.StatusCode != http.StatusOK || strings.Contains(string(r.Body), fmt.Sprintf(`href="/accountability/%d"`, accID)) {
		t.Fatalf("school's list before the notice: %d, the proposal listed or no page", r.StatusCode)
	}

	director := e.accBrowser(t, "city.director")
	r = director.get("/accountability")
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), fmt.Sprintf(`href="/accountability/%d"`, accID)) {
		t.Fatalf("director's list: %d\n%s", r.StatusCode, r.Body)
	}
	r = director.get(fmt.Sprintf("/accountability/%d", accID))
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), fmt.Sprintf(`action="/accountability/%d/actions/notice"`, accID)) {
		t.Fatalf("director's record page lacks the notice form: %d\n%s", r.StatusCode, r.Body)
	}
	tok = accPageCSRF(t, r)
	// A refused form comes back with the message beside the field.
	r = director.post(fmt.Sprintf("/accountability/%d/actions/notice", accID), url.Values{"_csrf": {tok}, "notice_text": {" "}}, nil)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "告知书内容") {
		t.Errorf("empty notice: %d", r.StatusCode)
	}
	r = director.post(fmt.Sprintf("/accountability/%d/actions/notice", accID), url.Values{"_csrf": {tok}, "notice_text": {"拟予以约谈。"}}, nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("notice through the page: %s", r)
	}
	if a := e.acc(t, "city.director", accID); a.Status != "noticed" {
		t.Errorf("after the page's notice: %s", a.Status)
	}
	// Now the school lists it and has the statement form, without the office's forms.
	if r := school.get("/accountability"); !strings.Contains(string(r.Body), fmt.Sprintf(`href="/accountability/%d"`, accID)) {
		t.Errorf("the school's list lacks the noticed record")
	}
	r = school.get(fmt.Sprintf("/accountability/%d", accID))
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), fmt.Sprintf(`action="/accountability/%d/actions/statement"`, accID)) ||
		strings.Contains(string(r.Body), "/actions/notice") {
		t.Errorf("the school's page of the noticed record: %d, want the statement form only", r.StatusCode)
	}
	// The decided record shows the decision and, for a 约谈, the interview form.
	if r := director.get(fmt.Sprintf("/accountability/%d", accID)); !strings.Contains(string(r.Body), "方可作出问责决定") ||
		strings.Contains(string(r.Body), "/actions/decide") {
		t.Errorf("within the window the director's page should explain why there is no decision form")
	}
	e.mustCall(t, "school.hbw1", http.MethodPost, accPath(accID, "/actions/statement"), map[string]any{"text": "已整改。"}, http.StatusOK)
	if r := director.get(fmt.Sprintf("/accountability/%d", accID)); r.StatusCode != http.StatusOK ||
		!strings.Contains(string(r.Body), fmt.Sprintf(`action="/accountability/%d/actions/decide"`, accID)) || !strings.Contains(string(r.Body), "已整改。") {
		t.Errorf("after the statement the director's page should show it and the decision form: %d", r.StatusCode)
	}
	e.mustCall(t, "city.director", http.MethodPost, accPath(accID, "/actions/decide"), map[string]any{"situation": "情况", "facts": "事实",
		"legal_basis": "依据", "form": "约谈", "effective_on": string(e.clock.Today())}, http.StatusOK)
	r = director.get(fmt.Sprintf("/accountability/%d", accID))
	if body := string(r.Body); r.StatusCode != http.StatusOK || !strings.Contains(body, "决定一经作出不可更改") ||
		!strings.Contains(body, fmt.Sprintf(`action="/accountability/%d/interviews"`, accID)) || strings.Contains(body, "/actions/drop") {
		t.Errorf("decided record page: %d\n%s", r.StatusCode, body)
	}
	// An incentive proposed through the page.
	sup := e.accBrowser(t, "city.supervisor")
	r = sup.get("/accountability")
	if !strings.Contains(string(r.Body), `action="/accountability/incentives"`) || !strings.Contains(string(r.Body), `action="/accountability"`) {
		t.Fatalf("the supervisor's list lacks the proposal forms")
	}
	r = sup.post("/accountability/incentives", url.Values{"_csrf": {accPageCSRF(t, r)}, "kind": {"commendation"},
		"target_org_id": {strconv.FormatInt(e.user(t, "school.hbw1").Org.ID, 10)}, "reason": {"整改迅速。"}}, nil)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/accountability/incentives/") {
		t.Fatalf("incentive through the page: %s", r)
	}
	if r := sup.get(r.Header.Get("Location")); r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), "整改迅速。") {
		t.Errorf("incentive page: %d", r.StatusCode)
	}
	// Out of scope is 404 on pages too.
	other := e.accBrowser(t, "school.hbw2")
	if r := other.get(fmt.Sprintf("/accountability/%d", accID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("another school's record page: %d, want 404", r.StatusCode)
	}
}
