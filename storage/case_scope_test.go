package storage

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"dudao/domain"
)

// TestCaseListPlans reads SQLite's plan of every shape of the case list's page query: each must be one
// index range of case_scopes in the order of the list (no SCAN of a table, no temporary B-tree to sort),
// so that a page costs the same whatever the number of cases outside it.
func TestCaseListPlans(t *testing.T) {
	db := openTestDBs(t)[0].use(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	for name, f := range map[string]domain.CaseFilter{
		"scope":    {},
		"status":   {Status: domain.StatusRectifying},
		"statuses": {Statuses: []domain.Status{domain.StatusPlanned, domain.StatusInspecting}},
		"period":   {From: "2026-01-01", To: "2026-02-01"},
		"overdue":  {Overdue: true, Today: "2026-03-02"},
		"pending":  {PendingObjections: true},
		"mine":     {InspectorID: 7},
		"text":     {Q: "消防"},
		"kind":     {Type: domain.CaseSchool, Kind: domain.KindRoutine},
	} {
		for _, cursor := range []bool{false, true} {
			for _, gram := range []string{"", "消防"} {
				if gram != "" && f.Q == "" {
					continue
				}
				// On PostgreSQL a filter on several statuses is read one status at a time.
				parts := statusParts(f)
				if n := len(parts); (len(f.Statuses) > 1 || f.Overdue) != (n == 2) || (n == 1 && parts[0].Status != f.Status) {
					t.Errorf("%s: %d parts", name, n)
				}
				parts = append(parts, f) // SQLite reads f as it is
				for _, sf := range parts {
					w := walk{scope: "wuhai/hbw/", gram: gram}
					k := w.key()
					q := db.caseScopeQuery(db.gorm.Session(&gorm.Session{DryRun: true}), w, sf)
					if cursor {
						q = q.Where("("+k+".created_at, "+k+".case_id) < (?, ?)", at, 9)
					}
					stmt := q.Select(k + ".case_id, " + k + ".created_at").Order(k + ".created_at DESC, " + k + ".case_id DESC").Limit(51).Find(&[]struct{}{}).Statement
					var plan []struct {
						ID, Parent, Notused int
						Detail              string
					}
					if err := db.gorm.WithContext(ctx).Raw("EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					var lines []string
					for _, p := range plan {
						lines = append(lines, p.Detail)
					}
					text := strings.Join(lines, " | ")
					// With a cursor the walk starts at it (or at the period's end, the tighter bound there).
					bounded := !cursor || strings.Contains(text, "(created_at,case_id)<(?,?)") || strings.Contains(text, "created_at<?)")
					// A walk on a bigram reads case_grams' range first and finds each case in the scope by its key.
					first := "SEARCH cs USING"
					if gram != "" {
						first = "SEARCH k USING PRIMARY KEY (gram=?"
						if !strings.Contains(text, "SEARCH cs USING COVERING INDEX sqlite_autoindex_case_scopes_1 (scope_path=? AND case_id=?)") {
							t.Errorf("%s (cursor %v, bigram): plan %q, want each case looked up in the scope by its key", name, cursor, text)
						}
					}
					if f.PendingObjections {
						// The pending objections drive instead (bounded by what awaits a ruling, not by the
						// scope): each case is looked up in the scope by its key, and those few are sorted —
						// the one temporary B-tree allowed, and the one SCAN (of the pending cases read just before).
						want := "SEARCH op USING COVERING INDEX objections_pending (status=?) | SCAN p | " +
							"SEARCH cs USING INDEX sqlite_autoindex_case_scopes_1 (scope_path=? AND case_id=?) | USE TEMP B-TREE FOR ORDER BY"
						if !strings.HasSuffix(text, want) || strings.Count(text, "SCAN ") != 1 || strings.Count(text, "TEMP B-TREE") != 1 {
							t.Errorf("%s (cursor %v): plan %q, want the pending objections' range, then each case in the scope", name, cursor, text)
						}
						continue
					}
					if !strings.HasPrefix(text, first) || strings.Contains(text, "TEMP B-TREE") || !bounded ||
						strings.Contains(text, "SCAN ") || strings.Contains(text, "SEARCH fo USING INDEX findings_due") {
						t.Errorf("%s (cursor %v, bigram %q): plan %q, want an index range in list order", name, cursor, gram, text)
					}
					if sf.Status != "" && gram == "" && !strings.Contains(text, "USING COVERING INDEX case_scopes_status (scope_path=? AND status=?") {
						t.Errorf("%s (cursor %v): plan %q, want the status's own range", name, cursor, text)
					}
				}
			}
		}
	}
	// A status named twice is read once.
	if parts := statusParts(domain.CaseFilter{Status: domain.StatusPlanned, Statuses: []domain.Status{domain.StatusPlanned, domain.StatusReview}}); len(parts) != 2 ||
		parts[0].Status != domain.StatusPlanned || parts[1].Status != domain.StatusReview || parts[1].Statuses != nil {
		t.Errorf("statusParts: %+v", parts)
	}
}

// TestPendingObjectionsList: the list of cases with an objection awaiting a ruling (the director's
// work list, and the case list's filter) holds exactly those cases, newest first, page after page,
// with the right total, when most cases in feedback or review have none — in one scope, in another,
// in both at once and in the scope above them; a case with two pending objections is listed once, one
// whose objections are ruled on is not, nor one in another status.
func TestPendingObjectionsList(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			city := mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
			hbw := mustOrg(t, ctx, db, "hbw", "海勃湾区", domain.OrgDistrict, &city)
			wd := mustOrg(t, ctx, db, "wd", "乌达区", domain.OrgDistrict, &city)
			schools := []domain.Org{
				mustOrg(t, ctx, db, "s1", "海勃湾区第一小学", domain.OrgSchool, &hbw),
				mustOrg(t, ctx, db, "s2", "乌达区第一小学", domain.OrgSchool, &wd),
				mustOrg(t, ctx, db, "s3", "海勃湾区第二小学", domain.OrgSchool, &hbw),
			}
			sup := mustUser(t, ctx, db, "sup", "张督学", city)
			type made struct {
				id      int64
				target  domain.Org
				status  domain.Status
				pending bool
			}
			var all []made
			at := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
			for i := 0; i < 150; i++ {
				status := domain.StatusFeedback
				if i%2 == 1 {
					status = domain.StatusReview
				}
				if i%10 == 9 {
					status = domain.StatusRectifying
				}
				c := &domain.Case{Year: 2026, Type: domain.CaseSchool, Kind: domain.KindRoutine, OwnerOrg: city, TargetOrg: schools[i%3],
					Title: "常规督导", InspectorIDs: []int64{sup.ID}, Status: status, Version: 1, CreatedBy: sup.ID,
					CreatedAt: at.Add(time.Duration(i/2) * time.Hour)} // two cases share each instant
				objection := func(s domain.ObjectionStatus) {
					o := domain.Objection{Text: "对督导意见有异议", Status: s, FiledBy: sup.ID, FiledAt: c.CreatedAt.Add(time.Hour)}
					if s != domain.ObjectionPending {
						o.RuledBy, o.RuledAt = sup.ID, &o.FiledAt
					}
					c.Objections = append(c.Objections, o)
				}
				pending := false
				switch {
				case i%7 == 3: // one pending objection
					objection(domain.ObjectionPending)
					pending = true
				case i%13 == 5: // two pending, beside a ruled one
					objection(domain.ObjectionRejected)
					objection(domain.ObjectionPending)
					objection(domain.ObjectionPending)
					pending = true
				case i%11 == 4: // ruled on: no longer awaiting a ruling
					objection(domain.ObjectionUpheld)
				}
				if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateCase(ctx, c) }); err != nil {
					t.Fatal(err)
				}
				all = append(all, made{c.ID, c.TargetOrg, status, pending})
			}
			slices.Reverse(all) // newest first, as lists are
			awaiting := []domain.Status{domain.StatusFeedback, domain.StatusReview}
			expect := func(scopes []domain.Org, statuses []domain.Status) []int64 {
				var ids []int64
				for _, m := range all {
					in := false
					for _, s := range scopes {
						in = in || s.Path.Covers(m.target.Path)
					}
					if in && m.pending && (len(statuses) == 0 || slices.Contains(statuses, m.status)) {
						ids = append(ids, m.id)
					}
				}
				return ids
			}
			for _, tc := range []struct {
				name     string
				scopes   []domain.Org
				statuses []domain.Status
			}{
				{"海勃湾区", []domain.Org{hbw}, awaiting},
				{"乌达区", []domain.Org{wd}, awaiting},
				{"两区", []domain.Org{hbw, wd}, awaiting},
				{"乌海市", []domain.Org{city}, awaiting},
				{"一校", []domain.Org{schools[2]}, awaiting},
				{"乌海市，任何状态", []domain.Org{city}, nil},
			} {
				want := expect(tc.scopes, tc.statuses)
				if len(want) < 3 {
					t.Fatalf("%s: only %d cases to list; the test needs more", tc.name, len(want))
				}
				f := domain.CaseFilter{Statuses: tc.statuses, PendingObjections: true, PerPage: 4}
				for _, s := range tc.scopes {
					f.Scopes = append(f.Scopes, s.Path)
				}
				var got []int64
				for pages := 0; ; pages++ {
					page, err := db.ListCases(ctx, f)
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if page.Total != len(want) || !page.Exact {
						t.Errorf("%s: total %d (exact %v), want %d", tc.name, page.Total, page.Exact, len(want))
					}
					for _, c := range page.Items {
						got = append(got, c.ID)
					}
					if page.Next == "" || pages > 50 {
						break
					}
					f.Cursor = page.Next
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: listed %v, want %v", tc.name, got, want)
				}
				// The home's work list reads the first cases with their counts.
				f.Cursor, f.PerPage = "", 5
				sums, err := db.CaseSummaries(ctx, f)
				if err != nil {
					t.Fatalf("%s: summaries: %v", tc.name, err)
				}
				var first []int64
				for _, s := range sums {
					first = append(first, s.Case.ID)
					if s.PendingObjectionCount == 0 {
						t.Errorf("%s: summary of case %d counts no pending objection", tc.name, s.Case.ID)
					}
				}
				if !slices.Equal(first, want[:min(5, len(want))]) {
					t.Errorf("%s: work list %v, want %v", tc.name, first, want[:min(5, len(want))])
				}
			}
		})
	}
}

// TestMultiStatusListPages: a list on several statuses (and the overdue list, on two) pages through
// exactly its cases, newest first, by cursor and by page number, on each engine — PostgreSQL reads it
// one status at a time and merges (statusParts); two cases share each instant, so the merge must
// order by id as well.
func TestMultiStatusListPages(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			city, school, sup := oneSchool(t, ctx, db)
			statuses := []domain.Status{domain.StatusPlanned, domain.StatusInspecting, domain.StatusRectifying,
				domain.StatusVerifying, domain.StatusReview, domain.StatusRectifying}
			at := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
			type made struct {
				id      int64
				status  domain.Status
				overdue bool
			}
			var all []made
			for i := 0; i < 40; i++ {
				st := statuses[i%len(statuses)]
				overdue := false
				c := mustCreateSchoolCase(t, ctx, db, city, school, sup, domain.KindRoutine, "常规督导", st, at.Add(time.Duration(i/2)*time.Hour),
					func(c *domain.Case) {
						if st == domain.StatusRectifying || st == domain.StatusVerifying {
							due := domain.Date("2026-02-01") // overdue on 2026-03-02, for every third such case
							if i%3 != 0 {
								due = "2026-04-01"
							}
							overdue = due == "2026-02-01"
							c.Findings = []domain.Finding{{Title: "校舍安全隐患", Severity: domain.SeverityMajor, Category: "安全",
								DueOn: due, Status: domain.FindingOpen}}
						}
					})
				all = append(all, made{c.ID, st, overdue})
			}
			slices.Reverse(all) // newest first; of two at one instant the greater id first
			for name, f := range map[string]domain.CaseFilter{
				"statuses": {Statuses: []domain.Status{domain.StatusPlanned, domain.StatusRectifying}},
				"overlap":  {Status: domain.StatusInspecting, Statuses: []domain.Status{domain.StatusInspecting, domain.StatusVerifying}},
				"overdue":  {Overdue: true, Today: "2026-03-02"},
			} {
				var want []int64
				for _, m := range all {
					in := slices.Contains(f.Statuses, m.status) || m.status == f.Status
					if f.Overdue {
						in = m.overdue
					}
					if in {
						want = append(want, m.id)
					}
				}
				if len(want) < 5 {
					t.Fatalf("%s: only %d cases to list", name, len(want))
				}
				for _, byCursor := range []bool{false, true} {
					g := f
					g.Scopes, g.PerPage = []domain.Jurisdiction{city.Path}, 3
					var got []int64
					for g.Page = 1; g.Page < 100; g.Page++ {
						page, err := db.ListCases(ctx, g)
						if err != nil {
							t.Fatal(err)
						}
						for _, c := range page.Items {
							got = append(got, c.ID)
						}
						if page.Next == "" {
							break
						}
						if byCursor {
							g.Cursor = page.Next
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s (cursor %v): listed %v, want %v", name, byCursor, got, want)
					}
				}
			}
		})
	}
}

// TestSaveCaseIndexedColumns saves a case through its steps: SaveCase sets the status, the start and
// issue times and each finding's columns only when they change (to spare SQLite's indexes), and each
// save reads back as made.
func TestSaveCaseIndexedColumns(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			city, school, sup := oneSchool(t, ctx, db)
			at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
			c := mustCreateSchoolCase(t, ctx, db, city, school, sup, domain.KindRoutine, "常规督导", domain.StatusPlanned, at, func(c *domain.Case) {
				c.Findings = []domain.Finding{
					{Title: "消防通道堵塞", Severity: domain.SeverityMajor, Category: "校园安全", DueOn: "2026-04-01", Status: domain.FindingOpen},
					{Title: "食堂台账不全", Severity: domain.SeverityMinor, Category: "食品安全", DueOn: "2026-04-15", Status: domain.FindingOpen},
				}
			})
			save := func(change func(c *domain.Case)) *domain.Case {
				t.Helper()
				got, err := db.GetCase(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				change(got)
				got.Version++
				if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveCase(ctx, got, got.Version-1) }); err != nil {
					t.Fatal(err)
				}
				back, err := db.GetCase(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				return back
			}
			started := at.Add(time.Hour)
			got := save(func(c *domain.Case) { c.Status, c.StartedAt = domain.StatusInspecting, &started })
			if got.Status != domain.StatusInspecting || got.StartedAt == nil || !got.StartedAt.Equal(started) {
				t.Fatalf("after starting: %s from %v", got.Status, got.StartedAt)
			}
			got = save(func(c *domain.Case) { c.Title = "常规督导（补充）" })
			if got.Title != "常规督导（补充）" || got.Status != domain.StatusInspecting || !got.StartedAt.Equal(started) || got.IssuedAt != nil {
				t.Fatalf("after a title change: %q %s from %v, issued %v", got.Title, got.Status, got.StartedAt, got.IssuedAt)
			}
			// Findings: each changed field is saved, and an unchanged finding reads back as it was.
			got = save(func(c *domain.Case) {
				f := &c.Findings[0]
				f.Title, f.Description, f.Severity, f.Category = "消防通道长期堵塞", "东侧通道堆放杂物", domain.SeverityCritical, "消防安全"
				f.ItemCode, f.DueOn, f.Status, f.Requirement = "A1", "2026-03-20", domain.FindingSubmitted, "立即清理"
			})
			want := []domain.Finding{
				{Title: "消防通道长期堵塞", Description: "东侧通道堆放杂物", Severity: domain.SeverityCritical, Category: "消防安全", ItemCode: "A1",
					DueOn: "2026-03-20", Status: domain.FindingSubmitted, Requirement: "立即清理"},
				{Title: "食堂台账不全", Severity: domain.SeverityMinor, Category: "食品安全", DueOn: "2026-04-15", Status: domain.FindingOpen},
			}
			if len(got.Findings) != 2 {
				t.Fatalf("%d findings after a change, want 2", len(got.Findings))
			}
			for i, f := range got.Findings {
				w := want[i]
				w.ID, w.CaseID = f.ID, f.CaseID
				if !reflect.DeepEqual(f, w) {
					t.Errorf("finding %d after a change:\n got %+v\nwant %+v", i, f, w)
				}
			}
			restarted, issued := started.Add(24*time.Hour), started.Add(48*time.Hour)
			got = save(func(c *domain.Case) { c.StartedAt, c.IssuedAt = &restarted, &issued })
			if !got.StartedAt.Equal(restarted) || got.IssuedAt == nil || !got.IssuedAt.Equal(issued) || got.Status != domain.StatusInspecting {
				t.Fatalf("after new times: %s from %v, issued %v", got.Status, got.StartedAt, got.IssuedAt)
			}
			got = save(func(c *domain.Case) { c.StartedAt, c.IssuedAt = nil, nil })
			if got.StartedAt != nil || got.IssuedAt != nil {
				t.Fatalf("after clearing the times: from %v, issued %v", got.StartedAt, got.IssuedAt)
			}
			counts, _, err := db.CaseCounts(ctx, []domain.Jurisdiction{school.Path}, "2026-03-02")
			if err != nil {
				t.Fatal(err)
			}
			if counts[domain.StatusInspecting] != 1 || counts[domain.StatusPlanned] != 0 {
				t.Errorf("the school's counts: %v, want one case inspecting", counts)
			}
		})
	}
}

// TestRowColumnsMatch: the columns a list page reads by hand are gorm's columns of caseRow and orgRow,
// in their fields' order, and each row's dests are its fields in that order; a field added to either
// struct without its column (or the other way round) fails here rather than leave a list without it.
func TestRowColumnsMatch(t *testing.T) {
	for _, c := range []struct {
		row     any
		columns []string
	}{
		{&caseRow{}, caseColumns},
		{&orgRow{}, orgRowColumns},
	} {
		s, err := schema.Parse(c.row, &sync.Map{}, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(s.DBNames, c.columns) {
			t.Errorf("%T: gorm reads %v, the list reads %v", c.row, s.DBNames, c.columns)
		}
		dests := c.row.(interface{ dests() []any }).dests()
		v := reflect.ValueOf(c.row).Elem()
		if len(dests) != v.NumField() {
			t.Fatalf("%T: %d dests for %d fields", c.row, len(dests), v.NumField())
		}
		for i, d := range dests {
			if reflect.ValueOf(d).Pointer() != v.Field(i).Addr().Pointer() {
				t.Errorf("%T: dest %d is not field %s", c.row, i, v.Type().Field(i).Name)
			}
		}
	}
}
