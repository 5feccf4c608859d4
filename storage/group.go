package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

// Group commit on SQLite. SQLite has one writer, and a commit appends every page its transaction
// changed to the WAL: an audited step changes about forty (the case, its scope rows and their
// indexes, the status indexes, the kept counts, the audit chain's tail, the notifications), and most
// of them are the same pages for the next step. So the transactions that queue while one runs are run
// next as one SQLite transaction, each inside a savepoint of its own: a transaction that fails is
// rolled back to its savepoint and the others go on; all of them are acknowledged only once the one
// commit has succeeded, and all fail if it does not. Each sees what the ones before it in the group
// wrote, exactly as if they had committed one after the other, which they have in effect.

// writerWait bounds the wait for SQLite's writer as its busy timeout did before the queue.
const writerWait = 10 * time.Second

// maxGroup bounds how many queued transactions one commit carries.
const maxGroup = 32

// txReq is one caller's transaction waiting for the writer.
type txReq struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	done chan struct{} // closed once err (or panicked) is final
	err  error
	// panicked is what fn panicked with, re-raised in the caller's goroutine.
	panicked any
	taken    bool // a leader has taken it out of the queue; guarded by DB.qmu
}

// groupQueue is the transactions waiting for SQLite's writer.
type groupQueue struct {
	qmu   sync.Mutex
	queue []*txReq
}

// errGroupLost answers the transactions of a group whose one commit failed, or whose transaction
// SQLite rolled back under them: nothing of theirs was written.
var errGroupLost = &domain.Error{Code: domain.EINTERNAL, Message: "系统繁忙，请稍后重试。", Err: errors.New("storage: the group's transaction was rolled back")}

// grouped runs fn as one transaction on SQLite: it queues fn, and whichever queued caller takes the
// writer runs its own transaction and those queued with it as a group.
func (db *DB) grouped(ctx context.Context, fn func(ctx context.Context) error) error {
	r := &txReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	db.qmu.Lock()
	db.queue = append(db.queue, r)
	db.qmu.Unlock()
	t := time.NewTimer(writerWait)
	defer t.Stop()
	select {
	case <-r.done:
	case db.writer <- struct{}{}:
		// The writer is ours, so the leader before us has finished: r is done or still queued.
		func() {
			defer func() { <-db.writer }()
			select {
			case <-r.done:
			default:
				db.lead(r)
			}
		}()
	case <-ctx.Done():
		if db.withdraw(r) {
			return ctx.Err()
		}
		<-r.done
	case <-t.C:
		if db.withdraw(r) {
			return &domain.Error{Code: domain.EINTERNAL, Message: "系统繁忙，请稍后重试。", Err: errors.New("storage: waited 10s for the write transaction")}
		}
		<-r.done
	}
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// withdraw takes r out of the queue unless a leader has taken it already, and says whether it did.
func (db *DB) withdraw(r *txReq) bool {
	db.qmu.Lock()
	defer db.qmu.Unlock()
	if r.taken {
		return false
	}
	for i, q := range db.queue {
		if q == r {
			db.queue = append(db.queue[:i], db.queue[i+1:]...)
			break
		}
	}
	return true
}

// lead, holding the writer, runs own and the transactions queued before the writer came free.
func (db *DB) lead(own *txReq) {
	db.qmu.Lock()
	group := []*txReq{own}
	own.taken = true
	rest := db.queue[:0]
	for _, q := range db.queue {
		switch {
		case q == own:
		case len(group) < maxGroup:
			q.taken = true
			group = append(group, q)
		default:
			rest = append(rest, q)
		}
	}
	clear(db.queue[len(rest):])
	db.queue = rest
	db.qmu.Unlock()
	if len(group) == 1 {
		defer close(own.done)
		own.err = db.alone(own)
		if own.err == nil {
			db.committed()
		}
		return
	}
	db.runGroup(group)
}

// alone runs the leader's transaction by itself, as every transaction ran before groups: on the
// caller's goroutine and context, so a caller that goes away rolls it back and a panic unwinds as usual.
func (db *DB) alone(r *txReq) error {
	return db.txs.WithContext(r.ctx).Transaction(func(tx *gorm.DB) error {
		return db.inTx(r.ctx, tx, nil, r.fn)
	})
}

// runGroup runs a group's transactions in one SQLite transaction, each in its own savepoint. The
// statements run without the callers' cancellation: SQLite answers an interrupted write by rolling
// back the whole transaction, which would take the others' work with it. A caller that has gone away
// before its turn is skipped.
func (db *DB) runGroup(group []*txReq) {
	base := context.Background()
	tx := db.txs.WithContext(base).Begin()
	if tx.Error != nil {
		for _, r := range group {
			r.err = translate(tx.Error, "数据", "开始事务")
			close(r.done)
		}
		return
	}
	dead := false
	var wrote []*txReq
	counts := &kept{} // the kept counts of those that succeeded, written once before the commit
	for _, r := range group {
		if dead {
			r.err = errGroupLost
			continue
		}
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if err := tx.Exec("SAVEPOINT grouped").Error; err != nil {
			r.err, dead = errGroupLost, true
			continue
		}
		ctx := context.WithoutCancel(r.ctx)
		r.err, r.panicked = member(func() error { return db.inTx(ctx, tx.WithContext(ctx), counts, r.fn) })
		if r.err != nil || r.panicked != nil {
			if err := tx.Exec("ROLLBACK TO grouped").Error; err != nil {
				dead = true // SQLite ended the transaction itself: the ones before r are gone too
			}
		}
		if !dead {
			if err := tx.Exec("RELEASE grouped").Error; err != nil {
				dead = true
			}
		}
		if r.err == nil && r.panicked == nil {
			wrote = append(wrote, r)
		}
	}
	if !dead && len(wrote) > 0 {
		// The group's counts, written as a transaction's own are at its end.
		err := db.inTx(base, tx, nil, func(ctx context.Context) error { keptOf(ctx).add(counts); return nil })
		if err != nil {
			dead = true
		}
	}
	var lost error
	switch {
	case dead:
		tx.Rollback()
		lost = errGroupLost
	case len(wrote) == 0:
		tx.Rollback()
	default:
		if err := tx.Commit().Error; err != nil {
			lost = fmt.Errorf("%w: commit: %w", errGroupLost, err)
		} else {
			db.committed()
		}
	}
	if lost != nil {
		for _, r := range wrote {
			r.err = lost
		}
	}
	for _, r := range group {
		close(r.done)
	}
}

// member runs one transaction of a group on the leader's goroutine; a panic is logged with its stack
// here and handed to its own caller to re-raise.
func member(fn func() error) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
			slog.Error("panic in a grouped transaction", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	return fn(), nil
}
