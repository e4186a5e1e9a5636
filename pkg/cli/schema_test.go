package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/usagerep/usagerep/pkg/source"
)

func TestSchemaText(t *testing.T) {
	isolate(t)
	code, stdout, stderr := run(t, "", "schema")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, f := range source.Fields() {
		if !strings.Contains(stdout, "\n"+f.Name+" ") {
			t.Errorf("no row for %s", f.Name)
		}
	}
	for _, want := range []string{"timestamp (required)", "timestamp, @timestamp, ts, created_at", "activity|sync", `"type" feeds kind`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("schema text has no %q", want)
		}
	}
}

func TestSchemaJSONIsAJSONSchema(t *testing.T) {
	isolate(t)
	code, stdout, _ := run(t, "", "schema", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Schema     string   `json:"$schema"`
		Type       string   `json:"type"`
		Required   []string `json:"required"`
		Properties map[string]struct {
			Type        any      `json:"type"`
			Enum        []string `json:"enum"`
			Description string   `json:"description"`
			Aliases     []string `json:"x-aliases"`
			Items       *struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"items"`
		} `json:"properties"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc.Schema != "https://json-schema.org/draft/2020-12/schema" || doc.Type != "object" || !slices.Equal(doc.Required, []string{"time"}) {
		t.Errorf("$schema %q type %q required %v", doc.Schema, doc.Type, doc.Required)
	}
	if len(doc.Properties) != len(source.Fields()) {
		t.Errorf("%d properties for %d fields", len(doc.Properties), len(source.Fields()))
	}
	if p := doc.Properties["kind"]; !slices.Equal(p.Enum, []string{"activity", "sync"}) || p.Type != "string" {
		t.Errorf("kind %+v", p)
	}
	if p := doc.Properties["time"]; !slices.Equal(p.Aliases, []string{"timestamp", "@timestamp", "ts", "created_at"}) {
		t.Errorf("time aliases %v", p.Aliases)
	}
	users := doc.Properties["users"]
	if users.Items == nil || users.Items.Properties["email"] == nil || users.Items.Properties["entity_id"] != nil {
		t.Errorf("users items %+v", users.Items)
	}
}
