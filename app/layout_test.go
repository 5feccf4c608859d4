package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesPointOneWay keeps the layering of STYLE.md: domain imports only the standard library;
// app (the use cases) never imports storage, casbin, GORM or Echo; only cmd knows the concrete pieces.
func TestDependenciesPointOneWay(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, d := range deps("dudao/domain") {
		if d != "dudao/domain" {
			t.Errorf("domain imports %s; it must import the standard library only", d)
		}
	}
	forbidden := []string{"dudao/storage", "dudao/policies", "dudao/app/web", "dudao/cmd", "gorm.io/", "github.com/casbin/", "github.com/labstack/"}
	for _, pkg := range []string{"dudao/app", "dudao/app/demo"} {
		for _, d := range deps(pkg) {
			for _, f := range forbidden {
				if strings.HasPrefix(d, f) {
					t.Errorf("%s imports %s; use cases depend on domain interfaces only", pkg, d)
				}
			}
		}
	}
	for _, d := range deps("dudao/app/web") {
		if strings.HasPrefix(d, "dudao/storage") || strings.HasPrefix(d, "gorm.io/") || strings.HasPrefix(d, "dudao/cmd") {
			t.Errorf("app/web imports %s; the web layer reaches storage only through app", d)
		}
	}
}
