package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"dudao/domain"
)

// TestGroupCommit: on SQLite the transactions that queue while one holds the writer are committed
// together, and each keeps its own outcome — one that fails leaves nothing while the others land,
// one that breaks a constraint is rolled back alone, a panic reaches its own caller, a caller gone
// before its turn is told so and its work never runs, and each sees what the ones before it wrote.
func TestGroupCommit(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.gorm.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)").Error; err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context, id int, v string) error {
		return db.conn(ctx).Exec("INSERT INTO t (id, v) VALUES (?, ?)", id, v).Error
	}
	count := func(ctx context.Context) int {
		var n int
		if err := db.conn(ctx).Raw("SELECT COUNT(*) FROM t").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	g := holdWriter(t, db, count)
	queue := g.queue
	ran := make(chan string, 8)
	queue("ok-2", ctx, func(ctx context.Context) error { ran <- "ok-2"; return insert(ctx, 2, "二") })
	queue("fails", ctx, func(ctx context.Context) error {
		ran <- "fails"
		if err := insert(ctx, 3, "三"); err != nil {
			return err
		}
		return errors.New("规则不许")
	})
	queue("duplicate", ctx, func(ctx context.Context) error { ran <- "duplicate"; return insert(ctx, 4, "二") })
	queue("panics", ctx, func(ctx context.Context) error {
		ran <- "panics"
		if err := insert(ctx, 5, "五"); err != nil {
			return err
		}
		panic("坏了")
	})
	gone, leave := context.WithCancel(ctx)
	queue("gone", gone, func(ctx context.Context) error { ran <- "gone"; return insert(ctx, 6, "六") })
	queue("ok-7", ctx, func(ctx context.Context) error { ran <- "ok-7"; return insert(ctx, 7, "七") })
	leave()
	g.waitFor(1) // the caller that left is told at once, before any turn has come
	g.release(func(ctx context.Context) error { return insert(ctx, 1, "先") })
	close(ran)

	var order []string
	for r := range ran {
		order = append(order, r)
	}
	if fmt.Sprint(order) != "[ok-2 fails duplicate panics ok-7]" {
		t.Errorf("ran %v, want the queued ones in order without the one that left", order)
	}
	byName := g.outcomes()
	check := func(name string, wantErr, wantPanic bool, wantSeen int) {
		t.Helper()
		o := byName[name]
		if (o.err != nil) != wantErr || (o.panic != nil) != wantPanic {
			t.Errorf("%s: err %v, panic %v; want error %v, panic %v", name, o.err, o.panic, wantErr, wantPanic)
		}
		if wantSeen > 0 && o.seen != wantSeen {
			t.Errorf("%s saw %d rows in its transaction, want %d", name, o.seen, wantSeen)
		}
	}
	check("ok-2", false, false, 2)     // the first's row and its own
	check("fails", true, false, 3)     // its own row, before it was rolled back
	check("duplicate", true, false, 2) // the unique 二 is ok-2's
	check("panics", false, true, 0)
	check("ok-7", false, false, 3) // 先, 二 and its own: nothing of the failed ones
	if o := byName["gone"]; !errors.Is(o.err, context.Canceled) {
		t.Errorf("gone: err %v, want context.Canceled", o.err)
	}
	for _, name := range []string{"fails", "duplicate", "panics", "ok-7"} {
		if byName[name].tx != byName["ok-2"].tx {
			t.Errorf("%s ran in transaction %s, ok-2 in %s: the queued ones were not committed as one", name, byName[name].tx, byName["ok-2"].tx)
		}
	}

	var vs []string
	if err := db.gorm.Raw("SELECT v FROM t").Scan(&vs).Error; err != nil {
		t.Fatal(err)
	}
	sort.Strings(vs)
	if fmt.Sprint(vs) != "[七 二 先]" {
		t.Errorf("committed %v, want 先, 二 and 七 only", vs)
	}
	if n := g.queued(); n != 0 {
		t.Errorf("%d transactions left in the queue", n)
	}
	// After a group, a lone transaction still runs by itself and a nested call joins it.
	err = db.WithinTx(ctx, func(ctx context.Context) error {
		return db.WithinTx(ctx, func(ctx context.Context) error { return insert(ctx, 8, "八") })
	})
	if err != nil || count(ctx) != 4 {
		t.Fatalf("after the group: %v, %d rows", err, count(ctx))
	}
}

// TestGroupKeptCounts: in a group the kept counts of the transactions that succeed are written once,
// those of one rolled back are not, and one that reads the counts sees its own changes and those
// before it in the group — also when it reads and is then rolled back, and the next one reads again.
func TestGroupKeptCounts(t *testing.T) {
	var db *DB
	for _, d := range openTestDBs(t) {
		if d.name == string(SQLite) {
			db = d.use(t)
		}
	}
	ctx := context.Background()
	scopes := []domain.Jurisdiction{"nm/"}
	counts := func(ctx context.Context) map[domain.Status]int {
		by, _, err := db.CaseCounts(ctx, scopes, domain.Date("2026-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		return by
	}
	g := holdWriter(t, db, nil)
	open := func(ctx context.Context) error { return db.countCase(ctx, []string{"nm/"}, "", domain.StatusPlanned) }
	start := func(ctx context.Context) error {
		return db.countCase(ctx, []string{"nm/"}, domain.StatusPlanned, domain.StatusInspecting)
	}
	var seen sync.Map // what the ones that read saw: planned ×10 + inspecting
	read := func(ctx context.Context, name string) {
		by := counts(ctx)
		seen.Store(name, 10*by[domain.StatusPlanned]+by[domain.StatusInspecting])
	}
	g.queue("opens", ctx, open)
	g.queue("opens, fails", ctx, func(ctx context.Context) error {
		for range 5 {
			if err := open(ctx); err != nil {
				return err
			}
		}
		return errors.New("规则不许")
	})
	g.queue("starts, reads, fails", ctx, func(ctx context.Context) error {
		if err := start(ctx); err != nil {
			return err
		}
		read(ctx, "starts, reads, fails")
		return errors.New("规则不许")
	})
	g.queue("opens, reads", ctx, func(ctx context.Context) error {
		if err := open(ctx); err != nil {
			return err
		}
		read(ctx, "opens, reads")
		return nil
	})
	g.queue("starts", ctx, start)
	g.queue("opens again", ctx, open)
	g.release(open)

	o := g.outcomes()
	for name, wantErr := range map[string]bool{"opens": false, "opens, fails": true, "starts, reads, fails": true, "opens, reads": false, "starts": false, "opens again": false} {
		if (o[name].err != nil) != wantErr {
			t.Errorf("%s: err %v, want error %v", name, o[name].err, wantErr)
		}
		if o[name].tx != o["opens"].tx {
			t.Errorf("%s ran apart from the group", name)
		}
	}
	// 1 planned by the holder, 1 by opens; the start that read saw it and its own change.
	if v, _ := seen.Load("starts, reads, fails"); v != 11 {
		t.Errorf("starts, reads, fails saw %v, want 1 planned and 1 inspecting (11)", v)
	}
	// Its rollback took back what it wrote, opens' counts with its own: they are pending again.
	if v, _ := seen.Load("opens, reads"); v != 30 {
		t.Errorf("opens, reads saw %v, want 3 planned (30)", v)
	}
	if by := counts(ctx); by[domain.StatusPlanned] != 3 || by[domain.StatusInspecting] != 1 {
		t.Errorf("committed %v, want 3 planned and 1 inspecting", by)
	}
}

// groupRun holds SQLite's writer with one transaction while others queue behind it in a known order,
// then lets them all run: those queued become one group.
type groupRun struct {
	t       *testing.T
	db      *DB
	observe func(ctx context.Context) int // what each queued transaction sees after its own work (nil: nothing)
	hold    chan struct{}
	work    func(ctx context.Context) error // the holder's own work, given by release
	first   chan error
	mu      sync.Mutex
	done    []groupOutcome
	wg      sync.WaitGroup
}

// groupOutcome is how one queued transaction ended.
type groupOutcome struct {
	name  string
	err   error
	panic any
	seen  int    // observe, inside the transaction, after its own work
	tx    string // the SQL transaction it ran in
}

func holdWriter(t *testing.T, db *DB, observe func(ctx context.Context) int) *groupRun {
	g := &groupRun{t: t, db: db, observe: observe, hold: make(chan struct{}), first: make(chan error, 1)}
	holding := make(chan struct{})
	go func() {
		g.first <- db.WithinTx(context.Background(), func(ctx context.Context) error {
			close(holding)
			<-g.hold
			return g.work(ctx)
		})
	}()
	<-holding
	return g
}

func (g *groupRun) queued() int {
	g.db.qmu.Lock()
	defer g.db.qmu.Unlock()
	return len(g.db.queue)
}

// queue starts a transaction and returns once it waits in the queue, behind those queued before.
func (g *groupRun) queue(name string, ctx context.Context, fn func(ctx context.Context) error) {
	n := g.queued()
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		o := groupOutcome{name: name}
		defer func() {
			o.panic = recover()
			g.mu.Lock()
			g.done = append(g.done, o)
			g.mu.Unlock()
		}()
		o.err = g.db.WithinTx(ctx, func(ctx context.Context) error {
			o.tx = fmt.Sprintf("%p", g.db.conn(ctx).Statement.ConnPool)
			err := fn(ctx)
			if g.observe != nil {
				o.seen = g.observe(ctx)
			}
			return err
		})
	}()
	for g.queued() == n {
		time.Sleep(time.Millisecond)
	}
}

// waitFor waits, a few seconds at most, until n queued transactions have ended.
func (g *groupRun) waitFor(n int) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		k := len(g.done)
		g.mu.Unlock()
		if k >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// release lets the holder do work and commit, then waits for every queued transaction.
func (g *groupRun) release(work func(ctx context.Context) error) {
	g.work = work
	close(g.hold)
	if err := <-g.first; err != nil {
		g.t.Fatal(err)
	}
	g.wg.Wait()
}

func (g *groupRun) outcomes() map[string]groupOutcome {
	out := map[string]groupOutcome{}
	for _, o := range g.done {
		out[o.name] = o
	}
	return out
}
