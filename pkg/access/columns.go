package access

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Column is one action column: the sum of count of records whose action
// is Action, headed Label.
type Column struct {
	Action string
	Label  string
}

// builtinProfiles are the column profiles shipped with the tool.
var builtinProfiles = map[string][]Column{
	// Cintoo's usage report (seed 001): imports and exports per day.
	"cintoo": {
		{"scan_upload", "Scans uploaded"},
		{"image360_upload", "360 Images uploaded"},
		{"scan_download", "Scans downloaded"},
		{"crop_download", "Crops downloaded"},
		{"mesh_create", "Unified mesh creation"},
		{"tag_upload", "Tags uploaded"},
		{"tag_download", "Tags downloaded"},
	},
}

// BuiltinProfile returns a copy of the built-in column profile name.
func BuiltinProfile(name string) ([]Column, bool) {
	p, ok := builtinProfiles[name]
	return slices.Clone(p), ok
}

// BuiltinProfileNames lists the built-in column profiles, sorted.
func BuiltinProfileNames() []string {
	return slices.Sorted(maps.Keys(builtinProfiles))
}

// Fixed headers, before the action columns.
const (
	HeaderDate        = "Date"
	HeaderFirstName   = "First name"
	HeaderLastName    = "Last name"
	HeaderEmail       = "Email"
	HeaderUsername    = "Username"
	HeaderDisplayName = "Display name"
	HeaderCompany     = "Company"
	HeaderProject     = "Project"
)

// Headers are the header row of a report with these action columns;
// withUsernames adds Username and Display name after Email.
func Headers(cols []Column, withUsernames bool) []string {
	h := []string{HeaderDate, HeaderFirstName, HeaderLastName, HeaderEmail}
	if withUsernames {
		h = append(h, HeaderUsername, HeaderDisplayName)
	}
	h = append(h, HeaderCompany, HeaderProject)
	for _, c := range cols {
		h = append(h, c.Label)
	}
	return h
}

// ValidateColumns checks a column profile: at least one column, each with
// an action, no action or label twice, and no label that is a fixed
// header. An empty label becomes the action's name.
func ValidateColumns(cols []Column) ([]Column, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("no columns")
	}
	fixed := Headers(nil, true)
	out := make([]Column, len(cols))
	actions, labels := map[string]bool{}, map[string]bool{}
	for i, c := range cols {
		c.Action, c.Label = strings.TrimSpace(c.Action), strings.TrimSpace(c.Label)
		if c.Action == "" {
			return nil, fmt.Errorf("column %d: no action", i+1)
		}
		if c.Label == "" {
			c.Label = c.Action
		}
		if actions[c.Action] {
			return nil, fmt.Errorf("column %d: action %q is already a column", i+1, c.Action)
		}
		if labels[strings.ToLower(c.Label)] {
			return nil, fmt.Errorf("column %d: label %q is already used", i+1, c.Label)
		}
		for _, f := range fixed {
			if strings.EqualFold(f, c.Label) {
				return nil, fmt.Errorf("column %d: label %q is a fixed column", i+1, c.Label)
			}
		}
		actions[c.Action], labels[strings.ToLower(c.Label)] = true, true
		out[i] = c
	}
	return out, nil
}
