package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"dudao/domain"
)

// Session kinds.
const (
	SessionAPI = "api"
	SessionWeb = "web"
)

// checkPassword runs argon2id with at most one check per CPU at a time: each takes 64 MiB, and a
// burst of logins must queue rather than exhaust memory.
func (x *App) checkPassword(ctx context.Context, hash, password string) (bool, error) {
	select {
	case x.argon <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-x.argon }()
	return CheckPassword(hash, password), nil
}

// Authenticate resolves a token to its session and actor; grants are read afresh each time.
func (x *App) Authenticate(ctx context.Context, token string) (domain.Actor, domain.Session, error) {
	unauth := domain.Errorf(domain.EUNAUTHENTICATED, "登录已失效，请重新登录。")
	if token == "" || len(token) > 200 {
		return domain.Actor{}, domain.Session{}, unauth
	}
	h, err := x.d.Sessions.GetSessionHolder(ctx, HashToken(token))
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Actor{}, domain.Session{}, unauth
		}
		return domain.Actor{}, domain.Session{}, err
	}
	if !x.d.Clock.Now().Before(h.Session.ExpiresAt) || !h.User.Active {
		return domain.Actor{}, domain.Session{}, unauth
	}
	return actorFrom(h.User, h.Org, h.Grants), h.Session, nil
}

// Logout revokes the session of token.
func (x *App) Logout(ctx context.Context, a domain.Actor, token string) error {
	return x.inTx(ctx, func(ctx context.Context) error {
		if err := x.d.Sessions.DeleteSession(ctx, HashToken(token)); err != nil {
			return err
		}
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "auth.logout", "user", a.UserID, a.Org.Path, "", "", "")
	})
}

func (x *App) actorOf(ctx context.Context, u domain.User) (domain.Actor, error) {
	org, err := x.d.Orgs.GetOrg(ctx, u.OrgID)
	if err != nil {
		return domain.Actor{}, fmt.Errorf("app: org of user %d: %w", u.ID, err)
	}
	grants, err := x.d.Users.Grants(ctx, u.ID)
	if err != nil {
		return domain.Actor{}, err
	}
	return actorFrom(u, org, grants), nil
}

// actorFrom is the actor a user is, in their org, with their grants.
func actorFrom(u domain.User, org domain.Org, grants []domain.Grant) domain.Actor {
	grants, _ = domain.EffectiveGrants(grants) // an admin acts as admin only (SPEC §1)
	return domain.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Org: org, Grants: grants}
}

// HashToken is how tokens are stored: sha256 in hex, so a database leak reveals no usable token.
func HashToken(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", errors.New("app: no randomness")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ActorFor resolves a username to an actor with its current grants, for the command line, the
// scheduler and the demo loader, which act on behalf of a named user without a session.
func (x *App) ActorFor(ctx context.Context, username string) (domain.Actor, error) {
	u, err := x.d.Users.GetUserByUsername(ctx, username)
	if err != nil {
		return domain.Actor{}, err
	}
	return x.actorOf(ctx, u)
}
