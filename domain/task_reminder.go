package domain

import "fmt"

// Reminders of the 督办 ledger: a task overdue is pressed like a finding overdue (SPEC §3), once per
// task and due date (Task.OverdueKey), to the responsible unit's own users and to the assigning
// office's directors, who press it (督促整改).

// TaskOverdueAudience is who hears of an overdue task: those at the responsible unit who report on
// it (its school or district office users; for a task of the office's own org, its supervisors) and
// the directors of the assigning office. Not everyone who sits at the unit: a city's admin, monitor
// or auditor has no task to do.
func TaskOverdueAudience(t *Task) Audience {
	u := t.TargetOrg.ID
	return Audience{Holders: []RoleAt{{RoleSchool, u}, {RoleDistrictOffice, u}, {RoleSupervisor, u}, {RoleDirector, t.OwnerOrg.ID}}}
}

// TaskOverdueMessage reminds of an overdue task.
func TaskOverdueMessage(t *Task, days int) Message {
	// The due date is the one the office set (or the plan's words worked out), not a count of
	// working days, so it is shown as it is.
	due := string(t.DueOn)
	if t.DueText != "" {
		due += "（" + t.DueText + "）"
	}
	return Message{
		Kind:  NotifyTaskOverdue,
		Title: fmt.Sprintf("督办事项逾期：%s", t.Title),
		Body: fmt.Sprintf("%s由%s负责办理，办理期限为%s，已逾期%d日，当前状态为「%s」。请%s尽快办理并报送落实报告。",
			t.Label(), t.TargetOrg.Name, due, days, t.Status.Label(), t.TargetOrg.Name),
		Link: fmt.Sprintf("/tasks/%d", t.ID),
		Key:  t.OverdueKey(),
	}
}
