// Package storage keeps dudao's data in SQLite (the embedded default) or PostgreSQL through GORM.
// Rows are separate from domain types; the transaction travels in the context; driver errors are
// translated into domain errors here and nowhere else.
package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"dudao/domain"
)

// Dialect names the database engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database.
type DB struct {
	gorm *gorm.DB
	// txs opens the write transactions: the pool itself on PostgreSQL; on SQLite one connection of
	// its own, kept open, with a larger page cache. SQLite drops a connection's whole page cache when
	// another connection has written since it last read, so write transactions spread over the pool
	// started cold and read every B-tree page they touched (the gram index's, the scopes', the audit
	// chain's) from the file again; the one writer's cache stays valid from one transaction to the next.
	txs     *gorm.DB
	dialect Dialect
	// writer, on SQLite, is the one write transaction at a time, taken in Go before BEGIN. SQLite
	// admits one writer; without this queue the others wait in its busy handler, which polls with
	// sleeps of up to 100 ms, so the lock sat free while its next holder slept (audited writes at 16
	// clients: p99 0.6–0.8 s, the CPU half idle). A channel hands it to the next waiter at once.
	writer chan struct{}
	// groupQueue is the transactions waiting for the writer; its holder commits them as one (group.go).
	groupQueue
	// ckpt, on SQLite, is the checkpointer's wake-up call: each write transaction's commit rings it.
	ckpt     chan struct{}
	stopCkpt chan struct{}
	ckptDone chan struct{}
	stopOnce sync.Once
}

// PostgresDSN is dsn with the session settings storage runs PostgreSQL with, for tools that must open
// the same server the same way (the benchmark's floor): plan_cache_mode=force_generic_plan unless dsn
// names a plan_cache_mode. pgx prepares every statement; PostgreSQL plans a prepared statement afresh
// for its values five times, then keeps a generic plan only if its estimated cost is close to theirs,
// which for a text search's walk (a LIKE on titles, estimated from each pattern) it never was: every
// search statement was planned again on every run (pg_prepared_statements: custom_plans 8,
// generic_plans 0), 1–2 ms of a 2.5 ms statement. dudao's statements are written to one plan whatever
// the values (index ranges read in order under a LIMIT, TestCaseListPlans), so each is planned once per
// connection. Alternating runs at 500,000 cases: text search 304 → 426 req/s, the accountability
// report's p50 531–548 → 401–459 ms; lists, the case page and writes within the noise.
func PostgresDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // pgx reports it
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "force_generic_plan")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens dsn: "postgres://…" or "postgresql://…" for PostgreSQL, anything else is a SQLite file path
// (created with its folder when missing), opened with WAL, foreign keys, a busy timeout and immediate
// write transactions so that concurrent writers queue instead of failing.
func Open(dsn string) (*DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Default.LogMode(logger.Silent),
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		g, err := gorm.Open(postgres.Open(PostgresDSN(dsn)), cfg)
		if err != nil {
			return nil, fmt.Errorf("storage: open postgres: %w", err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(32)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		return &DB{gorm: g, txs: g, dialect: Postgres}, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "" && dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("storage: create database folder: %w", err)
		}
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	registerSQLiteDriver() // each connection keeps its prepared statements (stmtcache.go)
	g, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriver, DSN: "file:" + path + "?" + q.Encode()}), cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: open sqlite %s: %w", path, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(8)
	sqlDB.SetMaxIdleConns(8)
	q.Set("_cache_size", fmt.Sprint(-writerCacheKiB))
	w, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriver, DSN: "file:" + path + "?" + q.Encode()}), cfg)
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("storage: open sqlite %s: %w", path, err)
	}
	wDB, err := w.DB()
	if err != nil {
		sqlDB.Close()
		return nil, err
	}
	wDB.SetMaxOpenConns(1)
	wDB.SetMaxIdleConns(1)
	db := &DB{gorm: g, txs: w, dialect: SQLite, writer: make(chan struct{}, 1),
		ckpt: make(chan struct{}, 1), stopCkpt: make(chan struct{}), ckptDone: make(chan struct{})}
	go db.checkpoints()
	return db, nil
}

// writerCacheKiB is the page cache of SQLite's write connection, in KiB; the pool's connections keep
// SQLite's default of 2 MiB each.
const writerCacheKiB = 32 << 10

// checkpointEvery is how often, at most, the checkpointer folds the WAL into the database file.
const checkpointEvery = 200 * time.Millisecond

// checkpoints folds the WAL into the database file after writes, off the write path. SQLite's own
// checkpoint runs in the commit that passes 1,000 pages of WAL, inside that writer's transaction
// time: it copies the pages and syncs the file while every other writer waits. A passive checkpoint
// from another connection runs beside the next writers instead, and a page that several commits
// changed is copied once per round. The connections keep an automatic checkpoint at
// sqliteAutoCheckpoint pages as a bound on the WAL should this loop fall behind.
func (db *DB) checkpoints() {
	defer close(db.ckptDone)
	ctx := context.Background()
	for {
		select {
		case <-db.stopCkpt:
			return
		case <-db.ckpt:
		}
		if err := db.gorm.WithContext(ctx).Exec("PRAGMA wal_checkpoint(PASSIVE)").Error; err != nil {
			slog.Warn("sqlite checkpoint", "err", err)
		}
		select {
		case <-db.stopCkpt:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// committed tells the checkpointer that a write transaction has committed.
func (db *DB) committed() {
	if db.ckpt == nil {
		return
	}
	select {
	case db.ckpt <- struct{}{}:
	default:
	}
}

// Dialect says which engine this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close stops the checkpointer and closes the pool (SQLite checkpoints the WAL as the last connection
// closes).
func (db *DB) Close() error {
	if db.stopCkpt != nil {
		db.stopOnce.Do(func() { close(db.stopCkpt) })
		<-db.ckptDone
	}
	var errs []error
	if db.txs != db.gorm {
		wDB, err := db.txs.DB()
		if err == nil {
			err = wDB.Close()
		}
		errs = append(errs, err)
	}
	sqlDB, err := db.gorm.DB()
	if err == nil {
		err = sqlDB.Close()
	}
	return errors.Join(append(errs, err)...)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

type txKey struct{}

// txOf is the transaction ctx carries, if any.
func txOf(ctx context.Context) (*gorm.DB, bool) {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	return tx, ok
}

// WithinTx runs fn in a transaction carried by ctx; a nested call joins the outer one.
func (db *DB) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := txOf(ctx); ok {
		return fn(ctx)
	}
	if db.writer != nil {
		return db.grouped(ctx, fn)
	}
	err := db.txs.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return db.inTx(ctx, tx, nil, fn)
	})
	if err == nil {
		db.committed()
	}
	return err
}

// mustTx refuses a write that is not inside a transaction: storage never opens its own, the app's
// write path does, so a multi-statement write is never half done.
func (db *DB) mustTx(ctx context.Context) error {
	if _, ok := txOf(ctx); !ok {
		return errors.New("storage: write outside a transaction")
	}
	return nil
}

// conn returns the transaction in ctx, or the pool.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := txOf(ctx); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

// translate turns driver errors into domain errors; what (e.g. "机构") names the thing for the user.
func translate(err error, what, op string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return &domain.Error{Code: domain.ENOTFOUND, Message: what + "不存在。", Err: err}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &domain.Error{Code: domain.ECONFLICT, Message: what + "已存在。", Err: err}
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return &domain.Error{Code: domain.EINVALID, Message: what + "引用的记录不存在。", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	return fmt.Errorf("storage: %s: %w", op, err)
}

// scopeWhere builds "(col >= ? AND col < ?) OR …" for the given jurisdictions: each one an index range
// over the paths below it ('0' is the byte after '/', so "wuhai/hbw/" holds exactly the paths from
// "wuhai/hbw/" up to "wuhai/hbw0"), never a LIKE pattern, which SQLite cannot serve from an index.
// PostgreSQL compares them byte by byte, whatever the database's locale. An empty list matches nothing;
// the empty jurisdiction matches everything.
func (db *DB) scopeWhere(col string, scopes []domain.Jurisdiction) (string, []any) {
	if len(scopes) == 0 {
		return "1 = 0", nil
	}
	c := col
	if db.dialect == Postgres {
		c = col + ` COLLATE "C"`
	}
	parts := make([]string, 0, len(scopes))
	args := make([]any, 0, 2*len(scopes))
	for _, s := range scopes {
		if s == "" {
			return "1 = 1", nil
		}
		p := string(s)
		parts = append(parts, "("+c+" >= ? AND "+c+" < ?)")
		args = append(args, p, p[:len(p)-1]+"0")
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// scopeFilter is scopeWhere as a filter only: the plan is driven by another index (a report's date
// range), never by the path range, which for a region is the whole table. SQLite's unary + keeps the
// column off its index; PostgreSQL compares byte by byte through no index of its own.
func (db *DB) scopeFilter(col string, scopes []domain.Jurisdiction) (string, []any) {
	if db.dialect == SQLite {
		col = "+" + col
	}
	return db.scopeWhere(col, scopes)
}

// escapeLike keeps path characters literal; org codes never hold % or _ in practice but _ is allowed.
func escapeLike(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "%", `\%`)
	return strings.ReplaceAll(s, "_", `\_`)
}

// byteOrder sorts col byte by byte, so paths list parent before child whatever the server's locale
// (PostgreSQL's language collations ignore "/", "-" and "_"; SQLite compares bytes already).
func (db *DB) byteOrder(col string) string {
	if db.dialect == Postgres {
		return col + ` COLLATE "C"`
	}
	return col
}

// Snapshot writes a consistent copy of a SQLite database to path (which must not exist) while it is
// in use: VACUUM INTO reads in one transaction, so writers go on and the copy is of one moment
// (issue 13: dudao backup). PostgreSQL is backed up with its own tools (docs/operations.md).
func (db *DB) Snapshot(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return domain.Errorf(domain.EINVALID, "PostgreSQL 数据库请用 pg_dump 备份（见 docs/operations.md）；dudao backup 只用于内置的 SQLite 数据库。")
	}
	if err := db.gorm.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("storage: snapshot to %s: %w", path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns what it reports ("ok" when sound); on
// PostgreSQL it answers "ok" (the server checks its own pages).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	if db.dialect != SQLite {
		return "ok", nil
	}
	var rows []string
	if err := db.gorm.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&rows).Error; err != nil {
		return "", fmt.Errorf("storage: integrity check: %w", err)
	}
	return strings.Join(rows, "; "), nil
}
