package record

import "testing"

// Every field has its own name, and the name leads back to the field.
func TestFieldNames(t *testing.T) {
	seen := map[string]Field{}
	for f := range NumFields {
		name := f.String()
		if name == "" {
			t.Errorf("field %d has no name", f)
		}
		if g, dup := seen[name]; dup {
			t.Errorf("fields %d and %d are both %q", g, f, name)
		}
		seen[name] = f
		if g, ok := LookupField(name); !ok || g != f {
			t.Errorf("LookupField(%q) = %d, %v; want %d", name, g, ok, f)
		}
	}
	if _, ok := LookupField("type"); ok {
		t.Error(`"type" is an alias, not a canonical field`)
	}
	if s := NumFields.String(); s != "" {
		t.Errorf("NumFields.String() = %q, want empty", s)
	}
	// Record.Present is a uint64.
	if NumFields > 64 {
		t.Errorf("%d fields do not fit Record.Present", NumFields)
	}
	if FieldTime != 0 || FieldDisplayName.String() != "display_name" || FieldUsers != NumFields-1 {
		t.Error("time is not first, or users not last")
	}
}
