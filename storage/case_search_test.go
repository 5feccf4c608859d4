package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"dudao/domain"
)

// TestCaseTextSearch: a search finds exactly the cases whose title or number contains the term, in
// list order, page after page, whichever range the search walks (a rare word city-wide walks its
// bigram; a common word in a small school walks the school), and the same after the index is rebuilt
// from the cases, as a bulk load and the migration do.
func TestCaseTextSearch(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			city := mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
			hbw := mustOrg(t, ctx, db, "hbw", "海勃湾区", domain.OrgDistrict, &city)
			big := mustOrg(t, ctx, db, "s1", "海勃湾区第一小学", domain.OrgSchool, &hbw)
			small := mustOrg(t, ctx, db, "s2", "海勃湾区第二小学", domain.OrgSchool, &hbw)
			sup := mustUser(t, ctx, db, "sup", "张督学", city)
			topics := []string{"食堂食品安全", "课后服务", "防溺水安全教育", "校车安全管理", "Wi-Fi 校园网络"}
			type made struct {
				id            int64
				title, number string
				target        domain.Org
			}
			var all []made
			at := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
			for i := 0; i < 90; i++ {
				target := big
				if i%9 == 0 {
					target = small
				}
				title := fmt.Sprintf("2026年%s专项督导（第%d批）", topics[i%len(topics)], i/len(topics)+1)
				if i == 44 {
					title = "校舍漏雨专项督导" // a word found once
				}
				c := &domain.Case{Year: 2026, Type: domain.CaseSchool, Kind: domain.KindSpecial, OwnerOrg: city, TargetOrg: target,
					Title: title, InspectorIDs: []int64{sup.ID}, Status: domain.StatusPlanned, Version: 1, CreatedBy: sup.ID,
					CreatedAt: at.Add(time.Duration(i/3) * time.Hour)} // three cases share each instant
				if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateCase(ctx, c) }); err != nil {
					t.Fatal(err)
				}
				all = append(all, made{c.ID, c.Title, c.Number, target})
			}
			// Newest first, as lists are.
			slices.Reverse(all)
			expect := func(scope domain.Org, q string) []int64 {
				var ids []int64
				for _, m := range all {
					if scope.Path.Covers(m.target.Path) && (strings.Contains(m.title, q) || strings.Contains(m.number, q)) {
						ids = append(ids, m.id)
					}
				}
				return ids
			}
			search := func(scope domain.Org, q string) ([]int64, []walk) {
				t.Helper()
				f := domain.CaseFilter{Scopes: []domain.Jurisdiction{scope.Path}, Q: q, PerPage: 7}
				var walks []walk
				if err := db.WithinTx(ctx, func(ctx context.Context) (err error) { walks, err = db.walks(ctx, f); return err }); err != nil {
					t.Fatal(err)
				}
				var got []int64
				for pages := 0; ; pages++ {
					page, err := db.ListCases(ctx, f)
					if err != nil {
						t.Fatalf("search %q in %s: %v", q, scope.Name, err)
					}
					if want := len(expect(scope, q)); page.Total != want || !page.Exact {
						t.Errorf("search %q in %s: total %d (exact %v), want %d", q, scope.Name, page.Total, page.Exact, want)
					}
					for _, c := range page.Items {
						got = append(got, c.ID)
					}
					if page.Next == "" || pages > 20 {
						break
					}
					f.Cursor = page.Next
				}
				return got, walks
			}
			check := func(when string) {
				for _, tc := range []struct {
					scope domain.Org
					q     string
					gram  bool // the walk is expected on a bigram
				}{
					{city, "防溺水", true},        // a topic: one case in five, fewer than the city holds
					{city, "漏雨", true},         // once
					{city, "地震", true},         // no case: the empty range of a bigram nobody holds
					{small, "安全", false},       // common, and the school holds few cases
					{hbw, "督学〔2026〕1", true},   // numbers are searched too
					{city, "Wi-Fi 校园", true},   // spaces and Latin letters
					{city, "专", false},         // one character: the scope is walked
					{small, "2026年课后", false},  // every case holds "20": the school holds fewer
					{big, "课后服务专项督导（第1", true}, // a long term: its rarest bigram
				} {
					got, walks := search(tc.scope, tc.q)
					want := expect(tc.scope, tc.q)
					if !slices.Equal(got, want) {
						t.Errorf("%s: search %q in %s = %v, want %v", when, tc.q, tc.scope.Name, got, want)
					}
					if len(walks) != 1 || (walks[0].gram != "") != tc.gram {
						t.Errorf("%s: search %q in %s walks %+v, want on a bigram: %v", when, tc.q, tc.scope.Name, walks, tc.gram)
					}
				}
			}
			check("as written")
			if err := db.WithinTx(ctx, db.RebuildDerived); err != nil {
				t.Fatal(err)
			}
			check("after a rebuild")
		})
	}
}

// TestCaseSearchTotalCapped: a search counts its matches up to SearchCap and then says "at least",
// while the pages still reach every match; one match fewer than the cap is counted exactly.
func TestCaseSearchTotalCapped(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			city, school, sup := oneSchool(t, ctx, db)
			at := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
			open := func(i int, title string) {
				mustCreateSchoolCase(t, ctx, db, city, school, sup, domain.KindSpecial, title, domain.StatusPlanned, at.Add(time.Duration(i)*time.Minute), nil)
			}
			for i := 0; i < SearchCap-1; i++ {
				open(i, fmt.Sprintf("防溺水安全教育专项督导（第%d批）", i+1))
			}
			open(SearchCap, "校车安全管理专项督导")
			count := func(q string) (int, bool, int) {
				t.Helper()
				f := domain.CaseFilter{Scopes: []domain.Jurisdiction{city.Path}, Q: q, PerPage: 200}
				seen := 0
				var first domain.CasePage
				for i := 0; ; i++ {
					page, err := db.ListCases(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if i == 0 {
						first = page
					}
					seen += len(page.Items)
					if page.Next == "" {
						break
					}
					f.Cursor = page.Next
				}
				return first.Total, first.Exact, seen
			}
			if total, exact, seen := count("防溺水"); total != SearchCap-1 || !exact || seen != SearchCap-1 {
				t.Errorf("%d matches: total %d exact %v, listed %d", SearchCap-1, total, exact, seen)
			}
			open(SearchCap+1, "防溺水安全教育专项督导（补充）")
			open(SearchCap+2, "防溺水安全教育专项督导（再补充）")
			if total, exact, seen := count("防溺水"); total != SearchCap || exact || seen != SearchCap+1 {
				t.Errorf("%d matches: total %d exact %v, listed %d; want %d, not exact, all listed", SearchCap+1, total, exact, seen, SearchCap)
			}
			// Pages of 30, by number and by cursor, list the matches in the order of one pass, each
			// with the same total: the first pages come from the counting walk, the last ones (past
			// the cap) from a walk of their own.
			ids := func(f domain.CaseFilter, byCursor bool) []int64 {
				t.Helper()
				var out []int64
				for f.Page = 1; ; f.Page++ {
					page, err := db.ListCases(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if page.Total != SearchCap || page.Exact {
						t.Errorf("page %d (cursor %v): total %d exact %v", f.Page, byCursor, page.Total, page.Exact)
					}
					for _, c := range page.Items {
						out = append(out, c.ID)
					}
					if page.Next == "" || len(page.Items) == 0 {
						return out
					}
					if byCursor {
						f.Cursor = page.Next
					}
				}
			}
			whole := ids(domain.CaseFilter{Scopes: []domain.Jurisdiction{city.Path}, Q: "防溺水", PerPage: SearchCap + 5}, true)
			if len(whole) != SearchCap+1 {
				t.Fatalf("one page of all: %d cases", len(whole))
			}
			for _, byCursor := range []bool{false, true} {
				got := ids(domain.CaseFilter{Scopes: []domain.Jurisdiction{city.Path}, Q: "防溺水", PerPage: 30}, byCursor)
				if !slices.Equal(got, whole) {
					t.Errorf("pages of 30 (cursor %v): %d cases, not those of one pass in its order", byCursor, len(got))
				}
			}
			// The list without a term still counts to ListCap (here: exactly, from the kept counts).
			page, err := db.ListCases(ctx, domain.CaseFilter{Scopes: []domain.Jurisdiction{city.Path}, PerPage: 10})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != SearchCap+2 || !page.Exact {
				t.Errorf("whole list: total %d exact %v, want %d exact", page.Total, page.Exact, SearchCap+2)
			}
		})
	}
}
