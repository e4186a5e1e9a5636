package source

import (
	"context"
	"math/bits"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/usagerep/usagerep/pkg/record"
)

func TestFieldsCoverEveryField(t *testing.T) {
	fs := Fields()
	if len(fs) != int(fType) {
		t.Fatalf("%d fields, want %d", len(fs), fType)
	}
	types := []string{"timestamp", "string", "enum", "integer", "duration", "bool", "object", "array"}
	for i, f := range fs {
		if f.Name != fieldNames[i] {
			t.Errorf("field %d is %q, want %q (Fields must follow the bit order of Present)", i, f.Name, fieldNames[i])
		}
		if !slices.Contains(types, f.Type) || f.Description == "" {
			t.Errorf("%s: type %q, description %q", f.Name, f.Type, f.Description)
		}
		if (f.Type == "enum") != (len(f.Values) > 0) {
			t.Errorf("%s: type %s with values %v", f.Name, f.Type, f.Values)
		}
		if f.Required != (f.Name == "time") {
			t.Errorf("%s: required %v", f.Name, f.Required)
		}
	}
	byName := map[string]FieldInfo{}
	for _, f := range fs {
		byName[f.Name] = f
	}
	if got := byName["time"].Aliases; !reflect.DeepEqual(got, []string{"timestamp", "@timestamp", "ts", "created_at"}) {
		t.Errorf("time aliases %v", got)
	}
	if got := byName["action"].Aliases; !reflect.DeepEqual(got, []string{"type"}) {
		t.Errorf("action aliases %v", got)
	}
	if !byName["email"].InUsers || byName["entity_id"].InUsers {
		t.Errorf("InUsers: email %v, entity_id %v", byName["email"].InUsers, byName["entity_id"].InUsers)
	}
}

func TestFieldPaths(t *testing.T) {
	p, err := FieldPaths(Mapping{
		Fields:    map[string]string{"username": "actor.login", "action": "type"},
		Constants: map[string]string{"system": "GitHub"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string][]string{
		"username": {"actor.login"},
		"action":   {"type"},
		"time":     {"time", "timestamp", "@timestamp", "ts", "created_at"},
		// "type" is mapped to action, so it no longer feeds kind.
		"kind": {"kind"},
		// login is no longer an alias once username is mapped.
		"email": {"email", "user.email", "user_email", "mail"},
	} {
		if got := p[field]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", field, got, want)
		}
	}
	if _, ok := p["system"]; ok {
		t.Errorf("system is a constant but has paths %v", p["system"])
	}
	if _, err := FieldPaths(Mapping{Fields: map[string]string{"colour": "x"}}); err == nil {
		t.Error("an unknown field was accepted")
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name   string
		forced Format
		want   Description
	}{
		{"a.jsonl", FormatAuto, Description{Format: FormatJSONL}},
		{"dir/a.CSV.gz", FormatAuto, Description{Compression: []string{"gzip"}, Format: FormatCSV}},
		{"a.ndjson.zst", FormatAuto, Description{Compression: []string{"zstd"}, Format: FormatJSONL}},
		{"logs.tgz", FormatAuto, Description{Compression: []string{"gzip"}, Bundle: "tar"}},
		{"logs.zip", FormatJSONL, Description{Bundle: "zip"}},
		{"b.tar.gz:x/y.csv.gz", FormatAuto, Description{Compression: []string{"gzip"}, Format: FormatCSV}},
		{"b.zip:notes.txt", FormatAuto, Description{}},
		{"b.zip:notes.txt", FormatCSV, Description{Format: FormatCSV}},
	}
	for _, tt := range tests {
		if got := Describe(tt.name, tt.forced); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Describe(%q, %s) = %+v, want %+v", tt.name, tt.forced, got, tt.want)
		}
	}
}

// presentNames lists the fields whose bits are set in p.
func presentNames(p uint64) []string {
	var out []string
	for ; p != 0; p &= p - 1 {
		out = append(out, fieldNames[bits.TrailingZeros64(p)])
	}
	return out
}

func TestMarkPresent(t *testing.T) {
	gh := Mapping{Constants: map[string]string{"system": "GitHub"}}
	tests := []struct {
		name    string
		format  Format
		mapping Mapping
		header  string
		line    string
		want    []string
	}{
		{"aliases count as their field", FormatJSONL, Mapping{},
			"", `{"created_at":"2026-03-03T10:15:00Z","login":"bob","type":"PushEvent","x":1}`,
			[]string{"time", "action", "username"}},
		{"type feeds kind", FormatJSONL, Mapping{},
			"", `{"time":"2026-03-03T10:15:00Z","type":"sync","count":3}`,
			[]string{"time", "kind", "count"}},
		{"empty and null are absent", FormatJSONL, Mapping{},
			"", `{"time":"2026-03-03T10:15:00Z","email":"","project":null,"system":"  "}`,
			[]string{"time"}},
		{"constants are not from the input", FormatJSONL, gh,
			"", `{"time":"2026-03-03T10:15:00Z","system":"Jira","users":[{"email":"a@b.c"}]}`,
			[]string{"time"}},
		{"csv", FormatCSV, Mapping{Fields: map[string]string{"time": "when", "username": "who"}},
			"when,who,email,other", "2026-03-03 10:15:00,bob,,x",
			[]string{"time", "username"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.mapping
			c := &Chunk{Input: &Input{Name: "t", Format: tt.format}, Data: []byte(tt.line), FirstLine: 1}
			if tt.header != "" {
				c.Header = []byte(tt.header)
			}
			col := decodeChunk(t, tt.format, DecodeOptions{Mapping: m, MarkPresent: true}, c)
			if len(col.recs) != 1 {
				t.Fatalf("records %d, rejects %v", len(col.recs), col.rejects)
			}
			if got := presentNames(col.recs[0].Present); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("present %v, want %v", got, tt.want)
			}
			col = decodeChunk(t, tt.format, DecodeOptions{Mapping: m}, c)
			if col.recs[0].Present != 0 {
				t.Errorf("Present filled without MarkPresent: %v", presentNames(col.recs[0].Present))
			}
		})
	}
}

// chunkSeen records what OnChunk saw of each source.
type chunkSeen struct {
	mu     sync.Mutex
	bytes  map[string]int
	header map[string]string
}

func (c *chunkSeen) onChunk(ch *Chunk) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bytes[ch.Input.Name] += len(ch.Data)
	c.header[ch.Input.Name] = string(ch.Header)
}

type nopSink struct{}

func (nopSink) Record(*record.Record) {}

func TestOnChunkSeesEveryByte(t *testing.T) {
	dir := t.TempDir()
	jsonl := strings.Repeat(`{"time":"2026-03-03T10:15:00Z","email":"a@b.c"}`+"\n", 500)
	csv := "time,email\n" + strings.Repeat("2026-03-03 10:15:00,a@b.c\n", 400)
	p1 := writeFile(t, dir, "a.jsonl", []byte(jsonl))
	p2 := writeFile(t, dir, "b.csv.gz", gzipOf(t, []byte(csv)))
	seen := &chunkSeen{bytes: map[string]int{}, header: map[string]string{}}
	opts := ScanOptions{Workers: 2, ChunkBytes: 1000, OnChunk: seen.onChunk}
	st, err := Scan(context.Background(), []string{p1, p2}, opts, []Sink{nopSink{}, nopSink{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := st.Totals(); r != 900 {
		t.Fatalf("%d records, want 900", r)
	}
	if got := seen.bytes[p1]; got != len(jsonl) {
		t.Errorf("%s: OnChunk saw %d bytes, want %d", filepath.Base(p1), got, len(jsonl))
	}
	if got, want := seen.bytes[p2], len(csv)-len("time,email\n"); got != want {
		t.Errorf("%s: OnChunk saw %d bytes, want %d", filepath.Base(p2), got, want)
	}
	if got := seen.header[p2]; got != "time,email" {
		t.Errorf("CSV header %q", got)
	}
}

func TestEveryProfileIsDescribed(t *testing.T) {
	for _, name := range ProfileNames() {
		if ProfileDescription(name) == "" {
			t.Errorf("profile %s has no description", name)
		}
	}
	if len(profileDocs) != len(profiles) {
		t.Errorf("%d descriptions for %d profiles", len(profileDocs), len(profiles))
	}
}
