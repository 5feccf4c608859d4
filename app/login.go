package app

import (
	"context"
	"strings"
	"time"

	"dudao/domain"
)

// Login throttling (SPEC §1: stop guessing without letting a stranger lock a real user out; issue 13).
//
// Every attempt comes from a client: a known device of the user (a browser or app that has logged in
// as this user with the right password before and shows the device token it was given then), or else
// its address. Failures are kept per (username, client):
//
//   - The first MaxFailuresPerUser failures of a pair cost nothing; after them each further attempt of
//     that pair must wait, after the pair's last failure, 1, 2, 4 … minutes up to an hour. Refused
//     attempts are not checked and not counted, so waiting is all it takes; the right password from
//     another client is not affected at all.
//   - Clients that are not a known device are also refused while the username has had
//     MaxFailuresPerAccount failures from such clients within the last hour (guessing spread over many
//     addresses), or while their address has had MaxFailuresPerAddr failures within FailureWindow
//     (one address trying many usernames). A known device passes both: a school behind one NAT address
//     where someone keeps guessing still gets its own users in from the devices they use.
//
// An attempt is recorded as failed before its password is checked, in a transaction serialised per
// username, so that parallel guesses cannot all slip under a limit; the right password clears the
// failures of its own pair only.

const (
	pairWindow    = 24 * time.Hour // failures of a pair are remembered this long
	accountWindow = time.Hour
	firstDelay    = time.Minute
	maxDelay      = time.Hour
	// DeviceTTL is how long a known device is remembered after the login that made it known.
	DeviceTTL = 180 * 24 * time.Hour
)

// LoginInput is one login attempt.
type LoginInput struct {
	Username, Password string
	Addr               string // the client's address: the peer, or what a trusted proxy says it is
	Device             string // the device token the client showed, "" for none
	Kind               string // SessionAPI or SessionWeb
}

// LoginResult is what a successful login hands back: the secret token (shown once), who logged in, and
// the device token for the client to keep (the one it showed, or a new one).
type LoginResult struct {
	Token   string
	Session domain.Session
	Actor   domain.Actor
	Device  string
}

var errBadLogin = domain.Errorf(domain.EUNAUTHENTICATED, "用户名或密码错误。")

// Login checks a password and opens a session of the given kind, throttled as the top of this file says.
func (x *App) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	username := strings.TrimSpace(in.Username)
	if username == "" || in.Password == "" {
		fields := map[string]string{}
		if username == "" {
			fields["username"] = "请输入用户名。"
		}
		if in.Password == "" {
			fields["password"] = "请输入密码。"
		}
		return LoginResult{}, domain.FieldError("请填写用户名和密码。", fields)
	}
	if len(username) > 64 || len(in.Password) > 200 || len(in.Device) > 200 {
		return LoginResult{}, errBadLogin
	}
	now := x.d.Clock.Now()
	client, trusted, err := x.loginClient(ctx, username, in, now)
	if err != nil {
		return LoginResult{}, err
	}
	err = x.inTx(ctx, func(ctx context.Context) error {
		c, err := x.d.Logins.CountLoginFailures(ctx, domain.LoginQuery{Username: username, Client: client, Addr: in.Addr,
			PairSince: now.Add(-pairWindow), AccountSince: now.Add(-accountWindow), AddrSince: now.Add(-x.opt.FailureWindow)})
		if err != nil {
			return err
		}
		if err := x.judgeLogin(c, trusted, now); err != nil {
			return err
		}
		return x.d.Logins.RecordLoginFailure(ctx, domain.LoginFailure{Username: username, Client: client, Trusted: trusted, Addr: in.Addr, At: now})
	})
	if err != nil {
		return LoginResult{}, err
	}
	u, err := x.d.Users.GetUserByUsername(ctx, username)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return LoginResult{}, err
	}
	hash := u.PasswordHash
	if err != nil || !u.Active {
		hash = dummyHash() // same work, so timing does not tell whether the user exists
	}
	ok, err := x.checkPassword(ctx, hash, in.Password)
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
	if in.Kind == SessionWeb {
		ttl = x.opt.WebSessionTTL
	}
	s := domain.Session{TokenHash: HashToken(token), UserID: u.ID, Kind: in.Kind, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	device := in.Device
	if !trusted {
		if device, err = newToken(); err != nil {
			return LoginResult{}, err
		}
	}
	var actor domain.Actor
	err = x.inTx(ctx, func(ctx context.Context) error {
		if err := x.d.Logins.ClearLoginFailures(ctx, username, client); err != nil {
			return err
		}
		if err := x.d.Sessions.CreateSession(ctx, s); err != nil {
			return err
		}
		if !trusted {
			d := domain.Device{TokenHash: HashToken(device), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(DeviceTTL)}
			if err := x.d.Accounts.AddDevice(ctx, d); err != nil {
				return err
			}
		}
		var err error
		if actor, err = x.actorOf(ctx, u); err != nil {
			return err
		}
		detail := in.Kind
		if trusted {
			detail += " known-device"
		}
		return x.appendAudit(ctx, actor, now, "auth.login", "user", u.ID, actor.Org.Path, "", "", detail)
	})
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Token: token, Session: s, Actor: actor, Device: device}, nil
}

// loginClient names who tries: the device when the token shown is a live known device of this very
// username, else the address.
func (x *App) loginClient(ctx context.Context, username string, in LoginInput, now time.Time) (client string, trusted bool, err error) {
	addr := "a:" + in.Addr
	if in.Device == "" {
		return addr, false, nil
	}
	h := HashToken(in.Device)
	d, err := x.d.Accounts.GetDevice(ctx, h)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && !now.Before(d.ExpiresAt) {
		return addr, false, nil
	}
	if err != nil {
		return "", false, err
	}
	u, err := x.d.Users.GetUserByUsername(ctx, username)
	if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && u.ID != d.UserID {
		return addr, false, nil // another user's device is just an address here
	}
	if err != nil {
		return "", false, err
	}
	return "d:" + h[:32], true, nil
}

// judgeLogin answers nil when an attempt with these counts may have its password checked, else the
// ETOOMANY that says how long to wait.
func (x *App) judgeLogin(c domain.LoginCounts, trusted bool, now time.Time) error {
	if over := c.Pair - x.opt.MaxFailuresPerUser; over >= 0 {
		wait := firstDelay << min(over, 10)
		if wait > maxDelay {
			wait = maxDelay
		}
		if until := c.PairLast.Add(wait); now.Before(until) {
			mins := int((until.Sub(now) + time.Minute - 1) / time.Minute)
			return domain.Errorf(domain.ETOOMANY, "登录失败次数过多，请%d分钟后再试。", mins)
		}
	}
	if trusted {
		return nil
	}
	if c.Account >= x.opt.MaxFailuresPerAccount {
		return domain.Errorf(domain.ETOOMANY, "该账号近一小时内在多处登录失败，为防止密码被猜测，暂时只能在您登录过的设备上登录；请换用常用设备，或最多%d分钟后再试。",
			int(accountWindow/time.Minute))
	}
	if c.Addr >= x.opt.MaxFailuresPerAddr {
		return domain.Errorf(domain.ETOOMANY, "您所在网络的登录失败次数过多，暂时只能在您登录过的设备上登录；请换用常用设备，或%d分钟后再试。",
			int(x.opt.FailureWindow/time.Minute))
	}
	return nil
}

// ForgetOldLoginFailures drops failures older than every throttling window; serve runs it hourly.
func (x *App) ForgetOldLoginFailures(ctx context.Context) error {
	before := x.d.Clock.Now().Add(-max(pairWindow, accountWindow, x.opt.FailureWindow))
	return x.inTx(ctx, func(ctx context.Context) error { return x.d.Logins.DeleteLoginFailuresBefore(ctx, before) })
}
