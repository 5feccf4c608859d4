package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	"dudao/domain"
)

// pgEnv names the variable holding the DSN of a PostgreSQL server the tests may create databases on.
// Tests are the one place besides cmd that read the environment: habit 11 switches suites on this way.
const pgEnv = "DUDAO_TEST_PG"

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

// openEmptyTestDBs is openTestDBs without the migrations.
func openEmptyTestDBs(t *testing.T) []testDB {
	t.Helper()
	return []testDB{openSQLite(t), openPostgres(t)}
}

func openSQLite(t *testing.T) testDB {
	t.Helper()
	dsn := t.TempDir() + "/dudao.db"
	db, err := Open(dsn)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close sqlite: %v", err)
		}
	})
	if db.Dialect() != SQLite {
		t.Fatalf("dialect = %q, want %q", db.Dialect(), SQLite)
	}
	return testDB{name: string(SQLite), dsn: dsn, db: db}
}

// openPostgres creates a database of its own on the server named by DUDAO_TEST_PG, so that tests
// never see each other's rows, and drops it when t ends.
func openPostgres(t *testing.T) testDB {
	t.Helper()
	dsn := os.Getenv(pgEnv)
	if dsn == "" {
		return testDB{name: string(Postgres), skip: "PostgreSQL suite skipped: set " + pgEnv +
			" to the DSN of a server the tests may create databases on, e.g. " +
			"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}
	}
	ctx := context.Background()
	admin, err := Open(dsn)
	if err != nil {
		t.Fatalf("open %s: %v", pgEnv, err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if admin.Dialect() != Postgres {
		t.Fatalf("%s must start with postgres:// (dialect is %q)", pgEnv, admin.Dialect())
	}
	name := "dudao_test_" + randomHex(t, 8)
	if err := admin.gorm.WithContext(ctx).Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := admin.gorm.WithContext(ctx).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", pgEnv, err)
	}
	u.Path = "/" + name
	db, err := Open(u.String())
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	// Registered last, so it runs first: the pool is closed before the database is dropped.
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %s: %v", name, err)
		}
	})
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("ping %s: %v", name, err)
	}
	return testDB{name: string(Postgres), dsn: u.String(), db: db}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
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
