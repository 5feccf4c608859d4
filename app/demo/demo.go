// Package demo loads Wuhai's demonstration data: the org tree from the city's plan, the demo users of
// SPEC §4.3 and, as later features arrive, their cases and ledgers. Loading is idempotent.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"dudao/app"
	"dudao/domain"
)

//go:embed wuhai.json
var wuhaiJSON []byte

// Password is the demo users' shared password; it is printed in demo mode only.
const Password = "Dudao@2026"

type seedFile struct {
	Orgs []struct {
		Code, Name, Kind, Parent, Note string
		FullName                       string `json:"full_name"` // the office's name on documents (issue 12)
	} `json:"orgs"`
	Users []struct {
		Username, Name, Role, Org string
	} `json:"users"`
}

// User is a demo login, for printing at start.
type User struct {
	Username, Name string
	Role           domain.Role
	OrgName        string
}

// Summary says what Load did.
type Summary struct {
	Loaded bool // false when the demo was already there
	Orgs   int
	Cases  int
	Users  []User
}

// Load creates the demo org tree, users and cases unless the city org already exists.
func Load(ctx context.Context, x *app.App) (Summary, error) {
	var f seedFile
	if err := json.Unmarshal(wuhaiJSON, &f); err != nil {
		return Summary{}, fmt.Errorf("demo: read wuhai.json: %w", err)
	}
	var s Summary
	orgNames := map[string]string{}
	for _, o := range f.Orgs {
		orgNames[o.Parent+o.Code+"/"] = o.Name
	}
	for _, u := range f.Users {
		s.Users = append(s.Users, User{Username: u.Username, Name: u.Name, Role: domain.Role(u.Role), OrgName: orgNames[u.Org]})
	}
	s.Orgs = len(f.Orgs)
	if _, err := x.OrgByPath(ctx, app.System, "wuhai/"); err == nil {
		return s, nil
	} else if domain.ErrorCode(err) != domain.ENOTFOUND {
		return s, err
	}
	// The demo replays a history: nobody is told of it (no notifications, no emails).
	err := x.Atomically(app.Quietly(ctx), func(ctx context.Context) error {
		for _, o := range f.Orgs {
			if _, err := x.CreateOrg(ctx, app.System, app.OrgInput{Code: o.Code, Name: o.Name, Kind: domain.OrgKind(o.Kind), ParentPath: domain.Jurisdiction(o.Parent),
				FullName: o.FullName}); err != nil {
				return fmt.Errorf("demo: org %s: %w", o.Code, err)
			}
		}
		for _, u := range f.Users {
			if _, err := x.CreateUser(ctx, app.System, app.UserInput{Username: u.Username, Name: u.Name, Password: Password, OrgPath: domain.Jurisdiction(u.Org)}); err != nil {
				return fmt.Errorf("demo: user %s: %w", u.Username, err)
			}
			if _, err := x.GrantRole(ctx, app.System, u.Username, domain.Role(u.Role), domain.Jurisdiction(u.Org)); err != nil {
				return fmt.Errorf("demo: grant %s: %w", u.Username, err)
			}
		}
		n, err := loadCases(ctx, x)
		s.Cases = n
		if err != nil {
			return err
		}
		// inspectors, 挂牌, draws and plans (issue 10); the draw opens planned cases
		n, err = loadRegistry(ctx, x)
		s.Cases += n
		if err != nil {
			return err
		}
		return loadMonitoring(ctx, x) // frameworks, monitoring data and the 督办 ledger
	})
	if err != nil {
		return s, err
	}
	s.Loaded = true
	return s, nil
}
