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
	if err := db.rebuildCaseScopes(ctx); err != nil {
		return err
	}
	if err := db.rebuildCaseGrams(ctx); err != nil {
		return err
	}
	return db.rebuildReportFacts(ctx)
}
