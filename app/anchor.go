package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dudao/domain"
)

// Anchoring the audit chain (domain/anchor.go, issue 13): serve signs a checkpoint of the chain's head
// every few minutes and at shutdown; dudao audit checkpoint signs one now and prints it; dudao audit
// verify checks the chain and then the checkpoints against it; a restore from a backup is recorded.

var errNoAnchor = errors.New("app: no audit anchor configured")

// CheckpointAudit signs the chain's head into the anchor log, unless the last checkpoint already
// holds it (written is false then, and the last one is returned).
func (x *App) CheckpointAudit(ctx context.Context) (cp domain.Checkpoint, written bool, err error) {
	if x.d.Anchor == nil {
		return domain.Checkpoint{}, false, errNoAnchor
	}
	head, err := x.d.Heads.Head(ctx)
	if err != nil {
		return domain.Checkpoint{}, false, err
	}
	last, found, err := x.d.Anchor.Last(ctx)
	if err != nil {
		return domain.Checkpoint{}, false, err
	}
	if found && last.Head == head {
		return last, false, nil
	}
	cp, err = x.d.Anchor.Append(ctx, domain.Checkpoint{Kind: domain.CheckpointHead, At: x.d.Clock.Now(), Head: head})
	return cp, err == nil, err
}

// MarkRestore records that the database was just restored from a backup: its head now is what the
// checkpoints after it are compared with, and the checkpoints taken after the backup are superseded
// (kept on record; verify says how many).
func (x *App) MarkRestore(ctx context.Context) (domain.Checkpoint, error) {
	if x.d.Anchor == nil {
		return domain.Checkpoint{}, errNoAnchor
	}
	head, err := x.d.Heads.Head(ctx)
	if err != nil {
		return domain.Checkpoint{}, err
	}
	return x.d.Anchor.Append(ctx, domain.Checkpoint{Kind: domain.CheckpointRestore, At: x.d.Clock.Now(), Head: head})
}

// AuditVerdict is what verifying the audit log found.
type AuditVerdict struct {
	Head AuditHeadView
	// The chain: the first event whose prev_hash or hash is wrong (0: none), and why.
	BrokenID int64
	Reason   string
	// The anchor: how many checkpoints there are, how many were compared with the chain, how many a
	// restore superseded; Problems names each mismatch in Chinese.
	Checkpoints, Compared, Superseded int
	LastCheckpoint                    *domain.Checkpoint
	Problems                          []string
	Anchored                          bool // an anchor log was read
}

// AuditHeadView is the chain's head as verify reports it.
type AuditHeadView = domain.AuditHead

// OK reports whether the chain and the anchor agree.
func (v AuditVerdict) OK() bool { return v.BrokenID == 0 && len(v.Problems) == 0 }

// VerifyAudit recomputes the chain and compares it with the checkpoints. Since each hash commits to
// every event before it, one checkpoint whose event is still there with the same hash vouches for
// the whole chain up to it; so verify compares the newest checkpoint of the current history (after the
// last restore), that restore's own head, and the newest checkpoint before the restore that the
// backup still holds. A checkpoint whose event is gone means the newest events were deleted; one whose
// hash differs means the chain was rewritten. expect, when set, is a checkpoint from a printout or a
// log server, compared too.
func (x *App) VerifyAudit(ctx context.Context, expect *domain.AuditHead) (AuditVerdict, error) {
	var v AuditVerdict
	var err error
	if v.BrokenID, v.Reason, err = x.d.Audit.Verify(ctx); err != nil {
		return v, err
	}
	if v.Head, err = x.d.Heads.Head(ctx); err != nil {
		return v, err
	}
	var all []domain.Checkpoint
	if x.d.Anchor != nil {
		if all, err = x.d.Anchor.Checkpoints(ctx); err != nil {
			if domain.ErrorCode(err) == domain.ECONFLICT {
				v.Problems = append(v.Problems, domain.ErrorMessage(err))
				return v, nil
			}
			return v, err
		}
		v.Anchored = true
	}
	v.Checkpoints = len(all)
	restore := -1
	for i, c := range all {
		if c.Kind == domain.CheckpointRestore {
			restore = i
		}
	}
	var compare []domain.Checkpoint
	if restore >= 0 {
		r := all[restore]
		compare = append(compare, r)
		var before *domain.Checkpoint
		for i := range restore {
			c := all[i]
			if c.Head.ID > r.Head.ID {
				v.Superseded++
			} else {
				before = &all[i]
			}
		}
		if before != nil {
			compare = append(compare, *before)
		}
	}
	if n := len(all); n > 0 && n-1 > restore {
		compare = append(compare, all[n-1])
	}
	if n := len(all); n > 0 {
		v.LastCheckpoint = &all[n-1]
	}
	if expect != nil {
		compare = append(compare, domain.Checkpoint{Kind: "expected", Head: *expect})
	}
	for _, c := range compare {
		v.Compared++
		if p := x.compareCheckpoint(ctx, c, v.Head); p != "" {
			v.Problems = append(v.Problems, p)
		} else if err := ctx.Err(); err != nil {
			return v, err
		}
	}
	return v, nil
}

// compareCheckpoint is "" when the chain holds c's head, else what is wrong, in Chinese.
func (x *App) compareCheckpoint(ctx context.Context, c domain.Checkpoint, head domain.AuditHead) string {
	what := fmt.Sprintf("检查点 #%d（%s）", c.Seq, c.At.In(domain.CST).Format("2006-01-02 15:04:05"))
	switch c.Kind {
	case domain.CheckpointRestore:
		what = fmt.Sprintf("恢复记录 #%d（%s）", c.Seq, c.At.In(domain.CST).Format("2006-01-02 15:04:05"))
	case "expected":
		what = "核对值"
	}
	if c.Head.ID == 0 {
		return ""
	}
	hash, found, err := x.d.Heads.EventHash(ctx, c.Head.ID)
	switch {
	case err != nil:
		return what + "无法核对：" + err.Error()
	case !found && head.ID < c.Head.ID:
		return fmt.Sprintf("%s记录的最新事件为 #%d，而审计日志现在只到 #%d：最新的审计事件被删除了。", what, c.Head.ID, head.ID)
	case !found:
		return fmt.Sprintf("%s记录的事件 #%d 已不存在：审计事件被删除了。", what, c.Head.ID)
	case hash != c.Head.Hash:
		return fmt.Sprintf("%s记录的事件 #%d 的哈希为 %s，审计日志中为 %s：审计日志被改写了。", what, c.Head.ID, short(c.Head.Hash), short(hash))
	}
	return ""
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// CheckpointEvery runs CheckpointAudit every d until ctx ends; failures are reported to warn. (serve
// signs one more after the server has stopped, so a clean shutdown leaves the final head anchored.)
func (x *App) CheckpointEvery(ctx context.Context, d time.Duration, warn func(error)) {
	if d <= 0 || x.d.Anchor == nil {
		return
	}
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, _, err := x.CheckpointAudit(ctx); err != nil && ctx.Err() == nil {
				warn(err)
			}
		}
	}
}

// AuditChain is the audit chain's state as the audit page shows it: the head, and the newest signed
// checkpoint compared with the chain (one lookup, not a walk: a full verify is `dudao audit verify`).
type AuditChain struct {
	Head     domain.AuditHead
	Last     *domain.Checkpoint // nil: no checkpoint yet, or no anchor log
	Anchored bool
	Problem  string // "" when the checkpoint's event is in the chain with the same hash
}

// AuditChainState answers AuditChain for a user who reads the audit log.
func (x *App) AuditChainState(ctx context.Context, a domain.Actor) (AuditChain, error) {
	var s AuditChain
	if !x.MayAnywhere(a, "audit", "read") {
		return s, domain.Errorf(domain.EFORBIDDEN, "您无权查看审计日志。")
	}
	var err error
	if s.Head, err = x.d.Heads.Head(ctx); err != nil {
		return s, err
	}
	if x.d.Anchor == nil {
		return s, nil
	}
	s.Anchored = true
	last, found, err := x.d.Anchor.Last(ctx)
	if err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			s.Problem = domain.ErrorMessage(err)
			return s, nil
		}
		return s, err
	}
	if found {
		s.Last = &last
		s.Problem = x.compareCheckpoint(ctx, last, s.Head)
	}
	return s, nil
}
