package storage

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"dudao/domain"
)

// The accountability report is checked against a fixture built by hand: every figure below was
// worked out on paper from the rows the fixture inserts, not computed by the code under test.

func rptAt(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, cst)
}

func rptPtr(t time.Time) *time.Time { return &t }

type rptRecheck struct {
	passed bool
	at     time.Time
	newDue domain.Date
}

type rptFinding struct {
	sev      domain.Severity
	category string
	status   domain.FindingStatus
	due      domain.Date
	rechecks []rptRecheck
	measures []domain.Measure
}

// rptCase stores a case with its findings, measures and rechecks exactly as given (no workflow).
func rptCase(t *testing.T, ctx context.Context, db *DB, owner, target domain.Org, typ domain.CaseType, year int,
	started, issued *time.Time, status domain.Status, inspectors []int64, findings ...rptFinding) *domain.Case {
	t.Helper()
	c := &domain.Case{Year: year, Type: typ, Kind: domain.KindSpecial, OwnerOrg: owner, TargetOrg: target, Title: "报表测试案件",
		InspectorIDs: inspectors, Status: status, Version: 1, CreatedBy: inspectors[0], CreatedAt: rptAt(year, 1, 2, 9, 0),
		StartedAt: started, IssuedAt: issued}
	if status == domain.StatusClosed && issued != nil {
		c.ClosedAt = issued
	}
	for i, f := range findings {
		c.Findings = append(c.Findings, domain.Finding{Title: "问题" + string(rune('A'+i)), Description: "", Severity: f.sev,
			Category: f.category, DueOn: f.due, Status: f.status})
		for _, m := range f.measures {
			m.CreatedBy = inspectors[0]
			m.CreatedAt = rptAt(year, 1, 3, 9, 0)
			c.Findings[i].Measures = append(c.Findings[i].Measures, m)
		}
	}
	if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateCase(ctx, c) }); err != nil {
		t.Fatalf("CreateCase: %v", err)
	}
	for i, f := range findings {
		for round, r := range f.rechecks {
			c.Rechecks = append(c.Rechecks, domain.Recheck{FindingID: c.Findings[i].ID, Round: round + 1, Passed: r.passed,
				Comment: "复查", NewDueOn: r.newDue, By: inspectors[0], At: r.at})
		}
	}
	if len(c.Rechecks) > 0 {
		if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveCase(ctx, c, c.Version) }); err != nil {
			t.Fatalf("SaveCase: %v", err)
		}
	}
	return c
}

// rptFixture is the hand-built world of the report tests.
type rptFixture struct {
	city, hbw, wd, s1, s2, s3 domain.Org
	sup1, sup2                domain.User
	a1, b1, d1                *domain.Case
}

func rptBuild(t *testing.T, db *DB) rptFixture {
	t.Helper()
	ctx := context.Background()
	var x rptFixture
	x.city = mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
	x.hbw = mustOrg(t, ctx, db, "hbw", "海勃湾区", domain.OrgDistrict, &x.city)
	x.wd = mustOrg(t, ctx, db, "wd", "乌达区", domain.OrgDistrict, &x.city)
	x.s1 = mustOrg(t, ctx, db, "s1", "海勃湾区第一小学", domain.OrgSchool, &x.hbw)
	x.s2 = mustOrg(t, ctx, db, "s2", "海勃湾区第二小学", domain.OrgSchool, &x.hbw)
	x.s3 = mustOrg(t, ctx, db, "s3", "乌达区第三小学", domain.OrgSchool, &x.wd)
	baotou := mustOrg(t, ctx, db, "baotou", "包头市", domain.OrgCity, nil)
	bx1 := mustOrg(t, ctx, db, "x1", "包头市某校", domain.OrgSchool, &baotou)
	x.sup1 = mustUser(t, ctx, db, "sup1", "张督学", x.city)
	x.sup2 = mustUser(t, ctx, db, "sup2", "李督学", x.hbw)
	sup3 := mustUser(t, ctx, db, "sup3", "包头督学", baotou)
	both := []int64{x.sup1.ID, x.sup2.ID}
	one, two := []int64{x.sup1.ID}, []int64{x.sup2.ID}
	school, gov := domain.CaseSchool, domain.CaseGovernment

	// S1, 2026: issued 19 days after the start.
	x.a1 = rptCase(t, ctx, db, x.city, x.s1, school, 2026, rptPtr(rptAt(2026, 2, 1, 9, 0)), rptPtr(rptAt(2026, 2, 20, 10, 0)), domain.StatusRectifying, both,
		rptFinding{sev: domain.SeverityCritical, category: "校园安全", status: domain.FindingPassed, due: "2026-03-01",
			rechecks: []rptRecheck{{passed: true, at: rptAt(2026, 2, 28, 15, 0)}}, // on time
			measures: []domain.Measure{
				{Description: "清理杂物", ResponsiblePerson: "王校长", DueOn: "2026-02-25"},
				{Description: "每日巡查", ResponsiblePerson: "王校长", DueOn: "2026-02-28"}}},
		rptFinding{sev: domain.SeverityMajor, category: "食品卫生", status: domain.FindingPassed, due: "2026-03-20",
			rechecks: []rptRecheck{{passed: true, at: rptAt(2026, 3, 21, 10, 0)}}}, // a day late
		rptFinding{sev: domain.SeverityMinor, category: "课程教学", status: domain.FindingFailed, due: "2026-06-01",
			rechecks: []rptRecheck{{passed: false, at: rptAt(2026, 4, 28, 10, 0), newDue: "2026-06-01"}}, // reopened, overdue now
			measures: []domain.Measure{{Description: "补充课程记录", ResponsiblePerson: "李主任", ResponsibleUnit: "教务处", DueOn: "2026-04-20"}}},
		rptFinding{sev: domain.SeverityMinor, category: "其他", status: domain.FindingWithdrawn})
	// S1, 2025: a 校园安全 finding (recurs in 2026) and an open finding overdue since 2025-12-31.
	rptCase(t, ctx, db, x.city, x.s1, school, 2025, rptPtr(rptAt(2025, 5, 1, 9, 0)), rptPtr(rptAt(2025, 5, 20, 10, 0)), domain.StatusRectifying, one,
		rptFinding{sev: domain.SeverityMajor, category: "校园安全", status: domain.FindingPassed, due: "2025-06-20",
			rechecks: []rptRecheck{{passed: true, at: rptAt(2025, 6, 10, 10, 0)}}},
		rptFinding{sev: domain.SeverityMinor, category: "办学条件", status: domain.FindingOpen, due: "2025-12-31"},
		rptFinding{sev: domain.SeverityMinor, category: "其他", status: domain.FindingWithdrawn})
	// S1, 2021: 食品卫生 again, but before the look-back window.
	rptCase(t, ctx, db, x.city, x.s1, school, 2021, rptPtr(rptAt(2021, 3, 1, 9, 0)), rptPtr(rptAt(2021, 4, 1, 10, 0)), domain.StatusClosed, one,
		rptFinding{sev: domain.SeverityMinor, category: "食品卫生", status: domain.FindingPassed, due: "2021-05-01"})
	// S2: issued 31 days after the start in CST (30 in UTC); one finding due after today, one awaiting recheck.
	x.b1 = rptCase(t, ctx, db, x.city, x.s2, school, 2026, rptPtr(rptAt(2026, 3, 1, 9, 0)), rptPtr(rptAt(2026, 4, 1, 7, 0)), domain.StatusRectifying, two,
		rptFinding{sev: domain.SeverityMajor, category: "校园安全", status: domain.FindingOpen, due: "2026-07-15"},
		rptFinding{sev: domain.SeverityCritical, category: "校园安全", status: domain.FindingSubmitted, due: "2026-04-22"})
	rptCase(t, ctx, db, x.city, x.s2, school, 2026, rptPtr(rptAt(2026, 6, 10, 9, 0)), nil, domain.StatusInspecting, one)                         // report not due yet
	rptCase(t, ctx, db, x.city, x.s2, school, 2026, rptPtr(rptAt(2026, 1, 10, 9, 0)), nil, domain.StatusCancelled, one)                          // not a visit
	rptCase(t, ctx, db, x.city, x.s2, school, 2026, rptPtr(rptAt(2026, 4, 1, 9, 0)), nil, domain.StatusFeedback, two)                            // report due, not issued
	rptCase(t, ctx, db, x.city, x.s2, school, 2026, nil, nil, domain.StatusPlanned, two)                                                         // not started
	rptCase(t, ctx, db, x.city, x.s3, school, 2026, rptPtr(rptAt(2026, 6, 1, 9, 0)), rptPtr(rptAt(2026, 6, 5, 10, 0)), domain.StatusClosed, one) // no findings
	// The district: issued exactly 30 days after the start; rechecks either side of midnight CST on the due date.
	x.d1 = rptCase(t, ctx, db, x.city, x.hbw, gov, 2026, rptPtr(rptAt(2026, 1, 5, 9, 0)), rptPtr(rptAt(2026, 2, 4, 10, 0)), domain.StatusRectifying, two,
		rptFinding{sev: domain.SeverityMajor, category: "经费保障", status: domain.FindingPassed, due: "2026-02-20",
			rechecks: []rptRecheck{{passed: true, at: rptAt(2026, 2, 21, 0, 30)}}}, // 2026-02-20 16:30 UTC, but the 21st in CST: late
		rptFinding{sev: domain.SeverityMinor, category: "经费保障", status: domain.FindingPassed, due: "2026-02-20",
			rechecks: []rptRecheck{{passed: true, at: rptAt(2026, 2, 20, 23, 30)}},
			measures: []domain.Measure{{Description: "追加预算", ResponsiblePerson: "赵局长", ResponsibleUnit: "区教育局计财股", DueOn: "2026-02-15"}}})
	rptCase(t, ctx, db, x.city, x.hbw, gov, 2024, rptPtr(rptAt(2024, 5, 1, 9, 0)), rptPtr(rptAt(2024, 6, 1, 10, 0)), domain.StatusClosed, two,
		rptFinding{sev: domain.SeverityMinor, category: "经费保障", status: domain.FindingPassed, due: "2024-07-01"})
	// Out of scope: another city's school, overdue.
	rptCase(t, ctx, db, baotou, bx1, school, 2026, rptPtr(rptAt(2026, 2, 1, 9, 0)), rptPtr(rptAt(2026, 3, 1, 9, 0)), domain.StatusRectifying, []int64{sup3.ID},
		rptFinding{sev: domain.SeverityCritical, category: "校园安全", status: domain.FindingOpen, due: "2026-03-05"})

	// 问责 and 激励: only those decided (or published) in the period count.
	acc := func(org domain.Org, targetType, status, form string, decided *time.Time) {
		rptInsertAccountability(t, ctx, db, org, targetType, status, form, decided)
	}
	acc(x.s3, "unit", "decided", "约谈", rptPtr(rptAt(2026, 5, 10, 10, 0)))
	acc(x.s3, "person", "published", "通报批评", rptPtr(rptAt(2026, 6, 1, 10, 0)))
	acc(x.s3, "unit", "proposed", "", nil)
	acc(x.s3, "unit", "decided", "督导通报", rptPtr(rptAt(2025, 11, 1, 10, 0)))
	acc(x.s1, "unit", "decided", "约谈", rptPtr(rptAt(2025, 12, 31, 23, 0))) // the 31st in CST, though 15:00 UTC
	acc(bx1, "unit", "decided", "约谈", rptPtr(rptAt(2026, 3, 10, 10, 0)))
	inc := func(org domain.Org, kind, status string, decided *time.Time) {
		rptInsertIncentive(t, ctx, db, org, kind, status, decided)
	}
	inc(x.s1, "commendation", "decided", rptPtr(rptAt(2026, 1, 1, 0, 30))) // 2025-12-31 16:30 UTC, in the period in CST
	inc(x.s2, "commendation", "published", rptPtr(rptAt(2026, 3, 3, 10, 0)))
	inc(x.s2, "resource", "dropped", nil)
	return x
}

func rptInsertAccountability(t *testing.T, ctx context.Context, db *DB, org domain.Org, targetType, status, form string, decided *time.Time) {
	t.Helper()
	err := db.conn(ctx).Exec(`INSERT INTO accountabilities (target_type, target_org_id, target_path, trigger, status, form, decided_at, effective_on)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, targetType, org.ID, string(org.Path), "overdue", status, form, utcPtr(decided), "").Error
	if err != nil {
		t.Fatalf("insert accountability: %v", err)
	}
}

func rptInsertIncentive(t *testing.T, ctx context.Context, db *DB, org domain.Org, kind, status string, decided *time.Time) {
	t.Helper()
	err := db.conn(ctx).Exec(`INSERT INTO incentives (target_org_id, target_path, kind, status, decided_at) VALUES (?, ?, ?, ?, ?)`,
		org.ID, string(org.Path), kind, status, utcPtr(decided)).Error
	if err != nil {
		t.Fatalf("insert incentive: %v", err)
	}
}

func TestReportAccountabilityFigures(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			x := rptBuild(t, db)
			ctx := context.Background()
			r, err := db.AccountabilityFigures(ctx, domain.ReportQuery{Scope: x.city.Path, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			org := func(o domain.Org) domain.ReportOrg {
				return domain.ReportOrg{ID: o.ID, Name: o.Name, Path: o.Path, Kind: o.Kind}
			}
			want := []domain.ReportOrgFigures{
				{Org: org(x.hbw), CasesIssued: 1, Findings: domain.SeverityCounts{Minor: 1, Major: 1}, DueInPeriod: 2, RectifiedOnTime: 1},
				{Org: org(x.s1), CasesIssued: 1, Findings: domain.SeverityCounts{Minor: 1, Major: 1, Critical: 1}, DueInPeriod: 3, RectifiedOnTime: 1,
					OverdueNow: 2, OldestOverdueDays: 181, Reopened: 1, Incentives: 1},
				{Org: org(x.s2), CasesIssued: 1, Findings: domain.SeverityCounts{Major: 1, Critical: 1}, DueInPeriod: 1, Incentives: 1},
				{Org: org(x.s3), CasesIssued: 1, Accountability: 2},
			}
			if len(r.Orgs) != len(want) {
				t.Fatalf("%d org rows, want %d: %+v", len(r.Orgs), len(want), r.Orgs)
			}
			for i := range want {
				if r.Orgs[i] != want[i] {
					t.Errorf("org row %d:\n got %+v\nwant %+v", i, r.Orgs[i], want[i])
				}
			}
			wantTotals := domain.ReportOrgFigures{Org: domain.ReportOrg{Name: "合计"}, CasesIssued: 4, Findings: domain.SeverityCounts{Minor: 2, Major: 3, Critical: 2},
				DueInPeriod: 6, RectifiedOnTime: 2, OverdueNow: 2, OldestOverdueDays: 181, Reopened: 1, Accountability: 2, Incentives: 2}
			if r.Totals != wantTotals {
				t.Errorf("totals:\n got %+v\nwant %+v", r.Totals, wantTotals)
			}
			wantForms := []domain.ReportFormCount{
				{Org: org(x.s3), TargetType: "unit", Form: "约谈", Count: 1},
				{Org: org(x.s3), TargetType: "person", Form: "通报批评", Count: 1},
			}
			if len(r.Forms) != len(wantForms) {
				t.Fatalf("forms = %+v, want %+v", r.Forms, wantForms)
			}
			for i := range wantForms {
				if r.Forms[i] != wantForms[i] {
					t.Errorf("form %d = %+v, want %+v", i, r.Forms[i], wantForms[i])
				}
			}
			wantInc := []domain.ReportIncentiveCount{{Org: org(x.s1), Kind: "commendation", Count: 1}, {Org: org(x.s2), Kind: "commendation", Count: 1}}
			if len(r.Incentives) != 2 || r.Incentives[0] != wantInc[0] || r.Incentives[1] != wantInc[1] {
				t.Errorf("incentives = %+v, want %+v", r.Incentives, wantInc)
			}
			wantRec := []domain.ReportRecurring{
				{Org: org(x.hbw), Category: "经费保障", FirstYear: 2024, LastYear: 2026, Years: 2, Findings: 3},
				{Org: org(x.s1), Category: "校园安全", FirstYear: 2025, LastYear: 2026, Years: 2, Findings: 2},
			}
			if len(r.Recurring) != 2 || r.Recurring[0] != wantRec[0] || r.Recurring[1] != wantRec[1] {
				t.Errorf("recurring = %+v, want %+v", r.Recurring, wantRec)
			}
			wantInsp := []domain.ReportInspector{
				{UserID: x.sup2.ID, Name: "李督学", OrgName: "海勃湾区", Visits: 4, ReportsDue: 4, Issued: 3, IssuedOnTime: 2},
				{UserID: x.sup1.ID, Name: "张督学", OrgName: "乌海市", Visits: 3, ReportsDue: 2, Issued: 2, IssuedOnTime: 2},
			}
			if len(r.Inspectors) != 2 || r.Inspectors[0] != wantInsp[0] || r.Inspectors[1] != wantInsp[1] {
				t.Errorf("inspectors = %+v, want %+v", r.Inspectors, wantInsp)
			}
		})
	}
}

func TestReportAccountabilityScopeAndPeriod(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			x := rptBuild(t, db)
			ctx := context.Background()

			// The district's scope leaves 乌达区 out; inspectors count only visits to its schools.
			r, err := db.AccountabilityFigures(ctx, domain.ReportQuery{Scope: x.hbw.Path, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range r.Orgs {
				names = append(names, o.Org.Name)
			}
			if len(names) != 3 || names[0] != "海勃湾区" || names[1] != "海勃湾区第一小学" || names[2] != "海勃湾区第二小学" {
				t.Errorf("orgs in 海勃湾区's scope = %v", names)
			}
			if r.Totals.CasesIssued != 3 || r.Totals.Accountability != 0 || len(r.Forms) != 0 {
				t.Errorf("海勃湾区 totals = %+v, forms %+v", r.Totals, r.Forms)
			}
			if len(r.Inspectors) != 2 || r.Inspectors[1].Name != "张督学" || r.Inspectors[1].Visits != 2 || r.Inspectors[1].ReportsDue != 1 || r.Inspectors[0].Visits != 4 {
				t.Errorf("inspectors in 海勃湾区 = %+v", r.Inspectors)
			}

			// One school.
			r, err = db.AccountabilityFigures(ctx, domain.ReportQuery{Scope: x.s2.Path, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Orgs) != 1 || r.Orgs[0].Org.ID != x.s2.ID || r.Orgs[0].CasesIssued != 1 {
				t.Errorf("s2 report = %+v", r.Orgs)
			}

			// The first quarter, seen from the end of the year: D1 and A1 issued; due in the quarter: k1, k2, f1, f2.
			r, err = db.AccountabilityFigures(ctx, domain.ReportQuery{Scope: x.city.Path, From: "2026-01-01", To: "2026-03-31", Today: "2026-12-31"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Totals.CasesIssued != 2 || r.Totals.DueInPeriod != 4 || r.Totals.RectifiedOnTime != 2 || r.Totals.Reopened != 0 ||
				r.Totals.Incentives != 2 || r.Totals.Accountability != 0 {
				t.Errorf("first quarter totals = %+v", r.Totals)
			}
			// Overdue as of 2026-12-31: f3 (since 06-01), g3 (since 2025-12-31, 365 days) and h1 (since 07-15).
			if r.Totals.OverdueNow != 3 || r.Totals.OldestOverdueDays != 365 {
				t.Errorf("overdue as of 2026-12-31 = %d, oldest %d; want 3, 365", r.Totals.OverdueNow, r.Totals.OldestOverdueDays)
			}

			// A period with nothing in it still answers, empty.
			r, err = db.AccountabilityFigures(ctx, domain.ReportQuery{Scope: x.city.Path, From: "2019-01-01", To: "2019-12-31", Today: "2019-12-31"})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Orgs) != 0 || len(r.Inspectors) != 0 || len(r.Recurring) != 0 || r.Totals.CasesIssued != 0 {
				t.Errorf("2019 report = %+v", r)
			}
		})
	}
}

func TestReportLedger(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			x := rptBuild(t, db)
			l, err := db.Ledger(context.Background(), domain.ReportQuery{Scope: x.city.Path, From: "2026-01-01", To: "2026-12-31", Today: "2026-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			// In order of issue: D1 (02-04), A1 (02-20), B1 (04-01); the withdrawn finding of A1 left out.
			type line struct {
				number, target, category string
				sev                      domain.Severity
				status                   domain.FindingStatus
				due                      domain.Date
			}
			want := []line{
				{x.d1.Number, "海勃湾区", "经费保障", domain.SeverityMajor, domain.FindingPassed, "2026-02-20"},
				{x.d1.Number, "海勃湾区", "经费保障", domain.SeverityMinor, domain.FindingPassed, "2026-02-20"},
				{x.a1.Number, "海勃湾区第一小学", "校园安全", domain.SeverityCritical, domain.FindingPassed, "2026-03-01"},
				{x.a1.Number, "海勃湾区第一小学", "食品卫生", domain.SeverityMajor, domain.FindingPassed, "2026-03-20"},
				{x.a1.Number, "海勃湾区第一小学", "课程教学", domain.SeverityMinor, domain.FindingFailed, "2026-06-01"},
				{x.b1.Number, "海勃湾区第二小学", "校园安全", domain.SeverityMajor, domain.FindingOpen, "2026-07-15"},
				{x.b1.Number, "海勃湾区第二小学", "校园安全", domain.SeverityCritical, domain.FindingSubmitted, "2026-04-22"},
			}
			if len(l.Findings) != len(want) {
				t.Fatalf("%d findings, want %d: %+v", len(l.Findings), len(want), l.Findings)
			}
			for i, w := range want {
				f := l.Findings[i]
				if got := (line{f.CaseNumber, f.Target.Name, f.Category, f.Severity, f.Status, f.DueOn}); got != w {
					t.Errorf("finding %d = %+v, want %+v", i, got, w)
				}
			}
			type mline struct{ number, desc, person, unit string }
			wantM := []mline{
				{x.d1.Number, "追加预算", "赵局长", "区教育局计财股"},
				{x.a1.Number, "清理杂物", "王校长", "海勃湾区第一小学"}, // no unit named: the target answers
				{x.a1.Number, "每日巡查", "王校长", "海勃湾区第一小学"},
				{x.a1.Number, "补充课程记录", "李主任", "教务处"},
			}
			if len(l.Measures) != len(wantM) {
				t.Fatalf("%d measures, want %d: %+v", len(l.Measures), len(wantM), l.Measures)
			}
			for i, w := range wantM {
				m := l.Measures[i]
				if got := (mline{m.CaseNumber, m.Description, m.ResponsiblePerson, m.ResponsibleUnit}); got != w {
					t.Errorf("measure %d = %+v, want %+v", i, got, w)
				}
			}
			resp := l.Responsibilities()
			if len(resp) != 3 || resp[0].ResponsiblePerson != "赵局长" || resp[1].ResponsiblePerson != "李主任" ||
				resp[2].ResponsiblePerson != "王校长" || resp[2].Measures != 2 || resp[2].LatestDue != "2026-02-28" {
				t.Errorf("responsibilities = %+v", resp)
			}
		})
	}
}

// allRecurring is every recurring problem of q, read from the findings without the report's cut to
// the RecurringShown with the most findings, in the report's org order (the test's reference).
func (db *DB) allRecurring(ctx context.Context, q domain.ReportQuery) ([]domain.ReportRecurring, error) {
	p := periodOf(q)
	fScope, fArgs := db.scopeFilter("f.target_path", []domain.Jurisdiction{q.Scope})
	firstYear := q.From.Time().Year() - domain.RecurringLookbackYears
	var rows []struct {
		OrgID               int64
		Path                string
		Category            string
		FirstYear, LastYear int
		Years, Findings     int
	}
	args := append([]any{time.Date(firstYear, 1, 1, 0, 0, 0, 0, domain.CST).UTC(), p.end, firstYear}, fArgs...)
	err := db.conn(ctx).Raw(`SELECT f.target_org_id AS org_id, o.path, f.category, MIN(f.case_year) AS first_year, MAX(f.case_year) AS last_year,
			COUNT(DISTINCT f.case_year) AS years, COUNT(*) AS findings
		FROM findings f JOIN orgs o ON o.id = f.target_org_id
		WHERE f.issued_at >= ? AND f.issued_at < ? AND f.case_year >= ? AND f.status <> 'withdrawn' AND `+fScope+`
		GROUP BY f.target_org_id, o.path, f.category
		HAVING COUNT(DISTINCT f.case_year) > 1 AND SUM(CASE WHEN f.issued_at >= ? THEN 1 ELSE 0 END) > 0`, append(args, p.start)...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]domain.ReportRecurring, len(rows))
	for i, r := range rows {
		out[i] = domain.ReportRecurring{Org: domain.ReportOrg{ID: r.OrgID, Path: domain.Jurisdiction(r.Path)}, Category: r.Category,
			FirstYear: r.FirstYear, LastYear: r.LastYear, Years: r.Years, Findings: r.Findings}
	}
	slices.SortFunc(out, func(a, b domain.ReportRecurring) int {
		return cmp.Or(strings.Compare(string(a.Org.Path), string(b.Org.Path)), cmp.Compare(a.Org.ID, b.Org.ID), strings.Compare(a.Category, b.Category))
	})
	return out, nil
}

// TestReportReadsWithoutParallelWorkers: on PostgreSQL each report section runs without parallel
// workers (the sections already run at once), and the setting stays with that section's transaction.
func TestReportReadsWithoutParallelWorkers(t *testing.T) {
	postgresOnly(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		var in, after []string
		q := "SELECT current_setting('max_parallel_workers_per_gather')"
		if err := db.reportRead(ctx, db.conn(ctx), &in, q); err != nil {
			t.Fatal(err)
		}
		if err := db.conn(ctx).Raw(q).Scan(&after).Error; err != nil {
			t.Fatal(err)
		}
		if len(in) != 1 || in[0] != "0" || len(after) != 1 || after[0] == "0" {
			t.Errorf("workers per gather: %v in a section, %v after it", in, after)
		}
	})
}

// TestPostgresPlansOnce: storage's PostgreSQL sessions keep a prepared statement's generic plan
// (PostgresDSN) instead of planning it again for every run's values, and a DSN that names its own
// plan_cache_mode keeps it.
func TestPostgresPlansOnce(t *testing.T) {
	if got := PostgresDSN("postgres://u@h:5432/db?sslmode=disable&plan_cache_mode=auto"); !strings.Contains(got, "plan_cache_mode=auto") ||
		strings.Contains(got, "force_generic_plan") || !strings.Contains(got, "sslmode=disable") {
		t.Errorf("a DSN naming its plan_cache_mode became %q", got)
	}
	postgresOnly(t, func(t *testing.T, db *DB) {
		var mode string
		if err := db.conn(context.Background()).Raw("SELECT current_setting('plan_cache_mode')").Scan(&mode).Error; err != nil {
			t.Fatal(err)
		}
		if mode != "force_generic_plan" {
			t.Errorf("plan_cache_mode = %q, want force_generic_plan", mode)
		}
	})
}
