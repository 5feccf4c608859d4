package domain

import (
	"testing"
	"time"
)

var (
	taskCity   = Org{ID: 1, Code: "wuhai", Name: "乌海市", Kind: OrgCity, Path: "wuhai/"}
	taskWD     = Org{ID: 2, Code: "wd", Name: "乌达区", Kind: OrgDistrict, Path: "wuhai/wd/"}
	taskSchool = Org{ID: 3, Code: "ycxx", Name: "乌达区永昌小学", Kind: OrgSchool, Path: "wuhai/wd/ycxx/"}
	taskOther  = Org{ID: 4, Code: "hbw", Name: "海勃湾区", Kind: OrgDistrict, Path: "wuhai/hbw/"}

	taskDirector  = Actor{UserID: 11, Org: taskCity}
	taskDirector2 = Actor{UserID: 12, Org: taskCity}
	taskOffice    = Actor{UserID: 21, Org: taskWD}
	taskOffice2   = Actor{UserID: 22, Org: taskWD}
	taskPrincipal = Actor{UserID: 31, Org: taskSchool}
)

// taskT0 is Monday 2 March 2026, 9:00 in Wuhai.
var taskT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, CST)

func newTestTask(t *testing.T, target Org) *Task {
	t.Helper()
	k, err := NewTask(taskDirector, TaskInput{Title: "乌达区永昌小学新建项目", Source: TaskSource{Kind: SourcePlanProject, Ref: "校舍建设维修项目（9项）", Line: 2839},
		TargetOrg: target, DueOn: "2026-03-31", DueText: "2026年一季度", Public: true}, taskT0)
	if err != nil {
		t.Fatalf("NewTask: %v", err)
	}
	k.ID = 4
	return k
}

// taskIn brings a fresh task (target: the district) to status st along the ordinary path.
func taskIn(t *testing.T, st TaskStatus) *Task {
	t.Helper()
	k := newTestTask(t, taskWD)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("bringing the task to %s: %v", st, err)
		}
	}
	if st == TaskAssigned {
		return k
	}
	_, err := k.ReportProgress(taskOffice, taskT0, "2026年2月", "已完成选址和立项。", 30)
	must(err)
	if st == TaskInProgress {
		return k
	}
	_, err = k.Report(taskOffice, taskT0, "主体工程完工，已投入使用。")
	must(err)
	if st == TaskReported {
		return k
	}
	if st == TaskReturned {
		must(k.Return(taskDirector, taskT0, "未附竣工验收材料。"))
		return k
	}
	must(k.Verify(taskDirector, taskT0))
	if st == TaskVerifying {
		return k
	}
	must(k.Accept(taskDirector, taskT0, "经实地核查，已投入使用。"))
	return k
}

// TestTaskTransitionTable walks every (status, action) pair: each method, called properly by the
// right person, succeeds exactly where the table says and leads where it says; elsewhere it is a 409
// that changes nothing.
func TestTaskTransitionTable(t *testing.T) {
	want := map[TaskStatus]map[TaskAction]TaskStatus{
		TaskAssigned:   {TaskProgress: TaskInProgress, TaskReport: TaskReported, TaskEdit: TaskAssigned},
		TaskInProgress: {TaskProgress: TaskInProgress, TaskReport: TaskReported, TaskEdit: TaskInProgress},
		TaskReported:   {TaskVerify: TaskVerifying, TaskReturn: TaskReturned},
		TaskVerifying:  {TaskAccept: TaskDone, TaskReturn: TaskReturned},
		TaskReturned:   {TaskProgress: TaskInProgress, TaskReport: TaskReported, TaskEdit: TaskReturned},
		TaskDone:       {},
	}
	for _, st := range TaskStatuses {
		for _, act := range TaskActions {
			to, ok := want[st][act]
			if st.Can(act) != ok {
				t.Errorf("%s.Can(%s) = %v, want %v", st, act, !ok, ok)
			}
			k := taskIn(t, st)
			v := k.Version
			var err error
			switch act {
			case TaskProgress:
				_, err = k.ReportProgress(taskOffice2, taskT0, "2026年3月", "进展。", 50)
			case TaskReport:
				_, err = k.Report(taskOffice2, taskT0, "已完成。")
			case TaskVerify:
				err = k.Verify(taskDirector2, taskT0)
			case TaskAccept:
				err = k.Accept(taskDirector2, taskT0, "")
			case TaskReturn:
				err = k.Return(taskDirector2, taskT0, "材料不全。")
			case TaskEdit:
				err = k.Edit(taskDirector2, taskT0, TaskEditInput{Title: k.Title, DueOn: "2026-06-30", Public: true})
			}
			switch {
			case ok && (err != nil || k.Status != to || k.Version != v+1):
				t.Errorf("%s --%s--> %s (v%d→%d), %v; want %s", st, act, k.Status, v, k.Version, err, to)
			case !ok && (ErrorCode(err) != ECONFLICT || k.Status != st || k.Version != v):
				t.Errorf("%s --%s--> %v, status %s; want a conflict and no change", st, act, err, k.Status)
			}
			p, found := k.Permission(act.Op())
			wantSide := AtOwner
			if act.ByTarget() {
				wantSide = AtTarget
			}
			if !found || p.Object != "task" || p.Any[0].Act != string(act) || p.Any[0].Side != wantSide {
				t.Errorf("permission of %s = %+v", act, p)
			}
		}
	}
}

func TestTaskDuties(t *testing.T) {
	// A school's task is the school's to report, not its district office's.
	k := newTestTask(t, taskSchool)
	if _, err := k.ReportProgress(taskOffice, taskT0, "2026年3月", "代报。", 10); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("the district office reported for its school: %v", err)
	}
	if _, err := k.ReportProgress(taskPrincipal, taskT0, "2026年3月", "已开工。", 10); err != nil || k.Percent != 10 {
		t.Errorf("the school reported: %v, percent %d", err, k.Percent)
	}
	if got := k.AllowedActions(taskOffice, taskT0, nil); len(got) != 1 || got[0] != TaskEdit {
		t.Errorf("district office may %v, want [edit] (the authorizer decides whether it may edit)", got)
	}
	// The author of the 落实报告 does not close the task (an office that gave the task to itself).
	self, err := NewTask(taskDirector, TaskInput{Title: "健全德育工作体系", TargetOrg: taskCity, DueOn: "2022-12-31", DueText: "2022"}, taskT0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = self.Report(taskDirector, taskT0, "已出台文件。")
	_ = self.Verify(taskDirector, taskT0)
	if err := self.Accept(taskDirector, taskT0, ""); ErrorCode(err) != EFORBIDDEN || self.Status != TaskVerifying {
		t.Errorf("the reporter accepted his own report: %v", err)
	}
	if err := self.Accept(taskDirector2, taskT0, "同意办结。"); err != nil || self.Status != TaskDone || self.DoneBy != taskDirector2.UserID {
		t.Errorf("another director accepts: %v", err)
	}
}

func TestTaskInputs(t *testing.T) {
	_, err := NewTask(taskDirector, TaskInput{Title: " ", TargetOrg: taskOther, DueOn: "2026-02-30", Source: TaskSource{Kind: "rumour"}}, taskT0)
	e, _ := err.(*Error)
	if e == nil || e.Fields["title"] == "" || e.Fields["due_on"] == "" || e.Fields["source.kind"] == "" || len(e.Fields) != 3 {
		t.Errorf("err = %v", err)
	}
	wd := Actor{UserID: 5, Org: taskWD}
	if _, err := NewTask(wd, TaskInput{Title: "越权交办", TargetOrg: taskOther, DueOn: "2026-06-30"}, taskT0); err == nil {
		t.Error("a district assigned a task to another district")
	}
	k := taskIn(t, TaskInProgress)
	if _, err := k.ReportProgress(taskOffice, taskT0, "", "进展。", 101); ErrorCode(err) != EINVALID {
		t.Errorf("period missing and 101%%: %v", err)
	}
	k = taskIn(t, TaskReported)
	if err := k.Return(taskDirector, taskT0, "  "); ErrorCode(err) != EINVALID || k.Status != TaskReported {
		t.Errorf("return without a reason: %v", err)
	}
	if err := k.Return(taskDirector, taskT0, "未附验收材料。"); err != nil || k.Returns != 1 || k.ReturnReason != "未附验收材料。" {
		t.Errorf("return: %v", err)
	}
	if len(k.Reports) != 2 || !k.Reports[1].Final || k.Reports[1].Percent != 100 || k.Reports[0].Period != "2026年2月" {
		t.Errorf("reports %+v", k.Reports)
	}
}

func TestTaskOverdue(t *testing.T) {
	r := testRules()
	due := time.Date(2026, 3, 31, 18, 0, 0, 0, CST)
	after := time.Date(2026, 4, 3, 9, 0, 0, 0, CST) // three days past 31 March
	tests := []struct {
		st      TaskStatus
		now     time.Time
		overdue bool
		days    int
	}{
		{TaskAssigned, due, false, 0}, // the due date itself is on time
		{TaskAssigned, after, true, 3},
		{TaskInProgress, after, true, 3},
		{TaskReturned, after, true, 3},
		{TaskReported, after, false, 0}, // the unit has reported; the office owes the next step
		{TaskVerifying, after, false, 0},
		{TaskDone, after, false, 0},
	}
	for _, tc := range tests {
		k := taskIn(t, tc.st)
		if got := k.Overdue(tc.now); got != tc.overdue {
			t.Errorf("%s at %s: overdue %v, want %v", tc.st, DateOf(tc.now), got, tc.overdue)
		}
		if got := k.DaysOverdue(tc.now, r); got != tc.days {
			t.Errorf("%s at %s: %d days overdue, want %d", tc.st, DateOf(tc.now), got, tc.days)
		}
	}
	k := taskIn(t, TaskInProgress)
	if k.OverdueKey() != "task-overdue:t4:2026-03-31" {
		t.Errorf("key %s", k.OverdueKey())
	}
	if err := k.Edit(taskDirector, after, TaskEditInput{Title: k.Title, DueOn: "2026-06-30", DueText: "延期至6月底"}); err != nil || k.Overdue(after) {
		t.Errorf("after an extension: %v, overdue %v", err, k.Overdue(after))
	}
	if k.OverdueKey() != "task-overdue:t4:2026-06-30" || k.TargetOrg.ID != taskWD.ID {
		t.Errorf("key after extension %s", k.OverdueKey())
	}
	late := taskIn(t, TaskInProgress)
	if _, err := late.Report(taskOffice, after, "已完成。"); err != nil || !late.ReportedLate() {
		t.Errorf("a report after the due date is late: %v", err)
	}
}

func TestTaskHead(t *testing.T) {
	k := newTestTask(t, taskSchool)
	h := k.Head()
	if h.Object != "task" || h.Version != 1 || h.Path(AtOwner) != taskCity.Path || h.Path(AtTarget) != taskSchool.Path || h.Label != "督办事项#4（乌达区永昌小学新建项目）" {
		t.Errorf("head %+v", h)
	}
	if got := k.Source.Label(); got != "规划重点工程项目·校舍建设维修项目（9项）（规划第2839行）" {
		t.Errorf("source label %s", got)
	}
}
