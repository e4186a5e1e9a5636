package source

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/usagerep/usagerep/pkg/record"
)

// t0 is 2026-03-03T10:15:00Z, the time most test records carry.
const t0 = int64(1772532900e9)

// collector keeps deep copies of what a decoder emits: records and rejects
// are borrowed and must not be kept as they are.
type collector struct {
	recs    []record.Record
	rejects []Reject
}

func (c *collector) Record(r *record.Record) { c.recs = append(c.recs, cloneRecord(r)) }

func (c *collector) reject(r Reject) error {
	r.Raw = bytes.Clone(r.Raw)
	c.rejects = append(c.rejects, r)
	return nil
}

func cloneRecord(r *record.Record) record.Record {
	out := *r
	for _, p := range []*string{
		&out.System, &out.Project, &out.EntityType, &out.EntityID, &out.PeerSystem, &out.PeerProject,
		&out.PeerEntityType, &out.PeerEntityID, &out.Integration, &out.Action, &out.Category,
		&out.Session, &out.Interaction, &out.Customer, &out.Plan, &out.Source,
	} {
		*p = strings.Clone(*p)
	}
	cloneUser(&out.User)
	out.Props = nil
	for _, p := range r.Props {
		out.Props = append(out.Props, record.Prop{Key: strings.Clone(p.Key), Value: strings.Clone(p.Value)})
	}
	out.Users = nil
	for _, u := range r.Users {
		cloneUser(&u.User)
		u.System, u.Project, u.Interaction = strings.Clone(u.System), strings.Clone(u.Project), strings.Clone(u.Interaction)
		out.Users = append(out.Users, u)
	}
	return out
}

func cloneUser(u *record.User) {
	for _, p := range []*string{&u.Email, &u.Username, &u.DisplayName, &u.FirstName, &u.LastName, &u.Company, &u.UserID} {
		*p = strings.Clone(*p)
	}
}

// decodeChunk decodes c with a fresh decoder and checks that the counts
// Decode returns match what it emitted.
func decodeChunk(t testing.TB, f Format, opts DecodeOptions, c *Chunk) *collector {
	t.Helper()
	d, err := NewDecoder(f, opts)
	if err != nil {
		t.Fatalf("NewDecoder: %v", err)
	}
	col := &collector{}
	good, bad, err := d.Decode(c, col, col.reject)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if good != int64(len(col.recs)) || bad != int64(len(col.rejects)) {
		t.Fatalf("Decode returned good %d bad %d, but emitted %d records and %d rejects", good, bad, len(col.recs), len(col.rejects))
	}
	return col
}

// want builds an expected record: the defaults of a record at t0 on line 1
// of "t.jsonl", changed by mod.
func want(mod func(r *record.Record)) record.Record {
	r := record.Record{Time: t0, Count: 1, IntegrationUpdated: record.NoTime, Source: "t.jsonl", Line: 1}
	if mod != nil {
		mod(&r)
	}
	return r
}

// props builds a property list from key, value pairs.
func props(kv ...string) []record.Prop {
	var out []record.Prop
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, record.Prop{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func diffRecord(got, want record.Record) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	var b strings.Builder
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		if g, w := gv.Field(i).Interface(), wv.Field(i).Interface(); !reflect.DeepEqual(g, w) {
			fmt.Fprintf(&b, "\n\t%s: got %+v, want %+v", gv.Type().Field(i).Name, g, w)
		}
	}
	return b.String()
}

func TestNewDecoderErrors(t *testing.T) {
	tests := []struct {
		name string
		m    Mapping
		want string
	}{
		{"unknown field", Mapping{Fields: map[string]string{"user": "login"}}, `unknown field "user"`},
		{"type is no field", Mapping{Fields: map[string]string{"type": "t"}}, `unknown field "type"`},
		{"empty path", Mapping{Fields: map[string]string{"email": " "}}, "empty path"},
		{"empty segment", Mapping{Fields: map[string]string{"email": "user..mail"}}, "empty segment"},
		{"leading dot", Mapping{Fields: map[string]string{"email": ".mail"}}, "empty segment"},
		{"unknown constant", Mapping{Constants: map[string]string{"tenant": "x"}}, `unknown constant field "tenant"`},
		{"props constant", Mapping{Constants: map[string]string{"props": "x"}}, "cannot be a constant"},
		{"empty constant", Mapping{Constants: map[string]string{"system": ""}}, "constant system is empty"},
		{"bad count constant", Mapping{Constants: map[string]string{"count": "-1"}}, `constant count "-1": invalid count`},
		{"bad time constant", Mapping{Constants: map[string]string{"time": "noon"}}, `constant time "noon": invalid time`},
		{"bad outcome constant", Mapping{Constants: map[string]string{"outcome": "meh"}}, `constant outcome "meh": invalid outcome`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []Format{FormatJSONL, FormatCSV} {
				_, err := NewDecoder(f, DecodeOptions{Mapping: tt.m})
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("NewDecoder(%s) error = %v, want one containing %q", f, err, tt.want)
				}
			}
		})
	}
	if _, err := NewDecoder(FormatAuto, DecodeOptions{}); err == nil {
		t.Error("NewDecoder(FormatAuto) succeeded, want an error")
	}
}

func TestMergeMappings(t *testing.T) {
	base := Mapping{
		Fields:    map[string]string{"time": "created_at", "username": "actor.login"},
		Constants: map[string]string{"system": "GitHub"},
	}
	over := Mapping{
		Fields:    map[string]string{"username": "actor.display_login", "email": "actor.email"},
		Constants: map[string]string{"system": "GHE", "customer": "acme"},
	}
	got := MergeMappings(base, over)
	exp := Mapping{
		Fields:    map[string]string{"time": "created_at", "username": "actor.display_login", "email": "actor.email"},
		Constants: map[string]string{"system": "GHE", "customer": "acme"},
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("MergeMappings = %+v, want %+v", got, exp)
	}
	if base.Fields["username"] != "actor.login" || len(base.Fields) != 2 {
		t.Errorf("MergeMappings changed its base: %+v", base)
	}
	if got := MergeMappings(Mapping{}, Mapping{}); got.Fields != nil || got.Constants != nil {
		t.Errorf("MergeMappings of empty mappings = %+v, want empty", got)
	}
	if got := MergeMappings(Mapping{}, over); !reflect.DeepEqual(got, over) {
		t.Errorf("MergeMappings(empty, m) = %+v, want m", got)
	}
}

// TestDecodeStopsWhenRejectFails checks that the error of a RejectFunc
// ends Decode at once, with the counts so far.
func TestDecodeStopsWhenRejectFails(t *testing.T) {
	stop := errors.New("stop")
	for _, tt := range []struct {
		f    Format
		c    *Chunk
		good int64
	}{
		{FormatJSONL, &Chunk{Data: []byte("{\"time\":1}\nbad\n{\"time\":1}\nbad\n"), FirstLine: 1}, 1},
		{FormatCSV, &Chunk{Header: []byte("time"), Data: []byte("1\n1,2\n1\n1,2\n"), FirstLine: 2}, 1},
	} {
		d, err := NewDecoder(tt.f, DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		good, bad, err := d.Decode(tt.c, &collector{}, func(Reject) error { calls++; return stop })
		if !errors.Is(err, stop) || good != tt.good || bad != 1 || calls != 1 {
			t.Errorf("%s: Decode = %d, %d, %v after %d rejects; want %d, 1, stop after 1", tt.f, good, bad, err, calls, tt.good)
		}
	}
}

// TestDecoderReuse decodes several chunks of different inputs with one
// decoder: nothing of one record may leak into the next.
func TestDecoderReuse(t *testing.T) {
	d, err := NewDecoder(FormatJSONL, DecodeOptions{KeepProps: true})
	if err != nil {
		t.Fatal(err)
	}
	col := &collector{}
	chunks := []string{
		`{"time":1772532900,"system":"A","email":"a@x","props":{"os":"linux"},"users":[{"email":"u@x"}],"count":4}`,
		`{"time":1772532900}`,
	}
	for i, s := range chunks {
		c := &Chunk{Input: &Input{Name: fmt.Sprint("in", i)}, Data: []byte(s), FirstLine: 1}
		if _, _, err := d.Decode(c, col, col.reject); err != nil {
			t.Fatal(err)
		}
	}
	exp := want(func(r *record.Record) { r.Source = "in1" })
	if len(col.recs) != 2 {
		t.Fatalf("got %d records, want 2", len(col.recs))
	}
	if diff := diffRecord(col.recs[1], exp); diff != "" {
		t.Errorf("second record differs:%s", diff)
	}
}

// TestDecodeAllocs checks the hard requirement: no allocation per record
// once a decoder has warmed up, for both formats, with and without props.
func TestDecodeAllocs(t *testing.T) {
	jsonl := strings.Repeat(`{"time":"2026-03-03T10:15:00Z","kind":"sync","system":"Jira Cloud","project":"PROJ",`+
		`"entity_id":12,"email":"J\u00f6rg@corp.com","user":{"name":"jdoe","id":7},"payload":{"a":[1,2,{"b":null}]},`+
		`"count":"3","duration":"1m30s","outcome":"ok","service_account":false,"os":"linux",`+
		`"props":{"country":"DE","n":1.5},"users":[{"email":"a@x","time":1772532900},{"login":"b"}]}`+"\n", 50)
	csv := strings.Repeat("2026-03-03 10:15:00,sync,Jira,\"PROJ, \"\"main\"\"\",3,a@x,linux\r\n", 50)
	tests := []struct {
		name string
		f    Format
		c    *Chunk
	}{
		{"jsonl", FormatJSONL, &Chunk{Input: &Input{Name: "a"}, Data: []byte(jsonl), FirstLine: 1}},
		{"csv", FormatCSV, &Chunk{Input: &Input{Name: "b"}, Data: []byte(csv), FirstLine: 2,
			Header: []byte("time,type,system,project,count,user.email,props.os")}},
	}
	for _, tt := range tests {
		for _, keep := range []bool{false, true} {
			d, err := NewDecoder(tt.f, DecodeOptions{KeepProps: keep})
			if err != nil {
				t.Fatal(err)
			}
			var sink countSink
			run := func() {
				good, bad, err := d.Decode(tt.c, &sink, noRejects)
				if good != 50 || bad != 0 || err != nil {
					t.Fatalf("%s: Decode = %d, %d, %v; want 50 good records", tt.name, good, bad, err)
				}
			}
			run() // warm up: buffers grow to their steady size
			if allocs := testing.AllocsPerRun(20, run); allocs != 0 {
				t.Errorf("%s (KeepProps %v): %v allocations per chunk, want 0", tt.name, keep, allocs)
			}
		}
	}
}
