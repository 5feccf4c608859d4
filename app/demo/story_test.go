package demo_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/cmd/system"
	"dudao/domain"
	"dudao/domain/domaintest"
	"dudao/storage/storagetest"
)

// TestDemoTellsAYear loads the demo on each engine and reads it as the city's director, auditor and
// monitor would: every section of the year's accountability report has content, the ledger has
// problems overdue today, cases stand in every state, kind and type, 问责 and incentives in every state
// (a 约谈 held, a statement made), nothing planned is dated in the past, the audit log runs forward in
// time, and loading again adds nothing. It is loaded on two days: early in a spring term (the story
// crosses the new year) and late in the autumn.
func TestDemoTellsAYear(t *testing.T) {
	for _, name := range storagetest.Names {
		for _, now := range []time.Time{time.Date(2026, 3, 2, 8, 0, 0, 0, domain.CST), time.Date(2026, 12, 1, 10, 0, 0, 0, domain.CST)} {
			t.Run(name+"/"+now.Format("2006-01-02"), func(t *testing.T) {
				eng := storagetest.New(t, name)
				if eng.Skip != "" {
					t.Skip(eng.Skip)
				}
				demoYear(t, eng, now)
			})
		}
	}
}

func demoYear(t *testing.T, eng storagetest.Engine, now time.Time) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := domaintest.NewClock(now)
	sys, err := system.Open(ctx, system.Settings{DSN: eng.DSN, EvidenceDir: filepath.Join(dir, "evidence"),
		AnchorDir: filepath.Join(dir, "anchor"), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	x := sys.App
	began := time.Now()
	s, err := demo.Load(ctx, x)
	if err != nil || !s.Loaded {
		t.Fatalf("demo.Load: %+v %v", s, err)
	}
	t.Logf("%s: demo loaded in %v, %d cases", eng.Name, time.Since(began), s.Cases)
	if got := clock.Peek(); !got.Equal(now) {
		t.Errorf("the live clock moved to %v", got)
	}
	actor := func(u string) domain.Actor {
		a, err := x.ActorFor(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	director, auditor, monitor := actor("city.director"), actor("auditor"), actor("monitor")
	today := x.Today()

	// The report over the demo year, for 乌海市.
	city, err := x.OrgByPath(ctx, app.System, "wuhai/")
	if err != nil {
		t.Fatal(err)
	}
	r, err := x.AccountabilityReport(ctx, director, app.ReportParams{From: today.AddDays(-365), To: today, OrgID: city.ID})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, o := range r.Orgs {
		rows = append(rows, o.Org.Name)
	}
	for _, want := range []string{"海勃湾区", "乌达区", "海南区", "乌海市第一中学", "乌海市第十中学"} {
		if !slices.Contains(rows, want) {
			t.Errorf("report rows %v lack %s", rows, want)
		}
	}
	tot := r.Totals
	if rate, ok := tot.OnTimeRate(); !ok || rate <= 0 || rate >= 1 {
		t.Errorf("按期整改率 %v %v: want a value between 0 and 1 (some on time, some late)", rate, ok)
	}
	if tot.CasesIssued == 0 || tot.Findings.Critical == 0 || tot.Findings.Major == 0 || tot.Findings.Minor == 0 || tot.OverdueNow == 0 ||
		tot.OldestOverdueDays == 0 || tot.Reopened == 0 || tot.Accountability == 0 || tot.Incentives == 0 {
		t.Errorf("report totals have an empty column: %+v", tot)
	}
	forms := map[string]bool{}
	for _, f := range r.Forms {
		forms[f.Form] = true
	}
	if !forms[domain.FormInterview] || len(r.Forms) < 2 {
		t.Errorf("问责 by form %+v: want a 约谈 and another form", r.Forms)
	}
	kinds := map[string]bool{}
	for _, i := range r.Incentives {
		kinds[i.Kind] = true
	}
	if !kinds[string(domain.IncCommendation)] || !kinds[string(domain.IncResource)] {
		t.Errorf("incentives %+v: want a commendation and resources", r.Incentives)
	}
	if len(r.Recurring) == 0 {
		t.Error("no recurring problem in the report")
	}
	visits := 0
	for _, i := range r.Inspectors {
		visits += i.Visits
	}
	if visits == 0 {
		t.Errorf("inspectors %+v made no visit", r.Inspectors)
	}

	// The ledger has problems overdue today.
	l, err := x.Ledger(ctx, director, app.ReportParams{From: today.AddDays(-365), To: today, OrgID: city.ID})
	if err != nil {
		t.Fatal(err)
	}
	overdue := 0
	for _, f := range l.Findings {
		if f.Status.ToRectify() && f.DueOn.Before(today) {
			overdue++
		}
	}
	if overdue == 0 || len(l.Measures) == 0 {
		t.Errorf("ledger: %d overdue of %d findings, %d measures", overdue, len(l.Findings), len(l.Measures))
	}

	// Cases in every state, kind and type, none planned for a day gone by.
	page, err := x.ListCases(ctx, auditor, domain.CaseFilter{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	states, kindsSeen, types := map[domain.Status]int{}, map[domain.CaseKind]int{}, map[domain.CaseType]int{}
	for _, c := range page.Items {
		states[c.Status]++
		kindsSeen[c.Kind]++
		types[c.Type]++
		if c.Status == domain.StatusPlanned && c.PlannedOn != "" && c.PlannedOn.Before(today) {
			t.Errorf("case %s %q is still planned for %s", c.Number, c.Title, c.PlannedOn)
		}
		if c.Status == domain.StatusPlanned && strings.Contains(c.Title, "开学") && !c.PlannedOn.Valid() {
			t.Errorf("planned opening check %q has no visit day", c.Title)
		}
	}
	for _, st := range domain.Statuses {
		if states[st] == 0 {
			t.Errorf("no case %s: %v", st, states)
		}
	}
	for _, k := range []domain.CaseKind{domain.KindComprehensive, domain.KindSpecial, domain.KindRoutine, domain.KindRandom, domain.KindFollowup} {
		if kindsSeen[k] == 0 {
			t.Errorf("no case of kind %s: %v", k, kindsSeen)
		}
	}
	for _, ty := range []domain.CaseType{domain.CaseGovernment, domain.CaseSchool, domain.CaseMonitoring} {
		if types[ty] == 0 {
			t.Errorf("no case of type %s: %v", ty, types)
		}
	}
	if page.Total != s.Cases {
		t.Errorf("the auditor sees %d cases, the demo opened %d", page.Total, s.Cases)
	}

	// 问责 in every state, with a statement and a 约谈; incentives in every state.
	accs, _, err := x.ListAccountability(ctx, director, domain.AccountabilityFilter{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	accStates := map[domain.AccStatus]int{}
	interviews, statements := 0, 0
	for _, v := range accs {
		accStates[v.Record.Status]++
		if one, err := x.GetAccountability(ctx, director, v.Record.ID); err == nil {
			interviews += len(one.Record.Interviews)
		}
		if v.Record.Status == domain.AccNoticed && v.Record.StatementAt != nil {
			statements++
		}
	}
	for _, st := range domain.AccStatuses {
		if accStates[st] == 0 {
			t.Errorf("no 问责 %s: %v", st, accStates)
		}
	}
	if interviews == 0 || statements == 0 {
		t.Errorf("%d 约谈 recorded, %d noticed records with a statement; want both", interviews, statements)
	}
	incs, _, err := x.ListIncentives(ctx, director, domain.IncentiveFilter{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	incStates := map[domain.IncStatus]int{}
	for _, v := range incs {
		incStates[v.Record.Status]++
	}
	for _, st := range domain.IncStatuses {
		if incStates[st] == 0 {
			t.Errorf("no incentive %s: %v", st, incStates)
		}
	}

	t.Logf("cases %v %v %v; 问责 %v; incentives %v; report totals %+v", states, kindsSeen, types, accStates, incStates, tot)

	// The monitor has figures to read and lags to chase.
	h, ok, err := x.MonitoringHome(ctx, monitor)
	if err != nil || !ok || len(h.Behind) == 0 {
		t.Errorf("monitor's home: ok %v, %d behind, %v", ok, len(h.Behind), err)
	}

	// The audit log runs forward in time and ends before now; its chain holds.
	var events []domain.AuditEvent
	for p := 1; ; p++ {
		list, total, err := x.ListAudit(ctx, auditor, p, 200)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, list...)
		if len(list) == 0 || len(events) >= total {
			break
		}
	}
	for i := 1; i < len(events); i++ { // newest first; a use case inside another (a proposal taken up
		// as a case) appends the inner event first, read a moment later
		if events[i].At.After(events[i-1].At.Add(time.Second)) {
			t.Fatalf("audit event %d (%s) at %v comes after event %d at %v", events[i].ID, events[i].Action, events[i].At, events[i-1].ID, events[i-1].At)
		}
	}
	if len(events) == 0 || events[0].At.After(clock.Peek()) || events[len(events)-1].At.After(clock.Peek().AddDate(0, 0, -1)) {
		t.Errorf("audit log from %v to %v: want it to end before now and reach back", events[len(events)-1].At, events[0].At)
	}
	if v, err := x.VerifyAudit(ctx, nil); err != nil || v.BrokenID != 0 {
		t.Errorf("audit chain: %+v %v", v, err)
	}

	// Loading again adds nothing.
	again, err := demo.Load(ctx, x)
	if err != nil || again.Loaded {
		t.Fatalf("second load: %+v %v", again, err)
	}
	if p, err := x.ListCases(ctx, auditor, domain.CaseFilter{PerPage: 1}); err != nil || p.Total != page.Total {
		t.Errorf("after a second load %d cases, before %d (%v)", p.Total, page.Total, err)
	}
}
