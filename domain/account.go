package domain

import (
	"context"
	"time"
)

// Accounts (SPEC §1): who may hold which roles together, the devices a user has logged in from, and
// the ports that disable users, take back grants and end sessions. Issue 13.

// adminExcludes are the roles an admin never holds at the same time (SPEC §1: admin makes no case
// decisions). The auditor is among them too: 等保2.0 asks that the system administrator and the audit
// administrator be different people, so whoever manages accounts does not also read the log of it.
var adminExcludes = map[Role]bool{RoleDirector: true, RoleSupervisor: true, RoleAuditor: true}

// ConflictsWith reports whether one user may not hold both r and o.
func (r Role) ConflictsWith(o Role) bool {
	return r == RoleAdmin && adminExcludes[o] || o == RoleAdmin && adminExcludes[r]
}

// RoleConflict is the grant among held that role may not be added to, if any.
func RoleConflict(held []Grant, role Role) (Grant, bool) {
	for _, g := range held {
		if g.Role.ConflictsWith(role) {
			return g, true
		}
	}
	return Grant{}, false
}

// EffectiveGrants are the grants a user acts with. A user who holds admin together with a role that
// conflicts with it (written into the database by hand, or before the rule) acts as admin only: the
// conflicting grants are ignored, never the admin one, so that the account can still be put right
// and no case decision is taken under an admin's name.
func EffectiveGrants(gs []Grant) (kept, ignored []Grant) {
	admin := false
	for _, g := range gs {
		if g.Role == RoleAdmin {
			admin = true
		}
	}
	for _, g := range gs {
		if admin && adminExcludes[g.Role] {
			ignored = append(ignored, g)
			continue
		}
		kept = append(kept, g)
	}
	return kept, ignored
}

// Device is a browser or phone app where a user has logged in with the right password. It holds a
// token of its own (a cookie, or a value the app keeps), stored by hash like a session; a login that
// shows it is judged by the failures of that device alone, so that a stranger guessing from elsewhere
// cannot lock the user out.
type Device struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LoginFailure is one failed (or not yet succeeded) login attempt. Client is who tried: "d:" and a
// device's id for a known device of the user, "a:" and the address otherwise; Trusted says which.
type LoginFailure struct {
	Username string
	Client   string
	Trusted  bool
	Addr     string
	At       time.Time
}

// LoginCounts are the failures that judge one login attempt.
type LoginCounts struct {
	Pair     int       // of this username from this client since PairSince
	PairLast time.Time // the latest of those
	Account  int       // of this username from untrusted clients since AccountSince
	Addr     int       // from this address, untrusted, any username, since AddrSince
}

// LoginQuery names the attempt whose counts are wanted and the windows to count in.
type LoginQuery struct {
	Username, Client, Addr             string
	PairSince, AccountSince, AddrSince time.Time
}

// LoginThrottle records failed logins so that guessing is throttled across app nodes.
type LoginThrottle interface {
	// CountLoginFailures counts what judges an attempt, inside the caller's transaction, which it
	// serialises with every other attempt on the same username until it ends, so that parallel
	// guesses cannot all slip under a limit.
	CountLoginFailures(ctx context.Context, q LoginQuery) (LoginCounts, error)
	// RecordLoginFailure notes an attempt as failed; it is recorded before the password is checked
	// and cleared by ClearLoginFailures when the password was right.
	RecordLoginFailure(ctx context.Context, f LoginFailure) error
	// ClearLoginFailures forgets the failures of one username from one client.
	ClearLoginFailures(ctx context.Context, username, client string) error
	// DeleteLoginFailuresBefore forgets failures older than any window.
	DeleteLoginFailuresBefore(ctx context.Context, before time.Time) error
}

// AccountRepo changes accounts beyond creating them: what disabling a user, taking back a grant or
// resetting a password needs, and the known devices of login throttling.
type AccountRepo interface {
	SetUserActive(ctx context.Context, userID int64, active bool) error
	GetGrant(ctx context.Context, grantID int64) (Grant, error)
	RemoveGrant(ctx context.Context, grantID int64) error
	// DeleteUserSessions ends every session and bearer token of a user and returns how many.
	DeleteUserSessions(ctx context.Context, userID int64) (int, error)
	AddDevice(ctx context.Context, d Device) error
	GetDevice(ctx context.Context, tokenHash string) (Device, error)
	// DeleteUserDevices forgets every known device of a user.
	DeleteUserDevices(ctx context.Context, userID int64) error
	// ServerKey is the secret stored under name, storing fresh first when there is none yet: every app
	// node reads the same one.
	ServerKey(ctx context.Context, name string, fresh []byte) ([]byte, error)
}
