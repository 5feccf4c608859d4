package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"

	"github.com/mattn/go-sqlite3"
)

// sqliteDriver is the name under which SQLite is opened: the sqlite3 driver with each connection
// keeping the statements it has prepared. The driver alone parses and plans every query anew; at the
// case list's and the write path's rates that was a fifth of the time spent in SQLite, and on the
// write path it is spent while holding the one writer. gorm's own statement cache cannot help there:
// a statement it first meets inside a transaction is prepared on that transaction and closed with it.
// PostgreSQL's driver (pgx) keeps its prepared statements itself.
const sqliteDriver = "sqlite3_dudao"

// SQLiteDriverName registers and names the database/sql driver storage opens SQLite with, for tools
// that must open the same file the same way (the benchmark's floor).
func SQLiteDriverName() string {
	registerSQLiteDriver()
	return sqliteDriver
}

// stmtCacheSize bounds the statements one connection keeps. Queries differ mostly by their number of
// IN values; when the bound is passed the idle statements are dropped and the cache starts again.
const stmtCacheSize = 256

// sqliteAutoCheckpoint is the WAL's size in pages (4 KiB each) past which a committing writer
// checkpoints it itself: a bound only, for storage.Open's checkpointer does it sooner (db.go).
const sqliteAutoCheckpoint = 16384

var registerDriver sync.Once

func registerSQLiteDriver() {
	registerDriver.Do(func() {
		sql.Register(sqliteDriver, cachingDriver{&sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", sqliteAutoCheckpoint), nil)
			return err
		}}})
	})
}

type cachingDriver struct{ d *sqlite3.SQLiteDriver }

func (d cachingDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.d.Open(dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{SQLiteConn: c.(*sqlite3.SQLiteConn), stmts: map[string]*cachedStmt{}}, nil
}

// cachingConn is a SQLite connection that prepares each single-statement query once. database/sql
// uses a connection from one goroutine at a time, so the map needs no lock; a statement whose rows are
// still being read is busy, and the same query meanwhile gets a statement of its own.
type cachingConn struct {
	*sqlite3.SQLiteConn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	s    *sqlite3.SQLiteStmt
	busy bool
}

// cacheable: one statement only (the driver runs a script of several statements one by one), and one
// that is a statement (an empty text or a comment prepares to no statement, which the driver's own
// path answers with an empty result).
func cacheable(query string) bool {
	q := strings.TrimSpace(query)
	return q != "" && !strings.HasPrefix(q, "--") && !strings.HasPrefix(q, "/*") &&
		!strings.Contains(strings.TrimRight(q, "; \t\r\n"), ";")
}

// stmt returns the kept statement for query (marked busy), or a fresh one to close after use.
func (c *cachingConn) stmt(ctx context.Context, query string) (s *sqlite3.SQLiteStmt, kept *cachedStmt, err error) {
	if cs := c.stmts[query]; cs != nil && !cs.busy {
		cs.busy = true
		return cs.s, cs, nil
	}
	ds, err := c.SQLiteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	s = ds.(*sqlite3.SQLiteStmt)
	if c.stmts[query] != nil {
		return s, nil, nil // the kept one is busy: this one is closed after use
	}
	if len(c.stmts) >= stmtCacheSize {
		for q, cs := range c.stmts {
			if !cs.busy {
				cs.s.Close()
				delete(c.stmts, q)
			}
		}
	}
	cs := &cachedStmt{s: s, busy: true}
	c.stmts[query] = cs
	return s, cs, nil
}

// release marks a kept statement free again, or closes a statement that was not kept.
func release(s *sqlite3.SQLiteStmt, kept *cachedStmt) {
	if kept != nil {
		kept.busy = false
		return
	}
	s.Close()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !cacheable(query) {
		return c.SQLiteConn.ExecContext(ctx, query, args)
	}
	s, kept, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	defer release(s, kept)
	res, err := s.ExecContext(ctx, args)
	if err == nil {
		// The driver leaves a statement that stepped to a row unreset (a SELECT run by Exec), which
		// would hold its read snapshot open; opening and closing rows without reading resets it.
		if rows, qerr := s.QueryContext(ctx, nil); qerr == nil {
			rows.Close()
		}
	}
	return res, err
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if !cacheable(query) {
		return c.SQLiteConn.QueryContext(ctx, query, args)
	}
	s, kept, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, args)
	if err != nil {
		release(s, kept)
		return nil, err
	}
	return &cachedRows{SQLiteRows: rows.(*sqlite3.SQLiteRows), s: s, kept: kept}, nil
}

// Close finalizes the kept statements before the connection.
func (c *cachingConn) Close() error {
	for q, cs := range c.stmts {
		cs.s.Close()
		delete(c.stmts, q)
	}
	return c.SQLiteConn.Close()
}

// cachedRows frees its statement when closed (closing the rows resets it for the next use).
type cachedRows struct {
	*sqlite3.SQLiteRows
	s    *sqlite3.SQLiteStmt
	kept *cachedStmt
	done bool
}

func (r *cachedRows) Close() error {
	err := r.SQLiteRows.Close()
	if !r.done {
		r.done = true
		release(r.s, r.kept)
	}
	return err
}
