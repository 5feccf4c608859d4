package storage

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// TestStatementCache: a connection that keeps its statements answers as the plain driver does — the
// same query again with other values, the same query nested inside its own open rows, a script of
// several statements, a comment alone, and reads after writes (an exec'd statement must not hold an
// old snapshot) — and other connections see what it wrote.
func TestStatementCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := sql.Open(SQLiteDriverName(), "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx) // one connection, so that its cache is what is exercised
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE u (id INTEGER PRIMARY KEY)") // a script
	for i, v := range []string{"甲", "乙", "丙"} {
		mustExec("INSERT INTO t (id, v) VALUES (?, ?)", i+1, v) // the same statement, other values
	}
	mustExec("-- a comment alone")
	one := func(id int) string {
		t.Helper()
		var v string
		if err := conn.QueryRowContext(ctx, "SELECT v FROM t WHERE id = ?", id).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if one(2) != "乙" || one(3) != "丙" || one(1) != "甲" {
		t.Fatal("a kept statement answered for the wrong values")
	}
	// The same query while its own rows are open: the kept statement is busy, a fresh one answers.
	rows, err := conn.QueryContext(ctx, "SELECT id FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var outer, inner []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		outer = append(outer, id)
		in, err := conn.QueryContext(ctx, "SELECT id FROM t ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for in.Next() {
			n++
		}
		in.Close()
		inner = append(inner, n)
	}
	rows.Close()
	if len(outer) != 3 || outer[2] != 3 || inner[0] != 3 || inner[2] != 3 {
		t.Fatalf("nested reads: outer %v, inner counts %v", outer, inner)
	}
	// A SELECT run by Exec is reset, so this connection does not keep reading an old snapshot.
	mustExec("SELECT v FROM t WHERE id >= ?", 1) // a statement of its own, kept and not read again
	other, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, "UPDATE t SET v = ? WHERE id = ?", "丁", 1); err != nil {
		t.Fatal(err)
	}
	other.Close()
	if v := one(1); v != "丁" {
		t.Fatalf("after another connection's write this one read %q, want 丁", v)
	}
	// Past the cache's bound the idle statements go and the connection goes on.
	for i := range stmtCacheSize + 10 {
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM t WHERE id > ? "+sqlPad(i), 0).Scan(&n); err != nil || n != 3 {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if one(2) != "乙" {
		t.Fatal("wrong answer after the cache was emptied")
	}
}

// sqlPad makes query text i distinct (a different number of trailing spaces).
func sqlPad(i int) string {
	b := make([]byte, i)
	for j := range b {
		b[j] = ' '
	}
	return string(b)
}

// TestStatementCacheKeeps: the driver storage opens SQLite with prepares a repeated query once per
// connection. SQLite asks the authorizer while it compiles a statement, never while it runs one, so the
// authorizer's count of SELECTs is the count of prepares.
func TestStatementCacheKeeps(t *testing.T) {
	var compiled atomic.Int64
	sql.Register("sqlite3_dudao_counted", keepingDriver{&sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		c.RegisterAuthorizer(func(op int, _, _, _ string) int {
			if op == sqlite3.SQLITE_SELECT {
				compiled.Add(1)
			}
			return sqlite3.SQLITE_OK
		})
		return nil
	}}})
	db, err := sql.Open("sqlite3_dudao_counted", "file:"+filepath.Join(t.TempDir(), "k.db")+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER)"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT COUNT(*) FROM t WHERE id > ?",
		// A join with an equality on a parameter, as a case with its orgs is read: SQLite 3.54 marks
		// such a parameter as one whose value may change the plan, and a driver that clears a kept
		// statement's values before binding new ones then has it compiled again on every run.
		"SELECT COUNT(*) FROM t JOIN u ON u.t_id = t.id WHERE t.id = ?",
	} {
		before := compiled.Load()
		for i := range 20 {
			var n int
			if err := conn.QueryRowContext(ctx, q, i).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		if got := compiled.Load() - before; got != 1 {
			t.Fatalf("20 runs of %q compiled %d statements, want 1", q, got)
		}
	}
}
