package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"dudao/domain"
)

// The 督办 ledger (督办事项, SPEC §3): tasks an office assigns to a responsible unit, reported on
// periodically (定期调度), verified when the unit says they are done, overdue like findings.

// TaskView is a task as one caller sees it.
type TaskView struct {
	Task        *domain.Task
	Allowed     []domain.TaskAction
	Overdue     bool
	DaysOverdue int
}

func (x *App) taskView(a domain.Actor, t *domain.Task) TaskView {
	now := x.d.Clock.Now()
	return TaskView{Task: t, Allowed: t.AllowedActions(a, now, func(act domain.TaskAction) bool { return x.may(a, t, act.Op()) }),
		Overdue: t.Overdue(now), DaysOverdue: t.DaysOverdue(now, x.d.Rules)}
}

// TaskInput assigns a task.
type TaskInput struct {
	Title       string
	Description string
	Source      domain.TaskSource
	TargetOrgID int64
	DueOn       domain.Date
	DueText     string
	Public      bool
	Sample      bool // demonstration data (the demo ledger)
}

// CreateTask assigns a task from the caller's office.
func (x *App) CreateTask(ctx context.Context, a domain.Actor, in TaskInput) (TaskView, error) {
	need, _ := (&domain.Task{}).Permission(domain.OpCreateTask)
	t, err := create(ctx, x, x.tasks, a, domain.OpCreateTask, need, func(ctx context.Context, now time.Time) (*domain.Task, string, error) {
		target, err := x.d.Orgs.GetOrg(ctx, in.TargetOrgID)
		if err != nil || !a.Sees(target.Path) {
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				return nil, "", err
			}
			return nil, "", domain.FieldError("督办事项信息有误。", map[string]string{"target_org_id": "责任单位不存在或不在您的管辖范围内。"})
		}
		t, err := domain.NewTask(a, domain.TaskInput{Title: in.Title, Description: in.Description, Source: in.Source, TargetOrg: target,
			DueOn: in.DueOn, DueText: in.DueText, Public: in.Public, Sample: in.Sample}, now)
		if err != nil {
			return nil, "", err
		}
		return t, t.Title, nil
	})
	if err != nil {
		return TaskView{}, err
	}
	return x.taskView(a, t), nil
}

// GetTask reads a task; out of scope is ENOTFOUND.
func (x *App) GetTask(ctx context.Context, a domain.Actor, id int64) (TaskView, error) {
	t, err := load(ctx, x, x.tasks, a, id)
	if err != nil {
		return TaskView{}, err
	}
	return x.taskView(a, t), nil
}

// ListTasks lists the ledger in the caller's scope, earliest due first.
func (x *App) ListTasks(ctx context.Context, a domain.Actor, f domain.TaskFilter) ([]TaskView, int, error) {
	f.Scopes = x.scopes(a, "task", "read")
	if len(f.Scopes) == 0 {
		return nil, 0, domain.Errorf(domain.EFORBIDDEN, "您无权查看督办事项。")
	}
	f.Today = x.Today()
	f.PerPage, f.Page = clampPage(f.PerPage, f.Page)
	list, total, err := x.d.Tasks.ListTasks(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]TaskView, len(list))
	for i := range list {
		out[i] = x.taskView(a, &list[i])
	}
	return out, total, nil
}

// TaskActInput carries a step's parameters.
type TaskActInput struct {
	Version *int
	Period  string // progress
	Text    string // progress, report
	Percent int    // progress
	Comment string // accept (optional), return (required)
	Edit    domain.TaskEditInput
}

// ActTask takes a step of a task.
func (x *App) ActTask(ctx context.Context, a domain.Actor, id int64, act domain.TaskAction, in TaskActInput) (TaskView, error) {
	if !act.Valid() {
		return TaskView{}, domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	}
	t, err := change(ctx, x, x.tasks, a, id, act.Op(), in.Version, func(_ context.Context, t *domain.Task, now time.Time) (string, error) {
		switch act {
		case domain.TaskProgress:
			_, err := t.ReportProgress(a, now, in.Period, in.Text, in.Percent)
			return fmt.Sprintf("%s %d%%", strings.TrimSpace(in.Period), in.Percent), err
		case domain.TaskReport:
			_, err := t.Report(a, now, in.Text)
			return "", err
		case domain.TaskVerify:
			return "", t.Verify(a, now)
		case domain.TaskAccept:
			return strings.TrimSpace(in.Comment), t.Accept(a, now, in.Comment)
		case domain.TaskReturn:
			return strings.TrimSpace(in.Comment), t.Return(a, now, in.Comment)
		case domain.TaskEdit:
			return string(in.Edit.DueOn), t.Edit(a, now, in.Edit)
		}
		return "", domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	})
	if err != nil {
		return TaskView{}, err
	}
	return x.taskView(a, t), nil
}

// tickTasks reminds the units holding overdue tasks, and the directors of the offices that assigned
// them, once per task and due date.
func (x *App) tickTasks(ctx context.Context, now time.Time) ([]domain.Task, error) {
	if x.d.Tasks == nil {
		return nil, nil
	}
	return x.d.Tasks.OverdueTasks(ctx, domain.DateOf(now))
}

// TaskUserNames resolves the people a task names (who assigned it, reported on it, verified and
// closed it) to their names, for a task the caller may read.
func (x *App) TaskUserNames(ctx context.Context, a domain.Actor, t *domain.Task) (map[int64]string, error) {
	if t == nil || !x.visible(a, t.Head()) {
		return nil, errTaskNotFound
	}
	ids := map[int64]bool{t.CreatedBy: true, t.ReportedBy: true, t.VerifiedBy: true, t.DoneBy: true}
	for _, r := range t.Reports {
		ids[r.By] = true
	}
	out := map[int64]string{}
	for id := range ids {
		if id == 0 {
			continue
		}
		u, err := x.d.Users.GetUser(ctx, id)
		if err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				continue
			}
			return nil, err
		}
		out[id] = u.Name
	}
	return out, nil
}
