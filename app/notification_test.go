package app

import (
	"testing"

	"dudao/domain"
)

// TestOnlyCaller: the audience lookup is skipped only when the caller, who is never told, is all
// it names.
func TestOnlyCaller(t *testing.T) {
	const me = 7
	for _, tc := range []struct {
		name string
		aud  domain.Audience
		want bool
	}{
		{"the caller alone", domain.Audience{Users: []int64{me}}, true},
		{"the caller twice", domain.Audience{Users: []int64{me, me}}, true},
		{"the caller and another", domain.Audience{Users: []int64{me, 8}}, false},
		{"another alone", domain.Audience{Users: []int64{8}}, false},
		{"an org's members", domain.Audience{Users: []int64{me}, Members: []int64{3}}, false},
		{"holders at an org", domain.Audience{Holders: []domain.RoleAt{{Role: domain.RoleDirector, OrgID: 3}}}, false},
		{"holders over a path", domain.Audience{Covering: []domain.RoleOver{{Role: domain.RoleDirector, Path: "wuhai/"}}}, false},
		{"a case's inspectors", domain.Audience{Users: []int64{me}, Inspectors: []int64{11}}, false},
	} {
		if got := onlyCaller(tc.aud, me); got != tc.want {
			t.Errorf("%s: onlyCaller = %v, want %v", tc.name, got, tc.want)
		}
	}
	if onlyCaller(domain.Audience{Users: []int64{me}}, 0) {
		t.Error("with no caller to leave out, a user's audience was skipped")
	}
}
