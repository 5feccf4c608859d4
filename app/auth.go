package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"dudao/domain"
)

// Session kinds.
const (
	SessionAPI = "api"
	SessionWeb = "web"
)

// LoginResult is what a successful login hands back: the secret token (shown once) and who logged in.
type LoginResult struct {
	Token   string
	Session domain.Session
	Actor   domain.Actor
}

var errBadLogin = domain.Errorf(domain.EUNAUTHENTICATED, "用户名或密码错误。")

// Login checks a password and opens a session of the given kind. Repeated failures for a username
// or from an address within the window are refused with ETOOMANY before the password is checked.
func (x *App) Login(ctx context.Context, username, password, addr, kind string) (LoginResult, error) {
	username = strings.TrimSpace(username)
	if username == "" || password == "" {
		fields := map[string]string{}
		if username == "" {
			fields["username"] = "请输入用户名。"
		}
		if password == "" {
			fields["password"] = "请输入密码。"
		}
		return LoginResult{}, domain.FieldError("请填写用户名和密码。", fields)
	}
	if len(username) > 64 || len(password) > 200 {
		return LoginResult{}, errBadLogin
	}
	now := x.d.Clock.Now()
	var byUser, byAddr int
	err := x.inTx(ctx, func(ctx context.Context) error {
		var err error
		byUser, byAddr, err = x.d.Logins.NoteAttempt(ctx, username, addr, now, now.Add(-x.opt.FailureWindow))
		return err
	})
	if err != nil {
		return LoginResult{}, err
	}
	if byUser > x.opt.MaxFailuresPerUser || byAddr > x.opt.MaxFailuresPerAddr {
		return LoginResult{}, domain.Errorf(domain.ETOOMANY, "登录失败次数过多，请%d分钟后再试。", int(x.opt.FailureWindow.Minutes()))
	}
	u, err := x.d.Users.GetUserByUsername(ctx, username)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return LoginResult{}, err
	}
	hash := u.PasswordHash
	if err != nil || !u.Active {
		hash = dummyHash() // same work, so timing does not tell whether the user exists
	}
	ok, err := x.checkPassword(ctx, hash, password)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok || u.ID == 0 || !u.Active {
		return LoginResult{}, errBadLogin
	}
	token, err := newToken()
	if err != nil {
		return LoginResult{}, err
	}
	ttl := x.opt.APITokenTTL
	if kind == SessionWeb {
		ttl = x.opt.WebSessionTTL
	}
	s := domain.Session{TokenHash: HashToken(token), UserID: u.ID, Kind: kind, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	var actor domain.Actor
	err = x.inTx(ctx, func(ctx context.Context) error {
		if err := x.d.Logins.ClearFailures(ctx, username); err != nil {
			return err
		}
		if err := x.d.Sessions.CreateSession(ctx, s); err != nil {
			return err
		}
		var err error
		if actor, err = x.actorOf(ctx, u); err != nil {
			return err
		}
		return x.appendAudit(ctx, actor, now, "auth.login", "user", u.ID, actor.Org.Path, "", "", kind)
	})
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Token: token, Session: s, Actor: actor}, nil
}

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
	s, err := x.d.Sessions.GetSession(ctx, HashToken(token))
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Actor{}, domain.Session{}, unauth
		}
		return domain.Actor{}, domain.Session{}, err
	}
	if !x.d.Clock.Now().Before(s.ExpiresAt) {
		return domain.Actor{}, domain.Session{}, unauth
	}
	u, err := x.d.Users.GetUser(ctx, s.UserID)
	if err != nil {
		return domain.Actor{}, domain.Session{}, err
	}
	if !u.Active {
		return domain.Actor{}, domain.Session{}, unauth
	}
	a, err := x.actorOf(ctx, u)
	return a, s, err
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
	return domain.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Org: org, Grants: grants}, nil
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
