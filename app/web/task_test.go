package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dudao/app/demo"
	"dudao/cmd/system/systemtest"
)

// The 督办 ledger over HTTP on both engines: a task through all its steps with the right people, the
// overdue reminder sent once per task and due date, who sees what, and the demo ledger of the plan.

type taskJSONT struct {
	ID             int64    `json:"id"`
	Status         string   `json:"status"`
	Version        int      `json:"version"`
	Percent        int      `json:"percent"`
	Overdue        bool     `json:"overdue"`
	DaysOverdue    int      `json:"days_overdue"`
	Returns        int      `json:"returns"`
	AllowedActions []string `json:"allowed_actions"`
	Reports        []struct {
		Final   bool   `json:"final"`
		Period  string `json:"period"`
		Percent int    `json:"percent"`
	} `json:"reports"`
}

func (e *caseEnv) taskStep(t *testing.T, username string, id int64, action string, body any, want int) taskJSONT {
	t.Helper()
	var out taskJSONT
	r := e.mustCall(t, username, http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/actions/%s", id, action), body, want)
	if want == http.StatusOK {
		e.decode(t, r, &out)
	}
	return out
}

func (e *caseEnv) taskGet(t *testing.T, username string, id int64) taskJSONT {
	t.Helper()
	var out taskJSONT
	e.decode(t, e.mustCall(t, username, http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", id), nil, http.StatusOK), &out)
	return out
}

func TestTaskLedgerSteps(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		const dir, school = "city.director", "school.hbw1"
		e.login(t, dir, school, "hbw.office", "school.hbw2", "auditor", "monitor", "city.supervisor", "hbw.director")
		today := e.clock.Today()
		r := e.mustCall(t, dir, http.MethodPost, "/api/v1/tasks", map[string]any{"title": "完成校舍消防设施维修改造", "source_kind": "other",
			"source_ref": "市政府专题会议", "target_org_id": e.org(t, "wuhai/hbw/s001/").ID, "due_on": string(today.AddDays(30)), "public": true}, http.StatusCreated)
		var k taskJSONT
		e.decode(t, r, &k)
		if r.Header.Get("Location") != fmt.Sprintf("/api/v1/tasks/%d", k.ID) || k.Status != "assigned" {
			t.Fatalf("assigned: %+v at %q", k, r.Header.Get("Location"))
		}
		if got := e.taskGet(t, school, k.ID); strings.Join(got.AllowedActions, ",") != "progress,report" {
			t.Errorf("the school may %v, want progress and report", got.AllowedActions)
		}
		// The district office above the school reads it but does not report for it (SPEC §1).
		if got := e.taskGet(t, "hbw.office", k.ID); len(got.AllowedActions) != 0 {
			t.Errorf("the district office may %v", got.AllowedActions)
		}
		e.wantError(t, e.call(t, "hbw.office", http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/actions/progress", k.ID),
			map[string]any{"period": "2026年3月", "text": "代报", "percent": 10}), http.StatusForbidden, "")
		e.wantError(t, e.call(t, "school.hbw2", http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", k.ID), nil), http.StatusNotFound, "")
		e.wantError(t, e.call(t, "monitor", http.MethodGet, "/api/v1/tasks", nil), http.StatusForbidden, "")
		e.mustCall(t, "auditor", http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", k.ID), nil, http.StatusOK)

		e.wantError(t, e.call(t, school, http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/actions/progress", k.ID),
			map[string]any{"period": "2026年3月", "text": "", "percent": 30}), http.StatusUnprocessableEntity, "text")
		k = e.taskStep(t, school, k.ID, "progress", map[string]any{"period": "2026年3月", "text": "已完成消防设施排查。", "percent": 30}, http.StatusOK)
		if k.Status != "in_progress" || k.Percent != 30 || len(k.Reports) != 1 {
			t.Errorf("after progress: %+v", k)
		}
		e.taskStep(t, dir, k.ID, "verify", nil, http.StatusConflict) // nothing reported yet
		k = e.taskStep(t, school, k.ID, "report", map[string]any{"text": "维修改造已完成并通过消防验收。"}, http.StatusOK)
		if k.Status != "reported" || k.Percent != 100 || !k.Reports[1].Final {
			t.Errorf("after report: %+v", k)
		}
		k = e.taskStep(t, "city.supervisor", k.ID, "verify", nil, http.StatusOK)
		e.wantError(t, e.call(t, "city.supervisor", http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/actions/accept", k.ID), nil), http.StatusForbidden, "")
		e.wantError(t, e.call(t, dir, http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/actions/return", k.ID), map[string]any{"comment": ""}),
			http.StatusUnprocessableEntity, "comment")
		k = e.taskStep(t, dir, k.ID, "return", map[string]any{"comment": "缺少消防验收意见书。"}, http.StatusOK)
		if k.Status != "returned" || k.Returns != 1 {
			t.Errorf("after return: %+v", k)
		}
		k = e.taskStep(t, school, k.ID, "report", map[string]any{"text": "已补充消防验收意见书。"}, http.StatusOK)
		k = e.taskStep(t, dir, k.ID, "verify", nil, http.StatusOK)
		k = e.taskStep(t, dir, k.ID, "accept", map[string]any{"comment": "核查属实，予以办结。", "version": k.Version}, http.StatusOK)
		if k.Status != "done" || len(k.AllowedActions) != 0 {
			t.Errorf("after accept: %+v", k)
		}
		e.taskStep(t, school, k.ID, "progress", map[string]any{"period": "4月", "text": "又一次", "percent": 100}, http.StatusConflict)
		e.wantError(t, e.call(t, dir, http.MethodPost, fmt.Sprintf("/api/v1/tasks/%d/actions/approve", k.ID), nil), http.StatusNotFound, "")
		if n := e.queryInt(t, "SELECT COUNT(*) FROM audit_events WHERE object_type = 'task' AND object_id = ?", k.ID); n != 8 {
			t.Errorf("%d audit events for the task, want 8 (create and 7 steps)", n)
		}
	})
}

// TestTaskOverdueReminder: a task the unit holds past its due date is overdue from the next day; the
// scheduler reminds the unit and the assigning office's directors once per task and due date; an
// extension reminds again when it passes.
func TestTaskOverdueReminder(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		const dir, school = "city.director", "school.hbw1"
		e.login(t, dir, school, "hbw.director", "school.hbw2")
		due := e.clock.Today().AddDays(2)
		var k taskJSONT
		e.decode(t, e.mustCall(t, dir, http.MethodPost, "/api/v1/tasks", map[string]any{"title": "报送课后服务开展情况", "target_org_id": e.org(t, "wuhai/hbw/s001/").ID,
			"due_on": string(due)}, http.StatusCreated), &k)
		acc := &accEnv{caseEnv: e, app: e.Env.App, mail: e.Mail}
		reminders := func(username string) int64 {
			return e.queryInt(t, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'task_overdue' AND link = ?",
				e.user(t, username).ID, fmt.Sprintf("/tasks/%d", k.ID))
		}
		e.clock.Set(due.Time().Add(20 * time.Hour)) // the due date itself
		acc.tick(t)
		if reminders(school) != 0 {
			t.Fatalf("reminded on the due date")
		}
		e.clock.Set(due.AddDays(1).Time().Add(9 * time.Hour))
		first, second := acc.tick(t), acc.tick(t)
		if first.OverdueTasks == 0 || first.Reminders == 0 || second.Reminders != 0 {
			t.Errorf("ticks: %+v then %+v", first, second)
		}
		for user, want := range map[string]int64{school: 1, dir: 1, "hbw.director": 0, "school.hbw2": 0} {
			if n := reminders(user); n != want {
				t.Errorf("%s has %d reminders of the task, want %d", user, n, want)
			}
		}
		if got := e.taskGet(t, school, k.ID); !got.Overdue || got.DaysOverdue != 1 {
			t.Errorf("the task: %+v, want overdue by 1 day", got)
		}
		var list struct {
			Items []taskJSONT `json:"items"`
			Total int         `json:"total"`
		}
		e.decode(t, e.mustCall(t, school, http.MethodGet, "/api/v1/tasks?overdue=true", nil, http.StatusOK), &list)
		if list.Total != 1 || list.Items[0].ID != k.ID {
			t.Errorf("the school's overdue list: %+v", list)
		}
		// An extension (a new due date) reminds again once that one passes; a report stops reminders.
		var ext taskJSONT
		e.decode(t, e.mustCall(t, dir, http.MethodPatch, fmt.Sprintf("/api/v1/tasks/%d", k.ID), map[string]any{"title": "报送课后服务开展情况",
			"due_on": string(due.AddDays(5))}, http.StatusOK), &ext)
		e.clock.Set(due.AddDays(6).Time().Add(9 * time.Hour))
		acc.tick(t)
		if n := reminders(school); n != 2 {
			t.Errorf("%d reminders after the extension passed, want 2", n)
		}
		e.taskStep(t, school, k.ID, "report", map[string]any{"text": "已报送。"}, http.StatusOK)
		e.clock.Set(due.AddDays(20).Time())
		acc.tick(t)
		if n := reminders(school); n != 2 {
			t.Errorf("a reported task reminded again: %d reminders, want still 2", n)
		}
	})
}

// TestTaskDemoLedger: the demo ledger holds the plan's 15 projects and 31 dated tasks; in March 2026
// whatever the units still hold is overdue; the pages show it.
func TestTaskDemoLedger(t *testing.T) {
	e := wrapEnv(systemtest.New(t, caseOptions)) // the clock at T0: 2 March 2026
	ce := wrapCaseEnv(e.Env)
	ce.login(t, "city.director", "wd.office")
	var list struct {
		Items []taskJSONT `json:"items"`
		Total int         `json:"total"`
	}
	ce.decode(t, ce.mustCall(t, "city.director", http.MethodGet, "/api/v1/tasks?per_page=200", nil, http.StatusOK), &list)
	status := map[string]int{}
	for _, k := range list.Items {
		status[k.Status]++
	}
	if list.Total != 46 || status["done"] != 11 || status["assigned"] != 22 || status["in_progress"] != 8 || status["reported"] != 2 ||
		status["verifying"] != 1 || status["returned"] != 2 {
		t.Errorf("demo ledger: %d tasks by status %v", list.Total, status)
	}
	ce.decode(t, ce.mustCall(t, "city.director", http.MethodGet, "/api/v1/tasks?overdue=true&per_page=200", nil, http.StatusOK), &list)
	if list.Total != 32 {
		t.Errorf("%d overdue at %s, want 32", list.Total, ce.clock.Today())
	}
	ce.decode(t, ce.mustCall(t, "wd.office", http.MethodGet, "/api/v1/tasks?per_page=200", nil, http.StatusOK), &list)
	if list.Total != 2 {
		t.Errorf("乌达区 sees %d tasks, want its 2", list.Total)
	}
	b := e.browser(t)
	b.webLogin("city.director", demo.Password)
	page := uiHTML(t, b.get("/tasks?overdue=true"), http.StatusOK)
	uiCheckPage(t, "ledger", page)
	uiWant(t, "ledger", page, "督办台账", "已逾期", "交办督办事项", "示例")
	href := regexpFind(t, page, `href="(/tasks/\d+)"`)
	show := uiHTML(t, b.get(href), http.StatusOK)
	uiCheckPage(t, href, show)
	uiWant(t, "task page", show, "责任单位", "办理期限", "进展报告")
	// A task assigned from the page lands and leads to its own page.
	form := url.Values{"title": {"开展春季校园安全大检查"}, "target_org_id": {regexpFind(t, page, `<option value="(\d+)">海勃湾区（区本级）</option>`)},
		"due_on": {"2026-04-30"}, "source_kind": {"other"}}
	made := uiFollow(t, b, "/tasks", form)
	uiWant(t, "new task", made, "开展春季校园安全大检查", "已交办")
}
