package inspect

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/source"
)

// sampleFile samples a committed excerpt as its first chunk.
func sampleFile(t *testing.T, name string) *Sample {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "inspect", name))
	if err != nil {
		t.Fatal(err)
	}
	c := &source.Chunk{Input: &source.Input{Name: name, Format: source.FormatJSONL}, Data: data, FirstLine: 1}
	if filepath.Ext(name) == ".csv" {
		header, rest, _ := bytes.Cut(data, []byte("\n"))
		c.Input.Format, c.Header, c.Data, c.FirstLine = source.FormatCSV, header, rest, 2
	}
	return sampleChunk(c, 100)
}

func TestSampleJSON(t *testing.T) {
	data := []byte(`{"a":1,"user":{"login":"bob","tags":[1,{"x":2}]},"when":"2026-03-03T10:15:00Z","who":"Bob@X.com","n":null}
not json
{"a":"","user":{"login":"amy"},"when":"later","a":2}
`)
	s := sampleChunk(&source.Chunk{Input: &source.Input{Name: "t", Format: source.FormatJSONL}, Data: data, FirstLine: 1}, 10)
	if s.Rows != 2 || s.Broken != 1 {
		t.Fatalf("rows %d broken %d", s.Rows, s.Broken)
	}
	var paths []string
	for _, k := range s.Keys {
		paths = append(paths, k.Path)
	}
	// In order of first appearance; arrays are not walked; null is absent.
	if want := []string{"a", "user.login", "user.tags", "when", "who"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("paths %v, want %v", paths, want)
	}
	// "a" is empty in the second record, then 2: a repeated key counts once.
	if k := s.Key("a"); k.Rows != 2 || k.Kind != "number" || !reflect.DeepEqual(k.Examples, []string{"1", "2"}) {
		t.Errorf("a: %+v", k)
	}
	if k := s.Key("when"); k.Rows != 2 || k.Times != 1 {
		t.Errorf("when: %+v", k)
	}
	if k := s.Key("who"); k.Emails != 1 {
		t.Errorf("who: %+v", k)
	}
}

func TestSamplerKeepsTheEarliestChunk(t *testing.T) {
	s := NewSampler(1, 10)
	in := &source.Input{Name: "f", Format: source.FormatJSONL}
	other := &source.Input{Name: "g", Format: source.FormatJSONL}
	s.OnChunk(&source.Chunk{Input: in, Data: []byte(`{"late":1}`), FirstLine: 50})
	s.OnChunk(&source.Chunk{Input: other, Data: []byte(`{"g":1}`), FirstLine: 1}) // past maxSources
	s.OnChunk(&source.Chunk{Input: in, Data: []byte(`{"early":1}`), FirstLine: 1})
	s.OnChunk(&source.Chunk{Input: in, Data: []byte(`{"later":1}`), FirstLine: 9})
	got := s.Samples()
	if len(got) != 1 || got["f"] == nil || got["f"].Key("early") == nil || got["f"].FirstLine != 1 {
		t.Errorf("samples %+v", got)
	}
}

func TestFitProfile(t *testing.T) {
	tests := []struct {
		file string
		want string
		keys []string
	}{
		{"gharchive-excerpt.jsonl", "github-events", []string{"actor", "created_at", "org", "repo", "type"}},
		{"wikiticker-excerpt.jsonl", "wikiticker", []string{"channel", "isRobot", "namespace", "page", "time", "user"}},
		{"gitlog-excerpt.jsonl", "git-log", []string{"author_date", "author_email", "author_name", "event", "project"}},
		{"audit.csv", "", nil},
	}
	for _, tt := range tests {
		name, keys := fitProfile(sampleFile(t, tt.file))
		if name != tt.want || !reflect.DeepEqual(keys, tt.keys) {
			t.Errorf("%s: profile %q keys %v, want %q %v", tt.file, name, keys, tt.want, tt.keys)
		}
	}
}

func TestGuessMapping(t *testing.T) {
	paths, err := source.FieldPaths(source.Mapping{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file   string
		fields map[string]string
	}{
		// Seven rows; "yesterday" is not a time, Dana has no email.
		{"audit.csv", map[string]string{
			"time": "When", "email": "Actor Email", "display_name": "Actor Name", "project": "Workspace", "action": "Event Name",
		}},
		// author_* beat committer_*; project is already canonical.
		{"gitlog-excerpt.jsonl", map[string]string{
			"time": "author_date", "email": "author_email", "display_name": "author_name", "action": "event",
		}},
		// time is canonical; user is a username, isRobot a service account.
		{"wikiticker-excerpt.jsonl", map[string]string{
			"username": "user", "project": "channel", "service_account": "isRobot",
		}},
	}
	for _, tt := range tests {
		s := sampleFile(t, tt.file)
		cov := func(f string) bool { return covered(s, paths, nil, f) }
		fields, consts := guessMapping(s, paths, source.Mapping{}, cov)
		if !reflect.DeepEqual(fields, tt.fields) {
			t.Errorf("%s: fields %v, want %v", tt.file, fields, tt.fields)
		}
		if consts["system"] != SystemPlaceholder {
			t.Errorf("%s: constants %v", tt.file, consts)
		}
	}
}

func TestTokens(t *testing.T) {
	for in, want := range map[string][]string{
		"actor.display_login": {"actor", "display", "login"},
		"isRobot":             {"is", "robot"},
		"Actor Email":         {"actor", "email"},
		"deltaBucket100":      {"delta", "bucket100"},
		"@timestamp":          {"timestamp"},
	} {
		if got := tokens(in); !reflect.DeepEqual(got, want) {
			t.Errorf("tokens(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestAdviceAsOf gives the newest record's date, in the reports' zone,
// once it is more than staleAfter before as-of.
func TestAdviceAsOf(t *testing.T) {
	newest := time.Date(2021, 7, 21, 23, 30, 0, 0, time.UTC)
	span := source.Span{Oldest: newest.Add(-48 * time.Hour).UnixNano(), Newest: newest.UnixNano(), Any: true}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		asOf time.Time
		loc  *time.Location
		want string
	}{
		{time.Time{}, nil, ""},
		{newest.Add(staleAfter), nil, ""},
		{newest.Add(staleAfter + time.Second), nil, "2021-07-21"},
		{newest.AddDate(3, 0, 0), tokyo, "2021-07-22"},
	} {
		r := Build(BuildInput{Counter: NewCounter(Limits{}), Stats: source.Stats{Span: span}, AsOf: tt.asOf, Location: tt.loc})
		if r.Time == nil || !r.Time.Last.Equal(newest) {
			t.Fatalf("time range %+v, want it to end at %v", r.Time, newest)
		}
		if r.Advice.AsOf != tt.want {
			t.Errorf("as-of %v in %v: advice as-of %q, want %q", tt.asOf, tt.loc, r.Advice.AsOf, tt.want)
		}
	}
}

// TestAdviceForeignSeparator: a CSV header read as one column holding
// ';', a tab or '|' is named, with the conversion, and no mapping is
// guessed from it; a one-column comma CSV is left alone.
func TestAdviceForeignSeparator(t *testing.T) {
	for _, tt := range []struct {
		header, want, sep string
	}{
		{"time;email;system", `semi.csv: the CSV header is one column, "time;email;system": the file looks ';'-separated`, "';'"},
		{"time\temail", "the file looks tab-separated, and usagerep reads comma-separated CSV (RFC 4180); convert it first, e.g. mlr --icsv --ifs tab --ocsv cat in.csv > out.csv", "tab"},
		{"time|email", "mlr --icsv --ifs pipe", "'|'"},
		{"email", "", ""},
	} {
		samples := map[string]*Sample{"semi.csv": {Source: "semi.csv", Format: source.FormatCSV, Rows: 2, Keys: []KeyStat{{Path: tt.header, Rows: 2}}}}
		r := Build(BuildInput{Counter: NewCounter(Limits{}), Samples: samples, Stats: source.Stats{Sources: []source.SourceStats{{Name: "semi.csv", Records: 2, Rejected: 2, Reasons: map[string]int64{"missing time": 2}}}}})
		a := r.Advice
		found := false
		for _, p := range a.Problems {
			found = found || tt.want != "" && strings.Contains(p, tt.want)
		}
		if found != (tt.want != "") || a.Separator != tt.sep {
			t.Errorf("header %q: problems %q, separator %q; want one containing %q, separator %q", tt.header, a.Problems, a.Separator, tt.want, tt.sep)
		}
		if tt.sep != "" && (a.Canonical || a.Fields != nil || a.Constants != nil) {
			t.Errorf("header %q: advice %+v guesses a mapping from a header read as one column", tt.header, a)
		}
	}
}
