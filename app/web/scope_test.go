package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"dudao/app"
	"dudao/domain"
)

// TestScopeListMatchesReads: a user holding grants at two levels sees in the case list exactly the
// cases it may read one by one. monitor (monitor over 乌海市, which reads no cases) made a supervisor
// over 海勃湾区 reads that district's cases and must list them too (an admin may not be made one: SPEC §1); the 乌达区 office made an auditor over 海勃湾区 reads and lists
// both districts' cases.
func TestScopeListMatchesReads(t *testing.T) {
	caseEngines(t, func(t *testing.T, e *caseEnv) {
		ctx := context.Background()
		for _, g := range []struct {
			user string
			role domain.Role
			at   string
		}{{"monitor", domain.RoleSupervisor, "wuhai/hbw/"}, {"wd.office", domain.RoleAuditor, "wuhai/hbw/"}} {
			if _, err := e.Env.App.GrantRole(ctx, app.System, g.user, g.role, domain.Jurisdiction(g.at)); err != nil {
				t.Fatalf("grant %s %s at %s: %v", g.user, g.role, g.at, err)
			}
		}
		e.login(t, "monitor", "wd.office", "city.director")
		var all []int64
		rows, err := e.raw.Query("SELECT id FROM cases ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			all = append(all, id)
		}
		rows.Close()
		if len(all) == 0 {
			t.Fatal("the demo holds no cases")
		}
		for _, user := range []string{"monitor", "wd.office"} {
			var readable []int64
			for _, id := range all {
				switch r := e.call(t, user, http.MethodGet, casePath(id, ""), nil); r.Status {
				case http.StatusOK:
					readable = append(readable, id)
				case http.StatusNotFound:
				default:
					t.Fatalf("GET case %d as %s: %s", id, user, r)
				}
			}
			var listed []int64
			for page := 1; ; page++ {
				var out struct {
					Items []struct {
						ID int64 `json:"id"`
					} `json:"items"`
					Total int `json:"total"`
				}
				e.decode(t, e.mustCall(t, user, http.MethodGet, fmt.Sprintf("/api/v1/cases?per_page=200&page=%d", page), nil, http.StatusOK), &out)
				for _, it := range out.Items {
					listed = append(listed, it.ID)
				}
				if len(out.Items) < 200 {
					if out.Total != len(listed) {
						t.Errorf("%s: total %d, listed %d", user, out.Total, len(listed))
					}
					break
				}
			}
			slices.Sort(listed)
			if len(readable) == 0 || !slices.Equal(listed, readable) {
				t.Errorf("%s lists %v but reads %v one by one", user, listed, readable)
			}
		}
	})
}
