package storage

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointer: a committed write reaches the database file itself within moments, without a
// writer passing SQLite's automatic bound (which stays as a backstop on every connection), and Close
// stops the checkpointer.
func TestCheckpointer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.gorm.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	var bound int
	if err := db.gorm.Raw("PRAGMA wal_autocheckpoint").Scan(&bound).Error; err != nil || bound != sqliteAutoCheckpoint {
		t.Fatalf("wal_autocheckpoint = %d, %v; want %d", bound, err, sqliteAutoCheckpoint)
	}
	// inFile reads the main file alone, as it would be after a crash that lost the WAL.
	inFile := func(v string) bool {
		t.Helper()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(dir, "copy.db")
		os.Remove(cp)
		if err := os.WriteFile(cp, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := sql.Open("sqlite3", "file:"+cp+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var n int
		if err := c.QueryRow("SELECT COUNT(*) FROM t WHERE v = ?", v).Scan(&n); err != nil {
			return false // the table itself is not in the file yet
		}
		return n == 1
	}
	for i, v := range []string{"甲", "乙"} {
		err := db.WithinTx(ctx, func(ctx context.Context) error {
			return db.conn(ctx).Exec("INSERT INTO t (id, v) VALUES (?, ?)", i+1, v).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for !inFile(v) {
			if time.Now().After(deadline) {
				t.Fatalf("write %q not checkpointed into the database file after 5 s", v)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	done := make(chan error, 1)
	go func() { done <- db.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return: the checkpointer did not stop")
	}
}
