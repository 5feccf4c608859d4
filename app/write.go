package app

import (
	"context"
	"fmt"
	"time"

	"dudao/domain"
)

// The one write path. Every record with a lifecycle (a case, a 问责 or 激励 record, and whatever comes
// next) is created by create and changed by change: in one transaction they load it, hide it from whoever
// may not read it, check the version the client saw, ask the record what the step needs and the
// authorizer whether the caller has it, read the clock once, let the record's guarded method change it,
// save it with an optimistic version check and append the audit event. An aggregate brings its domain
// rules, its rows (a kind) and its handlers; nothing here is written twice.

// kind is how the write path loads, saves and inserts one type of record.
type kind[R domain.Record] struct {
	get      func(ctx context.Context, id int64) (R, error)
	save     func(ctx context.Context, r R, expectedVersion int) error
	insert   func(ctx context.Context, r R) error
	notFound error // what an unknown id, or one the caller may not read, answers
	// after, when set, runs in the transaction once a step is saved and audited: whom to tell.
	after func(ctx context.Context, a domain.Actor, r R, op domain.Op, now time.Time) error
}

type hooksKey struct{}

// txHooks are what runs when the outermost transaction ends: commit after a commit only, end after
// either outcome, told which.
type txHooks struct {
	commit []func()
	end    []func(committed bool)
}

// inTx runs fn in one transaction (joining the caller's when there is one); what fn defers with
// afterCommit runs once the outermost transaction has committed, and what it defers with afterTx once
// that transaction has ended either way.
func (x *App) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(hooksKey{}).(*txHooks); ok {
		return x.d.Tx.WithinTx(ctx, fn)
	}
	hooks := &txHooks{}
	err := x.d.Tx.WithinTx(context.WithValue(ctx, hooksKey{}, hooks), fn)
	for _, h := range hooks.end {
		h(err == nil)
	}
	if err != nil {
		return err
	}
	for _, h := range hooks.commit {
		h()
	}
	return nil
}

// afterCommit defers f until the transaction in ctx has committed (at once when there is none):
// emails go out only for what was really written.
func afterCommit(ctx context.Context, f func()) {
	if hooks, ok := ctx.Value(hooksKey{}).(*txHooks); ok {
		hooks.commit = append(hooks.commit, f)
		return
	}
	f()
}

// afterTx defers f until the transaction in ctx has ended, telling it whether it committed (at once,
// as committed, when there is none): files written beside a transaction are kept or removed by its
// outcome.
func afterTx(ctx context.Context, f func(committed bool)) {
	if hooks, ok := ctx.Value(hooksKey{}).(*txHooks); ok {
		hooks.end = append(hooks.end, f)
		return
	}
	f(true)
}

// Atomically runs fn as one transaction: for batch jobs of the command line (the demo, imports)
// whose use cases must land together or not at all.
func (x *App) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return x.inTx(ctx, fn)
}

// permits reports whether the authorizer grants a one of p's rights at the record's paths.
func (x *App) permits(a domain.Actor, h domain.Head, p domain.Permission) bool {
	if a.System {
		return true
	}
	for _, r := range p.Any {
		if x.d.Authz.Allowed(a, p.Object, r.Act, h.Path(r.Side)) {
			return true
		}
	}
	return false
}

// permitsAnywhere reports whether a holds one of p's rights in at least one jurisdiction.
func (x *App) permitsAnywhere(a domain.Actor, p domain.Permission) bool {
	if a.System {
		return true
	}
	for _, r := range p.Any {
		if len(x.d.Authz.Scopes(a, p.Object, r.Act)) > 0 {
			return true
		}
	}
	return false
}

// may reports whether a may take step op on r now, as far as the authorizer is concerned.
func (x *App) may(a domain.Actor, r domain.Record, op domain.Op) bool {
	p, ok := r.Permission(op)
	return ok && x.permits(a, r.Head(), p)
}

// visible reports whether a may read the record: at its target or at its owner, with the right the
// record names (Head.ReadAct, "read" by default).
func (x *App) visible(a domain.Actor, h domain.Head) bool {
	if a.System {
		return true
	}
	act := h.ReadAct
	if act == "" {
		act = "read"
	}
	for _, obj := range []string{h.Object, h.ReadAlso} {
		if obj == "" {
			continue
		}
		if h.Target.Path != "" && x.d.Authz.Allowed(a, obj, act, h.Target.Path) {
			return true
		}
		if x.d.Authz.Allowed(a, obj, act, h.Owner.Path) {
			return true
		}
	}
	return false
}

// scopes are the jurisdictions where a may do act on obj: what list queries filter on.
func (x *App) scopes(a domain.Actor, obj, act string) []domain.Jurisdiction {
	return x.d.Authz.Scopes(a, obj, act)
}

// load reads a record the caller may read; an unknown or hidden one is k.notFound, so ids cannot be
// probed (SPEC §1).
func load[R domain.Record](ctx context.Context, x *App, k kind[R], a domain.Actor, id int64) (R, error) {
	var zero R
	r, err := k.get(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return zero, k.notFound
		}
		return zero, err
	}
	if !x.visible(a, r.Head()) {
		return zero, k.notFound
	}
	return r, nil
}

// change takes step op on record id for a: see the top of this file. fn is the domain's part; it gets
// the transaction's ctx (for lookups the step needs) and the one time of the change, and returns the
// audit event's detail. expect, when set, is the version the client saw.
func change[R domain.Record](ctx context.Context, x *App, k kind[R], a domain.Actor, id int64, op domain.Op, expect *int,
	fn func(ctx context.Context, r R, now time.Time) (detail string, err error)) (R, error) {
	var out R
	err := x.inTx(ctx, func(ctx context.Context) error {
		r, err := load(ctx, x, k, a, id)
		if err != nil {
			return err
		}
		h := r.Head()
		p, ok := r.Permission(op)
		if !ok {
			return domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", op)
		}
		if expect != nil && *expect != h.Version {
			return domain.Errorf(domain.ECONFLICT, "%s已被他人修改（当前版本 %d，您看到的是 %d），请刷新后重试。", h.Label, h.Version, *expect)
		}
		if !x.permits(a, h, p) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权对%s执行「%s」。", h.Label, p.Label)
		}
		before, now := domain.Digest(r), x.d.Clock.Now()
		detail, err := fn(ctx, r, now)
		if err != nil {
			return err
		}
		if r.Head().Version == h.Version {
			return fmt.Errorf("app: %s on %s %d changed nothing", op, h.Object, h.ID)
		}
		if err := k.save(ctx, r, h.Version); err != nil {
			return err
		}
		if k.after != nil {
			if err := k.after(ctx, a, r, op, now); err != nil {
				return err
			}
		}
		// The audit event last: on PostgreSQL appending it locks the chain until the commit.
		if err := x.record(ctx, a, now, op, r.Head(), before, domain.Digest(r), detail); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// create makes a record for a: build (the domain's constructor, with the lookups it needs) gets the one
// time of the change; whether a may take op is asked first anywhere (so that a role without it hears
// so before its input is judged), then at the record's own paths.
func create[R domain.Record](ctx context.Context, x *App, k kind[R], a domain.Actor, op domain.Op, need domain.Permission,
	build func(ctx context.Context, now time.Time) (r R, detail string, err error)) (R, error) {
	var out R
	if !x.permitsAnywhere(a, need) {
		return out, domain.Errorf(domain.EFORBIDDEN, "您无权%s。", need.Label)
	}
	err := x.inTx(ctx, func(ctx context.Context) error {
		now := x.d.Clock.Now()
		r, detail, err := build(ctx, now)
		if err != nil {
			return err
		}
		h := r.Head()
		if p, ok := r.Permission(op); !ok || !x.permits(a, h, p) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权以%s的名义%s。", h.Owner.Name, need.Label)
		}
		if err := k.insert(ctx, r); err != nil {
			return err
		}
		if k.after != nil {
			if err := k.after(ctx, a, r, op, now); err != nil {
				return err
			}
		}
		// The audit event last: on PostgreSQL appending it locks the chain until the commit.
		if err := x.record(ctx, a, now, op, r.Head(), "", domain.Digest(r), detail); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// record appends the audit event of op by a on the record h at now, inside the transaction in ctx.
// before and after are digests ("" for none).
func (x *App) record(ctx context.Context, a domain.Actor, now time.Time, op domain.Op, h domain.Head, before, after, detail string) error {
	return x.appendAudit(ctx, a, now, string(op), h.Object, h.ID, h.AuditPath(), before, after, detail)
}

// appendAudit appends one audit event; every write of the app ends in it.
func (x *App) appendAudit(ctx context.Context, a domain.Actor, now time.Time, action, objType string, objID int64,
	path domain.Jurisdiction, before, after, detail string) error {
	e := &domain.AuditEvent{At: now, ActorID: a.UserID, ActorName: a.Name, Action: action, ObjectType: objType,
		ObjectID: objID, ObjectPath: path, Before: before, After: after, Detail: detail, RequestID: requestID(ctx)}
	if a.UserID == 0 && a.Name == "" {
		e.ActorName = "系统"
	}
	return x.d.Audit.Append(ctx, e)
}

// digest is domain.Digest of v, or "" for nil.
func digest(v any) string {
	if v == nil {
		return ""
	}
	return domain.Digest(v)
}
