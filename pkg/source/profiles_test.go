package source

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usagerep/usagerep/pkg/record"
)

func TestProfiles(t *testing.T) {
	if got, exp := ProfileNames(), []string{"git-log", "github-events", "wikiticker"}; !slices.Equal(got, exp) {
		t.Errorf("ProfileNames() = %q, want %q", got, exp)
	}
	for _, name := range ProfileNames() {
		p, ok := Profile(name)
		if !ok {
			t.Fatalf("Profile(%q) not found", name)
		}
		for _, f := range []Format{FormatJSONL, FormatCSV} {
			if _, err := NewDecoder(f, DecodeOptions{Mapping: p}); err != nil {
				t.Errorf("profile %s does not compile for %s: %v", name, f, err)
			}
		}
		// The profile handed out is a copy.
		p.Fields["time"] = "changed"
		if again, _ := Profile(name); again.Fields["time"] == "changed" {
			t.Errorf("Profile(%q) shares its maps with the caller", name)
		}
	}
	if _, ok := Profile("nope"); ok {
		t.Error(`Profile("nope") found`)
	}
}

// TestGitHubEventsFixture decodes hand-written GitHub events.
func TestGitHubEventsFixture(t *testing.T) {
	col := decodeFile(t, "github-events", filepath.Join("testdata", "decode", "github-events.jsonl"), true)
	exp := []record.Record{
		want(func(r *record.Record) {
			r.Time, r.Line, r.Source = mustTime(t, "2021-07-21T06:00:00Z"), 1, "github-events.jsonl"
			r.System, r.Project, r.Action, r.Customer = "GitHub", "acme/web", "PushEvent", "acme"
			r.Username, r.DisplayName, r.UserID = "octo-bot[bot]", "octo-bot", "7"
		}),
		want(func(r *record.Record) {
			r.Time, r.Line, r.Source = mustTime(t, "2021-07-21T06:00:05Z"), 3, "github-events.jsonl"
			r.System, r.Project, r.Action = "GitHub", "jane/dotfiles", "WatchEvent"
			r.Username, r.DisplayName, r.UserID = "jane", "jane", "11"
		}),
	}
	if len(col.recs) != len(exp) {
		t.Fatalf("got %d records, want %d (rejects %+v)", len(col.recs), len(exp), col.rejects)
	}
	var keys []string
	for _, p := range col.recs[0].Props {
		keys = append(keys, p.Key)
	}
	if exp := []string{"id", "actor.url", "repo.id", "payload", "public", "org.id"}; !slices.Equal(keys, exp) {
		t.Errorf("props of record 0 = %q, want %q", keys, exp)
	}
	if p := col.recs[0].Props[3]; p.Value != `{"commits":[{"sha":"abc","message":"fix: \"quotes\" and \u00e9"}],"size":1}` {
		t.Errorf("payload prop = %s, want the raw JSON text", p.Value)
	}
	for i := range exp {
		col.recs[i].Props = nil // checked above
		if diff := diffRecord(col.recs[i], exp[i]); diff != "" {
			t.Errorf("record %d:%s", i, diff)
		}
	}
	if len(col.rejects) != 1 || col.rejects[0].Line != 2 || col.rejects[0].Reason != "missing time" {
		t.Errorf("rejects %+v, want line 2 missing time", col.rejects)
	}
}

// TestJSONLAndCSVAgree decodes the same records written as JSON Lines and
// as CSV: the spec promises one record shape for both.
func TestJSONLAndCSVAgree(t *testing.T) {
	j := decodeFile(t, "", filepath.Join("testdata", "decode", "activity.jsonl"), true)
	c := decodeFile(t, "", filepath.Join("testdata", "decode", "activity.csv"), true)
	if len(j.rejects) != 0 || len(c.rejects) != 0 {
		t.Fatalf("rejects: jsonl %+v, csv %+v", j.rejects, c.rejects)
	}
	if len(j.recs) != 5 || len(c.recs) != 5 {
		t.Fatalf("got %d JSONL and %d CSV records, want 5 each", len(j.recs), len(c.recs))
	}
	for i := range j.recs {
		jr, cr := j.recs[i], c.recs[i]
		jr.Source, jr.Line, cr.Source, cr.Line = "", 0, "", 0
		if diff := diffRecord(cr, jr); diff != "" {
			t.Errorf("record %d: CSV differs from JSONL:%s", i, diff)
		}
	}
	// Hand-checked values of the fixture.
	r := j.recs[2]
	if r.Time != mustTime(t, "2026-03-03T12:00:00Z") || r.Kind != record.KindSync || r.Outcome != record.OutcomeFailure ||
		r.Count != 2 || r.Duration != 1.5 || r.DisplayName != `Orla "O" O'Brien, PhD` || r.Email != "orla@corp.com" ||
		!reflect.DeepEqual(r.Props, props("os", "linux", "version", "5.1")) {
		t.Errorf("record 2 = %+v", r)
	}
}

// decodeFile decodes a whole fixture as one chunk, through a profile when
// one is named.
func decodeFile(t *testing.T, profile, path string, keep bool) *collector {
	t.Helper()
	data := readMaybeGzip(t, path)
	var m Mapping
	if profile != "" {
		var ok bool
		if m, ok = Profile(profile); !ok {
			t.Fatalf("no profile %q", profile)
		}
	}
	f := FormatJSONL
	if strings.HasSuffix(path, ".csv") {
		f = FormatCSV
	}
	c := &Chunk{Input: &Input{Name: filepath.Base(path), Format: f}, Data: data, FirstLine: 1}
	return decodeChunk(t, f, DecodeOptions{Mapping: m, KeepProps: keep}, c)
}

func readMaybeGzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustTime(t *testing.T, s string) int64 {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UnixNano()
}

// realData is the shared directory of real foreign dumps (see its README);
// it is not part of the repository.
const realData = "../../../shared/realdata"

// TestProfilesOnRealData decodes each real dump through its profile. The
// expected numbers were counted independently with Python's json module.
func TestProfilesOnRealData(t *testing.T) {
	if _, err := os.Stat(realData); err != nil {
		t.Skipf("real data not present (%v); these tests need %s", err, realData)
	}
	type summary struct {
		records, rejects   int
		users, projects    int // distinct usernames or emails; distinct projects
		withCustomer, hits int // records with a customer; records whose action is hitAction
		first, last        string
		system, hitAction  string
	}
	tests := []struct {
		file, profile string
		want          summary
	}{
		{"gharchive-2021-07-21-06to09.jsonl.gz", "github-events", summary{800, 0, 573, 623, 226, 425,
			"2021-07-21T06:00:00Z", "2021-07-21T09:00:04Z", "GitHub", "PushEvent"}},
		{"gharchive-2021-07-21-09-sample.jsonl.gz", "github-events", summary{1000, 0, 662, 730, 302, 611,
			"2021-07-21T09:00:00Z", "2021-07-21T09:00:20Z", "GitHub", "PushEvent"}},
		{"wikiticker-2015-09-12-tiny.jsonl", "wikiticker", summary{100, 0, 78, 13, 0, 100,
			"2015-09-12T00:46:58Z", "2015-09-12T00:51:35Z", "Wikipedia", "edit"}},
		{"gitlog-4repos-anonymised.jsonl.gz", "git-log", summary{21281, 0, 693, 4, 0, 21281,
			"2014-10-31T17:25:02Z", "2026-08-22T01:34:09Z", "git", "commit"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			col := decodeFile(t, tt.profile, filepath.Join(realData, tt.file), false)
			got := summary{records: len(col.recs), rejects: len(col.rejects), system: tt.want.system, hitAction: tt.want.hitAction}
			users, projects := map[string]bool{}, map[string]bool{}
			first, last := int64(record.MaxTime), int64(record.MinTime)
			for _, r := range col.recs {
				users[r.Username+"|"+r.Email] = true
				projects[r.Project] = true
				if r.Customer != "" {
					got.withCustomer++
				}
				if r.Action == tt.want.hitAction {
					got.hits++
				}
				if r.System != tt.want.system {
					got.system = r.System
				}
				first, last = min(first, r.Time), max(last, r.Time)
			}
			got.users, got.projects = len(users), len(projects)
			got.first = time.Unix(0, first).UTC().Format(time.RFC3339)
			got.last = time.Unix(0, last).UTC().Format(time.RFC3339)
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v\nrejects: %+v", got, tt.want, col.rejects[:min(3, len(col.rejects))])
			}
		})
	}
}
