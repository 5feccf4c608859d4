package domain

import (
	"strings"
	"testing"
	"time"
)

// TestReminderKeys: a reminder's key names its occasion (the finding and its due date, the submission),
// never the time of the pass, so that running the scheduler again reminds nobody twice; a new due date
// after a failed recheck is a new occasion.
func TestReminderKeys(t *testing.T) {
	r := testRules()
	f := OverdueFinding{CaseID: 5, CaseNumber: "乌督学〔2026〕1号", FindingID: 50, Title: "消防通道堵塞", Severity: SeverityCritical,
		DueOn: "2026-03-01", OwnerOrg: accCity, TargetOrg: accSchool}
	a := OverdueMessage(f, time.Date(2026, 3, 2, 9, 0, 0, 0, CST), r)
	b := OverdueMessage(f, time.Date(2026, 3, 9, 9, 0, 0, 0, CST), r)
	if a.Key != b.Key || a.Key != "overdue:f50:2026-03-01" {
		t.Errorf("keys %q and %q, want the same, naming the finding and due date", a.Key, b.Key)
	}
	if !strings.Contains(a.Body, "已逾期1日") || !strings.Contains(b.Body, "已逾期8日") || a.Link != "/cases/5" || *a.CaseID != 5 {
		t.Errorf("messages: %+v / %+v", a, b)
	}
	f.DueOn = "2026-04-01"
	if OverdueMessage(f, time.Date(2026, 4, 2, 9, 0, 0, 0, CST), r).Key == a.Key {
		t.Error("a new due date must be a new occasion")
	}
	sub := time.Date(2026, 3, 1, 10, 0, 0, 0, CST)
	l := LateRecheckMessage(LateRecheck{CaseID: 5, CaseNumber: "乌督学〔2026〕1号", OwnerOrg: accCity, TargetOrg: accSchool, SubmittedAt: sub}, r)
	if l.Key != LateRecheckMessage(LateRecheck{CaseID: 5, SubmittedAt: sub}, r).Key || !strings.Contains(l.Body, "2026-03-16") {
		t.Errorf("late recheck: %+v", l)
	}
	m := NoticedMessage(&Accountability{ID: 9, Proceeding: Proceeding{TargetOrg: accSchool}, NoticeText: "告知。", StatementDeadline: ptrTime(Date("2026-03-10").Time())})
	if m.Key != "acc_noticed:9" || !strings.Contains(m.Body, "2026-03-09") || m.Link != "/accountability/9" {
		t.Errorf("notice message: %+v", m)
	}
	for _, k := range []NotificationKind{NotifyFindingOverdue, NotifyRecheckLate, NotifyAccProposed, NotifyAccStale, NotifyAccNoticed, NotifyAccStatement, NotifyAccDecided} {
		if k.Label() == string(k) {
			t.Errorf("kind %s has no label", k)
		}
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

// TestAudiences: the school and its supervisors (the owner's directors and supervisors, the case's
// inspectors, the district office above a school); a district target has no district office above it.
func TestAudiences(t *testing.T) {
	a := SupervisingAudience(5, accCity, accSchool)
	if len(a.Holders) != 2 || a.Holders[0] != (RoleAt{RoleDirector, accCity.ID}) || a.Holders[1] != (RoleAt{RoleSupervisor, accCity.ID}) ||
		len(a.Inspectors) != 1 || a.Inspectors[0] != 5 || len(a.Covering) != 1 || a.Covering[0] != (RoleOver{RoleDistrictOffice, accSchool.Path}) {
		t.Errorf("school case: %+v", a)
	}
	if g := SupervisingAudience(6, accCity, accDist); len(g.Covering) != 0 {
		t.Errorf("district case: %+v", g)
	}
	if m := TargetAudience(accSchool); len(m.Members) != 1 || m.Members[0] != accSchool.ID {
		t.Errorf("target: %+v", m)
	}
	if d := DirectorAudience(accDist); len(d.Covering) != 1 || d.Covering[0] != (RoleOver{RoleDirector, accDist.Path}) {
		t.Errorf("directors: %+v", d)
	}
}
