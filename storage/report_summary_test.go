package storage

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"dudao/domain"
)

// The facts kept for the report (report_summary.go) must follow every write that changes what they
// count. Each step below changes a case the way the workflow would, then checks a figure worked out
// by hand, that the kept rows equal a count made afresh from the findings, and that the report reads
// the same from the kept counts as from the findings.

// rptSummaryRows is report_recurring and report_issued, and the same counted afresh from the cases
// and findings (the issued counts from the cases' side, one subquery per case: a small fixture).
func rptSummaryRows(t *testing.T, db *DB) (kept, fresh []string) {
	t.Helper()
	ctx := context.Background()
	type row struct {
		TargetPath  string
		TargetOrgID int64
		Category    string
		CaseYear    int
		IssueYear   int
		Findings    int
	}
	var k, f []row
	if err := db.conn(ctx).Raw(`SELECT target_path, target_org_id, category, case_year, issue_year, findings
		FROM report_recurring ORDER BY 1, 2, 3, 4, 5`).Scan(&k).Error; err != nil {
		t.Fatal(err)
	}
	year := db.cstYear("issued_at")
	if err := db.conn(ctx).Raw(`SELECT target_path, target_org_id, category, case_year, ` + year + ` AS issue_year, COUNT(*) AS findings
		FROM findings WHERE issued_at IS NOT NULL AND status <> 'withdrawn'
		GROUP BY target_path, target_org_id, category, case_year, ` + year + ` ORDER BY 1, 2, 3, 4, 5`).Scan(&f).Error; err != nil {
		t.Fatal(err)
	}
	type irow struct {
		IssueYear   int
		TargetPath  string
		TargetOrgID int64
		Cases       int
		Minor       int
		Major       int
		Critical    int
	}
	var ki, fi []irow
	if err := db.conn(ctx).Raw(`SELECT issue_year, target_path, target_org_id, cases, minor, major, critical
		FROM report_issued ORDER BY 1, 2, 3`).Scan(&ki).Error; err != nil {
		t.Fatal(err)
	}
	cyear := db.cstYear("c.issued_at")
	sev := func(s string) string {
		return "(SELECT COUNT(*) FROM findings f WHERE f.case_id = c.id AND f.status <> 'withdrawn' AND f.severity = '" + s + "')"
	}
	if err := db.conn(ctx).Raw(`SELECT ` + cyear + ` AS issue_year, c.target_path, c.target_org_id, COUNT(*) AS cases,
			SUM(` + sev("minor") + `) AS minor, SUM(` + sev("major") + `) AS major, SUM(` + sev("critical") + `) AS critical
		FROM cases c WHERE c.issued_at IS NOT NULL
		GROUP BY ` + cyear + `, c.target_path, c.target_org_id ORDER BY 1, 2, 3`).Scan(&fi).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range ki {
		k = append(k, row{TargetPath: r.TargetPath, TargetOrgID: r.TargetOrgID, Category: fmt.Sprintf("issued %d: %d cases, %d/%d/%d", r.IssueYear, r.Cases, r.Minor, r.Major, r.Critical)})
	}
	for _, r := range fi {
		f = append(f, row{TargetPath: r.TargetPath, TargetOrgID: r.TargetOrgID, Category: fmt.Sprintf("issued %d: %d cases, %d/%d/%d", r.IssueYear, r.Cases, r.Minor, r.Major, r.Critical)})
	}
	str := func(rs []row) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = fmt.Sprintf("%+v", r)
		}
		return out
	}
	return str(k), str(f)
}

// rptCheckKept fails t when the kept facts differ from the findings, or when a report read from them
// differs from the one read from the findings.
func rptCheckKept(t *testing.T, db *DB, scope domain.Jurisdiction, step string) {
	t.Helper()
	kept, fresh := rptSummaryRows(t, db)
	if !slices.Equal(kept, fresh) {
		t.Errorf("%s: kept counts\n kept %v\nfresh %v", step, kept, fresh)
	}
	var passed []struct {
		ID       int64
		PassedOn string
		Want     string
	}
	if err := db.conn(context.Background()).Raw(`SELECT id, passed_on, ` + db.passedOnSQL("f.id") + ` AS want FROM findings f ORDER BY id`).
		Scan(&passed).Error; err != nil {
		t.Fatal(err)
	}
	for _, p := range passed {
		if p.PassedOn != p.Want {
			t.Errorf("%s: finding %d passed_on = %q, its rechecks say %q", step, p.ID, p.PassedOn, p.Want)
		}
	}
	for _, per := range [][2]domain.Date{{"2026-01-01", "2026-12-31"}, {"2025-01-01", "2025-12-31"}, {"2024-01-01", "2026-12-31"},
		{"2021-01-01", "2021-12-31"}, {"2023-01-01", "2025-12-31"},
		// Periods that cut a year: the kept counts for the whole years, the findings for the rest.
		{"2026-01-01", "2026-06-30"}, {"2025-07-01", "2026-12-31"}, {"2025-03-01", "2026-05-31"}, {"2026-02-01", "2026-02-28"},
		{"2024-06-01", "2024-12-31"}, {"2026-01-10", "2026-01-10"}} {
		q := domain.ReportQuery{Scope: scope, From: per[0], To: per[1], Today: "2026-06-30"}
		ctx := context.Background()
		fromKept, err := db.AccountabilityFigures(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		fromFindings, err := db.AccountabilityFigures(context.WithValue(ctx, fromFindingsKey{}, true), q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromKept, fromFindings) {
			t.Errorf("%s: %s…%s from the kept counts\n%+v\nfrom the findings\n%+v", step, per[0], per[1], fromKept.Recurring, fromFindings.Recurring)
		}
	}
}

func rptRecurringOf(t *testing.T, db *DB, scope domain.Jurisdiction) []string {
	t.Helper()
	r, err := db.AccountabilityFigures(context.Background(), domain.ReportQuery{Scope: scope, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range r.Recurring {
		out = append(out, fmt.Sprintf("%s %s %d-%d %d年 %d条", x.Org.Name, x.Category, x.FirstYear, x.LastYear, x.Years, x.Findings))
	}
	return out
}

func rptSave(t *testing.T, db *DB, id int64, change func(c *domain.Case)) *domain.Case {
	t.Helper()
	ctx := context.Background()
	var out *domain.Case
	err := db.WithinTx(ctx, func(ctx context.Context) error {
		c, err := db.GetCase(ctx, id)
		if err != nil {
			return err
		}
		v := c.Version
		change(c)
		c.Version++
		out = c
		return db.SaveCase(ctx, c, v)
	})
	if err != nil {
		t.Fatalf("save case %d: %v", id, err)
	}
	return out
}

func TestReportKeptFactsFollowWrites(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			x := rptBuild(t, db)
			ctx := context.Background()
			rptCheckKept(t, db, x.city.Path, "fixture")
			want := []string{"海勃湾区 经费保障 2024-2026 2年 3条", "海勃湾区第一小学 校园安全 2025-2026 2年 2条"}
			if got := rptRecurringOf(t, db, x.city.Path); !slices.Equal(got, want) {
				t.Fatalf("fixture's recurring = %v, want %v", got, want)
			}

			// Issuing a case counts its findings: a 2024 case of S1's issued in 2026, whose 食品卫生
			// recurs with A1's (the 2021 one is before the look-back) and 办学条件 with the 2025 case's.
			late := rptCase(t, ctx, db, x.city, x.s1, domain.CaseSchool, 2024, rptPtr(rptAt(2024, 12, 1, 9, 0)), nil, domain.StatusFeedback,
				[]int64{x.sup1.ID},
				rptFinding{sev: domain.SeverityMajor, category: "食品卫生", status: domain.FindingOpen},
				rptFinding{sev: domain.SeverityMinor, category: "办学条件", status: domain.FindingOpen})
			rptCheckKept(t, db, x.city.Path, "not issued")
			rptSave(t, db, late.ID, func(c *domain.Case) {
				c.IssuedAt = rptPtr(rptAt(2026, 1, 10, 10, 0))
				c.Status = domain.StatusRectifying
				for i := range c.Findings {
					c.Findings[i].DueOn = "2026-02-10"
				}
			})
			rptCheckKept(t, db, x.city.Path, "issued")
			want = []string{"海勃湾区 经费保障 2024-2026 2年 3条", "海勃湾区第一小学 办学条件 2024-2025 2年 2条",
				"海勃湾区第一小学 校园安全 2025-2026 2年 2条", "海勃湾区第一小学 食品卫生 2024-2026 2年 2条"}
			if got := rptRecurringOf(t, db, x.city.Path); !slices.Equal(got, want) {
				t.Errorf("after issue, recurring = %v, want %v", got, want)
			}

			// An upheld objection withdraws a finding: A1's 校园安全 no longer recurs.
			rptSave(t, db, x.a1.ID, func(c *domain.Case) { c.Findings[0].Status = domain.FindingWithdrawn })
			rptCheckKept(t, db, x.city.Path, "withdrawn")
			// A finding removed from the case: the late case's 办学条件 goes, and with it that recurrence.
			rptSave(t, db, late.ID, func(c *domain.Case) { c.Findings = c.Findings[:1] })
			rptCheckKept(t, db, x.city.Path, "removed")
			want = []string{"海勃湾区 经费保障 2024-2026 2年 3条", "海勃湾区第一小学 食品卫生 2024-2026 2年 2条"}
			if got := rptRecurringOf(t, db, x.city.Path); !slices.Equal(got, want) {
				t.Errorf("after withdrawal and removal, recurring = %v, want %v", got, want)
			}
			if got := rptRecurringOf(t, db, x.s1.Path); !slices.Equal(got, want[1:]) {
				t.Errorf("S1's own recurring = %v, want %v", got, want[1:])
			}
			// S1's 2026: A1 and the late case issued; A1's 食品卫生 and 课程教学 and the late case's 食品卫生.
			r, err := db.AccountabilityFigures(ctx, domain.ReportQuery{Scope: x.s1.Path, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Orgs) != 1 || r.Orgs[0].CasesIssued != 2 || r.Orgs[0].Findings != (domain.SeverityCounts{Minor: 1, Major: 2}) {
				t.Errorf("S1's 2026 = %+v, want 2 cases issued, 1 minor and 2 major findings", r.Orgs)
			}

			// A passing recheck on the due date, late in the evening (CST), is on time; a failed one
			// before it is not a pass. B1's critical finding was due 2026-04-22.
			rptSave(t, db, x.b1.ID, func(c *domain.Case) {
				f := c.Findings[1]
				c.Findings[1].Status = domain.FindingPassed
				c.Rechecks = append(c.Rechecks,
					domain.Recheck{FindingID: f.ID, Round: 1, Passed: false, Comment: "未完成", NewDueOn: "2026-04-22", By: x.sup2.ID, At: rptAt(2026, 4, 20, 10, 0)},
					domain.Recheck{FindingID: f.ID, Round: 2, Passed: true, Comment: "复查", By: x.sup2.ID, At: rptAt(2026, 4, 22, 23, 30)})
			})
			rptCheckKept(t, db, x.city.Path, "rechecked")
			r, err = db.AccountabilityFigures(ctx, domain.ReportQuery{Scope: x.s2.Path, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Orgs) != 1 || r.Orgs[0].DueInPeriod != 1 || r.Orgs[0].RectifiedOnTime != 1 {
				t.Errorf("S2 after its recheck = %+v, want 1 due, 1 on time", r.Orgs)
			}
			// The late case's 食品卫生, due 2026-02-10, passed on the 11th in CST (the 10th in UTC): late.
			rptSave(t, db, late.ID, func(c *domain.Case) {
				c.Findings[0].Status = domain.FindingPassed
				c.Rechecks = append(c.Rechecks, domain.Recheck{FindingID: c.Findings[0].ID, Round: 1, Passed: true, Comment: "复查",
					By: x.sup1.ID, At: rptAt(2026, 2, 11, 0, 10)})
			})
			rptCheckKept(t, db, x.city.Path, "rechecked late")
			r, err = db.AccountabilityFigures(ctx, domain.ReportQuery{Scope: x.s1.Path, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			// S1: A1's 食品卫生 (late) and 课程教学 (failed), now withdrawn 校园安全 left out, and the late case's.
			if len(r.Orgs) != 1 || r.Orgs[0].DueInPeriod != 3 || r.Orgs[0].RectifiedOnTime != 0 {
				t.Errorf("S1 after its late recheck = %+v, want 3 due, none on time", r.Orgs)
			}
		})
	}
}

// A bulk load writes findings and rechecks as plain rows: RebuildDerived (and migration 17's fill, on
// a database that predates it) must bring the kept facts back to what the findings say.
func TestReportKeptFactsRebuilt(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			x := rptBuild(t, db)
			ctx := context.Background()
			q := domain.ReportQuery{Scope: x.city.Path, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"}
			before, err := db.AccountabilityFigures(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(before.Recurring) == 0 || before.Totals.RectifiedOnTime == 0 {
				t.Fatalf("the fixture should have recurring problems and findings rectified on time: %+v", before.Totals)
			}
			forget := func(ctx context.Context) error {
				for _, s := range []string{"DELETE FROM report_recurring", "DELETE FROM report_issued", "UPDATE findings SET passed_on = ''"} {
					if err := db.conn(ctx).Exec(s).Error; err != nil {
						return err
					}
				}
				return nil
			}
			for _, rebuild := range []struct {
				name string
				run  func(ctx context.Context) error
			}{
				{"RebuildDerived", db.RebuildDerived},
				{"migration 17's fill", func(ctx context.Context) error {
					if err := db.conn(ctx).Exec("DROP INDEX report_findings_due_passed").Error; err != nil {
						return err
					}
					return db.fillReportSummary(ctx)
				}},
			} {
				if err := db.WithinTx(ctx, forget); err != nil {
					t.Fatal(err)
				}
				stale, err := db.AccountabilityFigures(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(stale.Recurring) != 0 || stale.Totals.RectifiedOnTime != 0 || stale.Totals.CasesIssued != 0 || stale.Totals.Findings.Total() != 0 {
					t.Fatalf("with the facts forgotten the report should lose them: %+v", stale.Totals)
				}
				if err := db.WithinTx(ctx, rebuild.run); err != nil {
					t.Fatalf("%s: %v", rebuild.name, err)
				}
				after, err := db.AccountabilityFigures(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(after, before) {
					t.Errorf("after %s:\n got %+v\nwant %+v", rebuild.name, after, before)
				}
				rptCheckKept(t, db, x.city.Path, rebuild.name)
			}
		})
	}
}

// TestReportRecurringShown: when more problems recur than a report lists, the database picks the
// RecurringShown with the most findings and says how many there are — the same problems, in the same
// order, with the same note, as ranking every recurring pair in Go (as the report did before), for a
// whole year and for a period that cuts one.
func TestReportRecurringShown(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			rptBenchData(t, db, 3, 2500) // bulk rows, then the derived tables rebuilt
			for _, q := range []domain.ReportQuery{
				{Scope: "nm/", From: "2025-01-01", To: "2025-12-31", Today: "2026-03-01"},
				{Scope: "nm/", From: "2025-03-01", To: "2025-11-30", Today: "2026-03-01"},
			} {
				got, err := db.AccountabilityFigures(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				// Every recurring pair, as the section's query finds them, ranked the old way.
				all, err := db.allRecurring(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(all) <= domain.RecurringShown {
					t.Fatalf("%s–%s: only %d recurring problems; the test needs more than %d", q.From, q.To, len(all), domain.RecurringShown)
				}
				want := domain.AccountabilityReport{Recurring: all}
				want.RollUp(nil)
				got.RollUp(nil)
				if len(got.Recurring) != domain.RecurringShown {
					t.Fatalf("%s–%s: %d recurring listed, want %d", q.From, q.To, len(got.Recurring), domain.RecurringShown)
				}
				for i := range want.Recurring {
					w, g := want.Recurring[i], got.Recurring[i]
					if w.Org.ID != g.Org.ID || w.Category != g.Category || w.Findings != g.Findings || w.Years != g.Years ||
						w.FirstYear != g.FirstYear || w.LastYear != g.LastYear {
						t.Fatalf("%s–%s: recurring #%d is %+v, want %+v", q.From, q.To, i, g, w)
					}
				}
				if !slices.Equal(got.Notes, want.Notes) {
					t.Errorf("%s–%s: notes %q, want %q", q.From, q.To, got.Notes, want.Notes)
				}
			}
		})
	}
}
