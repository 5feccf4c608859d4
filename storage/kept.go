package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// The kept counts — how many cases each jurisdiction holds in each status (case_counts) and how many
// cases hold each bigram (case_gram_counts) — are rows every write of a case changes: the region's
// row, its city's, the common bigrams'. On PostgreSQL a changed row stays locked until its
// transaction commits, so writing them where the case changed made every write wait for every other
// from that point to the commit (at 16 writers, most of the waits). A transaction therefore keeps its
// changes to them in Go and writes them at its end, just before the commit, after taking the audit
// chain's lock, which every audited write takes there anyway: the rows are then only ever written by
// the one transaction holding that lock, in one statement each, and nobody waits on them. A read of
// the counts inside the transaction, or a rebuild of them, writes them first, so a transaction always
// sees its own changes. On SQLite, the transactions of a group commit (group.go) add theirs to the
// group's, written once before its commit: the region's row changes once per group, not once per write.

// kept is a transaction's pending changes to the kept counts.
type kept struct {
	cases map[caseCountKey]int
	grams map[string]int
	// chainLocked: the transaction holds the audit chain's lock (PostgreSQL; Append takes it).
	chainLocked bool
	// group is, for a transaction of a group commit, the pending counts of the group's transactions
	// that succeeded before it.
	group *kept
	// groupWritten: this transaction wrote the group's pending counts (it read the counts). If it
	// succeeds they are written; if it is rolled back to its savepoint, they are pending again.
	groupWritten bool
}

type caseCountKey struct{ scope, status string }

type keptKey struct{}

// inTx gives fn the transaction tx in its context and, when fn succeeds, writes the kept counts it
// changed, or adds them to group's when it is one of a group's transactions: every write transaction
// of WithinTx runs through here.
func (db *DB) inTx(ctx context.Context, tx *gorm.DB, group *kept, fn func(ctx context.Context) error) error {
	k := &kept{group: group}
	ctx = context.WithValue(context.WithValue(ctx, txKey{}, tx), keptKey{}, k)
	if err := fn(ctx); err != nil {
		return err
	}
	if group == nil {
		return db.writeKept(ctx)
	}
	if k.groupWritten {
		group.cases, group.grams = nil, nil
	}
	group.add(k)
	return nil
}

// add adds o's pending counts to k's.
func (k *kept) add(o *kept) {
	addAll(&k.cases, o.cases)
	addAll(&k.grams, o.grams)
}

// addAll adds each count of from to *to's, making *to when it is needed.
func addAll[K comparable](to *map[K]int, from map[K]int) {
	for key, n := range from {
		if *to == nil {
			*to = map[K]int{}
		}
		(*to)[key] += n
	}
}

// keptOf is the pending counts of the transaction in ctx, nil outside one.
func keptOf(ctx context.Context) *kept {
	k, _ := ctx.Value(keptKey{}).(*kept)
	return k
}

// addCaseCounts adds n to the count of each (scope, status), in the transaction's pending counts (or
// at once where there are none).
func (db *DB) addCaseCounts(ctx context.Context, ds map[caseCountKey]int) error {
	if k := keptOf(ctx); k != nil {
		addAll(&k.cases, ds)
		return nil
	}
	return db.writeCaseCounts(ctx, ds)
}

// addGramCounts adds n to the count of each bigram, like addCaseCounts.
func (db *DB) addGramCounts(ctx context.Context, ds map[string]int) error {
	if k := keptOf(ctx); k != nil {
		addAll(&k.grams, ds)
		return nil
	}
	return db.writeGramCounts(ctx, ds)
}

// writeKept writes the transaction's pending counts, if any, with its group's the first time: at its
// end, and before it reads or rebuilds them.
func (db *DB) writeKept(ctx context.Context) error {
	k := keptOf(ctx)
	if k == nil {
		return nil
	}
	if k.group != nil && !k.groupWritten {
		k.groupWritten = true
		own := &kept{}
		own.add(k.group)
		own.add(k)
		k.cases, k.grams = own.cases, own.grams
	}
	if len(k.cases) == 0 && len(k.grams) == 0 {
		return nil
	}
	if db.dialect == Postgres && !k.chainLocked {
		if err := db.lockChain(ctx); err != nil {
			return err
		}
	}
	cases, grams := k.cases, k.grams
	k.cases, k.grams = nil, nil
	if err := db.writeCaseCounts(ctx, cases); err != nil {
		return err
	}
	return db.writeGramCounts(ctx, grams)
}

// lockChain takes the audit chain's lock on PostgreSQL until the transaction ends (audit.go).
func (db *DB) lockChain(ctx context.Context) error {
	if err := db.conn(ctx).Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error; err != nil {
		return fmt.Errorf("storage: audit lock: %w", err)
	}
	if k := keptOf(ctx); k != nil {
		k.chainLocked = true
	}
	return nil
}

// writeCaseCounts adds the changes to case_counts, the rows in a fixed order (scope, then status).
func (db *DB) writeCaseCounts(ctx context.Context, ds map[caseCountKey]int) error {
	keys := nonZero(ds, func(a, b caseCountKey) int {
		return cmp.Or(strings.Compare(a.scope, b.scope), strings.Compare(a.status, b.status))
	})
	rows := make([][]any, len(keys))
	for i, key := range keys {
		rows[i] = []any{key.scope, key.status, ds[key]}
	}
	return translate(db.addToCounts(ctx, "case_counts", "scope_path, status", rows), "案件", "count cases")
}

// writeGramCounts adds the changes to case_gram_counts, in bigram order.
func (db *DB) writeGramCounts(ctx context.Context, ds map[string]int) error {
	grams := nonZero(ds, strings.Compare)
	rows := make([][]any, len(grams))
	for i, g := range grams {
		rows[i] = []any{g, ds[g]}
	}
	return translate(db.addToCounts(ctx, "case_gram_counts", "gram", rows), "案件", "count case title bigrams")
}

// addToCounts adds, in one statement, each row's last value to the n of table's row keyed by the
// others (keys, the key columns), inserting the rows that are not there yet.
func (db *DB) addToCounts(ctx context.Context, table, keys string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	vals := make([]string, len(rows))
	var args []any
	for i, r := range rows {
		vals[i] = "(" + strings.Repeat("?, ", len(r)-1) + "?)"
		args = append(args, r...)
	}
	return db.conn(ctx).Exec("INSERT INTO "+table+" ("+keys+", n) VALUES "+strings.Join(vals, ", ")+
		" ON CONFLICT ("+keys+") DO UPDATE SET n = "+table+".n + excluded.n", args...).Error
}

// nonZero is the keys of ds whose change is not zero, in order.
func nonZero[K comparable](ds map[K]int, order func(a, b K) int) []K {
	keys := make([]K, 0, len(ds))
	for key, n := range ds {
		if n != 0 {
			keys = append(keys, key)
		}
	}
	slices.SortFunc(keys, order)
	return keys
}
