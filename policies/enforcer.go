// Package policies holds who may do what (a casbin model and policy) and the rules data of
// supervision (clocks, calendars, categories), all embedded in the binary.
package policies

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2" // v2: casbin v3 changed the API and the gorm adapter for it panics with v2 users
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"dudao/domain"
)

//go:embed model.conf
var modelConf string

//go:embed policy.csv
var policyCSV string

// Enforcer decides role × action × jurisdiction with casbin. It is safe for concurrent use: its
// policy is read-only after construction. Every page asks it hundreds of questions (each listed case,
// each button), so the role's answer for an object and action is asked of casbin once and kept; the
// jurisdiction half of the model (keyMatch of the grant's path with "*", a prefix) is then the path
// check of the grant. A test holds the two answers equal over every role, object, action and path.
type Enforcer struct {
	e    *casbin.Enforcer
	memo sync.Map // role + "\x00" + obj + "\x00" + act → bool
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
		if g.Path.Covers(path) && en.RoleAllows(g.Role, obj, act) {
			return true
		}
	}
	return false
}

// enforce is casbin's own answer for one grant, what Allowed's fast path must equal.
func (en *Enforcer) enforce(g domain.Grant, obj, act string, path domain.Jurisdiction) bool {
	ok, err := en.e.Enforce(string(g.Role), string(g.Path)+"*", string(path), obj, act)
	return err == nil && ok
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
	key := string(role) + "\x00" + obj + "\x00" + act
	if v, ok := en.memo.Load(key); ok {
		return v.(bool)
	}
	ok, err := en.e.Enforce(string(role), "*", "", obj, act)
	allowed := err == nil && ok
	en.memo.Store(key, allowed)
	return allowed
}

var _ domain.Authorizer = (*Enforcer)(nil)
