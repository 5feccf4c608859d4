package policies

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"dudao/domain"
)

// The defaults ship inside the binary; a deployment may override them with files of its own (LoadRules).
//
//go:embed rules.json calendar/*
var rulesFiles embed.FS

// overrideSource marks, in Rules.Sources, a value set by the deployment's override file without a source of its own.
const overrideSource = "本地部署配置覆盖默认值。"

// DefaultRules are the embedded rules.json with the embedded holiday calendars.
func DefaultRules() (domain.Rules, error) {
	return LoadRules("", "")
}

// LoadRules builds the rules from the embedded defaults and the deployment's overrides; "" means no override.
//
// rulesPath names a JSON file in the format of rules.json. It is laid over the defaults: only the fields
// it names change (due_days and sources merge key by key), and unknown fields are an error. A changed
// value with no source of its own is cited as a local override.
//
// calendarPath names a calendar file or a directory of *.txt calendar files; it replaces the embedded
// calendars entirely, so it must hold every year still in use.
func LoadRules(rulesPath, calendarPath string) (domain.Rules, error) {
	var r domain.Rules
	def, err := rulesFiles.ReadFile("rules.json")
	if err != nil {
		return domain.Rules{}, fmt.Errorf("policies: read embedded rules: %w", err)
	}
	if err := decodeRules(def, &r); err != nil {
		return domain.Rules{}, fmt.Errorf("policies: embedded rules.json: %w", err)
	}
	if rulesPath != "" {
		b, err := os.ReadFile(rulesPath)
		if err != nil {
			return domain.Rules{}, fmt.Errorf("policies: read rules: %w", err)
		}
		if err := overlayRules(b, &r); err != nil {
			return domain.Rules{}, fmt.Errorf("policies: rules %s: %w", rulesPath, err)
		}
	}
	if err := r.Validate(); err != nil {
		return domain.Rules{}, fmt.Errorf("policies: rules: %w", err)
	}

	if calendarPath == "" {
		sub, err := fs.Sub(rulesFiles, "calendar")
		if err != nil {
			return domain.Rules{}, fmt.Errorf("policies: embedded calendar: %w", err)
		}
		r.Calendar, err = loadCalendarDir(sub)
		if err != nil {
			return domain.Rules{}, fmt.Errorf("policies: embedded calendar: %w", err)
		}
		return r, nil
	}
	info, err := os.Stat(calendarPath)
	if err != nil {
		return domain.Rules{}, fmt.Errorf("policies: calendar: %w", err)
	}
	if info.IsDir() {
		r.Calendar, err = loadCalendarDir(os.DirFS(calendarPath))
	} else {
		r.Calendar, err = loadCalendarFile(os.DirFS(filepath.Dir(calendarPath)), filepath.Base(calendarPath))
	}
	if err != nil {
		return domain.Rules{}, fmt.Errorf("policies: calendar %s: %w", calendarPath, err)
	}
	return r, nil
}

func decodeRules(b []byte, r *domain.Rules) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt key would otherwise be silently ignored
	if err := dec.Decode(r); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON object")
	}
	return nil
}

// overlayRules decodes b over r and cites the fields it set.
func overlayRules(b []byte, r *domain.Rules) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	before := make(map[string]string, len(r.Sources))
	for k, v := range r.Sources {
		before[k] = v
	}
	if err := decodeRules(b, r); err != nil {
		return err
	}
	for k := range keys {
		if k == "sources" {
			continue
		}
		// Still the default's citation (or none): the override did not say where its value comes from.
		if r.Sources[k] == before[k] {
			if r.Sources == nil {
				r.Sources = map[string]string{}
			}
			r.Sources[k] = overrideSource
		}
	}
	return nil
}

// loadCalendarDir merges every *.txt file at the top of fsys.
func loadCalendarDir(fsys fs.FS) (domain.Calendar, error) {
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return domain.Calendar{}, err
	}
	if len(names) == 0 {
		return domain.Calendar{}, fmt.Errorf("no *.txt calendar files")
	}
	slices.Sort(names)
	var cals []domain.Calendar
	for _, name := range names {
		c, err := loadCalendarFile(fsys, name)
		if err != nil {
			return domain.Calendar{}, err
		}
		cals = append(cals, c)
	}
	return cals[0].Merge(cals[1:]...)
}

func loadCalendarFile(fsys fs.FS, name string) (domain.Calendar, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return domain.Calendar{}, err
	}
	defer f.Close()
	c, err := domain.ParseCalendar(f)
	if err != nil {
		return domain.Calendar{}, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}
