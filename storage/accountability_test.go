package storage

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

// accFixture is a city, a district and two schools, with users and grants.
type accFixture struct {
	city, hbw, s1, s2                   domain.Org
	director, supervisor, office, head1 domain.User
	head2, inactive                     domain.User
	caseID, findingID                   int64
}

func accBuild(t *testing.T, db *DB) accFixture {
	t.Helper()
	ctx := context.Background()
	var x accFixture
	x.city = mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
	x.hbw = mustOrg(t, ctx, db, "hbw", "海勃湾区", domain.OrgDistrict, &x.city)
	x.s1 = mustOrg(t, ctx, db, "s1", "第一小学", domain.OrgSchool, &x.hbw)
	x.s2 = mustOrg(t, ctx, db, "s2", "第二小学", domain.OrgSchool, &x.hbw)
	grant := func(u domain.User, role domain.Role, o domain.Org) {
		if err := db.AddGrant(ctx, &domain.Grant{UserID: u.ID, Role: role, OrgID: o.ID, Path: o.Path}); err != nil {
			t.Fatal(err)
		}
	}
	x.director = mustUser(t, ctx, db, "dir", "主任", x.city)
	grant(x.director, domain.RoleDirector, x.city)
	x.supervisor = mustUser(t, ctx, db, "sup", "督学", x.city)
	grant(x.supervisor, domain.RoleSupervisor, x.city)
	x.office = mustUser(t, ctx, db, "office", "区教育局", x.hbw)
	grant(x.office, domain.RoleDistrictOffice, x.hbw)
	x.head1 = mustUser(t, ctx, db, "head1", "一小校长", x.s1)
	grant(x.head1, domain.RoleSchool, x.s1)
	x.head2 = mustUser(t, ctx, db, "head2", "二小校长", x.s2)
	grant(x.head2, domain.RoleSchool, x.s2)
	x.inactive = domain.User{Username: "gone", Name: "已停用", OrgID: x.s1.ID, PasswordHash: "h", Active: false}
	if err := db.CreateUser(ctx, &x.inactive); err != nil {
		t.Fatal(err)
	}
	c, err := domain.NewCase(domain.Actor{UserID: x.supervisor.ID, Org: x.city}, x.city, x.s1, domain.CaseSchool, domain.KindSpecial, "专项督导", []int64{x.supervisor.ID}, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.Status = domain.StatusRectifying
	c.Findings = []domain.Finding{{Title: "消防通道堵塞", Severity: domain.SeverityCritical, Category: "校园安全", DueOn: "2026-03-01", Status: domain.FindingOpen}}
	if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateCase(ctx, c) }); err != nil {
		t.Fatal(err)
	}
	x.caseID, x.findingID = c.ID, c.Findings[0].ID
	return x
}

func TestAccountabilityStore(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			x := accBuild(t, db)
			now := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
			c, err := db.GetCase(ctx, x.caseID)
			if err != nil {
				t.Fatal(err)
			}
			a := domain.NewAutoAccountability(c, &c.Findings[0], domain.CauseOverdue, now, domain.Rules{AccountabilityOverdueDays: 15})
			if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateAccountability(ctx, a) }); err != nil {
				t.Fatal(err)
			}
			got, err := db.GetAccountability(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.TargetOrg.Path != x.s1.Path || got.OwnerOrg.ID != x.city.ID || got.CaseNumber != c.Number || *got.FindingID != x.findingID ||
				got.AutoKey != a.AutoKey || !got.ProposedAt.Equal(now) || got.Status != domain.AccProposed || got.Version != 1 {
				t.Errorf("round trip: %+v", got)
			}
			// The scheduler's mark and the open proposal are both taken, and enforced by the schema.
			if taken, err := db.AccountabilityKeyTaken(ctx, a.AutoKey, ""); err != nil || !taken {
				t.Errorf("auto key taken = %v, %v", taken, err)
			}
			if taken, err := db.AccountabilityKeyTaken(ctx, "", a.OpenKey()); err != nil || !taken {
				t.Errorf("open key taken = %v, %v", taken, err)
			}
			dup := *a
			dup.AutoKey = "other"
			err = db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateAccountability(ctx, &dup) })
			wantCode(t, err, domain.ECONFLICT)

			// Save with a version check; a stale save is ECONFLICT.
			r := domain.Rules{StatementWorkingDays: 5}
			dir := domain.Actor{UserID: x.director.ID, Org: x.city, Grants: []domain.Grant{{Role: domain.RoleDirector, Path: x.city.Path}}}
			if err := got.Notice(dir, now, r, "告知。"); err != nil {
				t.Fatal(err)
			}
			if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveAccountability(ctx, got, 1) }); err != nil {
				t.Fatal(err)
			}
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveAccountability(ctx, got, 1) }), domain.ECONFLICT)
			later := got.StatementDeadline.Add(time.Hour)
			if err := got.Decide(dir, later, domain.Decision{Situation: "情况", Facts: "事实", LegalBasis: "依据", Form: "约谈", EffectiveOn: domain.DateOf(later)}); err != nil {
				t.Fatal(err)
			}
			if _, err := got.RecordInterview(dir, later, domain.DateOf(later), "校长", "记录。"); err != nil {
				t.Fatal(err)
			}
			if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveAccountability(ctx, got, 2) }); err != nil {
				t.Fatal(err)
			}
			again, err := db.GetAccountability(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if again.Status != domain.AccDecided || again.Form != "约谈" || len(again.Interviews) != 1 || again.Interviews[0].ID == 0 ||
				again.DecidedAt == nil || !again.DecidedAt.Equal(later) || again.LastStatementDay() == "" {
				t.Errorf("after decision: %+v", again)
			}
			// Decided: the open key is free again, so a new open proposal may be made; the auto key is not.
			if taken, _ := db.AccountabilityKeyTaken(ctx, "", a.OpenKey()); taken {
				t.Error("a decided record still holds the open key")
			}

			// R54 facts: one decided in the year, about a case still unrectified.
			facts, err := db.AccountabilityFacts(ctx, []int64{x.s1.ID, x.s2.ID}, later)
			if err != nil {
				t.Fatal(err)
			}
			if f := facts[x.s1.ID]; f.DecidedInYear != 1 || !f.UnrectifiedAfter {
				t.Errorf("facts for s1: %+v", f)
			}
			if f := facts[x.s2.ID]; f.DecidedInYear != 0 || f.UnrectifiedAfter {
				t.Errorf("facts for s2: %+v", f)
			}
			if f, _ := db.AccountabilityFacts(ctx, []int64{x.s1.ID}, later.AddDate(1, 0, 1)); f[x.s1.ID].DecidedInYear != 0 {
				t.Errorf("a year later the decision still counts: %+v", f[x.s1.ID])
			}

			// Lists are scoped by target or owner.
			list, total, err := db.ListAccountability(ctx, domain.AccountabilityFilter{Scopes: []domain.Jurisdiction{x.s2.Path}})
			if err != nil || total != 0 || len(list) != 0 {
				t.Errorf("s2 scope: %d %v", total, err)
			}
			list, total, err = db.ListAccountability(ctx, domain.AccountabilityFilter{Scopes: []domain.Jurisdiction{x.s1.Path}, Status: domain.AccDecided})
			if err != nil || total != 1 || list[0].ID != a.ID || list[0].CaseNumber != c.Number {
				t.Errorf("s1 scope: %d %+v %v", total, list, err)
			}
			if und, err := db.UndecidedAccountability(ctx, later.AddDate(1, 0, 0)); err != nil || len(und) != 0 {
				t.Errorf("undecided: %+v %v", und, err)
			}

			// Incentives round trip.
			sup := domain.Actor{UserID: x.supervisor.ID, Org: x.city}
			inc, err := domain.NewIncentive(sup, domain.IncentiveInput{Kind: domain.IncResource, TargetOrg: x.s2, Reason: "办学条件改善显著。"}, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateIncentive(ctx, inc) }); err != nil {
				t.Fatal(err)
			}
			if err := inc.Decide(dir, now, "倾斜安排校舍维修资金。"); err != nil {
				t.Fatal(err)
			}
			if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveIncentive(ctx, inc, 1) }); err != nil {
				t.Fatal(err)
			}
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveIncentive(ctx, inc, 1) }), domain.ECONFLICT)
			incs, n, err := db.ListIncentives(ctx, domain.IncentiveFilter{Scopes: []domain.Jurisdiction{x.hbw.Path}})
			if err != nil || n != 1 || incs[0].Decision != "倾斜安排校舍维修资金。" || incs[0].OwnerOrg.ID != x.city.ID {
				t.Errorf("incentives: %d %+v %v", n, incs, err)
			}
		})
	}
}

func TestNotificationStore(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			x := accBuild(t, db)
			if err := db.SetEmail(ctx, x.head1.ID, "head1@s1.example"); err != nil {
				t.Fatal(err)
			}
			// The audience of an overdue finding: the school's own users, the owner's directors and
			// supervisors, the case's inspectors, and the district office above the school.
			s1, s2 := x.s1, x.s2
			aud := domain.TargetAudience(s1)
			sup := domain.SupervisingAudience(x.caseID, x.city, s1)
			aud.Holders, aud.Covering, aud.Inspectors = sup.Holders, sup.Covering, sup.Inspectors
			rs, err := db.Audience(ctx, aud)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range rs {
				ids = append(ids, r.UserID)
				if r.UserID == x.head1.ID && r.Email != "head1@s1.example" {
					t.Errorf("head1's email = %q", r.Email)
				}
			}
			want := []int64{x.director.ID, x.supervisor.ID, x.office.ID, x.head1.ID}
			if len(ids) != len(want) {
				t.Fatalf("audience %v, want %v (no other school, no inactive user)", ids, want)
			}
			for i := range want {
				if ids[i] != want[i] {
					t.Fatalf("audience %v, want %v", ids, want)
				}
			}
			if rs, _ := db.Audience(ctx, domain.SupervisingAudience(x.caseID, x.city, s2)); len(rs) != 3 {
				t.Errorf("supervising audience of another school: %+v", rs)
			}

			// Dedup per user; unread first, newest first.
			now := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
			m := domain.Message{Kind: domain.NotifyFindingOverdue, Title: "逾期", Body: "正文", Link: "/cases/1", CaseID: &x.caseID, Key: "overdue:f1:2026-03-01"}
			for i := 0; i < 2; i++ {
				n := m.For(x.head1.ID, now)
				created, err := db.AddNotification(ctx, &n)
				if err != nil || created != (i == 0) {
					t.Errorf("add #%d: created=%v err=%v", i, created, err)
				}
			}
			// A duplicate inside a transaction does not break it (PostgreSQL aborts on a failed statement).
			err = db.WithinTx(ctx, func(ctx context.Context) error {
				n := m.For(x.head1.ID, now)
				if created, err := db.AddNotification(ctx, &n); err != nil || created {
					t.Errorf("duplicate in tx: %v %v", created, err)
				}
				m2 := m
				m2.Key = "other"
				n2 := m2.For(x.head1.ID, now.Add(time.Hour))
				_, err := db.AddNotification(ctx, &n2)
				return err
			})
			if err != nil {
				t.Fatalf("tx with a duplicate: %v", err)
			}
			items, total, unread, err := db.ListNotifications(ctx, x.head1.ID, 1, 10)
			if err != nil || total != 2 || unread != 2 || items[0].DedupKey != "other" {
				t.Fatalf("inbox: %d %d %+v %v", total, unread, items, err)
			}
			if err := db.WithinTx(ctx, func(ctx context.Context) error { _, err := db.MarkRead(ctx, x.head2.ID, items[0].ID, now); return err }); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("reading another user's notification: %v, want ENOTFOUND", err)
			}
			var read domain.Notification
			err = db.WithinTx(ctx, func(ctx context.Context) error {
				var err error
				read, err = db.MarkRead(ctx, x.head1.ID, items[0].ID, now)
				return err
			})
			if err != nil || read.ReadAt == nil {
				t.Fatalf("mark read: %+v %v", read, err)
			}
			items, _, unread, _ = db.ListNotifications(ctx, x.head1.ID, 1, 10)
			if unread != 1 || items[0].ReadAt != nil || items[1].ReadAt == nil {
				t.Errorf("unread first: %+v", items)
			}
			if n, err := db.MarkAllRead(ctx, x.head1.ID, now); err != nil || n != 1 {
				t.Errorf("mark all read: %d %v", n, err)
			}

			// The scheduler's scans.
			over, err := db.OverdueFindings(ctx, "2026-03-02")
			if err != nil || len(over) != 1 || over[0].FindingID != x.findingID || over[0].TargetOrg.ID != s1.ID || over[0].OwnerOrg.ID != x.city.ID {
				t.Errorf("overdue on 2 March: %+v %v", over, err)
			}
			if over, _ := db.OverdueFindings(ctx, "2026-03-01"); len(over) != 0 {
				t.Errorf("overdue on the due date: %+v", over)
			}
			if ids, err := db.SentBackCases(ctx, 1); err != nil || len(ids) != 0 {
				t.Errorf("sent back: %v %v", ids, err)
			}
		})
	}
}

// planOf captures the SELECTs that fn runs (without running them) and returns SQLite's plan of each.
func planOf(t *testing.T, db *DB, fn func(ctx context.Context)) []string {
	t.Helper()
	type stmt struct {
		sql  string
		vars []any
	}
	var stmts []stmt
	name := "test:capture:" + t.Name()
	if err := db.gorm.Callback().Query().After("gorm:query").Register(name, func(tx *gorm.DB) {
		if tx.DryRun {
			stmts = append(stmts, stmt{tx.Statement.SQL.String(), append([]any(nil), tx.Statement.Vars...)})
			// As a real run does after each query, so that the next one on this chain is built afresh.
			tx.Statement.SQL.Reset()
			tx.Statement.Vars = nil
		}
	}); err != nil {
		t.Fatal(err)
	}
	fn(context.WithValue(context.Background(), txKey{}, db.gorm.Session(&gorm.Session{DryRun: true})))
	// So that the next capture in the same test starts with its own.
	if err := db.gorm.Callback().Query().Remove(name); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range stmts {
		var rows []struct {
			ID, Parent, Notused int
			Detail              string
		}
		if err := db.gorm.Raw("EXPLAIN QUERY PLAN "+s.sql, s.vars...).Scan(&rows).Error; err != nil {
			t.Fatalf("explain %s: %v", s.sql, err)
		}
		var lines []string
		for _, r := range rows {
			lines = append(lines, r.Detail)
		}
		out = append(out, strings.Join(lines, " | "))
	}
	return out
}

// TestAccountabilityListPlans: the list of a scope, with the filter that hides proposals not yet
// noticed from the inspected side, reads its page's ids either from the scope's index range, sorted (a
// narrow scope, or a deep page: here, with nothing stored, the list takes this way), or from the whole
// table newest first by an index, the scope checked on the way and no sort (a wide scope's page); then
// the page's rows by id. Never the whole table unordered. 激励 share the shapes.
func TestAccountabilityListPlans(t *testing.T) {
	db := openTestDBs(t)[0].use(t)
	for name, f := range map[string]domain.AccountabilityFilter{
		"school":     {Scopes: []domain.Jurisdiction{"wuhai/hbw/s001/"}},
		"office":     {Scopes: []domain.Jurisdiction{"wuhai/hbw/"}, Status: domain.AccNoticed},
		"supervisor": {Scopes: []domain.Jurisdiction{"wuhai/hbw/"}, ProposalScopes: []domain.Jurisdiction{"wuhai/hbw/"}},
		"mixed":      {Scopes: []domain.Jurisdiction{"wuhai/hbw/", "wuhai/wd/s001/"}, ProposalScopes: []domain.Jurisdiction{"wuhai/hbw/"}},
	} {
		plans := planOf(t, db, func(ctx context.Context) {
			if _, _, err := db.ListAccountability(ctx, f); err != nil {
				t.Fatal(err)
			}
		})
		if len(plans) != 2 {
			t.Fatalf("%s: %d queries, want the count and the page's ids (no rows to read by id here): %q", name, len(plans), plans)
		}
		for _, p := range plans {
			t.Logf("%s: %s", name, p)
			// The scope's path range, or (with a status) the status index; never the whole table.
			if !(strings.Contains(p, "INDEX accountabilities_target_path (target_path>? AND target_path<?)") ||
				f.Status != "" && strings.Contains(p, "INDEX accountabilities_open (status=?)")) || strings.Contains(p, "SCAN ") {
				t.Errorf("%s: plan %q, want an index range of the scope (or of the status)", name, p)
			}
		}
		// The walk in list order: the newest-first index (with a status, the status index, in the same
		// order), the scope a filter, no sort.
		for _, table := range []string{"accountabilities", "incentives"} {
			if table == "incentives" && (f.Status != "" || len(f.ProposalScopes) > 0) {
				continue
			}
			more := db.accListFilters(f)
			if table == "incentives" {
				more = nil
			}
			plans := planOf(t, db, func(ctx context.Context) {
				var ids []int64
				if err := db.proceedingIDs(ctx, table, f.Scopes, string(f.Status), f.TargetOrgID, more, true, 20, 40).Pluck("p.id", &ids).Error; err != nil {
					t.Fatal(err)
				}
			})
			if len(plans) != 1 {
				t.Fatalf("%s %s walk: %d queries, want the page", name, table, len(plans))
			}
			p := plans[0]
			t.Logf("%s %s walk: %s", name, table, p)
			walk := "SCAN p USING COVERING INDEX " + table + "_proposed"
			if f.Status != "" {
				walk = "SEARCH p USING INDEX accountabilities_open (status=?)"
			} else if table == "accountabilities" && !coveredBy(f.Scopes, f.ProposalScopes) {
				walk = "SCAN p USING INDEX " + table + "_proposed" // noticed_at is read from the row
			}
			if p != walk {
				t.Errorf("%s %s walk: plan %q, want the newest-first index (or the status index), the scope a filter", name, table, p)
			}
		}
	}
}

// TestPendingPlans: a director's counts read the open records only, by the status indexes (never the
// scope's whole history): 问责 steps through accountabilities_pending and _open, 复查/复核 through
// review_requests_due.
func TestPendingPlans(t *testing.T) {
	db := openTestDBs(t)[0].use(t)
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	acc := planOf(t, db, func(ctx context.Context) {
		if _, _, err := db.PendingAccountability(ctx, []domain.Jurisdiction{"wuhai/hbw/"}, now, 8); err != nil {
			t.Fatal(err)
		}
	})
	rev := planOf(t, db, func(ctx context.Context) {
		if _, _, err := db.PendingReviewRequests(ctx, 7, 8); err != nil {
			t.Fatal(err)
		}
	})
	if len(acc) == 0 || len(rev) == 0 {
		t.Fatalf("no queries captured: %v %v", acc, rev)
	}
	for _, p := range acc {
		t.Logf("accountability: %s", p)
		if !(strings.Contains(p, "INDEX accountabilities_open (status=?)") || strings.Contains(p, "INDEX accountabilities_pending (status=?)")) ||
			strings.Contains(p, "SCAN ") {
			t.Errorf("pending accountability: plan %q, want the open statuses' index", p)
		}
	}
	// The count reads the index alone (migrationPendingAccountability).
	if !strings.Contains(acc[0], "COVERING INDEX accountabilities_pending (status=?)") {
		t.Errorf("pending accountability count: plan %q, want the covering index", acc[0])
	}
	for _, p := range rev {
		t.Logf("reviews: %s", p)
		if !strings.Contains(p, "INDEX review_requests_due (status=?") || strings.Contains(p, "SCAN ") {
			t.Errorf("pending reviews: plan %q, want the status index", p)
		}
	}
}

// TestFindingsToChasePlan: a district office's list starts from the cases in rectification under its
// scope (case_scopes_status) and reaches their findings by case (findings_case_due): no scan of the
// scope's cases or of the findings table.
func TestFindingsToChasePlan(t *testing.T) {
	db := openTestDBs(t)[0].use(t)
	plans := planOf(t, db, func(ctx context.Context) {
		if _, _, err := db.FindingsToChase(ctx, []domain.Jurisdiction{"wuhai/hbw/"}, 3, 8); err != nil {
			t.Fatal(err)
		}
	})
	if len(plans) == 0 {
		t.Fatal("no query captured")
	}
	for _, p := range plans {
		t.Logf("%s", p)
		if !strings.HasPrefix(p, "SEARCH cs USING COVERING INDEX case_scopes_status (scope_path=? AND status=?)") ||
			!regexp.MustCompile(`SEARCH f USING (COVERING )?INDEX findings_case(_due)? \(case_id=\?`).MatchString(p) ||
			strings.Contains(p, "SCAN ") {
			t.Errorf("plan %q, want the scope's cases in rectification, then their findings by case", p)
		}
	}
}

// TestAuditPagePlan: the audit page walks the events by their key, newest first (no sort, no count),
// whatever the filters: a page stops after its events instead of ordering the whole scope.
func TestAuditPagePlan(t *testing.T) {
	db := openTestDBs(t)[0].use(t)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for name, f := range map[string]domain.AuditFilter{
		"scope":  {Scopes: []domain.Jurisdiction{"wuhai/"}},
		"type":   {Scopes: []domain.Jurisdiction{"wuhai/hbw/"}, ObjectType: "case", Before: 900},
		"actor":  {Scopes: []domain.Jurisdiction{"wuhai/"}, ActorName: "张三", From: from, To: from.AddDate(0, 1, 0)},
		"scopes": {Scopes: []domain.Jurisdiction{"wuhai/hbw/", "wuhai/wd/"}, ObjectType: "user"},
	} {
		plans := planOf(t, db, func(ctx context.Context) {
			if _, err := db.Page(ctx, f); err != nil {
				t.Fatal(err)
			}
		})
		if len(plans) != 1 {
			t.Fatalf("%s: %d queries, want 1", name, len(plans))
		}
		t.Logf("%s: %s", name, plans[0])
		if strings.Contains(plans[0], "TEMP B-TREE") || plans[0] != "SCAN audit_events" && !strings.Contains(plans[0], "USING INTEGER PRIMARY KEY (rowid<?)") {
			t.Errorf("%s: plan %q, want the key's order", name, plans[0])
		}
	}
}

// TestFindingsToRectifyPlan: a unit's own findings in rectification start from its own cases in that
// status (cases_target_status), not from every case in rectification in the database.
func TestFindingsToRectifyPlan(t *testing.T) {
	db := openTestDBs(t)[0].use(t)
	plans := planOf(t, db, func(ctx context.Context) {
		if _, _, err := db.FindingsToRectify(ctx, 3, 8); err != nil {
			t.Fatal(err)
		}
	})
	if len(plans) != 2 {
		t.Fatalf("%d queries captured, want the count and the list", len(plans))
	}
	for _, p := range plans {
		t.Logf("%s", p)
		if !strings.HasPrefix(p, "SEARCH c USING INDEX cases_target_status (target_org_id=? AND status=?)") &&
			!strings.HasPrefix(p, "SEARCH c USING COVERING INDEX cases_target_status (target_org_id=? AND status=?)") ||
			!strings.Contains(p, "findings_case_due (case_id=? AND status=?)") || strings.Contains(p, "SCAN ") {
			t.Errorf("plan %q, want the unit's cases in rectification, then their findings by case", p)
		}
	}
}

// TestProceedingsListPages: the 问责 and 激励 lists hold exactly the scope's records, newest first (ties
// by id), page after page, with the right total, whichever way a page is read: a wide scope's first
// pages walk the table in list order, its deep pages and a narrow scope's sort the scope's range — the
// same answers either way, with a status, and with the proposals not yet noticed hidden from the
// inspected side.
func TestProceedingsListPages(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			city := mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
			hbw := mustOrg(t, ctx, db, "hbw", "海勃湾区", domain.OrgDistrict, &city)
			wd := mustOrg(t, ctx, db, "wd", "乌达区", domain.OrgDistrict, &city)
			schools := []domain.Org{
				mustOrg(t, ctx, db, "s1", "海勃湾区第一小学", domain.OrgSchool, &hbw),
				mustOrg(t, ctx, db, "s2", "海勃湾区第二小学", domain.OrgSchool, &hbw),
				mustOrg(t, ctx, db, "s3", "乌达区第一小学", domain.OrgSchool, &wd),
			}
			sup := mustUser(t, ctx, db, "sup", "张督学", city)
			by := domain.Actor{UserID: sup.ID, Org: city}
			type made struct {
				id      int64
				target  domain.Org
				status  domain.AccStatus
				noticed bool
			}
			var accs, incs []made
			at := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
			for i := 0; i < 120; i++ {
				target := schools[i%2]
				if i%12 == 5 {
					target = schools[2] // a few in the other district
				}
				when := at.Add(time.Duration(i/2) * time.Hour) // two records share each instant
				if i%5 == 0 {
					when = at.Add(time.Duration(120-i) * time.Hour) // not in id order
				}
				a, err := domain.NewAccountability(by, domain.AccountabilityInput{TargetType: domain.TargetUnit, TargetOrg: target,
					Trigger: domain.TriggerDuty, Facts: "履职不到位。"}, domain.CauseManual, when)
				if err != nil {
					t.Fatal(err)
				}
				if i%3 != 0 {
					a.Status, a.NoticedAt, a.NoticedBy, a.NoticeText = domain.AccNoticed, &when, sup.ID, "告知。"
				}
				if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateAccountability(ctx, a) }); err != nil {
					t.Fatal(err)
				}
				accs = append(accs, made{a.ID, target, a.Status, a.NoticedAt != nil})
				if i%2 == 0 {
					inc, err := domain.NewIncentive(by, domain.IncentiveInput{Kind: domain.IncResource, TargetOrg: target, Reason: "办学条件改善显著。"}, when)
					if err != nil {
						t.Fatal(err)
					}
					if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateIncentive(ctx, inc) }); err != nil {
						t.Fatal(err)
					}
					incs = append(incs, made{inc.ID, target, "", true})
				}
			}
			newest := func(list []made, when func(id int64) time.Time) []made {
				out := slices.Clone(list)
				slices.SortFunc(out, func(a, b made) int {
					if c := when(b.id).Compare(when(a.id)); c != 0 {
						return c
					}
					return int(b.id - a.id)
				})
				return out
			}
			proposed := map[int64]time.Time{}
			for i, m := range accs {
				w := at.Add(time.Duration(i/2) * time.Hour)
				if i%5 == 0 {
					w = at.Add(time.Duration(120-i) * time.Hour)
				}
				proposed[m.id] = w
			}
			incAt := map[int64]time.Time{}
			for j, m := range incs {
				i := 2 * j
				w := at.Add(time.Duration(i/2) * time.Hour)
				if i%5 == 0 {
					w = at.Add(time.Duration(120-i) * time.Hour)
				}
				incAt[m.id] = w
			}
			accs, incs = newest(accs, func(id int64) time.Time { return proposed[id] }), newest(incs, func(id int64) time.Time { return incAt[id] })
			for _, tc := range []struct {
				name     string
				scopes   []domain.Org
				status   domain.AccStatus
				proposal bool // the caller reads proposals not yet noticed
			}{
				{"乌海市", []domain.Org{city}, "", true},
				{"海勃湾区", []domain.Org{hbw}, "", true},
				{"乌达区", []domain.Org{wd}, "", true},
				{"一校与乌达区", []domain.Org{schools[0], wd}, "", true},
				{"乌海市，已告知", []domain.Org{city}, domain.AccNoticed, true},
				{"海勃湾区教育局", []domain.Org{hbw}, "", false},
			} {
				var want []int64
				for _, m := range accs {
					in := false
					for _, s := range tc.scopes {
						in = in || s.Path.Covers(m.target.Path)
					}
					if in && (tc.status == "" || m.status == tc.status) && (tc.proposal || m.noticed) {
						want = append(want, m.id)
					}
				}
				var wantInc []int64
				for _, m := range incs {
					for _, s := range tc.scopes {
						if s.Path.Covers(m.target.Path) {
							wantInc = append(wantInc, m.id)
							break
						}
					}
				}
				for _, per := range []int{7, 40} {
					f := domain.AccountabilityFilter{Status: tc.status, PerPage: per}
					fi := domain.IncentiveFilter{PerPage: per}
					for _, s := range tc.scopes {
						f.Scopes = append(f.Scopes, s.Path)
						fi.Scopes = append(fi.Scopes, s.Path)
					}
					if tc.proposal {
						f.ProposalScopes = f.Scopes
					}
					var got, gotInc []int64
					for f.Page = 1; f.Page <= len(want)/per+2; f.Page++ {
						list, total, err := db.ListAccountability(ctx, f)
						if err != nil {
							t.Fatalf("%s: %v", tc.name, err)
						}
						if total != len(want) {
							t.Errorf("%s, %d a page, page %d: total %d, want %d", tc.name, per, f.Page, total, len(want))
						}
						for _, a := range list {
							got = append(got, a.ID)
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s, %d a page: listed %v, want %v", tc.name, per, got, want)
					}
					if tc.status != "" || !tc.proposal {
						continue
					}
					for fi.Page = 1; fi.Page <= len(wantInc)/per+2; fi.Page++ {
						list, total, err := db.ListIncentives(ctx, fi)
						if err != nil {
							t.Fatalf("%s: %v", tc.name, err)
						}
						if total != len(wantInc) {
							t.Errorf("%s, %d a page, page %d: %d incentives, want %d", tc.name, per, fi.Page, total, len(wantInc))
						}
						for _, i := range list {
							gotInc = append(gotInc, i.ID)
						}
					}
					if !slices.Equal(gotInc, wantInc) {
						t.Errorf("%s, %d a page: incentives %v, want %v", tc.name, per, gotInc, wantInc)
					}
				}
			}
		})
	}
}
