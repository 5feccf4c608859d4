// Package demo loads Wuhai's demonstration data: the org tree from the city's plan, the demo users of
// SPEC §4.3 and, as later features arrive, their cases and ledgers. Loading is idempotent.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

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

// storyDays is how far back the story begins: the accounts exist a little before its first case, a
// routine visit of a year and more ago (so that a problem can recur in another year).
const storyDays = 425

// monitoringDay is when the monitor enters the year's figures (spring, before the year's cases).
const monitoringDay = 280

// Load creates the demo org tree and users and replays a year of their work (cases in every state,
// 问责 and incentives, monitoring data, the registry and the ledger) through the use cases, dated as it
// happened up to a little before now, unless the city org already exists.
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
	// The demo replays a year of work on a clock of its own, ending a little before now (x's clock).
	// Case steps tell nobody (Quietly); 问责 steps and the scheduler leave their notices in the inboxes,
	// dated when they happened.
	now := x.Now()
	clock := &storyClock{}
	y := x.WithClock(clock)
	err := y.Atomically(app.Quietly(ctx), func(ctx context.Context) error {
		st := newStory(ctx, y, clock, domain.DateOf(now))
		// The org tree and the accounts exist before the story begins.
		clock.moveTo(st.day(storyDays).Time().Add(8 * time.Hour))
		for _, o := range f.Orgs {
			if _, err := y.CreateOrg(ctx, app.System, app.OrgInput{Code: o.Code, Name: o.Name, Kind: domain.OrgKind(o.Kind), ParentPath: domain.Jurisdiction(o.Parent),
				FullName: o.FullName}); err != nil {
				return fmt.Errorf("demo: org %s: %w", o.Code, err)
			}
		}
		for _, u := range f.Users {
			if _, err := y.CreateUser(ctx, app.System, app.UserInput{Username: u.Username, Name: u.Name, Password: Password, OrgPath: domain.Jurisdiction(u.Org)}); err != nil {
				return fmt.Errorf("demo: user %s: %w", u.Username, err)
			}
			if _, err := y.GrantRole(ctx, app.System, u.Username, domain.Role(u.Role), domain.Jurisdiction(u.Org)); err != nil {
				return fmt.Errorf("demo: grant %s: %w", u.Username, err)
			}
		}
		// The year: frameworks and monitoring data in spring, then the cases, 问责 and incentives.
		st.on(monitoringDay, func() {
			if err := loadMonitoring(ctx, y); err != nil && st.err == nil {
				st.err = err
			}
		})
		loadCases(st)
		loadMonitoringCase(st)
		if err := st.play(); err != nil {
			return err
		}
		s.Cases = st.cases
		// Today, half an hour ago: the inspector registry, 挂牌, draws and plans (issue 10; the draw
		// opens planned cases) and the 督办 ledger.
		clock.moveTo(now.Add(-30 * time.Minute))
		n, err := loadRegistry(ctx, y)
		s.Cases += n
		if err != nil {
			return err
		}
		return loadLedger(ctx, y, &caseScript{ctx: ctx, x: y, actors: map[string]domain.Actor{}})
	})
	if err != nil {
		return s, err
	}
	s.Loaded = true
	return s, nil
}
