package storage

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"dudao/domain"
)

// TestAccountStore: the storage side of issue 13 on both engines — server keys (first one wins),
// disabling users, removing grants, ending a user's sessions, known devices, and login failures counted
// per pair, per account (untrusted) and per address (untrusted) within their windows.
func TestAccountStore(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			tx := func(fn func(ctx context.Context) error) {
				t.Helper()
				if err := db.WithinTx(ctx, fn); err != nil {
					t.Fatal(err)
				}
			}
			city := mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
			alice := mustUser(t, ctx, db, "alice", "甲", city)
			bob := mustUser(t, ctx, db, "bob", "乙", city)

			k1, err := db.ServerKey(ctx, "web", []byte("first-key-0123456789abcdef012345"))
			if err != nil {
				t.Fatal(err)
			}
			k2, err := db.ServerKey(ctx, "web", []byte("second-key-123456789abcdef012345"))
			if err != nil || !bytes.Equal(k1, k2) || string(k1) != "first-key-0123456789abcdef012345" {
				t.Fatalf("ServerKey twice: %q, %q, %v", k1, k2, err)
			}

			if err := db.SetUserActive(ctx, alice.ID, false); err != nil {
				t.Fatal(err)
			}
			if u, _ := db.GetUser(ctx, alice.ID); u.Active {
				t.Error("alice is still active")
			}
			wantCode(t, db.SetUserActive(ctx, 1<<40, false), domain.ENOTFOUND)

			g := domain.Grant{UserID: alice.ID, Role: domain.RoleSchool, OrgID: city.ID, Path: city.Path}
			if err := db.AddGrant(ctx, &g); err != nil {
				t.Fatal(err)
			}
			if got, err := db.GetGrant(ctx, g.ID); err != nil || got != g {
				t.Fatalf("GetGrant = %+v, %v; want %+v", got, err, g)
			}
			if err := db.RemoveGrant(ctx, g.ID); err != nil {
				t.Fatal(err)
			}
			wantCode(t, db.RemoveGrant(ctx, g.ID), domain.ENOTFOUND)

			now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
			for i, u := range []int64{alice.ID, alice.ID, bob.ID} {
				s := domain.Session{TokenHash: string(rune('a'+i)) + "-hash", UserID: u, Kind: "api", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
				if err := db.CreateSession(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := db.DeleteUserSessions(ctx, alice.ID); err != nil || n != 2 {
				t.Fatalf("DeleteUserSessions(alice) = %d, %v; want 2", n, err)
			}
			if _, err := db.GetSessionHolder(ctx, "c-hash"); err != nil {
				t.Errorf("bob's session went too: %v", err)
			}

			dev := domain.Device{TokenHash: "dev-1", UserID: alice.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := db.AddDevice(ctx, dev); err == nil {
				t.Error("AddDevice outside a transaction")
			}
			tx(func(ctx context.Context) error { return db.AddDevice(ctx, dev) })
			if got, err := db.GetDevice(ctx, "dev-1"); err != nil || got.UserID != alice.ID || !got.ExpiresAt.Equal(dev.ExpiresAt) {
				t.Fatalf("GetDevice = %+v, %v", got, err)
			}
			// A later device forgets the expired one; a user keeps the newest twenty.
			tx(func(ctx context.Context) error {
				return db.AddDevice(ctx, domain.Device{TokenHash: "dev-2", UserID: alice.ID, CreatedAt: now.Add(2 * time.Hour), ExpiresAt: now.Add(3 * time.Hour)})
			})
			_, err = db.GetDevice(ctx, "dev-1")
			wantCode(t, err, domain.ENOTFOUND)
			for i := range 25 {
				tx(func(ctx context.Context) error {
					return db.AddDevice(ctx, domain.Device{TokenHash: fmt.Sprintf("bob-%02d", i), UserID: bob.ID,
						CreatedAt: now.Add(time.Duration(i) * time.Minute), ExpiresAt: now.Add(24 * time.Hour)})
				})
			}
			var kept int64
			if err := db.gorm.Model(&deviceRow{}).Where("user_id = ?", bob.ID).Count(&kept).Error; err != nil || kept != 20 {
				t.Errorf("bob keeps %d devices (%v), want the newest 20", kept, err)
			}
			_, err = db.GetDevice(ctx, "bob-04")
			wantCode(t, err, domain.ENOTFOUND)
			if _, err := db.GetDevice(ctx, "bob-05"); err != nil {
				t.Errorf("bob's sixth device is gone: %v", err)
			}
			if err := db.DeleteUserDevices(ctx, alice.ID); err != nil {
				t.Fatal(err)
			}
			_, err = db.GetDevice(ctx, "dev-2")
			wantCode(t, err, domain.ENOTFOUND)

			// Login failures outside a transaction are refused: counting must serialise.
			if _, err := db.CountLoginFailures(ctx, domain.LoginQuery{Username: "alice"}); err == nil {
				t.Error("CountLoginFailures outside a transaction")
			}
			fail := func(user, client, addr string, trusted bool, at time.Time) {
				t.Helper()
				tx(func(ctx context.Context) error {
					return db.RecordLoginFailure(ctx, domain.LoginFailure{Username: user, Client: client, Trusted: trusted, Addr: addr, At: at})
				})
			}
			fail("alice", "a:10.0.0.1", "10.0.0.1", false, now.Add(-30*time.Hour)) // past every window
			fail("alice", "a:10.0.0.1", "10.0.0.1", false, now.Add(-2*time.Hour))
			fail("alice", "a:10.0.0.1", "10.0.0.1", false, now.Add(-10*time.Minute))
			fail("alice", "a:10.0.0.2", "10.0.0.2", false, now.Add(-5*time.Minute))
			fail("alice", "d:dev", "10.0.0.1", true, now.Add(-time.Minute))
			fail("bob", "a:10.0.0.1", "10.0.0.1", false, now.Add(-time.Minute))
			var c domain.LoginCounts
			tx(func(ctx context.Context) error {
				var err error
				c, err = db.CountLoginFailures(ctx, domain.LoginQuery{Username: "alice", Client: "a:10.0.0.1", Addr: "10.0.0.1",
					PairSince: now.Add(-24 * time.Hour), AccountSince: now.Add(-time.Hour), AddrSince: now.Add(-15 * time.Minute)})
				return err
			})
			want := domain.LoginCounts{Pair: 2, PairLast: now.Add(-10 * time.Minute), Account: 2, Addr: 2}
			if c != want {
				t.Errorf("counts = %+v, want %+v", c, want)
			}
			tx(func(ctx context.Context) error { return db.ClearLoginFailures(ctx, "alice", "a:10.0.0.1") })
			tx(func(ctx context.Context) error { return db.DeleteLoginFailuresBefore(ctx, now.Add(-3*time.Minute)) })
			var left int64
			if err := db.gorm.Model(&loginFailureRow{}).Count(&left).Error; err != nil || left != 2 {
				t.Errorf("%d failures left (%v), want 2 (alice's device, bob's)", left, err)
			}
		})
	}
}

// TestLoginCountsSerialised: counting and recording in one transaction is serialised per username, so
// parallel guesses from many addresses each see a distinct count and none slips under a limit.
func TestLoginCountsSerialised(t *testing.T) {
	ctx := context.Background()
	const guesses = 12
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			now := time.Date(2026, 11, 28, 9, 30, 0, 0, cst)
			var wg sync.WaitGroup
			seen := make([]int, guesses)
			errs := make([]error, guesses)
			for i := range guesses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					addr := fmt.Sprintf("10.0.1.%d", i)
					errs[i] = db.WithinTx(ctx, func(ctx context.Context) error {
						c, err := db.CountLoginFailures(ctx, domain.LoginQuery{Username: "mallory", Client: "a:" + addr, Addr: addr,
							PairSince: now.Add(-time.Hour), AccountSince: now.Add(-time.Hour), AddrSince: now.Add(-time.Hour)})
						if err != nil {
							return err
						}
						if c.Pair != 0 || c.Addr != 0 {
							return fmt.Errorf("guess %d: pair %d, addr %d; want 0", i, c.Pair, c.Addr)
						}
						seen[i] = c.Account
						return db.RecordLoginFailure(ctx, domain.LoginFailure{Username: "mallory", Client: "a:" + addr, Addr: addr, At: now})
					})
				}()
			}
			wg.Wait()
			got := map[int]bool{}
			for i, err := range errs {
				if err != nil {
					t.Fatalf("guess %d: %v", i, err)
				}
				got[seen[i]] = true
			}
			for n := 0; n < guesses; n++ {
				if !got[n] {
					t.Fatalf("parallel counts = %v, want each of 0..%d once", seen, guesses-1)
				}
			}
		})
	}
}
