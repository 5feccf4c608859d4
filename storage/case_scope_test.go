package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

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
				w := walk{scope: "wuhai/hbw/", gram: gram}
				k := w.key()
				q := db.caseScopeQuery(db.gorm.Session(&gorm.Session{DryRun: true}), w, f)
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
				if !strings.HasPrefix(text, first) || strings.Contains(text, "TEMP B-TREE") || !bounded ||
					strings.Contains(text, "SCAN ") || strings.Contains(text, "SEARCH fo USING INDEX findings_due") {
					t.Errorf("%s (cursor %v, bigram %q): plan %q, want an index range in list order", name, cursor, gram, text)
				}
			}
		}
	}
}
