package main

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMEConfiguration: the README's configuration table has a row for every flag serve accepts,
// with its environment variable, so that a flag added to the code without its line in the README
// fails here.
func TestREADMEConfiguration(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // flag → its row of the table
	for _, l := range strings.Split(string(readme), "\n") {
		if m := regexp.MustCompile("^\\| `--([a-z-]+)` \\|").FindStringSubmatch(l); m != nil {
			rows[m[1]] = l
		}
	}
	_, fset, err := parse("serve", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	fset.VisitAll(func(f *flag.Flag) {
		n++
		row, ok := rows[f.Name]
		if !ok {
			t.Errorf("README's configuration table has no row for --%s", f.Name)
			return
		}
		if env := envName(f.Name); !strings.Contains(row, "`"+env+"`") {
			t.Errorf("README's row for --%s does not name %s: %s", f.Name, env, row)
		}
	})
	if n < 19 {
		t.Errorf("serve has %d flags; the test does not see them all", n)
	}
	for name := range rows {
		if fset.Lookup(name) == nil {
			t.Errorf("README's configuration table lists --%s, which serve does not accept", name)
		}
	}
}

// TestREADMETestVariables: every DUDAO_TEST_* variable a test reads is explained in the README's
// "Running the full suite", so a reader can switch each heavy suite on.
func TestREADMETestVariables(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(readme), "## Running the full suite")
	if i < 0 {
		t.Fatal(`README has no "## Running the full suite" section`)
	}
	section := string(readme[i:])
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	re := regexp.MustCompile(`"(DUDAO_(?:TEST_[A-Z_]+|SCREENSHOTS))"`)
	var vars []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(vars, m[1]) {
				vars = append(vars, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DUDAO_TEST_PG", "DUDAO_TEST_BROWSER"} {
		if !slices.Contains(vars, want) {
			t.Errorf("no test reads %s: the scan of the sources is broken (found %v)", want, vars)
		}
	}
	for _, v := range vars {
		if !strings.Contains(section, "`"+v) {
			t.Errorf("%s is read by a test but not explained under \"Running the full suite\"", v)
		}
	}
}
