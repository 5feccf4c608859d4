package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"dudao/domain"
	"dudao/storage/storagetest"
)

// testDB is one engine a test runs on; db is nil (and skip says why) when the engine is not available.
type testDB struct {
	name string
	dsn  string // what Open takes to reach the same database again
	db   *DB
	skip string
}

// use returns the database, or skips t when this engine is not available.
func (d testDB) use(t *testing.T) *DB {
	t.Helper()
	if d.db == nil {
		t.Skip(d.skip)
	}
	return d.db
}

// openTestDBs returns one freshly migrated database per engine: a SQLite file in t.TempDir(), and a
// new PostgreSQL database when DUDAO_TEST_PG is set. Each is closed (and the PostgreSQL one dropped)
// when t ends.
func openTestDBs(t *testing.T) []testDB {
	t.Helper()
	dbs := openEmptyTestDBs(t)
	for _, d := range dbs {
		if d.db == nil {
			continue
		}
		if _, err := d.db.Migrate(context.Background()); err != nil {
			t.Fatalf("%s: migrate: %v", d.name, err)
		}
	}
	return dbs
}

// openEmptyTestDBs is openTestDBs without the migrations: the engines of the shared test harness,
// opened here.
func openEmptyTestDBs(t *testing.T) []testDB {
	t.Helper()
	var out []testDB
	for _, e := range storagetest.All(t) {
		if e.Skip != "" {
			out = append(out, testDB{name: e.Name, skip: e.Skip})
			continue
		}
		db, err := Open(e.DSN)
		if err != nil {
			t.Fatalf("open %s: %v", e.Name, err)
		}
		// Registered after the engine's own cleanup, so it runs first: the pool is closed before a
		// PostgreSQL database is dropped.
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Errorf("close %s: %v", e.Name, err)
			}
		})
		if string(db.Dialect()) != e.Name {
			t.Fatalf("dialect = %q, want %q", db.Dialect(), e.Name)
		}
		if err := db.Ping(context.Background()); err != nil {
			t.Fatalf("ping %s: %v", e.Name, err)
		}
		out = append(out, testDB{name: e.Name, dsn: e.DSN, db: db})
	}
	return out
}

// postgresOnly runs f on a freshly migrated PostgreSQL database, for what only PostgreSQL has (its
// session settings); it skips t when DUDAO_TEST_PG is not set.
func postgresOnly(t *testing.T, f func(t *testing.T, db *DB)) {
	t.Helper()
	for _, d := range openTestDBs(t) {
		if d.name == string(Postgres) {
			t.Run(d.name, func(t *testing.T) { f(t, d.use(t)) })
			return
		}
	}
	t.Skip("PostgreSQL only: set DUDAO_TEST_PG")
}

// wantCode fails t unless err carries the domain error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want code %q", want)
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("err = %v (%T), want a *domain.Error with code %q", err, err, want)
	}
	if de.Code != want {
		t.Fatalf("err code = %q (%v), want %q", de.Code, err, want)
	}
	if de.Message == "" {
		t.Fatalf("err %v has code %q but no message for the user", err, de.Code)
	}
}

// mustOrg builds an org with domain.NewOrg under parent (nil for a root) and stores it.
func mustOrg(t *testing.T, ctx context.Context, db *DB, code, name string, kind domain.OrgKind, parent *domain.Org) domain.Org {
	t.Helper()
	o, err := domain.NewOrg(code, name, kind, parent)
	if err != nil {
		t.Fatalf("NewOrg(%q): %v", code, err)
	}
	if err := db.CreateOrg(ctx, &o); err != nil {
		t.Fatalf("CreateOrg(%q): %v", o.Path, err)
	}
	if o.ID == 0 {
		t.Fatalf("CreateOrg(%q) left ID 0", o.Path)
	}
	return o
}

// mustUser stores an active user at org.
func mustUser(t *testing.T, ctx context.Context, db *DB, username, name string, org domain.Org) domain.User {
	t.Helper()
	u := domain.User{Username: username, Name: name, OrgID: org.ID, PasswordHash: "hash-of-" + username, Active: true}
	if err := db.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser(%q): %v", username, err)
	}
	if u.ID == 0 {
		t.Fatalf("CreateUser(%q) left ID 0", username)
	}
	return u
}

// cst is China Standard Time without tzdata: inputs in local time must be stored as UTC instants.
var cst = time.FixedZone("CST", 8*60*60)

// oneSchool is a city with one school and a supervisor of the city: the setting of tests on a
// school's cases.
func oneSchool(t *testing.T, ctx context.Context, db *DB) (city, school domain.Org, sup domain.User) {
	t.Helper()
	city = mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
	school = mustOrg(t, ctx, db, "s1", "乌海市第一中学", domain.OrgSchool, &city)
	sup = mustUser(t, ctx, db, "sup", "张督学", city)
	return city, school, sup
}

// mustCreateSchoolCase stores a 2026 case of city's at school, inspected by sup, created at at, in a
// transaction of its own; more, when set, fills in what the test needs besides.
func mustCreateSchoolCase(t *testing.T, ctx context.Context, db *DB, city, school domain.Org, sup domain.User,
	kind domain.CaseKind, title string, status domain.Status, at time.Time, more func(c *domain.Case)) *domain.Case {
	t.Helper()
	c := &domain.Case{Year: 2026, Type: domain.CaseSchool, Kind: kind, OwnerOrg: city, TargetOrg: school,
		Title: title, InspectorIDs: []int64{sup.ID}, Status: status, Version: 1, CreatedBy: sup.ID, CreatedAt: at}
	if more != nil {
		more(c)
	}
	if err := db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateCase(ctx, c) }); err != nil {
		t.Fatal(err)
	}
	return c
}
