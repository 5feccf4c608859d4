package app

import (
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"strings"

	"dudao/domain"
)

// Accounts beyond creating them (SPEC §1, issue 13): grant and revoke roles, disable and enable users,
// reset passwords. Each is one transaction with its audit event; disabling a user or resetting a
// password ends the user's sessions and tokens and forgets its known devices in the same transaction,
// so the account is cut off the moment the answer comes back. Managing an account (create, disable,
// enable, reset its password) needs user.create at the user's org; granting and revoking need
// user.grant at the grant's jurisdiction. The command line acts as System.

var errUserNotFound = domain.Errorf(domain.ENOTFOUND, "用户不存在。")

// userAt loads a user the actor may read (itself, or with user.read at the user's org), with its org;
// any other is ENOTFOUND, so that ids cannot be probed.
func (x *App) userAt(ctx context.Context, a domain.Actor, id int64) (domain.User, domain.Org, error) {
	u, err := x.d.Users.GetUser(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.User{}, domain.Org{}, errUserNotFound
		}
		return domain.User{}, domain.Org{}, err
	}
	org, err := x.d.Orgs.GetOrg(ctx, u.OrgID)
	if err != nil {
		return domain.User{}, domain.Org{}, err
	}
	if !a.System && a.UserID != u.ID && !x.d.Authz.Allowed(a, "user", "read", org.Path) {
		return domain.User{}, domain.Org{}, errUserNotFound
	}
	return u, org, nil
}

// UserID resolves a username for the command line and the forms, which name users by it.
func (x *App) UserID(ctx context.Context, a domain.Actor, username string) (int64, error) {
	u, err := x.d.Users.GetUserByUsername(ctx, strings.TrimSpace(username))
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return 0, errUserNotFound
		}
		return 0, err
	}
	if _, _, err := x.userAt(ctx, a, u.ID); err != nil {
		return 0, err
	}
	return u.ID, nil
}

// GetUserWithGrants is one user as the admin pages and the API show it: its org and all its grants,
// with those an admin holds against the rule marked as ignored.
func (x *App) GetUserWithGrants(ctx context.Context, a domain.Actor, id int64) (UserWithGrants, error) {
	var out UserWithGrants
	err := x.inTx(ctx, func(ctx context.Context) error {
		u, org, err := x.userAt(ctx, a, id)
		if err != nil {
			return err
		}
		g, err := x.d.Users.Grants(ctx, u.ID)
		if err != nil {
			return err
		}
		u.PasswordHash = ""
		_, ignored := domain.EffectiveGrants(g)
		out = UserWithGrants{User: u, Org: org, Grants: g, Ignored: ignored}
		return nil
	})
	return out, err
}

// manageUser runs change on a user the actor may manage (user.create at its org), in one transaction.
func (x *App) manageUser(ctx context.Context, a domain.Actor, id int64, change func(ctx context.Context, u domain.User, org domain.Org) error) error {
	return x.inTx(ctx, func(ctx context.Context) error {
		u, org, err := x.userAt(ctx, a, id)
		if err != nil {
			return err
		}
		if !a.System && !x.d.Authz.Allowed(a, "user", "create", org.Path) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权管理用户%s。", u.Username)
		}
		return change(ctx, u, org)
	})
}

// cutOff ends every session and token of a user and forgets its devices; it returns how many sessions ended.
func (x *App) cutOff(ctx context.Context, userID int64) (int, error) {
	n, err := x.d.Accounts.DeleteUserSessions(ctx, userID)
	if err != nil {
		return 0, err
	}
	return n, x.d.Accounts.DeleteUserDevices(ctx, userID)
}

// DisableUser stops a user from logging in and ends its sessions and tokens at once. Nobody disables
// their own account (an admin would lock itself out).
func (x *App) DisableUser(ctx context.Context, a domain.Actor, id int64) error {
	return x.manageUser(ctx, a, id, func(ctx context.Context, u domain.User, org domain.Org) error {
		if !a.System && a.UserID == u.ID {
			return domain.Errorf(domain.EFORBIDDEN, "不能停用自己的账号。")
		}
		if !u.Active {
			return domain.Errorf(domain.ECONFLICT, "用户%s已是停用状态。", u.Username)
		}
		if err := x.d.Accounts.SetUserActive(ctx, u.ID, false); err != nil {
			return err
		}
		n, err := x.cutOff(ctx, u.ID)
		if err != nil {
			return err
		}
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "user.disable", "user", u.ID, org.Path, "active", "disabled",
			u.Username+" 结束会话 "+strconv.Itoa(n)+" 个")
	})
}

// EnableUser lets a disabled user log in again (with its password as it was).
func (x *App) EnableUser(ctx context.Context, a domain.Actor, id int64) error {
	return x.manageUser(ctx, a, id, func(ctx context.Context, u domain.User, org domain.Org) error {
		if u.Active {
			return domain.Errorf(domain.ECONFLICT, "用户%s已是启用状态。", u.Username)
		}
		if err := x.d.Accounts.SetUserActive(ctx, u.ID, true); err != nil {
			return err
		}
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "user.enable", "user", u.ID, org.Path, "disabled", "active", u.Username)
	})
}

// ResetPassword replaces a user's password and ends every session and token the user holds, the
// caller's own included when it changes its own password: whoever knew the old one is out.
func (x *App) ResetPassword(ctx context.Context, a domain.Actor, id int64, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return x.inTx(ctx, func(ctx context.Context) error {
		u, org, err := x.userAt(ctx, a, id)
		if err != nil {
			return err
		}
		if !a.System && a.UserID != u.ID && !x.d.Authz.Allowed(a, "user", "create", org.Path) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权重设用户%s的密码。", u.Username)
		}
		if err := x.d.Users.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		n, err := x.cutOff(ctx, u.ID)
		if err != nil {
			return err
		}
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "user.passwd", "user", u.ID, org.Path, "", "",
			u.Username+" 结束会话 "+strconv.Itoa(n)+" 个")
	})
}

// SetPassword is ResetPassword by username, for the command line.
func (x *App) SetPassword(ctx context.Context, a domain.Actor, username, password string) error {
	id, err := x.UserID(ctx, a, username)
	if err != nil {
		return err
	}
	return x.ResetPassword(ctx, a, id, password)
}

// GrantRole gives a user a role over an org's jurisdiction. Nobody grants roles to themselves, and an
// admin never holds director, supervisor or auditor at the same time (domain.RoleConflict).
func (x *App) GrantRole(ctx context.Context, a domain.Actor, username string, role domain.Role, orgPath domain.Jurisdiction) (domain.Grant, error) {
	if !role.Valid() {
		return domain.Grant{}, domain.FieldError("角色无效。", map[string]string{"role": "角色须为 admin、director、supervisor、district_office、school、monitor、auditor 之一。"})
	}
	var out domain.Grant
	err := x.inTx(ctx, func(ctx context.Context) error {
		u, err := x.d.Users.GetUserByUsername(ctx, strings.TrimSpace(username))
		if err != nil {
			return err
		}
		org, err := x.d.Orgs.GetOrgByPath(ctx, NormalizePath(string(orgPath)))
		if err != nil {
			return domain.FieldError("机构不存在。", map[string]string{"org": "机构不存在。"})
		}
		if !a.System && !x.d.Authz.Allowed(a, "user", "grant", org.Path) {
			return domain.Errorf(domain.EFORBIDDEN, "无权在该机构授予角色。")
		}
		if !a.System && a.UserID == u.ID {
			return domain.Errorf(domain.EFORBIDDEN, "不能给自己授予角色：请由另一位管理员授予。")
		}
		held, err := x.d.Users.Grants(ctx, u.ID)
		if err != nil {
			return err
		}
		if g, ok := domain.RoleConflict(held, role); ok {
			return domain.FieldError("角色冲突。", map[string]string{"role": "系统管理员不能同时担任" + conflictLabel(g.Role, role) +
				"：管理账号的人不作案件决定，也不审阅自己的审计记录。请先撤销" + g.Role.Label() + "角色，或换一个用户。"})
		}
		g := domain.Grant{UserID: u.ID, Role: role, OrgID: org.ID, Path: org.Path}
		if err := x.d.Users.AddGrant(ctx, &g); err != nil {
			return err
		}
		out = g
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "user.grant", "user", u.ID, org.Path, "", digest(g), string(role)+"@"+string(org.Path))
	})
	return out, err
}

// conflictLabel names the non-admin role of a conflicting pair.
func conflictLabel(a, b domain.Role) string {
	if a == domain.RoleAdmin {
		return b.Label()
	}
	return a.Label()
}

// RevokeGrant takes a grant back; it takes effect on the user's next request, since grants are read
// afresh on each.
func (x *App) RevokeGrant(ctx context.Context, a domain.Actor, userID, grantID int64) error {
	return x.inTx(ctx, func(ctx context.Context) error {
		u, _, err := x.userAt(ctx, a, userID)
		if err != nil {
			return err
		}
		g, err := x.d.Accounts.GetGrant(ctx, grantID)
		if domain.ErrorCode(err) == domain.ENOTFOUND || err == nil && g.UserID != u.ID {
			return domain.Errorf(domain.ENOTFOUND, "授权不存在。")
		}
		if err != nil {
			return err
		}
		if !a.System && !x.d.Authz.Allowed(a, "user", "grant", g.Path) {
			return domain.Errorf(domain.EFORBIDDEN, "无权撤销该授权。")
		}
		if err := x.d.Accounts.RemoveGrant(ctx, g.ID); err != nil {
			return err
		}
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "user.revoke", "user", u.ID, g.Path, digest(g), "", string(g.Role)+"@"+string(g.Path))
	})
}

// RevokeRole takes back the grant of role at orgPath, for the command line.
func (x *App) RevokeRole(ctx context.Context, a domain.Actor, username string, role domain.Role, orgPath domain.Jurisdiction) error {
	id, err := x.UserID(ctx, a, username)
	if err != nil {
		return err
	}
	grants, err := x.d.Users.Grants(ctx, id)
	if err != nil {
		return err
	}
	path := NormalizePath(string(orgPath))
	for _, g := range grants {
		if g.Role == role && g.Path == path {
			return x.RevokeGrant(ctx, a, id, g.ID)
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "用户%s没有%s在%s的授权。", username, role.Label(), path)
}

// ServerKey is the system's secret named name (32 random bytes made on first use, kept in the
// database so that every app node signs alike): the web layer signs form tokens and flash messages
// with it.
func (x *App) ServerKey(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, errors.New("app: no randomness")
	}
	var key []byte
	err := x.inTx(ctx, func(ctx context.Context) error {
		var err error
		key, err = x.d.Accounts.ServerKey(ctx, name, fresh)
		return err
	})
	return key, err
}
