package domain

import "context"

// Role is what a grant lets a user do (SPEC §1).
type Role string

const (
	RoleAdmin          Role = "admin"
	RoleDirector       Role = "director"
	RoleSupervisor     Role = "supervisor"
	RoleDistrictOffice Role = "district_office"
	RoleSchool         Role = "school"
	RoleMonitor        Role = "monitor"
	RoleAuditor        Role = "auditor"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleDirector, RoleSupervisor, RoleDistrictOffice, RoleSchool, RoleMonitor, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Label is the Chinese name of the role.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "系统管理员"
	case RoleDirector:
		return "督导室主任"
	case RoleSupervisor:
		return "督学"
	case RoleDistrictOffice:
		return "区教育局"
	case RoleSchool:
		return "学校"
	case RoleMonitor:
		return "评估监测"
	case RoleAuditor:
		return "审计/纪检"
	}
	return string(r)
}

// User is a person who can log in.
type User struct {
	ID           int64
	Username     string
	Name         string
	OrgID        int64
	PasswordHash string
	Active       bool
}

// Grant gives a user a role over a jurisdiction (the org's whole subtree).
type Grant struct {
	ID     int64
	UserID int64
	Role   Role
	OrgID  int64
	Path   Jurisdiction
}

// Actor is the authenticated caller of a use case.
type Actor struct {
	UserID   int64
	Username string
	Name     string
	Org      Org
	Grants   []Grant
	// System marks the system itself (the command line run by an operator, the scheduler): it is
	// not a user, holds no grants and is not asked for permissions. Logins never make one.
	System bool
}

// Has reports whether the actor holds role anywhere.
func (a Actor) Has(r Role) bool {
	for _, g := range a.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// Roles lists the actor's distinct roles in grant order.
func (a Actor) Roles() []Role {
	var out []Role
	seen := map[Role]bool{}
	for _, g := range a.Grants {
		if !seen[g.Role] {
			seen[g.Role] = true
			out = append(out, g.Role)
		}
	}
	return out
}

// Scopes are the distinct jurisdictions the actor's grants cover, with nested ones folded into
// their ancestors: what list queries filter on.
func (a Actor) Scopes() []Jurisdiction {
	var out []Jurisdiction
	for _, g := range a.Grants {
		covered := false
		for i, s := range out {
			if s.Covers(g.Path) {
				covered = true
				break
			}
			if g.Path.Covers(s) {
				out[i] = g.Path
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, g.Path)
		}
	}
	return out
}

// Sees reports whether any grant covers path.
func (a Actor) Sees(path Jurisdiction) bool {
	for _, g := range a.Grants {
		if g.Path.Covers(path) {
			return true
		}
	}
	return false
}

type actorKey struct{}

// WithActor returns ctx carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
