package storage

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"

	"github.com/mattn/go-sqlite3"
)

// sqliteDriver is the name under which SQLite is opened: the sqlite3 driver with each connection
// keeping the statements it has prepared. Parsing and planning every query anew was a fifth of the
// time spent in SQLite at the case list's and the write path's rates, and on the write path it is
// spent while holding the one writer. gorm's own statement cache cannot help there: a statement it
// first meets inside a transaction is prepared on that transaction and closed with it. The driver keeps
// them itself when asked (_stmt_cache_size): a statement closed by database/sql is reset,
// its values cleared, and kept for the same text; one in use is out of the cache, so the same query
// meanwhile gets a statement of its own. A script of several statements is never kept.
// PostgreSQL's driver (pgx) keeps its prepared statements itself.
//
// The driver is pinned at v1.14.52 (SQLite 3.53.4), the version before the newest. Against v1.14.22,
// where storage kept statements itself, rows are read without a goroutine per row, which a request's
// context cost there: at 500,000 cases, one client, the case list answers 1.6–1.9 times as many
// requests and the case page 1.3–1.5. v1.14.53 (SQLite 3.54.1) is slower than both: SQLite 3.54 marks
// a parameter compared by equality in a join as one whose value may change the plan, and that driver
// clears a statement's values before every run, which then compiles the statement again every time
// (a case page's query: 30 µs kept, 180 µs recompiled). TestStatementCacheKeeps fails on it.
const sqliteDriver = "sqlite3_dudao"

// SQLiteDriverName registers and names the database/sql driver storage opens SQLite with, for tools
// that must open the same file the same way (the benchmark's floor).
func SQLiteDriverName() string {
	registerSQLiteDriver()
	return sqliteDriver
}

// stmtCacheSize bounds the statements one connection keeps; past it the least recently used goes.
// Queries differ mostly by their number of IN values.
const stmtCacheSize = 256

// sqliteAutoCheckpoint is the WAL's size in pages (4 KiB each) past which a committing writer
// checkpoints it itself: a bound only, for storage.Open's checkpointer does it sooner (db.go).
const sqliteAutoCheckpoint = 16384

var registerDriver sync.Once

func registerSQLiteDriver() {
	registerDriver.Do(func() {
		sql.Register(sqliteDriver, keepingDriver{&sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", sqliteAutoCheckpoint), nil)
			return err
		}}})
	})
}

// keepingDriver opens every connection with the statement cache on, whoever wrote the DSN.
type keepingDriver struct{ d *sqlite3.SQLiteDriver }

func (d keepingDriver) Open(dsn string) (driver.Conn, error) {
	return d.d.Open(withStmtCache(dsn))
}

// withStmtCache adds the statement cache's size to dsn unless it names one.
func withStmtCache(dsn string) string {
	if strings.Contains(dsn, "_stmt_cache_size=") {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%s_stmt_cache_size=%d", dsn, sep, stmtCacheSize)
}
