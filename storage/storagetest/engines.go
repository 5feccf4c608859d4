// Package storagetest gives every test of dudao its databases: a fresh SQLite file, and a fresh
// PostgreSQL database on the server named by DUDAO_TEST_PG when it is set. It knows DSNs only, not the
// storage package, so that storage's own tests can use it too.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for creating and dropping test databases
)

// PGEnv names the variable holding the DSN of a PostgreSQL server the tests may create databases on.
// Tests are the one place besides cmd that read the environment: habit 11 switches suites on this way.
const PGEnv = "DUDAO_TEST_PG"

// Engine is one database a test runs on.
type Engine struct {
	Name string // "sqlite" or "postgres"
	DSN  string // what storage.Open takes
	// RawDriver and RawDSN open the same database with database/sql, for counting rows and tampering.
	RawDriver, RawDSN string
	Skip              string // why the engine is not available ("" when it is)
}

// Names are the engines in the order tests run them.
var Names = []string{"sqlite", "postgres"}

// New makes a fresh, empty database of the named engine for t, removed when t ends; Skip says why
// when the engine is not available.
func New(t testing.TB, name string) Engine {
	t.Helper()
	switch name {
	case "sqlite":
		path := filepath.Join(t.TempDir(), "dudao.db")
		return Engine{Name: name, DSN: path, RawDriver: "sqlite3", RawDSN: "file:" + path + "?_busy_timeout=10000"}
	case "postgres":
		return newPostgres(t)
	}
	t.Fatalf("storagetest: no engine %q", name)
	return Engine{}
}

// All is a fresh database per engine.
func All(t testing.TB) []Engine {
	t.Helper()
	out := make([]Engine, len(Names))
	for i, n := range Names {
		out[i] = New(t, n)
	}
	return out
}

// Run runs fn once per engine, each in a subtest with a fresh database; an engine that is not
// available skips its subtest and says why.
func Run(t *testing.T, fn func(t *testing.T, e Engine)) {
	for _, n := range Names {
		t.Run(n, func(t *testing.T) {
			e := New(t, n)
			if e.Skip != "" {
				t.Skip(e.Skip)
			}
			fn(t, e)
		})
	}
}

func newPostgres(t testing.TB) Engine {
	t.Helper()
	dsn := os.Getenv(PGEnv)
	if dsn == "" {
		return Engine{Name: "postgres", Skip: "PostgreSQL variant skipped: set " + PGEnv +
			" to the DSN of a server the tests may create databases on, e.g. " +
			"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable (.ci/run starts one)"}
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", PGEnv, err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "dudao_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	// Registered before the pools of the test close, so it runs after them.
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", PGEnv, err)
	}
	u.Path = "/" + name
	return Engine{Name: "postgres", DSN: u.String(), RawDriver: "pgx", RawDSN: u.String()}
}
