package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"dudao/domain"
)

// UserInput describes a new user.
type UserInput struct {
	Username, Name, Password string
	OrgPath                  domain.Jurisdiction
}

func validUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// CreateUser adds a user at an org. The command line passes System; a person needs user.create there.
func (x *App) CreateUser(ctx context.Context, a domain.Actor, in UserInput) (domain.User, error) {
	in.Username = strings.TrimSpace(in.Username)
	in.Name = strings.TrimSpace(in.Name)
	fields := map[string]string{}
	if !validUsername(in.Username) {
		fields["username"] = "用户名须为2至64位小写字母、数字、点、下划线或连字符。"
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 50 {
		fields["name"] = "姓名为必填项，且不超过50个字。"
	}
	if err := ValidatePassword(in.Password); err != nil {
		fields["password"] = err.(*domain.Error).Fields["password"]
	}
	if len(fields) > 0 {
		return domain.User{}, domain.FieldError("用户信息有误。", fields)
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return domain.User{}, err
	}
	var out domain.User
	err = x.inTx(ctx, func(ctx context.Context) error {
		org, err := x.d.Orgs.GetOrgByPath(ctx, NormalizePath(string(in.OrgPath)))
		if err != nil {
			return domain.FieldError("所属机构不存在。", map[string]string{"org": "所属机构不存在。"})
		}
		if a.UserID != 0 && !x.d.Authz.Allowed(a, "user", "create", org.Path) {
			return domain.Errorf(domain.EFORBIDDEN, "无权在该机构新建用户。")
		}
		u := domain.User{Username: in.Username, Name: in.Name, OrgID: org.ID, PasswordHash: hash, Active: true}
		if err := x.d.Users.CreateUser(ctx, &u); err != nil {
			return err
		}
		out = u
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "user.create", "user", u.ID, org.Path, "", digest(map[string]any{"username": u.Username, "name": u.Name, "org_id": u.OrgID}), u.Username)
	})
	return out, err
}
