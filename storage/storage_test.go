package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"dudao/domain"
)

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	tables := []string{"orgs", "users", "grants", "sessions", "login_failures", "audit_events"}
	for _, tdb := range openEmptyTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			m := db.gorm.Migrator()
			for _, tbl := range append([]string{"schema_migrations"}, tables...) {
				if m.HasTable(tbl) {
					t.Fatalf("empty database already has table %s", tbl)
				}
			}
			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if len(applied) != len(migrations) {
				t.Fatalf("Migrate applied %q, want all %d migrations", applied, len(migrations))
			}
			for i, a := range applied {
				if want := fmt.Sprintf("%03d ", migrations[i].version); !strings.HasPrefix(a, want) {
					t.Errorf("applied[%d] = %q, want it to start with %q", i, a, want)
				}
			}
			if v, err := db.SchemaVersion(ctx); err != nil || v != LatestVersion() {
				t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, LatestVersion())
			}
			for _, tbl := range append([]string{"schema_migrations"}, tables...) {
				if !m.HasTable(tbl) {
					t.Errorf("after Migrate there is no table %s", tbl)
				}
			}

			again, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			if len(again) != 0 {
				t.Errorf("second Migrate applied %q, want nothing", again)
			}
			var rows int64
			if err := db.gorm.Raw("SELECT COUNT(*) FROM schema_migrations").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if rows != int64(len(migrations)) {
				t.Errorf("schema_migrations holds %d rows, want %d", rows, len(migrations))
			}
			if v, err := db.SchemaVersion(ctx); err != nil || v != LatestVersion() {
				t.Errorf("SchemaVersion after second Migrate = %d, %v; want %d", v, err, LatestVersion())
			}
		})
	}
}

// SchemaVersion documents "0 on an empty database"; a readiness probe or a status command may ask
// before the first Migrate.
func TestSchemaVersionOnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openEmptyTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
				t.Errorf("SchemaVersion on an empty database = %d, %v; want 0, nil", v, err)
			}
		})
	}
}

// Two app nodes starting together against a new database both call Migrate; neither may fail and the
// schema must be applied once.
func TestConcurrentMigrate(t *testing.T) {
	ctx := context.Background()
	const rounds, nodes = 8, 4
	for round := range rounds {
		for _, tdb := range openEmptyTestDBs(t) {
			t.Run(fmt.Sprintf("%s/round%d", tdb.name, round), func(t *testing.T) {
				first := tdb.use(t)
				pools := []*DB{first}
				for range nodes - 1 {
					p, err := Open(tdb.dsn)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { _ = p.Close() })
					pools = append(pools, p)
				}
				var wg sync.WaitGroup
				applied := make([][]string, nodes)
				errs := make([]error, nodes)
				for i, p := range pools {
					wg.Add(1)
					go func() {
						defer wg.Done()
						applied[i], errs[i] = p.Migrate(ctx)
					}()
				}
				wg.Wait()
				total := 0
				for i, err := range errs {
					if err != nil {
						t.Errorf("node %d: Migrate: %v", i, err)
					}
					total += len(applied[i])
				}
				if t.Failed() {
					return
				}
				if total != len(migrations) {
					t.Errorf("the nodes applied %d migrations between them, want %d (each once)", total, len(migrations))
				}
				if v, err := first.SchemaVersion(ctx); err != nil || v != LatestVersion() {
					t.Errorf("SchemaVersion = %d, %v; want %d", v, err, LatestVersion())
				}
			})
		}
	}
}

// orgTree is region → city → districts → schools, with the siblings that trip naive LIKE scoping.
type orgTree struct {
	region, city                domain.Org
	hbw, hbw2, wd, hn           domain.Org // districts; hbw2's path has hbw's as a string prefix
	hbwS012, hbwS013, hbw2S001  domain.Org
	wdS001, wdS002, hnAC, hnABC domain.Org // hnAC's code is "a_c", hnABC's "abc"
	all                         []domain.Org
}

func buildOrgTree(t *testing.T, ctx context.Context, db *DB) orgTree {
	t.Helper()
	var o orgTree
	o.region = mustOrg(t, ctx, db, "nmg", "内蒙古自治区", domain.OrgRegion, nil)
	o.city = mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, &o.region)
	o.hbw = mustOrg(t, ctx, db, "hbw", "海勃湾区", domain.OrgDistrict, &o.city)
	o.hbw2 = mustOrg(t, ctx, db, "hbw2", "海勃湾区二", domain.OrgDistrict, &o.city)
	o.wd = mustOrg(t, ctx, db, "wd", "乌达区", domain.OrgDistrict, &o.city)
	o.hn = mustOrg(t, ctx, db, "hn", "海南区", domain.OrgDistrict, &o.city)
	o.hbwS012 = mustOrg(t, ctx, db, "s012", "海勃湾区第十二小学", domain.OrgSchool, &o.hbw)
	o.hbwS013 = mustOrg(t, ctx, db, "s013", "海勃湾区第十三小学", domain.OrgSchool, &o.hbw)
	o.hbw2S001 = mustOrg(t, ctx, db, "s001", "第一小学", domain.OrgSchool, &o.hbw2)
	o.wdS001 = mustOrg(t, ctx, db, "s001", "乌达区第一小学", domain.OrgSchool, &o.wd)
	o.wdS002 = mustOrg(t, ctx, db, "s002", "乌达区第二小学", domain.OrgSchool, &o.wd)
	o.hnAC = mustOrg(t, ctx, db, "a_c", "甲丙学校", domain.OrgSchool, &o.hn)
	o.hnABC = mustOrg(t, ctx, db, "abc", "甲乙丙学校", domain.OrgSchool, &o.hn)
	o.all = []domain.Org{o.region, o.city, o.hbw, o.hbw2, o.wd, o.hn, o.hbwS012, o.hbwS013, o.hbw2S001,
		o.wdS001, o.wdS002, o.hnAC, o.hnABC}
	return o
}

func paths(orgs []domain.Org) []string {
	out := make([]string, len(orgs))
	for i, o := range orgs {
		out[i] = string(o.Path)
	}
	return out
}

func TestOrgs(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			o := buildOrgTree(t, ctx, db)

			if o.hbwS012.Path != "nmg/wuhai/hbw/s012/" || o.hbwS012.Path.Depth() != 4 {
				t.Fatalf("school path = %q, want nmg/wuhai/hbw/s012/ at depth 4", o.hbwS012.Path)
			}
			for _, want := range o.all {
				got, err := db.GetOrg(ctx, want.ID)
				if err != nil {
					t.Fatalf("GetOrg(%d): %v", want.ID, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("GetOrg(%d) = %+v, want %+v", want.ID, got, want)
				}
				got, err = db.GetOrgByPath(ctx, want.Path)
				if err != nil {
					t.Fatalf("GetOrgByPath(%q): %v", want.Path, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("GetOrgByPath(%q) = %+v, want %+v", want.Path, got, want)
				}
			}
			if o.region.ParentID != nil {
				t.Errorf("root org has parent %d", *o.region.ParentID)
			}
			if got, _ := db.GetOrg(ctx, o.hbwS012.ID); got.ParentID == nil || *got.ParentID != o.hbw.ID {
				t.Errorf("school's parent = %v, want %d", got.ParentID, o.hbw.ID)
			}

			list := func(scopes ...domain.Jurisdiction) []string {
				t.Helper()
				got, err := db.ListOrgs(ctx, scopes)
				if err != nil {
					t.Fatalf("ListOrgs(%q): %v", scopes, err)
				}
				return paths(got)
			}
			cases := []struct {
				name   string
				scopes []domain.Jurisdiction
				want   []string
			}{
				{"district and its schools, not the prefix-sharing sibling", []domain.Jurisdiction{o.hbw.Path},
					[]string{"nmg/wuhai/hbw/", "nmg/wuhai/hbw/s012/", "nmg/wuhai/hbw/s013/"}},
				{"no scopes see nothing", []domain.Jurisdiction{}, []string{}},
				{"nil scopes see nothing", nil, []string{}},
				{"two subtrees", []domain.Jurisdiction{o.wd.Path, o.hbw.Path},
					[]string{"nmg/wuhai/hbw/", "nmg/wuhai/hbw/s012/", "nmg/wuhai/hbw/s013/",
						"nmg/wuhai/wd/", "nmg/wuhai/wd/s001/", "nmg/wuhai/wd/s002/"}},
				{"prefix-sharing sibling alone", []domain.Jurisdiction{o.hbw2.Path},
					[]string{"nmg/wuhai/hbw2/", "nmg/wuhai/hbw2/s001/"}},
				{"underscore is literal, not a LIKE wildcard", []domain.Jurisdiction{o.hnAC.Path},
					[]string{"nmg/wuhai/hn/a_c/"}},
				{"a leaf", []domain.Jurisdiction{o.hnABC.Path}, []string{"nmg/wuhai/hn/abc/"}},
				{"unknown path", []domain.Jurisdiction{"nmg/wuhai/nowhere/"}, []string{}},
				{"a LIKE pattern as scope matches nothing", []domain.Jurisdiction{"nmg/wuhai/%"}, []string{}},
			}
			for _, c := range cases {
				if got := list(c.scopes...); !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s: ListOrgs(%q) = %q, want %q", c.name, c.scopes, got, c.want)
				}
			}
			if got := list(o.region.Path); len(got) != len(o.all) || got[0] != "nmg/" || got[1] != "nmg/wuhai/" {
				t.Errorf("ListOrgs(root) = %q, want all %d orgs from the root down", got, len(o.all))
			}
			// Overlapping scopes must not duplicate rows.
			if got := list(o.city.Path, o.hbw.Path); len(got) != len(o.all)-1 {
				t.Errorf("ListOrgs(city, district) = %d orgs, want %d without duplicates", len(got), len(o.all)-1)
			}

			dup, _ := domain.NewOrg("s012", "重复", domain.OrgSchool, &o.hbw)
			wantCode(t, db.CreateOrg(ctx, &dup), domain.ECONFLICT)
			dupRoot, _ := domain.NewOrg("nmg", "重复", domain.OrgRegion, nil)
			wantCode(t, db.CreateOrg(ctx, &dupRoot), domain.ECONFLICT)
			missing := int64(1 << 40)
			orphan := domain.Org{Code: "x", Name: "孤儿", Kind: domain.OrgSchool, ParentID: &missing, Path: "nowhere/x/"}
			wantCode(t, db.CreateOrg(ctx, &orphan), domain.EINVALID)

			_, err := db.GetOrg(ctx, missing)
			wantCode(t, err, domain.ENOTFOUND)
			_, err = db.GetOrgByPath(ctx, "nmg/wuhai/nowhere/")
			wantCode(t, err, domain.ENOTFOUND)
			if n := len(list(o.region.Path)); n != len(o.all) {
				t.Errorf("after the failed inserts there are %d orgs, want %d", n, len(o.all))
			}
		})
	}
}

func TestUsersAndGrants(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			o := buildOrgTree(t, ctx, db)
			alice := mustUser(t, ctx, db, "alice", "张丽", o.hbwS012)
			bob := mustUser(t, ctx, db, "bob", "王波", o.hbw)
			carol := mustUser(t, ctx, db, "carol", "李卡", o.hbw2)
			dave := mustUser(t, ctx, db, "dave", "赵达", o.city)
			eve := domain.User{Username: "eve", Name: "停用者", OrgID: o.wdS001.ID, PasswordHash: "h", Active: false}
			if err := db.CreateUser(ctx, &eve); err != nil {
				t.Fatal(err)
			}

			for _, want := range []domain.User{alice, bob, carol, dave, eve} {
				got, err := db.GetUser(ctx, want.ID)
				if err != nil {
					t.Fatalf("GetUser(%d): %v", want.ID, err)
				}
				if got != want {
					t.Errorf("GetUser(%d) = %+v, want %+v", want.ID, got, want)
				}
				got, err = db.GetUserByUsername(ctx, want.Username)
				if err != nil {
					t.Fatalf("GetUserByUsername(%q): %v", want.Username, err)
				}
				if got != want {
					t.Errorf("GetUserByUsername(%q) = %+v, want %+v", want.Username, got, want)
				}
			}
			_, err := db.GetUser(ctx, 1<<40)
			wantCode(t, err, domain.ENOTFOUND)
			_, err = db.GetUserByUsername(ctx, "nobody")
			wantCode(t, err, domain.ENOTFOUND)

			again := domain.User{Username: "alice", Name: "另一个", OrgID: o.wd.ID, PasswordHash: "h", Active: true}
			wantCode(t, db.CreateUser(ctx, &again), domain.ECONFLICT)
			homeless := domain.User{Username: "homeless", Name: "无机构", OrgID: 1 << 40, PasswordHash: "h", Active: true}
			wantCode(t, db.CreateUser(ctx, &homeless), domain.EINVALID)

			if err := db.SetPassword(ctx, alice.ID, "new-hash"); err != nil {
				t.Fatalf("SetPassword: %v", err)
			}
			if got, _ := db.GetUser(ctx, alice.ID); got.PasswordHash != "new-hash" {
				t.Errorf("after SetPassword the hash is %q", got.PasswordHash)
			}
			if got, _ := db.GetUser(ctx, bob.ID); got.PasswordHash != bob.PasswordHash {
				t.Errorf("SetPassword(alice) changed bob's hash to %q", got.PasswordHash)
			}
			wantCode(t, db.SetPassword(ctx, 1<<40, "x"), domain.ENOTFOUND)

			listUsers := func(scopes ...domain.Jurisdiction) []string {
				t.Helper()
				us, err := db.ListUsers(ctx, scopes)
				if err != nil {
					t.Fatalf("ListUsers(%q): %v", scopes, err)
				}
				out := []string{}
				for _, u := range us {
					out = append(out, u.Username)
				}
				return out
			}
			for _, c := range []struct {
				scopes []domain.Jurisdiction
				want   []string
			}{
				{[]domain.Jurisdiction{o.hbw.Path}, []string{"bob", "alice"}}, // ordered by org path
				{[]domain.Jurisdiction{o.hbw2.Path}, []string{"carol"}},
				{[]domain.Jurisdiction{o.hbwS012.Path, o.wd.Path}, []string{"alice", "eve"}},
				{[]domain.Jurisdiction{o.region.Path}, []string{"dave", "bob", "alice", "carol", "eve"}},
				{[]domain.Jurisdiction{}, []string{}},
				{[]domain.Jurisdiction{o.hn.Path}, []string{}},
			} {
				if got := listUsers(c.scopes...); !reflect.DeepEqual(got, c.want) {
					t.Errorf("ListUsers(%q) = %q, want %q", c.scopes, got, c.want)
				}
			}

			g1 := domain.Grant{UserID: alice.ID, Role: domain.RoleSchool, OrgID: o.hbwS012.ID, Path: o.hbwS012.Path}
			g2 := domain.Grant{UserID: alice.ID, Role: domain.RoleSupervisor, OrgID: o.hbw.ID, Path: o.hbw.Path}
			g3 := domain.Grant{UserID: bob.ID, Role: domain.RoleDistrictOffice, OrgID: o.hbw.ID, Path: o.hbw.Path}
			for _, g := range []*domain.Grant{&g1, &g2, &g3} {
				if err := db.AddGrant(ctx, g); err != nil {
					t.Fatalf("AddGrant(%+v): %v", *g, err)
				}
				if g.ID == 0 {
					t.Fatalf("AddGrant left ID 0")
				}
			}
			got, err := db.Grants(ctx, alice.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := []domain.Grant{g1, g2}; !reflect.DeepEqual(got, want) {
				t.Errorf("Grants(alice) = %+v, want %+v", got, want)
			}
			if got, _ := db.Grants(ctx, bob.ID); !reflect.DeepEqual(got, []domain.Grant{g3}) {
				t.Errorf("Grants(bob) = %+v, want %+v", got, []domain.Grant{g3})
			}
			if got, err := db.Grants(ctx, carol.ID); err != nil || len(got) != 0 {
				t.Errorf("Grants(carol) = %+v, %v; want none", got, err)
			}

			dupGrant := domain.Grant{UserID: alice.ID, Role: domain.RoleSchool, OrgID: o.hbwS012.ID, Path: o.hbwS012.Path}
			wantCode(t, db.AddGrant(ctx, &dupGrant), domain.ECONFLICT)
			noUser := domain.Grant{UserID: 1 << 40, Role: domain.RoleSchool, OrgID: o.hbwS012.ID, Path: o.hbwS012.Path}
			wantCode(t, db.AddGrant(ctx, &noUser), domain.EINVALID)
			noOrg := domain.Grant{UserID: carol.ID, Role: domain.RoleSchool, OrgID: 1 << 40, Path: "nowhere/"}
			wantCode(t, db.AddGrant(ctx, &noOrg), domain.EINVALID)
			if got, _ := db.Grants(ctx, alice.ID); len(got) != 2 {
				t.Errorf("after the refused grants alice has %d grants, want 2", len(got))
			}
		})
	}
}

var errAbort = errors.New("abort")

func TestWithinTx(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			root := mustOrg(t, ctx, db, "nmg", "内蒙古自治区", domain.OrgRegion, nil)
			newOrg := func(code string) domain.Org {
				o, err := domain.NewOrg(code, "机构"+code, domain.OrgCity, &root)
				if err != nil {
					t.Fatal(err)
				}
				return o
			}
			exists := func(path domain.Jurisdiction) bool {
				t.Helper()
				_, err := db.GetOrgByPath(ctx, path)
				if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
					t.Fatalf("GetOrgByPath(%q): %v", path, err)
				}
				return err == nil
			}

			// Commit.
			committed := newOrg("commit")
			err := db.WithinTx(ctx, func(ctx context.Context) error {
				if err := db.CreateOrg(ctx, &committed); err != nil {
					return err
				}
				// Outside the transaction the uncommitted row is invisible: the tx really travels in ctx.
				if _, err := db.GetOrgByPath(context.Background(), committed.Path); domain.ErrorCode(err) != domain.ENOTFOUND {
					t.Errorf("uncommitted org seen outside its transaction (err %v)", err)
				}
				got, err := db.GetOrg(ctx, committed.ID)
				if err != nil || got.Path != committed.Path {
					t.Errorf("inside the transaction GetOrg = %+v, %v", got, err)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("WithinTx: %v", err)
			}
			if !exists(committed.Path) {
				t.Errorf("committed org is missing")
			}

			// An error from fn rolls back and comes back unchanged.
			rolled := newOrg("rollback")
			err = db.WithinTx(ctx, func(ctx context.Context) error {
				if err := db.CreateOrg(ctx, &rolled); err != nil {
					return err
				}
				return errAbort
			})
			if !errors.Is(err, errAbort) {
				t.Fatalf("WithinTx returned %v, want errAbort", err)
			}
			if exists(rolled.Path) {
				t.Errorf("org created in a rolled-back transaction survived")
			}

			// A domain error from a repository inside fn keeps its code.
			err = db.WithinTx(ctx, func(ctx context.Context) error {
				dup := newOrg("commit")
				return db.CreateOrg(ctx, &dup)
			})
			wantCode(t, err, domain.ECONFLICT)

			// Nested: the inner call joins the outer transaction, so an outer error undoes the inner success.
			outer, inner := newOrg("outer"), newOrg("inner")
			err = db.WithinTx(ctx, func(ctx context.Context) error {
				if err := db.CreateOrg(ctx, &outer); err != nil {
					return err
				}
				if err := db.WithinTx(ctx, func(ctx context.Context) error {
					return db.CreateOrg(ctx, &inner)
				}); err != nil {
					return err
				}
				if _, err := db.GetOrgByPath(context.Background(), inner.Path); domain.ErrorCode(err) != domain.ENOTFOUND {
					t.Errorf("inner success was committed before the outer transaction ended (err %v)", err)
				}
				return errAbort
			})
			if !errors.Is(err, errAbort) {
				t.Fatalf("nested WithinTx returned %v, want errAbort", err)
			}
			if exists(outer.Path) || exists(inner.Path) {
				t.Errorf("outer error left outer=%v inner=%v, want neither", exists(outer.Path), exists(inner.Path))
			}

			// Nested: an inner error returned through the outer call rolls back both.
			outer2, inner2 := newOrg("outer2"), newOrg("inner2")
			err = db.WithinTx(ctx, func(ctx context.Context) error {
				if err := db.CreateOrg(ctx, &outer2); err != nil {
					return err
				}
				return db.WithinTx(ctx, func(ctx context.Context) error {
					if err := db.CreateOrg(ctx, &inner2); err != nil {
						return err
					}
					return errAbort
				})
			})
			if !errors.Is(err, errAbort) {
				t.Fatalf("nested WithinTx returned %v, want errAbort", err)
			}
			if exists(outer2.Path) || exists(inner2.Path) {
				t.Errorf("inner error left outer=%v inner=%v, want neither", exists(outer2.Path), exists(inner2.Path))
			}

			// A panic rolls back too, and the pool is still usable afterwards.
			panicked := newOrg("panic")
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("the panic inside WithinTx was swallowed")
					}
				}()
				_ = db.WithinTx(ctx, func(ctx context.Context) error {
					if err := db.CreateOrg(ctx, &panicked); err != nil {
						return err
					}
					panic("boom")
				})
			}()
			if exists(panicked.Path) {
				t.Errorf("org created before a panic survived")
			}
			after := newOrg("after")
			if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateOrg(ctx, &after) }); err != nil {
				t.Fatalf("WithinTx after a panic: %v", err)
			}
			if !exists(after.Path) {
				t.Errorf("org created after a panic is missing")
			}
		})
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			org := mustOrg(t, ctx, db, "nmg", "内蒙古自治区", domain.OrgRegion, nil)
			u := mustUser(t, ctx, db, "alice", "张丽", org)
			// A whole second in local time, so that the sub-second offsets below straddle it.
			now := time.Date(2026, 11, 28, 9, 30, 0, 0, cst)

			live := domain.Session{TokenHash: "live", UserID: u.ID, Kind: "web", CreatedAt: now.Add(-time.Hour + 123456*time.Microsecond), ExpiresAt: now.Add(time.Hour)}
			sessions := []domain.Session{
				live,
				{TokenHash: "long-gone", UserID: u.ID, Kind: "api", CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-24 * time.Hour)},
				{TokenHash: "just-gone", UserID: u.ID, Kind: "web", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-500 * time.Millisecond)},
				{TokenHash: "soon-gone", UserID: u.ID, Kind: "web", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(250 * time.Millisecond)},
				{TokenHash: "at-now", UserID: u.ID, Kind: "web", CreatedAt: now.Add(-time.Hour), ExpiresAt: now},
			}
			for _, s := range sessions {
				if err := db.CreateSession(ctx, s); err != nil {
					t.Fatalf("CreateSession(%s): %v", s.TokenHash, err)
				}
			}
			held, err := db.GetSessionHolder(ctx, "live")
			if err != nil {
				t.Fatal(err)
			}
			got := held.Session
			if got.TokenHash != live.TokenHash || got.UserID != live.UserID || got.Kind != live.Kind ||
				!got.CreatedAt.Equal(live.CreatedAt) || !got.ExpiresAt.Equal(live.ExpiresAt) {
				t.Errorf("GetSessionHolder session = %+v, want %+v", got, live)
			}
			if held.User.ID != u.ID || len(held.Grants) != 0 { // a user without grants still has a session
				t.Errorf("GetSessionHolder before any grant: user %d, grants %+v", held.User.ID, held.Grants)
			}
			// The holder: the same session with its user, the user's org and grants, in grant order.
			other := mustUser(t, ctx, db, "bob", "李强", org)
			grants := []domain.Grant{{UserID: u.ID, Role: domain.RoleDirector, OrgID: org.ID, Path: org.Path},
				{UserID: other.ID, Role: domain.RoleSupervisor, OrgID: org.ID, Path: org.Path},
				{UserID: u.ID, Role: domain.RoleSupervisor, OrgID: org.ID, Path: org.Path}}
			for i := range grants {
				if err := db.AddGrant(ctx, &grants[i]); err != nil {
					t.Fatal(err)
				}
			}
			h, err := db.GetSessionHolder(ctx, "live")
			if err != nil {
				t.Fatal(err)
			}
			if h.Session != got || h.User.ID != u.ID || h.User.Username != "alice" || h.User.Name != "张丽" || !h.User.Active ||
				h.Org.ID != org.ID || h.Org.Path != org.Path || h.Org.Name != org.Name || len(h.Grants) != 2 ||
				h.Grants[0].Role != domain.RoleDirector || h.Grants[1].Role != domain.RoleSupervisor || h.Grants[1].UserID != u.ID ||
				h.Grants[0].ID != grants[0].ID || h.Grants[1].ID != grants[2].ID || h.Grants[1].OrgID != org.ID || h.Grants[1].Path != org.Path {
				t.Errorf("GetSessionHolder = %+v", h)
			}
			_, err = db.GetSessionHolder(ctx, "unknown")
			wantCode(t, err, domain.ENOTFOUND)
			wantCode(t, db.CreateSession(ctx, live), domain.ECONFLICT)
			wantCode(t, db.CreateSession(ctx, domain.Session{TokenHash: "ghost", UserID: 1 << 40, Kind: "web",
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}), domain.EINVALID)

			alive := func() []string {
				t.Helper()
				var out []string
				for _, s := range sessions {
					_, err := db.GetSessionHolder(ctx, s.TokenHash)
					switch domain.ErrorCode(err) {
					case "":
						out = append(out, s.TokenHash)
					case domain.ENOTFOUND:
					default:
						t.Fatalf("GetSessionHolder(%s): %v", s.TokenHash, err)
					}
				}
				return out
			}
			if err := db.DeleteExpiredSessions(ctx, now); err != nil {
				t.Fatal(err)
			}
			// A session expiring exactly now is still valid; "expired" means strictly before now.
			if got, want := alive(), []string{"live", "soon-gone", "at-now"}; !reflect.DeepEqual(got, want) {
				t.Errorf("after DeleteExpiredSessions(now) alive = %q, want %q", got, want)
			}
			if err := db.DeleteExpiredSessions(ctx, now.Add(300*time.Millisecond).UTC()); err != nil {
				t.Fatal(err)
			}
			if got, want := alive(), []string{"live"}; !reflect.DeepEqual(got, want) {
				t.Errorf("after DeleteExpiredSessions(now+300ms) alive = %q, want %q", got, want)
			}

			if err := db.DeleteSession(ctx, "live"); err != nil {
				t.Fatal(err)
			}
			_, err = db.GetSessionHolder(ctx, "live")
			wantCode(t, err, domain.ENOTFOUND)
			if err := db.DeleteSession(ctx, "live"); err != nil {
				t.Errorf("deleting a session twice: %v", err)
			}
		})
	}
}

// auditEvent is a test event at the given path; At carries nanoseconds on purpose.
func auditEvent(i int, path domain.Jurisdiction, objType string, objID int64) domain.AuditEvent {
	return domain.AuditEvent{
		At:         time.Date(2026, 11, 28, 9, 0, i, 123456789, cst),
		ActorID:    int64(100 + i%3),
		ActorName:  fmt.Sprintf("督学%d", i%3),
		Action:     "case.update",
		ObjectType: objType,
		ObjectID:   objID,
		ObjectPath: path,
		Before:     domain.Digest(map[string]int{"v": i}),
		After:      domain.Digest(map[string]int{"v": i + 1}),
		Detail:     fmt.Sprintf("第%d次修改：\"引号\"与换行\n", i),
		RequestID:  fmt.Sprintf("req-%03d", i),
	}
}

// sameEvent compares two events, At by instant.
func sameEvent(a, b domain.AuditEvent) bool {
	if !a.At.Equal(b.At) {
		return false
	}
	a.At, b.At = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func TestAudit(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			root := mustOrg(t, ctx, db, "nmg", "内蒙古自治区", domain.OrgRegion, nil)
			if id, reason, err := db.Verify(ctx); err != nil || id != 0 {
				t.Fatalf("Verify on an empty log = %d %q %v", id, reason, err)
			}
			paths := []domain.Jurisdiction{"nmg/wuhai/hbw/s012/", "nmg/wuhai/hbw2/", "nmg/wuhai/wd/s001/", "nmg/wuhai/hbw/"}
			var events []domain.AuditEvent
			prev := ""
			for i := range 20 {
				e := auditEvent(i, paths[i%len(paths)], []string{"case", "org"}[i%2], int64(i%5+1))
				if i%2 == 1 {
					// Inside a transaction with another write, as a use case does.
					err := db.WithinTx(ctx, func(ctx context.Context) error {
						o, err := domain.NewOrg(fmt.Sprintf("c%02d", i), "城市", domain.OrgCity, &root)
						if err != nil {
							return err
						}
						if err := db.CreateOrg(ctx, &o); err != nil {
							return err
						}
						return db.Append(ctx, &e)
					})
					if err != nil {
						t.Fatalf("append %d in a transaction: %v", i, err)
					}
				} else if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.Append(ctx, &e) }); err != nil {
					t.Fatalf("append %d: %v", i, err)
				}
				if e.ID == 0 || e.PrevHash != prev || e.Hash == "" || e.Hash != e.ComputeHash() {
					t.Fatalf("event %d after Append: id %d prev %q (want %q) hash %q", i, e.ID, e.PrevHash, prev, e.Hash)
				}
				prev = e.Hash
				events = append(events, e)

				if i == 10 {
					// An event appended in a transaction that rolls back leaves no trace in the chain.
					ghost := auditEvent(99, paths[0], "case", 99)
					err := db.WithinTx(ctx, func(ctx context.Context) error {
						if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.Append(ctx, &ghost) }); err != nil {
							return err
						}
						return errAbort
					})
					if !errors.Is(err, errAbort) {
						t.Fatalf("rolled-back append returned %v", err)
					}
				}
			}
			if id, reason, err := db.Verify(ctx); err != nil || id != 0 {
				t.Fatalf("Verify after 20 appends = %d %q %v, want 0", id, reason, err)
			}

			// All of it, newest first, in pages of 7.
			var all []domain.AuditEvent
			for page := 1; page <= 4; page++ {
				got, total, err := db.List(ctx, domain.AuditFilter{Page: page, PerPage: 7})
				if err != nil {
					t.Fatal(err)
				}
				if total != 20 {
					t.Errorf("page %d: total = %d, want 20", page, total)
				}
				if want := []int{7, 7, 6, 0}[page-1]; len(got) != want {
					t.Errorf("page %d holds %d events, want %d", page, len(got), want)
				}
				all = append(all, got...)
			}
			if len(all) != len(events) {
				t.Fatalf("pages hold %d events, want %d", len(all), len(events))
			}
			for i, got := range all {
				want := events[len(events)-1-i]
				if !sameEvent(got, want) {
					t.Errorf("event #%d read back as\n%+v\nwant\n%+v", i, got, want)
				}
			}
			if got, _, _ := db.List(ctx, domain.AuditFilter{Page: 0}); len(got) != 20 || got[0].ID != events[19].ID {
				t.Errorf("page 0 with no page size = %d events, want all 20 newest first", len(got))
			}

			countList := func(f domain.AuditFilter) (int, int) {
				t.Helper()
				got, total, err := db.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range got {
					if f.ObjectType != "" && e.ObjectType != f.ObjectType || f.ObjectID != 0 && e.ObjectID != f.ObjectID {
						t.Errorf("List(%+v) returned %+v", f, e)
					}
					if f.Scopes != nil {
						seen := false
						for _, s := range f.Scopes {
							seen = seen || s.Covers(e.ObjectPath)
						}
						if !seen {
							t.Errorf("List(%v) returned an event at %q", f.Scopes, e.ObjectPath)
						}
					}
				}
				return len(got), total
			}
			wantCount := func(f domain.AuditFilter) int {
				n := 0
				for _, e := range events {
					in := f.Scopes == nil
					for _, s := range f.Scopes {
						in = in || s.Covers(e.ObjectPath)
					}
					if in && (f.ObjectType == "" || e.ObjectType == f.ObjectType) && (f.ObjectID == 0 || e.ObjectID == f.ObjectID) {
						n++
					}
				}
				return n
			}
			for _, f := range []domain.AuditFilter{
				{Scopes: []domain.Jurisdiction{"nmg/wuhai/hbw/"}},
				{Scopes: []domain.Jurisdiction{"nmg/wuhai/hbw2/"}},
				{Scopes: []domain.Jurisdiction{"nmg/wuhai/hbw/", "nmg/wuhai/wd/"}},
				{Scopes: []domain.Jurisdiction{}},
				{Scopes: []domain.Jurisdiction{"nmg/wuhai/hbw/"}, ObjectType: "case"},
				{ObjectType: "org", ObjectID: 2},
			} {
				want := wantCount(f)
				n, total := countList(f)
				if n != want || total != want {
					t.Errorf("List(%+v) = %d events, total %d; want %d", f, n, total, want)
				}
			}
			if n := wantCount(domain.AuditFilter{Scopes: []domain.Jurisdiction{"nmg/wuhai/hbw/"}}); n != 10 {
				t.Fatalf("fixture: %d events under hbw, want 10 (hbw2 must not count)", n)
			}

			// Tampering.
			exec := func(sql string, args ...any) {
				t.Helper()
				if err := db.gorm.Exec(sql, args...).Error; err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			wantBroken := func(what string, id int64) {
				t.Helper()
				got, reason, err := db.Verify(ctx)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got != id || (id != 0 && reason == "") {
					t.Errorf("%s: Verify = %d %q, want %d", what, got, reason, id)
				}
			}
			victim := events[7]
			exec("UPDATE audit_events SET detail = ? WHERE id = ?", "改过的说明", victim.ID)
			wantBroken("detail edited", victim.ID)
			exec("UPDATE audit_events SET detail = ? WHERE id = ?", victim.Detail, victim.ID)
			wantBroken("detail restored", 0)

			exec("UPDATE audit_events SET at = ? WHERE id = ?", victim.At.Add(time.Second), victim.ID)
			wantBroken("time edited", victim.ID)
			exec("UPDATE audit_events SET at = ? WHERE id = ?", victim.At, victim.ID)
			wantBroken("time restored", 0)

			other := events[13]
			exec("UPDATE audit_events SET prev_hash = ? WHERE id = ?", events[3].Hash, other.ID)
			wantBroken("prev_hash edited", other.ID)
			exec("UPDATE audit_events SET prev_hash = ? WHERE id = ?", other.PrevHash, other.ID)
			wantBroken("prev_hash restored", 0)

			// Rewriting an event and its hash still breaks the link to the next one.
			forged := events[4]
			forged.Detail = "伪造"
			forged.Seal(forged.PrevHash)
			exec("UPDATE audit_events SET detail = ?, hash = ? WHERE id = ?", forged.Detail, forged.Hash, forged.ID)
			wantBroken("event and hash rewritten", events[5].ID)
			exec("UPDATE audit_events SET detail = ?, hash = ? WHERE id = ?", events[4].Detail, events[4].Hash, events[4].ID)

			exec("DELETE FROM audit_events WHERE id = ?", events[16].ID)
			wantBroken("event deleted", events[17].ID)
		})
	}
}

func TestAuditConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	const workers, each = 8, 25
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			var wg sync.WaitGroup
			errs := make(chan error, workers*each)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						e := auditEvent(w*each+i, "nmg/wuhai/hbw/", "case", int64(w+1))
						errs <- db.WithinTx(ctx, func(ctx context.Context) error { return db.Append(ctx, &e) })
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent append: %v", err)
				}
			}
			if id, reason, err := db.Verify(ctx); err != nil || id != 0 {
				t.Fatalf("Verify after concurrent appends = %d %q %v, want 0", id, reason, err)
			}
			got, total, err := db.List(ctx, domain.AuditFilter{PerPage: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if total != workers*each || len(got) != workers*each {
				t.Fatalf("List = %d events, total %d; want %d", len(got), total, workers*each)
			}
			hashes, prevs := map[string]bool{}, map[string]bool{}
			for _, e := range got {
				hashes[e.Hash] = true
				prevs[e.PrevHash] = true
			}
			if len(hashes) != workers*each || len(prevs) != workers*each {
				t.Errorf("%d distinct hashes and %d distinct prev hashes, want %d of each (no fork)", len(hashes), len(prevs), workers*each)
			}
			if !prevs[""] {
				t.Errorf("no event starts the chain")
			}
		})
	}
}

func TestAuditTimeRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			ats := []time.Time{
				time.Date(2026, 3, 14, 9, 26, 53, 589793238, cst),        // nanoseconds
				time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC), // would round up to next year
				time.Date(2026, 6, 1, 0, 0, 0, 500, cst),                 // below a microsecond
				time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),              // whole second
			}
			var events []domain.AuditEvent
			for i, at := range ats {
				e := auditEvent(i, "nmg/", "case", 1)
				e.At = at
				if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.Append(ctx, &e) }); err != nil {
					t.Fatal(err)
				}
				if want := at.Truncate(time.Microsecond); !e.At.Equal(want) || e.At.Location() != time.UTC {
					t.Errorf("Append set At = %v, want %v in UTC", e.At, want)
				}
				events = append(events, e)
			}
			got, _, err := db.List(ctx, domain.AuditFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(events) {
				t.Fatalf("read back %d events, want %d", len(got), len(events))
			}
			for i, g := range got {
				want := events[len(events)-1-i]
				if !g.At.Equal(want.At) || g.At.Location() != time.UTC {
					t.Errorf("event %d: At read back as %v, want %v in UTC", want.ID, g.At, want.At)
				}
				if g.Hash != want.Hash || g.ComputeHash() != g.Hash {
					t.Errorf("event %d: hash of the event read back differs from the stored one", want.ID)
				}
			}
			if id, reason, err := db.Verify(ctx); err != nil || id != 0 {
				t.Fatalf("Verify = %d %q %v, want 0", id, reason, err)
			}
		})
	}
}

// TestAuditHashIndexMigration upgrades a log written at schema 18 to the step that drops the unique
// index on hashes: the events, their ids and the chain are kept, the next append follows the last id
// ever given (SQLite's sequence is copied with the table) and chains to the last event, and the
// index is gone on both engines.
func TestAuditHashIndexMigration(t *testing.T) {
	ctx := context.Background()
	all := migrations
	t.Cleanup(func() { migrations = all })
	for _, tdb := range openEmptyTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			migrations = all[:migrationAuditHashIndex.version-1]
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var before []domain.AuditEvent
			for i := range 3 {
				e := auditEvent(i, "nmg/wuhai/hbw/", "case", int64(i+1))
				if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.Append(ctx, &e) }); err != nil {
					t.Fatal(err)
				}
				before = append(before, e)
			}
			// The last event given an id is gone (as after a restore that lost it): its id is not given again.
			if err := db.gorm.Exec("DELETE FROM audit_events WHERE id = ?", before[2].ID).Error; err != nil {
				t.Fatal(err)
			}
			migrations = all
			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%03d %s", migrationAuditHashIndex.version, migrationAuditHashIndex.name); len(applied) != 1 || applied[0] != want {
				t.Fatalf("applied %q, want [%q]", applied, want)
			}
			got, total, err := db.List(ctx, domain.AuditFilter{PerPage: 10})
			if err != nil {
				t.Fatal(err)
			}
			if total != 2 || got[0].ID != before[1].ID || got[0].Hash != before[1].Hash || got[1].ID != before[0].ID || got[1].Hash != before[0].Hash {
				t.Fatalf("after the migration: %d events %+v, want the first two of %+v", total, got, before)
			}
			next := auditEvent(3, "nmg/wuhai/hbw/", "case", 4)
			if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.Append(ctx, &next) }); err != nil {
				t.Fatal(err)
			}
			if next.ID != before[2].ID+1 || next.PrevHash != before[1].Hash {
				t.Errorf("next event: id %d after %q, want id %d after %q", next.ID, next.PrevHash, before[2].ID+1, before[1].Hash)
			}
			if id, reason, err := db.Verify(ctx); err != nil || id != 0 {
				t.Errorf("Verify = %d %q %v", id, reason, err)
			}
			// No unique index is left: a row repeating a hash is stored (Verify would report it).
			dup := auditRow{At: time.Now().UTC(), Action: "test", ObjectType: "case", ObjectPath: "nmg/", Hash: next.Hash, PrevHash: next.Hash}
			if err := db.gorm.Create(&dup).Error; err != nil {
				t.Errorf("a repeated hash was refused: %v", err)
			}
		})
	}
}
