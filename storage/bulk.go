package storage

import (
	"context"
	"fmt"
	"strings"
)

// BulkInsert inserts rows into table (cols in order) in batches, inside the transaction in ctx: the
// path of data loads (the benchmark's province, imports) that write many plain rows at once. The
// caller gives every column its value, ids included; RebuildDerived brings the tables kept from
// them (scopes, counts, summaries) up to date afterwards.
func (db *DB) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	n := len(cols)
	if n == 0 {
		return fmt.Errorf("storage: bulk insert into %s: no columns", table)
	}
	// SQLite allows 32766 parameters a statement; PostgreSQL 65535.
	per := max(1, 30000/n)
	ph := "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for i := 0; i < len(rows); i += per {
		part := rows[i:min(i+per, len(rows))]
		args := make([]any, 0, len(part)*n)
		vals := make([]string, len(part))
		for j, r := range part {
			if len(r) != n {
				return fmt.Errorf("storage: bulk insert into %s: row %d has %d values for %d columns", table, i+j, len(r), n)
			}
			vals[j] = ph
			args = append(args, r...)
		}
		if err := db.conn(ctx).Exec(head+strings.Join(vals, ","), args...).Error; err != nil {
			return fmt.Errorf("storage: bulk insert into %s: %w", table, err)
		}
	}
	return nil
}

// ResetSequences sets PostgreSQL's id sequences past the ids a bulk load gave (SQLite's
// AUTOINCREMENT follows the largest id by itself).
func (db *DB) ResetSequences(ctx context.Context, tables ...string) error {
	if db.dialect != Postgres {
		return nil
	}
	for _, t := range tables {
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)", t, t)
		if err := db.conn(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("storage: reset sequence of %s: %w", t, err)
		}
	}
	return nil
}

// RebuildDerived recomputes, from the plain rows, every table kept for reading fast: the case list's
// scopes and counts, and the report's facts kept on findings. A bulk load calls it last.
func (db *DB) RebuildDerived(ctx context.Context) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	if err := db.writeKept(ctx); err != nil { // written, then recomputed with the rest
		return err
	}
	if err := db.rebuildCaseScopes(ctx); err != nil {
		return err
	}
	if err := db.rebuildCaseGrams(ctx); err != nil {
		return err
	}
	return db.rebuildReportFacts(ctx)
}

// withoutIndexes runs f, a rebuild of a whole table, with the table's secondary indexes dropped, and
// makes them again after it: an index made at once sorts its keys and writes its B-tree left to right,
// where one kept up row by row during a bulk rewrite writes each key to a random page — at province
// scale, far more pages than SQLite's cache holds, each read and rewritten many times over. indexes
// are the CREATE INDEX statements, as the migrations make them. Inside the caller's transaction.
func (db *DB) withoutIndexes(ctx context.Context, indexes []string, f func() error) error {
	conn := db.conn(ctx)
	for _, def := range indexes {
		name, ok := indexName(def)
		if !ok {
			return fmt.Errorf("storage: not an index definition: %s", def)
		}
		if err := conn.Exec("DROP INDEX " + name).Error; err != nil {
			return err
		}
	}
	if err := f(); err != nil {
		return err
	}
	for _, def := range indexes {
		if err := conn.Exec(def).Error; err != nil {
			return err
		}
	}
	return nil
}

// indexName is the name in "CREATE INDEX name ON …".
func indexName(def string) (string, bool) {
	f := strings.Fields(def)
	if len(f) < 4 || f[0] != "CREATE" || f[1] != "INDEX" || f[3] != "ON" {
		return "", false
	}
	return f[2], true
}

// viaLoadTable fills table through a temporary copy of its columns without any index, "<table>_load":
// fill appends rows to it in whatever order they come, then they are copied into table sorted by
// order (its primary key), so that the table's B-tree is written left to right; the statements of
// then run before the load table is dropped (counts over it). Inside the caller's transaction.
func (db *DB) viaLoadTable(ctx context.Context, table string, cols []string, order string, fill func(load func(rows [][]any) error) error, then ...string) error {
	conn := db.conn(ctx)
	load, list := table+"_load", strings.Join(cols, ", ")
	for _, q := range []string{"DROP TABLE IF EXISTS " + load,
		"CREATE TEMPORARY TABLE " + load + " AS SELECT " + list + " FROM " + table + " WHERE 1 = 0"} {
		if err := conn.Exec(q).Error; err != nil {
			return err
		}
	}
	err := fill(func(rows [][]any) error {
		if len(rows) == 0 {
			return nil
		}
		return db.BulkInsert(ctx, load, cols, rows)
	})
	if err != nil {
		return err
	}
	stmts := append([]string{"INSERT INTO " + table + " (" + list + ") SELECT " + list + " FROM " + load + " ORDER BY " + order}, then...)
	for _, q := range append(stmts, "DROP TABLE "+load) {
		if err := conn.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}

// caseBatch is how many cases a rebuild reads at a time.
const caseBatch = 5000

// eachCaseBatch reads the cases' columns sel in id order, caseBatch at a time, into T, and hands each
// batch to f, which answers the last id it took.
func eachCaseBatch[T any](ctx context.Context, db *DB, sel string, f func([]T) (int64, error)) error {
	var last int64
	for {
		var batch []T
		if err := db.conn(ctx).Table("cases").Select(sel).Where("id > ?", last).Order("id").Limit(caseBatch).Scan(&batch).Error; err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		var err error
		if last, err = f(batch); err != nil {
			return err
		}
	}
}
