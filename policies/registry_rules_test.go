package policies

import (
	"reflect"
	"testing"

	"dudao/domain"
)

// The shipped rules.json carries the registry's thresholds (R3, R6, R21, R28, R33, R38) with the
// values the domain documents as its defaults, each with a source.
func TestDefaultRegistryRules(t *testing.T) {
	r, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	got, want := r.Registry, domain.DefaultRegistryRules()
	got.Sources, want.Sources = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rules.json registry = %+v, want the domain's defaults %+v", got, want)
	}
	for k := range domain.DefaultRegistryRules().Sources {
		if r.Registry.Sources[k] == "" {
			t.Errorf("rules.json registry.%s has no source", k)
		}
	}
}
