// Package policies holds who may do what (a casbin model and policy) and the rules data of
// supervision (clocks, calendars, categories), all embedded in the binary.
package policies

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2" // v2: casbin v3 changed the API and the gorm adapter for it panics with v2 users
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"dudao/domain"
)

//go:embed model.conf
var modelConf string

//go:embed policy.csv
var policyCSV string

// Enforcer decides role × action × jurisdiction with casbin. It is safe for concurrent use:
// its policy is read-only after construction.
type Enforcer struct {
	e *casbin.Enforcer
}

// NewEnforcer builds the enforcer from the embedded model and policy.
func NewEnforcer() (*Enforcer, error) {
	m, err := model.NewModelFromString(modelConf)
	if err != nil {
		return nil, fmt.Errorf("policies: model: %w", err)
	}
	var lines []string
	for _, l := range strings.Split(policyCSV, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			lines = append(lines, t)
		}
	}
	e, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(strings.Join(lines, "\n")))
	if err != nil {
		return nil, fmt.Errorf("policies: enforcer: %w", err)
	}
	return &Enforcer{e: e}, nil
}

// Allowed reports whether any of the actor's grants lets it do act on obj lying at path.
func (en *Enforcer) Allowed(a domain.Actor, obj, act string, path domain.Jurisdiction) bool {
	for _, g := range a.Grants {
		ok, err := en.e.Enforce(string(g.Role), string(g.Path)+"*", string(path), obj, act)
		if err == nil && ok {
			return true
		}
	}
	return false
}

// Scopes are the paths of the actor's grants whose role may do act on obj, nested ones folded into
// their ancestors. A grant is asked about its own role only: an admin over the city who is also a
// supervisor over one district reads that district's cases, not the city's.
func (en *Enforcer) Scopes(a domain.Actor, obj, act string) []domain.Jurisdiction {
	var keep []domain.Grant
	for _, g := range a.Grants {
		if en.RoleAllows(g.Role, obj, act) {
			keep = append(keep, g)
		}
	}
	return domain.Actor{Grants: keep}.Scopes()
}

// RoleAllows reports whether role may do act on obj somewhere (ignoring jurisdiction).
func (en *Enforcer) RoleAllows(role domain.Role, obj, act string) bool {
	ok, err := en.e.Enforce(string(role), "*", "", obj, act)
	return err == nil && ok
}

var _ domain.Authorizer = (*Enforcer)(nil)
