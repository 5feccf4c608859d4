package domain

import (
	"fmt"
	"slices"
	"time"
)

// 督办事项 (the 督查 stream of the plan, lines 3198–3215; SPEC §3): a task an office assigns to a
// responsible unit — a key project or a dated goal of the plan, or any matter it decides to press —
// kept in a ledger (台账化管理), reported on periodically (定期调度), verified when the unit says it is
// done (核查复核), and published where appropriate (阳光督办). Overdue like findings.

// TaskStatus is where a 督办事项 stands.
type TaskStatus string

const (
	TaskAssigned   TaskStatus = "assigned"    // 已交办
	TaskInProgress TaskStatus = "in_progress" // 办理中
	TaskReported   TaskStatus = "reported"    // 已报送落实报告，待核查
	TaskVerifying  TaskStatus = "verifying"   // 核查中
	TaskDone       TaskStatus = "done"        // 已办结
	TaskReturned   TaskStatus = "returned"    // 已退回，重新办理
)

// TaskStatuses lists the statuses in workflow order.
var TaskStatuses = []TaskStatus{TaskAssigned, TaskInProgress, TaskReported, TaskVerifying, TaskDone, TaskReturned}

// Valid reports whether s is a known status.
func (s TaskStatus) Valid() bool { return slices.Contains(TaskStatuses, s) }

// Label is the Chinese name of s.
func (s TaskStatus) Label() string {
	switch s {
	case TaskAssigned:
		return "已交办"
	case TaskInProgress:
		return "办理中"
	case TaskReported:
		return "待核查"
	case TaskVerifying:
		return "核查中"
	case TaskDone:
		return "已办结"
	case TaskReturned:
		return "已退回"
	}
	return string(s)
}

// WithTarget reports whether the responsible unit owes the next step: the task is assigned, in
// progress or returned. Only then can it be overdue; once the unit has reported, the office does.
func (s TaskStatus) WithTarget() bool {
	return s == TaskAssigned || s == TaskInProgress || s == TaskReturned
}

// TaskAction is a step of a 督办事项; its value is the {action} of
// POST /api/v1/tasks/{id}/actions/{action} and the casbin action name.
type TaskAction string

const (
	TaskProgress TaskAction = "progress" // 报送进展（定期调度）
	TaskReport   TaskAction = "report"   // 报送落实报告（申请办结）
	TaskVerify   TaskAction = "verify"   // 开始核查
	TaskAccept   TaskAction = "accept"   // 核查通过，办结
	TaskReturn   TaskAction = "return"   // 退回重新办理
	TaskEdit     TaskAction = "edit"     // 修改事项（名称、期限、公开）
)

// TaskActions lists the steps in workflow order; AllowedActions answers in this order.
var TaskActions = []TaskAction{TaskProgress, TaskReport, TaskVerify, TaskAccept, TaskReturn, TaskEdit}

// Valid reports whether a is a known step.
func (a TaskAction) Valid() bool { return slices.Contains(TaskActions, a) }

// Label is the Chinese verb phrase for a, as on its button.
func (a TaskAction) Label() string {
	switch a {
	case TaskProgress:
		return "报送进展"
	case TaskReport:
		return "报送落实报告"
	case TaskVerify:
		return "开始核查"
	case TaskAccept:
		return "核查通过并办结"
	case TaskReturn:
		return "退回重新办理"
	case TaskEdit:
		return "修改督办事项"
	}
	return string(a)
}

// ByTarget reports whether a is the responsible unit's step (authorised at the target, and only to
// the unit's own users); the others are the assigning office's.
func (a TaskAction) ByTarget() bool { return a == TaskProgress || a == TaskReport }

// Op is the step's name in the write path and the audit log.
func (a TaskAction) Op() Op { return Op("task." + string(a)) }

// OpCreateTask is the assignment of a new 督办事项.
const OpCreateTask Op = "task.create"

// taskTransitions is the 督办 workflow, the one table every guard consults:
//
//	assigned, in_progress, returned ──progress──▶ in_progress   (定期调度)
//	assigned, in_progress, returned ──report────▶ reported      (落实报告)
//	reported ──verify──▶ verifying ──accept──▶ done             (核查, 办结)
//	reported, verifying ──return──▶ returned                    (退回)
//
// A returned task goes back to in_progress with its next progress report (or straight to reported
// with a new 落实报告). The office edits the task while the unit holds it, not while verifying.
var taskTransitions = Machine[TaskStatus, TaskAction]{
	TaskAssigned:   {TaskProgress: TaskInProgress, TaskReport: TaskReported, TaskEdit: TaskAssigned},
	TaskInProgress: {TaskProgress: TaskInProgress, TaskReport: TaskReported, TaskEdit: TaskInProgress},
	TaskReported:   {TaskVerify: TaskVerifying, TaskReturn: TaskReturned},
	TaskVerifying:  {TaskAccept: TaskDone, TaskReturn: TaskReturned},
	TaskReturned:   {TaskProgress: TaskInProgress, TaskReport: TaskReported, TaskEdit: TaskReturned},
}

// Can reports whether a task in status s may take step a.
func (s TaskStatus) Can(a TaskAction) bool { return taskTransitions.Can(s, a) }

// taskPermissions: the unit reports at its own path; the office assigns, verifies, returns and edits
// at its path.
var taskPermissions = map[Op]Permission{
	OpCreateTask:      Need("task", "create", AtOwner, "交办督办事项"),
	TaskProgress.Op(): Need("task", "progress", AtTarget, TaskProgress.Label()),
	TaskReport.Op():   Need("task", "report", AtTarget, TaskReport.Label()),
	TaskVerify.Op():   Need("task", "verify", AtOwner, TaskVerify.Label()),
	TaskAccept.Op():   Need("task", "accept", AtOwner, TaskAccept.Label()),
	TaskReturn.Op():   Need("task", "return", AtOwner, TaskReturn.Label()),
	TaskEdit.Op():     Need("task", "edit", AtOwner, TaskEdit.Label()),
}

// TaskSourceKind says where a task comes from.
type TaskSourceKind string

const (
	SourcePlanProject TaskSourceKind = "plan_project" // 规划重点工程项目
	SourcePlanTask    TaskSourceKind = "plan_task"    // 规划目标任务（有时间节点）
	SourceOther       TaskSourceKind = "other"        // 会议、文件或领导批示交办
)

// Valid reports whether k is a known kind.
func (k TaskSourceKind) Valid() bool {
	return k == SourcePlanProject || k == SourcePlanTask || k == SourceOther
}

// Label is the Chinese name of k.
func (k TaskSourceKind) Label() string {
	switch k {
	case SourcePlanProject:
		return "规划重点工程项目"
	case SourcePlanTask:
		return "规划目标任务"
	case SourceOther:
		return "其他交办"
	}
	return string(k)
}

// TaskSource is where a task comes from: the kind, a reference in words (the project group, the
// document) and, for the plan, its line.
type TaskSource struct {
	Kind TaskSourceKind `json:"kind"`
	Ref  string         `json:"ref"`
	Line int            `json:"line,omitempty"`
}

// Label reads the source in full: 规划重点工程项目·校舍建设维修项目（9项）（规划第2751行）.
func (s TaskSource) Label() string {
	out := s.Kind.Label()
	if s.Ref != "" {
		out += "·" + s.Ref
	}
	if s.Line > 0 {
		out += fmt.Sprintf("（规划第%d行）", s.Line)
	}
	return out
}

// ProgressReport is one report of the responsible unit: a periodic progress report (定期调度) or the
// final 落实报告 asking for the task to be closed.
type ProgressReport struct {
	ID      int64
	TaskID  int64
	Final   bool
	Period  string // the 调度 period it covers: 2026年第1季度; 落实报告 for a final one
	Text    string
	Percent int // 0–100 done, as the unit reports it; 100 for a final report
	By      int64
	At      time.Time
}

// Task is one 督办事项. Its state changes only through the guarded methods below, none of which does
// I/O; each change bumps Version.
type Task struct {
	ID          int64
	Title       string
	Description string
	Source      TaskSource
	OwnerOrg    Org // the office that assigns and verifies it
	TargetOrg   Org // the responsible unit (责任单位); may be the owner's own org
	DueOn       Date
	DueText     string // the deadline as the source words it (2021秋季学期, 3年内); "" when given as a date
	Public      bool   // 阳光督办: shown on the public portal
	Sample      bool   // 示例: demonstration progress, not a real return
	Status      TaskStatus
	Version     int
	Percent     int // as last reported
	Reports     []ProgressReport

	Returns      int    // how many times the office sent it back
	ReturnReason string // the last one's reason

	CreatedBy   int64
	CreatedAt   time.Time
	ReportedBy  int64 // the author of the last 落实报告, who may not accept it
	ReportedAt  *time.Time
	VerifiedBy  int64
	VerifiedAt  *time.Time
	DoneBy      int64
	DoneAt      *time.Time
	DoneComment string
}

// Head is what the write path needs of the task.
func (t *Task) Head() Head {
	return Head{Object: "task", ID: t.ID, Version: t.Version, Label: t.Label(), Owner: t.OwnerOrg, Target: t.TargetOrg}
}

// Permission answers what step op needs of the authorizer.
func (t *Task) Permission(op Op) (Permission, bool) {
	p, ok := taskPermissions[op]
	return p, ok
}

// Label names the task for messages: 督办事项#12（乌达区永昌小学新建项目）.
func (t *Task) Label() string {
	title := []rune(t.Title)
	if len(title) > 30 {
		title = append(title[:30], '…')
	}
	if t.ID == 0 {
		return "督办事项（" + string(title) + "）"
	}
	return fmt.Sprintf("督办事项#%d（%s）", t.ID, string(title))
}

// TaskInput is a task as an office assigns it.
type TaskInput struct {
	Title       string
	Description string
	Source      TaskSource
	TargetOrg   Org
	DueOn       Date
	DueText     string
	Public      bool
	Sample      bool
}

// check trims in and reports what is wrong, keyed by JSON field.
func (in *TaskInput) check(owner Org) map[string]string {
	fields := map[string]string{}
	checkText(fields, &in.Title, "title", "督办事项名称", true, maxTitle)
	checkText(fields, &in.Description, "description", "事项说明", false, maxLongText)
	checkText(fields, &in.Source.Ref, "source.ref", "来源说明", false, maxTitle)
	checkText(fields, &in.DueText, "due_text", "期限原文", false, 50)
	if in.Source.Kind == "" {
		in.Source.Kind = SourceOther
	}
	if !in.Source.Kind.Valid() {
		fields["source.kind"] = "来源应为规划重点工程项目、规划目标任务或其他交办。"
	}
	if in.Source.Line < 0 {
		fields["source.line"] = "行号不能为负数。"
	}
	// The owner may give a task to itself (the city's 督导办 to the city's education bureau, which the
	// org tree does not separate) or to any unit within its jurisdiction.
	if in.TargetOrg.Path == "" || !owner.Path.Covers(in.TargetOrg.Path) {
		fields["target_org_id"] = "责任单位须为本单位或本单位管辖范围内的单位。"
	}
	if !in.DueOn.Valid() {
		fields["due_on"] = "办理期限为必填项，格式为YYYY-MM-DD。"
	}
	return fields
}

// NewTask assigns a task from by's org. A due date already past is accepted: the ledger records
// what the source set, and the task is then overdue from the start.
func NewTask(by Actor, in TaskInput, now time.Time) (*Task, error) {
	if fields := in.check(by.Org); len(fields) > 0 {
		return nil, FieldError("督办事项信息有误。", fields)
	}
	return &Task{Title: in.Title, Description: in.Description, Source: in.Source, OwnerOrg: by.Org, TargetOrg: in.TargetOrg,
		DueOn: in.DueOn, DueText: in.DueText, Public: in.Public, Sample: in.Sample, Status: TaskAssigned, Version: 1,
		CreatedBy: by.UserID, CreatedAt: now}, nil
}

// Check returns nil when the domain lets by take step act on the task now: the state allows it, the
// unit's steps are its own users' (not a district office's above it: SPEC §1), and whoever accepts
// the task did not write its 落实报告. Roles and jurisdictions are the authorizer's.
func (t *Task) Check(act TaskAction, by Actor, now time.Time) error {
	if !t.Status.Can(act) {
		if t.Status == TaskDone {
			return Errorf(ECONFLICT, "%s已办结，不能再%s。", t.Label(), act.Label())
		}
		return Errorf(ECONFLICT, "%s当前状态为「%s」，不能%s。", t.Label(), t.Status.Label(), act.Label())
	}
	if act.ByTarget() && by.Org.ID != t.TargetOrg.ID {
		return Errorf(EFORBIDDEN, "只有责任单位（%s）本单位的用户才能%s。", t.TargetOrg.Name, act.Label())
	}
	if act == TaskAccept && by.UserID != 0 && by.UserID == t.ReportedBy {
		return Errorf(EFORBIDDEN, "落实报告的报送人不能核查办结同一事项。")
	}
	return nil
}

// AllowedActions lists, in workflow order, the steps by may take now, like Accountability.AllowedActions.
func (t *Task) AllowedActions(by Actor, now time.Time, roleAllows func(TaskAction) bool) []TaskAction {
	return Allowed(TaskActions, func(a TaskAction) error { return t.Check(a, by, now) }, roleAllows)
}

func (t *Task) advance(act TaskAction) {
	t.Status = taskTransitions.Next(t.Status, act)
	t.Version++
}

// ReportProgress records a periodic progress report (定期调度): the period it covers, what was done,
// and how far along the task is (0–100). The result points into t; storage fills in its ID.
func (t *Task) ReportProgress(by Actor, now time.Time, period, text string, percent int) (*ProgressReport, error) {
	if err := t.Check(TaskProgress, by, now); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	checkText(fields, &period, "period", "调度期", true, 50)
	checkText(fields, &text, "text", "进展情况", true, maxLongText)
	if percent < 0 || percent > 100 {
		fields["percent"] = "完成进度应在0至100之间。"
	}
	if len(fields) > 0 {
		return nil, FieldError("进展报告有误。", fields)
	}
	return t.addReport(ProgressReport{TaskID: t.ID, Period: period, Text: text, Percent: percent, By: by.UserID, At: now}, TaskProgress), nil
}

// Report files the 落实报告: the unit says the task is done and asks the office to verify it.
func (t *Task) Report(by Actor, now time.Time, text string) (*ProgressReport, error) {
	if err := t.Check(TaskReport, by, now); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	checkText(fields, &text, "text", "落实报告", true, maxLongText)
	if len(fields) > 0 {
		return nil, FieldError("落实报告有误。", fields)
	}
	t.ReportedBy, t.ReportedAt = by.UserID, &now
	return t.addReport(ProgressReport{TaskID: t.ID, Final: true, Period: "落实报告", Text: text, Percent: 100, By: by.UserID, At: now}, TaskReport), nil
}

func (t *Task) addReport(r ProgressReport, act TaskAction) *ProgressReport {
	t.Reports = append(t.Reports, r)
	t.Percent = r.Percent
	t.advance(act)
	return &t.Reports[len(t.Reports)-1]
}

// Verify starts the office's verification (核查) of the 落实报告.
func (t *Task) Verify(by Actor, now time.Time) error {
	if err := t.Check(TaskVerify, by, now); err != nil {
		return err
	}
	t.VerifiedBy, t.VerifiedAt = by.UserID, &now
	t.advance(TaskVerify)
	return nil
}

// Accept closes the verified task (办结), with an optional comment.
func (t *Task) Accept(by Actor, now time.Time, comment string) error {
	if err := t.Check(TaskAccept, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &comment, "comment", "核查意见", false, maxText)
	if len(fields) > 0 {
		return FieldError("核查意见有误。", fields)
	}
	t.DoneBy, t.DoneAt, t.DoneComment = by.UserID, &now, comment
	t.advance(TaskAccept)
	return nil
}

// Return sends the reported task back to the unit, with the reason (required). The due date stays:
// an office that grants more time edits it.
func (t *Task) Return(by Actor, now time.Time, reason string) error {
	if err := t.Check(TaskReturn, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &reason, "comment", "退回理由", true, maxText)
	if len(fields) > 0 {
		return FieldError("请说明退回理由。", fields)
	}
	t.Returns++
	t.ReturnReason = reason
	t.advance(TaskReturn)
	return nil
}

// TaskEditInput is what the office may change of a task it has assigned. The responsible unit and
// the source stay: another unit is another task.
type TaskEditInput struct {
	Title       string
	Description string
	DueOn       Date
	DueText     string
	Public      bool
}

// Edit changes the task while the unit holds it (a new deadline is an extension: 延期).
func (t *Task) Edit(by Actor, now time.Time, in TaskEditInput) error {
	if err := t.Check(TaskEdit, by, now); err != nil {
		return err
	}
	full := TaskInput{Title: in.Title, Description: in.Description, Source: t.Source, TargetOrg: t.TargetOrg, DueOn: in.DueOn,
		DueText: in.DueText, Public: in.Public}
	if fields := full.check(t.OwnerOrg); len(fields) > 0 {
		return FieldError("督办事项信息有误。", fields)
	}
	t.Title, t.Description, t.DueOn, t.DueText, t.Public = full.Title, full.Description, full.DueOn, full.DueText, full.Public
	t.advance(TaskEdit)
	return nil
}

// Overdue reports whether the task is past its due date at now with the unit still owing the next
// step (assigned, in progress or returned), as a finding is overdue while still to be rectified.
func (t *Task) Overdue(now time.Time) bool {
	return t.Status.WithTarget() && t.DueOn.Valid() && t.DueOn.Before(DateOf(now))
}

// DaysOverdue is how many calendar days the task is overdue at now (0 when it is not), counted as
// findings' are (Rules.DaysOverdue).
func (t *Task) DaysOverdue(now time.Time, r Rules) int {
	if !t.Overdue(now) {
		return 0
	}
	return r.DaysOverdue(t.DueOn, now)
}

// ReportedLate reports whether the last 落实报告 came after the due date.
func (t *Task) ReportedLate() bool {
	return t.ReportedAt != nil && t.DueOn.Before(DateOf(*t.ReportedAt))
}

// OverdueKey identifies one reminder of an overdue task, so the scheduler sends it once per task and
// due date (a new due date after an extension reminds again).
func (t *Task) OverdueKey() string { return fmt.Sprintf("task-overdue:t%d:%s", t.ID, t.DueOn) }
