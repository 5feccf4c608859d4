package system_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/cmd/system/systemtest"
	"dudao/domain"
)

// TestAuditAnchorFindsDeletedNewestEvents: with a checkpoint of the head signed apart from the
// database, verify finds the newest events deleted (which the hash chain alone cannot: what is left is
// a valid chain) and a chain rebuilt with new hashes; a restore is recorded so that the checkpoints
// taken after the backup do not read as a deletion. Before issue 13 nothing anchored the head and the
// deletion passed.
func TestAuditAnchorFindsDeletedNewestEvents(t *testing.T) {
	systemtest.Engines(t, systemtest.Options{Demo: true}, func(t *testing.T, e *systemtest.Env) {
		ctx := context.Background()
		x := e.App
		write := func(n int) {
			t.Helper()
			for i := range n {
				if _, err := x.CreateOrg(ctx, app.System, app.OrgInput{Code: "t" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + time.Now().Format("150405.000000")[7:],
					Name: "测试机构", Kind: domain.OrgOffice, ParentPath: "wuhai/"}); err != nil {
					t.Fatal(err)
				}
				e.Clock.Advance(time.Second)
			}
		}
		verify := func(want string) app.AuditVerdict {
			t.Helper()
			v, err := x.VerifyAudit(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(v.Problems, "；")
			if v.BrokenID != 0 {
				got += " chain broken at " + v.Reason
			}
			if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
				t.Fatalf("verify: %q, want %q", got, want)
			}
			return v
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if e.Engine == "postgres" {
				for i := 1; strings.Contains(q, "?"); i++ {
					q = strings.Replace(q, "?", "$"+string(rune('0'+i)), 1)
				}
			}
			if _, err := e.Raw.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}

		write(2)
		cp, written, err := x.CheckpointAudit(ctx)
		if err != nil || !written || cp.Head.ID == 0 {
			t.Fatalf("checkpoint: %+v %v %v", cp, written, err)
		}
		if again, written, err := x.CheckpointAudit(ctx); err != nil || written || again != cp {
			t.Fatalf("a checkpoint of an unchanged head: %+v %v %v", again, written, err)
		}
		verify("")

		// The newest events deleted: the rest is a valid chain, the checkpoint knows better.
		exec("DELETE FROM audit_events WHERE id > ?", cp.Head.ID-2)
		if id, _, err := e.DB.Verify(ctx); err != nil || id != 0 {
			t.Fatalf("the chain alone: broken at %d, %v; want it to pass (that is the hole)", id, err)
		}
		verify("最新的审计事件被删除")

		// A restore of a backup taken then is recorded: the later checkpoint is superseded, not a deletion.
		if _, err := x.MarkRestore(ctx); err != nil {
			t.Fatal(err)
		}
		if v := verify(""); v.Superseded != 1 {
			t.Errorf("superseded = %d, want 1", v.Superseded)
		}
		write(3)
		cp2, _, err := x.CheckpointAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		verify("")
		if v, err := x.VerifyAudit(ctx, &cp2.Head); err != nil || !v.OK() {
			t.Fatalf("verify with the printed checkpoint: %+v %v", v, err)
		}
		if v, _ := x.VerifyAudit(ctx, &domain.AuditHead{ID: cp2.Head.ID, Hash: strings.Repeat("0", 64)}); v.OK() {
			t.Error("a printed checkpoint that differs passed")
		}

		// A chain rebuilt with new hashes verifies on its own; the checkpoint's hash no longer matches.
		var events []domain.AuditEvent
		for page := 1; ; page++ {
			evs, _, err := e.DB.List(ctx, domain.AuditFilter{Page: page, PerPage: 200})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 {
				break
			}
			events = append(events, evs...)
		}
		prev := ""
		for i := len(events) - 1; i >= 0; i-- { // oldest first
			ev := events[i]
			if i == len(events)-1 {
				ev.Detail += "（改）"
			}
			ev.Seal(prev)
			exec("UPDATE audit_events SET detail = ?, prev_hash = ?, hash = ? WHERE id = ?", ev.Detail, ev.PrevHash, ev.Hash, ev.ID)
			prev = ev.Hash
		}
		if id, _, err := e.DB.Verify(ctx); err != nil || id != 0 {
			t.Fatalf("the rebuilt chain alone: broken at %d, %v", id, err)
		}
		verify("审计日志被改写")
	})
}
