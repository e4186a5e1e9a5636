package source

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/usagerep/usagerep/pkg/record"
)

var jsonlSeeds = []string{
	`{"time":"2026-03-03T10:15:00Z","system":"Jira","email":"a@x","count":"3"}`,
	`{"ts":1772532900,"user":{"email":"e@x","name":"n"},"props":{"os":"linux","n":[1,{"a":null}]},"x":{"y":[]}}`,
	`{"time":1772532900000,"users":[{"login":"a","time":"2026-03-03 10:00:00"},{"mail":"b@x"}],"type":"sync"}`,
	"\xEF\xBB\xBF{\"time\":\"2026-03-03T10:15:00+02:00\",\"system\":\"a\\u00e9\\ud83d\\ude00\\\"\"}\r\n\r\n{bad\n[1]\n",
	`{"time":"x","count":-1,"duration":"1m","outcome":"ok","kind":"SYNC","service_account":"yes"}`,
	`{"time":1,"system":" \t ","display_name":"\u0020x","integration_status":"active","integration_updated":0}`,
	"{\"time\":1,\"a\":\"\xff\"}\n   \n\"str\"\n{\"time\":1}",
}

// FuzzJSONLDecode checks that decoding never panics, that every non-blank
// line is exactly one record or one reject at its own line number, and
// that the scanner agrees with encoding/json on what is valid JSON and on
// the value of a string field.
func FuzzJSONLDecode(f *testing.F) {
	for _, s := range jsonlSeeds {
		f.Add([]byte(s))
	}
	addFixtureSeeds(f, "activity.jsonl", "github-events.jsonl")
	for _, name := range badCorpus(f, ".jsonl") {
		f.Add(readBad(f, name))
	}
	plain, err := NewDecoder(FormatJSONL, DecodeOptions{KeepProps: true})
	if err != nil {
		f.Fatal(err)
	}
	gh, _ := Profile("github-events")
	mapped, err := NewDecoder(FormatJSONL, DecodeOptions{Mapping: gh})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, first := range []int64{1, 10} {
			text := data
			if first == 1 {
				text = bytes.TrimPrefix(data, utf8BOM) // a BOM opens only an input
			}
			lines := fuzzLines(text)
			nonBlank := 0
			for _, ln := range lines {
				if !isBlank(ln) {
					nonBlank++
				}
			}
			for _, d := range []Decoder{plain, mapped} {
				col := &collector{}
				c := &Chunk{Input: &Input{Name: "fuzz"}, Data: data, FirstLine: first}
				good, bad, err := d.Decode(c, col, col.reject)
				if err != nil {
					t.Fatal(err)
				}
				if good+bad != int64(nonBlank) {
					t.Fatalf("good %d + bad %d != %d non-blank lines", good, bad, nonBlank)
				}
				for _, r := range col.recs {
					checkRecord(t, &r, first, len(lines))
					if d == plain {
						checkSystemAgainstJSON(t, lines[r.Line-first], r.System)
					}
				}
				for _, r := range col.rejects {
					if r.Line < first || r.Line >= first+int64(len(lines)) {
						t.Fatalf("reject at line %d outside the chunk", r.Line)
					}
					ln := lines[r.Line-first]
					if !bytes.Equal(r.Raw, ln) {
						t.Fatalf("reject raw %q, want line %q", r.Raw, ln)
					}
					checkRejectAgainstJSON(t, ln, r)
				}
			}
		}
	})
}

// fuzzLines splits data as JSON Lines are split: on '\n', one trailing
// '\r' removed.
func fuzzLines(data []byte) [][]byte {
	if len(data) == 0 {
		return nil
	}
	lines := bytes.Split(data, []byte{'\n'})
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, ln := range lines {
		lines[i] = bytes.TrimSuffix(ln, []byte{'\r'})
	}
	return lines
}

func checkRecord(t *testing.T, r *record.Record, first int64, nlines int) {
	t.Helper()
	if r.Line < first || r.Line >= first+int64(nlines) {
		t.Fatalf("record at line %d outside the chunk (%d lines from %d)", r.Line, nlines, first)
	}
	if r.Time < record.MinTime || r.Time > record.MaxTime || r.Count < 0 || r.Duration < 0 {
		t.Fatalf("record out of range: %+v", r)
	}
	for _, s := range []string{r.System, r.Email, r.Username, r.DisplayName, r.Action} {
		if s != strings.TrimSpace(s) {
			t.Fatalf("untrimmed value %q", s)
		}
	}
	for _, u := range r.Users {
		if u.Time != record.NoTime && (u.Time < record.MinTime || u.Time > record.MaxTime) {
			t.Fatalf("users[] time out of range: %+v", u)
		}
	}
}

// checkRejectAgainstJSON: a line is "invalid JSON" exactly when
// encoding/json says so (for valid UTF-8 and modest nesting).
func checkRejectAgainstJSON(t *testing.T, ln []byte, r Reject) {
	t.Helper()
	if !utf8.Valid(ln) {
		if r.Reason != reasonUTF8 {
			t.Fatalf("invalid UTF-8 line rejected as %q", r.Reason)
		}
		return
	}
	if bytes.Count(ln, []byte("["))+bytes.Count(ln, []byte("{")) >= maxJSONDepth {
		return
	}
	valid := json.Valid(ln)
	if (r.Reason == reasonJSON) == valid {
		t.Fatalf("line %q: reject %q (%s), but json.Valid = %v", ln, r.Reason, r.Detail, valid)
	}
	trimmed := bytes.TrimLeft(ln, " \t\r\n")
	if valid && trimmed[0] != '{' && r.Reason != reasonNotObject {
		t.Fatalf("line %q: reject %q, want %q", ln, r.Reason, reasonNotObject)
	}
}

// checkSystemAgainstJSON compares the decoded "system" with what
// encoding/json reads, when the line has exactly one top-level "system".
func checkSystemAgainstJSON(t *testing.T, ln []byte, got string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(ln))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("good record from a line that is no object: %q", ln)
	}
	var values []json.RawMessage
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatalf("good record from invalid JSON %q: %v", ln, err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("good record from invalid JSON %q: %v", ln, err)
		}
		if key == "system" {
			values = append(values, v)
		}
	}
	if len(values) != 1 {
		return
	}
	var s string
	if json.Unmarshal(values[0], &s) != nil {
		return // not a string
	}
	if exp := strings.TrimSpace(s); got != exp {
		t.Fatalf("line %q: system = %q, encoding/json reads %q", ln, got, exp)
	}
}

var csvSeeds = []string{
	"time,system,email\n2026-03-03T10:15:00Z,Jira,a@x\n1772532900,\"A, \"\"B\"\"\",\n",
	"\xEF\xBB\xBFtime,user.email,props.os\r\n1772532900,a@x,linux\r\n\r\n1,\"x\ny\",z\r\n",
	"time,count\n1,-1\n1,2,3\n\"unclosed,1\n",
	"a,\"b\"c\n1,2\n",
	"time\n\n  \n1\n\"\"\n",
}

// FuzzCSVDecode checks that decoding never panics, that records and
// rejects stay inside the chunk, and that records are split into the same
// fields as encoding/csv splits them, for input encoding/csv accepts.
func FuzzCSVDecode(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	addFixtureSeeds(f, "activity.csv")
	for _, name := range badCorpus(f, ".csv") {
		f.Add(readBad(f, name))
	}
	d, err := NewDecoder(FormatCSV, DecodeOptions{KeepProps: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		col := &collector{}
		c := &Chunk{Input: &Input{Name: "fuzz"}, Data: data, FirstLine: 1}
		good, bad, err := d.Decode(c, col, col.reject)
		if err != nil {
			t.Fatal(err)
		}
		nlines := bytes.Count(data, []byte{'\n'}) + 1
		if good+bad > int64(nlines) {
			t.Fatalf("%d records and rejects from %d lines", good+bad, nlines)
		}
		for _, r := range col.recs {
			checkRecord(t, &r, 1, nlines)
		}
		for _, r := range col.rejects {
			if r.Line < 2 || r.Line > int64(nlines) || !bytes.Contains(data, r.Raw) {
				t.Fatalf("reject %+v outside the chunk", r)
			}
		}
		compareWithEncodingCSV(t, data)
	})
}

func compareWithEncodingCSV(t *testing.T, data []byte) {
	t.Helper()
	// encoding/csv drops '\r' before '\n' even inside quotes, and skips
	// empty lines; compare only where both read the same text.
	if bytes.IndexByte(data, '\r') >= 0 {
		return
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var want [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return // input encoding/csv refuses; ours is more lenient
		}
		if len(rec) == 1 && isBlank([]byte(rec[0])) {
			continue
		}
		want = append(want, rec)
	}
	dec := &csvDecoder{core: &core{}}
	var got [][]string
	for pos := 0; pos < len(data); {
		_, next, _, status := dec.readRecord(data, pos)
		pos = next
		if status != csvOK {
			t.Fatalf("readRecord: status %d on input encoding/csv accepts: %q", status, data)
		}
		if len(dec.fields) == 1 && isBlank(dec.fields[0]) {
			continue
		}
		var rec []string
		for _, f := range dec.fields {
			rec = append(rec, string(f))
		}
		got = append(got, rec)
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d records, encoding/csv reads %d", data, len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("%q: record %d = %q, encoding/csv reads %q", data, i, got[i], want[i])
		}
	}
}

func addFixtureSeeds(f *testing.F, names ...string) {
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("testdata", "decode", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// badDir is the malformed-input corpus (testdata/bad/README.md); its files
// seed the fuzz targets.
const badDir = "../../testdata/bad"

// badCorpus lists the corpus files whose names end in one of exts, or all
// of them but the README when exts is empty.
func badCorpus(tb testing.TB, exts ...string) []string {
	tb.Helper()
	entries, err := os.ReadDir(badDir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if name == "README.md" || !e.Type().IsRegular() {
			continue
		}
		if len(exts) == 0 || slices.ContainsFunc(exts, func(x string) bool { return strings.HasSuffix(name, x) }) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		tb.Fatalf("no %v files in %s", exts, badDir)
	}
	return names
}

func readBad(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(badDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
