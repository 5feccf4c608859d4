package policies

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"dudao/domain"
)

// The monitoring catalog and the shipped frameworks are data, embedded like the rules: the indicator
// catalog copied from the city's 十四五 plan (表1, 表2 and the targets in its text), and the
// frameworks of SPEC §3 (the eight standing matters of 责任督学, R25, and a 督政 framework for the
// districts' education duties).

//go:embed indicators.json
var indicatorsJSON []byte

//go:embed frameworks.json
var frameworksJSON []byte

// Indicators is the embedded catalog, validated.
func Indicators() (*domain.IndicatorCatalog, error) {
	c, err := ParseIndicators(indicatorsJSON)
	if err != nil {
		return nil, fmt.Errorf("policies: embedded indicators.json: %w", err)
	}
	return c, nil
}

// ParseIndicators reads a catalog in the format of indicators.json — {"source", "indicators": [...]},
// each indicator with the catalog's field names — and validates it (unique codes; attribute 约束性,
// 预期性 or null; direction higher_is_better or lower_is_better; target_op >=, <=, = or null).
func ParseIndicators(b []byte) (*domain.IndicatorCatalog, error) {
	var f struct {
		Source     string             `json:"source"`
		Indicators []domain.Indicator `json:"indicators"`
	}
	if err := decodeStrict(b, &f); err != nil {
		return nil, err
	}
	return domain.NewIndicatorCatalog(f.Indicators)
}

// ShippedFramework is a framework version as frameworks.json ships it: what it says, and its version
// number (1 for both shipped today; the demo creates and publishes them under the city's office).
type ShippedFramework struct {
	Version int `json:"version"`
	domain.FrameworkInput
}

// Frameworks are the embedded frameworks, validated against r (their items' finding categories must
// be categories of the rules).
func Frameworks(r domain.Rules) ([]ShippedFramework, error) {
	fs, err := ParseFrameworks(frameworksJSON, r)
	if err != nil {
		return nil, fmt.Errorf("policies: embedded frameworks.json: %w", err)
	}
	return fs, nil
}

// ParseFrameworks reads frameworks in the format of frameworks.json and validates each; a code and
// version may appear once.
func ParseFrameworks(b []byte, r domain.Rules) ([]ShippedFramework, error) {
	var f struct {
		Source     string             `json:"source"`
		Frameworks []ShippedFramework `json:"frameworks"`
	}
	if err := decodeStrict(b, &f); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, fw := range f.Frameworks {
		if fw.Version < 1 {
			return nil, fmt.Errorf("framework %s: version %d, want 1 or more", fw.Code, fw.Version)
		}
		k := fmt.Sprintf("%s@%d", fw.Code, fw.Version)
		if seen[k] {
			return nil, fmt.Errorf("framework %s version %d appears twice", fw.Code, fw.Version)
		}
		seen[k] = true
		if err := fw.Validate(r); err != nil {
			return nil, fmt.Errorf("framework %s: %w (%v)", fw.Code, err, err.(*domain.Error).Fields)
		}
	}
	if len(f.Frameworks) == 0 {
		return nil, fmt.Errorf("no frameworks")
	}
	return f.Frameworks, nil
}

// decodeStrict decodes one JSON value, refusing unknown fields (a misspelt key would otherwise be
// silently dropped) and trailing data.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}
