package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

// The monitoring tables' keys: a framework's (code, version), an observation's (org, indicator,
// year), a proposal's key are each taken once, on both engines; what is stored reads back.
func TestMonitoringKeys(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			city := mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
			hbw := mustOrg(t, ctx, db, "hbw", "海勃湾区", domain.OrgDistrict, &city)
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
			tx := func(fn func(ctx context.Context) error) error { return db.WithinTx(ctx, fn) }

			pass := 8.0
			f := &domain.Framework{Code: "fw", Name: "测试", Version: 1, AppliesTo: domain.Applicability{Type: domain.CaseSchool,
				Kinds: []domain.CaseKind{domain.KindRoutine, domain.KindSpecial}}, PassMark: 60, Status: domain.FwDraft, OwnerOrg: city, Revision: 1, CreatedAt: now,
				Items: []domain.FrameworkItem{{Code: "1", Title: "甲", Weight: 100, MaxScore: 10, PassScore: &pass, Veto: true}}}
			if err := tx(func(ctx context.Context) error { return db.CreateFramework(ctx, f) }); err != nil {
				t.Fatal(err)
			}
			again := *f
			wantCode(t, tx(func(ctx context.Context) error { return db.CreateFramework(ctx, &again) }), domain.ECONFLICT)
			got, err := db.GetFramework(ctx, f.ID)
			if err != nil || got.Code != "fw" || got.OwnerOrg.ID != city.ID || len(got.AppliesTo.Kinds) != 2 || *got.Items[0].PassScore != 8 || !got.Items[0].Veto {
				t.Fatalf("framework round trip: %+v, %v", got, err)
			}
			got.Status, got.Revision = domain.FwPublished, 2
			wantCode(t, tx(func(ctx context.Context) error { return db.SaveFramework(ctx, got, 7) }), domain.ECONFLICT)
			if err := tx(func(ctx context.Context) error { return db.SaveFramework(ctx, got, 1) }); err != nil {
				t.Fatal(err)
			}

			o := &domain.Observation{IndicatorCode: "compulsory_retention_rate", Org: hbw, Year: 2023, Value: 96.4, Source: "手工填报", EnteredAt: now, Version: 1}
			if err := tx(func(ctx context.Context) error { return db.CreateObservation(ctx, o) }); err != nil {
				t.Fatal(err)
			}
			dup := *o
			wantCode(t, tx(func(ctx context.Context) error { return db.CreateObservation(ctx, &dup) }), domain.ECONFLICT)
			batch := []*domain.Observation{
				{IndicatorCode: "compulsory_retention_rate", Org: hbw, Year: 2024, Value: 96.8, EnteredAt: now, Version: 1, Sample: true},
				{IndicatorCode: "compulsory_retention_rate", Org: city, Year: 2024, Value: 96.7, EnteredAt: now, Version: 1},
			}
			if err := tx(func(ctx context.Context) error { return db.CreateObservations(ctx, batch) }); err != nil || batch[0].ID == 0 || batch[1].ID == 0 {
				t.Fatalf("batch: %v %+v", err, batch)
			}
			found, err := db.FindObservations(ctx, domain.ObservationQuery{Orgs: []domain.Jurisdiction{hbw.Path}, From: 2020, To: 2025})
			if err != nil || len(found) != 2 || found[0].Year != 2023 || found[1].Value != 96.8 || !found[1].Sample || found[0].Org.Path != hbw.Path {
				t.Fatalf("find: %+v %v", found, err)
			}
			all, err := db.FindObservations(ctx, domain.ObservationQuery{Every: true, Codes: []string{"compulsory_retention_rate"}, From: 2024, To: 2024})
			if err != nil || len(all) != 2 {
				t.Fatalf("every org: %+v %v", all, err)
			}
			list, total, err := db.ListObservations(ctx, domain.ObservationFilter{Scopes: []domain.Jurisdiction{hbw.Path}, PerPage: 1})
			if err != nil || total != 2 || len(list) != 1 || list[0].Year != 2023 {
				t.Fatalf("list in hbw: %+v %d %v", list, total, err)
			}

			p := &domain.CaseProposal{Key: "monitoring:x:wuhai/hbw/:2023", IndicatorCode: "x", Year: 2023, Title: "甲", Facts: "乙", OwnerOrg: city,
				TargetOrg: hbw, Status: domain.ProposalOpen, Version: 1, ProposedAt: now}
			if err := tx(func(ctx context.Context) error { return db.CreateCaseProposal(ctx, p) }); err != nil {
				t.Fatal(err)
			}
			p2 := *p
			wantCode(t, tx(func(ctx context.Context) error { return db.CreateCaseProposal(ctx, &p2) }), domain.ECONFLICT)
			taken, err := db.CaseProposalKeys(ctx, []string{p.Key, "other"})
			if err != nil || !taken[p.Key] || taken["other"] {
				t.Fatalf("keys: %v %v", taken, err)
			}
			ps, n, err := db.ListCaseProposals(ctx, domain.CaseProposalFilter{Scopes: []domain.Jurisdiction{hbw.Path}, Status: domain.ProposalOpen})
			if err != nil || n != 1 || ps[0].TargetOrg.ID != hbw.ID {
				t.Fatalf("proposals in hbw: %+v %d %v", ps, n, err)
			}

			task, err := domain.NewTask(domain.Actor{UserID: 1, Org: city}, domain.TaskInput{Title: "任务", TargetOrg: hbw, DueOn: "2026-03-01"}, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := tx(func(ctx context.Context) error { return db.CreateTask(ctx, task) }); err != nil {
				t.Fatal(err)
			}
			if _, err := task.ReportProgress(domain.Actor{UserID: 2, Org: hbw}, now, "2026年第1季度", "进展", 40); err != nil {
				t.Fatal(err)
			}
			if err := tx(func(ctx context.Context) error { return db.SaveTask(ctx, task, 1) }); err != nil {
				t.Fatal(err)
			}
			wantCode(t, tx(func(ctx context.Context) error { return db.SaveTask(ctx, task, 1) }), domain.ECONFLICT)
			back, err := db.GetTask(ctx, task.ID)
			if err != nil || back.Status != domain.TaskInProgress || len(back.Reports) != 1 || back.Reports[0].Percent != 40 || back.Percent != 40 {
				t.Fatalf("task round trip: %+v %v", back, err)
			}
			over, err := db.OverdueTasks(ctx, "2026-03-02")
			if err != nil || len(over) != 1 || over[0].ID != task.ID {
				t.Fatalf("overdue: %+v %v", over, err)
			}
			if over, _ := db.OverdueTasks(ctx, "2026-03-01"); len(over) != 0 {
				t.Errorf("overdue on the due date: %+v", over)
			}
		})
	}
}

// TestMonitoringListPlans reads SQLite's plans of the lists: each page is read in the order of an
// index (no temporary B-tree to sort), so a page does not sort everything in scope.
func TestMonitoringListPlans(t *testing.T) {
	db := openTestDBs(t)[0].use(t)
	dry := db.gorm.Session(&gorm.Session{DryRun: true})
	scope := []domain.Jurisdiction{"wuhai/hbw/"}
	plan := func(name string, q *gorm.DB) string {
		stmt := q.Statement
		var rows []struct {
			ID, Parent, Notused int
			Detail              string
		}
		if err := db.gorm.Raw("EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...).Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var lines []string
		for _, r := range rows {
			lines = append(lines, r.Detail)
		}
		text := strings.Join(lines, " | ")
		t.Logf("%s: %s", name, text)
		return text
	}
	where, args := db.monScope("org_path", scope)
	obs := plan("observations", dry.Model(&observationRow{}).Where(where, args...).Where("indicator_code = ?", "x").
		Order("org_path, indicator_code, year").Limit(50).Find(&[]observationRow{}))
	obsAll := plan("observations in scope", dry.Model(&observationRow{}).Where(where, args...).Order("org_path, indicator_code, year").Limit(50).Find(&[]observationRow{}))
	tw, targs := db.monScope("target_path", scope)
	tasks := plan("tasks", dry.Model(&taskRow{}).Where(tw, targs...).Order("due_on, id").Limit(20).Find(&[]taskRow{}))
	props := plan("proposals", dry.Model(&caseProposalRow{}).Where(tw, targs...).Order("id DESC").Limit(20).Find(&[]caseProposalRow{}))
	report := plan("report", dry.Model(&observationRow{}).Where("year >= ? AND year <= ? AND org_path IN ?", 2020, 2025, []string{"wuhai/", "wuhai/hbw/"}).
		Order("org_path, indicator_code, year").Find(&[]observationRow{}))
	overdue := plan("overdue tasks", dry.Model(&taskRow{}).Where("status IN ? AND due_on < ?", withUnit, "2026-03-02").Order("due_on, id").Find(&[]taskRow{}))
	for name, text := range map[string]string{"observations": obs, "observations in scope": obsAll, "report": report} {
		if strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("%s: plan %q sorts in a temporary B-tree; want the order of an index", name, text)
		}
	}
	// The ledger and the proposals of a scope are a few hundred records at most (a city's tasks, an
	// office's proposals): they are read by the index range of the scope and sorted there, never
	// scanned whole.
	for name, text := range map[string]string{"tasks": tasks, "proposals": props} {
		if !strings.Contains(text, "USING INDEX") || !strings.Contains(text, "target_path>? AND target_path<?") || strings.Contains(text, "SCAN ") {
			t.Errorf("%s: plan %q; want the index range of the scope's paths", name, text)
		}
	}
	if !strings.Contains(report, "USING INDEX observations_key") {
		t.Errorf("report: plan %q, want the observations' key index for the orgs' paths", report)
	}
	if !strings.Contains(overdue, "tasks_open_due") {
		t.Errorf("overdue tasks: plan %q, want the (status, due_on) index", overdue)
	}
}
